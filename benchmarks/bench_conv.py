"""The conv kind's training speed against Keras's default ``fit`` of the same network.

Usage::

    python benchmarks/bench_conv.py [--runs 3] [--epochs 5] [--data-dir ../shared/data/mnist]

Each run is a fresh process that loads the first 8,000 MNIST t10k images,
fits ``AutoencoderTransformer(architecture="conv", epochs=E, random_state=0)``
(batch 256), then clones the fitted ``model_`` (``keras.models.clone_model``,
the same network with new weights), compiles it as the blog compiles its
models (Adam, binary cross-entropy) and runs Keras's default
``fit(X, X, epochs=E, batch_size=256)``.  Per run it prints the median time
of the epochs after the first for both and their ratio, then the median and
range of the ratios.
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
from pathlib import Path

from _common import DEFAULT_DATA_DIR, epoch_ends, epoch_seconds

HERE = Path(__file__).resolve().parent


def child(data_dir, epochs):
    import keras

    from skae import AutoencoderTransformer
    from skae.datasets import load_mnist

    X = load_mnist(data_dir, subset="test", return_X_y=True)[0][:8000]

    def steady(ends):
        return statistics.median(epoch_seconds(ends)[1:])

    est = AutoencoderTransformer(architecture="conv", epochs=epochs, random_state=0,
                                 callbacks=[epoch_ends()]).fit(X)
    clone = keras.models.clone_model(est.model_)
    clone.compile(optimizer="adam", loss="binary_crossentropy")
    ends = epoch_ends()
    clone.fit(X, X, epochs=epochs, batch_size=256, verbose=0, callbacks=[ends])
    print(json.dumps({"skae": steady(est.callbacks_[0].ends), "keras": steady(ends.ends)}))


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--epochs", type=int, default=5)
    parser.add_argument("--data-dir", default=DEFAULT_DATA_DIR)
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        return child(args.data_dir, args.epochs)
    env = dict(os.environ, PYTHONPATH=str(HERE.parent), TF_CPP_MIN_LOG_LEVEL="3")
    print(f"Keras backend {os.environ.get('KERAS_BACKEND', 'tensorflow')}; conv kind, "
          f"{args.epochs} epochs on 8,000 MNIST images, batch 256\n")
    print("| run | skae s/epoch | Keras default fit s/epoch | ratio |")
    print("|---|---|---|---|")
    ratios = []
    for run in range(1, args.runs + 1):
        out = subprocess.run(
            [sys.executable, __file__, "--child", "--data-dir",
             str(Path(args.data_dir).resolve()), "--epochs", str(args.epochs)],
            env=env, cwd=HERE.parent, check=True, capture_output=True, text=True).stdout
        result = json.loads(out.strip().splitlines()[-1])
        ratios.append(result["skae"] / result["keras"])
        print(f"| {run} | {result['skae']:.3f} | {result['keras']:.3f} | {ratios[-1]:.3f} |")
    print(f"\nratio: median {statistics.median(ratios):.3f} "
          f"(range {min(ratios):.3f}-{max(ratios):.3f})")


if __name__ == "__main__":
    main()
