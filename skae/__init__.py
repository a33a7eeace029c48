"""skae: a Keras autoencoder as a scikit-learn transformer."""

from ._autoencoder import AutoencoderTransformer, load
from ._outlier import AutoencoderOutlierDetector
from .exceptions import TrainingDivergedError

__version__ = "0.2.0.dev0"

__all__ = ["AutoencoderOutlierDetector", "AutoencoderTransformer", "TrainingDivergedError", "load",
           "__version__"]
