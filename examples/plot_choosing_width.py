"""
Choosing the width by the variance to keep
==========================================

PCA users choose the width by the share of the variance they want to keep:
``PCA(n_components=0.95)``.  :class:`~skae.AutoencoderTransformer` takes the
same spelling.  Here both methods are swept over widths on a table, the share
of the held-out rows' variance each keeps is drawn against the width, and
``AutoencoderTransformer(0.95)`` picks its own width.
"""

import os

import matplotlib.pyplot as plt
import numpy as np
from sklearn.datasets import load_breast_cancer
from sklearn.decomposition import PCA
from sklearn.metrics import r2_score
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler

from skae import AutoencoderTransformer
from skae.datasets import load_table

QUICK = os.environ.get("SKAE_EXAMPLES_QUICK") == "1"

# %%
# The ODDS ``cardio`` table (1,831 foetal heart recordings, 21 features) when
# ``$SKAE_ODDS_DIR`` holds it, else scikit-learn's breast-cancer table (569
# rows, 30 features), which ships offline.  Standardised on 70% of the rows;
# the other 30% are held out.
odds_file = os.path.join(os.environ.get("SKAE_ODDS_DIR", ""), "cardio.mat")
if os.path.isfile(odds_file):
    X, name = load_table(odds_file).data, "ODDS cardio"
else:
    X, name = load_breast_cancer().data, "breast cancer"
X_train, X_test = train_test_split(X, test_size=0.3, random_state=0)
scaler = StandardScaler().fit(X_train)
X_train, X_test = scaler.transform(X_train), scaler.transform(X_test)
print(f"{name}: {X_train.shape[0]} training rows, {X_test.shape[0]} held out, "
      f"{X.shape[1]} features")


def kept(model):
    """The share of the held-out rows' variance the reconstructions keep."""
    reconstruction = model.inverse_transform(model.transform(X_test))
    return r2_score(X_test, reconstruction, multioutput="variance_weighted")


# %%
# Both methods at each width.  The default network starts as PCA at its
# width and keeps that start unless training beats it on rows it holds out.
widths = [2, 4, 6, 8, 10] if QUICK else [2, 3, 4, 5, 6, 8, 10, 12, 14]
curves = {"pca": [], "autoencoder": []}
for k in widths:
    curves["pca"].append(kept(PCA(k).fit(X_train)))
    curves["autoencoder"].append(kept(AutoencoderTransformer(k, random_state=0).fit(X_train)))
for k, p, a in zip(widths, curves["pca"], curves["autoencoder"]):
    print(f"{k:3d} numbers: PCA keeps {p:.3f}, the autoencoder {a:.3f}")

# %%
# The width chosen by the share to keep.  ``PCA(0.95)`` keeps the fewest
# components that explain 95% of the training rows' variance;
# ``AutoencoderTransformer(0.95)`` the narrowest network whose reconstructions
# keep 95% of the variance of rows its search's fits did not see, searched by
# bisection below PCA's width (one fit per width tried, in ``width_search_``);
# a narrower width than PCA's is kept as the search's fit, whose share was
# measured.
pca = PCA(0.95).fit(X_train)
auto = AutoencoderTransformer(0.95, random_state=0).fit(X_train)
print(f"PCA(0.95): {pca.n_components_} numbers, keeps {kept(pca):.3f} of the held-out variance")
print(f"AutoencoderTransformer(0.95): {auto.n_components_} numbers, keeps {kept(auto):.3f} "
      f"(widths tried: {auto.width_search_['n_components']})")

fig, ax = plt.subplots(figsize=(6, 4))
for label, values in curves.items():
    ax.plot(widths, values, marker="o", label=label)
for level in (0.90, 0.95, 0.99):
    ax.axhline(level, color="0.5", linestyle="--", linewidth=0.8)
ax.plot([auto.n_components_], [kept(auto)], marker="*", markersize=14, color="C1",
        linestyle="none", label="AutoencoderTransformer(0.95)")
ax.plot([pca.n_components_], [kept(pca)], marker="*", markersize=14, color="C0",
        linestyle="none", label="PCA(0.95)")
ax.set_xlabel("n_components (numbers per row)")
ax.set_ylabel("share of the held-out variance kept")
ax.set_ylim(max(0.0, min(np.min(curves["pca"]), 0.9) - 0.05), 1.0)
ax.set_title(f"{name}: how many numbers each method needs")
ax.grid(True, alpha=0.3)
ax.legend(loc="lower right", fontsize=8)
fig.tight_layout()
plt.show()
