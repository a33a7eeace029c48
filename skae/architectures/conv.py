"""The convolutional autoencoder: images encoded by strided convolutions."""

import math

from sklearn.base import clone
from sklearn.utils._param_validation import InvalidParameterError, StrOptions

from ._base import (
    ACTIVATIONS,
    Architecture,
    assemble,
    checked_shape,
    positive_ints,
    seeded_initializers,
)

__all__ = ["Conv"]

#: Rows per step of the conv kind's default budget (see ``Conv.default_training``).
CONV_BATCH_SIZE = 64
#: Fewest epochs of the conv kind's default budget.
CONV_MIN_EPOCHS = 16


def _grid(height, width, n_layers):
    """Spatial size after ``n_layers`` stride-2 'same' convolutions."""
    for _ in range(n_layers):
        height, width = math.ceil(height / 2), math.ceil(width / 2)
    return height, width


class Conv(Architecture):
    """Strided convolutions into a dense code, transposed convolutions back.

    Each flat sample is reshaped to ``image_shape``; the encoder applies one
    3x3 convolution of stride 2 per entry of ``filters`` (each halves the
    height and width), flattens and ends in a linear ``Dense(n_components)``.  The
    decoder mirrors it with a dense layer, transposed convolutions and a crop
    back to ``image_shape``, and returns flat samples again, so
    ``transform`` and ``inverse_transform`` keep their contract.

    Parameters
    ----------
    filters : int or sequence of int, default=(32, 64)
        Filters of the encoder's strided convolutions, outermost first.
    image_shape : tuple of int or None, default=None
        ``(height, width)`` or ``(height, width, channels)``; samples are
        flat arrays in row-major, channels-last order.  One entry may be -1,
        as in :func:`numpy.reshape`: ``(-1, 1)`` reads each sample as a
        column of one pixel per feature (a one-dimensional signal), for any
        number of features.  ``None`` infers a square single-channel image
        when the number of features is a perfect square.
    activation : str, default="relu"
        Activation of the convolutions and of the decoder's dense layer.
    code_activation : str, default="linear"
        Activation of the code layer.  A relu code (skae 0.1's, and what
        ``activation`` set before skae 0.2) left the code units that a batch
        drives negative without gradient, and reconstructed MNIST no better
        than the dense model (``benchmarks/mnist_architectures.py`` has both
        codes).

    See Also
    --------
    Dense : Fully connected encoder and decoder.

    Notes
    -----
    The estimator's ``"auto"`` budget for this kind is batches of 64 images
    for at least 16 epochs (its
    :meth:`~skae.architectures.Architecture.default_training`).

    .. versionchanged:: 0.2
       The budget was the blog's, 50 epochs of 256 images: pass
       ``epochs=50, batch_size=256`` for it.

    Examples
    --------
    >>> from skae.architectures import Conv
    >>> Conv(filters=(16, 32)).resolve(784).image_shape
    (28, 28, 1)
    >>> Conv(image_shape=(-1, 1)).resolve(10).image_shape
    (10, 1, 1)
    """

    name = "conv"
    description = "convolutional: stride-2 3x3 convolutions (32, 64) into a linear dense code"
    # XLA slowed convolutional training down on a CPU (TensorFlow).
    # the estimator's activation (before skae 0.2) was also the code layer's
    legacy_parameters = {
        "hidden_layer_sizes": "filters", "image_shape": "image_shape",
        "activation": ("activation", "code_activation"),
    }

    _parameter_constraints: dict = {
        "filters": ["array-like", int],
        "image_shape": [tuple, None],
        "activation": [StrOptions(ACTIVATIONS)],
        "code_activation": [StrOptions(ACTIVATIONS)],
    }

    def __init__(self, filters=(32, 64), image_shape=None, activation="relu",
                 code_activation="linear"):
        self.filters = filters
        self.image_shape = image_shape
        self.activation = activation
        self.code_activation = code_activation

    def resolve(self, n_features):
        self._validate_params()
        return clone(self).set_params(filters=self._filters(),
                                      image_shape=self._image_shape(n_features))

    def for_sample_shape(self, shape):
        if self.image_shape is not None:
            return self
        return clone(self).set_params(image_shape=tuple(shape))

    def _filters(self):
        filters = positive_ints(self.filters, "Conv", "filters")
        if not filters:
            raise InvalidParameterError(
                "The 'filters' parameter of Conv must hold at least one positive integer, "
                f"got {self.filters!r}."
            )
        return filters

    def _image_shape(self, n_features):
        shape = self.image_shape
        if shape is None:
            side = math.isqrt(n_features)
            if side * side != n_features:
                raise ValueError(
                    f"The conv architecture needs image_shape: {n_features} features is not a "
                    "perfect square, so no square single-channel image can be inferred. Pass "
                    "Conv(image_shape=(height, width)) or (height, width, channels), or "
                    "(-1, 1) to read each sample as a one-dimensional signal."
                )
            return (side, side, 1)
        shape = checked_shape(shape, n_features, owner="Conv", name="image_shape",
                              layout="(height, width) or (height, width, channels)",
                              lengths=(2, 3))
        return shape if len(shape) == 3 else (*shape, 1)

    def default_training(self, n_samples):
        """Batches of 64 images, at least 16 epochs and the blog budget's steps.

        A convolutional network's step costs about in proportion to its
        images, so four times as many steps of a quarter of the images each
        cost about the same, and steps are what the model learns by
        (``benchmarks/bench_conv.py --budget`` compares this budget with the
        blog's on MNIST).  With few images the epochs grow so that there are never
        fewer steps than the blog's budget would take (50 epochs of 256).
        """
        blog_steps = 50 * math.ceil(n_samples / 256)
        steps = math.ceil(n_samples / CONV_BATCH_SIZE)
        epochs = max(CONV_MIN_EPOCHS, math.ceil(blog_steps / steps))
        return {"epochs": epochs, "batch_size": CONV_BATCH_SIZE, "validation_fraction": None,
                "early_stopping": False}

    def build(self, n_features, n_components, *, output_activation, seed):
        import keras

        height, width, channels = self._image_shape(n_features)
        filters = self._filters()
        initializers = seeded_initializers(seed)

        inputs = keras.Input(shape=(n_features,), dtype="float32", name="features")
        h = keras.layers.Reshape((height, width, channels), name="to_image")(inputs)
        for i, n_filters in enumerate(filters):
            h = keras.layers.Conv2D(
                n_filters, 3, strides=2, padding="same", activation=self.activation,
                kernel_initializer=next(initializers), name=f"encoder_conv_{i}",
            )(h)
        h = keras.layers.Flatten(name="flatten")(h)
        code = keras.layers.Dense(
            n_components, activation=self.code_activation,
            kernel_initializer=next(initializers), name="code",
        )(h)
        encoder = keras.Model(inputs, code, name="encoder")

        grid_h, grid_w = _grid(height, width, len(filters))
        code_inputs = keras.Input(shape=(n_components,), dtype="float32", name="code_input")
        h = keras.layers.Dense(
            grid_h * grid_w * filters[-1], activation=self.activation,
            kernel_initializer=next(initializers), name="decoder_dense",
        )(code_inputs)
        h = keras.layers.Reshape((grid_h, grid_w, filters[-1]), name="to_grid")(h)
        for i, n_filters in enumerate(reversed(filters[:-1])):
            h = keras.layers.Conv2DTranspose(
                n_filters, 3, strides=2, padding="same", activation=self.activation,
                kernel_initializer=next(initializers), name=f"decoder_deconv_{i}",
            )(h)
        h = keras.layers.Conv2DTranspose(
            channels, 3, strides=2, padding="same", kernel_initializer=next(initializers),
            name="reconstruction_logits",
        )(h)
        extra_h = grid_h * 2 ** len(filters) - height
        extra_w = grid_w * 2 ** len(filters) - width
        if extra_h or extra_w:
            h = keras.layers.Cropping2D(((0, extra_h), (0, extra_w)), name="crop")(h)
        logits = keras.layers.Flatten(name="to_features")(h)
        return assemble(encoder, code_inputs, logits, output_activation, n_features)
