"""The seams of the redesign: a new network kind, deprecated parameters, old files."""

import json
import pickle
import warnings
import zipfile
from pathlib import Path

import keras
import numpy as np
import pytest
from sklearn.base import clone
from sklearn.model_selection import GridSearchCV

import skae
from skae import AutoencoderTransformer, architectures
from skae.architectures import Conv, Dense
from skae.compare import Budget, Split, compare_models, make_model

DATA = Path(__file__).parent / "data"


class Bottleneck(Dense):
    """A kind defined outside skae: the dense one plus an L2 penalty on the code."""

    name = "bottleneck"
    description = "dense, with an L2 penalty on the code"
    loss_terms = ("code_l2",)

    def __init__(self, hidden_layer_sizes=(), activation="relu", l2=0.01):
        super().__init__(hidden_layer_sizes=hidden_layer_sizes, activation=activation)
        self.l2 = l2

    _parameter_constraints = {**Dense._parameter_constraints, "l2": [float]}

    def resolve(self, n_features):
        dense = super().resolve(n_features)
        return Bottleneck(dense.hidden_layer_sizes, dense.activation, self.l2)

    def training_code(self, autoencoder, x, *, training, seed_generator=None):
        code = autoencoder.get_layer("encoder")(x, training=training)
        return code, {"code_l2": self.l2 * keras.ops.sum(code * code, axis=-1)}


@pytest.fixture
def registered(monkeypatch):
    """Bottleneck registered with one entry, as a new module of skae would be."""
    monkeypatch.setitem(architectures.ARCHITECTURES, "bottleneck", f"{__name__}:Bottleneck")


def test_a_new_kind_is_one_registry_entry(registered, digits, tmp_path):
    X, y = digits
    est = AutoencoderTransformer(4, architecture="bottleneck", epochs=3, batch_size=64,
                                 random_state=0).fit(X)
    assert type(est.architecture_).__name__ == "Bottleneck"
    # its own loss term is recorded beside the reconstruction term
    assert set(est.history_) == {"loss", "reconstruction", "code_l2"}
    np.testing.assert_allclose(
        np.add(est.history_["reconstruction"], est.history_["code_l2"]), est.history_["loss"],
        rtol=1e-5)
    # the term changes training: the codes are smaller than without it
    plain = AutoencoderTransformer(4, architecture="dense", epochs=3, batch_size=64,
                                   random_state=0).fit(X)
    strong = clone(est).set_params(architecture=Bottleneck(l2=1.0)).fit(X)
    assert np.abs(strong.transform(X)).mean() < np.abs(plain.transform(X)).mean()
    # saving, loading and pickling know nothing of it, and still work
    loaded = skae.load(est.save(tmp_path / "b.skae"))
    assert loaded.architecture_ == est.architecture_
    np.testing.assert_array_equal(loaded.transform(X), est.transform(X))
    np.testing.assert_array_equal(pickle.loads(pickle.dumps(est)).transform(X), est.transform(X))
    # and so does skae compare
    rows, _ = compare_models(["pca", "bottleneck"], Split(X[:1400], X[1400:], y[:1400], y[1400:]),
                             n_components=4, budget=Budget(epochs=2, batch_size=64))
    assert [r["method"] for r in rows] == ["pca", "bottleneck"]
    assert isinstance(make_model("bottleneck", 4).architecture, str)


def test_compare_models_measures_estimators_as_given(digits):
    from sklearn.decomposition import PCA

    X, y = digits
    split = Split(X[:1400], X[1400:], y[:1400], y[1400:])
    rows, fitted = compare_models({"pca-3": PCA(3), "pca-5": PCA(5)}, split)
    assert [(r["method"], r["n_components"]) for r in rows] == [("pca-3", 3), ("pca-5", 5)]
    # the same measurement as for a named model: PCA(5) by name gives the same row
    named, _ = compare_models(["pca"], split, n_components=5)
    assert rows[1]["test_mse"] == named[0]["test_mse"]
    assert rows[1]["accuracy"] == named[0]["accuracy"]
    assert fitted["pca-3"].n_components_ == 3


def test_architecture_settings_are_searchable(digits):
    X, _ = digits
    base = AutoencoderTransformer(4, architecture=Dense(), epochs=2, batch_size=64, random_state=0)
    assert base.get_params()["architecture__hidden_layer_sizes"] == ()
    search = GridSearchCV(base, {"architecture__hidden_layer_sizes": [(), (16,)]}, cv=2).fit(X)
    assert [p["architecture__hidden_layer_sizes"] for p in search.cv_results_["params"]] == [(), (16,)]
    # the two candidates really are different networks: one Dense layer or two in the encoder
    layers = [sum(type(layer).__name__ == "Dense" for layer in
                  clone(base).set_params(**p).fit(X[:40]).encoder_.layers)
              for p in search.cv_results_["params"]]
    assert layers == [1, 2]
    assert search.best_estimator_.architecture_.hidden_layer_sizes == \
        search.best_params_["architecture__hidden_layer_sizes"]


@pytest.mark.parametrize(
    "legacy, kind, architecture",
    [
        (dict(hidden_layer_sizes=(16, 8), activation="tanh"), "dense",
         Dense(hidden_layer_sizes=(16, 8), activation="tanh")),
        (dict(hidden_layer_sizes=(4, 8)), "conv", Conv(filters=(4, 8))),  # filters, as before
        (dict(image_shape=(8, 8), activation="elu"), "conv",  # the code's activation too
         Conv(image_shape=(8, 8), activation="elu", code_activation="elu")),
        (dict(image_shape=(8, 8)), "dense", Dense()),  # ignored by dense, as before
    ],
)
def test_deprecated_parameters_warn_and_keep_their_meaning(digits, legacy, kind, architecture):
    X, _ = digits
    old = AutoencoderTransformer(3, architecture=kind, epochs=1, batch_size=64, random_state=0,
                                 **legacy)
    with pytest.warns(FutureWarning, match="deprecated since skae 0.2"):
        old.fit(X)
    with warnings.catch_warnings():
        warnings.simplefilter("error", FutureWarning)
        new = AutoencoderTransformer(3, architecture=architecture, epochs=1, batch_size=64,
                                     random_state=0).fit(X)
    assert old.architecture_ == new.architecture_
    np.testing.assert_array_equal(old.transform(X), new.transform(X))
    with pytest.warns(FutureWarning, match="read architecture_ instead"):
        old.hidden_layer_sizes_  # noqa: B018


def test_deprecated_parameters_with_an_architecture_object_raise(digits):
    X, _ = digits
    est = AutoencoderTransformer(architecture=Dense(), hidden_layer_sizes=(8,))
    with pytest.raises(ValueError, match="cannot be combined with an architecture object"):
        est.fit(X)
    assert not hasattr(est, "model_")


def test_partial_fit_validates_parameters_at_every_call(digits):
    from sklearn.utils._param_validation import InvalidParameterError

    X, _ = digits
    est = AutoencoderTransformer(4, random_state=0).partial_fit(X)
    est.set_params(learning_rate=-1.0)
    with pytest.raises(InvalidParameterError, match="learning_rate"):
        est.partial_fit(X)
    assert est.n_iter_ == 1


@pytest.mark.parametrize("kind", ["dense", "conv"])
def test_files_of_format_1_still_load(kind, tmp_path):
    """Files written by skae 0.1 (commit 29a3d96), committed as fixtures."""
    path = DATA / f"format1_{kind}.skae"
    with zipfile.ZipFile(path) as archive:
        assert json.loads(archive.read("metadata.json"))["format"] == 1
    expected = np.load(DATA / "format1_expected.npz")
    with warnings.catch_warnings():
        warnings.simplefilter("error", FutureWarning)  # loading an old file: no deprecation
        loaded = skae.load(path)
    codes = loaded.transform(expected["X"])
    np.testing.assert_allclose(codes, expected[f"{kind}_codes"], rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(loaded.inverse_transform(codes),
                               expected[f"{kind}_reconstructions"], rtol=1e-5, atol=1e-6)
    if kind == "dense":
        assert loaded.architecture == Dense(hidden_layer_sizes=(8,))
        assert loaded.architecture_ == Dense(hidden_layer_sizes=(8,))
    else:
        # skae 0.1's conv code layer had the network's activation (relu)
        assert loaded.architecture == Conv(filters=(4, 8), code_activation="relu")
        assert loaded.architecture_ == Conv(filters=(4, 8), image_shape=(8, 8, 1),
                                            code_activation="relu")
        assert loaded.encoder_.get_layer("code").activation is keras.activations.relu
    # it saves in the current format, and keeps training
    again = skae.load(loaded.save(tmp_path / "again.skae"))
    np.testing.assert_array_equal(again.transform(expected["X"]), codes)
    again.partial_fit(expected["X"])
    assert again.n_iter_ == loaded.n_iter_ + 1


def test_only_the_autoencoder_is_serialised(digits):
    X, _ = digits
    est = AutoencoderTransformer(3, epochs=1, random_state=0).fit(X)
    state = est.__getstate__()
    assert not {"encoder_", "decoder_", "_optimizer"} & set(state)
    loaded = pickle.loads(pickle.dumps(est))
    assert loaded.encoder_ is loaded.model_.get_layer("encoder")  # a part, not a copy
    assert {id(w) for w in loaded.encoder_.weights} <= {id(w) for w in loaded.model_.weights}


def test_pickles_of_skae_0_1_still_load():
    """A pickle written by skae 0.1 (commit 29a3d96), committed as a fixture."""
    expected = np.load(DATA / "skae01_pickle_expected.npz")
    with open(DATA / "skae01_dense.pkl", "rb") as fh, warnings.catch_warnings():
        warnings.simplefilter("error", FutureWarning)  # no deprecated parameter left set
        est = pickle.load(fh)
    assert est.architecture == Dense(hidden_layer_sizes=(8,))
    assert est.architecture_ == Dense(hidden_layer_sizes=(8,))
    assert not {"hidden_layer_sizes_", "image_shape_", "encoder_", "decoder_"} & set(vars(est))
    np.testing.assert_allclose(est.transform(expected["X"]), expected["codes"], rtol=1e-5,
                               atol=1e-6)
    with warnings.catch_warnings():
        warnings.simplefilter("error", FutureWarning)
        est.partial_fit(expected["X"])
