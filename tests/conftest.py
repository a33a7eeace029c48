"""Fixtures shared by the tests, and a way to check that the tests can fail.

``SKAE_TEST_BREAK=shuffle`` shuffles the weights of every network skae fits
(each weight array's values permuted, after ``fit``/``partial_fit``), and
``SKAE_TEST_BREAK=untrained`` skips training (networks keep their start;
the default kind's start is PCA itself, the blog's kinds' is random).  A
test of a model's quality must fail under one of them, and says against
which baseline it compares; ``tests/scripts/break_modes.py`` lists them and
checks that they do, and ``.ci/run`` runs it after the suite.
"""

import importlib.util
import os
from pathlib import Path

import numpy as np
import pytest

from skae.datasets import load_digits, load_mnist


def _break_models(mode):
    from skae import AutoencoderTransformer, _training
    from skae._backend import to_numpy

    if mode == "untrained":
        def untrained(network, X, settings, **kwargs):
            return {"loss": [0.0]}, 1

        _training.train = untrained
        return
    if mode != "shuffle":
        raise ValueError(f"SKAE_TEST_BREAK={mode!r}: use 'shuffle' or 'untrained'")
    rng = np.random.default_rng(0)

    def shuffled(method):
        def fit(self, *args, **kwargs):
            result = method(self, *args, **kwargs)
            for variable in self.model_.weights:
                values = to_numpy(variable)
                variable.assign(rng.permutation(values.ravel()).reshape(values.shape))
            return result
        return fit

    AutoencoderTransformer.fit = shuffled(AutoencoderTransformer.fit)
    AutoencoderTransformer.partial_fit = shuffled(AutoencoderTransformer.partial_fit)


if os.environ.get("SKAE_TEST_BREAK"):
    _break_models(os.environ["SKAE_TEST_BREAK"])

# helper scripts run in subprocesses by the tests, not test modules
collect_ignore = ["scripts"]

ROOT = Path(__file__).resolve().parents[1]
# where the project's real data lies, as the benchmarks and the docs' build find it
_spec = importlib.util.spec_from_file_location("skae_benchmarks_common",
                                               ROOT / "benchmarks" / "_common.py")
_common = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_common)
SHARED_MNIST = _common.SHARED_DATA / "mnist"
ODDS = _common.SHARED_DATA / "odds"


def mnist_dir():
    """Folder with the real MNIST test split, or None."""
    for candidate in (os.environ.get("SKAE_DATA_DIR"), SHARED_MNIST):
        if candidate and (Path(candidate) / "t10k-images-idx3-ubyte.gz").is_file():
            return Path(candidate)
    return None


@pytest.fixture(scope="session")
def mnist_folder():
    """Folder with the real MNIST test split; skips the test when there is none."""
    folder = mnist_dir()
    if folder is None and os.environ.get("CI") == "true":
        pytest.fail(f"CI must run the tests that need real MNIST, but {SHARED_MNIST} lacks it")
    if folder is None:
        pytest.skip(
            f"real MNIST files not found (looked in $SKAE_DATA_DIR and {SHARED_MNIST}); "
            "set SKAE_DATA_DIR to a folder with t10k-images-idx3-ubyte.gz to run this test"
        )
    return folder


@pytest.fixture(scope="session")
def mnist(mnist_folder):
    """The real 10,000-image MNIST test split, split 8,000 / 2,000."""
    X, y = load_mnist(mnist_folder, subset="test", return_X_y=True)
    return X[:8000], y[:8000], X[8000:], y[8000:]


@pytest.fixture(scope="session")
def digits():
    """sklearn's digits scaled to [0, 1] (float32) and their labels."""
    return load_digits(return_X_y=True)


@pytest.fixture
def rng():
    return np.random.RandomState(0)


@pytest.fixture(scope="session")
def odds():
    """Folder with the ODDS tables; skips the test when there is none (fails under CI)."""
    folder = Path(os.environ.get("SKAE_ODDS_DIR", ODDS))
    if not (folder / "cardio.mat").is_file():
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI must run the tests on the ODDS tables, but {folder} lacks them")
        pytest.skip(f"ODDS tables not found in {folder} (set SKAE_ODDS_DIR to a folder with "
                    "cardio.mat and the other .mat files to run this test)")
    return folder
