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
