"""Converting Keras models to bytes and back, for pickling.

Models are stored in Keras's native ``.keras`` format (weights plus a JSON
description of the layers) and loaded with ``safe_mode=True``, so reading them
never executes code stored in the file.
"""

import os
import tempfile

__all__ = ["model_from_bytes", "model_to_bytes"]


def model_to_bytes(model):
    """Serialise a Keras model to ``.keras`` bytes."""
    import keras

    with tempfile.TemporaryDirectory(prefix="skae-") as folder:
        path = os.path.join(folder, "model.keras")
        keras.saving.save_model(model, path)
        with open(path, "rb") as fh:
            return fh.read()


def model_from_bytes(payload):
    """Load a Keras model written by :func:`model_to_bytes`."""
    import keras

    with tempfile.TemporaryDirectory(prefix="skae-") as folder:
        path = os.path.join(folder, "model.keras")
        with open(path, "wb") as fh:
            fh.write(payload)
        return keras.saving.load_model(path, compile=False, safe_mode=True)


#: Version of the ``.skae`` file layout written by :func:`save_estimator`.
FORMAT_VERSION = 1
_METADATA = "metadata.json"
_MODEL = "model.keras"


def _jsonable(value):
    """Convert fitted-attribute values to JSON types (tuples become lists)."""
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if hasattr(value, "tolist"):  # numpy arrays and scalars
        return value.tolist()
    return value


def save_estimator(estimator, path, *, fitted_attributes, tuple_attributes=()):
    """Write a fitted estimator to one ``.skae`` file (a zip archive).

    The archive holds ``metadata.json`` (format version, skae and Keras
    versions, class name, parameters, fitted attributes) and
    ``model.keras`` (the autoencoder in Keras's format).  Nothing is pickled.
    """
    import json
    import warnings
    import zipfile

    import keras

    from . import __version__

    params = {}
    for name, value in estimator.get_params(deep=False).items():
        try:
            json.dumps(value)
        except TypeError:
            warnings.warn(
                f"Parameter {name}={value!r} cannot be stored in a .skae file and is saved "
                "as None.",
                UserWarning,
                stacklevel=3,
            )
            value = None
        params[name] = _jsonable(value)
    metadata = {
        "format": FORMAT_VERSION,
        "skae_version": __version__,
        "keras_version": keras.__version__,
        "keras_backend": keras.backend.backend(),
        "class": type(estimator).__name__,
        "params": params,
        "fitted": {name: _jsonable(getattr(estimator, name)) for name in fitted_attributes
                   if hasattr(estimator, name)},
        "tuple_attributes": list(tuple_attributes),
    }
    payload = model_to_bytes(estimator.model_)
    path = os.fspath(path)
    tmp = path + ".partial"
    try:
        with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            archive.writestr(_METADATA, json.dumps(metadata, indent=2))
            archive.writestr(_MODEL, payload)
        os.replace(tmp, path)  # never leave a half-written file under the final name
    finally:
        if os.path.exists(tmp):
            os.remove(tmp)
    return path


def read_estimator_file(path):
    """Read a ``.skae`` file; return ``(metadata, keras_model)``.

    Raises ValueError, naming the file and the problem, for anything that is
    not a complete, compatible file written by :func:`save_estimator`.
    """
    import json
    import zipfile

    import keras

    path = os.fspath(path)
    try:
        with zipfile.ZipFile(path) as archive:
            names = set(archive.namelist())
            missing = {_METADATA, _MODEL} - names
            if missing:
                raise ValueError(f"it lacks {', '.join(sorted(missing))}")
            metadata = json.loads(archive.read(_METADATA).decode("utf-8"))
            payload = archive.read(_MODEL)
    except FileNotFoundError:
        raise
    except (zipfile.BadZipFile, OSError, EOFError, UnicodeDecodeError, ValueError) as exc:
        raise ValueError(f"{path} is not a valid .skae file: {exc}") from exc
    if not isinstance(metadata, dict) or metadata.get("format") != FORMAT_VERSION:
        raise ValueError(
            f"{path} has file format {metadata.get('format') if isinstance(metadata, dict) else None!r}; "
            f"this version of skae reads format {FORMAT_VERSION}."
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
