"""Image data for trying autoencoders: MNIST from local files, and scikit-learn's 8x8 digits.

:func:`load_mnist` reads MNIST from the files the dataset is distributed in
(IDX files, gzipped or not) or from the ``mnist.npz`` archive that
``keras.datasets.mnist.load_data`` keeps in its cache.  :func:`load_digits`
wraps scikit-learn's 8x8 digits, which ship with scikit-learn and need no
download, and returns them in the same form.  Knows nothing about Keras
(beyond asking it to download MNIST when told to) or about the user's tables.
"""

import gzip
import os
import zipfile
import zlib
from pathlib import Path

import numpy as np
from sklearn.utils import Bunch

_IDX_NAMES = {
    "train": ("train-images-idx3-ubyte", "train-labels-idx1-ubyte"),
    "test": ("t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"),
}
_NPZ_KEYS = {"train": ("x_train", "y_train"), "test": ("x_test", "y_test")}
_IMAGES_MAGIC = 0x00000803  # unsigned bytes, 3 dimensions
_LABELS_MAGIC = 0x00000801  # unsigned bytes, 1 dimension


class MNISTNotFoundError(FileNotFoundError):
    """Raised when no MNIST files are found for the requested split."""


class MNISTFormatError(ValueError):
    """Raised when an MNIST file is found but is corrupt, truncated or of another kind."""


def _keras_cache_dir():
    home = os.environ.get("KERAS_HOME") or os.path.join(os.path.expanduser("~"), ".keras")
    return Path(home) / "datasets"


def mnist_search_dirs(data_dir=None):
    """Folders :func:`load_mnist` looks in, in order.

    Parameters
    ----------
    data_dir : str or path-like, default=None
        A folder given by the user.  When given, it is the only place looked
        in.

    Returns
    -------
    dirs : list of pathlib.Path
        ``[data_dir]`` when given; otherwise ``$SKAE_DATA_DIR`` (when set) and
        Keras's dataset cache (``$KERAS_HOME/datasets`` or
        ``~/.keras/datasets``).
    """
    if data_dir is not None:
        return [Path(data_dir)]
    dirs = []
    if os.environ.get("SKAE_DATA_DIR"):
        dirs.append(Path(os.environ["SKAE_DATA_DIR"]))
    dirs.append(_keras_cache_dir())
    return dirs


def _find(folder, stem):
    dotted = stem.replace("-idx", ".idx")
    for name in (stem, stem + ".gz", dotted, dotted + ".gz"):
        path = folder / name
        if path.is_file():
            return path
    return None


def _read_bytes(path):
    try:
        if path.suffix == ".gz":
            with gzip.open(path, "rb") as fh:
                return fh.read()
        return path.read_bytes()
    except (OSError, EOFError, zlib.error) as exc:
        raise MNISTFormatError(f"MNIST file {path} is corrupt or truncated: {exc}") from exc


def _parse_idx(path, magic, n_dims):
    raw = _read_bytes(path)
    header = 4 + 4 * n_dims
    if len(raw) < 4:
        raise MNISTFormatError(f"MNIST file {path} is corrupt or truncated: {len(raw)} bytes.")
    found = int.from_bytes(raw[:4], "big")
    if found != magic:
        raise MNISTFormatError(
            f"MNIST file {path} is not an IDX file of the expected kind: magic number "
            f"{found:#010x}, expected {magic:#010x}."
        )
    if len(raw) < header:
        raise MNISTFormatError(f"MNIST file {path} is corrupt or truncated: {len(raw)} bytes.")
    dims = [int.from_bytes(raw[4 + 4 * i : 8 + 4 * i], "big") for i in range(n_dims)]
    expected = header + int(np.prod(dims))
    if len(raw) != expected:
        raise MNISTFormatError(
            f"MNIST file {path} is corrupt or truncated: {len(raw)} bytes, expected "
            f"{expected} for an array of shape {tuple(dims)}."
        )
    return np.frombuffer(raw, dtype=np.uint8, offset=header).reshape(dims)


def _load_split(folder, split):
    """Return (images, labels, source) for one split in one folder, or None."""
    image_stem, label_stem = _IDX_NAMES[split]
    images_path, labels_path = _find(folder, image_stem), _find(folder, label_stem)
    if images_path is not None and labels_path is not None:
        images = _parse_idx(images_path, _IMAGES_MAGIC, 3)
        labels = _parse_idx(labels_path, _LABELS_MAGIC, 1)
        if images.shape[0] != labels.shape[0]:
            raise MNISTFormatError(
                f"MNIST files {images_path} and {labels_path} disagree: "
                f"{images.shape[0]} images but {labels.shape[0]} labels."
            )
        return images, labels, str(images_path)
    npz = folder / "mnist.npz"
    if npz.is_file():
        x_key, y_key = _NPZ_KEYS[split]
        try:
            with np.load(npz, allow_pickle=False) as archive:
                if x_key in archive and y_key in archive:
                    return np.asarray(archive[x_key]), np.asarray(archive[y_key]), str(npz)
        except (OSError, ValueError, zlib.error, EOFError, zipfile.BadZipFile) as exc:
            raise MNISTFormatError(f"MNIST archive {npz} is corrupt or truncated: {exc}") from exc
    return None


def _download_with_keras():
    import keras

    try:
        (x_train, y_train), (x_test, y_test) = keras.datasets.mnist.load_data()
    except Exception as exc:  # network errors come in many types
        raise MNISTNotFoundError(f"Downloading MNIST through Keras failed: {exc}") from exc
    return {"train": (x_train, y_train, "keras download"),
            "test": (x_test, y_test, "keras download")}


def load_mnist(data_dir=None, subset="all", *, raw=False, download=False, return_X_y=False):
    """Load MNIST from local files.

    Parameters
    ----------
    data_dir : str or path-like, default=None
        Folder holding the IDX files (``train-images-idx3-ubyte``,
        ``train-labels-idx1-ubyte``, ``t10k-images-idx3-ubyte``,
        ``t10k-labels-idx1-ubyte``, each optionally gzipped) or Keras's
        ``mnist.npz``.  When None, ``$SKAE_DATA_DIR`` and then Keras's dataset
        cache are searched (see :func:`mnist_search_dirs`).

    subset : {"all", "train", "test"}, default="all"
        Which split to return.  ``"all"`` returns every split found, the
        training images (60,000) first, then the test images (10,000); it
        works when only one of them is present.

    raw : bool, default=False
        If True, return the pixels as uint8 in 0..255; otherwise as float32 in
        [0, 1].

    download : bool, default=False
        If True and no local copy is found, download MNIST with
        ``keras.datasets.mnist.load_data`` (which needs network access and
        stores it in Keras's cache).

    return_X_y : bool, default=False
        If True, return ``(data, target)`` instead of a Bunch.

    Returns
    -------
    data : :class:`~sklearn.utils.Bunch`
        With ``data`` (n_samples, 784), ``target`` (n_samples,) int64,
        ``images`` (n_samples, 28, 28), ``image_shape`` ``(28, 28)``,
        ``source`` (list of files read) and ``DESCR``.

    (data, target) : tuple
        If ``return_X_y`` is True.

    Raises
    ------
    MNISTNotFoundError
        If no file of the requested split is found; the message lists the
        files looked for and where.
    MNISTFormatError
        If a file is found but is corrupt or truncated (a ``ValueError``).

    See Also
    --------
    load_digits : 8x8 digits that ship with scikit-learn.

    Examples
    --------
    >>> from skae.datasets import load_mnist
    >>> mnist = load_mnist("path/to/mnist", subset="test")  # doctest: +SKIP
    >>> mnist.data.shape  # doctest: +SKIP
    (10000, 784)
    """
    if subset not in ("all", "train", "test"):
        raise ValueError(f"subset must be 'all', 'train' or 'test', got {subset!r}.")
    splits = ("train", "test") if subset == "all" else (subset,)
    dirs = mnist_search_dirs(data_dir)

    found = {}
    for split in splits:
        for folder in dirs:
            loaded = _load_split(folder, split)
            if loaded is not None:
                found[split] = loaded
                break
    if not found and download:
        downloaded = _download_with_keras()
        found = {split: downloaded[split] for split in splits}
    if not found or (subset != "all" and subset not in found):
        wanted = ", ".join(
            f"{stem}[.gz]" for split in splits for stem in _IDX_NAMES[split]
        )
        places = ", ".join(str(d) for d in dirs)
        raise MNISTNotFoundError(
            f"No MNIST {subset if subset != 'all' else 'train or test'} split found. Looked for "
            f"{wanted} or mnist.npz in: {places}. Put the files in one of these folders, "
            "pass data_dir (or --data-dir), set SKAE_DATA_DIR, or use download=True "
            "where the network is reachable."
        )

    images = np.concatenate([found[s][0] for s in splits if s in found])
    target = np.concatenate([found[s][1] for s in splits if s in found]).astype(np.int64)
    if images.ndim != 3 or images.shape[1:] != (28, 28):
        raise MNISTFormatError(f"MNIST images have shape {images.shape[1:]}, expected (28, 28).")
    images = images.astype(np.uint8, copy=False) if raw else images.astype(np.float32) / 255.0
    return _image_bunch(
        images,
        target,
        source=[found[s][2] for s in splits if s in found],
        descr=(
            "MNIST handwritten digits (Yann LeCun, Corinna Cortes and Christopher J.C. "
            f"Burges, CC BY-SA 3.0); splits: {', '.join(s for s in splits if s in found)}."
        ),
        return_X_y=return_X_y,
    )


def _image_bunch(images, target, *, source, descr, return_X_y):
    """The loaders' common return value, from images of shape (n, h, w)."""
    data = images.reshape(len(images), -1)
    if return_X_y:
        return data, target
    return Bunch(
        data=data,
        target=target,
        images=images,
        image_shape=tuple(images.shape[1:]),
        source=source,
        DESCR=descr,
    )


def load_digits(*, raw=False, return_X_y=False):
    """Load scikit-learn's 8x8 digits in the form :func:`load_mnist` uses.

    The 1,797 images ship with scikit-learn, so this needs no download.

    Parameters
    ----------
    raw : bool, default=False
        If True, return the pixels as uint8 in 0..16; otherwise as float32 in
        [0, 1] (divided by 16).

    return_X_y : bool, default=False
        If True, return ``(data, target)`` instead of a Bunch.

    Returns
    -------
    data : :class:`~sklearn.utils.Bunch`
        With ``data`` (1797, 64), ``target`` (1797,) int64, ``images``
        (1797, 8, 8), ``image_shape`` ``(8, 8)``, ``source`` and ``DESCR``.

    (data, target) : tuple
        If ``return_X_y`` is True.

    See Also
    --------
    load_mnist : The 28x28 MNIST digits, from local files.
    sklearn.datasets.load_digits : The underlying loader.

    Examples
    --------
    >>> from skae.datasets import load_digits
    >>> digits = load_digits()
    >>> digits.data.shape, digits.data.dtype, float(digits.data.max())
    ((1797, 64), dtype('float32'), 1.0)
    """
    from sklearn.datasets import load_digits as _sklearn_load_digits

    bunch = _sklearn_load_digits()
    images = bunch.images.astype(np.uint8) if raw else (bunch.images / 16.0).astype(np.float32)
    return _image_bunch(
        images,
        bunch.target.astype(np.int64),
        source=["sklearn.datasets.load_digits"],
        descr="scikit-learn's 8x8 handwritten digits (1,797 images, pixel values 0..16).",
        return_X_y=return_X_y,
    )


def load_mnist_or_digits(data_dir=None):
    """MNIST when a local copy is found, scikit-learn's digits otherwise.

    Examples and notebooks use this to run anywhere: with MNIST files at hand
    they show 28x28 digits, on a fresh machine the 8x8 digits that ship with
    scikit-learn.

    Parameters
    ----------
    data_dir : str or path-like, default=None
        Passed to :func:`load_mnist`.

    Returns
    -------
    data : :class:`~sklearn.utils.Bunch`
        As returned by :func:`load_mnist` (every split found) or
        :func:`load_digits`, with an added ``name`` ("mnist" or "digits").

    See Also
    --------
    load_mnist, load_digits

    Examples
    --------
    >>> from skae.datasets import load_mnist_or_digits
    >>> data = load_mnist_or_digits("a/folder/without/mnist")
    >>> data.name, data.data.shape
    ('digits', (1797, 64))
    """
    try:
        data = load_mnist(data_dir)
        data.name = "mnist"
    except MNISTNotFoundError:
        data = load_digits()
        data.name = "digits"
    return data
