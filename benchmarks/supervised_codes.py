"""Codes before a classifier: skae's target mode against PCA and scikit-learn's supervised reducers.

Usage::

    python benchmarks/supervised_codes.py [--tables vehicle,wine,...] [--weights auto]
        [--no-umap] [--name supervised_codes]

On the seven tables of ``../shared/data/classification`` (``$SKAE_CLASSIFICATION_DIR``)
and scikit-learn's iris, wine, breast_cancer and digits, with zero-variance
columns dropped and at most 3,000 rows (a stratified sample): codes of
``k = 2`` and ``k = max(2, n_features // 4)`` numbers, 3 stratified folds
(shuffled, random_state=0), the reducer fitted on the training fold after a
``StandardScaler``, and the codes fed to ``LogisticRegression(max_iter=3000)``
and to ``KNeighborsClassifier(5)``.  The reducers: ``PCA(k)``, skae's default
(``y`` ignored), skae with ``target_weight`` (each of ``--weights``; the
default ``"auto"``), ``NeighborhoodComponentsAnalysis(k, random_state=0)``,
``LinearDiscriminantAnalysis(n_components=min(k, classes - 1))`` and
umap-learn's ``UMAP(n_components=k, random_state=0)`` fitted with ``y``.  For
PCA and skae, the share of the variance the reconstructions keep of the test
fold (one minus the residual over the total sum of squares about the training
fold's mean; UMAP's approximate inverse is not measured).  The whole fit of each reducer is timed.

Then with 10% of the labels (a stratified tenth of each training fold; the
others marked -1): skae's target mode fitted on all the training rows, NCA
and LDA on the labelled tenth alone, and the classifiers trained on the
labelled tenth's codes.  And a numeric target, scikit-learn's diabetes: skae's
mode, ``PLSRegression(k)`` and ``PCA(k)``, the codes fed to
``LinearRegression`` (3 shuffled folds), R² on the test fold.  And the
README's quick start as written there (the digits, all 64 pixels, in 2
numbers).

The tables are halved by their sorted names, alternately (the first, third,
... name in half A): a rule chosen on half A is reported on half B.  Writes
``benchmarks/results/<--name>.json``.
"""

import argparse
import os
import statistics
import time
import warnings

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np  # noqa: E402
from _common import DEFAULT_CLASSIFICATION_DIR, Results  # noqa: E402
from _real_tables import classification_names  # noqa: E402
from sklearn.cross_decomposition import PLSRegression  # noqa: E402
from sklearn.decomposition import PCA  # noqa: E402
from sklearn.discriminant_analysis import LinearDiscriminantAnalysis  # noqa: E402
from sklearn.linear_model import LinearRegression, LogisticRegression  # noqa: E402
from sklearn.model_selection import KFold, StratifiedKFold, train_test_split  # noqa: E402
from sklearn.neighbors import KNeighborsClassifier, NeighborhoodComponentsAnalysis  # noqa: E402
from sklearn.preprocessing import StandardScaler  # noqa: E402

from skae import AutoencoderTransformer  # noqa: E402

CLASSIFICATION_DIR = DEFAULT_CLASSIFICATION_DIR
SKLEARN_TABLES = ("iris", "wine", "breast_cancer", "digits")
MAX_ROWS = 3000
CLASSIFIERS = {"logistic": lambda: LogisticRegression(max_iter=3000),
               "5-NN": lambda: KNeighborsClassifier(5)}
LABELLED_SHARE = 0.1


def table_names():
    names = classification_names(CLASSIFICATION_DIR)
    if not names:
        raise SystemExit(f"no tables in {CLASSIFICATION_DIR}: set SKAE_CLASSIFICATION_DIR")
    return sorted(names + list(SKLEARN_TABLES))


def load(name):
    """``(X, y)``: zero-variance columns dropped, at most ``MAX_ROWS`` rows (stratified)."""
    if name in SKLEARN_TABLES:
        import sklearn.datasets

        X, y = getattr(sklearn.datasets, f"load_{name}")(return_X_y=True)
    else:
        with np.load(CLASSIFICATION_DIR / f"{name}.npz") as data:
            X, y = data["X"], data["y"]
    X = np.asarray(X, np.float64)
    X = X[:, X.std(axis=0) > 0]
    if len(X) > MAX_ROWS:
        keep, _ = train_test_split(np.arange(len(X)), train_size=MAX_ROWS, random_state=0,
                                   stratify=y)
        X, y = X[np.sort(keep)], y[np.sort(keep)]
    return X, y


def reducers(k, n_classes, weights, umap):
    """``name -> (make, uses_y)``: each reducer of width ``k``."""
    made = {
        "PCA": (lambda: PCA(k), False),
        "skae": (lambda: AutoencoderTransformer(k, random_state=0), False),
    }
    for weight in weights:
        made[f"skae+y {weight}"] = (
            lambda w=weight: AutoencoderTransformer(k, random_state=0, target_weight=w), True)
    made["NCA"] = (lambda: NeighborhoodComponentsAnalysis(k, random_state=0), True)
    made["LDA"] = (lambda: LinearDiscriminantAnalysis(n_components=min(k, n_classes - 1)), True)
    if umap:
        import umap as umap_learn

        made["UMAP+y"] = (lambda: umap_learn.UMAP(n_components=k, random_state=0), True)
    return made


def variance_kept(reducer, X_test, mean):
    """The share of the test rows' variance kept by PCA's, PLS's or skae's reconstructions.

    None for the others: LDA and NCA do not decode, and UMAP's inverse is an
    approximation that takes minutes per fold.
    """
    if not isinstance(reducer, (PCA, PLSRegression, AutoencoderTransformer)):
        return None
    residual = X_test - reducer.inverse_transform(reducer.transform(X_test))
    return 1.0 - float(np.sum(residual ** 2) / np.sum((X_test - mean) ** 2))


def fold_scores(make, uses_y, X_train, y_train, X_test, y_test, fit_rows=None):
    """Accuracy per classifier, variance kept, fit seconds of one reducer on one fold.

    ``fit_rows``: the labelled rows (the others' labels are -1 for a reducer
    that takes them, absent for one that does not); the classifiers train on
    the labelled rows' codes.
    """
    reducer = make()
    y_fit, X_fit = y_train, X_train
    if fit_rows is not None:
        if isinstance(reducer, AutoencoderTransformer):
            y_fit = np.full_like(y_train, -1)
            y_fit[fit_rows] = y_train[fit_rows]
        else:
            X_fit, y_fit = X_train[fit_rows], y_train[fit_rows]
    start = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # UMAP's and NCA's own notices
        reducer.fit(X_fit, y_fit if uses_y else None)
    seconds = time.perf_counter() - start
    rows = slice(None) if fit_rows is None else fit_rows
    codes_train, codes_test = reducer.transform(X_train[rows]), reducer.transform(X_test)
    accuracy = {name: float(np.mean(make_classifier().fit(codes_train, y_train[rows])
                                    .predict(codes_test) == y_test))
                for name, make_classifier in CLASSIFIERS.items()}
    return accuracy, variance_kept(reducer, X_test, X_train.mean(axis=0)), seconds


def run_table(name, weights, umap, semi):
    """Rows ``(table, k, reducer, logistic, 5-NN, variance kept, seconds)`` of one table."""
    X, y = load(name)
    n_classes = len(np.unique(y))
    folds = list(StratifiedKFold(3, shuffle=True, random_state=0).split(X, y))
    rows = []
    for k in sorted({2, max(2, X.shape[1] // 4)}):
        made = reducers(k, n_classes, weights, umap)
        if semi:
            made = {key: made[key] for key in made
                    if key.startswith("skae+y") or key in ("NCA", "LDA")}
        scores = {key: [] for key in made}
        for train, test in folds:
            scaler = StandardScaler().fit(X[train])
            X_train, X_test = scaler.transform(X[train]), scaler.transform(X[test])
            fit_rows = None
            if semi:
                fit_rows, _ = train_test_split(np.arange(len(train)), train_size=LABELLED_SHARE,
                                               random_state=0, stratify=y[train])
            for key, (make, uses_y) in made.items():
                scores[key].append(fold_scores(make, uses_y, X_train, y[train], X_test,
                                               y[test], fit_rows))
        for key, folds_of in scores.items():
            kept = [v for _, v, _ in folds_of if v is not None]
            rows.append([name, k, key,
                         *(statistics.mean(a[c] for a, _, _ in folds_of) for c in CLASSIFIERS),
                         statistics.mean(kept) if kept else None,
                         statistics.median(s for _, _, s in folds_of)])
        print(*(f"{r[0]} k={r[1]} {r[2]}: {r[3]:.3f} {r[4]:.3f}" for r in rows[-len(made):]),
              sep="\n", flush=True)
    return rows


def numeric_reducers(k):
    return {"PCA": lambda: PCA(k), "PLS": lambda: PLSRegression(k),
            "skae+y auto": lambda: AutoencoderTransformer(k, random_state=0,
                                                         target_weight="auto")}


def numeric_target():
    """Rows ``(k, reducer, R², variance kept, seconds)`` on diabetes."""
    from sklearn.datasets import load_diabetes

    X, y = load_diabetes(return_X_y=True)
    rows = []
    for k in sorted({2, max(2, X.shape[1] // 4)}):
        for key, make in numeric_reducers(k).items():
            r2, kept, seconds = [], [], []
            for train, test in KFold(3, shuffle=True, random_state=0).split(X):
                scaler = StandardScaler().fit(X[train])
                X_train, X_test = scaler.transform(X[train]), scaler.transform(X[test])
                reducer = make()
                start = time.perf_counter()
                reducer.fit(X_train, None if key == "PCA" else y[train].astype(np.float64))
                seconds.append(time.perf_counter() - start)
                model = LinearRegression().fit(reducer.transform(X_train), y[train])
                r2.append(model.score(reducer.transform(X_test), y[test]))
                kept.append(variance_kept(reducer, X_test, X_train.mean(axis=0)))
            rows.append([k, key, statistics.mean(r2), statistics.mean(kept),
                         statistics.median(seconds)])
            print(f"diabetes k={k} {key}: R2 {rows[-1][2]:.3f} kept {rows[-1][3]:.3f}")
    return rows


def summary(rows, names, methods):
    """Per method: mean accuracy for each classifier over ``names``' rows, median kept, seconds."""
    out = []
    for method in methods:
        mine = [r for r in rows if r[2] == method and r[0] in names]
        if not mine:
            continue
        kept = [r[5] for r in mine if r[5] is not None]
        out.append([method, statistics.mean(r[3] for r in mine),
                    statistics.mean(r[4] for r in mine),
                    statistics.median(kept) if kept else None,
                    statistics.median(r[6] for r in mine)])
    return out


def quick_start(results):
    """The README's quick start, as it is written there: its two accuracies."""
    from sklearn.datasets import load_digits
    from sklearn.model_selection import cross_val_score
    from sklearn.pipeline import make_pipeline

    X, y = load_digits(return_X_y=True)
    folds = StratifiedKFold(3, shuffle=True, random_state=0)
    for key, reducer in (("pca", PCA(2)), ("mode", AutoencoderTransformer(
            2, target_weight="auto", random_state=0))):
        model = make_pipeline(StandardScaler(), reducer, LogisticRegression(max_iter=3000))
        results.value(f"quick_start_{key}", round(cross_val_score(model, X, y, cv=folds).mean(),
                                                  3), "{:.3f}",
                      "the README's quick start: digits in 2 numbers, 3-fold accuracy")


def headline_values(results, groups, rows, methods):
    """``<group>_<reducer>_logistic`` and ``_knn``: each reducer's mean accuracy per group."""
    for group, members in groups.items():
        for method_row in summary(rows, members, methods):
            key = method_row[0].replace("skae+y auto", "mode").replace("+", "_").replace(" ", "_")
            results.value(f"{group}_{key}_logistic", round(method_row[1], 4), "{:.3f}")
            results.value(f"{group}_{key}_knn", round(method_row[2], 4), "{:.3f}")
            results.value(f"{group}_{key}_fit_s", round(method_row[4], 3), "{:.2f}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tables", default=None, help="comma-separated names (default: all)")
    parser.add_argument("--weights", default="auto",
                        help="comma-separated target_weight values (default: auto)")
    parser.add_argument("--no-umap", action="store_true", help="leave supervised UMAP out")
    parser.add_argument("--no-extras", action="store_true",
                        help="only the full-label comparison (no 10%% labels, no diabetes)")
    parser.add_argument("--name", default="supervised_codes", help="results file's stem")
    args = parser.parse_args()
    weights = [w if w == "auto" else float(w) for w in args.weights.split(",")]
    names = args.tables.split(",") if args.tables else table_names()
    halves = {"A": names[0::2], "B": names[1::2]}

    import keras  # noqa: F401  (started before the first clock)

    rows = [row for name in names for row in run_table(name, weights, not args.no_umap, False)]
    methods = list(dict.fromkeys(r[2] for r in rows))
    results = Results(args.name, __doc__.split("\n\n", 2)[2].split("\n\nThe tables")[0])
    columns = ["table", "k", "reducer", "logistic", "5-NN", "variance kept", "fit s"]
    formats = ["{}", "{}", "{}", "{:.3f}", "{:.3f}", "{:.3f}", "{:.2f}"]
    results.table("cases", "Each table and width: mean accuracy over 3 folds", columns, rows,
                  formats)
    for half, members in {"all": names, **halves}.items():
        results.table(f"summary_{half}",
                      f"Mean over the tables ({half}: {', '.join(members)})",
                      ["reducer", "logistic", "5-NN", "median variance kept",
                       "median fit s"], summary(rows, members, methods),
                      ["{}", "{:.3f}", "{:.3f}", "{:.3f}", "{:.2f}"])
    mode = f"skae+y {weights[0]}"
    pca = {(r[0], r[1]): r for r in rows if r[2] == "PCA"}
    worst = min((r[c] - pca[(r[0], r[1])][c], r[0], r[1]) for r in rows if r[2] == mode
                for c in (3, 4))
    results.value("worst_below_pca", round(worst[0], 4), "{:+.3f}",
                  f"{mode}'s accuracy less PCA's, its worst table, width and classifier "
                  f"({worst[1]}, k={worst[2]})")
    gaps = [r[5] - pca[(r[0], r[1])][5] for r in rows if r[2] == mode]
    results.value("median_kept_less_pca", round(statistics.median(gaps), 4), "{:+.3f}",
                  f"{mode}'s share of the test fold's variance less PCA's, median over cases")
    headline_values(results, {"all": names, **halves}, rows, methods)
    if not args.no_extras:
        semi = [row for name in names for row in run_table(name, weights, False, True)]
        results.table("labelled_tenth", "With 10% of the labels", columns, semi, formats)
        semi_methods = list(dict.fromkeys(r[2] for r in semi))
        results.table("labelled_tenth_summary", "With 10% of the labels: mean over the tables",
                      ["reducer", "logistic", "5-NN", "median variance kept", "median fit s"],
                      summary(semi, names, semi_methods),
                      ["{}", "{:.3f}", "{:.3f}", "{:.3f}", "{:.2f}"])
        headline_values(results, {"tenth": names}, semi, semi_methods)
        quick_start(results)
        results.table("diabetes", "A numeric target: diabetes, R² of a linear regression",
                      ["k", "reducer", "R²", "variance kept", "fit s"], numeric_target(),
                      ["{}", "{}", "{:.3f}", "{:.3f}", "{:.2f}"])
    results.write()


if __name__ == "__main__":
    main()
