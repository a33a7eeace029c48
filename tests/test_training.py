"""The training loop: small fits run eagerly without Keras's input pipeline."""

import keras
import numpy as np
import pytest

from skae import AutoencoderTransformer, _training
from skae._architectures import build_dense_autoencoder


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


def _trainer_and_data(seed=0):
    rng = np.random.default_rng(seed)
    X = rng.random((40, 6)).astype(np.float32)
    _, encoder, decoder = build_dense_autoencoder(6, 2, seed=3)
    trainer = _training.make_trainer(
        encoder, decoder, loss="binary_crossentropy", optimizer=keras.optimizers.Adam(1e-2),
        data=X, run_eagerly=True,
    )
    rows = np.arange(30)
    indices, weights, steps = _training._epoch_plans(rows, 8, 3, True, rng)
    val_rows = np.arange(30, 40, dtype=np.int32)
    val_weights = _training._normalized_weights(10, 8, 10)
    return trainer, indices, weights, steps, val_rows, val_weights


@pytest.mark.skipif(keras.backend.backend() != "tensorflow", reason="the loop replaces "
                    "the TensorFlow trainer's fit for eager fits; JAX fits go through Keras")
@pytest.mark.parametrize("stop_after_epoch", [None, 1])
def test_eager_loop_equals_keras_fit(stop_after_epoch):
    """Same steps, weights, history and callback calls as Keras's own fit."""
    results = []
    for use_keras in (True, False):
        trainer, indices, weights, steps, val_rows, val_weights = _trainer_and_data()
        recorder = Recorder(stop_after_epoch)
        if use_keras:
            history = trainer.fit(
                [indices, weights], batch_size=8, epochs=3, steps_per_epoch=steps,
                shuffle=False, verbose=0, callbacks=[recorder],
                validation_data=([val_rows, val_weights], None), validation_batch_size=8,
            )
        else:
            history = _training._fit_eagerly(
                trainer, _training._ArrayBatches(indices, weights, 8),
                _training._ArrayBatches(val_rows, val_weights, 8), epochs=3, steps=steps,
                verbose=0, callbacks=[recorder],
            )
        results.append((history.history, recorder.calls,
                        [keras.ops.convert_to_numpy(w) for w in trainer.weights]))
    (keras_history, keras_calls, keras_weights), (history, calls, weights) = results
    assert history == keras_history
    assert len(history["loss"]) == (2 if stop_after_epoch == 1 else 3)
    assert calls == keras_calls
    for a, b in zip(weights, keras_weights):
        np.testing.assert_array_equal(a, b)


def test_small_fits_run_eagerly_and_large_ones_compiled(monkeypatch):
    """The eager loop serves fits of at most EAGER_MAX_STEPS steps."""
    seen = []
    original = _training.make_trainer

    def spy(*args, **kwargs):
        trainer = original(*args, **kwargs)
        seen.append(trainer.run_eagerly)
        return trainer

    monkeypatch.setattr(_training, "make_trainer", spy)
    X = np.random.default_rng(0).random((64, 5))
    AutoencoderTransformer(n_components=2, epochs=3, batch_size=16, random_state=0).fit(X)
    AutoencoderTransformer(n_components=2, epochs=4, batch_size=16, random_state=0).fit(X)
    assert seen == [True, False]  # 12 steps eager, 16 compiled
