"""skae's process-wide settings, in scikit-learn's form: get_config, set_config, config_context.

Every setting is read when a fit or an inference runs, never at import.
Two environment variables seed the defaults, read when skae is imported
(and nowhere else): ``SKAE_KEPT_STEPS`` (an integer) and ``SKAE_PLAIN_KERAS``
(``1`` turns the faster paths off).  :func:`set_config` changes a setting
for the whole process; :func:`config_context` changes it inside a ``with``
block, in the calling thread only.
"""

import contextlib
import os
import threading
from numbers import Integral

__all__ = ["config_context", "get_config", "on_change", "set_config"]


def _defaults():
    kept = os.environ.get("SKAE_KEPT_STEPS", "2")
    try:
        kept_steps = int(kept)
    except ValueError:
        kept_steps = -1
    if kept_steps < 0:
        raise ValueError(f"SKAE_KEPT_STEPS must be a whole number of kept training steps "
                         f"(0 keeps none), got {kept!r}.")
    return {"kept_steps": kept_steps,
            "faster_paths": os.environ.get("SKAE_PLAIN_KERAS", "0") != "1"}


_global = _defaults()
_local = threading.local()  # .overrides: the settings config_context blocks of this thread set
_on_change = []  # functions called after every change (the kept steps' pool trims itself)


def _check(kept_steps, faster_paths):
    whole = isinstance(kept_steps, Integral) and not isinstance(kept_steps, bool)
    if kept_steps is not None and (not whole or kept_steps < 0):
        raise ValueError(f"kept_steps must be an integer of at least 0, got {kept_steps!r}.")
    if faster_paths is not None and not isinstance(faster_paths, bool):
        raise ValueError(f"faster_paths must be True or False, got {faster_paths!r}.")
    return {k: v for k, v in (("kept_steps", kept_steps), ("faster_paths", faster_paths))
            if v is not None}


def get_config():
    """The settings in force in this thread.

    Returns
    -------
    config : dict
        ``{"kept_steps": int, "faster_paths": bool}``; see :func:`set_config`.

    See Also
    --------
    set_config : Change the settings for the whole process.
    config_context : Change them inside a ``with`` block.

    Examples
    --------
    >>> import skae
    >>> sorted(skae.get_config())
    ['faster_paths', 'kept_steps']
    """
    return {**_global, **getattr(_local, "overrides", {})}


def set_config(kept_steps=None, faster_paths=None):
    """Change skae's settings for the whole process.

    A setting left at None keeps its value.

    Parameters
    ----------
    kept_steps : int, default=None
        Compiled training steps kept between fits, the least recently used
        dropped first (``SKAE_KEPT_STEPS`` when set, else 2).  A new estimator
        builds a new network, whose training step is compiled again at its
        first fit; a kept step trains the next network of the same structure
        and settings on data of a similar size without compiling, which a
        search over a grid repeats many times.  Each kept step holds a
        buffer the size of its last training data (at most 64 MiB), emptied
        when the fit ends: no training row outlives the fit.  0 keeps none
        and gives their memory back at once.
    faster_paths : bool, default=None
        Whether fits and inference take skae's faster paths (True unless
        ``SKAE_PLAIN_KERAS=1``): data gathered inside the compiled step,
        several steps per call, XLA on large fits, eager steps for tiny ones,
        NumPy inference of dense networks.  False runs every fit through
        Keras's ``fit`` on row batches and every inference through Keras.

    See Also
    --------
    get_config : The settings in force.
    config_context : Change them inside a ``with`` block.

    Examples
    --------
    >>> import skae
    >>> skae.set_config(kept_steps=0)
    >>> skae.get_config()["kept_steps"]
    0
    >>> skae.set_config(kept_steps=2)
    """
    changes = _check(kept_steps, faster_paths)
    _global.update(changes)
    _changed()


@contextlib.contextmanager
def config_context(*, kept_steps=None, faster_paths=None):
    """Change skae's settings inside a ``with`` block, in this thread.

    Parameters
    ----------
    kept_steps : int, default=None
        See :func:`set_config`.
    faster_paths : bool, default=None
        See :func:`set_config`.

    Yields
    ------
    None

    See Also
    --------
    set_config : Change the settings for the whole process.
    get_config : The settings in force.

    Examples
    --------
    >>> import numpy as np
    >>> import skae
    >>> X = np.random.default_rng(0).normal(size=(200, 8))
    >>> with skae.config_context(faster_paths=False):  # plain Keras throughout
    ...     codes = skae.AutoencoderTransformer(n_components=2, epochs=2).fit_transform(X)
    >>> codes.shape
    (200, 2)
    """
    changes = _check(kept_steps, faster_paths)
    previous = getattr(_local, "overrides", {})
    _local.overrides = {**previous, **changes}
    _changed()
    try:
        yield
    finally:
        _local.overrides = previous
        _changed()


def on_change(function):
    """Call ``function()`` after every change of the settings; returns ``function``."""
    _on_change.append(function)
    return function


def _changed():
    for function in _on_change:
        function()
