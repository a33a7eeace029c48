"""skae: a Keras autoencoder as a scikit-learn transformer."""

from ._autoencoder import AutoencoderTransformer
from ._io import load
from .exceptions import TrainingDivergedError

__version__ = "0.1.0"

__all__ = ["AutoencoderTransformer", "TrainingDivergedError", "load", "__version__"]
