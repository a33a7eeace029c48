"""pytest plugin of ``bench_small_fits.py --checks``: applies the way named by ``SKAE_BENCH_SMALL_FITS``."""

import os

from bench_small_fits import apply_way

apply_way(os.environ["SKAE_BENCH_SMALL_FITS"])
