"""Helpers shared by the benchmark scripts (run as ``python benchmarks/<script>.py``).

Every script reports through :class:`Results`: it prints each table as Markdown
and writes all of them, with the command, date, skae's version and commit and
the machine, to ``benchmarks/results/<name>.json``, from which the docs render
the tables (``docs/_ext/benchmark_results.py``) and a test checks the README's
numbers (``tests/test_docs.py``).
"""

import datetime
import json
import os
import platform
import resource
import shlex
import statistics
import subprocess
import sys
from importlib import metadata
from pathlib import Path

#: The project's real data, beside the checkout (each folder's README gives its
#: source); the one place the scripts, the tests and the docs' build find it.
SHARED_DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
#: Where the scripts look for MNIST unless ``--data-dir`` says otherwise.
DEFAULT_DATA_DIR = os.environ.get("SKAE_DATA_DIR", str(SHARED_DATA / "mnist"))
#: ... and for the ODDS and ADBench tables, unless ``--odds-dir`` / ``--adbench-dir`` do.
DEFAULT_ODDS_DIR = Path(os.environ.get("SKAE_ODDS_DIR", SHARED_DATA / "odds"))
DEFAULT_ADBENCH_DIR = Path(os.environ.get("SKAE_ADBENCH_DIR", SHARED_DATA / "adbench"))
#: ... and for the labelled classification tables.
DEFAULT_CLASSIFICATION_DIR = Path(os.environ.get("SKAE_CLASSIFICATION_DIR",
                                                 SHARED_DATA / "classification"))


def peak_mb():
    """This process's peak resident memory so far, in MiB."""
    kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return kb / 1024 if sys.platform != "darwin" else kb / 2**20


def blog_autoencoder(n_features, seed):
    """The Keras blog's simple autoencoder, compiled as the blog compiles it.

    ``784 -> Dense(32, relu) -> Dense(784, sigmoid)``, Adam, binary
    cross-entropy.  The blog code is unseeded; seeding Keras with ``seed`` is
    the benchmarks' choice.
    """
    import keras

    keras.utils.set_random_seed(seed)
    inputs = keras.Input((n_features,))
    encoded = keras.layers.Dense(32, activation="relu")(inputs)
    decoded = keras.layers.Dense(n_features, activation="sigmoid")(encoded)
    autoencoder = keras.Model(inputs, decoded)
    autoencoder.compile(optimizer="adam", loss="binary_crossentropy")
    return autoencoder


def median_seconds(fn, repeats):
    """Median seconds of ``repeats`` calls of ``fn``, after one warm-up call."""
    import statistics
    import time

    fn()
    samples = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)


def fit_mlp(X, epochs):
    """scikit-learn's ``MLPRegressor`` with the blog's shape, fitted to reconstruct ``X``.

    784-32-784 (one hidden layer of 32), Adam, batches of 256, exactly
    ``epochs`` epochs (no early stop), seed 0.  Returns ``(seconds, mlp)``.
    """
    import time
    import warnings

    from sklearn.neural_network import MLPRegressor

    mlp = MLPRegressor(hidden_layer_sizes=(32,), batch_size=256, max_iter=epochs, tol=0.0,
                       n_iter_no_change=epochs + 1, random_state=0)
    start = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # ConvergenceWarning at max_iter
        mlp.fit(X, X)
    return time.perf_counter() - start, mlp


def epoch_ends():
    """A Keras callback whose ``ends`` holds the start of training and each epoch's end."""
    import time

    import keras

    class EpochEnds(keras.callbacks.Callback):
        def on_train_begin(self, logs=None):
            self.ends = [time.perf_counter()]

        def on_epoch_end(self, epoch, logs=None):
            self.ends.append(time.perf_counter())

    return EpochEnds()


def epoch_seconds(ends):
    """Each epoch's seconds, from an :func:`epoch_ends` callback's ``ends``."""
    return [b - a for a, b in zip(ends, ends[1:])]


RESULTS_DIR = Path(__file__).resolve().parent / "results"
#: Environment variables that change what a benchmark runs, shown in its command when set.
COMMAND_ENV = ("KERAS_BACKEND", "SKAE_PLAIN_KERAS", "SKAE_KEPT_STEPS")
#: Libraries whose versions a results file records, where installed.
LIBRARIES = ("skae", "keras", "tensorflow", "jax", "numpy", "scipy", "scikit-learn",
             "onnxruntime", "skl2onnx")


def cell_text(value, fmt):
    """A table cell as printed and rendered: ``fmt.format(value)``, ``-`` for None.

    A list is a range: each end formatted, joined by ``-``.
    """
    if value is None:
        return "-"
    if isinstance(value, list):
        return "-".join(fmt.format(v) for v in value)
    return fmt.format(value)


def cited_text(record, key):
    """A value of a results file as a page cites it (``record`` is the file, read).

    ``key`` names one of its values, or is ``tables:TABLE``: how many tables
    the table ``TABLE`` covers (the distinct entries of its first column), so
    that no page types a count of tables either.  A missing value or table
    raises ``KeyError``.
    """
    if key.startswith("tables:"):
        return str(len({row[0] for row in record["tables"][key[len("tables:"):]]["rows"]}))
    value = record["values"][key]
    return cell_text(value["value"], value["format"])


def machine():
    """The CPU model, the cores this process may use, the OS and the libraries' versions."""
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    versions = {}
    for name in LIBRARIES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            pass
    return {"cpu": cpu, "cores": cores, "os": platform.platform(terse=True),
            "python": platform.python_version(),
            "keras_backend": os.environ.get("KERAS_BACKEND", "tensorflow"),
            "versions": versions}


def git_commit():
    """``(commit, dirty)`` of the checkout the script runs from; ``(None, None)`` outside git.

    ``dirty`` says whether the code that produces the numbers (the package,
    the benchmark scripts, ``pyproject.toml``) differs from the commit, so
    that a results file names the code that produced it.
    """
    root = Path(__file__).resolve().parent.parent
    try:
        commit = subprocess.run(["git", "rev-parse", "HEAD"], cwd=root, capture_output=True,
                                text=True, check=True).stdout.strip()
        status = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no", "--",
                                 "skae", "benchmarks", "pyproject.toml"],
                                cwd=root, capture_output=True, text=True, check=True).stdout
    except (OSError, subprocess.CalledProcessError):
        return None, None
    changed = [line for line in status.splitlines() if "benchmarks/results/" not in line]
    return commit, bool(changed)


#: The checkout's ``(commit, dirty)`` when the script started, which is the code
#: it imported (not the checkout's state when it ends).
STARTED_AT = git_commit()


class Results:
    """One benchmark run's tables and headline values, printed and written to a results file.

    Parameters
    ----------
    name : str
        The results file's stem: ``benchmarks/results/<name>.json``.
    protocol : str
        What was measured and how, in a sentence or two (the docs print it
        beside the tables).
    """

    def __init__(self, name, protocol):
        self.name = name
        self.protocol = " ".join(protocol.split())
        self.tables = {}
        self.values = {}

    def table(self, key, title, columns, rows, formats=None):
        """Add a table and print it as Markdown.

        ``rows`` hold raw values (numbers, strings, None, or ``[low, high]``
        ranges); ``formats`` one format string per column (``"{:.3f}x"``;
        ``"{}"`` where None is given).
        """
        formats = list(formats or ["{}"] * len(columns))
        if len(formats) != len(columns) or any(len(r) != len(columns) for r in rows):
            raise ValueError(f"table {key!r}: every row needs {len(columns)} cells")
        self.tables[key] = {"title": title, "columns": list(columns), "formats": formats,
                            "rows": [list(r) for r in rows]}
        print(f"\n{title}\n")
        print("| " + " | ".join(columns) + " |")
        print("|" + "---|" * len(columns))
        for row in rows:
            print("| " + " | ".join(cell_text(v, f) for v, f in zip(row, formats)) + " |")
        return self

    def value(self, key, value, fmt="{}", about=""):
        """Add a headline value (the README quotes these) and print it."""
        self.values[key] = {"value": value, "format": fmt, "about": about}
        print(f"{key}: {cell_text(value, fmt)}" + (f"  ({about})" if about else ""))
        return self

    def spread(self, key, values, fmt, about):
        """Add ``<key>_median`` and ``<key>_range`` of repeated measurements ``values``."""
        values = list(values)
        self.value(f"{key}_median", statistics.median(values), fmt, f"{about}, median")
        self.value(f"{key}_range", [min(values), max(values)], fmt, f"{about}, range")
        return self

    def write(self):
        """Write ``benchmarks/results/<name>.json`` and return its path."""
        commit, dirty = STARTED_AT
        script = Path(sys.argv[0])
        try:
            script = script.resolve().relative_to(RESULTS_DIR.parent.parent)
        except ValueError:
            pass
        record = {
            "benchmark": self.name,
            "command": shlex.join([*(f"{name}={os.environ[name]}" for name in COMMAND_ENV
                                     if name in os.environ),
                                   "python", str(script), *sys.argv[1:]]),
            "date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
            "commit": commit,
            "dirty": dirty,
            "machine": machine(),
            "protocol": self.protocol,
            "tables": self.tables,
            "values": self.values,
        }
        RESULTS_DIR.mkdir(exist_ok=True)
        path = RESULTS_DIR / f"{self.name}.json"
        path.write_text(json.dumps(record, indent=1, allow_nan=False) + "\n")
        print(f"\nwritten: {path.relative_to(RESULTS_DIR.parent.parent)}")
        return path
