"""How fast this machine is right now: a small fixed workload, timed.

A chapter's run time depends on the code and on the machine's speed at that
hour, and the second drifts: the same chapter on the same machine took 1.5 to
3 times longer when other jobs shared its two cores. To tell a slow hour
from slow code, :mod:`helpers.execute` times :func:`calibration_seconds` in
the chapter's own kernel, after its setup cell and after its last cell, and
stores the figures beside the run time. The status page divides each run
time by the *load factor* (the calibration figure over
:data:`REFERENCE_SECONDS`, the figure of an idle machine), and judges the
time goals on that: the run time the chapter would have taken at reference
speed.

The workload is one epoch of a small LSTM classifier (the book's most used
layer) on fixed synthetic token ids: the same work on every run, no data
files, a few seconds. It is a speed probe, not an experiment, so synthetic
inputs are what it needs.

Introduced for the status page (``book/status.md``).
"""

from __future__ import annotations

import contextlib
import json
import statistics
import time
from typing import Optional, Sequence

#: The workload: sequences x tokens, batch size, vocabulary, LSTM units.
WORKLOAD = dict(samples=1024, timesteps=100, batch_size=64, vocabulary=1000, units=32)

#: Timed epochs (after one untimed epoch that traces the graph); the median is kept.
TIMED_EPOCHS = 5

#: :func:`calibration_seconds` on this book's reference machine when idle (2 cores,
#: load average below 1): 0.698 s and 0.714 s measured on 2026-12-01 with
#: ``python -m helpers.calibration``, the same machine giving 1.4-1.5 s when shared;
#: re-measured idle at the end of the session: 0.61-0.70 s (median 0.69 s of 5).
REFERENCE_SECONDS = 0.70

#: The line a calibration cell prints, which :func:`read_calibration` parses.
PREFIX = "rnn-book-calibration:"

#: The code :mod:`helpers.execute` runs in a chapter's kernel (not stored in it).
CELL_SOURCE = (
    "from helpers.calibration import calibration_seconds as _rnn_book_calibration\n"
    "print(_rnn_book_calibration(report=True))\n"
)


def calibration_seconds(report: bool = False):
    """Time one epoch of a fixed small LSTM workload (median of a few).

    Parameters
    ----------
    report : bool
        If true, return the line :func:`read_calibration` parses instead of
        the number (what the executor's hidden cell prints).

    Returns
    -------
    float or str
        Seconds of one epoch, or ``"rnn-book-calibration: {json}"``.
    """
    import numpy as np

    from helpers.runtime import import_tensorflow_quietly

    import_tensorflow_quietly()
    import keras

    with _random_state_kept():
        seconds = _timed_epoch(keras, np)
    if report:
        return PREFIX + " " + json.dumps({"seconds": round(seconds, 4)})
    return seconds


@contextlib.contextmanager
def _random_state_kept():
    """Put back every random state a chapter draws from, whatever the probe did.

    Keras layers draw seeds from Python's ``random`` (``SeedGenerator(None)``)
    and unseeded initializers from Keras's global seed generator; NumPy's
    global state is kept too. TensorFlow's op seeds are not drawn here (no
    TensorFlow random op without a seed runs).
    """
    import random

    import numpy as np
    from keras.src.backend.common import global_state  # no public API for this

    python_state, numpy_state = random.getstate(), np.random.get_state()
    generator = global_state.get_global_attribute("global_seed_generator")
    generator_state = None if generator is None else generator.state.numpy()
    try:
        yield
    finally:
        random.setstate(python_state)
        np.random.set_state(numpy_state)
        if generator is None:
            global_state.set_global_attribute("global_seed_generator", None)
        else:
            global_state.set_global_attribute("global_seed_generator", generator)
            generator.state.assign(generator_state)


def _timed_epoch(keras, np) -> float:
    """Build the workload's model and return the median time of an epoch."""

    w = WORKLOAD
    rng = np.random.default_rng(
        0
    )  # a generator of its own: the global one is untouched
    x = rng.integers(1, w["vocabulary"], size=(w["samples"], w["timesteps"]))
    y = rng.integers(0, 2, size=(w["samples"], 1)).astype("float32")
    # The probe runs inside a chapter's kernel, between its cells: it must not move any
    # random state the chapter's training draws from. So every initializer has its own
    # integer seed, fit does not shuffle, nothing calls set_random_seed, and what
    # layers still draw is put back (_random_state_kept). tests/test_calibration.py.
    init = keras.initializers
    model = keras.Sequential(
        [
            keras.Input((w["timesteps"],), dtype="int32", name="calibration_ids"),
            keras.layers.Embedding(
                w["vocabulary"],
                16,
                embeddings_initializer=init.RandomUniform(-0.05, 0.05, seed=1),
                name="calibration_embedding",
            ),
            keras.layers.LSTM(
                w["units"],
                kernel_initializer=init.GlorotUniform(seed=2),
                recurrent_initializer=init.Orthogonal(seed=3),
                name="calibration_lstm",
            ),
            keras.layers.Dense(
                1,
                activation="sigmoid",
                kernel_initializer=init.GlorotUniform(seed=4),
                name="calibration_output",
            ),
        ],
        name="calibration_model",
    )
    model.compile(optimizer="adam", loss="binary_crossentropy")
    fit = dict(batch_size=w["batch_size"], epochs=1, shuffle=False, verbose=0)
    model.fit(x, y, **fit)  # traces the graph
    times = []
    for _ in range(TIMED_EPOCHS):
        started = time.perf_counter()
        model.fit(x, y, **fit)
        times.append(time.perf_counter() - started)
    return float(statistics.median(times))


def read_calibration(outputs: Sequence[dict]) -> Optional[float]:
    """Return the seconds a calibration cell printed, or None if it printed none.

    Parameters
    ----------
    outputs : sequence of dict
        The cell's outputs (nbformat ``stream`` outputs are read).
    """
    for output in outputs:
        if output.get("output_type") != "stream":
            continue
        text = output.get("text", "")
        text = "".join(text) if isinstance(text, list) else text
        for line in text.splitlines():
            if line.startswith(PREFIX):
                return float(json.loads(line[len(PREFIX) :])["seconds"])
    return None


def load_factor(
    calibrations: Optional[Sequence[float]],
    at: Optional[Sequence[float]] = None,
    total: Optional[float] = None,
) -> Optional[float]:
    """Return how many times slower than the reference machine a run was.

    Parameters
    ----------
    calibrations : sequence of float, optional
        The calibration figures of one execution (None for a failed probe).
    at : sequence of float, optional
        When each probe ended, in seconds from the start of the run. With
        ``total``, the figures are weighted by the time they stand for: the
        factor changes linearly between two probes and stays at the first
        (last) probe's value before (after) it.
    total : float, optional
        The run's length in seconds.

    Returns
    -------
    float or None
        The (time-weighted) mean figure over :data:`REFERENCE_SECONDS`;
        None if there is no figure.
    """
    pairs = [
        (float(t), float(v))
        for t, v in zip(
            at if at is not None else [0.0] * len(calibrations or ()),
            calibrations or (),
        )
        if v is not None and v > 0
    ]
    if not pairs:
        return None
    if at is None or not total or len(pairs) == 1:
        return statistics.fmean(v for _, v in pairs) / REFERENCE_SECONDS
    times = [min(max(t, 0.0), total) for t, _ in pairs]
    values = [v for _, v in pairs]
    area = values[0] * times[0] + values[-1] * (total - times[-1])
    for (t0, v0), (t1, v1) in zip(zip(times, values), zip(times[1:], values[1:])):
        area += (t1 - t0) * (v0 + v1) / 2
    return area / total / REFERENCE_SECONDS


def main() -> int:
    """Print the calibration figure of this machine now (``python -m helpers.calibration``)."""
    print(f"{calibration_seconds():.3f} s per calibration epoch")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
