"""What ``skae compare`` runs on: the registry of named data sets and the user's files.

Each ``Dataset`` carries its rows with its default widths, training,
models and split.  Knows nothing about measuring or drawing.
"""

import dataclasses

import numpy as np
from sklearn.model_selection import train_test_split

from .measure import Split, target_kind
from .models import DEFAULT_MODELS


def default_widths(n_features):
    """Code widths of a sweep over ``n_features`` features: powers of two up to half of them.

    At most the six largest; ``[1]`` for fewer than four features.

    Examples
    --------
    >>> from skae._compare.registry import default_widths
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
    fixed_training : tuple of (int, int) or None
        ``(epochs, batch_size)`` of the autoencoders whose kind trains a fixed
        number of epochs (:class:`skae.compare.Budget`'s ``fixed``); None for
        their own.
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
    fixed_training: tuple = None
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
        """The ``Split`` of this dataset (``test_size`` a fraction of the rows)."""
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


def _images(bunch, name, widths, fixed_training, models):
    return Dataset(name=name, X=bunch.data, y=bunch.target, image_shape=tuple(bunch.image_shape),
                   widths=tuple(widths), fixed_training=fixed_training, models=tuple(models),
                   split="last", scale="none")


def _sklearn_table(name):
    def load(**_):
        import sklearn.datasets

        bunch = getattr(sklearn.datasets, f"load_{name}")()
        return Dataset(name=name, X=np.asarray(bunch.data, dtype=np.float64), y=bunch.target,
                       feature_names=[str(f) for f in bunch.feature_names])

    return load


def _digits(**_):
    from ..datasets import load_digits

    return _images(load_digits(), "digits", [2, 4, 8, 16, 32], (100, 32), DEFAULT_MODELS)


def _mnist(data_dir=None, download=False, **_):
    from ..datasets import load_mnist

    return _images(load_mnist(data_dir, subset="all", download=download), "mnist", [32],
                   (50, 256), DEFAULT_MODELS)


#: Datasets ``skae compare --dataset`` knows: ``name -> (description, loader)``.
#: A loader takes ``data_dir`` and ``download`` (MNIST's) as keywords and
#: returns a ``Dataset``.
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
    """A ``Dataset`` of a table in a file (see :func:`skae.datasets.load_table`).

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
        of features, each autoencoder's own budget, ``DEFAULT_MODELS``.
    """
    from pathlib import Path

    from ..datasets import load_table

    table = load_table(path, target=target, drop_constant=drop_constant)
    return Dataset(name=Path(path).name, X=table.data, y=table.target,
                   feature_names=table.feature_names, notes=tuple(table.notes))
