"""Encoding latency through ONNX Runtime, beside skae's own transform and PCA's.

Usage::

    python benchmarks/bench_onnx.py [--data-dir ../shared/data/mnist] [--runs 3]

Fits the dense model (784-32) and the conv model for 2 epochs on the first
8,000 MNIST t10k images (the weights' values do not change the time), exports
each with ``skl2onnx.to_onnx`` and times one row and 10,000 rows (float32):
the ONNX Runtime session (one intra-op thread per core, the default), skae's
``transform`` and ``PCA(32).transform``.  Medians of repeated calls after a
warm-up call, ``--runs`` times (each a new fit); the codes' largest
difference to skae's beside.  Writes ``benchmarks/results/bench_onnx.json``.
"""

import argparse
import functools
import os

import numpy as np
from _common import DEFAULT_DATA_DIR, Results, median_seconds


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", default=DEFAULT_DATA_DIR)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args(argv)

    import onnxruntime as ort
    from skl2onnx import to_onnx
    from sklearn.decomposition import PCA

    from skae import AutoencoderTransformer
    from skae.datasets import load_mnist

    X = load_mnist(args.data_dir, subset="test", return_X_y=True)[0]
    train, big = X[:8000], np.concatenate([X, X])[:10000]
    one = X[:1]
    pca = PCA(32, random_state=0).fit(train)
    backend = os.environ.get("KERAS_BACKEND", "tensorflow")
    report = Results("bench_onnx", "The dense (784-32) and conv kinds fitted 2 epochs in batches of "
                     "256 on the first 8,000 MNIST t10k images, exported with skl2onnx.to_onnx; "
                     "one row and 10,000 rows (float32) through ONNX Runtime (CPU, its default "
                     "threads), skae's transform and PCA(32).transform; each run's medians of "
                     f"repeated calls after a warm-up, the range over {args.runs} runs. Keras "
                     f"backend: {backend}.")
    times = {}  # (model, rows) -> [[onnx, skae, pca] per run]
    gaps = {}
    for _ in range(args.runs):
        for name in ("dense", "conv"):
            est = AutoencoderTransformer(architecture=name, epochs=2, batch_size=256,
                                         random_state=0).fit(train)
            session = ort.InferenceSession(to_onnx(est, one).SerializeToString(),
                                           providers=["CPUExecutionProvider"])
            feed = session.get_inputs()[0].name
            for label, rows, repeats in (("1", one, 300), ("10,000", big, 5)):
                times.setdefault((name, label), []).append([1e3 * median_seconds(call, repeats)
                                                            for call in (
                    functools.partial(session.run, None, {feed: rows}),
                    functools.partial(est.transform, rows),
                    functools.partial(pca.transform, rows))])
                gap = float(np.abs(session.run(None, {feed: rows})[0]
                                   - est.transform(rows)).max())
                gaps[name, label] = max(gap, gaps.get((name, label), 0.0))

    def span(runs, i):
        values = [run[i] for run in runs]
        return [min(values), max(values)]

    report.table("latency", "Milliseconds (range over the runs)",
                 ["model", "rows", "ONNX Runtime", "skae transform", "PCA(32).transform",
                  "largest code difference"],
                 [[name, label, span(runs, 0), span(runs, 1), span(runs, 2), gaps[name, label]]
                  for (name, label), runs in times.items()],
                 ["{}", "{}", "{:.3f}", "{:.3f}", "{:.3f}", "{:.1e}"])
    report.value("dense_one_row_onnx_ms", span(times["dense", "1"], 0), "{:.3f}",
                 "one dense row through ONNX Runtime, ms")
    report.write()


if __name__ == "__main__":
    main()
