"""Running a chain of Dense layers with NumPy, over its Keras weights.

A functional chain of ``Dense`` layers (the dense and residual kinds'
networks) on a CPU runs as NumPy products instead of Keras's
``predict_on_batch``: ``benchmarks/bench_speed.py`` prints the one-row and
10,000-row times of both (the docs' speed benchmark).

The weights are read from Keras at each call (on TensorFlow most of a
one-row ``transform``'s time), unless the caller names the
network they belong to and nothing outside skae can change them: then
NumPy copies are kept (:class:`KeptWeights`, :data:`KEPT`).

Knows nothing about scikit-learn or training; :mod:`skae._inference` picks
this path or Keras's.
"""

import contextlib
import threading
import weakref

import numpy as np

from . import _backend, _plan
from ._activations import ACTIVATIONS, keras_names

__all__ = ["KEPT", "NUMPY_BLOCK_ROWS", "KeptWeights", "dense_steps", "numpy_predictor"]

#: Rows per NumPy inference block.  A block's products always have this many
#: rows: OpenBLAS sums a row's products in another order below 64 rows
#: (checked: rows of a 17-row product differ from the same rows of a 256-row
#: one; fixed 64-row blocks gave identical rows under permutation and
#: subsetting, ``tests/test_reproducibility.py``).
NUMPY_BLOCK_ROWS = 64


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
    names = keras_names()
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


class KeptWeights:
    """NumPy copies of networks' dense weights, kept while only skae can change them.

    A copy is valid until the weights change, and on TensorFlow a change
    cannot be seen without reading them: variables carry no version, and
    the assignments inside a compiled step (a user's own ``model.fit``) run
    no Python.  So copies are kept only for a network that nothing outside
    skae holds, and skae says when it changes one:

    * :meth:`expose`: the network (or a part of it) is handed out, to a
      user or a user's callback.  Its copies are dropped and none is kept
      again for it, whatever happens next: a reference taken before a copy
      was made counts too.
    * :meth:`changing`: a block in which skae changes the weights (a fit,
      ``partial_fit``, a failed fit's restore).  Nothing is kept during it,
      and the copies are dropped when it ends.

    A network that skae builds or loads is not exposed.  Entries are keyed
    by the network object (weakly, so they go with it), and hold only NumPy
    arrays.  Thread-safe: a copy made from weights read while the network
    changed is not kept.
    """

    class _Entry:
        __slots__ = ("busy", "copies", "exposed", "generation")

        def __init__(self):
            self.busy, self.copies, self.exposed, self.generation = 0, {}, False, 0

    def __init__(self):
        self._entries = weakref.WeakKeyDictionary()
        self._lock = threading.Lock()

    def _entry(self, network):
        entry = self._entries.get(network)
        if entry is None:
            entry = self._entries[network] = self._Entry()
        return entry

    @staticmethod
    def _drop(entry):
        """Drop ``entry``'s copies; a read begun before this is not kept."""
        entry.copies = {}
        entry.generation += 1

    def expose(self, network):
        """``network`` is handed out: drop its copies and keep none again."""
        with self._lock:
            entry = self._entry(network)
            entry.exposed = True
            self._drop(entry)

    def exposed(self, network):
        """Whether ``network`` was handed out."""
        with self._lock:
            entry = self._entries.get(network)
            return entry is not None and entry.exposed

    @contextlib.contextmanager
    def changing(self, network):
        """A block in which skae changes the weights of ``network`` (None: no network yet)."""
        if network is None:
            yield
            return
        with self._lock:
            entry = self._entry(network)
            entry.busy += 1
            self._drop(entry)
        try:
            yield
        finally:
            with self._lock:
                entry.busy -= 1
                self._drop(entry)

    def forget(self, network):
        """Drop ``network``'s copies (skae changed its weights outside :meth:`changing`)."""
        with self._lock:
            entry = self._entries.get(network)
            if entry is not None:
                self._drop(entry)

    def weights(self, network, part, read):
        """``read()``'s result for ``part`` (a name) of ``network``, kept when allowed."""
        with self._lock:
            entry = self._entry(network)
            if part in entry.copies:
                return entry.copies[part]
            generation = entry.generation
        value = read()
        with self._lock:
            if not entry.exposed and not entry.busy and entry.generation == generation:
                entry.copies[part] = value
        return value


#: The process's kept copies.
KEPT = KeptWeights()


def _read_weights(model):
    """``model``'s dense chain as NumPy ``[(kernel, bias, function), ...]``, or None."""
    steps = dense_steps(model)
    if steps is None:
        return None
    return [
        (np.asarray(_backend.to_numpy(kernel), dtype=np.float32),
         None if bias is None else np.asarray(_backend.to_numpy(bias), dtype=np.float32),
         ACTIVATIONS[name].numpy)
        for kernel, bias, name in steps
    ]


def numpy_predictor(model, network=None):
    """``predict(block, rows)`` running ``model`` with NumPy, or None.

    None when the faster paths are off, on an accelerator, or for a network
    that is not a chain of ``Dense`` layers.  The products run on the whole
    fixed-shape block of :data:`NUMPY_BLOCK_ROWS` rows; the last layer's
    bias and activation only on the ``rows`` asked for (element-wise, so the
    same).  The weights are read when the predictor is made (make one per
    call), unless ``network``, the autoencoder ``model`` is a part of, is
    given: then through :data:`KEPT`.
    """
    if not _plan.enabled() or not _backend.cpu_only():
        return None
    if network is None:
        weights = _read_weights(model)
    else:
        part = None if model is network else model.name
        weights = KEPT.weights(network, part, lambda: _read_weights(model))
    if weights is None:
        return None
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
