"""The variational and sequence kinds on small data (MNIST results: tests/test_mnist_models.py)."""

import pickle

import keras
import numpy as np
import pytest
from sklearn.base import clone
from sklearn.decomposition import PCA
from sklearn.exceptions import NotFittedError
from sklearn.utils._param_validation import InvalidParameterError

import skae
from skae import AutoencoderTransformer
from skae._settings import TrainingSettings
from skae.architectures import Conv, Dense, Sequence, Variational


def vae(**params):
    defaults = dict(n_components=2, architecture="variational", epochs=5, batch_size=64,
                    random_state=0)
    defaults.update(params)
    return AutoencoderTransformer(**defaults)


# ------------------------------------------------------------ variational


def test_variational_resolves_the_blogs_base():
    assert Variational().resolve(64) == Variational(base=Dense(hidden_layer_sizes=(256,)))
    assert Variational(base="conv").resolve(64).base == Conv(image_shape=(8, 8, 1))


def test_variational_transform_is_the_posterior_mean(digits):
    X, _ = digits
    est = vae().fit(X)
    mean, log_variance = est.model_.get_layer("posterior").predict_on_batch(X[:50])
    np.testing.assert_allclose(est.transform(X[:50]), mean, rtol=1e-5, atol=1e-6)
    # deterministic, and a row's code does not depend on the other rows
    np.testing.assert_array_equal(est.transform(X[:50])[:5], est.transform(X[:5]))
    assert not np.allclose(log_variance, 0.0)  # the variance head was trained
    assert est.encoder_ is est.encoder_  # split returns the same objects
    # score_samples decodes the mean, as inverse_transform(transform(X)) does
    recon = est.inverse_transform(est.transform(X[:50]))
    np.testing.assert_allclose(-est.score_samples(X[:50]), np.mean((X[:50] - recon) ** 2, axis=1),
                               rtol=1e-4)


def test_variational_history_records_each_term(digits):
    X, _ = digits
    est = vae(epochs=3).fit(X)
    assert set(est.history_) == {"loss", "reconstruction", "kl"}
    total = np.add(est.history_["reconstruction"], est.history_["kl"])
    np.testing.assert_allclose(est.history_["loss"], total, rtol=1e-4)
    assert all(value > 0 for value in est.history_["kl"])


def test_variational_training_step_samples_and_adds_the_kl_divergence(digits):
    from skae._training import AutoencoderTrainer

    X, _ = digits
    est = vae(epochs=2).fit(X)
    x = X[:32]
    settings = TrainingSettings(loss="mse", epochs=1, batch_size=32)
    trainer = AutoencoderTrainer(est.architecture_, est.model_, settings, seed=0)
    w = np.full(32, 1 / 32, np.float32)
    clean = keras.ops.convert_to_numpy(trainer((x, w), training=False)[0])
    np.testing.assert_allclose(clean, est.model_.predict_on_batch(x), rtol=1e-5, atol=1e-6)
    noisy = keras.ops.convert_to_numpy(trainer((x, w), training=True)[0])
    assert np.abs(noisy - clean).max() > 1e-3  # decoded from a sample, not the mean

    mean, log_variance = est.model_.get_layer("posterior").predict_on_batch(x)
    kl = -0.5 * np.sum(1 + log_variance - mean**2 - np.exp(log_variance), axis=1)
    reconstruction = np.mean((x - clean) ** 2, axis=1)
    trainer((x, w), training=False)
    expected = np.mean(reconstruction + kl / x.shape[1])
    np.testing.assert_allclose(float(keras.ops.convert_to_numpy(trainer.losses[-1])), expected,
                               rtol=1e-4)


def test_the_end_of_training_step_lowers_the_kl_term_and_keeps_every_decoding(digits,
                                                                               monkeypatch):
    from skae.architectures import variational

    X, _ = digits
    monkeypatch.setattr(Variational, "training_callbacks", lambda self, *args: [])
    est = vae(epochs=10).fit(X)
    posterior = est.model_.get_layer("posterior")

    def draw():
        mean, log_variance = (np.asarray(a, np.float64) for a in posterior.predict_on_batch(X))
        eps = np.random.RandomState(0).standard_normal(mean.shape)
        decoded = est.decoder_.predict_on_batch((mean + np.exp(log_variance / 2) * eps)
                                                .astype(np.float32))
        kl = -0.5 * np.sum(1 + log_variance - mean**2 - np.exp(log_variance), axis=1)
        return mean, log_variance, decoded, kl.mean()

    mean, log_variance, decoded, kl = draw()
    assert np.abs(mean.mean(axis=0)).max() > 0.01  # Adam leaves the code off the optimum
    variational._match_prior(est.model_, X, np.arange(len(X)))
    new_mean, new_log_variance, new_decoded, new_kl = draw()
    np.testing.assert_allclose(new_decoded, decoded, atol=2e-5)
    assert new_kl < kl
    np.testing.assert_allclose(new_mean.mean(axis=0), 0, atol=1e-4)
    np.testing.assert_allclose(new_mean.var(axis=0) + np.exp(new_log_variance).mean(axis=0), 1,
                               rtol=1e-4)
    # a fit does this at its end
    monkeypatch.undo()
    codes = vae(epochs=10).fit(X).transform(X)
    np.testing.assert_allclose(codes, new_mean, rtol=1e-4, atol=1e-4)


def test_codes_it_cannot_match_to_the_prior_are_left_with_a_warning(digits):
    from skae.architectures import variational

    X, _ = digits
    est = vae(epochs=1).fit(X[:200])
    kernel = est.model_.get_layer("posterior").get_layer("code_log_variance").kernel
    kernel.assign(np.full(kernel.shape, np.inf, np.float32))  # a diverged run
    decoder_weights = [w.copy() for w in est.decoder_.get_weights()]
    with pytest.warns(UserWarning, match="did training diverge"):
        variational._match_prior(est.model_, X[:200], np.arange(200))
    for before, after in zip(decoder_weights, est.decoder_.get_weights(), strict=True):
        np.testing.assert_array_equal(before, after)


def test_a_larger_kl_weight_pulls_the_codes_to_the_prior(digits):
    X, _ = digits
    loose = vae(epochs=15, architecture=Variational(kl_weight=0.01)).fit(X)
    tight = vae(epochs=15, architecture=Variational(kl_weight=4.0)).fit(X)
    # the divergence to N(0, I) of the training rows' posteriors, and their mean width
    # (the two networks start alike: an untrained pair fails both)
    divergences, variances = [], []
    for est in (loose, tight):
        mean, log_variance = (np.asarray(a, np.float64) for a in
                              est.model_.get_layer("posterior").predict_on_batch(X))
        divergences.append(np.mean(-0.5 * np.sum(1 + log_variance - mean**2
                                                  - np.exp(log_variance), axis=1)))
        variances.append(np.exp(log_variance).mean())
    assert divergences[1] < 0.5 * divergences[0], divergences
    # each posterior is closer to N(0, I): wider, with its mean nearer 0
    assert variances[1] > 2 * variances[0], variances


def test_sample_decodes_draws_from_the_prior(digits):
    X, _ = digits
    est = vae().fit(X)
    samples = est.sample(7, random_state=3)
    assert samples.shape == (7, 64) and samples.dtype == np.float32
    assert samples.min() >= 0 and samples.max() <= 1  # a sigmoid output
    np.testing.assert_array_equal(samples, est.sample(7, random_state=3))
    assert not np.array_equal(samples, est.sample(7, random_state=4))
    codes = np.random.RandomState(3).standard_normal((7, 2)).astype(np.float32)
    np.testing.assert_allclose(samples, est.inverse_transform(codes), rtol=1e-6)
    with pytest.raises(ValueError, match="n_samples"):
        est.sample(0)


def test_sample_exists_only_for_generative_architectures(digits):
    assert hasattr(vae(), "sample")
    assert not hasattr(AutoencoderTransformer(), "sample")
    assert not hasattr(AutoencoderTransformer(architecture="conv"), "sample")
    with pytest.raises(NotFittedError):
        vae().sample(2)


def test_variational_on_a_conv_base(digits):
    X, _ = digits
    est = vae(architecture=Variational(base=Conv(filters=(8,))), epochs=2).fit(X)
    assert est.architecture_.base == Conv(filters=(8,), image_shape=(8, 8, 1))
    assert est.transform(X[:10]).shape == (10, 2)
    assert est.sample(3, random_state=0).shape == (3, 64)


def test_variational_rejects_a_variational_base(digits):
    X, _ = digits
    with pytest.raises(ValueError, match="cannot be variational"):
        vae(architecture=Variational(base=Variational())).fit(X)
    with pytest.raises(InvalidParameterError, match="kl_weight"):
        vae(architecture=Variational(kl_weight=-1.0)).fit(X)


def test_variational_is_reproducible_and_saves(digits, tmp_path):
    X, _ = digits
    first, second = vae(epochs=2).fit(X), vae(epochs=2).fit(X)
    np.testing.assert_array_equal(first.transform(X), second.transform(X))
    loaded = skae.load(first.save(tmp_path / "vae.skae"))
    assert loaded.architecture_ == first.architecture_
    np.testing.assert_array_equal(loaded.transform(X), first.transform(X))
    np.testing.assert_array_equal(loaded.sample(4, random_state=0), first.sample(4, random_state=0))
    unpickled = pickle.loads(pickle.dumps(first))
    np.testing.assert_array_equal(unpickled.transform(X), first.transform(X))
    # the saved network keeps its variance head: training continues from it
    loaded.set_params(warm_start=True, epochs=1).fit(X)
    assert loaded.n_iter_ == 3


def test_variational_settings_are_searchable():
    est = vae(architecture=Variational(base=Dense(hidden_layer_sizes=(16,))))
    est.set_params(architecture__kl_weight=0.5, architecture__base__hidden_layer_sizes=(8,))
    assert est.architecture == Variational(base=Dense(hidden_layer_sizes=(8,)), kl_weight=0.5)
    assert clone(est).architecture == est.architecture


# --------------------------------------------------------------- sequence


def test_sequence_reads_rows_as_sequences(digits):
    X, _ = digits
    est = AutoencoderTransformer(4, architecture=Sequence(sequence_shape=(8, 8), units=8),
                                 epochs=2, random_state=0).fit(X)
    assert est.architecture_ == Sequence(sequence_shape=(8, 8), units=8)
    lstm = est.encoder_.get_layer("encoder_lstm")
    assert lstm.input.shape[1:] == (8, 8)
    assert est.transform(X[:5]).shape == (5, 4)
    assert est.inverse_transform(est.transform(X[:5])).shape == (5, 64)
    again = AutoencoderTransformer(4, architecture=Sequence(sequence_shape=(8, 8), units=8),
                                   epochs=2, random_state=0).fit(X)
    np.testing.assert_array_equal(est.transform(X), again.transform(X))


def test_sequence_defaults_to_a_univariate_series():
    assert Sequence().resolve(24).sequence_shape == (24, 1)


@pytest.mark.parametrize("shape, error, message", [
    ((5, 5), ValueError, "holds 25 values, but X has 64 features"),
    ((64,), InvalidParameterError, "sequence_shape"),
    ((8, 0), InvalidParameterError, "sequence_shape"),
])
def test_sequence_bad_shape(digits, shape, error, message):
    X, _ = digits
    with pytest.raises(error, match=message):
        AutoencoderTransformer(architecture=Sequence(sequence_shape=shape), epochs=1).fit(X)


def test_sequence_beats_pca_on_a_nonlinear_family_of_waves():
    # sines of random amplitude, frequency and phase (plus a little noise):
    # three numbers describe each one, but not linearly, so PCA's best three
    # components cannot; the LSTM code of three can
    rng = np.random.RandomState(0)
    t = np.linspace(0, 1, 24)
    params = rng.uniform([0.2, 1.0, 0.0], [0.45, 3.0, 2 * np.pi], size=(600, 3))
    X = 0.5 + params[:, :1] * np.sin(2 * np.pi * params[:, 1:2] * t + params[:, 2:])
    X = (X + 0.01 * rng.standard_normal(X.shape)).astype(np.float32)
    X_train, X_test = X[:500], X[500:]
    pca = PCA(3).fit(X_train)
    pca_mse = np.mean((X_test - pca.inverse_transform(pca.transform(X_test))) ** 2)
    est = AutoencoderTransformer(3, architecture=Sequence(units=32), epochs=60, batch_size=16,
                                 learning_rate=1e-2, random_state=0).fit(X_train)
    mse = np.mean((X_test - est.inverse_transform(est.transform(X_test))) ** 2)
    assert mse < 0.5 * pca_mse, (mse, pca_mse)


# ---------------------------------------------------------- skae compare


def test_compare_runs_the_new_kinds_on_images(digits):
    from skae.compare import MODELS, Budget, Split, compare_models, make_model

    assert {"variational", "sequence"} <= set(MODELS)
    assert make_model("sequence", 4, image_shape=(8, 8)).architecture == Sequence(
        sequence_shape=(8, 8))
    X, y = digits
    split = Split(X[:300], X[300:400], y[:300], y[300:400], image_shape=(8, 8))
    rows, fitted = compare_models(["variational", "sequence"], split, n_components=4,
                                  budget=Budget(epochs=1))
    assert [row["method"] for row in rows] == ["variational", "sequence"]
    assert fitted["sequence"].architecture_ == Sequence(sequence_shape=(8, 8), units=64)
    assert fitted["variational"].architecture_.base == Dense(hidden_layer_sizes=(256,))
