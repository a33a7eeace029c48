"""An outlier detector that flags rows the autoencoder reconstructs badly.

Knows nothing about Keras: the network, its training and its reconstruction
errors are the wrapped :class:`~skae.AutoencoderTransformer`'s.
"""

import warnings
from numbers import Real

import numpy as np
import scipy.sparse as sp
from sklearn.base import BaseEstimator, OutlierMixin, _fit_context, clone
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import HasMethods, Interval, StrOptions
from sklearn.utils.metaestimators import available_if
from sklearn.utils.validation import check_is_fitted, validate_data

from ._autoencoder import AutoencoderTransformer
from ._rollback import restored_on_error

__all__ = ["AutoencoderOutlierDetector"]


#: Share of the fitting rows the second fit leaves out by default (see ``trim``).
DEFAULT_TRIM = 0.1


class AutoencoderOutlierDetector(OutlierMixin, BaseEstimator):
    """Outlier detection by reconstruction error, with an autoencoder.

    Fits an autoencoder to the training rows and scores each row by how
    badly it is reconstructed (:meth:`score_samples`: lower is more
    abnormal); rows scoring below ``offset_`` are outliers.  The contract is
    scikit-learn's for outlier detectors, as in
    :class:`~sklearn.ensemble.IsolationForest`: ``predict`` gives +1 for
    inliers and -1 for outliers, and ``decision_function`` is
    ``score_samples - offset_`` (negative for outliers).
    :meth:`explain` says which feature made a row an outlier.

    The default score (``statistic="combined"``) adds two terms, each divided by
    its mean over the training rows so that they weigh alike: the row's mean
    squared reconstruction error, and the Mahalanobis distance of its code
    from the training rows' codes, divided by the code width (a row can be
    reconstructed well and still lie far from the training rows in the code
    space).  These are the Q and T² statistics of PCA-based process
    monitoring, with the autoencoder in PCA's place.
    With ``trim`` the autoencoder is fitted twice: the second time on the
    fitting rows the first fit scores as the least abnormal, so that outliers
    in the training data shape the model less; the codes' mean and
    covariance are then those of the kept rows, and each term's scale its
    mean over all the fitting rows, the rows the score is applied to.

    The threshold is either a share of the training rows (``contamination``)
    or, with ``fpr``, a false-positive rate with a finite-sample guarantee:
    ``calibration_fraction`` of the rows are held out from fitting, and the
    threshold is set on their scores (split-conformal calibration).  For new
    inliers exchangeable with those held-out rows (drawn from the same
    distribution, independently), the probability that one is flagged is at
    most ``fpr``, whatever the data's distribution and however good or bad
    the autoencoder; and it is above ``fpr - 1 / (n_calibration + 1)`` when
    scores do not tie.  :meth:`pvalues` gives each row's conformal p-value:
    the rows flagged at rate ``fpr`` are those with a p-value at most
    ``fpr``.  The promise is about inliers only: how many outliers are
    caught depends on the score.

    Parameters
    ----------
    estimator : AutoencoderTransformer, default=None
        The autoencoder (unfitted; a clone is fitted).  None means
        ``AutoencoderTransformer()``, the default network with its default
        code (``n_components="auto"``: half the features, at most 32).
        Any architecture, training setting or callback of the transformer
        applies, and is searchable as ``estimator__<parameter>``.
    statistic : {"combined", "reconstruction"}, default="combined"
        ``"combined"``: the scaled reconstruction error plus the scaled
        Mahalanobis distance of the code (above).  ``"reconstruction"``: minus the mean
        squared reconstruction error, the autoencoder's own
        :meth:`~AutoencoderTransformer.score_samples` (skae 0.1's score).
    trim : float in [0, 0.5), default=0.1
        Share of the fitting rows, the most abnormal under a first fit, left
        out of a second fit.  0 fits once.
    contamination : "auto" or float in (0, 0.5], default="auto"
        Share of outliers expected in the training data.  A float sets
        ``offset_`` at that quantile of the training scores, as
        :class:`~sklearn.ensemble.IsolationForest` does.  ``"auto"`` flags
        rows whose abnormality (minus the score) lies beyond the upper Tukey
        fence of the training rows' (third quartile plus 1.5 times the
        interquartile range), a rule that needs no guess of the share.
    fpr : float in (0, 1) or None, default=None
        Target false-positive rate, in place of ``contamination="auto"``: the
        threshold is calibrated on held-out rows so that at most this share
        of new inliers is flagged (above).  The held-out rows must number at
        least ``1 / fpr - 1``.  A float ``contamination`` sets the threshold
        instead (with a warning that ``fpr`` is ignored).
    calibration_fraction : float in (0, 1), default=0.2
        Share of the training rows held out for calibration when ``fpr`` is
        set (at random, seeded by ``random_state``); the autoencoder is
        fitted on the others.
    random_state : int, RandomState instance or None, default=None
        When not None, the seed of the autoencoder (it replaces the
        estimator's own ``random_state``) and of the calibration split.

    Attributes
    ----------
    estimator_ : AutoencoderTransformer
        The fitted autoencoder.
    offset_ : float
        Scores below it are outliers: ``decision_function = score_samples -
        offset_``.
    calibration_scores_ : ndarray of shape (n_calibration,)
        The held-out rows' scores, sorted (only when calibrated: ``fpr``
        set, ``contamination="auto"``).
    n_features_in_ : int
        Number of features seen during :meth:`fit`.
    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Names of features seen during :meth:`fit`, when ``X`` has feature
        names that are all strings.

    See Also
    --------
    AutoencoderTransformer : The autoencoder itself (with
        ``statistic="reconstruction"``, ``score_samples`` is its score).
    sklearn.ensemble.IsolationForest : Outliers by random partitions.
    sklearn.neighbors.LocalOutlierFactor : Outliers by local density.

    Notes
    -----
    ``versionchanged:: 0.2``: the default ``statistic`` is ``"combined"`` (was the
    mean squared error), ``trim`` is 0.1 (was one fit), and the default
    autoencoder's code has half the features, at most 32 (was 32).
    ``benchmarks/outliers.py`` measures the detector beside scikit-learn's
    and kNN on the ODDS and ADBench tables, with outliers among the fitting rows and
    without (the docs' benchmark pages render its tables).
    ``statistic="reconstruction", trim=0`` with
    ``estimator=AutoencoderTransformer()`` is skae 0.1's detector.

    Examples
    --------
    >>> import numpy as np
    >>> from skae import AutoencoderOutlierDetector, AutoencoderTransformer
    >>> rng = np.random.default_rng(0)
    >>> X = rng.random((200, 8)) * 0.1 + np.linspace(0.2, 0.8, 8)  # one pattern
    >>> new = rng.random((2, 8)) * 0.1 + np.linspace(0.2, 0.8, 8)
    >>> X_new = np.vstack([new, 1.0 - new])  # two new rows of it, two reversed
    >>> detector = AutoencoderOutlierDetector(
    ...     AutoencoderTransformer(n_components=2, epochs=300, batch_size=32),
    ...     random_state=0).fit(X)
    >>> detector.predict(X_new)
    array([ 1,  1, -1, -1])

    A threshold that flags at most 5% of new inliers, and p-values:

    >>> calibrated = AutoencoderOutlierDetector(
    ...     AutoencoderTransformer(n_components=2, epochs=300, batch_size=32),
    ...     fpr=0.05, random_state=0).fit(X)
    >>> calibrated.predict(X_new)
    array([ 1,  1, -1, -1])
    >>> bool(calibrated.pvalues(X_new)[2] <= 0.05)
    True
    """

    _parameter_constraints: dict = {
        "estimator": [HasMethods(["fit", "score_samples", "transform", "inverse_transform"]),
                      None],
        "statistic": [StrOptions({"combined", "reconstruction"})],
        "trim": [Interval(Real, 0, 0.5, closed="left")],
        "contamination": [StrOptions({"auto"}), Interval(Real, 0, 0.5, closed="right")],
        "fpr": [Interval(Real, 0, 1, closed="neither"), None],
        "calibration_fraction": [Interval(Real, 0, 1, closed="neither")],
        "random_state": ["random_state"],
    }

    def __init__(self, estimator=None, *, statistic="combined", trim=DEFAULT_TRIM,
                 contamination="auto", fpr=None, calibration_fraction=0.2, random_state=None):
        self.estimator = estimator
        self.statistic = statistic
        self.trim = trim
        self.contamination = contamination
        self.fpr = fpr
        self.calibration_fraction = calibration_fraction
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
        with restored_on_error(self, trains_in_place=False):
            X = validate_data(self, X, accept_sparse=("csr", "csc"),
                              dtype=(np.float64, np.float32))
            if self.fpr is not None and self.contamination != "auto":
                warnings.warn(
                    f"contamination={self.contamination!r} sets the threshold on the training "
                    f"rows; fpr={self.fpr!r} is ignored (it replaces contamination='auto').",
                    UserWarning, stacklevel=3)
            fit_rows, calibration_rows = self._calibration_split(X.shape[0])
            X_fit = X[fit_rows]
            estimator = self._fit_estimator(X_fit)
            statistics, abnormality = self._statistics(estimator, X_fit, X_fit)
            if self.trim > 0:
                kept = abnormality <= np.quantile(abnormality, 1.0 - self.trim)
                if kept.sum() >= 2:
                    estimator = self._fit_estimator(X_fit[kept])
                    statistics, abnormality = self._statistics(estimator, X_fit[kept], X_fit)
            if calibration_rows is None:
                training = -abnormality
                if self.contamination == "auto":
                    q1, q3 = np.percentile(-training, [25.0, 75.0])
                    offset = -(q3 + 1.5 * (q3 - q1))
                else:
                    offset = np.percentile(training, 100.0 * self.contamination)
                calibration = None
            else:
                calibration = np.sort(-self._abnormality(estimator, statistics,
                                                         X[calibration_rows]))
                # flagged: a score below the (m + 1)-th lowest calibration score, where
                # m = floor(fpr (n + 1)) - 1; exactly the rows whose p-value is <= fpr
                offset = calibration[int(np.floor(self.fpr * (len(calibration) + 1))) - 1]
        self.estimator_ = estimator
        self.offset_ = float(offset)
        self._statistics_ = statistics
        if calibration is None:
            self.__dict__.pop("calibration_scores_", None)
        else:
            self.calibration_scores_ = calibration
        return self

    def _calibration_split(self, n_samples):
        """Rows to fit on and rows held out for calibration (None without ``fpr``)."""
        if not self._calibrated():
            return np.arange(n_samples), None
        n_calibration = int(np.floor(self.calibration_fraction * n_samples))
        needed = int(np.ceil(1.0 / self.fpr - 1.0 - 1e-9))
        if n_calibration < max(needed, 1) or n_samples - n_calibration < 2:
            raise ValueError(
                f"fpr={self.fpr!r} needs at least {max(needed, 1)} calibration rows, but "
                f"calibration_fraction={self.calibration_fraction!r} of n_samples={n_samples} "
                f"holds {n_calibration} (and at least 2 rows must remain to fit on). Use more "
                "rows, a larger calibration_fraction or a larger fpr.")
        order = check_random_state(_seed(self.random_state, 1)).permutation(n_samples)
        return np.sort(order[n_calibration:]), np.sort(order[:n_calibration])

    def _fit_estimator(self, X):
        estimator = clone(self.estimator if self.estimator is not None
                          else AutoencoderTransformer())
        if self.random_state is not None:
            estimator.set_params(random_state=_seed(self.random_state, 0))
        return estimator.fit(X)

    def _statistics(self, estimator, X_model, X_scale):
        """What the combined score needs, and the abnormality of each row of ``X_scale``.

        The codes' mean and covariance come from ``X_model``, the rows the
        autoencoder was fitted on; each term's scale, its mean over
        ``X_scale``, all the fitting rows, whose abnormality (minus the
        score) comes from the same codes and errors.
        """
        codes = estimator.transform(X_model).astype(np.float64)
        mean = codes.mean(axis=0)
        covariance = np.atleast_2d(np.cov(codes, rowvar=False)) if len(codes) > 1 else \
            np.zeros((codes.shape[1], codes.shape[1]))
        precision = np.linalg.pinv(covariance, hermitian=True)
        statistics = {"code_mean": mean, "code_precision": precision,
                      "q_scale": 1.0, "t_scale": 1.0}
        if X_scale is not X_model:
            codes = estimator.transform(X_scale).astype(np.float64)
        q, t = _terms(statistics, _squared_errors(estimator, X_scale, codes), codes)
        statistics["q_scale"] = _positive(q.mean())
        statistics["t_scale"] = _positive(t.mean())
        if self.statistic == "reconstruction":
            return statistics, -estimator.score_samples(X_scale)
        return statistics, _combined(statistics, q, t)

    def _abnormality(self, estimator, statistics, X):
        """Minus the score of each row of ``X``."""
        if self.statistic == "reconstruction":
            return -estimator.score_samples(X)
        codes = estimator.transform(X).astype(np.float64)
        return _combined(statistics, *_terms(statistics, _squared_errors(estimator, X, codes),
                                             codes))

    def _validated(self, X):
        check_is_fitted(self)
        return validate_data(self, X, accept_sparse=("csr", "csc"),
                             dtype=(np.float64, np.float32), reset=False)

    def score_samples(self, X):
        """The score of each row (lower is more abnormal).

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Rows to score.

        Returns
        -------
        scores : ndarray of shape (n_samples,)
            Minus the combined abnormality (``statistic="combined"``), or the
            autoencoder's :meth:`~AutoencoderTransformer.score_samples`
            (``statistic="reconstruction"``).
        """
        X = self._validated(X)
        return -self._abnormality(self.estimator_, self._statistics_, X)

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

    def _calibrated(self):
        return self.fpr is not None and self.contamination == "auto"

    @available_if(_calibrated)
    def pvalues(self, X):
        """Conformal p-value of each row: small for rows unlike the calibration rows.

        ``(1 + the number of calibration rows scoring at most as high) /
        (n_calibration + 1)``.  For a new inlier exchangeable with the
        calibration rows, ``P(p-value <= a) <= a`` for every ``a``; the rows
        :meth:`predict` flags are those with a p-value at most ``fpr``.
        Available when ``fpr`` is set (and ``contamination`` is ``"auto"``).

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Rows to judge.

        Returns
        -------
        pvalues : ndarray of shape (n_samples,)
            In ``(0, 1]``.
        """
        scores = self.score_samples(X)
        calibration = self.calibration_scores_
        at_most = np.searchsorted(calibration, scores, side="right")
        return (1.0 + at_most) / (len(calibration) + 1.0)

    def feature_errors(self, X):
        """Reconstruction error of each feature of each row.

        The corruption of one feature moves the code, and the decoder
        spreads the damage over features that were never touched, while the
        corrupted feature's own reconstruction partly follows it: to name
        the feature that made a row an outlier, use :meth:`explain`.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Rows whose errors to give.

        Returns
        -------
        errors : ndarray of shape (n_samples, n_features), dtype float32
            ``(x - reconstruction) ** 2``.  A row's mean is its mean squared
            reconstruction error: minus :meth:`score_samples` with
            ``statistic="reconstruction"`` (up to float rounding), the first term of
            the combined score (times its scale) otherwise; the code's distance,
            the other term, has no per-feature part.
        """
        X = self._validated(X)
        return _squared_errors(self.estimator_, X).astype(np.float32)

    def explain(self, X, *, rounds=2, steps=3):
        """How much each feature adds to each row's abnormality: what made a row an outlier.

        For each row and feature, the feature is given the value the
        autoencoder implies from the row's other features, and the row is
        scored again; the feature's attribution is how much less abnormal
        that makes the row (how much :meth:`score_samples` rises).  The
        value starts at the network's typical row (the decoded mean code)
        and is set, ``rounds`` times, to the network's reconstruction of
        that feature.  The feature whose value the others contradict most
        gets the largest attribution, while a feature that is fine but that
        the corruption of another moved in the reconstruction gets little:
        that is what :meth:`feature_errors` cannot tell apart.

        Where several features are wrong, each one's imputed value is pulled
        by the others, so the features are explained away in turn: the
        feature with the largest drop is set to its imputed value and the
        others are measured again, ``steps`` times in all.  A feature keeps
        the drop of the step that took it, the others the last step's; the
        attributions of the taken features add up to how much less abnormal
        the row is with all of them imputed.  The others' do not add up to
        anything: each is the drop with that feature alone changed.  A drop
        can be slightly negative where the network's value is no better
        than the row's own.

        The cost is ``steps * (rounds + 1)`` passes of ``n_features`` copies
        of each row through the network.  ``benchmarks/explanations.py``
        measures how often the largest attributions name the corrupted
        features of real rows, beside :meth:`feature_errors`, PCA's
        per-feature error and the z-score, and chooses ``rounds`` and
        ``steps`` on half of its tables.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Rows to explain.
        rounds : int, default=2
            Rounds of imputation (at least 1).
        steps : int, default=3
            Features explained away in turn (at least 1; 1 gives each
            feature's drop with the row as it is).

        Returns
        -------
        attributions : ndarray of shape (n_samples, n_features)
            The drop in abnormality (minus :meth:`score_samples`) when each
            feature takes the value the others imply; the largest names the
            feature that made the row an outlier.

        See Also
        --------
        feature_errors : Each feature's reconstruction error.

        Examples
        --------
        >>> import numpy as np
        >>> from skae import AutoencoderOutlierDetector
        >>> rng = np.random.default_rng(0)
        >>> z = rng.normal(size=(500, 1))
        >>> X = np.hstack([z, 2 * z, -z]) + 0.05 * rng.normal(size=(500, 3))
        >>> detector = AutoencoderOutlierDetector(random_state=0).fit(X)
        >>> row = np.array([[1.0, 2.0, 1.0]])  # the third feature should be -1
        >>> int(detector.explain(row).argmax())
        2
        """
        for name, value in (("rounds", rounds), ("steps", steps)):
            if not isinstance(value, (int, np.integer)) or isinstance(value, bool) or value < 1:
                raise ValueError(f"{name} must be an integer of at least 1, got {value!r}.")
        from ._explain import explained_away

        X = self._validated(X)
        estimator, statistics = self.estimator_, self._statistics_
        start = estimator.inverse_transform(statistics["code_mean"][None].astype(np.float32))[0]
        return explained_away(lambda rows: self._abnormality(estimator, statistics, rows),
                              estimator, start.astype(np.float64), X, rounds=int(rounds),
                              steps=int(steps))

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


def _seed(random_state, stream):
    """A seed for one use of ``random_state`` (0: the autoencoder, 1: the calibration split)."""
    if random_state is None or isinstance(random_state, np.random.RandomState):
        return random_state if stream == 0 else check_random_state(random_state)
    return random_state if stream == 0 else np.random.RandomState(
        np.random.SeedSequence([int(random_state), stream]).generate_state(1))


def _squared_errors(estimator, X, codes=None):
    """``(x - reconstruction) ** 2`` of each feature of each row, in float64."""
    if codes is None:
        codes = estimator.transform(X)
    reconstruction = estimator.inverse_transform(codes)
    dense = X.toarray() if sp.issparse(X) else np.asarray(X)
    return np.square(dense.astype(np.float64) - reconstruction)


def _terms(statistics, errors, codes):
    """The two terms of the combined score before their scaling: Q and T² per row."""
    q = errors.mean(axis=1)
    centred = codes - statistics["code_mean"]
    t = np.einsum("ij,jk,ik->i", centred, statistics["code_precision"], centred) / codes.shape[1]
    return q, t


def _combined(statistics, q, t):
    """The combined abnormality: each term over its scale."""
    return q / statistics["q_scale"] + t / statistics["t_scale"]


def _positive(value):
    """A term's scale: its mean over the fitting rows, or 1 where that mean is 0.

    A mean of 0 (every fitting row reconstructed exactly, or a code of
    constant rows) leaves the term unscaled: dividing by 0 would make any
    positive value infinite, and the term then adds nothing for rows like
    the fitting ones anyway.
    """
    return float(value) if value > 0 else 1.0
