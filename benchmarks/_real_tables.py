"""The real tables the benchmarks run on: scikit-learn's bundled tables, ODDS and ADBench.

:func:`table_names` lists what is present (the bundled tables always; the
ODDS and ADBench sets where their folders are), :func:`load` reads one as
``(X, y)`` float64 features and 0/1 labels (``y`` is None for a bundled
table, whose targets are classes, not outliers; a classification table's,
listed by :func:`classification_names`, are its classes).  Tables with more than
``max_rows`` rows are sampled (a fixed random subset, stratified on ``y``
where there is one); the scripts say so in their protocol.
"""

from pathlib import Path

import numpy as np
from _common import DEFAULT_ADBENCH_DIR, DEFAULT_CLASSIFICATION_DIR, DEFAULT_ODDS_DIR

#: scikit-learn's bundled tables (no download).
SKLEARN_TABLES = ("iris", "wine", "breast_cancer", "diabetes", "digits")


def odds_names(odds_dir):
    return sorted(p.stem for p in Path(odds_dir).glob("*.mat"))


def adbench_names(adbench_dir):
    """ADBench's files, named without their number (``4_breastw.npz`` is ``breastw``)."""
    return sorted(p.stem.split("_", 1)[1] for p in Path(adbench_dir).glob("*_*.npz"))


def classification_names(classification_dir=DEFAULT_CLASSIFICATION_DIR):
    """The labelled classification tables (``source="classification"`` for :func:`load`)."""
    return sorted(p.stem for p in Path(classification_dir).glob("*.npz"))


def table_names(odds_dir=DEFAULT_ODDS_DIR, adbench_dir=DEFAULT_ADBENCH_DIR, *, sklearn=True):
    """``(source, name)`` of every table present, bundled first, then ODDS, then ADBench."""
    names = [("sklearn", n) for n in SKLEARN_TABLES] if sklearn else []
    names += [("odds", n) for n in odds_names(odds_dir)]
    names += [("adbench", n) for n in adbench_names(adbench_dir)]
    return names


def load(source, name, *, odds_dir=DEFAULT_ODDS_DIR, adbench_dir=DEFAULT_ADBENCH_DIR,
         max_rows=None):
    """``(X, y, n_rows)``: features, labels (None for bundled tables), and the rows before sampling."""
    if source == "sklearn":
        import sklearn.datasets

        X, y = getattr(sklearn.datasets, f"load_{name}")().data.astype(np.float64), None
    elif source == "odds":
        import scipy.io

        data = scipy.io.loadmat(Path(odds_dir) / f"{name}.mat")
        X, y = np.asarray(data["X"], dtype=np.float64), np.asarray(data["y"]).ravel().astype(int)
    elif source == "classification":
        with np.load(Path(DEFAULT_CLASSIFICATION_DIR) / f"{name}.npz") as data:
            X, y = np.asarray(data["X"], dtype=np.float64), np.asarray(data["y"]).astype(int)
    else:
        (path,) = Path(adbench_dir).glob(f"*_{name}.npz")
        with np.load(path, allow_pickle=False) as data:
            X = np.asarray(data["X"], dtype=np.float64)
            y = np.asarray(data["y"]).ravel().astype(int)
    n_rows = len(X)
    if max_rows and n_rows > max_rows:
        from sklearn.model_selection import train_test_split

        keep, _ = train_test_split(np.arange(n_rows), train_size=max_rows, random_state=0,
                                   stratify=y)
        keep = np.sort(keep)
        X, y = X[keep], None if y is None else y[keep]
    return X, y, n_rows
