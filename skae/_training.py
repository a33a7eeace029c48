"""Training an autoencoder: one step, one call of Keras's ``fit``.

Knows nothing about scikit-learn.  :func:`train` takes the networks of an
architecture, the data and a :class:`~skae._settings.TrainingSettings`, and
runs Keras's ``fit`` on an :class:`AutoencoderTrainer` with Keras's own
callbacks (``EarlyStopping(restore_best_weights=True)``,
``TerminateOnNaN``), losses and optimizer lookup.  How batches reach the step
and how it is compiled is the plan of :func:`skae._fast.plan_training`.
All randomness comes from the seed passed in: the batch order is drawn from
a private :class:`numpy.random.Generator`, so training never reads or
advances a global random state.
"""

import collections
import json
import math
import threading

import keras
import numpy as np
import scipy.sparse as sp

from . import _backend, _fast
from ._inference import dense_float32
from .exceptions import TrainingDivergedError

__all__ = ["AutoencoderTrainer", "make_optimizer", "restore_state", "snapshot_state", "train"]


def make_optimizer(name, learning_rate):
    """A fresh Keras optimizer of the named kind (``keras.optimizers.get``)."""
    return keras.optimizers.get({"class_name": name, "config": {"learning_rate": learning_rate}})


class AutoencoderTrainer(keras.Model):
    """Training-only wrapper: reconstructs a batch and adds its loss.

    Each step receives, per row of its batch, either the row's index (when
    ``data`` is given: rows are gathered from a non-trainable variable
    holding the whole data set) or the row itself, plus a weight (zero for the
    padding that makes every batch the same size; the real rows' weights sum
    to one).  The loss is the weighted sum over the batch of each sample's
    terms: the reconstruction loss, ``activity_l1`` times the L1 norm of its
    code, and the architecture's own terms (see
    :meth:`skae.architectures.Architecture.training_code`).  With more than
    one term, each is logged by name (``history_["reconstruction"]``, ...).
    In training, Gaussian noise of ``noise_stddev`` is added to the encoder's
    input (clipped to [0, 1] when ``clip_noise``); the target stays the clean
    row.  The wrapper is never saved: the autoencoder is.
    """

    def __init__(self, architecture, autoencoder, settings, *, data=None, seed=0):
        super().__init__(name="autoencoder_trainer")
        strategy = _backend.distribute_strategy()
        # Under a tf.distribute strategy Keras divides an added loss by the
        # number of replicas and sums their gradients; multiplying by it makes
        # the step's loss the global batch's mean.
        self.replicas = float(strategy.num_replicas_in_sync) if strategy is not None else 1.0
        self.multi_worker = _backend.is_multi_worker(strategy)
        if self.multi_worker:
            # Keras's TensorFlow fit first builds a model made under a strategy
            # from a batch averaged over the replicas, which fails across
            # workers (Keras 3.15, MultiWorkerMirroredStrategy: "Attempt to
            # convert a value (PerReplica...) to a Tensor", for int32 and
            # float32 batches alike).  This wrapper is built when made (see
            # train), so that step has nothing to do: without the recorded
            # strategy Keras skips it, and trains under the strategy in scope
            # (its distribute_strategy falls back to tf.distribute.get_strategy()).
            # The one place skae touches a private Keras attribute;
            # tests/test_scaling.py runs two worker processes through it.
            self._distribute_strategy = None
        self.architecture = architecture
        self.autoencoder = autoencoder
        # public, like the rest of the wrapper: callbacks may read them
        self.encoder, self.decoder = architecture.split(autoencoder)
        self.settings = settings
        self.loss_fn = keras.losses.get(settings.loss)
        self.seed_generator = keras.random.SeedGenerator(int(seed))
        self.data = None if data is None else keras.Variable(
            data, trainable=False, dtype="float32", name="training_data")
        names = ["reconstruction", *(["l1"] if settings.activity_l1 else []),
                 *getattr(architecture, "loss_terms", ())]
        self.term_trackers = [keras.metrics.Mean(name=n) for n in names] if len(names) > 1 else []

    def call(self, inputs, training=False):
        rows, weights = inputs
        x = rows if self.data is None else keras.ops.take(
            self.data, keras.ops.cast(rows, "int32"), axis=0)
        x_in = x
        if training and self.settings.noise_stddev > 0:
            x_in = x + keras.random.normal(keras.ops.shape(x), stddev=self.settings.noise_stddev,
                                           seed=self.seed_generator)
            if self.settings.clip_noise:
                x_in = keras.ops.clip(x_in, 0.0, 1.0)
        code, extra = self.architecture.training_code(
            self.autoencoder, x_in, training=training, seed_generator=self.seed_generator)
        reconstruction = self.decoder(code, training=training)
        terms = [self.loss_fn(x, reconstruction)]
        if self.settings.activity_l1:
            terms.append(self.settings.activity_l1 * keras.ops.sum(keras.ops.abs(code), axis=-1))
        terms.extend(extra.values())
        per_sample = terms[0]
        for term in terms[1:]:
            per_sample = per_sample + term
        self.add_loss(keras.ops.sum(per_sample * weights) * self.replicas)
        # each term's batch mean, for its tracker (none when the loss has one term)
        logged = [keras.ops.sum(term * weights) for term in terms] if self.term_trackers else []
        return reconstruction, logged

    def compute_metrics(self, x, y, y_pred, sample_weight=None):
        for tracker, value in zip(self.term_trackers, y_pred[1]):
            tracker.update_state(value)
        logs = super().compute_metrics(x, y, y_pred, sample_weight)
        if self.multi_worker:
            # Keras reduces each logged value over the workers with a mean
            # along axis 0, which a scalar lacks; one-element vectors reduce
            # to the scalar mean.
            logs = {key: keras.ops.reshape(value, (1,)) for key, value in logs.items()}
        return logs

    def get_weights(self):
        """The autoencoder's weights, without the training-data buffer.

        What Keras's callbacks copy (``EarlyStopping(restore_best_weights=True)``
        does each time the monitored loss improves): a copy of the whole data
        set each time would cost as much memory as the data.
        """
        return [_backend.to_numpy(v) for v in self.autoencoder.weights]

    def set_weights(self, weights):
        """Set the autoencoder's weights (the inverse of :meth:`get_weights`)."""
        for variable, value in zip(self.autoencoder.weights, weights, strict=True):
            variable.assign(value)


def _normalized_weights(n, batch_size, length):
    """Weights of ``length`` rows cut into batches, the first ``n`` real.

    Each batch's real rows weigh one over their number, padding rows zero, so
    a batch's weights sum to one and the weighted sum of per-sample losses is
    the mean over the batch's real rows.
    """
    weights = np.zeros(length, dtype=np.float32)
    for start in range(0, n, batch_size):
        stop = min(start + batch_size, n)
        weights[start:stop] = 1.0 / (stop - start)
    return weights


def _epoch_plans(rows, batch_size, epochs, shuffle, rng):
    """Row indices and weights of every step, padded to full batches."""
    n = len(rows)
    steps = math.ceil(n / batch_size)
    padded = steps * batch_size
    indices = np.zeros((epochs, padded), dtype=np.int32)
    for epoch in range(epochs):
        indices[epoch, :n] = rows[rng.permutation(n)] if shuffle else rows
    weights = np.tile(_normalized_weights(n, batch_size, padded), epochs)
    return indices.reshape(-1), weights, steps


class _RowBatches(keras.utils.PyDataset):
    """Batches ``((rows, weights),)`` of dense float32 rows of ``X`` (sparse or dense)."""

    def __init__(self, X, indices, weights, batch_size):
        super().__init__()
        self.X, self.indices, self.weights, self.batch_size = X, indices, weights, batch_size

    def __len__(self):
        return math.ceil(len(self.indices) / self.batch_size)

    def __getitem__(self, i):
        sl = slice(i * self.batch_size, (i + 1) * self.batch_size)
        return ((dense_float32(self.X[self.indices[sl]]), self.weights[sl]),)


def _feed(plan, X, indices, weights, batch_size, validation_rows):
    """Keras ``fit`` arguments that deliver the plan's batches (and validation batches)."""
    def batched(arrays, size):
        return _fast.index_batches(arrays, size, eager=plan.run_eagerly)

    if plan.feed == "gather":
        kwargs = batched((indices, weights), batch_size)
    elif plan.feed == "arrays":
        # A chunk for partial_fit, made dense and copied once in the plan's row
        # order: its memory is the caller's choice of chunk size.  (A PyDataset
        # would not copy, but the reused trainer keeps every PyDataset it was
        # given alive, with its chunk, for as long as the trainer lives.)
        kwargs = batched((dense_float32(X)[indices], weights), batch_size)
    else:
        kwargs = {"x": _RowBatches(X, indices, weights, batch_size)}
    if validation_rows is not None and len(validation_rows):
        rows = np.asarray(validation_rows, dtype=np.int32)
        val_weights = _normalized_weights(len(rows), batch_size, len(rows))
        if plan.feed == "gather":
            validation = batched((rows, val_weights), batch_size)
            if "batch_size" in validation:  # arrays: Keras batches them
                kwargs["validation_data"] = (validation["x"], None)
                kwargs["validation_batch_size"] = batch_size
            else:
                kwargs["validation_data"] = validation["x"]
        else:
            kwargs["validation_data"] = _RowBatches(X, rows, val_weights, batch_size)
    return kwargs


def _new_trainer(architecture, autoencoder, settings, plan, optimizer, *, data, seed):
    """A compiled :class:`AutoencoderTrainer` with a built optimizer."""
    trainer = AutoencoderTrainer(architecture, autoencoder, settings, data=data, seed=seed)
    trainer.compile(optimizer=optimizer, steps_per_execution=plan.steps_per_execution,
                    jit_compile=plan.jit_compile, run_eagerly=plan.run_eagerly)
    # Every variable exists by now (the networks are built, the wrapper
    # makes its own in __init__), so the wrapper is built; the optimizer's
    # slots are made here, inside any tf.distribute strategy's scope.
    trainer.built = True
    if not optimizer.built:
        optimizer.build(trainer.trainable_variables)
    return trainer


# ------------------------------------------------- compiled steps, reused
# A new estimator builds new networks, and a new network's training step
# used to be traced and compiled again at each fit: about 1.5 s on
# TensorFlow and 0.4 s on JAX, paid by every fit of a search.  A fit whose
# step is compiled (not eager, not streamed, no distribution, data of at
# most SMALL_DENSE_VALUES values) trains instead a trainer kept from an
# earlier fit of a network of the same structure and settings: the network's
# weights and optimizer state are copied in before and out after, the data
# into the trainer's data variable (rows padded to a multiple of
# _REUSE_ROWS, so the folds of a cross-validation, which differ by a row,
# share one), and the step's seed reset.  At most _REUSE_MAX trainers are
# kept, the least recently used dropped first; each holds a copy of its last
# data (at most 64 MiB).

#: Rows of a reused trainer's data variable are a multiple of this.
_REUSE_ROWS = 512

#: Trainers kept for reuse.
_REUSE_MAX = 2


class _TrainerPool:
    """Trainers by key, each taken out while a fit uses it (thread-safe)."""

    def __init__(self, size):
        self.size = size
        self._lock = threading.Lock()
        self._trainers = collections.OrderedDict()

    def take(self, key):
        with self._lock:
            return self._trainers.pop(key, None)

    def give(self, key, trainer):
        with self._lock:
            self._trainers[key] = trainer
            while len(self._trainers) > self.size:
                self._trainers.popitem(last=False)

    def clear(self):
        with self._lock:
            self._trainers.clear()


_TRAINERS = _TrainerPool(_REUSE_MAX)


def _structure(model):
    """What a network's compiled step depends on: its layers, activations and weight shapes.

    Read from the layers rather than from ``get_config``, which imports
    TensorFlow on every backend (2.5 s on JAX).  The architecture's settings
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


def _reuse_key(architecture, autoencoder, X, settings, plan, optimizer, batch_size):
    """What a reused trainer must share with this fit, or None if it is not reused."""
    if (plan.feed != "gather" or plan.run_eagerly or _backend.distributed()
            or X.shape[0] * X.shape[1] > _backend.SMALL_DENSE_VALUES):
        return None
    params = architecture.get_params(deep=True)
    return (
        keras.backend.backend(), type(architecture).__qualname__,
        json.dumps({k: v if isinstance(v, (int, float, str, bool, tuple, list, type(None)))
                    else type(v).__qualname__ for k, v in sorted(params.items())}),
        repr(_structure(autoencoder)),
        settings.step_key(), plan, type(optimizer).__qualname__, batch_size,
        -(-X.shape[0] // _REUSE_ROWS) * _REUSE_ROWS, X.shape[1],
    )


def _padded_rows(X):
    """``X`` as float32 with zero rows appended up to a multiple of ``_REUSE_ROWS``."""
    data = np.zeros((-(-X.shape[0] // _REUSE_ROWS) * _REUSE_ROWS, X.shape[1]), np.float32)
    for start in range(0, X.shape[0], _REUSE_ROWS):  # sparse data densified a block at a time
        block = dense_float32(X[start:start + _REUSE_ROWS])
        data[start:start + len(block)] = block
    return data


def _counterparts(trainer, autoencoder):
    """``autoencoder``'s variables in the order of ``trainer``'s trainable ones."""
    position = {id(v): i for i, v in enumerate(trainer.autoencoder.weights)}
    return [autoencoder.weights[position[id(v)]] for v in trainer.trainable_variables]


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


def _load(trainer, autoencoder, optimizer):
    """Copy the weights and optimizer state of a fit into a reused trainer."""
    if not optimizer.built:
        optimizer.build(_counterparts(trainer, autoencoder))
    _copy_state((autoencoder, optimizer), (trainer.autoencoder, trainer.optimizer))


def train(architecture, autoencoder, X, settings, *, optimizer, seed, train_rows=None,
          validation_rows=None, callbacks=(), stream=False, trainer=None, rebuild=None):
    """Train ``autoencoder`` to reconstruct rows of ``X``.

    Parameters
    ----------
    architecture : skae.architectures.Architecture
        The kind that built the networks (its :meth:`training_code`).
    autoencoder : keras.Model
        The network the architecture built (trained in place).
    X : ndarray or scipy sparse CSR matrix of shape (n_samples, n_features)
        Data.
    settings : skae._settings.TrainingSettings
        How to train.
    optimizer : keras.optimizers.Optimizer
        The optimizer (its state carries over between calls).
    seed : int
        Seed of the batch order and of the step's random numbers.
    train_rows, validation_rows : ndarray of int, default=None
        Rows of ``X`` to train on (all by default) and to compute
        ``val_loss`` on after each epoch (none by default).
    callbacks : sequence of keras.callbacks.Callback
        Further callbacks for ``fit``.
    stream : bool, default=False
        A ``partial_fit`` chunk: the returned trainer can be passed back as
        ``trainer`` for the next chunk, which then does not compile again.
    trainer : AutoencoderTrainer, default=None
        A trainer from an earlier ``stream=True`` call with the same
        networks, optimizer and :meth:`~skae._settings.TrainingSettings.step_key`.
    rebuild : callable, default=None
        Returns a new network of the same structure as ``autoencoder`` (any
        weights): with it, a compiled step may be kept for later fits of
        networks of this structure, and one kept from an earlier fit used.

    Returns
    -------
    history : dict of str to list of float
        Keras's history (``loss``; ``val_loss`` with validation rows; each
        loss term when there are several).
    best_epoch : int
        Epoch (1-based) whose weights the networks hold at the end.
    trainer : AutoencoderTrainer
        The trainer used.

    Raises
    ------
    skae.TrainingDivergedError
        If the loss or the weights became NaN or infinite.
    """
    rows = np.arange(X.shape[0]) if train_rows is None else np.asarray(train_rows)
    batch_size = min(settings.batch_size, len(rows))
    rng = np.random.default_rng(seed)
    indices, weights, steps = _epoch_plans(rows, batch_size, settings.epochs, settings.shuffle, rng)
    step_seed = int(rng.integers(np.iinfo(np.int32).max))
    plan = _fast.plan_training(
        n_rows=len(rows), n_features=X.shape[1], steps=steps, epochs=settings.epochs,
        stream=stream, xla_on_cpu=architecture.xla_on_cpu,
        sparse=sp.issparse(X) and X.shape[0] * X.shape[1] > _backend.SMALL_DENSE_VALUES,
        noise=settings.noise_stddev > 0,
    )
    reuse_key = None if trainer is not None or rebuild is None else _reuse_key(
        architecture, autoencoder, X, settings, plan, optimizer, batch_size)
    if reuse_key is not None:
        trainer = _TRAINERS.take(reuse_key)
        if trainer is None:
            # private networks of the same structure, so that the compiled
            # step can outlive this estimator and serve the next one
            # (keras.models.clone_model would do, but it imports TensorFlow
            # on every backend: 1.7 s on JAX)
            private = rebuild()
            if _structure(private) == _structure(autoencoder):
                trainer = _new_trainer(
                    architecture, private, settings, plan,
                    optimizer.__class__.from_config(optimizer.get_config()),
                    data=_padded_rows(X), seed=step_seed)
            else:  # e.g. a network loaded from an older file: trained as it is
                reuse_key = None
        else:
            trainer.data.assign(_padded_rows(X))
            state = trainer.seed_generator.state
            state.assign(np.asarray([step_seed, 0], dtype=state.dtype))
        if reuse_key is not None:
            _load(trainer, autoencoder, optimizer)
    if trainer is None:
        trainer = _new_trainer(
            architecture, autoencoder, settings, plan, optimizer, seed=step_seed,
            data=dense_float32(X) if plan.feed == "gather" else None)

    stopper = None
    if settings.early_stopping:
        has_validation = validation_rows is not None and len(validation_rows)
        stopper = keras.callbacks.EarlyStopping(
            monitor="val_loss" if has_validation else "loss", mode="min",
            min_delta=settings.tol, patience=settings.n_iter_no_change,
            restore_best_weights=True,
        )
    stop_on_nan = keras.callbacks.TerminateOnNaN()
    # It only reads the logged loss and sets stop_training, so on TensorFlow Keras
    # may call it off the main thread; without this its batch hook makes Keras
    # dispatch every callback synchronously, and epochs took 0.066 s instead of
    # 0.051 (benchmarks/bench_speed.py, TensorFlow, 2 cores).  Not on JAX: there a
    # loss that became NaN, called off the thread, once left the network's
    # variables purged when early stopping read them at the epoch's end (a
    # RuntimeError, "Array has been deleted", instead of TrainingDivergedError;
    # tests/test_reliability.py).
    stop_on_nan.async_safe = _backend.backend() == "tensorflow"
    keras_history = _fast.fit_function(trainer, plan)(
        epochs=settings.epochs, steps_per_epoch=steps, shuffle=False, verbose=settings.verbose,
        callbacks=[stop_on_nan, *([stopper] if stopper else []),
                   *architecture.training_callbacks(trainer.autoencoder, X, rows), *callbacks],
        **_feed(plan, X, indices, weights, batch_size, validation_rows),
    )
    if reuse_key is not None:
        _copy_state((trainer.autoencoder, trainer.optimizer), (autoencoder, optimizer))
        _TRAINERS.give(reuse_key, trainer)
    history = {key: [float(v) for v in values] for key, values in keras_history.history.items()}
    if not np.all(np.isfinite(history["loss"])) or not all(
        np.all(np.isfinite(_backend.to_numpy(w))) for w in trainer.trainable_weights
    ):
        raise TrainingDivergedError(
            f"Training diverged: the loss became {history['loss'][-1]} at epoch "
            f"{len(history['loss'])}. Try a smaller learning_rate, scale X (e.g. with "
            "sklearn.preprocessing.StandardScaler or MinMaxScaler), or a smaller "
            "activity_l1. The estimator was left as it was before this fit."
        )
    best_epoch = stopper.best_epoch + 1 if stopper else len(history["loss"])
    return history, best_epoch, trainer


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
