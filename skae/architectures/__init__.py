"""Network kinds of :class:`~skae.AutoencoderTransformer`, and their registry.

Pass a kind's name (``architecture="conv"``) or an object with its settings
(``architecture=Conv(filters=(16, 32))``).  A new kind is one module in this
package (a subclass of :class:`Architecture`) and one line in
:data:`ARCHITECTURES`; the estimator, training, persistence and
``skae compare`` find it there.
"""

import importlib

__all__ = ["ACTIVATIONS", "ARCHITECTURES", "Architecture", "Conv", "Dense", "Residual",
           "Sequence", "Variational", "get_architecture"]

#: The network kinds by name, each ``"module:Class"`` (``".name"`` for a
#: module of this package), imported when first used so that ``import skae``
#: stays light.
ARCHITECTURES = {
    "residual": ".residual:Residual",
    "dense": ".dense:Dense",
    "conv": ".conv:Conv",
    "variational": ".variational:Variational",
    "sequence": ".sequence:Sequence",
}


def _load(entry):
    module, cls = entry.split(":")
    return getattr(importlib.import_module(module, package=__name__), cls)


def get_architecture(spec):
    """The architecture object for a name of :data:`ARCHITECTURES`, or ``spec`` itself.

    Parameters
    ----------
    spec : str or Architecture
        A kind's name (its default settings) or an architecture object.

    Returns
    -------
    architecture : Architecture

    Examples
    --------
    >>> from skae.architectures import get_architecture
    >>> get_architecture("conv")
    Conv()
    """
    if isinstance(spec, str):
        if spec not in ARCHITECTURES:
            raise ValueError(
                f"Unknown architecture {spec!r}; choose from {', '.join(ARCHITECTURES)}."
            )
        return _load(ARCHITECTURES[spec])()
    return spec


def __getattr__(name):
    if name in ("ACTIVATIONS", "Architecture"):
        from . import _base

        return getattr(_base, name)
    for entry in ARCHITECTURES.values():
        if entry.split(":")[1] == name:
            return _load(entry)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
