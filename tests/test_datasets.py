"""MNIST and digits loaders: real files, tiny files made here, corrupt files."""

import gzip

import numpy as np
import pytest

from skae.datasets import MNISTNotFoundError, load_digits, load_mnist, mnist_search_dirs


def write_idx(path, array, magic, compress):
    header = magic.to_bytes(4, "big") + b"".join(d.to_bytes(4, "big") for d in array.shape)
    payload = header + array.astype(np.uint8).tobytes()
    if compress:
        with gzip.open(str(path) + ".gz", "wb") as fh:
            fh.write(payload)
        return str(path) + ".gz"
    path.write_bytes(payload)
    return str(path)


def tiny_split(folder, prefix, n, compress=True, seed=0):
    rng = np.random.RandomState(seed)
    images = rng.randint(0, 256, size=(n, 28, 28)).astype(np.uint8)
    labels = rng.randint(0, 10, size=n).astype(np.uint8)
    write_idx(folder / f"{prefix}-images-idx3-ubyte", images, 0x803, compress)
    write_idx(folder / f"{prefix}-labels-idx1-ubyte", labels, 0x801, compress)
    return images, labels


def test_real_mnist_test_split(mnist_folder):
    bunch = load_mnist(mnist_folder, subset="test")
    assert bunch.data.shape == (10000, 784) and bunch.data.dtype == np.float32
    assert bunch.images.shape == (10000, 28, 28)
    assert 0.0 == bunch.data.min() and bunch.data.max() == 1.0
    assert bunch.target[:10].tolist() == [7, 2, 1, 0, 4, 1, 4, 9, 5, 9]
    raw, _ = load_mnist(mnist_folder, subset="test", raw=True, return_X_y=True)
    assert raw.dtype == np.uint8 and raw.max() == 255
    np.testing.assert_allclose(raw / 255.0, bunch.data, atol=1e-7)
    # "all" returns what is present: here only the test split
    assert load_mnist(mnist_folder).data.shape == (10000, 784)
    with pytest.raises(MNISTNotFoundError, match="No MNIST train split"):
        load_mnist(mnist_folder, subset="train")


@pytest.mark.parametrize("compress", [True, False])
def test_tiny_idx_files(tmp_path, compress):
    train_images, train_labels = tiny_split(tmp_path, "train", 5, compress, seed=1)
    test_images, test_labels = tiny_split(tmp_path, "t10k", 3, compress, seed=2)
    X, y = load_mnist(tmp_path, subset="all", raw=True, return_X_y=True)
    np.testing.assert_array_equal(X, np.concatenate([train_images, test_images]).reshape(8, 784))
    np.testing.assert_array_equal(y, np.concatenate([train_labels, test_labels]))
    test = load_mnist(tmp_path, subset="test")
    np.testing.assert_allclose(test.data, test_images.reshape(3, 784) / 255.0)
    assert test.target.dtype == np.int64


def test_keras_npz_archive(tmp_path):
    rng = np.random.RandomState(0)
    arrays = {
        "x_train": rng.randint(0, 256, (4, 28, 28)).astype(np.uint8),
        "y_train": np.arange(4, dtype=np.uint8),
        "x_test": rng.randint(0, 256, (2, 28, 28)).astype(np.uint8),
        "y_test": np.arange(2, dtype=np.uint8),
    }
    np.savez(tmp_path / "mnist.npz", **arrays)
    X, y = load_mnist(tmp_path, subset="train", raw=True, return_X_y=True)
    np.testing.assert_array_equal(X, arrays["x_train"].reshape(4, 784))
    np.testing.assert_array_equal(y, arrays["y_train"])


def test_environment_variable_is_searched(tmp_path, monkeypatch):
    tiny_split(tmp_path, "t10k", 2)
    monkeypatch.setenv("SKAE_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "keras-home"))
    assert mnist_search_dirs() == [tmp_path, tmp_path / "keras-home" / "datasets"]
    assert load_mnist(subset="test").data.shape == (2, 784)


def test_missing_files_message_lists_files_and_places(tmp_path):
    with pytest.raises(MNISTNotFoundError) as exc:
        load_mnist(tmp_path, subset="all")
    message = str(exc.value)
    for name in ("train-images-idx3-ubyte", "t10k-labels-idx1-ubyte", "mnist.npz", str(tmp_path)):
        assert name in message
    assert "download=True" in message


def test_truncated_gzip_file(tmp_path):
    tiny_split(tmp_path, "t10k", 3)
    gz = tmp_path / "t10k-images-idx3-ubyte.gz"
    gz.write_bytes(gz.read_bytes()[:-20])
    with pytest.raises(ValueError, match="corrupt or truncated"):
        load_mnist(tmp_path, subset="test")


def test_truncated_plain_file(tmp_path):
    tiny_split(tmp_path, "t10k", 3, compress=False)
    f = tmp_path / "t10k-images-idx3-ubyte"
    f.write_bytes(f.read_bytes()[:-5])
    with pytest.raises(ValueError, match=r"corrupt or truncated: .* expected .* shape \(3, 28, 28\)"):
        load_mnist(tmp_path, subset="test")


def test_wrong_magic_number(tmp_path):
    tiny_split(tmp_path, "t10k", 3, compress=False)
    # swap: labels where images are expected
    (tmp_path / "t10k-images-idx3-ubyte").write_bytes((tmp_path / "t10k-labels-idx1-ubyte").read_bytes())
    with pytest.raises(ValueError, match="magic number 0x00000801, expected 0x00000803"):
        load_mnist(tmp_path, subset="test")


def test_label_count_mismatch(tmp_path):
    tiny_split(tmp_path, "t10k", 3)
    write_idx(tmp_path / "t10k-labels-idx1-ubyte", np.zeros(2, np.uint8), 0x801, True)
    with pytest.raises(ValueError, match="3 images but 2 labels"):
        load_mnist(tmp_path, subset="test")


def test_corrupt_npz(tmp_path):
    (tmp_path / "mnist.npz").write_bytes(b"PK\x03\x04 this is not a zip archive")
    with pytest.raises(ValueError, match="corrupt or truncated"):
        load_mnist(tmp_path, subset="test")


def test_bad_subset():
    with pytest.raises(ValueError, match="subset must be"):
        load_mnist(subset="validation")


def test_digits_loader_matches_mnist_shape():
    bunch = load_digits()
    assert bunch.data.shape == (1797, 64) and bunch.data.dtype == np.float32
    assert bunch.images.shape == (1797, 8, 8) and bunch.image_shape == (8, 8)
    assert bunch.data.min() == 0.0 and bunch.data.max() == 1.0
    raw, y = load_digits(raw=True, return_X_y=True)
    assert raw.dtype == np.uint8 and raw.max() == 16 and y.dtype == np.int64
