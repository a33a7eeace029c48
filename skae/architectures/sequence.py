"""The sequence autoencoder: an LSTM encoder, the code repeated, an LSTM decoder."""

from numbers import Integral

from sklearn.base import clone
from sklearn.utils._param_validation import Interval

from ._base import Architecture, assemble, checked_shape, seeded_initializers

__all__ = ["Sequence"]


class Sequence(Architecture):
    """LSTM encoder into a dense code; the code repeated over time into an LSTM decoder.

    The Keras blog's sequence-to-sequence autoencoder.  Each flat sample is
    read as a sequence of shape ``sequence_shape`` ``(timesteps, features)``
    (row-major: the first ``features`` values are the first timestep).  The
    encoder is ``LSTM(units)`` over the sequence, whose last output goes
    through a linear ``Dense(n_components)`` code layer; the decoder repeats
    the code at every timestep (``RepeatVector``), runs ``LSTM(units)``
    returning the whole sequence and maps each step to ``features`` values,
    flattened back, so ``transform`` and ``inverse_transform`` keep their
    contract.

    Parameters
    ----------
    sequence_shape : tuple of int or None, default=None
        ``(timesteps, features)``; one entry may be -1, inferred from the
        number of features as in :func:`numpy.reshape`.  ``None`` reads each
        sample as a univariate series (``(n_features, 1)``).  MNIST images
        read row by row are ``(28, 28)``, or ``(-1, 28)``.
    units : int, default=64
        Units of the encoder's and of the decoder's LSTM.

    See Also
    --------
    Dense : Fully connected encoder and decoder.
    Conv : Convolutional encoder and decoder for images.

    Examples
    --------
    >>> from skae.architectures import Sequence
    >>> Sequence().resolve(24).sequence_shape
    (24, 1)
    >>> Sequence(sequence_shape=(28, 28), units=32)
    Sequence(sequence_shape=(28, 28), units=32)
    """

    name = "sequence"
    description = "sequence: LSTM encoder into a dense code, repeated into an LSTM decoder"
    # Not compiled with XLA on a CPU: XLA's recurrent loop trained a long
    # sequence to another result (docs/notes.rst).

    _parameter_constraints: dict = {
        "sequence_shape": [tuple, None],
        "units": [Interval(Integral, 1, None, closed="left")],
    }

    def __init__(self, sequence_shape=None, units=64):
        self.sequence_shape = sequence_shape
        self.units = units

    def resolve(self, n_features):
        self._validate_params()
        return clone(self).set_params(sequence_shape=self._sequence_shape(n_features),
                                      units=int(self.units))

    def for_sample_shape(self, shape):
        """Samples read row by row: an image's ``height`` timesteps of ``width`` pixels."""
        if self.sequence_shape is not None:
            return self
        return clone(self).set_params(sequence_shape=tuple(shape[:2]))

    def _sequence_shape(self, n_features):
        shape = self.sequence_shape
        if shape is None:
            return (int(n_features), 1)
        return checked_shape(shape, n_features, owner="Sequence", name="sequence_shape",
                             layout="(timesteps, features)", lengths=(2,))

    def build(self, n_features, n_components, *, output_activation, seed):
        import keras

        timesteps, features = self._sequence_shape(n_features)
        initializers = seeded_initializers(seed)
        units = int(self.units)

        inputs = keras.Input(shape=(n_features,), dtype="float32", name="features")
        h = keras.layers.Reshape((timesteps, features), name="to_sequence")(inputs)
        h = keras.layers.LSTM(units, kernel_initializer=next(initializers),
                              recurrent_initializer=keras.initializers.Orthogonal(seed=seed),
                              name="encoder_lstm")(h)
        code = keras.layers.Dense(n_components, kernel_initializer=next(initializers),
                                  name="code")(h)
        encoder = keras.Model(inputs, code, name="encoder")

        code_inputs = keras.Input(shape=(n_components,), dtype="float32", name="code_input")
        h = keras.layers.RepeatVector(timesteps, name="repeat")(code_inputs)
        h = keras.layers.LSTM(units, return_sequences=True, kernel_initializer=next(initializers),
                              recurrent_initializer=keras.initializers.Orthogonal(seed=seed + 1),
                              name="decoder_lstm")(h)
        h = keras.layers.Dense(features, kernel_initializer=next(initializers),
                               name="reconstruction_logits")(h)
        logits = keras.layers.Flatten(name="to_features")(h)
        return assemble(encoder, code_inputs, logits, output_activation, n_features)
