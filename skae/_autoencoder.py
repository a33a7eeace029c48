"""The scikit-learn estimator: :class:`AutoencoderTransformer`.

This module holds the scikit-learn plumbing only (parameter validation, input
checks, fitted attributes, pickling).  Keras is imported lazily, inside the
methods that build, train or run a network, so importing :mod:`skae`,
cloning an estimator or printing it never loads TensorFlow.
"""

import contextlib
from numbers import Integral, Real

import numpy as np
import scipy.sparse as sp
from sklearn.base import (
    BaseEstimator,
    ClassNamePrefixFeaturesOutMixin,
    TransformerMixin,
    _fit_context,
)
from sklearn.utils import check_array, check_random_state
from sklearn.utils._param_validation import Interval, InvalidParameterError, StrOptions
from sklearn.utils.validation import check_is_fitted, validate_data

__all__ = ["AutoencoderTransformer"]

ACTIVATIONS = frozenset(
    {"relu", "tanh", "sigmoid", "linear", "elu", "selu", "gelu", "softplus", "silu", "leaky_relu"}
)
OPTIMIZERS = frozenset({"adam", "adamw", "nadam", "rmsprop", "sgd", "adagrad"})
LOSSES = frozenset({"binary_crossentropy", "mse", "mae"})

_SEED_HIGH = np.iinfo(np.int32).max


@contextlib.contextmanager
def _restore_state_on_error(estimator):
    """Put ``estimator.__dict__`` back as it was if the block raises.

    ``fit`` sets its attributes only at the end, but input validation records
    ``n_features_in_``/``feature_names_in_`` early; this makes a failed (or
    interrupted) fit leave the estimator exactly as it was before.
    """
    saved = dict(estimator.__dict__)
    try:
        yield
    except BaseException:
        estimator.__dict__.clear()
        estimator.__dict__.update(saved)
        raise


def _value_range(X):
    """Return ``(min, max)`` of a dense or sparse matrix."""
    if sp.issparse(X):
        data = X.data
        has_zeros = X.nnz < X.shape[0] * X.shape[1]
        low = min(data.min(), 0.0) if data.size else 0.0
        high = max(data.max(), 0.0) if data.size else 0.0
        if not has_zeros and data.size:
            low, high = data.min(), data.max()
        return float(low), float(high)
    return float(X.min()), float(X.max())


class _SerializedKerasModel:
    """Pickle-time stand-in for a Keras model: its ``.keras`` file as bytes."""

    def __init__(self, payload):
        self.payload = payload


class AutoencoderTransformer(ClassNamePrefixFeaturesOutMixin, TransformerMixin, BaseEstimator):
    """Dimensionality reduction with a Keras autoencoder.

    The encoder maps each sample to ``n_components`` numbers (``transform``)
    and the decoder maps codes back to the input space
    (``inverse_transform``).  With the default parameters the network is the
    simple autoencoder of the Keras blog post "Building Autoencoders in Keras":
    ``input -> Dense(n_components, relu) -> Dense(n_features, sigmoid)``,
    trained with Adam on the binary cross-entropy for 50 epochs in batches of
    256.

    Read more in the project's user guide (``docs/``).

    Parameters
    ----------
    n_components : int, default=32
        Width of the code, i.e. the number of output features of
        :meth:`transform`.

    hidden_layer_sizes : array-like of int, default=()
        Widths of the encoder's hidden layers between the input and the code,
        outermost first.  The decoder mirrors them.  ``()`` gives the blog's
        single-layer encoder; ``(128, 64)`` gives its deep autoencoder.

    activation : {"relu", "tanh", "sigmoid", "linear", "elu", "selu", "gelu", \
"softplus", "silu", "leaky_relu"}, default="relu"
        Activation of the hidden layers and of the code layer.

    output_activation : {"auto", "sigmoid", "linear", ...}, default="auto"
        Activation of the reconstruction layer (same choices as
        ``activation``).  ``"auto"`` means ``"sigmoid"`` when the training data
        lie in [0, 1] and ``"linear"`` otherwise.  The resolved value is stored
        in ``output_activation_``.

    loss : {"auto", "binary_crossentropy", "mse", "mae"}, default="auto"
        Reconstruction loss minimised during training.  ``"auto"`` means the
        binary cross-entropy with a sigmoid output and the mean squared error
        otherwise.  The binary cross-entropy needs a sigmoid output and data
        in [0, 1].  The resolved value is stored in ``loss_``.

    optimizer : {"adam", "adamw", "nadam", "rmsprop", "sgd", "adagrad"}, \
default="adam"
        Keras optimizer used for training.

    learning_rate : float, default=1e-3
        Learning rate of the optimizer.

    epochs : int, default=50
        Number of passes over the training data.

    batch_size : int, default=256
        Number of samples per gradient step (capped at the number of samples).

    shuffle : bool, default=True
        Whether to visit the training samples in a new random order at each
        epoch.

    random_state : int, RandomState instance or None, default=None
        Seeds the weight initialisation and the batch order.  Pass an int for
        reproducible fits: two fits with the same int give identical networks.
        Fitting never changes NumPy's, Python's or Keras's global random
        state when an int or a RandomState instance is given; with ``None`` the
        seeds are drawn from NumPy's global random state, as everywhere in
        scikit-learn.

    verbose : int or bool, default=0
        Keras's verbosity during training: 0 is silent, 1 shows a progress bar
        per epoch, 2 prints one line per epoch.

    Attributes
    ----------
    model_ : keras.Model
        The whole autoencoder, ``decoder_(encoder_(x))``.

    encoder_ : keras.Model
        Maps samples to codes; shares its layers with ``model_``.

    decoder_ : keras.Model
        Maps codes to reconstructions; shares its layers with ``model_``.

    n_components_ : int
        Width of the code of the fitted network.

    output_activation_ : str
        Resolved activation of the reconstruction layer.

    loss_ : str
        Resolved training loss.

    history_ : dict of str to list of float
        Keras's training history (``history_["loss"]`` holds one value per
        epoch).

    loss_curve_ : list of float
        Training loss at the end of each epoch.

    n_iter_ : int
        Number of epochs run.

    n_features_in_ : int
        Number of features seen during :term:`fit`.

    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Names of features seen during :term:`fit`. Defined only when `X`
        has feature names that are all strings.

    See Also
    --------
    sklearn.decomposition.PCA : Linear dimensionality reduction.
    sklearn.neural_network.MLPRegressor : A multi-layer perceptron that can
        be trained as an autoencoder but exposes no encoder.

    Notes
    -----
    Computations run in float32: :meth:`transform` and
    :meth:`inverse_transform` return float32 arrays whatever the input dtype.
    Inference runs in batches of a fixed number of rows, so the code of a
    sample does not depend on which other samples are transformed with it.

    Examples
    --------
    >>> from sklearn.datasets import load_digits
    >>> from skae import AutoencoderTransformer
    >>> X, _ = load_digits(return_X_y=True)
    >>> X = X / 16.0
    >>> autoencoder = AutoencoderTransformer(n_components=8, epochs=5, random_state=0)
    >>> codes = autoencoder.fit_transform(X)
    >>> codes.shape
    (1797, 8)
    >>> autoencoder.inverse_transform(codes).shape
    (1797, 64)
    >>> autoencoder.output_activation_, autoencoder.loss_
    ('sigmoid', 'binary_crossentropy')
    """

    _parameter_constraints: dict = {
        "n_components": [Interval(Integral, 1, None, closed="left")],
        "hidden_layer_sizes": ["array-like", Interval(Integral, 1, None, closed="left")],
        "activation": [StrOptions(set(ACTIVATIONS))],
        "output_activation": [StrOptions(set(ACTIVATIONS) | {"auto"})],
        "loss": [StrOptions(set(LOSSES) | {"auto"})],
        "optimizer": [StrOptions(set(OPTIMIZERS))],
        "learning_rate": [Interval(Real, 0, None, closed="neither")],
        "epochs": [Interval(Integral, 1, None, closed="left")],
        "batch_size": [Interval(Integral, 1, None, closed="left")],
        "shuffle": ["boolean"],
        "random_state": ["random_state"],
        "verbose": ["verbose"],
    }

    def __init__(
        self,
        n_components=32,
        *,
        hidden_layer_sizes=(),
        activation="relu",
        output_activation="auto",
        loss="auto",
        optimizer="adam",
        learning_rate=1e-3,
        epochs=50,
        batch_size=256,
        shuffle=True,
        random_state=None,
        verbose=0,
    ):
        self.n_components = n_components
        self.hidden_layer_sizes = hidden_layer_sizes
        self.activation = activation
        self.output_activation = output_activation
        self.loss = loss
        self.optimizer = optimizer
        self.learning_rate = learning_rate
        self.epochs = epochs
        self.batch_size = batch_size
        self.shuffle = shuffle
        self.random_state = random_state
        self.verbose = verbose

    # ------------------------------------------------------------------ fit

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y=None):
        """Train the autoencoder to reconstruct `X`.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Training data.  Sparse matrices are densified one batch at a
            time.

        y : None
            Ignored; present for API consistency.

        Returns
        -------
        self : object
            The fitted estimator.
        """
        with _restore_state_on_error(self):
            X = self._validate_input(X, reset=True)
            hidden = self._check_hidden_layer_sizes()
            output_activation, loss = self._resolve_output(X)
            rng = check_random_state(self.random_state)
            init_seed, shuffle_seed = (int(s) for s in rng.randint(_SEED_HIGH, size=2))

            from ._architectures import build_dense_autoencoder
            from ._training import make_optimizer, train_autoencoder

            model, encoder, decoder = build_dense_autoencoder(
                X.shape[1],
                self.n_components,
                hidden_layer_sizes=hidden,
                activation=self.activation,
                output_activation=output_activation,
                seed=init_seed,
            )
            history = train_autoencoder(
                encoder,
                decoder,
                X,
                loss=loss,
                optimizer=make_optimizer(self.optimizer, self.learning_rate),
                epochs=self.epochs,
                batch_size=self.batch_size,
                shuffle=self.shuffle,
                seed=shuffle_seed,
                verbose=min(int(self.verbose), 2),
            )

            self.model_ = model
            self.encoder_ = encoder
            self.decoder_ = decoder
            self.n_components_ = int(self.n_components)
            self.output_activation_ = output_activation
            self.loss_ = loss
            self.history_ = history
            self.loss_curve_ = list(history["loss"])
            self.n_iter_ = len(self.loss_curve_)
        return self

    def _validate_input(self, X, *, reset):
        X = validate_data(
            self,
            X,
            accept_sparse=("csr", "csc"),
            dtype=(np.float64, np.float32),
            reset=reset,
        )
        if sp.issparse(X):
            X = X.tocsr()
        return X

    def _check_hidden_layer_sizes(self):
        sizes = self.hidden_layer_sizes
        if isinstance(sizes, Integral):
            sizes = (sizes,)
        sizes = list(sizes)
        if not all(isinstance(s, Integral) and not isinstance(s, bool) and s >= 1 for s in sizes):
            raise InvalidParameterError(
                "The 'hidden_layer_sizes' parameter of AutoencoderTransformer must be a "
                "sequence of positive integers, "
                f"got {self.hidden_layer_sizes!r}."
            )
        return tuple(int(s) for s in sizes)

    def _resolve_output(self, X):
        low, high = _value_range(X)
        in_unit_interval = low >= 0.0 and high <= 1.0
        output_activation = self.output_activation
        if output_activation == "auto":
            output_activation = "sigmoid" if in_unit_interval else "linear"
        loss = self.loss
        if loss == "auto":
            loss = "binary_crossentropy" if output_activation == "sigmoid" else "mse"
        if loss == "binary_crossentropy":
            if not in_unit_interval:
                raise ValueError(
                    "loss='binary_crossentropy' needs training data in [0, 1], but X "
                    f"ranges over [{low:.6g}, {high:.6g}]. Scale X (e.g. with "
                    "sklearn.preprocessing.MinMaxScaler) or use loss='mse'."
                )
            if output_activation != "sigmoid":
                raise ValueError(
                    "loss='binary_crossentropy' needs a sigmoid output, but "
                    f"output_activation resolved to {output_activation!r}. Use "
                    "output_activation='sigmoid' (or 'auto'), or loss='mse'."
                )
        return output_activation, loss

    # ------------------------------------------------------------ inference

    def transform(self, X):
        """Encode `X` into codes.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Data to encode.

        Returns
        -------
        X_new : ndarray of shape (n_samples, n_components_), dtype float32
            The codes.
        """
        check_is_fitted(self)
        X = self._validate_input(X, reset=False)
        from ._training import predict_batched

        return predict_batched(self.encoder_, X, self.n_components_)

    def inverse_transform(self, X):
        """Decode codes back to the input space.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_components_)
            Codes, e.g. the output of :meth:`transform`.

        Returns
        -------
        X_original : ndarray of shape (n_samples, n_features_in_), dtype float32
            The reconstructions.
        """
        check_is_fitted(self)
        Z = check_array(X, dtype=(np.float64, np.float32), input_name="X")
        if Z.shape[1] != self.n_components_:
            raise ValueError(
                f"X has {Z.shape[1]} features, but {self.__class__.__name__}."
                f"inverse_transform is expecting {self.n_components_} features "
                "(n_components_) as input."
            )
        from ._training import predict_batched

        return predict_batched(self.decoder_, Z, self.n_features_in_)

    def score_samples(self, X):
        """Negative mean squared reconstruction error of each sample.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Data to reconstruct.

        Returns
        -------
        scores : ndarray of shape (n_samples,), dtype float64
            ``-mean((x - decoder(encoder(x))) ** 2)`` for each sample; higher
            is better.
        """
        check_is_fitted(self)
        X = self._validate_input(X, reset=False)
        from ._training import INFERENCE_BATCH_SIZE, iter_dense_batches, predict_batched

        scores = np.empty(X.shape[0], dtype=np.float64)
        for start, block in iter_dense_batches(X, INFERENCE_BATCH_SIZE):
            reconstruction = predict_batched(self.model_, block, self.n_features_in_)
            error = block.astype(np.float64) - reconstruction
            scores[start : start + block.shape[0]] = -np.mean(error * error, axis=1)
        return scores

    def score(self, X, y=None):
        """Negative mean squared reconstruction error over `X`.

        Higher is better, so the score can drive
        :class:`~sklearn.model_selection.GridSearchCV` without targets.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Data to reconstruct.

        y : None
            Ignored; present for API consistency.

        Returns
        -------
        score : float
            The mean of :meth:`score_samples`.
        """
        return float(np.mean(self.score_samples(X)))

    @property
    def _n_features_out(self):
        return self.n_components_

    # ------------------------------------------------------------- plumbing

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True
        tags.transformer_tags.preserves_dtype = ["float32"]
        return tags

    def __getstate__(self):
        state = super().__getstate__()
        if "model_" in state:
            from ._persistence import model_to_bytes

            state = dict(state)
            state["model_"] = _SerializedKerasModel(model_to_bytes(state["model_"]))
            del state["encoder_"], state["decoder_"]
        return state

    def __setstate__(self, state):
        model = state.get("model_")
        if isinstance(model, _SerializedKerasModel):
            from ._persistence import model_from_bytes

            model = model_from_bytes(model.payload)
            state = dict(state)
            state["model_"] = model
            state["encoder_"] = model.get_layer("encoder")
            state["decoder_"] = model.get_layer("decoder")
        super().__setstate__(state)
