"""Write intersphinx inventories for scikit-learn, NumPy, Keras and TensorFlow offline.

The documentation must build where only package registries are reachable, so
intersphinx cannot download ``objects.inv`` files.  This module writes them
from the installed packages instead: every public name the docs can refer to,
with the page its project documents it on.  scikit-learn and NumPy name those
pages after the object; Keras (keras.io) and TensorFlow (tensorflow.org) have
no Sphinx inventory at all, so their entries come from the table below.

``conf.py`` calls :func:`write_inventories` before each build.
"""

import importlib
import inspect
import zlib
from pathlib import Path

SKLEARN_URL = "https://scikit-learn.org/stable/"
NUMPY_URL = "https://numpy.org/doc/stable/"
KERAS_URL = "https://keras.io/"
TF_URL = "https://www.tensorflow.org/"
PYTHON_URL = "https://docs.python.org/3/"

SKLEARN_MODULES = [
    "base", "compose", "cluster", "cross_decomposition", "datasets", "decomposition",
    "discriminant_analysis", "ensemble", "exceptions", "linear_model", "manifold", "metrics",
    "model_selection", "neighbors", "neural_network", "pipeline", "preprocessing",
    "semi_supervised", "svm", "utils",
]

#: Keras and TensorFlow names (as the docs write them) and their pages.
KERAS_PAGES = {
    "keras.Model": "api/models/model/",
    "keras.Sequential": "api/models/sequential/",
    "keras.callbacks.Callback": "api/callbacks/base_callback/",
    "keras.callbacks.EarlyStopping": "api/callbacks/early_stopping/",
    "keras.callbacks.ModelCheckpoint": "api/callbacks/model_checkpoint/",
    "keras.callbacks.TensorBoard": "api/callbacks/tensorboard/",
    "keras.callbacks.CSVLogger": "api/callbacks/csv_logger/",
    "keras.optimizers.Adam": "api/optimizers/adam/",
    "keras.optimizers.SGD": "api/optimizers/sgd/",
    "keras.utils.PyDataset": "api/utils/python_utils/#pydataset-class",
    "keras.distribution.DataParallel": "api/distribution/data_parallel/",
    "keras.distribution.list_devices": "api/distribution/distribution_utils/#listdevices-function",
    "keras.saving.load_model": "api/models/model_saving_apis/model_saving_and_loading/",
}
TF_PAGES = {
    name: "api_docs/python/" + name.replace(".", "/")
    for name in [
        "tf.distribute.Strategy",
        "tf.distribute.MirroredStrategy",
        "tf.distribute.MultiWorkerMirroredStrategy",
        "tf.config.set_logical_device_configuration",
    ]
}
PYTHON_PAGES = {
    "pickle": ("py:module", "library/pickle.html#module-pickle"),
    "threading.Thread": ("py:class", "library/threading.html#threading.Thread"),
    "KeyboardInterrupt": ("py:exception", "library/exceptions.html#KeyboardInterrupt"),
    "ValueError": ("py:exception", "library/exceptions.html#ValueError"),
    "TypeError": ("py:exception", "library/exceptions.html#TypeError"),
    "pathlib.Path": ("py:class", "library/pathlib.html#pathlib.Path"),
}


def _role(obj):
    if inspect.isclass(obj):
        return "py:exception" if issubclass(obj, BaseException) else "py:class"
    if callable(obj):
        return "py:function"
    if inspect.ismodule(obj):
        return "py:module"
    return "py:data"


def _sklearn_entries():
    import sklearn

    entries = {}
    for short in SKLEARN_MODULES:
        module = importlib.import_module(f"sklearn.{short}")
        entries[f"sklearn.{short}"] = ("py:module", f"api/sklearn.{short}.html#module-sklearn.{short}")
        names = getattr(module, "__all__", None) or [
            name for name, obj in vars(module).items()
            if (inspect.isclass(obj) or inspect.isfunction(obj))
            and getattr(obj, "__module__", "").startswith("sklearn.")
        ]
        for name in names:
            try:
                obj = getattr(module, name, None)
            except ImportError:  # experimental names need an explicit enable import
                continue
            if obj is None or name.startswith("_"):
                continue
            full = f"sklearn.{short}.{name}"
            entries[full] = (_role(obj), f"modules/generated/{full}.html#{full}")
            if inspect.isclass(obj):
                for attr in dir(obj):
                    if not attr.startswith("_") and callable(getattr(obj, attr, None)):
                        entries[f"{full}.{attr}"] = (
                            "py:method", f"modules/generated/{full}.html#{full}.{attr}"
                        )
    entries["sklearn"] = ("py:module", "index.html#module-sklearn")
    for term in ["fit", "transform", "inverse_transform", "score", "partial_fit",
                 "random_state", "n_jobs", "warm_start", "estimator", "transformer"]:
        entries[term] = ("std:term", f"glossary.html#term-{term}")
    return sklearn.__version__, entries


def _numpy_entries():
    import numpy as np

    entries = {}
    for name in dir(np):
        obj = getattr(np, name, None)
        if name.startswith("_") or obj is None or inspect.ismodule(obj):
            continue
        full = f"numpy.{name}"
        if inspect.isclass(obj) and issubclass(obj, np.generic):
            entries[full] = ("py:class", f"reference/arrays.scalars.html#{full}")
        else:
            entries[full] = (_role(obj), f"reference/generated/{full}.html#{full}")
    for name in ["Generator", "RandomState", "default_rng"]:
        full = f"numpy.random.{name}"
        role = "py:function" if name == "default_rng" else "py:class"
        page = "generator" if name != "RandomState" else "legacy"
        entries[full] = (role, f"reference/random/{page}.html#{full}")
    entries["numpy"] = ("py:module", "reference/index.html#module-numpy")
    return np.__version__, entries


def _table_entries(pages, role="py:class"):
    return {name: ("py:function" if name.rsplit(".", 1)[-1][:1].islower() else role, page)
            for name, page in pages.items()}


def _write(path, project, version, entries):
    header = (
        "# Sphinx inventory version 2\n"
        f"# Project: {project}\n# Version: {version}\n"
        "# The remainder of this file is compressed using zlib.\n"
    ).encode()
    lines = [
        f"{name} {role} 1 {uri} -\n"
        for name, (role, uri) in sorted(entries.items())
    ]
    path.write_bytes(header + zlib.compress("".join(lines).encode()))


def write_inventories(folder):
    """Write the inventories into ``folder``; return intersphinx_mapping."""
    import keras
    import tensorflow as tf

    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    sk_version, sk_entries = _sklearn_entries()
    np_version, np_entries = _numpy_entries()
    inventories = {
        "sklearn": (SKLEARN_URL, "scikit-learn", sk_version, sk_entries),
        "numpy": (NUMPY_URL, "NumPy", np_version, np_entries),
        "keras": (KERAS_URL, "Keras", keras.__version__, _table_entries(KERAS_PAGES)),
        "tensorflow": (TF_URL, "TensorFlow", tf.__version__, _table_entries(TF_PAGES)),
        "python": (PYTHON_URL, "Python", "3", dict(PYTHON_PAGES)),
    }
    mapping = {}
    for key, (url, project, version, entries) in inventories.items():
        path = folder / f"{key}.inv"
        _write(path, project, version, entries)
        mapping[key] = (url, str(path))
    return mapping
