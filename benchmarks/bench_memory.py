"""Peak memory of transforming a large input, against the size of the result.

Usage::

    python benchmarks/bench_memory.py [--rows 200000] [--features 784]

Fits a small autoencoder, then, in this process, transforms and
inverse-transforms a ``rows x features`` float32 array and reports how much the
process's peak resident memory grew during each call, next to the size of the
input, the output and one inference batch. A transform that made full-size
temporary copies would grow by at least the input's size.  Writes
``benchmarks/results/bench_memory.json``.
"""

import argparse
import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np  # noqa: E402
from _common import Results, peak_mb  # noqa: E402

from skae import AutoencoderTransformer  # noqa: E402
from skae._inference import batch_predictor  # noqa: E402


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=200_000)
    parser.add_argument("--features", type=int, default=784)
    parser.add_argument("--components", type=int, default=32)
    args = parser.parse_args(argv)

    rng = np.random.default_rng(0)
    est = AutoencoderTransformer(args.components, architecture="dense", epochs=1, random_state=0)
    est.fit(rng.random((2000, args.features), dtype=np.float32))
    est.transform(rng.random((10, args.features), dtype=np.float32))  # compile inference
    est.inverse_transform(np.zeros((10, args.components), np.float32))

    X = rng.random((args.rows, args.features), dtype=np.float32)
    mb = lambda a: a.nbytes / 2**20  # noqa: E731
    # NumPy blocks (dense on a CPU) or Keras batches
    block_rows = batch_predictor(est.encoder_)[1]
    batch_mb = block_rows * args.features * 4 / 2**20
    before = peak_mb()
    Z = est.transform(X)
    after_transform = peak_mb()
    R = est.inverse_transform(Z)
    after_inverse = peak_mb()
    report = Results("bench_memory", f"A dense autoencoder ({args.features}-{args.components}) "
                     f"fitted 1 epoch, then, in the same process, transform of a {args.rows:,} "
                     f"x {args.features} float32 array and inverse_transform of its codes; "
                     "the growth of the process's peak resident memory during each call "
                     "beside the size of its input and output.")
    report.table("peak", f"Peak memory growth (MB); one inference block is {block_rows} rows, "
                 f"{batch_mb:.2f} MB",
                 ["call", "input MB", "output MB", "peak memory grew MB"],
                 [["transform", mb(X), mb(Z), after_transform - before],
                  ["inverse_transform", mb(Z), mb(R), after_inverse - after_transform]],
                 ["{}", "{:.1f}", "{:.1f}", "{:.1f}"])
    report.value("transform_growth_over_output", (after_transform - before) / mb(Z), "{:.2f}x",
                 "transform's peak memory growth / its output's size")
    report.write()

if __name__ == "__main__":
    main()
