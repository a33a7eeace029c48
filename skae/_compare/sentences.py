"""The sentences ``skae compare`` prints: where an autoencoder beats the reference, and where not.

Reads comparison rows (plain dicts); of the models it knows only which are
not autoencoders (``BASELINES``: the crossover is about autoencoders), and
nothing about data.
"""

import numpy as np

from .models import BASELINES


def listed(numbers):
    """``"2, 4, 8"``: numbers as a sentence lists them."""
    return ", ".join(str(n) for n in numbers)


def _errors(rows):
    """``{(method, n_components): test_mse}`` of comparison rows."""
    return {(r["method"], r["n_components"]): r["test_mse"] for r in rows}


#: Error ratios within this of 1 count as a tie in the sentences (``"about as well as"``):
#: a difference smaller than a seed or a split moves it.
TIE = 0.005


def _best_by_width(mse, reference):
    """``{width: (error ratio to the reference, method)}`` of the best autoencoder per width."""
    best = {}
    for (name, k), error in mse.items():
        if name != reference and name not in BASELINES and (reference, k) in mse:
            best[k] = min(best.get(k, (np.inf, "")), (error / mse[reference, k], name))
    return best


def figure_width(rows, reference="pca"):
    """The code width to draw: where another method beats ``reference`` by the widest margin.

    Without such a width (or without the reference), the smallest width
    measured, where every reconstruction is coarse and differences show most.

    Parameters
    ----------
    rows : list of dict
        Rows of :func:`~skae.compare.compare_models`, for one or several widths.
    reference : str, default="pca"
        The method the others are compared with.

    Returns
    -------
    width : int
    """
    wins = [(ratio, k) for k, (ratio, _) in _best_by_width(_errors(rows), reference).items()
            if ratio < 1 - TIE]
    return min(wins)[1] if wins else min(r["n_components"] for r in rows)


def _outcome(ratio):
    return "better" if ratio < 1 - TIE else "worse" if ratio > 1 + TIE else "even"


def crossover(rows, reference="pca", *, what="test images"):
    """Say, per model, at which code widths it reconstructs better than ``reference``.

    Error ratios within ``TIE`` of 1 are ties (``"about as well as"``).

    Parameters
    ----------
    rows : list of dict
        Rows of :func:`~skae.compare.compare_models` (keys ``method``, ``n_components``,
        ``test_mse``), for one or several widths.
    reference : str, default="pca"
        The method the others are compared with.
    what : str, default="test images"
        What the sentences call the test rows (``"test rows"`` for a table).

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
    by_outcome = {o: sorted(k for k, (ratio, _) in best.items() if _outcome(ratio) == o)
                  for o in ("better", "worse", "even")}
    wins, losses, ties = by_outcome["better"], by_outcome["worse"], by_outcome["even"]
    winners = ", ".join(dict.fromkeys(best[k][1] for k in wins))
    if best and not wins and not losses:
        sentences.append(f"An autoencoder ({', '.join(dict.fromkeys(best[k][1] for k in ties))})"
                         f" reconstructs the {what} about as well as {reference} at every width "
                         f"measured ({listed(ties)} numbers, within {TIE:.1%}).")
    elif best and not wins:
        sentences.append(f"{reference} reconstructs the {what} best at every width "
                         f"measured ({listed(losses + ties)} numbers).")
    elif best and not losses:
        sentences.append(f"An autoencoder ({winners}) beats {reference} at every width "
                         f"measured ({listed(wins + ties)} numbers)." if not ties else
                         f"An autoencoder ({winners}) beats {reference} with {listed(wins)} "
                         f"numbers and is about even with it with {listed(ties)}.")
    elif best and max(wins) < min(losses):
        sentences.append(f"Crossover between {max(wins)} and {min(losses)} numbers: an "
                         f"autoencoder ({winners}) reconstructs the {what} better than "
                         f"{reference} up to {max(wins)} numbers, {reference} from "
                         f"{min(losses)}.")
    elif best:
        sentences.append(f"An autoencoder ({winners}) beats {reference} with {listed(wins)} "
                         f"numbers, {reference} is better with {listed(losses)}.")
    labels = {"better": "better than", "even": "about as well as", "worse": "worse than"}
    for name in dict.fromkeys(r["method"] for r in rows):
        if name == reference:
            continue
        ratios = [(k, mse[name, k] / mse[reference, k]) for k in widths if (name, k) in mse]
        if not ratios:
            continue
        parts = []
        for outcome in ("better", "even", "worse"):
            group = [(k, r) for k, r in ratios if _outcome(r) == outcome]
            if group:
                low, high = (f"{f(r for _, r in group):.2f}x" for f in (min, max))
                spread = low if low == high else f"{low}-{high}"
                parts.append(f"{labels[outcome]} {reference} with "
                             f"{listed([k for k, _ in group])} numbers ({spread} its test error)")
        sentences.append(f"{name} reconstructs the {what} " + " and ".join(parts) + ".")
    return sentences


def numbers_needed(needed, widths):
    """Say, per share of the test variance, how many numbers each method needs to keep it.

    Parameters
    ----------
    needed : dict
        :func:`~skae._compare.measure.widths_needed`'s ``{method: {level: width}}``.
    widths : sequence of int
        The widths measured (a method needs "more than" the widest where none
        keeps a share).

    Returns
    -------
    sentences : list of str
        One per share, e.g. ``"To keep 95% of the test variance, pca needs 16
        numbers, residual 8 (the narrowest of the widths measured: 2, 4, 8, 16,
        32)."``

    Examples
    --------
    >>> from skae._compare.sentences import numbers_needed
    >>> print(numbers_needed({"pca": {0.95: 16}, "residual": {0.95: 8}}, [8, 16])[0])
    ... # doctest: +NORMALIZE_WHITESPACE
    To keep 95% of the test variance, pca needs 16 numbers, residual 8 (the
    narrowest of the widths measured: 8, 16).
    """
    widest = max(widths)
    levels = sorted({level for by_level in needed.values() for level in by_level})
    sentences = []
    for level in levels:
        parts = []
        for i, (name, by_level) in enumerate(needed.items()):
            width = by_level.get(level)
            count = f"more than {widest}" if width is None else str(width)
            parts.append(f"{name} needs {count} numbers" if i == 0 else f"{name} {count}")
        sentences.append(f"To keep {level:.0%} of the test variance, {', '.join(parts)} "
                         f"(the narrowest of the widths measured: {listed(sorted(widths))}).")
    return sentences
