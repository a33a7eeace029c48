"""Explored, not shipped: the narrowest width the held-out rows themselves would choose.

Usage::

    python benchmarks/width_oracle.py [--fractions 0.9,0.95,0.99] [--max-rows 10000]
        [--keep-trained] [--seeds 1] [--sets iris,cardio,...] [--odds-dir ../shared/data/odds]
        [--adbench-dir ../shared/data/adbench]

``benchmarks/width.py`` measures ``AutoencoderTransformer(f)``, whose search
chooses the width on rows of the training split.  This script asks how far
any such rule could go with the default network: on the same tables, split
and standardisation, it bisects between 1 and ``PCA(f)``'s width for the
narrowest ``AutoencoderTransformer(w, random_state=0)`` (a plain fit on the
70%, every other setting at its default) that keeps the target share of the
*held-out* 30%'s variance, the very rows the target is judged on: ``f``, or
PCA's share where PCA keeps less (within ``SAME_SHARE``).  No rule that
chooses on the training rows can see those rows, so (the bisection taking
the share to grow with the width) the oracle's numbers over PCA's bound what
a rule can reach with this network and one training run per width (another
run can keep more or less; see ``--seeds``).  Each width's fits are made once
per table and reused across the shares.  Writes ``benchmarks/results/width_oracle.json``.

``--keep-trained`` asks whether the estimator's rule of keeping PCA's start
unless the validation rows confirm the trained network caps that bound: each
fit keeps its trained network, confirmed or not (the rule's method
overridden in a subclass, everything else unchanged).  Writes
``benchmarks/results/width_oracle_trained.json``.

``--seeds n`` asks how much one training run per width decides: each width's
share is the best of ``n`` plain fits (``random_state`` 0 to ``n - 1``), a
bound on a rule that may draw up to ``n`` training runs per width.  Writes
``benchmarks/results/width_oracle_best_of_<n>.json``.
"""

import argparse
import os
import statistics
import warnings

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

from _common import Results  # noqa: E402
from _real_tables import DEFAULT_ADBENCH_DIR, DEFAULT_ODDS_DIR, load, table_names  # noqa: E402
from sklearn.decomposition import PCA  # noqa: E402
from sklearn.model_selection import train_test_split  # noqa: E402
from sklearn.preprocessing import StandardScaler  # noqa: E402
from width import SAME_SHARE, held_out_share  # noqa: E402

from skae import AutoencoderTransformer  # noqa: E402


class KeepTrained(AutoencoderTransformer):
    """The default estimator with its keep-the-start rule off: the trained network is kept."""

    def _keep_start_unless_beaten(self, X, X_validation, start_errors):
        return self._row_errors(X_validation)


def oracle_width(kept_at, upper, target):
    """The narrowest width in ``[1, upper]`` whose held-out share reaches ``target``, by bisection.

    ``upper`` is returned where none does (PCA's width: the width ``PCA(f)``
    itself needs).
    """
    low, high = 1, upper
    while low < high:
        middle = (low + high) // 2
        if kept_at(middle) >= target - SAME_SHARE:
            high = middle
        else:
            low = middle + 1
    return low


def measure(X_train, X_test, fractions, estimator=AutoencoderTransformer, seeds=1):
    """``(fraction, row)`` for each share: PCA's width and share, the oracle's width and share."""
    shares = {}  # width -> the best held-out share of `seeds` plain fits at that width

    def reconstructed_share(model):
        return held_out_share(lambda Z: model.inverse_transform(model.transform(Z)),
                              X_train, X_test)

    def kept_at(width):
        if width not in shares:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", UserWarning)
                shares[width] = max(
                    reconstructed_share(estimator(n_components=width, random_state=seed)
                                        .fit(X_train))
                    for seed in range(seeds))
        return shares[width]

    for fraction in fractions:
        pca = PCA(n_components=fraction, svd_solver="full").fit(X_train)
        pca_kept = reconstructed_share(pca)
        target = min(fraction, pca_kept)
        width = oracle_width(kept_at, int(pca.n_components_), target)
        yield fraction, dict(pca_width=int(pca.n_components_), pca_kept=pca_kept, width=width,
                             kept=kept_at(width), met=kept_at(width) >= target - SAME_SHARE)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--fractions", default="0.9,0.95,0.99")
    parser.add_argument("--max-rows", type=int, default=10000)
    parser.add_argument("--keep-trained", action="store_true",
                        help="keep each fit's trained network even where its validation rows "
                             "do not confirm it")
    parser.add_argument("--seeds", type=int, default=1,
                        help="the best of this many training runs per width")
    parser.add_argument("--sets", default="", help="comma-separated table names (default: all)")
    parser.add_argument("--odds-dir", default=DEFAULT_ODDS_DIR)
    parser.add_argument("--adbench-dir", default=DEFAULT_ADBENCH_DIR)
    args = parser.parse_args()
    fractions = [float(f) for f in args.fractions.split(",")]
    tables = table_names(args.odds_dir, args.adbench_dir)
    if args.sets:
        wanted = args.sets.split(",")
        tables = [t for t in tables if t[1] in wanted]

    rows = {f: [] for f in fractions}
    sampled = []
    estimator = KeepTrained if args.keep_trained else AutoencoderTransformer
    for source, name in tables:
        X, _, n_rows = load(source, name, odds_dir=args.odds_dir, adbench_dir=args.adbench_dir,
                            max_rows=args.max_rows)
        if len(X) < n_rows:
            sampled.append(f"{name} ({n_rows:,} rows)")
        X_train, X_test = train_test_split(X, test_size=0.3, random_state=0)
        scaler = StandardScaler().fit(X_train)
        X_train, X_test = scaler.transform(X_train), scaler.transform(X_test)
        for fraction, row in measure(X_train, X_test, fractions, estimator, args.seeds):
            row.update(table=name, rows=len(X), features=X.shape[1])
            rows[fraction].append(row)
            print(f"{name} f={fraction}: PCA {row['pca_width']} ({row['pca_kept']:.3f}), oracle "
                  f"{row['width']} ({row['kept']:.3f})", flush=True)

    rule = ("; here every fit keeps its trained network (the rule of keeping PCA's start "
            "unless the validation rows confirm the training is off)" if args.keep_trained
            else "")
    if args.seeds > 1:
        rule += (f"; each width's share is the best of {args.seeds} such fits "
                 f"(random_state 0 to {args.seeds - 1})")
    name = ("width_oracle" + ("_trained" if args.keep_trained else "")
            + (f"_best_of_{args.seeds}" if args.seeds > 1 else ""))
    results = Results(name, f"""
        On each table ({len(tables)}: scikit-learn's bundled tables, the ODDS sets and the ADBench
        sets{'; sampled to ' + format(args.max_rows, ',') + ' rows: ' + ', '.join(sampled)
                if sampled else ''}), the split and standardisation of benchmarks/width.py: the
        narrowest AutoencoderTransformer(w, random_state=0), a plain fit on the 70%, that keeps
        f of the held-out 30%'s variance (or PCA(f)'s share where it keeps less), found by
        bisection between 1 and PCA(f)'s width with the held-out rows themselves as the judge:
        a bound on what a rule choosing on the training rows can reach with this network{rule}.""")
    summary = []
    for fraction in fractions:
        level = rows[fraction]
        ratios = [r["width"] / r["pca_width"] for r in level]
        key = f"{round(fraction * 100)}"
        results.table(
            f"tables_{key}", f"The oracle's width for {fraction:.0%} of the held-out variance",
            ["table", "rows", "features", "PCA numbers", "PCA kept", "oracle numbers",
             "oracle kept", "numbers, oracle / PCA", "share reached"],
            [[r["table"], r["rows"], r["features"], r["pca_width"], r["pca_kept"], r["width"],
              r["kept"], ratio, "yes" if r["met"] else "no"] for r, ratio in zip(level, ratios)],
            ["{}", "{:,}", "{}", "{}", "{:.3f}", "{}", "{:.3f}", "{:.2f}x", "{}"])
        below = sum(ratio <= 0.8 for ratio in ratios)
        summary.append([f"{fraction:.0%}", statistics.median(ratios), below, len(ratios)])
        results.value(f"median_numbers_ratio_{key}", statistics.median(ratios), "{:.2f}x",
                      f"median over the tables of the oracle's numbers over PCA's, keeping "
                      f"{fraction:.0%}")
        results.value(f"tables_at_most_08_{key}", below, "{}",
                      f"tables where the oracle needs at most 0.8x PCA's numbers, keeping "
                      f"{fraction:.0%}")
    results.table(
        "summary", "The held-out rows' own choice, over all tables",
        ["share kept", "median numbers, oracle / PCA", "tables at 0.8x or fewer", "tables"],
        summary, ["{}", "{:.2f}x", "{}", "{}"])
    results.write()


if __name__ == "__main__":
    main()
