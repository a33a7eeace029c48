"""skae: a Keras autoencoder as a scikit-learn transformer."""

from ._autoencoder import AutoencoderTransformer
from ._io import load

__version__ = "0.1.0"

__all__ = ["AutoencoderTransformer", "load", "__version__"]
