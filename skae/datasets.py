"""Data for trying autoencoders: MNIST, scikit-learn's bundled digits, the user's tables.

:func:`load_mnist` reads MNIST from local files (or Keras's cache);
:func:`load_digits` wraps scikit-learn's 8x8 digits, which need no download;
:func:`load_table` reads a table from a file into numeric features.  The
image loaders live in ``skae._image_data``, the table reader in
``skae._tables``.
"""

from ._image_data import (
    MNISTFormatError,
    MNISTNotFoundError,
    load_digits,
    load_mnist,
    load_mnist_or_digits,
    mnist_search_dirs,
)
from ._tables import TableError, load_table

__all__ = ["MNISTFormatError", "MNISTNotFoundError", "TableError", "load_digits", "load_mnist",
           "load_mnist_or_digits", "load_table", "mnist_search_dirs"]
