"""Export a trained IMDB classifier as an end-to-end model that reads raw text.

A model trained on padded token ids (``helpers.data.load_imdb_sequences``)
is wrapped with a ``TextVectorization`` layer that holds the same vocabulary
and cuts/pads exactly as the training arrays were cut and padded: the
first ``sequence_length`` tokens are kept (``truncating="post"``) and
padding id 0 follows them (``padding="post"``), or, for a model trained
the way Keras's ``pad_sequences`` pads (chapter 7's seed model), the last
tokens are kept and the padding goes before them. The result takes a batch of
review strings (``keras.Input(shape=(), dtype="string")``) and returns
P(positive). It is saved as ``artifacts/<chapter>_<name>.keras`` and loads
with plain ``keras.saving.load_model``: no custom objects are needed.

IMDB reviews contain HTML line breaks (``<br />``); training removed them
with :func:`helpers.data.clean_review`. The saved model does *not* clean
them itself (a custom standardisation function would have to be imported
before every load); :func:`predict_sentiment` does it. Call the raw
``model(...)`` only on already-cleaned text.

Keras is imported inside the functions, so importing this module is cheap.

Introduced in chapter 5 (``notebooks/05_lstm.ipynb``).
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Optional, Sequence, Union

import numpy as np

from helpers.config import mode_settings
from helpers.data import clean_review, text_vectorizer

#: Folder (under the repository root) where end-to-end models are saved.
ARTIFACTS_FOLDER = "artifacts"
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_\-]*$")


def end_to_end_model(
    vocabulary: Sequence[str],
    sequence_length: int,
    trained_model,
    name: str = "end_to_end",
    padding: str = "post",
    truncating: str = "post",
):
    """Wrap a trained token-id model with a string-input ``TextVectorization``.

    Parameters
    ----------
    vocabulary : sequence of str
        The vocabulary the model was trained with (``EncodedImdb.vocabulary``:
        index 0 ``''``, 1 ``'[UNK]'``, then the words by frequency).
    sequence_length : int
        Tokens per review during training (``EncodedImdb.params["sequence_length"]``).
        Longer texts keep their first ``sequence_length`` tokens; shorter ones
        are padded with id 0 at the end, as ``load_imdb_sequences`` does by
        default (``padding="post"``, ``truncating="post"``; see below).
    trained_model : keras.Model
        A model from ``(batch, sequence_length)`` int token ids to
        ``(batch, 1)`` probabilities.
    name : str
        The name of the returned model.
    padding, truncating : {"post", "pre"}
        How the training arrays were padded and cut
        (``EncodedImdb.params``). Two pairs are supported: ``"post"``,
        ``"post"`` (the book's default: first tokens, padding after) and
        ``"pre"``, ``"pre"`` (Keras's ``pad_sequences`` default, chapter 7's
        seed model: last tokens, padding before).

    Returns
    -------
    keras.Model
        Uncompiled, from ``(batch,)`` strings to ``(batch, 1)`` probabilities;
        its layers are ``review`` (input), ``text_vectorization`` and an
        uncompiled copy of ``trained_model`` (same name, same weights).

    Raises
    ------
    ValueError
        If ``sequence_length`` is not a positive integer, the vocabulary
        does not start with ``''`` and ``'[UNK]'`` (the id layout of
        training), or ``padding``/``truncating`` is an unsupported pair.
    """
    import keras

    if int(sequence_length) != sequence_length or sequence_length < 1:
        raise ValueError(
            f"sequence_length must be a positive integer, got {sequence_length!r}"
        )
    words = [str(w) for w in vocabulary]
    if words[:2] != ["", "[UNK]"]:
        raise ValueError(
            "vocabulary must be the training vocabulary with its reserved entries "
            "('' for padding, '[UNK]' for unknown words) first, "
            f"as EncodedImdb.vocabulary is; it starts with {words[:2]!r}"
        )
    if (padding, truncating) not in (("post", "post"), ("pre", "pre")):
        raise ValueError(
            "padding and truncating must be both 'post' (keep the first tokens) "
            "or both 'pre' (keep the last tokens, as pad_sequences does); "
            f"got {padding!r}, {truncating!r}"
        )
    keep_last = padding == "pre"
    vectorizer = text_vectorizer(
        words,
        output_mode="int",
        output_sequence_length=None if keep_last else int(sequence_length),
        name="text_vectorization",
    )
    # An uncompiled copy with the trained weights: the saved file then carries
    # no optimizer state (3x the size, and a warning on loading) and later
    # training of ``trained_model`` does not change the exported model.
    inner = trained_model.__class__.from_config(trained_model.get_config())
    inner.set_weights(trained_model.get_weights())
    review = keras.Input(shape=(), dtype="string", name="review")
    ids = vectorizer(review)
    if keep_last:
        ids = _last_tokens_pre_padded(keras, ids, int(sequence_length))
    # A text with no word left (all punctuation) would reach the recurrent layer as a
    # fully masked row, which cuDNN rejects on a GPU: it reads one unknown word instead.
    ids = _one_step_at_least(keras, ids, keep_last)
    probability = inner(ids)
    return keras.Model(review, probability, name=name)


def _last_tokens_pre_padded(keras, ids, length: int):
    """Keep the last ``length`` ids of each post-padded row, padding before them.

    Built from ``keras.ops`` only, so the saved model loads without custom
    objects. ``length`` zeros are put in front of each row; a row with
    ``n`` real ids then has its last ``length`` ids, pre-padded, at
    positions ``n .. n + length - 1``.
    """
    ops = keras.ops
    padded = ops.pad(ids, [[0, 0], [length, 0]])
    real = ops.sum(ops.cast(ops.not_equal(ids, 0), "int32"), axis=1, keepdims=True)
    positions = ops.cumsum(ops.ones_like(padded[:, :length]), axis=1) - 1
    return ops.take_along_axis(padded, real + positions, axis=1)


def _one_step_at_least(keras, ids, keep_last: bool):
    """Give a row of padding only one unknown-word id, where a real id would be.

    The graph form of :func:`one_step_at_least`, from ``keras.ops`` only so
    that the saved model loads without custom objects.
    """
    ops = keras.ops
    real = ops.any(ops.not_equal(ids, 0), axis=1, keepdims=True)
    ones = ops.ones_like(ids)
    position = ops.cumsum(ones, axis=1) - 1
    where = ops.sum(ones, axis=1, keepdims=True) - 1 if keep_last else 0
    unknown = ops.cast(ops.equal(position, where), ids.dtype)  # id 1 is '[UNK]'
    return ops.where(real, ids, unknown)


def one_step_at_least(ids, padding: str = "post") -> np.ndarray:
    """Return padded id rows in which no row is padding only.

    A row with no real id (a text with no word left after cleaning) gets one
    unknown-word id (1) where its first real id would be: position 0 for
    ``padding="post"``, the last position for ``"pre"``. A masked recurrent
    layer then never receives a fully masked row, which Keras's cuDNN path
    rejects on a GPU (``InvalidArgumentError``), and the mask stays
    right-padded (``"post"``). The end-to-end model does the same in its
    graph.

    Parameters
    ----------
    ids : numpy.ndarray
        ``(batch, time)`` ids, 0 for padding.
    padding : {"post", "pre"}
        Where the padding is.

    Returns
    -------
    numpy.ndarray
        A copy of ``ids`` with those rows filled.

    Introduced in chapter 5 (``notebooks/05_lstm.ipynb``).
    """
    ids = np.array(ids, copy=True)
    empty = ~np.any(ids != 0, axis=1)
    if ids.ndim == 2 and ids.shape[1]:
        ids[empty, -1 if padding == "pre" else 0] = 1
    return ids


def repository_root() -> Path:
    """Return the book's folder (:func:`helpers.paths.book_root`): ``artifacts/`` goes there.

    Found from the working directory, so that a non-editable install of
    ``helpers`` (Colab) never writes models into site-packages.
    """
    from helpers.paths import book_root

    return book_root()


def artifact_path(
    chapter: Union[int, str],
    name: str,
    folder: Optional[Path] = None,
    mode: Optional[str] = None,
) -> Path:
    """Return ``<folder>/<chapter>_<name>.keras`` (by default ``<repo>/artifacts``).

    In quick mode the default folder is ``<repo>/artifacts/quick``: a quick
    run (CI, ``pytest``) never replaces the model of a full-mode run.

    Parameters
    ----------
    chapter : int or str
        The chapter number (``5`` becomes ``"05"``) or a two-digit string.
    name : str
        The model's short name, letters, digits, ``_`` and ``-`` only.
    folder : pathlib.Path, optional
        Where to save; by default ``artifacts/`` in the repository root
        (``artifacts/quick/`` in quick mode).
    mode : {"full", "quick"}, optional
        The mode that picks the default folder; by default ``BOOK_MODE``.

    Returns
    -------
    pathlib.Path
        The path (the folder is not created here).

    Raises
    ------
    ValueError
        If ``chapter`` or ``name`` would make an unsafe or ambiguous file name.
    """
    if (
        isinstance(chapter, (int, np.integer))
        and not isinstance(chapter, bool)
        and chapter >= 0
    ):
        chapter = f"{int(chapter):02d}"
    if not isinstance(chapter, str) or not re.fullmatch(r"\d{2}", chapter):
        raise ValueError(
            f"chapter must be a chapter number such as 5 or '05', got {chapter!r}"
        )
    if not isinstance(name, str) or not _NAME.match(name):
        raise ValueError(
            f"name must be letters, digits, '_' or '-' (e.g. 'lstm'), got {name!r}"
        )
    if folder is None:
        folder = repository_root() / ARTIFACTS_FOLDER
        if mode_settings(mode).mode == "quick":
            folder = folder / "quick"
    folder = Path(folder)
    return folder / f"{chapter}_{name}.keras"


def save_end_to_end(
    model, chapter: Union[int, str], name: str, folder: Optional[Path] = None
) -> Path:
    """Save an end-to-end model as ``artifacts/<chapter>_<name>.keras``, atomically.

    In quick mode the default folder is ``artifacts/quick/`` (see
    :func:`artifact_path`).

    The model is written to a temporary file in the same folder and then
    renamed over the final name (``os.replace``), so a crash never leaves a
    half-written model under the final name.

    Parameters
    ----------
    model : keras.Model
        Usually from :func:`end_to_end_model`.
    chapter, name, folder
        As in :func:`artifact_path`.

    Returns
    -------
    pathlib.Path
        The saved file.
    """
    from helpers.files import write_atomically

    return write_atomically(artifact_path(chapter, name, folder), model.save)


def _as_review_list(texts) -> list:
    """Check ``texts`` and return it as a list of str (a bare str is one review)."""
    what = (
        "pass a list of review strings, e.g. predict_sentiment(model, "
        "['A wonderful film.', 'Dull.']), or one review as a str"
    )
    if isinstance(texts, str):
        return [texts]
    if texts is None or isinstance(
        texts, (bytes, bytearray, int, float, complex, np.number)
    ):
        hint = (
            " (decode bytes first: b.decode('utf-8'))"
            if isinstance(texts, (bytes, bytearray))
            else ""
        )
        raise TypeError(
            f"texts must be review strings, got {type(texts).__name__}{hint}; {what}"
        )
    if isinstance(texts, np.ndarray):
        if texts.ndim != 1:
            raise TypeError(
                "texts must be one-dimensional, "
                f"got an array of shape {texts.shape}; {what}"
            )
        texts = texts.tolist()
    try:
        texts = list(texts)
    except TypeError:
        raise TypeError(
            f"texts must be review strings, got {type(texts).__name__}; {what}"
        ) from None
    for index, text in enumerate(texts):
        if not isinstance(text, str):
            hint = (
                " (decode bytes first: b.decode('utf-8'))"
                if isinstance(text, (bytes, bytearray))
                else ""
            )
            raise TypeError(
                f"texts[{index}] is {type(text).__name__}, not str{hint}; {what}"
            )
    return texts


def refuse_empty_reviews(reviews: Sequence[str]) -> None:
    """Raise ``ValueError`` naming the reviews that are empty or blank after cleaning.

    Introduced in chapter 5 (``notebooks/05_lstm.ipynb``).
    """
    empty = [i for i, text in enumerate(reviews) if not clean_review(text).strip()]
    if empty:
        raise ValueError(
            f"texts {empty[:5]} are empty or only whitespace: there is nothing to "
            "score, and a model's answer for no words carries no information. "
            "Refuse such input before predicting (or drop it), and pass reviews "
            "with at least one word."
        )


def predict_sentiment(model_or_path, texts, batch_size: int = 256) -> np.ndarray:
    """Return P(positive) for raw review strings, cleaned as in training.

    Each text is cleaned with :func:`helpers.data.clean_review` (``<br />``
    becomes a space), then the model's own ``TextVectorization`` lower-cases
    it, strips punctuation, keeps its first ``sequence_length`` tokens (the
    last ones for a model exported with ``truncating="pre"``) and pads it.
    Three edge cases are defined by that:

    * an empty or whitespace-only text is refused (``ValueError``): there is
      nothing to score, and any number returned would be noise;
    * a text with no word left after cleaning (only punctuation) reads as
      one unknown word (:func:`one_step_at_least`), so that no fully masked
      row reaches a recurrent layer (cuDNN rejects one on a GPU);
    * a very long review (say 100,000 words) is cut to its first
      ``sequence_length`` tokens (last, with ``truncating="pre"``), exactly
      as during training: words outside them never change the answer.

    Parameters
    ----------
    model_or_path : keras.Model or str or pathlib.Path
        An end-to-end model (:func:`end_to_end_model`) or the path of a
        saved one (loaded with ``keras.saving.load_model``).
    texts : str or sequence of str
        The reviews. A bare ``str`` is treated as *one* review (the result
        then has shape ``(1,)``), never as a sequence of characters.
    batch_size : int
        Reviews per prediction batch.

    Returns
    -------
    numpy.ndarray
        ``float32`` of shape ``(len(texts),)``, each in [0, 1].

    Raises
    ------
    TypeError
        If ``texts`` is None, a number, bytes, or holds anything but str;
        the message says what to pass.
    ValueError
        If a text is empty or only whitespace after cleaning, or the model
        returns a non-finite score (e.g. a masked mean over an empty review,
        0/0), instead of passing NaN on as a probability.
    """
    reviews = _as_review_list(texts)
    refuse_empty_reviews(reviews)
    if isinstance(model_or_path, (str, os.PathLike)):
        import keras

        model = keras.saving.load_model(model_or_path)
    else:
        model = model_or_path
    if not reviews:
        return np.zeros(0, dtype=np.float32)
    batch = np.asarray([clean_review(t) for t in reviews], dtype=object)
    probabilities = model.predict(batch, batch_size=batch_size, verbose=0)
    probabilities = np.asarray(probabilities, dtype=np.float32).reshape(len(reviews))
    bad = np.flatnonzero(~np.isfinite(probabilities))
    if bad.size:
        raise ValueError(
            f"the model returned a non-finite score for texts {bad[:5].tolist()} "
            f"(e.g. {reviews[bad[0]][:60]!r}); a model that averages over the masked "
            "words divides by zero on an all-padding input (an empty review). "
            "Give it a defined answer for that case, e.g. pool with the last state "
            "or a maximum instead of a mean."
        )
    return probabilities
