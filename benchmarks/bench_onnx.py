"""Encoding latency through ONNX Runtime, beside skae's own transform and PCA's.

Usage::

    python benchmarks/bench_onnx.py [--data-dir ../shared/data/mnist]

Fits the dense model (784-32) and the conv model for 2 epochs on the first
8,000 MNIST t10k images (the weights' values do not change the time), exports
each with ``skl2onnx.to_onnx`` and times one row and 10,000 rows (float32):
the ONNX Runtime session (one intra-op thread per core, the default), skae's
``transform`` and ``PCA(32).transform``.  Medians of repeated calls after a
warm-up call; the codes' largest difference to skae's is printed beside.
"""

import argparse
import functools
import os

import numpy as np
from _common import DEFAULT_DATA_DIR, median_seconds


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", default=DEFAULT_DATA_DIR)
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
    print(f"Keras backend {os.environ.get('KERAS_BACKEND', 'tensorflow')}; milliseconds, "
          "medians of repeated calls\n")
    print("| model | rows | ONNX Runtime | skae transform | PCA transform | ONNX / skae "
          "| largest code difference |")
    print("|---|---|---|---|---|---|---|")
    for name in ("dense", "conv"):
        # batches of 256 for both (the conv kind's own default is 64 since skae 0.2): the
        # fits behind the README's table
        est = AutoencoderTransformer(architecture=name, epochs=2, batch_size=256,
                                     random_state=0).fit(train)
        session = ort.InferenceSession(to_onnx(est, one).SerializeToString(),
                                       providers=["CPUExecutionProvider"])
        feed = session.get_inputs()[0].name
        for label, rows, repeats in (("1", one, 300), ("10,000", big, 5)):
            times = [median_seconds(call, repeats) for call in (
                functools.partial(session.run, None, {feed: rows}),
                functools.partial(est.transform, rows), functools.partial(pca.transform, rows))]
            gap = np.abs(session.run(None, {feed: rows})[0] - est.transform(rows)).max()
            print(f"| {name} | {label} | " + " | ".join(f"{t * 1e3:.3f}" for t in times)
                  + f" | {times[0] / times[1]:.2f}x | {gap:.1e} |")

if __name__ == "__main__":
    main()
