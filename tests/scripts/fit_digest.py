"""Fit each kind on a compiled training path and print digests of the results (JSON).

Run by tests/test_reproducibility.py in fresh processes:
``python fit_digest.py [MNIST folder]``.
"""

import hashlib
import json
import sys

import numpy as np

from skae import AutoencoderTransformer
from skae.architectures import Conv, Sequence
from skae.datasets import load_digits, load_mnist


def digest(est, X):
    parts = [est.transform(X), est.inverse_transform(est.transform(X[:50])),
             np.asarray(est.loss_curve_)]
    return hashlib.sha256(b"".join(np.ascontiguousarray(p).tobytes() for p in parts)).hexdigest()


def main():
    X, _ = load_digits(return_X_y=True)
    # digits: 23 steps an epoch, compiled with several steps per call
    fits = {
        "dense": (AutoencoderTransformer(8, epochs=4, batch_size=64, random_state=0), X),
        "conv": (AutoencoderTransformer(8, architecture=Conv(filters=(4, 8)), epochs=4,
                                        batch_size=64, random_state=0), X),
        "variational": (AutoencoderTransformer(4, architecture="variational", epochs=4,
                                               batch_size=64, random_state=0), X),
        "sequence": (AutoencoderTransformer(4, architecture=Sequence(units=8), epochs=2,
                                            batch_size=64, random_state=0), X[:800]),
        "denoising": (AutoencoderTransformer(8, noise_stddev=0.3, epochs=4, batch_size=64,
                                             random_state=0), X),
    }
    if len(sys.argv) > 1:  # MNIST: large enough for XLA on TensorFlow
        mnist = load_mnist(sys.argv[1], subset="test", return_X_y=True)[0][:8000]
        fits["dense-mnist"] = (AutoencoderTransformer(epochs=3, random_state=0), mnist)
    out = {}
    for name, (est, data) in fits.items():
        est.fit(data)
        out[name] = digest(est, data)
    print(json.dumps(out))


if __name__ == "__main__":
    main()
