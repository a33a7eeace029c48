"""The whole fit as a user waits for it, in fresh processes, against the blog's Keras code.

Usage::

    python benchmarks/bench_whole_fit.py [--pairs 5] [--epochs 50] [--data-dir ../shared/data/mnist]

Each run is a new Python process that imports Keras and skae and loads the
first 8,000 MNIST t10k images before starting the clock, then times one
``fit`` of the blog's 784-32-784 autoencoder (50 epochs, batch 256): skae's
``AutoencoderTransformer(architecture="dense", random_state=0)``, the blog's plain Keras code
(``model.fit(x, x, epochs=50, batch_size=256, shuffle=True)``) or
scikit-learn's ``MLPRegressor(hidden_layer_sizes=(32,), batch_size=256)``
fitting ``X`` to ``X`` for as many epochs, in turn, ``--pairs`` times.  Per run it records the whole ``fit`` (first call,
compilation included), the seconds per epoch after the first, and the
seconds between the last callback (``on_train_end``) and ``fit`` returning
(Keras's for the blog's code, the estimator's for skae: Keras's ``fit``
returning inside it and what skae does after).  Prints each
pair's whole-fit ratio and their median, the median ratio to ``MLPRegressor``
(whose epochs are not timed one by one), and the largest time after the last
callback over all runs; writes ``benchmarks/results/bench_whole_fit-<backend>.json``.
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

from _common import DEFAULT_DATA_DIR, Results, blog_autoencoder, fit_mlp

HERE = Path(__file__).resolve().parent


def child(kind, data_dir, epochs):
    import keras

    from skae.datasets import load_mnist

    X = load_mnist(data_dir, subset="test", return_X_y=True)[0][:8000]

    class Times(keras.callbacks.Callback):
        def on_train_begin(self, logs=None):
            self.epochs = []

        def on_epoch_end(self, epoch, logs=None):
            self.epochs.append(time.perf_counter())

        def on_train_end(self, logs=None):
            self.end = time.perf_counter()

    result = {}
    if kind == "skae":
        from skae import AutoencoderTransformer

        est = AutoencoderTransformer(architecture="dense", epochs=epochs, random_state=0,
                                     callbacks=[Times()])
        start = time.perf_counter()
        est.fit(X)
        stop = time.perf_counter()
        times = est.callbacks_[0]
        result["after_estimator"] = stop - times.end
    elif kind == "mlp":
        print(json.dumps({"whole": fit_mlp(X, epochs)[0]}))
        return
    else:
        autoencoder = blog_autoencoder(X.shape[1], 0)
        times = Times()
        start = time.perf_counter()
        autoencoder.fit(X, X, epochs=epochs, batch_size=256, shuffle=True, verbose=0,
                        callbacks=[times])
        stop = time.perf_counter()
        result["after_keras"] = stop - times.end
    result.update(
        whole=stop - start,
        per_epoch=statistics.median(b - a for a, b in zip(times.epochs, times.epochs[1:])),
    )
    print(json.dumps(result))


def run(kind, data_dir, epochs):
    env = dict(os.environ, PYTHONPATH=str(HERE.parent), TF_CPP_MIN_LOG_LEVEL="3")
    out = subprocess.run(
        [sys.executable, __file__, "--child", kind, "--data-dir", str(data_dir),
         "--epochs", str(epochs)],
        env=env, cwd=HERE.parent, check=True, capture_output=True, text=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pairs", type=int, default=5)
    parser.add_argument("--epochs", type=int, default=50)
    parser.add_argument("--data-dir", default=DEFAULT_DATA_DIR)
    parser.add_argument("--child", choices=["skae", "blog", "mlp"], help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        return child(args.child, args.data_dir, args.epochs)
    data_dir = Path(args.data_dir).resolve()
    runs = {"skae": [], "blog": [], "mlp": []}
    for _ in range(args.pairs):
        for kind in runs:
            runs[kind].append(run(kind, data_dir, args.epochs))
    backend = os.environ.get("KERAS_BACKEND", "tensorflow")
    results = Results(f"bench_whole_fit-{backend}", f"{args.pairs} rounds; in each, three fresh "
                      f"processes fit the blog's 784-32-784 model ({args.epochs} epochs, "
                      "batches of 256, the first 8,000 MNIST t10k images) once each: skae's "
                      "estimator, the blog's plain Keras code and MLPRegressor; Keras, skae and "
                      "the data are loaded before the clock, the first call and its "
                      f"compilation are inside it. Keras backend: {backend}.")
    rounds = list(zip(runs["skae"], runs["blog"], runs["mlp"]))
    results.table("rounds", "Each round's whole fits (s), per-epoch seconds after the first, "
                  "and seconds from the last callback to fit returning",
                  ["round", "skae fit s", "blog code fit s", "skae / blog code",
                   "MLPRegressor fit s", "skae s/epoch", "blog code s/epoch",
                   "skae: after last callback s", "blog code: after last callback s"],
                  [[i, m["whole"], b["whole"], m["whole"] / b["whole"], p["whole"],
                    m["per_epoch"], b["per_epoch"], m["after_estimator"], b["after_keras"]]
                   for i, (m, b, p) in enumerate(rounds, start=1)],
                  ["{}", "{:.2f}", "{:.2f}", "{:.3f}x", "{:.2f}", "{:.4f}", "{:.4f}", "{:.3f}",
                   "{:.3f}"])
    ratios = [m["whole"] / b["whole"] for m, b, _ in rounds]
    per_epoch = [m["per_epoch"] / b["per_epoch"] for m, b, _ in rounds]
    mlp_ratios = [m["whole"] / p["whole"] for m, _, p in rounds]
    results.spread("ratio", ratios, "{:.2f}x", "skae's whole fit / the blog code's")
    results.value("per_epoch_ratio_median", statistics.median(per_epoch), "{:.2f}x",
                  "seconds per epoch after the first, skae / the blog code, median")
    results.value("mlp_ratio_median", statistics.median(mlp_ratios), "{:.2f}x",
                  "skae's whole fit / MLPRegressor's, median")
    results.value("skae_fit_range_s", [min(m["whole"] for m, _, _ in rounds),
                                       max(m["whole"] for m, _, _ in rounds)], "{:.2f}",
                  "skae's whole fit, seconds, range")
    results.value("after_last_callback_max_s", max(m["after_estimator"] for m, _, _ in rounds),
                  "{:.3f}", "longest time from the last callback to skae's fit returning")
    results.write()

if __name__ == "__main__":
    main()
