"""Feeding data that do not fit in memory to :meth:`skae.AutoencoderTransformer.partial_fit`.

:func:`iter_chunks` cuts an array, a :class:`numpy.memmap` or a sparse matrix
into consecutive blocks of rows, converted to float32 (and scaled) one block
at a time; :func:`fit_stream` runs ``partial_fit`` over such blocks, or over
any iterable of chunks, for a number of passes.  Nothing here imports Keras.
"""

import mmap
from numbers import Integral, Real

import numpy as np
import scipy.sparse as sp
from sklearn.utils import check_random_state, check_scalar

__all__ = ["fit_stream", "iter_chunks"]


def _is_file_backed(X):
    """Whether ``X`` is a read-only, C-contiguous memmap of a whole mapping.

    Only then do the file's bytes equal the array's: a copy-on-write ("c")
    map's changes never reach the file, and a writable one's need not have.
    """
    return (
        isinstance(X, np.memmap)
        and getattr(X, "mode", None) == "r"
        and isinstance(X.base, mmap.mmap)
        and X.filename is not None
        and X.flags.c_contiguous
    )


def _read_rows(X, start, stop):
    """Rows ``start:stop`` of ``X``; a file-backed memmap is read, not mapped.

    Slicing a memmap maps the file's pages into the process, where they stay
    resident while the map lives; reading each block from the file instead
    keeps memory proportional to the block, however large the file.
    """
    if not _is_file_backed(X):
        return X[start:stop]
    row_values = int(np.prod(X.shape[1:], dtype=np.int64))
    with open(X.filename, "rb") as f:
        f.seek(X.offset + start * row_values * X.dtype.itemsize)
        values = np.fromfile(f, dtype=X.dtype, count=(stop - start) * row_values)
    return values.reshape(stop - start, *X.shape[1:])


def iter_chunks(X, chunk_size, *, scale=None, dtype=np.float32, shuffle=False,
                random_state=None):
    """Yield consecutive blocks of rows of `X`, converted one block at a time.

    Parameters
    ----------
    X : {ndarray, numpy.memmap, sparse matrix} of shape (n_samples, ...)
        The data.  A read-only :class:`numpy.memmap` of a file (for
        instance uint8 images on disk, opened with ``mode="r"``) is read from
        the file block by block instead of through the map, so memory stays
        proportional to `chunk_size`.  Rows may be of any shape (images are
        flattened to one row each).

    chunk_size : int
        Rows per block (the last block may be smaller).

    scale : float, default=None
        Factor each block is multiplied by after conversion (``1 / 255`` turns
        uint8 pixels into [0, 1]).  None leaves values as they are.

    dtype : numpy dtype, default=numpy.float32
        Dtype of the dense blocks.  Sparse blocks stay sparse (CSR).

    shuffle : bool, default=False
        Whether to visit the blocks in a random order (rows inside a block
        keep their order; ``partial_fit`` shuffles them).

    random_state : int, RandomState instance or None, default=None
        Seed of the block order when `shuffle` is True.

    Yields
    ------
    chunk : ndarray of shape (n_rows, n_features) or sparse CSR matrix
        One block, ``n_rows <= chunk_size``.

    See Also
    --------
    fit_stream : Run ``partial_fit`` over the blocks for several passes.
    skae.AutoencoderTransformer.partial_fit : Train on one block.

    Examples
    --------
    >>> import numpy as np
    >>> from skae.streaming import iter_chunks
    >>> images = np.arange(2 * 5 * 4, dtype=np.uint8).reshape(5, 2, 4)
    >>> [chunk.shape for chunk in iter_chunks(images, 2, scale=1 / 255)]
    [(2, 8), (2, 8), (1, 8)]
    """
    chunk_size = check_scalar(chunk_size, "chunk_size", Integral, min_val=1)
    if scale is not None and (not isinstance(scale, Real) or not np.isfinite(scale)):
        raise ValueError(f"scale must be a finite number or None, got {scale!r}.")
    if not hasattr(X, "shape") or len(X.shape) < 2:
        raise ValueError(
            "X must be a 2-D (or higher) array, memmap or sparse matrix with one sample per "
            f"row, got {type(X).__name__} of shape {getattr(X, 'shape', None)}."
        )
    starts = np.arange(0, X.shape[0], chunk_size)
    if shuffle:
        starts = check_random_state(random_state).permutation(starts)
    for start in starts:
        start = int(start)
        stop = min(start + chunk_size, X.shape[0])
        if sp.issparse(X):
            block = sp.csr_matrix(X[start:stop], dtype=dtype)
            if scale is not None:
                block = block * scale
        else:
            raw = _read_rows(X, start, stop)
            block = np.asarray(raw, dtype=dtype).reshape(stop - start, -1)
            if scale is not None:
                if np.may_share_memory(block, X) or np.may_share_memory(block, raw):
                    block = block * np.asarray(scale, dtype=dtype)  # never change X
                else:  # a fresh conversion: scale it in place
                    block *= np.asarray(scale, dtype=dtype)
        yield block


def fit_stream(estimator, chunks, *, n_passes=1):
    """Train `estimator` with ``partial_fit`` over `chunks`, `n_passes` times.

    Parameters
    ----------
    estimator : estimator with ``partial_fit``
        For example an :class:`~skae.AutoencoderTransformer`; its first
        ``partial_fit`` builds the network, later ones continue it.

    chunks : iterable of array-like, or callable returning one
        The data, one chunk per item.  To make more than one pass, pass a
        callable (e.g. ``lambda: iter_chunks(X, 10_000, scale=1 / 255)``)
        or a re-iterable (a list); a one-shot iterator is refused for
        ``n_passes > 1`` because its second pass would be empty.

    n_passes : int, default=1
        Passes over the chunks (epochs).

    Returns
    -------
    estimator : estimator
        The trained estimator.

    See Also
    --------
    iter_chunks : Cut an array or memmap into converted blocks.

    Examples
    --------
    >>> from sklearn.datasets import load_digits
    >>> from skae import AutoencoderTransformer
    >>> from skae.streaming import fit_stream, iter_chunks
    >>> X = load_digits().data.astype("float32")  # values 0..16
    >>> est = AutoencoderTransformer(n_components=8, random_state=0)
    >>> est = fit_stream(est, lambda: iter_chunks(X, 600, scale=1 / 16), n_passes=2)
    >>> est.n_iter_
    6
    """
    n_passes = check_scalar(n_passes, "n_passes", Integral, min_val=1)
    if not hasattr(estimator, "partial_fit"):
        raise TypeError(f"{type(estimator).__name__} has no partial_fit method.")
    if not callable(chunks) and n_passes > 1 and iter(chunks) is chunks:
        raise ValueError(
            "chunks is a one-shot iterator, so only its first pass would see data; pass a "
            "callable that returns a fresh iterator (e.g. lambda: iter_chunks(X, size)) "
            "or a list of chunks."
        )
    for _ in range(n_passes):
        seen = 0
        for chunk in chunks() if callable(chunks) else chunks:
            estimator.partial_fit(chunk)
            seen += 1
        if seen == 0:
            raise ValueError("chunks yielded no data.")
    return estimator
