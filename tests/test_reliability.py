"""Divergence, interrupts, threads, memmaps, sparse input and the bad-input battery."""

import re
from concurrent.futures import ThreadPoolExecutor

import keras
import numpy as np
import pytest
import scipy.sparse as sp
from sklearn.exceptions import NotFittedError
from sklearn.utils._param_validation import InvalidParameterError

from skae import AutoencoderTransformer, TrainingDivergedError


def small(**params):
    defaults = dict(n_components=4, epochs=3, batch_size=64, random_state=0)
    defaults.update(params)
    return AutoencoderTransformer(**defaults)


class InterruptAt(keras.callbacks.Callback):
    def __init__(self, epoch):
        super().__init__()
        self.epoch = epoch

    def on_epoch_end(self, epoch, logs=None):
        if epoch + 1 == self.epoch:
            raise KeyboardInterrupt


# ------------------------------------------------------------ divergence


def test_divergence_raises_a_clear_error_and_leaves_estimator_unfitted(digits):
    X, _ = digits
    est = small(loss="mse", output_activation="linear", optimizer="sgd", learning_rate=1e6,
                epochs=20)
    with pytest.raises(TrainingDivergedError, match="smaller learning_rate") as exc:
        est.fit(X * 1000)
    assert isinstance(exc.value, ValueError)
    assert not hasattr(est, "model_") and not hasattr(est, "n_features_in_")


def test_divergence_keeps_the_previous_fit(digits):
    X, _ = digits
    est = small(loss="mse", output_activation="linear", optimizer="sgd", learning_rate=0.01)
    est.fit(X)
    codes, weights = est.transform(X), est.model_.get_weights()
    est.set_params(learning_rate=1e6, warm_start=True, epochs=20)
    with pytest.raises(TrainingDivergedError):
        est.fit(X * 1000)
    for now, before in zip(est.model_.get_weights(), weights):
        np.testing.assert_array_equal(now, before)
    np.testing.assert_array_equal(est.transform(X), codes)
    assert est.n_iter_ == 3


# ------------------------------------------------------------- interrupts


def test_interrupt_of_a_first_fit_leaves_it_unfitted(digits):
    X, _ = digits
    est = small(epochs=5, callbacks=[InterruptAt(2)])
    with pytest.raises(KeyboardInterrupt):
        est.fit(X)
    assert not hasattr(est, "model_") and not hasattr(est, "n_features_in_")
    with pytest.raises(NotFittedError):
        est.transform(X)


def test_interrupt_of_a_warm_fit_restores_weights_and_optimizer(digits):
    X, _ = digits
    est = small(epochs=2, warm_start=True).fit(X)
    weights = est.model_.get_weights()
    optimizer_state = [keras.ops.convert_to_numpy(v).copy() for v in est._optimizer.variables]
    est.set_params(callbacks=[InterruptAt(2)], epochs=5)
    with pytest.raises(KeyboardInterrupt):
        est.fit(X)
    for now, before in zip(est.model_.get_weights(), weights):
        np.testing.assert_array_equal(now, before)
    for v, before in zip(est._optimizer.variables, optimizer_state):
        np.testing.assert_array_equal(keras.ops.convert_to_numpy(v), before)
    assert est.n_iter_ == 2 and len(est.loss_curve_) == 2
    # and training can go on from there exactly as if nothing had happened
    est.set_params(callbacks=None, epochs=1).fit(X)
    twin = small(epochs=2, warm_start=True).fit(X)
    twin.set_params(epochs=1).fit(X)
    np.testing.assert_array_equal(est.transform(X), twin.transform(X))


# ---------------------------------------------------------------- threads


def test_concurrent_transform_from_threads(digits):
    X, _ = digits
    est = small().fit(X)
    expected = est.transform(X)
    chunks = np.array_split(np.arange(len(X)), 12)
    with ThreadPoolExecutor(max_workers=4) as pool:
        results = list(pool.map(lambda idx: est.transform(X[idx]), chunks))
    for idx, got in zip(chunks, results):
        np.testing.assert_array_equal(got, expected[idx])


# ------------------------------------------------------- memmaps, sparse


def test_read_only_memmap_input(digits, tmp_path):
    X, _ = digits
    path = tmp_path / "x.dat"
    mm = np.memmap(path, dtype=np.float32, mode="w+", shape=X.shape)
    mm[:] = X
    mm.flush()
    ro = np.memmap(path, dtype=np.float32, mode="r", shape=X.shape)
    est = small().fit(ro)
    np.testing.assert_array_equal(est.transform(ro), small().fit(X).transform(X))


def test_sparse_tfidf_like_input():
    rng = np.random.RandomState(0)
    X = sp.random(300, 500, density=0.02, format="csr", random_state=rng, dtype=np.float64)
    est = small(n_components=8).fit(X)
    assert est.output_activation_ == "linear"  # the default kind's, whatever the range
    assert est.transform(X).shape == (300, 8)
    assert est.score_samples(X).shape == (300,)
    np.testing.assert_allclose(est.transform(X.tocsc()), est.transform(X.toarray()), rtol=1e-6)


# ------------------------------------------------------ bad-input battery

BATTERY = [
    ("nan", np.full((5, 64), np.nan), ValueError, "Input X contains NaN"),
    ("inf", np.full((5, 64), np.inf), ValueError, "Input X contains infinity"),
    ("strings", np.array([["a"] * 64] * 5), ValueError, "could not convert string to float"),
    ("object strings", np.array([["a"] * 64] * 5, dtype=object), ValueError,
     "could not convert string to float"),
    ("complex", np.ones((5, 64)) + 1j, ValueError, "Complex data not supported"),
    ("3-D", np.ones((5, 8, 8)), ValueError, "Found array with dim 3"),
    ("1-D", np.ones(64), ValueError, "Expected 2D array, got 1D array instead"),
    ("empty", np.ones((0, 64)), ValueError, "Found array with 0 sample(s)"),
    ("zero features", np.ones((5, 0)), ValueError, "Found array with 0 feature(s)"),
]


@pytest.mark.parametrize("label, X, error, message", BATTERY, ids=[b[0] for b in BATTERY])
def test_bad_input_at_fit(label, X, error, message):
    est = small()
    with pytest.raises(error, match=re.escape(message)):
        est.fit(X)
    assert not hasattr(est, "n_features_in_")


def test_single_sample_fits(digits):
    X, _ = digits
    est = small().fit(X[:1])
    assert est.transform(X[:1]).shape == (1, 4)


def test_pandas_columns_that_differ_from_fit(digits):
    pd = pytest.importorskip("pandas")
    X, _ = digits
    cols = [f"p{i}" for i in range(64)]
    est = small().fit(pd.DataFrame(X, columns=cols))
    with pytest.raises(ValueError, match="The feature names should match those that were passed during fit"):
        est.transform(pd.DataFrame(X, columns=cols[::-1]))


def test_inverse_transform_before_fit():
    with pytest.raises(NotFittedError, match="not fitted yet"):
        small().inverse_transform(np.ones((2, 4)))


@pytest.mark.parametrize(
    "params, message",
    [
        ({"epochs": -5}, "The 'epochs' parameter"),
        ({"learning_rate": float("nan")}, "The 'learning_rate' parameter"),
        ({"batch_size": 0}, "The 'batch_size' parameter"),
        ({"noise_stddev": -1.0}, "The 'noise_stddev' parameter"),
        ({"validation_fraction": 1.0}, "The 'validation_fraction' parameter"),
        ({"architecture": "transformer"}, "The 'architecture' parameter"),
    ],
)
def test_absurd_parameters(digits, params, message):
    X, _ = digits
    est = small(**params)
    with pytest.raises(InvalidParameterError, match=message):
        est.fit(X[:10])
    assert not hasattr(est, "model_")


def test_divergence_with_early_stopping_after_an_earlier_divergence(digits):
    # On JAX, TerminateOnNaN called off the main thread once left the variables
    # purged for early stopping's read at the epoch's end (a RuntimeError)
    X, _ = digits
    params = dict(n_components=4, batch_size=64, random_state=0, loss="mse",
                  output_activation="linear", optimizer="sgd", learning_rate=1e6, epochs=20)
    for extra in ({"architecture": "dense"}, {"architecture": "dense", "early_stopping": True,
                                                "validation_fraction": 0.1}, {}):
        est = AutoencoderTransformer(**params, **extra)
        with pytest.raises(TrainingDivergedError):
            est.fit(X * 1000)
        assert not hasattr(est, "model_")
