"""Explored, not shipped: kNN scored against the fitting rows a detector keeps.

Usage::

    python benchmarks/outliers_neighbours.py [--splits 5] [--seeds 3]
        [--max-rows 10000] [--sets wine,glass,...]

Under the unsupervised protocol kNN loses to IsolationForest
(``benchmarks/outliers.py``): outliers among the fitting rows are the new
outliers' nearest neighbours.  Here kNN (the mean distance to the
``KNN_K`` nearest rows, after standardising) is measured against the
fitting rows that a first detector keeps, the share ``DEFAULT_TRIM`` it
scores most abnormal left out (the skae detector's own trimmed share, or
IsolationForest's), beside the default detector, IsolationForest, plain kNN,
and the default detector's score plus kNN to its kept rows (each over its mean
on the fitting rows).  Same tables, splits and seeds as
``benchmarks/outliers.py`` (fewer unsupervised splits by default); no
constant is chosen here: the share left out is the detector's default trim,
``k`` is ADBench's.
Means are also given on each half of the tables (alternate tables in the
benchmark's order), the halves ``benchmarks/outliers.py`` uses.  Writes
``benchmarks/results/outliers_neighbours.json``.
"""

import argparse
import os
import warnings

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np  # noqa: E402
from _common import Results  # noqa: E402
from _real_tables import DEFAULT_ADBENCH_DIR, DEFAULT_ODDS_DIR, load, table_names  # noqa: E402
from outliers import KNN_K, PROTOCOLS, mean_neighbour_distance, splits  # noqa: E402
from sklearn.ensemble import IsolationForest  # noqa: E402
from sklearn.metrics import roc_auc_score  # noqa: E402
from sklearn.preprocessing import StandardScaler  # noqa: E402

from skae import AutoencoderOutlierDetector  # noqa: E402
from skae._outlier import DEFAULT_TRIM  # noqa: E402

SCORES = {
    "default": "skae detector",
    "iforest": "IsolationForest",
    "knn": "kNN (k=5)",
    "knn_kept_skae": "kNN to the detector's kept rows",
    "knn_kept_iforest": "kNN to IsolationForest's kept rows",
    "default_plus_knn_kept": "detector + kNN to its kept rows",
}


def kept(abnormality):
    """The fitting rows a detector keeps: all but the share ``DEFAULT_TRIM`` most abnormal."""
    return abnormality <= np.quantile(abnormality, 1.0 - DEFAULT_TRIM)


def scores(X_fit, X_test, seed):
    """Each score's abnormality of the test rows, fitted on ``X_fit``."""
    detector = AutoencoderOutlierDetector(random_state=seed).fit(X_fit)
    forest = IsolationForest(random_state=seed).fit(X_fit)
    skae_fit, skae_test = -detector.score_samples(X_fit), -detector.score_samples(X_test)
    reference = X_fit[kept(skae_fit)]
    knn_kept_test = mean_neighbour_distance(reference, X_test, KNN_K, False)
    knn_kept_fit = mean_neighbour_distance(reference, X_fit, KNN_K, False)
    return {
        "default": skae_test,
        "iforest": -forest.score_samples(X_test),
        "knn": mean_neighbour_distance(X_fit, X_test, KNN_K, False),
        "knn_kept_skae": knn_kept_test,
        "knn_kept_iforest": mean_neighbour_distance(
            X_fit[kept(-forest.score_samples(X_fit))], X_test, KNN_K, False),
        "default_plus_knn_kept": skae_test / max(skae_fit.mean(), 1e-12)
        + knn_kept_test / max(knn_kept_fit.mean(), 1e-12),
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--splits", type=int, default=5, help="unsupervised splits")
    parser.add_argument("--seeds", type=int, default=3, help="semi-supervised seeds")
    parser.add_argument("--max-rows", type=int, default=10000)
    parser.add_argument("--sets", default="", help="comma-separated table names (default: all)")
    parser.add_argument("--odds-dir", default=DEFAULT_ODDS_DIR)
    parser.add_argument("--adbench-dir", default=DEFAULT_ADBENCH_DIR)
    args = parser.parse_args()
    tables = table_names(args.odds_dir, args.adbench_dir, sklearn=False)
    if args.sets:
        tables = [t for t in tables if t[1] in args.sets.split(",")]
    names = [name for _, name in tables]
    auc, sampled = {p: {} for p in PROTOCOLS}, []
    for source, name in tables:
        X, y, n_rows = load(source, name, odds_dir=args.odds_dir, adbench_dir=args.adbench_dir,
                            max_rows=args.max_rows)
        if len(X) < n_rows:
            sampled.append(f"{name} ({n_rows:,} rows)")
        for protocol in PROTOCOLS:
            count = args.splits if protocol == "unsupervised" else args.seeds
            per = {s: [] for s in SCORES}
            for seed, fit_rows, test_rows in splits(protocol, y, count):
                scaler = StandardScaler().fit(X[fit_rows])
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    abnormality = scores(scaler.transform(X[fit_rows]),
                                         scaler.transform(X[test_rows]), seed)
                for s, values in abnormality.items():
                    per[s].append(roc_auc_score(y[test_rows], values))
            auc[protocol][name] = {s: float(np.mean(v)) for s, v in per.items()}
            print(f"  {name} {protocol}: " + " ".join(
                f"{s} {v:.3f}" for s, v in auc[protocol][name].items()), flush=True)

    results = Results("outliers_neighbours", f"""
        On each of the {len(names)} tables (the ODDS and ADBench sets{'; sampled to '
        + format(args.max_rows, ',') + ' rows, stratified: ' + ', '.join(sampled)
        if sampled else ''}), features standardised on the fitting rows; unsupervised:
        {args.splits} stratified 60/40 splits, outliers among the fitting rows;
        semi-supervised: {args.seeds} seeds, fitted on a random half of the inliers, scoring the
        other inliers and every outlier.  Mean ROC AUC per table of: the default
        AutoencoderOutlierDetector, IsolationForest, kNN (mean distance to the {KNN_K} nearest
        fitting rows), kNN to the fitting rows the detector keeps (all but the {DEFAULT_TRIM:.0%}
        it scores most abnormal), the same with IsolationForest's kept rows, and the detector's
        score plus kNN to its kept rows (each over its mean on the fitting rows).  Halves:
        alternate tables in the benchmark's order.""")
    halves = (names[0::2], names[1::2])
    for protocol, label in PROTOCOLS.items():
        results.table(f"auc_{protocol}", f"ROC AUC, {label}",
                      ["data", *SCORES.values()],
                      [[n, *(auc[protocol][n][s] for s in SCORES)] for n in names],
                      ["{}", *["{:.3f}"] * len(SCORES)])
        means = {s: float(np.mean([auc[protocol][n][s] for n in names])) for s in SCORES}
        results.table(
            f"summary_{protocol}", f"Means, {label}",
            ["score", "mean ROC AUC", "first half", "second half"],
            [[SCORES[s], means[s], *(float(np.mean([auc[protocol][n][s] for n in half]))
                                     for half in halves)] for s in SCORES],
            ["{}", "{:.3f}", "{:.3f}", "{:.3f}"])
        for s in SCORES:
            results.value(f"{protocol}_{s}_mean_auc", means[s], "{:.3f}",
                          f"mean ROC AUC over the tables, {label}: {SCORES[s]}")
    results.write()


if __name__ == "__main__":
    main()
