"""Backend, device and distribution probes, and the tuning constants of the fast paths.

Knows nothing about scikit-learn, networks or training.  Every constant that
decides between two ways of doing the same work carries the measurement that
set it (2 CPU cores, TensorFlow 2.21 / Keras 3.15 / JAX 0.10, MNIST-sized
data, unless a comment says otherwise).  Keras is imported inside the probes,
so importing this module stays light.
"""

import functools

__all__ = [
    "EAGER_MAX_STEPS", "INFERENCE_BATCH_SIZE", "MAX_STEPS_PER_EXECUTION",
    "MIN_STEPS_FOR_MULTI_STEP", "NUMPY_BLOCK_ROWS", "SMALL_DENSE_VALUES", "XLA_MIN_WORK",
    "backend", "cpu_only", "distributed", "distribute_strategy", "is_multi_worker",
    "start_quietly", "to_numpy",
]

#: Rows per Keras inference call (fixed, so a row's output never depends on
#: its neighbours).
INFERENCE_BATCH_SIZE = 256

#: Rows per NumPy inference block.  A block's products always have this many
#: rows: OpenBLAS sums a row's products in another order below 64 rows
#: (checked: rows of a 17-row product differ from the same rows of a 256-row
#: one; fixed 64-row blocks gave identical rows under permutation and subsetting).
NUMPY_BLOCK_ROWS = 64

#: Most training steps run per compiled call (Keras's ``steps_per_execution``).
#: 32 steps cover an epoch of 8,000 rows in batches of 256 in one call.
MAX_STEPS_PER_EXECUTION = 32

#: Fits with fewer training steps than this run one step per call: compiling
#: the multi-step loop costs about 0.15 s on TensorFlow, more than it saves.
MIN_STEPS_FOR_MULTI_STEP = 64

#: Training work (samples x features x epochs) above which compiling a dense
#: network's step with XLA on TensorFlow pays for its compile time (about a
#: second): 8,000 x 784 x 10 epochs (6.3e7) gained, the digits did not.
XLA_MIN_WORK = 5e7

#: Fits of at most this many training steps run eagerly.  Compiling the step
#: costs about 0.5 s on TensorFlow and JAX, an eager step 30 to 40 ms on two
#: cores; eager fits were faster up to 10 steps on both backends and about
#: even at 15 (tiny data sets, a few epochs: the estimator checks, searches).
EAGER_MAX_STEPS = 12

#: Sparse training data whose dense float32 copy holds at most this many
#: values (64 MiB) is densified once, like dense data; larger sparse data is
#: densified one batch at a time.
SMALL_DENSE_VALUES = 2**24


def backend():
    """Keras's backend name (``"tensorflow"``, ``"jax"``, ...)."""
    import keras

    return keras.backend.backend()


def to_numpy(variable):
    """A copy of a Keras variable's value as a NumPy array.

    ``Variable.numpy()`` is ``np.array(variable)`` outside TensorFlow, and
    NumPy 2 warns that Keras's ``__array__`` takes no ``copy`` argument (a
    ``DeprecationWarning`` at every read: ``tests/test_seams.py`` and
    ``tests/test_autoencoder.py`` on JAX gave 300 warnings, 4 with this
    function, those from Keras's own ``optimizer.get_config``).  The
    backend's own array converts without it.  A copy, because Keras's JAX
    backend donates variable buffers to its compiled calls.  On TensorFlow
    ``Variable.numpy()`` itself (it also reads ``tf.distribute`` variables).
    """
    import numpy as np

    if backend() == "tensorflow":
        return variable.numpy()
    return np.array(variable.value)


@functools.cache
def cpu_only():
    """Whether every device Keras computes on is a CPU."""
    import keras

    return all(str(d).lower().startswith("cpu") for d in keras.distribution.list_devices())


def distribute_strategy():
    """The ``tf.distribute`` strategy in scope, or None (other backends, default strategy)."""
    if backend() != "tensorflow":
        return None
    import tensorflow as tf

    return tf.distribute.get_strategy() if tf.distribute.has_strategy() else None


def is_multi_worker(strategy):
    """Whether ``strategy`` is a ``tf.distribute.MultiWorkerMirroredStrategy``."""
    if strategy is None or backend() != "tensorflow":
        return False
    import tensorflow as tf

    return isinstance(strategy, tf.distribute.MultiWorkerMirroredStrategy)


def distributed():
    """Whether a ``tf.distribute`` strategy or a Keras distribution is in scope."""
    import keras

    return distribute_strategy() is not None or keras.distribution.distribution() is not None


def start_quietly():
    """Load Keras and its backend with the process's standard error silenced.

    TensorFlow's C++ start-up writes lines to the terminal whatever
    ``TF_CPP_MIN_LOG_LEVEL`` says (TensorFlow 2.21: absl's "All log messages
    before absl::InitializeLog()", ``cudart_stub`` and oneDNN notices, and a
    ``cuInit`` error on machines with CUDA libraries but no GPU).  The
    command line starts Keras here, with file descriptor 2 pointed at
    ``/dev/null`` while the backend loads and places a first tensor, and
    restores it before anything else runs, so errors (a failed import
    included, raised after the restore) still reach the terminal.
    """
    import os
    import sys

    sys.stderr.flush()
    saved = os.dup(2)
    try:
        with open(os.devnull, "w") as devnull:
            os.dup2(devnull.fileno(), 2)
            import keras

            keras.ops.convert_to_numpy(keras.ops.zeros((1,)))  # device start-up
    finally:
        sys.stderr.flush()
        os.dup2(saved, 2)
        os.close(saved)
