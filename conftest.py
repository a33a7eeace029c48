"""Test-session configuration shared by tests/ and the doctests in skae/."""

import os

# scikit-learn's ``check_array_api_input`` (part of the default estimator
# checks) only runs when SciPy's array-API support is switched on, which must
# happen before SciPy is first imported.
os.environ.setdefault("SCIPY_ARRAY_API", "1")
# Keep TensorFlow's C++ start-up chatter out of test logs.
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
