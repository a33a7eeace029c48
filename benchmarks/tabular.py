"""skae's default autoencoder against PCA (and scikit-learn's MLP recipe) on real tables.

Usage::

    python benchmarks/tabular.py [--odds-dir ../shared/data/odds] [--sets iris,wine,...]
        [--max-rows 20000] [--seed 0]

For each of scikit-learn's bundled tables (iris, wine, breast_cancer,
diabetes) and each ODDS set found in ``--odds-dir``: a random 70% / 30% split
(``train_test_split(..., test_size=0.3, random_state=0)``), the features
scaled on the training rows, codes of ``k = max(2, n_features // 4)`` and
``n_features // 8`` (where that is at least 2) numbers; the test
reconstruction MSE of ``PCA(k)`` in the scaled space, and, as ratios to it,
that of ``AutoencoderTransformer(n_components=k, random_state=seed)`` with
every other setting at its default and that of the usual scikit-learn-only
recipe, ``MLPRegressor(hidden_layer_sizes=(128, k, 128), early_stopping=True,
random_state=seed).fit(X, X)``, and of the Keras blog's model
(``architecture="dense"``, skae's default before 0.2); the default's ratio
again after ``MinMaxScaler`` instead of ``StandardScaler``; and the whole fit
times, all in one run.  Sets larger than ``--max-rows`` rows (shuttle) are
sampled.  Keras is started before the first clock.

Then the cross-validated accuracy of ``make_pipeline(StandardScaler(), reducer,
LogisticRegression(max_iter=2000))`` (5 stratified folds, shuffled,
random_state=0) with PCA and with skae's default at the same width on wine
(2), iris (2), digits (8) and breast_cancer (2); and the default ``skae
compare`` sweep: scikit-learn's digits in [0, 1], the last 20% held out,
widths 2 to 32.  Writes ``benchmarks/results/tabular.json``.
"""

import argparse
import os
import statistics
import time
import warnings
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np  # noqa: E402
from _common import DEFAULT_ODDS_DIR, Results  # noqa: E402
from sklearn.decomposition import PCA  # noqa: E402
from sklearn.linear_model import LogisticRegression  # noqa: E402
from sklearn.model_selection import (  # noqa: E402
    StratifiedKFold,
    cross_val_score,
    train_test_split,
)
from sklearn.neural_network import MLPRegressor  # noqa: E402
from sklearn.pipeline import make_pipeline  # noqa: E402
from sklearn.preprocessing import MinMaxScaler, StandardScaler  # noqa: E402

from skae import AutoencoderTransformer  # noqa: E402

SKLEARN_TABLES = ("iris", "wine", "breast_cancer", "diabetes")
SCALERS = {"standard": StandardScaler, "minmax": MinMaxScaler}


def load(name, odds_dir, max_rows):
    """Rows of a scikit-learn table or an ODDS set (sampled to ``max_rows``)."""
    if name in SKLEARN_TABLES:
        import sklearn.datasets

        return getattr(sklearn.datasets, f"load_{name}")().data.astype(np.float64)
    import scipy.io

    # read as the ODDS files are (constant columns kept, as PCA and skae take them)
    X = np.asarray(scipy.io.loadmat(odds_dir / f"{name}.mat")["X"], dtype=np.float64)
    if max_rows and len(X) > max_rows:
        X = X[np.random.RandomState(0).choice(len(X), max_rows, replace=False)]
    return X


def widths(n_features):
    """``max(2, n_features // 4)`` and ``n_features // 8`` where that is at least 2."""
    return sorted({max(2, n_features // 4)} | ({n_features // 8} if n_features // 8 >= 2
                                                else set()), reverse=True)


def timed_fit(model, X, y=None):
    start = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # MLPRegressor's ConvergenceWarning
        model.fit(X, X if y is None else y)
    return time.perf_counter() - start


def mse(X, reconstruction):
    return float(np.mean((np.asarray(X, dtype=np.float64) - reconstruction) ** 2))


def fitted_mse(model, X_train, X_test):
    """Whole fit seconds and test reconstruction MSE of an autoencoder-like ``model``."""
    seconds = timed_fit(model, X_train)
    if hasattr(model, "inverse_transform"):
        reconstruction = model.inverse_transform(model.transform(X_test))
    else:  # MLPRegressor fitted to reconstruct its input
        reconstruction = model.predict(X_test)
    return seconds, mse(X_test, reconstruction)


def measure(name, X, k, seed):
    """One table width: PCA's test MSE and each model's as a ratio to it, with fit seconds."""
    X_train, X_test = train_test_split(X, test_size=0.3, random_state=0)
    row = {}
    for scaling, scaler in SCALERS.items():
        scaler = scaler().fit(X_train)
        train, test = scaler.transform(X_train), scaler.transform(X_test)
        pca_s, pca_mse = fitted_mse(PCA(k, random_state=seed), train, test)
        skae = AutoencoderTransformer(n_components=k, random_state=seed)
        skae_s, skae_mse = fitted_mse(skae, train, test)
        row[scaling] = skae_mse / pca_mse
        if scaling != "standard":
            continue
        _, dense_mse = fitted_mse(AutoencoderTransformer(k, architecture="dense",
                                                         random_state=seed), train, test)
        mlp = MLPRegressor(hidden_layer_sizes=(128, k, 128), early_stopping=True,
                           random_state=seed)
        mlp_s, mlp_mse = fitted_mse(mlp, train, test)
        row.update(pca=pca_mse, dense=dense_mse / pca_mse, mlp=mlp_mse / pca_mse,
                   skae_s=skae_s, mlp_s=mlp_s, epochs=skae.n_iter_, best_epoch=skae.best_epoch_)
    return [name, f"{X.shape[0]:,} x {X.shape[1]}", k, row["pca"], row["standard"],
            row["minmax"], row["dense"], row["mlp"], row["skae_s"], row["mlp_s"],
            row["epochs"], row["best_epoch"]]


def reconstruction_table(names, args, results):
    rows = []
    for name in names:
        try:
            X = load(name, args.odds_dir, args.max_rows)
        except FileNotFoundError:
            print(f"{name}: not found in {args.odds_dir}, skipped", flush=True)
            continue
        for k in widths(X.shape[1]):
            rows.append(measure(name, X, k, args.seed))
            print("  " + " ".join(str(v) for v in rows[-1]), flush=True)
    results.table("reconstruction", "Test reconstruction MSE: PCA's, and each model's as a "
                  "ratio to PCA's at the same width",
                  ["data", "rows x features", "k", "PCA test MSE", "skae default / PCA",
                   "skae default / PCA, MinMaxScaler", "blog model (dense) / PCA",
                   "MLPRegressor recipe / PCA", "fit s: skae", "fit s: MLP", "epochs run",
                   "epoch kept (0: PCA's start)"], rows,
                  ["{}", "{}", "{}", "{:.4g}", "{:.3f}x", "{:.3f}x", "{:.3f}x", "{:.3f}x",
                   "{:.1f}", "{:.1f}", "{}", "{}"])
    columns = {"skae": 4, "minmax": 5, "dense": 6, "mlp": 7}
    for key, column in columns.items():
        ratios = [r[column] for r in rows]
        results.spread(key, ratios, "{:.3f}x", f"{key}'s ratio to PCA's test MSE")
    skae = [r[4] for r in rows]
    results.value("widths", len(rows), "{}", "table widths measured")
    results.value("skae_below_1", sum(s < 1 for s in skae), "{}",
                  "widths where the default's test MSE is below PCA's")
    results.value("skae_above_1.02", sum(s > 1.02 for s in skae), "{}",
                  "widths where the default's test MSE is above 1.02x PCA's")
    results.value("skae_fit_median_s", statistics.median(r[8] for r in rows), "{:.1f}",
                  "median whole fit seconds, the default")
    results.value("mlp_fit_median_s", statistics.median(r[9] for r in rows), "{:.1f}",
                  "median whole fit seconds, the MLPRegressor recipe")


def accuracy_table(seed, results):
    import sklearn.datasets

    cv = StratifiedKFold(5, shuffle=True, random_state=0)
    rows = []
    for name, k in (("wine", 2), ("iris", 2), ("digits", 8), ("breast_cancer", 2)):
        X, y = getattr(sklearn.datasets, f"load_{name}")(return_X_y=True)
        scores = [cross_val_score(make_pipeline(StandardScaler(), reducer,
                                                LogisticRegression(max_iter=2000)),
                                  X, y, cv=cv).mean()
                  for reducer in (PCA(k), AutoencoderTransformer(k, random_state=seed))]
        rows.append([name, k, *scores])
    results.table("accuracy", "Cross-validated accuracy of make_pipeline(StandardScaler(), "
                  "reducer, LogisticRegression(max_iter=2000)), 5 stratified folds",
                  ["data", "k", "PCA CV accuracy", "skae default CV accuracy"], rows,
                  ["{}", "{}", "{:.3f}", "{:.3f}"])


def digits_sweep(seed, results):
    from skae.datasets import load_digits

    X = load_digits().data
    n_test = int(round(0.2 * len(X)))
    X_train, X_test = X[:-n_test], X[-n_test:]
    rows = []
    for k in (2, 4, 8, 16, 32):
        _, pca_mse = fitted_mse(PCA(k), X_train, X_test)
        _, skae_mse = fitted_mse(AutoencoderTransformer(k, random_state=seed), X_train, X_test)
        rows.append([k, pca_mse, skae_mse / pca_mse])
    results.table("digits", "scikit-learn's digits in [0, 1], the last 20% held out "
                  "(skae compare's default sweep)",
                  ["k", "PCA test MSE", "skae default / PCA"], rows,
                  ["{}", "{:.5f}", "{:.3f}x"])


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--odds-dir", type=Path, default=DEFAULT_ODDS_DIR)
    parser.add_argument("--sets", default=None, help="comma-separated names (default: all)")
    parser.add_argument("--max-rows", type=int, default=20000)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    odds = sorted(p.stem for p in args.odds_dir.glob("*.mat"))
    names = args.sets.split(",") if args.sets else [*SKLEARN_TABLES, *odds]

    import keras

    keras.ops.convert_to_numpy(keras.ops.zeros((1,)))  # start the backend before any clock
    results = Results("tabular", f"scikit-learn's bundled tables and the ODDS tables; a 70% / "
                      f"30% split (random_state=0), features scaled on the training rows, "
                      f"codes of k = max(2, n_features // 4) and n_features // 8 (where that "
                      f"is at least 2) numbers; test MSE in the scaled space; every model with "
                      f"random_state={args.seed} and its defaults; tables over "
                      f"{args.max_rows:,} rows sampled; whole fit seconds, Keras started "
                      "before the clock.")
    reconstruction_table(names, args, results)
    accuracy_table(args.seed, results)
    digits_sweep(args.seed, results)
    results.write()


if __name__ == "__main__":
    main()
