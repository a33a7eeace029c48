"""Peak memory of transforming a large input, against the size of the result.

Usage::

    python benchmarks/bench_memory.py [--rows 200000] [--features 784]

Fits a small autoencoder, then, in this process, transforms and
inverse-transforms a ``rows x features`` float32 array and reports how much the
process's peak resident memory grew during each call, next to the size of the
input, the output and one inference batch. A transform that made full-size
temporary copies would grow by at least the input's size.
"""

import argparse
import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np  # noqa: E402
from _common import peak_mb  # noqa: E402

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
    # NumPy blocks (dense on a CPU) or Keras batches; _parts(), since reading est.encoder_
    # would hand the network out (skae would then read its weights at every call)
    block_rows = batch_predictor(est._parts()[0])[1]
    batch_mb = block_rows * args.features * 4 / 2**20
    before = peak_mb()
    Z = est.transform(X)
    after_transform = peak_mb()
    R = est.inverse_transform(Z)
    after_inverse = peak_mb()
    print(f"input {X.shape} float32: {mb(X):.1f} MB; one inference block ({block_rows} rows): {batch_mb:.2f} MB")
    print(f"transform: output {mb(Z):.1f} MB, peak memory grew by {after_transform - before:.1f} MB")
    print(f"inverse_transform: output {mb(R):.1f} MB, peak memory grew by "
          f"{after_inverse - after_transform:.1f} MB")


if __name__ == "__main__":
    main()
