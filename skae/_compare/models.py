"""The models ``skae compare`` knows by name, how each is made, and how autoencoders train.

Knows nothing about data sets, measuring or the command line.
"""

import dataclasses

from sklearn.decomposition import PCA

from .._autoencoder import AutoencoderTransformer

#: Configurations ``skae compare`` knows beside the architectures by name.
PRESETS = {
    "pca": "sklearn.decomposition.PCA",
    "kpca": "sklearn.decomposition.KernelPCA (RBF, with an inverse): gamma and alpha chosen on "
            "held-out training rows, at most 3,000 rows",
    "deep": "deep autoencoder: dense, hidden layers (4*n_components, 2*n_components), mirrored",
    "sparse": "sparse autoencoder: the dense one with an L1 penalty of 1e-4 on the code",
    "denoising": "denoising autoencoder: the dense one trained on inputs with noise of 0.5",
    "deep-linear": "deep autoencoder with a linear code: dense, hidden layers (128, 64), "
                   "learning rate 3e-3",
    "supervised": "skae's default that also learns the target (target_weight='auto'); "
                  "needs labels or a numeric target",
    "lda": "sklearn.discriminant_analysis.LinearDiscriminantAnalysis (at most classes - 1 "
           "numbers); needs labels, does not decode",
    "nca": "sklearn.neighbors.NeighborhoodComponentsAnalysis; needs labels, does not decode",
}


def _preset_settings(name, n_components):
    """Estimator parameters of a preset of ``PRESETS`` (not ``"pca"``)."""
    from ..architectures import Dense

    return {
        "deep": lambda: dict(architecture=Dense(
            hidden_layer_sizes=(4 * n_components, 2 * n_components))),
        "sparse": lambda: dict(architecture="dense", activity_l1=1e-4),
        "denoising": lambda: dict(architecture="dense", noise_stddev=0.5),
        "deep-linear": lambda: dict(architecture=Dense(hidden_layer_sizes=(128, 64),
                                                       code_activation="linear"),
                                    learning_rate=3e-3),
        "supervised": lambda: dict(architecture="residual", target_weight="auto"),
    }[name]()


#: The models that are not autoencoders: scikit-learn's reducers.
BASELINES = ("pca", "kpca", "lda", "nca")

#: Models that learn from the target: they need one (LDA and NCA, class labels).
USE_TARGET = ("supervised", "lda", "nca")

#: Models that need class labels, and have no inverse_transform to measure.
CLASS_REDUCERS = ("lda", "nca")


def _models():
    """Every model name with a one-line description: presets and each architecture."""
    from ..architectures import ARCHITECTURES, get_architecture

    models = {name: PRESETS[name] for name in BASELINES}
    models.update({name: get_architecture(name).description for name in ARCHITECTURES})
    models.update({name: text for name, text in PRESETS.items() if name not in BASELINES})
    return models


#: Models ``skae compare`` knows, with a one-line description each: PCA, Kernel PCA, every
#: architecture of :data:`skae.architectures.ARCHITECTURES` by name (its
#: default settings), and the blog's deep, sparse and denoising variants.
MODELS = _models()

#: How the figures name a model where its name alone does not say what it is.
_LEGEND_NAMES = {"pca": "PCA", "kpca": "Kernel PCA", "residual": "residual (skae's default)",
                 "dense": "dense (the Keras blog's)", "lda": "LDA", "nca": "NCA"}


def legend_name(name):
    """A model's name as the figures show it: ``"residual (skae's default)"``."""
    return _LEGEND_NAMES.get(name, name)


#: Models ``skae compare`` runs on a dataset that names none: PCA, the
#: default autoencoder and the Keras blog's simple one.
DEFAULT_MODELS = ("pca", "residual", "dense")


@dataclasses.dataclass(frozen=True)
class Budget:
    """How the autoencoders of a comparison train.

    Attributes
    ----------
    epochs, batch_size : int or None
        Given, every autoencoder trains so; None, each its own default
        (``"auto"``).
    fixed : tuple of (int, int) or None
        ``(epochs, batch_size)`` of the autoencoders whose kind trains for a
        fixed number of epochs (the Keras blog's kinds), where ``epochs`` and
        ``batch_size`` are None: a dataset's budget for them.
    random_state : int
        Seed of every model.
    verbose : int
        Keras's verbosity for the autoencoders.
    """

    epochs: int = None
    batch_size: int = None
    fixed: tuple = None
    random_state: int = 0
    verbose: int = 0


def make_model(name, n_components, *, budget=None, image_shape=None, n_rows=None,
               n_classes=None):
    """Return an unfitted estimator for a name of :data:`MODELS`.

    Parameters
    ----------
    name : str
        A key of :data:`MODELS`.
    n_components : int
        Width of the code.
    budget : Budget or None, default=None
        Training budget and seed; None is ``Budget()``.
    image_shape : tuple of int or None, default=None
        ``(height, width)`` of flat images, for the kinds that read images or
        sequences (see :meth:`skae.architectures.Architecture.for_sample_shape`).
    n_rows : int or None, default=None
        Training rows, to tell a kind with a fixed budget from one that stops
        on its own (``budget.fixed`` applies to the former); needed when
        ``budget.fixed`` is set.
    n_classes : int or None, default=None
        Classes of the target, for ``"lda"``, whose code has at most one
        number fewer.

    Returns
    -------
    estimator : PCA, TunedKernelPCA, LinearDiscriminantAnalysis,
        NeighborhoodComponentsAnalysis or AutoencoderTransformer
    """
    from ..architectures import ARCHITECTURES, get_architecture

    budget = budget or Budget()
    if name == "pca":
        return PCA(n_components=n_components, random_state=budget.random_state)
    if name == "lda":
        from sklearn.discriminant_analysis import LinearDiscriminantAnalysis

        return LinearDiscriminantAnalysis(
            n_components=min(n_components, (n_classes or n_components + 1) - 1))
    if name == "nca":
        from sklearn.neighbors import NeighborhoodComponentsAnalysis

        return NeighborhoodComponentsAnalysis(n_components, random_state=budget.random_state)
    if name == "kpca":
        from .kpca import TunedKernelPCA

        return TunedKernelPCA(n_components, random_state=budget.random_state)
    if name in PRESETS:
        settings = _preset_settings(name, n_components)
    elif name in ARCHITECTURES:
        settings = dict(architecture=name)
    else:
        raise ValueError(f"Unknown model {name!r}; choose from {', '.join(MODELS)}.")
    architecture = get_architecture(settings["architecture"])
    if image_shape is not None:
        shaped = architecture.for_sample_shape(tuple(image_shape))
        if shaped is not architecture:
            settings["architecture"] = architecture = shaped
    training = {}
    if budget.epochs is not None or budget.batch_size is not None:
        training = {k: v for k, v in (("epochs", budget.epochs),
                                      ("batch_size", budget.batch_size)) if v is not None}
    elif budget.fixed is not None:
        if n_rows is None:
            raise ValueError("A budget with fixed epochs needs n_rows: whether it applies "
                             "depends on whether the kind stops on its own at that many rows.")
        if not architecture.default_training(n_rows)["early_stopping"]:
            training = dict(zip(("epochs", "batch_size"), budget.fixed))
    return AutoencoderTransformer(n_components=n_components, random_state=budget.random_state,
                                  verbose=budget.verbose, **settings, **training)

