"""Contract of AutoencoderTransformer: architecture, attributes, methods, errors."""

import random
import re

import keras
import numpy as np
import pytest
from sklearn.base import clone
from sklearn.utils._param_validation import InvalidParameterError

from skae import AutoencoderTransformer
from skae.architectures import Dense


def small(**params):
    defaults = dict(n_components=4, epochs=3, batch_size=64, random_state=0)
    defaults.update(params)
    return AutoencoderTransformer(**defaults)


def describe(model):
    return [(type(layer).__name__, getattr(layer, "units", None), layer.activation.__name__)
            for layer in model.layers if hasattr(layer, "activation")]


def test_defaults_are_the_residual_network_with_an_adaptive_budget():
    est = AutoencoderTransformer()
    assert est.n_components == "auto" and est.architecture == "residual"
    assert (est.epochs, est.batch_size, est.validation_fraction, est.early_stopping) == (
        "auto",) * 4
    assert est.optimizer == "adam" and est.learning_rate == 1e-3
    X = np.random.RandomState(0).rand(500, 784).astype(np.float32)
    est.set_params(epochs=1).fit(X)
    assert est.n_components_ == 32  # "auto": half the features, at most 32
    assert est._budget(500) == {"epochs": 1, "batch_size": 16,
                                "validation_fraction": 0.1, "early_stopping": True}
    # 2 * 32 pass-through units and 256 correction units, a linear code and output
    assert describe(est.encoder_) == [("Dense", 320, "relu"), ("Dense", 32, "linear")]
    assert describe(est.decoder_) == [("Dense", 320, "relu"), ("Dense", 784, "linear"),
                                      ("Activation", None, "linear")]
    assert est.output_activation_ == "linear" and est.loss_ == "mse"


def test_dense_architecture_is_the_blog_model():
    est = AutoencoderTransformer(architecture="dense")
    X = np.random.RandomState(0).rand(20, 784).astype(np.float32)
    est.fit(X)
    assert est._budget(20) == {"epochs": 50, "batch_size": 256,
                               "validation_fraction": None, "early_stopping": False}
    assert est.n_iter_ == 50 and "val_loss" not in est.history_
    assert describe(est.encoder_) == [("Dense", 32, "relu")]
    # the sigmoid is a layer of its own, so training can use the logits
    assert describe(est.decoder_) == [("Dense", 784, "linear"), ("Activation", None, "sigmoid")]
    assert est.model_.count_params() == 784 * 32 + 32 + 32 * 784 + 784
    assert est.output_activation_ == "sigmoid" and est.loss_ == "binary_crossentropy"


def test_hidden_layers_are_mirrored(digits):
    X, _ = digits
    est = small(architecture=Dense(hidden_layer_sizes=(48, 24)), epochs=1).fit(X)
    def widths(model):
        return [layer.units for layer in model.layers if layer.weights]

    assert widths(est.encoder_) == [48, 24, 4]
    assert widths(est.decoder_) == [24, 48, 64]


@pytest.mark.parametrize(
    "architecture, shift, activation, loss",
    [("dense", 0.0, "sigmoid", "binary_crossentropy"), ("dense", -0.5, "linear", "mse"),
     ("residual", 0.0, "linear", "mse"), ("residual", -0.5, "linear", "mse")],
)
def test_auto_output_resolution(digits, architecture, shift, activation, loss):
    X, _ = digits
    est = small(architecture=architecture, epochs=1).fit(X[:200] + shift)
    assert (est.output_activation_, est.loss_) == (activation, loss)


def test_explicit_output_and_loss_are_kept(digits):
    X, _ = digits
    est = small(epochs=1, output_activation="linear", loss="mae").fit(X[:100])
    assert (est.output_activation_, est.loss_) == ("linear", "mae")
    # and the network was built with them (not only the attributes): its reconstruction
    # layer is linear, where the resolved default for these data is a sigmoid
    import keras

    assert est.decoder_.get_layer("reconstruction").activation is keras.activations.get("linear")
    default = small(epochs=1, architecture="dense").fit(X[:100])
    assert default.decoder_.get_layer("reconstruction").activation is keras.activations.get(
        "sigmoid")


def test_bce_needs_unit_interval_and_sigmoid(digits):
    X, _ = digits
    with pytest.raises(ValueError, match=r"needs training data in \[0, 1\].*MinMaxScaler"):
        small(loss="binary_crossentropy").fit(X[:50] * 16)
    with pytest.raises(ValueError, match="needs a sigmoid output"):
        small(loss="binary_crossentropy", output_activation="linear").fit(X[:50])


def test_fitted_attributes_and_shapes(digits):
    X, _ = digits
    est = small(epochs=4)
    assert est.fit(X) is est
    assert est.n_features_in_ == 64 and est.n_components_ == 4
    assert est.n_iter_ == 4 and len(est.loss_curve_) == 4
    assert est.history_["loss"] == est.loss_curve_
    assert est.loss_curve_[-1] < est.loss_curve_[0]
    Z = est.transform(X)
    assert Z.shape == (len(X), 4) and Z.dtype == np.float32
    R = est.inverse_transform(Z)
    assert R.shape == X.shape and R.dtype == np.float32
    # the encoder and decoder share the autoencoder's layers
    np.testing.assert_allclose(est.model_.predict_on_batch(X[:5]), R[:5], rtol=1e-5, atol=1e-6)
    assert {id(w) for w in est.encoder_.weights} | {id(w) for w in est.decoder_.weights} == {
        id(w) for w in est.model_.weights
    }


def test_fit_transform_equals_fit_then_transform(digits):
    X, _ = digits
    a = small().fit_transform(X)
    b = small().fit(X).transform(X)
    np.testing.assert_array_equal(a, b)


def test_score_samples_is_negative_reconstruction_error(digits):
    X, _ = digits
    est = small().fit(X)
    R = est.inverse_transform(est.transform(X))
    expected = -np.mean((X.astype(np.float64) - R) ** 2, axis=1)
    scores = est.score_samples(X)
    assert scores.shape == (len(X),) and scores.dtype == np.float64
    np.testing.assert_allclose(scores, expected, rtol=1e-4, atol=1e-7)
    assert est.score(X) == pytest.approx(expected.mean(), rel=1e-4)
    assert np.all(scores <= 0)
    # the images it was trained on score higher than the same pixels shuffled
    shuffled = np.random.default_rng(0).permuted(X, axis=1)
    assert est.score(X) > est.score(shuffled)


def test_longer_training_scores_higher(digits):
    X, _ = digits
    short = small(epochs=1).fit(X)
    longer = small(epochs=30).fit(X)
    assert longer.score(X) > short.score(X)


def test_feature_names_out_and_pandas_output(digits):
    pd = pytest.importorskip("pandas")
    X, _ = digits
    est = AutoencoderTransformer(epochs=1, random_state=0).fit(X)
    names = est.get_feature_names_out()
    assert list(names) == [f"autoencodertransformer{i}" for i in range(32)]
    frame = pd.DataFrame(X, columns=[f"px{i}" for i in range(64)])
    out = est.set_output(transform="pandas").fit_transform(frame)
    assert isinstance(out, pd.DataFrame) and list(out.columns) == list(names)
    np.testing.assert_array_equal(est.feature_names_in_, frame.columns)


def _global_draws():
    draws = [
        random.random(),
        float(np.random.rand()),
        keras.ops.convert_to_numpy(keras.random.uniform((3,))).tolist(),
    ]
    if keras.backend.backend() == "tensorflow":
        import tensorflow as tf

        draws.append(tf.random.uniform((3,)).numpy().tolist())
    return draws


def test_fit_leaves_global_random_state_alone(digits):
    X, _ = digits
    keras.utils.set_random_seed(1234)
    untouched = _global_draws()
    keras.utils.set_random_seed(1234)
    small(random_state=7, noise_stddev=0.1).fit(X[:300]).transform(X[:10])
    assert _global_draws() == untouched


def test_random_state_makes_fits_reproducible(digits):
    X, _ = digits
    a = small(random_state=3).fit(X)
    b = small(random_state=3).fit(X)
    c = small(random_state=4).fit(X)
    np.testing.assert_array_equal(a.transform(X), b.transform(X))
    assert a.loss_curve_ == b.loss_curve_
    assert not np.array_equal(a.transform(X), c.transform(X))


def test_random_state_none_follows_numpy_global_state(digits):
    X, _ = digits
    np.random.seed(5)
    a = small(random_state=None).fit(X[:300]).transform(X[:20])
    np.random.seed(5)
    b = small(random_state=None).fit(X[:300]).transform(X[:20])
    np.testing.assert_array_equal(a, b)


def test_transform_of_one_row_matches_batch(digits):
    X, _ = digits
    est = small().fit(X)
    full = est.transform(X)
    for i in (0, 255, 256, len(X) - 1):
        np.testing.assert_array_equal(est.transform(X[i : i + 1])[0], full[i])


def test_clone_before_and_after_fit(digits):
    X, _ = digits
    est = small(architecture=Dense(hidden_layer_sizes=(8,)))
    assert clone(est).get_params() == est.get_params()
    est.fit(X[:100])
    fresh = clone(est)
    assert fresh.get_params() == est.get_params()
    assert not hasattr(fresh, "model_")


@pytest.mark.parametrize("densified", ["once", "per batch"])
def test_sparse_input_matches_dense(digits, densified, monkeypatch):
    sp = pytest.importorskip("scipy.sparse")
    from skae import _arrays

    if densified == "per batch":  # as sparse data too large to densify at once is
        monkeypatch.setattr(_arrays, "SMALL_DENSE_VALUES", 0)
    X, _ = digits
    # Sparse data too large to densify at once starts the default network from a PCA of
    # the sparse matrix itself, equal to the dense one's up to rounding; the blog's kind
    # has no such start, and checks the batch-by-batch training path exactly.
    kind = "residual" if densified == "once" else "dense"
    dense = small(architecture=kind).fit(X)
    sparse = small(architecture=kind).fit(sp.csr_matrix(X))
    np.testing.assert_array_equal(dense.transform(X), sparse.transform(sp.csc_matrix(X)))
    np.testing.assert_allclose(dense.score_samples(X), sparse.score_samples(sp.csr_matrix(X)))


# ------------------------------------------------------------------ errors


@pytest.fixture(scope="module")
def fitted(digits):
    X, _ = digits
    return small().fit(X)


@pytest.mark.parametrize(
    "bad, message",
    [
        (np.full((3, 64), np.nan), "Input X contains NaN"),
        (np.full((3, 64), np.inf), "Input X contains infinity"),
        (np.array([["a"] * 64] * 3, dtype=object), "could not convert string to float"),
        (np.ones((3, 64)) + 1j, "Complex data not supported"),
        (np.ones((3, 10)), "X has 10 features, but AutoencoderTransformer is expecting 64"),
        (np.ones((3, 4, 16)), "Found array with dim 3"),
        (np.ones((0, 64)), "Found array with 0 sample"),
    ],
)
@pytest.mark.parametrize("method", ["transform", "score_samples"])
def test_bad_input_at_transform(fitted, bad, message, method):
    with pytest.raises(ValueError, match=re.escape(message)):
        getattr(fitted, method)(bad)


@pytest.mark.parametrize(
    "bad, message",
    [
        (np.ones((3, 5)), "X has 5 features, but AutoencoderTransformer.inverse_transform "
         "is expecting 4 features"),
        (np.full((3, 4), np.nan), "Input X contains NaN"),
        (np.ones((3, 4)) + 1j, "Complex data not supported"),
    ],
)
def test_bad_input_at_inverse_transform(fitted, bad, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        fitted.inverse_transform(bad)


def test_methods_before_fit_raise_not_fitted(digits):
    from sklearn.exceptions import NotFittedError

    X, _ = digits
    est = small()
    for method in ("transform", "inverse_transform", "score_samples", "score"):
        with pytest.raises(NotFittedError):
            getattr(est, method)(X[:, :4] if method == "inverse_transform" else X)


@pytest.mark.parametrize(
    "params",
    [
        {"n_components": 0},
        {"n_components": 2.5},
        {"activation": "softmaxx"},
        {"output_activation": "nope"},
        {"loss": "hinge"},
        {"optimizer": "lbfgs"},
        {"learning_rate": 0.0},
        {"epochs": 0},
        {"batch_size": -1},
        {"shuffle": "yes"},
        {"random_state": "seed"},
        {"architecture": Dense(hidden_layer_sizes=(16, 0))},
        {"architecture": Dense(hidden_layer_sizes=(16, 2.5))},
        {"architecture": Dense(activation="softmaxx")},
        {"architecture": "lstm-ish"},
    ],
)
def test_invalid_parameters_raise_at_fit(digits, params):
    X, _ = digits
    est = AutoencoderTransformer(**params)  # __init__ never validates
    with pytest.raises(InvalidParameterError):
        est.fit(X[:10])
    assert not hasattr(est, "n_features_in_")


def test_failed_fit_leaves_fitted_estimator_as_it_was(digits):
    pd = pytest.importorskip("pandas")
    X, _ = digits
    est = small().fit(X)
    before = dict(est.__dict__)
    codes = est.transform(X[:5])
    bad = pd.DataFrame(np.where(np.eye(10, 64) > 0, np.nan, 0.5), columns=[f"c{i}" for i in range(64)])
    with pytest.raises(ValueError, match="NaN"):
        est.fit(bad)
    assert est.__dict__ == before
    assert not hasattr(est, "feature_names_in_")
    np.testing.assert_array_equal(est.transform(X[:5]), codes)


def test_failed_fit_leaves_unfitted_estimator_unfitted(digits):
    X, _ = digits
    est = small(loss="binary_crossentropy")
    with pytest.raises(ValueError):
        est.fit(X * 16)  # outside [0, 1]
    assert not hasattr(est, "n_features_in_") and not hasattr(est, "model_")


def test_import_skae_does_not_load_keras():
    import subprocess
    import sys

    code = (
        "import sys, skae, skae.datasets, skae.compare, skae.cli\n"
        "from sklearn.base import clone\n"
        "from skae.architectures import Conv, Dense\n"
        "est = clone(skae.AutoencoderTransformer(architecture=Dense(hidden_layer_sizes=(8,))))\n"
        "est.set_params(architecture=Conv()).get_params(deep=True)\n"
        "repr(est); est.get_params()\n"
        "loaded = [m for m in ('keras', 'tensorflow', 'jax') if m in sys.modules]\n"
        "assert not loaded, loaded\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, timeout=120)
