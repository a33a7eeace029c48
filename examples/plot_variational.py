"""
Variational autoencoder: a 2-D code space and digits drawn from the prior
=========================================================================

The Keras blog's last model.  Its encoder outputs the mean and the
log-variance of a Gaussian code; training decodes a sample of it and adds the
KL divergence to the prior ``N(0, I)`` to the reconstruction loss, so the
codes fill the prior's space without gaps and any point of it decodes to a
plausible image.  With a 2-number code we can look at that space directly.
"""

import matplotlib.pyplot as plt
import numpy as np
from scipy.stats import norm

from skae import AutoencoderTransformer
from skae.datasets import load_mnist_or_digits

data = load_mnist_or_digits()  # MNIST from $SKAE_DATA_DIR or Keras's cache, else digits
n_train = 8000 if len(data.data) >= 10000 else int(0.8 * len(data.data))
X_train, X_test = data.data[:n_train], data.data[n_train:]
y_test = data.target[n_train:]

# %%
# The blog's model: 256 hidden units, a 2-number code, KL weight 1, 50
# epochs in batches of 256 (a few seconds on a laptop's CPU for 8,000 MNIST
# images).
vae = AutoencoderTransformer(n_components=2, architecture="variational", epochs=50,
                             random_state=0).fit(X_train)
codes = vae.transform(X_test)  # the posterior means
mse = np.mean((X_test - vae.inverse_transform(codes)) ** 2)
print(f"test MSE {mse:.4f}; final loss terms: reconstruction "
      f"{vae.history_['reconstruction'][-1]:.4f}, KL {vae.history_['kl'][-1]:.4f}")
print("code mean", codes.mean(axis=0).round(3), "code std", codes.std(axis=0).round(3))

# %%
# The test images' codes, coloured by digit: the classes form regions of a
# space shaped like the prior (most codes within two units of the origin).
fig, ax = plt.subplots(figsize=(6.5, 5.5))
points = ax.scatter(codes[:, 0], codes[:, 1], c=y_test, cmap="tab10", s=4)
fig.colorbar(points, ax=ax, ticks=range(10), label="digit")
ax.set_xlabel("code 1")
ax.set_ylabel("code 2")
ax.set_title(f"2-D codes of {len(X_test)} test images (variational, test MSE {mse:.4f})")
plt.show()

# %%
# Decoding a 15 x 15 grid of codes at the prior's quantiles (5% to 95% in
# each dimension) walks smoothly from one digit to the next.
n, (height, width) = 15, data.image_shape
quantiles = norm.ppf(np.linspace(0.05, 0.95, n))
grid = np.array([[x, y] for y in quantiles[::-1] for x in quantiles], dtype=np.float32)
images = vae.inverse_transform(grid).reshape(n, n, height, width)
canvas = images.transpose(0, 2, 1, 3).reshape(n * height, n * width)
fig, ax = plt.subplots(figsize=(7, 7))
ax.imshow(canvas, cmap="gray", vmin=0, vmax=1)
ax.set_xticks([])
ax.set_yticks([])
ax.set_title("Digits decoded from the prior's 5%-95% quantiles")
plt.show()

# %%
# ``sample`` draws codes from the prior and decodes them.
samples = vae.sample(10, random_state=0)
fig, axes = plt.subplots(1, 10, figsize=(8, 1.2))
for ax, image in zip(axes, samples):
    ax.imshow(image.reshape(height, width), cmap="gray", vmin=0, vmax=1)
    ax.set_xticks([])
    ax.set_yticks([])
fig.suptitle("vae.sample(10)")
plt.show()
