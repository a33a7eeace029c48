"""``n_components`` as PCA users write it: "auto", a share of the variance, and the variance kept."""

import warnings

import numpy as np
import pytest
from sklearn.datasets import load_breast_cancer, load_digits, load_iris, load_wine
from sklearn.decomposition import PCA
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler

from skae import AutoencoderOutlierDetector, AutoencoderTransformer
from skae._width import default_width, selection_rows, variance_kept


@pytest.fixture(scope="module")
def breast_cancer():
    return StandardScaler().fit_transform(load_breast_cancer().data)


def test_auto_width_is_half_the_features_at_most_32():
    assert [default_width(d) for d in (1, 2, 4, 30, 64, 784)] == [1, 1, 2, 15, 32, 32]
    X = load_iris().data
    with warnings.catch_warnings():
        warnings.simplefilter("error", UserWarning)  # "auto" never warns of a wide code
        est = AutoencoderTransformer(epochs=1, random_state=0).fit(X)
    assert est.n_components_ == 2 and est.transform(X).shape == (150, 2)
    detector = AutoencoderOutlierDetector(random_state=0).fit(X)
    assert detector.estimator_.n_components_ == est.n_components_


def test_a_code_wider_than_the_input_is_never_silent():
    X = load_iris().data
    with pytest.warns(UserWarning, match="n_components=5 is more than the 4 features"):
        AutoencoderTransformer(5, epochs=1, random_state=0).fit(X)
    with warnings.catch_warnings():
        warnings.simplefilter("error", UserWarning)
        AutoencoderTransformer(4, epochs=1, random_state=0).fit(X)


def test_variance_kept_of_the_untrained_default_network_is_pcas(breast_cancer):
    # the default network starts as PCA fitted on its training rows; a learning rate of 1e-12
    # leaves it there, and without validation rows the share is measured on the training rows
    # (shifted off zero: the share is about the training mean, not about the origin)
    X = breast_cancer + 3.0
    for k in (2, 5, 11):
        est = AutoencoderTransformer(k, validation_fraction=None, epochs=1, learning_rate=1e-12,
                                     random_state=0).fit(X)
        expected = PCA(k).fit(X).explained_variance_ratio_.sum()
        assert est.variance_kept_ == pytest.approx(expected, abs=1e-5), k


def test_variance_kept_is_measured_on_the_validation_rows(breast_cancer):
    X = breast_cancer
    est = AutoencoderTransformer(5, validation_fraction=0.25, random_state=0).fit(X)
    rows = np.arange(len(X))
    # the estimator's own split: the same seeds as its fit draws
    seeds = np.random.RandomState(0).randint(np.iinfo(np.int32).max, size=3)
    train, valid = (np.sort(r) for r in train_test_split(rows, test_size=0.25,
                                                         random_state=int(seeds[1])))
    errors = -est.score_samples(X[valid])
    assert est.variance_kept_ == pytest.approx(
        variance_kept(errors, X[valid], X[train].mean(axis=0)), rel=1e-9)
    total = ((X[valid] - X[train].mean(axis=0)) ** 2).sum()
    assert est.variance_kept_ == pytest.approx(1 - errors.sum() * X.shape[1] / total, rel=1e-9)


@pytest.fixture(scope="module")
def digits():
    return load_digits().data / 16.0


@pytest.fixture(scope="module")
def searched(digits):
    return AutoencoderTransformer(0.8, random_state=0).fit(digits)


def test_a_share_of_the_variance_picks_the_narrowest_width_that_keeps_it(digits, searched):
    X, est, fraction = digits, searched, 0.8
    search = est.width_search_
    pca_width = PCA(fraction, svd_solver="full").fit(X).n_components_
    assert max(search["n_components"]) == pca_width  # the search starts at PCA's width
    assert est.n_components_ < pca_width  # the network learns beyond PCA on this table
    kept = dict(zip(search["n_components"], search["variance_kept"], strict=True))
    errors = dict(zip(search["n_components"], search["standard_error"], strict=True))
    assert search["threshold"] == min(fraction, kept[pca_width])
    # the one-standard-error rule: the chosen width clears the threshold, narrower ones tried do not
    assert kept[est.n_components_] - errors[est.n_components_] >= search["threshold"]
    assert all(v - errors[w] < search["threshold"] for w, v in kept.items()
               if w < est.n_components_)
    assert all(0.0 < e < 0.1 for e in errors.values())
    assert len(kept) <= 1 + int(np.ceil(np.log2(pca_width)))  # bisection: a few fits
    assert search["selection_rows"] == round(0.1 * len(X))  # as many as a fit's validation rows
    # the network kept is the search's fit at its width, the one whose share was measured: a
    # plain fit with the same seed on the rows the selection rows were held out of
    fit_rows, judged = selection_rows(len(X), 0.1, 0)
    plain = AutoencoderTransformer(est.n_components_, random_state=0).fit(X[fit_rows])
    np.testing.assert_array_equal(plain.transform(X), est.transform(X))
    assert est.variance_kept_ == plain.variance_kept_
    assert variance_kept(-est.score_samples(X[judged]), X[judged], X[fit_rows].mean(axis=0)) \
        == pytest.approx(kept[est.n_components_], rel=1e-6)
    assert est.get_params()["n_components"] == fraction


def test_the_widths_are_judged_on_rows_no_fit_of_the_search_saw(digits, searched):
    """A width's share is measured on held-out rows, by a network fitted on the others."""
    X, est = digits, searched
    fit_rows, judged = selection_rows(len(X), 0.1, 0)
    assert len(judged) == est.width_search_["selection_rows"]
    assert not np.intersect1d(fit_rows, judged).size and len(fit_rows) + len(judged) == len(X)
    width = est.width_search_["n_components"][0]
    narrow = AutoencoderTransformer(width, random_state=0).fit(X[fit_rows])
    expected = variance_kept(-narrow.score_samples(X[judged]), X[judged],
                             X[fit_rows].mean(axis=0), standard_error=True)
    np.testing.assert_allclose(
        (est.width_search_["variance_kept"][0], est.width_search_["standard_error"][0]),
        expected, rtol=1e-6)
    # where no narrower width qualifies (PCA's is 1 here), PCA's width is a plain fit on all rows
    line = np.outer(np.linspace(-1.0, 1.0, 200), np.ones(4)) + 1e-3 * X[:200, :4]
    fallback = AutoencoderTransformer(0.5, epochs=2, random_state=0).fit(line)
    assert fallback.width_search_["n_components"] == [1]
    plain = AutoencoderTransformer(1, epochs=2, random_state=0).fit(line)
    np.testing.assert_array_equal(fallback.transform(line), plain.transform(line))
    # without validation rows there are none to spare: each width is judged by its own fit
    own = AutoencoderTransformer(0.8, validation_fraction=None, epochs=2, random_state=0).fit(X)
    assert own.width_search_["selection_rows"] == 0
    assert own.variance_kept_ == dict(zip(own.width_search_["n_components"],
                                          own.width_search_["variance_kept"]))[own.n_components_]


def test_shares_of_the_variance_that_cannot_be_searched_are_refused():
    X = load_wine().data
    with pytest.raises(ValueError, match="starts as PCA"):
        AutoencoderTransformer(0.9, architecture="dense", epochs=1).fit(X)
    # the deprecated parameters turn the default name into the dense kind: refused too, with
    # their warning, instead of a search that assumed a PCA start it did not have
    legacy = AutoencoderTransformer(0.9, hidden_layer_sizes=(16,), epochs=1)
    with pytest.warns(FutureWarning, match="deprecated"), \
            pytest.raises(ValueError, match="starts as PCA.*for Dense"):
        legacy.fit(X)
    assert not hasattr(legacy, "n_components_")
    # as scikit-learn hides a method its parameters rule out (MLPClassifier's partial_fit with lbfgs)
    assert not hasattr(AutoencoderTransformer(0.9), "partial_fit")
    with pytest.raises(AttributeError, match="has no attribute 'partial_fit'") as excinfo:
        AutoencoderTransformer(0.9).partial_fit(X)
    assert "choosing the width takes fits on all the rows" in str(excinfo.value.__cause__)
    assert hasattr(AutoencoderTransformer(0.9).set_params(n_components=3), "partial_fit")
    with pytest.raises(ValueError, match="no likelihood"):
        AutoencoderTransformer("mle").fit(X)
    est = AutoencoderTransformer(0.9)
    with pytest.raises(ValueError):
        est.set_params(n_components=1.5).fit(X)
    assert not hasattr(est, "n_components_")


def test_partial_fit_leaves_no_variance_kept_of_an_earlier_network(breast_cancer):
    """``variance_kept_`` describes the network ``fit`` left; a chunk later, it would not."""
    X = breast_cancer
    est = AutoencoderTransformer(4, epochs=2, random_state=0).fit(X)
    assert 0.0 < est.variance_kept_ <= 1.0
    est.partial_fit(X[:100])
    assert not hasattr(est, "variance_kept_")
    assert not hasattr(AutoencoderTransformer(4, random_state=0).partial_fit(X), "variance_kept_")


def test_the_standard_error_of_the_variance_kept_matches_the_bootstrap():
    """The delta method's standard error against resampling the rows (dense and sparse)."""
    import scipy.sparse as sp

    rng = np.random.default_rng(0)
    X = rng.normal(size=(300, 6)) * np.arange(1, 7)
    mean = X.mean(axis=0) + 0.1
    errors = (rng.normal(size=(300, 6)) ** 2 * 0.5).mean(axis=1)
    kept, error = variance_kept(errors, X, mean, standard_error=True)
    assert kept == variance_kept(errors, X, mean)
    sparse = variance_kept(errors, sp.csr_matrix(X), mean, standard_error=True)
    np.testing.assert_allclose(sparse, (kept, error), rtol=1e-9)
    resampled = []
    for _ in range(2000):
        rows = rng.integers(0, 300, 300)
        resampled.append(variance_kept(errors[rows], X[rows], mean))
    assert error == pytest.approx(np.std(resampled), rel=0.1)


def test_a_search_takes_every_attribute_a_fit_sets_from_its_chosen_fit(digits, searched):
    """A fit by a share sets by name what a fit sets: a fit sets nothing outside that list."""
    y = (np.arange(len(digits)) % 3).astype(int)
    for params, target in (({}, None), ({"target_weight": 1.0}, y)):
        est = AutoencoderTransformer(4, epochs=1, random_state=0, **params)
        before = set(vars(est))
        est.fit(digits, target)
        set_by_validate_data = {"n_features_in_", "feature_names_in_"}
        assert set(vars(est)) - before - set_by_validate_data \
            <= set(AutoencoderTransformer._FIT_STATE)
    assert set(AutoencoderTransformer._FIT_STATE) - {"_stream_steps"} <= set(vars(searched))
    # what a target weight's candidate keeps is part of that state
    assert set(AutoencoderTransformer._TRAINED) <= set(AutoencoderTransformer._FIT_STATE)
