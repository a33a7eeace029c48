"""Compare the autoencoder variants on real MNIST at one training budget.

Usage::

    python benchmarks/mnist_architectures.py [--data-dir ../shared/data/mnist] [--epochs 50]
        [--models pca,dense,deep,sparse,denoising,conv,variational,sequence]

Trains on the first 8,000 images of the MNIST t10k file and tests on the last
2,000, measuring each model with :func:`skae.compare.compare_models` (the
comparison job's own measurement). Prints Markdown tables and writes
``benchmarks/results/mnist_architectures.json``: test
reconstruction MSE, accuracy of a standardised logistic regression trained
on the codes, fit time (and its ratio to the dense model's; Keras is
started before the first clock), epochs run, and the mean code activation;
then, for denoising, the MSE between clean test images and the
reconstructions of their noisy versions (Gaussian noise of 0.5, clipped),
for the denoising model and for the plain one.
"""

import argparse
import os
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np  # noqa: E402
from _common import DEFAULT_DATA_DIR, Results  # noqa: E402
from sklearn.decomposition import PCA  # noqa: E402

from skae import AutoencoderTransformer  # noqa: E402
from skae.architectures import Conv, Dense, Sequence, Variational  # noqa: E402
from skae.compare import Split, compare_models  # noqa: E402
from skae.datasets import load_mnist  # noqa: E402

NOISE = 0.5
#: Row labels of the results table.
LABELS = {
    "pca": "PCA",
    "residual": "residual (the default: PCA's start, its own budget)",
    "dense": "dense (the blog's)",
    "deep": "deep (128, 64)",
    "deep-linear-code-lr3e-3": "deep (128, 64), linear code, learning rate 3e-3",
    "sparse": "sparse (L1 1e-4)",
    "denoising": "denoising (noise 0.5)",
    "conv": "conv (32, 64), linear code",
    "conv-relu-code": "conv (32, 64), relu code (skae 0.1's)",
    "variational": "variational (dense 256, KL weight 1)",
    "variational-conv": "variational, conv base",
    "sequence": "sequence (28 steps of 28 pixels, LSTM 64)",
}


def models(epochs, seed):
    # one budget for every kind but the default: the blog's batches of 256 (the conv kind's
    # own default budget, batches of 64, is benchmarks/bench_conv.py --budget's)
    common = dict(n_components=32, epochs=epochs, batch_size=256, random_state=seed)
    return {
        "pca": PCA(32, random_state=seed),
        # the default: its own budget (at most 200 epochs, stopped on held-out images)
        "residual": AutoencoderTransformer(32, random_state=seed),
        "dense": AutoencoderTransformer(architecture="dense", **common),
        "deep": AutoencoderTransformer(architecture=Dense(hidden_layer_sizes=(128, 64)), **common),
        "sparse": AutoencoderTransformer(architecture="dense", activity_l1=1e-4, **common),
        "denoising": AutoencoderTransformer(architecture="dense", noise_stddev=NOISE, **common),
        "conv": AutoencoderTransformer(architecture="conv", **common),
        "conv-16-32": AutoencoderTransformer(architecture=Conv(filters=(16, 32)), **common),
        "deep-linear-code": AutoencoderTransformer(
            architecture=Dense(hidden_layer_sizes=(128, 64), code_activation="linear"), **common),
        "deep-linear-code-lr3e-3": AutoencoderTransformer(
            architecture=Dense(hidden_layer_sizes=(128, 64), code_activation="linear"),
            learning_rate=3e-3, **common),
        "dense-lr3e-3": AutoencoderTransformer(architecture="dense", learning_rate=3e-3,
                                               **common),
        "conv-relu-code": AutoencoderTransformer(architecture=Conv(code_activation="relu"),
                                                 **common),
        "variational": AutoencoderTransformer(architecture=Variational(), **common),
        "variational-conv": AutoencoderTransformer(architecture=Variational(base="conv"),
                                                   **common),
        "sequence": AutoencoderTransformer(architecture=Sequence(sequence_shape=(28, 28)),
                                           **common),
    }


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", default=DEFAULT_DATA_DIR)
    parser.add_argument("--epochs", type=int, default=50)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--models",
                        default="pca,residual,dense,deep,deep-linear-code-lr3e-3,sparse,"
                                "denoising,conv,conv-relu-code,variational,variational-conv,"
                                "sequence")
    args = parser.parse_args(argv)

    X, y = load_mnist(args.data_dir, subset="test", return_X_y=True)
    X_train, y_train, X_test, y_test = X[:8000], y[:8000], X[8000:], y[8000:]
    rng = np.random.RandomState(12345)
    X_noisy = np.clip(X_test + NOISE * rng.standard_normal(X_test.shape), 0, 1).astype(np.float32)

    chosen = args.models.split(",")
    available = models(args.epochs, args.seed)
    # Keras and TensorFlow start (and trace a first step) before any clock, so that
    # no model's fit time holds the process's start-up
    AutoencoderTransformer(2, architecture="dense", epochs=1, random_state=0).fit(X_train[:64, :16])
    split = Split(X_train, X_test, y_train, y_test, image_shape=(28, 28))
    measured, fitted = compare_models(
        {name: available[name] for name in chosen}, split,
        log=lambda message: print(message, file=sys.stderr, flush=True))
    rows, denoise = [], {}
    for row in measured:
        name, est = row["method"], fitted[row["method"]]
        rows.append((name, row["test_mse"], row["accuracy"], row["fit_seconds"],
                     float(np.mean(est.transform(X_test))), getattr(est, "n_iter_", "-")))
        if name in ("dense", "denoising"):
            denoised = est.inverse_transform(est.transform(X_noisy))
            denoise[name] = float(np.mean((X_test - denoised) ** 2))

    results = Results("mnist_architectures", f"MNIST t10k, the first 8,000 images to train "
                      f"and the last 2,000 to test; 32-number codes; the blog's kinds "
                      f"{args.epochs} epochs in batches of 256, the default (residual) its own "
                      f"budget; random_state={args.seed}; each model fitted once, Keras "
                      "started before the first clock; the accuracy is a standardised "
                      "logistic regression's on the codes.")
    dense_s = next((row[3] for row in rows if row[0] == "dense"), None)
    results.table("models", "Test reconstruction MSE, accuracy on the codes and fit time",
                  ["model", "test MSE", "LogReg accuracy on codes", "fit s", "fit vs dense",
                   "mean code activation", "epochs"],
                  [[LABELS.get(name, name), mse, acc, fit_s,
                    fit_s / dense_s if dense_s else None, mean_code, n_iter]
                   for name, mse, acc, fit_s, mean_code, n_iter in rows],
                  ["{}", "{:.4f}", "{:.3f}", "{:.1f}", "{:.1f}x", "{:.2f}", "{}"])
    for name, mse, *_ in rows:
        results.value(f"{name}_mse", mse, "{:.4f}", f"test MSE, {name}")
    if denoise:
        results.table("denoising", f"Noisy test images (Gaussian noise {NOISE}, clipped): "
                      "MSE of each reconstruction of the noisy images to the clean images",
                      ["input", "MSE to the clean images"],
                      [["the noisy images themselves", float(np.mean((X_test - X_noisy) ** 2))]]
                      + [[LABELS.get(name, name), value] for name, value in denoise.items()],
                      ["{}", "{:.4f}"])
    results.write()

if __name__ == "__main__":
    main()
