"""Helpers shared by the benchmark scripts (run as ``python benchmarks/<script>.py``)."""

import os
import resource
import sys

#: Where the scripts look for MNIST unless ``--data-dir`` says otherwise.
DEFAULT_DATA_DIR = os.environ.get("SKAE_DATA_DIR", "../shared/data/mnist")


def peak_mb():
    """This process's peak resident memory so far, in MiB."""
    kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return kb / 1024 if sys.platform != "darwin" else kb / 2**20


def blog_autoencoder(n_features, seed):
    """The Keras blog's simple autoencoder, compiled as the blog compiles it.

    ``784 -> Dense(32, relu) -> Dense(784, sigmoid)``, Adam, binary
    cross-entropy.  The blog code is unseeded; seeding Keras with ``seed`` is
    the benchmarks' choice.
    """
    import keras

    keras.utils.set_random_seed(seed)
    inputs = keras.Input((n_features,))
    encoded = keras.layers.Dense(32, activation="relu")(inputs)
    decoded = keras.layers.Dense(n_features, activation="sigmoid")(encoded)
    autoencoder = keras.Model(inputs, decoded)
    autoencoder.compile(optimizer="adam", loss="binary_crossentropy")
    return autoencoder


def median_seconds(fn, repeats):
    """Median seconds of ``repeats`` calls of ``fn``, after one warm-up call."""
    import statistics
    import time

    fn()
    samples = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)


def fit_mlp(X, epochs):
    """scikit-learn's ``MLPRegressor`` with the blog's shape, fitted to reconstruct ``X``.

    784-32-784 (one hidden layer of 32), Adam, batches of 256, exactly
    ``epochs`` epochs (no early stop), seed 0.  Returns ``(seconds, mlp)``.
    """
    import time
    import warnings

    from sklearn.neural_network import MLPRegressor

    mlp = MLPRegressor(hidden_layer_sizes=(32,), batch_size=256, max_iter=epochs, tol=0.0,
                       n_iter_no_change=epochs + 1, random_state=0)
    start = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # ConvergenceWarning at max_iter
        mlp.fit(X, X)
    return time.perf_counter() - start, mlp


def epoch_ends():
    """A Keras callback whose ``ends`` holds the start of training and each epoch's end."""
    import time

    import keras

    class EpochEnds(keras.callbacks.Callback):
        def on_train_begin(self, logs=None):
            self.ends = [time.perf_counter()]

        def on_epoch_end(self, epoch, logs=None):
            self.ends.append(time.perf_counter())

    return EpochEnds()


def epoch_seconds(ends):
    """Each epoch's seconds, from an :func:`epoch_ends` callback's ``ends``."""
    return [b - a for a, b in zip(ends, ends[1:])]
