"""The scikit-learn estimator: :class:`AutoencoderTransformer`.

This module holds the scikit-learn plumbing only: parameter validation,
input checks, seeds and fitted attributes.  The network comes from
an architecture (:mod:`skae.architectures`), training from
:mod:`skae._training`, inference from :mod:`skae._inference`, saving and
pickling from :mod:`skae._persistence`.  Keras is imported lazily, inside the
methods that build, train or run a network, so importing :mod:`skae`,
cloning an estimator or printing it never loads TensorFlow.
"""

import copy
from numbers import Integral, Real

import numpy as np
import scipy.sparse as sp
from sklearn.base import (
    BaseEstimator,
    ClassNamePrefixFeaturesOutMixin,
    TransformerMixin,
    _fit_context,
)
from sklearn.utils import check_array, check_random_state, check_scalar
from sklearn.utils._param_validation import Hidden, Interval, RealNotInt, StrOptions
from sklearn.utils.metaestimators import available_if
from sklearn.utils.sparsefuncs import min_max_axis
from sklearn.utils.validation import check_is_fitted, validate_data

from ._backend import start_keras
from ._deprecated import DeprecatedAttributes, apply_deprecated_parameters
from ._persistence import SerializedKerasModel as _SerializedKerasModel  # noqa: F401 (skae 0.1 pickles)
from ._rollback import restored_on_error
from ._settings import LOSSES, OPTIMIZERS, TrainingSettings
from .architectures import ARCHITECTURES, get_architecture
from .architectures._base import ACTIVATIONS, Architecture

__all__ = ["AutoencoderTransformer", "load"]

_SEED_HIGH = np.iinfo(np.int32).max

#: The weights ``target_weight="auto"`` chooses among on the validation rows, and the
#: one it takes without them.  Picked on half of the classification tables
#: (``benchmarks/supervised_codes.py --weights``, ``supervised_weights.json``): from
#: 0.3 to 3 every classifier gained, 10 gained little more and decoded worse, so
#: the choice spans 1 to 10, and 3 stands alone.
TARGET_WEIGHTS = (1.0, 3.0, 10.0)
LONE_TARGET_WEIGHT = 3.0


def _value_range(X):
    """``(min, max)`` of a dense or sparse matrix (implicit zeros count)."""
    if sp.issparse(X):
        low, high = min_max_axis(X, axis=0)
        return float(low.min()), float(high.max())
    return float(X.min()), float(X.max())


class AutoencoderTransformer(DeprecatedAttributes, ClassNamePrefixFeaturesOutMixin,
                             TransformerMixin, BaseEstimator):
    """Dimensionality reduction with a Keras autoencoder.

    The encoder maps each sample to ``n_components`` numbers (``transform``)
    and the decoder maps codes back to the input space
    (``inverse_transform``).  With the default parameters the network is
    :class:`~skae.architectures.Residual`: a dense autoencoder that starts
    as PCA fitted on the training rows and learns a nonlinear correction,
    trained on the mean squared error until a tenth of the rows held out
    stops improving, and kept only where it beats its start on them; on rows
    like the training rows it reconstructs at least about as well as
    ``PCA(n_components)``, on tables and images alike.

    ``architecture="dense"`` is the simple autoencoder of the Keras blog post
    "Building Autoencoders in Keras", exactly:
    ``input -> Dense(n_components, relu) -> Dense(n_features, sigmoid)``,
    Adam on the binary cross-entropy (data in [0, 1]), 50 epochs in batches
    of 256.  The blog's other variants are parameters: deep
    (``architecture=Dense(hidden_layer_sizes=(128, 64))``), sparse
    (``activity_l1``), denoising (``noise_stddev``), convolutional
    (``architecture="conv"``), variational (``architecture="variational"``,
    with :meth:`sample`) and sequence-to-sequence (``architecture=
    Sequence(sequence_shape=(timesteps, features))``, LSTMs).

    Read more in the project's user guide (``docs/``).

    Parameters
    ----------
    n_components : int, float in (0, 1) or "auto", default="auto"
        Width of the code, i.e. the number of output features of
        :meth:`transform`.  ``"auto"``: half the features, at least 1 and at
        most 32 (the Keras blog's width).  A float in (0, 1): the smallest
        width whose reconstructions keep that share of the variance of rows
        held out of the search's fits (as many as ``validation_fraction``
        holds out) beyond one standard error of that estimate, found by
        bisection below PCA's width for the same share, one fit per width
        tried (``width_search_``); a narrower width than PCA's is kept as
        the search's fit, whose share those rows measured, and PCA's own is
        fitted on all the rows; the default kind only.  An integer wider
        than the input gets a warning.

        .. versionchanged:: 0.2
           The default was 32 whatever the number of features; ``"auto"``
           is 32 from 64 features on.  ``n_components=32`` gives the old
           width back.

    architecture : str or Architecture, default="residual"
        The network kind: a name of :data:`skae.architectures.ARCHITECTURES`
        (``"residual"``, ``"dense"``, ``"conv"``, ``"variational"``,
        ``"sequence"``) for its default settings, or an object such as
        ``Dense(hidden_layer_sizes=(128, 64))`` or ``Conv(filters=(16, 32))``
        from :mod:`skae.architectures`, whose settings a grid search reaches as
        ``architecture__<setting>``.

        .. versionchanged:: 0.2
           The default was ``"dense"``, the Keras blog's model, until 0.2;
           ``architecture="dense"`` gives it back, with the blog's budget.

    output_activation : {"auto", "sigmoid", "linear", ...}, default="auto"
        Activation of the reconstruction layer (one of
        :data:`skae.architectures.ACTIVATIONS`).  ``"auto"`` is the kind's
        choice: ``"linear"`` for ``"residual"`` (its start is PCA's linear
        reconstruction); for the other kinds ``"sigmoid"`` when the training
        data lie in [0, 1] and ``"linear"`` otherwise.  The resolved value is
        stored in ``output_activation_``.

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

    epochs : int or "auto", default="auto"
        Number of passes over the training data (fewer with early stopping).
        ``"auto"`` is the kind's budget
        (:meth:`~skae.architectures.Architecture.default_training`): at most
        200 for ``"residual"``, which stops early; at least 16 for
        ``"conv"``, in batches of 64; the blog's 50 for the other kinds.

        .. versionchanged:: 0.2
           ``"auto"`` became the default (it was 50).

    batch_size : int or "auto", default="auto"
        Number of samples per gradient step (capped at the number of
        samples).  ``"auto"``: for ``"residual"`` a twentieth of the training
        rows, from 16 to 256, so that small tables get enough steps; 64 for
        ``"conv"``; the blog's 256 for the other kinds.

        .. versionchanged:: 0.2
           ``"auto"`` became the default (it was 256).

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

    activity_l1 : float, default=0.0
        Weight of an L1 penalty on the code activations (a sparse
        autoencoder; the blog used 1e-4).  The penalty is the L1 norm of each
        sample's code, averaged over the batch and added to the loss.

    noise_stddev : float, default=0.0
        Standard deviation of Gaussian noise added to the inputs during
        training only (a denoising autoencoder); the target stays the clean
        input and :meth:`transform` never adds noise.  The noisy inputs are
        clipped to [0, 1] when the output activation is a sigmoid.

    validation_fraction : float, None or "auto", default="auto"
        Fraction of the training samples held out (at random) to compute
        ``val_loss`` after each epoch.  ``None`` uses every sample for
        training.  ``"auto"``: for ``"residual"`` a tenth of the rows (at
        least 10; none below 20 rows), None for the other kinds.  These rows
        also judge the trained network against the kind's start from the
        data: see "Which network a fit keeps" in the Notes.

        .. versionchanged:: 0.2
           ``"auto"`` became the default (it was None).

    early_stopping : bool or "auto", default="auto"
        Stop training when the monitored loss (``val_loss`` with a validation
        fraction, the training loss otherwise) has not decreased by more than
        ``tol`` for ``n_iter_no_change`` epochs, and restore the weights of the
        best epoch.  ``"auto"``: True for ``"residual"`` with validation rows,
        False for the other kinds.

        .. versionchanged:: 0.2
           ``"auto"`` became the default (it was False).

    n_iter_no_change : int, default=10
        Patience of early stopping, in epochs.

    tol : float, default=0.0
        Smallest decrease of the monitored loss that counts as an improvement
        for early stopping (absolute).

    callbacks : list of keras.callbacks.Callback or None, default=None
        Further Keras callbacks for training.  They are deep-copied at each
        fit, so the estimator stays clone-safe and the objects passed are not
        modified; the copies used are in ``callbacks_``.  As in Keras's own
        ``fit``, their batch hooks (``on_train_batch_begin``/``_end``) run on
        every training batch: a fit given such a callback runs one training
        step per compiled call.  An exception raised in any hook stops the
        fit and leaves the estimator as it was.

    warm_start : bool, default=False
        When True and the estimator is fitted, :meth:`fit` continues training
        the existing network (with its optimizer state) instead of starting
        again; the parameters that define the network must be unchanged.

    target_weight : float, "auto" or None, default=None
        How much the code learns from the ``y`` given to :meth:`fit`.  With
        None, ``y`` is ignored.  Otherwise a linear head on the code is
        trained to predict ``y`` beside the reconstruction, so that the code
        both separates the classes and decodes.  The head's loss on each
        labelled row is weighted by this number relative to the
        reconstruction (see Notes).  ``"auto"`` trains at weights 1, 3 and
        10 and keeps the network whose reconstruction and head do best on
        the validation rows, by the sum of the two losses each relative to a
        guess; without validation rows it is 3.  With ``y=None`` the fit is
        unsupervised whatever this says.

        .. versionadded:: 0.2

    hidden_layer_sizes, activation, image_shape : deprecated
        Deprecated in 0.2 and removed in 0.4: settings of the architecture
        now (``Dense(hidden_layer_sizes=..., activation=...)``,
        ``Conv(filters=..., image_shape=..., activation=...)``).  Still
        honoured, with a :class:`FutureWarning`, when ``architecture`` is a
        name (with the default name they set up ``"dense"``, the default of
        skae 0.1, as before); ``hidden_layer_sizes`` then means the
        convolution filters of ``"conv"``, as before.

    Attributes
    ----------
    model_ : keras.Model
        The whole autoencoder, ``decoder_(encoder_(x))``.  Changes made to
        its weights through Keras (``model_.fit``, ``set_weights``) are seen
        by ``transform`` and the other methods.

    encoder_ : keras.Model
        Maps samples to codes; shares its layers with ``model_``.

    decoder_ : keras.Model
        Maps codes to reconstructions; shares its layers with ``model_``.

    n_components_ : int
        Width of the code of the fitted network.

    variance_kept_ : float
        The share of the variance the reconstructions keep: one minus the
        residual over the total sum of squares (about the training rows'
        mean) of the validation rows, or of the training rows when there are
        none (at most 1,024 of them, evenly spaced).  Set by :meth:`fit`
        only: :meth:`partial_fit` removes it, since measuring it would cost
        every chunk another pass.  The variance-weighted R² of the
        reconstructions; for the untrained default network (PCA) on its
        training rows, it equals
        ``PCA(n_components).explained_variance_ratio_.sum()``.  One number,
        not PCA's per-component array: an autoencoder's codes are not
        ordered components.

    width_search_ : dict
        Only with ``n_components`` a float: the widths tried
        (``"n_components"``, increasing), the share each kept of the rows
        held out of the search's fits (``"variance_kept"``), its standard
        error (``"standard_error"``; a narrower width than PCA's qualifies
        when the share less this reaches the threshold), the share a width
        had to keep (``"threshold"``: ``n_components``, or less where PCA's
        own width keeps less of those rows) and how many rows judged the
        widths (``"selection_rows"``; ``0`` without validation rows, when
        each width is judged by its own ``variance_kept_``).

    architecture_ : Architecture
        The architecture of the fitted network, with every setting resolved
        (e.g. the inferred ``image_shape`` of ``Conv``).

    output_activation_ : str
        Resolved activation of the reconstruction layer.

    loss_ : str
        Resolved training loss.

    history_ : dict of str to list of float
        Keras's training history: ``history_["loss"]`` holds one value per
        epoch and, with validation, ``history_["val_loss"]`` too.  When the
        loss has several terms (``activity_l1``, an architecture's own
        terms), each is recorded under its name (``"reconstruction"``,
        ``"l1"``, ...).  Warm-started
        fits and :meth:`partial_fit` append to it.

    loss_curve_ : list of float
        Training loss at the end of each epoch (``history_["loss"]``).

    n_iter_ : int
        Number of epochs run (over all warm-started fits and partial fits).

    best_epoch_ : int
        Epoch (1-based, counted in the last call) whose weights the network
        holds: the best one with early stopping, the last one otherwise, and
        0 when the kind's start from the data was kept (see "Which network
        a fit keeps" in the Notes).

    callbacks_ : list of keras.callbacks.Callback
        The copies of ``callbacks`` used by the last fit.

    target_weight_ : float or None
        The weight the last fit gave the head's loss (``target_weight``, or
        the one ``"auto"`` chose); None when it trained no head.

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
    sklearn.discriminant_analysis.LinearDiscriminantAnalysis : A linear
        reducer that learns from the labels and does not decode.
    skae.architectures.Dense, skae.architectures.Conv : The network kinds.
    skae.architectures.Variational, skae.architectures.Sequence : More kinds.

    Notes
    -----
    **Which network a fit keeps.**  A kind that starts from the data
    (``"residual"`` starts as PCA fitted on the training rows) keeps that
    start unless training beats it on rows it did not train on: the
    trained network is kept when its mean squared error on the validation
    rows is lower than the start's by more than one standard error of the
    per-row differences (the one-standard-error rule of model selection:
    the simpler model unless the other is better beyond the noise of the
    comparison).  A start kept is made again from all the rows, and
    ``best_epoch_`` is 0.  With no validation rows (``validation_fraction=
    None``, or ``"auto"`` below 20 rows) nothing can judge the two, and the trained
    network is kept; so it is with a head on ``y`` (below), and for kinds
    that start from random weights.  Early stopping chooses among the
    epochs, not between the start and training.

    **Learning from y.**  Floats in ``y`` are numeric targets (one column
    or several), predicted after standardising each; integers, strings and
    booleans are class labels, predicted as logits.  A row whose label is
    -1 (floats: NaN) is unlabelled, as in :mod:`sklearn.semi_supervised`:
    it trains the reconstruction only.  A weight of 1 makes a head no better
    than a guess (the uniform class probabilities, or the target's mean) cost
    a labelled row as much as reconstructing every row by the column means;
    the labelled rows' losses are divided by the share of rows labelled, so
    that a weight means the same with few labels as with all.  A fit with a
    head keeps its trained network: the default kind's PCA start is not
    kept for a better reconstruction of the validation rows, which a code
    that also predicts ``y`` need not give.  The head is not part of the
    fitted network: :meth:`transform` is the code and
    :meth:`inverse_transform` decodes it.  It is kept for a warm start or
    the next :meth:`partial_fit` (not saved or pickled, like the optimizer
    state).

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
    ('linear', 'mse')

    The Keras blog's model:

    >>> blog = AutoencoderTransformer(n_components=8, architecture="dense", epochs=5,
    ...                               random_state=0).fit(X)
    >>> blog.output_activation_, blog.loss_
    ('sigmoid', 'binary_crossentropy')

    A code that also learns the labels (as a pipeline passes them):

    >>> _, y = load_digits(return_X_y=True)
    >>> supervised = AutoencoderTransformer(2, target_weight=1.0, epochs=5,
    ...                                     random_state=0).fit(X, y)
    >>> supervised.transform(X).shape, supervised.target_weight_
    ((1797, 2), 1.0)
    """

    _parameter_constraints: dict = {
        "n_components": [Interval(Integral, 1, None, closed="left"),
                         Interval(RealNotInt, 0, 1, closed="neither"), StrOptions({"auto"}),
                         Hidden(StrOptions({"mle"}))],
        "architecture": [StrOptions(ARCHITECTURES.keys()), Architecture],  # the live registry
        "output_activation": [StrOptions(ACTIVATIONS | {"auto"})],
        "loss": [StrOptions(LOSSES | {"auto"})],
        "optimizer": [StrOptions(OPTIMIZERS)],
        "learning_rate": [Interval(Real, 0, None, closed="neither")],
        "epochs": [Interval(Integral, 1, None, closed="left"), StrOptions({"auto"})],
        "batch_size": [Interval(Integral, 1, None, closed="left"), StrOptions({"auto"})],
        "shuffle": ["boolean"],
        "random_state": ["random_state"],
        "verbose": ["verbose"],
        "activity_l1": [Interval(Real, 0, None, closed="left")],
        "noise_stddev": [Interval(Real, 0, None, closed="left")],
        "validation_fraction": [Interval(Real, 0, 1, closed="neither"), None,
                                StrOptions({"auto"})],
        "early_stopping": ["boolean", StrOptions({"auto"})],
        "n_iter_no_change": [Interval(Integral, 1, None, closed="left")],
        "tol": [Interval(Real, 0, None, closed="left")],
        "callbacks": [list, tuple, None],
        "warm_start": ["boolean"],
        "target_weight": [Interval(Real, 0, None, closed="left"), StrOptions({"auto"}), None],
        "hidden_layer_sizes": ["array-like", Interval(Integral, 1, None, closed="left"),
                               Hidden(StrOptions({"deprecated"}))],
        "activation": [StrOptions(ACTIVATIONS), Hidden(StrOptions({"deprecated"}))],
        "image_shape": [tuple, None, Hidden(StrOptions({"deprecated"}))],
    }

    def __init__(
        self,
        n_components="auto",
        *,
        architecture="residual",
        output_activation="auto",
        loss="auto",
        optimizer="adam",
        learning_rate=1e-3,
        epochs="auto",
        batch_size="auto",
        shuffle=True,
        random_state=None,
        verbose=0,
        activity_l1=0.0,
        noise_stddev=0.0,
        validation_fraction="auto",
        early_stopping="auto",
        n_iter_no_change=10,
        tol=0.0,
        callbacks=None,
        warm_start=False,
        target_weight=None,
        hidden_layer_sizes="deprecated",
        activation="deprecated",
        image_shape="deprecated",
    ):
        self.n_components = n_components
        self.architecture = architecture
        self.output_activation = output_activation
        self.loss = loss
        self.optimizer = optimizer
        self.learning_rate = learning_rate
        self.epochs = epochs
        self.batch_size = batch_size
        self.shuffle = shuffle
        self.random_state = random_state
        self.verbose = verbose
        self.activity_l1 = activity_l1
        self.noise_stddev = noise_stddev
        self.validation_fraction = validation_fraction
        self.early_stopping = early_stopping
        self.n_iter_no_change = n_iter_no_change
        self.tol = tol
        self.callbacks = callbacks
        self.warm_start = warm_start
        self.target_weight = target_weight
        self.hidden_layer_sizes = hidden_layer_sizes
        self.activation = activation
        self.image_shape = image_shape

    # ------------------------------------------------------------------ fit

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y=None):
        """Train the autoencoder to reconstruct `X` (and its code to predict `y`).

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Training data.

        y : array-like of shape (n_samples,) or (n_samples, n_outputs), default=None
            Targets the code learns to predict when ``target_weight`` is not
            None: class labels (-1 for an unlabelled row) or floats (NaN for
            an unlabelled row).  Ignored when ``target_weight`` is None.

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
        return self._fit(X, y, incremental=False)

    def _has_a_fixed_width(self):
        """``partial_fit`` needs a width it can build on the first chunk."""
        if isinstance(self.n_components, float):
            raise AttributeError(
                f"partial_fit is not available with n_components={self.n_components!r} (a share "
                "of the variance): choosing the width takes fits on all the rows. Pass an integer "
                "n_components (after a fit, its n_components_) to train chunk by chunk.")
        return True

    @available_if(_has_a_fixed_width)
    @_fit_context(prefer_skip_nested_validation=True)
    def partial_fit(self, X, y=None):
        """Train for one pass over `X`, continuing the current network.

        The first call builds the network (resolving ``output_activation`` and
        ``loss`` from this first chunk); later calls continue it with the same
        optimizer state, so chunks of a stream can be fed one at a time.
        ``validation_fraction`` and ``early_stopping`` are ignored.  The
        parameters are validated at every call.  Not available with
        ``n_components`` a share of the variance, which takes fits on all the
        rows to choose the width (as :class:`~sklearn.neural_network.MLPClassifier`
        has no ``partial_fit`` with the ``"lbfgs"`` solver).

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            One chunk of training data.  It is copied once into a dense
            float32 array (a sparse chunk too), so memory grows with the
            chunk's size; :func:`skae.streaming.iter_chunks` cuts a large
            array or memmap into chunks.

        y : array-like of shape (n_samples,) or (n_samples, n_outputs), default=None
            Targets of the chunk's rows, as in :meth:`fit` (``target_weight``
            ``"auto"`` is 3 here: a chunk has no validation rows).  The
            classes or outputs of the first chunk with a target are those of
            every later one.

        Returns
        -------
        self : object
            The estimator.
        """
        # scikit-learn's _fit_context validates partial_fit's parameters on the
        # first call only; a changed parameter must not slip in later.
        self._validate_params()
        return self._fit(X, y, incremental=True)

    def _fit(self, X, y, *, incremental):
        """Shared by :meth:`fit` and :meth:`partial_fit` (one epoch per chunk)."""
        continuing = "model_" in self.__dict__ and (incremental or self.warm_start)
        start_keras()
        with restored_on_error(self, trains_in_place=continuing):
            X = self._validate_input(X, reset=not continuing)
            if continuing:
                self._check_continuation(X)
            targets = self._encode_targets(y, X.shape[0], continuing=continuing)
            if incremental:
                self._fit_chunk(X, targets, continuing=continuing)
            else:
                self._fit_all(X, targets, continuing=continuing)
        return self

    def _encode_targets(self, y, n_samples, *, continuing):
        """``y``'s training columns (:mod:`skae._targets`), or None when no head is trained."""
        if self.target_weight is None or y is None:
            if not continuing:
                self._target_encoding = None
            return None
        from ._targets import encode_targets

        known = getattr(self, "_target_encoding", None) if continuing else None
        targets, self._target_encoding = encode_targets(y, n_samples, known)
        return targets

    def _fit_all(self, X, targets, *, continuing):
        """:meth:`fit`: build (unless continuing), start, train, keep the start if it won."""
        if not continuing and self._width_is_a_fraction():
            if targets is not None:
                raise ValueError(
                    f"n_components={self.n_components!r} (a share of the variance) chooses the "
                    "width by reconstruction alone, and cannot train a head on y: pass an "
                    "integer n_components with target_weight, or target_weight=None.")
            self._fit_by_variance(X)
            return
        rng = check_random_state(self.random_state)
        init_seed, split_seed, train_seed = (int(s) for s in rng.randint(_SEED_HIGH, size=3))
        if not continuing:
            self._initialize(X, init_seed)
        from ._width import selection_rows

        budget = self._budget(X.shape[0])
        train_rows, validation_rows = selection_rows(X.shape[0], budget["validation_fraction"],
                                                     split_seed)
        if targets is not None:
            self._fit_with_target(X, targets, budget, (train_rows, validation_rows),
                                  seeds=(init_seed, train_seed), continuing=continuing)
            return
        self.target_weight_ = None
        start_errors = None
        if not continuing and self.architecture_.initialize(
                self.model_, X if train_rows is None else X[train_rows]):
            if validation_rows is not None:
                start_errors = self._row_errors(X[validation_rows])
        self._train(X, budget, seed=train_seed, append=continuing,
                    split=None if validation_rows is None else (train_rows, validation_rows))
        validation_errors = None
        if start_errors is not None:
            validation_errors = self._keep_start_unless_beaten(X, X[validation_rows],
                                                               start_errors)
        self._measure_variance_kept(X, train_rows, validation_rows, validation_errors)

    #: Every attribute a fit sets but those validate_data sets (``n_features_in_``,
    #: ``feature_names_in_``) and ``width_search_``: the state a fit by a share
    #: of the variance takes from the search's chosen fit
    #: (``tests/test_width.py`` checks that a fit sets no other).
    _FIT_STATE = ("model_", "architecture_", "n_components_", "output_activation_", "loss_",
                  "history_", "loss_curve_", "n_iter_", "best_epoch_", "callbacks_",
                  "variance_kept_", "_variance_kept_error", "target_weight_", "_target_encoding",
                  "_head", "_optimizer", "_optimizer_name", "_stream_steps")

    #: Fitted attributes a candidate weight's fit sets, kept for the best candidate
    #: (the training's part of ``_FIT_STATE``; ``tests/test_width.py`` checks it is one).
    _TRAINED = ("model_", "_optimizer", "_head", "history_", "loss_curve_", "n_iter_",
                "best_epoch_", "callbacks_", "target_weight_")

    def _fit_with_target(self, X, targets, budget, split, *, seeds, continuing):
        """:meth:`fit` with a head: train at the weight, or at each of ``"auto"``'s, keep the best.

        A candidate's network is judged on the validation rows by the sum of
        its reconstruction loss and its head's loss, each relative to a guess
        (``_held_out_loss``); every candidate starts from the same weights.
        """
        train_rows, validation_rows = split
        X_train = X if train_rows is None else X[train_rows]
        weights = [self.target_weight]
        if self.target_weight == "auto":
            weights = list(TARGET_WEIGHTS) if validation_rows is not None and not continuing \
                else [LONE_TARGET_WEIGHT]
        best = None
        for i, weight in enumerate(weights):
            if i:
                self._initialize(X, seeds[0], warn=False)  # warned of its width once
            if not continuing:
                self.architecture_.initialize(self.model_, X_train)
            self._train(X, budget, seed=seeds[1], append=continuing,
                        split=None if validation_rows is None else split,
                        targets=(targets, float(weight)))
            if len(weights) > 1:
                loss = self._held_out_loss(X[validation_rows], targets[validation_rows], X_train)
                if best is None or loss < best[0]:
                    best = (loss, {name: getattr(self, name) for name in self._TRAINED})
        if best is not None:
            for name, value in best[1].items():
                setattr(self, name, value)
        self._measure_variance_kept(X, train_rows, validation_rows)

    def _held_out_loss(self, X, targets, X_train):
        """Mean over rows of the reconstruction's and the head's losses, each over a guess's.

        Without a labelled row among them, the reconstruction's alone.
        """
        import keras

        from ._arrays import dense_float32
        from ._inference import predict_batched
        from ._targets import guess_reconstruction_loss, target_losses

        encoding, labelled = self._target_encoding, targets[:, -1] > 0
        if self.loss_ == "mse":
            reconstruction = self._row_errors(X)
        else:
            reconstruction = keras.ops.convert_to_numpy(keras.losses.get(self.loss_)(
                dense_float32(X), predict_batched(self.model_, X, self.n_features_in_)))
        loss = float(np.mean(reconstruction)) / guess_reconstruction_loss(X_train, self.loss_)
        if labelled.any():
            codes = predict_batched(self.encoder_, X[labelled], self.n_components_)
            head = keras.ops.convert_to_numpy(
                target_losses(encoding.kind, targets[labelled, :-1], self._head(codes)))
            loss += float(np.mean(head)) / encoding.guess_loss()
        return loss

    def _width_is_a_fraction(self):
        if isinstance(self.n_components, str) and self.n_components == "mle":
            raise ValueError(
                "n_components='mle' is PCA's choice by maximum likelihood under a linear "
                "Gaussian model, which an autoencoder has no likelihood for. Pass the share of "
                "the variance to keep instead, e.g. n_components=0.95.")
        return isinstance(self.n_components, float)

    def _fit_by_variance(self, X):
        """``n_components`` in (0, 1): the narrowest network keeping that share of the variance."""
        from ._width import search_width

        # checked on the kind a fit builds, the deprecated parameters applied
        architecture = self._resolve_architecture(X.shape[1])
        if not architecture.starts_as_pca:
            raise ValueError(
                f"n_components={self.n_components!r} (a share of the variance) needs a kind "
                "that starts as PCA, so that PCA's width bounds the search: "
                "architecture='residual' (the default, without the deprecated "
                "hidden_layer_sizes, activation and image_shape). Pass an integer "
                f"n_components for {type(architecture).__name__}.")
        # the widths are judged on as many rows as a fit holds out for validation
        budget = self._budget(X.shape[0], architecture)
        chosen, search = search_width(self, X, self.n_components,
                                      selection_fraction=budget["validation_fraction"])
        for name in self._FIT_STATE:
            if hasattr(chosen, name):
                setattr(self, name, getattr(chosen, name))
        self.width_search_ = search

    def _measure_variance_kept(self, X, train_rows, validation_rows, validation_errors=None):
        """``variance_kept_``: on the validation rows, or on training rows without any.

        ``validation_errors`` are the validation rows' errors where the fit has
        them already.  Without validation rows, at most ``VARIANCE_ROWS``
        training rows, evenly spaced, are reconstructed: the measure costs a
        fixed time, not another pass over all the data.
        """
        from ._width import VARIANCE_ROWS, column_means, variance_kept

        X_train = X if train_rows is None else X[train_rows]
        if validation_rows is None:
            rows = np.unique(np.linspace(0, X_train.shape[0] - 1,
                                         min(VARIANCE_ROWS, X_train.shape[0])).astype(int))
            X_eval, errors = X_train[rows], None
        else:
            X_eval, errors = X[validation_rows], validation_errors
        if errors is None:
            errors = self._row_errors(X_eval)
        # the standard error is what a search over widths weighs a share against
        self.variance_kept_, self._variance_kept_error = variance_kept(
            errors, X_eval, column_means(X_train), standard_error=True)

    def _fit_chunk(self, X, targets, *, continuing):
        """:meth:`partial_fit`: build and start on the first chunk, then one epoch per chunk."""
        if not continuing:
            rng = check_random_state(self.random_state)
            init_seed, stream_seed = (int(s) for s in rng.randint(_SEED_HIGH, size=2))
            self._initialize(X, init_seed)
            self.architecture_.initialize(self.model_, X)
            self._stream_rng = np.random.RandomState(stream_seed)
        elif not hasattr(self, "_stream_rng"):  # fitted by fit(), or loaded
            self._stream_rng = check_random_state(self.random_state)
        budget = dict(self._budget(X.shape[0]), epochs=1, early_stopping=False)
        weight = LONE_TARGET_WEIGHT if self.target_weight == "auto" else self.target_weight
        self._train(X, budget, seed=int(self._stream_rng.randint(_SEED_HIGH)),
                    append=continuing, stream=True,
                    targets=None if targets is None else (targets, float(weight)))
        self.target_weight_ = None if targets is None else float(weight)
        # Measuring it would reconstruct rows after every chunk, a cost each
        # chunk pays (bench_streaming); a value from before this chunk would
        # describe another network, so none is kept.
        for name in ("variance_kept_", "_variance_kept_error"):
            self.__dict__.pop(name, None)

    def _budget(self, n_samples, architecture=None):
        """``epochs``, ``batch_size``, ``validation_fraction``, ``early_stopping``, resolved.

        The defaults are ``architecture``'s (the fitted one's when not given).
        """
        defaults = (architecture or self.architecture_).default_training(n_samples)
        return {name: default if isinstance(getattr(self, name), str) else getattr(self, name)
                for name, default in defaults.items()}

    def _row_errors(self, X):
        from ._inference import mean_squared_errors

        return mean_squared_errors(self.model_, X)

    def _keep_start_unless_beaten(self, X, X_validation, start_errors):
        """Go back to the architecture's start unless training clearly beat it.

        Training beat the start when the validation rows' mean squared error
        fell by more than one standard error of the per-row differences (the
        one-standard-error rule of model selection: the simpler model, here the
        start, unless the other is better beyond the noise of the comparison).
        A start kept is made again from all the rows.
        """
        trained_errors = self._row_errors(X_validation)
        gain = start_errors - trained_errors
        if len(gain) > 1 and gain.mean() > gain.std(ddof=1) / np.sqrt(len(gain)):
            return trained_errors  # the validation rows' errors of the network kept
        self.architecture_.initialize(self.model_, X)
        self.best_epoch_ = 0
        return None

    def _validate_input(self, X, *, reset):
        X = validate_data(self, X, accept_sparse=("csr", "csc"),
                          dtype=(np.float64, np.float32), reset=reset)
        return X.tocsr() if sp.issparse(X) else X

    def _resolve_architecture(self, n_features):
        """The architecture to build (with skae 0.1's parameters, if given, applied)."""
        architecture = apply_deprecated_parameters(self, get_architecture(self.architecture))
        return architecture.resolve(n_features)

    def _width(self, n_features, *, warn=True):
        """The width of a new network: ``n_components``, or what ``"auto"`` makes of it."""
        from ._width import default_width, warn_if_wide

        if isinstance(self.n_components, str):  # "auto"
            return default_width(n_features)
        if warn:
            warn_if_wide(int(self.n_components), n_features)
        return int(self.n_components)

    def _initialize(self, X, seed, *, warn=True):
        """Resolve the settings and build a new network (not yet trained)."""
        architecture = self._resolve_architecture(X.shape[1])
        self.output_activation_, self.loss_ = self._resolve_output(X, architecture)
        width = self._width(X.shape[1], warn=warn)
        self.model_, _, _ = architecture.build(
            X.shape[1], width, output_activation=self.output_activation_, seed=seed)
        self.architecture_ = architecture
        self.n_components_ = width
        self.history_ = {}
        self.n_iter_ = 0
        self._optimizer = None  # a new network gets a new optimizer in _train
        self._head = None  # and a new head, when it learns a target
        self._stream_steps = None

    def _check_continuation(self, X):
        """What continuing the fitted network on `X` needs (warm start, partial_fit)."""
        if self.loss_ == "binary_crossentropy":
            self._check_unit_interval(*_value_range(X), self.loss_)
        if not self.warm_start:
            return
        resolved = self._resolve_architecture(self.n_features_in_)
        changed = [name for name, value in resolved.get_params(deep=False).items()
                   if self.architecture_.get_params(deep=False).get(name) != value]
        if type(resolved) is not type(self.architecture_):
            changed = ["architecture"]
        if not isinstance(self.n_components, float) and (  # a share continues the width chosen
                self._width(self.n_features_in_, warn=False) != self.n_components_):
            changed.insert(0, "n_components")
        if changed:
            raise ValueError(
                f"warm_start=True cannot continue the fitted network: {', '.join(changed)} "
                "changed since it was built. Set warm_start=False to build a new one."
            )

    def _rebuild(self):
        """A new network of the fitted one's structure (for a compiled step kept between fits)."""
        return self.architecture_.build(self.n_features_in_, self.n_components_,
                                        output_activation=self.output_activation_, seed=0)[0]

    def _train(self, X, budget, *, seed, split=None, append, stream=False, targets=None):
        """Train the network on ``X`` for ``budget``, then record what training did.

        ``targets`` is ``(columns, weight)``: the encoded target of each row
        and the head's weight, or None to reconstruct alone.
        """
        from ._targets import with_targets
        from ._training import TrainedNetwork, train

        columns, weight = targets if targets is not None else (None, None)
        head = None
        if columns is not None:
            head = self._initialize_head(seed)
            self.target_weight_ = weight
        self._initialize_optimizer()
        callbacks = self._initialize_callbacks()
        history, best_epoch = train(
            TrainedNetwork(self.architecture_, self.model_, rebuild=self._rebuild, head=head),
            X if columns is None else with_targets(X, columns),
            self._training_settings(budget, self._target_settings(X, split, columns, weight)),
            optimizer=self._optimizer, seed=seed, split=split, callbacks=callbacks,
            steps=self._compiled_steps(stream),
        )
        self._record_training(history, best_epoch, callbacks, append=append)

    def _initialize_head(self, seed):
        """The head on the code, new (with a new optimizer for its variables) if there is none."""
        if getattr(self, "_head", None) is None:
            from ._targets import make_head

            self._head = make_head(self.n_components_, self._target_encoding, seed)
            self._optimizer = None
        return self._head

    def _target_settings(self, X, split, columns, weight):
        """The target's training settings: the head's weight, over a guess's losses."""
        if columns is None:
            return {}
        from ._targets import guess_reconstruction_loss

        X_train = X if split is None else X[split[0]]

        encoding = self._target_encoding
        labelled = float(np.mean(columns[:, -1])) or 1.0
        scale = guess_reconstruction_loss(X_train, self.loss_) / encoding.guess_loss() / labelled
        return {"target_kind": encoding.kind, "target_columns": encoding.n_columns,
                "target_weight": float(weight) * scale}

    def _initialize_optimizer(self):
        """A new optimizer, or the current one (its state kept) at the current learning rate."""
        from ._training import make_optimizer

        if getattr(self, "_optimizer", None) is None or self._optimizer_name != self.optimizer:
            # first fit, after unpickling or loading, or another optimizer asked for
            self._optimizer = make_optimizer(self.optimizer, self.learning_rate)
            self._optimizer_name = self.optimizer
        else:  # continue with the optimizer's state, at the current learning rate
            self._optimizer.learning_rate = self.learning_rate

    def _initialize_callbacks(self):
        """Copies of the user's callbacks: the estimator's parameter is never changed."""
        return [copy.deepcopy(cb) for cb in (self.callbacks or ())]

    def _training_settings(self, budget, target=None):
        """The :class:`~skae._settings.TrainingSettings` of this fit (``target``: its settings)."""
        return TrainingSettings(
            **(target or {}),
            loss=self.loss_, epochs=budget["epochs"], batch_size=budget["batch_size"],
            shuffle=self.shuffle,
            verbose=min(int(self.verbose), 2), activity_l1=self.activity_l1,
            noise_stddev=self.noise_stddev, clip_noise=self.output_activation_ == "sigmoid",
            early_stopping=budget["early_stopping"],
            n_iter_no_change=self.n_iter_no_change, tol=self.tol,
        )

    def _compiled_steps(self, stream):
        """Where compiled training steps are kept: the shared pool, or this stream's own."""
        from ._step_cache import SHARED_STEPS, StreamSteps

        if not stream:
            self._stream_steps = None
            return SHARED_STEPS
        if getattr(self, "_stream_steps", None) is None:  # a new network, fitted by fit(), loaded
            self._stream_steps = StreamSteps()
        return self._stream_steps

    def _record_training(self, history, best_epoch, callbacks, *, append):
        """The fitted attributes of training: history, loss curve, epochs, the callbacks used."""
        for callback in callbacks:
            callback.set_model(None)  # do not keep the training wrapper alive
        if append:
            merged = {k: list(v) for k, v in self.history_.items()}
            for name, values in history.items():
                merged.setdefault(name, []).extend(values)
            history = merged
        self.history_ = history
        self.loss_curve_ = list(history["loss"])
        self.n_iter_ = len(self.loss_curve_)
        self.best_epoch_ = int(best_epoch)
        self.callbacks_ = callbacks

    @staticmethod
    def _check_unit_interval(low, high, loss):
        if low < 0.0 or high > 1.0:
            raise ValueError(
                f"loss={loss!r} needs training data in [0, 1], but X "
                f"ranges over [{low:.6g}, {high:.6g}]. Scale X (e.g. with "
                "sklearn.preprocessing.MinMaxScaler) or use loss='mse'."
            )

    def _resolve_output(self, X, architecture):
        low, high = _value_range(X)
        output_activation = self.output_activation
        if output_activation == "auto":
            output_activation = architecture.default_output_activation(low, high)
        loss = self.loss
        if loss == "auto":
            loss = "binary_crossentropy" if output_activation == "sigmoid" else "mse"
        if loss == "binary_crossentropy":
            self._check_unit_interval(low, high, loss)
            if output_activation != "sigmoid":
                raise ValueError(
                    "loss='binary_crossentropy' needs a sigmoid output, but "
                    f"output_activation resolved to {output_activation!r}. Use "
                    "output_activation='sigmoid' (or 'auto'), or loss='mse'."
                )
        return output_activation, loss

    # --------------------------------------------------- derived attributes

    @property
    def encoder_(self):
        """keras.Model: maps samples to codes; a part of ``model_`` (``architecture_.split``)."""
        check_is_fitted(self, "model_")
        return self.architecture_.split(self.model_)[0]

    @property
    def decoder_(self):
        """keras.Model: maps codes to reconstructions; a part of ``model_``."""
        check_is_fitted(self, "model_")
        return self.architecture_.split(self.model_)[1]

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

    def _can_sample(self):
        try:
            architecture = getattr(self, "architecture_", None) or get_architecture(
                self.architecture)
        except (TypeError, ValueError):
            return False
        return architecture.can_sample

    @available_if(_can_sample)
    def sample(self, n_samples=1, random_state=None):
        """Decode codes drawn from the prior of a generative architecture.

        Available for architectures with a prior over the code
        (:class:`~skae.architectures.Variational`: ``N(0, I)``).

        Parameters
        ----------
        n_samples : int, default=1
            Number of samples to generate.

        random_state : int, RandomState instance or None, default=None
            Seed of the draw from the prior; ``None`` uses NumPy's global
            random state.

        Returns
        -------
        X : ndarray of shape (n_samples, n_features), dtype float32
            The decoded samples.

        Examples
        --------
        >>> from sklearn.datasets import load_digits
        >>> from skae import AutoencoderTransformer
        >>> X = load_digits().data / 16.0
        >>> vae = AutoencoderTransformer(2, architecture="variational", epochs=5,
        ...                              random_state=0).fit(X)
        >>> vae.sample(3, random_state=0).shape
        (3, 64)
        """
        check_is_fitted(self)
        n_samples = check_scalar(n_samples, "n_samples", Integral, min_val=1)
        codes = self.architecture_.sample_codes(n_samples, self.n_components_, random_state)
        from ._inference import predict_batched

        return predict_batched(self.decoder_, codes, self.n_features_in_)

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

        Notes
        -----
        The score measures reconstruction alone, and a wider code
        reconstructs better: a search over ``n_components`` by this score
        alone picks the widest width of its grid, as a search over
        :class:`~sklearn.decomposition.PCA`'s ``n_components`` by its
        likelihood does.  Choose the width by the share of the variance to
        keep (``n_components=0.95``), or score the pipeline by the task the
        codes serve (a classifier's accuracy after them).
        """
        return float(np.mean(self.score_samples(X)))

    @property
    def _n_features_out(self):
        return self.n_components_

    # ------------------------------------------------------------- plumbing

    def onnx_shape_calculator(self):
        """skl2onnx's hook: the shape calculator of :mod:`skae.onnx_export` (needs skae[onnx]).

        With it and :meth:`onnx_converter`, ``skl2onnx.to_onnx`` converts a
        fitted estimator, alone or in a pipeline, without registering anything.
        """
        from .onnx_export import shape_calculator

        return shape_calculator

    def onnx_converter(self):
        """skl2onnx's hook: the converter of :mod:`skae.onnx_export` (needs skae[onnx])."""
        from .onnx_export import convert

        return convert

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True
        tags.transformer_tags.preserves_dtype = ["float32"]
        # y is optional; with a target weight a head learns it, numeric outputs several at once
        tags.target_tags.multi_output = self.target_weight is not None
        return tags

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
        from ._persistence import save

        return save(self, path)

    def __getstate__(self):
        from ._persistence import pickle_state

        return pickle_state(super().__getstate__())

    def __setstate__(self, state):
        from ._persistence import unpickle_state

        super().__setstate__(unpickle_state(state))


def load(path):
    """Load an estimator written by :meth:`AutoencoderTransformer.save`.

    The network is read with Keras's ``safe_mode=True``, so a file cannot run
    code on loading (a ``Lambda`` layer, for instance, is refused), and
    nothing is unpickled.  Files written by skae 0.1 (format 1) load too.

    Parameters
    ----------
    path : str or path-like
        The file.

    Returns
    -------
    estimator : AutoencoderTransformer
        The fitted estimator, ready to ``transform``.

    Raises
    ------
    FileNotFoundError
        If `path` does not exist.
    ValueError
        If the file is corrupt, incomplete, of an unknown format version,
        written by an incompatible Keras, unsafe, or inconsistent with its
        metadata.  No estimator is returned then.

    See Also
    --------
    AutoencoderTransformer.save : Write such a file.

    Examples
    --------
    >>> import os, tempfile
    >>> import numpy as np, skae
    >>> X = np.random.RandomState(0).rand(50, 6)
    >>> est = skae.AutoencoderTransformer(2, epochs=2, random_state=0).fit(X)
    >>> path = est.save(os.path.join(tempfile.mkdtemp(), "model.skae"))
    >>> loaded = skae.load(path)
    >>> bool(np.array_equal(loaded.transform(X), est.transform(X)))
    True
    """
    from ._persistence import read_fitted

    params, fitted, model = read_fitted(path, AutoencoderTransformer.__name__)
    try:
        estimator = AutoencoderTransformer(**params)
        estimator._validate_params()
    except Exception as exc:
        raise ValueError(f"{path} is not a valid .skae file: {type(exc).__name__}: {exc}") from exc
    for name, value in fitted.items():
        setattr(estimator, name, value)
    estimator.model_ = model
    return estimator
