"""Minimal pairs: two short reviews, opposite sentiment, the same words.

Each pair is ``(positive, negative)``: the negative review uses exactly the
same multiset of words as the positive one, in another order. After the
standard Keras text standardisation (lower case, punctuation stripped) a
unigram bag of words cannot tell the two apart, so every unigram
bag-of-words model gives both the same score and gets at most one of them
right. They are hand-written test sentences, not IMDB reviews, and are used
only for evaluation, never for training.

Introduced in chapter 1 (``notebooks/01_bag_of_words.ipynb``).
"""

from __future__ import annotations

import re
from collections import Counter
from typing import Sequence

#: ``(positive review, negative review)`` with identical bags of words.
MINIMAL_PAIRS = (
    ("not bad, just good", "not good, just bad"),
    ("this film is great, not terrible", "this film is terrible, not great"),
    (
        "i expected it to be boring but it was brilliant",
        "i expected it to be brilliant but it was boring",
    ),
    ("it is a masterpiece, not a disaster", "it is a disaster, not a masterpiece"),
    (
        "critics called it awful, i call it excellent",
        "critics called it excellent, i call it awful",
    ),
    (
        "the trailer looked bad but the movie is wonderful",
        "the trailer looked wonderful but the movie is bad",
    ),
    (
        "far from dull, this is a gripping story",
        "far from gripping, this is a dull story",
    ),
    (
        "the acting is never weak and always strong",
        "the acting is never strong and always weak",
    ),
    ("i do not hate it, i love it", "i do not love it, i hate it"),
    (
        "no one will be disappointed, everyone will be delighted",
        "no one will be delighted, everyone will be disappointed",
    ),
    (
        "the plot is not predictable, it is fresh",
        "the plot is not fresh, it is predictable",
    ),
    ("skip the book, watch the film", "skip the film, watch the book"),
    (
        "the cast was perfect, only the poster was poor",
        "the cast was poor, only the poster was perfect",
    ),
    (
        "less boring than i feared and more fun than i hoped",
        "less fun than i hoped and more boring than i feared",
    ),
    ("it is funny, not stupid", "it is stupid, not funny"),
    (
        "nothing was wrong and everything was right",
        "nothing was right and everything was wrong",
    ),
    (
        "i would not avoid it, i would recommend it",
        "i would not recommend it, i would avoid it",
    ),
    ("the story is not dull, it is moving", "the story is not moving, it is dull"),
    ("it was not a mess, it was a triumph", "it was not a triumph, it was a mess"),
    ("a gem, not a dud", "a dud, not a gem"),
    (
        "the director succeeded where others failed",
        "the director failed where others succeeded",
    ),
    ("bad reviews, good movie", "good reviews, bad movie"),
    ("it deserves praise, not criticism", "it deserves criticism, not praise"),
    ("a must see, not a must skip", "a must skip, not a must see"),
)

_PUNCTUATION = re.compile(r"[^\w\s]")


def standard_tokens(text: str) -> list:
    """Split text the way ``TextVectorization``'s default standardisation does.

    Lower case, punctuation removed, split on whitespace.

    Parameters
    ----------
    text : str
        A short review.

    Returns
    -------
    list of str
        The tokens, in order.
    """
    return _PUNCTUATION.sub("", text.lower()).split()


def same_bag_of_words(first: str, second: str) -> bool:
    """Return whether two texts have the same multiset of standard tokens.

    Parameters
    ----------
    first, second : str
        The texts.

    Returns
    -------
    bool
        True if every word occurs equally often in both.
    """
    return Counter(standard_tokens(first)) == Counter(standard_tokens(second))


def pairs_fully_right(
    positive_scores: Sequence[float],
    negative_scores: Sequence[float],
    threshold: float = 0.5,
) -> list:
    """Mark the pairs whose two reviews are both classified correctly.

    Parameters
    ----------
    positive_scores, negative_scores : sequence of float
        P(positive) for the positive and the negative review of each pair.
    threshold : float
        A score above it means "positive".

    Returns
    -------
    list of bool
        True where the positive review scores above and the negative review
        at or below the threshold.

    Raises
    ------
    ValueError
        If the two sequences differ in length.
    """
    if len(positive_scores) != len(negative_scores):
        raise ValueError(
            f"got {len(positive_scores)} positive and {len(negative_scores)} negative "
            "scores; pass one of each per pair"
        )
    return [
        bool(p > threshold and n <= threshold)
        for p, n in zip(positive_scores, negative_scores)
    ]
