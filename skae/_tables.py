"""Reading the user's tables: a file (CSV, TSV, Parquet, NumPy, MATLAB) into numeric features.

:func:`load_table` one-hot encodes text columns and refuses what an
autoencoder cannot take (missing values, constant columns) with a
:class:`TableError` that names the file and the column.  Knows nothing about
Keras, images or the comparison job.
"""

import numpy as np
from sklearn.utils import Bunch


class TableError(ValueError):
    """Raised when a table cannot be read, or holds what an autoencoder cannot take."""


#: File suffixes :func:`load_table` reads, with the format each means.
TABLE_FORMATS = {".csv": "csv", ".tsv": "tsv", ".tab": "tsv", ".txt": "csv",
                 ".parquet": "parquet", ".pq": "parquet", ".npy": "npy", ".npz": "npz",
                 ".mat": "mat"}

#: A text column with more distinct values than this is refused rather than
#: one-hot encoded (an identifier or free text, not a category).
MAX_CATEGORIES = 50


def _read_frame(path, kind):
    """A pandas DataFrame (csv, tsv, parquet) or a dict of arrays (npy, npz, mat)."""
    if kind in ("csv", "tsv", "parquet"):
        import pandas as pd

        if kind == "parquet":
            try:
                return pd.read_parquet(path)
            except ImportError as exc:
                raise TableError(
                    f"reading {path} needs a Parquet engine: pip install pyarrow ({exc})"
                ) from exc
        try:
            return pd.read_csv(path, sep="\t" if kind == "tsv" else ",")
        except pd.errors.EmptyDataError as exc:
            raise TableError(f"{path} is empty") from exc
    if kind == "npy":
        return {"X": np.load(path, allow_pickle=False)}
    if kind == "npz":
        with np.load(path, allow_pickle=False) as archive:
            arrays = {key: np.asarray(archive[key]) for key in archive.files}
        if len(arrays) == 1:
            return {"X": next(iter(arrays.values()))}
        return arrays
    import scipy.io

    try:
        arrays = scipy.io.loadmat(path)
    except NotImplementedError as exc:  # MATLAB 7.3 files are HDF5
        raise TableError(
            f"{path} is a MATLAB 7.3 (HDF5) file, which scipy cannot read; save it with "
            "-v7 or as .npz"
        ) from exc
    return {key: value for key, value in arrays.items() if not key.startswith("__")}


def _arrays_to_frame(arrays, path, target):
    """Features and target of a NumPy or MATLAB file's arrays (``X``/``y``, ``data``/``target``)."""
    import pandas as pd

    X = next((arrays[key] for key in ("X", "data") if key in arrays), None)
    if X is None:
        raise TableError(f"{path} holds no array named X or data (found: "
                         f"{', '.join(sorted(arrays)) or 'none'})")
    X = np.asarray(X)
    if X.ndim != 2:
        raise TableError(f"{path}: X has shape {X.shape}; expected rows x features (2-D)")
    frame = pd.DataFrame(X, columns=[f"x{i}" for i in range(X.shape[1])])
    y = next((arrays[key] for key in ("y", "target") if key in arrays), None)
    if y is not None and target is None:
        y = np.asarray(y).reshape(-1) if np.asarray(y).size == len(X) else None
        if y is None:
            raise TableError(f"{path}: y does not hold one value per row of X")
        frame["y"] = y
        target = "y"
    return frame, target


def _target_column(frame, target, path):
    if target in frame.columns:
        return target
    if isinstance(target, str) and target.isdigit() and int(target) < frame.shape[1]:
        return frame.columns[int(target)]
    raise TableError(f"{path} has no column {target!r} for --target (columns: "
                     f"{', '.join(map(str, frame.columns[:20]))}"
                     f"{', ...' if frame.shape[1] > 20 else ''})")


def load_table(path, *, target=None, drop_constant=False):
    """Read a table of numeric (and text) features from a file.

    Text and category columns are one-hot encoded (each named in
    ``notes``), booleans become 0 and 1.  What an autoencoder cannot take is
    refused with a :class:`TableError` naming it: missing values, constant
    columns (unless ``drop_constant``), text columns with more than
    ``MAX_CATEGORIES`` distinct values, files without rows or features.

    Parameters
    ----------
    path : str or path-like
        A ``.csv``, ``.tsv`` (with a header row), ``.parquet``, ``.npy`` (a
        2-D array), ``.npz`` (arrays ``X``, optionally ``y``) or MATLAB
        ``.mat`` file (``X`` and ``y``, the layout of the ODDS benchmark).
    target : str or None, default=None
        The column holding labels (a name, or a 0-based position), left out
        of the features.  A ``.npz`` or ``.mat`` file's ``y`` is the target
        when this is None.
    drop_constant : bool, default=False
        Leave constant columns out (named in ``notes``) instead of refusing
        the table.

    Returns
    -------
    data : :class:`~sklearn.utils.Bunch`
        ``data`` (n_samples, n_features) float64, ``target`` (n_samples,) or
        None, ``feature_names`` (list of str), ``notes`` (list of str: what
        was encoded), ``source`` and ``DESCR``.

    Raises
    ------
    FileNotFoundError
        If `path` does not exist.
    TableError
        If the file cannot be read or holds data an autoencoder cannot take.

    Examples
    --------
    >>> import os, tempfile
    >>> from skae.datasets import load_table
    >>> path = os.path.join(tempfile.mkdtemp(), "flowers.csv")
    >>> with open(path, "w") as fh:
    ...     _ = fh.write("length,width,colour,kind\\n1.0,0.5,red,a\\n2.0,0.7,blue,b\\n"
    ...                  "1.5,0.4,red,a\\n")
    >>> table = load_table(path, target="kind")
    >>> table.feature_names, table.data.shape
    (['length', 'width', 'colour=blue', 'colour=red'], (3, 4))
    >>> table.notes
    ["one-hot encoded text column 'colour' (2 values)"]
    """
    from pathlib import Path

    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"no such file: {path}")
    kind = TABLE_FORMATS.get(path.suffix.lower())
    if kind is None:
        raise TableError(f"cannot read {path}: unknown file type {path.suffix!r}; skae reads "
                         f"{', '.join(sorted(TABLE_FORMATS))}")
    try:
        frame = _read_frame(path, kind)
    except (TableError, FileNotFoundError):
        raise
    except Exception as exc:  # each reader raises its own types for a damaged file
        raise TableError(f"cannot read {path} as {kind}: {type(exc).__name__}: {exc}") from exc
    if isinstance(frame, dict):
        frame, target = _arrays_to_frame(frame, path, target)
    if frame.shape[0] == 0 or frame.shape[1] == 0:
        raise TableError(f"{path} holds no data ({frame.shape[0]} rows, {frame.shape[1]} "
                         "columns)")
    y = None
    if target is not None:
        column = _target_column(frame, target, path)
        if frame[column].isna().any():
            raise TableError(f"the target column {column!r} of {path} has missing values")
        y = frame[column].to_numpy()
        frame = frame.drop(columns=[column])
        if frame.shape[1] == 0:
            raise TableError(f"{path} has no feature columns besides the target {column!r}")
    X, names, notes = _numeric_features(frame, path, drop_constant)
    return Bunch(data=X, target=y, feature_names=names, notes=notes, source=[str(path)],
                 DESCR=f"{path.name}: {X.shape[0]} rows, {X.shape[1]} features")


def _numeric_features(frame, path, drop_constant):
    """The frame's columns as a float64 array, text one-hot encoded; refuse what cannot be used."""
    import pandas as pd

    missing = frame.isna().sum()
    missing = missing[missing > 0]
    if len(missing):
        listed = ", ".join(f"{name!r} ({count})" for name, count in missing.items())
        raise TableError(
            f"{path} has missing values in {listed}; an autoencoder needs every value: "
            "drop or impute them first (e.g. sklearn.impute.SimpleImputer)")
    columns, names, notes = [], [], []
    for name in frame.columns:
        column = frame[name]
        if pd.api.types.is_bool_dtype(column):
            columns.append(column.to_numpy(dtype=np.float64)[:, None])
            names.append(str(name))
        elif pd.api.types.is_numeric_dtype(column):
            values = column.to_numpy(dtype=np.float64)
            if not np.isfinite(values).all():
                raise TableError(f"column {name!r} of {path} holds infinite values")
            columns.append(values[:, None])
            names.append(str(name))
        else:
            values = column.astype(str)
            categories = sorted(values.unique())
            if len(categories) > MAX_CATEGORIES:
                raise TableError(
                    f"column {name!r} of {path} holds text with {len(categories)} distinct "
                    f"values (an identifier or free text?); skae one-hot encodes text columns "
                    f"of at most {MAX_CATEGORIES} values: drop it, or pass it as --target")
            columns.append(np.stack([(values == c).to_numpy(dtype=np.float64)
                                     for c in categories], axis=1))
            names.extend(f"{name}={c}" for c in categories)
            notes.append(f"one-hot encoded text column {name!r} ({len(categories)} values)")
    X = np.concatenate(columns, axis=1)
    constant = np.ptp(X, axis=0) == 0
    if constant.any():
        listed = ", ".join(repr(n) for n, c in zip(names, constant) if c)
        if not drop_constant:
            raise TableError(
                f"{path} has {int(constant.sum())} constant column(s) ({listed}): they carry "
                "no information, and any model reconstructs them perfectly; drop them, or "
                "pass --drop-constant (drop_constant=True) to leave them out")
        if constant.all():
            raise TableError(f"every column of {path} is constant")
        notes.append(f"left out {int(constant.sum())} constant column(s): {listed}")
        X, names = X[:, ~constant], [n for n, c in zip(names, constant) if not c]
    return X, names, notes
