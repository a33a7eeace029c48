"""How close the variational model's codes come to its prior, on real MNIST.

Usage::

    python benchmarks/variational_prior.py [--data-dir ../shared/data/mnist] [--seeds 0,1,2]

Trains ``AutoencoderTransformer(2, architecture="variational")`` (the blog's
model: 256 hidden units, KL weight 1, 50 epochs, batch 256) on the first
8,000 MNIST t10k images for each seed and prints, on the last 2,000: the mean
and standard deviation of each code dimension, the test MSE, and the share
of 500 decoded prior samples that a classifier trained on the raw pixels
(RBF-kernel features and a logistic regression) reads as one digit with
probability above 0.5 (for comparison: real held-out digits and uniform
noise).  Writes ``benchmarks/results/variational_prior.json``.
"""

import argparse
import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np  # noqa: E402
from _common import DEFAULT_DATA_DIR, Results  # noqa: E402
from sklearn.kernel_approximation import Nystroem  # noqa: E402
from sklearn.linear_model import LogisticRegression  # noqa: E402
from sklearn.pipeline import make_pipeline  # noqa: E402

from skae import AutoencoderTransformer  # noqa: E402
from skae.datasets import load_mnist  # noqa: E402


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", default=DEFAULT_DATA_DIR)
    parser.add_argument("--seeds", default="0,1,2")
    args = parser.parse_args(argv)

    X, y = load_mnist(args.data_dir, subset="test", return_X_y=True)
    X_train, y_train, X_test, y_test = X[:8000], y[:8000], X[8000:], y[8000:]
    reader = make_pipeline(Nystroem(gamma=0.02, n_components=1000, random_state=0),
                           LogisticRegression(max_iter=1000)).fit(X_train, y_train)
    noise = np.random.RandomState(0).uniform(size=(500, X.shape[1])).astype(np.float32)
    real = float(np.mean(reader.predict_proba(X_test).max(axis=1) > 0.5))
    noisy = float(np.mean(reader.predict_proba(noise).max(axis=1) > 0.5))
    report = Results("variational_prior", "AutoencoderTransformer(2, architecture='variational') "
                     "(256 hidden units, KL weight 1, 50 epochs of 256) fitted on the first 8,000 "
                     "MNIST t10k images per seed; its codes of the last 2,000 against the N(0, I) "
                     "prior, and the share of 500 decoded prior samples that a pixel classifier "
                     "(Nystroem RBF features and a logistic regression, trained on the same "
                     f"8,000 images; accuracy {reader.score(X_test, y_test):.4f}) reads as one "
                     f"digit with probability above 0.5 (real held-out digits: {real:.3f}, "
                     f"uniform noise: {noisy:.3f}).")
    rows = []
    for seed in (int(s) for s in args.seeds.split(",")):
        vae = AutoencoderTransformer(2, architecture="variational", random_state=seed)
        codes = vae.fit(X_train).transform(X_test)
        mse = float(np.mean((X_test - vae.inverse_transform(codes)) ** 2))
        read = reader.predict_proba(vae.sample(500, random_state=0)).max(axis=1) > 0.5
        mean, std = codes.mean(axis=0), codes.std(axis=0)
        rows.append([seed, ", ".join(f"{v:.3f}" for v in mean),
                     ", ".join(f"{v:.3f}" for v in std), float(np.abs(mean).max()),
                     float(np.abs(std - 1).max()), mse, float(read.mean())])
    report.table("seeds", "Held-out codes and decoded prior samples, per seed",
                 ["seed", "code mean", "code std", "largest abs(mean)", "largest abs(std - 1)",
                  "test MSE", "prior samples read with p > 0.5"], rows,
                 ["{}", "{}", "{}", "{:.3f}", "{:.3f}", "{:.4f}", "{:.3f}"])
    report.value("read_range", [min(r[6] for r in rows), max(r[6] for r in rows)], "{:.0%}",
                 "share of decoded prior samples read as a digit, range over the seeds")
    report.write()

if __name__ == "__main__":
    main()
