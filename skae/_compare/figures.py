"""The figures ``skae compare`` draws: reconstructions, per-feature errors, the sweep, codes.

Draws with Matplotlib's object API (no global figure state); knows nothing
about how the models were chosen or measured.
"""

import numpy as np


def _figure(figsize):
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=figsize)
    FigureCanvasAgg(fig)
    return fig


def plot_reconstructions(fitted, X_test, image_shape, path, *, n_images=10, labels=None,
                         title="Test images (top) and their reconstructions"):
    """Save the blog's figure: originals on top, one row of reconstructions per model.

    ``labels`` maps a model's name to the text beside its row (default: the
    name); ``title`` is the figure's title.
    """
    n_images = min(n_images, len(X_test))
    originals = X_test[:n_images]
    rows = [("original", originals)] + [
        (name, model.inverse_transform(model.transform(originals)))
        for name, model in fitted.items()
    ]
    fig = _figure((1.2 * n_images, 1.3 * len(rows)))
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


def plot_feature_errors(errors, feature_names, path, *, n_features=25, title=None):
    """Save a bar chart of each model's test error per feature: what each fails to keep.

    Parameters
    ----------
    errors : dict of str to ndarray of shape (n_features,)
        Each model's mean squared error per feature (:func:`~skae.compare.feature_errors`).
    feature_names : list of str
    path : str or path-like
    n_features : int, default=25
        The features drawn: those with the largest error of any model.
    title : str or None
        The first line of the title; a second one says which features are drawn.
    """
    names = list(errors)
    table = np.array([errors[name] for name in names])
    order = np.argsort(-table.max(axis=0), kind="stable")[:n_features][::-1]
    fig = _figure((7.5, 1.6 + 0.28 * len(order) * max(1, len(names) / 2)))
    ax = fig.subplots()
    height = 0.8 / len(names)
    positions = np.arange(len(order))
    for i, name in enumerate(names):  # the first model on top in each group, as in the legend
        ax.barh(positions + ((len(names) - 1) / 2 - i) * height, table[i, order], height,
                label=name)
    ax.set_yticks(positions, [str(feature_names[j]) for j in order])
    ax.set_xlabel("test mean squared error of the feature")
    shown = (f"all {table.shape[1]} features" if len(order) == table.shape[1] else
             f"the {len(order)} of {table.shape[1]} features reconstructed worst")
    ax.set_title(f"{title or 'Per-feature reconstruction error'}\n({shown})", fontsize=10)
    ax.grid(True, axis="x", alpha=0.3)
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    return path


def _against_width(curves):
    """A figure with one line per model of ``{model: [(width, value), ...]}``, widths on log2."""
    from matplotlib.ticker import NullLocator

    fig = _figure((6, 4))
    ax = fig.subplots()
    for name, points in curves.items():
        if points:
            ks, values = zip(*points)
            ax.plot(ks, values, marker="o", label=name)
    ax.set_xscale("log", base=2)
    widths = sorted({k for points in curves.values() for k, _ in points})
    ax.set_xticks(widths, [str(k) for k in widths])
    ax.xaxis.set_minor_locator(NullLocator())
    return fig, ax


def plot_sweep(results, path, *, title="Reconstruction error against code width"):
    """Save a plot of test reconstruction MSE against n_components; ``title`` is its title."""
    fig, ax = _against_width(results)
    ax.set_yscale("log")
    ax.set_xlabel("n_components")
    ax.set_ylabel("test reconstruction MSE")
    ax.set_title(title, fontsize=10)
    ax.grid(True, which="both", alpha=0.3)
    ax.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    return path


def plot_variance_kept(curves, levels, path, *, title="How many numbers each method needs"):
    """Save a plot of the share of the test variance kept against the width, levels marked.

    Parameters
    ----------
    curves : dict of str to list of (int, float)
        ``{model: [(n_components, share of the test variance kept), ...]}``.
    levels : sequence of float
        Shares drawn as dashed lines (e.g. 0.90, 0.95, 0.99).
    path : str or path-like
    title : str
    """
    fig, ax = _against_width(curves)
    for level in levels:
        ax.axhline(level, color="0.5", linestyle="--", linewidth=0.8)
        ax.annotate(f"{level:.0%}", (1.0, level), xycoords=("axes fraction", "data"),
                    xytext=(3, 0), textcoords="offset points", va="center", fontsize=8,
                    color="0.3")
    lowest = min((v for points in curves.values() for _, v in points), default=0.0)
    ax.set_ylim(max(0.0, min(lowest, min(levels)) - 0.05), 1.0)
    ax.set_xlabel("n_components (numbers per row)")
    ax.set_ylabel("share of the test variance kept")
    ax.set_title(title, fontsize=10)
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(loc="lower right")
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    return path


def plot_codes(codes, classes, path, *, title):
    """Save a scatter of each model's 2-number test codes, coloured by class, a panel each.

    Parameters
    ----------
    codes : dict of str to ndarray of shape (n_samples, 2) or (n_samples, 1)
        Each model's codes of the test rows (a 1-number code is drawn against
        zero: LDA's on two classes).
    classes : ndarray of shape (n_samples,)
        The test rows' classes.
    path : str or path-like
    title : str
    """
    names = list(codes)
    labels, colours = np.unique(np.asarray(classes), return_inverse=True)
    fig = _figure((3.2 * len(names) + 1.0, 3.6))
    axes = fig.subplots(1, len(names), squeeze=False)[0]
    cmap = "tab10" if len(labels) <= 10 else "tab20"
    for ax, name in zip(axes, names):
        Z = np.asarray(codes[name], dtype=np.float64)
        y_axis = Z[:, 1] if Z.shape[1] > 1 else np.zeros(len(Z))
        ax.scatter(Z[:, 0], y_axis, c=colours, cmap=cmap, vmin=0, vmax=max(len(labels) - 1, 1),
                   s=6)
        ax.set_title(name, fontsize=10)
        ax.set_xticks([])
        ax.set_yticks([])
    colour = axes[-1].collections[0].to_rgba
    handles = [axes[-1].scatter([], [], color=colour(i), s=12, label=str(label))
               for i, label in enumerate(labels[:20])]
    fig.legend(handles=handles, title="class", loc="center right", fontsize=8)
    fig.suptitle(title, fontsize=10)
    fig.tight_layout(rect=(0, 0, 1 - 1.0 / (3.2 * len(names) + 1.0), 1))
    fig.savefig(path, dpi=100)
    return path
