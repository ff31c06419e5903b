"""Compare two recurrent cells fairly: accuracy over seeds, speed in one run.

Chapter 6 compares the GRU with the LSTM. Two questions need more than
:mod:`helpers.noise` offers:

* **accuracy**: each cell is trained with a few seeds, and the question is
  whether the two *means* differ. :func:`mean_difference_noise` is the
  standard error of a difference of two means, built from each cell's
  spread over its seeds;
* **speed**: the seconds per epoch that a training run records depend on
  whatever else the machine was doing at the time, and the runs of the two
  cells were made at different times. :func:`interleaved_step_seconds` times
  both models on the *same* batches, alternating between them within one
  cell, so that a change of load hits both, and the per-round ratio of their
  times is the comparison.

Introduced in chapter 6 (``notebooks/06_gru.ipynb``).
"""

from __future__ import annotations

import time
from typing import Mapping, Sequence

import numpy as np

from helpers.noise import mean_difference_noise

# mean_difference_noise lives in helpers.noise; chapter 6 imports it from here.
__all__ = ["mean_difference_noise", "interleaved_step_seconds", "time_ratios"]


def interleaved_step_seconds(
    models: Mapping[str, object], batches: Sequence[tuple], rounds: int = 5
) -> dict:
    """Time training steps of several models on the same batches, interleaved.

    Every model first trains once on every batch (untimed: tracing and
    memory allocation). Then, in each round, every model trains on all the
    batches in turn and the wall time of its pass is kept; the order of the
    models is reversed every other round, so that a model is not always the
    one that runs while the machine is busier. The models' weights change
    (they are trained), so pass throw-away models.

    Parameters
    ----------
    models : mapping of str to keras.Model
        Compiled models that accept the batches.
    batches : sequence of (x, y) tuples
        The training batches, the same for every model.
    rounds : int
        Timed rounds (at least two, for a spread).

    Returns
    -------
    dict of str to list of float
        For each model, the seconds of its pass over ``batches`` in each
        round.

    Raises
    ------
    ValueError
        If there is no model or batch, or ``rounds`` is below two.
    """
    if not models or not batches:
        raise ValueError("need at least one model and one batch to time")
    if int(rounds) < 2:
        raise ValueError(f"rounds must be at least 2 (for a spread), got {rounds!r}")
    names = list(models)

    def one_pass(model):
        for x, y in batches:
            model.train_on_batch(x, y)

    for name in names:  # warm-up, untimed
        one_pass(models[name])
    seconds = {name: [] for name in names}
    for round_index in range(int(rounds)):
        order = names if round_index % 2 == 0 else names[::-1]
        for name in order:
            start = time.perf_counter()
            one_pass(models[name])
            seconds[name].append(time.perf_counter() - start)
    return seconds


def time_ratios(seconds: Mapping[str, Sequence[float]], first: str, second: str):
    """Return the per-round ratios ``seconds[first] / seconds[second]``.

    Parameters
    ----------
    seconds : mapping of str to sequence of float
        As returned by :func:`interleaved_step_seconds`.
    first, second : str
        The two models compared.

    Returns
    -------
    numpy.ndarray
        One ratio per round (below 1: ``first`` was faster in that round).

    Raises
    ------
    ValueError
        If the two models were timed in different numbers of rounds or a
        time is not positive.
    """
    a = np.asarray(seconds[first], dtype=np.float64)
    b = np.asarray(seconds[second], dtype=np.float64)
    if a.shape != b.shape or a.ndim != 1 or a.size == 0:
        raise ValueError(
            f"{first!r} and {second!r} need the same rounds, got {a.size} and {b.size}"
        )
    if np.any(a <= 0) or np.any(b <= 0):
        raise ValueError("every time must be positive")
    return a / b
