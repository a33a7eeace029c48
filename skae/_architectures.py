"""Pure Keras builders for the autoencoder networks.

Nothing in this module knows about scikit-learn: each builder takes plain
Python values and returns Keras models.  Every layer that draws random numbers
receives an explicit seed, so building a network never consumes Keras's,
NumPy's or Python's global random state.
"""

import itertools
import math

import keras

__all__ = ["build_conv_autoencoder", "build_dense_autoencoder", "conv_grid", "decoder_logits"]


def _kernel_initializers(seed):
    """Glorot-uniform initialisers seeded ``seed``, ``seed + 1``, ... (one per layer)."""
    return (keras.initializers.GlorotUniform(seed=int(seed) + i) for i in itertools.count())


def _assemble(encoder, code_inputs, logits, output_activation, n_features):
    """Finish the decoder with its ``"reconstruction"`` activation; return all three models."""
    reconstruction = keras.layers.Activation(output_activation, name="reconstruction")(logits)
    decoder = keras.Model(code_inputs, reconstruction, name="decoder")
    x = keras.Input(shape=(n_features,), dtype="float32", name="input")
    autoencoder = keras.Model(x, decoder(encoder(x)), name="autoencoder")
    return autoencoder, encoder, decoder


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
        their layers and therefore their weights.  The decoder's last layer
        is an ``Activation`` named ``"reconstruction"``, so its input (the
        logits) is at hand for a numerically stable loss
        (:func:`decoder_logits`).
    """
    hidden = [int(width) for width in hidden_layer_sizes]
    initializers = _kernel_initializers(seed)

    def dense(units, act, name):
        return keras.layers.Dense(
            units,
            activation=act,
            kernel_initializer=next(initializers),
            bias_initializer="zeros",
            dtype="float32",
            name=name,
        )

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
    logits = dense(n_features, None, "reconstruction_logits")(h)
    return _assemble(encoder, code_inputs, logits, output_activation, n_features)


def conv_grid(image_shape, n_layers):
    """Spatial size after ``n_layers`` stride-2 'same' convolutions."""
    height, width = image_shape[0], image_shape[1]
    for _ in range(n_layers):
        height, width = math.ceil(height / 2), math.ceil(width / 2)
    return height, width


def build_conv_autoencoder(
    image_shape,
    n_components,
    *,
    filters=(32, 64),
    activation="relu",
    output_activation="sigmoid",
    seed=0,
):
    """Build a convolutional autoencoder with a dense code.

    The encoder reshapes each flat sample to ``image_shape``, applies one
    3x3 convolution with stride 2 per entry of ``filters`` (each halves the
    height and width), flattens, and ends in ``Dense(n_components)``.  The
    decoder mirrors it with a dense layer, transposed convolutions and a crop
    back to ``image_shape``, and returns flat samples again, so the encoder
    and decoder have the same inputs and outputs as the dense ones.

    Parameters
    ----------
    image_shape : tuple of int
        ``(height, width, channels)``; samples are flat arrays of
        ``height * width * channels`` values in row-major (channels last)
        order.
    n_components : int
        Width of the code.
    filters : sequence of int, default=(32, 64)
        Filters of the encoder's strided convolutions, outermost first.
    activation, output_activation : str
        As in :func:`build_dense_autoencoder`.
    seed : int, default=0
        Seed of the weight initialisers.

    Returns
    -------
    autoencoder, encoder, decoder : keras.Model
    """
    height, width, channels = (int(v) for v in image_shape)
    n_features = height * width * channels
    filters = [int(f) for f in filters]
    initializers = _kernel_initializers(seed)

    inputs = keras.Input(shape=(n_features,), dtype="float32", name="features")
    h = keras.layers.Reshape((height, width, channels), name="to_image")(inputs)
    for i, n_filters in enumerate(filters):
        h = keras.layers.Conv2D(
            n_filters, 3, strides=2, padding="same", activation=activation,
            kernel_initializer=next(initializers), name=f"encoder_conv_{i}",
        )(h)
    h = keras.layers.Flatten(name="flatten")(h)
    code = keras.layers.Dense(
        n_components, activation=activation, kernel_initializer=next(initializers), name="code"
    )(h)
    encoder = keras.Model(inputs, code, name="encoder")

    grid_h, grid_w = conv_grid((height, width), len(filters))
    innermost = filters[-1] if filters else channels
    code_inputs = keras.Input(shape=(n_components,), dtype="float32", name="code_input")
    h = keras.layers.Dense(
        grid_h * grid_w * innermost, activation=activation, kernel_initializer=next(initializers),
        name="decoder_dense",
    )(code_inputs)
    h = keras.layers.Reshape((grid_h, grid_w, innermost), name="to_grid")(h)
    for i, n_filters in enumerate(reversed(filters[:-1])):
        h = keras.layers.Conv2DTranspose(
            n_filters, 3, strides=2, padding="same", activation=activation,
            kernel_initializer=next(initializers), name=f"decoder_deconv_{i}",
        )(h)
    if filters:
        h = keras.layers.Conv2DTranspose(
            channels, 3, strides=2, padding="same", kernel_initializer=next(initializers),
            name="reconstruction_logits",
        )(h)
    extra_h, extra_w = grid_h * 2 ** len(filters) - height, grid_w * 2 ** len(filters) - width
    if extra_h or extra_w:
        h = keras.layers.Cropping2D(((0, extra_h), (0, extra_w)), name="crop")(h)
    logits = keras.layers.Flatten(name="to_features")(h)
    return _assemble(encoder, code_inputs, logits, output_activation, n_features)


def decoder_logits(decoder):
    """The decoder without its final activation (sharing its layers)."""
    return keras.Model(
        decoder.inputs, decoder.get_layer("reconstruction").input, name="decoder_logits"
    )
