"""Weight digests of fixed-seed fits, to show a refactoring changes no result.

Usage::

    python benchmarks/fit_digests.py   # then git diff benchmarks/results/fit_digests.json

Each line names a configuration (every network kind, validation with early
stopping, the built-in L1 and noise terms, the default network with its
start and the one-standard-error rule, ``partial_fit`` in three chunks, a
compiled XLA fit and a multi-step fit) and gives a SHA-256 digest of the
fitted weights, the epochs run and the last loss.  Two runs of the same code
print the same lines; any change to how a fit trains changes a digest.
"""

import hashlib
import os
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import numpy as np  # noqa: E402
from _common import Results  # noqa: E402

from skae import AutoencoderTransformer  # noqa: E402
from skae.architectures import Conv, Dense, Sequence, Variational  # noqa: E402
from skae.datasets import load_digits  # noqa: E402

CONFIGS = {
    "default": {},
    "dense": dict(architecture="dense"),
    "deep-val-es": dict(architecture=Dense(hidden_layer_sizes=(32,)), validation_fraction=0.2,
                        early_stopping=True, epochs=20, batch_size=64),
    "sparse-noise": dict(architecture="dense", activity_l1=1e-4, noise_stddev=0.2, epochs=5,
                         batch_size=64),
    "conv": dict(architecture=Conv(filters=(4,)), epochs=2, batch_size=64),
    "sequence": dict(architecture=Sequence(sequence_shape=(8, 8), units=8), epochs=2, batch_size=64),
    "vae": dict(architecture=Variational(base=Dense((16,))), epochs=3, batch_size=64),
    "eager": dict(architecture="dense", epochs=2, batch_size=1024),
}


def digest(model):
    weights = b"".join(np.ascontiguousarray(w).tobytes() for w in model.get_weights())
    return hashlib.sha256(weights).hexdigest()[:16]


def main():
    X = load_digits().data / 16.0
    big = np.tile(X, (5, 1))  # 8,985 rows x 64 x 50 epochs: past XLA's and multi-step's floors
    rows = []
    for name, params in {**CONFIGS, "xla": dict(architecture="dense")}.items():
        data = big if name == "xla" else X
        est = AutoencoderTransformer(8, random_state=0, **params).fit(data)
        rows.append([name, "fit", digest(est.model_), est.n_iter_, est.loss_curve_[-1],
                     est.best_epoch_])
        if name in ("xla",):
            continue
        est = AutoencoderTransformer(8, random_state=0, **params)
        for chunk in np.array_split(data, 3):
            est.partial_fit(chunk)
        rows.append([name, "partial_fit", digest(est.model_), None, None, None])
    # a second estimator of the same structure trains on the step kept from the first
    est = AutoencoderTransformer(8, random_state=0, architecture="dense").fit(X)
    rows.append(["dense", "reused step", digest(est.model_), None, None, None])
    report = Results("fit_digests", "Fixed-seed fits on scikit-learn's digits (8-number codes): "
                     "a SHA-256 digest of the fitted weights per configuration; a change to "
                     "how a fit trains changes a digest.")
    report.table("digests", "Weight digests", ["configuration", "how", "digest", "epochs",
                                               "last loss", "best epoch"], rows,
                 ["{}", "{}", "{}", "{}", "{:.6f}", "{}"])
    report.write()
    sys.stdout.flush()

if __name__ == "__main__":
    main()
