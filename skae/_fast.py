"""Faster paths than plain Keras, in one place, behind one switch.

Knows nothing about scikit-learn.  With the switch off (the environment
variable ``SKAE_PLAIN_KERAS=1``, or inside :func:`plain_keras`), training
feeds dense row batches (a ``keras.utils.PyDataset``) to Keras's ``fit``
with a compiled one-step function and Keras's default ``jit_compile``, the
loss is computed from the probabilities, and inference calls Keras's
``predict_on_batch``.  ``tests/test_fast.py`` checks each path below against
that plain one.  What each path saves (2 CPU cores, MNIST t10k[:8000],
784-32-784, batch 256, TensorFlow unless said):

* **gather**: the training data are copied once into a non-trainable
  variable of the training step, which gathers each batch by index, so
  batches never go through Python or ``tf.data``.  Together with
  **multi-step** (up to :data:`~skae._backend.MAX_STEPS_PER_EXECUTION` steps
  per compiled call) and **XLA** (dense networks, large fits,
  :data:`~skae._backend.XLA_MIN_WORK`), epochs ran at 0.22x to 0.27x the
  time of the blog's plain ``model.fit`` (``benchmarks/bench_speed.py``).
* **eager**: fits of at most :data:`~skae._backend.EAGER_MAX_STEPS` steps skip
  compiling the step (about 0.5 s), which the estimator checks and searches
  on small data repeat hundreds of times.  On TensorFlow they also skip the
  ``tf.data`` pipeline Keras's ``fit`` builds for any input (32 ms a fit,
  again for validation data): :func:`fit_function` runs Keras's own fit loop
  (its ``train_function``, ``CallbackList`` and metrics) over the batches
  directly.  A tiny fit (20 x 5, 4 steps) took a median 0.098 s this way and
  0.139 s through ``fit``; ``tests/test_common.py`` took 29 to 30 s against
  51 to 53 s (2 cores, alternating runs).
* **reused steps** (in :mod:`skae._training`, where the trainers are): a
  compiled fit of a new network of a structure and settings seen before
  trains on the step compiled for the earlier one, its weights and
  optimizer state copied in and out.  A grid search of 4 candidates x 5
  folds (10 epochs on 6,400 images a fit): the later fits spent a median
  0.057 s outside their training steps instead of 0.747 s on TensorFlow,
  0.041 instead of 0.349 s on JAX, and the search took 10.5 s instead of
  24.2 s on TensorFlow (``benchmarks/bench_search.py``, at c5120d5).
* **NumPy inference**: a functional chain of ``Dense`` layers (the dense
  kind's networks) on a CPU runs as NumPy products over its Keras weights,
  read afresh at each call: one-row ``transform`` about 1 ms instead of
  Keras's 140 ms (``predict``) on TensorFlow, 10,000 rows 0.07x of Keras's
  ``predict``.

Under a ``tf.distribute`` strategy or a Keras distribution every step is
compiled and runs one step per call (Keras's multi-step loop does not run
there).
"""

import contextlib
import dataclasses
import functools
import os

import numpy as np
from scipy import special

from . import _backend

__all__ = ["TrainingPlan", "enabled", "fit_function", "index_batches", "numpy_predictor",
           "plain_keras", "plan_training"]

_switch = {"plain": None}


def enabled():
    """Whether the fast paths are on (the default)."""
    plain = _switch["plain"]
    if plain is None:
        plain = os.environ.get("SKAE_PLAIN_KERAS") == "1"
    return not plain


@contextlib.contextmanager
def plain_keras():
    """Run every fit and inference inside the block through plain Keras."""
    previous = _switch["plain"]
    _switch["plain"] = True
    try:
        yield
    finally:
        _switch["plain"] = previous


@dataclasses.dataclass(frozen=True)
class TrainingPlan:
    """How one fit runs: how batches reach the step, and how the step is compiled.

    Attributes
    ----------
    feed : {"gather", "arrays", "batches"}
        ``"gather"``: the data live in the step, batches are row indices;
        ``"arrays"``: the rows, copied once in visiting order (``partial_fit``
        chunks, whose compiled step is reused); ``"batches"``: a
        ``PyDataset`` densifying one batch at a time (plain Keras, and
        sparse data too large to densify at once).
    steps_per_execution : int
        Training steps per compiled call.
    jit_compile : bool or "auto"
        Keras's ``jit_compile``.
    run_eagerly : bool
        Keras's ``run_eagerly``.
    """

    feed: str
    steps_per_execution: int = 1
    jit_compile: object = "auto"
    run_eagerly: bool = False


def _steps_per_execution(steps, epochs):
    """Largest divisor of ``steps`` not above ``MAX_STEPS_PER_EXECUTION``.

    A compiled call must not run past the end of an epoch, so the number of
    steps it runs has to divide the steps of an epoch.
    """
    if steps * epochs < _backend.MIN_STEPS_FOR_MULTI_STEP:
        return 1
    limit = min(steps, _backend.MAX_STEPS_PER_EXECUTION)
    return max(d for d in range(1, limit + 1) if steps % d == 0)


def plan_training(*, n_rows, n_features, steps, epochs, sparse, stream, xla_on_cpu, noise):
    """The :class:`TrainingPlan` of a fit.

    Parameters
    ----------
    n_rows, n_features : int
        Size of the training data (rows trained on, and all features).
    steps, epochs : int
        Training steps per epoch, and epochs.
    sparse : bool
        Whether the data are a sparse matrix too large to densify at once.
    stream : bool
        Whether this is a ``partial_fit`` chunk (the step is reused).
    xla_on_cpu : bool
        Whether the network kind gains from XLA on a CPU.
    noise : bool
        Whether the inputs get noise in training (XLA's random numbers were
        about 25 times slower than TensorFlow's own on a CPU).
    """
    distributed = _backend.distributed()
    if not enabled():
        return TrainingPlan(feed="arrays" if stream else "batches")
    feed = "arrays" if stream else "batches" if sparse else "gather"
    if _backend.backend() != "tensorflow":
        jit_compile = "auto"  # JAX compiles every step with XLA anyway
    else:
        jit_compile = (xla_on_cpu and not noise and not distributed
                       and float(n_rows) * n_features * epochs >= _backend.XLA_MIN_WORK)
    eager = (not stream and not distributed and steps * epochs <= _backend.EAGER_MAX_STEPS
             and _backend.backend() in ("tensorflow", "jax"))
    return TrainingPlan(
        feed=feed,
        steps_per_execution=1 if distributed else _steps_per_execution(steps, epochs),
        jit_compile=jit_compile,
        run_eagerly=eager,
    )


# --------------------------------------------------------------- eager loop


class _ArrayBatches:
    """Batches ``((a[i], b[i]),)`` of two arrays, cut as Keras's ``fit`` cuts them."""

    def __init__(self, arrays, batch_size):
        self.arrays, self.batch_size = arrays, batch_size

    def __len__(self):
        return -(-len(self.arrays[0]) // self.batch_size)

    def __getitem__(self, i):
        sl = slice(i * self.batch_size, (i + 1) * self.batch_size)
        return (tuple(a[sl] for a in self.arrays),)


def _indexable(x, batch_size):
    """Index-addressable batches of ``fit``'s ``x``: a PyDataset, or two arrays."""
    import keras

    return x if isinstance(x, keras.utils.PyDataset) else _ArrayBatches(x, batch_size)


def _logged(logs):
    import keras

    return {key: float(keras.ops.convert_to_numpy(value)) for key, value in logs.items()}


def _fit_eagerly(trainer, *, x, epochs, steps_per_epoch, verbose, callbacks, batch_size=None,
                 validation_data=None, validation_batch_size=None, shuffle=False):
    """Keras's ``fit`` loop for an eager fit on TensorFlow, without ``tf.data``.

    Takes ``fit``'s arguments as :func:`skae._training.train` passes them
    (batches already in visiting order, so ``shuffle`` is False) and runs the
    same steps with the same callbacks, logs and history; batch ``k`` of
    ``x`` is the ``k``-th step of the whole fit (epoch ``k // steps_per_epoch``).
    """
    import keras

    batches = _indexable(x, batch_size)
    validation = None
    if validation_data is not None:
        data = validation_data[0] if isinstance(validation_data, tuple) else validation_data
        validation = _indexable(data, validation_batch_size)
    steps = steps_per_epoch
    callbacks = keras.callbacks.CallbackList(
        callbacks, add_history=True, add_progbar=verbose != 0, verbose=verbose, epochs=epochs,
        steps=steps, model=trainer,
    )
    trainer.make_train_function()
    if validation is not None:
        trainer.make_test_function()
    trainer.stop_training = False
    callbacks.on_train_begin()
    epoch_logs = None
    for epoch in range(epochs):
        trainer.reset_metrics()
        callbacks.on_epoch_begin(epoch)
        for step in range(steps):
            callbacks.on_train_batch_begin(step)
            logs = trainer.train_function(iter([batches[epoch * steps + step]]))
            callbacks.on_train_batch_end(step, _logged(logs))
            if trainer.stop_training:
                break
        epoch_logs = _logged(trainer.get_metrics_result())
        if validation is not None:
            callbacks.on_test_begin()
            trainer.reset_metrics()
            for step in range(len(validation)):
                callbacks.on_test_batch_begin(step)
                logs = trainer.test_function(iter([validation[step]]))
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


# ------------------------------------------------------------ index batches


def index_batches(arrays, batch_size, *, eager=False):
    """``fit``'s ``x`` for arrays of row indices and weights, batched in order.

    On TensorFlow (outside any distribution, and not for the eager loop of
    :func:`fit_function`, ``eager=True``, which indexes the arrays itself) a
    ``tf.data`` pipeline with tf.data's autotuning turned off; elsewhere the
    arrays themselves, which Keras batches the same way.  Why: Keras's
    pipeline for arrays autotunes, and deleting its iterator at the end of
    ``fit`` waited for the autotuner's thread (784-32-784 on 8,000 MNIST
    images, 50 epochs, 2 cores, fresh processes, time from the last callback
    to ``fit`` returning):
    Keras's arrays 1.12 s in 1 of 4 processes, this pipeline with autotuning
    on 0.26 and 2.55 s in 2 of 4, with it off at most 0.4 ms in 4, with the
    same losses to the last digit and the same time per epoch; the blog's
    own ``model.fit`` stalled the same way, up to 4.3 s, when given one
    iterator for all epochs.  Since: at most 2 ms over 10 fresh processes
    (``benchmarks/bench_whole_fit.py --pairs 10``).  The one place skae
    builds a ``tf.data`` pipeline; ``tests/test_fast.py`` checks that it
    trains exactly as the arrays do.
    """
    if eager or _backend.backend() != "tensorflow" or _backend.distributed():
        return {"x": list(arrays), "batch_size": batch_size}
    import tensorflow as tf

    options = tf.data.Options()
    options.autotune.enabled = False
    options.experimental_optimization.apply_default_optimizations = False
    dataset = tf.data.Dataset.from_tensor_slices((tuple(arrays),)).batch(batch_size)
    return {"x": dataset.with_options(options)}


def fit_function(trainer, plan):
    """``trainer.fit``, or for an eager fit on TensorFlow the same loop without ``tf.data``."""
    if plan.run_eagerly and _backend.backend() == "tensorflow":
        return functools.partial(_fit_eagerly, trainer)
    return trainer.fit


# ----------------------------------------------------------- NumPy inference
# In place on float32 arrays; the same formulas and constants as
# keras.activations (leaky_relu's default slope 0.2, exact gelu, selu's
# constants).  tests/test_fast.py compares each with Keras's.

_SELU_ALPHA = np.float32(1.6732632423543772)
_SELU_SCALE = np.float32(1.0507009873554805)


def _relu(z):
    return np.maximum(z, 0.0, out=z)


def _sigmoid(z):
    # 1 / (1 + exp(-z)): NumPy's vectorised exp makes this about three times
    # faster than scipy.special.expit (max relative error 2.3e-7 against
    # float64); exp overflows to inf for z < -88, and 1 / inf is the right 0.
    with np.errstate(over="ignore"):
        np.negative(z, out=z)
        np.exp(z, out=z)
        z += np.float32(1.0)
        return np.reciprocal(z, out=z)


def _elu(z):
    np.copyto(z, np.expm1(np.minimum(z, 0.0)), where=z <= 0)
    return z


def _selu(z):
    np.copyto(z, _SELU_ALPHA * np.expm1(np.minimum(z, 0.0)), where=z <= 0)
    return np.multiply(z, _SELU_SCALE, out=z)


def _gelu(z):
    return np.multiply(z, 0.5 * (1.0 + special.erf(z * np.float32(1 / np.sqrt(2)))), out=z)


def _silu(z):
    return np.multiply(z, _sigmoid(z.copy()), out=z)


def _leaky_relu(z):
    np.copyto(z, np.float32(0.2) * z, where=z < 0)
    return z


NUMPY_ACTIVATIONS = {
    "relu": _relu, "sigmoid": _sigmoid, "tanh": lambda z: np.tanh(z, out=z),
    "linear": lambda z: z, "elu": _elu, "selu": _selu, "gelu": _gelu,
    "softplus": lambda z: np.logaddexp(np.float32(0.0), z, out=z), "silu": _silu,
    "leaky_relu": _leaky_relu,
}


@functools.cache
def _activation_names():
    """Keras's activation functions, mapped to the names above."""
    import keras

    return {keras.activations.get(name): name for name in NUMPY_ACTIVATIONS}


def dense_steps(model):
    """The layers of ``model`` as ``[(kernel, bias, activation name), ...]``, or None.

    ``model`` must be a functional chain of ``Dense`` layers with built-in
    activations, each optionally followed by an ``Activation`` layer (nested
    models are followed into).  ``kernel`` and ``bias`` are the Keras
    variables themselves (``bias`` is None for a layer without one).
    """
    import keras

    inputs, outputs = getattr(model, "inputs", None), getattr(model, "outputs", None)
    if not inputs or not outputs or len(inputs) != 1 or len(outputs) != 1:
        return None  # a subclassed model (its call could do anything), or several inputs
    steps = []
    names = _activation_names()
    for layer in model.layers:
        if isinstance(layer, keras.layers.InputLayer):
            continue
        if isinstance(layer, keras.Model):
            inner = dense_steps(layer)
            if inner is None:
                return None
            steps.extend(inner)
        elif type(layer) is keras.layers.Dense:
            name = names.get(layer.activation)
            if name is None or layer.quantization_mode is not None or layer.lora_enabled:
                return None
            steps.append([layer.kernel, layer.bias, name])
        elif type(layer) is keras.layers.Activation:
            name = names.get(layer.activation)
            if name is None or not steps or steps[-1][2] != "linear":
                return None
            steps[-1][2] = name
        else:
            return None
    return [tuple(step) for step in steps] or None


def numpy_predictor(model):
    """``predict(block, rows)`` running ``model`` with NumPy, or None.

    None when the fast paths are off, on an accelerator, or for a network
    that is not a chain of ``Dense`` layers.  The products run on the whole
    fixed-shape block of :data:`~skae._backend.NUMPY_BLOCK_ROWS` rows; the
    last layer's bias and activation only on the ``rows`` asked for
    (element-wise, so the same).  The weights are read when the predictor is
    made: make one per call.
    """
    if not enabled() or not _backend.cpu_only():
        return None
    steps = dense_steps(model)
    if steps is None:
        return None
    weights = [
        (np.asarray(_backend.to_numpy(kernel), dtype=np.float32),
         None if bias is None else np.asarray(_backend.to_numpy(bias), dtype=np.float32),
         NUMPY_ACTIVATIONS[name])
        for kernel, bias, name in steps
    ]
    last = len(weights) - 1

    def predict(block, rows):
        h = block
        for i, (kernel, bias, activation) in enumerate(weights):
            h = h @ kernel
            if i == last:
                h = h[:rows]
            if bias is not None:
                h += bias
            h = activation(h)
        return h

    return predict
