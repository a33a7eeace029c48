"""
Denoising autoencoder
=====================

Train with Gaussian noise added to the inputs (``noise_stddev``) while the
target stays the clean image, then clean up noisy test images. The noise is
added during training only: ``transform`` never adds any.
"""

import os

import matplotlib.pyplot as plt
import numpy as np

from skae import AutoencoderTransformer
from skae.datasets import load_mnist_or_digits

QUICK = os.environ.get("SKAE_EXAMPLES_QUICK") == "1"
NOISE = 0.5

data = load_mnist_or_digits()  # MNIST from $SKAE_DATA_DIR or Keras's cache, else digits
X = data.data[:2000] if QUICK else data.data
n_train = int(0.8 * len(X))
X_train, X_test = X[:n_train], X[n_train:]
rng = np.random.RandomState(0)
X_test_noisy = np.clip(X_test + NOISE * rng.standard_normal(X_test.shape), 0, 1)

# %%
# A plain autoencoder and a denoising one: the blog's dense model, same budget.
epochs, batch_size = (15, 64) if QUICK else (100, 128)
plain = AutoencoderTransformer(32, architecture="dense", epochs=epochs, batch_size=batch_size,
                               random_state=0).fit(X_train)
denoising = AutoencoderTransformer(32, architecture="dense", noise_stddev=NOISE, epochs=epochs,
                                   batch_size=batch_size, random_state=0).fit(X_train)

# %%
# How close do the reconstructions of the *noisy* test images come to the
# *clean* ones?
to_clean = {"noisy": np.mean((X_test - X_test_noisy) ** 2)}
for name, model in (("plain", plain), ("denoising", denoising)):
    cleaned = model.inverse_transform(model.transform(X_test_noisy))
    to_clean[name] = np.mean((X_test - cleaned) ** 2)
    print(f"{name:9s}: MSE to the clean images {to_clean[name]:.4f}")
print(f"noisy input itself: {to_clean['noisy']:.4f}")

# %%
# Noisy inputs (top), the plain model's and the denoising model's outputs.
rows = [("noisy", X_test_noisy[:8])] + [
    (name, m.inverse_transform(m.transform(X_test_noisy[:8])))
    for name, m in (("plain", plain), ("denoising", denoising))
]
fig, axes = plt.subplots(len(rows), 8, figsize=(8, 3.3))
for r, (name, images) in enumerate(rows):
    for i in range(8):
        axes[r, i].imshow(images[i].reshape(data.image_shape), cmap="gray", vmin=0, vmax=1)
        axes[r, i].set_xticks([])
        axes[r, i].set_yticks([])
    axes[r, 0].set_ylabel(f"{name}\nMSE {to_clean[name]:.4f}", fontsize=8)
fig.suptitle("Rows labelled with their MSE to the clean test images")
plt.show()
