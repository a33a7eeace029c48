"""AutoencoderOutlierDetector: flags, scores, explanations and export."""

import numpy as np
import pytest
from sklearn.ensemble import IsolationForest
from sklearn.metrics import roc_auc_score

from skae import AutoencoderOutlierDetector, AutoencoderTransformer, TrainingDivergedError


def small(**params):
    return AutoencoderTransformer(**{"n_components": 4, "epochs": 3, "batch_size": 64,
                                     "random_state": 0, **params})


# Against two baselines measured in the same test: IsolationForest, and PCA's
# reconstruction error at the detector's width (benchmarks' ROC AUC: 0.994 / 0.911 / 0.895
# for the detector, 0.996 / 0.899 / 0.875 for PCA's error, 0.964 / 0.744 / 0.746 for the
# forest).  On 2 the trained network's gain over PCA's error is what the untrained
# network (its PCA start, 0.891) lacks; on 8 the code distance's; on 0 PCA's error is
# nearly perfect already, and the detector must not lose to it.
@pytest.mark.parametrize("digit, over_pca", [(0, -0.005), (2, 0.005), (8, 0.01)])
def test_one_digit_against_the_others_on_mnist(mnist, digit, over_pca):
    from sklearn.decomposition import PCA

    X, y, X_test, y_test = mnist
    inlier = y_test == digit
    # the example's table: the default detector, against IsolationForest
    detector = AutoencoderOutlierDetector(random_state=0).fit(X[y == digit])
    forest = IsolationForest(random_state=0).fit(X[y == digit])
    pca = PCA(detector.estimator_.n_components_).fit(X[y == digit])
    pca_error = -np.mean((X_test - pca.inverse_transform(pca.transform(X_test))) ** 2, axis=1)
    ours = roc_auc_score(inlier, detector.score_samples(X_test))
    theirs = roc_auc_score(inlier, forest.score_samples(X_test))
    assert ours > theirs + 0.01
    assert ours > roc_auc_score(inlier, pca_error) + over_pca
    assert ours > 0.88
    # a calibrated threshold at 5% keeps about 95% of held-out inliers and flags many
    # outliers (the held-out images of the digit are exchangeable with its training ones)
    calibrated = AutoencoderOutlierDetector(fpr=0.05, random_state=0).fit(X[y == digit])
    flagged = calibrated.predict(X_test) == -1
    assert flagged[inlier].mean() < 0.1 and flagged[~inlier].mean() > 0.3, (
        flagged[inlier].mean(), flagged[~inlier].mean())


def test_the_blogs_model_with_skae_01s_score_on_mnist(mnist):
    X, y, X_test, y_test = mnist
    # skae 0.1's detector: the blog's dense model, its reconstruction error alone
    detector = AutoencoderOutlierDetector(
        AutoencoderTransformer(architecture="dense", epochs=50), statistic="reconstruction", trim=0,
        random_state=0).fit(X[y == 2])
    forest = IsolationForest(random_state=0).fit(X[y == 2])
    inlier = y_test == 2
    # measured: 0.901 against 0.744
    assert roc_auc_score(inlier, detector.score_samples(X_test)) > roc_auc_score(
        inlier, forest.score_samples(X_test)) + 0.1
    flagged = detector.predict(X_test) == -1  # the Tukey fence on the error alone
    assert flagged[inlier].mean() < 0.1 < 0.3 < flagged[~inlier].mean()


def test_scores_thresholds_and_explanations(digits):
    X, _ = digits
    detector = AutoencoderOutlierDetector(small(), statistic="reconstruction", trim=0,
                                          contamination=0.05).fit(X)
    scores = detector.score_samples(X)
    np.testing.assert_array_equal(scores, detector.estimator_.score_samples(X))
    np.testing.assert_allclose(detector.decision_function(X), scores - detector.offset_)
    assert abs(np.mean(detector.predict(X) == -1) - 0.05) <= 1 / len(X)
    errors = detector.feature_errors(X)
    assert errors.shape == X.shape
    np.testing.assert_allclose(errors.mean(axis=1), -scores, rtol=1e-4)
    # "auto": beyond the upper Tukey fence of the training errors
    auto = AutoencoderOutlierDetector(small(), statistic="reconstruction", trim=0).fit(X)
    q1, q3 = np.percentile(-auto.score_samples(X), [25, 75])
    assert auto.offset_ == pytest.approx(-(q3 + 1.5 * (q3 - q1)))


def test_feature_errors_point_at_the_damaged_features(digits):
    X, _ = digits
    detector = AutoencoderOutlierDetector(small(epochs=30, n_components=8)).fit(X)
    # four of the pixels that vary most across the digits, inverted: the mean image
    # cannot tell them from the other strokes, a model of the digits can
    damaged_pixels = [13, 26, 35, 42]
    assert np.all(X[:, damaged_pixels].std(axis=0) > 0.35)
    damaged = X[:50].copy()
    damaged[:, damaged_pixels] = 1.0 - damaged[:, damaged_pixels]

    def found(errors):  # the share of each row's 4 largest errors that are damaged pixels
        largest = np.argsort(errors, axis=1)[:, -4:]
        return np.mean([len(set(row) & set(damaged_pixels)) / 4 for row in largest])

    # measured: 0.59 for the detector, 0.23 for the mean image, 0.50 for PCA(8), 0.0
    # with its weights shuffled
    ours = found(detector.feature_errors(damaged))
    assert ours > 0.5 and ours > found((damaged - X.mean(axis=0)) ** 2) + 0.2, ours
    # the same rows, flagged once damaged (measured: 34 of 50, and 2 of the clean ones)
    assert np.mean(detector.predict(damaged) == -1) > 0.5 > 0.2 > np.mean(
        detector.predict(X[:50]) == -1)


@pytest.fixture(scope="module")
def breast_cancer_rows():
    """Benign rows of the breast-cancer table, standardised on the 250 that fit a detector."""
    from sklearn.datasets import load_breast_cancer
    from sklearn.linear_model import LinearRegression

    data = load_breast_cancer()
    benign = data.data[data.target == 1]
    fit, held_out = benign[:250], benign[250:]
    mean, std = fit.mean(axis=0), fit.std(axis=0)
    fit, held_out = (fit - mean) / std, (held_out - mean) / std
    # the features the others predict (a linear fit), where a swapped value stands out only
    # against them
    predicted = [j for j in range(fit.shape[1])
                 if LinearRegression().fit(np.delete(fit, j, 1), fit[:, j])
                 .score(np.delete(fit, j, 1), fit[:, j]) >= 0.9]
    return fit, held_out, predicted


def _hit_rate(values, wrong):
    return float(np.mean(np.argmax(values, axis=1) == wrong))


def test_explain_names_the_feature_that_made_a_row_an_outlier(breast_cancer_rows):
    """Against the per-feature error, PCA's at the same width and the z-score."""
    from sklearn.decomposition import PCA

    fit, held_out, predicted = breast_cancer_rows
    detector = AutoencoderOutlierDetector(random_state=0).fit(fit)
    pca = PCA(detector.estimator_.n_components_).fit(fit)
    rng = np.random.default_rng(0)
    # each held-out row with one predicted feature swapped for its value in a row far from
    # it: ordinary on its own, wrong beside the others
    rows, wrong = [], []
    for row in held_out:
        j = rng.choice(predicted)
        far = np.flatnonzero(np.abs(held_out[:, j] - row[j]) >= 1.5)
        if len(far):
            row = row.copy()
            row[j] = held_out[rng.choice(far), j]
            rows.append(row)
            wrong.append(j)
    rows, wrong = np.array(rows), np.array(wrong)
    ours = _hit_rate(detector.explain(rows), wrong)
    baselines = {"feature_errors": _hit_rate(detector.feature_errors(rows), wrong),
                 "PCA": _hit_rate((rows - pca.inverse_transform(pca.transform(rows))) ** 2,
                                  wrong),
                 "z-score": _hit_rate(np.abs(rows), wrong)}
    # measured: 0.991 against feature_errors 0.935, PCA 0.925, z-score 0.336
    assert ours >= 0.95 and all(ours > b for b in baselines.values()), (ours, baselines)
    # and one feature four standard deviations off, where the z-score is the baseline to beat
    shifted = held_out.copy()
    features = rng.integers(fit.shape[1], size=len(shifted))
    shifted[np.arange(len(shifted)), features] += 4.0
    ours, z = _hit_rate(detector.explain(shifted), features), _hit_rate(np.abs(shifted), features)
    assert ours >= max(0.95, z), (ours, z)


def test_explain_is_the_score_drop_of_each_imputed_feature(breast_cancer_rows):
    fit, held_out, _ = breast_cancer_rows
    detector = AutoencoderOutlierDetector(AutoencoderTransformer(4, random_state=0),
                                          trim=0).fit(fit[:150])
    rows = held_out[:3]
    estimator = detector.estimator_
    typical = estimator.inverse_transform(
        detector._statistics_["code_mean"][None].astype(np.float32))[0]
    expected = np.empty(rows.shape)
    for j in range(rows.shape[1]):
        changed = rows.copy()
        changed[:, j] = typical[j]
        changed[:, j] = estimator.inverse_transform(estimator.transform(changed))[:, j]
        expected[:, j] = detector.score_samples(changed) - detector.score_samples(rows)
    np.testing.assert_allclose(detector.explain(rows, rounds=1, steps=1), expected,
                               rtol=1e-5, atol=1e-6)
    # explained away: the features taken keep their drop, and every row is explained
    attributions = detector.explain(rows, rounds=1, steps=3)
    first = expected.argmax(axis=1)
    np.testing.assert_allclose(attributions[np.arange(3), first],
                               expected[np.arange(3), first], rtol=1e-5)
    import scipy.sparse as sp

    np.testing.assert_allclose(detector.explain(sp.csr_matrix(rows)), detector.explain(rows))


@pytest.mark.parametrize("bad", [0, -1, 1.5, True, "2"])
def test_explain_refuses_bad_rounds_and_steps(breast_cancer_rows, bad):
    fit, held_out, _ = breast_cancer_rows
    detector = AutoencoderOutlierDetector(AutoencoderTransformer(2, epochs=1, random_state=0),
                                          trim=0).fit(fit[:60])
    for name in ("rounds", "steps"):
        with pytest.raises(ValueError, match=f"{name} must be an integer of at least 1"):
            detector.explain(held_out[:2], **{name: bad})


def test_the_combined_score_is_its_two_scaled_terms(digits):
    X, _ = digits
    detector = AutoencoderOutlierDetector(small(), trim=0).fit(X)
    estimator = detector.estimator_
    codes = estimator.transform(X).astype(np.float64)
    # Q: the mean squared error; T²: the code's Mahalanobis distance over the width; each
    # over its mean on the training rows
    q = ((X - estimator.inverse_transform(codes)) ** 2).mean(axis=1)
    centred = codes - codes.mean(axis=0)
    t = np.einsum("ij,jk,ik->i", centred, np.linalg.pinv(np.cov(codes, rowvar=False)),
                  centred) / codes.shape[1]
    np.testing.assert_allclose(-detector.score_samples(X), q / q.mean() + t / t.mean(),
                               rtol=1e-5)
    # feature_errors are the squared errors whose row means are Q
    errors = detector.feature_errors(X)
    assert errors.shape == X.shape
    np.testing.assert_allclose(errors.mean(axis=1), q, rtol=1e-4)


def test_trim_refits_on_the_rows_the_first_fit_finds_least_abnormal(digits):
    X, _ = digits
    once = AutoencoderOutlierDetector(small(), trim=0).fit(X)
    abnormality = -once.score_samples(X)
    kept = abnormality <= np.quantile(abnormality, 0.9)
    twice = AutoencoderOutlierDetector(small(), trim=0.1).fit(X)
    # the second autoencoder is the one fitted on the kept rows
    alone = small().fit(X[kept])
    np.testing.assert_array_equal(twice.estimator_.transform(X), alone.transform(X))
    # the codes' mean is that of the kept rows; the scales are means over all the rows
    np.testing.assert_allclose(twice._statistics_["code_mean"],
                               alone.transform(X[kept]).astype(np.float64).mean(axis=0),
                               rtol=1e-6)
    errors = ((X - alone.inverse_transform(alone.transform(X))) ** 2).mean(1)
    assert twice._statistics_["q_scale"] == pytest.approx(errors.mean(), rel=1e-6)
    kept_errors = errors[kept].mean()
    assert twice._statistics_["q_scale"] != pytest.approx(kept_errors, rel=1e-3)


def test_the_calibrated_threshold_holds_its_false_positive_rate():
    # Split-conformal calibration: for new inliers exchangeable with the n calibration
    # rows, P(flagged) = (m + 1) / (n + 1) <= fpr with m = floor(fpr (n + 1)) - 1
    # (continuous scores), whatever the model.  With n = 19 at 5% that is 1 / 20: the
    # threshold is the lowest calibration score, and a rank off by one flags 2 / 20 (or
    # nearly every row).  The model overfits its 40 fitting rows (20 components of 30
    # features), so a threshold set on the fitting rows' scores instead would flag far
    # more new rows than 5%.  Over 30 seeds the mean flagged share has a standard
    # deviation of about 0.009 (Beta(1, 19) per seed, sd 0.048); 3 of them are the band.
    fpr, rates = 0.05, []
    for seed in range(30):
        rng = np.random.default_rng(seed)
        mixing = rng.normal(size=(30, 30))
        X, X_new = rng.normal(size=(59, 30)) @ mixing, rng.normal(size=(1000, 30)) @ mixing
        detector = AutoencoderOutlierDetector(
            small(n_components=20, epochs=1, batch_size=64), trim=0, fpr=fpr,
            calibration_fraction=0.33, random_state=seed).fit(X)
        assert len(detector.calibration_scores_) == 19
        flagged = detector.predict(X_new) == -1
        np.testing.assert_array_equal(flagged, detector.pvalues(X_new) <= fpr)
        rates.append(flagged.mean())
    assert abs(np.mean(rates) - 1 / 20) <= 3 * 0.009, np.mean(rates)


def test_the_calibrated_threshold_on_an_odds_table(odds):
    from sklearn.model_selection import train_test_split
    from sklearn.preprocessing import StandardScaler

    from skae.datasets import load_table

    table = load_table(odds / "cardio.mat")
    X, y = table.data, table.target
    flagged = {0.05: [], 0.1: []}
    for split in range(3):
        X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.4,
                                                            random_state=split)
        scaler = StandardScaler().fit(X_train)
        inliers = scaler.transform(X_train[y_train == 0])
        # fitted and calibrated on inliers, as the promise assumes: the share of new
        # inliers flagged is the rate, within the spread of 198 calibration rows and 662
        # test inliers (about 0.018 a split at 5%, 0.024 at 10%: 0.031 and 0.042 for the
        # mean of 3 splits, 3 standard deviations)
        detector = AutoencoderOutlierDetector(fpr=0.05, random_state=split).fit(inliers)
        pvalues = detector.pvalues(scaler.transform(X_test[y_test == 0]))
        for rate in flagged:
            flagged[rate].append(np.mean(pvalues <= rate))
    assert abs(np.mean(flagged[0.05]) - 0.05) <= 0.031, flagged
    assert abs(np.mean(flagged[0.1]) - 0.1) <= 0.042, flagged


def test_pvalues_and_the_threshold_agree(digits):
    X, _ = digits
    detector = AutoencoderOutlierDetector(small(), fpr=0.1, random_state=0).fit(X)
    n = len(detector.calibration_scores_)
    assert n == int(0.2 * len(X))  # 359 held out
    p = detector.pvalues(X)
    assert np.all((p > 0) & (p <= 1))
    np.testing.assert_array_equal(detector.predict(X) == -1, p <= 0.1)
    # the conformal p-value by its definition: one plus the calibration rows at least as
    # abnormal as the row, over n + 1
    scores = detector.score_samples(X)  # higher is more normal
    expected = (1 + np.sum(detector.calibration_scores_[None, :] <= scores[:, None],
                           axis=1)) / (n + 1)
    np.testing.assert_allclose(p, expected)
    assert not hasattr(AutoencoderOutlierDetector(small()), "pvalues")


def test_bad_calibration_settings_are_refused(digits):
    X, _ = digits
    with pytest.warns(UserWarning, match="fpr=0.1 is ignored"):
        both = AutoencoderOutlierDetector(small(), fpr=0.1, contamination=0.1).fit(X)
    assert not hasattr(both, "calibration_scores_") and not hasattr(both, "pvalues")
    assert abs(np.mean(both.predict(X) == -1) - 0.1) <= 1 / len(X)
    with pytest.raises(ValueError, match=r"fpr=0.001 needs at least 999 calibration rows"):
        AutoencoderOutlierDetector(small(), fpr=0.001).fit(X)
    detector = AutoencoderOutlierDetector(small(), fpr=0.5)
    with pytest.raises(ValueError, match="calibration_fraction"):
        detector.set_params(calibration_fraction=1.5).fit(X)
    assert not hasattr(detector, "estimator_")


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


@pytest.mark.parametrize("score, tolerance", [("reconstruction", 1e-6), ("combined", 1e-5)])
def test_exported_detector_flags_as_scikit_learn(digits, score, tolerance):
    skl2onnx = pytest.importorskip("skl2onnx", reason="the onnx extra is not installed")
    ort = pytest.importorskip("onnxruntime", reason="the onnx extra is not installed")
    X = digits[0].astype(np.float32)
    # the combined score's statistics are float64 in skae and float32 in the graph:
    # decisions of order 1 agree within 1e-5 (measured: at most 3e-6)
    detector = AutoencoderOutlierDetector(small(), statistic=score, contamination=0.1).fit(X)
    onx = skl2onnx.to_onnx(detector, X[:1])
    session = ort.InferenceSession(onx.SerializeToString(), providers=["CPUExecutionProvider"])
    labels, scores = session.run(None, {session.get_inputs()[0].name: X})
    decision = detector.decision_function(X)
    np.testing.assert_allclose(scores.ravel(), decision, atol=tolerance)
    close = np.abs(decision) < tolerance  # rows on the threshold may fall either way
    np.testing.assert_array_equal(labels.ravel()[~close], detector.predict(X)[~close])


def test_explains_defaults_are_those_its_benchmark_chose_on_half_the_tables():
    import inspect
    import json
    from pathlib import Path

    path = Path(__file__).resolve().parents[1] / "benchmarks" / "results" / "explanations.json"
    chosen = json.loads(path.read_text())["values"]
    defaults = inspect.signature(AutoencoderOutlierDetector.explain).parameters
    assert defaults["rounds"].default == chosen["chosen_rounds"]["value"]
    assert defaults["steps"].default == chosen["chosen_steps"]["value"]
