"""What made a row an outlier: how much each feature adds to the detector's score.

For each row and feature, the feature is given the value the network implies
from the row's other features, and the row is scored again: the drop in
abnormality is the feature's attribution.  A corrupted feature takes most of
the row's abnormality with it, while a feature the corruption only moved
through the network (its reconstruction, the code) takes little; that is
what the per-feature reconstruction error cannot tell apart.  Where several
features are wrong, each imputation is pulled by the others, so the largest
is set right and the others are measured again, in turn ("explaining
away").  ``benchmarks/explanations.py`` measures both.
"""

import numpy as np
import scipy.sparse as sp

#: Values held by the copies scored at once (a row of d features is scored as d copies).
BLOCK_VALUES = 1 << 22


def imputed(estimator, start, X, at, rounds):
    """``X`` (changed in place) with the entries ``at`` set to what the network implies.

    Each entry starts at ``start`` (one value per feature) and is then set,
    ``rounds`` times, to the network's reconstruction of it from the row as
    it stands.
    """
    X[at] = start[at[1]]
    for _ in range(rounds):
        X[at] = estimator.inverse_transform(estimator.transform(X))[at]
    return X


def score_drops(abnormality, estimator, start, X, rounds):
    """``abnormality(x) - abnormality(x with feature j imputed)`` for each row and feature.

    ``X`` is a dense float64 array; ``abnormality`` gives minus the
    detector's score of each row of one.  The ``(row, feature)`` copies are
    made and scored in blocks of at most ``BLOCK_VALUES`` values.
    """
    n_samples, n_features = X.shape
    after = np.empty(n_samples * n_features)
    block = max(1, BLOCK_VALUES // n_features)
    for first in range(0, len(after), block):
        k = np.arange(first, min(first + block, len(after)))  # copy k: row k // d, feature k % d
        copies = imputed(estimator, start, X[k // n_features],
                         (np.arange(len(k)), k % n_features), rounds)
        after[k] = abnormality(copies)
    return abnormality(X)[:, None] - after.reshape(n_samples, n_features)


def explained_away(abnormality, estimator, start, X, *, rounds, steps):
    """Score drops, the largest feature of each row set right and the rest measured again.

    Step 1 gives every feature its drop; each later step imputes, in each
    row, the feature with the largest drop not yet taken, and measures the
    others again on the row so changed.  A feature keeps the drop of the
    step that took it; the others get the last step's.
    """
    X = (X.toarray() if sp.issparse(X) else np.asarray(X)).astype(np.float64)
    rows = np.arange(len(X))
    drops = score_drops(abnormality, estimator, start, X, rounds)
    taken = np.zeros(X.shape, dtype=bool)
    out = drops.copy()
    for _ in range(min(steps, X.shape[1]) - 1):
        top = np.where(taken, -np.inf, drops).argmax(axis=1)
        taken[rows, top] = True
        X = imputed(estimator, start, X, (rows, top), rounds)
        drops = score_drops(abnormality, estimator, start, X, rounds)
        out = np.where(taken, out, drops)
    return out
