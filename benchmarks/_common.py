"""Helpers shared by the benchmark scripts (run as ``python benchmarks/<script>.py``)."""

import os
import resource
import sys

#: Where the scripts look for MNIST unless ``--data-dir`` says otherwise.
DEFAULT_DATA_DIR = os.environ.get("SKAE_DATA_DIR", "../shared/data/mnist")


def peak_mb():
    """This process's peak resident memory so far, in MiB."""
    kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return kb / 1024 if sys.platform != "darwin" else kb / 2**20
