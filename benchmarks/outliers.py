"""skae's outlier detector against scikit-learn's and kNN on 28 real tables, two protocols.

Usage::

    python benchmarks/outliers.py [--protocols unsupervised,semisupervised]
        [--splits 10] [--seeds 3] [--max-rows 10000] [--sets cardio,glass,...]
        [--methods skae,iforest,knn,lof,ocsvm,pca] [--fpr 0.01,0.05,0.1]
        [--odds-dir ../shared/data/odds] [--adbench-dir ../shared/data/adbench]
        [--name outliers]

The tables: the 17 ODDS sets and the 11 ADBench sets (``_real_tables``);
those over ``--max-rows`` rows are sampled to that many, stratified on the
label (said in the protocol).  Two protocols, each method with its defaults:

* **unsupervised** (PyOD's benchmark): ``--splits`` stratified splits
  (``random_state`` 0, 1, ...), 60% of the rows, outliers included, to fit and
  40% to test;
* **semisupervised** (ADBench's and the DTE paper's): for each of ``--seeds``
  seeds, a random half of the inliers to fit, the other inliers and every
  outlier to test.

Features are standardised on the fitting rows.  The methods: skae's
``AutoencoderOutlierDetector(random_state=seed)``; ``IsolationForest``;
kNN (the mean distance to the 5 nearest fitting rows, as ADBench);
``LocalOutlierFactor(novelty=True)``; ``OneClassSVM``; PCA's reconstruction
error at the width skae's detector uses.  Per table and protocol: ROC AUC and
average precision (means over the splits or seeds), fit-and-score seconds;
then each method's mean ROC AUC, mean average precision and mean rank (by ROC
AUC) over the tables.

Beside skae's default score, the scores its fitted autoencoder also gives
(``candidate_scores``: reconstruction error alone, the code's Mahalanobis
distance, its distance to the nearest fitting rows' codes, and sums of
these), each table's ROC AUC for each: what was tried.  A rule chosen on
these tables is checked on the tables it was not chosen on: the tables are
split into two halves (alternately, in name order); the candidate with the
best mean ROC AUC over both protocols on one half is reported on the other,
beside IsolationForest's and kNN's means there, both ways.

Then, under the semi-supervised protocol (clean fitting rows, as with a
curated normal sample), the share of held-out inliers flagged by
``AutoencoderOutlierDetector(fpr=rate)`` for each rate of ``--fpr`` that a
fifth of the fitting rows (the calibration rows) allows.  Writes
``benchmarks/results/<name>.json``.
"""

import argparse
import os
import statistics
import time
import warnings

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np  # noqa: E402
from _common import Results  # noqa: E402
from _real_tables import DEFAULT_ADBENCH_DIR, DEFAULT_ODDS_DIR, load, table_names  # noqa: E402
from sklearn.decomposition import PCA  # noqa: E402
from sklearn.ensemble import IsolationForest  # noqa: E402
from sklearn.metrics import average_precision_score, roc_auc_score  # noqa: E402
from sklearn.model_selection import train_test_split  # noqa: E402
from sklearn.neighbors import LocalOutlierFactor, NearestNeighbors  # noqa: E402
from sklearn.preprocessing import StandardScaler  # noqa: E402
from sklearn.svm import OneClassSVM  # noqa: E402

from skae import AutoencoderOutlierDetector  # noqa: E402

METHODS = ("skae", "iforest", "knn", "lof", "ocsvm", "pca")
NAMES = {"skae": "skae detector", "iforest": "IsolationForest", "knn": "kNN (k=5)",
         "lof": "LOF (novelty)", "ocsvm": "OneClassSVM", "pca": "PCA error"}
BASELINES = ("iforest", "knn", "lof", "ocsvm", "pca")
PROTOCOLS = {"unsupervised": "unsupervised (60/40, outliers in the fitting rows)",
             "semisupervised": "semi-supervised (fit on half the inliers)"}
#: ADBench's k for kNN.
KNN_K = 5


class KNNDistance:
    """Outlier score: minus the mean distance to the ``k`` nearest fitting rows."""

    def __init__(self, k=KNN_K):
        self.k = k

    def fit(self, X):
        self.reference = X
        return self

    def score_samples(self, X):
        return -mean_neighbour_distance(self.reference, X, self.k, exclude_self=False)


class PCAError:
    """Outlier score: minus PCA's mean squared reconstruction error at a width."""

    def __init__(self, n_components):
        self.pca = PCA(n_components)

    def fit(self, X):
        self.pca.fit(X)
        return self

    def score_samples(self, X):
        return -np.mean((X - self.pca.inverse_transform(self.pca.transform(X))) ** 2, axis=1)


def make(method, seed, n_components):
    if method == "skae":
        return AutoencoderOutlierDetector(random_state=seed)
    if method == "iforest":
        return IsolationForest(random_state=seed)
    if method == "knn":
        return KNNDistance()
    if method == "lof":
        return LocalOutlierFactor(novelty=True)
    if method == "ocsvm":
        return OneClassSVM()
    return PCAError(n_components)


def mean_neighbour_distance(reference, X, k, exclude_self):
    """Mean distance of each row of ``X`` to its ``k`` nearest rows of ``reference``."""
    k = min(k, len(reference) - (1 if exclude_self else 0))
    neighbours = NearestNeighbors(n_neighbors=k).fit(reference)
    distances = neighbours.kneighbors(None if exclude_self else X)[0]
    return distances.mean(axis=1)


def candidate_scores(detector, X_fit, X_test):
    """Abnormality of the test rows under each candidate rule, from one fitted detector.

    Each term is divided by its mean over the fitting rows (the rows it is
    applied to in ``fit``), so that the terms weigh alike in a sum.  ``q``:
    the mean squared reconstruction error; ``t``: the code's Mahalanobis
    distance squared over the width; ``n``: the code's mean distance to the
    ``KNN_K`` nearest fitting rows' codes (the fitting rows' own, leaving each
    row out); ``x``: the same in the input space (kNN).
    """
    estimator = detector.estimator_
    codes_fit = estimator.transform(X_fit).astype(np.float64)
    codes_test = estimator.transform(X_test).astype(np.float64)

    def q(X, codes):
        return np.mean((X - estimator.inverse_transform(codes)) ** 2, axis=1)

    mean = codes_fit.mean(axis=0)
    precision = np.linalg.pinv(np.atleast_2d(np.cov(codes_fit, rowvar=False)), hermitian=True)

    def t(codes):
        centred = codes - mean
        return np.einsum("ij,jk,ik->i", centred, precision, centred) / codes.shape[1]

    terms_fit = {"q": q(X_fit, codes_fit), "t": t(codes_fit),
                 "n": mean_neighbour_distance(codes_fit, codes_fit, KNN_K, True),
                 "x": mean_neighbour_distance(X_fit, X_fit, KNN_K, True)}
    terms_test = {"q": q(X_test, codes_test), "t": t(codes_test),
                  "n": mean_neighbour_distance(codes_fit, codes_test, KNN_K, False),
                  "x": mean_neighbour_distance(X_fit, X_test, KNN_K, False)}
    scaled = {k: terms_test[k] / max(terms_fit[k].mean(), 1e-12) for k in terms_test}
    return {
        "default": -detector.score_samples(X_test),
        "q": scaled["q"],
        "t": scaled["t"],
        "n": scaled["n"],
        "q+t": scaled["q"] + scaled["t"],
        "q+n": scaled["q"] + scaled["n"],
        "q+t+n": scaled["q"] + scaled["t"] + scaled["n"],
        "sqrt(q)+n": np.sqrt(terms_test["q"]) / max(np.sqrt(terms_fit["q"]).mean(), 1e-12)
        + scaled["n"],
        "q+x": scaled["q"] + scaled["x"],
        "q+n+x": scaled["q"] + scaled["n"] + scaled["x"],
    }


CANDIDATES = {
    "default": "the detector's default score",
    "q": "reconstruction error",
    "t": "code's Mahalanobis distance",
    "n": "code's distance to its 5 nearest fitting codes",
    "q+t": "reconstruction + Mahalanobis (recomputed on all fitting rows)",
    "q+n": "reconstruction + code neighbours",
    "q+t+n": "reconstruction + Mahalanobis + code neighbours",
    "sqrt(q)+n": "root of reconstruction error + code neighbours",
    "q+x": "reconstruction + input-space kNN",
    "q+n+x": "reconstruction + code neighbours + input-space kNN",
}


def splits(protocol, y, count):
    """``(seed, fit_rows, test_rows)`` for each split or seed of a protocol."""
    rows = np.arange(len(y))
    for seed in range(count):
        if protocol == "unsupervised":
            fit, test = train_test_split(rows, test_size=0.4, random_state=seed, stratify=y)
        else:
            inliers = np.random.RandomState(seed).permutation(rows[y == 0])
            half = len(inliers) // 2
            fit, test = inliers[:half], np.concatenate([inliers[half:], rows[y == 1]])
        yield seed, np.sort(fit), np.sort(test)


def evaluate(X, y, fit_rows, test_rows, seed, methods):
    """``{method: (roc_auc, average_precision, seconds)}`` and the candidates' ROC AUC."""
    scaler = StandardScaler().fit(X[fit_rows])
    X_fit, X_test, y_test = scaler.transform(X[fit_rows]), scaler.transform(X[test_rows]), \
        y[test_rows]
    width, results, candidates = None, {}, {}
    for method in methods:
        model = make(method, seed, width)
        start = time.perf_counter()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            model.fit(X_fit)
            abnormality = -model.score_samples(X_test)
        seconds = time.perf_counter() - start
        if method == "skae":  # PCA keeps at most all the features
            width = min(model.estimator_.n_components_, X_fit.shape[1], len(X_fit))
            candidates = {name: roc_auc_score(y_test, score) for name, score
                          in candidate_scores(model, X_fit, X_test).items()}
        if np.all(np.isfinite(abnormality)):
            results[method] = (roc_auc_score(y_test, abnormality),
                               average_precision_score(y_test, abnormality), seconds)
    return results, candidates


def flagged_inliers(X, y, fit_rows, test_rows, seed, rates):
    """Share of held-out inliers flagged at each rate (None: too few calibration rows)."""
    n_calibration = int(0.2 * len(fit_rows))  # the detector's default calibration_fraction
    feasible = [r for r in rates if n_calibration >= np.ceil(1 / r - 1 - 1e-9)]
    if not feasible:
        return dict.fromkeys(rates)
    scaler = StandardScaler().fit(X[fit_rows])
    inliers = test_rows[y[test_rows] == 0]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        detector = AutoencoderOutlierDetector(fpr=min(feasible), random_state=seed)
        pvalues = detector.fit(scaler.transform(X[fit_rows])).pvalues(
            scaler.transform(X[inliers]))
    return {r: float(np.mean(pvalues <= r)) if r in feasible else None for r in rates}


def flag_rate_noise(rate, n_calibration, n_inliers, repeats):
    """Two standard errors of the mean share of inliers flagged over ``repeats`` fits.

    For a threshold calibrated on ``n`` rows, the chance an inlier is flagged
    is Beta(l, n + 1 - l) distributed over calibration sets, l = floor(rate
    (n + 1)); each share observed adds the binomial noise of ``n_inliers``
    rows.
    """
    n = n_calibration
    low = np.floor(rate * (n + 1))
    mean = low / (n + 1)
    variance = low * (n + 1 - low) / ((n + 1) ** 2 * (n + 2))
    per_fit = variance + (mean * (1 - mean) - variance) / n_inliers
    return 2.0 * float(np.sqrt(per_fit / repeats))


def mean_ranks(table, names, methods):
    """Each method's mean rank by ROC AUC over ``names`` (1 is best; ties share the mean rank)."""
    from scipy.stats import rankdata

    out = {m: [] for m in methods}
    for name in names:
        present = [m for m in methods if m in table[name]]
        ranks = rankdata([-table[name][m] for m in present])
        for m, r in zip(present, ranks):
            out[m].append(float(r))
    return {m: float(np.mean(v)) for m, v in out.items() if v}


def _mean_auc(table, names, method):
    """``method``'s mean ROC AUC over the tables ``names`` it ran on; None where it ran on none."""
    values = [table[n][method] for n in names if method in table[n]]
    return float(np.mean(values)) if values else None


def half_and_half(candidate_auc, auc, names):
    """Choose the candidate on one half of the tables, report it on the other, both ways.

    ``candidate_auc[protocol][table][candidate]``, ``auc[protocol][table][method]``.
    """
    halves = (names[0::2], names[1::2])
    rows = []
    for chosen_on, reported_on in (halves, halves[::-1]):
        def mean_over(tables, candidate):
            return float(np.mean([candidate_auc[p][n][candidate]
                                  for p in candidate_auc for n in tables]))

        best = max(CANDIDATES, key=lambda c: mean_over(chosen_on, c))
        for protocol in candidate_auc:
            rows.append([
                f"{len(chosen_on)} tables ({chosen_on[0]}, {chosen_on[1]}, ...)", best,
                PROTOCOLS[protocol].split(" (")[0],
                float(np.mean([candidate_auc[protocol][n][best] for n in reported_on])),
                float(np.mean([candidate_auc[protocol][n]["default"] for n in reported_on])),
                _mean_auc(auc[protocol], reported_on, "iforest"),
                _mean_auc(auc[protocol], reported_on, "knn")])
    return rows


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--protocols", default=",".join(PROTOCOLS))
    parser.add_argument("--splits", type=int, default=10, help="unsupervised splits")
    parser.add_argument("--seeds", type=int, default=3, help="semi-supervised seeds")
    parser.add_argument("--max-rows", type=int, default=10000)
    parser.add_argument("--sets", default="", help="comma-separated table names (default: all)")
    parser.add_argument("--methods", default=",".join(METHODS))
    parser.add_argument("--fpr", default="0.01,0.05,0.1",
                        help="false-positive rates to check ('' for none)")
    parser.add_argument("--odds-dir", default=DEFAULT_ODDS_DIR)
    parser.add_argument("--adbench-dir", default=DEFAULT_ADBENCH_DIR)
    parser.add_argument("--name", default="outliers", help="the results file's stem")
    args = parser.parse_args()
    protocols = [p for p in args.protocols.split(",") if p]
    methods = [m for m in args.methods.split(",") if m]
    methods = ["skae"] + [m for m in methods if m != "skae"]  # PCA's width is skae's
    rates = [float(r) for r in args.fpr.split(",") if r]
    tables = table_names(args.odds_dir, args.adbench_dir, sklearn=False)
    if args.sets:
        tables = [t for t in tables if t[1] in args.sets.split(",")]
    names = [name for _, name in tables]

    import keras

    keras.ops.convert_to_numpy(keras.ops.zeros((1,)))  # start the backend before any clock
    auc = {p: {} for p in protocols}
    ap = {p: {} for p in protocols}
    secs = {p: {} for p in protocols}
    cand = {p: {} for p in protocols}
    flags, sizes, sampled, shapes = {}, {}, [], {}
    for source, name in tables:
        X, y, n_rows = load(source, name, odds_dir=args.odds_dir, adbench_dir=args.adbench_dir,
                            max_rows=args.max_rows)
        shapes[name] = (n_rows, X.shape[1], float(y.mean()))
        if len(X) < n_rows:
            sampled.append(f"{name} ({n_rows:,} rows)")
        for protocol in protocols:
            count = args.splits if protocol == "unsupervised" else args.seeds
            per, per_candidate = {m: [] for m in methods}, []
            for seed, fit_rows, test_rows in splits(protocol, y, count):
                results, candidates = evaluate(X, y, fit_rows, test_rows, seed, methods)
                for m, values in results.items():
                    per[m].append(values)
                per_candidate.append(candidates)
                if protocol == "semisupervised" and rates:
                    flags.setdefault(name, []).append(
                        flagged_inliers(X, y, fit_rows, test_rows, seed, rates))
                    sizes[name] = (int(0.2 * len(fit_rows)), int((y[test_rows] == 0).sum()))
            auc[protocol][name] = {m: float(np.mean([v[0] for v in per[m]]))
                                   for m in methods if per[m]}
            ap[protocol][name] = {m: float(np.mean([v[1] for v in per[m]]))
                                  for m in methods if per[m]}
            secs[protocol][name] = {m: float(np.mean([v[2] for v in per[m]]))
                                    for m in methods if per[m]}
            cand[protocol][name] = {c: float(np.mean([pc[c] for pc in per_candidate]))
                                    for c in CANDIDATES}
            cells = " ".join(f"{m} {auc[protocol][name][m]:.3f}" for m in methods
                             if m in auc[protocol][name])
            print(f"  {name} {protocol}: ROC AUC {cells}", flush=True)

    results = Results(args.name, f"""
        {len(tables)} tables (the ODDS and ADBench sets{'; sampled to '
        + format(args.max_rows, ',') + ' rows, stratified: ' + ', '.join(sampled)
        if sampled else ''}).  Unsupervised protocol (PyOD's): {args.splits} stratified splits,
        60% of the rows (outliers included) to fit and 40% to test.  Semi-supervised protocol
        (ADBench's): {args.seeds} seeds, a random half of the inliers to fit, the other inliers
        and every outlier to test.  Features standardised on the fitting rows; every method with
        its defaults; kNN is the mean distance to the {KNN_K} nearest fitting rows; PCA's error
        at the detector's width.  ROC AUC and average precision are means over the splits or
        seeds; ranks are by ROC AUC per table (ties share their mean rank); seconds are fitting
        and scoring one split.""")
    for protocol in protocols:
        label = PROTOCOLS[protocol]
        results.table(f"auc_{protocol}", f"ROC AUC, {label}",
                      ["data", "rows", "features", "outliers"] + [NAMES[m] for m in methods],
                      [[n, *shapes[n]] + [auc[protocol][n].get(m) for m in methods]
                       for n in names],
                      ["{}", "{:,}", "{}", "{:.1%}"] + ["{:.3f}"] * len(methods))
        ranks = mean_ranks(auc[protocol], names, methods)
        rows = []
        for m in methods:
            present = [n for n in names if m in auc[protocol][n]]
            rows.append([NAMES[m], float(np.mean([auc[protocol][n][m] for n in present])),
                         float(np.mean([ap[protocol][n][m] for n in present])), ranks[m],
                         sum(1 for n in present
                             if auc[protocol][n][m] >= max(auc[protocol][n].values())),
                         len(present),
                         statistics.median(secs[protocol][n][m] for n in present)])
        results.table(f"summary_{protocol}", f"Means over the tables, {label}",
                      ["method", "mean ROC AUC", "mean average precision", "mean rank",
                       "tables first", "tables", "fit and score s (median over tables)"], rows,
                      ["{}", "{:.3f}", "{:.3f}", "{:.2f}", "{}", "{}", "{:.2f}"])
        for m, row in zip(methods, rows):
            results.value(f"{protocol}_{m}_mean_auc", row[1], "{:.3f}",
                          f"{NAMES[m]}'s mean ROC AUC, {label}")
            results.value(f"{protocol}_{m}_mean_rank", row[3], "{:.2f}",
                          f"{NAMES[m]}'s mean rank, {label}")
        timed = [m for m in ("skae", "iforest", "knn") if m in methods]
        results.table(f"seconds_{protocol}", f"Seconds to fit and score one split, {label}",
                      ["data"] + [NAMES[m] for m in timed],
                      [[n] + [secs[protocol][n].get(m) for m in timed] for n in names],
                      ["{}"] + ["{:.2f}"] * len(timed))
        results.table(f"candidates_{protocol}", f"Scores from the detector's autoencoder, "
                      f"ROC AUC, {label}", ["data"] + list(CANDIDATES),
                      [[n] + [cand[protocol][n][c] for c in CANDIDATES] for n in names]
                      + [["mean"] + [float(np.mean([cand[protocol][n][c] for n in names]))
                                     for c in CANDIDATES]],
                      ["{}"] + ["{:.3f}"] * len(CANDIDATES))
    if len(names) >= 4:
        results.table("halves", "Chosen on one half of the tables, reported on the other: mean "
                      "ROC AUC", ["chosen on", "rule chosen", "protocol", "the rule",
                                  "the default", "IsolationForest", "kNN"],
                      half_and_half(cand, auc, names),
                      ["{}", "{}", "{}", "{:.3f}", "{:.3f}", "{:.3f}", "{:.3f}"])
    if flags and rates:
        rows, beyond = [], [0] * len(rates)
        for n in names:
            shares, (n_calibration, n_inliers) = flags[n], sizes[n]
            row = [n, n_calibration, n_inliers]
            for i, r in enumerate(rates):
                if shares[0][r] is None:
                    row += [None, None]
                    continue
                observed = float(np.mean([s[r] for s in shares]))
                bound = r + flag_rate_noise(r, n_calibration, n_inliers, len(shares))
                beyond[i] += observed > bound
                row += [observed, bound]
            rows.append(row)
        results.table("fpr", f"Share of held-out inliers flagged by "
                      f"AutoencoderOutlierDetector(fpr=rate), semi-supervised protocol, mean of "
                      f"{args.seeds} seeds, beside the rate plus two standard errors of that "
                      "mean (the noise of the calibration and of the inliers counted); - where "
                      "a fifth of the fitting rows is too few for the rate",
                      ["data", "calibration rows", "held-out inliers"]
                      + [c for r in rates for c in (f"fpr={r:g}", f"bound {r:g}")], rows,
                      ["{}", "{}", "{}"] + ["{:.4f}", "{:.4f}"] * len(rates))
        for r, count in zip(rates, beyond):
            results.value(f"fpr_{r:g}_tables_above_bound", count, "{}",
                          f"tables where the share of inliers flagged exceeds fpr={r:g} beyond "
                          "two standard errors, semi-supervised protocol")
            results.value(f"fpr_{r:g}_tables", sum(1 for n in names if flags[n][0][r] is not None),
                          "{}", f"tables with calibration rows enough for fpr={r:g}")
    results.write()


if __name__ == "__main__":
    main()
