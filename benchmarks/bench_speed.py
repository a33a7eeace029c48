"""Speed of skae against the Keras blog's plain code, MLPRegressor and PCA.

Usage::

    python benchmarks/bench_speed.py [--data-dir ../shared/data/mnist] [--epochs 10] [--repeats 3]

Everything is measured in this one run, on the same data (MNIST: the first
8,000 t10k images; the digits when MNIST is absent) and the same 784-32-784
network, and reported as ratios:

* fit: seconds per epoch after the first (compilation) epoch, and in total,
  for skae, the blog's plain Keras code (``model.fit(x, x, batch_size=256,
  shuffle=True)``) and scikit-learn's MLPRegressor (784-32-784, adam, batch
  256; squared loss, in the data's float32), plus the final training loss of each; skae
  and the blog code run ``--repeats`` seeds each, alternately (medians of
  times, mean of losses); MLPRegressor's epochs are not timed one by one,
  so it is compared with skae by whole fits;
* transform: one-row latency (median of many calls) and 10,000-row time of
  skae's ``transform``/``inverse_transform`` against PCA and Keras
  ``predict``/direct calls of the same encoder;
* tiny fits (20 rows x 5 features, batch 16): a new estimator's whole ``fit``
  with 4 training steps (run eagerly) and with 20 steps (compiled), the cost
  that dominates scikit-learn's estimator checks and searches on small data.

Writes ``benchmarks/results/bench_speed-<backend>.json``.
"""

import argparse
import os
import statistics
import sys
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np  # noqa: E402
from _common import (  # noqa: E402
    DEFAULT_DATA_DIR,
    Results,
    blog_autoencoder,
    fit_mlp,
    median_seconds,
)

from skae import AutoencoderTransformer  # noqa: E402
from skae.datasets import MNISTNotFoundError, load_digits, load_mnist  # noqa: E402


def load(data_dir):
    try:
        X = load_mnist(data_dir, subset="test", return_X_y=True)[0][:8000]
        return X, "MNIST t10k[:8000]"
    except MNISTNotFoundError:
        print("MNIST not found: using the 8x8 digits (ratios are less telling)", file=sys.stderr)
        return load_digits(return_X_y=True)[0], "digits"


def epoch_times():
    import keras

    class EpochTimes(keras.callbacks.Callback):
        def __init__(self):
            super().__init__()
            self.ends = []

        def on_train_begin(self, logs=None):
            self.start = time.perf_counter()

        def on_epoch_end(self, epoch, logs=None):
            self.ends.append(time.perf_counter())

    return EpochTimes()


def steady(times):
    """Seconds per epoch after the first one."""
    return (times.ends[-1] - times.ends[0]) / max(1, len(times.ends) - 1)


def _blog_fit(X, epochs, seed):
    """The blog's plain Keras code; returns (s/epoch after the 1st, total s, final loss)."""
    autoencoder = blog_autoencoder(X.shape[1], seed)
    timer = epoch_times()
    start = time.perf_counter()
    history = autoencoder.fit(X, X, epochs=epochs, batch_size=256, shuffle=True, verbose=0,
                              callbacks=[timer])
    return steady(timer), time.perf_counter() - start, history.history["loss"][-1]


def _skae_fit(X, epochs, seed):
    timer = epoch_times()
    start = time.perf_counter()
    est = AutoencoderTransformer(32, architecture="dense", epochs=epochs, random_state=seed,
                                 callbacks=[timer]).fit(X)
    total = time.perf_counter() - start
    return steady(est.callbacks_[0]), total, est.loss_curve_[-1]


def bench_fit(X, epochs, repeats):
    """skae and the blog code, ``repeats`` seeds each (interleaved), and MLPRegressor once.

    Returns ``{label: [(s/epoch, total s, final loss), ...]}``.
    """
    runs = {"skae": [], "blog Keras code": []}
    for seed in range(repeats):
        runs["skae"].append(_skae_fit(X, epochs, seed))
        runs["blog Keras code"].append(_blog_fit(X, epochs, seed))
    total, mlp = fit_mlp(X, epochs)
    runs["MLPRegressor"] = [(total / epochs, total, mlp.loss_curve_[-1])]
    return runs


def bench_transform(X, epochs):
    import keras
    from sklearn.decomposition import PCA

    est = AutoencoderTransformer(32, architecture="dense", epochs=epochs, random_state=0).fit(X)
    pca = PCA(32, random_state=0).fit(X)
    one = X[:1]
    big = np.concatenate([X] * int(np.ceil(10000 / len(X))))[:10000]
    codes_one, codes_big = est.transform(one), est.transform(big)
    one_row = {
        "skae transform": median_seconds(lambda: est.transform(one), 300),
        "PCA transform": median_seconds(lambda: pca.transform(one), 300),
        "skae inverse_transform": median_seconds(lambda: est.inverse_transform(codes_one), 300),
        "PCA inverse_transform": median_seconds(lambda: pca.inverse_transform(pca.transform(one)), 300),
    }
    rows = {
        "skae transform": median_seconds(lambda: est.transform(big), 5),
        "PCA transform": median_seconds(lambda: pca.transform(big), 5),
        "skae inverse_transform": median_seconds(lambda: est.inverse_transform(codes_big), 5),
    }
    encoder, decoder = est.encoder_, est.decoder_
    one_row.update({
        "Keras encoder.predict": median_seconds(lambda: encoder.predict(one, verbose=0), 30),
        "Keras encoder(x) eager": median_seconds(lambda: keras.ops.convert_to_numpy(encoder(one)), 100),
    })
    rows.update({
        "Keras encoder.predict": median_seconds(lambda: encoder.predict(big, batch_size=256, verbose=0), 5),
        "Keras decoder.predict": median_seconds(lambda: decoder.predict(codes_big, batch_size=256, verbose=0), 5),
    })
    return {"one row": one_row, "10,000 rows": rows}


def bench_tiny_fits(repeats=5):
    """Median seconds of a whole fit on tiny data, eager (4 steps) vs compiled (20)."""
    X = np.random.default_rng(0).random((20, 5))
    # warm up Keras
    AutoencoderTransformer(n_components=3, architecture="dense", epochs=2, batch_size=16).fit(X)
    out = {}
    for epochs in (2, 10):
        times = []
        for seed in range(repeats):
            est = AutoencoderTransformer(n_components=3, architecture="dense", epochs=epochs,
                                         batch_size=16, random_state=seed)
            start = time.perf_counter()
            est.fit(X)
            times.append(time.perf_counter() - start)
        out[2 * epochs] = statistics.median(times)
    return out


def main(argv=None):
    import keras

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", default=DEFAULT_DATA_DIR)
    parser.add_argument("--epochs", type=int, default=10)
    parser.add_argument("--repeats", type=int, default=3,
                        help="seeds of skae and of the blog code (final losses vary by about "
                             "2%% from seed to seed)")
    args = parser.parse_args(argv)
    X, name = load(args.data_dir)
    backend = keras.backend.backend()
    report = Results(f"bench_speed-{backend}", f"{name} {X.shape[0]:,} x {X.shape[1]}, the blog's "
                     f"784-32-784 network, {args.epochs} epochs in batches of 256; skae and the "
                     f"blog's plain Keras code {args.repeats} seeds each, alternately, in one "
                     "process (so skae's later fits reuse its compiled step), MLPRegressor "
                     "once; inference on a separate fit, one row and 10,000 rows, medians of "
                     f"repeated calls. Keras backend: {backend}.")

    runs = bench_fit(X, args.epochs, args.repeats)
    summary = {
        label: (statistics.median(r[0] for r in results), statistics.median(r[1] for r in results),
                statistics.mean(r[2] for r in results), min(r[2] for r in results),
                max(r[2] for r in results), len(results))
        for label, results in runs.items()
    }
    base = summary["blog Keras code"]
    report.table("fit", "Fits: seconds per epoch after the first (MLPRegressor: total / "
                 "epochs) and whole fits; final training loss, mean of the seeds (min-max)",
                 ["fit", "runs", "s/epoch (median)", "ratio to blog code", "total s (median)",
                  "final training loss, mean", "final training loss, range"],
                 [[label, n, per_epoch, per_epoch / base[0], total, loss, [low, high]]
                  for label, (per_epoch, total, loss, low, high, n) in summary.items()],
                 ["{}", "{}", "{:.3f}", "{:.2f}x", "{:.2f}", "{:.5f}", "{:.5f}"])
    report.value("per_epoch_ratio", summary["skae"][0] / base[0], "{:.2f}x",
                 "seconds per epoch after the first, skae / the blog code")
    report.value("loss_ratio", summary["skae"][2] / base[2], "{:.4f}",
                 "skae's mean final loss / the blog code's (MLPRegressor's loss is half the "
                 "squared error, not comparable)")
    # MLPRegressor's epochs are not timed one by one, so it is compared by whole fits: both
    # in this warm process (skae's later seeds reuse the step its first one compiled)
    report.value("mlp_whole_fit_ratio", summary["skae"][1] / summary["MLPRegressor"][1],
                 "{:.2f}x", "skae's whole fit / MLPRegressor's, medians, in one warm process")

    timings = bench_transform(X, args.epochs)
    for size, rows in timings.items():
        ref = rows["PCA transform"]
        report.table(size.replace(",", "").replace(" ", "_"), f"Inference, {size}",
                     ["call", "ms", "ratio to PCA transform"],
                     [[label, 1000 * seconds, seconds / ref] for label, seconds in rows.items()],
                     ["{}", "{:.3f}", "{:.1f}x"])
    one = timings["one row"]
    report.value("one_row_transform_ratio", one["skae transform"] / one["PCA transform"],
                 "{:.1f}x", "one-row transform, skae / PCA")
    big = timings["10,000 rows"]
    report.value("big_transform_vs_predict", big["skae transform"] / big["Keras encoder.predict"],
                 "{:.2f}x", "10,000-row transform, skae / Keras predict")
    report.value("big_inverse_vs_predict",
                 big["skae inverse_transform"] / big["Keras decoder.predict"], "{:.2f}x",
                 "10,000-row inverse_transform, skae / Keras predict")

    tiny = bench_tiny_fits()
    report.table("tiny", "Tiny fits (20 x 5, batch 16), median seconds per whole fit",
                 ["fit", "s"], [["4 steps (eager)", tiny[4]], ["20 steps (compiled)", tiny[20]]],
                 ["{}", "{:.3f}"])
    report.write()

if __name__ == "__main__":
    main()
