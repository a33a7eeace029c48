"""What a target ``y`` becomes for training: columns beside the rows, a mask, a head, a loss.

:func:`encode_targets` reads ``y`` as classes (cross-entropy) or numeric
values (squared error of the standardised values), with unlabelled rows
marked as :mod:`sklearn.semi_supervised` marks them; :class:`TargetEncoding`
holds what it learnt, so that a continued fit encodes a new ``y`` alike;
:func:`make_head` builds the linear layer that predicts the target from
the code; :func:`target_losses` is each row's loss, the one training
minimises.

Knows nothing about the estimator's parameters or about training loops;
Keras is imported inside the functions that build or run the head.
"""

import dataclasses

import numpy as np
import scipy.sparse as sp
from sklearn.utils import check_array
from sklearn.utils.multiclass import type_of_target

__all__ = ["TargetEncoding", "encode_targets", "guess_reconstruction_loss", "make_head",
           "target_losses", "with_targets"]

#: Marks an unlabelled row among classes (``sklearn.semi_supervised``'s convention).
UNLABELLED = -1


@dataclasses.dataclass(frozen=True)
class TargetEncoding:
    """How a target is turned into training columns.

    Attributes
    ----------
    kind : {"classes", "values"}
        Class labels (cross-entropy on the head's logits) or numeric values
        (squared error of the standardised values).
    classes : ndarray or None
        The sorted class labels (``"classes"``).
    mean, scale : ndarray or None
        Each output's mean and standard deviation over the labelled rows
        (``"values"``).
    """

    kind: str
    classes: object = None
    mean: object = None
    scale: object = None

    @property
    def n_outputs(self):
        """Width of the head: the number of classes, or of numeric outputs."""
        return len(self.classes) if self.kind == "classes" else len(self.mean)

    @property
    def n_columns(self):
        """Columns the target takes beside the rows: the encoded target and the mask."""
        return (1 if self.kind == "classes" else len(self.mean)) + 1

    def guess_loss(self):
        """A row's loss for a guess that ignores the code: what the head's loss is divided by.

        ``log(n_classes)`` for classes (the uniform guess) and 1 for
        standardised values (their mean), so that a weight of 1 means the
        same on every target.  One class is always guessed right: its loss
        is zero whatever it is divided by, and 1 is returned.
        """
        if self.kind == "classes" and len(self.classes) > 1:
            return float(np.log(len(self.classes)))
        return 1.0

    def encode(self, y):
        """``(n_samples, n_columns)`` float32: the encoded target, then 1 (labelled) or 0."""
        labelled = _labelled(y, self.kind)
        columns = np.zeros((len(y), self.n_columns), np.float32)
        columns[:, -1] = labelled
        known = y[labelled]
        if self.kind == "classes":
            unknown = np.setdiff1d(known, self.classes)
            if len(unknown):
                raise ValueError(
                    f"y has classes {unknown.tolist()!r} that the network was not trained on "
                    f"(it knows {self.classes.tolist()!r}). Set warm_start=False to train a "
                    "new one.")
            columns[labelled, 0] = np.searchsorted(self.classes, known)
        else:
            values = known.reshape(len(known), -1)
            if values.shape[1] != len(self.mean):
                raise ValueError(
                    f"y has {values.shape[1]} outputs, but the network was trained on "
                    f"{len(self.mean)}. Set warm_start=False to train a new one.")
            columns[labelled, :-1] = (values - self.mean) / self.scale
        return columns


def _labelled(y, kind):
    """Which rows have a label: not -1 among classes, not NaN among values."""
    if kind == "values":
        return ~np.isnan(y.reshape(len(y), -1)).any(axis=1)
    if y.dtype.kind in "iuf":
        return y != UNLABELLED
    if y.dtype.kind == "O":
        return np.array([not (isinstance(v, (int, np.integer)) and v == UNLABELLED) for v in y],
                        dtype=bool)
    return np.ones(len(y), dtype=bool)


def _read(y, n_samples):
    """``y`` as an array of ``n_samples`` rows (one or more outputs), and its kind."""
    y = check_array(y, ensure_2d=False, dtype=None, ensure_all_finite=False, input_name="y")
    if y.shape[0] != n_samples:
        raise ValueError(
            f"Found input variables with inconsistent numbers of samples: [{n_samples}, "
            f"{y.shape[0]}]")
    if y.ndim == 2 and y.shape[1] == 1:
        y = y[:, 0]
    if y.dtype.kind == "f":
        if np.isinf(y).any():
            raise ValueError("Input y contains infinity: mark an unlabelled row with NaN.")
        return y.astype(np.float64), "values"
    if y.ndim != 1:
        raise ValueError(
            f"y of shape {y.shape} holds several columns of class labels, which the head does "
            "not predict: pass one column of labels, or numeric (float) targets.")
    target_type = type_of_target(y[_labelled(y, "classes")], input_name="y")
    if target_type not in ("binary", "multiclass"):
        raise ValueError(f"Unknown label type: {target_type!r}. Pass class labels or floats.")
    return y, "classes"


def encode_targets(y, n_samples, encoding=None):
    """``(columns, encoding)`` of ``y``: see :meth:`TargetEncoding.encode`.

    Parameters
    ----------
    y : array-like of shape (n_samples,) or (n_samples, n_outputs)
        Floats are numeric targets (NaN marks an unlabelled row); integers,
        strings and booleans are class labels (-1 marks an unlabelled row).
    n_samples : int
        Rows of ``X``.
    encoding : TargetEncoding or None
        The encoding of a continued fit; None learns one from ``y``.

    Returns
    -------
    columns : ndarray of shape (n_samples, n_columns), dtype float32
    encoding : TargetEncoding

    Raises
    ------
    ValueError
        If ``y`` does not match the rows, is neither classes nor numbers, has
        no labelled row, or does not match ``encoding``.
    """
    y, kind = _read(y, n_samples)
    if encoding is not None and encoding.kind != kind:
        raise ValueError(
            f"y holds {kind}, but the network was trained on {encoding.kind}. Set "
            "warm_start=False to train a new one.")
    labelled = _labelled(y, kind)
    if not labelled.any():
        raise ValueError("y has no labelled row (every row is marked unlabelled).")
    if encoding is None:
        known = y[labelled]
        if kind == "classes":
            encoding = TargetEncoding("classes", classes=np.unique(known))
        else:
            values = known.reshape(len(known), -1)
            scale = values.std(axis=0)
            encoding = TargetEncoding("values", mean=values.mean(axis=0),
                                      scale=np.where(scale > 0, scale, 1.0))
    return encoding.encode(y), encoding


def make_head(n_components, encoding, seed):
    """A linear layer from the code to the target: class logits, or standardised values."""
    import keras

    codes = keras.Input(shape=(n_components,), dtype="float32", name="code")
    outputs = keras.layers.Dense(
        encoding.n_outputs, kernel_initializer=keras.initializers.GlorotUniform(seed=int(seed)),
        name="target")(codes)
    return keras.Model(codes, outputs, name="head")


def target_losses(kind, columns, predictions):
    """Each row's loss of the head's ``predictions`` for the encoded target (mask not applied).

    ``columns`` are the encoded target without the mask column; Keras
    tensors or arrays.  Classes: the cross-entropy of the logits; values:
    the mean squared error over the outputs.
    """
    import keras

    if kind == "classes":
        labels = keras.ops.cast(columns[:, 0], "int32")
        return keras.losses.sparse_categorical_crossentropy(labels, predictions, from_logits=True)
    return keras.ops.mean(keras.ops.square(predictions - columns), axis=-1)


def guess_reconstruction_loss(X, loss, max_rows=1024):
    """The reconstruction loss of rows of ``X`` reconstructed by the column means.

    What a weight of 1 compares the head's loss with: a head no better than
    a guess costs a labelled row as much as a network that reconstructs every
    row by the mean (on at most ``max_rows`` rows, evenly spaced).
    """
    import keras

    from ._arrays import dense_float32

    rows = np.unique(np.linspace(0, X.shape[0] - 1, min(max_rows, X.shape[0])).astype(int))
    sample = dense_float32(X[rows])
    means = np.broadcast_to(np.asarray(X.mean(axis=0), np.float32).reshape(1, -1), sample.shape)
    value = keras.ops.mean(keras.losses.get(loss)(sample, means))
    return float(keras.ops.convert_to_numpy(value))


def with_targets(X, columns):
    """The rows of ``X`` with the target's columns appended (sparse rows stay sparse)."""
    if sp.issparse(X):
        return sp.hstack([X, sp.csr_matrix(columns)], format="csr", dtype=np.float32)
    return np.hstack([np.asarray(X, np.float32), columns])
