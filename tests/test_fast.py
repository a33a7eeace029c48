"""The faster paths (skae._plan, _feeding, _step_cache, _numpy_inference) against plain Keras."""

import logging
import warnings

import keras
import numpy as np
import pytest

from skae import (
    AutoencoderTransformer,
    _feeding,
    _numpy_inference,
    _plan,
    _step_cache,
    config_context,
)
from skae._activations import ACTIVATIONS as REGISTRY
from skae._backend import to_numpy
from skae._inference import (
    _RETRACING_FILTER,
    INFERENCE_BATCH_SIZE,
    batch_predictor,
    mean_squared_errors,
    predict_batched,
)
from skae._numpy_inference import NUMPY_BLOCK_ROWS
from skae.architectures import ACTIVATIONS, Conv, Dense


def _randomize(model, rng):
    """Random weights and biases, so every activation sees both signs."""
    for variable in model.weights:
        variable.assign(rng.normal(size=variable.shape).astype(np.float32))


# ---------------------------------------------------------- NumPy inference


def test_every_accepted_activation_has_keras_numpy_and_onnx_forms():
    assert ACTIVATIONS == frozenset(REGISTRY)  # the kinds accept what the registry holds
    for name, entry in REGISTRY.items():
        assert entry.name == name and callable(entry.numpy) and callable(entry.onnx)
        assert keras.activations.get(name) is not None


@pytest.mark.parametrize("activation", sorted(ACTIVATIONS))
def test_numpy_activations_equal_keras_activations(activation):
    """Each activation on a grid of inputs, through an identity Dense layer."""
    grid = np.linspace(-8, 8, 64 * 8, dtype=np.float32).reshape(-1, 8)
    inputs = keras.Input((8,))
    layer = keras.layers.Dense(8, activation=activation)
    model = keras.Model(inputs, layer(inputs))
    layer.kernel.assign(np.eye(8, dtype=np.float32))
    expected = keras.ops.convert_to_numpy(keras.activations.get(activation)(grid))
    np.testing.assert_allclose(predict_batched(model, grid, 8), expected, rtol=2e-6, atol=2e-7)


@pytest.mark.parametrize("activation", sorted(ACTIVATIONS))
def test_numpy_inference_matches_keras_for_every_activation(activation):
    rng = np.random.default_rng(0)
    model, encoder, decoder = Dense(hidden_layer_sizes=(7,), activation=activation).build(
        12, 3, output_activation=activation, seed=0)
    _randomize(model, rng)
    X = (3 * rng.normal(size=(150, 12))).astype(np.float32)
    Z = (3 * rng.normal(size=(150, 3))).astype(np.float32)
    for network, data in [(encoder, X), (decoder, Z), (model, X)]:
        steps = _numpy_inference.dense_steps(network)
        assert steps is not None and [name for _, _, name in steps][-1] == activation
        assert batch_predictor(network)[1] == NUMPY_BLOCK_ROWS  # the NumPy path
        expected = np.asarray(network.predict_on_batch(data))
        got = predict_batched(network, data, expected.shape[1])
        assert got.dtype == np.float32
        np.testing.assert_allclose(got, expected, rtol=1e-4, atol=1e-4 * np.abs(expected).max())
        with config_context(faster_paths=False):  # the switch off: Keras's predict_on_batch
            assert batch_predictor(network)[1] == INFERENCE_BATCH_SIZE
            plain = predict_batched(network, data, expected.shape[1])
        np.testing.assert_allclose(got, plain, rtol=1e-4, atol=1e-4 * np.abs(expected).max())


def test_to_numpy_copies_a_variable_without_numpy_warnings():
    variable = keras.Variable(np.arange(6, dtype=np.float32).reshape(2, 3))
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # NumPy 2's DeprecationWarning for np.array(variable)
        value = to_numpy(variable)
    np.testing.assert_array_equal(value, np.arange(6).reshape(2, 3))
    variable.assign(np.zeros((2, 3), np.float32))
    np.testing.assert_array_equal(value, np.arange(6).reshape(2, 3))  # a copy, not a view


def test_numpy_inference_reads_the_current_weights():
    """Weights changed through Keras after a fit are used by the next call."""
    X = np.random.default_rng(0).random((40, 6))
    est = AutoencoderTransformer(n_components=2, epochs=2, batch_size=16, random_state=0).fit(X)
    before = est.transform(X)
    kernel = est.encoder_.get_layer("code").kernel
    kernel.assign(2.0 * keras.ops.convert_to_numpy(kernel) + 0.5)
    after = est.transform(X)
    assert np.abs(after - before).max() > 0.1
    np.testing.assert_allclose(after, np.asarray(est.encoder_.predict_on_batch(X)),
                               rtol=1e-5, atol=1e-5)


def _outputs(est, X):
    codes = est.transform(X)
    return codes, est.inverse_transform(codes), est.score_samples(X)


def _through_keras(est, X):
    """The same outputs read through Keras's predict_on_batch."""
    with config_context(faster_paths=False):
        return _outputs(est, X)


def test_reading_the_fitted_networks_changes_nothing(tmp_path):
    # model_, encoder_ and decoder_ are plain reads: no state they change, and inference
    # afterwards takes the same path to the same outputs
    X = np.random.default_rng(0).random((40, 6))
    est = AutoencoderTransformer(n_components=2, epochs=2, batch_size=16, random_state=0).fit(X)
    first = _outputs(est, X)
    state = dict(vars(est))
    assert est.model_ is state["model_"] and est.encoder_ is not None and est.decoder_ is not None
    assert dict(vars(est)) == state
    for a, b in zip(first, _outputs(est, X)):
        np.testing.assert_array_equal(a, b)
    assert not isinstance(getattr(type(est), "model_", None), property)


class _KeepsTheModel(keras.callbacks.Callback):
    """A user's callback that keeps a reference to the network it trained."""

    kept = []

    def on_train_end(self, logs=None):
        _KeepsTheModel.kept.append(self.model)


def _perturb(model):
    for variable in model.weights:
        variable.assign(1.5 * to_numpy(variable) + 0.1)


def _keras_fit(est, X, early):
    model = est.model_
    model.compile(optimizer=keras.optimizers.Adam(0.05), loss="mse")
    model.fit(X, X, epochs=3, batch_size=8, verbose=0)


#: Every way the weights can change after a first inference (one ``_outputs``
#: call), with ``early``: references read before it.
WEIGHT_CHANGES = {
    "model_ read after the copies": lambda est, X, early: _perturb(est.model_),
    "encoder_ read before the copies": lambda est, X, early: _perturb(early["encoder"]),
    "decoder_ read before the copies": lambda est, X, early: _perturb(early["decoder"]),
    "Keras's own fit of model_": _keras_fit,
    "model_ replaced": lambda est, X, early: setattr(
        est, "model_", keras.models.clone_model(early["model"])),
    "a callback's kept reference": lambda est, X, early: _perturb(_KeepsTheModel.kept[-1]),
    "a new fit": lambda est, X, early: est.set_params(random_state=1).fit(X),
    "a warm start": lambda est, X, early: est.set_params(warm_start=True, epochs=3).fit(X),
    "partial_fit": lambda est, X, early: est.partial_fit(X),
}


@pytest.mark.parametrize("change", list(WEIGHT_CHANGES))
def test_changes_made_through_keras_are_always_seen(change):
    """After each way of changing the weights, outputs equal Keras's on the current network."""
    X = np.random.default_rng(0).random((40, 6))
    callbacks = [_KeepsTheModel()] if change == "a callback's kept reference" else None
    est = AutoencoderTransformer(n_components=2, architecture="dense", epochs=2, batch_size=16,
                                 random_state=0, callbacks=callbacks).fit(X)
    early = {}
    if change.endswith("read before the copies"):
        early = {"encoder": est.encoder_, "decoder": est.decoder_}
    elif change == "model_ replaced":
        early = {"model": est.model_}
    before = _outputs(est, X)
    WEIGHT_CHANGES[change](est, X, early)
    expected = _through_keras(est, X)
    assert max(np.abs(a - b).max() for a, b in zip(before, expected)) > 1e-3  # it changed
    for got, want in zip(_outputs(est, X), expected):
        np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-5)


def test_mean_squared_errors_match_predictions():
    rng = np.random.default_rng(1)
    model, _, _ = Dense().build(9, 2, output_activation="sigmoid", seed=3)
    X = rng.random((130, 9)).astype(np.float32)
    reconstruction = predict_batched(model, X, 9)
    expected = np.mean((X.astype(np.float64) - reconstruction) ** 2, axis=1)
    np.testing.assert_array_equal(mean_squared_errors(model, X), expected)


def test_other_networks_run_through_keras():
    model, encoder, decoder = Conv(filters=(4,)).build(64, 4, output_activation="sigmoid", seed=0)
    for network in (model, encoder, decoder):
        assert _numpy_inference.dense_steps(network) is None
        assert batch_predictor(network)[1] == INFERENCE_BATCH_SIZE
    inputs = keras.Input((5,))  # a layer the NumPy path does not know, in a dense chain
    outputs = keras.layers.Dense(2)(keras.layers.Dropout(0.5)(keras.layers.Dense(4)(inputs)))
    assert _numpy_inference.dense_steps(keras.Model(inputs, outputs)) is None
    inputs = keras.Input((5,))  # an activation it does not know
    hard = keras.layers.Dense(2, activation="hard_sigmoid")(inputs)
    assert _numpy_inference.dense_steps(keras.Model(inputs, hard)) is None
    a, b = keras.Input((3,)), keras.Input((3,))  # two inputs
    assert _numpy_inference.dense_steps(keras.Model([a, b], keras.layers.Add()([a, b]))) is None

    class Residual(keras.Model):  # a subclassed model, whose call its layers do not describe
        def __init__(self):
            super().__init__()
            self.dense = keras.layers.Dense(4)

        def call(self, x):
            return x + self.dense(x)

    residual = Residual()
    x = np.random.default_rng(4).random((3, 4)).astype(np.float32)
    assert _numpy_inference.dense_steps(residual) is None
    # through Keras, and right: x + x W + b computed apart in float64
    residual(x)  # build
    kernel, bias = (to_numpy(v).astype(np.float64) for v in (residual.dense.kernel,
                                                             residual.dense.bias))
    np.testing.assert_allclose(predict_batched(residual, x, 4), x + x @ kernel + bias,
                               rtol=1e-5, atol=1e-6)


def test_conv_transform_equals_the_keras_encoder():
    X = np.random.default_rng(2).random((30, 64)).astype(np.float32)
    est = AutoencoderTransformer(n_components=3, architecture=Conv(filters=(4,)), epochs=1,
                                 batch_size=16, random_state=0).fit(X)
    padded = np.zeros((INFERENCE_BATCH_SIZE, 64), np.float32)
    padded[:30] = X
    np.testing.assert_array_equal(est.transform(X),
                                  np.asarray(est.encoder_.predict_on_batch(padded))[:30])


@pytest.mark.skipif(keras.backend.backend() != "tensorflow",
                    reason="TensorFlow's tf.function retracing warning")
def test_new_networks_do_not_warn_of_retracing(caplog):
    X = np.random.default_rng(3).random((20, 16)).astype(np.float32)
    with caplog.at_level(logging.WARNING, logger="tensorflow"):
        for seed in range(7):  # each network's predict step traced once, at its first call
            AutoencoderTransformer(2, architecture=Conv(filters=(2,)), epochs=1,
                                   random_state=seed).fit(X).transform(X)
    assert not [r for r in caplog.records if "retracing" in r.getMessage()]
    # the filter drops only that message, and only around skae's own calls
    assert not logging.getLogger("tensorflow").filters
    record = logging.LogRecord("tensorflow", logging.WARNING, __file__, 1,
                               "5 out of the last 5 calls to <function my_step> triggered "
                               "tf.function retracing.", None, None)
    assert _RETRACING_FILTER.filter(record)


# ----------------------------------------------------------------- training


@pytest.fixture
def plans(monkeypatch):
    """Records the plan of every fit."""
    seen = []
    original = _plan.plan_training

    def spy(**kwargs):
        plan = original(**kwargs)
        seen.append(plan)
        return plan

    monkeypatch.setattr(_plan, "plan_training", spy)
    return seen


def test_small_fits_run_eagerly_and_large_ones_compiled(plans):
    X = np.random.default_rng(0).random((64, 5))
    AutoencoderTransformer(n_components=2, epochs=3, batch_size=16, random_state=0).fit(X)
    AutoencoderTransformer(n_components=2, epochs=4, batch_size=16, random_state=0).fit(X)
    assert [p.run_eagerly for p in plans] == [True, False]  # 12 steps eager, 16 compiled
    assert [p.feed for p in plans] == ["gather", "gather"]


#: The fast and plain paths differ in float rounding only: gathering rows
#: inside the step and feeding them is the same arithmetic, but XLA fuses
#: operations in another order.
FAST_RTOL = 2e-3


@pytest.mark.parametrize(
    "params",
    [
        dict(epochs=2, batch_size=64),  # eager, cross-entropy of probabilities
        dict(epochs=12, batch_size=64),  # compiled, several steps per call
        dict(epochs=12, batch_size=64, loss="mse", output_activation="linear",
             architecture=Dense(hidden_layer_sizes=(16,))),
        dict(epochs=8, batch_size=64, activity_l1=1e-3, noise_stddev=0.2,
             validation_fraction=0.2, early_stopping=True, n_iter_no_change=2),
    ],
    ids=["eager", "multi-step", "deep-mse", "validation-noise-l1"],
)
def test_fast_training_equals_plain_keras(digits, params, plans):
    X, _ = digits
    fast = AutoencoderTransformer(n_components=6, random_state=0, **params).fit(X)
    with config_context(faster_paths=False):
        plain = AutoencoderTransformer(n_components=6, random_state=0, **params).fit(X)
    assert plans[0].feed == "gather" and plans[1] == _plan.TrainingPlan(feed="batches")
    assert fast.history_.keys() == plain.history_.keys()
    for key in fast.history_:
        np.testing.assert_allclose(fast.history_[key], plain.history_[key], rtol=FAST_RTOL,
                                   err_msg=key)
    assert fast.best_epoch_ == plain.best_epoch_
    np.testing.assert_allclose(fast.transform(X), plain.transform(X), rtol=FAST_RTOL,
                               atol=FAST_RTOL * np.abs(plain.transform(X)).max())


@pytest.mark.skipif(keras.backend.backend() != "tensorflow",
                    reason="XLA is chosen on TensorFlow; JAX compiles every step with XLA")
def test_xla_training_equals_plain_keras(digits, plans, monkeypatch):
    monkeypatch.setattr(_plan, "XLA_MIN_WORK", 0)
    X, _ = digits
    params = dict(n_components=6, architecture="dense", epochs=12, batch_size=64, random_state=0)
    fast = AutoencoderTransformer(**params).fit(X)
    with config_context(faster_paths=False):
        plain = AutoencoderTransformer(**params).fit(X)
    assert plans[0].jit_compile is True
    np.testing.assert_allclose(fast.loss_curve_, plain.loss_curve_, rtol=FAST_RTOL)
    np.testing.assert_allclose(fast.transform(X), plain.transform(X), rtol=FAST_RTOL,
                               atol=FAST_RTOL * np.abs(plain.transform(X)).max())


def test_partial_fit_plain_and_fast_agree(digits):
    X, _ = digits
    fast = AutoencoderTransformer(n_components=6, random_state=0)
    with config_context(faster_paths=False):
        plain = AutoencoderTransformer(n_components=6, random_state=0)
        for chunk in np.array_split(X, 3):
            plain.partial_fit(chunk)
    for chunk in np.array_split(X, 3):
        fast.partial_fit(chunk)
    np.testing.assert_allclose(fast.loss_curve_, plain.loss_curve_, rtol=FAST_RTOL)


class Recorder(keras.callbacks.Callback):
    """Records every hook called, with the logs rounded."""

    def __init__(self, stop_after_epoch=None):
        super().__init__()
        self.calls = []
        self.stop_after_epoch = stop_after_epoch

    def _record(self, hook, index=None, logs=None):
        logs = {key: round(float(value), 5) for key, value in (logs or {}).items()}
        self.calls.append((hook, index, logs))

    def on_train_begin(self, logs=None):
        self._record("train_begin")

    def on_epoch_begin(self, epoch, logs=None):
        self._record("epoch_begin", epoch)

    def on_train_batch_begin(self, batch, logs=None):
        self._record("train_batch_begin", batch)

    def on_train_batch_end(self, batch, logs=None):
        self._record("train_batch_end", batch, logs)

    def on_test_begin(self, logs=None):
        self._record("test_begin")

    def on_test_batch_end(self, batch, logs=None):
        self._record("test_batch_end", batch, logs)

    def on_test_end(self, logs=None):
        self._record("test_end", None, logs)

    def on_epoch_end(self, epoch, logs=None):
        self._record("epoch_end", epoch, logs)
        if epoch == self.stop_after_epoch:
            self.model.stop_training = True

    def on_train_end(self, logs=None):
        self._record("train_end", None, logs)


@pytest.mark.skipif(keras.backend.backend() != "tensorflow", reason="the loop replaces "
                    "the TensorFlow trainer's fit for eager fits; JAX fits go through Keras")
@pytest.mark.parametrize("stop_after_epoch", [None, 1])
def test_eager_loop_equals_keras_fit(stop_after_epoch):
    """Same steps, weights, history and callback calls as Keras's own fit."""
    from skae._feeding import Batches, Feed, epoch_plans, normalized_weights, run_fit
    from skae._settings import TrainingSettings
    from skae._training import AutoencoderTrainer

    results = []
    for use_keras in (True, False):
        rng = np.random.default_rng(0)
        X = rng.random((40, 6)).astype(np.float32)
        architecture = Dense()
        autoencoder, _, _ = architecture.build(6, 2, output_activation="sigmoid", seed=3)
        settings = TrainingSettings(loss="binary_crossentropy", epochs=3, batch_size=8)
        trainer = AutoencoderTrainer(architecture, autoencoder, settings, data=X)
        trainer.compile(optimizer=keras.optimizers.Adam(1e-2), run_eagerly=True)
        indices, weights, steps = epoch_plans(np.arange(30), 8, 3, True, rng)
        val_rows = np.arange(30, 40, dtype=np.int32)
        feed = Feed(Batches((indices, weights), 8),
                    Batches((val_rows, normalized_weights(10, 8, 10)), 8))
        recorder = Recorder(stop_after_epoch)
        plan = _plan.TrainingPlan(feed="gather", run_eagerly=not use_keras)
        history = run_fit(trainer, plan, feed, epochs=3, steps_per_epoch=steps, verbose=0,
                          callbacks=[recorder])
        results.append((history.history, recorder.calls,
                        [keras.ops.convert_to_numpy(w) for w in trainer.weights]))
    (keras_history, keras_calls, keras_weights), (history, calls, weights) = results
    assert history == keras_history
    assert len(history["loss"]) == (2 if stop_after_epoch == 1 else 3)
    assert calls == keras_calls
    for a, b in zip(weights, keras_weights, strict=True):
        np.testing.assert_array_equal(a, b)


@pytest.mark.skipif(keras.backend.backend() != "tensorflow",
                    reason="the tf.data pipeline is built on TensorFlow only")
def test_index_pipeline_trains_exactly_as_the_arrays_do(digits, monkeypatch):
    # the pipeline exists to stop deleting Keras's iterator from waiting on
    # tf.data's autotuner after the last epoch; it must change nothing else
    X, _ = digits
    built = _feeding._keras_arrays(_feeding.Batches([np.arange(10), np.ones(10)], 4))["x"]
    assert built.options().autotune.enabled is False
    params = dict(n_components=6, epochs=12, batch_size=64, random_state=0,
                  validation_fraction=0.2)
    piped = AutoencoderTransformer(**params).fit(X)
    monkeypatch.setattr(_feeding, "_keras_arrays",
                        lambda batches: {"x": list(batches.arrays),
                                         "batch_size": batches.batch_size})
    arrays = AutoencoderTransformer(**params).fit(X)
    assert piped.history_ == arrays.history_
    np.testing.assert_array_equal(piped.transform(X), arrays.transform(X))


# ------------------------------------------------------ compiled steps reused


@pytest.fixture
def new_trainers(monkeypatch):
    """The trainers built while a test runs (none kept from earlier tests)."""
    from skae import _training

    made = []
    original = _training._new_trainer

    def spy(*args, **kwargs):
        made.append(original(*args, **kwargs))
        return made[-1]

    _step_cache.SHARED_STEPS.clear()
    monkeypatch.setattr(_training, "_new_trainer", spy)
    yield made
    _step_cache.SHARED_STEPS.clear()


def _compiled(**params):
    # 29 steps an epoch on the digits: compiled, several steps per call
    return AutoencoderTransformer(**{"n_components": 6, "epochs": 12, "batch_size": 64,
                                     "random_state": 0, **params})


def test_new_networks_of_a_seen_structure_train_on_the_kept_step(digits, new_trainers):

    X, _ = digits
    first = _compiled().fit(X[:1438])
    kept = [w.copy() for w in first.model_.get_weights()]
    other_fold = _compiled().fit(X[:1437])  # the training folds of a 5-fold split
    second = _compiled().fit(X[:1438])
    assert len(new_trainers) == 1
    # the kept step trains exactly as a new one would
    assert second.history_ == first.history_
    _step_cache.SHARED_STEPS.clear()
    alone = _compiled().fit(X[:1437])
    assert len(new_trainers) == 2
    assert alone.history_ == other_fold.history_
    np.testing.assert_array_equal(alone.transform(X), other_fold.transform(X))
    # training the others through it left the first estimator's network alone
    for before, after in zip(kept, first.model_.get_weights(), strict=True):
        np.testing.assert_array_equal(before, after)
    # another structure, or settings the step depends on, get a step of their own
    _compiled(n_components=5).fit(X)
    _compiled(activity_l1=1e-4).fit(X)
    assert len(new_trainers) == 4


def test_optimizer_state_continues_through_a_kept_step(digits, new_trainers):

    X, _ = digits
    shared = _compiled(warm_start=True).fit(X)
    _compiled(random_state=1, learning_rate=0.01).fit(X[::-1])  # trains on the kept step
    shared.set_params(epochs=3).fit(X)
    assert len(new_trainers) == 1
    _step_cache.SHARED_STEPS.clear()
    alone = _compiled(warm_start=True).fit(X)
    _step_cache.SHARED_STEPS.clear()
    alone.set_params(epochs=3).fit(X)
    assert shared.history_ == alone.history_
    np.testing.assert_array_equal(shared.transform(X), alone.transform(X))
