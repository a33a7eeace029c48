"""Inference: NumPy products for dense networks, Keras for the others."""

import keras
import numpy as np
import pytest

from skae import AutoencoderTransformer
from skae._architectures import build_conv_autoencoder, build_dense_autoencoder
from skae._autoencoder import ACTIVATIONS
from skae._inference import (
    INFERENCE_BATCH_SIZE,
    NUMPY_BLOCK_ROWS,
    batch_predictor,
    dense_steps,
    mean_squared_errors,
    predict_batched,
)


def _randomize(model, rng):
    """Random weights and biases, so every activation sees both signs."""
    for variable in model.weights:
        variable.assign(rng.normal(size=variable.shape).astype(np.float32))


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
    model, encoder, decoder = build_dense_autoencoder(
        12, 3, hidden_layer_sizes=(7,), activation=activation, output_activation=activation,
        seed=0,
    )
    _randomize(model, rng)
    X = (3 * rng.normal(size=(150, 12))).astype(np.float32)
    Z = (3 * rng.normal(size=(150, 3))).astype(np.float32)
    for network, data in [(encoder, X), (decoder, Z), (model, X)]:
        steps = dense_steps(network)
        assert steps is not None and [name for _, _, name in steps][-1] == activation
        predict, block_rows = batch_predictor(network)
        assert block_rows == NUMPY_BLOCK_ROWS  # the NumPy path (a CPU machine)
        expected = np.asarray(network.predict_on_batch(data))
        got = predict_batched(network, data, expected.shape[1])
        assert got.dtype == np.float32
        np.testing.assert_allclose(got, expected, rtol=1e-4, atol=1e-4 * np.abs(expected).max())


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


def test_mean_squared_errors_match_predictions():
    rng = np.random.default_rng(1)
    model, _, _ = build_dense_autoencoder(9, 2, seed=3)
    X = rng.random((130, 9)).astype(np.float32)
    reconstruction = predict_batched(model, X, 9)
    expected = np.mean((X.astype(np.float64) - reconstruction) ** 2, axis=1)
    np.testing.assert_array_equal(mean_squared_errors(model, X), expected)


def test_other_networks_run_through_keras():
    model, encoder, decoder = build_conv_autoencoder((8, 8, 1), 4, filters=(4,), seed=0)
    for network in (model, encoder, decoder):
        assert dense_steps(network) is None
        assert batch_predictor(network)[1] == INFERENCE_BATCH_SIZE
    # a layer the NumPy path does not know, in an otherwise dense chain
    inputs = keras.Input((5,))
    outputs = keras.layers.Dense(2)(keras.layers.Dropout(0.5)(keras.layers.Dense(4)(inputs)))
    assert dense_steps(keras.Model(inputs, outputs)) is None
    # an activation it does not know
    inputs = keras.Input((5,))
    assert dense_steps(keras.Model(inputs, keras.layers.Dense(2, activation="hard_sigmoid")(inputs))) is None
    # two inputs
    a, b = keras.Input((3,)), keras.Input((3,))
    assert dense_steps(keras.Model([a, b], keras.layers.Add()([a, b]))) is None

    # a subclassed model, whose call the layers do not describe
    class Residual(keras.Model):
        def __init__(self):
            super().__init__()
            self.dense = keras.layers.Dense(4)

        def call(self, x):
            return x + self.dense(x)

    residual = Residual()
    x = np.ones((3, 4), np.float32)
    expected = np.asarray(residual.predict_on_batch(x))
    assert dense_steps(residual) is None
    np.testing.assert_allclose(predict_batched(residual, x, 4), expected, rtol=1e-6)


def test_conv_transform_equals_the_keras_encoder():
    X = np.random.default_rng(2).random((30, 64)).astype(np.float32)
    est = AutoencoderTransformer(n_components=3, architecture="conv", hidden_layer_sizes=(4,),
                                 epochs=1, batch_size=16, random_state=0).fit(X)
    padded = np.zeros((INFERENCE_BATCH_SIZE, 64), np.float32)
    padded[:30] = X
    np.testing.assert_array_equal(est.transform(X),
                                  np.asarray(est.encoder_.predict_on_batch(padded))[:30])
