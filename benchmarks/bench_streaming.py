"""Peak memory of training from a file larger than the chunk: streaming vs in memory.

Usage::

    python benchmarks/bench_streaming.py [--rows 240000] [--chunk 10000] [--dir DIR]
        [--data-dir ../shared/data/mnist]

Writes ``rows x 784`` uint8 images to a file (MNIST's images repeated, when
found in ``--data-dir``, else random bytes), then, each
in a fresh process:

* ``stream``: one pass of ``partial_fit`` over ``skae.streaming.iter_chunks`` of
  a :class:`numpy.memmap` of the file, ``chunk`` rows at a time, scaled by 1/255;
* ``in-memory``: the whole file loaded as float32 and one epoch of ``fit``.

It prints each process's peak resident memory above its baseline (after
importing and starting Keras with a throwaway fit on 256 rows), next to the
size of one float32 chunk and of the whole data set in float32, the ratios,
the time of the whole pass of a new estimator (reading the file and compiling
its step included, alike in both modes) and the reconstruction MSE of the
file's first 10,000 rows after it.  Writes ``benchmarks/results/bench_streaming.json``.
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np  # noqa: E402
from _common import DEFAULT_DATA_DIR, Results, peak_mb  # noqa: E402

N_FEATURES = 784


def write_file(path, rows, data_dir):
    from skae.datasets import MNISTNotFoundError, load_mnist

    try:
        images = load_mnist(data_dir, raw=True, return_X_y=True)[0].reshape(-1, N_FEATURES)
        source = f"MNIST's {len(images)} images, repeated"
    except MNISTNotFoundError:  # random bytes serve to measure memory
        images = np.random.default_rng(0).integers(0, 256, (10_000, N_FEATURES), dtype=np.uint8)
        source = "random bytes"
    mm = np.memmap(path, dtype=np.uint8, mode="w+", shape=(rows, N_FEATURES))
    for start in range(0, rows, len(images)):
        stop = min(start + len(images), rows)
        mm[start:stop] = images[: stop - start]
    mm.flush()
    del mm
    return source


def child(mode, path, rows, chunk):
    from skae import AutoencoderTransformer
    from skae.streaming import iter_chunks

    mm = np.memmap(path, dtype=np.uint8, mode="r", shape=(rows, N_FEATURES))
    # Keras and its backend start on a throwaway fit, in both modes alike; then a
    # new estimator's whole job, compiling its step included, is on the clock
    warm = np.asarray(mm[:256], dtype=np.float32) / 255
    AutoencoderTransformer(architecture="dense", epochs=1, random_state=0).fit(warm)
    del warm
    est = AutoencoderTransformer(architecture="dense", epochs=1, random_state=0, verbose=0)
    base = peak_mb()
    start = time.perf_counter()
    if mode == "stream":
        for block in iter_chunks(mm, chunk, scale=1 / 255):
            est.partial_fit(block)
    else:
        X = np.asarray(mm, dtype=np.float32) / np.float32(255)
        est.fit(X)
    seconds = time.perf_counter() - start
    grew = peak_mb() - base
    sample = np.asarray(mm[:10_000], dtype=np.float32) / np.float32(255)
    print(json.dumps({"grew_mb": grew, "seconds": seconds,
                      "mse": float(np.mean((est.inverse_transform(est.transform(sample))
                                            - sample) ** 2))}))


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=240_000)
    parser.add_argument("--chunk", type=int, default=10_000)
    parser.add_argument("--dir", default=None, help="folder for the data file (default: a temp dir)")
    parser.add_argument("--data-dir", default=DEFAULT_DATA_DIR)
    parser.add_argument("--child", nargs=2, metavar=("MODE", "PATH"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        return child(args.child[0], args.child[1], args.rows, args.chunk)

    with tempfile.TemporaryDirectory(dir=args.dir) as tmp:
        path = Path(tmp) / "images.u8"
        source = write_file(path, args.rows, args.data_dir)
        file_mb = path.stat().st_size / 2**20
        chunk_mb = args.chunk * N_FEATURES * 4 / 2**20
        full_mb = args.rows * N_FEATURES * 4 / 2**20
        print(f"file: {args.rows} x {N_FEATURES} uint8 ({source}), {file_mb:.0f} MB; "
              f"one float32 chunk of {args.chunk} rows: {chunk_mb:.1f} MB; "
              f"all rows in float32: {full_mb:.0f} MB")
        results = {}
        for mode in ("stream", "in-memory"):
            out = subprocess.run(
                [sys.executable, __file__, "--rows", str(args.rows), "--chunk", str(args.chunk),
                 "--child", mode, str(path)],
                check=True, capture_output=True, text=True,
            ).stdout
            results[mode] = json.loads(out.strip().splitlines()[-1])
    report = Results("bench_streaming", f"A {args.rows:,} x {N_FEATURES} uint8 file ({source}, "
                     f"{file_mb:.0f} MB); in a fresh process each (Keras started by a throwaway "
                     "fit before the baseline), one pass of a new estimator: partial_fit over "
                     f"chunks of {args.chunk:,} rows of a memmap of the file, or the file "
                     "loaded as float32 and one epoch of fit; peak resident memory above the "
                     "baseline, the whole pass's seconds, the MSE of the first 10,000 rows.")
    report.table("modes", f"Peak memory growth beside one float32 chunk ({chunk_mb:.1f} MB) and "
                 f"all rows in float32 ({full_mb:.0f} MB)",
                 ["mode", "peak memory grew MB", "/ one chunk", "/ all rows", "s",
                  "MSE after"],
                 [[mode, r["grew_mb"], r["grew_mb"] / chunk_mb, r["grew_mb"] / full_mb,
                   r["seconds"], r["mse"]] for mode, r in results.items()],
                 ["{}", "{:.1f}", "{:.2f}", "{:.3f}", "{:.1f}", "{:.4f}"])
    report.value("stream_over_in_memory",
                 results["stream"]["grew_mb"] / results["in-memory"]["grew_mb"], "{:.3f}x",
                 "streaming's peak memory growth / the in-memory fit's")
    report.write()

if __name__ == "__main__":
    main()
