"""Bags of n-grams: what a bag of words with ``ngrams=n`` sees of a text.

``TextVectorization(ngrams=2)`` turns a text into its words and its pairs
of adjacent words (after lower-casing and stripping punctuation), counted
without their positions. Two texts with the same bag of n-grams get the
same multi-hot vector, whatever the vocabulary, so no model on that vector
can tell them apart. Chapter 1 uses this to show a pair of opposite reviews
that bigrams cannot separate either.

Introduced in chapter 1 (``notebooks/01_bag_of_words.ipynb``).
"""

from __future__ import annotations

from collections import Counter

from helpers.minimal_pairs import standard_tokens


def ngram_bag(text: str, n: int = 2) -> Counter:
    """Return the multiset of 1- to n-grams of a text, as ``TextVectorization`` forms them.

    Parameters
    ----------
    text : str
        The text (standardised with :func:`helpers.minimal_pairs.standard_tokens`).
    n : int
        The longest n-gram (``ngrams=n``); 1 gives the bag of words.

    Returns
    -------
    collections.Counter
        n-grams joined by single spaces (``"not bad"``), with their counts.

    Raises
    ------
    ValueError
        If ``n`` is not a positive integer.
    """
    if int(n) != n or n < 1:
        raise ValueError(f"n must be a positive integer, got {n!r}")
    tokens = standard_tokens(text)
    return Counter(
        " ".join(tokens[start : start + k])
        for k in range(1, int(n) + 1)
        for start in range(len(tokens) - k + 1)
    )


def same_ngram_bag(first: str, second: str, n: int = 2) -> bool:
    """Return whether two texts have the same bag of 1- to n-grams.

    Parameters
    ----------
    first, second : str
        The texts.
    n : int
        The longest n-gram.

    Returns
    -------
    bool
        True if every n-gram up to length ``n`` occurs equally often in both.
    """
    return ngram_bag(first, n) == ngram_bag(second, n)
