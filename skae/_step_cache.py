"""Compiled training steps kept between fits: the shared pool, and one estimator's stream.

A new estimator builds new networks, and a new network's training step is
traced and compiled again at its first fit, a fixed cost paid by every fit
of a search.  Two caches avoid it, behind
the same two calls, :meth:`acquire` (a trainer for this fit, or None: make
one) and :meth:`release` (the fit is over):

* :data:`SHARED_STEPS`, for ``fit``: a fit whose step is compiled (not
  eager, no distribution, data of at most
  :data:`~skae._arrays.SMALL_DENSE_VALUES` values) trains a trainer kept
  from an earlier fit of a network of the same structure and settings.  The
  network's weights and optimizer state are copied in before and out after,
  the data into the trainer's data variable (rows padded to a multiple of
  :data:`REUSE_ROWS`, so the folds of a cross-validation, which differ by a
  row, share one) and zeros into it once the fit ends, so that no row of
  the user's outlives the fit; the step's seed is reset.  The trainer trains
  private networks of the same structure, so that its step can outlive the
  estimator.  How many trainers are kept is the ``kept_steps`` setting
  (:func:`skae.set_config`), read at each fit.  ``benchmarks/bench_search.py``
  times a grid search with and without (``SKAE_KEPT_STEPS=0``) kept steps.
* :class:`StreamSteps`, one per estimator, for ``partial_fit``: the trainer
  of the last chunk, used again while the optimizer and the step's settings
  are the same.

Knows nothing about scikit-learn or how a trainer is made: :meth:`acquire`
is given the function that makes one.
"""

import collections
import dataclasses
import json
import threading

import keras
import numpy as np

from . import _arrays, _backend
from ._arrays import dense_float32
from ._config import get_config, on_change

__all__ = ["REUSE_ROWS", "SHARED_STEPS", "TrainingRun", "SharedSteps", "StreamSteps"]

#: Rows of a kept trainer's data variable are a multiple of this: the folds
#: of a 5-fold cross-validation of up to a few thousand rows differ by one row
#: and share a size; each kept trainer holds one such padded copy of its
#: last data (at most 64 MiB, :data:`~skae._arrays.SMALL_DENSE_VALUES`).
REUSE_ROWS = 512

@dataclasses.dataclass(frozen=True)
class TrainingRun:
    """What one fit trains, and how: all a cache needs to find or make a trainer.

    Attributes
    ----------
    network : skae._training.TrainedNetwork
        The autoencoder trained (``network.model``), the kind that built it
        (``network.architecture``) and ``network.rebuild()``, a new network
        of the same structure.
    X : ndarray or sparse matrix
        The data.
    settings : skae._settings.TrainingSettings
    plan : skae._plan.TrainingPlan
    optimizer : keras.optimizers.Optimizer
    batch_size : int
    seed : int
        Seed of the step's random numbers.
    """

    network: object
    X: object
    settings: object
    plan: object
    optimizer: object
    batch_size: int
    seed: int


def _structure(model):
    """What a network's compiled step depends on: its layers, activations and weight shapes.

    Read from the layers rather than from ``get_config``, which imports
    TensorFlow on every backend (seconds on JAX).  The architecture's settings
    are part of the key too (strides, padding and the like follow from them).
    """
    layers = []
    for layer in model.layers:
        if isinstance(layer, keras.Model):
            layers.append((layer.name, _structure(layer)))
        else:
            activation = getattr(layer, "activation", None)
            layers.append((type(layer).__qualname__, layer.name,
                           getattr(activation, "__name__", repr(activation)),
                           [tuple(v.shape) for v in layer.weights]))
    return layers


def _padded_rows(X):
    """``X`` as float32 with zero rows appended up to a multiple of ``REUSE_ROWS``."""
    data = np.zeros((-(-X.shape[0] // REUSE_ROWS) * REUSE_ROWS, X.shape[1]), np.float32)
    for start in range(0, X.shape[0], REUSE_ROWS):  # sparse data densified a block at a time
        block = dense_float32(X[start:start + REUSE_ROWS])
        data[start:start + len(block)] = block
    return data


def _counterparts(trainer, network):
    """``network``'s variables in the order of ``trainer``'s trainable ones."""
    position = {id(v): i for i, v in enumerate(trainer.autoencoder.weights)}
    return [network.weights[position[id(v)]] for v in trainer.trainable_variables]


def _copy_state(source, target):
    """Assign the weights and optimizer variables of ``source`` to ``target``.

    Each is ``(network, optimizer)``, of the same structure, the optimizers
    built on corresponding variables (see :func:`_counterparts`).
    """
    (model, optimizer), (model_to, optimizer_to) = source, target
    for values, variables in ((model.weights, model_to.weights),
                              (optimizer.variables, optimizer_to.variables)):
        for value, variable in zip(values, variables, strict=True):
            variable.assign(_backend.to_numpy(value))


class SharedSteps:
    """Trainers by what their step was compiled for, shared by every estimator (thread-safe).

    How many it keeps is the ``kept_steps`` setting (:func:`skae.get_config`)
    at each fit's end; 0 keeps none: every fit compiles its own step.
    """

    streams = False  # fit: the plan feeds gathered rows

    def __init__(self):
        self._lock = threading.Lock()
        self._trainers = collections.OrderedDict()
        self._in_use = {}  # id(trainer) -> (key, trainer), for each trainer a fit holds

    @staticmethod
    def _key(run):
        """What a kept trainer must share with ``run``, or None if its step is not kept.

        Not kept: a network that cannot be rebuilt or trains a target's head
        (whose variables are not the network's, so the kept step could not
        train another estimator's), an eager or streamed or distributed fit,
        or data too large for the pool to copy.
        """
        X = run.X
        if (run.network.rebuild is None or run.network.head is not None
                or run.plan.feed != "gather" or run.plan.run_eagerly
                or _backend.distributed() or X.shape[0] * X.shape[1] > _arrays.SMALL_DENSE_VALUES):
            return None
        architecture = run.network.architecture
        params = architecture.get_params(deep=True)
        return (
            keras.backend.backend(), type(architecture).__qualname__,
            json.dumps({k: v if isinstance(v, (int, float, str, bool, tuple, list, type(None)))
                        else type(v).__qualname__ for k, v in sorted(params.items())}),
            repr(_structure(run.network.model)),
            run.settings.step_key(), run.plan, type(run.optimizer).__qualname__,
            run.batch_size, -(-X.shape[0] // REUSE_ROWS) * REUSE_ROWS, X.shape[1],
        )

    def acquire(self, run, make):
        """A trainer holding ``run``'s network state and data, or None when the step is not kept.

        ``make(network, optimizer, data)`` makes a new trainer of a network
        and optimizer on gathered ``data``.
        """
        key = self._key(run)
        if key is None or get_config()["kept_steps"] == 0:
            return None
        with self._lock:
            trainer = self._trainers.pop(key, None)
        if trainer is None:
            # private networks of the same structure, so that the compiled
            # step can outlive this estimator and serve the next one
            # (keras.models.clone_model would do, but it imports TensorFlow
            # on every backend, seconds on JAX)
            private = run.network.rebuild()
            if _structure(private) != _structure(run.network.model):
                return None  # e.g. a network loaded from an older file: trained as it is
            optimizer = run.optimizer.__class__.from_config(run.optimizer.get_config())
            trainer = make(private, optimizer, _padded_rows(run.X))
        else:
            trainer.data.assign(_padded_rows(run.X))
            state = trainer.seed_generator.state
            state.assign(np.asarray([run.seed, 0], dtype=state.dtype))
        if not run.optimizer.built:
            run.optimizer.build(_counterparts(trainer, run.network.model))
        _copy_state((run.network.model, run.optimizer), (trainer.autoencoder, trainer.optimizer))
        with self._lock:
            self._in_use[id(trainer)] = (key, trainer)
        return trainer

    def release(self, run, trainer, *, failed=False):
        """End ``run``'s use of ``trainer``: copy its state back into the network and keep it.

        A trainer :meth:`acquire` did not give out is left alone; after a
        fit that raised (``failed``), the trainer is dropped.  A kept
        trainer's data variable holds zeros: the rows are the user's, the
        step only needs the variable's shape.
        """
        with self._lock:
            key, held = self._in_use.pop(id(trainer), (None, None))
        if held is not trainer or failed:
            return
        _copy_state((trainer.autoencoder, trainer.optimizer), (run.network.model, run.optimizer))
        trainer.data.assign(keras.ops.zeros(trainer.data.shape, trainer.data.dtype))
        with self._lock:
            self._trainers[key] = trainer
        self.trim()

    def trim(self):
        """Drop the least recently used trainers beyond the ``kept_steps`` setting."""
        size = get_config()["kept_steps"]
        with self._lock:
            while len(self._trainers) > size:
                self._trainers.popitem(last=False)

    def clear(self):
        """Drop every kept trainer."""
        with self._lock:
            self._trainers.clear()


class StreamSteps:
    """The trainer of one estimator's last ``partial_fit`` chunk.

    Used again by the next chunk while the optimizer and the settings the
    step depends on are the same; it trains the estimator's own network.
    """

    streams = True  # partial_fit: the plan feeds the chunk's rows

    def __init__(self):
        self._key, self._trainer = None, None

    @staticmethod
    def _key_of(run):
        return id(run.optimizer), run.settings.step_key()

    def acquire(self, run, make):
        """The last chunk's trainer if it serves ``run``, else None (make one)."""
        return self._trainer if self._key == self._key_of(run) else None

    def release(self, run, trainer, *, failed=False):
        """Keep ``trainer`` for the next chunk; after a chunk that raised, keep the one before.

        (The estimator puts its network back as it was before a failed
        chunk; the trainer kept before trains that same network.)
        """
        if not failed:
            self._key, self._trainer = self._key_of(run), trainer


#: The pool every ``fit`` uses.
SHARED_STEPS = SharedSteps()
on_change(SHARED_STEPS.trim)  # kept_steps=0 gives the kept steps' memory back at once
