"""Sphinx configuration of the skae documentation.

Build: ``python -m sphinx -W --keep-going -b html docs docs/_build/html``.
Warnings are errors and references are checked (``nitpicky``).  The gallery
runs every ``examples/plot_*.py`` in full, at the budgets that give the real
results, on MNIST when ``$SKAE_DATA_DIR`` or ``../shared/data/mnist`` holds it,
on scikit-learn's digits otherwise (and the ODDS tables from ``$SKAE_ODDS_DIR`` or
``../shared/data/odds``); set ``SKAE_DOCS_QUICK=1`` for the reduced
forms the tests run (a quick local preview).
Intersphinx inventories are written from the installed packages (see
``_ext/offline_inventories.py``), so the build needs no network.
"""

import os
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE / "_ext"))
sys.path.insert(0, str(ROOT))

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
if os.environ.get("SKAE_DOCS_QUICK") == "1":
    os.environ["SKAE_EXAMPLES_QUICK"] = "1"
# where the project's real data lies, as the benchmarks find it
from benchmark_results import _common  # noqa: E402

_shared_mnist = _common.SHARED_DATA / "mnist"
if "SKAE_DATA_DIR" not in os.environ and _shared_mnist.is_dir():
    os.environ["SKAE_DATA_DIR"] = str(_shared_mnist)
_shared_odds = _common.SHARED_DATA / "odds"
if "SKAE_ODDS_DIR" not in os.environ and _shared_odds.is_dir():
    os.environ["SKAE_ODDS_DIR"] = str(_shared_odds)

from offline_inventories import write_inventories  # noqa: E402

import skae  # noqa: E402

project = "skae"
author = "The skae developers"
copyright = "2026, the skae developers"
version = release = skae.__version__

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.doctest",
    "sphinx.ext.intersphinx",
    "numpydoc",
    "sphinx_gallery.gen_gallery",
    "benchmark_results",
]

exclude_patterns = ["_build", "_ext", "auto_examples/*.ipynb", "auto_examples/*.py",
                    "auto_examples/*.zip", "auto_examples/*.json", "auto_examples/*.md5",
                    "sg_execution_times.rst"]
templates_path = []
nitpicky = True
language = "en"

autosummary_generate = True
autodoc_default_options = {"members": True, "inherited-members": False}
numpydoc_show_class_members = False
numpydoc_class_members_toctree = False
numpydoc_validation_checks = {"GL08"}  # every public object has a docstring
numpydoc_xref_param_type = False

intersphinx_mapping = write_inventories(HERE / "_build" / "inventories")
intersphinx_timeout = 5

sphinx_gallery_conf = {
    "examples_dirs": str(ROOT / "examples"),
    "gallery_dirs": "auto_examples",
    "filename_pattern": r"plot_",
    "abort_on_example_error": True,
    "only_warn_on_example_error": False,
    "download_all_examples": False,
    "remove_config_comments": True,
    "matplotlib_animations": False,
    "reference_url": {"skae": None},
    "backreferences_dir": None,
    "doc_module": ("skae",),
    "write_computation_times": False,
}

html_theme = "pydata_sphinx_theme"
html_title = f"skae {release}"
html_theme_options = {"navigation_with_keys": False, "show_toc_level": 2}
html_static_path = []
