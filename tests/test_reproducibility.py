"""An integer random_state gives the same fit, bit for bit, in a new process."""

import json
import os
import subprocess
import sys
from pathlib import Path

SCRIPT = Path(__file__).resolve().parent / "scripts" / "fit_digest.py"


def digests(*args):
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3")
    done = subprocess.run([sys.executable, str(SCRIPT), *map(str, args)], env=env,
                          capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_every_kind_is_reproducible_in_a_fresh_process(mnist_folder):
    first, second = digests(mnist_folder), digests(mnist_folder)
    # the compiled training paths of each kind, and on MNIST the XLA one
    assert set(first) == {"dense", "conv", "variational", "sequence", "denoising",
                          "dense-mnist"}
    assert first == second
    # and the kinds differ from each other (the digests hash real results)
    assert len(set(first.values())) == len(first)
