"""The noise of a comparison, in one place.

A difference between two accuracies is a finding only when it is clearly
larger than the noise that would move it on a re-run. Which noise depends on
what is compared:

* **one accuracy on n reviews**: its standard error, ``sqrt(p (1 - p) / n)``
  (:func:`accuracy_noise`); two models scored on *different* reviews, or one
  model against a fixed number, add their errors (:func:`difference_noise`);
* **the same recipe over several seeds**: the spread of the seeds
  (:func:`seed_noise`), which also covers the initial weights and batch order;
* **two models on the same test reviews**: a paired bootstrap over the
  reviews (:func:`paired_bootstrap`), much tighter than two standard errors
  because most reviews are right or wrong for both.

Each returns a :class:`Noise` whose ``kind`` is the words the chapter uses
("the standard error on 5,000 validation reviews"), and
:func:`clearly_different` says whether a difference is outside it. Use them
with :func:`helpers.claims.claim`.

Introduced for chapters 1-8 (issue "every sentence true of its numbers").
"""

from __future__ import annotations

import math
import statistics
from dataclasses import dataclass
from typing import Iterable, Optional

import numpy as np

#: How many noise units a difference must exceed to be called: two standard
#: errors (about a 95 % two-sided test for a normal error).
CALL_FACTOR = 2.0


@dataclass(frozen=True)
class Noise:
    """The size of the noise of a comparison, and the words that name it.

    Attributes
    ----------
    size : float
        One standard error (or one standard deviation over seeds), in the
        units of the compared numbers (accuracy as a fraction).
    kind : str
        What it is, for the text: "the standard error on 5,000 validation
        reviews", "the spread over 3 seeds".
    """

    size: float
    kind: str

    def __post_init__(self):
        if not math.isfinite(self.size) or self.size < 0:
            raise ValueError(f"noise must be finite and >= 0, got {self.size!r}")


def _check_fraction(accuracy: float) -> float:
    accuracy = float(accuracy)
    if not 0.0 <= accuracy <= 1.0:
        raise ValueError(f"an accuracy is a fraction in [0, 1], got {accuracy!r}")
    return accuracy


def _check_count(n: int) -> int:
    if int(n) != n or n < 1:
        raise ValueError(f"n must be a positive whole number of reviews, got {n!r}")
    return int(n)


def accuracy_noise(accuracy: float, n: int, what: str = "reviews") -> Noise:
    """Return the standard error of an accuracy measured on n reviews.

    Parameters
    ----------
    accuracy : float
        The measured accuracy, a fraction in [0, 1].
    n : int
        How many reviews it was measured on.
    what : str
        What the n items are, for the text ("validation reviews").

    Returns
    -------
    Noise
        ``sqrt(p (1 - p) / n)``, the binomial standard error.

    Raises
    ------
    ValueError
        If the accuracy is outside [0, 1] or n is not a positive integer.
    """
    p, n = _check_fraction(accuracy), _check_count(n)
    return Noise(math.sqrt(p * (1 - p) / n), f"the standard error on {n:,} {what}")


def difference_noise(
    first: float, second: float, n: int, what: str = "reviews", m: Optional[int] = None
) -> Noise:
    """Return the standard error of the difference of two independent accuracies.

    Parameters
    ----------
    first, second : float
        The two accuracies.
    n : int
        Reviews behind ``first``.
    what : str
        What the reviews are, for the text.
    m : int, optional
        Reviews behind ``second`` (by default ``n``).

    Returns
    -------
    Noise
        ``sqrt(se1**2 + se2**2)``. This ignores that two models scored on
        the *same* reviews make correlated errors, so it overstates their
        noise; :func:`paired_bootstrap` measures that case.

    Raises
    ------
    ValueError
        As :func:`accuracy_noise`.
    """
    m = n if m is None else m
    size = math.hypot(accuracy_noise(first, n).size, accuracy_noise(second, m).size)
    count = f"{n:,}" if m == n else f"{n:,} and {m:,}"
    return Noise(size, f"the standard error of a difference on {count} {what}")


def seed_noise(values: Iterable[float], what: str = "seeds") -> Noise:
    """Return the spread of a measurement over seeds (sample standard deviation).

    Parameters
    ----------
    values : iterable of float
        One measurement per seed; at least two, all finite.
    what : str
        What the repetitions are, for the text ("seeds").

    Returns
    -------
    Noise
        The standard deviation with ``ddof=1``.

    Raises
    ------
    ValueError
        If fewer than two values are given or one is not finite.
    """
    array = np.asarray(list(values), dtype=np.float64)
    if array.ndim != 1 or array.size < 2:
        raise ValueError(f"a spread needs at least two {what}, got {array.size}")
    if not np.all(np.isfinite(array)):
        raise ValueError(f"values must be finite, got {array.tolist()}")
    return Noise(float(array.std(ddof=1)), f"the spread over {array.size} {what}")


@dataclass(frozen=True)
class BootstrapResult:
    """A paired bootstrap of the accuracy difference of two models.

    Attributes
    ----------
    difference : float
        Accuracy of the first model minus that of the second, on all reviews.
    low, high : float
        The interval that holds ``level`` of the resampled differences.
    level : float
        Its coverage (0.95 by default).
    n : int
        Reviews resampled.
    resamples : int
        Bootstrap resamples drawn.
    """

    difference: float
    low: float
    high: float
    level: float
    n: int
    resamples: int

    @property
    def noise(self) -> Noise:
        """The interval's width as one standard error (a normal error of this coverage)."""
        z = statistics.NormalDist().inv_cdf(0.5 + self.level / 2)
        return Noise(
            (self.high - self.low) / (2 * z),
            f"a paired bootstrap on the same {self.n:,} test reviews",
        )

    @property
    def excludes_zero(self) -> bool:
        """True if the whole interval is on one side of zero."""
        return self.low > 0 or self.high < 0


def paired_bootstrap(
    first_correct,
    second_correct,
    resamples: int = 2000,
    level: float = 0.95,
    seed: int = 0,
) -> BootstrapResult:
    """Bootstrap the accuracy difference of two models on the same reviews.

    The reviews are resampled with replacement, the same draw for both
    models, so that a review both get right (or both wrong) adds nothing to
    the difference's noise.

    Parameters
    ----------
    first_correct, second_correct : array_like of bool
        Whether each model got each review right, in the same review order.
    resamples : int
        Bootstrap resamples (at least 100).
    level : float
        Coverage of the returned interval, in (0, 1).
    seed : int
        Seed of the resampling, so that the interval is reproducible.

    Returns
    -------
    BootstrapResult
        The difference on all reviews and its percentile interval.

    Raises
    ------
    ValueError
        If the arrays differ in length, are empty or not one-dimensional,
        or ``resamples``/``level`` are out of range.
    """
    first = np.asarray(first_correct, dtype=bool)
    second = np.asarray(second_correct, dtype=bool)
    if first.ndim != 1 or first.shape != second.shape or first.size == 0:
        raise ValueError(
            "need two 1-D arrays of the same non-zero length (one entry per review), "
            f"got shapes {first.shape} and {second.shape}"
        )
    if int(resamples) < 100:
        raise ValueError(f"resamples must be at least 100, got {resamples!r}")
    if not 0 < level < 1:
        raise ValueError(f"level must be in (0, 1), got {level!r}")
    gain = first.astype(np.int8) - second.astype(np.int8)
    rng = np.random.default_rng(seed)
    n = gain.size
    totals = np.empty(int(resamples))
    for start in range(
        0, int(resamples), 200
    ):  # 200 resamples at a time: bounded memory
        stop = min(start + 200, int(resamples))
        picks = rng.integers(0, n, size=(stop - start, n))
        totals[start:stop] = gain[picks].mean(axis=1)
    tail = (1 - level) / 2
    low, high = np.quantile(totals, [tail, 1 - tail])
    return BootstrapResult(
        float(gain.mean()), float(low), float(high), float(level), n, int(resamples)
    )


def mean_difference_noise(first, second, what: str = "seeds") -> Noise:
    """Return the standard error of the difference of two means over seeds.

    Parameters
    ----------
    first, second : iterable of float
        One measurement per seed for each side (at least two each, finite).
    what : str
        What the repetitions are, for the text ("seeds").

    Returns
    -------
    Noise
        ``sqrt(s1**2 / k1 + s2**2 / k2)``, where ``s`` is a side's sample
        standard deviation (:func:`seed_noise`) over its ``k`` values; the
        noise of ``mean(first) - mean(second)``.

    Raises
    ------
    ValueError
        As :func:`seed_noise`: fewer than two values on a side, or a value
        that is not finite.
    """
    first, second = list(first), list(second)
    spread_first, spread_second = seed_noise(first, what), seed_noise(second, what)
    size = math.sqrt(
        spread_first.size**2 / len(first) + spread_second.size**2 / len(second)
    )
    count = (
        f"{len(first)} {what} each"
        if len(first) == len(second)
        else f"{len(first)} and {len(second)} {what}"
    )
    return Noise(size, f"the standard error of a difference of means over {count}")


def words_for(
    difference: float,
    noise: Noise,
    above: str,
    below: str,
    within: str = "within noise of",
    factor: float = CALL_FACTOR,
) -> str:
    """Return the words for a difference: above, below, or within its noise.

    A chapter glues these words where a finding could go either way on a
    re-run, and claims (:func:`helpers.claims.claim`) that they match.

    Parameters
    ----------
    difference : float
        The measured difference (first minus second).
    noise : Noise
        Its noise.
    above, below : str
        The words when the difference is clearly positive, clearly negative.
    within : str
        The words when it is inside ``factor`` noise units.
    factor : float
        Noise units a difference must exceed to be called (default two).

    Returns
    -------
    str
        One of the three.

    Raises
    ------
    ValueError
        If ``noise`` is not a :class:`Noise` (say which noise).
    """
    if not isinstance(noise, Noise):
        raise ValueError(
            f"noise must be a helpers.noise.Noise (say which noise), got {noise!r}"
        )
    if not clearly_different(difference, noise, factor):
        return within
    return above if difference > 0 else below


def clearly_different(
    difference: float, noise: Noise, factor: float = CALL_FACTOR
) -> bool:
    """Return whether a difference is clearly outside its noise.

    Parameters
    ----------
    difference : float
        The measured difference (same units as ``noise.size``).
    noise : Noise
        Its noise.
    factor : float
        How many noise units it must exceed (default two).

    Returns
    -------
    bool
        ``abs(difference) > factor * noise.size``.
    """
    return bool(abs(float(difference)) > factor * noise.size)
