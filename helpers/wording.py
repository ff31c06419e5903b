"""Words that follow the numbers: a comparison said the way its noise allows.

A sentence such as "the bigram model scores higher" can turn around on a
re-run (another mode, another machine). Where a finding might honestly go
either way, the chapter glues the *words* of the comparison, chosen from the
numbers by :func:`compare_in_words`, and asserts with
:func:`helpers.claims.claim` that the words match the numbers.

Introduced in chapter 1 (``notebooks/01_bag_of_words.ipynb``).
"""

from __future__ import annotations

from helpers.noise import CALL_FACTOR, Noise, words_for


def compare_in_words(
    difference: float,
    noise: Noise,
    above: str,
    below: str,
    within: str = "within noise of",
    factor: float = CALL_FACTOR,
) -> str:
    """Return the words for a difference: above, below, or within its noise.

    Parameters
    ----------
    difference : float
        The measured difference (first minus second).
    noise : helpers.noise.Noise
        Its noise (:mod:`helpers.noise`).
    above, below : str
        The words when the difference is clearly positive, clearly negative.
    within : str
        The words when it is inside ``factor`` noise units.
    factor : float
        Noise units a difference must exceed to be called (default two).

    Returns
    -------
    str
        One of ``above``, ``below`` and ``within``.

    Raises
    ------
    ValueError
        If ``noise`` is not a :class:`helpers.noise.Noise`.
    """
    return words_for(difference, noise, above, below, within, factor)
