"""save/load without pickle, and what a damaged or unsafe file gives."""

import json
import os
import warnings
import zipfile

import keras
import numpy as np
import pytest
from sklearn.exceptions import NotFittedError

import skae
from skae import AutoencoderTransformer
from skae._persistence import _FITTED, model_to_bytes
from skae.architectures import Conv, Dense


@pytest.fixture(scope="module")
def fitted(digits):
    X, _ = digits
    return AutoencoderTransformer(6, architecture=Dense(hidden_layer_sizes=(16,)), epochs=3,
                                  random_state=0).fit(X)


@pytest.fixture
def saved(fitted, tmp_path):
    return fitted.save(tmp_path / "model.skae")


def rewrite(path, *, metadata=None, model=None):
    """Copy a .skae file, replacing its metadata or model bytes."""
    with zipfile.ZipFile(path) as archive:
        meta = json.loads(archive.read("metadata.json"))
        payload = archive.read("model.keras")
    if metadata is not None:
        meta = metadata(meta)
    out = str(path) + ".edited.skae"
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("metadata.json", meta if isinstance(meta, str) else json.dumps(meta))
        archive.writestr("model.keras", model if model is not None else payload)
    return out


def test_round_trip(fitted, saved, digits):
    X, _ = digits
    loaded = skae.load(saved)
    np.testing.assert_array_equal(loaded.transform(X), fitted.transform(X))
    Z = fitted.transform(X[:40])
    np.testing.assert_array_equal(loaded.inverse_transform(Z), fitted.inverse_transform(Z))
    np.testing.assert_array_equal(loaded.score_samples(X), fitted.score_samples(X))
    assert loaded.get_params() == fitted.get_params()
    assert loaded.architecture == Dense(hidden_layer_sizes=(16,))
    for name in _FITTED:
        if hasattr(fitted, name):
            assert getattr(loaded, name) == getattr(fitted, name), name
    model_ids = {id(w) for w in loaded.model_.weights}
    assert {id(w) for w in loaded.encoder_.weights} | {id(w) for w in loaded.decoder_.weights} == model_ids
    with zipfile.ZipFile(saved) as archive:
        meta = json.loads(archive.read("metadata.json"))
    assert meta["skae_version"] == skae.__version__
    assert meta["keras_version"] == keras.__version__


def test_round_trip_conv_with_feature_names(digits, tmp_path):
    pd = pytest.importorskip("pandas")
    X, _ = digits
    frame = pd.DataFrame(X, columns=[f"p{i}" for i in range(64)])
    est = AutoencoderTransformer(4, architecture="conv", epochs=1, random_state=0).fit(frame)
    loaded = skae.load(est.save(tmp_path / "conv.skae"))
    assert loaded.architecture_ == Conv(filters=(32, 64), image_shape=(8, 8, 1))
    np.testing.assert_array_equal(loaded.feature_names_in_, est.feature_names_in_)
    np.testing.assert_array_equal(loaded.transform(frame), est.transform(frame))


def test_loaded_estimator_keeps_training(saved, digits):
    X, _ = digits
    loaded = skae.load(saved)
    n_iter = loaded.n_iter_
    loaded.partial_fit(X)
    assert loaded.n_iter_ == n_iter + 1
    loaded.set_params(warm_start=True, epochs=2).fit(X)
    assert loaded.n_iter_ == n_iter + 3


def test_save_unfitted_raises(tmp_path):
    with pytest.raises(NotFittedError):
        AutoencoderTransformer().save(tmp_path / "x.skae")
    assert not os.listdir(tmp_path)


def test_unstorable_parameters_warn_and_become_none(digits, tmp_path):
    X, _ = digits
    est = AutoencoderTransformer(3, epochs=1, random_state=np.random.RandomState(0),
                                 callbacks=[keras.callbacks.TerminateOnNaN()]).fit(X)
    with pytest.warns(UserWarning, match="cannot be stored") as record:
        path = est.save(tmp_path / "p.skae")
    messages = {str(w.message).split("=")[0] for w in record if "cannot be stored" in str(w.message)}
    assert messages == {"Parameter random_state", "Parameter callbacks"}
    loaded = skae.load(path)
    assert loaded.random_state is None and loaded.callbacks is None


def test_missing_file(tmp_path):
    with pytest.raises(FileNotFoundError):
        skae.load(tmp_path / "nothing.skae")


def test_save_into_missing_folder_leaves_nothing(fitted, tmp_path):
    path = tmp_path / "no" / "such" / "folder.skae"
    with pytest.raises(FileNotFoundError) as raised:
        fitted.save(path)
    # the message names the path given, not the temporary file written first
    assert str(path) in str(raised.value) and ".partial" not in str(raised.value)
    assert not (tmp_path / "no").exists()


@pytest.mark.parametrize(
    "damage, message",
    [
        ("truncate", "is not a valid .skae file"),
        ("not_zip", "is not a valid .skae file"),
        ("bad_json", "is not a valid .skae file"),
        ("format", "has file format 99; this version of skae reads formats 1, 2"),
        ("keras_version", "written with Keras 2.15.0, which is incompatible"),
        ("model_garbage", "could not be loaded safely"),
        ("missing_model", "lacks model.keras"),
        ("shape_mismatch", "is inconsistent"),
        ("bad_param", "is not a valid .skae file"),
    ],
)
def test_damaged_files_raise_and_return_nothing(saved, tmp_path, damage, message):
    if damage == "truncate":
        data = open(saved, "rb").read()
        path = tmp_path / "t.skae"
        path.write_bytes(data[: len(data) // 2])
    elif damage == "not_zip":
        path = tmp_path / "n.skae"
        path.write_bytes(b"definitely not a zip file")
    elif damage == "bad_json":
        path = rewrite(saved, metadata=lambda m: "{not json")
    elif damage == "format":
        path = rewrite(saved, metadata=lambda m: {**m, "format": 99})
    elif damage == "keras_version":
        path = rewrite(saved, metadata=lambda m: {**m, "keras_version": "2.15.0"})
    elif damage == "model_garbage":
        path = rewrite(saved, model=b"garbage bytes")
    elif damage == "missing_model":
        path = tmp_path / "m.skae"
        with zipfile.ZipFile(saved) as src, zipfile.ZipFile(path, "w") as dst:
            dst.writestr("metadata.json", src.read("metadata.json"))
    elif damage == "shape_mismatch":
        path = rewrite(saved, metadata=lambda m: {**m, "fitted": {**m["fitted"], "n_features_in_": 10}})
    elif damage == "bad_param":
        path = rewrite(saved, metadata=lambda m: {**m, "params": {**m["params"], "n_components": -3}})
    with pytest.raises(ValueError, match=message):
        skae.load(path)


def test_lambda_layer_is_refused_by_safe_mode(saved, tmp_path):
    inputs = keras.Input((64,))
    code = keras.layers.Lambda(lambda x: x * 2.0, name="evil")(inputs)
    encoder = keras.Model(inputs, keras.layers.Dense(6)(code), name="encoder")
    z = keras.Input((6,))
    decoder = keras.Model(z, keras.layers.Dense(64)(z), name="decoder")
    x = keras.Input((64,))
    model = keras.Model(x, decoder(encoder(x)))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        payload = model_to_bytes(model)
    path = rewrite(saved, model=payload)
    with pytest.raises(ValueError, match="could not be loaded safely.*(safe|Lambda)"):
        skae.load(path)
