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
