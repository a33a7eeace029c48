"""The training plan: how one fit's batches reach the step, and how the step is compiled.

Holds the policy (:func:`plan_training`) and the constants it decides by,
each with the reason for it.  With ``faster_paths=False``
(:func:`skae.set_config`), every fit gets the plain plan: dense row
batches to Keras's ``fit``, one compiled step per call, Keras's default
``jit_compile``.

Knows nothing about scikit-learn, the estimator or how the plan is carried
out (:mod:`skae._feeding` feeds the batches, :mod:`skae._step_cache` keeps
compiled steps).

The faster paths and what they save:

* **gather** (``feed="gather"``): the training data are copied once into a
  non-trainable variable of the training step, which gathers each batch by
  index, so batches never go through Python.  With **multi-step** (up to
  :data:`MAX_STEPS_PER_EXECUTION` steps per compiled call) and **XLA**,
  an epoch takes a fraction of the blog's plain ``model.fit``'s
  (``benchmarks/bench_speed.py`` prints the ratio).
* **eager** (``run_eagerly``): fits of at most :data:`EAGER_MAX_STEPS`
  steps skip compiling the step, which the estimator checks and searches on
  small data repeat hundreds of times; on TensorFlow they also skip the
  ``tf.data`` pipeline Keras's ``fit`` builds (:mod:`skae._feeding`).

Under a ``tf.distribute`` strategy or a Keras distribution every step is
compiled and runs one step per call (Keras's multi-step loop does not run
there).
"""

import dataclasses

from . import _backend
from ._config import get_config

__all__ = ["EAGER_MAX_STEPS", "MAX_STEPS_PER_EXECUTION", "MIN_STEPS_FOR_MULTI_STEP",
           "XLA_MIN_WORK", "TrainingPlan", "plan_training"]

#: Most training steps run per compiled call (Keras's ``steps_per_execution``):
#: 32 steps cover an epoch of 8,000 rows in batches of 256 in one call (the
#: blog's MNIST fit: one call per epoch); a call runs a divisor of an epoch's
#: steps (see :func:`_steps_per_execution`).  Not tuned beyond that.
MAX_STEPS_PER_EXECUTION = 32

#: Fits with fewer training steps than this run one step per call: compiling
#: the multi-step loop is a fixed cost that a short fit does not earn back.
MIN_STEPS_FOR_MULTI_STEP = 64

#: Training work (samples x features x epochs) above which compiling a dense
#: network's step with XLA on TensorFlow pays for its compile time, a fixed
#: cost: the blog's MNIST fit (8,000 x 784 x 10 epochs and more) is above it,
#: the digits (1,797 x 64) and the default network's fits of typical tables
#: below, where XLA's compile is not earned back (``benchmarks/bench_speed.py``
#: and ``benchmarks/tabular.py`` show the fits on either side).
XLA_MIN_WORK = 5e7

#: Fits of at most this many training steps run eagerly.  Compiling a step
#: costs about as much as a dozen eager steps on both backends, so below that
#: (tiny data sets, a few epochs: the estimator checks, searches on small
#: data) an eager fit is the faster; ``benchmarks/bench_small_fits.py`` times
#: small fits eagerly and compiled, and the estimator checks each way.
EAGER_MAX_STEPS = 12

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
    if steps * epochs < MIN_STEPS_FOR_MULTI_STEP:
        return 1
    limit = min(steps, MAX_STEPS_PER_EXECUTION)
    return max(d for d in range(1, limit + 1) if steps % d == 0)


def _no_conv_or_recurrent_layers(network):
    """Whether XLA speeds up training ``network`` on a CPU.

    Dense, activation and reshaping layers gain (XLA fuses their small
    element-wise operations); convolutions lose (the conv kind's epochs were
    several times slower with XLA, ``docs/notes.rst``), and recurrent layers
    are not compiled with XLA on a CPU (XLA's recurrent loop trained a long
    sequence to another result, ``docs/notes.rst``).
    """
    import keras

    slow = (keras.layers.Conv1D, keras.layers.Conv2D, keras.layers.Conv3D,
            keras.layers.Conv1DTranspose, keras.layers.Conv2DTranspose,
            keras.layers.Conv3DTranspose, keras.layers.RNN)
    for layer in network.layers:
        if isinstance(layer, keras.Model):
            if not _no_conv_or_recurrent_layers(layer):
                return False
        elif isinstance(layer, slow) or isinstance(getattr(layer, "layer", None), slow):
            return False
    return True


def plan_training(*, network, settings, n_rows, n_features, steps, sparse, stream,
                  batch_hooks=False):
    """The :class:`TrainingPlan` of a fit.

    Parameters
    ----------
    network : keras.Model
        The network trained (its layers decide whether XLA pays off).
    settings : skae._settings.TrainingSettings
        How the fit trains (its ``epochs``; its ``noise_stddev``: XLA's random
        numbers were about 25 times slower than TensorFlow's own on a CPU).
    n_rows, n_features : int
        Size of the training data (rows trained on, and all features).
    steps : int
        Training steps per epoch.
    sparse : bool
        Whether the data are a sparse matrix too large to densify at once.
    stream : bool
        Whether this is a ``partial_fit`` chunk (the step is reused).
    batch_hooks : bool, default=False
        Whether a callback of the user's has batch hooks.  Keras calls batch
        hooks once per compiled call, so such a fit runs one step per call:
        its hooks see every batch, as they do in Keras's own ``fit`` unless
        the user asks for ``steps_per_execution``.
    """
    distributed = _backend.distributed()
    epochs, noise = settings.epochs, settings.noise_stddev > 0
    if not get_config()["faster_paths"]:
        return TrainingPlan(feed="arrays" if stream else "batches")
    feed = "arrays" if stream else "batches" if sparse else "gather"
    if _backend.backend() != "tensorflow":
        jit_compile = "auto"  # JAX compiles every step with XLA anyway
    else:
        jit_compile = (not noise and not distributed
                       and float(n_rows) * n_features * epochs >= XLA_MIN_WORK
                       and _no_conv_or_recurrent_layers(network))
    eager = (not stream and not distributed and steps * epochs <= EAGER_MAX_STEPS
             and _backend.backend() in ("tensorflow", "jax"))
    return TrainingPlan(
        feed=feed,
        steps_per_execution=(1 if distributed or batch_hooks
                             else _steps_per_execution(steps, epochs)),
        jit_compile=jit_compile,
        run_eagerly=eager,
    )
