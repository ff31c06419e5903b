"""What padding costs a recurrent model in training, timed on a few batches.

A recurrent layer steps through every position of a batch, padding
included, so the time of a training pass should follow the number of time
steps it is given. :func:`time_steps` counts them for a list of batches and
:func:`time_training_passes` times one training pass of the same model over
each of several datasets, interleaved and repeated, so that a shared
machine's load falls on all of them alike and their ratios come from one run.

TensorFlow is only used through the model and datasets passed in.

Introduced in chapter 7 (``notebooks/07_bidirectional.ipynb``).
"""

from __future__ import annotations

import time
from typing import Mapping

import numpy as np


def time_steps(batch_widths, batch_sizes) -> int:
    """Return the time steps a set of batches asks a recurrent layer for.

    Parameters
    ----------
    batch_widths : array_like of int
        The padded length of each batch.
    batch_sizes : array_like of int
        The reviews in each batch.

    Returns
    -------
    int
        ``sum(width * size)``: every row of a batch is stepped through the
        batch's whole width.

    Raises
    ------
    ValueError
        If the two have different lengths or hold a negative number.
    """
    widths = np.asarray(batch_widths, dtype=np.int64)
    sizes = np.asarray(batch_sizes, dtype=np.int64)
    if widths.shape != sizes.shape or widths.ndim != 1:
        raise ValueError(
            "need one width and one size per batch, got shapes "
            f"{widths.shape} and {sizes.shape}"
        )
    if np.any(widths < 0) or np.any(sizes < 0):
        raise ValueError("batch widths and sizes must be >= 0")
    return int(np.sum(widths * sizes))


def time_training_passes(model, datasets: Mapping, repeats: int = 2) -> dict:
    """Time one training pass of ``model`` over each dataset (best of ``repeats``).

    Each dataset is first passed once untimed (it traces the training
    function for its shapes); then the datasets are passed in turn,
    ``repeats`` times, and each keeps its fastest pass. The weights change
    as the passes train them; only the time is measured.

    Parameters
    ----------
    model : keras.Model
        A compiled model.
    datasets : mapping of str to tf.data.Dataset
        The batches to time, by name (``(x, y)`` batches ``model.fit`` reads).
    repeats : int
        Timed passes per dataset (at least 1).

    Returns
    -------
    dict
        Seconds of the fastest pass, by name, in the order of ``datasets``.

    Raises
    ------
    ValueError
        If ``repeats`` is not a positive integer or ``datasets`` is empty.
    """
    if int(repeats) != repeats or repeats < 1:
        raise ValueError(f"repeats must be a positive integer, got {repeats!r}")
    if not datasets:
        raise ValueError("pass at least one dataset to time")
    for dataset in datasets.values():  # warm-up: trace for these shapes
        model.fit(dataset, epochs=1, verbose=0, shuffle=False)
    best = {name: float("inf") for name in datasets}
    for _ in range(int(repeats)):
        for name, dataset in datasets.items():
            start = time.perf_counter()
            model.fit(dataset, epochs=1, verbose=0, shuffle=False)
            best[name] = min(best[name], time.perf_counter() - start)
    return best
