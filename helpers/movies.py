"""Reviews of the same movie: how the ids group them, and what a validation split
shares with training.

IMDB has up to 30 reviews per movie, and the official test movies are disjoint
from the training movies. The official archive names each review's movie in
``train/urls_*.txt``; the text-only copy the book uses does not, so we detect a
shared movie by what its reviews share: rare proper names (characters, actors,
places). A capitalised word that occurs in at most ``max_reviews`` reviews is
rare; two reviews that share several rare names are very likely about the same
movie.

Introduced in chapter 1 (``notebooks/01_bag_of_words.ipynb``), where it
justifies :func:`helpers.data.train_validation_split`'s blocks of consecutive
ids.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict

import numpy as np

_CAPITALISED = re.compile(r"\b[A-Z][a-z]{2,}\b")


def rare_names(texts, max_reviews: int = 30) -> list:
    """Return each review's rare capitalised words.

    Parameters
    ----------
    texts : sequence of str
        The reviews.
    max_reviews : int
        A capitalised word is rare when it occurs in 2 to ``max_reviews``
        of ``texts`` (a word in one review only cannot link two reviews).

    Returns
    -------
    list of frozenset
        One set of rare names per review.
    """
    names = [frozenset(_CAPITALISED.findall(text)) for text in texts]
    counts = Counter(name for review in names for name in review)
    return [
        frozenset(n for n in review if 2 <= counts[n] <= max_reviews)
        for review in names
    ]


def neighbour_name_overlap(
    reviews, gaps=(1, 10, 100), min_shared: int = 2, seed: int = 0
) -> dict:
    """Share of review pairs with at least ``min_shared`` rare names in common, by id
    distance.

    A pair is two reviews of the same label whose ids differ by ``gap``.
    The entry ``"random"`` pairs every review with a random review of the
    same label instead, as the baseline.

    Parameters
    ----------
    reviews : helpers.data.ReviewSplit
        Reviews of one official split (for example training and validation
        together, ``ReviewSplit.concat``), with their ids.
    gaps : sequence of int
        Id distances to measure.
    min_shared : int
        Rare names two reviews must share to count.
    seed : int
        Seed of the random pairs.

    Returns
    -------
    dict
        ``{gap: share, ..., "random": share}``, shares in [0, 1].
    """
    labels, ids = reviews.labels, reviews.ids.astype(np.int64)
    names = rare_names(reviews.texts)
    position = {
        (int(label), int(i)): k for k, (label, i) in enumerate(zip(labels, ids))
    }
    linked = lambda a, b: len(names[a] & names[b]) >= min_shared  # noqa: E731
    shares = {}
    for gap in gaps:
        pairs = [
            (k, position[(int(label), int(i) + gap)])
            for k, (label, i) in enumerate(zip(labels, ids))
            if (int(label), int(i) + gap) in position
        ]
        shares[gap] = (
            float(np.mean([linked(a, b) for a, b in pairs])) if pairs else float("nan")
        )
    rng = np.random.default_rng(seed)
    pairs = []
    for label in (0, 1):
        shuffled = rng.permutation(np.flatnonzero(labels == label))
        # each review with the next in a random cycle: never itself
        if len(shuffled) > 1:
            pairs += list(zip(shuffled.tolist(), np.roll(shuffled, -1).tolist()))
    shares["random"] = (
        float(np.mean([linked(a, b) for a, b in pairs])) if pairs else float("nan")
    )
    return shares


def name_overlap_with_training(train, others, min_shared: int = 3) -> float:
    """Share of ``others`` reviews that share ``min_shared`` rare names with one
    training review.

    Rarity is counted over ``train`` and ``others`` together, so compare
    sets of ``others`` of the same size.

    Parameters
    ----------
    train : helpers.data.ReviewSplit
        The reviews a model learns from.
    others : helpers.data.ReviewSplit
        Validation or test reviews.
    min_shared : int
        Rare names a review must share with a single training review.

    Returns
    -------
    float
        The share, in [0, 1]; high means ``others`` holds reviews of
        training movies.
    """
    names = rare_names(tuple(train.texts) + tuple(others.texts))
    train_names, other_names = names[: len(train)], names[len(train) :]
    reviews_with = defaultdict(list)
    for k, review in enumerate(train_names):
        for name in review:
            reviews_with[name].append(k)
    hits = 0
    for review in other_names:
        shared = Counter(k for name in review for k in reviews_with[name])
        hits += bool(shared) and shared.most_common(1)[0][1] >= min_shared
    return hits / max(len(other_names), 1)


def name_overlap_by_label(train, others, min_shared: int = 3) -> dict:
    """Split :func:`name_overlap_with_training` by the label of the training review.

    A review of ``others`` is *linked* to a training review when the two
    share at least ``min_shared`` rare names. Positive and negative reviews
    are numbered separately, so movie blocks of one label do not keep a
    movie's reviews of the *other* label out of training; this tells the
    two kinds of link apart.

    Parameters
    ----------
    train : helpers.data.ReviewSplit
        The reviews a model learns from.
    others : helpers.data.ReviewSplit
        Validation or test reviews (rarity is counted over both sets, as in
        :func:`name_overlap_with_training`).
    min_shared : int
        Rare names a review must share with a single training review.

    Returns
    -------
    dict
        Shares of ``others``, in [0, 1]: ``"any"`` linked to some training
        review (equal to :func:`name_overlap_with_training`), ``"same"``
        linked to a training review of its own label, ``"other_only"``
        linked only to training reviews of the other label
        (``any == same + other_only``).

    Notes
    -----
    Introduced in chapter 1, which measures what the movie blocks leave.
    """
    names = rare_names(tuple(train.texts) + tuple(others.texts))
    train_names, other_names = names[: len(train)], names[len(train) :]
    reviews_with = defaultdict(list)
    for k, review in enumerate(train_names):
        for name in review:
            reviews_with[name].append(k)
    same = other_only = 0
    for review, label in zip(other_names, others.labels):
        shared = Counter(k for name in review for k in reviews_with[name])
        linked = [k for k, count in shared.items() if count >= min_shared]
        if any(train.labels[k] == label for k in linked):
            same += 1
        elif linked:
            other_only += 1
    n = max(len(other_names), 1)
    return {
        "any": (same + other_only) / n,
        "same": same / n,
        "other_only": other_only / n,
    }


def neighbour_pair_counts(reviews, gaps=(1, 10, 100)) -> dict:
    """Count the review pairs :func:`neighbour_name_overlap` measures at each id distance.

    Parameters
    ----------
    reviews : helpers.data.ReviewSplit
        The reviews, with their ids.
    gaps : sequence of int
        Id distances.

    Returns
    -------
    dict
        ``{gap: pairs, ..., "random": pairs}``: same-label pairs whose ids
        differ by ``gap``, and the random pairs (one per review of a label
        with at least two reviews), so that a share gets its noise
        (:func:`helpers.noise.accuracy_noise`).

    Notes
    -----
    Introduced in chapter 1.
    """
    keys = {(int(label), int(i)) for label, i in zip(reviews.labels, reviews.ids)}
    counts = {gap: sum((label, i + gap) in keys for label, i in keys) for gap in gaps}
    sizes = [int((reviews.labels == label).sum()) for label in (0, 1)]
    counts["random"] = sum(size for size in sizes if size > 1)
    return counts
