"""An outlier detector that flags rows the autoencoder reconstructs badly.

Knows nothing about Keras: the network, its training and its reconstruction
errors are the wrapped :class:`~skae.AutoencoderTransformer`'s.
"""

from numbers import Real

import numpy as np
import scipy.sparse as sp
from sklearn.base import BaseEstimator, OutlierMixin, _fit_context, clone
from sklearn.utils._param_validation import HasMethods, Interval, StrOptions
from sklearn.utils.validation import check_is_fitted, validate_data

from ._autoencoder import AutoencoderTransformer, _restore_state_on_error

__all__ = ["AutoencoderOutlierDetector"]


class AutoencoderOutlierDetector(OutlierMixin, BaseEstimator):
    """Outlier detection by reconstruction error, with an autoencoder.

    Fits an autoencoder to the training rows; a row's score is minus its mean
    squared reconstruction error (:meth:`score_samples`), and rows scoring
    below ``offset_`` are outliers.  The contract is scikit-learn's for
    outlier detectors, as in :class:`~sklearn.ensemble.IsolationForest`:
    ``predict`` gives +1 for inliers and -1 for outliers, and
    ``decision_function`` is ``score_samples - offset_`` (negative for
    outliers).  :meth:`feature_errors` says which features make a row an
    outlier.

    Parameters
    ----------
    estimator : AutoencoderTransformer, default=None
        The autoencoder (unfitted; a clone is fitted).  None means
        ``AutoencoderTransformer()``, the default network with 32 numbers.
        Any architecture, training setting or callback of the transformer
        applies, and is searchable as ``estimator__<parameter>``.
    contamination : "auto" or float in (0, 0.5], default="auto"
        Share of outliers expected in the training data.  A float sets
        ``offset_`` at that quantile of the training scores, as
        :class:`~sklearn.ensemble.IsolationForest` does.  ``"auto"`` flags
        rows whose reconstruction error lies beyond the upper Tukey fence of
        the training errors (third quartile plus 1.5 times the interquartile
        range), a rule that needs no guess of the share.
    random_state : int, RandomState instance or None, default=None
        When not None, the seed of the autoencoder (it replaces the
        estimator's own ``random_state``).

    Attributes
    ----------
    estimator_ : AutoencoderTransformer
        The fitted autoencoder.
    offset_ : float
        Scores below it are outliers: ``decision_function = score_samples -
        offset_``.
    n_features_in_ : int
        Number of features seen during :meth:`fit`.
    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Names of features seen during :meth:`fit`, when ``X`` has feature
        names that are all strings.

    See Also
    --------
    AutoencoderTransformer : The autoencoder itself (``score_samples`` is
        the same score).
    sklearn.ensemble.IsolationForest : Outliers by random partitions.
    sklearn.neighbors.LocalOutlierFactor : Outliers by local density.

    Examples
    --------
    >>> import numpy as np
    >>> from skae import AutoencoderOutlierDetector, AutoencoderTransformer
    >>> rng = np.random.default_rng(0)
    >>> X = rng.random((200, 8)) * 0.1 + np.linspace(0.2, 0.8, 8)  # one pattern
    >>> X_new = np.vstack([X[:2], 1.0 - X[:2]])  # two rows of it, two reversed
    >>> detector = AutoencoderOutlierDetector(
    ...     AutoencoderTransformer(n_components=2, epochs=300, batch_size=32),
    ...     random_state=0).fit(X)
    >>> detector.predict(X_new)
    array([ 1,  1, -1, -1])
    """

    _parameter_constraints: dict = {
        "estimator": [HasMethods(["fit", "score_samples", "transform", "inverse_transform"]),
                      None],
        "contamination": [StrOptions({"auto"}), Interval(Real, 0, 0.5, closed="right")],
        "random_state": ["random_state"],
    }

    def __init__(self, estimator=None, *, contamination="auto", random_state=None):
        self.estimator = estimator
        self.contamination = contamination
        self.random_state = random_state

    # the autoencoder validates its own parameters when fitted
    @_fit_context(prefer_skip_nested_validation=False)
    def fit(self, X, y=None):
        """Fit the autoencoder to `X` and set the threshold.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Training data, mostly inliers.
        y : None
            Ignored; present for API consistency.

        Returns
        -------
        self : AutoencoderOutlierDetector
            The fitted detector.
        """
        # a failed fit leaves the detector as it was
        with _restore_state_on_error(self, trains_in_place=False):
            X = validate_data(self, X, accept_sparse=("csr", "csc"),
                              dtype=(np.float64, np.float32))
            estimator = clone(self.estimator if self.estimator is not None
                              else AutoencoderTransformer())
            if self.random_state is not None:
                estimator.set_params(random_state=self.random_state)
            estimator.fit(X)
            scores = estimator.score_samples(X)
            if self.contamination == "auto":
                q1, q3 = np.percentile(-scores, [25.0, 75.0])
                offset = -(q3 + 1.5 * (q3 - q1))
            else:
                offset = np.percentile(scores, 100.0 * self.contamination)
        self.estimator_ = estimator
        self.offset_ = float(offset)
        return self

    def _validated(self, X):
        check_is_fitted(self)
        return validate_data(self, X, accept_sparse=("csr", "csc"),
                             dtype=(np.float64, np.float32), reset=False)

    def score_samples(self, X):
        """Minus the mean squared reconstruction error of each row (lower is more abnormal).

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Rows to score.

        Returns
        -------
        scores : ndarray of shape (n_samples,)
            The autoencoder's :meth:`~AutoencoderTransformer.score_samples`.
        """
        X = self._validated(X)
        return self.estimator_.score_samples(X)

    def decision_function(self, X):
        """``score_samples(X) - offset_``: negative for outliers.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Rows to score.

        Returns
        -------
        decision : ndarray of shape (n_samples,)
            Shifted scores; outliers are below zero.
        """
        return self.score_samples(X) - self.offset_

    def predict(self, X):
        """+1 for inliers, -1 for outliers.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Rows to judge.

        Returns
        -------
        labels : ndarray of shape (n_samples,)
            +1 where :meth:`decision_function` is at least zero, -1 elsewhere.
        """
        return np.where(self.decision_function(X) < 0, -1, 1)

    def feature_errors(self, X):
        """Squared reconstruction error of each feature of each row: why a row is flagged.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Rows to explain.

        Returns
        -------
        errors : ndarray of shape (n_samples, n_features), dtype float32
            ``(x - reconstruction) ** 2``; the mean of a row is minus its
            :meth:`score_samples` (up to float rounding).
        """
        X = self._validated(X)
        reconstruction = self.estimator_.inverse_transform(self.estimator_.transform(X))
        dense = X.toarray() if sp.issparse(X) else np.asarray(X)
        return np.square(dense.astype(np.float32) - reconstruction)

    def onnx_parser(self):
        """skl2onnx's hook: this detector's two outputs, ``label`` and ``scores``.

        ``scores`` is :meth:`decision_function`, as skl2onnx exports
        :class:`~sklearn.ensemble.IsolationForest` (needs skae[onnx]).
        """
        return lambda scope=None, inputs=None: ["label", "scores"]

    def onnx_shape_calculator(self):
        """skl2onnx's hook: the shape calculator of :mod:`skae.onnx_export` (needs skae[onnx])."""
        from .onnx_export import shape_calculator

        return shape_calculator

    def onnx_converter(self):
        """skl2onnx's hook: the converter of :mod:`skae.onnx_export` (needs skae[onnx])."""
        from .onnx_export import convert

        return convert

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True
        return tags
