"""A failed fit leaves no trace: the estimator, its weights and its optimizer as they were.

:func:`restored_on_error` wraps a fit; :func:`snapshot_state` and
:func:`restore_state` copy and assign back a network's weights and an
optimizer's variables.  Used by both estimators; knows nothing about how a
fit trains, and imports nothing of Keras itself (the variables it copies
come from the caller).
"""

import contextlib

import numpy as np

from . import _backend

__all__ = ["restore_state", "restored_on_error", "snapshot_state"]


def snapshot_state(model, optimizer=None):
    """Copy the weights of ``model`` and the variables of ``optimizer``."""
    variables = list(model.weights) + (list(optimizer.variables) if optimizer is not None else [])
    # to_numpy (Variable.numpy() on TensorFlow) also reads the optimizer's counters when they are
    # tf.distribute variables, whose raw .value cannot be converted.
    return [(v, np.array(_backend.to_numpy(v), copy=True)) for v in variables]


def restore_state(snapshot):
    """Assign back the values saved by :func:`snapshot_state`."""
    for variable, value in snapshot:
        variable.assign(value)


@contextlib.contextmanager
def restored_on_error(estimator, *, trains_in_place):
    """Put the estimator back as it was if the block raises.

    ``fit`` records ``n_features_in_``/``feature_names_in_`` early and, when
    continuing a fitted network (``warm_start``, ``partial_fit``), trains its
    weights in place; on any exception (a ``KeyboardInterrupt`` included) this
    restores the attributes, the weights and the optimizer state, so a failed
    or interrupted fit leaves the estimator exactly as it was.
    """
    saved = dict(estimator.__dict__)
    # a new network leaves the old one untouched: only a network trained in place is copied
    snapshot = None
    if trains_in_place:
        snapshot = snapshot_state(saved["model_"], saved.get("_optimizer"))
        if saved.get("_head") is not None:  # a target's head, trained beside the network
            snapshot += snapshot_state(saved["_head"])
    try:
        yield
    except BaseException:
        if snapshot is not None:
            restore_state(snapshot)
        estimator.__dict__.clear()
        estimator.__dict__.update(saved)
        raise
