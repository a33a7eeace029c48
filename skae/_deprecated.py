"""skae 0.1 compatibility, all in one place: removing it in 0.4 is deleting this module.

What skae 0.2 deprecated, with its replacement:

* the estimator parameters ``hidden_layer_sizes``, ``activation`` and
  ``image_shape`` (:data:`DEPRECATED_PARAMETERS`), now settings of the
  architecture (each kind's ``legacy_parameters`` maps them): applied by
  :func:`apply_deprecated_parameters`, with a ``FutureWarning``;
* the fitted attributes ``hidden_layer_sizes_`` and ``image_shape_``
  (:class:`DeprecatedAttributes`), now ``architecture_``'s settings;
* skae 0.1's pickles and ``.skae`` files of format 1, whose parameters are
  upgraded by :func:`upgrade_params`, :func:`upgrade_fitted` and
  :func:`upgrade_pickled_state`.

Imported by the estimator (:mod:`skae._autoencoder`) and by
:mod:`skae._persistence`; knows nothing about Keras or training.
"""

import warnings

__all__ = ["DEPRECATED_PARAMETERS", "DeprecatedAttributes", "apply_deprecated_parameters",
           "from_legacy", "legacy_settings", "upgrade_fitted", "upgrade_params",
           "upgrade_pickled_state"]

#: The estimator parameters of skae 0.1 that are architecture settings since
#: 0.2 (removed in 0.4); :func:`from_legacy` applies them.
DEPRECATED_PARAMETERS = ("hidden_layer_sizes", "activation", "image_shape")


def from_legacy(architecture, values):
    """``architecture`` with the deprecated estimator parameters in ``values`` applied.

    ``values`` maps names of :attr:`Architecture.legacy_parameters` (e.g.
    ``hidden_layer_sizes``) to values; names the kind does not honour, None
    and empty sequences (which meant "the default") are left out.
    """
    changes = legacy_settings(type(architecture), values)
    return architecture.set_params(**changes) if changes else architecture


def legacy_settings(kind, values):
    """The settings of ``kind`` that the deprecated parameters in ``values`` set."""
    changes = {}
    for name, value in values.items():
        if name not in kind.legacy_parameters or value is None or (
                hasattr(value, "__len__") and not isinstance(value, str) and len(value) == 0):
            continue
        targets = kind.legacy_parameters[name]
        for target in (targets,) if isinstance(targets, str) else targets:
            changes[target] = tuple(value) if isinstance(value, list) else value
    return changes


def apply_deprecated_parameters(estimator, architecture):
    """``architecture`` (``estimator.architecture``'s kind) with the deprecated parameters set.

    Without any of them set, ``architecture`` itself.  With them, and the
    default architecture name, the dense kind: code written for skae 0.1,
    whose default network was the dense kind.  They cannot be combined with an
    architecture object (a ``ValueError`` says how to set them on it).
    """
    from .architectures import get_architecture

    legacy = {name: getattr(estimator, name) for name in DEPRECATED_PARAMETERS
              if not (isinstance(getattr(estimator, name), str)
                      and getattr(estimator, name) == "deprecated")}
    if not legacy:
        return architecture
    if not isinstance(estimator.architecture, str):
        raise ValueError(
            f"{', '.join(legacy)} cannot be combined with an architecture object: set "
            f"them on it, e.g. architecture={architecture!r}.set_params(...)."
        )
    if estimator.architecture == "residual":
        architecture = get_architecture("dense")
    kind = type(architecture)
    warnings.warn(
        f"{type(estimator).__name__}'s {', '.join(legacy)} parameter(s) are deprecated "
        "since skae 0.2 and will be removed in 0.4; pass "
        f"architecture={kind.__name__}("
        + ", ".join(f"{setting}={value!r}"
                    for setting, value in legacy_settings(kind, legacy).items())
        + ") instead.",
        FutureWarning,
        stacklevel=5,
    )
    return from_legacy(architecture, legacy)


class DeprecatedAttributes:
    """The fitted attributes skae 0.2 deprecated, read from ``architecture_`` with a warning."""

    def _legacy_attribute(self, name):
        architecture = self.architecture_
        warnings.warn(
            f"{name}_ is deprecated since skae 0.2 and will be removed in 0.4; read "
            "architecture_ instead.", FutureWarning, stacklevel=3,
        )
        setting = type(architecture).legacy_parameters.get(name)
        return None if setting is None else getattr(architecture, setting)

    @property
    def hidden_layer_sizes_(self):
        """Deprecated: ``architecture_.hidden_layer_sizes`` (dense) or ``.filters`` (conv)."""
        return self._legacy_attribute("hidden_layer_sizes")

    @property
    def image_shape_(self):
        """Deprecated: ``architecture_.image_shape`` (conv; None for dense)."""
        return self._legacy_attribute("image_shape")


def upgrade_params(params):
    """Format 1's parameters: the architecture settings move into ``architecture``."""
    from .architectures import get_architecture

    params = dict(params)
    legacy = {name: params.pop(name) for name in DEPRECATED_PARAMETERS if name in params}
    name = params.get("architecture", "dense")
    upgraded = from_legacy(get_architecture(name), legacy)
    params["architecture"] = name if upgraded == get_architecture(name) else upgraded
    return params


def upgrade_fitted(fitted, params):
    """Format 1's fitted attributes: ``architecture_`` from the resolved settings."""
    from .architectures import get_architecture

    fitted = dict(fitted)
    activation = params.get("activation")
    legacy = {"hidden_layer_sizes": fitted.pop("hidden_layer_sizes_", None),
              "image_shape": fitted.pop("image_shape_", None),
              "activation": None if activation == "deprecated" else activation}
    architecture = get_architecture(params.get("architecture", "dense"))  # a name in format 1
    fitted["architecture_"] = from_legacy(architecture, legacy)
    return fitted


def upgrade_pickled_state(state):
    """A pickled estimator's state in 0.2's form (unchanged unless pickled by skae 0.1)."""
    state.pop("encoder_", None)  # stored by skae 0.1; derived now
    state.pop("decoder_", None)
    if isinstance(state.get("hidden_layer_sizes", "deprecated"), str):
        return state
    if "model_" in state:
        state = upgrade_fitted(state, state)
    state.update(upgrade_params({k: state[k] for k in ("architecture", *DEPRECATED_PARAMETERS)
                                 if k in state}))
    state.update(dict.fromkeys(DEPRECATED_PARAMETERS, "deprecated"))
    return state
