"""Pure Keras builders for the autoencoder networks.

Nothing in this module knows about scikit-learn: each builder takes plain
Python values and returns Keras models.  Every layer that draws random numbers
receives an explicit seed, so building a network never consumes Keras's,
NumPy's or Python's global random state.
"""

import keras

__all__ = ["build_dense_autoencoder"]


def _kernel_initializer(seed):
    return keras.initializers.GlorotUniform(seed=int(seed))


def build_dense_autoencoder(
    n_features,
    n_components,
    *,
    hidden_layer_sizes=(),
    activation="relu",
    output_activation="sigmoid",
    seed=0,
):
    """Build a fully connected autoencoder.

    The encoder is ``n_features -> hidden_layer_sizes... -> n_components``
    and the decoder mirrors it: ``n_components -> reversed(hidden) ->
    n_features``.  With no hidden layers this is the Keras blog's simple
    autoencoder (one ``Dense(n_components)`` code layer and one
    ``Dense(n_features)`` output layer).

    Parameters
    ----------
    n_features : int
        Width of the input and of the reconstruction.
    n_components : int
        Width of the code.
    hidden_layer_sizes : sequence of int, default=()
        Widths of the encoder's hidden layers, outermost first.
    activation : str, default="relu"
        Activation of the hidden layers and of the code layer.
    output_activation : str, default="sigmoid"
        Activation of the reconstruction layer.
    seed : int, default=0
        Seed of the weight initialisers (layer ``i`` uses ``seed + i``).

    Returns
    -------
    autoencoder, encoder, decoder : keras.Model
        ``autoencoder`` is ``decoder(encoder(x))``; the three models share
        their layers and therefore their weights.
    """
    hidden = [int(width) for width in hidden_layer_sizes]
    layer_index = 0

    def dense(units, act, name):
        nonlocal layer_index
        layer = keras.layers.Dense(
            units,
            activation=act,
            kernel_initializer=_kernel_initializer(seed + layer_index),
            bias_initializer="zeros",
            dtype="float32",
            name=name,
        )
        layer_index += 1
        return layer

    inputs = keras.Input(shape=(n_features,), dtype="float32", name="features")
    h = inputs
    for i, width in enumerate(hidden):
        h = dense(width, activation, f"encoder_hidden_{i}")(h)
    code = dense(n_components, activation, "code")(h)
    encoder = keras.Model(inputs, code, name="encoder")

    code_inputs = keras.Input(shape=(n_components,), dtype="float32", name="code_input")
    h = code_inputs
    for i, width in enumerate(reversed(hidden)):
        h = dense(width, activation, f"decoder_hidden_{i}")(h)
    reconstruction = dense(n_features, output_activation, "reconstruction")(h)
    decoder = keras.Model(code_inputs, reconstruction, name="decoder")

    x = keras.Input(shape=(n_features,), dtype="float32", name="input")
    autoencoder = keras.Model(x, decoder(encoder(x)), name="autoencoder")
    return autoencoder, encoder, decoder
