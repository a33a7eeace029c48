"""
Letting a grid search choose between PCA and an autoencoder
===========================================================

:class:`~skae.AutoencoderTransformer` plugs into the same place in a
pipeline as :class:`~sklearn.decomposition.PCA`, so one ``GridSearchCV`` can
try both, at several code widths, in front of a classifier.
"""

import os

import matplotlib.pyplot as plt
import numpy as np
from sklearn.decomposition import PCA
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import Pipeline

from skae import AutoencoderTransformer
from skae.datasets import load_mnist_or_digits

QUICK = os.environ.get("SKAE_EXAMPLES_QUICK") == "1"

data = load_mnist_or_digits()  # MNIST from $SKAE_DATA_DIR or Keras's cache, else digits
X, y = data.data, data.target
X, y = (X[:600], y[:600]) if QUICK else (X[:3000], y[:3000])
n_train = int(0.8 * len(X))

# %%
# One search over the reducer *and* its width.
pipe = Pipeline([("reduce", PCA()), ("clf", LogisticRegression(max_iter=2000))])
grid = {
    "reduce": [
        PCA(random_state=0),
        AutoencoderTransformer(epochs=20 if QUICK else "auto", random_state=0),
    ],
    "reduce__n_components": [8, 16, 32],
}
search = GridSearchCV(pipe, grid, cv=3).fit(X[:n_train], y[:n_train])
print("best:", search.best_params_)
print(f"held-out accuracy: {search.score(X[n_train:], y[n_train:]):.3f}")

# %%
# Cross-validated accuracy of every candidate.
results = search.cv_results_
fig, ax = plt.subplots(figsize=(5, 3.5))
for kind in ("PCA", "AutoencoderTransformer"):
    mask = np.array([type(p["reduce"]).__name__ == kind for p in results["params"]])
    ax.errorbar(np.array(results["param_reduce__n_components"][mask], dtype=int),
                results["mean_test_score"][mask], yerr=results["std_test_score"][mask],
                marker="o", capsize=3, label=kind)
ax.set_xlabel("n_components")
ax.set_ylabel("CV accuracy")
ax.legend()
fig.tight_layout()
plt.show()
