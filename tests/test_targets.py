"""Codes that learn from y: ``AutoencoderTransformer(target_weight=...)``."""

import pickle

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.datasets import load_diabetes, load_digits, load_wine
from sklearn.decomposition import PCA
from sklearn.linear_model import LinearRegression, LogisticRegression
from sklearn.model_selection import GridSearchCV, StratifiedKFold, cross_val_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

import skae
from skae import AutoencoderOutlierDetector, AutoencoderTransformer
from skae._autoencoder import LONE_TARGET_WEIGHT, TARGET_WEIGHTS
from skae.architectures import Conv, Dense, Sequence, Variational


@pytest.fixture(scope="module")
def wine():
    X, y = load_wine(return_X_y=True)
    return StandardScaler().fit_transform(X).astype(np.float32), y


def held_out_accuracy(reducer, X, y):
    """Logistic regression on the codes, 3 stratified folds (reducer fitted on each fold)."""
    pipe = make_pipeline(StandardScaler(), reducer, LogisticRegression(max_iter=3000))
    folds = StratifiedKFold(3, shuffle=True, random_state=0)
    return cross_val_score(pipe, X, y, cv=folds).mean()


def test_two_numbers_of_digits_separate_the_classes_far_better_than_pca_and_the_plain_code():
    # the claim of the mode, on rows the fit never saw: ten classes in two numbers.
    # PCA's two leading directions and the plain autoencoder's code (y ignored)
    # mix most digits; the code trained with the head does not.
    X, y = load_digits(return_X_y=True)
    supervised = held_out_accuracy(AutoencoderTransformer(2, target_weight=1.0, random_state=0),
                                   X, y)
    pca = held_out_accuracy(PCA(2), X, y)
    plain = held_out_accuracy(AutoencoderTransformer(2, random_state=0), X, y)
    assert supervised > pca + 0.2, (supervised, pca)
    assert supervised > plain + 0.2, (supervised, plain)


def test_without_y_or_without_a_weight_the_fit_is_the_plain_one(wine):
    X, y = wine
    plain = AutoencoderTransformer(3, epochs=5, random_state=0).fit(X).transform(X)
    no_y = AutoencoderTransformer(3, epochs=5, random_state=0, target_weight="auto").fit(X)
    ignored = AutoencoderTransformer(3, epochs=5, random_state=0).fit(X, y)
    np.testing.assert_array_equal(no_y.transform(X), plain)
    np.testing.assert_array_equal(ignored.transform(X), plain)
    assert no_y.target_weight_ is None and "target" not in no_y.history_


def test_the_head_trains_beside_the_reconstruction(wine):
    X, y = wine
    est = AutoencoderTransformer(2, epochs=20, random_state=0, target_weight=1.0).fit(X, y)
    assert est.target_weight_ == 1.0
    # the head's loss is recorded and falls; the code still decodes
    assert est.history_["target"][-1] < est.history_["target"][0]
    assert est.inverse_transform(est.transform(X)).shape == X.shape
    assert est.get_feature_names_out().tolist() == ["autoencodertransformer0",
                                                    "autoencodertransformer1"]


def test_auto_chooses_one_of_its_weights_on_the_validation_rows(wine):
    X, y = wine
    est = AutoencoderTransformer(2, epochs=10, random_state=0, target_weight="auto").fit(X, y)
    assert est.target_weight_ in TARGET_WEIGHTS
    # without validation rows there is nothing to choose on: the weight is 3
    none = AutoencoderTransformer(2, epochs=3, random_state=0, target_weight="auto",
                                  validation_fraction=None).fit(X, y)
    assert none.target_weight_ == LONE_TARGET_WEIGHT == 3.0


def test_the_same_seed_gives_the_same_codes(wine):
    X, y = wine
    a, b = (AutoencoderTransformer(2, epochs=10, random_state=3, target_weight="auto").fit(X, y)
            for _ in range(2))
    np.testing.assert_array_equal(a.transform(X), b.transform(X))


@pytest.mark.parametrize("labels", ["strings", "booleans", "two_classes"])
def test_labels_of_any_kind(wine, labels):
    X, y = wine
    y = {"strings": np.array(["barolo", "grignolino", "barbera"])[y],
         "booleans": y == 0, "two_classes": (y == 1).astype(int)}[labels]
    est = AutoencoderTransformer(2, epochs=3, random_state=0, target_weight=1.0).fit(X, y)
    assert np.isfinite(est.history_["target"]).all()


def test_unlabelled_rows_train_the_reconstruction_only(wine):
    X, y = wine
    partly = y.copy()
    partly[np.arange(len(y)) % 10 != 0] = -1  # a tenth labelled
    est = AutoencoderTransformer(2, epochs=5, random_state=0, target_weight=1.0).fit(X, partly)
    assert np.isfinite(est.history_["target"]).all()
    # -1 rows are not a class: a warm start with a label never seen is refused
    est.set_params(warm_start=True)
    with pytest.raises(ValueError, match=r"classes \[7\]"):
        est.fit(X, np.where(y == 0, 7, y))
    with pytest.raises(ValueError, match="no labelled row"):
        clone(est).fit(X, np.full(len(y), -1))


def test_a_numeric_target_one_or_several_outputs():
    X, y = load_diabetes(return_X_y=True)
    X = StandardScaler().fit_transform(X)
    codes = AutoencoderTransformer(2, random_state=0, target_weight=1.0).fit_transform(X, y)
    pca = PCA(2).fit_transform(X)
    # on its training rows, two numbers predict the target better than PCA's two
    fitted = LinearRegression().fit(codes, y).score(codes, y)
    assert fitted > LinearRegression().fit(pca, y).score(pca, y) + 0.05
    two = np.column_stack([y, -y + 3.0])
    two[::5, 0] = np.nan  # an unlabelled value
    est = AutoencoderTransformer(2, epochs=3, random_state=0, target_weight=1.0).fit(X, two)
    assert np.isfinite(est.history_["target"]).all()


@pytest.mark.parametrize("y, match", [
    (np.arange(5), "inconsistent numbers of samples"),
    (np.eye(3, dtype=int)[np.arange(178) % 3], "several columns of class labels"),
    (np.full(178, np.inf), "infinity"),
])
def test_bad_targets_are_refused_and_leave_the_estimator_unfitted(wine, y, match):
    X, _ = wine
    est = AutoencoderTransformer(2, epochs=1, target_weight=1.0)
    with pytest.raises(ValueError, match=match):
        est.fit(X, y)
    assert not hasattr(est, "model_")


def test_a_share_of_the_variance_with_a_target_is_refused(wine):
    X, y = wine
    with pytest.raises(ValueError, match="integer n_components with target_weight"):
        AutoencoderTransformer(0.9, target_weight=1.0).fit(X, y)
    # without y the share works as before
    assert AutoencoderTransformer(0.9, epochs=2, target_weight=1.0).fit(X).n_components_ >= 1


@pytest.mark.parametrize("architecture", [
    "dense", Dense(hidden_layer_sizes=(16,)), Conv(filters=(4,), image_shape=(-1, 1)),
    Variational(base=Dense((8,))), Sequence(sequence_shape=(-1, 1), units=4),
], ids=["dense", "deep", "conv", "variational", "sequence"])
def test_every_kind_trains_a_head(architecture):
    X, y = load_digits(return_X_y=True)
    X = (X[:300] / 16.0).astype(np.float32)
    est = AutoencoderTransformer(2, architecture=architecture, epochs=2, batch_size=64,
                                 random_state=0, target_weight=1.0).fit(X, y[:300])
    assert len(est.history_["target"]) == 2
    assert est.transform(X).shape == (300, 2)


def test_partial_fit_with_y_keeps_the_head_between_chunks(wine):
    X, y = wine
    est = AutoencoderTransformer(2, random_state=0, target_weight=1.0, batch_size=16)
    for _ in range(6):
        est.partial_fit(X, y)
    head = est._head
    est.partial_fit(X, y)
    assert est._head is head and est.target_weight_ == 1.0
    losses = est.history_["target"]
    assert len(losses) == 7 and losses[-1] < losses[0]
    with pytest.raises(ValueError, match=r"classes \[5\]"):
        est.partial_fit(X, np.where(y == 2, 5, y))
    assert len(est.history_["target"]) == 7  # the failed chunk left no trace


def test_a_pipeline_search_over_the_weight_and_the_width(wine):
    X, y = wine
    pipe = make_pipeline(AutoencoderTransformer(epochs=3, random_state=0),
                         LogisticRegression(max_iter=1000))
    search = GridSearchCV(pipe, {"autoencodertransformer__n_components": [1, 2],
                                 "autoencodertransformer__target_weight": [None, 1.0]}, cv=2)
    search.fit(X, y)
    assert len(search.cv_results_["mean_test_score"]) == 4
    assert search.best_estimator_[0].n_components_ in (1, 2)


def test_saved_and_pickled_estimators_transform_as_fitted(wine, tmp_path):
    X, y = wine
    est = AutoencoderTransformer(2, epochs=3, random_state=0, target_weight=1.0).fit(X, y)
    loaded = skae.load(est.save(tmp_path / "supervised.skae"))
    unpickled = pickle.loads(pickle.dumps(est))
    for other in (loaded, unpickled):
        np.testing.assert_array_equal(other.transform(X), est.transform(X))
        assert other.target_weight_ == 1.0
    # a warm start after loading trains a new head beside the loaded network
    unpickled.set_params(warm_start=True).fit(X, y)
    assert len(unpickled.history_["target"]) == 6


def test_the_outlier_detector_ignores_y(wine):
    X, y = wine
    inner = AutoencoderTransformer(2, epochs=2, batch_size=16, target_weight=1.0)
    with_y = AutoencoderOutlierDetector(inner, random_state=0).fit(X, y)
    without = AutoencoderOutlierDetector(inner, random_state=0).fit(X)
    np.testing.assert_array_equal(with_y.score_samples(X), without.score_samples(X))
