"""The conv kind's training speed: per epoch against Keras's ``fit``, and its whole default fit.

Usage::

    python benchmarks/bench_conv.py [--runs 3] [--epochs 5] [--data-dir ../shared/data/mnist]
    python benchmarks/bench_conv.py --budget [--runs 3] [--data-dir ../shared/data/mnist]

Each run is a fresh process that loads the MNIST t10k images.  Without
``--budget``: it fits ``AutoencoderTransformer(architecture="conv",
epochs=E, batch_size=256, random_state=0)`` on the first 8,000, then clones
the fitted ``model_`` (``keras.models.clone_model``, the same network with new
weights), compiles it as the blog compiles its models (Adam, binary
cross-entropy) and runs Keras's default ``fit(X, X, epochs=E,
batch_size=256)``.  Per run it prints the median time of the epochs after the
first for both and their ratio, then the median and range of the ratios.

With ``--budget``: what a user waits for and gets with the defaults.  Each
run fits, in turn, in fresh processes (imports and data loaded before the
clock), ``AutoencoderTransformer(architecture="dense", random_state=0)`` (the
blog's model and budget) and ``AutoencoderTransformer(architecture="conv",
random_state=0)`` (its default budget) on the first 8,000 images, and prints
each whole ``fit``'s seconds and test MSE on the last 2,000, with the
conv/dense ratios of both; then their medians and ranges, and once the conv
kind at the blog's budget (``epochs=50, batch_size=256``), its budget before
skae 0.2.  Writes ``benchmarks/results/bench_conv-epochs.json`` or, with
``--budget``, ``bench_conv-budget.json``.
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
from pathlib import Path

from _common import DEFAULT_DATA_DIR, Results, epoch_ends, epoch_seconds

HERE = Path(__file__).resolve().parent


def budget_child(data_dir, kind):
    import time

    from skae import AutoencoderTransformer
    from skae.datasets import load_mnist

    X = load_mnist(data_dir, subset="test", return_X_y=True)[0]
    X_train, X_test = X[:8000], X[8000:]
    settings = {"dense": dict(architecture="dense"), "conv": dict(architecture="conv"),
                "conv-blog-budget": dict(architecture="conv", epochs=50, batch_size=256)}[kind]
    est = AutoencoderTransformer(random_state=0, **settings)
    start = time.perf_counter()
    est.fit(X_train)
    seconds = time.perf_counter() - start
    print(json.dumps({"seconds": seconds, "mse": float(-est.score(X_test)),
                      "epochs": est.n_iter_, "batch_size": est._budget(8000)["batch_size"]}))


def run_child(args, *extra):
    env = dict(os.environ, PYTHONPATH=str(HERE.parent), TF_CPP_MIN_LOG_LEVEL="3")
    out = subprocess.run(
        [sys.executable, __file__, "--child", "--data-dir", str(Path(args.data_dir).resolve()),
         *extra], env=env, cwd=HERE.parent, check=True, capture_output=True, text=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def budget(args):
    report = Results("bench_conv-budget", f"{args.runs} rounds of fresh processes (imports and data "
                     "loaded before the clock): the whole default fit of the dense kind (the "
                     "blog's model and budget) and of the conv kind on the first 8,000 MNIST "
                     "t10k images, test MSE on the last 2,000; then once the conv kind at the "
                     "blog's budget (50 epochs of 256, its default before 0.2). Keras backend: "
                     f"{os.environ.get('KERAS_BACKEND', 'tensorflow')}.")
    rows, times, errors = [], [], []
    for run in range(1, args.runs + 1):
        dense = run_child(args, "--kind", "dense")
        conv = run_child(args, "--kind", "conv")
        times.append(conv["seconds"] / dense["seconds"])
        errors.append(conv["mse"] / dense["mse"])
        rows.append([run, dense["seconds"], dense["mse"], conv["seconds"], conv["mse"],
                     times[-1], errors[-1]])
    report.table("rounds", f"Whole default fits; the conv default is {conv['epochs']} epochs "
                 f"of {conv['batch_size']} images",
                 ["round", "dense s", "dense test MSE", "conv s", "conv test MSE",
                  "conv / dense time", "conv / dense MSE"], rows,
                 ["{}", "{:.2f}", "{:.5f}", "{:.2f}", "{:.5f}", "{:.2f}x", "{:.3f}x"])
    blog = run_child(args, "--kind", "conv-blog-budget")
    report.table("blog_budget", "The conv kind at the blog's budget, one fit",
                 ["fit", "s", "test MSE", "time / the dense kind's (median)"],
                 [["conv, 50 epochs of 256", blog["seconds"], blog["mse"],
                   blog["seconds"] / statistics.median(r[1] for r in rows)]],
                 ["{}", "{:.2f}", "{:.5f}", "{:.1f}x"])
    report.spread("time_ratio", times, "{:.2f}x", "conv default / dense whole fit")
    report.value("mse_ratio_median", statistics.median(errors), "{:.3f}x",
                 "conv default / dense test MSE, median")
    report.write()


def child(data_dir, epochs):
    import keras

    from skae import AutoencoderTransformer
    from skae.datasets import load_mnist

    X = load_mnist(data_dir, subset="test", return_X_y=True)[0][:8000]

    def steady(ends):
        return statistics.median(epoch_seconds(ends)[1:])

    est = AutoencoderTransformer(architecture="conv", epochs=epochs, batch_size=256,
                                 random_state=0, callbacks=[epoch_ends()]).fit(X)
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
    parser.add_argument("--budget", action="store_true",
                        help="whole default fits of the conv and dense kinds, with test errors")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--kind", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        return budget_child(args.data_dir, args.kind) if args.kind else child(args.data_dir,
                                                                               args.epochs)
    if args.budget:
        return budget(args)
    backend = os.environ.get("KERAS_BACKEND", "tensorflow")
    report = Results("bench_conv-epochs", f"{args.runs} fresh processes, each fitting the conv kind "
                     f"{args.epochs} epochs in batches of 256 on the first 8,000 MNIST t10k "
                     "images, then Keras's default fit of a clone of the fitted network "
                     "(compiled with Adam and binary cross-entropy) for as many epochs; median "
                     f"seconds per epoch after the first. Keras backend: {backend}.")
    rows = []
    for run in range(1, args.runs + 1):
        result = run_child(args, "--epochs", str(args.epochs))
        rows.append([run, result["skae"], result["keras"], result["skae"] / result["keras"]])
    report.table("rounds", "Seconds per epoch", ["run", "skae s/epoch",
                                                 "Keras default fit s/epoch", "ratio"], rows,
                 ["{}", "{:.3f}", "{:.3f}", "{:.3f}x"])
    ratios = [r[3] for r in rows]
    report.spread("ratio", ratios, "{:.2f}x",
                  "skae's seconds per conv epoch / Keras's default fit's")
    report.write()

if __name__ == "__main__":
    main()
