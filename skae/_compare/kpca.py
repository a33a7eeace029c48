"""Kernel PCA with an inverse, its kernel width and ridge chosen on held-out training rows.

The nonlinear baseline scikit-learn itself offers (``skae compare --models
kpca``): :class:`~sklearn.decomposition.KernelPCA` with an RBF kernel and
``fit_inverse_transform=True``, whose ``gamma`` and ``alpha`` are chosen from
a 3 x 3 grid by the reconstruction error of a validation share of the
training rows.  Its kernel is n-by-n, so it is fitted on at most
:data:`MAX_ROWS` rows (a sample, with a warning).  Knows nothing about
autoencoders or the command line.
"""

import warnings

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.decomposition import KernelPCA
from sklearn.model_selection import train_test_split
from sklearn.utils import check_random_state
from sklearn.utils.validation import check_is_fitted, validate_data

__all__ = ["GAMMA_FACTORS", "MAX_ROWS", "RIDGES", "TunedKernelPCA"]

#: Most rows the kernel is computed on: its n-by-n float64 matrix, and the
#: inverse map's kernel ridge of the same size, take 2 x 72 MB at 3,000 rows;
#: the eigen-decomposition's time grows as n cubed.
MAX_ROWS = 3000

#: ``gamma`` candidates, as multiples of ``1 / (n_features * variance of X)``
#: (scikit-learn's ``"scale"`` for the RBF kernel).
GAMMA_FACTORS = (0.1, 1.0, 10.0)

#: ``alpha`` candidates: the ridge of the inverse map (scikit-learn's default is 1).
RIDGES = (1e-3, 1e-1, 1.0)


class TunedKernelPCA(TransformerMixin, BaseEstimator):
    """RBF Kernel PCA with an inverse map, ``gamma`` and ``alpha`` chosen on held-out rows.

    Parameters
    ----------
    n_components : int, default=2
    validation_fraction : float, default=0.2
        Share of the training rows held out to choose ``gamma`` and ``alpha``.
    random_state : int, RandomState or None, default=None
        The validation split and the row sample.

    Attributes
    ----------
    kpca_ : KernelPCA
        Refitted on all the (sampled) training rows with the chosen settings.
    gamma_, alpha_ : float
    n_rows_fitted_ : int
        Rows the kernel was computed on (at most ``MAX_ROWS``).
    """

    def __init__(self, n_components=2, *, validation_fraction=0.2, random_state=None):
        self.n_components = n_components
        self.validation_fraction = validation_fraction
        self.random_state = random_state

    def _kpca(self, gamma, alpha):
        return KernelPCA(self.n_components, kernel="rbf", gamma=gamma, alpha=alpha,
                         fit_inverse_transform=True, random_state=self.random_state)

    def fit(self, X, y=None):
        X = validate_data(self, X, dtype=np.float64)
        rng = check_random_state(self.random_state)
        if len(X) > MAX_ROWS:
            warnings.warn(f"kpca: its kernel is n-by-n, so it is fitted on {MAX_ROWS:,} of "
                          f"the {len(X):,} training rows, drawn at random", UserWarning,
                          stacklevel=2)
            X = X[np.sort(rng.choice(len(X), MAX_ROWS, replace=False))]
        scale = 1.0 / (X.shape[1] * max(float(X.var()), np.finfo(float).tiny))
        fit_rows, valid_rows = train_test_split(X, test_size=self.validation_fraction,
                                                random_state=rng.randint(2**31 - 1))
        best = None
        for factor in GAMMA_FACTORS:
            for alpha in RIDGES:
                model = self._kpca(factor * scale, alpha).fit(fit_rows)
                error = np.mean((valid_rows - model.inverse_transform(
                    model.transform(valid_rows))) ** 2)
                if best is None or error < best[0]:
                    best = (error, factor * scale, alpha)
        _, self.gamma_, self.alpha_ = best
        self.kpca_ = self._kpca(self.gamma_, self.alpha_).fit(X)
        self.n_rows_fitted_ = len(X)
        return self

    def transform(self, X):
        check_is_fitted(self)
        return self.kpca_.transform(validate_data(self, X, dtype=np.float64, reset=False))

    def inverse_transform(self, X):
        check_is_fitted(self)
        return self.kpca_.inverse_transform(X)
