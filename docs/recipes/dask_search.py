"""A grid search whose fits run on Dask workers (the "Scaling up" page's recipe).

Usage::

    python docs/recipes/dask_search.py [tcp://scheduler:8786]

With a scheduler's address the fits go to that cluster's workers (skae must
be installed on each); without one, to a local cluster of two worker
processes.  ``tests/test_integration.py`` runs :func:`search` on a local
cluster and checks that it gives what ``n_jobs=1`` gives.
"""

import sys

import joblib
from dask.distributed import Client, LocalCluster
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import make_pipeline

from skae import AutoencoderTransformer
from skae.datasets import load_digits


def make_search(n_jobs=-1):
    """The search: the autoencoder's code width for a classifier on its codes."""
    pipe = make_pipeline(AutoencoderTransformer(epochs=5, random_state=0),
                         LogisticRegression(max_iter=1000))
    grid = {"autoencodertransformer__n_components": [8, 16]}
    return GridSearchCV(pipe, grid, cv=3, n_jobs=n_jobs)


def search(X, y, address=None):
    """The search, fitted with its fits on the Dask cluster at ``address``."""
    cluster = None if address else LocalCluster(n_workers=2, threads_per_worker=1,
                                                processes=True)
    try:
        with Client(address or cluster), joblib.parallel_backend("dask"):
            return make_search().fit(X, y)
    finally:
        if cluster is not None:
            cluster.close()


if __name__ == "__main__":
    X, y = load_digits(return_X_y=True)
    fitted = search(X, y, sys.argv[1] if len(sys.argv) > 1 else None)
    print(fitted.best_params_, f"{fitted.best_score_:.3f}")
