"""Command line: ``skae compare`` puts PCA and autoencoders side by side.

Run ``skae compare --help`` (or ``python -m skae compare --help``).  This
module reads the arguments, reports progress and writes the outputs; what
runs on which data is the comparison job's (``skae._compare``: its models,
measuring, data-set registry, sentences and figures).
"""

import argparse
import csv
import json
import sys
from pathlib import Path

from ._backend import start_keras

__all__ = ["main"]

#: Fewer rows than this are refused: a test split and a validation share
#: need a few rows each.
MIN_ROWS = 20

#: Relative cost of a PCA fit against an autoencoder's, for the estimated time left.
_PCA_COST = 0.02


def _checked(convert, text, **bounds):
    """``text`` converted and checked by scikit-learn's ``check_scalar``, for argparse."""
    from sklearn.utils import check_scalar

    try:
        return check_scalar(convert(text), "value", convert, **bounds)
    except (TypeError, ValueError):
        kind = "a positive integer" if convert is int else "a number in (0, 1)"
        raise argparse.ArgumentTypeError(f"expected {kind}, got {text!r}") from None


def _positive_int(text):
    return _checked(int, text, min_val=1)


def _fraction(text):
    return _checked(float, text, min_val=0.0, max_val=1.0, include_boundaries="neither")


def _int_list(text):
    return [_positive_int(part) for part in text.split(",") if part.strip()]


def _model_list(text):
    from ._compare.models import MODELS

    names = [part.strip() for part in text.split(",") if part.strip()]
    unknown = [n for n in names if n not in MODELS]
    if unknown or not names:
        raise argparse.ArgumentTypeError(
            f"unknown model(s) {', '.join(unknown) or '(none given)'}; "
            f"choose from {', '.join(MODELS)}"
        )
    return names


def build_parser():
    from ._compare.measure import SCALERS
    from ._compare.models import DEFAULT_MODELS, MODELS
    from ._compare.registry import DATASETS

    parser = argparse.ArgumentParser(
        prog="skae",
        description="Keras autoencoders as scikit-learn transformers, compared with PCA.",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    compare = commands.add_parser(
        "compare",
        help="fit PCA and autoencoders on one dataset and compare them",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        description=(
            "Fit each model on the training split, then report test reconstruction error, "
            "explained variance, the accuracy of a logistic regression on the codes (with "
            "labels), fit time and encoding time; write the table (CSV, JSON) and figures.\n\n"
            "datasets:\n" + "\n".join(f"  {name:14s} {text}"
                                      for name, (text, _) in DATASETS.items())
        ),
    )
    source = compare.add_mutually_exclusive_group()
    source.add_argument("--dataset", choices=list(DATASETS), default=None,
                        help="a dataset by name (default: digits; see the list above)")
    source.add_argument("--data", type=Path, default=None, metavar="PATH",
                        help="your own table: .csv or .tsv (with a header row), .parquet, .npy, "
                             ".npz (X, optionally y) or MATLAB .mat (X and y, as ODDS)")
    compare.add_argument("--target", default=None, metavar="COLUMN",
                         help="with --data: the column holding the labels (a name, or a 0-based "
                              "position), for the accuracy column; a .npz/.mat file's y by "
                              "default; without labels the column is left out. With a target, "
                              "the default models add skae's supervised mode and, for class "
                              "labels, LDA and NCA")
    compare.add_argument("--drop-constant", action="store_true",
                         help="with --data: leave constant columns out (without it a table with "
                              "one is refused)")
    compare.add_argument("--scale", choices=["auto", *SCALERS], default="auto",
                         help="scaler at the start of each model's pipeline, fitted on the "
                              "training rows; errors are measured after it (default: auto, "
                              "none for data in [0, 1], standard otherwise)")
    compare.add_argument("--data-dir", type=Path, default=None,
                         help="folder with the MNIST files (default: $SKAE_DATA_DIR, then "
                              "Keras's cache)")
    compare.add_argument("--n-components", type=_int_list, default=None, metavar="K1,K2,...",
                         help="code width(s) of every model (default: 2,4,8,16,32 on digits, "
                              "32 on mnist, powers of two up to half the features on a table)")
    compare.add_argument("--models", type=_model_list, default=None,
                         help=f"comma-separated models among {', '.join(MODELS)} "
                              f"(default: {','.join(DEFAULT_MODELS)})")
    compare.add_argument("--epochs", type=_positive_int, default=None,
                         help="training epochs of every autoencoder (default: each its own; "
                              "the blog's kinds train 100 on digits, 50 on mnist)")
    compare.add_argument("--batch-size", type=_positive_int, default=None,
                         help="training batch size of every autoencoder (default: each its "
                              "own; the blog's kinds 32 on digits, 256 on mnist)")
    compare.add_argument("--test-size", type=_fraction, default=0.2,
                         help="fraction of the rows held out: the last ones for images (MNIST "
                              "t10k's first 8,000 / last 2,000), at random for tables, "
                              "stratified by class (default: 0.2)")
    compare.add_argument("--seed", type=int, default=0, help="random seed (default: 0)")
    compare.add_argument("--sweep", type=_int_list, dest="n_components", metavar="K1,K2,...",
                         help="the same as --n-components (kept from skae 0.1)")
    compare.add_argument("--download", action="store_true",
                         help="with --dataset mnist: download MNIST through Keras when no "
                              "local copy is found (needs network access)")
    compare.add_argument("--out", type=Path, default=Path("skae-output"),
                         help="folder for the table and figures (default: ./skae-output)")
    compare.add_argument("--verbose", action="store_true",
                         help="show Keras's progress bar while training")
    return parser


def _check_writable(folder):
    try:
        folder.mkdir(parents=True, exist_ok=True)
        probe = folder / ".skae-write-test"
        probe.write_text("ok")
        probe.unlink()
    except OSError as exc:
        raise OSError(f"cannot write to --out {folder}: {exc.strerror or exc}") from exc


class _UsageError(Exception):
    """A problem with the data or the arguments: printed, exit status 2."""


def _load(args):
    """The ``Dataset`` (``skae._compare.registry``) the arguments name."""
    from ._compare.registry import DATASETS, dataset_from_file

    if args.target is not None and args.data is None:
        raise _UsageError("--target needs --data (a file of yours)")
    if args.data is not None:
        dataset = dataset_from_file(args.data, target=args.target,
                                    drop_constant=args.drop_constant)
    else:
        dataset = DATASETS[args.dataset or "digits"][1](data_dir=args.data_dir,
                                                        download=args.download)
    if len(dataset.X) < MIN_ROWS:
        raise _UsageError(f"{dataset.name} has {len(dataset.X)} rows; skae compare needs at "
                          f"least {MIN_ROWS} (a test split and a validation share)")
    return dataset


def format_table(rows):
    """Render comparison rows as a fixed-width text table."""
    columns = [("method", "method", str), ("n_components", "n_components", str),
               ("test_mse", "test MSE", "{:.5f}".format), ("test_r2", "test R2", "{:.4f}".format),
               ("accuracy", "accuracy", "{:.4f}".format),
               ("target_r2", "target R2", "{:.4f}".format),
               ("fit_seconds", "fit s", "{:.2f}".format),
               ("encode_ms_per_row", "encode ms/row", "{:.4f}".format)]
    columns = [c for c in columns if any(c[0] in r for r in rows)]
    header = [title for _, title, _ in columns]
    lines = [[fmt(r[key]) if key in r else "" for key, _, fmt in columns] for r in rows]
    widths = [max(len(h), *(len(line[i]) for line in lines)) for i, h in enumerate(header)]

    def row(values):
        return "  ".join(v.rjust(w) if i else v.ljust(w)
                         for i, (v, w) in enumerate(zip(values, widths)))

    out = [row(header)]
    out.append("  ".join("-" * w for w in widths))
    for line in lines:
        out.append(row(line))
    return "\n".join(out)


class _Progress:
    """The job's progress: a bar with the estimated time left on a terminal, plain lines otherwise.

    The bar is tqdm's; the estimate weighs each fit by its expected cost (a
    PCA fit a small fraction of an autoencoder's).
    """

    def __init__(self, jobs, *, bar):
        self.jobs = jobs
        self.bar = None
        if bar:
            from tqdm import tqdm

            total = sum(self._cost(name) for _, name in jobs)
            self.bar = tqdm(total=total, file=sys.stderr, unit="fit", dynamic_ncols=True,
                            bar_format="{desc}: {percentage:3.0f}%|{bar}| "
                                       "[{elapsed}<{remaining}]")

    @staticmethod
    def _cost(name):
        return _PCA_COST if name == "pca" else 1.0

    def start(self, i, message, short):
        """Fit ``i`` begins: ``message`` as a line of its own, ``short`` beside the bar."""
        if self.bar is None:
            log(f"[{i}/{len(self.jobs)}] {message}")
        else:
            self.bar.set_description_str(f"[{i}/{len(self.jobs)}] {short}", refresh=True)

    def done(self, name):
        if self.bar is not None:
            self.bar.update(self._cost(name))

    def close(self):
        if self.bar is not None:
            self.bar.close()


def log(message):
    print(message, file=sys.stderr, flush=True)


def _run_compare(args, dataset):
    from ._compare.models import Budget
    from ._compare.sentences import listed

    scale = _scale(args, dataset)
    split = dataset.split_rows(args.test_size, args.seed)
    widths = args.n_components or list(dataset.widths)
    models = args.models or _default_models(dataset, split, own=args.data is not None)
    unfit = _needs_another_target(models, split.target_kind)
    if unfit:
        log(f"skae compare: error: {unfit}")
        return 2
    budget = Budget(epochs=args.epochs, batch_size=args.batch_size, fixed=dataset.fixed_training,
                    random_state=args.seed, verbose=1 if args.verbose else 0)
    _log_data(dataset, split)
    pca_limit = min(split.X_train.shape)
    jobs = [(k, name) for k in widths for name in models
            if not (name == "pca" and k > pca_limit)]
    if not jobs:
        log(f"skae compare: error: nothing to fit: PCA can have at most {pca_limit} "
            f"components here, and --n-components asks for {listed(widths)}")
        return 2
    rows, fitted = _fit_all(jobs, split, budget, scale, bar=not args.verbose)
    skipped = sorted({k for k in widths if k > pca_limit} if "pca" in models else ())
    if skipped:
        log(f"[pca] no PCA with {listed(skipped)} components: at most {pca_limit}")
    print(format_table(rows))
    decoded = [r for r in rows if "test_mse" in r]  # LDA and NCA do not decode
    summary = _summary(decoded, what="test images" if dataset.image_shape else "test rows")
    for sentence in summary["crossover"] + summary["numbers_needed_sentences"]:
        print(sentence)

    _remove_earlier_outputs(args.out)
    _write_results(args, dataset, split, rows, summary,
                   {"scale": scale, "widths": widths, "models": models})
    written = ["comparison.csv", "comparison.json"]
    written += _draw(args, dataset, split, decoded, fitted, scale)
    log(f"wrote {', '.join(str(args.out / name) for name in written)}")
    return 0


def _scale(args, dataset):
    """The scaling the run uses (``--scale``, or the data set's), logged with its reason."""
    for note in dataset.notes:
        log(f"{dataset.name}: {note}")
    scale = dataset.scale if args.scale == "auto" else args.scale
    if args.scale == "auto" and dataset.image_shape is None:
        reason = "the features lie in [0, 1]" if scale == "none" else \
            "the features are not all in [0, 1]"
        log(f"scaling: {scale} ({reason}; --scale standard|minmax|none to change)")
    return scale


def _log_data(dataset, split):
    images = dataset.image_shape is not None
    shape = (f"images of {dataset.image_shape[0]}x{dataset.image_shape[1]} pixels" if images
             else f"rows of {split.X_train.shape[1]} features")
    log(f"{dataset.name}: {len(split.X_train)} training and {len(split.X_test)} test {shape}"
        + ("" if split.target_kind else "; no labels, so no accuracy column"))


def _fit_all(jobs, split, budget, scale, *, bar):
    """Fit each ``(width, model)`` of ``jobs``: the results' rows, and the fitted estimators."""
    from ._compare.measure import compare_models
    from ._compare.models import MODELS

    rows, fitted = [], {}
    progress = _Progress(jobs, bar=sys.stderr.isatty() and bar)
    try:
        for i, (k, name) in enumerate(jobs, start=1):
            progress.start(i, f"fitting {name} with n_components={k} ({MODELS[name]})",
                           f"fitting {name}, {k} numbers")
            found, estimators = compare_models([name], split, n_components=k, budget=budget,
                                               scale=scale)
            rows += found
            fitted[name, k] = estimators[name]
            progress.done(name)
    finally:
        progress.close()
    return rows, fitted


def _summary(decoded, *, what):
    """The sentences under the table: where the methods cross, and the numbers each needs."""
    from ._compare.measure import widths_needed
    from ._compare.sentences import crossover, numbers_needed

    needed = widths_needed(decoded)
    return {"crossover": crossover(decoded, what=what),
            "numbers_needed": {name: {f"{level:g}": width for level, width in by.items()}
                               for name, by in needed.items()},
            "numbers_needed_sentences": numbers_needed(
                needed, sorted({r["n_components"] for r in decoded}))}


def _write_results(args, dataset, split, rows, summary, settings):
    """``comparison.csv`` (the table) and ``comparison.json`` (settings, table, sentences)."""
    from ._compare.measure import COLUMNS

    columns = [c for c in COLUMNS if any(c in r for r in rows)]
    with open(args.out / "comparison.csv", "w", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=columns)
        writer.writeheader()
        writer.writerows(rows)
    meta = {"dataset": dataset.name, "n_train": len(split.X_train), "n_test": len(split.X_test),
            "n_features": int(split.X_train.shape[1]), "scale": settings["scale"],
            "epochs": args.epochs, "batch_size": args.batch_size,
            "fixed_budget": dataset.fixed_training, "seed": args.seed,
            "widths": settings["widths"], "models": settings["models"],
            "notes": list(dataset.notes)}
    with open(args.out / "comparison.json", "w") as fh:
        json.dump({"settings": meta, "results": rows, **summary}, fh, indent=2)


def _default_models(dataset, split, *, own):
    """The dataset's models; on the user's ``own`` file with a target, those that learn it too."""
    from ._compare.models import CLASS_REDUCERS

    models = list(dataset.models)
    if own and split.target_kind is not None:
        models.append("supervised")
        if split.target_kind == "classes":
            models += CLASS_REDUCERS
    return models


def _needs_another_target(models, kind):
    """Why ``models`` cannot run on a target of ``kind`` (None: they can)."""
    from ._compare.models import CLASS_REDUCERS, USE_TARGET

    wanting = [name for name in models if name in USE_TARGET]
    if wanting and kind is None:
        return (f"{', '.join(wanting)} learn from labels, and this data set has none: "
                "pass --target COLUMN with --data, or leave them out of --models")
    classes_only = [name for name in models if name in CLASS_REDUCERS]
    if classes_only and kind != "classes":
        return (f"{', '.join(classes_only)} need class labels, and --target holds a numeric "
                "target: leave them out of --models")
    return None


def _draw(args, dataset, split, rows, fitted, scale):
    """The figures of the models that decode (``rows``), and the codes' figure; their names."""
    from ._compare.figures import (
        plot_codes,
        plot_feature_errors,
        plot_reconstructions,
        plot_sweep,
        plot_variance_kept,
    )
    from ._compare.measure import VARIANCE_LEVELS, feature_errors
    from ._compare.models import legend_name
    from ._compare.sentences import figure_width

    written = []
    models = list(dict.fromkeys(r["method"] for r in rows))
    widths = sorted({r["n_components"] for r in rows})
    images = dataset.image_shape is not None
    shown = figure_width(rows)
    mse = {(r["method"], r["n_components"]): r["test_mse"] for r in rows}
    at_width = {name: fitted[name, shown] for name in models if (name, shown) in fitted}
    if images:
        plot_reconstructions(
            at_width, split.X_test, dataset.image_shape, args.out / "reconstructions.png",
            labels={name: f"{legend_name(name)}\nMSE {mse[name, shown]:.4f}" for name in at_width},
            title=f"{dataset.name}: test images (top) and their reconstructions from {shown} "
                  "numbers")
        written.append("reconstructions.png")
    else:
        errors = {name: feature_errors(model, split.X_test) for name, model in at_width.items()}
        _write_feature_errors(args.out / "feature_errors.csv", errors, split.feature_names)
        plot_feature_errors(
            {legend_name(name): e for name, e in errors.items()}, split.feature_names,
            args.out / "feature_errors.png",
            title=f"{dataset.name}: test error per feature with {shown} numbers"
                  f"{'' if scale == 'none' else f', {scale}-scaled'}")
        written += ["feature_errors.csv", "feature_errors.png"]
    if len(widths) > 1:
        curves = {legend_name(name): [(k, mse[name, k]) for k in widths if (name, k) in mse]
                  for name in models}
        plot_sweep(curves, args.out / "sweep.png",
                   title=f"{dataset.name}: test reconstruction error against the code width")
        kept = {legend_name(name): [(r["n_components"], r["test_r2"]) for r in rows
                                    if r["method"] == name] for name in models}
        plot_variance_kept(kept, VARIANCE_LEVELS, args.out / "variance.png",
                           title=f"{dataset.name}: how many numbers each method needs")
        written += ["sweep.png", "variance.png"]
    two = {legend_name(name): model.transform(split.X_test)
           for (name, k), model in fitted.items() if k == 2}
    if split.target_kind == "classes" and two:
        plot_codes(two, split.y_test, args.out / "codes.png",
                   title=f"{dataset.name}: the {len(split.X_test)} test rows in 2 numbers, "
                         "coloured by class")
        written.append("codes.png")
    return written


#: Every file ``skae compare`` may write into ``--out``.
OUTPUT_FILES = ("comparison.csv", "comparison.json", "reconstructions.png", "feature_errors.csv",
                "feature_errors.png", "sweep.png", "variance.png", "codes.png")


def _remove_earlier_outputs(folder):
    """Remove what an earlier run wrote into ``folder`` (only :data:`OUTPUT_FILES`).

    So that a figure of another data set or width never stays beside this
    run's results; no other file is touched.
    """
    for name in OUTPUT_FILES:
        (folder / name).unlink(missing_ok=True)


def _write_feature_errors(path, errors, feature_names):
    with open(path, "w", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["feature", *errors])
        for j, feature in enumerate(feature_names):
            writer.writerow([feature, *(f"{errors[name][j]:.6g}" for name in errors)])


def main(argv=None):
    """Entry point of the ``skae`` command; returns the exit status."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command == "compare":
        try:
            _check_writable(args.out)
        except OSError as exc:
            parser.exit(2, f"skae compare: error: {exc}\n")
        from .datasets import MNISTFormatError, MNISTNotFoundError, TableError

        try:
            dataset = _load(args)  # before Keras starts: a bad file fails at once
        except (MNISTNotFoundError, MNISTFormatError, TableError, FileNotFoundError,
                _UsageError) as exc:
            parser.exit(2, f"skae compare: error: {exc}\n")
        start_keras()  # TensorFlow's start-up lines kept quiet (see start_keras)
        return _run_compare(args, dataset)
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
