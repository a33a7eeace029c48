"""The README's main job, ``skae compare`` with its defaults, as a user runs it.

Usage::

    python benchmarks/main_job.py [--runs 3]

Runs ``skae compare --out DIR`` (scikit-learn's 8x8 digits, PCA, skae's
default and the blog's model at widths 2 to 32) ``--runs`` times, each in a
fresh process, timing the whole command (Python's start and the imports
included); records the last run's table and sentences from its
``comparison.json`` and the range of the wall times; then, once, ``skae
compare --data cardio.mat`` on the ODDS cardio table (``$SKAE_ODDS_DIR`` or
``../shared/data/odds``), as a user runs it on a file of their own.  Writes
``benchmarks/results/main_job.json`` and copies the run's ``sweep.png`` to
``benchmarks/results/main_job-sweep.png`` (the README's figure).
"""

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _common import DEFAULT_ODDS_DIR as ODDS_DIR
from _common import RESULTS_DIR, Results

COLUMNS = [("method", "{}"), ("n_components", "{}"), ("test_mse", "{:.5f}"),
           ("test_r2", "{:.4f}"), ("accuracy", "{:.4f}"), ("fit_seconds", "{:.2f}"),
           ("encode_ms_per_row", "{:.4f}")]


def add_job(report, prefix, title, record):
    """A job's table and sentences, from its ``comparison.json`` ``record``."""
    report.table(f"{prefix}table", f"{title} table", [name for name, _ in COLUMNS],
                 [[row.get(name) for name, _ in COLUMNS] for row in record["results"]],
                 [fmt for _, fmt in COLUMNS])
    report.table(f"{prefix}sentences", f"{title} sentences", ["sentence"],
                 [[s] for s in record["crossover"]])


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args(argv)
    skae = shutil.which("skae")
    command = [skae] if skae else [sys.executable, "-m", "skae"]
    seconds = []
    with tempfile.TemporaryDirectory() as tmp:
        for _ in range(args.runs):
            start = time.perf_counter()
            subprocess.run([*command, "compare", "--out", tmp], check=True,
                           stdout=subprocess.DEVNULL)
            seconds.append(time.perf_counter() - start)
        record = json.loads((Path(tmp) / "comparison.json").read_text())
        # the README's figure, from the same run as the numbers beside it
        RESULTS_DIR.mkdir(exist_ok=True)
        shutil.copyfile(Path(tmp) / "sweep.png", RESULTS_DIR / "main_job-sweep.png")
    report = Results("main_job", f"skae compare with its defaults, {args.runs} times, each a "
                     "fresh process timed from start to exit; the table and sentences of the "
                     "last run (the fits are seeded, so every run gives the same errors).")
    add_job(report, "", "The job's", record)
    cardio = ODDS_DIR / "cardio.mat"
    if cardio.is_file():  # a user's own file: the ODDS cardio table
        with tempfile.TemporaryDirectory() as tmp:
            subprocess.run([*command, "compare", "--data", str(cardio), "--out", tmp],
                           check=True, stdout=subprocess.DEVNULL)
            record = json.loads((Path(tmp) / "comparison.json").read_text())
        add_job(report, "cardio_", "skae compare --data cardio.mat (ODDS): its", record)
    else:
        print(f"{cardio} not found: the run on a file of the user's is left out")
    report.spread("seconds", seconds, "{:.0f}", "the whole command's wall time, seconds")
    report.write()


if __name__ == "__main__":
    main()
