"""The scikit-learn estimator: :class:`AutoencoderTransformer`.

This module holds the scikit-learn plumbing only (parameter validation, input
checks, fitted attributes, pickling).  Keras is imported lazily, inside the
methods that build, train or run a network, so importing :mod:`skae`,
cloning an estimator or printing it never loads TensorFlow.
"""

import contextlib
import copy
import math
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
def _restore_state_on_error(estimator, *, trains_in_place):
    """Put the estimator back as it was if the block raises.

    ``fit`` records ``n_features_in_``/``feature_names_in_`` early and, when
    continuing a fitted network (``warm_start``, ``partial_fit``), trains its
    weights in place; on any exception (a ``KeyboardInterrupt`` included) this
    restores the attributes, the weights and the optimizer state, so a failed
    or interrupted fit leaves the estimator exactly as it was.
    """
    saved = dict(estimator.__dict__)
    snapshot = None
    if trains_in_place and "model_" in saved:  # a new network leaves the old one untouched
        from ._training import snapshot_state

        snapshot = snapshot_state(saved["model_"], saved.get("_optimizer"))
    try:
        yield
    except BaseException:
        if snapshot is not None:
            from ._training import restore_state

            restore_state(snapshot)
        estimator.__dict__.clear()
        estimator.__dict__.update(saved)
        raise


def _value_range(X):
    """Return ``(min, max)`` of a dense or sparse matrix."""
    if sp.issparse(X):
        data = X.data
        low, high = (float(data.min()), float(data.max())) if data.size else (0.0, 0.0)
        if X.nnz < X.shape[0] * X.shape[1]:  # implicit zeros are values too
            low, high = min(low, 0.0), max(high, 0.0)
        return low, high
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
    256.  The blog's other variants are parameters: deep
    (``hidden_layer_sizes``), sparse (``activity_l1``), denoising
    (``noise_stddev``) and convolutional (``architecture="conv"``).

    Read more in the project's user guide (``docs/``).

    Parameters
    ----------
    n_components : int, default=32
        Width of the code, i.e. the number of output features of
        :meth:`transform`.

    hidden_layer_sizes : array-like of int, default=()
        With ``architecture="dense"``: widths of the encoder's hidden layers
        between the input and the code, outermost first; the decoder mirrors
        them.  ``()`` gives the blog's single-layer encoder, ``(128, 64)`` its
        deep autoencoder.  With ``architecture="conv"``: filters of the
        encoder's stride-2 3x3 convolutions (``()`` means ``(32, 64)``).

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
        Number of passes over the training data (fewer with early stopping).

    batch_size : int, default=256
        Number of samples per gradient step (capped at the number of samples).

    shuffle : bool, default=True
        Whether to visit the training samples in a new random order at each
        epoch.

    random_state : int, RandomState instance or None, default=None
        Seeds the weight initialisation, the batch order, the validation split
        and the input noise.  Pass an int for reproducible fits: two fits with
        the same int give identical networks.  Fitting never changes NumPy's,
        Python's or Keras's global random state when an int or a RandomState
        instance is given; with ``None`` the seeds are drawn from NumPy's global
        random state, as everywhere in scikit-learn.

    verbose : int or bool, default=0
        Keras's verbosity during training: 0 is silent, 1 shows a progress bar
        per epoch (with ``loss`` and, with validation, ``val_loss``), 2 prints
        one line per epoch.

    architecture : {"dense", "conv"}, default="dense"
        ``"conv"`` reshapes each sample to an image, encodes it with strided
        convolutions into a dense code of ``n_components`` and decodes it with
        transposed convolutions; :meth:`transform` keeps the same contract.

    image_shape : tuple of int or None, default=None
        ``(height, width)`` or ``(height, width, channels)`` of the samples
        for ``architecture="conv"`` (flat samples in row-major, channels-last
        order).  ``None`` infers a square single-channel image when
        ``n_features`` is a perfect square.  Ignored by the dense architecture.

    activity_l1 : float, default=0.0
        Weight of an L1 penalty on the code activations (a sparse
        autoencoder; the blog used 1e-4).  The penalty is the L1 norm of each
        sample's code, averaged over the batch and added to the loss.

    noise_stddev : float, default=0.0
        Standard deviation of Gaussian noise added to the inputs during
        training only (a denoising autoencoder); the target stays the clean
        input and :meth:`transform` never adds noise.  The noisy inputs are
        clipped to [0, 1] when the output activation is a sigmoid.

    validation_fraction : float or None, default=None
        Fraction of the training samples held out (at random) to compute
        ``val_loss`` after each epoch.  ``None`` uses every sample for
        training.

    early_stopping : bool, default=False
        Stop training when the monitored loss (``val_loss`` with a validation
        fraction, the training loss otherwise) has not decreased by more than
        ``tol`` for ``n_iter_no_change`` epochs, and restore the weights of the
        best epoch.

    n_iter_no_change : int, default=10
        Patience of early stopping, in epochs.

    tol : float, default=0.0
        Smallest decrease of the monitored loss that counts as an improvement
        for early stopping (absolute).

    callbacks : list of keras.callbacks.Callback or None, default=None
        Further Keras callbacks for training.  They are deep-copied at each
        fit, so the estimator stays clone-safe and the objects passed are not
        modified; the copies used are in ``callbacks_``.

    warm_start : bool, default=False
        When True and the estimator is fitted, :meth:`fit` continues training
        the existing network (with its optimizer state) instead of starting
        again; the parameters that define the network must be unchanged.

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

    hidden_layer_sizes_ : tuple of int
        Resolved hidden layer widths (dense) or convolution filters (conv).

    image_shape_ : tuple of int or None
        Resolved ``(height, width, channels)`` for the conv architecture,
        None for the dense one.

    output_activation_ : str
        Resolved activation of the reconstruction layer.

    loss_ : str
        Resolved training loss.

    history_ : dict of str to list of float
        Keras's training history: ``history_["loss"]`` holds one value per
        epoch and, with validation, ``history_["val_loss"]`` too.  Warm-started
        fits and :meth:`partial_fit` append to it.

    loss_curve_ : list of float
        Training loss at the end of each epoch (``history_["loss"]``).

    n_iter_ : int
        Number of epochs run (over all warm-started fits and partial fits).

    best_epoch_ : int
        Epoch (1-based, counted in the last call) whose weights the network
        holds: the best one with early stopping, the last one otherwise.

    callbacks_ : list of keras.callbacks.Callback
        The copies of ``callbacks`` used by the last fit.

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
    Inference runs in blocks of a fixed number of rows, so the code of a
    sample does not depend on which other samples are transformed with it.
    For a dense network on a CPU it is NumPy matrix products over the
    network's current Keras weights (faster than calling Keras, and equal to
    its output up to float32 rounding); convolutional networks, and networks
    on a GPU or TPU, run through Keras.

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
        "architecture": [StrOptions({"dense", "conv"})],
        "image_shape": [tuple, None],
        "activity_l1": [Interval(Real, 0, None, closed="left")],
        "noise_stddev": [Interval(Real, 0, None, closed="left")],
        "validation_fraction": [Interval(Real, 0, 1, closed="neither"), None],
        "early_stopping": ["boolean"],
        "n_iter_no_change": [Interval(Integral, 1, None, closed="left")],
        "tol": [Interval(Real, 0, None, closed="left")],
        "callbacks": [list, tuple, None],
        "warm_start": ["boolean"],
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
        architecture="dense",
        image_shape=None,
        activity_l1=0.0,
        noise_stddev=0.0,
        validation_fraction=None,
        early_stopping=False,
        n_iter_no_change=10,
        tol=0.0,
        callbacks=None,
        warm_start=False,
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
        self.architecture = architecture
        self.image_shape = image_shape
        self.activity_l1 = activity_l1
        self.noise_stddev = noise_stddev
        self.validation_fraction = validation_fraction
        self.early_stopping = early_stopping
        self.n_iter_no_change = n_iter_no_change
        self.tol = tol
        self.callbacks = callbacks
        self.warm_start = warm_start

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

        Raises
        ------
        skae.TrainingDivergedError
            If the loss or the weights become NaN or infinite.

        Notes
        -----
        A fit that raises (bad input, divergence, a ``KeyboardInterrupt``)
        leaves the estimator exactly as it was before: unfitted, or with its
        previous network, weights and optimizer state.
        """
        warm = self.warm_start and hasattr(self, "model_")
        with _restore_state_on_error(self, trains_in_place=warm):
            X = self._validate_input(X, reset=not warm)
            rng = check_random_state(self.random_state)
            init_seed, split_seed, train_seed = (int(s) for s in rng.randint(_SEED_HIGH, size=3))
            if warm:
                self._check_warm_start_compatible()
            else:
                self._initialize(X, init_seed)
            train_rows, validation_rows = self._split(X.shape[0], split_seed)
            self._train(
                X,
                epochs=self.epochs,
                seed=train_seed,
                train_rows=train_rows,
                validation_rows=validation_rows,
                early_stopping=self.early_stopping,
                append=warm,
            )
        return self

    def partial_fit(self, X, y=None):
        """Train for one pass over `X`, continuing the current network.

        The first call builds the network (resolving ``output_activation`` and
        ``loss`` from this first chunk); later calls continue it with the same
        optimizer state, so chunks of a stream can be fed one at a time.
        ``validation_fraction`` and ``early_stopping`` are ignored.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            One chunk of training data.  It is copied once into a dense
            float32 array (a sparse chunk too), so memory grows with the
            chunk's size; :func:`skae.streaming.iter_chunks` cuts a large
            array or memmap into chunks.

        y : None
            Ignored; present for API consistency.

        Returns
        -------
        self : object
            The estimator.
        """
        first = not hasattr(self, "model_")
        if first:
            self._validate_params()
        with _restore_state_on_error(self, trains_in_place=not first):
            X = self._validate_input(X, reset=first)
            if first:
                rng = check_random_state(self.random_state)
                init_seed, stream_seed = (int(s) for s in rng.randint(_SEED_HIGH, size=2))
                self._initialize(X, init_seed)
                self._stream_rng = np.random.RandomState(stream_seed)
            else:  # the first chunk was checked when the network was built
                if self.loss_ == "binary_crossentropy":
                    self._check_unit_interval(*_value_range(X), self.loss_)
                if not hasattr(self, "_stream_rng"):  # fitted by fit(), or loaded
                    self._stream_rng = check_random_state(self.random_state)
            self._train(
                X,
                epochs=1,
                seed=int(self._stream_rng.randint(_SEED_HIGH)),
                train_rows=None,
                validation_rows=None,
                early_stopping=False,
                append=not first,
                reuse_trainer=True,
            )
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

    def _network_spec(self, n_features):
        """The resolved settings that define the network's shape."""
        sizes = self.hidden_layer_sizes
        if isinstance(sizes, Integral):
            sizes = (sizes,)
        sizes = list(sizes)
        if not all(isinstance(s, Integral) and not isinstance(s, bool) and s >= 1 for s in sizes):
            raise InvalidParameterError(
                "The 'hidden_layer_sizes' parameter of AutoencoderTransformer must be a "
                f"sequence of positive integers, got {self.hidden_layer_sizes!r}."
            )
        sizes = tuple(int(s) for s in sizes)
        if self.architecture == "dense":
            return sizes, None
        return sizes or (32, 64), self._resolve_image_shape(n_features)

    def _resolve_image_shape(self, n_features):
        shape = self.image_shape
        if shape is None:
            side = math.isqrt(n_features)
            if side * side != n_features:
                raise ValueError(
                    f"architecture='conv' needs image_shape: {n_features} features is not a "
                    "perfect square, so no square single-channel image can be inferred. Pass "
                    "image_shape=(height, width) or (height, width, channels)."
                )
            return (side, side, 1)
        if len(shape) == 2:
            shape = (*shape, 1)
        if len(shape) != 3 or not all(
            isinstance(v, Integral) and not isinstance(v, bool) and v >= 1 for v in shape
        ):
            raise InvalidParameterError(
                "The 'image_shape' parameter of AutoencoderTransformer must be None or a tuple "
                f"(height, width) or (height, width, channels) of positive integers, got "
                f"{self.image_shape!r}."
            )
        shape = tuple(int(v) for v in shape)
        if shape[0] * shape[1] * shape[2] != n_features:
            raise ValueError(
                f"image_shape={self.image_shape!r} holds {shape[0] * shape[1] * shape[2]} "
                f"values, but X has {n_features} features."
            )
        return shape

    def _initialize(self, X, seed):
        """Resolve the settings and build a new network (not yet trained)."""
        hidden, image_shape = self._network_spec(X.shape[1])
        output_activation, loss = self._resolve_output(X)
        from ._architectures import build_conv_autoencoder, build_dense_autoencoder

        if image_shape is None:
            model, encoder, decoder = build_dense_autoencoder(
                X.shape[1], self.n_components, hidden_layer_sizes=hidden,
                activation=self.activation, output_activation=output_activation, seed=seed,
            )
        else:
            model, encoder, decoder = build_conv_autoencoder(
                image_shape, self.n_components, filters=hidden,
                activation=self.activation, output_activation=output_activation, seed=seed,
            )
        self.model_, self.encoder_, self.decoder_ = model, encoder, decoder
        self.n_components_ = int(self.n_components)
        self.hidden_layer_sizes_ = hidden
        self.image_shape_ = image_shape
        self.output_activation_ = output_activation
        self.loss_ = loss
        self.history_ = {}
        self.n_iter_ = 0
        self._optimizer = None  # a new network gets a new optimizer in _train
        self._trainer = None

    def _check_warm_start_compatible(self):
        hidden, image_shape = self._network_spec(self.n_features_in_)
        changed = [
            name
            for name, fitted, current in [
                ("n_components", self.n_components_, self.n_components),
                ("hidden_layer_sizes", self.hidden_layer_sizes_, hidden),
                ("image_shape", self.image_shape_, image_shape),
            ]
            if fitted != current
        ]
        if changed:
            raise ValueError(
                f"warm_start=True cannot continue the fitted network: {', '.join(changed)} "
                "changed since it was built. Set warm_start=False to build a new one."
            )

    def _split(self, n_samples, seed):
        if self.validation_fraction is None:
            return None, None
        n_validation = int(round(self.validation_fraction * n_samples))
        if n_validation < 1 or n_validation >= n_samples:
            raise ValueError(
                f"validation_fraction={self.validation_fraction} with n_samples={n_samples} leaves "
                f"{n_validation} for validation and {n_samples - n_validation} for training; "
                "both need at least one. Use more samples or another validation_fraction."
            )
        order = np.random.RandomState(seed).permutation(n_samples)
        return np.sort(order[n_validation:]), np.sort(order[:n_validation])

    def _train(self, X, *, epochs, seed, train_rows, validation_rows, early_stopping, append,
               reuse_trainer=False):
        from ._training import make_optimizer, train_autoencoder

        optimizer = getattr(self, "_optimizer", None)
        if optimizer is None or getattr(self, "_optimizer_name", None) != self.optimizer:
            # first fit, after unpickling or loading, or another optimizer asked for
            self._optimizer = make_optimizer(self.optimizer, self.learning_rate)
            self._optimizer_name = self.optimizer
        else:  # continue with the optimizer's state, at the current learning rate
            optimizer.learning_rate = self.learning_rate
        # a cached partial_fit trainer serves only while what it was built with holds
        trainer_key = (id(self._optimizer), self.loss_, self.activity_l1, self.noise_stddev)
        callbacks = [copy.deepcopy(cb) for cb in (self.callbacks or ())]
        history, best_epoch, trainer = train_autoencoder(
            self.encoder_,
            self.decoder_,
            X,
            loss=self.loss_,
            optimizer=self._optimizer,
            epochs=epochs,
            batch_size=self.batch_size,
            shuffle=self.shuffle,
            seed=seed,
            verbose=min(int(self.verbose), 2),
            activity_l1=self.activity_l1,
            noise_stddev=self.noise_stddev,
            clip_noise=self.output_activation_ == "sigmoid",
            train_rows=train_rows,
            validation_rows=validation_rows,
            early_stopping=early_stopping,
            n_iter_no_change=self.n_iter_no_change,
            tol=self.tol,
            callbacks=callbacks,
            stream=reuse_trainer,
            allow_xla=self.architecture == "dense",
            trainer=self._cached_trainer(trainer_key) if reuse_trainer else None,
        )
        for callback in callbacks:
            callback.set_model(None)  # do not keep the training wrapper alive
        self._trainer = (trainer_key, trainer) if reuse_trainer else None
        if append:
            merged = {k: list(v) for k, v in self.history_.items()}
            for key, values in history.items():
                merged.setdefault(key, []).extend(values)
            history = merged
        self.history_ = history
        self.loss_curve_ = list(history["loss"])
        self.n_iter_ = len(self.loss_curve_)
        self.best_epoch_ = int(best_epoch)
        self.callbacks_ = callbacks

    def _cached_trainer(self, key):
        cached = getattr(self, "_trainer", None)
        return cached[1] if cached is not None and cached[0] == key else None

    @staticmethod
    def _check_unit_interval(low, high, loss):
        if low < 0.0 or high > 1.0:
            raise ValueError(
                f"loss={loss!r} needs training data in [0, 1], but X "
                f"ranges over [{low:.6g}, {high:.6g}]. Scale X (e.g. with "
                "sklearn.preprocessing.MinMaxScaler) or use loss='mse'."
            )

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
            self._check_unit_interval(low, high, loss)  # X's range is already known
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
        X_new : ndarray of shape (n_samples, n_components), dtype float32
            The codes.
        """
        check_is_fitted(self)
        X = self._validate_input(X, reset=False)
        from ._inference import predict_batched

        return predict_batched(self.encoder_, X, self.n_components_)

    def inverse_transform(self, X):
        """Decode codes back to the input space.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_components)
            Codes, e.g. the output of :meth:`transform`.

        Returns
        -------
        X_original : ndarray of shape (n_samples, n_features), dtype float32
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
        from ._inference import predict_batched

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
        from ._inference import mean_squared_errors

        return -mean_squared_errors(self.model_, X)

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

    _SAVED_ATTRIBUTES = (
        "n_features_in_", "feature_names_in_", "n_components_", "hidden_layer_sizes_",
        "image_shape_", "output_activation_", "loss_", "history_", "loss_curve_", "n_iter_",
        "best_epoch_",
    )

    def save(self, path):
        """Save the fitted estimator to one file, without pickle.

        The file (a zip archive, conventionally ``*.skae``) holds the
        parameters and fitted attributes as JSON and the network in Keras's
        ``.keras`` format, with the skae and Keras versions that wrote it.
        Load it with :func:`skae.load`.  Parameters that JSON cannot hold
        (``callbacks``, a ``RandomState`` instance) are saved as None, with a
        warning; the optimizer state is not saved.

        Parameters
        ----------
        path : str or path-like
            Where to write.  The file is written under a temporary name and
            renamed, so a failure never leaves a partial file at `path`.

        Returns
        -------
        path : str
            The path written.
        """
        check_is_fitted(self)
        from ._persistence import save_estimator

        return save_estimator(
            self, path, fitted_attributes=self._SAVED_ATTRIBUTES,
            tuple_attributes=("hidden_layer_sizes_", "image_shape_"),
        )

    def __getstate__(self):
        state = super().__getstate__()
        if "model_" in state:
            from ._persistence import model_to_bytes

            state = dict(state)
            state["model_"] = _SerializedKerasModel(model_to_bytes(state["model_"]))
            del state["encoder_"], state["decoder_"]
            # Training helpers are rebuilt on demand: a fresh optimizer (its
            # state is not kept) and a fresh training wrapper.
            state.pop("_optimizer", None)
            state.pop("_trainer", None)
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
