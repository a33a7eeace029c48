"""Scaling up: tf.distribute strategies, JAX data parallelism, streaming, parallel search."""

import importlib.util
import json
import os
import socket
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from sklearn.decomposition import PCA
from sklearn.model_selection import GridSearchCV

from skae import AutoencoderTransformer
from skae.streaming import fit_stream, iter_chunks

SCRIPT = Path(__file__).parent / "scripts" / "distributed_fit.py"
#: Final training losses of a distributed fit and of the same fit on one
#: device agree to this relative tolerance (they differ by float rounding
#: in how the batch's gradient is summed across replicas).
DISTRIBUTED_RTOL = 1e-3


def _env(**extra):
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="2", KERAS_BACKEND="tensorflow")
    env.pop("TF_CONFIG", None)
    env.update(extra)
    return env


def _start(mode, out, **env):
    return subprocess.Popen(
        [sys.executable, str(SCRIPT), mode, str(out)], env=_env(**env),
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )


def _finish(proc, timeout=300):
    try:
        output, _ = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        output, _ = proc.communicate()
        pytest.fail(f"{proc.args} timed out:\n{output[-3000:]}")
    assert proc.returncode == 0, f"{proc.args} failed:\n{output[-3000:]}"


def _run(mode, out, **env):
    proc = _start(mode, out, **env)
    _finish(proc)
    return dict(np.load(out))


def _check_distributed_fit(result, single, replicas):
    assert int(result["replicas"]) == replicas
    # the batch size is the global batch: the same number of steps, so the
    # same losses as on one device, epoch by epoch
    assert len(result["loss"]) == len(single["loss"])
    np.testing.assert_allclose(result["loss"], single["loss"], rtol=DISTRIBUTED_RTOL)
    np.testing.assert_allclose(result["val_loss"], single["val_loss"], rtol=DISTRIBUTED_RTOL)
    # inference: the encoder's arithmetic, independent of the batch, the
    # same inside and outside the strategy's scope
    assert float(result["code_error"]) < 1e-5
    assert float(result["subset_error"]) == 0.0
    assert float(result["scope_error"]) == 0.0
    # partial_fit chunks, sparse input, a warm start and the default network
    # (its PCA start, validation rows and kept state) train the same way
    for key in ("streamed_loss", "sparse_loss", "warm_loss", "default_loss"):
        assert len(result[key]) == len(single[key])
        np.testing.assert_allclose(result[key], single[key], rtol=DISTRIBUTED_RTOL, err_msg=key)
    np.testing.assert_allclose(result["default_mse"], single["default_mse"], rtol=DISTRIBUTED_RTOL)


@pytest.fixture(scope="module")
def single_device(tmp_path_factory):
    return _run("single", tmp_path_factory.mktemp("single") / "single.npz")


def test_mirrored_strategy_over_two_cpu_devices(tmp_path, single_device):
    result = _run("mirrored", tmp_path / "mirrored.npz")
    _check_distributed_fit(result, single_device, replicas=2)
    assert "MirroredVariable" in result["variable_types"]


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_multi_worker_mirrored_strategy_two_processes(tmp_path, single_device):
    cluster = {"worker": [f"127.0.0.1:{_free_port()}" for _ in range(2)]}
    procs = [
        _start(
            "multi_worker", tmp_path / f"worker{i}.npz", SKAE_TEST_WORKER=str(i),
            TF_CONFIG=json.dumps({"cluster": cluster, "task": {"type": "worker", "index": i}}),
        )
        for i in range(2)
    ]
    for proc in procs:
        _finish(proc)
    first, second = (dict(np.load(tmp_path / f"worker{i}.npz")) for i in range(2))
    np.testing.assert_array_equal(first["weights"], second["weights"])
    np.testing.assert_array_equal(first["loss"], second["loss"])
    for result in (first, second):  # each worker transformed its own rows
        _check_distributed_fit(result, single_device, replicas=2)


@pytest.mark.skipif(importlib.util.find_spec("jax") is None,
                    reason="JAX is not installed (pip install 'skae[jax]'); .ci/run installs it "
                           "for its JAX pass, which runs this test")
def test_jax_data_parallel_over_two_cpu_devices(tmp_path):
    jax_env = dict(KERAS_BACKEND="jax", XLA_FLAGS="--xla_force_host_platform_device_count=2")
    single = _run("single", tmp_path / "single.npz", **jax_env)
    result = _run("data_parallel", tmp_path / "dp.npz", **jax_env)
    _check_distributed_fit(result, single, replicas=2)


# ------------------------------------------------------------------ streaming


@pytest.fixture
def uint8_memmap(digits, tmp_path):
    X, _ = digits
    images = np.round(X * 255).astype(np.uint8).reshape(-1, 8, 8)
    path = tmp_path / "digits.u8"
    mm = np.memmap(path, dtype=np.uint8, mode="w+", shape=images.shape)
    mm[:] = images
    mm.flush()
    del mm
    return np.memmap(path, dtype=np.uint8, mode="r", shape=images.shape), images


def test_iter_chunks_reads_a_memmap_block_by_block(uint8_memmap):
    mm, images = uint8_memmap
    chunks = list(iter_chunks(mm, 500, scale=1 / 255))
    assert [c.shape for c in chunks] == [(500, 64), (500, 64), (500, 64), (297, 64)]
    assert all(c.dtype == np.float32 and not isinstance(c, np.memmap) for c in chunks)
    np.testing.assert_array_equal(
        np.vstack(chunks), images.reshape(len(images), -1).astype(np.float32) * np.float32(1 / 255)
    )
    # a view of the memmap is sliced instead
    np.testing.assert_array_equal(np.vstack(list(iter_chunks(mm[100:], 400))),
                                  images[100:].reshape(-1, 64))
    shuffled = list(iter_chunks(mm, 500, shuffle=True, random_state=0))
    assert sorted(map(len, shuffled)) == [297, 500, 500, 500]
    np.testing.assert_array_equal(np.sort(np.vstack(shuffled), axis=0),
                                  np.sort(images.reshape(-1, 64).astype(np.float32), axis=0))
    # so is a memmap that is not read-only: a copy-on-write map's changes
    # never reach the file, and the chunks must show them
    private = np.memmap(mm.filename, dtype=np.uint8, mode="c", shape=images.shape)
    private[0, 0, 0] = images[0, 0, 0] + 7
    assert next(iter_chunks(private, 10))[0, 0] == images[0, 0, 0] + 7
    assert next(iter_chunks(mm, 10))[0, 0] == images[0, 0, 0]


def test_iter_chunks_keeps_sparse_blocks_sparse(digits):
    import scipy.sparse as sp

    X, _ = digits
    chunks = list(iter_chunks(sp.csr_matrix(X), 1000))
    assert all(sp.issparse(c) for c in chunks)
    np.testing.assert_array_equal(sp.vstack(chunks).toarray(), X)


@pytest.mark.parametrize(
    "kwargs, message",
    [
        (dict(chunk_size=0), "chunk_size == 0, must be >= 1"),
        (dict(chunk_size=10, scale=float("nan")), "scale must be a finite number"),
    ],
)
def test_iter_chunks_rejects_bad_arguments(digits, kwargs, message):
    with pytest.raises(ValueError, match=message):
        next(iter_chunks(digits[0], **kwargs))


def test_iter_chunks_rejects_one_dimensional_input():
    with pytest.raises(ValueError, match="one sample per row"):
        next(iter_chunks(np.arange(5), 2))


def test_fit_stream_rejects_a_one_shot_iterator_for_several_passes(digits):
    chunks = iter_chunks(digits[0], 500)
    with pytest.raises(ValueError, match="one-shot iterator"):
        fit_stream(AutoencoderTransformer(), chunks, n_passes=2)
    with pytest.raises(ValueError, match="yielded no data"):
        fit_stream(AutoencoderTransformer(), [], n_passes=1)
    with pytest.raises(TypeError, match="PCA has no partial_fit"):
        fit_stream(PCA(), [digits[0]])


#: Twenty passes over the chunks and twenty epochs in memory (which holds a
#: tenth of the rows out for validation and early stopping, where streaming
#: trains on every row, a chunk at a time) reach reconstruction errors within
#: this relative tolerance of each other.
STREAMING_RTOL = 0.15


def test_streaming_a_uint8_memmap_matches_an_in_memory_fit(uint8_memmap):
    mm, images = uint8_memmap
    X = images.reshape(len(images), -1).astype(np.float32) / 255
    params = dict(n_components=16, batch_size=64, random_state=0)
    in_memory = AutoencoderTransformer(epochs=20, **params).fit(X)
    streamed = fit_stream(AutoencoderTransformer(**params),
                          lambda: iter_chunks(mm, 400, scale=1 / 255), n_passes=20)
    assert streamed.n_iter_ == 20 * 5  # one entry per partial_fit call
    error_in_memory, error_streamed = -in_memory.score(X), -streamed.score(X)
    assert abs(error_streamed - error_in_memory) <= STREAMING_RTOL * error_in_memory
    # both start as PCA (streaming: of the first chunk); training from the file takes the
    # error well below PCA's at the same width, which a stream that trained nothing does not
    pca = PCA(16).fit(X)
    pca_error = np.mean((X - pca.inverse_transform(pca.transform(X))) ** 2)
    assert error_streamed < 0.7 * pca_error, (error_streamed, pca_error)


# ---------------------------------------------------------- parallel search


def test_grid_search_with_process_workers_matches_sequential(digits):
    X, _ = digits
    X = X[:400]
    grid = {"reducer": [PCA(), AutoencoderTransformer(epochs=5, random_state=0)],
            "reducer__n_components": [4, 8]}
    from sklearn.pipeline import Pipeline

    pipe = Pipeline([("reducer", PCA())])
    sequential = GridSearchCV(pipe, grid, cv=2, n_jobs=1).fit(X)
    parallel = GridSearchCV(pipe, grid, cv=2, n_jobs=2).fit(X)  # loky worker processes
    np.testing.assert_allclose(parallel.cv_results_["mean_test_score"],
                               sequential.cv_results_["mean_test_score"], rtol=1e-6)
    assert parallel.best_params_["reducer__n_components"] == 8
