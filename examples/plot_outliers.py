"""
Outliers by reconstruction error: one digit against the others
================================================================

An autoencoder trained on one kind of image reconstructs that kind well and
everything else worse, so its reconstruction error flags what does not
belong.  :class:`skae.AutoencoderOutlierDetector` gives that scikit-learn's
outlier-detector contract (``predict`` gives +1 / -1, ``decision_function``,
``score_samples``, ``contamination``, ``offset_``).

Here each digit in turn is the inlier class: the detector is trained on that
digit's training images only, then scores the held-out images of every digit.
The ROC AUC says how well the score separates the digit from the others
(1 is perfect, 0.5 is chance), beside two neighbours: PCA's reconstruction
error with as many components, and :class:`~sklearn.ensemble.IsolationForest`.
Then a table: which features made a flagged row of the ODDS breast-cancer set
an outlier.
"""

import os

import matplotlib.pyplot as plt
import numpy as np
from sklearn.datasets import load_breast_cancer
from sklearn.decomposition import PCA
from sklearn.ensemble import IsolationForest
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from skae import AutoencoderOutlierDetector, AutoencoderTransformer
from skae.datasets import load_mnist_or_digits, load_table

data = load_mnist_or_digits()  # MNIST from $SKAE_DATA_DIR or Keras's cache, else digits
mnist = len(data.data) >= 10000
n_train = 8000 if mnist else int(0.8 * len(data.data))
X_train, y_train = data.data[:n_train], data.target[:n_train]
X_test, y_test = data.data[n_train:], data.target[n_train:]
n_components = 32 if mnist else 8
quick = os.environ.get("SKAE_EXAMPLES_QUICK") == "1"
digits = [0, 2, 8] if quick else list(range(10))

# %%
# One detector per digit: the default network with as many numbers as PCA
# has components, its default score (the reconstruction error and the code's
# distance from the training codes) and a threshold calibrated to flag at most
# 5% of new images of the digit (``fpr=0.05``); PCA's reconstruction error;
# an isolation forest.
results, detectors = {}, {}
for digit in digits:
    inliers = X_train[y_train == digit]
    is_inlier = y_test == digit
    detector = AutoencoderOutlierDetector(
        AutoencoderTransformer(n_components=n_components), fpr=0.05, random_state=0,
    ).fit(inliers)
    pca = PCA(n_components, random_state=0).fit(inliers)
    pca_scores = -np.mean((X_test - pca.inverse_transform(pca.transform(X_test))) ** 2, axis=1)
    forest = IsolationForest(random_state=0).fit(inliers)
    results[digit] = [roc_auc_score(is_inlier, scores) for scores in (
        detector.score_samples(X_test), pca_scores, forest.score_samples(X_test))]
    detectors[digit] = detector

methods = ["autoencoder", f"PCA ({n_components})", "IsolationForest"]
print(f"ROC AUC, {len(X_test)} held-out images, each digit against the others")
print("digit  " + "  ".join(f"{m:>16}" for m in methods))
for digit, aucs in results.items():
    print(f"{digit:>5}  " + "  ".join(f"{a:16.3f}" for a in aucs))
means = np.mean(list(results.values()), axis=0)
print(" mean  " + "  ".join(f"{a:16.3f}" for a in means))

fig, ax = plt.subplots(figsize=(8, 3.5))
width = 0.27
for i, method in enumerate(methods):
    ax.bar(np.arange(len(digits)) + (i - 1) * width, [results[d][i] for d in digits], width,
           label=f"{method} (mean {means[i]:.3f})")
ax.set_xticks(range(len(digits)), [str(d) for d in digits])
ax.set_xlabel("inlier digit")
ax.set_ylabel("ROC AUC")
ax.set_ylim(0.5, 1.0)
ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.2), ncol=3, fontsize=8)
ax.set_title("One digit against the others: reconstruction error and isolation")
fig.tight_layout()
plt.show()

# %%
# On the 10,000 MNIST test images (8,000 to train, about 800 per digit) the
# table above shows the autoencoder and PCA's reconstruction error ahead of
# the isolation forest on nearly every digit, and the autoencoder ahead of
# PCA on the digits the forest finds hardest.

# %%
# The detector's threshold: a fifth of the digit's training images were held
# out of fitting, and the threshold is set on their scores so that a new image
# of the digit is flagged with probability at most 5% (split-conformal
# calibration; ``pvalues`` gives each image's p-value).  The most abnormal
# held-out images for one digit, each beside its per-feature errors
# (``feature_errors``): bright where the reconstruction misses, which is where
# the image is not like the digit.
digit = 2
detector = detectors[digit]
flags = detector.predict(X_test)
print(f"digit {digit}: flagged {np.mean(flags[y_test == digit] == -1):.1%} of its held-out "
      f"images and {np.mean(flags[y_test != digit] == -1):.1%} of the others")
worst = np.argsort(detector.decision_function(X_test))[:6]
errors = detector.feature_errors(X_test[worst])
height, width = data.image_shape
fig, axes = plt.subplots(2, 6, figsize=(9, 3.4))
for column, (row, error) in enumerate(zip(worst, errors)):
    axes[0, column].imshow(X_test[row].reshape(height, width), cmap="gray", vmin=0, vmax=1)
    axes[0, column].set_title(f"a {y_test[row]}", fontsize=9)
    axes[1, column].imshow(error.reshape(height, width), cmap="magma")
    axes[1, column].set_xlabel(f"mean {error.mean():.3f}", fontsize=9)
for ax in axes.ravel():
    ax.set_xticks([])
    ax.set_yticks([])
axes[0, 0].set_ylabel("image")
axes[1, 0].set_ylabel("squared error")
fig.suptitle(f"The six held-out images least like a {digit}")
fig.tight_layout()
plt.show()

# %%
# Explaining a flag on a table
# ----------------------------
# The ODDS benchmark's ``wbc`` set: 357 benign breast-tumour biopsies and 21
# malignant ones, the outliers, 30 measurements each.  Its rows are those of
# scikit-learn's breast-cancer table scaled to [0, 1] (checked row by row), so
# the features keep their names.  Read from ``$SKAE_ODDS_DIR/wbc.mat`` when
# there; otherwise a table built like it from scikit-learn's: its benign rows
# and its first 21 malignant ones (ODDS drew other malignant rows, so the
# flagged rows differ).  The detector, with its defaults and
# a threshold calibrated to flag at most 5% of new benign rows, is fitted on
# the benign rows of 60% of the table (known-normal rows, the setting its
# promise is made for, and the semi-supervised protocol of
# ``benchmarks/outliers.py``, which also fits with the outliers left in) and
# judges the other 40%.
cancer = load_breast_cancer()
names = list(cancer.feature_names)
odds_file = os.path.join(os.environ.get("SKAE_ODDS_DIR", ""), "wbc.mat")
if os.path.isfile(odds_file):
    table = load_table(odds_file)
    X_table, is_outlier = table.data, table.target.astype(bool)
else:
    benign = np.flatnonzero(cancer.target == 1)
    malignant = np.flatnonzero(cancer.target == 0)[:21]
    X_table = cancer.data[np.concatenate([benign, malignant])]
    X_table = (X_table - X_table.min(axis=0)) / (X_table.max(axis=0) - X_table.min(axis=0))
    is_outlier = np.arange(len(X_table)) >= len(benign)
X_fit, X_new, fit_is_outlier, new_is_outlier = train_test_split(
    X_table, is_outlier, test_size=0.4, random_state=0, stratify=is_outlier)
X_fit = X_fit[~fit_is_outlier]
pipeline = make_pipeline(StandardScaler(), AutoencoderOutlierDetector(fpr=0.05, random_state=0))
pipeline.fit(X_fit)
forest = make_pipeline(StandardScaler(), IsolationForest(random_state=0)).fit(X_fit)
flagged = pipeline.predict(X_new) == -1
table_aucs = {name: roc_auc_score(new_is_outlier, -model.score_samples(X_new))
              for name, model in (("detector", pipeline), ("IsolationForest", forest))}
print(f"ROC AUC on {len(X_new)} held-out rows ({new_is_outlier.sum()} malignant): "
      + ", ".join(f"{name} {auc:.3f}" for name, auc in table_aucs.items()))
print(f"flagged {flagged.sum()} rows: {(flagged & new_is_outlier).sum()} of the "
      f"{new_is_outlier.sum()} malignant, {(flagged & ~new_is_outlier).sum()} of the "
      f"{(~new_is_outlier).sum()} benign")

# %%
# For the most abnormal flagged malignant row and the most abnormal flagged
# benign one (a false alarm), the per-feature squared errors
# (``feature_errors``, in the standardised units the detector sees; their
# mean is the score's reconstruction term).  The longest bars are the
# measurements the autoencoder, which learned how a typical row's features go
# together, could not reconcile with the rest of the row: what to look at
# before trusting or dismissing a flag.
scaler, detector = pipeline[0], pipeline[-1]
decision = pipeline.decision_function(X_new)
typical = np.median(X_fit, axis=0)
explained = {}
fig, axes = plt.subplots(1, 2, figsize=(9, 4.6), sharex=True)
for ax, kind in zip(axes, ("malignant", "benign")):
    candidates = np.flatnonzero(flagged & (new_is_outlier == (kind == "malignant")))
    if not len(candidates):
        ax.set_axis_off()
        continue
    row = int(candidates[np.argmin(decision[candidates])])
    errors = detector.feature_errors(scaler.transform(X_new[row : row + 1]))[0]
    order = np.argsort(errors)[::-1][:10]
    explained[kind] = row, errors
    print(f"most abnormal flagged {kind} row, decision {decision[row]:.2f}:")
    for j in order[:3]:
        print(f"  {names[j]:<24} error {errors[j]:6.2f}   value {X_new[row, j]:.3f} "
              f"(median of the fitting rows {typical[j]:.3f})")
    ax.barh(np.arange(len(order)), errors[order][::-1], color="tab:red")
    ax.set_yticks(np.arange(len(order)), [names[j] for j in order[::-1]], fontsize=8)
    ax.set_xlabel("squared error (standardised units)")
    ax.set_title(f"a flagged {kind} row: its 10 largest errors", fontsize=10)
fig.tight_layout()
plt.show()

# %%
# Naming the feature: ``explain``
# -------------------------------
# ``feature_errors`` shows where the reconstruction misses, but one wrong
# measurement moves the code, and the decoder spreads the damage over
# measurements that were never touched.  ``explain`` asks, for each feature,
# how much less abnormal the row would be if that feature took the value the
# network implies from the others (several wrong features are set right in
# turn).  A known cause to compare them on: a benign held-out row, with the
# measurement its other measurements predict best (a linear fit on the
# fitting rows) replaced by that measurement of the held-out benign row most
# unlike it there.  Each value of the row is still ordinary on its own; the row
# is not.  Below, the replaced measurement's bar is red: ``feature_errors``
# also spreads error over the measurements that go with it, where
# ``explain`` leaves them near zero.
from sklearn.linear_model import LinearRegression  # noqa: E402

standardised = scaler.transform(X_fit)
predicted = [LinearRegression().fit(np.delete(standardised, j, 1), standardised[:, j])
             .score(np.delete(standardised, j, 1), standardised[:, j])
             for j in range(standardised.shape[1])]
corrupted = int(np.argmax(predicted))
benign_new = X_new[~new_is_outlier]
row = benign_new[:1].copy()
donor = int(np.argmax(np.abs(benign_new[:, corrupted] - row[0, corrupted])))
row[0, corrupted] = benign_new[donor, corrupted]
as_seen = scaler.transform(row)
errors = detector.feature_errors(as_seen)[0]
attributions = detector.explain(as_seen)[0]
named = int(np.argmax(attributions))
print(f"{names[corrupted]} (R² {predicted[corrupted]:.3f} from the others) set to "
      f"{row[0, corrupted]:.3f}; flagged: {pipeline.predict(row)[0] == -1}; "
      f"explain names {names[named]}, the largest error is {names[int(np.argmax(errors))]}")

fig, axes = plt.subplots(1, 2, figsize=(9, 4.6))
for ax, values, label in ((axes[0], errors, "squared error (feature_errors)"),
                          (axes[1], attributions, "score drop when imputed (explain)")):
    order = np.argsort(values)[::-1][:10]
    colours = ["tab:red" if j == corrupted else "tab:gray" for j in order[::-1]]
    ax.barh(np.arange(len(order)), values[order][::-1], color=colours)
    ax.set_yticks(np.arange(len(order)), [names[j] + (" (corrupted)" if j == corrupted else "")
                                          for j in order[::-1]], fontsize=8)
    ax.set_xlabel(label)
fig.suptitle(f"A benign row with its {names[corrupted]} replaced: its 10 largest values")
fig.tight_layout()
plt.show()

# %%
# ``benchmarks/explanations.py`` measures how often each names the corrupted
# feature over the ODDS, ADBench and classification tables and
# scikit-learn's own: see the docs' page "Explaining a flag".
