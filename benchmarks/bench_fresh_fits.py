"""Whole fits as a user waits for them: each in a fresh process, optionally against another checkout.

Usage::

    python benchmarks/bench_fresh_fits.py [--runs 5] [--data-dir ../shared/data/mnist]
        [--other PATH]

Each run starts a new Python process that imports skae and Keras, warms Keras
up on a fit of another shape, then times (a) the whole ``fit`` of the blog's
784-32-784 autoencoder on the first 8,000 MNIST t10k images for 10 epochs,
split into the time before Keras's first callback, inside training, and after
its last callback until ``fit`` returns; (b) the median of 10 tiny fits
(20 x 5, batch 16) with 4 training steps (eager) and (c) with 20 steps
(compiled).  With ``--other PATH`` (a checkout of another skae version, e.g.
``git worktree add ../skae-old <commit>``) the runs alternate between this
checkout and that one, and both are reported.  Writes
``benchmarks/results/bench_fresh_fits.json``.
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

from _common import DEFAULT_DATA_DIR, Results

HERE = Path(__file__).resolve().parent


def child(data_dir):
    import numpy as np

    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    import keras

    from skae import AutoencoderTransformer
    from skae.datasets import load_mnist

    X = load_mnist(data_dir, subset="test", return_X_y=True)[0][:8000]

    class Times(keras.callbacks.Callback):
        def on_train_begin(self, logs=None):
            self.begin = time.perf_counter()

        def on_train_end(self, logs=None):
            self.end = time.perf_counter()

    # warm Keras up
    AutoencoderTransformer(4, architecture="dense", epochs=1, random_state=0).fit(X[:50, :20])
    start = time.perf_counter()
    est = AutoencoderTransformer(32, architecture="dense", epochs=10, random_state=0,
                                 callbacks=[Times()]).fit(X)
    stop = time.perf_counter()
    times = est.callbacks_[0]
    tiny = np.random.default_rng(0).random((20, 5))
    result = {"whole": stop - start, "before": times.begin - start,
              "training": times.end - times.begin, "after": stop - times.end}
    for epochs, name in ((2, "tiny_eager"), (10, "tiny_compiled")):
        samples = []
        for seed in range(10):
            t0 = time.perf_counter()
            AutoencoderTransformer(3, architecture="dense", epochs=epochs, batch_size=16,
                                   random_state=seed).fit(tiny)
            samples.append(time.perf_counter() - t0)
        result[name] = statistics.median(samples)
    print(json.dumps(result))


def run(root, data_dir):
    env = dict(os.environ, PYTHONPATH=str(root), TF_CPP_MIN_LOG_LEVEL="3")
    out = subprocess.run([sys.executable, __file__, "--child", "--data-dir", str(data_dir)],
                         env=env, cwd=root, check=True, capture_output=True, text=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--data-dir", default=DEFAULT_DATA_DIR)
    parser.add_argument("--other", type=Path, default=None)
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        return child(args.data_dir)
    data_dir = Path(args.data_dir).resolve()
    roots = {"this checkout": HERE.parent}
    if args.other is not None:
        roots["other"] = args.other.resolve()
    results = {name: [] for name in roots}
    for _ in range(args.runs):
        for name, root in roots.items():
            results[name].append(run(root, data_dir))
    keys = ["whole", "before", "training", "after", "tiny_eager", "tiny_compiled"]
    report = Results("bench_fresh_fits", f"{args.runs} fresh processes per checkout, alternating: the "
                     "whole fit of the blog's 784-32-784 model for 10 epochs on the first 8,000 "
                     "MNIST t10k images (split into before Keras's first callback, training, "
                     "and after its last callback), and the median of 10 tiny fits (20 x 5, "
                     "batch 16) of 4 steps (eager) and of 20 steps (compiled); seconds, "
                     "median and range.")
    rows = []
    for name, runs in results.items():
        for key in keys:
            values = [r[key] for r in runs]
            rows.append([name, key, statistics.median(values), [min(values), max(values)]])
    report.table("fits", "Seconds", ["checkout", "part", "median s", "range s"], rows,
                 ["{}", "{}", "{:.3f}", "{:.3f}"])
    report.write()

if __name__ == "__main__":
    main()
