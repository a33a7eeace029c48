"""The width chosen by a share of the variance: skae's ``n_components=f`` against ``PCA(f)``.

Usage::

    python benchmarks/width.py [--fractions 0.9,0.95,0.99] [--max-rows 10000]
        [--sets iris,cardio,...] [--odds-dir ../shared/data/odds]
        [--adbench-dir ../shared/data/adbench]

On every table present (scikit-learn's bundled tables, the ODDS sets, the
ADBench sets; tables over ``--max-rows`` rows sampled to that many, stratified
on the outlier label): a random 70% / 30% split (``random_state=0``), the
features standardised on the 70%.  For each share ``f`` of ``--fractions``:
``PCA(f)`` and ``AutoencoderTransformer(n_components=f, random_state=0)``
(every other setting at its default) are fitted on the 70%, and each one's
width and share of the held-out variance kept (one minus the residual over the
total sum of squares of the 30%, about the 70%'s mean) are printed side by
side, beside PCA's share at the autoencoder's width (what the nonlinear
network adds at the same numbers) and the share of the held-out sum of squares
in its largest row (where one row carries most of it, a narrower width of
either method can miss that row).  A table meets the target when the
autoencoder keeps at least ``f``
(or, where PCA's width keeps less of the held-out rows, at least PCA's share,
shares within ``SAME_SHARE`` of each other counting as equal: the network
computes in float32) with no more numbers than PCA.  Then the whole fit times (in one process,
after a warm-up fit, so the first call's start-up is not in any of them):
PCA's, skae's with the share (the search), and one plain fit of
``AutoencoderTransformer(n_components=<chosen width>, random_state=0)``, the
fit a user who knew the width would wait for.  Writes
``benchmarks/results/width.json``.

No constant of the search was chosen on these tables: the bound is PCA's own
width for ``f`` (the default network starts as PCA), the search is a plain
bisection, and the threshold is ``f`` itself.
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
from sklearn.model_selection import train_test_split  # noqa: E402
from sklearn.preprocessing import StandardScaler  # noqa: E402

from skae import AutoencoderTransformer  # noqa: E402


def held_out_share(reconstruct, X_train, X_test):
    """One minus the residual over the total sum of squares of ``X_test`` about the training mean."""
    total = float(np.sum((X_test - X_train.mean(axis=0)) ** 2))
    return 1.0 - float(np.sum((X_test - reconstruct(X_test)) ** 2)) / total


def largest_row_share(X_train, X_test):
    """The share of the held-out total sum of squares (about the training mean) in its largest row."""
    totals = np.sum((X_test - X_train.mean(axis=0)) ** 2, axis=1)
    return float(totals.max() / totals.sum())


def timed_fit(model, X):
    start = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        model.fit(X)
    return model, time.perf_counter() - start


def measure(X_train, X_test, fraction):
    """PCA's and skae's widths, held-out shares and fit seconds at one share of the variance."""
    pca, pca_seconds = timed_fit(PCA(n_components=fraction, svd_solver="full"), X_train)
    ae, ae_seconds = timed_fit(AutoencoderTransformer(n_components=fraction, random_state=0),
                               X_train)
    plain, plain_seconds = timed_fit(
        AutoencoderTransformer(n_components=ae.n_components_, random_state=0), X_train)
    same = PCA(n_components=ae.n_components_, svd_solver="full").fit(X_train)
    return {
        "pca_same_width_kept": held_out_share(
            lambda Z: same.inverse_transform(same.transform(Z)), X_train, X_test),
        "pca_width": int(pca.n_components_),
        "pca_kept": held_out_share(lambda Z: pca.inverse_transform(pca.transform(Z)),
                                   X_train, X_test),
        "ae_width": int(ae.n_components_),
        "ae_kept": held_out_share(lambda Z: ae.inverse_transform(ae.transform(Z)),
                                  X_train, X_test),
        "ae_fits": len(ae.width_search_["n_components"]),
        "pca_seconds": pca_seconds, "ae_seconds": ae_seconds, "plain_seconds": plain_seconds,
    }


#: Shares closer than this are equal: skae's reconstructions are float32 (a
#: unit in the last place is 1.2e-7 of a value), PCA's float64, so at PCA's
#: width the untrained network keeps PCA's share give or take its rounding.
SAME_SHARE = 1e-6


def meets(row, fraction):
    return (row["ae_kept"] >= min(fraction, row["pca_kept"]) - SAME_SHARE
            and row["ae_width"] <= row["pca_width"])


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--fractions", default="0.9,0.95,0.99")
    parser.add_argument("--max-rows", type=int, default=10000)
    parser.add_argument("--sets", default="", help="comma-separated table names (default: all)")
    parser.add_argument("--odds-dir", default=DEFAULT_ODDS_DIR)
    parser.add_argument("--adbench-dir", default=DEFAULT_ADBENCH_DIR)
    args = parser.parse_args()
    fractions = [float(f) for f in args.fractions.split(",")]
    tables = table_names(args.odds_dir, args.adbench_dir)
    if args.sets:
        wanted = args.sets.split(",")
        tables = [t for t in tables if t[1] in wanted]

    # Keras starts before the first clock
    AutoencoderTransformer(2, epochs=1).fit(np.random.RandomState(0).rand(64, 4))

    rows = {f: [] for f in fractions}
    sampled = []
    for source, name in tables:
        X, _, n_rows = load(source, name, odds_dir=args.odds_dir, adbench_dir=args.adbench_dir,
                            max_rows=args.max_rows)
        if len(X) < n_rows:
            sampled.append(f"{name} ({n_rows:,} rows)")
        X_train, X_test = train_test_split(X, test_size=0.3, random_state=0)
        scaler = StandardScaler().fit(X_train)
        X_train, X_test = scaler.transform(X_train), scaler.transform(X_test)
        for fraction in fractions:
            row = measure(X_train, X_test, fraction)
            row.update(table=name, source=source, rows=len(X), features=X.shape[1],
                       largest_row=largest_row_share(X_train, X_test))
            rows[fraction].append(row)
            print(f"{name} f={fraction}: PCA {row['pca_width']} ({row['pca_kept']:.3f}), skae "
                  f"{row['ae_width']} ({row['ae_kept']:.3f}; PCA {row['pca_same_width_kept']:.3f} at "
                  f"that width), {row['ae_fits']} widths tried, "
                  f"{row['ae_seconds']:.1f} s (plain {row['plain_seconds']:.1f} s)", flush=True)

    results = Results("width", f"""
        On each table ({len(tables)}: scikit-learn's bundled tables, the ODDS sets and the ADBench
        sets{'; sampled to ' + format(args.max_rows, ',') + ' rows: ' + ', '.join(sampled)
                if sampled else ''}), a 70%/30% split (random_state=0), features standardised on
        the 70%: PCA(f) and AutoencoderTransformer(n_components=f, random_state=0) fitted on the
        70%, each one's width and share of the held-out 30%'s variance kept (about the 70%'s
        mean), PCA's share at skae's width, and the largest held-out row's share of the held-out
        sum of squares.  A table meets the target when skae keeps at least f, or at least PCA's share
        where PCA keeps less (shares within 1e-6, float32's rounding, count as equal), with no
        more numbers than PCA.  Fit seconds in one process after
        a warm-up fit: PCA's, skae's search, and one plain fit at the width it chose.""")
    summary = []
    for fraction in fractions:
        level = rows[fraction]
        ratios = [r["ae_width"] / r["pca_width"] for r in level]
        met = [meets(r, fraction) for r in level]
        key = f"{round(fraction * 100)}"
        results.table(
            f"tables_{key}", f"Keeping {fraction:.0%} of the held-out variance",
            ["table", "rows", "features", "PCA numbers", "PCA kept", "skae numbers", "skae kept",
             "PCA kept at skae's numbers", "numbers, skae / PCA", "widths tried",
             "largest held-out row's share", "target met"],
            [[r["table"], r["rows"], r["features"], r["pca_width"], r["pca_kept"],
              r["ae_width"], r["ae_kept"], r["pca_same_width_kept"], ratio, r["ae_fits"],
              r["largest_row"], "yes" if ok else "no"]
             for r, ratio, ok in zip(level, ratios, met)],
            ["{}", "{:,}", "{}", "{}", "{:.3f}", "{}", "{:.3f}", "{:.3f}", "{:.2f}x", "{}",
             "{:.3f}", "{}"])
        search_cost = [r["ae_seconds"] / r["plain_seconds"] for r in level]
        summary.append([f"{fraction:.0%}", statistics.median(ratios), f"{sum(met)} of {len(met)}",
                        statistics.median(r["pca_seconds"] for r in level),
                        statistics.median(r["ae_seconds"] for r in level),
                        statistics.median(r["plain_seconds"] for r in level),
                        statistics.median(search_cost)])
        results.value(f"median_numbers_ratio_{key}", statistics.median(ratios), "{:.2f}x",
                      f"median over the tables of skae's numbers over PCA's, keeping {fraction:.0%}")
        results.value(f"tables_met_{key}", sum(met), "{}",
                      f"tables (of {len(met)}) where skae meets the target at {fraction:.0%}")
        results.value(f"tables_{key}", len(met), "{}", "tables measured")
        results.value(f"median_search_cost_{key}", statistics.median(search_cost), "{:.1f}x",
                      f"median over the tables of the search's fit time over a plain fit at the "
                      f"chosen width, keeping {fraction:.0%}")
    results.table(
        "summary", "Over all tables",
        ["share kept", "median numbers, skae / PCA", "target met", "PCA fit (s, median)",
         "skae search (s, median)", "plain fit at that width (s, median)",
         "search / plain fit (median)"],
        summary, ["{}", "{:.2f}x", "{}", "{:.3f}", "{:.1f}", "{:.1f}", "{:.1f}x"])
    results.write()


if __name__ == "__main__":
    main()
