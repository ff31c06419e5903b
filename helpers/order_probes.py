"""Probes of how much a review classifier uses word order, and what order adds.

Chapter 8 asks what reading in order buys on IMDB. The pieces it needs:

* :func:`shuffled_words` puts the words of each review in a random order
  (the same words, so a unigram bag of words scores it exactly as before):
  the accuracy a model loses on shuffled reviews is how much of it depends
  on order;
* :func:`first_words` and :func:`last_sentence` cut short texts from
  reviews, where a bag of words has little evidence;
* :func:`choose_weight` and :func:`mix_probabilities` average two models'
  probabilities with a weight chosen on validation reviews;
* :func:`unique_text_indices` drops repeated texts (the IMDB test set holds
  a few reviews twice) before reviews are shown as examples;
* :func:`pair_sides` counts how a model splits minimal pairs;
* :func:`seed_difference_noise` is the noise of a difference between two
  models' seed means.

Introduced in chapter 8 (``notebooks/08_comparison.ipynb``).
"""

from __future__ import annotations

import math
import re
from typing import Sequence

import numpy as np

from helpers.data import clean_review
from helpers.noise import Noise

_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")
# TextVectorization splits on ASCII whitespace only: a no-break space stays in a word
_ASCII_SPACE = re.compile(r"[ \t\n\r\f\v]+")
_WORD = re.compile(r"\w")


def _texts(texts) -> list:
    if isinstance(texts, str):
        raise ValueError(
            "texts must be a list of reviews, not one string; wrap it in a list"
        )
    return list(texts)


def shuffled_words(texts: Sequence[str], seed: int) -> list:
    """Return each review with its words in a random order.

    The review is cleaned (:func:`helpers.data.clean_review`), split on
    ASCII whitespace (as ``TextVectorization`` splits), and its words are permuted; punctuation stays attached to
    its word, so after the vectoriser's standardisation a review keeps
    exactly its multiset of tokens.

    Parameters
    ----------
    texts : sequence of str
        The reviews (a list, not one string).
    seed : int
        Seed of the permutations: the same seed gives the same shuffles.

    Returns
    -------
    list of str
        One shuffled review per review, words joined by single spaces.

    Raises
    ------
    ValueError
        If ``texts`` is a single string.
    """
    rng = np.random.default_rng(seed)
    shuffled = []
    for text in _texts(texts):
        words = [w for w in _ASCII_SPACE.split(clean_review(text)) if w]
        shuffled.append(" ".join(words[i] for i in rng.permutation(len(words))))
    return shuffled


def first_words(texts: Sequence[str], count: int) -> list:
    """Return the first ``count`` whitespace-separated words of each review.

    Parameters
    ----------
    texts : sequence of str
        The reviews (a list, not one string).
    count : int
        Words to keep (a positive integer); shorter reviews are kept whole.

    Returns
    -------
    list of str
        The cut reviews, cleaned (:func:`helpers.data.clean_review`).

    Raises
    ------
    ValueError
        If ``texts`` is a single string or ``count`` is not a positive integer.
    """
    if int(count) != count or count < 1:
        raise ValueError(f"count must be a positive integer, got {count!r}")
    return [" ".join(clean_review(t).split()[: int(count)]) for t in _texts(texts)]


def last_sentence(texts: Sequence[str], max_words: int = 50) -> list:
    """Return the last sentence of each review (its last ``max_words`` words at most).

    A sentence ends with ``.``, ``!`` or ``?`` followed by whitespace; a
    trailing piece without any letter or digit (``":-)"``) is skipped. A
    review without sentence ends is one sentence.

    Parameters
    ----------
    texts : sequence of str
        The reviews (a list, not one string).
    max_words : int
        Longest sentence kept, in words: a longer one keeps its last words.

    Returns
    -------
    list of str
        One sentence per review, cleaned (:func:`helpers.data.clean_review`).

    Raises
    ------
    ValueError
        If ``texts`` is a single string or ``max_words`` is not a positive
        integer.
    """
    if int(max_words) != max_words or max_words < 1:
        raise ValueError(f"max_words must be a positive integer, got {max_words!r}")
    sentences = []
    for text in _texts(texts):
        pieces = [p for p in _SENTENCE_END.split(clean_review(text).strip())]
        worded = [p for p in pieces if _WORD.search(p)] or pieces
        sentences.append(" ".join(worded[-1].split()[-int(max_words) :]))
    return sentences


def mix_probabilities(first, second, weight: float) -> np.ndarray:
    """Average two models' P(positive): ``weight * first + (1 - weight) * second``.

    Parameters
    ----------
    first, second : array_like of float
        P(positive) of the same reviews under two models.
    weight : float
        Weight of ``first``, in [0, 1].

    Returns
    -------
    numpy.ndarray
        ``float64`` probabilities.

    Raises
    ------
    ValueError
        If the arrays differ in shape or the weight is outside [0, 1].
    """
    first, second = np.asarray(first, np.float64), np.asarray(second, np.float64)
    if first.shape != second.shape:
        raise ValueError(f"shapes differ: {first.shape} and {second.shape}")
    if not 0.0 <= float(weight) <= 1.0:
        raise ValueError(f"weight must be in [0, 1], got {weight!r}")
    return float(weight) * first + (1.0 - float(weight)) * second


def choose_weight(first, second, labels, weights=None) -> tuple:
    """Choose the mixing weight of two models on (validation) reviews.

    Parameters
    ----------
    first, second : array_like of float
        P(positive) of the same reviews under two models.
    labels : array_like of int
        0/1 labels of those reviews.
    weights : sequence of float, optional
        Candidate weights of ``first``; by default 0, 0.05, ..., 1.

    Returns
    -------
    tuple
        ``(weight, accuracy)``: the candidate with the highest accuracy
        (the one closest to 0.5 on ties) and that accuracy.

    Raises
    ------
    ValueError
        As :func:`mix_probabilities`, or if ``labels`` has another length.
    """
    labels = np.asarray(labels).ravel()
    if labels.shape != np.shape(first):
        raise ValueError(f"{labels.size} labels for {np.size(first)} reviews")
    weights = np.round(np.linspace(0, 1, 21), 2) if weights is None else weights
    scored = [
        (
            float(
                np.mean((mix_probabilities(first, second, w) > 0.5) == (labels == 1))
            ),
            w,
        )
        for w in weights
    ]
    accuracy, weight = max(scored, key=lambda s: (s[0], -abs(s[1] - 0.5)))
    return float(weight), accuracy


def unique_text_indices(texts: Sequence[str]) -> np.ndarray:
    """Indices of the first occurrence of each distinct text, in order.

    Parameters
    ----------
    texts : sequence of str
        The reviews (a list, not one string).

    Returns
    -------
    numpy.ndarray
        ``int64`` indices; a text repeated later is left out.

    Raises
    ------
    ValueError
        If ``texts`` is a single string.
    """
    seen, keep = set(), []
    for i, text in enumerate(_texts(texts)):
        if text not in seen:
            seen.add(text)
            keep.append(i)
    return np.asarray(keep, dtype=np.int64)


def pair_sides(positive_scores, negative_scores, threshold: float = 0.5) -> dict:
    """How a model splits minimal pairs: right, reversed, or both on one side.

    Parameters
    ----------
    positive_scores, negative_scores : array_like of float
        P(positive) of the positive and of the negative review of each pair.
    threshold : float
        A score above it means "positive".

    Returns
    -------
    dict
        ``right`` (both reviews right), ``reversed`` (both wrong) and
        ``same_side`` (both called positive, or both negative); they add up
        to the number of pairs.

    Raises
    ------
    ValueError
        If the two arrays differ in length.
    """
    pos = np.asarray(positive_scores).ravel() > threshold
    neg = np.asarray(negative_scores).ravel() > threshold
    if pos.shape != neg.shape:
        raise ValueError(f"{pos.size} positive and {neg.size} negative scores")
    return {
        "right": int(np.sum(pos & ~neg)),
        "reversed": int(np.sum(~pos & neg)),
        "same_side": int(np.sum(pos == neg)),
    }


def seed_difference_noise(first_values, second_values) -> Noise:
    """The noise of the difference of two models' means over seeds.

    Each model's spread over seeds (sample standard deviation) is combined
    as for independent errors, ``sqrt(s1**2 + s2**2)``: the spread of the
    difference of one seed of each, a conservative noise for the means.

    Parameters
    ----------
    first_values, second_values : iterable of float
        One test accuracy per seed for each model (at least two each).

    Returns
    -------
    Noise
        Its ``kind`` names the seeds ("the spread over 3 seeds of both models").

    Raises
    ------
    ValueError
        If a model has fewer than two values or a value is not finite.
    """
    spreads, sizes = [], []
    for values in (first_values, second_values):
        array = np.asarray(list(values), dtype=np.float64)
        if array.ndim != 1 or array.size < 2 or not np.all(np.isfinite(array)):
            raise ValueError(f"need at least two finite values, got {array.tolist()}")
        spreads.append(float(array.std(ddof=1)))
        sizes.append(array.size)
    seeds = f"{sizes[0]}" if sizes[0] == sizes[1] else f"{sizes[0]} and {sizes[1]}"
    return Noise(math.hypot(*spreads), f"the spread over {seeds} seeds of both models")
