"""What running small fits eagerly buys, and what skae's own eager loop adds to that.

Usage::

    python benchmarks/bench_small_fits.py [--runs 5] [--checks 2]

Fits of at most ``skae._plan.EAGER_MAX_STEPS`` training steps (the estimator
checks, searches on small data) run eagerly, and on TensorFlow through
``skae._feeding._fit_eagerly`` instead of Keras's ``fit``.  This script runs
the same small fits three ways, alternating, each in a fresh process:

* ``skae``: as shipped (eager, skae's eager loop on TensorFlow);
* ``keras-eager``: eager, through Keras's own ``fit(run_eagerly=True)``;
* ``compiled``: no eager fits (every step compiled, as larger fits).

Each process times (a) its first fit (20 rows x 5 features, batch 16, 2
epochs: 4 steps), which includes Keras's start-up, (b) the median of 10 later
fits of new estimators on that table, and (c) the median of 10 fits of a new
shape each (``n_features`` 5 to 14), which no kept step can serve.  With
``--checks N`` it also times ``pytest tests/test_common.py`` (scikit-learn's
estimator checks, several hundred small fits) in the first ``N`` rounds, for
each way.  Medians and ranges over the processes of each way; writes
``benchmarks/results/bench_small_fits-<backend>.json``.
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

from _common import Results

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
WAYS = ("skae", "keras-eager", "compiled")


def apply_way(way):
    """Switch this process's skae to ``way`` (see the module docstring)."""
    from skae import _feeding, _plan

    if way == "keras-eager":
        def run_fit(trainer, plan, feed, **fit_arguments):
            return trainer.fit(shuffle=False, **feed.keras_arguments(), **fit_arguments)

        _feeding.run_fit = run_fit
    elif way == "compiled":
        _plan.EAGER_MAX_STEPS = 0


def child(way):
    import numpy as np

    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    apply_way(way)
    from skae import AutoencoderTransformer

    rng = np.random.default_rng(0)
    X = rng.random((20, 5))

    def fit(data, seed):
        start = time.perf_counter()
        AutoencoderTransformer(n_components=3, architecture="dense", epochs=2, batch_size=16,
                               random_state=seed).fit(data)
        return time.perf_counter() - start

    first = fit(X, 0)
    same = statistics.median(fit(X, seed) for seed in range(1, 11))
    shapes = statistics.median(fit(rng.random((20, d)), d) for d in range(5, 15))
    print(json.dumps({"first": first, "same": same, "shapes": shapes}))


def run_child(way):
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(ROOT), str(HERE)]))
    out = subprocess.run([sys.executable, str(Path(__file__).resolve()), "--child", way],
                         env=env, capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def run_checks(way):
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(ROOT), str(HERE)]),
               SKAE_BENCH_SMALL_FITS=way, TF_CPP_MIN_LOG_LEVEL="3")
    start = time.perf_counter()
    subprocess.run([sys.executable, "-m", "pytest", "-q", "-x", "-p", "_small_fits_plugin",
                    "-p", "no:cacheprovider", str(ROOT / "tests" / "test_common.py")],
                   env=env, cwd=ROOT, check=True, capture_output=True)
    return time.perf_counter() - start


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--checks", type=int, default=0, metavar="N",
                        help="also time the estimator checks in the first N rounds (default 0)")
    parser.add_argument("--child", choices=WAYS, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        child(args.child)
        return
    backend = os.environ.get("KERAS_BACKEND", "tensorflow")
    samples = {way: {"first": [], "same": [], "shapes": [], "checks": []} for way in WAYS}
    for run in range(args.runs):
        for way in WAYS:  # alternate, so that drift of the machine's speed hits every way
            for key, value in run_child(way).items():
                samples[way][key].append(value)
            if run < args.checks:
                samples[way]["checks"].append(run_checks(way))
            print(f"run {run + 1}/{args.runs} {way}: "
                  + ", ".join(f"{k} {v[-1]:.3f}s" for k, v in samples[way].items()
                              if len(v) == run + 1), file=sys.stderr)

    report = Results(f"bench_small_fits-{backend}",
                     "New estimators' whole fits on 20 x 5 rows (batch 16, 2 epochs: 4 steps), "
                     f"{args.runs} fresh processes per way, alternating"
                     + (f"; the estimator checks in {args.checks} of the rounds" if args.checks
                        else "") + "; seconds")
    keys = ["first", "same", "shapes"] + (["checks"] if args.checks else [])
    titles = {"first": "first fit in the process", "same": "later fits, same shape (median)",
              "shapes": "later fits, a new shape each (median)",
              "checks": "estimator checks (pytest tests/test_common.py)"}
    rows = []
    for key in keys:
        values = {way: samples[way][key] for way in WAYS}
        row = [titles[key]]
        for way in WAYS:
            row += [statistics.median(values[way]), [min(values[way]), max(values[way])]]
        rows.append(row)
    columns = ["fit"]
    for way in WAYS:
        columns += [f"{way} median s", f"{way} range s"]
    report.table("fits", "Seconds", columns, rows, ["{}"] + ["{:.3f}", "{:.3f}"] * len(WAYS))
    for key in keys:
        ours = statistics.median(samples["skae"][key])
        report.value(f"{key}_vs_keras_eager", ours / statistics.median(samples["keras-eager"][key]),
                     "{:.2f}x", f"{titles[key]}: skae's eager loop / Keras's fit run eagerly")
        report.value(f"{key}_vs_compiled", ours / statistics.median(samples["compiled"][key]),
                     "{:.2f}x", f"{titles[key]}: skae / every step compiled")
    report.write()


if __name__ == "__main__":
    main()
