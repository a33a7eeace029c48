"""
The Keras blog's simple autoencoder, step by step
=================================================

Fit the 784 -> 32 -> 784 autoencoder of "Building Autoencoders in Keras",
encode one image into 32 numbers, print them, and decode them back into a
(blurry but clear) digit.
"""

import os

import matplotlib.pyplot as plt
import numpy as np

from skae import AutoencoderTransformer
from skae.datasets import load_mnist_or_digits

QUICK = os.environ.get("SKAE_EXAMPLES_QUICK") == "1"

# %%
# Data: MNIST if a local copy is found, the 8x8 digits otherwise. With the
# MNIST test split the first 8,000 images train and the last 2,000 test.
data = load_mnist_or_digits()  # MNIST from $SKAE_DATA_DIR or Keras's cache, else digits
X, y = data.data, data.target
n_train = int(0.8 * len(X))
X_train, X_test = X[:n_train], X[n_train:]
print(f"{data.name}: {X_train.shape[0]} training images of {data.image_shape} pixels")

# %%
# Fit the blog's model: ``architecture="dense"`` of
# :class:`~skae.AutoencoderTransformer` (Dense(32, relu) code, sigmoid output,
# Adam, binary cross-entropy, 50 epochs, batches of 256).
# (The test suite's quick form trains 10 epochs in batches of 32 instead.)
epochs, batch_size = (10, 32) if QUICK else (50, 256)
autoencoder = AutoencoderTransformer(n_components=32, architecture="dense", epochs=epochs,
                                     batch_size=batch_size, random_state=0)
autoencoder.fit(X_train)
print(f"final training loss: {autoencoder.loss_curve_[-1]:.4f}")

# %%
# Encode the first image into 32 float32 numbers.
code = autoencoder.transform(X[:1])
print("label:", y[0])
print("code:", np.array2string(code[0], precision=2, max_line_width=80))

# %%
# Decode the code back into an image.
decoded = autoencoder.inverse_transform(code)
fig, axes = plt.subplots(1, 2, figsize=(4, 2.2))
for ax, image, title in zip(axes, (X[0], decoded[0]), ("original", "decoded")):
    ax.imshow(image.reshape(data.image_shape), cmap="gray")
    ax.set_title(title)
    ax.axis("off")

# %%
# Ten test images (top) and their reconstructions (bottom), as in the blog.
reconstructions = autoencoder.inverse_transform(autoencoder.transform(X_test[:10]))
fig, axes = plt.subplots(2, 10, figsize=(10, 2.2))
for i in range(10):
    axes[0, i].imshow(X_test[i].reshape(data.image_shape), cmap="gray")
    axes[1, i].imshow(reconstructions[i].reshape(data.image_shape), cmap="gray")
    axes[0, i].axis("off")
    axes[1, i].axis("off")
print(f"test reconstruction MSE: {-autoencoder.score(X_test):.4f}")
plt.show()
