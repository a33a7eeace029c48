"""Nothing of the user's outlives the estimator: no row, and not its memory.

Every kind is fitted on rows (a compiled fit, whose step the process-wide
pool keeps for the next fit), then the estimator and the data are deleted:
no array or variable the garbage collector can reach holds one of those
rows, and the memory held by the arrays and variables it can reach comes
back to what it was before the fit, less the kept steps' buffers, which
``skae.set_config(kept_steps=0)`` gives back too.
"""

import gc

import keras
import numpy as np
import pytest

import skae
from skae._step_cache import SHARED_STEPS

KINDS = ["residual", "dense", "conv", "variational", "sequence"]


def _reachable_arrays():
    """Every NumPy array, Keras variable and backend tensor the garbage collector reaches.

    NumPy arrays are not tracked by the collector; they are found as the
    referents of the objects it tracks.
    """
    gc.collect()
    found = {}
    for owner in gc.get_objects():
        for item in (owner, *gc.get_referents(owner)):
            if id(item) in found:
                continue
            if isinstance(item, np.ndarray):
                found[id(item)] = item
            elif isinstance(item, keras.Variable) or _is_tensor(item):
                found[id(item)] = item
    return list(found.values())


def _is_tensor(item):
    # only the backends' own types are asked: keras.ops.is_tensor reads
    # attributes, which some objects answer by loading a library or parsing flags
    module = getattr(type(item), "__module__", None)
    if not isinstance(module, str) or not module.startswith(("tensorflow", "jax")):
        return False
    try:
        return keras.ops.is_tensor(item)
    except Exception:
        return False


def _values(item):
    try:
        return keras.ops.convert_to_numpy(item.value if isinstance(item, keras.Variable) else item)
    except Exception:  # a variable of a model being torn down, a symbolic tensor
        return None


def _holders(rows):
    """The reachable arrays and variables with a row equal to one of ``rows`` (as float32)."""
    wanted = {r.tobytes() for r in rows.astype(np.float32)}
    width = rows.shape[1]
    holders = []
    for item in _reachable_arrays():
        values = _values(item)
        if values is None or values.ndim != 2 or values.shape[1] < width \
                or values.dtype.kind != "f" or values is rows:
            continue
        block = np.ascontiguousarray(values[:, :width], dtype=np.float32)
        if any(row.tobytes() in wanted for row in block):
            holders.append((type(item).__name__, values.shape))
    return holders


def _megabytes():
    """Megabytes held by the reachable arrays and variables."""
    total = 0
    for item in _reachable_arrays():
        if isinstance(item, np.ndarray):
            total += item.nbytes if item.base is None else 0  # a view holds its base's
        elif isinstance(item, keras.Variable):
            total += int(np.prod(item.shape)) * np.dtype(item.dtype).itemsize
    return total / 2**20


@pytest.fixture
def kept_steps():
    yield
    skae.set_config(kept_steps=2)
    SHARED_STEPS.clear()


@pytest.mark.parametrize("kind", KINDS)
def test_no_row_outlives_the_estimator(kind, kept_steps):
    rng = np.random.default_rng(0)
    X = rng.uniform(size=(1500, 64)).astype(np.float32)  # 8x8 images for the conv kind
    data_mib = X.nbytes / 2**20
    user = [X]  # a container the collector tracks (a module namespace is one too)
    rows = X[::100].copy()  # 30 of the rows, kept by the test to look for
    SHARED_STEPS.clear()
    before = _megabytes()
    estimator = skae.AutoencoderTransformer(n_components=4, architecture=kind, epochs=2,
                                            batch_size=64, random_state=0).fit(X)
    fitted = _megabytes()
    assert SHARED_STEPS._trainers, "the fit should have left its compiled step in the pool"
    assert _holders(rows) == [("ndarray", X.shape)]  # in the user's list, and nowhere else
    del estimator, X, user
    assert _holders(rows) == []
    kept = _megabytes()
    skae.set_config(kept_steps=0)
    given_back = _megabytes()
    print(f"{kind}: {before:.2f} MiB before the fit (the data: {data_mib:.2f}), {fitted:.2f} "
          f"after it, {kept:.2f} after del, {given_back:.2f} with no kept step")
    assert kept <= fitted - data_mib  # the data went, and nothing the fit made holds as much
    assert given_back <= before - data_mib + 0.01  # and the kept step's buffers went too

