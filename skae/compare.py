"""Side-by-side comparison of PCA and autoencoders (the ``skae compare`` job).

The functions here take arrays and return plain Python rows, so they serve
the command line (:mod:`skae.cli`), the examples and notebooks alike.
"""

import time

import numpy as np
from sklearn.decomposition import PCA
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import r2_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from ._autoencoder import AutoencoderTransformer

__all__ = ["COLUMNS", "DEFAULT_MODELS", "MODELS", "PRESETS", "compare_models", "crossover",
           "figure_width", "make_model", "plot_reconstructions", "plot_sweep",
           "sweep_components"]

#: Configurations ``skae compare`` knows beside the architectures by name.
PRESETS = {
    "pca": "sklearn.decomposition.PCA",
    "deep": "deep autoencoder: dense, hidden layers (4*n_components, 2*n_components), mirrored",
    "sparse": "sparse autoencoder: the dense one with an L1 penalty of 1e-4 on the code",
    "denoising": "denoising autoencoder: the dense one trained on inputs with noise of 0.5",
    "deep-linear": "deep autoencoder with a linear code: dense, hidden layers (128, 64), "
                   "learning rate 3e-3",
}


def _models():
    """Every model name with a one-line description: presets and each architecture."""
    from .architectures import ARCHITECTURES, get_architecture

    models = {"pca": PRESETS["pca"]}
    models.update({name: get_architecture(name).description for name in ARCHITECTURES})
    models.update({name: text for name, text in PRESETS.items() if name != "pca"})
    return models


#: Models ``skae compare`` knows, with a one-line description each: PCA, every
#: architecture of :data:`skae.architectures.ARCHITECTURES` by name (its
#: default settings), and the blog's deep, sparse and denoising variants.
MODELS = _models()

#: Models ``skae compare`` runs when ``--models`` is not given.
DEFAULT_MODELS = ["pca", "dense", "deep"]

#: Columns of the comparison table, in order.
COLUMNS = [
    "method",
    "n_components",
    "test_mse",
    "test_r2",
    "accuracy",
    "fit_seconds",
    "encode_ms_per_row",
]


def make_model(name, n_components, *, epochs=50, batch_size=256, random_state=0, verbose=0,
               image_shape=None):
    """Return an unfitted estimator for a name of :data:`MODELS`.

    Parameters
    ----------
    name : str
        A key of :data:`MODELS`.
    n_components : int
        Width of the code.
    epochs, batch_size : int
        Training budget of the autoencoders (ignored for PCA).
    random_state : int
        Seed of every model.
    verbose : int
        Keras's verbosity for the autoencoders.
    image_shape : tuple of int or None, default=None
        ``(height, width)`` of the images, for ``"conv"``; ``"sequence"``
        reads them row by row (``height`` timesteps of ``width`` pixels).

    Returns
    -------
    estimator : PCA or AutoencoderTransformer
    """
    from .architectures import ARCHITECTURES, Conv, Dense, Sequence

    if name == "pca":
        return PCA(n_components=n_components, random_state=random_state)
    presets = {
        "deep": dict(architecture=Dense(hidden_layer_sizes=(4 * n_components, 2 * n_components))),
        "sparse": dict(activity_l1=1e-4),
        "denoising": dict(noise_stddev=0.5),
        "deep-linear": dict(architecture=Dense(hidden_layer_sizes=(128, 64),
                                               code_activation="linear"),
                            learning_rate=3e-3),
    }
    if image_shape is not None:
        presets["sequence"] = dict(architecture=Sequence(sequence_shape=tuple(image_shape[:2])))
        presets["conv"] = dict(architecture=Conv(image_shape=tuple(image_shape)))
    if name in presets:
        settings = presets[name]
    elif name in ARCHITECTURES:
        settings = dict(architecture=name)
    else:
        raise ValueError(f"Unknown model {name!r}; choose from {', '.join(MODELS)}.")
    return AutoencoderTransformer(n_components=n_components, epochs=epochs,
                                  batch_size=batch_size, random_state=random_state,
                                  verbose=verbose, **settings)


def _reconstruct(estimator, X):
    return np.asarray(estimator.inverse_transform(estimator.transform(X)), dtype=np.float64)


def compare_models(models, X_train, y_train, X_test, y_test, *, n_components=32, epochs=50,
                   batch_size=256, random_state=0, verbose=0, log=None, image_shape=None):
    """Fit each model and measure it on the test split.

    Parameters
    ----------
    models : list of str
        Names from :data:`MODELS`.
    X_train, X_test : ndarray of shape (n_samples, n_features)
        Training and test images, flattened, with values in [0, 1].
    y_train, y_test : ndarray of shape (n_samples,)
        Labels, used only for the downstream accuracy.
    n_components : int, default=32
        Width of every model's code.
    epochs, batch_size : int, default=50, 256
        Training budget of the autoencoders.
    random_state : int, default=0
        Seed of every model.
    verbose : int, default=0
        Keras's verbosity for the autoencoders.
    log : callable, default=None
        Called with a progress message before each model is fitted.
    image_shape : tuple of int or None, default=None
        ``(height, width)`` of the images (see :func:`make_model`).

    Returns
    -------
    rows : list of dict
        One row per model with the keys of :data:`COLUMNS`: test reconstruction
        MSE, reconstruction R² (variance-weighted, i.e. explained variance),
        accuracy of a logistic regression trained on the training codes, fit
        time in seconds and encoding time per test row in milliseconds.
    fitted : dict of str to estimator
        The fitted models, by name.
    """
    rows, fitted = [], {}
    for i, name in enumerate(models, start=1):
        if log is not None:
            log(f"[{i}/{len(models)}] fitting {name} ({MODELS[name]})")
        estimator = make_model(
            name, n_components, epochs=epochs, batch_size=batch_size,
            random_state=random_state, verbose=verbose, image_shape=image_shape,
        )
        start = time.perf_counter()
        estimator.fit(X_train)
        fit_seconds = time.perf_counter() - start

        codes_train = estimator.transform(X_train)
        start = time.perf_counter()
        codes_test = estimator.transform(X_test)
        encode_seconds = time.perf_counter() - start

        reconstruction = np.asarray(estimator.inverse_transform(codes_test), dtype=np.float64)
        classifier = make_pipeline(StandardScaler(), LogisticRegression(max_iter=2000))
        classifier.fit(codes_train, y_train)
        rows.append(
            {
                "method": name,
                "n_components": int(n_components),
                "test_mse": float(np.mean((X_test - reconstruction) ** 2)),
                "test_r2": float(r2_score(X_test, reconstruction, multioutput="variance_weighted")),
                "accuracy": float(classifier.score(codes_test, y_test)),
                "fit_seconds": float(fit_seconds),
                "encode_ms_per_row": float(1000.0 * encode_seconds / len(X_test)),
            }
        )
        fitted[name] = estimator
    return rows, fitted


def sweep_components(models, components, X_train, X_test, *, epochs=50, batch_size=256,
                     random_state=0, log=None):
    """Test reconstruction MSE of each model at each code width.

    Widths that PCA cannot have (more than ``min(n_samples, n_features)``)
    are left out for PCA.

    Returns
    -------
    results : dict of str to list of (int, float)
        ``{model: [(n_components, test_mse), ...]}``.
    """
    limit = min(X_train.shape)
    results = {}
    for name in models:
        results[name] = []
        for k in components:
            if name == "pca" and k > limit:
                continue
            if log is not None:
                log(f"sweep: fitting {name} with n_components={k}")
            estimator = make_model(name, k, epochs=epochs, batch_size=batch_size,
                                   random_state=random_state).fit(X_train)
            mse = float(np.mean((X_test - _reconstruct(estimator, X_test)) ** 2))
            results[name].append((int(k), mse))
    return results


def _ranges(widths):
    return ", ".join(str(w) for w in widths)


def _errors(rows):
    """``{(method, n_components): test_mse}`` of comparison rows."""
    return {(r["method"], r["n_components"]): r["test_mse"] for r in rows}


def _best_by_width(mse, reference):
    """``{width: (error ratio to the reference, method)}`` of the best other method per width."""
    best = {}
    for (name, k), error in mse.items():
        if name != reference and (reference, k) in mse:
            best[k] = min(best.get(k, (np.inf, "")), (error / mse[reference, k], name))
    return best


def figure_width(rows, reference="pca"):
    """The code width to draw: where another method beats ``reference`` by the widest margin.

    Without such a width (or without the reference), the smallest width
    measured, where every reconstruction is coarse and differences show most.

    Parameters
    ----------
    rows : list of dict
        Rows of :func:`compare_models`, for one or several widths.
    reference : str, default="pca"
        The method the others are compared with.

    Returns
    -------
    width : int
    """
    wins = [(ratio, k) for k, (ratio, _) in _best_by_width(_errors(rows), reference).items()
            if ratio < 1]
    return min(wins)[1] if wins else min(r["n_components"] for r in rows)


def crossover(rows, reference="pca"):
    """Say, per model, at which code widths it reconstructs better than ``reference``.

    Parameters
    ----------
    rows : list of dict
        Rows of :func:`compare_models` (keys ``method``, ``n_components``,
        ``test_mse``), for one or several widths.
    reference : str, default="pca"
        The method the others are compared with.

    Returns
    -------
    sentences : list of str
        First the crossover, where the best other method stops beating the
        reference (e.g. ``"Crossover between 16 and 32 numbers: an autoencoder
        (deep-linear) reconstructs the test images better than pca up to 16
        numbers, pca from 32."``), then one sentence per other method (e.g.
        ``"deep-linear reconstructs the test images better than pca with 2,
        4, 8, 16 numbers (0.62x-0.67x its test error) and worse than pca with
        32 numbers (2.13x its test error)."``); empty without the reference.
    """
    mse = _errors(rows)
    widths = sorted({k for (name, k) in mse if name == reference})
    sentences = []
    best = _best_by_width(mse, reference)
    wins = sorted(k for k, (ratio, _) in best.items() if ratio < 1)
    losses = sorted(k for k, (ratio, _) in best.items() if ratio >= 1)
    winners = ", ".join(dict.fromkeys(best[k][1] for k in wins))
    if best and not wins:
        sentences.append(f"{reference} reconstructs the test images best at every width "
                         f"measured ({_ranges(losses)} numbers).")
    elif best and not losses:
        sentences.append(f"An autoencoder ({winners}) beats {reference} at every width "
                         f"measured ({_ranges(wins)} numbers).")
    elif best and max(wins) < min(losses):
        sentences.append(f"Crossover between {max(wins)} and {min(losses)} numbers: an "
                         f"autoencoder ({winners}) reconstructs the test images better than "
                         f"{reference} up to {max(wins)} numbers, {reference} from "
                         f"{min(losses)}.")
    elif best:
        sentences.append(f"An autoencoder ({winners}) beats {reference} with {_ranges(wins)} "
                         f"numbers, {reference} is better with {_ranges(losses)}.")
    for name in dict.fromkeys(r["method"] for r in rows):
        if name == reference:
            continue
        ratios = [(k, mse[name, k] / mse[reference, k]) for k in widths if (name, k) in mse]
        if not ratios:
            continue
        better = [(k, r) for k, r in ratios if r < 1]
        worse = [(k, r) for k, r in ratios if r >= 1]
        parts = []
        for label, group in (("better", better), ("worse", worse)):
            if group:
                low, high = min(r for _, r in group), max(r for _, r in group)
                spread = f"{low:.2f}x" if len(group) == 1 else f"{low:.2f}x-{high:.2f}x"
                parts.append(f"{label} than {reference} with {_ranges([k for k, _ in group])} "
                             f"numbers ({spread} its test error)")
        sentences.append(f"{name} reconstructs the test images " + " and ".join(parts) + ".")
    return sentences


def plot_reconstructions(fitted, X_test, image_shape, path, *, n_images=10, labels=None,
                         title="Test images (top) and their reconstructions"):
    """Save the blog's figure: originals on top, one row of reconstructions per model.

    ``labels`` maps a model's name to the text beside its row (default: the
    name); ``title`` is the figure's title.
    """
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    n_images = min(n_images, len(X_test))
    originals = X_test[:n_images]
    rows = [("original", originals)] + [
        (name, _reconstruct(est, originals)) for name, est in fitted.items()
    ]
    fig = Figure(figsize=(1.2 * n_images, 1.3 * len(rows)))
    FigureCanvasAgg(fig)
    axes = fig.subplots(len(rows), n_images, squeeze=False)
    for r, (label, images) in enumerate(rows):
        for c in range(n_images):
            ax = axes[r, c]
            ax.imshow(np.clip(images[c], 0, 1).reshape(image_shape), cmap="gray", vmin=0, vmax=1)
            ax.set_xticks([])
            ax.set_yticks([])
        text = label if labels is None else labels.get(label, label)
        axes[r, 0].set_ylabel(text, rotation=0, ha="right", va="center", fontsize=11)
    fig.suptitle(title)
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    return path


def plot_sweep(results, path):
    """Save a plot of test reconstruction MSE against n_components."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from matplotlib.ticker import NullLocator

    fig = Figure(figsize=(6, 4))
    FigureCanvasAgg(fig)
    ax = fig.subplots()
    for name, points in results.items():
        if points:
            ks, mses = zip(*points)
            ax.plot(ks, mses, marker="o", label=name)
    ax.set_xscale("log", base=2)
    ax.set_yscale("log")
    widths = sorted({k for points in results.values() for k, _ in points})
    ax.set_xticks(widths, [str(k) for k in widths])
    ax.xaxis.set_minor_locator(NullLocator())
    ax.set_xlabel("n_components")
    ax.set_ylabel("test reconstruction MSE")
    ax.set_title("Reconstruction error against code width")
    ax.grid(True, which="both", alpha=0.3)
    ax.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    return path
