"""Training an autoencoder: one step, one call of Keras's ``fit``.

:func:`train` takes a :class:`TrainedNetwork`, the data and a
:class:`~skae._settings.TrainingSettings`, and runs Keras's ``fit`` on an
:class:`AutoencoderTrainer` with Keras's own callbacks
(``EarlyStopping(restore_best_weights=True)``, ``TerminateOnNaN``), losses
and optimizer lookup.  It asks :mod:`skae._plan` how the fit runs,
:mod:`skae._step_cache` for a compiled step kept from an earlier fit, and
:mod:`skae._feeding` to deliver the batches and run the loop.  All
randomness comes from the seed passed in: the batch order is drawn from a
private :class:`numpy.random.Generator`, so training never reads or advances
a global random state.

Knows nothing about scikit-learn or the estimator's parameters.
"""

import dataclasses

import keras
import numpy as np

from . import _backend, _plan
from ._arrays import dense_float32, densify_at_once
from ._feeding import epoch_plans, make_feed, run_fit
from ._step_cache import SHARED_STEPS, TrainingRun
from ._targets import target_losses
from .exceptions import TrainingDivergedError

__all__ = ["AutoencoderTrainer", "TrainedNetwork", "make_optimizer", "train"]


def make_optimizer(name, learning_rate):
    """A fresh Keras optimizer of the named kind (``keras.optimizers.get``)."""
    return keras.optimizers.get({"class_name": name, "config": {"learning_rate": learning_rate}})


@dataclasses.dataclass(frozen=True)
class TrainedNetwork:
    """The autoencoder one fit trains, with the kind that built it.

    Attributes
    ----------
    architecture : skae.architectures.Architecture
        The kind that built ``model`` (its training hooks).
    model : keras.Model
        The autoencoder, trained in place.
    rebuild : callable or None
        Returns a new network of the same structure (any weights), so that a
        compiled step can be kept for later fits of such networks; None when
        the step may not be kept.
    head : keras.Model or None
        Predicts the target from the code (``skae._targets.make_head``),
        trained in place beside the autoencoder; None without a target.
    """

    architecture: object
    model: object
    rebuild: object = None
    head: object = None


class _BuiltInTerms:
    """The estimator's own training terms, through the kind's training hooks.

    Wraps a kind: input noise (``noise_stddev``, clipped to [0, 1] for
    sigmoid outputs) is added before the kind's
    :meth:`~skae.architectures.Architecture.training_code`, and the code's L1
    norm (``activity_l1``) is a loss term named ``"l1"`` before the kind's
    own terms.  The trainer calls its ``training_code`` and ``loss_terms``
    as it would the kind's.
    """

    def __init__(self, architecture, settings):
        self.architecture, self.settings = architecture, settings
        self.loss_terms = (*(("l1",) if settings.activity_l1 else ()), *architecture.loss_terms)

    def training_code(self, autoencoder, x, *, training, seed_generator=None):
        settings = self.settings
        if training and settings.noise_stddev > 0:
            x = x + keras.random.normal(keras.ops.shape(x), stddev=settings.noise_stddev,
                                        seed=seed_generator)
            if settings.clip_noise:
                x = keras.ops.clip(x, 0.0, 1.0)
        code, terms = self.architecture.training_code(
            autoencoder, x, training=training, seed_generator=seed_generator)
        if settings.activity_l1:
            l1 = settings.activity_l1 * keras.ops.sum(keras.ops.abs(code), axis=-1)
            terms = {"l1": l1, **terms}
        return code, terms


class AutoencoderTrainer(keras.Model):
    """Training-only wrapper: reconstructs a batch and adds its loss.

    Each step receives, per row of its batch, either the row's index (when
    ``data`` is given: rows are gathered from a non-trainable variable
    holding the whole data set) or the row itself, plus a weight (zero for the
    padding that makes every batch the same size; the real rows' weights sum
    to one).  The loss is the weighted sum over the batch of each sample's
    terms: the reconstruction loss, ``activity_l1`` times the L1 norm of its
    code, the architecture's own terms (see
    :meth:`skae.architectures.Architecture.training_code`) and, with a
    ``head``, ``target_weight`` times the head's loss on a labelled row
    (each row then ends with the target's columns, which the autoencoder
    does not see).  With more than one term, each is logged by name
    (``history_["reconstruction"]``, ``history_["target"]``, ...).
    Input noise and the L1 term come through the kind's hooks
    (:class:`_BuiltInTerms`); the target stays the clean row.  The wrapper
    is never saved: the autoencoder is.
    """

    def __init__(self, architecture, autoencoder, settings, *, data=None, seed=0, head=None):
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
        self.architecture = _BuiltInTerms(architecture, settings)
        self.autoencoder = autoencoder
        self.head = head
        # public, like the rest of the wrapper: callbacks may read them
        self.encoder, self.decoder = architecture.split(autoencoder)
        self.settings = settings
        self.loss_fn = keras.losses.get(settings.loss)
        self.seed_generator = keras.random.SeedGenerator(int(seed))
        self.data = None if data is None else keras.Variable(
            data, trainable=False, dtype="float32", name="training_data")
        names = ["reconstruction", *self.architecture.loss_terms,
                 *(("target",) if head is not None else ())]
        self.term_trackers = [keras.metrics.Mean(name=n) for n in names] if len(names) > 1 else []

    def call(self, inputs, training=False):
        rows, weights = inputs
        x = rows if self.data is None else keras.ops.take(
            self.data, keras.ops.cast(rows, "int32"), axis=0)
        if self.head is not None:  # the target's columns, then the labelled rows' mask
            n = self.settings.target_columns
            x, target, labelled = x[:, :-n], x[:, -n:-1], x[:, -1]
        code, extra = self.architecture.training_code(
            self.autoencoder, x, training=training, seed_generator=self.seed_generator)
        reconstruction = self.decoder(code, training=training)
        terms = [self.loss_fn(x, reconstruction), *extra.values()]
        if self.head is not None:
            predicted = target_losses(self.settings.target_kind, target,
                                      self.head(code, training=training))
            terms.append(self.settings.target_weight * labelled * predicted)
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

    def _trained_weights(self):
        return [*self.autoencoder.weights, *(self.head.weights if self.head is not None else ())]

    def get_weights(self):
        """The autoencoder's (and the head's) weights, without the training-data buffer.

        What Keras's callbacks copy (``EarlyStopping(restore_best_weights=True)``
        does each time the monitored loss improves): a copy of the whole data
        set each time would cost as much memory as the data.
        """
        return [_backend.to_numpy(v) for v in self._trained_weights()]

    def set_weights(self, weights):
        """Set the weights :meth:`get_weights` returns."""
        for variable, value in zip(self._trained_weights(), weights, strict=True):
            variable.assign(value)


def _new_trainer(architecture, model, settings, plan, optimizer, *, data, seed, head=None):
    """A compiled :class:`AutoencoderTrainer` of ``model`` with a built optimizer."""
    trainer = AutoencoderTrainer(architecture, model, settings, data=data, seed=seed, head=head)
    trainer.compile(optimizer=optimizer, steps_per_execution=plan.steps_per_execution,
                    jit_compile=plan.jit_compile, run_eagerly=plan.run_eagerly)
    # Every variable exists by now (the networks are built, the wrapper
    # makes its own in __init__), so the wrapper is built; the optimizer's
    # slots are made here, inside any tf.distribute strategy's scope.
    trainer.built = True
    if not optimizer.built:
        optimizer.build(trainer.trainable_variables)
    return trainer


def _callbacks(architecture, model, X, rows, settings, validation_rows):
    """Keras's callbacks of a fit, the kind's after early stopping's; and the stopper."""
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
    # dispatch every callback synchronously, which slows every epoch
    # (benchmarks/bench_speed.py's seconds per epoch).  Not on JAX: there a
    # loss that became NaN, called off the thread, once left the network's
    # variables purged when early stopping read them at the epoch's end (a
    # RuntimeError, "Array has been deleted", instead of TrainingDivergedError;
    # tests/test_reliability.py).
    stop_on_nan.async_safe = _backend.backend() == "tensorflow"
    kind = architecture.training_callbacks(model, X, rows)
    return [stop_on_nan, *([stopper] if stopper else []), *kind], stopper


#: Keras's hooks called for training batches (``on_batch_*`` are their older names).
BATCH_HOOKS = ("on_train_batch_begin", "on_train_batch_end", "on_batch_begin", "on_batch_end")


def has_batch_hooks(callback):
    """Whether ``callback`` does anything in a training batch hook.

    A hook counts when the callback's class overrides Keras's empty one or
    the instance sets its own (as ``keras.callbacks.LambdaCallback`` does).
    """
    for name in BATCH_HOOKS:
        hook = getattr(callback, name, None)
        if getattr(hook, "__func__", hook) is not getattr(keras.callbacks.Callback, name):
            return True
    return False


def train(network, X, settings, *, optimizer, seed, split=None, callbacks=(),
          steps=SHARED_STEPS):
    """Train ``network.model`` to reconstruct rows of ``X``.

    Parameters
    ----------
    network : TrainedNetwork
        The autoencoder (trained in place) and the kind that built it.
    X : ndarray or scipy sparse CSR matrix of shape (n_samples, n_features)
        Data: with a head, each row ends with ``settings.target_columns``
        columns, its encoded target and mask (``skae._targets.with_targets``).
    settings : skae._settings.TrainingSettings
        How to train.
    optimizer : keras.optimizers.Optimizer
        The optimizer (its state carries over between calls).
    seed : int
        Seed of the batch order and of the step's random numbers.
    split : (ndarray of int, ndarray of int), default=None
        Rows of ``X`` to train on and to compute ``val_loss`` on after each
        epoch; by default all rows, and none.
    callbacks : sequence of keras.callbacks.Callback
        Further callbacks for ``fit`` (the user's).  When one has batch hooks
        the fit runs one step per compiled call, so that they see every
        batch.
    steps : skae._step_cache.SharedSteps or skae._step_cache.StreamSteps
        Where a compiled step may be found and kept: the shared pool
        (``fit``), or an estimator's :class:`~skae._step_cache.StreamSteps`
        (``partial_fit`` chunks, fed as arrays).

    Returns
    -------
    history : dict of str to list of float
        Keras's history (``loss``; ``val_loss`` with validation rows; each
        loss term when there are several).
    best_epoch : int
        Epoch (1-based) whose weights the networks hold at the end.

    Raises
    ------
    skae.TrainingDivergedError
        If the loss or the weights became NaN or infinite.
    """
    train_rows, validation_rows = split if split is not None else (None, None)
    # the rows the network sees, for the kind's callbacks; the step strips the target itself
    data, X = X, X[:, :-settings.target_columns] if settings.target_columns else X
    rows = np.arange(X.shape[0]) if train_rows is None else np.asarray(train_rows)
    batch_size = min(settings.batch_size, len(rows))
    rng = np.random.default_rng(seed)
    indices, weights, steps_per_epoch = epoch_plans(
        rows, batch_size, settings.epochs, settings.shuffle, rng)
    step_seed = int(rng.integers(np.iinfo(np.int32).max))
    plan = _plan.plan_training(
        network=network.model, settings=settings, n_rows=len(rows), n_features=data.shape[1],
        steps=steps_per_epoch, stream=steps.streams, sparse=not densify_at_once(data),
        batch_hooks=any(has_batch_hooks(cb) for cb in callbacks),
    )
    run = TrainingRun(network=network, X=data, settings=settings, plan=plan, optimizer=optimizer,
                      batch_size=batch_size, seed=step_seed)
    trainer = steps.acquire(run, lambda model, fresh_optimizer, data: _new_trainer(
        network.architecture, model, settings, plan, fresh_optimizer, data=data, seed=step_seed))
    if trainer is None:
        trainer = _new_trainer(network.architecture, network.model, settings, plan, optimizer,
                               seed=step_seed, head=network.head,
                               data=dense_float32(data) if plan.feed == "gather" else None)
    own, stopper = _callbacks(network.architecture, trainer.autoencoder, X, rows, settings,
                              validation_rows)
    try:
        keras_history = run_fit(
            trainer, plan, make_feed(plan, data, indices, weights, batch_size, validation_rows),
            epochs=settings.epochs, steps_per_epoch=steps_per_epoch, verbose=settings.verbose,
            callbacks=[*own, *callbacks],
        )
    except BaseException:
        steps.release(run, trainer, failed=True)
        raise
    steps.release(run, trainer)
    history = {key: [float(v) for v in values] for key, values in keras_history.history.items()}
    if not np.all(np.isfinite(history["loss"])) or not all(
        np.all(np.isfinite(_backend.to_numpy(w))) for w in network.model.trainable_weights
    ):
        raise TrainingDivergedError(
            f"Training diverged: the loss became {history['loss'][-1]} at epoch "
            f"{len(history['loss'])}. Try a smaller learning_rate, scale X (e.g. with "
            "sklearn.preprocessing.StandardScaler or MinMaxScaler), or a smaller "
            "activity_l1. The estimator was left as it was before this fit."
        )
    best_epoch = stopper.best_epoch + 1 if stopper else len(history["loss"])
    return history, best_epoch

