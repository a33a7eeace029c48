"""AutoencoderOutlierDetector: flags, scores, explanations and export."""

import numpy as np
import pytest
from sklearn.ensemble import IsolationForest
from sklearn.metrics import roc_auc_score

from skae import AutoencoderOutlierDetector, AutoencoderTransformer, TrainingDivergedError


def small(**params):
    return AutoencoderTransformer(**{"n_components": 4, "epochs": 3, "batch_size": 64,
                                     "random_state": 0, **params})


@pytest.mark.parametrize("digit", [0, 2, 8])
def test_one_digit_against_the_others_on_mnist(mnist, digit):
    X, y, X_test, y_test = mnist
    inlier = y_test == digit
    # the README's table: the blog's dense model, 50 epochs
    detector = AutoencoderOutlierDetector(AutoencoderTransformer(architecture="dense", epochs=50),
                                          random_state=0).fit(X[y == digit])
    forest = IsolationForest(random_state=0).fit(X[y == digit])
    ours = roc_auc_score(inlier, detector.score_samples(X_test))
    theirs = roc_auc_score(inlier, forest.score_samples(X_test))
    # measured: 0.989 / 0.901 / 0.913 against 0.964 / 0.744 / 0.746
    assert ours > theirs + 0.01
    assert ours > 0.88
    # the "auto" threshold keeps most held-out inliers and flags many outliers
    flagged = detector.predict(X_test) == -1
    assert flagged[inlier].mean() < 0.1 < 0.3 < flagged[~inlier].mean()


def test_scores_thresholds_and_explanations(digits):
    X, _ = digits
    detector = AutoencoderOutlierDetector(small(), contamination=0.05).fit(X)
    scores = detector.score_samples(X)
    np.testing.assert_array_equal(scores, detector.estimator_.score_samples(X))
    np.testing.assert_allclose(detector.decision_function(X), scores - detector.offset_)
    assert abs(np.mean(detector.predict(X) == -1) - 0.05) <= 1 / len(X)
    errors = detector.feature_errors(X)
    assert errors.shape == X.shape
    np.testing.assert_allclose(errors.mean(axis=1), -scores, rtol=1e-4)
    # "auto": beyond the upper Tukey fence of the training errors
    auto = AutoencoderOutlierDetector(small()).fit(X)
    q1, q3 = np.percentile(-auto.score_samples(X), [25, 75])
    assert auto.offset_ == pytest.approx(-(q3 + 1.5 * (q3 - q1)))


def test_feature_errors_point_at_the_damaged_features(digits):
    X, _ = digits
    detector = AutoencoderOutlierDetector(small(epochs=30, n_components=8)).fit(X)
    corners = [0, 8, 16, 24]  # the left edge, blank in nearly every image of the digits
    assert X[:, corners].mean() < 0.01
    damaged = X[:50].copy()
    damaged[:, corners] = 1.0
    errors = detector.feature_errors(damaged)
    largest = np.sort(np.argsort(errors, axis=1)[:, -4:], axis=1)
    np.testing.assert_array_equal(largest, np.tile(corners, (50, 1)))
    # the same rows, flagged once damaged (measured: 49 of 50)
    assert np.mean(detector.predict(damaged) == -1) > 0.9 > 0.2 > np.mean(
        detector.predict(X[:50]) == -1)


def test_random_state_seeds_the_autoencoder(digits):
    X, _ = digits
    a = AutoencoderOutlierDetector(small(random_state=None), random_state=3).fit(X)
    b = AutoencoderOutlierDetector(small(random_state=None), random_state=3).fit(X)
    assert a.estimator_.random_state == 3
    np.testing.assert_array_equal(a.score_samples(X), b.score_samples(X))


def test_a_failed_fit_leaves_the_detector_as_it_was(digits):
    X, _ = digits
    detector = AutoencoderOutlierDetector(small(loss="mse", output_activation="linear",
                                                optimizer="sgd", learning_rate=0.01))
    detector.fit(X)
    before = dict(detector.__dict__)
    scores = detector.score_samples(X)
    detector.set_params(estimator__learning_rate=1e6, estimator__epochs=20)
    with pytest.raises(TrainingDivergedError):
        detector.fit(X[:, :40])
    assert detector.n_features_in_ == 64
    assert detector.__dict__.keys() == before.keys()
    assert detector.estimator_ is before["estimator_"]
    np.testing.assert_array_equal(detector.score_samples(X), scores)


def test_exported_detector_flags_as_scikit_learn(digits):
    skl2onnx = pytest.importorskip("skl2onnx", reason="the onnx extra is not installed")
    ort = pytest.importorskip("onnxruntime", reason="the onnx extra is not installed")
    X = digits[0].astype(np.float32)
    detector = AutoencoderOutlierDetector(small(), contamination=0.1).fit(X)
    onx = skl2onnx.to_onnx(detector, X[:1])
    session = ort.InferenceSession(onx.SerializeToString(), providers=["CPUExecutionProvider"])
    labels, scores = session.run(None, {session.get_inputs()[0].name: X})
    decision = detector.decision_function(X)
    np.testing.assert_allclose(scores.ravel(), decision, atol=1e-6)
    close = np.abs(decision) < 1e-6  # rows on the threshold may fall either way
    np.testing.assert_array_equal(labels.ravel()[~close], detector.predict(X)[~close])
