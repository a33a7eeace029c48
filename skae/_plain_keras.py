"""The switch that turns every faster path off: plain Keras for training and inference.

Set by the environment variable ``SKAE_PLAIN_KERAS=1``, or inside
:func:`plain_keras`.  With the switch off, training feeds dense row batches
(a ``keras.utils.PyDataset``) to Keras's ``fit`` with a compiled one-step
function and Keras's default ``jit_compile`` (:mod:`skae._plan` reads it), and
inference calls Keras's ``predict_on_batch`` (:mod:`skae._numpy_inference`
reads it); ``tests/test_fast.py`` checks each faster path against that plain
one.  Knows nothing else.
"""

import contextlib
import os

__all__ = ["faster_paths_on", "plain_keras"]

_switch = {"plain": None}


def faster_paths_on():
    """Whether the faster paths are on (the default)."""
    plain = _switch["plain"]
    if plain is None:
        plain = os.environ.get("SKAE_PLAIN_KERAS") == "1"
    return not plain


@contextlib.contextmanager
def plain_keras():
    """Run every fit and inference inside the block through plain Keras."""
    previous = _switch["plain"]
    _switch["plain"] = True
    try:
        yield
    finally:
        _switch["plain"] = previous
