"""skae: a Keras autoencoder as a scikit-learn transformer."""

from ._autoencoder import AutoencoderTransformer, load
from ._config import config_context, get_config, set_config
from ._outlier import AutoencoderOutlierDetector
from .exceptions import TrainingDivergedError

__version__ = "0.2.0.dev0"

__all__ = ["AutoencoderOutlierDetector", "AutoencoderTransformer", "TrainingDivergedError",
           "config_context", "get_config", "load", "set_config", "__version__"]
