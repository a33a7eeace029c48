"""Running a chain of Dense layers with NumPy, over its Keras weights.

A functional chain of ``Dense`` layers (the dense and residual kinds'
networks) on a CPU runs as NumPy products instead of Keras's
``predict_on_batch``: ``benchmarks/bench_speed.py`` prints the one-row and
10,000-row times of both (the docs' speed benchmark).

The weights are read from Keras at each call, so changes made through
Keras are always seen.  No copy is kept between calls: on TensorFlow a
change cannot be seen without reading the weights (variables carry no
version, and the assignments inside a compiled step run no Python), so a
kept copy would need rules about who may hold the network.

Knows nothing about scikit-learn or training; :mod:`skae._inference` picks
this path or Keras's.
"""

import keras
import numpy as np

from . import _backend
from ._activations import ACTIVATIONS, keras_names
from ._config import get_config

__all__ = ["NUMPY_BLOCK_ROWS", "dense_steps", "numpy_predictor"]

#: Rows per NumPy inference block.  A block's products always have this many
#: rows: OpenBLAS sums a row's products in another order below 64 rows
#: (checked: rows of a 17-row product differ from the same rows of a 256-row
#: one; fixed 64-row blocks gave identical rows under permutation and
#: subsetting, ``tests/test_reproducibility.py``).
NUMPY_BLOCK_ROWS = 64


def _input(layer, names, steps):
    return True


def _dense(layer, names, steps):
    name = names.get(layer.activation)
    if name is None or layer.quantization_mode is not None or layer.lora_enabled:
        return False
    steps.append([layer.kernel, layer.bias, name])
    return True


def _activation(layer, names, steps):
    name = names.get(layer.activation)
    if name is None or not steps or steps[-1][2] != "linear":
        return False
    steps[-1][2] = name
    return True


#: Each Keras layer class NumPy inference runs, and how it adds the layer to
#: ``steps``; a reader returns False for a layer it cannot run (an activation
#: NumPy lacks, a quantized kernel).
_READERS = {keras.layers.InputLayer: _input, keras.layers.Dense: _dense,
            keras.layers.Activation: _activation}


def dense_steps(model):
    """The layers of ``model`` as ``[(kernel, bias, activation name), ...]``, or None.

    ``model`` must be a functional chain of ``Dense`` layers with built-in
    activations, each optionally followed by an ``Activation`` layer (nested
    models are followed into).  ``kernel`` and ``bias`` are the Keras
    variables themselves (``bias`` is None for a layer without one).
    """
    inputs, outputs = getattr(model, "inputs", None), getattr(model, "outputs", None)
    if not inputs or not outputs or len(inputs) != 1 or len(outputs) != 1:
        return None  # a subclassed model (its call could do anything), or several inputs
    steps = []
    names = keras_names()
    for layer in model.layers:
        if isinstance(layer, keras.Model):
            inner = dense_steps(layer)
            if inner is None:
                return None
            steps.extend(inner)
            continue
        # keyed by the class itself: a subclass's call may compute something
        # else, so its network runs through Keras
        read = _READERS.get(type(layer))
        if read is None or not read(layer, names, steps):
            return None
    return [tuple(step) for step in steps] or None


def _read_weights(model):
    """``model``'s dense chain as NumPy ``[(kernel, bias, function), ...]``, or None."""
    steps = dense_steps(model)
    if steps is None:
        return None
    return [
        (np.asarray(_backend.to_numpy(kernel), dtype=np.float64),
         None if bias is None else np.asarray(_backend.to_numpy(bias), dtype=np.float32),
         ACTIVATIONS[name].numpy)
        for kernel, bias, name in steps
    ]


def numpy_predictor(model):
    """``predict(block, rows)`` running ``model`` with NumPy, or None.

    None when the faster paths are off, on an accelerator, or for a network
    that is not a chain of ``Dense`` layers.  The products run on the whole
    fixed-shape block of :data:`NUMPY_BLOCK_ROWS` rows; the last layer's
    bias and activation only on the ``rows`` asked for (element-wise, so the
    same).  The weights are read when the predictor is made: make one per
    call, so that changes to them (a user's own ``model_.fit``,
    ``set_weights``) are always seen.
    """
    if not get_config()["faster_paths"] or not _backend.cpu_only():
        return None
    weights = _read_weights(model)
    if weights is None:
        return None
    last = len(weights) - 1

    def predict(block, rows):
        h = block
        for i, (kernel, bias, activation) in enumerate(weights):
            # float32 products summed in float64, then rounded: a row's result no
            # longer depends on its place in the block (OpenBLAS's float32 kernels
            # sum the last rows of a block in another order on some CPUs, seen on
            # an AMD EPYC: tests/test_autoencoder.py's one row against the batch)
            h = (h.astype(np.float64) @ kernel).astype(np.float32)
            if i == last:
                h = h[:rows]
            if bias is not None:
                h += bias
            h = activation(h)
        return h

    return predict
