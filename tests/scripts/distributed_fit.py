"""Fit skae under a distribution strategy in a fresh process (used by test_scaling.py).

usage: python distributed_fit.py {single,mirrored,multi_worker,data_parallel} OUT.npz

The caller sets the environment: TF_CONFIG for multi_worker, KERAS_BACKEND=jax
and XLA_FLAGS=--xla_force_host_platform_device_count=2 for data_parallel.
"""

import os
import sys

import numpy as np
import scipy.sparse as sp

mode, out = sys.argv[1], sys.argv[2]
if mode == "mirrored":
    import tensorflow as tf

    cpu = tf.config.list_physical_devices("CPU")[0]
    tf.config.set_logical_device_configuration(cpu, [tf.config.LogicalDeviceConfiguration()] * 2)

from sklearn.datasets import load_digits  # noqa: E402

from skae import AutoencoderTransformer, _arrays  # noqa: E402

X = (load_digits().data[:600] / 16.0).astype(np.float32)
PARAMS = dict(n_components=16, architecture="dense",
              epochs=int(os.environ.get("SKAE_TEST_EPOCHS", "4")), batch_size=64,
              random_state=0, validation_fraction=0.1)

if mode == "single":
    import contextlib

    scope = contextlib.nullcontext()
    replicas = 1
elif mode == "mirrored":
    strategy = tf.distribute.MirroredStrategy(["/cpu:0", "/cpu:1"])
    scope = strategy.scope()
    replicas = strategy.num_replicas_in_sync
elif mode == "multi_worker":
    import tensorflow as tf

    strategy = tf.distribute.MultiWorkerMirroredStrategy()
    scope = strategy.scope()
    replicas = strategy.num_replicas_in_sync
elif mode == "data_parallel":
    import keras

    devices = keras.distribution.list_devices("cpu")
    distribution = keras.distribution.DataParallel(devices=devices)
    scope = distribution.scope()
    replicas = len(devices)
else:
    raise SystemExit(f"unknown mode {mode!r}")

with scope:
    est = AutoencoderTransformer(**PARAMS).fit(X)
    Z_in_scope = est.transform(X[:100])
    # the other ways of training: chunks, sparse input, warm start
    streamed = AutoencoderTransformer(n_components=8, architecture="dense", batch_size=64,
                                      random_state=0)
    streamed.partial_fit(X[:300]).partial_fit(X[300:])
    sparse = AutoencoderTransformer(n_components=8, architecture="dense", epochs=3,
                                    batch_size=64, random_state=0)
    _arrays.SMALL_DENSE_VALUES = 0  # densified batch by batch, as large sparse data is
    sparse.fit(sp.csr_matrix(X))
    warm = AutoencoderTransformer(n_components=8, architecture="dense", epochs=3, batch_size=64,
                                  random_state=0, warm_start=True)
    warm.fit(X).fit(X)
    # the default network: its PCA start, validation rows and kept state
    default = AutoencoderTransformer(n_components=8, epochs=5, random_state=0).fit(X)
variable_types = sorted({type(v.value).__name__ for v in est.model_.weights})

# inference outside the scope: each process on its own rows, in batches
# of any size, must agree with itself and with the weights' arithmetic
worker = int(os.environ.get("SKAE_TEST_WORKER", "0"))
part = X[worker::2]
Z = est.transform(part)
W, b = (np.asarray(w) for w in est.encoder_.get_weights()[:2])
np.savez(
    out,
    weights=np.concatenate([np.ravel(w) for w in est.model_.get_weights()]),
    loss=np.asarray(est.loss_curve_),
    val_loss=np.asarray(est.history_["val_loss"]),
    code_error=np.abs(Z - np.maximum(part @ W + b, 0)).max(),
    scope_error=np.abs(est.transform(X[:100]) - Z_in_scope).max(),
    subset_error=np.abs(est.transform(part[:7]) - Z[:7]).max(),
    reconstruction_mse=-est.score(X),
    streamed_loss=np.asarray(streamed.loss_curve_),
    sparse_loss=np.asarray(sparse.loss_curve_),
    warm_loss=np.asarray(warm.loss_curve_),
    default_loss=np.asarray(default.loss_curve_),
    default_mse=-default.score(X),
    replicas=replicas,
    variable_types=np.asarray(variable_types),
)
