"""The activations skae's networks may use: each one's Keras name, NumPy function and ONNX nodes.

The one list of them.  The kinds validate their ``activation`` settings
against :data:`NAMES`, NumPy inference (:mod:`skae._numpy_inference`) runs
:attr:`Activation.numpy`, and the ONNX export (:mod:`skae.onnx_export`)
emits :attr:`Activation.onnx`; an activation added here is one entry with
all three.  ``tests/test_fast.py`` compares every NumPy function with Keras's
activation, and ``tests/test_onnx.py`` every ONNX translation with skae's
output.

Knows nothing about networks, training or scikit-learn.  Keras is imported
only by :func:`keras_names`.
"""

import dataclasses
import functools

import numpy as np
from scipy import special

__all__ = ["ACTIVATIONS", "NAMES", "Activation", "keras_names"]

# keras.activations.selu's constants
_SELU_ALPHA = 1.6732632423543772
_SELU_SCALE = 1.0507009873554805
# keras.activations.leaky_relu's default slope
_LEAKY_SLOPE = 0.2


@dataclasses.dataclass(frozen=True)
class Activation:
    """One activation, three ways.

    Attributes
    ----------
    name : str
        Keras's name (``keras.activations.get(name)``).
    numpy : callable
        ``numpy(z) -> z``: the same formula on a float32 array, in place.
    onnx : callable
        ``onnx(graph, x) -> name``: the ONNX nodes computing it on the
        tensor named ``x`` (``graph`` as in :mod:`skae.onnx_export`).
    """

    name: str
    numpy: object
    onnx: object


# ------------------------------------------------------------------ NumPy
# In place on float32 arrays; the same formulas and constants as
# keras.activations (exact gelu).


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
    np.copyto(z, np.float32(_SELU_ALPHA) * np.expm1(np.minimum(z, 0.0)), where=z <= 0)
    return np.multiply(z, np.float32(_SELU_SCALE), out=z)


def _gelu(z):
    return np.multiply(z, 0.5 * (1.0 + special.erf(z * np.float32(1 / np.sqrt(2)))), out=z)


def _silu(z):
    return np.multiply(z, _sigmoid(z.copy()), out=z)


def _leaky_relu(z):
    np.copyto(z, np.float32(_LEAKY_SLOPE) * z, where=z < 0)
    return z


# ------------------------------------------------------------------- ONNX


def _onnx_op(op_type, **attrs):
    return lambda graph, x: graph.node(op_type, [x], **attrs)


def _onnx_silu(graph, x):
    return graph.node("Mul", [x, graph.node("Sigmoid", [x])])


def _onnx_gelu(graph, x):  # exact: x * (1 + erf(x / sqrt(2))) / 2
    erf = graph.node("Erf", [graph.node("Mul", [x, graph.const(1 / np.sqrt(2))])])
    half = graph.node("Mul", [x, graph.const(0.5)])
    return graph.node("Mul", [half, graph.node("Add", [erf, graph.const(1.0)])])


#: Every activation, by Keras name.
ACTIVATIONS = {a.name: a for a in (
    Activation("linear", lambda z: z, lambda graph, x: x),
    Activation("relu", _relu, _onnx_op("Relu")),
    Activation("sigmoid", _sigmoid, _onnx_op("Sigmoid")),
    Activation("tanh", lambda z: np.tanh(z, out=z), _onnx_op("Tanh")),
    Activation("softplus", lambda z: np.logaddexp(np.float32(0.0), z, out=z),
               _onnx_op("Softplus")),
    Activation("elu", _elu, _onnx_op("Elu", alpha=1.0)),
    Activation("selu", _selu, _onnx_op("Selu", alpha=_SELU_ALPHA, gamma=_SELU_SCALE)),
    Activation("gelu", _gelu, _onnx_gelu),
    Activation("silu", _silu, _onnx_silu),
    Activation("leaky_relu", _leaky_relu, _onnx_op("LeakyRelu", alpha=_LEAKY_SLOPE)),
)}

#: Their names: what a kind's ``activation`` settings accept.
NAMES = frozenset(ACTIVATIONS)


@functools.cache
def keras_names():
    """Keras's activation functions, mapped to their names here."""
    import keras

    return {keras.activations.get(name): name for name in ACTIVATIONS}
