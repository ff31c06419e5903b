r"""Character-level language models of IMDB reviews: counts and an LSTM.

A language model gives every next character a probability,
:math:`P(x_{t+1} \mid x_1, \dots, x_t)`. This module holds what chapter 9
needs to build, score and sample such models on the same characters:

* a fixed character vocabulary with a start-of-review symbol and an
  unknown symbol (:func:`build_char_vocabulary`, :func:`encode_text`,
  :func:`encode_reviews`);
* the streams and batches of truncated backpropagation through time
  (:func:`tbptt_batches`) and overlapping scoring windows
  (:func:`scoring_windows`);
* n-gram models with interpolated Kneser-Ney smoothing, counted with NumPy
  (:func:`fit_ngram_counts`, :func:`ngram_probabilities`,
  :func:`ngram_distribution`, :func:`normalisation_error`);
* bits per character and perplexity (:func:`bits_per_char`,
  :func:`perplexity`);
* the recurrent model, its training with carried state, and a NumPy sampler
  on top of :func:`helpers.scratch.lstm_forward`
  (:func:`build_char_lstm`, :func:`train_char_lstm`, :func:`lstm_step_probabilities`,
  :func:`sample_numpy`);
* saving the model with its vocabulary and :func:`generate`, which reloads
  it in any process.

TensorFlow and Keras are imported inside the functions that need them.

Introduced in chapter 9 (``notebooks/09_language_model.ipynb``).
"""

from __future__ import annotations

import json
import math
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Optional, Sequence

import numpy as np

from helpers.config import mode_settings
from helpers.scratch import lstm_forward

#: Start of a review (ASCII "start of text"); also separates reviews in a stream.
START = "\x02"
#: Every character outside the vocabulary (ASCII "substitute").
UNKNOWN = "\x1a"
#: How :func:`generate` shows the two special symbols in its text.
SHOWN_AS = {START: "\n", UNKNOWN: "\ufffd"}
#: The longest text :func:`generate` writes in one call.
MAX_GENERATE_LENGTH = 100_000

#: Sizes of chapter 9 per mode: characters of training, validation and test
#: text, the smallest count that puts a character in the vocabulary, the
#: longest n-gram order, and the sizes and gradient steps of the two recurrent
#: models (full mode: 100-200 s of LSTM training on the book's 2-core CPU).
LANGUAGE_MODEL_SIZES = {
    "full": dict(
        train_chars=6_000_000,
        validation_chars=100_000,
        test_chars=100_000,
        min_count=200,
        max_order=7,
        units=128,
        batch_size=32,
        window=100,
        learning_rate=4e-3,
        clipnorm=1.0,
        updates=2000,
        checkpoints=10,
        bilstm_units=64,
        bilstm_updates=200,
        bilstm_checkpoints=2,
        prefix_positions=2000,
        speed_batch=32,
        speed_steps=2,
    ),
    "quick": dict(
        train_chars=200_000,
        validation_chars=20_000,
        test_chars=30_000,
        min_count=20,
        max_order=5,
        units=64,
        batch_size=16,
        window=50,
        learning_rate=4e-3,
        clipnorm=1.0,
        updates=300,
        checkpoints=3,
        bilstm_units=32,
        bilstm_updates=150,
        bilstm_checkpoints=2,
        prefix_positions=1000,
        speed_batch=8,
        speed_steps=1,
    ),
}


def language_model_sizes(mode: Optional[str] = None) -> dict:
    """Return chapter 9's sizes for a mode (a copy of :data:`LANGUAGE_MODEL_SIZES`).

    Parameters
    ----------
    mode : {"full", "quick"}, optional
        By default the mode named by ``BOOK_MODE``.

    Returns
    -------
    dict
        Character counts, vocabulary threshold, orders, units and budgets.

    Raises
    ------
    ValueError
        If ``mode`` is not a mode of the book.
    """
    return dict(LANGUAGE_MODEL_SIZES[mode_settings(mode).mode])


# --------------------------------------------------------------------------- #
# Vocabulary and streams
# --------------------------------------------------------------------------- #
@dataclass(frozen=True)
class CharVocabulary:
    """A fixed character vocabulary: id 0 is :data:`START`, id 1 :data:`UNKNOWN`.

    Attributes
    ----------
    symbols : tuple of str
        One character per id.
    """

    symbols: tuple
    index: dict = field(init=False, repr=False, compare=False)

    def __post_init__(self):
        symbols = tuple(self.symbols)
        if len(symbols) < 3 or symbols[:2] != (START, UNKNOWN):
            raise ValueError(
                "a CharVocabulary starts with START and UNKNOWN and has at least "
                "one more symbol; build it with build_char_vocabulary(texts)"
            )
        if any(not isinstance(s, str) or len(s) != 1 for s in symbols):
            raise ValueError("every symbol of a CharVocabulary must be one character")
        if len(set(symbols)) != len(symbols):
            raise ValueError("the symbols of a CharVocabulary must be distinct")
        object.__setattr__(self, "symbols", symbols)
        object.__setattr__(self, "index", {s: i for i, s in enumerate(symbols)})

    def __len__(self) -> int:
        return len(self.symbols)

    def decode(self, ids: Sequence[int]) -> str:
        """Return the text of ``ids``, with START shown as a new line (:data:`SHOWN_AS`)."""
        return "".join(
            SHOWN_AS.get(self.symbols[int(i)], self.symbols[int(i)]) for i in ids
        )


def build_char_vocabulary(texts: Sequence[str], min_count: int) -> CharVocabulary:
    """Keep the characters that occur at least ``min_count`` times in ``texts``.

    Parameters
    ----------
    texts : sequence of str
        Training reviews (never validation or test text).
    min_count : int
        The smallest count that earns a character its own id; rarer
        characters are read as :data:`UNKNOWN`.

    Returns
    -------
    CharVocabulary
        START, UNKNOWN, then the kept characters from most to least frequent
        (ties in code-point order).

    Raises
    ------
    ValueError
        If ``min_count`` is not a positive integer or no character is kept.
    """
    if isinstance(min_count, bool) or int(min_count) != min_count or min_count < 1:
        raise ValueError(f"min_count must be a positive integer, got {min_count!r}")
    counts = Counter()
    for text in texts:
        counts.update(text)
    kept = sorted(
        (c for c, n in counts.items() if n >= min_count and c not in (START, UNKNOWN)),
        key=lambda c: (-counts[c], c),
    )
    if not kept:
        raise ValueError(
            f"no character occurs {min_count} times; lower min_count or pass more text"
        )
    return CharVocabulary((START, UNKNOWN, *kept))


def encode_text(text: str, vocabulary: CharVocabulary) -> np.ndarray:
    """Return the ids of the characters of ``text`` (unknown ones as :data:`UNKNOWN`).

    Parameters
    ----------
    text : str
    vocabulary : CharVocabulary

    Returns
    -------
    numpy.ndarray
        ``int32`` ids, one per character.

    Raises
    ------
    ValueError
        If ``text`` is not a str.
    """
    if not isinstance(text, str):
        raise ValueError(f"text must be a str, got {type(text).__name__}")
    index = vocabulary.index
    return np.fromiter((index.get(c, 1) for c in text), dtype=np.int32, count=len(text))


def encode_reviews(
    texts: Sequence[str],
    vocabulary: CharVocabulary,
    max_chars: Optional[int] = None,
    seed: Optional[int] = None,
) -> np.ndarray:
    """Concatenate reviews into one stream of ids, each review after a START.

    Parameters
    ----------
    texts : sequence of str
        Reviews, in the order they go into the stream.
    vocabulary : CharVocabulary
    max_chars : int, optional
        Cut the stream to this many ids (the last review is cut).
    seed : int, optional
        If given, the reviews go in in a random order drawn with this seed
        (IMDB's test split is sorted by label and movie).

    Returns
    -------
    numpy.ndarray
        ``int32`` stream ``[START, review 1, START, review 2, ...]``.

    Raises
    ------
    ValueError
        If ``max_chars`` is not a positive integer, or the reviews hold fewer
        ids than ``max_chars``.
    """
    if max_chars is not None and (int(max_chars) != max_chars or max_chars < 1):
        raise ValueError(
            f"max_chars must be a positive integer or None, got {max_chars!r}"
        )
    order = (
        range(len(texts))
        if seed is None
        else np.random.default_rng(seed).permutation(len(texts))
    )
    parts, total = [], 0
    for i in order:
        text = texts[int(i)]
        parts.append(
            np.concatenate([[0], encode_text(text, vocabulary)]).astype(np.int32)
        )
        total += len(parts[-1])
        if max_chars is not None and total >= max_chars:
            break
    if max_chars is not None and total < max_chars:
        raise ValueError(
            f"the reviews hold {total:,} characters, fewer than max_chars={max_chars:,}; "
            "pass more reviews or a smaller max_chars"
        )
    stream = np.concatenate(parts) if parts else np.zeros(0, np.int32)
    return stream[:max_chars] if max_chars is not None else stream


def tbptt_batches(stream: np.ndarray, batch_size: int, window: int) -> tuple:
    """Cut a stream into batches for truncated backpropagation through time.

    The stream is split into ``batch_size`` contiguous parallel streams of
    equal length (the remainder is dropped); batch ``k`` holds window ``k``
    of every parallel stream, so row ``j`` of batch ``k + 1`` continues row
    ``j`` of batch ``k`` and the state can be carried from one to the next.

    Parameters
    ----------
    stream : numpy.ndarray
        Ids, 1-D.
    batch_size : int
        Number of parallel streams.
    window : int
        Steps per batch (how far back gradients flow).

    Returns
    -------
    (numpy.ndarray, numpy.ndarray)
        ``x`` and ``y`` of shape ``(n_batches, batch_size, window)`` with
        ``y[k, j, t]`` the character after ``x[k, j, t]``.

    Raises
    ------
    ValueError
        If the sizes are not positive integers or the stream is too short
        for one batch.
    """
    for name, value in (("batch_size", batch_size), ("window", window)):
        if isinstance(value, bool) or int(value) != value or value < 1:
            raise ValueError(f"{name} must be a positive integer, got {value!r}")
    stream = np.asarray(stream)
    per_stream = (len(stream) - 1) // batch_size
    n_batches = per_stream // window
    if n_batches < 1:
        raise ValueError(
            f"a stream of {len(stream):,} ids is too short for one batch of "
            f"{batch_size} x {window}; pass a longer stream or smaller sizes"
        )
    used = n_batches * window
    rows = np.arange(batch_size)[:, None] * per_stream + np.arange(used)[None, :]
    x = stream[rows].reshape(batch_size, n_batches, window).transpose(1, 0, 2)
    y = stream[rows + 1].reshape(batch_size, n_batches, window).transpose(1, 0, 2)
    return np.ascontiguousarray(x), np.ascontiguousarray(y)


def scoring_windows(stream: np.ndarray, length: int, warmup: int) -> tuple:
    """Cut a stream into windows that score every next character once.

    Window ``k`` predicts the ids ``stream[1 + k * length : 1 + (k + 1) * length]``;
    its input starts ``warmup`` ids earlier (except at the start of the
    stream), so a model without carried state still reads up to ``warmup``
    characters of context before the first scored one.

    Parameters
    ----------
    stream : numpy.ndarray
        Ids, 1-D; ``stream[0]`` is context only.
    length : int
        Scored steps per window.
    warmup : int
        Unscored steps of context in front of each window (>= 0).

    Returns
    -------
    (numpy.ndarray, numpy.ndarray, numpy.ndarray)
        ``x`` and ``y`` of shape ``(n_windows, warmup + length)`` and a boolean
        ``scored`` mask of the same shape; the first window is padded on the
        left with START (unscored). Every target ``stream[1:]`` is scored
        exactly once, in order, when the mask is applied row by row; the
        last window is padded on the right (unscored).

    Raises
    ------
    ValueError
        If ``length`` is not positive, ``warmup`` is negative, or the stream
        has fewer than two ids.
    """
    if isinstance(length, bool) or int(length) != length or length < 1:
        raise ValueError(f"length must be a positive integer, got {length!r}")
    if isinstance(warmup, bool) or int(warmup) != warmup or warmup < 0:
        raise ValueError(f"warmup must be a non-negative integer, got {warmup!r}")
    stream = np.asarray(stream)
    targets = len(stream) - 1
    if targets < 1:
        raise ValueError("the stream needs at least two ids (one context, one target)")
    n_windows = -(-targets // length)
    padded = np.concatenate(
        [
            np.zeros(warmup, stream.dtype),
            stream,
            np.zeros(n_windows * length - targets, stream.dtype),
        ]
    )
    starts = np.arange(n_windows) * length  # in padded coordinates, minus warmup
    cols = starts[:, None] + np.arange(warmup + length)[None, :]
    x, y = padded[cols], padded[cols + 1]
    position = cols - warmup  # index of the input in the stream
    scored = (np.arange(warmup + length)[None, :] >= warmup) & (position < targets)
    return x, y, scored


# --------------------------------------------------------------------------- #
# Metrics
# --------------------------------------------------------------------------- #
def bits_per_char(probabilities) -> float:
    """Return the cross-entropy in bits per character, ``-mean(log2 p)``.

    Parameters
    ----------
    probabilities : array_like
        The probability each model gave to the character that came.

    Returns
    -------
    float

    Raises
    ------
    ValueError
        If there is no probability, or one is not in (0, 1].
    """
    p = np.asarray(probabilities, dtype=np.float64).ravel()
    if p.size == 0:
        raise ValueError("no probabilities to score")
    if not np.all((p > 0) & (p <= 1)):
        raise ValueError(
            "probabilities must be in (0, 1]: a model that gives the character that "
            "came probability 0 has infinite cross-entropy (smooth it)"
        )
    return float(-np.mean(np.log2(p)))


def perplexity(bits: float) -> float:
    """Return the perplexity ``2 ** bits`` of a cross-entropy in bits per character.

    Raises
    ------
    ValueError
        If ``bits`` is negative or not finite.
    """
    if not np.isfinite(bits) or bits < 0:
        raise ValueError(f"bits per character must be finite and >= 0, got {bits!r}")
    return float(2.0**bits)


# --------------------------------------------------------------------------- #
# n-gram models with interpolated Kneser-Ney smoothing
# --------------------------------------------------------------------------- #
@dataclass
class NgramCounts:
    """The counts behind interpolated Kneser-Ney models of orders 1..max_order.

    For each order k, the k-grams seen in training are stored as sorted
    integer ids (the k characters read as digits in base ``vocab_size``),
    with their raw counts c(h w) and their continuation counts
    N1+(. h w) (how many distinct characters precede them), and a discount
    per order and kind, D = n1 / (n1 + 2 n2).

    Attributes
    ----------
    vocab_size : int
    max_order : int
    grams, raw, continuation : list of numpy.ndarray
        Index k-1 holds the k-grams' ids and their two counts.
    discount_raw, discount_continuation : list of float
    """

    vocab_size: int
    max_order: int
    grams: list
    raw: list
    continuation: list
    discount_raw: list
    discount_continuation: list

    def table_entries(self, order: int) -> int:
        """Number of stored n-grams (orders 1..``order``), each with its counts."""
        _check_order(order, self.max_order)
        return int(sum(len(g) for g in self.grams[:order]))


def _check_order(order, max_order):
    if isinstance(order, bool) or int(order) != order or not 1 <= order <= max_order:
        raise ValueError(
            f"order must be an integer from 1 to {max_order}, got {order!r}"
        )


def _discount(counts: np.ndarray) -> float:
    n1, n2 = int(np.sum(counts == 1)), int(np.sum(counts == 2))
    if n1 == 0:
        return 0.5
    return float(n1 / (n1 + 2 * max(n2, 0))) if n1 + 2 * n2 > 0 else 0.5


def _gram_ids(stream: np.ndarray, order: int, vocab_size: int) -> np.ndarray:
    """Ids of the ``order``-grams ending at every position of a START-padded stream."""
    ids = np.zeros(len(stream), np.int64)
    for j in range(order):
        shifted = np.zeros(len(stream), np.int64)
        shift = order - 1 - j
        shifted[shift:] = stream[: len(stream) - shift]
        ids = ids * vocab_size + shifted
    return ids


def fit_ngram_counts(
    stream: np.ndarray, vocab_size: int, max_order: int
) -> NgramCounts:
    """Count the 1..``max_order``-grams of a training stream.

    The stream is read as if preceded by START symbols, so every position
    has a full context.

    Parameters
    ----------
    stream : numpy.ndarray
        Training ids (from :func:`encode_reviews`).
    vocab_size : int
        Size of the vocabulary (ids are below it).
    max_order : int
        Longest n-gram, at least 1 (context of ``max_order - 1`` characters).

    Returns
    -------
    NgramCounts

    Raises
    ------
    ValueError
        If the stream is empty, holds ids outside ``[0, vocab_size)``, or
        ``vocab_size ** (max_order + 1)`` does not fit in 63 bits.
    """
    stream = np.asarray(stream, dtype=np.int64)
    if stream.ndim != 1 or stream.size == 0:
        raise ValueError("stream must be a non-empty 1-D array of ids")
    if isinstance(max_order, bool) or int(max_order) != max_order or max_order < 1:
        raise ValueError(f"max_order must be a positive integer, got {max_order!r}")
    if stream.min() < 0 or stream.max() >= vocab_size:
        raise ValueError(
            f"ids must be in [0, {vocab_size}); encode with the same vocabulary"
        )
    if (max_order + 1) * math.log2(vocab_size) >= 63:
        raise ValueError(
            f"{max_order + 1}-grams of {vocab_size} symbols do not fit in int64 ids; "
            "use a smaller max_order"
        )
    grams, raw, cont, d_raw, d_cont = [], [], [], [], []
    for order in range(1, max_order + 2):
        ids, counts = np.unique(
            _gram_ids(stream, order, vocab_size), return_counts=True
        )
        grams.append(ids)
        raw.append(counts)
    for k in range(max_order):  # continuation counts from the (k+2)-grams
        suffix = grams[k + 1] % vocab_size ** (k + 1)
        suffix_ids, suffix_counts = np.unique(suffix, return_counts=True)
        cont_k = np.zeros(len(grams[k]), np.int64)
        cont_k[np.searchsorted(grams[k], suffix_ids)] = suffix_counts
        cont_k = np.maximum(cont_k, 1)  # grams at the stream start have no left char
        cont.append(cont_k)
        d_raw.append(_discount(raw[k]))
        d_cont.append(_discount(cont_k))
    return NgramCounts(
        int(vocab_size),
        int(max_order),
        grams[:max_order],
        raw[:max_order],
        cont,
        d_raw,
        d_cont,
    )


def _lookup(
    sorted_ids: np.ndarray, values: np.ndarray, query: np.ndarray
) -> np.ndarray:
    """``values`` at the positions of ``query`` in ``sorted_ids`` (0 where absent)."""
    pos = np.clip(np.searchsorted(sorted_ids, query), 0, len(sorted_ids) - 1)
    return np.where(sorted_ids[pos] == query, values[pos], 0)


def _context_tables(grams, counts, vocab_size):
    """Per context id: sum of counts and number of distinct followers."""
    contexts, inverse = np.unique(grams // vocab_size, return_inverse=True)
    totals = np.bincount(inverse, weights=counts).astype(np.int64)
    types = np.bincount(inverse).astype(np.int64)
    return contexts, totals, types


def _interpolate(model, k, kind, gram_q, lower):
    """P_k for the k-grams ``gram_q`` given the lower-order probabilities ``lower``."""
    counts = model.raw[k] if kind == "raw" else model.continuation[k]
    discount = (model.discount_raw if kind == "raw" else model.discount_continuation)[k]
    key = (k, kind)
    cache = model.__dict__.setdefault("_contexts", {})
    if key not in cache:
        cache[key] = _context_tables(model.grams[k], counts, model.vocab_size)
    contexts, totals, types = cache[key]
    a = _lookup(model.grams[k], counts, gram_q).astype(np.float64)
    context_q = gram_q // model.vocab_size
    total = _lookup(contexts, totals, context_q).astype(np.float64)
    n_types = _lookup(contexts, types, context_q).astype(np.float64)
    seen = total > 0
    safe = np.where(seen, total, 1.0)
    smoothed = (np.maximum(a - discount, 0.0) + discount * n_types * lower) / safe
    return np.where(seen, smoothed, lower)


def ngram_probabilities(
    model: NgramCounts,
    stream: np.ndarray,
    order: int,
    history: Optional[np.ndarray] = None,
) -> np.ndarray:
    r"""Interpolated Kneser-Ney probability of every next character of a stream.

    For order N the top level uses raw counts and every lower level
    continuation counts; for each level k, with context h and its shorter
    context h',

    .. math::

        P_k(w \mid h) = \frac{\max(c_k(h w) - D_k, 0) + D_k\, T_k(h)\, P_{k-1}(w \mid h')}{c_k(h)},

    where :math:`c_k(h) = \sum_w c_k(h w)` and :math:`T_k(h)` is the number of
    distinct characters seen after h; an unseen context (:math:`c_k(h) = 0`)
    backs off to :math:`P_{k-1}`, and :math:`P_0(w) = 1 / V`.

    Parameters
    ----------
    model : NgramCounts
    stream : numpy.ndarray
        Ids; ``stream[i]`` is scored given ``stream[:i]``.
    order : int
        1 .. ``model.max_order``.
    history : numpy.ndarray, optional
        Ids that come before ``stream`` (context only); START symbols if None.

    Returns
    -------
    numpy.ndarray
        ``float64`` probability of each ``stream[i]``.

    Raises
    ------
    ValueError
        If ``order`` is out of range.
    """
    return ngram_probabilities_by_order(model, stream, order, history)[order - 1]


def _kn_levels(
    model: NgramCounts, max_order: int, gram_ids: Callable[[int], np.ndarray], size: int
) -> list:
    """Probabilities of the order 1..``max_order`` models for the grams ``gram_ids(k)``."""
    lower = np.full(size, 1.0 / model.vocab_size)
    out = []
    for k in range(max_order):
        gram_q = gram_ids(k + 1)
        out.append(_interpolate(model, k, "raw", gram_q, lower))
        lower = _interpolate(model, k, "continuation", gram_q, lower)
    return out


def ngram_probabilities_by_order(
    model: NgramCounts,
    stream: np.ndarray,
    max_order: int,
    history: Optional[np.ndarray] = None,
    symbol: Optional[int] = None,
) -> list:
    """Probabilities of :func:`ngram_probabilities` for every order 1..``max_order`` at once.

    Parameters
    ----------
    model, stream, history
        As in :func:`ngram_probabilities`.
    max_order : int
        1 .. ``model.max_order``.
    symbol : int, optional
        Score this id at every position instead of the one that came
        (e.g. the probability of ")" everywhere in a text).

    Returns
    -------
    list of numpy.ndarray
        Item ``k - 1`` holds the order-k model's probabilities.

    Raises
    ------
    ValueError
        If ``max_order`` is out of range.
    """
    _check_order(max_order, model.max_order)
    stream = np.asarray(stream, dtype=np.int64)
    prefix = np.zeros(0, np.int64) if history is None else np.asarray(history, np.int64)
    full = np.concatenate([prefix, stream])
    V = model.vocab_size

    def grams(k):
        ids = _gram_ids(full, k, V)[len(prefix) :]
        return ids if symbol is None else ids - ids % V + int(symbol)

    return _kn_levels(model, max_order, grams, len(stream))


def ngram_distribution(
    model: NgramCounts, context: Sequence[int], order: int
) -> np.ndarray:
    """The order-``order`` model's whole next-character distribution after ``context``.

    Parameters
    ----------
    model : NgramCounts
    context : sequence of int
        Preceding ids (only the last ``order - 1`` matter; START fills in
        when there are fewer).
    order : int
        1 .. ``model.max_order``.

    Returns
    -------
    numpy.ndarray
        ``vocab_size`` probabilities, one per next id.

    Raises
    ------
    ValueError
        If ``order`` is out of range.
    """
    _check_order(order, model.max_order)
    context = [int(i) for i in context][-(order - 1) :] if order > 1 else []
    context = [0] * (order - 1 - len(context)) + context
    candidates = np.arange(model.vocab_size, dtype=np.int64)

    def grams(k):
        prefix = 0
        for i in context[len(context) - (k - 1) :] if k > 1 else []:
            prefix = prefix * model.vocab_size + i
        return prefix * model.vocab_size + candidates

    return _kn_levels(model, order, grams, model.vocab_size)[order - 1]


def normalisation_error(
    model: NgramCounts, contexts: Sequence[Sequence[int]], order: int
) -> float:
    """Largest ``|sum_w P(w | h) - 1|`` over the given contexts (0 for a proper model).

    Parameters
    ----------
    model : NgramCounts
    contexts : sequence of sequences of int
        Contexts to check (seen and unseen ones).
    order : int

    Returns
    -------
    float

    Raises
    ------
    ValueError
        If no context is given.
    """
    if len(contexts) == 0:
        raise ValueError("pass at least one context to check")
    return float(
        max(abs(ngram_distribution(model, c, order).sum() - 1.0) for c in contexts)
    )


# --------------------------------------------------------------------------- #
# Recurrent models
# --------------------------------------------------------------------------- #
def build_char_lstm(
    vocab_size: int, units: int, embedding_dim: int = 32, name: str = "char_lstm"
):
    """An LSTM language model that takes and returns its state.

    ``model([ids, h0, c0])`` returns ``[logits, h, c]``: the next-character
    logits at every step, shape (batch, time, vocab_size), and the final
    state, so that a training loop or a sampler can carry the state from
    one call to the next. Layers: ``embedding`` -> ``lstm`` -> ``logits``.

    Parameters
    ----------
    vocab_size : int
    units : int
        LSTM units n.
    embedding_dim : int
        Embedding size d.
    name : str
        The model's name.

    Returns
    -------
    keras.Model
    """
    import keras

    ids = keras.Input((None,), dtype="int32", name="char_ids")
    h0 = keras.Input((units,), name="h0")
    c0 = keras.Input((units,), name="c0")
    x = keras.layers.Embedding(vocab_size, embedding_dim, name="embedding")(ids)
    seq, h, c = keras.layers.LSTM(
        units, return_sequences=True, return_state=True, name="lstm"
    )(x, initial_state=[h0, c0])
    logits = keras.layers.Dense(vocab_size, name="logits")(seq)
    return keras.Model([ids, h0, c0], [logits, h, c], name=name)


def build_char_bilstm(
    vocab_size: int, units: int, embedding_dim: int = 32, name: str = "char_bilstm"
):
    """A bidirectional LSTM trained like a language model (``ids -> logits``).

    The logits at step t read the forward state (x_1..x_t) and the backward
    state (x_T..x_t): the backward half has read x_{t+1}, the character to
    be predicted. Chapter 9 builds it to measure that leak.

    Parameters
    ----------
    vocab_size, units, embedding_dim, name
        As in :func:`build_char_lstm` (``units`` per direction).

    Returns
    -------
    keras.Model
    """
    import keras

    ids = keras.Input((None,), dtype="int32", name="char_ids")
    x = keras.layers.Embedding(vocab_size, embedding_dim, name="embedding")(ids)
    seq = keras.layers.Bidirectional(
        keras.layers.LSTM(units, return_sequences=True, name="lstm"),
        name="bidirectional",
    )(x)
    logits = keras.layers.Dense(vocab_size, name="logits")(seq)
    return keras.Model(ids, logits, name=name)


def _carries_state(model) -> bool:
    return len(model.inputs) == 3


def _zero_state(model, batch: int):
    units = model.inputs[1].shape[-1]
    return np.zeros((batch, units), np.float32), np.zeros((batch, units), np.float32)


def _predict_logits(model, x: np.ndarray):
    """Logits of a model for windows ``x`` from a zero state (one compiled call)."""
    x = np.asarray(x, np.int32)
    if _carries_state(model):
        return model.predict(
            [x, *_zero_state(model, len(x))], batch_size=len(x), verbose=0
        )[0]
    return model.predict(x, batch_size=len(x), verbose=0)


def window_probabilities(
    model, x: np.ndarray, y: np.ndarray, scored: np.ndarray, batch_size: int = 64
) -> np.ndarray:
    """Probabilities a model gives the targets ``y`` where ``scored``, in row order.

    Every window starts from a zero state; use :func:`scoring_windows` to
    build ``x``, ``y`` and ``scored`` from a stream.

    Parameters
    ----------
    model : keras.Model
        From :func:`build_char_lstm` or :func:`build_char_bilstm`.
    x, y : numpy.ndarray
        Inputs and targets, shape (windows, steps).
    scored : numpy.ndarray
        Boolean mask of the same shape.
    batch_size : int

    Returns
    -------
    numpy.ndarray
        ``float64`` probabilities, one per scored target.

    Raises
    ------
    ValueError
        If the shapes differ.
    """
    import tensorflow as tf

    if not (np.shape(x) == np.shape(y) == np.shape(scored)) or np.ndim(x) != 2:
        raise ValueError("x, y and scored must be 2-D arrays of the same shape")
    out = []
    for start in range(0, len(x), batch_size):
        logits = _predict_logits(model, x[start : start + batch_size])
        logp = tf.nn.log_softmax(tf.cast(logits, tf.float64), axis=-1).numpy()
        yb = y[start : start + batch_size]
        picked = np.take_along_axis(logp, yb[..., None].astype(np.int64), axis=-1)[
            ..., 0
        ]
        out.append(np.exp(picked[scored[start : start + batch_size]]))
    return np.concatenate(out)


def stream_distributions(
    model,
    stream: np.ndarray,
    length: int = 1000,
    warmup: int = 100,
    batch_size: int = 64,
) -> np.ndarray:
    """Next-character distributions a recurrent model gives before each of ``stream[1:]``.

    Cut as in :func:`stream_probabilities`.

    Returns
    -------
    numpy.ndarray
        ``(len(stream) - 1, vocab_size)`` probabilities (float32).
    """
    import tensorflow as tf

    x, _, scored = scoring_windows(stream, length, warmup)
    out = []
    for start in range(0, len(x), batch_size):
        logits = _predict_logits(model, x[start : start + batch_size])
        probs = tf.nn.softmax(tf.cast(logits, tf.float64), axis=-1).numpy()
        out.append(probs[scored[start : start + batch_size]].astype(np.float32))
    return np.concatenate(out)


def stream_probabilities(
    model,
    stream: np.ndarray,
    length: int = 1000,
    warmup: int = 100,
    batch_size: int = 64,
) -> np.ndarray:
    """Probability a recurrent model gives each of ``stream[1:]``, in order.

    The stream is cut with :func:`scoring_windows` (``length`` scored steps
    after ``warmup`` steps of context, zero state at each window).

    Returns
    -------
    numpy.ndarray
        ``len(stream) - 1`` probabilities.
    """
    x, y, scored = scoring_windows(stream, length, warmup)
    return window_probabilities(model, x, y, scored, batch_size)


def prefix_windows(
    stream: np.ndarray, positions: np.ndarray, context: int
) -> np.ndarray:
    """For each position i, the ``context`` ids before ``stream[i]`` (START-padded).

    A model that reads the window and predicts from its last step has seen
    only the prefix: this is how a bidirectional model must be used to
    generate text left to right.

    Parameters
    ----------
    stream : numpy.ndarray
    positions : numpy.ndarray
        Target indices, each >= 1.
    context : int
        Window length.

    Returns
    -------
    numpy.ndarray
        ``(len(positions), context)`` ids.

    Raises
    ------
    ValueError
        If a position is outside ``[1, len(stream))`` or ``context < 1``.
    """
    positions = np.asarray(positions, np.int64)
    if context < 1:
        raise ValueError(f"context must be >= 1, got {context}")
    if positions.size and (positions.min() < 1 or positions.max() >= len(stream)):
        raise ValueError("positions must be in [1, len(stream))")
    padded = np.concatenate([np.zeros(context, np.int64), np.asarray(stream, np.int64)])
    cols = (
        positions[:, None] + np.arange(context)[None, :]
    )  # padded index of stream[i-context..i-1]
    return padded[cols].astype(np.int32)


def last_step_probabilities(
    model, windows: np.ndarray, batch_size: int = 256
) -> np.ndarray:
    """Next-character distributions a ``ids -> logits`` model gives after each window.

    Returns
    -------
    numpy.ndarray
        ``(len(windows), vocab_size)`` probabilities from the last step.
    """
    import tensorflow as tf

    out = []
    for start in range(0, len(windows), batch_size):
        logits = _predict_logits(model, windows[start : start + batch_size])
        out.append(tf.nn.softmax(tf.cast(logits[:, -1], tf.float64), axis=-1).numpy())
    return np.concatenate(out)


@dataclass
class LanguageModelRun:
    """What :func:`train_language_model` measured.

    Attributes
    ----------
    seconds : list of float
        Training seconds (validation excluded) at each checkpoint.
    updates : list of int
    train_bits, val_bits : list of float
        Mean training bits per character since the last checkpoint, and
        validation bits at the checkpoint.
    best_index : int
        The checkpoint validation picked (its weights are kept).
    """

    seconds: list
    updates: list
    train_bits: list
    val_bits: list
    best_index: int = 0

    @property
    def best_val_bits(self) -> float:
        return float(self.val_bits[self.best_index])


def train_language_model(
    model,
    x_batches: np.ndarray,
    y_batches: np.ndarray,
    updates: int,
    checkpoints: int,
    validate: Callable[[], float],
    learning_rate: float = 4e-3,
    clipnorm: float = 1.0,
    label: str = "",
) -> LanguageModelRun:
    """Train a character model with Adam, carrying the LSTM state from batch to batch.

    Batch k of :func:`tbptt_batches` continues batch k - 1 row by row, so a
    model from :func:`build_char_lstm` starts each batch from the state the
    previous one ended in (truncated BPTT: the gradient stops at the batch
    edge); the state is reset to zero when the batches start over. A model
    without state inputs (:func:`build_char_bilstm`) starts every window
    afresh. Gradients are clipped to norm ``clipnorm``. ``checkpoints``
    times, evenly, the model is scored by ``validate()`` (bits per
    character) and one line is printed; at the end the weights of the best
    checkpoint are restored.

    Parameters
    ----------
    model : keras.Model
    x_batches, y_batches : numpy.ndarray
        ``(n_batches, batch_size, window)`` from :func:`tbptt_batches`.
    updates : int
        Gradient steps in total (batches are reused in order).
    checkpoints : int
        How many times to validate (``1 <= checkpoints <= updates``).
    validate : callable
        Returns the validation bits per character of ``model``.
    learning_rate, clipnorm : float
    label : str
        Printed in front of each line.

    Returns
    -------
    LanguageModelRun

    Raises
    ------
    ValueError
        If ``updates`` or ``checkpoints`` is not a positive integer, or
        there are more checkpoints than updates.
    """
    import keras
    import tensorflow as tf

    for what, value in (("updates", updates), ("checkpoints", checkpoints)):
        if isinstance(value, bool) or int(value) != value or value < 1:
            raise ValueError(f"{what} must be a positive integer, got {value!r}")
    if checkpoints > updates:
        raise ValueError(
            f"{checkpoints} checkpoints need at least as many updates, got {updates}"
        )
    stateful = _carries_state(model)
    optimizer = keras.optimizers.Adam(learning_rate, clipnorm=clipnorm)
    loss_fn = keras.losses.SparseCategoricalCrossentropy(from_logits=True)

    @tf.function
    def step(x, y, h, c):
        with tf.GradientTape() as tape:
            if stateful:
                logits, h, c = model([x, h, c], training=True)
            else:
                logits = model(x, training=True)
            loss = loss_fn(y, logits)
        grads = tape.gradient(loss, model.trainable_variables)
        optimizer.apply(grads, model.trainable_variables)
        return loss, h, c

    batch = x_batches.shape[1]
    h, c = (
        _zero_state(model, batch)
        if stateful
        else (np.zeros((batch, 1), np.float32),) * 2
    )
    h, c = tf.constant(h), tf.constant(c)
    marks = {int(round(updates * (k + 1) / checkpoints)) for k in range(checkpoints)}
    run, best_weights, trained, losses = LanguageModelRun([], [], [], []), None, 0.0, []
    for u in range(1, updates + 1):
        k = (u - 1) % len(x_batches)
        if k == 0 and stateful:
            h, c = tf.zeros_like(h), tf.zeros_like(c)  # the streams start over
        started = time.perf_counter()
        loss, h, c = step(tf.constant(x_batches[k]), tf.constant(y_batches[k]), h, c)
        losses.append(loss)
        if u in marks:
            train_bits = float(np.mean([float(v) for v in losses])) / math.log(2)
            trained += time.perf_counter() - started
            losses = []
            val = float(validate())
            run.seconds.append(trained), run.updates.append(u)
            run.train_bits.append(train_bits), run.val_bits.append(val)
            if val <= min(run.val_bits):
                run.best_index, best_weights = (
                    len(run.val_bits) - 1,
                    model.get_weights(),
                )
            print(
                f"{label}checkpoint {len(run.val_bits)}/{checkpoints}  update {u}  "
                f"train {train_bits:.3f}  validation {val:.3f} bits/char  ({trained:.0f} s)"
            )
        else:
            trained += time.perf_counter() - started
    model.set_weights(best_weights)
    return run


# --------------------------------------------------------------------------- #
# Sampling in NumPy
# --------------------------------------------------------------------------- #
def char_lstm_weights(model) -> dict:
    """The weights of a :func:`build_char_lstm` model as NumPy arrays.

    Returns
    -------
    dict
        ``embedding`` (V, d); ``kernel`` (d, 4n), ``recurrent_kernel``
        (n, 4n) and ``bias`` (4n,) in Keras gate order [i, f, c, o];
        ``dense_kernel`` (n, V) and ``dense_bias`` (V,).
    """
    (embedding,) = model.get_layer("embedding").get_weights()
    kernel, recurrent_kernel, bias = model.get_layer("lstm").get_weights()
    dense_kernel, dense_bias = model.get_layer("logits").get_weights()
    return dict(
        embedding=embedding,
        kernel=kernel,
        recurrent_kernel=recurrent_kernel,
        bias=bias,
        dense_kernel=dense_kernel,
        dense_bias=dense_bias,
    )


def _softmax(logits: np.ndarray, temperature: float) -> np.ndarray:
    z = logits.astype(np.float64) / temperature
    z -= z.max(axis=-1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=-1, keepdims=True)


def lstm_step_probabilities(
    weights: dict, ids: Sequence[int], h=None, c=None, temperature: float = 1.0
) -> tuple:
    r"""Feed ``ids`` to the LSTM in NumPy; return the next-character distributions and state.

    Each id is embedded, :func:`helpers.scratch.lstm_forward` runs the LSTM
    step (gate order [i, f, c, o]) from the state ``(h, c)``, and
    :math:`P(x_{t+1} \mid x_{\le t}) = \mathrm{softmax}((h_t W_y + b_y) / \tau)`.

    Parameters
    ----------
    weights : dict
        From :func:`char_lstm_weights`.
    ids : sequence of int
        At least one id.
    h, c : numpy.ndarray, shape (n,), optional
        The state before the first id; zeros if None.
    temperature : float
        :math:`\tau > 0`; 1 is the model itself.

    Returns
    -------
    (numpy.ndarray, numpy.ndarray, numpy.ndarray)
        Probabilities ``(len(ids), V)`` and the final ``h`` and ``c``.

    Raises
    ------
    ValueError
        If ``ids`` is empty or holds an id outside the vocabulary.
    """
    ids = np.asarray(ids, np.int64).ravel()
    vocab_size = weights["embedding"].shape[0]
    if ids.size == 0 or ids.min() < 0 or ids.max() >= vocab_size:
        raise ValueError(
            f"ids must be a non-empty sequence of ids in [0, {vocab_size})"
        )
    x = weights["embedding"][ids][None].astype(np.float64)
    h0 = None if h is None else np.asarray(h, np.float64)[None]
    c0 = None if c is None else np.asarray(c, np.float64)[None]
    h_seq, c_seq = lstm_forward(
        x, weights["kernel"], weights["recurrent_kernel"], weights["bias"], h0=h0, c0=c0
    )
    logits = h_seq[0] @ weights["dense_kernel"] + weights["dense_bias"]
    return _softmax(logits, temperature), h_seq[0, -1], c_seq[0, -1]


def _check_generation(length, temperature, top_k=None):
    if isinstance(length, bool) or not isinstance(length, (int, np.integer)):
        raise ValueError(
            f"length must be an integer number of characters, got {length!r}"
        )
    if not 0 <= length <= MAX_GENERATE_LENGTH:
        raise ValueError(
            f"length must be between 0 and {MAX_GENERATE_LENGTH:,} characters, "
            f"got {length:,}; generate longer texts in several calls"
        )
    if (
        isinstance(temperature, bool)
        or not isinstance(temperature, (int, float, np.number))
        or not np.isfinite(temperature)
        or temperature <= 0
    ):
        raise ValueError(
            f"temperature must be a finite number > 0 (1 samples the model as it is, "
            f"lower is more conservative), got {temperature!r}"
        )
    if top_k is not None and (
        isinstance(top_k, bool) or not isinstance(top_k, (int, np.integer)) or top_k < 1
    ):
        raise ValueError(f"top_k must be None or a positive integer, got {top_k!r}")


def sample_numpy(
    weights: dict,
    prompt_ids: Sequence[int],
    length: int,
    temperature: float = 1.0,
    seed: Optional[int] = 0,
    top_k: Optional[int] = None,
) -> np.ndarray:
    """Sample ``length`` characters after a prompt, one LSTM step at a time in NumPy.

    Parameters
    ----------
    weights : dict
        From :func:`char_lstm_weights`.
    prompt_ids : sequence of int
        At least one id (usually START followed by the prompt's ids).
    length : int
        Characters to sample, 0 .. :data:`MAX_GENERATE_LENGTH`.
    temperature : float
        Divides the logits before the softmax; must be finite and > 0.
    seed : int, optional
        Seed of the sampling; the same seed gives the same text.
    top_k : int, optional
        Sample only among the ``top_k`` most probable characters.

    Returns
    -------
    numpy.ndarray
        The ``length`` sampled ids (the prompt is not repeated).

    Raises
    ------
    ValueError
        If an argument is out of range (see :func:`generate`).
    """
    _check_generation(length, temperature, top_k)
    rng = np.random.default_rng(seed)
    probs, h, c = lstm_step_probabilities(weights, prompt_ids, temperature=temperature)
    p = probs[-1]
    out = np.empty(length, np.int64)
    for t in range(length):
        if top_k is not None and top_k < len(p):
            cut = np.partition(p, -top_k)[-top_k]
            p = np.where(p >= cut, p, 0.0)
            p = p / p.sum()
        out[t] = min(
            int(np.searchsorted(np.cumsum(p), rng.random() * p.sum())), len(p) - 1
        )
        probs, h, c = lstm_step_probabilities(
            weights, out[t : t + 1], h, c, temperature
        )
        p = probs[-1]
    return out


def sample_by_windows(
    model,
    prompt_ids: Sequence[int],
    length: int,
    temperature: float = 1.0,
    seed: Optional[int] = 0,
    context: int = 100,
) -> np.ndarray:
    """Sample left to right from an ``ids -> logits`` model that has no state to carry.

    Each step feeds the last ``context`` ids (prompt and samples so far,
    padded on the left with START as in :func:`prefix_windows`) and samples
    from the last step's distribution: the only way to generate
    with a bidirectional model, whose backward half then sees only the
    prefix.

    Parameters
    ----------
    model : keras.Model
        E.g. from :func:`build_char_bilstm`.
    prompt_ids, length, temperature, seed
        As in :func:`sample_numpy`.
    context : int
        Window length.

    Returns
    -------
    numpy.ndarray
        The ``length`` sampled ids.
    """
    import tensorflow as tf

    _check_generation(length, temperature)
    rng = np.random.default_rng(seed)
    ids = [0] * context + [
        int(i) for i in prompt_ids
    ]  # START-padded, as prefix_windows
    last_logits = tf.function(lambda w: model(w, training=False)[:, -1])
    for _ in range(length):
        window = tf.constant(np.asarray(ids[-context:], np.int32)[None])
        p = _softmax(last_logits(window).numpy()[0], temperature)
        ids.append(min(int(np.searchsorted(np.cumsum(p), rng.random())), len(p) - 1))
    return np.asarray(ids[context + len(prompt_ids) :], np.int64)


# --------------------------------------------------------------------------- #
# Saving, loading, generating
# --------------------------------------------------------------------------- #
def vocabulary_path(model_path: Path) -> Path:
    """The JSON file beside a saved model that holds its vocabulary."""
    model_path = Path(model_path)
    return model_path.with_name(model_path.stem + ".vocab.json")


def save_char_lstm(
    model,
    vocabulary: CharVocabulary,
    chapter: int = 9,
    name: str = "char_lstm",
    folder: Optional[Path] = None,
) -> Path:
    """Save a :func:`build_char_lstm` model and its vocabulary beside it.

    The model goes to ``artifacts/<chapter>_<name>.keras`` through
    :func:`helpers.export.save_end_to_end` (atomic; ``artifacts/quick/`` in
    quick mode), the symbols to ``<chapter>_<name>.vocab.json``.

    Returns
    -------
    pathlib.Path
        The model's path.
    """
    from helpers.export import save_end_to_end

    path = save_end_to_end(model, chapter, name, folder)
    vocab = vocabulary_path(path)
    temporary = vocab.with_name("." + vocab.name + ".tmp")
    temporary.write_text(
        json.dumps(
            {"symbols": list(vocabulary.symbols), "start": START, "unknown": UNKNOWN}
        ),
        encoding="utf-8",
    )
    temporary.replace(vocab)
    return path


_LOADED = {}


def load_char_lstm(path: Optional[Path] = None) -> tuple:
    """Load a model saved by :func:`save_char_lstm` and its vocabulary.

    Parameters
    ----------
    path : pathlib.Path, optional
        The ``.keras`` file; by default ``artifact_path(9, "char_lstm")``.

    Returns
    -------
    (keras.Model, CharVocabulary)

    Raises
    ------
    FileNotFoundError
        If the model or its vocabulary file is missing (run chapter 9 first).
    """
    import keras

    from helpers.export import artifact_path

    path = Path(artifact_path(9, "char_lstm") if path is None else path)
    vocab = vocabulary_path(path)
    for needed in (path, vocab):
        if not needed.is_file():
            raise FileNotFoundError(
                f"{needed} is missing: execute notebooks/09_language_model.ipynb "
                "(it saves the model and its vocabulary), or pass path="
            )
    key = (str(path.resolve()), path.stat().st_mtime_ns, vocab.stat().st_mtime_ns)
    if key not in _LOADED:
        symbols = json.loads(vocab.read_text(encoding="utf-8"))["symbols"]
        _LOADED[key] = (keras.saving.load_model(path), CharVocabulary(tuple(symbols)))
    return _LOADED[key]


def generate(
    prompt: str,
    length: int = 300,
    temperature: float = 1.0,
    seed: Optional[int] = 0,
    path: Optional[Path] = None,
    top_k: Optional[int] = None,
) -> str:
    """Write the continuation of a review with the saved character LSTM.

    The prompt is the start of a review: it is read after a START symbol
    (an empty prompt means "a new review"); characters outside the
    vocabulary are read as the unknown symbol. Sampling runs in NumPy
    (:func:`sample_numpy`) with the saved model's weights.

    Parameters
    ----------
    prompt : str
        The beginning of the review.
    length : int
        Characters to write, 0 .. :data:`MAX_GENERATE_LENGTH`.
    temperature : float
        Finite and > 0; below 1 is safer, above 1 wilder.
    seed : int, optional
        The same seed gives the same text.
    path : pathlib.Path, optional
        The saved model (default: chapter 9's artifact).
    top_k : int, optional
        Sample only among the ``top_k`` most probable characters.

    Returns
    -------
    str
        The ``length`` new characters (a new review's start is shown as a
        new line, the unknown symbol as U+FFFD).

    Raises
    ------
    ValueError
        If ``prompt`` is not a str, ``length`` is negative, not an integer or
        above :data:`MAX_GENERATE_LENGTH`, or ``temperature`` is not a finite
        number > 0.
    FileNotFoundError
        If the model has not been saved yet.
    """
    if not isinstance(prompt, str):
        raise ValueError(
            f"prompt must be a str (the start of a review, '' for a new one), "
            f"got {type(prompt).__name__}"
        )
    _check_generation(length, temperature, top_k)
    model, vocabulary = load_char_lstm(path)
    ids = np.concatenate([[0], encode_text(prompt, vocabulary)])
    return vocabulary.decode(
        sample_numpy(char_lstm_weights(model), ids, length, temperature, seed, top_k)
    )


# --------------------------------------------------------------------------- #
# A long-range probe
# --------------------------------------------------------------------------- #
def open_bracket_distance(
    stream: np.ndarray, open_id: int, close_id: int
) -> np.ndarray:
    """For each position i, how far back the innermost bracket still open before i was opened.

    ``distance[i] = i - j`` where ``stream[j]`` is the innermost ``open_id``
    not closed in ``stream[j+1:i]``, within the same review (a START
    closes everything); 0 if no bracket is open. A model that reads only
    the last ``k`` characters before i cannot see that bracket when
    ``distance[i] > k``.

    Parameters
    ----------
    stream : numpy.ndarray
    open_id, close_id : int
        Ids of the opening and closing characters, e.g. "(" and ")".

    Returns
    -------
    numpy.ndarray
        ``int64`` distances, one per position.
    """
    distance = np.zeros(len(stream), np.int64)
    opened = []
    for i, s in enumerate(np.asarray(stream).tolist()):
        distance[i] = i - opened[-1] if opened else 0
        if s == 0:
            opened = []
        elif s == open_id:
            opened.append(i)
        elif s == close_id and opened:
            opened.pop()
    return distance
