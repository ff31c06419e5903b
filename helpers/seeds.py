"""Repeat an experiment over several seeds and summarise it honestly.

One training run is one draw: a different seed gives different initial
weights and batch orders, and a test accuracy that differs in the third
digit. Comparing two models on one run each can rank them by luck. Here a
result is kept per seed, reported as mean ± standard deviation, and the run
that is kept for later use is chosen on *validation* accuracy, never on test.

Introduced in chapter 6 (``notebooks/06_gru.ipynb``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Iterable, Sequence

import numpy as np


@dataclass(frozen=True)
class SeedRun:
    """The measurements of one training run with one seed.

    Attributes
    ----------
    seed : int
        The seed of weights and batch order.
    val_accuracy : float
        Validation accuracy at the selected (best) epoch.
    test_accuracy : float
        Test accuracy of the selected weights (evaluated once).
    seconds_per_epoch : float
        Mean wall time of one training epoch (validation included).
    best_epoch : int
        1-based epoch chosen on validation.
    """

    seed: int
    val_accuracy: float
    test_accuracy: float
    seconds_per_epoch: float
    best_epoch: int


def mean_and_std(values: Iterable[float]) -> tuple:
    """Return the mean and the sample standard deviation (``ddof=1``) of values.

    Parameters
    ----------
    values : iterable of float
        At least two finite measurements (one per seed).

    Returns
    -------
    tuple of float
        ``(mean, std)`` as Python floats.

    Raises
    ------
    ValueError
        If fewer than two values are given (a spread needs two runs) or a
        value is not finite.
    """
    array = np.asarray(list(values), dtype=np.float64)
    if array.ndim != 1 or array.size < 2:
        raise ValueError(
            "need at least two values (one per seed) "
            f"for a mean and a spread, got {array.size}"
        )
    if not np.all(np.isfinite(array)):
        raise ValueError(f"values must be finite, got {array.tolist()}")
    return float(array.mean()), float(array.std(ddof=1))


def format_mean_std(values: Iterable[float], digits: int = 3) -> str:
    """Format values as ``"mean ± std"``, e.g. ``"0.884 ± 0.002"``.

    Parameters
    ----------
    values : iterable of float
        As in :func:`mean_and_std`.
    digits : int
        Decimal places of both numbers.

    Returns
    -------
    str
        The formatted summary.

    Raises
    ------
    ValueError
        As :func:`mean_and_std`.
    """
    mean, std = mean_and_std(values)
    return f"{mean:.{digits}f} ± {std:.{digits}f}"


def best_on_validation(runs: Sequence[SeedRun]) -> SeedRun:
    """Return the run with the highest validation accuracy (first one on ties).

    The test accuracy is never looked at: choosing the run to keep by its
    test score would make that score optimistic.

    Parameters
    ----------
    runs : sequence of SeedRun
        The runs of one model.

    Returns
    -------
    SeedRun
        The selected run.

    Raises
    ------
    ValueError
        If ``runs`` is empty or a validation accuracy is not a number.
    """
    runs = list(runs)
    if not runs:
        raise ValueError("no runs to choose from; train at least one seed first")
    for run in runs:
        if not isinstance(run.val_accuracy, (int, float)) or math.isnan(
            run.val_accuracy
        ):
            raise ValueError(
                f"seed {run.seed} has no validation accuracy ({run.val_accuracy!r})"
            )
    best = runs[0]
    for run in runs[1:]:
        if run.val_accuracy > best.val_accuracy:
            best = run
    return best
