"""
PCA or an autoencoder?
======================

Reconstructions of test images by PCA and by autoencoders with the same
code width, and the test reconstruction error of each as the code widens.
The ``skae compare`` command does the same from the shell.
"""

import os

import matplotlib.pyplot as plt
from matplotlib.ticker import NullLocator

from skae.compare import Budget, Split, compare_models, sweep_components
from skae.datasets import load_mnist_or_digits

QUICK = os.environ.get("SKAE_EXAMPLES_QUICK") == "1"

data = load_mnist_or_digits()  # MNIST from $SKAE_DATA_DIR or Keras's cache, else digits
X, y = data.data, data.target
if QUICK:
    X, y = X[:2000], y[:2000]
n_train = int(0.8 * len(X))
split = Split(X[:n_train], X[n_train:], y[:n_train], y[n_train:])
X_train, X_test = split.X_train, split.X_test
# The blog's kinds train the blog's budget, the default ("residual") stops on
# its own; the test suite's quick form trains every model 15 epochs of 64.
budget = (Budget(epochs=15, batch_size=64, random_state=0) if QUICK
          else Budget(fixed=(50, 256), random_state=0))

# %%
# Fit PCA, skae's default autoencoder and the blog's simple one, each with a
# 32-number code, and measure them on the test images.
rows, fitted = compare_models(["pca", "residual", "dense"], split, n_components=32,
                              budget=budget)
for row in rows:
    print(f"{row['method']:8s} test MSE {row['test_mse']:.5f}  R2 {row['test_r2']:.3f}  "
          f"accuracy on codes {row['accuracy']:.3f}")

# The figures say which model is which: "residual" is skae's default,
# "dense" the Keras blog's simple model.
LABELS = {"pca": "PCA", "residual": "residual (skae's default)",
          "dense": "dense (the Keras blog's)"}
source = {"mnist": "MNIST", "digits": "the 8x8 digits"}[data.name]

# %%
# Originals (top) and the reconstructions of each model.
# Each row is labelled with its model's test MSE (over all test images).
test_mse = {row["method"]: row["test_mse"] for row in rows}
fig, axes = plt.subplots(1 + len(fitted), 8, figsize=(9, 1.2 * (1 + len(fitted))))
side = dict(fontsize=8, rotation=0, ha="right", va="center")  # row labels, read across
for i in range(8):
    axes[0, i].imshow(X_test[i].reshape(data.image_shape), cmap="gray", vmin=0, vmax=1)
axes[0, 0].set_ylabel("original", **side)
for r, (name, model) in enumerate(fitted.items(), start=1):
    recon = model.inverse_transform(model.transform(X_test[:8]))
    for i in range(8):
        axes[r, i].imshow(recon[i].reshape(data.image_shape), cmap="gray", vmin=0, vmax=1)
    axes[r, 0].set_ylabel(f"{LABELS[name]}\nMSE {test_mse[name]:.4f}", **side)
for ax in axes.ravel():
    ax.set_xticks([])
    ax.set_yticks([])
fig.suptitle(f"Test images of {source} and their reconstructions from 32 numbers")
fig.subplots_adjust(left=0.22)

# %%
# Test reconstruction error against the code width.
widths = [2, 8, 32] if QUICK else [2, 4, 8, 16, 32, 64]
results = sweep_components(["pca", "residual", "dense"], widths, split, budget=budget)
fig, ax = plt.subplots(figsize=(5, 3.5))
for name, points in results.items():
    ax.plot(*zip(*points), marker="o", label=LABELS[name])
ax.set_xscale("log", base=2)
ax.set_xticks(widths, [str(k) for k in widths])
ax.xaxis.set_minor_locator(NullLocator())
ax.set_xlabel("n_components")
ax.set_ylabel("test MSE")
ax.set_title(f"{source}: test error against the code width", fontsize=10)
ax.legend()
fig.tight_layout()
plt.show()
