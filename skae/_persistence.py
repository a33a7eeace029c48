"""Saving and loading estimators: ``.skae`` files, pickling, Keras models as bytes.

Everything that writes or reads an :class:`~skae.AutoencoderTransformer`
lives here, except making the estimator from what a file holds
(:func:`skae.load`, beside the estimator, so that this module never imports
it).  Only the autoencoder (``model_``) is serialised, in Keras's
native ``.keras`` format, and it is read back with ``safe_mode=True``, so a
file cannot run code; the encoder and decoder are derived from it by the
architecture.  Nothing is unpickled from a ``.skae`` file.

``.skae`` files of format 1 (written by skae 0.1) still load: their
parameters ``hidden_layer_sizes``, ``activation`` and ``image_shape``
become the architecture's settings (``skae._deprecated`` upgrades them).
"""

import json
import os
import tempfile
import warnings
import zipfile

import numpy as np

from ._backend import start_keras
from ._deprecated import upgrade_fitted, upgrade_params, upgrade_pickled_state

__all__ = ["FORMAT_VERSION", "model_from_bytes", "model_to_bytes", "pickle_state",
           "read_fitted", "save", "unpickle_state"]

#: Version of the ``.skae`` layout written by :func:`save`; :func:`load` reads it and 1.
FORMAT_VERSION = 2
_READABLE_FORMATS = (1, 2)
_METADATA = "metadata.json"
_MODEL = "model.keras"
#: Fitted attributes saved as JSON beside the network.
_FITTED = ("n_features_in_", "feature_names_in_", "n_components_", "output_activation_", "loss_",
           "history_", "loss_curve_", "n_iter_", "best_epoch_", "architecture_", "variance_kept_",
           "width_search_", "target_weight_")


def model_to_bytes(model):
    """Serialise a Keras model to ``.keras`` bytes."""
    import keras

    with tempfile.TemporaryDirectory(prefix="skae-") as folder:
        path = os.path.join(folder, "model.keras")
        keras.saving.save_model(model, path)
        with open(path, "rb") as fh:
            return fh.read()


def model_from_bytes(payload):
    """Load a Keras model written by :func:`model_to_bytes` (safe mode, not compiled)."""
    keras = start_keras()

    with tempfile.TemporaryDirectory(prefix="skae-") as folder:
        path = os.path.join(folder, "model.keras")
        with open(path, "wb") as fh:
            fh.write(payload)
        return keras.saving.load_model(path, compile=False, safe_mode=True)


class SerializedKerasModel:
    """Pickle-time stand-in for a Keras model: its ``.keras`` file as bytes."""

    def __init__(self, payload):
        self.payload = payload


# --------------------------------------------------------------- pickling


def pickle_state(state):
    """The picklable form of an estimator's ``__dict__``.

    The network travels as ``.keras`` bytes; derived views and training
    helpers (the optimizer, whose state is not kept, a target's head, which
    goes with it, and the compiled step) are rebuilt on demand.
    """
    state = dict(state)
    for name in ("_optimizer", "_head", "_stream_steps"):
        state.pop(name, None)
    if "model_" in state:
        state["model_"] = SerializedKerasModel(model_to_bytes(state["model_"]))
    return state


def unpickle_state(state):
    """The inverse of :func:`pickle_state` (also reads skae 0.1's pickles)."""
    state = dict(state)
    state.setdefault("target_weight", None)  # pickled before the parameter existed: its default
    if isinstance(state.get("model_"), SerializedKerasModel):
        state["model_"] = model_from_bytes(state["model_"].payload)
    state = upgrade_pickled_state(state)
    if "model_" in state:
        state["architecture_"].split(state["model_"])  # a kind's views are made at load
    return state


# ----------------------------------------------------------- .skae files


def _jsonable(value):
    """Parameters and fitted attributes as JSON types (tuples become lists)."""
    from .architectures import Architecture

    if isinstance(value, Architecture):
        return {"architecture": value.name, "params": _jsonable(value.get_params(deep=False))}
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if hasattr(value, "tolist"):  # numpy arrays and scalars
        return value.tolist()
    json.dumps(value)  # raises TypeError for what JSON cannot hold
    return value


def _architecture_from_json(value):
    from .architectures import get_architecture

    if isinstance(value, str):
        return value

    def setting(v):
        if isinstance(v, dict) and v.keys() == {"architecture", "params"}:  # a nested kind
            return _architecture_from_json(v)
        return tuple(v) if isinstance(v, list) else v

    params = {k: setting(v) for k, v in value["params"].items()}
    return get_architecture(value["architecture"]).set_params(**params)


def save(estimator, path):
    """Write a fitted estimator to one ``.skae`` file (a zip archive).

    The archive holds ``metadata.json`` (format version, skae and Keras
    versions, class name, parameters, fitted attributes) and ``model.keras``.
    It is written under a temporary name and renamed, so a failure never
    leaves a partial file at ``path``.
    """
    import keras

    from . import __version__

    params = {}
    for name, value in estimator.get_params(deep=False).items():
        try:
            params[name] = _jsonable(value)
        except TypeError:
            warnings.warn(
                f"Parameter {name}={value!r} cannot be stored in a .skae file and is saved "
                "as None.", UserWarning, stacklevel=3,
            )
            params[name] = None
    metadata = {
        "format": FORMAT_VERSION,
        "skae_version": __version__,
        "keras_version": keras.__version__,
        "keras_backend": keras.backend.backend(),
        "class": type(estimator).__name__,
        "params": params,
        "fitted": {name: _jsonable(getattr(estimator, name)) for name in _FITTED
                   if hasattr(estimator, name)},
    }
    payload = model_to_bytes(estimator.model_)
    path = os.fspath(path)
    tmp = path + ".partial"
    try:
        try:
            archive = zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_DEFLATED)
        except OSError as exc:  # name the path asked for, not the temporary one
            raise type(exc)(exc.errno, f"cannot save to {path!r}: {exc.strerror}") from None
        with archive:
            archive.writestr(_METADATA, json.dumps(metadata, indent=2))
            archive.writestr(_MODEL, payload)
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.remove(tmp)
    return path


def _read(path):
    """``(metadata, keras_model)`` of a ``.skae`` file, or ValueError naming the problem."""
    import keras

    try:
        with zipfile.ZipFile(path) as archive:
            missing = {_METADATA, _MODEL} - set(archive.namelist())
            if missing:
                raise ValueError(f"it lacks {', '.join(sorted(missing))}")
            metadata = json.loads(archive.read(_METADATA).decode("utf-8"))
            payload = archive.read(_MODEL)
    except FileNotFoundError:
        raise
    except (zipfile.BadZipFile, OSError, EOFError, UnicodeDecodeError, ValueError) as exc:
        raise ValueError(f"{path} is not a valid .skae file: {exc}") from exc
    found = metadata.get("format") if isinstance(metadata, dict) else None
    if found not in _READABLE_FORMATS:
        raise ValueError(
            f"{path} has file format {found!r}; this version of skae reads formats "
            f"{', '.join(map(str, _READABLE_FORMATS))}."
        )
    saved_keras = str(metadata.get("keras_version", "0"))
    if saved_keras.split(".")[0] != keras.__version__.split(".")[0]:
        raise ValueError(
            f"{path} was written with Keras {saved_keras}, which is incompatible with the "
            f"installed Keras {keras.__version__}."
        )
    try:
        model = model_from_bytes(payload)
    except Exception as exc:  # Keras raises many types for bad or unsafe files
        raise ValueError(
            f"{path}: its Keras model could not be loaded safely ({type(exc).__name__}: {exc})"
        ) from exc
    return metadata, model


def read_fitted(path, class_name):
    """The parameters, fitted attributes and network in a ``.skae`` file, checked.

    Returns ``(params, fitted, model)`` for an estimator of ``class_name``
    (format 1 upgraded); raises ``FileNotFoundError`` or ``ValueError`` as
    :func:`skae.load` documents.  Making the estimator is its caller's.
    """
    path = os.fspath(path)
    metadata, model = _read(path)
    if metadata.get("class") != class_name:
        raise ValueError(f"{path} holds a {metadata.get('class')!r}, not an {class_name}.")
    try:
        params = dict(metadata["params"])
        fitted = dict(metadata["fitted"])
        if metadata["format"] == 1:
            fitted = upgrade_fitted(fitted, params)
            params = upgrade_params(params)
        else:
            fitted["architecture_"] = _architecture_from_json(fitted["architecture_"])
            if params.get("architecture") is not None:
                params["architecture"] = _architecture_from_json(params["architecture"])
        if "feature_names_in_" in fitted:
            fitted["feature_names_in_"] = np.asarray(fitted["feature_names_in_"], dtype=object)
        n_features, n_components = int(fitted["n_features_in_"]), int(fitted["n_components_"])
        encoder, _ = fitted["architecture_"].split(model)
    except Exception as exc:
        raise ValueError(f"{path} is not a valid .skae file: {type(exc).__name__}: {exc}") from exc
    if encoder.output_shape[-1] != n_components or model.input_shape[-1] != n_features:
        raise ValueError(
            f"{path} is inconsistent: its network maps {model.input_shape[-1]} features to "
            f"{encoder.output_shape[-1]} components, its metadata says {n_features} and "
            f"{n_components}."
        )
    return params, fitted, model
