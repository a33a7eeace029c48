"""Dense float32 copies of the data a network reads, and when to make them at once.

Knows nothing about Keras, networks or scikit-learn.
"""

import numpy as np
import scipy.sparse as sp

__all__ = ["SMALL_DENSE_VALUES", "dense_float32", "densify_at_once"]

#: Sparse data whose dense float32 copy holds at most this many values
#: (64 MiB) is densified once, like dense data; larger sparse data one batch
#: (or block) at a time, so memory stays that of the sparse matrix.  A memory
#: bound, not a speed one: the copy is made once per fit either way.
SMALL_DENSE_VALUES = 2**24


def dense_float32(block):
    """A C-contiguous float32 NumPy copy (or view) of ``block``, densified."""
    if sp.issparse(block):
        block = block.toarray()
    return np.ascontiguousarray(block, dtype=np.float32)


def densify_at_once(X):
    """Whether ``X`` (dense or sparse) may be copied whole into a dense float32 array."""
    return not sp.issparse(X) or X.shape[0] * X.shape[1] <= SMALL_DENSE_VALUES
