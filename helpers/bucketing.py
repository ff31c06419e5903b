"""Length bucketing: batches of reviews of similar length, trimmed to that length.

A recurrent layer pays for every time step of a batch, padding included. IMDB
reviews range from a dozen to over a thousand tokens, so a batch padded to a
fixed length spends much of its time on padding. Here the reviews are sorted
into length-homogeneous batches, and each batch is cut to the longest review
it holds. With ``mask_zero=True`` in the embedding, a model gives the same
outputs as on the fixed-length arrays (the padding is skipped either way),
but training and evaluation touch far fewer padded steps.

The batches are random: each epoch the reviews are shuffled, cut into pools of
``pool_batches`` batches, sorted by length *within* each pool, and the order
of the batches is shuffled again. The same ``seed`` gives the same batches in
every process.

TensorFlow is imported inside the functions, so importing this module is cheap.

Introduced in chapter 7 (``notebooks/07_bidirectional.ipynb``).
"""

from __future__ import annotations

import numpy as np


def sequence_lengths(x) -> np.ndarray:
    """Return the length of each post-padded id sequence (up to its last non-zero id).

    Parameters
    ----------
    x : array_like of int, shape (n, time)
        Token ids, padded with 0 at the end (``padding="post"``).

    Returns
    -------
    numpy.ndarray
        ``int64`` of shape ``(n,)``: one plus the position of the last
        non-zero id of each row, 0 for an all-padding row.

    Raises
    ------
    ValueError
        If ``x`` is not two-dimensional.
    """
    x = np.asarray(x)
    if x.ndim != 2:
        raise ValueError(
            f"x must be a 2-D (reviews, time) id array, got shape {x.shape}"
        )
    nonzero = x != 0
    last = x.shape[1] - np.argmax(nonzero[:, ::-1], axis=1)
    return np.where(nonzero.any(axis=1), last, 0).astype(np.int64)


def bucket_batches(
    lengths,
    batch_size: int,
    shuffle: bool = True,
    seed: int = 0,
    pool_batches: int = 32,
) -> list:
    """Group review indices into batches of similar length.

    Parameters
    ----------
    lengths : array_like of int, shape (n,)
        The length of each review (:func:`sequence_lengths`).
    batch_size : int
        Reviews per batch (the last batch of a pool may be smaller).
    shuffle : bool
        ``True`` (training): shuffle the reviews, sort each pool of
        ``pool_batches * batch_size`` reviews by length, cut it into batches
        and shuffle the order of all batches. ``False`` (evaluation): sort
        all reviews by length, batches in increasing length.
    seed : int
        Seed of the shuffles.
    pool_batches : int
        Batches per sorting pool: larger pools give more homogeneous lengths,
        smaller ones more random batches.

    Returns
    -------
    list of numpy.ndarray
        Index arrays; together they hold every index exactly once.

    Raises
    ------
    ValueError
        If ``batch_size`` or ``pool_batches`` is not a positive integer.
    """
    for name, value in (("batch_size", batch_size), ("pool_batches", pool_batches)):
        if int(value) != value or value < 1:
            raise ValueError(f"{name} must be a positive integer, got {value!r}")
    lengths = np.asarray(lengths)
    if not shuffle:
        order = np.argsort(lengths, kind="stable")
        return [order[i : i + batch_size] for i in range(0, len(order), batch_size)]
    rng = np.random.default_rng(seed)
    order = rng.permutation(len(lengths))
    pool = batch_size * pool_batches
    batches = []
    for start in range(0, len(order), pool):
        members = order[start : start + pool]
        members = members[np.argsort(lengths[members], kind="stable")]
        batches.extend(
            members[i : i + batch_size] for i in range(0, len(members), batch_size)
        )
    return [batches[i] for i in rng.permutation(len(batches))]


def bucketed_dataset(
    x, y, batch_size: int, shuffle: bool = True, seed: int = 0, pool_batches: int = 32
):
    """Return a ``tf.data.Dataset`` of length-bucketed, trimmed ``(x, y)`` batches.

    Each batch holds the rows of :func:`bucket_batches` and is cut to the
    longest review in it, so its shape is ``(batch, time_b)`` with
    ``time_b <= x.shape[1]``. When ``shuffle`` is true, every pass over the
    dataset (every epoch) draws new batches from the seeds ``seed``,
    ``seed + 1``, ...; the sequence of epochs is the same in every process.

    Parameters
    ----------
    x : numpy.ndarray of int, shape (n, time)
        Post-padded token ids.
    y : numpy.ndarray, shape (n,)
        Labels.
    batch_size, shuffle, seed, pool_batches
        As in :func:`bucket_batches`.

    Returns
    -------
    tf.data.Dataset
        Yields ``(int32 (batch, None), y.dtype (batch,))`` pairs.

    Raises
    ------
    ValueError
        If ``x`` and ``y`` hold different numbers of reviews, or as
        :func:`sequence_lengths` and :func:`bucket_batches`.
    """
    import tensorflow as tf

    x = np.asarray(x, dtype=np.int32)
    y = np.asarray(y)
    if len(x) != len(y):
        raise ValueError(f"x has {len(x)} reviews but y has {len(y)} labels")
    lengths = sequence_lengths(x)
    # checks arguments
    bucket_batches(lengths[:0], batch_size, shuffle, seed, pool_batches)
    epoch = [0]

    def batches():
        indices = bucket_batches(
            lengths, batch_size, shuffle, seed + epoch[0], pool_batches
        )
        epoch[0] += 1 if shuffle else 0
        for index in indices:
            width = max(int(lengths[index].max()), 1)
            yield x[index, :width], y[index]

    signature = (
        tf.TensorSpec((None, None), tf.int32),
        tf.TensorSpec((None,), tf.as_dtype(y.dtype)),
    )
    n_batches = len(bucket_batches(lengths, batch_size, shuffle, seed, pool_batches))
    dataset = tf.data.Dataset.from_generator(batches, output_signature=signature)
    # A known length lets Keras count steps without running out of data.
    return dataset.apply(tf.data.experimental.assert_cardinality(n_batches)).prefetch(2)


def padded_step_fraction(
    lengths, batch_index_lists=None, sequence_length=None
) -> float:
    """Return the share of the time steps of a set of batches that are padding.

    Parameters
    ----------
    lengths : array_like of int, shape (n,)
        Review lengths (:func:`sequence_lengths`).
    batch_index_lists : list of array_like, optional
        Batches (:func:`bucket_batches`), each padded to its longest review.
        If omitted, every review is padded to ``sequence_length``.
    sequence_length : int, optional
        The fixed padded length, needed when ``batch_index_lists`` is omitted.

    Returns
    -------
    float
        Padded steps divided by all steps, in [0, 1].

    Raises
    ------
    ValueError
        If neither ``batch_index_lists`` nor ``sequence_length`` is given.
    """
    lengths = np.asarray(lengths, dtype=np.int64)
    if batch_index_lists is None:
        if sequence_length is None:
            raise ValueError("pass batch_index_lists or sequence_length")
        total = len(lengths) * int(sequence_length)
    else:
        total = sum(len(b) * int(lengths[b].max()) for b in batch_index_lists if len(b))
    return 0.0 if total == 0 else float(1.0 - lengths.sum() / total)
