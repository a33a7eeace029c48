"""Side-by-side comparison of PCA and autoencoders (the ``skae compare`` job).

The functions here take a :class:`Split` of arrays and return plain Python
rows, so they serve the command line (:mod:`skae.cli`), the examples and
notebooks alike.  :data:`DATASETS` is the one registry of what the job runs
on by name (each :class:`Dataset` with its loader, widths, budget, models
and figure); :func:`dataset_from_file` makes one for a user's file.
Knows nothing about the command line or about Keras.
"""

import dataclasses
import time

import numpy as np
from sklearn.decomposition import PCA
from sklearn.linear_model import LogisticRegression, RidgeCV
from sklearn.metrics import r2_score
from sklearn.model_selection import train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import MinMaxScaler, StandardScaler
from sklearn.utils.multiclass import type_of_target

from ._autoencoder import AutoencoderTransformer

__all__ = ["COLUMNS", "DATASETS", "DEFAULT_MODELS", "MODELS", "PRESETS", "SCALERS", "Budget",
           "Dataset", "Split", "compare_models", "crossover", "dataset_from_file",
           "default_widths", "feature_errors", "figure_width", "make_model",
           "plot_feature_errors", "plot_reconstructions", "plot_sweep", "sweep_components",
           "target_kind", "TIE"]

#: Configurations ``skae compare`` knows beside the architectures by name.
PRESETS = {
    "pca": "sklearn.decomposition.PCA",
    "deep": "deep autoencoder: dense, hidden layers (4*n_components, 2*n_components), mirrored",
    "sparse": "sparse autoencoder: the dense one with an L1 penalty of 1e-4 on the code",
    "denoising": "denoising autoencoder: the dense one trained on inputs with noise of 0.5",
    "deep-linear": "deep autoencoder with a linear code: dense, hidden layers (128, 64), "
                   "learning rate 3e-3",
}


def _preset_settings(name, n_components):
    """Estimator parameters of a preset of :data:`PRESETS` (not ``"pca"``)."""
    from .architectures import Dense

    return {
        "deep": lambda: dict(architecture=Dense(
            hidden_layer_sizes=(4 * n_components, 2 * n_components))),
        "sparse": lambda: dict(architecture="dense", activity_l1=1e-4),
        "denoising": lambda: dict(architecture="dense", noise_stddev=0.5),
        "deep-linear": lambda: dict(architecture=Dense(hidden_layer_sizes=(128, 64),
                                                       code_activation="linear"),
                                    learning_rate=3e-3),
    }[name]()


def _models():
    """Every model name with a one-line description: presets and each architecture."""
    from .architectures import ARCHITECTURES, get_architecture

    models = {"pca": PRESETS["pca"]}
    models.update({name: get_architecture(name).description for name in ARCHITECTURES})
    models.update({name: text for name, text in PRESETS.items() if name != "pca"})
    return models


#: Models ``skae compare`` knows, with a one-line description each: PCA, every
#: architecture of :data:`skae.architectures.ARCHITECTURES` by name (its
#: default settings), and the blog's deep, sparse and denoising variants.
MODELS = _models()

#: Models ``skae compare`` runs on a dataset that names none: PCA, the
#: default autoencoder and the Keras blog's simple one.
DEFAULT_MODELS = ("pca", "residual", "dense")

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
    >>> from skae.compare import target_kind
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


@dataclasses.dataclass(frozen=True)
class Budget:
    """How the autoencoders of a comparison train.

    Attributes
    ----------
    epochs, batch_size : int or None
        Given, every autoencoder trains so; None, each its own default
        (``"auto"``).
    fixed : tuple of (int, int) or None
        ``(epochs, batch_size)`` of the autoencoders whose kind trains for a
        fixed number of epochs (the Keras blog's kinds), where ``epochs`` and
        ``batch_size`` are None: a dataset's budget for them.
    random_state : int
        Seed of every model.
    verbose : int
        Keras's verbosity for the autoencoders.
    """

    epochs: int = None
    batch_size: int = None
    fixed: tuple = None
    random_state: int = 0
    verbose: int = 0


def make_model(name, n_components, *, budget=None, image_shape=None, n_rows=None):
    """Return an unfitted estimator for a name of :data:`MODELS`.

    Parameters
    ----------
    name : str
        A key of :data:`MODELS`.
    n_components : int
        Width of the code.
    budget : Budget or None, default=None
        Training budget and seed; None is ``Budget()``.
    image_shape : tuple of int or None, default=None
        ``(height, width)`` of flat images, for the kinds that read images or
        sequences (see :meth:`skae.architectures.Architecture.for_images`).
    n_rows : int or None, default=None
        Training rows, to tell a kind with a fixed budget from one that stops
        on its own (``budget.fixed`` applies to the former).

    Returns
    -------
    estimator : PCA or AutoencoderTransformer
    """
    from .architectures import ARCHITECTURES, get_architecture

    budget = budget or Budget()
    if name == "pca":
        return PCA(n_components=n_components, random_state=budget.random_state)
    if name in PRESETS:
        settings = _preset_settings(name, n_components)
    elif name in ARCHITECTURES:
        settings = dict(architecture=name)
    else:
        raise ValueError(f"Unknown model {name!r}; choose from {', '.join(MODELS)}.")
    architecture = get_architecture(settings["architecture"])
    if image_shape is not None:
        shaped = architecture.for_images(tuple(image_shape))
        if shaped is not architecture:
            settings["architecture"] = architecture = shaped
    training = {}
    if budget.epochs is not None or budget.batch_size is not None:
        training = {k: v for k, v in (("epochs", budget.epochs),
                                      ("batch_size", budget.batch_size)) if v is not None}
    elif budget.fixed is not None and not architecture.default_training(
            n_rows or 1000)["early_stopping"]:
        training = dict(zip(("epochs", "batch_size"), budget.fixed))
    return AutoencoderTransformer(n_components=n_components, random_state=budget.random_state,
                                  verbose=budget.verbose, **settings, **training)


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
        Names from :data:`MODELS`, made by :func:`make_model`; or unfitted
        estimators by name (PCA, :class:`~skae.AutoencoderTransformer` or
        any transformer with ``inverse_transform``), measured as they are:
        ``n_components``, ``budget`` and the image shape do not apply to them.
    split : Split
        Training and test rows (and labels, for the downstream score).
    n_components : int, default=32
        Width of every model's code.
    budget : Budget or None, default=None
        How the autoencoders train; None is ``Budget()``.
    scale : {"none", "standard", "minmax"}, default="none"
        The scaler each model's pipeline starts with (fitted on the training
        rows); errors are measured in the scaled space.
    log : callable, default=None
        Called with a progress message before each model is fitted.

    Returns
    -------
    rows : list of dict
        One row per model with the keys of :data:`COLUMNS` (``accuracy``
        with class labels, ``target_r2`` with a numeric target): test
        reconstruction MSE, reconstruction R² (variance-weighted, i.e.
        explained variance), the downstream score of a model trained on the
        training codes, fit time in seconds and encoding time per test row in
        milliseconds.
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
            n_rows=len(split.X_train)), scale)
        start = time.perf_counter()
        model.fit(split.X_train)
        fit_seconds = time.perf_counter() - start

        start = time.perf_counter()
        codes_test = model.transform(split.X_test)
        encode_seconds = time.perf_counter() - start
        X_test, reconstruction = _scaled_reconstruction(model, split.X_test)
        row = {
            "method": name,
            "n_components": int(codes_test.shape[1]),
            "test_mse": float(np.mean((X_test - reconstruction) ** 2)),
            "test_r2": float(r2_score(X_test, reconstruction, multioutput="variance_weighted")),
        }
        if kind is not None:
            score = _downstream_score(kind, model.transform(split.X_train), split.y_train,
                                      codes_test, split.y_test)
            row["accuracy" if kind == "classes" else "target_r2"] = score
        row["fit_seconds"] = float(fit_seconds)
        row["encode_ms_per_row"] = float(1000.0 * encode_seconds / len(split.X_test))
        rows.append(row)
        fitted[name] = model
    return rows, fitted


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


# ----------------------------------------------------------------- datasets


def default_widths(n_features):
    """Code widths of a sweep over ``n_features`` features: powers of two up to half of them.

    At most the six largest; ``[1]`` for fewer than four features.

    Examples
    --------
    >>> from skae.compare import default_widths
    >>> default_widths(64), default_widths(30), default_widths(4)
    ([2, 4, 8, 16, 32], [2, 4, 8], [2])
    """
    widths = [2 ** i for i in range(1, 20) if 2 ** i <= n_features // 2]
    return widths[-6:] or [1]


@dataclasses.dataclass(frozen=True)
class Dataset:
    """What ``skae compare`` runs on, and how.

    Attributes
    ----------
    name : str
    X : ndarray of shape (n_samples, n_features)
    y : ndarray of shape (n_samples,) or None
        Labels (or a numeric target), or None.
    feature_names : list of str
    image_shape : tuple of int or None
        ``(height, width)`` of images: the job draws reconstructions; None
        for tables: it draws each model's per-feature error.
    widths : tuple of int
        Default code widths.
    budget : tuple of (int, int) or None
        ``(epochs, batch_size)`` of the autoencoders with a fixed budget
        (see :class:`Budget`); None for their own.
    models : tuple of str
        Default models.
    split : {"last", "random"}
        ``"last"``: the test rows are the last ones (images, as in MNIST's
        convention); ``"random"``: a random split, stratified by the labels
        when they are classes.
    scale : {"standard", "minmax", "none"}
        Default scaling: none for features in [0, 1], standard otherwise.
    notes : tuple of str
        What loading did to the data (encoded columns, ...).
    """

    name: str
    X: np.ndarray
    y: np.ndarray = None
    feature_names: list = None
    image_shape: tuple = None
    widths: tuple = None
    budget: tuple = None
    models: tuple = DEFAULT_MODELS
    split: str = "random"
    scale: str = None
    notes: tuple = ()

    def __post_init__(self):
        if self.widths is None:
            object.__setattr__(self, "widths", tuple(default_widths(self.X.shape[1])))
        if self.feature_names is None:
            object.__setattr__(self, "feature_names",
                               [f"x{i}" for i in range(self.X.shape[1])])
        if self.scale is None:
            in_unit = float(np.min(self.X)) >= 0.0 and float(np.max(self.X)) <= 1.0
            object.__setattr__(self, "scale", "none" if in_unit else "standard")

    def split_rows(self, test_size, random_state):
        """The :class:`Split` of this dataset (``test_size`` a fraction of the rows)."""
        n_test = max(1, int(round(test_size * len(self.X))))
        extra = {"image_shape": self.image_shape, "feature_names": list(self.feature_names)}
        if self.split == "last":
            y_train, y_test = (None, None) if self.y is None else (self.y[:-n_test],
                                                                   self.y[-n_test:])
            return Split(self.X[:-n_test], self.X[-n_test:], y_train, y_test, **extra)
        stratify = None
        if self.y is not None and target_kind(self.y) == "classes":
            _, counts = np.unique(self.y, return_counts=True)
            stratify = self.y if counts.min() >= 2 else None
        arrays = [self.X] if self.y is None else [self.X, self.y]
        parts = train_test_split(*arrays, test_size=n_test, random_state=random_state,
                                 stratify=stratify)
        if self.y is None:
            return Split(parts[0], parts[1], **extra)
        return Split(parts[0], parts[1], parts[2], parts[3], **extra)


def _images(bunch, name, widths, budget, models):
    return Dataset(name=name, X=bunch.data, y=bunch.target, image_shape=tuple(bunch.image_shape),
                   widths=tuple(widths), budget=budget, models=tuple(models), split="last",
                   scale="none")


def _sklearn_table(name):
    def load(**_):
        import sklearn.datasets

        bunch = getattr(sklearn.datasets, f"load_{name}")()
        return Dataset(name=name, X=np.asarray(bunch.data, dtype=np.float64), y=bunch.target,
                       feature_names=[str(f) for f in bunch.feature_names])

    return load


def _digits(**_):
    from .datasets import load_digits

    return _images(load_digits(), "digits", [2, 4, 8, 16, 32], (100, 32), DEFAULT_MODELS)


def _mnist(data_dir=None, download=False, **_):
    from .datasets import load_mnist

    return _images(load_mnist(data_dir, subset="all", download=download), "mnist", [32],
                   (50, 256), DEFAULT_MODELS)


#: Datasets ``skae compare --dataset`` knows: ``name -> (description, loader)``.
#: A loader takes ``data_dir`` and ``download`` (MNIST's) as keywords and
#: returns a :class:`Dataset`.
DATASETS = {
    "digits": ("scikit-learn's 8x8 digits (ships offline; the default): the sweep over "
               "2-32 numbers; the blog's kinds train 100 epochs in batches of 32", _digits),
    "mnist": ("28x28 MNIST from local files (--data-dir, $SKAE_DATA_DIR, Keras's cache) or "
              "--download: 32 numbers; the blog's kinds train its 50 epochs of 256", _mnist),
    "breast_cancer": ("scikit-learn's breast cancer table (569 x 30, two classes)",
                      _sklearn_table("breast_cancer")),
    "wine": ("scikit-learn's wine table (178 x 13, three classes)", _sklearn_table("wine")),
    "iris": ("scikit-learn's iris table (150 x 4, three classes)", _sklearn_table("iris")),
    "diabetes": ("scikit-learn's diabetes table (442 x 10, a numeric target)",
                 _sklearn_table("diabetes")),
}


def dataset_from_file(path, *, target=None, drop_constant=False):
    """A :class:`Dataset` of a table in a file (see :func:`skae.datasets.load_table`).

    Parameters
    ----------
    path : str or path-like
    target : str or None, default=None
        The column holding labels (a ``.mat``/``.npz`` file's ``y`` by default).
    drop_constant : bool, default=False
        Leave constant columns out instead of refusing the table.

    Returns
    -------
    dataset : Dataset
        Split at random (stratified by class labels), widths from the number
        of features, each autoencoder's own budget, :data:`DEFAULT_MODELS`.
    """
    from pathlib import Path

    from .datasets import load_table

    table = load_table(path, target=target, drop_constant=drop_constant)
    return Dataset(name=Path(path).name, X=table.data, y=table.target,
                   feature_names=table.feature_names, notes=tuple(table.notes))


# ---------------------------------------------------------------- sentences


def _ranges(widths):
    return ", ".join(str(w) for w in widths)


def _errors(rows):
    """``{(method, n_components): test_mse}`` of comparison rows."""
    return {(r["method"], r["n_components"]): r["test_mse"] for r in rows}


#: Error ratios within this of 1 count as a tie in the sentences (``"about as well as"``):
#: a difference smaller than a seed or a split moves it.
TIE = 0.005


def _best_by_width(mse, reference):
    """``{width: (error ratio to the reference, method)}`` of the best other method per width."""
    best = {}
    for (name, k), error in mse.items():
        if name != reference and (reference, k) in mse:
            best[k] = min(best.get(k, (np.inf, "")), (error / mse[reference, k], name))
    return best


def figure_width(rows, reference="pca"):
    """The code width to draw: where another method beats ``reference`` by the widest margin.

    Without such a width (or without the reference), the smallest width
    measured, where every reconstruction is coarse and differences show most.

    Parameters
    ----------
    rows : list of dict
        Rows of :func:`compare_models`, for one or several widths.
    reference : str, default="pca"
        The method the others are compared with.

    Returns
    -------
    width : int
    """
    wins = [(ratio, k) for k, (ratio, _) in _best_by_width(_errors(rows), reference).items()
            if ratio < 1 - TIE]
    return min(wins)[1] if wins else min(r["n_components"] for r in rows)


def _outcome(ratio):
    return "better" if ratio < 1 - TIE else "worse" if ratio > 1 + TIE else "even"


def crossover(rows, reference="pca", *, what="test images"):
    """Say, per model, at which code widths it reconstructs better than ``reference``.

    Error ratios within :data:`TIE` of 1 are ties (``"about as well as"``).

    Parameters
    ----------
    rows : list of dict
        Rows of :func:`compare_models` (keys ``method``, ``n_components``,
        ``test_mse``), for one or several widths.
    reference : str, default="pca"
        The method the others are compared with.
    what : str, default="test images"
        What the sentences call the test rows (``"test rows"`` for a table).

    Returns
    -------
    sentences : list of str
        First the crossover, where the best other method stops beating the
        reference (e.g. ``"Crossover between 16 and 32 numbers: an autoencoder
        (deep-linear) reconstructs the test images better than pca up to 16
        numbers, pca from 32."``), then one sentence per other method (e.g.
        ``"deep-linear reconstructs the test images better than pca with 2,
        4, 8, 16 numbers (0.62x-0.67x its test error) and worse than pca with
        32 numbers (2.13x its test error)."``); empty without the reference.
    """
    mse = _errors(rows)
    widths = sorted({k for (name, k) in mse if name == reference})
    sentences = []
    best = _best_by_width(mse, reference)
    by_outcome = {o: sorted(k for k, (ratio, _) in best.items() if _outcome(ratio) == o)
                  for o in ("better", "worse", "even")}
    wins, losses, ties = by_outcome["better"], by_outcome["worse"], by_outcome["even"]
    winners = ", ".join(dict.fromkeys(best[k][1] for k in wins))
    if best and not wins and not losses:
        sentences.append(f"An autoencoder ({', '.join(dict.fromkeys(best[k][1] for k in ties))})"
                         f" reconstructs the {what} about as well as {reference} at every width "
                         f"measured ({_ranges(ties)} numbers, within {TIE:.1%}).")
    elif best and not wins:
        sentences.append(f"{reference} reconstructs the {what} best at every width "
                         f"measured ({_ranges(losses + ties)} numbers).")
    elif best and not losses:
        sentences.append(f"An autoencoder ({winners}) beats {reference} at every width "
                         f"measured ({_ranges(wins + ties)} numbers)." if not ties else
                         f"An autoencoder ({winners}) beats {reference} with {_ranges(wins)} "
                         f"numbers and is about even with it with {_ranges(ties)}.")
    elif best and max(wins) < min(losses):
        sentences.append(f"Crossover between {max(wins)} and {min(losses)} numbers: an "
                         f"autoencoder ({winners}) reconstructs the {what} better than "
                         f"{reference} up to {max(wins)} numbers, {reference} from "
                         f"{min(losses)}.")
    elif best:
        sentences.append(f"An autoencoder ({winners}) beats {reference} with {_ranges(wins)} "
                         f"numbers, {reference} is better with {_ranges(losses)}.")
    labels = {"better": "better than", "even": "about as well as", "worse": "worse than"}
    for name in dict.fromkeys(r["method"] for r in rows):
        if name == reference:
            continue
        ratios = [(k, mse[name, k] / mse[reference, k]) for k in widths if (name, k) in mse]
        if not ratios:
            continue
        parts = []
        for outcome in ("better", "even", "worse"):
            group = [(k, r) for k, r in ratios if _outcome(r) == outcome]
            if group:
                low, high = (f"{f(r for _, r in group):.2f}x" for f in (min, max))
                spread = low if low == high else f"{low}-{high}"
                parts.append(f"{labels[outcome]} {reference} with "
                             f"{_ranges([k for k, _ in group])} numbers ({spread} its test error)")
        sentences.append(f"{name} reconstructs the {what} " + " and ".join(parts) + ".")
    return sentences


# ------------------------------------------------------------------ figures


def _figure(figsize):
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=figsize)
    FigureCanvasAgg(fig)
    return fig


def plot_reconstructions(fitted, X_test, image_shape, path, *, n_images=10, labels=None,
                         title="Test images (top) and their reconstructions"):
    """Save the blog's figure: originals on top, one row of reconstructions per model.

    ``labels`` maps a model's name to the text beside its row (default: the
    name); ``title`` is the figure's title.
    """
    n_images = min(n_images, len(X_test))
    originals = X_test[:n_images]
    rows = [("original", originals)] + [
        (name, model.inverse_transform(model.transform(originals)))
        for name, model in fitted.items()
    ]
    fig = _figure((1.2 * n_images, 1.3 * len(rows)))
    axes = fig.subplots(len(rows), n_images, squeeze=False)
    for r, (label, images) in enumerate(rows):
        for c in range(n_images):
            ax = axes[r, c]
            ax.imshow(np.clip(images[c], 0, 1).reshape(image_shape), cmap="gray", vmin=0, vmax=1)
            ax.set_xticks([])
            ax.set_yticks([])
        text = label if labels is None else labels.get(label, label)
        axes[r, 0].set_ylabel(text, rotation=0, ha="right", va="center", fontsize=11)
    fig.suptitle(title)
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    return path


def plot_feature_errors(errors, feature_names, path, *, n_features=25, title=None):
    """Save a bar chart of each model's test error per feature: what each fails to keep.

    Parameters
    ----------
    errors : dict of str to ndarray of shape (n_features,)
        Each model's mean squared error per feature (:func:`feature_errors`).
    feature_names : list of str
    path : str or path-like
    n_features : int, default=25
        The features drawn: those with the largest error of any model.
    title : str or None
        The first line of the title; a second one says which features are drawn.
    """
    names = list(errors)
    table = np.array([errors[name] for name in names])
    order = np.argsort(-table.max(axis=0), kind="stable")[:n_features][::-1]
    fig = _figure((7.5, 1.6 + 0.28 * len(order) * max(1, len(names) / 2)))
    ax = fig.subplots()
    height = 0.8 / len(names)
    positions = np.arange(len(order))
    for i, name in enumerate(names):  # the first model on top in each group, as in the legend
        ax.barh(positions + ((len(names) - 1) / 2 - i) * height, table[i, order], height,
                label=name)
    ax.set_yticks(positions, [str(feature_names[j]) for j in order])
    ax.set_xlabel("test mean squared error of the feature")
    shown = (f"all {table.shape[1]} features" if len(order) == table.shape[1] else
             f"the {len(order)} of {table.shape[1]} features reconstructed worst")
    ax.set_title(f"{title or 'Per-feature reconstruction error'}\n({shown})", fontsize=10)
    ax.grid(True, axis="x", alpha=0.3)
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    return path


def plot_sweep(results, path):
    """Save a plot of test reconstruction MSE against n_components."""
    from matplotlib.ticker import NullLocator

    fig = _figure((6, 4))
    ax = fig.subplots()
    for name, points in results.items():
        if points:
            ks, mses = zip(*points)
            ax.plot(ks, mses, marker="o", label=name)
    ax.set_xscale("log", base=2)
    ax.set_yscale("log")
    widths = sorted({k for points in results.values() for k, _ in points})
    ax.set_xticks(widths, [str(k) for k in widths])
    ax.xaxis.set_minor_locator(NullLocator())
    ax.set_xlabel("n_components")
    ax.set_ylabel("test reconstruction MSE")
    ax.set_title("Reconstruction error against code width")
    ax.grid(True, which="both", alpha=0.3)
    ax.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    return path
