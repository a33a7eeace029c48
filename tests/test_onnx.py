"""ONNX export of whole pipelines (skae.onnx_export, the onnx extra), run with ONNX Runtime."""

import numpy as np
import pytest
from sklearn.exceptions import NotFittedError
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import MinMaxScaler

from skae import AutoencoderTransformer
from skae.architectures import Conv, Dense, Sequence, Variational

skl2onnx = pytest.importorskip("skl2onnx", reason="the onnx extra (skl2onnx) is not installed")
ort = pytest.importorskip("onnxruntime", reason="the onnx extra (onnxruntime) is not installed")

#: skae and ONNX Runtime run the same float32 arithmetic in other orders
CODE_ATOL = 1e-5


def run(pipeline, X):
    """Convert ``pipeline`` for inputs like ``X`` and run it on ``X`` with ONNX Runtime."""
    onx = skl2onnx.to_onnx(pipeline, X[:1])
    session = ort.InferenceSession(onx.SerializeToString(), providers=["CPUExecutionProvider"])
    return session.run(None, {session.get_inputs()[0].name: X})


def probabilities(zipmap, n_classes):
    return np.array([[row[k] for k in range(n_classes)] for row in zipmap])


KINDS = {
    "dense": "dense",
    "deep-gelu": Dense(hidden_layer_sizes=(32, 16), activation="gelu", code_activation="tanh"),
    "conv": Conv(filters=(4, 8), image_shape=(8, 8)),
    "variational": Variational(),
    "variational-conv": Variational(base=Conv(filters=(4,), image_shape=(8, 8))),
}


@pytest.mark.parametrize("architecture", KINDS.values(), ids=KINDS.keys())
def test_exported_pipeline_predicts_as_scikit_learn(digits, architecture):
    X, y = digits
    X = X.astype(np.float32)  # skl2onnx's classifiers want float32 inputs
    pipeline = make_pipeline(
        MinMaxScaler(),
        AutoencoderTransformer(n_components=8, epochs=5, architecture=architecture,
                               random_state=0),
        LogisticRegression(max_iter=2000),
    ).fit(X, y)
    labels, zipmap = run(pipeline, X)
    np.testing.assert_array_equal(labels, pipeline.predict(X))
    np.testing.assert_allclose(probabilities(zipmap, 10), pipeline.predict_proba(X), atol=1e-5)
    (codes,) = run(pipeline[:2], X)
    np.testing.assert_allclose(codes, pipeline[:2].transform(X), atol=CODE_ATOL)


def test_float64_inputs_give_float64_codes(digits):
    X = digits[0].astype(np.float64)
    est = AutoencoderTransformer(n_components=4, epochs=2, random_state=0).fit(X)
    (codes,) = run(est, X)
    assert codes.dtype == np.float64
    np.testing.assert_allclose(codes, est.transform(X), atol=CODE_ATOL)


def test_exported_pipeline_on_mnist(mnist):
    X, y, X_test, y_test = mnist
    pipeline = make_pipeline(
        AutoencoderTransformer(epochs=3, random_state=0), LogisticRegression(max_iter=500),
    ).fit(X[:3000], y[:3000])
    labels, zipmap = run(pipeline, X_test)
    np.testing.assert_array_equal(labels, pipeline.predict(X_test))
    np.testing.assert_allclose(probabilities(zipmap, 10), pipeline.predict_proba(X_test),
                               atol=1e-5)
    (codes,) = run(pipeline[:1], X_test)
    np.testing.assert_allclose(codes, pipeline[0].transform(X_test), atol=CODE_ATOL)
    assert np.abs(codes).max() > 1  # codes of real size, not a trivially small agreement


def test_unsupported_networks_name_what_is_missing(digits):
    X = digits[0][:200]
    est = AutoencoderTransformer(n_components=2, epochs=1, architecture=Sequence(),
                                 random_state=0).fit(X)
    with pytest.raises(ValueError, match="does not support LSTM layers"):
        skl2onnx.to_onnx(est, X[:1])


def test_unfitted_estimators_are_not_exported(digits):
    with pytest.raises(NotFittedError):
        skl2onnx.to_onnx(AutoencoderTransformer(), digits[0][:1])
