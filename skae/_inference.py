"""Batched inference of the autoencoder's networks.

Like :mod:`skae._training`, this module knows nothing about scikit-learn.

Inference always runs on blocks of a fixed number of rows (the last one
zero-padded), so a row's result never depends on how many other rows were
transformed with it.

A network made only of ``Dense`` and ``Activation`` layers (the dense
architecture's encoder, decoder and autoencoder) runs, on a machine whose
Keras devices are all CPUs, as NumPy matrix products over the Keras weights,
read afresh at each call.  On a CPU this does the same arithmetic as Keras
without Keras's per-call cost (about 1 ms per call on TensorFlow, and a
compilation of about 50 ms the first time each network is used on JAX).
Every other network (convolutional ones, networks on an accelerator) runs
through Keras's ``predict_on_batch``.
"""

import functools
import threading

import keras
import numpy as np
import scipy.sparse as sp
from scipy import special

__all__ = [
    "INFERENCE_BATCH_SIZE", "dense_steps", "iter_dense_batches", "mean_squared_errors",
    "predict_batched",
]

#: Rows per Keras inference call.
INFERENCE_BATCH_SIZE = 256

#: Rows per NumPy block.  A block's products always have this many rows:
#: a BLAS may sum a row's products in another order for another number of
#: rows (OpenBLAS does below 64).
NUMPY_BLOCK_ROWS = 64


def dense_float32(block):
    """A C-contiguous float32 NumPy copy (or view) of ``block``, densified."""
    if sp.issparse(block):
        block = block.toarray()
    return np.ascontiguousarray(block, dtype=np.float32)


def iter_dense_batches(X, batch_size):
    """Yield ``(start, block)`` with ``block`` a dense float32 copy of rows.

    Sparse matrices are densified one block at a time, so memory stays bounded
    by ``batch_size`` rows.
    """
    for start in range(0, X.shape[0], batch_size):
        yield start, dense_float32(X[start : start + batch_size])


# ------------------------------------------------------- NumPy activations
# In place on float32 arrays; the same formulas and constants as
# keras.activations (leaky_relu's default slope 0.2, exact gelu, selu's
# constants).

_SELU_ALPHA = np.float32(1.6732632423543772)
_SELU_SCALE = np.float32(1.0507009873554805)


def _relu(z):
    return np.maximum(z, 0.0, out=z)


def _sigmoid(z):
    # 1 / (1 + exp(-z)): NumPy's vectorised exp makes this about three times
    # faster than scipy.special.expit; exp overflows to inf for z < -88, and
    # 1 / inf is the right 0.
    with np.errstate(over="ignore"):
        np.negative(z, out=z)
        np.exp(z, out=z)
        z += np.float32(1.0)
        return np.reciprocal(z, out=z)


def _tanh(z):
    return np.tanh(z, out=z)


def _linear(z):
    return z


def _elu(z):
    np.copyto(z, np.expm1(np.minimum(z, 0.0)), where=z <= 0)
    return z


def _selu(z):
    np.copyto(z, _SELU_ALPHA * np.expm1(np.minimum(z, 0.0)), where=z <= 0)
    return np.multiply(z, _SELU_SCALE, out=z)


def _gelu(z):
    return np.multiply(z, 0.5 * (1.0 + special.erf(z * np.float32(1 / np.sqrt(2)))), out=z)


def _softplus(z):
    return np.logaddexp(np.float32(0.0), z, out=z)


def _silu(z):
    return np.multiply(z, _sigmoid(z.copy()), out=z)


def _leaky_relu(z):
    np.copyto(z, np.float32(0.2) * z, where=z < 0)
    return z


_NUMPY_ACTIVATIONS = {
    "relu": _relu, "sigmoid": _sigmoid, "tanh": _tanh, "linear": _linear, "elu": _elu,
    "selu": _selu, "gelu": _gelu, "softplus": _softplus, "silu": _silu,
    "leaky_relu": _leaky_relu,
}


@functools.cache
def _activation_names():
    """Keras's activation functions, mapped to the names above."""
    return {keras.activations.get(name): name for name in _NUMPY_ACTIVATIONS}


@functools.cache
def _cpu_only():
    """Whether every device Keras computes on is a CPU."""
    return all(str(device).lower().startswith("cpu") for device in keras.distribution.list_devices())


def dense_steps(model):
    """The layers of ``model`` as ``[(kernel, bias, activation name), ...]``.

    ``model`` must be a functional chain of ``Dense`` layers with built-in
    activations, each optionally followed by an ``Activation`` layer (nested
    models, such as the autoencoder's encoder and decoder, are followed
    into).  Returns None for any other network.  ``kernel`` and ``bias`` are
    the Keras variables themselves (``bias`` is None for a layer without
    one).
    """
    inputs, outputs = getattr(model, "inputs", None), getattr(model, "outputs", None)
    if not inputs or not outputs or len(inputs) != 1 or len(outputs) != 1:
        return None  # a subclassed model (its call could do anything), or several inputs
    steps = []
    names = _activation_names()
    for layer in model.layers:
        if isinstance(layer, keras.layers.InputLayer):
            continue
        if isinstance(layer, keras.Model):
            inner = dense_steps(layer)
            if inner is None:
                return None
            steps.extend(inner)
        elif type(layer) is keras.layers.Dense:
            name = names.get(layer.activation)
            if name is None or layer.quantization_mode is not None or layer.lora_enabled:
                return None
            steps.append([layer.kernel, layer.bias, name])
        elif type(layer) is keras.layers.Activation:
            name = names.get(layer.activation)
            if name is None or not steps or steps[-1][2] != "linear":
                return None
            steps[-1][2] = name
        else:
            return None
    return [tuple(step) for step in steps] or None


def _numpy_predictor(steps):
    """Run ``steps`` with NumPy on one full block; return its first rows.

    The products run on the whole fixed-shape block; the last layer's bias
    and activation only on the rows asked for (element-wise, so the same).
    """
    weights = [
        (np.asarray(kernel.numpy(), dtype=np.float32),
         None if bias is None else np.asarray(bias.numpy(), dtype=np.float32),
         _NUMPY_ACTIVATIONS[name])
        for kernel, bias, name in steps
    ]
    last = len(weights) - 1

    def predict(block, rows):
        h = block
        for i, (kernel, bias, activation) in enumerate(weights):
            h = h @ kernel
            if i == last:
                h = h[:rows]
            if bias is not None:
                h += bias
            h = activation(h)
        return h

    return predict


#: Keras's JAX backend donates the model's variable buffers to each compiled
#: call, so two threads predicting with one model at once would use each
#: other's freed buffers; Keras inference is serialised on that backend.
_JAX_INFERENCE_LOCK = threading.Lock()


def is_multi_worker(strategy):
    """Whether ``strategy`` is a ``tf.distribute.MultiWorkerMirroredStrategy``."""
    if strategy is None or keras.backend.backend() != "tensorflow":
        return False
    import tensorflow as tf

    return isinstance(strategy, tf.distribute.MultiWorkerMirroredStrategy)


def _keras_predictor(model):
    """Run ``model`` on one block with Keras; return its first rows as NumPy."""
    if is_multi_worker(getattr(model, "distribute_strategy", None)):
        # A network built under a multi-worker strategy would run
        # predict_on_batch as a collective step across the workers, and
        # return the outputs of all of them; each worker runs it on its own.
        return lambda block, rows: keras.ops.convert_to_numpy(model(block, training=False))[:rows]
    if keras.backend.backend() == "jax":

        def predict(block, rows):
            with _JAX_INFERENCE_LOCK:
                return np.asarray(model.predict_on_batch(block))[:rows]

        return predict
    # predict_on_batch runs a compiled function and returns NumPy arrays.
    return lambda block, rows: np.asarray(model.predict_on_batch(block))[:rows]


def batch_predictor(model):
    """``(predict, block_rows)`` for running ``model`` on fixed-shape blocks.

    ``predict(block, rows)`` runs ``model`` on a block of exactly
    ``block_rows`` rows and returns the outputs of its first ``rows`` rows:
    NumPy (blocks of :data:`NUMPY_BLOCK_ROWS`) for a dense network on a CPU,
    Keras (blocks of :data:`INFERENCE_BATCH_SIZE`) otherwise.  The NumPy
    predictor holds the weights as they were when it was made: make one per
    call of :func:`predict_batched`.
    """
    steps = dense_steps(model) if _cpu_only() else None
    if steps is None:
        return _keras_predictor(model), INFERENCE_BATCH_SIZE
    return _numpy_predictor(steps), NUMPY_BLOCK_ROWS


def _padded_blocks(X, block_rows):
    """Yield ``(start, rows, block)``: dense float32 blocks of ``block_rows`` rows.

    The last block is zero-padded after its ``rows`` real rows.
    """
    buffer = None
    for start, block in iter_dense_batches(X, block_rows):
        rows = block.shape[0]
        if rows < block_rows:
            if buffer is None:
                buffer = np.empty((block_rows, block.shape[1]), np.float32)
            buffer[:rows] = block
            buffer[rows:] = 0.0
            block = buffer
        yield start, rows, block


def predict_batched(model, X, n_outputs):
    """Run ``model`` on ``X`` in fixed-shape blocks; return float32 outputs."""
    out = np.empty((X.shape[0], n_outputs), dtype=np.float32)
    predict, block_rows = batch_predictor(model)
    for start, rows, block in _padded_blocks(X, block_rows):
        out[start : start + rows] = predict(block, rows)
    return out


def mean_squared_errors(model, X):
    """``mean((x - model(x)) ** 2)`` of each row of ``X``, in float64."""
    errors = np.empty(X.shape[0], dtype=np.float64)
    predict, block_rows = batch_predictor(model)
    for start, rows, block in _padded_blocks(X, block_rows):
        difference = block[:rows].astype(np.float64) - predict(block, rows)
        errors[start : start + rows] = np.mean(difference * difference, axis=1)
    return errors
