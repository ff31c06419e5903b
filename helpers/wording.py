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
    """Chapter 1's name for :func:`helpers.noise.words_for` (same arguments).

    Kept so that chapter 1's cells read as they were written; the logic and
    its documentation live in :mod:`helpers.noise`.
    """
    return words_for(difference, noise, above, below, within, factor)
