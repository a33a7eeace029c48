"""Does the detector's explanation name the feature that made a row an outlier?

Usage::

    python benchmarks/explanations.py [--sets vehicle,cardio,...]
        [--variants 1/1,2/1,4/1,1/3,2/3,4/3] [--max-rows 5000] [--test-rows 300]

The tables: the ODDS and ADBench sets of ``../shared/data`` (their normal
rows) and its classification tables (all rows); and, outside that folder,
scikit-learn's bundled tables.  Constant columns are dropped; a table of
more than ``--max-rows`` rows is sampled to that many (a fixed seed).  70% of
the rows fit ``AutoencoderOutlierDetector(random_state=0)`` (its defaults),
standardised on them; of the other 30%, up to ``--test-rows`` (and at most
20,000 / features, so a wide table costs what a narrow one does) are
corrupted, each copy in one way:

* **marginal**: one feature plus four standard deviations;
* **dependency**: one feature that the others predict with R² >= 0.6 (a
  linear fit on the fitting rows) replaced by its value in another held-out
  row at least 1.5 standard deviations away: each value is ordinary on its
  own, the row is not;
* **several**: two features (in half the rows) or three, each plus four
  standard deviations.

An explanation gives each feature of each row a number; its hit rate is how
often the largest one is the corrupted feature (for several, the share of
the corrupted features among the largest as many).  The explanations: the
detector's ``explain`` (each ``rounds/steps`` of ``--variants``), its ``feature_errors``, PCA's
per-feature reconstruction error at the detector's width (fitted on the same
rows) and the z-score |x_j|, the two a user has for free; and, as a
reference, the diagnosis a Gaussian model of the fitting rows makes
exactly: (x P)_j² / P_jj, with P the inverse of their Ledoit-Wolf
covariance (the largest is the feature whose change alone best explains the
row's Mahalanobis distance).

``explain``'s ``rounds`` and ``steps`` are chosen on half of the shared
tables (a seeded shuffle of their names, split in two): the variant with
the best mean hit rate over the three kinds on the first half is skae's
default, and is reported on the second half and on the bundled tables; the
other way round too.  Also the seconds each explanation takes per 1,000 rows
(the median over the tables).  Writes ``benchmarks/results/explanations.json``.
"""

import argparse
import os
import statistics
import time
import warnings

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np  # noqa: E402
from _common import Results  # noqa: E402
from _real_tables import SKLEARN_TABLES, classification_names, load, table_names  # noqa: E402
from sklearn.covariance import LedoitWolf  # noqa: E402
from sklearn.decomposition import PCA  # noqa: E402
from sklearn.linear_model import LinearRegression  # noqa: E402

from skae import AutoencoderOutlierDetector  # noqa: E402

KINDS = ("marginal", "dependency", "several")
BASELINES = ("feature_errors", "PCA", "z-score", "Gaussian (reference)")
SHIFT, APART, PREDICTED = 4.0, 1.5, 0.6


def all_tables():
    """``(source, name, shared)`` of every table: the shared folder's, then scikit-learn's."""
    shared = [*table_names(sklearn=False), *(("classification", n) for n in classification_names())]
    return [(s, n, True) for s, n in shared] + [("sklearn", n, False) for n in SKLEARN_TABLES]


def prepared(source, name, max_rows, test_rows, rng):
    """Standardised fitting rows and held-out rows of a table's normal rows."""
    X, y, _ = load(source, name, max_rows=max_rows)
    if y is not None and source in ("odds", "adbench"):
        X = X[y == 0]
    X = X[rng.permutation(len(X))]
    n_fit = int(0.7 * len(X))
    keep = X[:n_fit].std(axis=0) > 0
    X = X[:, keep]
    mean, std = X[:n_fit].mean(axis=0), X[:n_fit].std(axis=0)
    X = (X - mean) / std
    limit = max(20, min(test_rows, 20_000 // X.shape[1]))
    return X[:n_fit], X[n_fit:][:limit]


def predicted_share(X):
    """R² of each feature's linear fit on the others."""
    shares = []
    for j in range(X.shape[1]):
        others = np.delete(X, j, axis=1)
        shares.append(LinearRegression().fit(others, X[:, j]).score(others, X[:, j]))
    return np.array(shares)


def corrupt(X, kind, r2, rng):
    """Corrupted copies of ``X``'s rows and the corrupted features of each (or None)."""
    d = X.shape[1]
    rows, wrong = [], []
    for i, row in enumerate(X):
        row = row.copy()
        if kind == "marginal":
            features = [rng.integers(d)]
            row[features] += SHIFT
        elif kind == "several":
            if d < 4:
                return None, None
            features = list(rng.choice(d, 2 if i % 2 == 0 else 3, replace=False))
            row[features] += SHIFT
        else:
            eligible = np.flatnonzero(r2 >= PREDICTED)
            if not len(eligible):
                return None, None
            j = rng.choice(eligible)
            donors = np.flatnonzero(np.abs(X[:, j] - row[j]) >= APART)
            if not len(donors):
                continue
            row[j] = X[rng.choice(donors), j]
            features = [j]
        rows.append(row)
        wrong.append(features)
    return (np.array(rows), wrong) if rows else (None, None)


def hit_rate(values, wrong):
    """Share of the corrupted features among each row's largest as many values."""
    hits = []
    for row, features in zip(values, wrong):
        top = np.argsort(-row, kind="stable")[:len(features)]
        hits.append(len(set(top.tolist()) & set(int(f) for f in features)) / len(features))
    return float(np.mean(hits))


def variant(rounds, steps):
    return f"explain {rounds}/{steps}"


def explanations(detector, pca, precision, variants):
    """``name -> function of the rows``: every explanation measured."""
    made = {variant(r, s): (lambda X, r=r, s=s: detector.explain(X, rounds=r, steps=s))
            for r, s in variants}
    made["feature_errors"] = detector.feature_errors
    made["PCA"] = lambda X: (X - pca.inverse_transform(pca.transform(X))) ** 2
    made["z-score"] = np.abs
    made["Gaussian (reference)"] = lambda X: (X @ precision) ** 2 / np.diag(precision)
    return made


def run_table(source, name, args):
    rng = np.random.default_rng(0)
    X_fit, X_test = prepared(source, name, args.max_rows, args.test_rows, rng)
    detector = AutoencoderOutlierDetector(random_state=0).fit(X_fit)
    width = detector.estimator_.n_components_
    pca = PCA(min(width, *X_fit.shape)).fit(X_fit)
    precision = np.linalg.inv(LedoitWolf().fit(X_fit).covariance_)
    methods = explanations(detector, pca, precision, args.variants)
    r2 = predicted_share(X_fit)
    result = {"rows": len(X_fit) + len(X_test), "features": X_fit.shape[1], "kinds": {},
              "seconds": {}}
    for kind in KINDS:
        X_bad, wrong = corrupt(X_test, kind, r2, rng)
        if X_bad is None:
            continue
        hits = {}
        for method, explain in methods.items():
            start = time.perf_counter()
            values = np.asarray(explain(X_bad), np.float64)
            seconds = time.perf_counter() - start
            hits[method] = hit_rate(values, wrong)
            if kind == "marginal":
                result["seconds"][method] = seconds / len(X_bad) * 1000
        result["kinds"][kind] = {"n": len(X_bad), "hits": hits}
    print(f"{source}/{name}: {X_fit.shape[1]} features, width {width}; " + "; ".join(
        f"{kind} " + " ".join(f"{m}={h:.2f}" for m, h in v["hits"].items())
        for kind, v in result["kinds"].items()), flush=True)
    return result


def mean_hits(results, names, kind, method):
    values = [results[n]["kinds"][kind]["hits"][method] for n in names
              if kind in results[n]["kinds"]]
    return float(np.mean(values)) if values else None


def choose(results, names, variants):
    """The ``(rounds, steps)`` with the best mean hit rate over the kinds on ``names``."""
    def score(v):
        means = [mean_hits(results, names, kind, variant(*v)) for kind in KINDS]
        return np.mean([m for m in means if m is not None])
    return max(variants, key=lambda v: (score(v), -v[0] * v[1]))  # a tie: the cheaper


def report(results, shared, outside, args):
    order = np.random.default_rng(0).permutation(len(shared))
    halves = ([shared[i] for i in sorted(order[:len(order) // 2])],
              [shared[i] for i in sorted(order[len(order) // 2:])])
    chosen = choose(results, halves[0], args.variants)
    default = variant(*chosen)
    methods = [default, *BASELINES]
    out = Results("explanations", __doc__.split("\n\n", 2)[2].split("\n\n``explain``")[0]
                  + f" The variant chosen on the first half: rounds={chosen[0]}, "
                  f"steps={chosen[1]} (the column 'explain').")
    rows = []
    for key in (*shared, *outside):
        r = results[key]
        for kind, v in r["kinds"].items():
            rows.append([key[1], "shared" if key in shared else "outside", r["features"], kind,
                         v["n"], *(v["hits"][m] for m in methods)])
    out.table("tables", "Hit rate of each explanation, per table and corruption",
              ["data", "folder", "features", "kind", "rows", "explain", *BASELINES], rows,
              ["{}", "{}", "{}", "{}", "{}", *["{:.3f}"] * (1 + len(BASELINES))])
    for label, names in (("shared", shared), ("outside", outside)):
        summary = []
        for kind in KINDS:
            means = [mean_hits(results, names, kind, m) for m in methods]
            summary.append([kind, sum(kind in results[n]["kinds"] for n in names), *means])
            for method, mean in zip(methods, means):
                short = "explain" if method == default else method.split(" ")[0].lower()
                out.value(f"{label}_{kind}_{short}", mean, "{:.3f}",
                          f"mean hit rate, {kind}, {method}, {label} tables")
        out.table(f"summary_{label}", f"Mean hit rate over the {label} tables",
                  ["kind", "tables", "explain", *BASELINES], summary,
                  ["{}", "{}", *["{:.3f}"] * (1 + len(BASELINES))])
    out.table("variants", "Mean hit rate of explain over the shared tables, by rounds/steps",
              ["kind", *(variant(*v) for v in args.variants)],
              [[kind, *(mean_hits(results, shared, kind, variant(*v)) for v in args.variants)]
               for kind in KINDS], ["{}", *["{:.3f}"] * len(args.variants)])
    half_rows = []
    for first, second in (halves, halves[::-1]):
        picked = choose(results, first, args.variants)
        named = ", ".join(n for _, n in first[:2])
        for label, names in (("the other half", second), ("outside", outside)):
            for kind in KINDS:
                best = max((mean_hits(results, names, kind, m) or 0.0)
                           for m in ("PCA", "z-score"))
                half_rows.append([f"{len(first)} tables ({named}, ...)", variant(*picked),
                                  label, kind, mean_hits(results, names, kind, variant(*picked)),
                                  best])
    out.table("halves", "rounds/steps chosen on one half of the shared tables, reported "
              "elsewhere", ["chosen on", "variant", "reported on", "kind", "explain",
                            "better of PCA, z"], half_rows,
              ["{}", "{}", "{}", "{}", "{:.3f}", "{:.3f}"])
    out.value("chosen_rounds", chosen[0], "{}", "rounds chosen on the first half")
    out.value("chosen_steps", chosen[1], "{}", "steps chosen on the first half")
    seconds = []
    for method in [*(variant(*v) for v in args.variants), *BASELINES]:
        values = [results[n]["seconds"][method] for n in (*shared, *outside)]
        seconds.append([method, statistics.median(values), [min(values), max(values)]])
    out.table("seconds", "Seconds per 1,000 rows explained (the marginal kind)",
              ["explanation", "median over the tables", "range"], seconds,
              ["{}", "{:.3f}", "{:.3f}"])
    out.value("explain_seconds_per_1000", statistics.median(
        results[n]["seconds"][default] for n in (*shared, *outside)), "{:.2f}",
        "the chosen explain's seconds per 1,000 rows, median over the tables")
    out.write()


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sets", default="", help="comma-separated table names (default: all)")
    parser.add_argument("--variants", default="1/1,2/1,4/1,1/3,2/3,4/3",
                        type=lambda s: [tuple(int(p) for p in v.split("/"))
                                        for v in s.split(",")],
                        help="rounds/steps of explain to measure")
    parser.add_argument("--max-rows", type=int, default=5000)
    parser.add_argument("--test-rows", type=int, default=300)
    args = parser.parse_args(argv)
    wanted = set(filter(None, args.sets.split(",")))
    tables = [t for t in all_tables() if not wanted or t[1] in wanted]
    warnings.simplefilter("ignore", UserWarning)
    results = {(s, n): run_table(s, n, args) for s, n, _ in tables}
    shared = [(s, n) for s, n, inside in tables if inside]
    outside = [(s, n) for s, n, inside in tables if not inside]
    report(results, shared, outside, args)


if __name__ == "__main__":
    main()
