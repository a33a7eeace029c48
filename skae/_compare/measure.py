"""Measuring fitted models on a split: reconstruction error, R², downstream score, time.

Takes a ``Split`` of arrays and returns plain Python rows.  Knows nothing
about the command line, the figures or the sentences.
"""

import dataclasses
import time

import numpy as np
from sklearn.linear_model import LogisticRegression, RidgeCV
from sklearn.metrics import r2_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import MinMaxScaler, StandardScaler
from sklearn.utils.multiclass import type_of_target

from .models import MODELS, make_model

#: Scalers ``skae compare --scale`` puts before each model, in its pipeline.
SCALERS = {"standard": StandardScaler, "minmax": MinMaxScaler, "none": None}

#: Columns of the comparison table, in order (``accuracy`` with class labels,
#: ``target_r2`` with a numeric target, neither without).
COLUMNS = [
    "method",
    "n_components",
    "test_mse",
    "test_r2",
    "accuracy",
    "target_r2",
    "fit_seconds",
    "encode_ms_per_row",
]


#: A numeric target with more distinct values than this is a quantity, not classes.
MAX_CLASSES = 30


def target_kind(y):
    """``"classes"`` for labels (text, booleans, at most ``MAX_CLASSES`` integers), else numeric.

    Examples
    --------
    >>> from skae._compare.measure import target_kind
    >>> target_kind(["a", "b", "a"]), target_kind([0, 1, 1]), target_kind([0.5, 1.7, 2.0])
    ('classes', 'classes', 'numeric')
    """
    y = np.asarray(y)
    if y.dtype.kind in "OUSb":
        return "classes"
    classes = type_of_target(y) in ("binary", "multiclass")
    return "classes" if classes and len(np.unique(y)) <= MAX_CLASSES else "numeric"


@dataclasses.dataclass(frozen=True)
class Split:
    """Training and test rows of one dataset.

    Attributes
    ----------
    X_train, X_test : ndarray of shape (n_samples, n_features)
    y_train, y_test : ndarray of shape (n_samples,) or None
        Labels (or a numeric target) for the downstream score; None without.
    image_shape : tuple of int or None
        ``(height, width)`` when the rows are flattened images.
    feature_names : list of str or None
    """

    X_train: np.ndarray
    X_test: np.ndarray
    y_train: np.ndarray = None
    y_test: np.ndarray = None
    image_shape: tuple = None
    feature_names: list = None

    @property
    def target_kind(self):
        """``"classes"``, ``"numeric"`` or None: what the downstream score measures."""
        return None if self.y_train is None else target_kind(self.y_train)

    @property
    def n_classes(self):
        """The number of classes of a class target, else None."""
        return len(np.unique(self.y_train)) if self.target_kind == "classes" else None


def _with_scaler(estimator, scale):
    scaler = SCALERS[scale]
    return estimator if scaler is None else make_pipeline(scaler(), estimator)


def _scaled_reconstruction(model, X):
    """``(X, reconstruction)`` in the space the reducer sees (after the pipeline's scaler)."""
    reducer = model
    if hasattr(model, "steps"):
        X = model[:-1].transform(X)
        reducer = model[-1]
    X = np.asarray(X, dtype=np.float64)
    return X, np.asarray(reducer.inverse_transform(reducer.transform(X)), dtype=np.float64)


def _downstream_score(kind, codes_train, y_train, codes_test, y_test):
    """Accuracy of a logistic regression (classes) or R² of a ridge regression (numbers)."""
    if kind == "classes":
        model = make_pipeline(StandardScaler(), LogisticRegression(max_iter=2000))
    else:
        model = make_pipeline(StandardScaler(), RidgeCV())
    return float(model.fit(codes_train, y_train).score(codes_test, y_test))


def compare_models(models, split, *, n_components=32, budget=None, scale="none", log=None):
    """Fit each model and measure it on the test rows.

    Parameters
    ----------
    models : list of str, or dict of str to estimator
        Names from :data:`~skae.compare.MODELS`, made by
        :func:`~skae.compare.make_model`; or unfitted
        estimators by name (PCA, :class:`~skae.AutoencoderTransformer` or
        any transformer with ``inverse_transform``), measured as they are:
        ``n_components``, ``budget`` and the image shape do not apply to them.
    split : Split
        Training and test rows (and labels, for the downstream score).
    n_components : int, default=32
        Width of every model's code.
    budget : skae.compare.Budget or None, default=None
        How the autoencoders train; None is ``Budget()``.
    scale : {"none", "standard", "minmax"}, default="none"
        The scaler each model's pipeline starts with (fitted on the training
        rows); errors are measured in the scaled space.
    log : callable, default=None
        Called with a progress message before each model is fitted.

    Returns
    -------
    rows : list of dict
        One row per model with the keys of ``COLUMNS`` (``accuracy``
        with class labels, ``target_r2`` with a numeric target; no
        ``test_mse`` and ``test_r2`` for a model that does not decode): test
        reconstruction MSE, reconstruction R² (variance-weighted, i.e.
        explained variance), the downstream score of a model trained on the
        training codes, fit time in seconds and encoding time per test row in
        milliseconds.  Every model is fitted with the training labels, as a
        pipeline fits its steps: those that do not learn from them ignore
        them.
    fitted : dict of str to estimator
        The fitted models (pipelines when ``scale`` is not ``"none"``), by name.
    """
    rows, fitted = [], {}
    kind = split.target_kind
    given = isinstance(models, dict)
    for i, name in enumerate(models, start=1):
        if log is not None:
            log(f"[{i}/{len(models)}] fitting {name}"
                + ("" if given else f" ({MODELS[name]})"))
        model = _with_scaler(models[name] if given else make_model(
            name, n_components, budget=budget, image_shape=split.image_shape,
            n_rows=len(split.X_train), n_classes=split.n_classes), scale)
        start = time.perf_counter()
        model.fit(split.X_train, split.y_train)  # as a pipeline does: PCA ignores y
        fit_seconds = time.perf_counter() - start

        start = time.perf_counter()
        codes_test = model.transform(split.X_test)
        encode_seconds = time.perf_counter() - start
        row = {"method": name, "n_components": int(codes_test.shape[1])}
        if decodes(model):
            X_test, reconstruction = _scaled_reconstruction(model, split.X_test)
            row["test_mse"] = float(np.mean((X_test - reconstruction) ** 2))
            row["test_r2"] = float(r2_score(X_test, reconstruction,
                                            multioutput="variance_weighted"))
        if kind is not None:
            score = _downstream_score(kind, model.transform(split.X_train), split.y_train,
                                      codes_test, split.y_test)
            row["accuracy" if kind == "classes" else "target_r2"] = score
        row["fit_seconds"] = float(fit_seconds)
        row["encode_ms_per_row"] = float(1000.0 * encode_seconds / len(split.X_test))
        rows.append(row)
        fitted[name] = model
    return rows, fitted


def decodes(model):
    """Whether a fitted model (or its pipeline's last step) has an ``inverse_transform``."""
    return hasattr(model[-1] if hasattr(model, "steps") else model, "inverse_transform")


def feature_errors(model, X):
    """Mean squared reconstruction error of each feature of ``X`` (in the scaled space)."""
    X, reconstruction = _scaled_reconstruction(model, X)
    return np.mean((X - reconstruction) ** 2, axis=0)


def sweep_components(models, components, split, *, budget=None, scale="none", log=None):
    """Test reconstruction MSE of each model at each code width.

    Widths that PCA cannot have (more than ``min(n_samples, n_features)``)
    are left out for PCA.

    Returns
    -------
    results : dict of str to list of (int, float)
        ``{model: [(n_components, test_mse), ...]}``.
    """
    limit = min(split.X_train.shape)
    results = {}
    for name in models:
        results[name] = []
        for k in components:
            if name == "pca" and k > limit:
                continue
            if log is not None:
                log(f"sweep: fitting {name} with n_components={k}")
            model = _with_scaler(make_model(name, k, budget=budget, image_shape=split.image_shape,
                                            n_rows=len(split.X_train)), scale)
            mse = float(np.mean(feature_errors(model.fit(split.X_train), split.X_test)))
            results[name].append((int(k), mse))
    return results


#: Shares of the test variance ``skae compare`` says each method's width for.
VARIANCE_LEVELS = (0.90, 0.95, 0.99)


def widths_needed(rows, levels=VARIANCE_LEVELS):
    """The narrowest width measured at which each method keeps each share of the test variance.

    Parameters
    ----------
    rows : list of dict
        Rows of :func:`compare_models` (``method``, ``n_components``,
        ``test_r2``: the share of the test rows' variance kept).
    levels : sequence of float

    Returns
    -------
    needed : dict of str to dict of float to int or None
        ``{method: {level: width}}``; None where no width measured keeps it.

    Examples
    --------
    >>> from skae._compare.measure import widths_needed
    >>> rows = [{"method": "pca", "n_components": k, "test_r2": r}
    ...         for k, r in [(2, 0.6), (4, 0.91), (8, 0.96)]]
    >>> widths_needed(rows)
    {'pca': {0.9: 4, 0.95: 8, 0.99: None}}
    """
    needed = {}
    for row in sorted(rows, key=lambda r: r["n_components"]):
        levels_of = needed.setdefault(row["method"], dict.fromkeys(levels))
        for level in levels:
            if levels_of[level] is None and row["test_r2"] >= level:
                levels_of[level] = int(row["n_components"])
    return needed
