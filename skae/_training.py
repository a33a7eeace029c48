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
    "compile_autoencoder",
    "iter_dense_batches",
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


def compile_autoencoder(model, *, optimizer, learning_rate, loss):
    """Compile ``model`` with a fresh optimizer of the named kind."""
    model.compile(
        optimizer=_OPTIMIZERS[optimizer](learning_rate=learning_rate),
        loss=loss,
    )
    return model


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


def _training_batches(X, batch_size, n_epochs, shuffle, rng):
    n_samples = X.shape[0]
    for _ in range(n_epochs):
        order = rng.permutation(n_samples) if shuffle else None
        for start in range(0, n_samples, batch_size):
            if order is None:
                block = X[start : start + batch_size]
            else:
                block = X[np.sort(order[start : start + batch_size])]
            block = _dense_float32(block)
            yield block, block


def train_autoencoder(model, X, *, epochs, batch_size, shuffle, seed, verbose):
    """Train ``model`` to reconstruct ``X`` and return Keras's history dict.

    Parameters
    ----------
    model : keras.Model
        A compiled autoencoder.
    X : ndarray or scipy sparse CSR matrix of shape (n_samples, n_features)
        Training data; batches are converted to dense float32 one at a time.
    epochs, batch_size : int
        Passes over ``X`` and rows per gradient step.
    shuffle : bool
        Whether to visit the rows in a new random order at each epoch.
    seed : int
        Seed of the batch order.
    verbose : int
        Keras's verbosity (0 silent, 1 progress bar, 2 one line per epoch).
    """
    n_samples = X.shape[0]
    batch_size = min(batch_size, n_samples)
    steps = math.ceil(n_samples / batch_size)
    rng = np.random.default_rng(seed)
    history = model.fit(
        _training_batches(X, batch_size, epochs, shuffle, rng),
        epochs=epochs,
        steps_per_epoch=steps,
        shuffle=False,
        verbose=verbose,
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
