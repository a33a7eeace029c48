"""
Codes for a classifier: an autoencoder that learns from the labels
==================================================================

Two numbers per image of a handwritten digit, three ways: PCA's two leading
directions, the code of skae's default autoencoder, and the code of the same
autoencoder given the labels (``target_weight="auto"``), which trains a
linear head on the code to predict the digit beside the reconstruction.
Each is fitted on the training images; the panels show the codes of images
none of them saw, coloured by digit, with the held-out accuracy of a
logistic regression on those two numbers and the share of the held-out
variance that decoding them keeps.
"""

import os

import matplotlib.pyplot as plt
import numpy as np
from sklearn.decomposition import PCA
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import train_test_split

from skae import AutoencoderTransformer
from skae.datasets import load_mnist_or_digits

QUICK = os.environ.get("SKAE_EXAMPLES_QUICK") == "1"

data = load_mnist_or_digits()  # MNIST from $SKAE_DATA_DIR or Keras's cache, else digits
X, y = data.data, data.target
n_rows = 1500 if QUICK else 5000
X_train, X_test, y_train, y_test = train_test_split(
    X[:n_rows], y[:n_rows], test_size=0.3, random_state=0, stratify=y[:n_rows])

# %%
# The three reducers get ``fit(X, y)``, as a pipeline gives every step; PCA and
# the plain autoencoder ignore ``y``.
reducers = {
    "PCA": PCA(2),
    "autoencoder": AutoencoderTransformer(2, random_state=0),
    "autoencoder + labels": AutoencoderTransformer(2, target_weight="auto", random_state=0),
}
scores, codes = {}, {}
for name, reducer in reducers.items():
    reducer.fit(X_train, y_train)
    codes[name] = reducer.transform(X_test)
    classifier = LogisticRegression(max_iter=3000).fit(reducer.transform(X_train), y_train)
    residual = X_test - reducer.inverse_transform(codes[name])
    kept = 1 - np.sum(residual ** 2) / np.sum((X_test - X_train.mean(axis=0)) ** 2)
    scores[name] = (classifier.score(codes[name], y_test), kept)
    print(f"{name}: held-out accuracy {scores[name][0]:.3f}, variance kept {kept:.3f}")

# %%
# The held-out codes.  The labels pull the classes apart; the code still
# decodes, keeping a share of the variance near PCA's.
fig, axes = plt.subplots(1, 3, figsize=(12, 4))
for ax, (name, Z) in zip(axes, codes.items()):
    points = ax.scatter(Z[:, 0], Z[:, 1], c=y_test, cmap="tab10", s=6)
    accuracy, kept = scores[name]
    ax.set_title(f"{name}\naccuracy {accuracy:.2f}, variance kept {kept:.2f}")
    ax.set_xticks([])
    ax.set_yticks([])
fig.colorbar(points, ax=axes, label="digit")
fig.suptitle(f"Two numbers per image, {len(X_test)} held-out images of {data.name}")
plt.show()
