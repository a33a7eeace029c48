"""Deep, sparse, denoising and convolutional autoencoders; training controls."""

import copy
import re

import keras
import numpy as np
import pytest
from sklearn.base import clone
from sklearn.utils._param_validation import InvalidParameterError

from skae import AutoencoderTransformer
from skae._settings import TrainingSettings
from skae.architectures import Conv, Dense, Sequence


def small(**params):
    # the Keras blog's kinds, whose training controls these tests exercise
    defaults = dict(n_components=8, architecture="dense", epochs=5, batch_size=64, random_state=0)
    defaults.update(params)
    return AutoencoderTransformer(**defaults)


# ---------------------------------------------------------------- sparse


def test_activity_l1_makes_codes_smaller(digits):
    X, _ = digits
    plain = small(epochs=15).fit(X)
    sparse = small(epochs=15, activity_l1=1e-2).fit(X)
    plain_mean = plain.transform(X).mean()
    sparse_mean = sparse.transform(X).mean()
    assert sparse_mean < 0.7 * plain_mean, (sparse_mean, plain_mean)


# ------------------------------------------------------------- denoising


def test_noise_is_added_in_training_only(digits):
    from skae._training import AutoencoderTrainer

    X, _ = digits
    est = small(noise_stddev=0.5, epochs=2).fit(X)
    # transform is the encoder's output, without noise
    np.testing.assert_allclose(est.transform(X[:256]), est.encoder_.predict_on_batch(X[:256]),
                               rtol=1e-5, atol=1e-6)

    settings = TrainingSettings(loss="mse", epochs=1, batch_size=32, noise_stddev=0.5,
                                clip_noise=True)
    trainer = AutoencoderTrainer(est.architecture_, est.model_, settings, seed=0)
    x = X[:32]
    w = np.full(32, 1 / 32, np.float32)  # a batch's weights sum to one
    clean = keras.ops.convert_to_numpy(trainer((x, w), training=False)[0])
    np.testing.assert_allclose(clean, est.model_.predict_on_batch(x), rtol=1e-5, atol=1e-6)
    noisy = keras.ops.convert_to_numpy(trainer((x, w), training=True)[0])
    assert np.abs(noisy - clean).max() > 1e-3
    # the training loss compares with the clean input, not the noisy one
    expected = np.mean(np.mean((x - noisy) ** 2, axis=1))
    np.testing.assert_allclose(float(keras.ops.convert_to_numpy(trainer.losses[-1])), expected,
                               rtol=1e-4)


def test_denoising_reconstructs_noisy_images_closer_to_the_clean_ones(digits):
    X, _ = digits
    X_train, X_test = X[:1400], X[1400:]
    noisy = np.clip(X_test + np.random.default_rng(0).normal(0, 0.3, X_test.shape), 0, 1)
    params = dict(n_components=32, architecture="dense", epochs=100, batch_size=32,
                  random_state=0)
    plain = AutoencoderTransformer(**params).fit(X_train)
    denoising = AutoencoderTransformer(noise_stddev=0.3, **params).fit(X_train)

    def error(est):
        return np.mean((est.inverse_transform(est.transform(noisy)) - X_test) ** 2)

    # measured over seeds 0-2: 0.0213-0.0215 against 0.0297-0.0309 (the noisy input: 0.0506)
    assert error(denoising) < 0.85 * error(plain)


# ----------------------------------------------------------------- conv


def test_conv_infers_square_image(digits):
    X, _ = digits
    est = small(architecture="conv", epochs=2).fit(X)
    assert est.architecture_ == Conv(filters=(32, 64), image_shape=(8, 8, 1))
    assert est.transform(X).shape == (len(X), 8)
    assert est.inverse_transform(est.transform(X[:3])).shape == (3, 64)
    conv_layers = [layer for layer in est.encoder_.layers if "conv" in layer.name]
    assert [layer.filters for layer in conv_layers] == [32, 64]


def test_conv_needs_image_shape_when_not_square():
    X = np.random.RandomState(0).rand(20, 10)
    with pytest.raises(ValueError, match="The conv architecture needs image_shape: 10 features"):
        small(architecture="conv").fit(X)


def test_conv_with_explicit_shape_and_channels():
    X = np.random.RandomState(0).rand(40, 5 * 7 * 2).astype(np.float32)
    est = small(architecture=Conv(image_shape=(5, 7, 2), filters=(4, 6)), epochs=2)
    est.fit(X)
    assert est.architecture_.image_shape == (5, 7, 2)
    assert est.inverse_transform(est.transform(X)).shape == X.shape
    est2 = small(architecture=Conv(image_shape=(7, 10)), epochs=1).fit(X)
    assert est2.architecture_.image_shape == (7, 10, 1)


def test_conv_infers_the_size_marked_minus_one():
    X = np.random.RandomState(0).rand(40, 10).astype(np.float32)
    est = small(architecture=Conv(image_shape=(-1, 1), filters=(4, 6)), epochs=2).fit(X)
    assert est.architecture_.image_shape == (10, 1, 1)
    assert est.get_params()["architecture"].image_shape == (-1, 1)  # the parameter is kept
    assert est.inverse_transform(est.transform(X)).shape == X.shape
    assert Conv(image_shape=(2, -1, 3)).resolve(42).image_shape == (2, 7, 3)
    assert Sequence(sequence_shape=(-1, 28)).resolve(784).sequence_shape == (28, 28)


@pytest.mark.parametrize(
    "image_shape, error, message",
    [
        ((4, 4), ValueError, "image_shape=(4, 4) holds 16 values, but X has 64 features"),
        ((8, 8, 1, 1), InvalidParameterError, "The 'image_shape' parameter"),
        ((8, -8), InvalidParameterError, "The 'image_shape' parameter"),
        ((-1, -1), InvalidParameterError, "one of them may be -1"),
        ((-1, 0), InvalidParameterError, "The 'image_shape' parameter"),
        ((-1, 5), ValueError, "image_shape=(-1, 5) cannot hold the 64 features of X: 64 is not "
                              "a multiple of 5"),
        ([8, 8], InvalidParameterError, "The 'image_shape' parameter"),
    ],
)
def test_conv_bad_image_shape(digits, image_shape, error, message):
    X, _ = digits
    with pytest.raises(error, match=re.escape(message)):
        small(architecture=Conv(image_shape=image_shape)).fit(X)


# ------------------------------------------------ validation and stopping


class RecordWeights(keras.callbacks.Callback):
    def __init__(self):
        super().__init__()
        self.weights = []

    def on_epoch_end(self, epoch, logs=None):
        self.weights.append(self.model.encoder.get_weights())


def test_validation_loss_in_history(digits):
    X, _ = digits
    est = small(validation_fraction=0.25, epochs=3).fit(X)
    assert len(est.history_["val_loss"]) == 3 == len(est.history_["loss"])
    assert est.best_epoch_ == 3


def test_early_stopping_stops_and_restores_best_weights(digits):
    X, _ = digits
    est = small(
        validation_fraction=0.2, early_stopping=True, n_iter_no_change=2, epochs=300,
        learning_rate=0.05, callbacks=[RecordWeights()],
    ).fit(X)
    val = est.history_["val_loss"]
    assert est.n_iter_ < 300 and len(val) == est.n_iter_
    best = int(np.argmin(val))
    assert est.best_epoch_ == best + 1
    assert est.n_iter_ == est.best_epoch_ + 2  # stopped after n_iter_no_change bad epochs
    recorded = est.callbacks_[0].weights
    assert len(recorded) == est.n_iter_
    for now, then in zip(est.encoder_.get_weights(), recorded[best]):
        np.testing.assert_array_equal(now, then)
    assert any(not np.array_equal(a, b) for a, b in zip(recorded[-1], recorded[best]))


def test_early_stopping_without_validation_monitors_training_loss(digits):
    X, _ = digits
    est = small(early_stopping=True, n_iter_no_change=1, tol=10.0, epochs=50).fit(X)
    # with an absurd tol no epoch improves on the first: stop after epoch 2
    assert est.n_iter_ == 2 and est.best_epoch_ == 1


def test_validation_fraction_too_large_for_data():
    X = np.random.RandomState(0).rand(1, 4)
    with pytest.raises(ValueError, match="n_samples=1"):
        small(validation_fraction=0.5).fit(X)


def test_verbose_progress_bar_shows_losses(digits, capfd):
    X, _ = digits
    small(verbose=1, validation_fraction=0.2, epochs=2).fit(X)
    out = capfd.readouterr().out
    assert "Epoch 1/2" in out and "Epoch 2/2" in out
    assert "loss" in out and "val_loss" in out


# ---------------------------------------------------- callbacks, warm start


def test_callbacks_are_copied_and_clone_safe(digits):
    X, _ = digits
    recorder = RecordWeights()
    est = small(callbacks=[recorder], epochs=2)
    cloned = clone(est)
    assert cloned.callbacks is not est.callbacks
    est.fit(X)
    assert recorder.weights == []  # the object passed is untouched
    assert len(est.callbacks_[0].weights) == 2
    assert est.callbacks_[0].model is None
    copy.deepcopy(est)  # a fitted estimator with callbacks still copies


class CountBatches(keras.callbacks.Callback):
    def on_train_begin(self, logs=None):
        self.batches = []

    def on_train_batch_end(self, batch, logs=None):
        self.batches.append(batch)


class RaiseAtBatch3(keras.callbacks.Callback):
    def on_train_batch_end(self, batch, logs=None):
        if batch == 3:
            raise RuntimeError("stopped at batch 3")


def test_batch_hooks_see_every_batch_under_the_defaults(digits):
    # Keras's contract: a callback's batch hooks run on every training batch (unless the
    # user asks for steps_per_execution); the default budget runs many steps per call
    X, _ = digits
    est = AutoencoderTransformer(4, random_state=0, callbacks=[CountBatches()]).fit(X)
    batches = est.callbacks_[0].batches
    steps = max(batches) + 1
    assert steps > 1 and est.n_iter_ > 1
    assert batches == list(range(steps)) * est.n_iter_
    counted = []  # a LambdaCallback's hook, set on the instance, counts too
    est = AutoencoderTransformer(4, random_state=0, epochs=3, callbacks=[
        keras.callbacks.LambdaCallback(on_train_batch_end=lambda b, logs: counted.append(b))])
    est.fit(X)
    assert counted == list(range(steps)) * 3


def test_a_batch_hook_that_raises_stops_the_fit_and_restores(digits):
    X, _ = digits
    est = AutoencoderTransformer(4, random_state=0, callbacks=[RaiseAtBatch3()])
    with pytest.raises(RuntimeError, match="batch 3"):
        est.fit(X)
    assert not hasattr(est, "model_")
    est.set_params(callbacks=None).fit(X[:200])
    weights = [w.copy() for w in est.model_.get_weights()]
    with pytest.raises(RuntimeError, match="batch 3"):
        est.set_params(callbacks=[RaiseAtBatch3()], warm_start=True).fit(X)
    assert all(np.array_equal(a, b) for a, b in zip(weights, est.model_.get_weights()))


def test_warm_start_continues_and_cold_start_restarts(digits):
    X, _ = digits
    est = small(epochs=3, warm_start=True).fit(X)
    model, first_curve = est.model_, list(est.loss_curve_)
    est.fit(X)
    assert est.model_ is model
    assert est.n_iter_ == 6 and est.loss_curve_[:3] == first_curve
    assert est.loss_curve_[3] < first_curve[-1] + 1e-3

    est.set_params(warm_start=False).fit(X)
    assert est.model_ is not model and est.n_iter_ == 3
    np.testing.assert_array_equal(est.transform(X), small(epochs=3).fit(X).transform(X))


def test_warm_start_refuses_a_changed_network(digits):
    X, _ = digits
    est = small(epochs=1, warm_start=True).fit(X)
    with pytest.raises(ValueError, match="n_components changed"):
        est.set_params(n_components=3).fit(X)
    assert est.n_components_ == 8


def test_partial_fit_after_fit_continues_the_same_network(digits):
    X, _ = digits
    est = small(epochs=3).fit(X)
    model = est.model_
    before = est.transform(X[:10])
    est.partial_fit(X)
    assert est.model_ is model and est.n_iter_ == 4 and len(est.loss_curve_) == 4
    assert not np.array_equal(est.transform(X[:10]), before)


def test_partial_fit_streams_chunks(digits):
    X, _ = digits
    est = small()
    for _ in range(6):
        for chunk in np.array_split(X, 4):
            est.partial_fit(chunk)
    assert est.n_iter_ == 24
    assert est.loss_curve_[-1] < est.loss_curve_[0]
    with pytest.raises(ValueError, match="X has 10 features"):
        est.partial_fit(X[:, :10])
    assert est.n_iter_ == 24


def test_partial_fit_rejects_bce_data_outside_unit_interval(digits):
    X, _ = digits
    est = small().partial_fit(X[:100])
    assert est.loss_ == "binary_crossentropy"
    with pytest.raises(ValueError, match=r"needs training data in \[0, 1\]"):
        est.partial_fit(X[:100] * 16)
    assert est.n_iter_ == 1


def test_deep_dense_architecture(digits):
    X, _ = digits
    est = small(architecture=Dense(hidden_layer_sizes=[32, 16]), epochs=2).fit(X)
    assert est.architecture_ == Dense(hidden_layer_sizes=(32, 16))
    assert est.architecture == Dense(hidden_layer_sizes=[32, 16])  # the parameter is untouched


def test_partial_fit_follows_changed_training_parameters(digits):
    X, _ = digits
    est = small().partial_fit(X)
    first_trainer = est._stream_steps._trainer
    est.partial_fit(X)
    assert est._stream_steps._trainer is first_trainer  # compiled once for a stream
    est.set_params(noise_stddev=0.2).partial_fit(X)
    assert est._stream_steps._trainer is not first_trainer and est._stream_steps._trainer.settings.noise_stddev == 0.2
    est.set_params(optimizer="sgd").partial_fit(X)
    assert type(est._optimizer).__name__ == "SGD"
    assert est._stream_steps._trainer.optimizer is est._optimizer
    assert est.n_iter_ == 4


def test_partial_fit_after_fit_rejects_bce_data_outside_unit_interval(digits):
    X, _ = digits
    est = small(epochs=1).fit(X)
    with pytest.raises(ValueError, match=r"needs training data in \[0, 1\]"):
        est.partial_fit(X * 16)
    assert est.n_iter_ == 1
