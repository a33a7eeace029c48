"""skae's outlier detector against scikit-learn's on the ODDS benchmark, PyOD's protocol.

Usage::

    python benchmarks/outliers.py [--odds-dir ../shared/data/odds] [--splits 10]
        [--sets cardio,glass,...] [--methods skae,iforest,lof,ocsvm,ee,pca]
        [--fpr 0.01,0.05,0.1] [--fpr-splits 3]

For each ODDS set and each of ``--splits`` random splits (``random_state`` 0,
1, ...): 60% of the rows (outliers included, as in PyOD's benchmark) to fit,
40% to test, both standardised with the training rows' means and deviations;
then, per method, the test ROC AUC and the precision at n (n = the number of
test outliers), averaged over the splits.  The methods: skae's
``AutoencoderOutlierDetector(random_state=split)`` with its defaults,
``IsolationForest``, ``LocalOutlierFactor(novelty=True)``, ``OneClassSVM``,
``EllipticEnvelope`` (left out of a set where its covariance cannot be
estimated, or with more than ``EE_MAX_FEATURES`` features, where it is too
slow) and PCA's reconstruction error at the width skae's detector uses.
Prints the per-set table, each method's mean ROC AUC, mean precision, mean
rank over the sets and mean fit seconds, and PyOD's published column means
(``pyod_2019_roc_auc.csv`` and ``pyod_2019_precision_at_n.csv``, its own
runs) as a reference.  Then, on the first ``--fpr-splits`` splits, the share
of test inliers flagged by ``AutoencoderOutlierDetector(fpr=rate)`` (its
calibration rows held out of the 60%, which holds the sets' outliers too),
for each rate of ``--fpr`` the set has calibration rows enough for
(``--fpr ""`` skips it).
"""

import argparse
import os
import statistics
import time
import warnings
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np  # noqa: E402
import scipy.io  # noqa: E402
from _common import Results  # noqa: E402
from sklearn.covariance import EllipticEnvelope  # noqa: E402
from sklearn.decomposition import PCA  # noqa: E402
from sklearn.ensemble import IsolationForest  # noqa: E402
from sklearn.metrics import roc_auc_score  # noqa: E402
from sklearn.model_selection import train_test_split  # noqa: E402
from sklearn.neighbors import LocalOutlierFactor  # noqa: E402
from sklearn.preprocessing import StandardScaler  # noqa: E402
from sklearn.svm import OneClassSVM  # noqa: E402

from skae import AutoencoderOutlierDetector  # noqa: E402

DEFAULT_ODDS_DIR = Path(os.environ.get("SKAE_ODDS_DIR", "../shared/data/odds"))
METHODS = ("skae", "iforest", "lof", "ocsvm", "ee", "pca")
NAMES = {"skae": "skae detector", "iforest": "IsolationForest", "lof": "LOF (novelty)",
         "ocsvm": "OneClassSVM", "ee": "EllipticEnvelope", "pca": "PCA error"}
#: EllipticEnvelope is left out above this many features: its minimum covariance
#: determinant took over 5 minutes for one fit of musk (166 features, 1,837 rows).
EE_MAX_FEATURES = 100
PYOD_COLUMNS = {"iforest": "IForest", "lof": "LOF", "ocsvm": "OCSVM", "pca": "PCA"}


def load(folder, name):
    data = scipy.io.loadmat(folder / f"{name}.mat")
    return np.asarray(data["X"], dtype=np.float64), np.asarray(data["y"]).ravel().astype(int)


class PCAError:
    """Outlier score: minus PCA's mean squared reconstruction error at a width."""

    def __init__(self, n_components):
        self.pca = PCA(n_components)

    def fit(self, X):
        self.pca.fit(X)
        return self

    def score_samples(self, X):
        return -np.mean((X - self.pca.inverse_transform(self.pca.transform(X))) ** 2, axis=1)


def make(method, split, n_components):
    if method == "skae":
        return AutoencoderOutlierDetector(random_state=split)
    if method == "iforest":
        return IsolationForest(random_state=split)
    if method == "lof":
        return LocalOutlierFactor(novelty=True)
    if method == "ocsvm":
        return OneClassSVM()
    if method == "ee":
        return EllipticEnvelope(random_state=split)
    return PCAError(n_components)


def precision_at_n(y, abnormality):
    n = int(y.sum())
    top = np.argsort(-abnormality, kind="stable")[:n]
    return float(y[top].mean()) if n else float("nan")


def evaluate(X, y, split, methods):
    """ROC AUC, precision at n and fit seconds of each method on one split.

    ``methods`` starts with ``"skae"`` when it holds ``"pca"``: PCA's width is
    the one skae's detector chose.
    """
    X_train, X_test, _, y_test = train_test_split(X, y, test_size=0.4, random_state=split)
    scaler = StandardScaler().fit(X_train)
    X_train, X_test = scaler.transform(X_train), scaler.transform(X_test)
    width = None
    results = {}
    for method in methods:
        if method == "ee" and X.shape[1] > EE_MAX_FEATURES:
            continue
        model = make(method, split, width)
        start = time.perf_counter()
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                model.fit(X_train)
                abnormality = -model.score_samples(X_test)
        except (ValueError, np.linalg.LinAlgError):  # EllipticEnvelope: a singular covariance
            continue
        seconds = time.perf_counter() - start
        if method == "skae":  # PCA keeps at most all the features
            width = min(model.estimator_.n_components_, X_train.shape[1])
        if np.all(np.isfinite(abnormality)):
            results[method] = (roc_auc_score(y_test, abnormality),
                               precision_at_n(y_test, abnormality), seconds)
    return results


def flagged_inliers(X, y, split, rates):
    """Share of test inliers flagged at each rate by one calibrated detector (None: too few rows)."""
    X_train, X_test, _, y_test = train_test_split(X, y, test_size=0.4, random_state=split)
    scaler = StandardScaler().fit(X_train)
    X_train, X_test = scaler.transform(X_train), scaler.transform(X_test)
    n_calibration = int(0.2 * len(X_train))  # the detector's default calibration_fraction
    feasible = [r for r in rates if n_calibration >= np.ceil(1 / r - 1 - 1e-9)]
    if not feasible:
        return dict.fromkeys(rates)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        detector = AutoencoderOutlierDetector(fpr=min(feasible), random_state=split)
        pvalues = detector.fit(X_train).pvalues(X_test[y_test == 0])
    return {r: float(np.mean(pvalues <= r)) if r in feasible else None for r in rates}


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--odds-dir", type=Path, default=DEFAULT_ODDS_DIR)
    parser.add_argument("--splits", type=int, default=10)
    parser.add_argument("--sets", default=None, help="comma-separated names (default: all)")
    parser.add_argument("--methods", default=",".join(METHODS))
    parser.add_argument("--fpr", default="0.01,0.05,0.1",
                        help="false-positive rates to check ('' for none)")
    parser.add_argument("--fpr-splits", type=int, default=3)
    args = parser.parse_args()
    sets = args.sets.split(",") if args.sets else sorted(p.stem for p in
                                                        args.odds_dir.glob("*.mat"))
    methods = [m for m in args.methods.split(",") if m]
    if "pca" in methods:  # PCA's width is skae's: skae first
        methods = ["skae"] + [m for m in methods if m != "skae"]
    rates = [float(r) for r in args.fpr.split(",") if r]

    import keras

    keras.ops.convert_to_numpy(keras.ops.zeros((1,)))  # start the backend before any clock
    print(f"{len(sets)} ODDS sets, {args.splits} splits each (60% fit / 40% test, "
          f"standardised), Keras {keras.__version__} ({keras.backend.backend()})\n")
    auc, prec, secs, flags = {}, {}, {}, {}
    for name in sets:
        X, y = load(args.odds_dir, name)
        per = {m: [] for m in methods}
        for split in range(args.splits):
            for m, values in evaluate(X, y, split, methods).items():
                per[m].append(values)
        shares = [flagged_inliers(X, y, split, rates) for split in range(args.fpr_splits)
                  if rates]
        flags[name] = {r: None if shares[0][r] is None else np.mean([s[r] for s in shares])
                       for r in rates} if shares else {}
        auc[name] = {m: np.mean([v[0] for v in per[m]]) for m in methods if per[m]}
        prec[name] = {m: np.mean([v[1] for v in per[m]]) for m in methods if per[m]}
        secs[name] = {m: np.mean([v[2] for v in per[m]]) for m in methods if per[m]}
        cells = " ".join(f"{m} {auc[name][m]:.3f}" for m in methods if m in auc[name])
        print(f"  {name}: ROC AUC {cells}", flush=True)

    results = Results("outliers", f"PyOD's protocol on {len(sets)} ODDS tables: "
                      f"{args.splits} random splits of each, 60% of the rows (outliers included) "
                      "to fit and 40% to test, standardised on the fitting rows; every method "
                      "with its defaults; ROC AUC and precision at n (n = the test outliers) "
                      "averaged over the splits; the fit seconds include scoring the test rows. "
                      "PyOD's published means over the same tables are its own runs.")
    results.table("auc", f"ROC AUC, mean of {args.splits} splits",
                  ["data"] + [NAMES[m] for m in methods],
                  [[name] + [auc[name].get(m) for m in methods] for name in sets],
                  ["{}"] + ["{:.3f}"] * len(methods))

    def ranks(table):
        out = {m: [] for m in methods}
        for name in sets:
            present = [m for m in methods if m in table[name]]
            order = sorted(present, key=lambda m: -table[name][m])
            for position, m in enumerate(order, start=1):
                out[m].append(position)
        return out

    auc_ranks = ranks(auc)
    import csv

    with open(args.odds_dir / "pyod_2019_roc_auc.csv") as fh:
        pyod = list(csv.DictReader(fh))
    with open(args.odds_dir / "pyod_2019_precision_at_n.csv") as fh:
        pyod_precision = list(csv.DictReader(fh))
    rows = []
    for m in methods:
        present = [name for name in sets if m in auc[name]]
        pyod_mean, pyod_prec = ((statistics.mean(float(r[PYOD_COLUMNS[m]]) for r in table
                                                 if r["Data"] in present)
                                 if m in PYOD_COLUMNS else None) for table in (pyod, pyod_precision))
        rows.append([NAMES[m], float(np.mean([auc[n][m] for n in present])),
                     float(np.mean([prec[n][m] for n in present])),
                     float(np.mean(auc_ranks[m])), len(present),
                     float(np.mean([secs[n][m] for n in present])), pyod_mean, pyod_prec])
    results.table("summary", "Means over the tables (rank 1 is best; EllipticEnvelope is "
                  "ranked on the tables where it fits)",
                  ["method", "mean ROC AUC", "mean precision at n", "mean rank (ROC AUC)",
                   "tables", "mean fit s", "PyOD 2019 mean ROC AUC",
                   "PyOD 2019 mean precision at n"], rows,
                  ["{}", "{:.3f}", "{:.3f}", "{:.2f}", "{}", "{:.2f}", "{:.3f}", "{:.3f}"])
    by_method = dict(zip(methods, rows))
    for m in ("skae", "iforest"):
        if m in by_method:
            results.value(f"{m}_mean_auc", by_method[m][1], "{:.3f}",
                          f"{NAMES[m]}'s mean ROC AUC")
            results.value(f"{m}_mean_rank", by_method[m][3], "{:.2f}",
                          f"{NAMES[m]}'s mean rank")
    if rates:
        rows = []
        for name in sets:
            _, y = load(args.odds_dir, name)
            rows.append([name, int(round(0.4 * (y == 0).sum()))]
                        + [flags[name][r] for r in rates])
        means = [[flags[n][r] for n in sets if flags[n][r] is not None] for r in rates]
        rows.append(["mean", None] + [float(np.mean(m)) if m else None for m in means])
        results.table("fpr", f"Share of test inliers flagged by "
                      f"AutoencoderOutlierDetector(fpr=rate), mean of {args.fpr_splits} splits "
                      "(- where a fifth of the fitting rows is too few for the rate; the "
                      "calibration rows hold the tables' outliers too)",
                      ["data", "test inliers"] + [f"fpr={r:g}" for r in rates], rows,
                      ["{}", "{}"] + ["{:.4f}"] * len(rates))
    results.write()

if __name__ == "__main__":
    main()
