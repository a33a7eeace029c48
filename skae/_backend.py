"""Backend, device and distribution probes, and reading a Keras variable.

Knows nothing about scikit-learn, networks or training.  Keras is imported
inside the probes, so importing this module stays light.
"""

import functools
import os
import sys

__all__ = ["backend", "cpu_only", "distribute_strategy", "distributed", "is_multi_worker",
           "start_keras", "to_numpy"]


def start_keras():
    """Import Keras and start its backend, keeping TensorFlow's start-up lines quiet.

    TensorFlow's C++ start-up writes lines to standard error that read as
    failures but are not: absl's "All log messages before
    absl::InitializeLog()", ``cudart_stub`` and oneDNN notices, and a
    ``cuInit`` error on a machine with CUDA libraries and no GPU, some of
    them whatever ``TF_CPP_MIN_LOG_LEVEL`` says.  skae's first use of Keras
    in a process (a fit, a load, an unpickling, the command line) imports it
    here with file descriptor 2 pointed at ``/dev/null`` while the backend
    loads and places a first tensor, then restores it, so every error (a
    failed import included, raised after the restore) still shows; and it
    sets ``TF_CPP_MIN_LOG_LEVEL=2`` (TensorFlow's warnings and errors only)
    for the rest of the process.  Nothing is changed when Keras is already
    imported, or when the user set ``TF_CPP_MIN_LOG_LEVEL``: then
    TensorFlow's own rule applies.
    """
    if "keras" in sys.modules or "TF_CPP_MIN_LOG_LEVEL" in os.environ:
        import keras

        return keras
    os.environ["TF_CPP_MIN_LOG_LEVEL"] = "2"  # read by TensorFlow's logging as it starts
    sys.stderr.flush()
    saved = os.dup(2)
    try:
        with open(os.devnull, "w") as devnull:
            os.dup2(devnull.fileno(), 2)
            import keras

            keras.ops.convert_to_numpy(keras.ops.zeros((1,)))  # the device's start-up
    finally:
        sys.stderr.flush()
        os.dup2(saved, 2)
        os.close(saved)
    return keras


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
