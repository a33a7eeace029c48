"""Many fits in one process: a grid search, with and without reusing compiled training steps.

Usage::

    python benchmarks/bench_search.py [--epochs 10] [--data-dir ../shared/data/mnist]

Runs ``GridSearchCV(AutoencoderTransformer(architecture="dense"), {"n_components": [16, 32],
"learning_rate": [1e-3, 3e-3]}, cv=5)`` (4 candidates x 5 folds, then the
refit) on the first 8,000 MNIST t10k images, once in a fresh process as skae
runs it and once in a fresh process where no trainer is kept between fits
(every new network compiles its step again, as before steps were reused).
Both processes import Keras and load the data before the clock.  For each fit
it records the wall time of ``fit`` and the time outside the training steps:
the fit's time minus its epochs times the median time of its epochs after
the first (so compiling and everything around Keras's ``fit`` counts as
outside).  Prints, for each way: the whole search's time, and the time
outside the steps for the first fit of each network shape and training-set
size (which compiles) and for the later fits (median and largest); writes
``benchmarks/results/bench_search-<backend>.json``.
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

from _common import DEFAULT_DATA_DIR, Results, epoch_ends, epoch_seconds

HERE = Path(__file__).resolve().parent


def child(reuse, data_dir, epochs):
    from sklearn.model_selection import GridSearchCV

    from skae import AutoencoderTransformer
    from skae.datasets import load_mnist

    X = load_mnist(data_dir, subset="test", return_X_y=True)[0][:8000]
    records = []

    class Timed(AutoencoderTransformer):
        def fit(self, X, y=None):
            start = time.perf_counter()
            super().fit(X)
            wall = time.perf_counter() - start
            epochs = epoch_seconds(self.callbacks_[0].ends)
            steady = statistics.median(epochs[1:])
            records.append({"shape": [self.n_components, X.shape[0]], "wall": wall,
                            "outside": wall - steady * len(epochs)})
            return self

    search = GridSearchCV(
        Timed(architecture="dense", epochs=epochs, random_state=0, callbacks=[epoch_ends()]),
        {"n_components": [16, 32], "learning_rate": [1e-3, 3e-3]}, cv=5)
    start = time.perf_counter()
    search.fit(X)
    total = time.perf_counter() - start
    print(json.dumps({"total": total, "fits": records, "best": search.best_params_}))


def run(reuse, data_dir, epochs):
    env = dict(os.environ, PYTHONPATH=str(HERE.parent), TF_CPP_MIN_LOG_LEVEL="3",
               SKAE_KEPT_STEPS="2" if reuse else "0")  # 0: every fit compiles its own step
    out = subprocess.run(
        [sys.executable, __file__, "--child", "reuse" if reuse else "no-reuse",
         "--data-dir", str(data_dir), "--epochs", str(epochs)],
        env=env, cwd=HERE.parent, check=True, capture_output=True, text=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=10)
    parser.add_argument("--data-dir", default=DEFAULT_DATA_DIR)
    parser.add_argument("--child", choices=["reuse", "no-reuse"], help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        return child(args.child == "reuse", args.data_dir, args.epochs)
    data_dir = Path(args.data_dir).resolve()
    results = {label: run(label == "steps reused", data_dir, args.epochs)
               for label in ("no step reused", "steps reused")}
    backend = os.environ.get("KERAS_BACKEND", "tensorflow")
    report = Results(f"bench_search-{backend}", "GridSearchCV of AutoencoderTransformer("
                     "architecture='dense') over n_components [16, 32] and learning_rate "
                     f"[1e-3, 3e-3], 5 folds and the refit, {args.epochs} epochs on the first "
                     "8,000 MNIST t10k images; one fresh process each way (SKAE_KEPT_STEPS=0: "
                     "no compiled step kept between fits); a fit's time outside its steps is "
                     "its time minus its epochs times its median epoch after the first. "
                     f"Keras backend: {backend}.")
    rows = []
    for label, result in results.items():
        seen, first, later = set(), [], []
        for fit in result["fits"]:
            key = tuple(fit["shape"])
            (later if key in seen else first).append(fit["outside"])
            seen.add(key)
        rows.append([label, result["total"], ", ".join(f"{t:.2f}" for t in first),
                     statistics.median(later), max(later), len(result["fits"]),
                     str(result["best"])])
    report.table("search", "Search seconds, and seconds outside the training steps",
                 ["", "search s", "first fit of each shape: outside steps s",
                  "later fits: outside steps s, median", "later fits: largest", "fits",
                  "best parameters"], rows,
                 ["{}", "{:.1f}", "{}", "{:.3f}", "{:.3f}", "{}", "{}"])
    report.value("speedup", results["no step reused"]["total"] / results["steps reused"]["total"],
                 "{:.1f}x", "the search without reused steps / with them")
    report.write()

if __name__ == "__main__":
    main()
