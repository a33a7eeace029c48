"""Command line: ``skae compare`` puts PCA and autoencoders side by side.

Run ``skae compare --help`` (or ``python -m skae compare --help``).
"""

import argparse
import csv
import json
import os
import sys
from pathlib import Path

__all__ = ["main"]

#: Default (epochs, batch_size) of the autoencoders on each dataset.
DEFAULT_BUDGET = {"mnist": (50, 256), "digits": (100, 32)}

#: Default code widths on each dataset: a sweep on the digits (the default
#: job, which shows where autoencoders beat PCA and where they do not), the
#: blog's 32 numbers on MNIST.
DEFAULT_WIDTHS = {"digits": [2, 4, 8, 16, 32], "mnist": [32]}

#: Default models on each dataset.
DEFAULT_MODELS_FOR = {"digits": ["pca", "dense", "deep-linear"], "mnist": ["pca", "dense", "deep"]}


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
    from .compare import MODELS

    names = [part.strip() for part in text.split(",") if part.strip()]
    unknown = [n for n in names if n not in MODELS]
    if unknown or not names:
        raise argparse.ArgumentTypeError(
            f"unknown model(s) {', '.join(unknown) or '(none given)'}; "
            f"choose from {', '.join(MODELS)}"
        )
    return names


def build_parser():
    from .compare import MODELS

    parser = argparse.ArgumentParser(
        prog="skae",
        description="Keras autoencoders as scikit-learn transformers, compared with PCA.",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    compare = commands.add_parser(
        "compare",
        help="fit PCA and autoencoders on one dataset and compare them",
        description=(
            "Fit each model on the training split, then report test reconstruction error, "
            "explained variance, the accuracy of a logistic regression on the codes, fit time "
            "and encoding time; write the table (CSV, JSON) and a figure of reconstructions."
        ),
    )
    compare.add_argument("--dataset", choices=["digits", "mnist"], default="digits",
                         help="digits: sklearn's 8x8 digits (ships offline, default); "
                              "mnist: 28x28 MNIST from local files")
    compare.add_argument("--data-dir", type=Path, default=None,
                         help="folder with the MNIST files (default: $SKAE_DATA_DIR, then "
                              "Keras's cache)")
    compare.add_argument("--n-components", type=_int_list, default=None, metavar="K1,K2,...",
                         help="code width(s) of every model (default: 2,4,8,16,32 on digits, "
                              "32 on mnist)")
    compare.add_argument("--models", type=_model_list, default=None,
                         help=f"comma-separated models among {', '.join(MODELS)} "
                              "(default: pca,dense,deep-linear on digits, pca,dense,deep on "
                              "mnist)")
    compare.add_argument("--epochs", type=_positive_int, default=None,
                         help="training epochs of the autoencoders (default: 50 on mnist, "
                              "the blog's budget; 100 on digits, whose 1,438 training "
                              "images give few steps per epoch)")
    compare.add_argument("--batch-size", type=_positive_int, default=None,
                         help="training batch size of the autoencoders (default: 256 on "
                              "mnist, as in the blog; 32 on digits)")
    compare.add_argument("--test-size", type=_fraction, default=0.2,
                         help="fraction of the images held out, taken from the end "
                              "(default: 0.2, i.e. MNIST t10k's first 8,000 / last 2,000)")
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


def _load(args):
    from .datasets import load_digits, load_mnist

    if args.dataset == "digits":
        return load_digits()
    return load_mnist(args.data_dir, subset="all", download=args.download)


def format_table(rows):
    """Render comparison rows as a fixed-width text table."""
    header = ["method", "n_components", "test MSE", "test R2", "accuracy", "fit s", "encode ms/row"]
    lines = [
        [r["method"], str(r["n_components"]), f"{r['test_mse']:.5f}", f"{r['test_r2']:.4f}",
         f"{r['accuracy']:.4f}", f"{r['fit_seconds']:.2f}", f"{r['encode_ms_per_row']:.4f}"]
        for r in rows
    ]
    widths = [max(len(h), *(len(line[i]) for line in lines)) for i, h in enumerate(header)]

    def row(values):
        return "  ".join(v.rjust(w) if i else v.ljust(w)
                         for i, (v, w) in enumerate(zip(values, widths)))

    out = [row(header)]
    out.append("  ".join("-" * w for w in widths))
    for line in lines:
        out.append(row(line))
    return "\n".join(out)


def _run_compare(args):
    from .compare import (
        COLUMNS,
        MODELS,
        compare_models,
        crossover,
        figure_width,
        plot_reconstructions,
        plot_sweep,
    )

    def log(message):
        print(message, file=sys.stderr, flush=True)

    data = _load(args)
    epochs, batch_size = DEFAULT_BUDGET[args.dataset]
    args.epochs = args.epochs or epochs
    args.batch_size = args.batch_size or batch_size
    widths = args.n_components or DEFAULT_WIDTHS[args.dataset]
    models = args.models or DEFAULT_MODELS_FOR[args.dataset]
    X, y = data.data, data.target
    n_test = max(1, int(round(args.test_size * len(X))))
    X_train, y_train, X_test, y_test = X[:-n_test], y[:-n_test], X[-n_test:], y[-n_test:]
    log(f"{args.dataset}: {len(X_train)} training and {len(X_test)} test images of "
        f"{data.image_shape[0]}x{data.image_shape[1]} pixels")

    pca_limit = min(X_train.shape)
    jobs = [(k, name) for k in widths for name in models
            if not (name == "pca" and k > pca_limit)]
    if not jobs:
        log(f"skae compare: error: nothing to fit: PCA can have at most {pca_limit} "
            f"components here, and --n-components asks for {_join(widths)}")
        return 2
    rows, fitted = [], {}
    for i, (k, name) in enumerate(jobs, start=1):
        log(f"[{i}/{len(jobs)}] fitting {name} with n_components={k} ({MODELS[name]})")
        found, estimators = compare_models(
            [name], X_train, y_train, X_test, y_test, n_components=k, epochs=args.epochs,
            batch_size=args.batch_size, random_state=args.seed,
            verbose=1 if args.verbose else 0, image_shape=data.image_shape,
        )
        rows += found
        fitted[name, k] = estimators[name]
    skipped = sorted({k for k in widths if k > pca_limit} if "pca" in models else ())
    if skipped:
        log(f"[pca] no PCA with {_join(skipped)} components: at most {pca_limit}")
    print(format_table(rows))
    sentences = crossover(rows)
    for sentence in sentences:
        print(sentence)

    with open(args.out / "comparison.csv", "w", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=COLUMNS)
        writer.writeheader()
        writer.writerows(rows)
    meta = {"dataset": args.dataset, "n_train": len(X_train), "n_test": len(X_test),
            "epochs": args.epochs, "batch_size": args.batch_size, "seed": args.seed,
            "widths": widths, "models": models}
    with open(args.out / "comparison.json", "w") as fh:
        json.dump({"settings": meta, "results": rows, "crossover": sentences}, fh, indent=2)
    written = ["comparison.csv", "comparison.json"]

    shown = figure_width(rows)
    mse = {(r["method"], r["n_components"]): r["test_mse"] for r in rows}
    at_width = {name: fitted[name, shown] for name in models if (name, shown) in fitted}
    plot_reconstructions(
        at_width, X_test, data.image_shape, args.out / "reconstructions.png",
        labels={name: f"{name}\nMSE {mse[name, shown]:.4f}" for name in at_width},
        title=f"Test images (top) and their reconstructions from {shown} numbers")
    written.append("reconstructions.png")
    if len(widths) > 1:
        curves = {name: [(k, mse[name, k]) for k in widths if (name, k) in mse]
                  for name in models}
        plot_sweep(curves, args.out / "sweep.png")
        written.append("sweep.png")
    log(f"wrote {', '.join(str(args.out / name) for name in written)}")
    return 0


def _join(numbers):
    return ", ".join(str(n) for n in numbers)


def main(argv=None):
    """Entry point of the ``skae`` command; returns the exit status."""
    parser = build_parser()
    args = parser.parse_args(argv)
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")  # the CLI is an application
    if args.command == "compare":
        try:
            _check_writable(args.out)
        except OSError as exc:
            parser.exit(2, f"skae compare: error: {exc}\n")
        from ._backend import start_quietly
        from .datasets import MNISTFormatError, MNISTNotFoundError

        start_quietly()

        try:
            return _run_compare(args)
        except (MNISTNotFoundError, MNISTFormatError) as exc:
            parser.exit(2, f"skae compare: error: {exc}\n")
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
