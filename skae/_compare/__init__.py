"""The parts of the comparison job, one job per module; :mod:`skae.compare` is its public face."""
