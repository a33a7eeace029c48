"""The fully connected autoencoder: the Keras blog's simple and deep models."""

from sklearn.base import clone
from sklearn.utils._param_validation import StrOptions

from ._base import ACTIVATIONS, Architecture, assemble, positive_ints, seeded_initializers

__all__ = ["Dense"]


class Dense(Architecture):
    """Fully connected encoder and mirrored decoder.

    The encoder is ``n_features -> hidden_layer_sizes... -> n_components``
    and the decoder mirrors it.  With no hidden layers this is the Keras
    blog's simple autoencoder (``Dense(n_components)`` code layer,
    ``Dense(n_features)`` output layer); ``hidden_layer_sizes=(128, 64)`` is
    its deep one.

    Parameters
    ----------
    hidden_layer_sizes : int or sequence of int, default=()
        Widths of the encoder's hidden layers, outermost first.
    activation : str, default="relu"
        Activation of the hidden layers (one of
        :data:`skae.architectures.ACTIVATIONS`), and of the code layer unless
        ``code_activation`` is given.
    code_activation : str or None, default=None
        Activation of the code layer; None means ``activation`` (the blog's
        models have a relu code).

    See Also
    --------
    Conv : Convolutional encoder and decoder for images.

    Examples
    --------
    >>> from skae import AutoencoderTransformer
    >>> from skae.architectures import Dense
    >>> AutoencoderTransformer(architecture=Dense(hidden_layer_sizes=(128, 64)))
    AutoencoderTransformer(architecture=Dense(hidden_layer_sizes=(128, 64)))
    """

    name = "dense"
    description = "fully connected: input -> hidden layers -> code, mirrored decoder"
    legacy_parameters = {"hidden_layer_sizes": "hidden_layer_sizes", "activation": "activation"}

    _parameter_constraints: dict = {
        "hidden_layer_sizes": ["array-like", int],
        "activation": [StrOptions(ACTIVATIONS)],
        "code_activation": [StrOptions(ACTIVATIONS), None],
    }

    def __init__(self, hidden_layer_sizes=(), activation="relu", code_activation=None):
        self.hidden_layer_sizes = hidden_layer_sizes
        self.activation = activation
        self.code_activation = code_activation

    def resolve(self, n_features):
        self._validate_params()
        sizes = positive_ints(self.hidden_layer_sizes, "Dense", "hidden_layer_sizes")
        return clone(self).set_params(hidden_layer_sizes=sizes)

    def build(self, n_features, n_components, *, output_activation, seed):
        import keras

        initializers = seeded_initializers(seed)

        def dense(units, activation, name):
            return keras.layers.Dense(
                units, activation=activation, kernel_initializer=next(initializers),
                bias_initializer="zeros", dtype="float32", name=name,
            )

        hidden = positive_ints(self.hidden_layer_sizes, "Dense", "hidden_layer_sizes")
        inputs = keras.Input(shape=(n_features,), dtype="float32", name="features")
        h = inputs
        for i, width in enumerate(hidden):
            h = dense(width, self.activation, f"encoder_hidden_{i}")(h)
        code = dense(n_components, self.code_activation or self.activation, "code")(h)
        encoder = keras.Model(inputs, code, name="encoder")

        code_inputs = keras.Input(shape=(n_components,), dtype="float32", name="code_input")
        h = code_inputs
        for i, width in enumerate(reversed(hidden)):
            h = dense(width, self.activation, f"decoder_hidden_{i}")(h)
        logits = dense(n_features, None, "reconstruction_logits")(h)
        return assemble(encoder, code_inputs, logits, output_activation, n_features)
