"""Differences between two recipes measured over several seeds, and their words.

An ablation step or a comparison of two recipes is trained with the same
seeds on both sides. Each side is summarised by its mean over the seeds, and
the difference of the two means is a finding only when it is clearly larger
than its noise: the standard error of a difference of two means, computed
from the two spreads over seeds (:func:`mean_difference`). The words a
chapter uses for the difference then follow the numbers
(:func:`difference_word`), so that a re-run that moves a difference into the
noise changes the sentence instead of contradicting it.

Built on :mod:`helpers.noise` (``Noise``, ``clearly_different``).

Introduced in chapter 7 (``notebooks/07_bidirectional.ipynb``).
"""

from __future__ import annotations

import math
from typing import Iterable

import numpy as np

from helpers.noise import CALL_FACTOR, Noise, words_for


def _seed_values(values: Iterable[float], side: str) -> np.ndarray:
    array = np.asarray(list(values), dtype=np.float64)
    if array.ndim != 1 or array.size < 2:
        raise ValueError(
            f"{side} needs at least two values (one per seed) for a spread, "
            f"got {array.size}"
        )
    if not np.all(np.isfinite(array)):
        raise ValueError(f"{side} values must be finite, got {array.tolist()}")
    return array


def mean_difference(after: Iterable[float], before: Iterable[float]) -> tuple:
    """Return the difference of two seed means and the standard error of it.

    Parameters
    ----------
    after, before : iterable of float
        One measurement per seed for each side (at least two each), e.g. the
        validation accuracy of an ablation step and of the row above it.

    Returns
    -------
    tuple
        ``(difference, noise)``: ``mean(after) - mean(before)`` as a float,
        and a :class:`helpers.noise.Noise` of size
        ``sqrt(s_a**2 / k_a + s_b**2 / k_b)``, where ``s`` is a side's
        sample standard deviation over its ``k`` seeds. Its ``kind`` names
        the seeds ("the standard error of a difference of two 3-seed means").

    Raises
    ------
    ValueError
        If a side has fewer than two values or a value is not finite.
    """
    a, b = _seed_values(after, "after"), _seed_values(before, "before")
    size = math.sqrt(a.var(ddof=1) / a.size + b.var(ddof=1) / b.size)
    seeds = (
        f"two {a.size}-seed means"
        if a.size == b.size
        else (f"a {a.size}-seed and a {b.size}-seed mean")
    )
    kind = f"the standard error of a difference of {seeds} (from their seed spreads)"
    return float(a.mean() - b.mean()), Noise(size, kind)


def difference_word(
    difference: float,
    noise: Noise,
    higher: str = "higher",
    lower: str = "lower",
    level: str = "within noise of",
    factor: float = CALL_FACTOR,
) -> str:
    """:func:`helpers.noise.words_for` with chapter 7's default words.

    ``higher``, ``lower`` and ``level`` are ``words_for``'s ``above``,
    ``below`` and ``within``; the logic and its documentation live there.
    """
    return words_for(difference, noise, higher, lower, level, factor)


def step_differences(
    rows, higher="gain", lower="loss", level="within noise", factor=CALL_FACTOR
) -> list:
    """Compare every row of an ablation ladder with the row above it.

    Parameters
    ----------
    rows : mapping of str to iterable of float
        The rows in ladder order, each with one measurement per seed (the
        same seeds in every row).
    higher, lower, level : str
        The words of :func:`difference_word`.
    factor : float
        Noise units a change must exceed to be called.

    Returns
    -------
    list of dict
        One dict per row, in order, with ``row``, ``mean`` and ``spread``
        (sample standard deviation over seeds), and for every row but the
        first ``change`` (its mean minus the mean of the row above),
        ``noise`` (:func:`mean_difference`) and ``word``; the first row has
        ``None`` for those three.

    Raises
    ------
    ValueError
        As :func:`mean_difference`, or if ``rows`` is empty.
    """
    rows = {name: list(values) for name, values in dict(rows).items()}
    if not rows:
        raise ValueError("an ablation needs at least one row")
    table, previous = [], None
    for name, values in rows.items():
        array = _seed_values(values, name)
        entry = dict(
            row=name, mean=float(array.mean()), spread=float(array.std(ddof=1))
        )
        entry.update(change=None, noise=None, word=None)
        if previous is not None:
            change, noise = mean_difference(array, previous)
            word = difference_word(change, noise, higher, lower, level, factor)
            entry.update(change=change, noise=noise, word=word)
        table.append(entry)
        previous = array
    return table
