"""The code's width: what ``n_components`` means ("auto", a number, or a share of the variance).

:func:`default_width` is ``"auto"``'s width (the transformer's and the outlier
detector's); :func:`variance_kept` measures how much of the variance of some
rows a network's reconstructions keep; :func:`search_width` finds the
smallest width that keeps a given share, for ``n_components`` in (0, 1).
Knows nothing about Keras or training: it fits clones of the estimator it is
given.
"""

import warnings
from numbers import Integral

import numpy as np
import scipy.sparse as sp
from sklearn.base import clone
from sklearn.decomposition import PCA
from sklearn.model_selection import train_test_split
from sklearn.utils import check_random_state

from ._arrays import densify_at_once

__all__ = ["MAX_DEFAULT_WIDTH", "VARIANCE_ROWS", "column_means", "default_width", "search_width",
           "selection_rows", "variance_kept", "warn_if_wide"]

#: ``n_components="auto"``'s widest code: the Keras blog's 32 numbers.
MAX_DEFAULT_WIDTH = 32

#: Training rows (at most) on which ``variance_kept_`` is measured without
#: validation rows: enough for its third decimal, and a fixed cost per fit.
VARIANCE_ROWS = 1024


def default_width(n_features):
    """``n_components="auto"``: half the features, at least 1 and at most 32.

    A code never wider than half the input compresses it at least twofold,
    as PCA users compress; 32 numbers is the Keras blog's code for MNIST's
    784 pixels, and wide inputs get no more without being asked.

    Examples
    --------
    >>> from skae._width import default_width
    >>> default_width(4), default_width(30), default_width(784)
    (2, 15, 32)
    """
    return min(MAX_DEFAULT_WIDTH, max(1, int(n_features) // 2))


def warn_if_wide(n_components, n_features):
    """Warn when a code is wider than the input: a network can learn to copy it."""
    if n_components > n_features:
        warnings.warn(
            f"n_components={n_components} is more than the {n_features} features of X: the "
            "code is wider than the input, and the network can learn to copy it instead of "
            "compressing it (PCA refuses such a width). n_components='auto' is half the "
            "features, at most 32.", UserWarning, stacklevel=5)


def column_means(X):
    """The mean of each feature of a dense or sparse matrix, as float64."""
    return np.asarray(X.mean(axis=0), dtype=np.float64).ravel()


def _row_sums_of_squares_about(X, mean):
    """Each row's ``sum((x - mean) ** 2)``, of a dense or sparse matrix."""
    if sp.issparse(X):
        X = sp.csr_matrix(X)
        return (np.asarray(X.multiply(X).sum(axis=1)).ravel() - 2.0 * (X @ mean)
                + float(mean @ mean))
    return np.sum((np.asarray(X, dtype=np.float64) - mean) ** 2, axis=1)


def variance_kept(row_errors, X, mean, *, standard_error=False):
    """One minus the residual over the total sum of squares of the rows ``X``, about ``mean``.

    ``row_errors`` are the rows' mean squared reconstruction errors; ``mean``
    the training rows' mean.  For PCA's reconstructions of its own training
    rows this is ``PCA.explained_variance_ratio_.sum()``.  With
    ``standard_error``, also the standard error of that share as an estimate
    of the share kept of rows like them (the delta method's, for a ratio of
    two sums over the rows), as ``(kept, standard_error)``.
    """
    row_totals = _row_sums_of_squares_about(X, mean)
    total = float(row_totals.sum())
    residuals = np.asarray(row_errors, dtype=np.float64) * X.shape[1]
    kept = 1.0 if total <= 0.0 else 1.0 - float(np.sum(residuals)) / total
    if not standard_error:
        return kept
    n = X.shape[0]
    if total <= 0.0 or n < 2:
        return kept, 0.0
    deviations = residuals - (1.0 - kept) * row_totals
    return kept, float(np.sqrt(np.sum(deviations ** 2) / (n * (n - 1))) * n / total)


def pca_width(X, fraction):
    """The width PCA needs to keep ``fraction`` of the variance of ``X`` (its own rows)."""
    if sp.issparse(X):
        X = X.toarray()
    return int(PCA(n_components=fraction, svd_solver="full").fit(X).n_components_)


def selection_rows(n_samples, fraction, seed):
    """``(fit_rows, selection_rows)``, sorted: rows the widths are judged on, held out of every fit.

    ``fraction`` is the share of the rows held out (the fit's own validation
    share); ``(None, None)`` where it is ``None`` (no rows to spare).
    """
    if fraction is None:
        return None, None
    return tuple(np.sort(rows) for rows in train_test_split(
        np.arange(n_samples), test_size=fraction, random_state=seed))


def search_width(estimator, X, fraction, *, selection_fraction):
    """The smallest width at which ``estimator`` keeps ``fraction`` of the held-out variance.

    The widths are searched by bisection between 1 and PCA's width for the
    same fraction (an upper bound for a kind that starts as PCA: its untrained
    network is PCA at that width).  Each width tried is one fit of a clone of
    ``estimator`` with that integer ``n_components`` and one fixed seed (the
    estimator's own when it is an int), on the same rows.  The widths are
    judged on ``selection_fraction`` of the rows, which no fit of the search
    sees: the fits' own validation rows stop their training and choose
    between the trained network and its PCA start, so a share measured on
    them is an optimistic estimate for new rows.  A width narrower than PCA's
    qualifies when its share of the selection rows, less one standard error
    of that estimate, reaches ``fraction`` (or, where the network at PCA's
    width keeps less of them, what that network keeps): the
    one-standard-error rule of model selection, so that a narrower network is
    taken only where the rows say it keeps the share beyond their own noise.
    PCA's width always qualifies.  A narrower width is returned as the
    search's fit, the one whose share was measured: fitting it again on all
    the rows would draw another training run, whose share no rows have
    checked (``benchmarks/width.py`` measures what the returned network keeps
    of rows no step saw).  PCA's width, which qualifies without that check
    (the network starts as PCA and keeps its start unless its validation rows
    say otherwise), is fitted again on all the rows, as a plain fit at that
    width is, so that it starts as PCA of every row.  With
    ``selection_fraction=None`` every fit sees all the rows, each is judged
    by its own ``variance_kept_``, and the narrowest qualifying fit is
    returned.

    Returns
    -------
    chosen : estimator
        The fitted clone of the smallest qualifying width.
    search : dict
        ``"n_components"``: the widths tried, in increasing order;
        ``"variance_kept"``: what each kept of the selection rows;
        ``"standard_error"``: each share's standard error; ``"threshold"``:
        the share a width had to keep; ``"selection_rows"``: how many rows
        judged the widths (``0`` where none were held out).
    """
    if sp.issparse(X) and not densify_at_once(X):
        raise ValueError(
            "n_components as a fraction needs PCA's width for it, which needs X densified: "
            "this sparse X is too large for that. Pass an integer n_components.")
    seed = estimator.random_state
    if not isinstance(seed, Integral):
        seed = int(check_random_state(seed).randint(np.iinfo(np.int32).max))
    fit_rows, judged_rows = selection_rows(X.shape[0], selection_fraction, seed)
    X_fit = X if fit_rows is None else X[fit_rows]
    kept, error, best = {}, {}, {}

    def fit(width, rows):
        return clone(estimator).set_params(n_components=width, random_state=seed).fit(rows)

    def judge(width):
        model = fit(width, X_fit)
        if judged_rows is None:
            kept[width], error[width] = model.variance_kept_, model._variance_kept_error
        else:
            X_judged = X[judged_rows]
            kept[width], error[width] = variance_kept(
                model._row_errors(X_judged), X_judged, column_means(X_fit), standard_error=True)
        kept[width], error[width] = float(kept[width]), float(error[width])
        return model

    upper = pca_width(X, fraction)
    best[upper] = judge(upper)
    threshold = min(float(fraction), kept[upper])
    low, high = 1, upper
    while low < high:
        middle = (low + high) // 2
        model = judge(middle)
        if kept[middle] - error[middle] >= threshold:
            best = {middle: model}  # only the narrowest qualifying network is kept in memory
            high = middle
        else:
            low = middle + 1
    # a narrower width is kept as judged; PCA's width, chosen unjudged, starts from all the rows
    chosen = best[high] if judged_rows is None or high < upper else fit(upper, X)
    widths = sorted(kept)
    return chosen, {"n_components": widths, "variance_kept": [kept[w] for w in widths],
                    "standard_error": [error[w] for w in widths], "threshold": threshold,
                    "selection_rows": 0 if judged_rows is None else len(judged_rows)}
