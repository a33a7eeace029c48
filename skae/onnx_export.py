"""ONNX export of fitted skae estimators, inside whole scikit-learn pipelines.

Needs the ``onnx`` extra (``pip install "skae[onnx]"``: skl2onnx and ONNX
Runtime).  Nothing needs registering: :class:`~skae.AutoencoderTransformer`
and :class:`~skae.AutoencoderOutlierDetector` answer skl2onnx's converter
hooks (the ``onnx_shape_calculator`` and ``onnx_converter`` methods that
skl2onnx looks for on an object it has no registered converter for) by
calling this module, so ``skl2onnx.to_onnx(pipeline, X[:1])`` converts a
pipeline holding them like any other.

The graph is built from the fitted Keras weights with standard ONNX
operators (``MatMul``, ``Add``, ``Conv``, ``ConvTranspose``, ``Reshape``,
``Transpose`` and the activations), computing in float32 like skae: the
encoder for ``transform`` (the posterior mean for the variational kind), and
encoder, decoder and the per-sample mean squared reconstruction error for the
outlier detector.  Networks of other layers (the sequence kind's LSTMs, a
custom kind's own layers) raise a ``ValueError`` naming the layer.

Knows nothing about training.  Imported only when skl2onnx converts a skae
estimator (through the hooks), so ``import skae`` does not need skl2onnx.
"""

import keras
import numpy as np
from onnx import TensorProto
from skl2onnx.common.data_types import DoubleTensorType
from sklearn.utils.validation import check_is_fitted

from ._activations import ACTIVATIONS, keras_names
from ._backend import to_numpy

__all__ = ["SUPPORTED_LAYERS", "convert", "shape_calculator"]

class _Graph:
    """Adds nodes and initializers to skl2onnx's container, with fresh names."""

    def __init__(self, scope, container):
        self.scope, self.container = scope, container

    def const(self, value, dtype=np.float32):
        name = self.scope.get_unique_variable_name("skae_const")
        value = np.asarray(value, dtype=dtype)
        onnx_type = TensorProto.FLOAT if dtype == np.float32 else TensorProto.INT64
        self.container.add_initializer(name, onnx_type, list(value.shape),
                                       value.ravel().tolist())
        return name

    def node(self, op_type, inputs, output=None, **attrs):
        output = output or self.scope.get_unique_variable_name(f"skae_{op_type.lower()}")
        self.container.add_node(op_type, list(inputs), [output],
                                name=self.scope.get_unique_operator_name(f"skae_{op_type}"),
                                **attrs)
        return output


def _activation(graph, x, name):
    entry = ACTIVATIONS.get(name)
    if entry is None:
        raise ValueError(f"skae's ONNX export does not support the {name!r} activation.")
    return entry.onnx(graph, x)


def _same_padding(size, kernel, stride):
    """TensorFlow's "same" padding of one spatial axis: (before, after)."""
    out = -(-size // stride)
    total = max((out - 1) * stride + kernel - size, 0)
    return total // 2, total - total // 2


def _layers(model):
    """The layers of a chain of layers, nested models followed into."""
    for layer in model.layers:
        if isinstance(layer, keras.Model):
            yield from _layers(layer)
        else:
            yield layer


def _dense(graph, layer, x, shape, activation):
    x = graph.node("MatMul", [x, graph.const(to_numpy(layer.kernel))])
    if layer.use_bias:
        x = graph.node("Add", [x, graph.const(to_numpy(layer.bias))])
    return _activation(graph, x, activation), shape


def _activation_layer(graph, layer, x, shape, activation):
    return _activation(graph, x, activation), shape


def _reshape(graph, layer, x, shape, activation):
    shape = tuple(layer.target_shape)
    return graph.node("Reshape", [x, graph.const([-1, *shape], np.int64)]), shape


def _flatten(graph, layer, x, shape, activation):
    return graph.node("Flatten", [x], axis=1), None


def _convolution(graph, layer, x, shape, activation):
    """A Conv2D or Conv2DTranspose layer, run in ONNX's NCHW layout."""
    if tuple(layer.dilation_rate) != (1, 1) or getattr(layer, "groups", 1) != 1:
        raise ValueError(f"skae's ONNX export does not support dilated or grouped "
                         f"convolutions (layer {layer.name!r}).")
    height, width, _ = shape
    kernel, strides = tuple(layer.kernel_size), tuple(layer.strides)
    nchw = graph.node("Transpose", [x], perm=[0, 3, 1, 2])
    if type(layer) is keras.layers.Conv2D:
        pads = [(0, 0), (0, 0)] if layer.padding == "valid" else [
            _same_padding(size, k, s) for size, k, s in zip((height, width), kernel, strides)]
        weights = np.transpose(to_numpy(layer.kernel), (3, 2, 0, 1))  # (out, in, kh, kw)
        out = [(size + before + after - k) // s + 1
               for size, (before, after), k, s in zip((height, width), pads, kernel, strides)]
        y = graph.node("Conv", [nchw, graph.const(weights)], kernel_shape=list(kernel),
                       strides=list(strides),
                       pads=[pads[0][0], pads[1][0], pads[0][1], pads[1][1]])
    else:
        if layer.padding != "same" or layer.output_padding is not None:
            raise ValueError(f"skae's ONNX export translates Conv2DTranspose layers "
                             f"with padding='same' only (layer {layer.name!r}).")
        out = [size * s for size, s in zip((height, width), strides)]
        # the forward convolution from the output back to the input
        # pads (before, after); the transposed one crops the same
        pads = [_same_padding(size, k, s) for size, k, s in zip(out, kernel, strides)]
        extra = [o - (s * (size - 1) + k - before - after)
                 for o, size, k, s, (before, after) in zip(out, (height, width), kernel,
                                                           strides, pads)]
        weights = np.transpose(to_numpy(layer.kernel), (3, 2, 0, 1))  # (in, out, kh, kw)
        y = graph.node("ConvTranspose", [nchw, graph.const(weights)],
                       kernel_shape=list(kernel), strides=list(strides),
                       pads=[pads[0][0], pads[1][0], pads[0][1], pads[1][1]],
                       output_padding=extra)
    if layer.use_bias:
        y = graph.node("Add", [y, graph.const(to_numpy(layer.bias).reshape(-1, 1, 1))])
    x = _activation(graph, graph.node("Transpose", [y], perm=[0, 2, 3, 1]), activation)
    return x, (*out, layer.filters)


def _cropping(graph, layer, x, shape, activation):
    (top, bottom), (left, right) = layer.cropping
    height, width, channels = shape
    x = graph.node("Slice", [x, graph.const([top, left], np.int64),
                             graph.const([height - bottom, width - right], np.int64),
                             graph.const([1, 2], np.int64)])
    return x, (height - top - bottom, width - left - right, channels)


#: Each Keras layer class the export translates, and its translation
#: ``(graph, layer, x, shape, activation) -> (x, shape)``, where ``shape`` is
#: the (height, width, channels) of an image tensor (NHWC, like Keras) or
#: None.  Keyed by the class itself: a subclass may compute something else
#: in its ``call``, so it is refused rather than translated as its parent.
_TRANSLATIONS = {
    keras.layers.InputLayer: lambda graph, layer, x, shape, activation: (x, shape),
    keras.layers.Dense: _dense,
    keras.layers.Activation: _activation_layer,
    keras.layers.Reshape: _reshape,
    keras.layers.Flatten: _flatten,
    keras.layers.Conv2D: _convolution,
    keras.layers.Conv2DTranspose: _convolution,
    keras.layers.Cropping2D: _cropping,
}

#: Keras layer classes the export translates (exactly these, not their subclasses).
SUPPORTED_LAYERS = tuple(_TRANSLATIONS)


def _emit(graph, model, x, kind):
    """ONNX nodes computing ``model`` (a chain of supported layers) on ``x``; its output."""
    names = keras_names()
    shape = None
    for layer in _layers(model):
        translate = _TRANSLATIONS.get(type(layer))
        if translate is None:
            raise ValueError(
                f"skae's ONNX export does not support {type(layer).__name__} layers (layer "
                f"{layer.name!r} of the {kind} kind's network); it translates "
                f"{', '.join(c.__name__ for c in SUPPORTED_LAYERS)}."
            )
        if getattr(layer, "data_format", "channels_last") != "channels_last":
            raise ValueError(f"skae's ONNX export translates channels_last layers only "
                             f"(layer {layer.name!r} is {layer.data_format}).")
        function = getattr(layer, "activation", None)
        if function is not None and function not in names:
            raise ValueError(f"skae's ONNX export does not support the activation of layer "
                             f"{layer.name!r}.")
        x, shape = translate(graph, layer, x, shape, names.get(function, "linear"))
    return x


def _float_input(graph, variable):
    """The operator's input as float32 (cast from double)."""
    if isinstance(variable.type, DoubleTensorType):
        return graph.node("Cast", [variable.full_name], to=TensorProto.FLOAT)
    return variable.full_name


def _output(graph, value, operator, index):
    """Write ``value`` to the operator's output ``index``, in the input's float type."""
    name = operator.outputs[index].full_name
    if isinstance(operator.inputs[0].type, DoubleTensorType):
        graph.node("Cast", [value], name, to=TensorProto.DOUBLE)
    else:
        graph.node("Identity", [value], name)


def shape_calculator(operator):
    """skl2onnx shape calculator of skae's estimators (outputs in the input's float type)."""
    estimator = operator.raw_operator
    check_is_fitted(estimator)
    n = operator.inputs[0].get_first_dimension()
    # computed in float32, like skae; given in the input's type, like
    # scikit-learn's converters, so the next step of a pipeline gets what it expects
    tensor_type = type(operator.inputs[0].type)
    if hasattr(estimator, "n_components_"):  # the transformer: codes
        operator.outputs[0].type = tensor_type([n, estimator.n_components_])
        return
    # the outlier detector: labels and scores, as skl2onnx gives IsolationForest's
    from skl2onnx.common.data_types import Int64TensorType

    operator.outputs[0].type = Int64TensorType([n, 1])
    operator.outputs[1].type = tensor_type([n, 1])


def _row_reduce(graph, container, op_type, x):
    """``op_type`` (ReduceMean, ReduceSum) over axis 1, kept as a column."""
    if container.target_opset >= 18 or op_type == "ReduceSum" and container.target_opset >= 13:
        # axes became an input (ReduceSum in opset 13, the others in 18)
        return graph.node(op_type, [x, graph.const([1], np.int64)], keepdims=1)
    return graph.node(op_type, [x], axes=[1], keepdims=1)


def convert(scope, operator, container):
    """skl2onnx converter of skae's estimators."""
    estimator = operator.raw_operator
    graph = _Graph(scope, container)
    x = _float_input(graph, operator.inputs[0])
    kind = type(getattr(estimator, "estimator_", estimator).architecture_).__name__
    if hasattr(estimator, "n_components_"):
        _output(graph, _emit(graph, estimator.encoder_, x, kind), operator, 0)
        return
    transformer = estimator.estimator_
    encoder, decoder = transformer.encoder_, transformer.decoder_
    code = _emit(graph, encoder, x, kind)
    reconstruction = _emit(graph, decoder, code, kind)
    difference = graph.node("Sub", [reconstruction, x])
    squares = graph.node("Mul", [difference, difference])
    if estimator.statistic == "reconstruction":  # the mean squared error
        error = _row_reduce(graph, container, "ReduceMean", squares)
    else:  # the combined score: the scaled error plus the scaled T² (a quadratic form)
        statistics = estimator._statistics_
        width = len(statistics["code_mean"])
        q = graph.node("Mul", [_row_reduce(graph, container, "ReduceMean", squares),
                               graph.const([1.0 / statistics["q_scale"]])])
        centred = graph.node("Sub", [code, graph.const(statistics["code_mean"])])
        precision = statistics["code_precision"] / (width * statistics["t_scale"])
        t = _row_reduce(graph, container, "ReduceSum", graph.node(
            "Mul", [graph.node("MatMul", [centred, graph.const(precision)]), centred]))
        error = graph.node("Add", [q, t])
    # decision_function = score_samples - offset_ = -error - offset_
    decision = graph.node("Sub", [graph.node("Neg", [error]),
                                  graph.const([float(estimator.offset_)])])
    _output(graph, decision, operator, 1)
    inlier = graph.node("Cast", [graph.node("GreaterOrEqual", [decision, graph.const([0.0])])],
                        to=TensorProto.INT64)
    # +1 inlier, -1 outlier: 2 * inlier - 1
    graph.node("Sub", [graph.node("Mul", [inlier, graph.const([2], np.int64)]),
                       graph.const([1], np.int64)], operator.outputs[0].full_name)
