"""skae's default autoencoder against PCA (and scikit-learn's MLP recipe) on real tables.

Usage::

    python benchmarks/tabular.py [--odds-dir ../shared/data/odds] [--scaler standard|minmax]
        [--sets iris,wine,...] [--max-rows 20000] [--seed 0] [--accuracy] [--digits]

For each of scikit-learn's bundled tables (iris, wine, breast_cancer,
diabetes) and each ODDS set found in ``--odds-dir``: a random 70% / 30% split
(``train_test_split(..., test_size=0.3, random_state=0)``), the features
scaled on the training rows, codes of ``k = max(2, n_features // 4)`` and
``n_features // 8`` (where that is at least 2) numbers; the test
reconstruction MSE of ``PCA(k)`` in the scaled space, and, as ratios to it,
that of ``AutoencoderTransformer(n_components=k, random_state=seed)`` with
every other setting at its default and that of the usual scikit-learn-only
recipe, ``MLPRegressor(hidden_layer_sizes=(128, k, 128), early_stopping=True,
random_state=seed).fit(X, X)``; and each one's whole fit time, all in one
run.  Sets larger than ``--max-rows`` rows (shuttle) are sampled.  Keras is
started before the first clock.

``--accuracy`` adds the cross-validated accuracy of
``make_pipeline(StandardScaler(), reducer, LogisticRegression(max_iter=2000))``
(5 stratified folds, shuffled, random_state=0) with PCA and with skae's
default at the same width on wine (2), iris (2), digits (8) and
breast_cancer (2).  ``--digits`` adds the default ``skae compare`` sweep:
scikit-learn's digits in [0, 1], the last 20% held out, widths 2 to 32.
"""

import argparse
import os
import statistics
import time
import warnings
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np  # noqa: E402
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
DEFAULT_ODDS_DIR = Path(os.environ.get("SKAE_ODDS_DIR", "../shared/data/odds"))


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


def measure(X_train, X_test, k, seed):
    """Test MSE and fit seconds of PCA, skae's default and the MLP recipe at width ``k``."""
    pca = PCA(k, random_state=seed)
    pca_s = timed_fit(pca, X_train)
    pca_mse = mse(X_test, pca.inverse_transform(pca.transform(X_test)))
    skae = AutoencoderTransformer(n_components=k, random_state=seed)
    skae_s = timed_fit(skae, X_train)
    skae_mse = mse(X_test, skae.inverse_transform(skae.transform(X_test)))
    mlp = MLPRegressor(hidden_layer_sizes=(128, k, 128), early_stopping=True, random_state=seed)
    mlp_s = timed_fit(mlp, X_train, X_train)
    mlp_mse = mse(X_test, mlp.predict(X_test))
    return {"pca": pca_mse, "skae": skae_mse / pca_mse, "mlp": mlp_mse / pca_mse,
            "pca_s": pca_s, "skae_s": skae_s, "mlp_s": mlp_s, "best_epoch": skae.best_epoch_,
            "epochs": skae.n_iter_}


def reconstruction_table(names, args):
    print("| data | rows x features | k | PCA test MSE | skae default / PCA | MLPRegressor "
          "recipe / PCA | fit s: PCA, skae, MLP | skae epochs (kept) |")
    print("|---|---|---|---|---|---|---|---|")
    rows = []
    for name in names:
        try:
            X = load(name, args.odds_dir, args.max_rows)
        except FileNotFoundError:
            print(f"| {name} | (not found in {args.odds_dir}: skipped) | | | | | | |")
            continue
        X_train, X_test = train_test_split(X, test_size=0.3, random_state=0)
        scaler = SCALERS[args.scaler]().fit(X_train)
        X_train, X_test = scaler.transform(X_train), scaler.transform(X_test)
        for k in widths(X.shape[1]):
            r = measure(X_train, X_test, k, args.seed)
            rows.append(r)
            kept = "start" if r["best_epoch"] == 0 else r["best_epoch"]
            print(f"| {name} | {X.shape[0]:,} x {X.shape[1]} | {k} | {r['pca']:.4g} | "
                  f"{r['skae']:.3f}x | {r['mlp']:.3f}x | {r['pca_s']:.2f}, {r['skae_s']:.1f}, "
                  f"{r['mlp_s']:.1f} | {r['epochs']} ({kept}) |", flush=True)
    skae = [r["skae"] for r in rows]
    mlp = [r["mlp"] for r in rows]
    print(f"\n{len(rows)} tables x widths ({args.scaler} scaling): skae default / PCA median "
          f"{statistics.median(skae):.3f}x (range {min(skae):.3f}x-{max(skae):.3f}x, "
          f"{sum(s > 1.02 for s in skae)} above 1.02x, {sum(s < 1 for s in skae)} below 1x); "
          f"MLP recipe / PCA median {statistics.median(mlp):.3f}x ({min(mlp):.3f}x-"
          f"{max(mlp):.3f}x); median fit s: skae {statistics.median(r['skae_s'] for r in rows):.1f},"
          f" MLP {statistics.median(r['mlp_s'] for r in rows):.1f}")


def accuracy_table(seed):
    import sklearn.datasets

    cv = StratifiedKFold(5, shuffle=True, random_state=0)
    print("\n| data | k | PCA CV accuracy | skae default CV accuracy |")
    print("|---|---|---|---|")
    for name, k in (("wine", 2), ("iris", 2), ("digits", 8), ("breast_cancer", 2)):
        X, y = getattr(sklearn.datasets, f"load_{name}")(return_X_y=True)
        scores = [cross_val_score(make_pipeline(StandardScaler(), reducer,
                                                LogisticRegression(max_iter=2000)),
                                  X, y, cv=cv).mean()
                  for reducer in (PCA(k), AutoencoderTransformer(k, random_state=seed))]
        print(f"| {name} | {k} | {scores[0]:.3f} | {scores[1]:.3f} |", flush=True)


def digits_sweep(seed):
    from skae.datasets import load_digits

    X = load_digits().data
    n_test = int(round(0.2 * len(X)))
    X_train, X_test = X[:-n_test], X[-n_test:]
    print("\n| digits (skae compare's sweep) k | PCA test MSE | skae default / PCA |")
    print("|---|---|---|")
    for k in (2, 4, 8, 16, 32):
        pca = PCA(k).fit(X_train)
        skae = AutoencoderTransformer(k, random_state=seed).fit(X_train)
        pca_mse = mse(X_test, pca.inverse_transform(pca.transform(X_test)))
        ratio = mse(X_test, skae.inverse_transform(skae.transform(X_test))) / pca_mse
        print(f"| {k} | {pca_mse:.5f} | {ratio:.3f}x |", flush=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--odds-dir", type=Path, default=DEFAULT_ODDS_DIR)
    parser.add_argument("--scaler", choices=list(SCALERS), default="standard")
    parser.add_argument("--sets", default=None, help="comma-separated names (default: all)")
    parser.add_argument("--max-rows", type=int, default=20000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--accuracy", action="store_true")
    parser.add_argument("--digits", action="store_true")
    args = parser.parse_args()
    odds = sorted(p.stem for p in args.odds_dir.glob("*.mat"))
    names = args.sets.split(",") if args.sets else [*SKLEARN_TABLES, *odds]

    import keras

    keras.ops.convert_to_numpy(keras.ops.zeros((1,)))  # start the backend before any clock
    print(f"skae {__import__('skae').__version__}, Keras {keras.__version__} "
          f"({keras.backend.backend()}), {os.cpu_count()} CPUs\n")
    reconstruction_table(names, args)
    if args.accuracy:
        accuracy_table(args.seed)
    if args.digits:
        digits_sweep(args.seed)


if __name__ == "__main__":
    main()
