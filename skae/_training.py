"""Compiling and training Keras autoencoders.

Like :mod:`skae._architectures`, this module knows nothing about
scikit-learn.  All randomness comes from seeds passed in by the caller: the
batch order is drawn from a private :class:`numpy.random.Generator`, so training
never reads or advances a global random state.
"""

import math

import keras
import numpy as np
import scipy.sparse as sp

from ._architectures import decoder_logits
from ._inference import dense_float32, is_multi_worker
from .exceptions import TrainingDivergedError

__all__ = ["make_optimizer", "make_trainer", "restore_state", "snapshot_state",
           "train_autoencoder"]

_OPTIMIZERS = {
    "adam": keras.optimizers.Adam,
    "adamw": keras.optimizers.AdamW,
    "nadam": keras.optimizers.Nadam,
    "rmsprop": keras.optimizers.RMSprop,
    "sgd": keras.optimizers.SGD,
    "adagrad": keras.optimizers.Adagrad,
}

_LOSSES = {
    "binary_crossentropy": keras.losses.binary_crossentropy,
    "mse": keras.losses.mean_squared_error,
    "mae": keras.losses.mean_absolute_error,
}

#: Most training steps run per compiled call (Keras's ``steps_per_execution``).
MAX_STEPS_PER_EXECUTION = 32


def make_optimizer(name, learning_rate):
    """Return a fresh Keras optimizer of the named kind."""
    return _OPTIMIZERS[name](learning_rate=learning_rate)


def _binary_crossentropy_from_logits(target, logits):
    """Mean over features of the binary cross-entropy, from logits.

    ``max(z, 0) - z * x + log(1 + exp(-|z|))``: stable for any logit, and
    cheaper than the cross-entropy of probabilities (one exponential and one
    logarithm per value).
    """
    ops = keras.ops
    values = ops.relu(logits) - logits * target + ops.log1p(ops.exp(-ops.abs(logits)))
    return ops.mean(values, axis=-1)


class ReconstructionTrainer(keras.Model):
    """Training-only wrapper: fetches a batch, reconstructs it, adds the loss.

    Each training step receives, per row of its batch, either the row's index
    (``data`` given: rows are gathered from a non-trainable variable holding
    the whole data set, so batches never leave the compiled step) or the row
    itself (``data=None``: used for sparse input, densified batch by batch, and
    for ``partial_fit``), plus a weight (0 for the padding that makes every
    batch the same size).

    The loss is the weighted mean over the batch of the per-sample
    reconstruction loss, plus ``activity_l1`` times the L1 norm of the
    sample's code; padding rows therefore count for nothing.  In training,
    Gaussian noise of standard deviation ``noise_stddev`` is added to the
    encoder's input (clipped to [0, 1] when ``clip_noise``); the target stays
    the clean row.  The wrapper is never saved: the autoencoder is.
    """

    def __init__(self, encoder, decoder, loss, *, data=None, activity_l1=0.0,
                 noise_stddev=0.0, clip_noise=False, seed=0, from_logits=False, replicas=1,
                 multi_worker=False):
        super().__init__(name="reconstruction_trainer")
        self.replicas = float(replicas)
        self.multi_worker = bool(multi_worker)
        self.encoder = encoder
        self.decoder = decoder
        self.loss_fn = _LOSSES[loss]
        # With the binary cross-entropy (always behind a sigmoid), the loss can
        # be computed from the logits; that is faster where the step is
        # compiled with XLA, which fuses its element-wise operations, and
        # slower where it is not (TensorFlow without XLA: conv, noisy inputs).
        self.from_logits = loss == "binary_crossentropy" and from_logits
        self.decoder_logits = decoder_logits(decoder) if self.from_logits else None
        self.activity_l1 = float(activity_l1)
        self.noise_stddev = float(noise_stddev)
        self.clip_noise = bool(clip_noise)
        self.noise_seed = keras.random.SeedGenerator(int(seed)) if noise_stddev > 0 else None
        self.data = (
            None
            if data is None
            else keras.Variable(data, trainable=False, dtype="float32", name="training_data")
        )

    def _maybe_symbolic_build(self, iterator=None, data_batch=None):
        # Keras's TensorFlow trainer builds a model made under a tf.distribute
        # strategy from a first batch before fitting; this one is built when
        # made (see make_trainer), and that step fails on the per-replica
        # batches of a multi-worker strategy, so there is nothing to do.
        return

    def compute_metrics(self, x, y, y_pred, sample_weight=None):
        logs = super().compute_metrics(x, y, y_pred, sample_weight)
        if self.multi_worker:
            # Keras reduces each logged value over the workers with a mean
            # along axis 0, which a scalar lacks; one-element vectors reduce
            # to the scalar mean.
            logs = {key: keras.ops.reshape(value, (1,)) for key, value in logs.items()}
        return logs

    def call(self, inputs, training=False):
        rows, weights = inputs
        if self.data is None:
            x = rows
        else:  # indices (Keras may hand them over as floats when building)
            x = keras.ops.take(self.data, keras.ops.cast(rows, "int32"), axis=0)
        x_in = x
        if training and self.noise_stddev > 0:
            noise = keras.random.normal(
                keras.ops.shape(x), stddev=self.noise_stddev, seed=self.noise_seed
            )
            x_in = x + noise
            if self.clip_noise:
                x_in = keras.ops.clip(x_in, 0.0, 1.0)
        code = self.encoder(x_in, training=training)
        if self.from_logits:
            logits = self.decoder_logits(code, training=training)
            per_sample = _binary_crossentropy_from_logits(x, logits)
            reconstruction = keras.ops.sigmoid(logits)
        else:
            reconstruction = self.decoder(code, training=training)
            per_sample = self.loss_fn(x, reconstruction)
        if self.activity_l1:
            per_sample = per_sample + self.activity_l1 * keras.ops.sum(keras.ops.abs(code), axis=-1)
        # Weights sum to one over each global batch (see _normalized_weights);
        # under a tf.distribute strategy Keras divides an added loss by the
        # number of replicas and sums the replicas' gradients, so multiplying
        # by that number makes the step's loss the global batch's mean.
        self.add_loss(keras.ops.sum(per_sample * weights) * self.replicas)
        return reconstruction


class _BestWeights(keras.callbacks.Callback):
    """Track the best epoch; optionally stop early and restore its weights.

    Unlike ``keras.callbacks.EarlyStopping`` this copies only the
    autoencoder's weights, not the training data held by the wrapper.
    """

    def __init__(self, networks, monitor, *, tol, patience, stop):
        super().__init__()
        self.networks = networks
        self.monitor = monitor
        self.tol = tol
        self.patience = patience
        self.stop = stop
        self.best = np.inf
        self.best_epoch = 0
        self.best_weights = None
        self.epochs_seen = 0
        self.wait = 0
        self.diverged = False

    def on_epoch_end(self, epoch, logs=None):
        self.epochs_seen += 1
        if not np.isfinite(float((logs or {}).get("loss", 0.0))):
            self.diverged = True
            self.model.stop_training = True
            return
        value = float((logs or {}).get(self.monitor, np.nan))
        if value < self.best - self.tol:
            self.best, self.best_epoch, self.wait = value, self.epochs_seen, 0
            if self.stop:
                self.best_weights = [net.get_weights() for net in self.networks]
        else:
            self.wait += 1
            if self.stop and self.wait >= self.patience:
                self.model.stop_training = True

    def on_train_end(self, logs=None):
        if self.diverged:
            return
        if self.stop and self.best_weights is not None and self.best_epoch != self.epochs_seen:
            for net, weights in zip(self.networks, self.best_weights):
                net.set_weights(weights)
        if not self.stop:
            self.best_epoch = self.epochs_seen
        self.best_weights = None


#: Fewer training steps than this in a fit run one step per call: compiling
#: the multi-step loop costs more (about 0.15 s on TensorFlow) than it saves.
MIN_STEPS_FOR_MULTI_STEP = 64


def _steps_per_execution(steps, epochs):
    """Largest divisor of ``steps`` not above :data:`MAX_STEPS_PER_EXECUTION`.

    A compiled call must not run past the end of an epoch, so the number of
    steps it runs has to divide the steps of an epoch.
    """
    if steps * epochs < MIN_STEPS_FOR_MULTI_STEP:
        return 1
    return max(d for d in range(1, min(steps, MAX_STEPS_PER_EXECUTION) + 1) if steps % d == 0)


#: Training work (samples x features x epochs) above which compiling the step
#: with XLA pays for its compile time (about a second) on a CPU.
XLA_MIN_WORK = 5e7


def _jit_compile(allow_xla, n_rows, n_features, epochs):
    """Keras's ``jit_compile`` for a fit.

    On JAX every step is compiled with XLA anyway ("auto").  On TensorFlow
    XLA pays off only for large dense fits: its compile time is about a second,
    it slowed convolutional training down, and its random numbers (input
    noise) are about 25 times slower than TensorFlow's own on a CPU.
    """
    if keras.backend.backend() != "tensorflow":
        return "auto"
    return allow_xla and float(n_rows) * float(n_features) * epochs >= XLA_MIN_WORK


#: Fits of at most this many training steps run eagerly.  Compiling the
#: step costs about 0.5 s on TensorFlow and on JAX, an eager step 30 to 40 ms
#: on two CPU cores; measured on two cores, eager fits were faster up to 10
#: steps on both backends, about even at 15 (tiny data sets, a few epochs).
EAGER_MAX_STEPS = 12


def _run_eagerly(total_steps):
    """Whether a fit of ``total_steps`` steps should skip compiling its step.

    (Under a ``tf.distribute`` strategy :func:`make_trainer` compiles anyway.)
    """
    if total_steps > EAGER_MAX_STEPS or keras.backend.backend() not in ("tensorflow", "jax"):
        return False
    return keras.distribution.distribution() is None  # distributed training runs compiled


def distribute_strategy():
    """The ``tf.distribute`` strategy in scope, or None.

    None on other backends and outside any ``strategy.scope()`` (TensorFlow's
    default strategy).
    """
    if keras.backend.backend() != "tensorflow":
        return None
    import tensorflow as tf

    return tf.distribute.get_strategy() if tf.distribute.has_strategy() else None


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


class _ArrayBatches:
    """Batches ``((rows, weights),)`` of index and weight arrays, as Keras's fit makes them."""

    def __init__(self, rows, weights, batch_size):
        self.rows, self.weights, self.batch_size = rows, weights, batch_size

    def __len__(self):
        return math.ceil(len(self.rows) / self.batch_size)

    def __getitem__(self, i):
        sl = slice(i * self.batch_size, (i + 1) * self.batch_size)
        return ((self.rows[sl], self.weights[sl]),)


class _RowBatches(keras.utils.PyDataset):
    """Dense float32 batches of given rows of ``X`` (sparse or dense)."""

    def __init__(self, X, indices, weights, batch_size):
        super().__init__()
        self.X, self.plan = X, _ArrayBatches(indices, weights, batch_size)

    def __len__(self):
        return len(self.plan)

    def __getitem__(self, i):
        ((rows, weights),) = self.plan[i]
        return ((dense_float32(self.X[rows]), weights),)


def _logged(logs):
    return {key: float(keras.ops.convert_to_numpy(value)) for key, value in logs.items()}


def _fit_eagerly(trainer, batches, validation, *, epochs, steps, verbose, callbacks):
    """Keras's ``fit`` loop for an eager fit on TensorFlow, without tf.data.

    Keras's TensorFlow trainer feeds any data through a ``tf.data``
    pipeline, whose set-up (about 80 ms, again for the validation data) costs
    more than the few eager steps of a small fit.  This runs the same steps
    on the same batches, with the same callbacks, logs and history:
    ``batches[k]`` is the ``k``-th training batch of the whole fit (epoch
    ``k // steps``), ``validation`` the validation batches or None.
    """
    callbacks = keras.callbacks.CallbackList(
        callbacks, add_history=True, add_progbar=verbose != 0, verbose=verbose, epochs=epochs,
        steps=steps, model=trainer,
    )
    trainer.make_train_function()
    if validation is not None:
        trainer.make_test_function()
    trainer.stop_training = False
    callbacks.on_train_begin()
    epoch_logs = None
    for epoch in range(epochs):
        trainer.reset_metrics()
        callbacks.on_epoch_begin(epoch)
        for step in range(steps):
            callbacks.on_train_batch_begin(step)
            logs = trainer.train_function(iter([batches[epoch * steps + step]]))
            callbacks.on_train_batch_end(step, _logged(logs))
            if trainer.stop_training:
                break
        epoch_logs = _logged(trainer.get_metrics_result())
        if validation is not None:
            callbacks.on_test_begin()
            trainer.reset_metrics()
            for step in range(len(validation)):
                callbacks.on_test_batch_begin(step)
                logs = trainer.test_function(iter([validation[step]]))
                callbacks.on_test_batch_end(step, _logged(logs))
            val_logs = _logged(trainer.get_metrics_result())
            callbacks.on_test_end(val_logs)
            epoch_logs.update({f"val_{key}": value for key, value in val_logs.items()})
        callbacks.on_epoch_end(epoch, epoch_logs)
        if trainer.stop_training:
            break
    if epochs > 0:
        trainer.optimizer.finalize_variable_values(trainer.trainable_weights)
    callbacks.on_train_end(logs=epoch_logs)
    return trainer.history


def make_trainer(encoder, decoder, *, loss, optimizer, data=None, activity_l1=0.0,
                 noise_stddev=0.0, clip_noise=False, seed=0, steps_per_execution=1,
                 jit_compile="auto", run_eagerly=False):
    """Build and compile a :class:`ReconstructionTrainer`.

    Under a ``tf.distribute`` strategy the step is always compiled and runs
    one step per call (Keras's multi-step loop does not run there), whatever
    ``steps_per_execution`` and ``run_eagerly`` ask.
    """
    strategy = distribute_strategy()
    if strategy is not None:
        steps_per_execution, run_eagerly = 1, False
    trainer = ReconstructionTrainer(
        encoder, decoder, loss, data=data, activity_l1=activity_l1,
        noise_stddev=noise_stddev, clip_noise=clip_noise, seed=seed,
        from_logits=jit_compile is True or keras.backend.backend() != "tensorflow",
        replicas=1 if strategy is None else strategy.num_replicas_in_sync,
        multi_worker=is_multi_worker(strategy),
    )
    trainer.compile(optimizer=optimizer, steps_per_execution=steps_per_execution,
                    jit_compile=jit_compile, run_eagerly=run_eagerly)
    # Every variable exists by now (the networks are built, the wrapper makes
    # its own in __init__), so the wrapper is built; the optimizer's slots are
    # made here too, inside any tf.distribute strategy's scope.
    trainer.built = True
    if not optimizer.built:
        optimizer.build(trainer.trainable_variables)
    return trainer


#: Sparse training data whose dense float32 copy holds at most this many
#: values (64 MiB) is densified once, like dense data, instead of one batch at
#: a time.
SMALL_DENSE_VALUES = 2**24


def train_autoencoder(encoder, decoder, X, *, loss, optimizer, epochs, batch_size, shuffle,
                      seed, verbose, activity_l1=0.0, noise_stddev=0.0, clip_noise=False,
                      train_rows=None, validation_rows=None, early_stopping=False,
                      n_iter_no_change=10, tol=0.0, callbacks=(), stream=False, trainer=None,
                      allow_xla=True):
    """Train ``decoder(encoder(x))`` to reconstruct rows of ``X``.

    Parameters
    ----------
    encoder, decoder : keras.Model
        The two halves of the autoencoder (trained in place).
    X : ndarray or scipy sparse CSR matrix of shape (n_samples, n_features)
        Data.  Without ``trainer``, a dense ``X`` (or a sparse one of at
        most ``SMALL_DENSE_VALUES`` values) is copied once into a float32
        variable and batches are gathered inside the compiled step; a larger
        sparse ``X`` is densified one batch at a time.
    loss : {"binary_crossentropy", "mse", "mae"}
        Per-sample reconstruction loss.
    optimizer : keras.optimizers.Optimizer
        The optimizer (its state carries over between calls).
    epochs, batch_size : int
        Passes over the training rows and rows per gradient step.
    shuffle : bool
        Whether to visit the rows in a new random order at each epoch.
    seed : int
        Seed of the batch order and of the input noise.
    verbose : int
        Keras's verbosity (0 silent, 1 progress bar, 2 one line per epoch).
    activity_l1, noise_stddev, clip_noise
        See :class:`ReconstructionTrainer`.
    train_rows, validation_rows : ndarray of int, default=None
        Rows of ``X`` to train on (all by default) and to compute
        ``val_loss`` on after each epoch (none by default).
    early_stopping : bool, default=False
        Stop when the monitored loss (``val_loss`` with validation rows,
        ``loss`` otherwise) has not improved by more than ``tol`` for
        ``n_iter_no_change`` epochs, and restore the best epoch's weights.
    callbacks : sequence of keras.callbacks.Callback
        Further callbacks for ``fit``.
    stream : bool, default=False
        Feed the rows (a dense copy of ``X``) as data instead of copying ``X``
        into the trainer (for ``partial_fit``, whose trainer is reused across
        chunks).
    trainer : ReconstructionTrainer, default=None
        A compiled trainer from an earlier ``stream=True`` call to reuse, so
        repeated calls do not compile again.
    allow_xla : bool, default=True
        Whether the step may be compiled with XLA when the work is large
        enough (it pays off for dense networks on a CPU, not for
        convolutional ones).

    Returns
    -------
    history : dict of str to list of float
        Keras's history (``loss``, and ``val_loss`` with validation).
    best_epoch : int
        Epoch (1-based) whose weights the networks hold at the end.
    trainer : ReconstructionTrainer
        The trainer used.
    """
    n_samples = X.shape[0]
    rows = np.arange(n_samples) if train_rows is None else np.asarray(train_rows)
    batch_size = min(batch_size, len(rows))
    rng = np.random.default_rng(seed)
    indices, weights, steps = _epoch_plans(rows, batch_size, epochs, shuffle, rng)
    noise_seed = int(rng.integers(np.iinfo(np.int32).max))
    # A sparse X is densified one batch at a time, unless its dense copy is small.
    gather = not stream and (not sp.issparse(X) or X.shape[0] * X.shape[1] <= SMALL_DENSE_VALUES)
    if trainer is None or not stream:
        trainer = make_trainer(
            encoder, decoder, loss=loss, optimizer=optimizer,
            data=dense_float32(X) if gather else None, activity_l1=activity_l1,
            noise_stddev=noise_stddev, clip_noise=clip_noise, seed=noise_seed,
            steps_per_execution=_steps_per_execution(steps, epochs),
            jit_compile=_jit_compile(allow_xla and noise_stddev == 0, len(rows), X.shape[1],
                                     epochs),
            run_eagerly=not stream and _run_eagerly(steps * epochs),
        )
    if gather:
        data, extra = [indices, weights], {"batch_size": batch_size}
    elif stream:
        # A chunk for partial_fit, made dense and copied once in the plan's row
        # order: its memory is the caller's choice of chunk size.  (A PyDataset
        # would not copy, but the reused trainer keeps every PyDataset it was
        # given alive, with its chunk, for as long as the trainer lives.)
        data, extra = [dense_float32(X)[indices], weights], {"batch_size": batch_size}
    else:
        data, extra = _RowBatches(X, indices, weights, batch_size), {}
    validation = None
    if validation_rows is not None and len(validation_rows):
        val_rows = np.asarray(validation_rows, dtype=np.int32)
        val_weights = _normalized_weights(len(val_rows), batch_size, len(val_rows))
        if gather:
            validation = _ArrayBatches(val_rows, val_weights, batch_size)
            extra["validation_data"] = ([val_rows, val_weights], None)
            extra["validation_batch_size"] = batch_size
        else:
            validation = _RowBatches(X, val_rows, val_weights, batch_size)
            extra["validation_data"] = validation
        monitor = "val_loss"
    else:
        monitor = "loss"
    tracker = _BestWeights(
        [encoder, decoder], monitor, tol=tol, patience=n_iter_no_change, stop=early_stopping
    )
    if trainer.run_eagerly and keras.backend.backend() == "tensorflow":
        batches = _ArrayBatches(indices, weights, batch_size) if gather else data
        history = _fit_eagerly(trainer, batches, validation, epochs=epochs, steps=steps,
                               verbose=verbose, callbacks=[tracker, *callbacks])
    else:
        history = trainer.fit(
            data, epochs=epochs, steps_per_epoch=steps, shuffle=False, verbose=verbose,
            callbacks=[tracker, *callbacks], **extra,
        )
    history = {key: [float(v) for v in values] for key, values in history.history.items()}
    if tracker.diverged or not all(
        np.all(np.isfinite(keras.ops.convert_to_numpy(w))) for w in trainer.trainable_weights
    ):
        raise TrainingDivergedError(
            f"Training diverged: the loss became {history['loss'][-1]} at epoch "
            f"{len(history['loss'])}. Try a smaller learning_rate, scale X (e.g. with "
            "sklearn.preprocessing.StandardScaler or MinMaxScaler), or a smaller "
            "activity_l1. The estimator was left as it was before this fit."
        )
    return history, tracker.best_epoch, trainer


def snapshot_state(model, optimizer=None):
    """Copy the weights of ``model`` and the variables of ``optimizer``."""
    variables = list(model.weights) + (list(optimizer.variables) if optimizer is not None else [])
    # Variable.numpy() also reads the optimizer's counters when they are
    # tf.distribute variables, whose raw .value cannot be converted.
    return [(v, np.array(v.numpy(), copy=True)) for v in variables]


def restore_state(snapshot):
    """Assign back the values saved by :func:`snapshot_state`."""
    for variable, value in snapshot:
        variable.assign(value)
