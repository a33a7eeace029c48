"""
Sequence autoencoder: images read row by row, and the sunspot cycle
===================================================================

The Keras blog's sequence-to-sequence model: an LSTM reads a sequence into
a code, the code is repeated at every timestep, and a second LSTM writes the
sequence back.  skae's samples stay flat rows; ``Sequence(sequence_shape=
(timesteps, features))`` says how to read them.  Two data sets, each against
PCA with the same number of components:

* MNIST digits read as 28 timesteps of 28 pixels (the blog's usage);
* the yearly sunspot numbers 1700-2008, the classic series that ships with
  statsmodels (``statsmodels.datasets.sunspots``), cut into windows of 22
  years (two solar cycles of about 11 years).  Sunspot cycles vary in length
  and height, so a window is not a fixed mix of a few shapes, which is where
  a nonlinear code can help.
"""

import os
import time

import matplotlib.pyplot as plt
import numpy as np
from sklearn.decomposition import PCA

from skae import AutoencoderTransformer
from skae.architectures import Sequence
from skae.datasets import load_mnist_or_digits

QUICK = os.environ.get("SKAE_EXAMPLES_QUICK") == "1"


def test_mse(model, X_train, X_test):
    model.fit(X_train)
    return float(np.mean((X_test - model.inverse_transform(model.transform(X_test))) ** 2))


# %%
# Digits read row by row
# ----------------------
data = load_mnist_or_digits()  # MNIST from $SKAE_DATA_DIR or Keras's cache, else digits
n_train = 8000 if len(data.data) >= 10000 else int(0.8 * len(data.data))
if QUICK:
    n_train = min(n_train, 2000)
X_train, X_test = data.data[:n_train], data.data[n_train:n_train + 2000]
rows, cols = data.image_shape
epochs = 5 if QUICK else 50

sequence = AutoencoderTransformer(
    16, architecture=Sequence(sequence_shape=(rows, cols), units=64), epochs=epochs,
    random_state=0)
start = time.perf_counter()
mse_sequence = test_mse(sequence, X_train, X_test)
print(f"sequence ({rows} steps of {cols} pixels, 16 numbers): test MSE {mse_sequence:.4f} "
      f"(fit {time.perf_counter() - start:.0f} s)")
pca = PCA(16, random_state=0)
mse_pca = test_mse(pca, X_train, X_test)
print(f"PCA (16 components): test MSE {mse_pca:.4f}")

fig, axes = plt.subplots(3, 8, figsize=(8, 3.3))
shown = [("original", X_test[:8]),
         (f"PCA\n{mse_pca:.4f}", pca.inverse_transform(pca.transform(X_test[:8]))),
         (f"LSTM\n{mse_sequence:.4f}", sequence.inverse_transform(sequence.transform(X_test[:8])))]
for r, (label, images) in enumerate(shown):
    for i in range(8):
        axes[r, i].imshow(images[i].reshape(rows, cols), cmap="gray", vmin=0, vmax=1)
        axes[r, i].set_xticks([])
        axes[r, i].set_yticks([])
    axes[r, 0].set_ylabel(label, fontsize=8)
fig.suptitle("16-number codes; rows labelled with their test MSE")
plt.show()

# %%
# On images the LSTM loses to PCA (the errors above): it must carry the
# whole image in its state and write it back row by row, and its
# reconstructions are blurred shapes.  The convolutional kind is the one for
# images.

# %%
# The sunspot cycle
# -----------------
# Windows of 22 consecutive years, scaled by the largest training value.
# Training windows end by 1900; the test windows start after it (no year in
# both).  The output is linear and the loss the squared error, since test
# values can exceed the training range.
try:
    import statsmodels.api as sm
except ImportError:  # statsmodels comes with skae's test and docs extras
    sm = None
if sm is None:
    print("statsmodels is not installed: pip install statsmodels to run this part")
else:
    table = sm.datasets.sunspots.load_pandas().data
    years, counts = table["YEAR"].to_numpy(int), table["SUNACTIVITY"].to_numpy(np.float32)
    window = 22
    windows = np.lib.stride_tricks.sliding_window_view(counts, window)
    first_year = years[: len(windows)]
    train = windows[first_year + window - 1 <= 1900]
    test = windows[first_year > 1900]
    scale = train.max()
    train, test = train / scale, test / scale

    results = {}
    for k in (2, 4):
        models = {
            "PCA": PCA(k, random_state=0),
            "LSTM": AutoencoderTransformer(
                k, architecture=Sequence(units=32), output_activation="linear", loss="mse",
                epochs=150 if QUICK else 300, batch_size=32, learning_rate=3e-3,
                random_state=0),
        }
        results[k] = {name: (test_mse(m, train, test), m) for name, m in models.items()}
        print(f"{k} numbers per 22-year window: test MSE "
              + ", ".join(f"{name} {mse:.4f}" for name, (mse, _) in results[k].items()))

    fig, ax = plt.subplots(figsize=(8, 3))
    i = int(np.flatnonzero(first_year[first_year > 1900] == 1960)[0])
    shown_years = np.arange(1960, 1960 + window)
    ax.plot(shown_years, scale * test[i], "k-", label="sunspots")
    for name, (mse, model) in results[2].items():
        ax.plot(shown_years, scale * model.inverse_transform(model.transform(test[i:i + 1]))[0],
                label=f"{name}, 2 numbers per window (test MSE {mse:.4f})")
    ax.set_xlabel("year")
    ax.set_ylabel("sunspot number")
    ax.legend(fontsize=8)
    ax.set_title("A test window (1960-1981) reconstructed from 2 numbers")
    fig.tight_layout()
    plt.show()

# %%
# With 2 numbers per window the LSTM reconstructs the test windows better than
# PCA (the table above): the phase and height of a cycle are two numbers,
# which PCA's two fixed shapes cannot follow.  With 4 numbers PCA wins: its
# components capture more than the LSTM learns from about 180 training
# windows.
