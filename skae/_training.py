"""Compiling, training and batched inference of Keras autoencoders.

Like :mod:`skae._architectures`, this module knows nothing about
scikit-learn.  All randomness comes from seeds passed in by the caller: the
batch order is drawn from a private :class:`numpy.random.Generator`, so training
never reads or advances a global random state.
"""

import math

import keras
import numpy as np
import scipy.sparse as sp

__all__ = [
    "INFERENCE_BATCH_SIZE",
    "iter_dense_batches",
    "make_optimizer",
    "predict_batched",
    "train_autoencoder",
]

#: Rows per inference call.  Inference always runs on batches of exactly this
#: many rows (the last one zero-padded), so a row's result never depends on how
#: many other rows were transformed with it.
INFERENCE_BATCH_SIZE = 256

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


def _dense_float32(block):
    if sp.issparse(block):
        block = block.toarray()
    return np.ascontiguousarray(block, dtype=np.float32)


def iter_dense_batches(X, batch_size):
    """Yield ``(start, block)`` with ``block`` a dense float32 copy of rows.

    Sparse matrices are densified one block at a time, so memory stays bounded
    by ``batch_size`` rows.
    """
    for start in range(0, X.shape[0], batch_size):
        yield start, _dense_float32(X[start : start + batch_size])


class _ReconstructionTrainer(keras.Model):
    """Training-only wrapper: fetches a batch, reconstructs it, adds the loss.

    Each training step receives the row indices of its batch and a weight per
    row (0 for the padding that makes every batch the same size).  With
    ``data`` given, the rows are gathered from a non-trainable variable that
    holds the whole training set, so batches never leave the compiled step;
    with ``data=None`` the step receives the rows themselves (used for sparse
    input, densified batch by batch).  The loss is the weighted mean of the
    per-sample reconstruction loss, i.e. exactly the mean over the real rows.
    """

    def __init__(self, encoder, decoder, loss, data=None):
        super().__init__(name="reconstruction_trainer")
        self.encoder = encoder
        self.decoder = decoder
        self.loss_fn = _LOSSES[loss]
        self.data = (
            None
            if data is None
            else keras.Variable(data, trainable=False, dtype="float32", name="training_data")
        )

    def call(self, inputs, training=False):
        rows, weights = inputs
        x = rows if self.data is None else keras.ops.take(self.data, rows, axis=0)
        reconstruction = self.decoder(self.encoder(x, training=training), training=training)
        per_sample = self.loss_fn(x, reconstruction)
        self.add_loss(keras.ops.sum(per_sample * weights) / keras.ops.sum(weights))
        return reconstruction


def _steps_per_execution(steps):
    """Largest divisor of ``steps`` not above :data:`MAX_STEPS_PER_EXECUTION`.

    A compiled call must not run past the end of an epoch, so the number of
    steps it runs has to divide the steps of an epoch.
    """
    return max(d for d in range(1, min(steps, MAX_STEPS_PER_EXECUTION) + 1) if steps % d == 0)


#: Training work (samples x features x epochs) above which compiling the step
#: with XLA pays for its compile time (about a second) on a CPU.
XLA_MIN_WORK = 5e7


def _worth_xla(shape, epochs):
    return float(shape[0]) * float(shape[1]) * epochs >= XLA_MIN_WORK


def _epoch_plans(n_samples, batch_size, epochs, shuffle, rng):
    """Row indices and weights of every step, padded to full batches."""
    steps = math.ceil(n_samples / batch_size)
    padded = steps * batch_size
    indices = np.zeros((epochs, padded), dtype=np.int32)
    weights = np.zeros((epochs, padded), dtype=np.float32)
    for epoch in range(epochs):
        order = rng.permutation(n_samples) if shuffle else np.arange(n_samples)
        indices[epoch, :n_samples] = order
        weights[epoch, :n_samples] = 1.0
    return indices.reshape(-1), weights.reshape(-1), steps


def _sparse_batches(X, indices, weights, batch_size):
    for start in range(0, len(indices), batch_size):
        idx = indices[start : start + batch_size]
        w = weights[start : start + batch_size]
        yield (_dense_float32(X[idx]), w), None


def train_autoencoder(encoder, decoder, X, *, loss, optimizer, epochs, batch_size, shuffle,
                      seed, verbose):
    """Train ``decoder(encoder(x))`` to reconstruct ``X``; return the history.

    Parameters
    ----------
    encoder, decoder : keras.Model
        The two halves of the autoencoder (trained in place).
    X : ndarray or scipy sparse CSR matrix of shape (n_samples, n_features)
        Training data.  A dense array is copied once into a float32 variable
        and batches are gathered inside the compiled training step; a sparse
        matrix is densified one batch at a time.
    loss : {"binary_crossentropy", "mse", "mae"}
        Per-sample reconstruction loss.
    optimizer : keras.optimizers.Optimizer
        The optimizer (its state carries over between calls).
    epochs, batch_size : int
        Passes over ``X`` and rows per gradient step.
    shuffle : bool
        Whether to visit the rows in a new random order at each epoch.
    seed : int
        Seed of the batch order.
    verbose : int
        Keras's verbosity (0 silent, 1 progress bar, 2 one line per epoch).

    Returns
    -------
    history : dict of str to list of float
    """
    n_samples = X.shape[0]
    batch_size = min(batch_size, n_samples)
    rng = np.random.default_rng(seed)
    indices, weights, steps = _epoch_plans(n_samples, batch_size, epochs, shuffle, rng)
    if sp.issparse(X):
        trainer = _ReconstructionTrainer(encoder, decoder, loss)
        data = _sparse_batches(X, indices, weights, batch_size)
        extra = {}
    else:
        trainer = _ReconstructionTrainer(encoder, decoder, loss, data=_dense_float32(X))
        data = [indices, weights]
        extra = {"batch_size": batch_size}
    trainer.compile(
        optimizer=optimizer,
        steps_per_execution=_steps_per_execution(steps),
        jit_compile=_worth_xla(X.shape, epochs),
    )
    history = trainer.fit(
        data, epochs=epochs, steps_per_epoch=steps, shuffle=False, verbose=verbose, **extra
    )
    return {key: [float(v) for v in values] for key, values in history.history.items()}


def predict_batched(model, X, n_outputs):
    """Run ``model`` on ``X`` in fixed-shape batches; return float32 outputs."""
    n_samples = X.shape[0]
    out = np.empty((n_samples, n_outputs), dtype=np.float32)
    buffer = None
    for start, block in iter_dense_batches(X, INFERENCE_BATCH_SIZE):
        rows = block.shape[0]
        if rows < INFERENCE_BATCH_SIZE:
            if buffer is None:
                buffer = np.zeros((INFERENCE_BATCH_SIZE, block.shape[1]), np.float32)
            buffer[:rows] = block
            buffer[rows:] = 0.0
            block = buffer
        # predict_on_batch runs a compiled function and returns NumPy arrays.
        out[start : start + rows] = np.asarray(model.predict_on_batch(block))[:rows]
    return out
