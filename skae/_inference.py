"""Running the autoencoder's networks on data, in fixed-shape blocks.

Knows nothing about scikit-learn or training.  Inference always runs on
blocks of a fixed number of rows (the last one zero-padded), so a row's
result never depends on how many other rows were transformed with it.  A
dense network on a CPU runs through NumPy
(:func:`skae._numpy_inference.numpy_predictor`), every other one through
Keras's ``predict_on_batch``.
"""

import contextlib
import logging
import threading

import numpy as np

from . import _backend
from ._arrays import dense_float32
from ._numpy_inference import NUMPY_BLOCK_ROWS, numpy_predictor

__all__ = ["INFERENCE_BATCH_SIZE", "batch_predictor", "mean_squared_errors", "predict_batched"]

#: Rows per Keras inference call: fixed, so a row's output never depends on
#: its neighbours.  The blog's batch size; not tuned (it serves the networks
#: NumPy inference does not run: conv, sequence, variational, and any network
#: on an accelerator).
INFERENCE_BATCH_SIZE = 256

#: Keras's JAX backend donates the model's variable buffers to each compiled
#: call, so two threads predicting with one model at once would use each
#: other's freed buffers; Keras inference is serialised on that backend.
_JAX_INFERENCE_LOCK = threading.Lock()
class _PredictRetracingFilter(logging.Filter):
    """Drops TensorFlow's "triggered tf.function retracing" warning about Keras's predict step.

    Keras gives each network its own predict function, traced once, at its
    first call.  TensorFlow counts traces per Python function, and all those
    functions come from one definition in Keras, so a process that runs a
    few new networks in a row (a comparison, a search over conv or sequence
    models) was warned of excessive retracing when each network had been
    traced once (seen in the sequence example's full run).  Only that
    message, and only during skae's own ``predict_on_batch`` calls.
    """

    def filter(self, record):
        message = record.getMessage()
        return not ("triggered tf.function retracing" in message
                    and "make_predict_function" in message)


_RETRACING_FILTER = _PredictRetracingFilter()


@contextlib.contextmanager
def _quiet_first_traces():
    logger = logging.getLogger("tensorflow")
    logger.addFilter(_RETRACING_FILTER)
    try:
        yield
    finally:
        logger.removeFilter(_RETRACING_FILTER)


def _keras_predictor(model):
    """Run ``model`` on one block with Keras; return its first rows as NumPy."""
    import keras

    if _backend.is_multi_worker(getattr(model, "distribute_strategy", None)):
        # A network built under a multi-worker strategy would run
        # predict_on_batch as a collective step across the workers, and
        # return the outputs of all of them; each worker runs it on its own.
        return lambda block, rows: keras.ops.convert_to_numpy(model(block, training=False))[:rows]
    if _backend.backend() == "jax":

        def predict(block, rows):
            with _JAX_INFERENCE_LOCK:
                return np.asarray(model.predict_on_batch(block))[:rows]

        return predict

    def predict(block, rows):
        with _quiet_first_traces():
            return np.asarray(model.predict_on_batch(block))[:rows]

    return predict


def batch_predictor(model):
    """``(predict, block_rows)``: ``predict(block, rows)`` runs ``model`` on a full block.

    It returns the outputs of the block's first ``rows`` rows: NumPy on
    blocks of ``NUMPY_BLOCK_ROWS`` for a dense network on a CPU, Keras on
    blocks of ``INFERENCE_BATCH_SIZE`` otherwise.
    """
    predict = numpy_predictor(model)
    if predict is not None:
        return predict, NUMPY_BLOCK_ROWS
    return _keras_predictor(model), INFERENCE_BATCH_SIZE


def _padded_blocks(X, block_rows):
    """Yield ``(start, rows, block)``: dense float32 blocks of ``block_rows`` rows.

    Sparse matrices are densified one block at a time; the last block is
    zero-padded after its ``rows`` real rows.
    """
    buffer = None
    for start in range(0, X.shape[0], block_rows):
        block = dense_float32(X[start : start + block_rows])
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
