"""Compare the autoencoder variants on real MNIST at one training budget.

Usage::

    python benchmarks/mnist_architectures.py [--data-dir ../shared/data/mnist] [--epochs 50]
        [--models pca,dense,deep,sparse,denoising,conv,variational,sequence]

Trains on the first 8,000 images of the MNIST t10k file and tests on the last
2,000, measuring each model with :func:`skae.compare.compare_models` (the
comparison job's own measurement). Prints a Markdown table: test
reconstruction MSE, accuracy of a standardised logistic regression trained
on the codes, fit time (and its ratio to the dense model's; Keras is
started before the first clock), epochs run, and the mean code activation; then, for denoising, the MSE between clean test images and the
reconstructions of their noisy versions (Gaussian noise of 0.5, clipped),
for the denoising model and for the plain one.
"""

import argparse
import os
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np  # noqa: E402
from _common import DEFAULT_DATA_DIR  # noqa: E402
from sklearn.decomposition import PCA  # noqa: E402

from skae import AutoencoderTransformer  # noqa: E402
from skae.architectures import Conv, Dense, Sequence, Variational  # noqa: E402
from skae.compare import Split, compare_models  # noqa: E402
from skae.datasets import load_mnist  # noqa: E402

NOISE = 0.5


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
                        default="pca,residual,dense,deep,sparse,denoising,conv,variational,"
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

    print(f"\nMNIST t10k, 8,000 train / 2,000 test, n_components=32, {args.epochs} epochs, "
          f"seed {args.seed}\n")
    dense_s = next((row[3] for row in rows if row[0] == "dense"), None)
    print("| model | test MSE | LogReg accuracy on codes | fit s | fit vs dense "
          "| mean code activation | epochs |")
    print("|---|---|---|---|---|---|---|")
    for name, mse, acc, fit_s, mean_code, n_iter in rows:
        ratio = f"{fit_s / dense_s:.1f}x" if dense_s else "-"
        print(f"| {name} | {mse:.4f} | {acc:.3f} | {fit_s:.1f} | {ratio} | {mean_code:.2f} "
              f"| {n_iter} |")
    if denoise:
        print(f"\nNoisy test images (Gaussian noise {NOISE}, clipped): MSE to the clean images")
        print(f"of the noisy inputs themselves: {np.mean((X_test - X_noisy) ** 2):.4f}")
        for name, value in denoise.items():
            print(f"- {name}: reconstruction of noisy input vs clean image MSE {value:.4f}")


if __name__ == "__main__":
    main()
