"""The contract of a network kind, and the Keras pieces the kinds share.

A network kind is a small parameter object (a subclass of
:class:`Architecture`): its constructor arguments are its settings, so
scikit-learn's ``get_params``, ``set_params`` and ``clone`` work on it and a
grid search can reach them (``architecture__filters``).  It builds the
encoder, the decoder and the autoencoder in Keras, and says what its
training step adds to the reconstruction loss.

Knows nothing about the estimator, training loops, persistence or the
comparison job.  Keras is imported inside the methods that build networks,
so importing a kind does not load TensorFlow.
"""

import itertools
import math
from numbers import Integral

import numpy as np
from sklearn.base import BaseEstimator, clone
from sklearn.utils._param_validation import InvalidParameterError

from .._activations import NAMES

__all__ = ["ACTIVATIONS", "Architecture", "assemble", "checked_shape",
           "positive_ints", "seeded_initializers"]

#: Activations a kind's layers and the reconstruction layer can use (Keras's
#: names; NumPy inference and the ONNX export implement each of them: the
#: registry in ``skae._activations``).
ACTIVATIONS = NAMES

class Architecture(BaseEstimator):
    """Base class of the network kinds of :class:`~skae.AutoencoderTransformer`.

    A subclass sets ``name`` and ``description``, declares its settings as
    constructor arguments (with ``_parameter_constraints``), and implements
    :meth:`build`.  It may override :meth:`resolve` (settings
    that depend on the data), :meth:`default_output_activation` and
    :meth:`default_training` (what the estimator's ``"auto"`` values mean for
    it), :meth:`initialize` (a start computed from the data), :meth:`split`
    (where the encoder and decoder are inside a saved autoencoder),
    :meth:`training_code` (what training feeds the decoder, and extra loss
    terms, named in ``loss_terms``), :meth:`training_callbacks`, and, for
    a kind with a prior over its code, :meth:`sample_codes` (with
    ``can_sample`` True).

    Attributes
    ----------
    name : str
        The kind's name in :data:`skae.architectures.ARCHITECTURES`.
    description : str
        One line for ``skae compare --help`` and the docs.
    loss_terms : tuple of str
        Names of the per-sample terms :meth:`training_code` adds to the
        reconstruction loss, in its order (none by default).
    can_sample : bool
        Whether :meth:`sample_codes` draws codes from a prior (False by
        default; :meth:`skae.AutoencoderTransformer.sample` is available then).
    starts_as_pca : bool
        Whether :meth:`initialize` makes the untrained network PCA (False by
        default): then PCA's width for a share of the variance bounds the
        search of ``n_components`` in (0, 1).
    legacy_parameters : dict of str to str or tuple of str
        Deprecated :class:`~skae.AutoencoderTransformer` parameters this kind
        still honours, mapped to the setting (or settings) of its own that
        each one set (applied by ``skae._deprecated``; removed in 0.4).

    See Also
    --------
    skae.architectures.Dense, skae.architectures.Conv : The kinds.
    """

    name = None
    description = ""
    loss_terms = ()
    can_sample = False
    starts_as_pca = False
    legacy_parameters = {}

    def __eq__(self, other):
        """Same kind and the same settings (so resolved architectures compare)."""
        if type(other) is not type(self):
            return NotImplemented
        mine, theirs = self.get_params(deep=False), other.get_params(deep=False)
        return mine.keys() == theirs.keys() and all(
            np.array_equal(mine[k], theirs[k]) if hasattr(mine[k], "__array__")
            else mine[k] == theirs[k] for k in mine
        )

    def __hash__(self):
        return hash((type(self), repr(self.get_params(deep=False))))

    def resolve(self, n_features):
        """A validated copy with every data-dependent setting resolved.

        Parameters
        ----------
        n_features : int
            Width of the flat samples the network will see.

        Returns
        -------
        architecture : Architecture
            A new object of the same kind; this one is not changed.
        """
        self._validate_params()
        return clone(self)

    def build(self, n_features, n_components, *, output_activation, seed):
        """Build new Keras networks.

        Parameters
        ----------
        n_features : int
            Width of the flat samples and of the reconstructions.
        n_components : int
            Width of the code.
        output_activation : str
            Activation of the reconstruction layer.
        seed : int
            Seed of every random initialiser (layer ``i`` uses ``seed + i``).

        Returns
        -------
        autoencoder, encoder, decoder : keras.Model
            ``autoencoder`` maps samples to reconstructions through the two
            others, which share its layers.  The decoder's last layer is an
            ``Activation`` named ``"reconstruction"`` (``assemble`` in this
            module builds it so).
        """
        raise NotImplementedError

    def for_sample_shape(self, shape):
        """This kind set up for flat samples of ``shape``: itself, unless it reads shapes.

        Kinds that read each sample as an image or a sequence (``Conv``:
        ``(height, width)``, ``Sequence``: ``(timesteps, features)``) return a
        copy with that shape when theirs is unset.

        Parameters
        ----------
        shape : tuple of int
            The shape of one sample, flattened row by row (an image's
            ``(height, width)``).

        Returns
        -------
        architecture : Architecture
        """
        return self

    def default_output_activation(self, low, high):
        """The reconstruction layer's activation for ``output_activation="auto"``.

        Parameters
        ----------
        low, high : float
            Smallest and largest value of the training data.

        Returns
        -------
        activation : str
            ``"sigmoid"`` for data in [0, 1] (pixels, as in the Keras blog),
            ``"linear"`` otherwise.
        """
        return "sigmoid" if low >= 0.0 and high <= 1.0 else "linear"

    def default_training(self, n_samples):
        """The training budget for the estimator's parameters left at ``"auto"``.

        Parameters
        ----------
        n_samples : int
            Number of rows given to ``fit``.

        Returns
        -------
        budget : dict
            Values of ``epochs``, ``batch_size``, ``validation_fraction`` and
            ``early_stopping``: by default the Keras blog's, 50 epochs in
            batches of 256 on every row, without early stopping.
        """
        return {"epochs": 50, "batch_size": 256, "validation_fraction": None,
                "early_stopping": False}

    def initialize(self, autoencoder, X):
        """Set a new network's starting weights from its training rows.

        Called once per new network, before training, with the rows it will
        be trained on (not the validation rows).  By default the random
        initialisation of :meth:`build` is kept.

        Parameters
        ----------
        autoencoder : keras.Model
            The network :meth:`build` made.
        X : ndarray or scipy sparse CSR matrix of shape (n_samples, n_features)
            The training rows.

        Returns
        -------
        started : bool
            Whether the weights now depend on ``X``.  When they do and there
            are validation rows, the estimator keeps this start unless
            training beats it on them, and a start it keeps is made again
            from all the rows.
        """
        return False

    def split(self, autoencoder):
        """The encoder and decoder inside an autoencoder this kind built.

        Parameters
        ----------
        autoencoder : keras.Model
            As returned by :meth:`build`, or loaded from a file.

        Returns
        -------
        encoder, decoder : keras.Model
            Parts of the autoencoder (sharing its layers), found in it at each
            call, so the same objects each time: a kind whose encoder for
            ``transform`` is not a layer of its own should nest it as one.
        """
        return autoencoder.get_layer("encoder"), autoencoder.get_layer("decoder")

    def training_code(self, autoencoder, x, *, training, seed_generator=None):
        """The code training feeds to the decoder, and extra loss terms.

        Parameters
        ----------
        autoencoder : keras.Model
            The network :meth:`build` made (or a loaded copy): the kind finds
            the parts it needs in it, e.g. with :meth:`split`.
        x : tensor of shape (batch, n_features)
            The (possibly noisy) inputs.
        training : bool
            Whether this is a training step.
        seed_generator : keras.random.SeedGenerator or None
            For kinds that draw random numbers in training.

        Returns
        -------
        code : tensor of shape (batch, n_components)
        terms : dict of str to tensor of shape (batch,)
            Per-sample loss terms added to the reconstruction loss, by name
            (recorded in ``history_``).
        """
        encoder, _ = self.split(autoencoder)
        return encoder(x, training=training), {}

    def training_callbacks(self, autoencoder, X, rows):
        """Keras callbacks this kind adds to each training run (none by default).

        They run after early stopping's (so they see the weights training
        keeps) and before the user's.

        Parameters
        ----------
        autoencoder : keras.Model
            The network being trained.
        X : ndarray or scipy sparse CSR matrix of shape (n_samples, n_features)
            The data.
        rows : ndarray of int
            The rows of ``X`` trained on.

        Returns
        -------
        callbacks : list of keras.callbacks.Callback
        """
        return []

    def sample_codes(self, n_samples, n_components, random_state=None):
        """Codes drawn from the kind's prior, for :meth:`skae.AutoencoderTransformer.sample`.

        Only kinds with ``can_sample`` True implement it.

        Parameters
        ----------
        n_samples, n_components : int
            Shape of the draw.
        random_state : int, RandomState instance or None, default=None
            Seed of the draw.

        Returns
        -------
        codes : ndarray of shape (n_samples, n_components), dtype float32
        """
        raise NotImplementedError(f"{type(self).__name__} has no prior to draw codes from.")


def positive_ints(value, owner, name):
    """``value`` (an int or a sequence of ints) as a tuple of positive ints."""
    values = (value,) if isinstance(value, Integral) else value
    try:
        values = list(values)
    except TypeError:
        values = [value]
    if not all(isinstance(v, Integral) and not isinstance(v, bool) and v >= 1 for v in values):
        raise InvalidParameterError(
            f"The {name!r} parameter of {owner} must be a sequence of positive integers, "
            f"got {value!r}."
        )
    return tuple(int(v) for v in values)


def checked_shape(shape, n_features, *, owner, name, layout, lengths):
    """``shape`` as a tuple of positive ints holding exactly ``n_features`` values.

    ``lengths`` are the allowed tuple lengths and ``layout`` describes them in
    the error message, e.g. ``"(timesteps, features)"``.  One entry may be
    ``-1``, as in :func:`numpy.reshape`: it stands for whatever size makes the
    shape hold ``n_features`` values, so ``(-1, 1)`` fits any number of
    features.
    """
    if len(shape) not in lengths or not all(
            isinstance(v, Integral) and not isinstance(v, bool) and (v >= 1 or v == -1)
            for v in shape) or sum(v == -1 for v in shape) > 1:
        raise InvalidParameterError(
            f"The {name!r} parameter of {owner} must be None or a tuple {layout} of positive "
            f"integers (one of them may be -1, inferred from the number of features), got "
            f"{shape!r}."
        )
    known = math.prod(v for v in shape if v != -1)
    if -1 in shape:
        if n_features % known:
            raise ValueError(
                f"{name}={shape!r} cannot hold the {n_features} features of X: "
                f"{n_features} is not a multiple of {known}."
            )
        shape = tuple(n_features // known if v == -1 else v for v in shape)
    if math.prod(shape) != n_features:
        raise ValueError(
            f"{name}={shape!r} holds {math.prod(shape)} values, but X has {n_features} features."
        )
    return tuple(int(v) for v in shape)


def seeded_initializers(seed):
    """Glorot-uniform initialisers seeded ``seed``, ``seed + 1``, ... (one per layer)."""
    import keras

    return (keras.initializers.GlorotUniform(seed=int(seed) + i) for i in itertools.count())


def assemble(encoder, code_inputs, logits, output_activation, n_features):
    """Finish the decoder with its ``"reconstruction"`` activation; return all three models.

    Every kind ends its decoder this way: one layout of the saved networks.
    """
    import keras

    reconstruction = keras.layers.Activation(output_activation, name="reconstruction")(logits)
    decoder = keras.Model(code_inputs, reconstruction, name="decoder")
    x = keras.Input(shape=(n_features,), dtype="float32", name="input")
    autoencoder = keras.Model(x, decoder(encoder(x)), name="autoencoder")
    return autoencoder, encoder, decoder
