"""Backend, device and distribution probes, and reading a Keras variable.

Knows nothing about scikit-learn, networks or training.  Keras is imported
inside the probes, so importing this module stays light.
"""

import functools

__all__ = ["backend", "cpu_only", "distribute_strategy", "distributed", "is_multi_worker",
           "to_numpy"]


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
