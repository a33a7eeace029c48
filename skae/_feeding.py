"""How a fit's batches reach Keras: the row order, the batch weights, and the loop that runs them.

:func:`epoch_plans` draws every epoch's row order and the weights that make
each batch's loss its real rows' mean; :func:`make_feed` turns them into a
:class:`Feed` for the plan's ``feed`` (row indices, copied rows, or rows
densified batch by batch); :func:`run_fit` runs Keras's ``fit`` on it, or,
for an eager fit on TensorFlow, Keras's own fit loop over the batches
without ``tf.data``.

Knows nothing about scikit-learn, the estimator or which network is
trained; the plan comes from :mod:`skae._plan`.
"""

import dataclasses
import math

import keras
import numpy as np

from . import _backend
from ._arrays import dense_float32

__all__ = ["Batches", "Feed", "epoch_plans", "make_feed", "normalized_weights", "run_fit"]


def normalized_weights(n, batch_size, length):
    """Weights of ``length`` rows cut into batches, the first ``n`` real.

    Each batch's real rows weigh one over their number, padding rows zero, so
    a batch's weights sum to one and the weighted sum of per-sample losses is
    the mean over the batch's real rows.
    """
    weights = np.zeros(length, dtype=np.float32)
    for start in range(0, n, batch_size):
        stop = min(start + batch_size, n)
        weights[start:stop] = 1.0 / (stop - start)
    return weights


def epoch_plans(rows, batch_size, epochs, shuffle, rng):
    """Row indices and weights of every step, padded to full batches; and steps per epoch."""
    n = len(rows)
    steps = math.ceil(n / batch_size)
    padded = steps * batch_size
    indices = np.zeros((epochs, padded), dtype=np.int32)
    for epoch in range(epochs):
        indices[epoch, :n] = rows[rng.permutation(n)] if shuffle else rows
    weights = np.tile(normalized_weights(n, batch_size, padded), epochs)
    return indices.reshape(-1), weights, steps


class Batches(keras.utils.PyDataset):
    """Batch ``i`` is ``((a[i*b:(i+1)*b], w[...]),)`` of two arrays, as Keras's ``fit`` cuts them.

    With ``X``, the first array holds row indices of ``X`` and each batch
    carries those rows, densified to float32 (sparse or dense ``X``).
    """

    def __init__(self, arrays, batch_size, X=None):
        super().__init__()
        self.arrays, self.batch_size, self.X = tuple(arrays), batch_size, X

    def __len__(self):
        return math.ceil(len(self.arrays[0]) / self.batch_size)

    def __getitem__(self, i):
        sl = slice(i * self.batch_size, (i + 1) * self.batch_size)
        first, *rest = (a[sl] for a in self.arrays)
        if self.X is not None:
            first = dense_float32(self.X[first])
        return ((first, *rest),)


@dataclasses.dataclass
class Feed:
    """A fit's training batches and validation batches, as the plan delivers them.

    ``train`` and ``validation`` are :class:`Batches` (``validation`` None
    without validation rows).  When ``train`` densifies rows of ``X`` batch by
    batch (the ``"batches"`` feed), Keras gets the batches themselves; other
    feeds hand Keras their arrays.
    """

    train: Batches
    validation: Batches | None

    def keras_arguments(self):
        """``fit``'s ``x`` and validation arguments delivering these batches."""
        if self.train.X is not None:
            kwargs = {"x": self.train}
            if self.validation is not None:
                kwargs["validation_data"] = self.validation
            return kwargs
        kwargs = _keras_arrays(self.train)
        if self.validation is not None:
            validation = _keras_arrays(self.validation)
            if "batch_size" in validation:  # arrays, batched by Keras
                kwargs["validation_data"] = (validation["x"], None)
                kwargs["validation_batch_size"] = validation["batch_size"]
            else:
                kwargs["validation_data"] = validation["x"]
        return kwargs


def make_feed(plan, X, indices, weights, batch_size, validation_rows):
    """The :class:`Feed` of the plan's batches (and of ``validation_rows``, if any)."""
    if plan.feed == "gather":
        train = Batches((indices, weights), batch_size)
    elif plan.feed == "arrays":
        # A chunk for partial_fit, made dense and copied once in the plan's row
        # order: its memory is the caller's choice of chunk size.  (Rows
        # densified per batch would not copy, but the reused trainer keeps
        # every PyDataset it was given alive, with its chunk, for as long as
        # the trainer lives.)
        train = Batches((dense_float32(X)[indices], weights), batch_size)
    else:
        train = Batches((indices, weights), batch_size, X)
    validation = None
    if validation_rows is not None and len(validation_rows):
        rows = np.asarray(validation_rows, dtype=np.int32)
        validation = Batches((rows, normalized_weights(len(rows), batch_size, len(rows))),
                             batch_size, None if plan.feed == "gather" else X)
    return Feed(train, validation)


def _keras_arrays(batches):
    """``fit``'s ``x`` for two arrays batched in order.

    On TensorFlow (outside any distribution) a ``tf.data`` pipeline with
    tf.data's autotuning turned off; elsewhere the arrays themselves, which
    Keras batches the same way.  Why: Keras's pipeline for arrays autotunes,
    and deleting its iterator at the end of ``fit`` waits for the
    autotuner's thread, which in some processes stalled ``fit``'s return by
    seconds after the last epoch; with autotuning off there is no such
    thread, and the batches, the losses and the time per epoch are the same.
    ``benchmarks/bench_whole_fit.py`` measures the time from the last
    callback to ``fit`` returning in every run.  The one place skae builds a
    ``tf.data`` pipeline; ``tests/test_fast.py`` checks that it trains
    exactly as the arrays do.
    """
    arrays, batch_size = batches.arrays, batches.batch_size
    if _backend.backend() != "tensorflow" or _backend.distributed():
        return {"x": list(arrays), "batch_size": batch_size}
    import tensorflow as tf

    options = tf.data.Options()
    options.autotune.enabled = False
    options.experimental_optimization.apply_default_optimizations = False
    dataset = tf.data.Dataset.from_tensor_slices((tuple(arrays),)).batch(batch_size)
    return {"x": dataset.with_options(options)}


# ------------------------------------------------------------ running a fit


def run_fit(trainer, plan, feed, **fit_arguments):
    """Run ``trainer.fit`` on ``feed``; return Keras's ``History``.

    ``fit_arguments`` are ``fit``'s others (``epochs``, ``steps_per_epoch``,
    ``verbose``, ``callbacks``; batches are already in visiting order).  An
    eager fit on TensorFlow runs :func:`_fit_eagerly` instead: the same steps
    with the same callbacks, logs and history, without the ``tf.data``
    pipeline Keras's ``fit`` builds for any input (and again for validation
    data), a fixed cost that dominates a fit of a few steps.
    ``benchmarks/bench_small_fits.py`` times small fits and the estimator
    checks through this loop and through Keras's ``fit(run_eagerly=True)``;
    ``tests/test_fast.py::test_eager_loop_equals_keras_fit`` checks that both
    train alike.
    """
    if plan.run_eagerly and _backend.backend() == "tensorflow":
        return _fit_eagerly(trainer, feed, **fit_arguments)
    return trainer.fit(shuffle=False, **feed.keras_arguments(), **fit_arguments)


def _logged(logs):
    return {key: float(keras.ops.convert_to_numpy(value)) for key, value in logs.items()}


def _fit_eagerly(trainer, feed, *, epochs, steps_per_epoch, verbose, callbacks):
    """Keras's ``fit`` loop over ``feed``'s batches: batch ``k`` is the ``k``-th step of the fit."""
    steps = steps_per_epoch
    callbacks = keras.callbacks.CallbackList(
        callbacks, add_history=True, add_progbar=verbose != 0, verbose=verbose, epochs=epochs,
        steps=steps, model=trainer,
    )
    trainer.make_train_function()
    if feed.validation is not None:
        trainer.make_test_function()
    trainer.stop_training = False
    callbacks.on_train_begin()
    epoch_logs = None
    for epoch in range(epochs):
        trainer.reset_metrics()
        callbacks.on_epoch_begin(epoch)
        for step in range(steps):
            callbacks.on_train_batch_begin(step)
            logs = trainer.train_function(iter([feed.train[epoch * steps + step]]))
            callbacks.on_train_batch_end(step, _logged(logs))
            if trainer.stop_training:
                break
        epoch_logs = _logged(trainer.get_metrics_result())
        if feed.validation is not None:
            callbacks.on_test_begin()
            trainer.reset_metrics()
            for step in range(len(feed.validation)):
                callbacks.on_test_batch_begin(step)
                logs = trainer.test_function(iter([feed.validation[step]]))
                callbacks.on_test_batch_end(step, _logged(logs))
            val_logs = _logged(trainer.get_metrics_result())
            callbacks.on_test_end(val_logs)
            epoch_logs.update({f"val_{key}": value for key, value in val_logs.items()})
        callbacks.on_epoch_end(epoch, epoch_logs)
        if trainer.stop_training:
            break
    if epochs > 0:
        trainer.optimizer.finalize_variable_values(trainer.trainable_weights)
    callbacks.on_train_end(logs=epoch_logs)
    return trainer.history
