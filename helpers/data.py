"""The Large Movie Review Dataset (aclImdb v1.0): find it, check it, load it.

Where there is a network, the official archive is fetched with
``keras.utils.get_file`` into the Keras cache. Offline, the environment
variable ``IMDB_DIR`` points at an extracted ``aclImdb`` folder or at a
``.tar.gz`` archive with the same layout. Archives are extracted once,
atomically, into the book's cache; only ``train/{pos,neg}`` and
``test/{pos,neg}`` are read (never ``train/unsup``, the unlabelled reviews
that turn a binary task into a three-class one in some tutorials).

Every load checks that each split and label holds exactly 12,500 reviews.
Anything else raises one :class:`DatasetError` whose message names the path,
what was found and what to do.

Introduced in chapter 1 (``notebooks/01_bag_of_words.ipynb``).
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import sys
import tarfile
import tempfile
import zlib
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Callable, Optional, Sequence

import numpy as np

from helpers.config import ModeSettings, mode_settings
from helpers.files import write_atomically

#: Where the official archive lives.
OFFICIAL_URL = "https://ai.stanford.edu/~amaas/data/sentiment/aclImdb_v1.tar.gz"
#: The environment variable that points at a local copy.
IMDB_DIR_VARIABLE = "IMDB_DIR"
#: Reviews per split and label in the official dataset.
REVIEWS_PER_LABEL = 12_500
SPLITS = ("train", "test")
#: Folder names in label order: index 0 is negative, 1 is positive.
LABELS = ("neg", "pos")
#: Bump when the layout of anything written to the cache, or the split it holds,
#: changes.
CACHE_VERSION = 2
#: Reviews of one movie have consecutive ids within a label, so the validation set
#: takes whole blocks of this many consecutive ids (a movie has at most 30 reviews;
#: see chapter 1).
MOVIE_BLOCK_IDS = 100

_REVIEW_FILE = re.compile(r"^(\d+)_(\d+)\.txt$")
_LINE_BREAK = re.compile(r"<br\s*/?>", flags=re.IGNORECASE)
_MEMBER = re.compile(
    r"^(?:\./)?aclImdb/(?:README|(?:train|test)/(?:pos|neg)/\d+_\d+\.txt)$"
)


class DatasetError(RuntimeError):
    """The IMDB dataset is missing, incomplete, corrupt or cannot be fetched.

    The message always says where the book looked, what it found and how to
    fix it. Introduced in chapter 1.
    """


# --------------------------------------------------------------------------- #
# Finding and checking the dataset
# --------------------------------------------------------------------------- #
def cache_root() -> Path:
    """Return the folder for the book's extracted data and array caches.

    It is ``$KERAS_HOME/datasets/rnn-book`` (``~/.keras/datasets/rnn-book``
    by default), beside the archive that ``keras.utils.get_file`` downloads.

    Returns
    -------
    pathlib.Path
        The folder (created if needed).
    """
    keras_home = Path(os.environ.get("KERAS_HOME", Path.home() / ".keras")).expanduser()
    root = keras_home / "datasets" / "rnn-book"
    root.mkdir(parents=True, exist_ok=True)
    return root


def count_reviews(root: Path) -> dict:
    """Count the review files of each split and label under ``root``.

    Parameters
    ----------
    root : pathlib.Path
        An ``aclImdb`` folder.

    Returns
    -------
    dict
        ``{"train/neg": n, ...}``; ``None`` for a folder that is missing.
    """
    counts = {}
    for split in SPLITS:
        for label in LABELS:
            folder = Path(root) / split / label
            if folder.is_dir():
                with os.scandir(folder) as entries:
                    counts[f"{split}/{label}"] = sum(
                        1 for e in entries if _REVIEW_FILE.match(e.name)
                    )
            else:
                counts[f"{split}/{label}"] = None
    return counts


def verify_imdb_layout(root: Path, fix: str) -> Path:
    """Check that ``root`` holds 12,500 reviews per split and label.

    Parameters
    ----------
    root : pathlib.Path
        The ``aclImdb`` folder to check.
    fix : str
        What the reader should do if the check fails; it ends the message.

    Returns
    -------
    pathlib.Path
        ``root``, checked.

    Raises
    ------
    DatasetError
        If a folder is missing or holds another number of reviews.
    """
    counts = count_reviews(root)
    if all(n == REVIEWS_PER_LABEL for n in counts.values()):
        return Path(root)
    found = ", ".join(
        f"{key}={'missing' if n is None else format(n, ',')}"
        for key, n in counts.items()
    )
    raise DatasetError(
        f"The IMDB dataset at {root} is incomplete: expected {REVIEWS_PER_LABEL:,} "
        "reviews in each of train/neg, train/pos, test/neg and test/pos, "
        f"found {found}. Fix: {fix}"
    )


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _check_published_checksum(archive: Path, digest: str) -> None:
    """Compare ``digest`` with a ``SHA256SUMS`` file beside the archive, if any."""
    sums = archive.parent / "SHA256SUMS"
    if not sums.is_file():
        return
    for line in sums.read_text().splitlines():
        parts = line.split()
        if (
            len(parts) == 2
            and parts[1].lstrip("*") == archive.name
            and parts[0] != digest
        ):
            raise DatasetError(
                f"The archive {archive} does not match its checksum in {sums} "
                f"(expected {parts[0]}, found {digest}): it is truncated or corrupt. "
                "Fix: replace it with an intact copy, "
                "or point IMDB_DIR at another copy."
            )


def extract_archive(archive: Path) -> Path:
    """Extract the labelled reviews of an aclImdb archive once, atomically.

    The archive is extracted into a temporary folder inside
    :func:`cache_root`, checked, and only then renamed to its final name
    (``aclImdb-<sha256 prefix>``). A crash midway leaves only a
    ``.partial-`` folder, which is never used.

    Parameters
    ----------
    archive : pathlib.Path
        A ``.tar.gz`` file whose members start with ``aclImdb/``.

    Returns
    -------
    pathlib.Path
        The extracted and checked ``aclImdb`` folder.

    Raises
    ------
    DatasetError
        If the archive cannot be read, or does not hold the full dataset.
    """
    archive = Path(archive)
    digest = _sha256(archive)
    _check_published_checksum(archive, digest)
    target = cache_root() / f"aclImdb-{digest[:16]}"
    if target.exists():
        return verify_imdb_layout(
            target / "aclImdb",
            fix=f"delete the cache folder {target} and run again; "
            f"it is re-extracted from {archive}.",
        )
    partial = Path(tempfile.mkdtemp(prefix=f"{target.name}.partial-", dir=cache_root()))
    try:
        with tarfile.open(archive, "r:gz") as tar:
            for member in tar:
                if member.isfile() and _MEMBER.match(member.name):
                    tar.extract(member, partial, filter="data")
        verify_imdb_layout(
            partial / "aclImdb",
            fix=f"the archive {archive} does not hold the full dataset; "
            "replace it with the official aclImdb_v1.tar.gz or point "
            "IMDB_DIR at a complete copy.",
        )
        try:
            os.rename(partial, target)
        except OSError:  # another process finished first: use its copy
            if not target.exists():
                raise
    except (tarfile.TarError, EOFError, zlib.error, OSError) as error:
        raise DatasetError(
            f"The archive {archive} could not be read ({type(error).__name__}: "
            f"{error}): it is truncated or corrupt. Fix: replace it with an intact "
            "copy (or delete it so that it is downloaded again), "
            "or point IMDB_DIR at another copy."
        ) from None
    finally:
        shutil.rmtree(partial, ignore_errors=True)
    return target / "aclImdb"


def _download_archive() -> Path:
    try:
        import keras

        path = keras.utils.get_file(
            fname="aclImdb_v1.tar.gz", origin=OFFICIAL_URL, cache_subdir="datasets"
        )
    # any download failure gets one clear message
    except Exception as error:  # noqa: BLE001
        raise DatasetError(
            f"Could not download the IMDB dataset from {OFFICIAL_URL} "
            f"({type(error).__name__}: {error}). Without a network, "
            f"set {IMDB_DIR_VARIABLE} to an extracted aclImdb folder or to an aclImdb "
            ".tar.gz (on the book's CI machines: "
            "../shared/data/aclImdb-text.tar.gz). If a partial download was left in "
            "~/.keras/datasets/aclImdb_v1.tar.gz, delete it."
        ) from None
    return Path(path)


def locate_imdb() -> Path:
    """Return a checked ``aclImdb`` folder, extracting or downloading as needed.

    ``IMDB_DIR``, if set, wins: a folder (``aclImdb`` itself or its parent)
    is checked in place, an archive is extracted once into the cache.
    Otherwise the official archive is downloaded with
    ``keras.utils.get_file``.

    Returns
    -------
    pathlib.Path
        The ``aclImdb`` folder, with 12,500 reviews per split and label.

    Raises
    ------
    DatasetError
        If ``IMDB_DIR`` names nothing, the data is incomplete or corrupt, or
        the download fails.
    """
    source = os.environ.get(IMDB_DIR_VARIABLE, "").strip()
    if not source:
        return extract_archive(_download_archive())
    path = Path(source).expanduser()
    if path.is_file():
        return extract_archive(path)
    if path.is_dir():
        root = path / "aclImdb" if (path / "aclImdb").is_dir() else path
        return verify_imdb_layout(
            root,
            fix=f"restore the missing reviews, or point {IMDB_DIR_VARIABLE} at a "
            "complete copy (an aclImdb folder or an aclImdb .tar.gz).",
        )
    raise DatasetError(
        f"{IMDB_DIR_VARIABLE}={source} does not exist. Fix: set {IMDB_DIR_VARIABLE} "
        "to an extracted aclImdb folder or to an aclImdb .tar.gz (on the book's CI "
        "machines: ../shared/data/aclImdb-text.tar.gz), "
        "or unset it to download the dataset."
    )


# --------------------------------------------------------------------------- #
# Raw text
# --------------------------------------------------------------------------- #
def clean_review(text: str) -> str:
    """Replace the HTML line breaks (``<br />``) of an IMDB review by spaces.

    Parameters
    ----------
    text : str
        A raw review.

    Returns
    -------
    str
        The review without ``<br />`` tags.
    """
    return _LINE_BREAK.sub(" ", text)


@dataclass(frozen=True)
class ReviewSplit:
    """Reviews with their labels and star ratings.

    Attributes
    ----------
    texts : tuple of str
        Review texts with ``<br />`` replaced by spaces.
    labels : numpy.ndarray
        ``int32``, 1 for positive (7-10 stars) and 0 for negative (1-4 stars).
    ratings : numpy.ndarray
        ``int32`` star ratings, read from each file name ``<id>_<rating>.txt``.
    ids : numpy.ndarray
        ``int32`` review ids within their split and label.
    """

    texts: tuple
    labels: np.ndarray
    ratings: np.ndarray
    ids: np.ndarray

    def __len__(self) -> int:
        return len(self.texts)

    def take(self, indices: Sequence[int]) -> "ReviewSplit":
        """Return the reviews at ``indices``, in that order."""
        indices = np.asarray(indices, dtype=np.int64)
        return ReviewSplit(
            tuple(self.texts[i] for i in indices),
            self.labels[indices],
            self.ratings[indices],
            self.ids[indices],
        )

    def concat(self, other: "ReviewSplit") -> "ReviewSplit":
        """Return these reviews followed by ``other``'s."""
        return ReviewSplit(
            tuple(self.texts) + tuple(other.texts),
            np.concatenate([self.labels, other.labels]),
            np.concatenate([self.ratings, other.ratings]),
            np.concatenate([self.ids, other.ids]),
        )


def load_imdb_text(split: str, root: Optional[Path] = None) -> ReviewSplit:
    """Load one official split (``"train"`` or ``"test"``), all 25,000 reviews.

    Reviews are ordered by label (negative first), then by id, so the order
    is the same on every machine.

    Parameters
    ----------
    split : {"train", "test"}
        Which official split.
    root : pathlib.Path, optional
        A checked ``aclImdb`` folder; by default :func:`locate_imdb`.

    Returns
    -------
    ReviewSplit
        Texts, labels, ratings and ids.

    Raises
    ------
    ValueError
        If ``split`` is not ``"train"`` or ``"test"``.
    DatasetError
        If the dataset is missing or incomplete, or a file name has a rating
        outside its label's range.
    """
    if split not in SPLITS:
        raise ValueError(f"split must be one of {SPLITS}, got {split!r}")
    root = locate_imdb() if root is None else Path(root)
    texts, labels, ratings, ids = [], [], [], []
    for label, name in enumerate(LABELS):
        folder = root / split / name
        entries = []
        for entry in os.scandir(folder):
            match = _REVIEW_FILE.match(entry.name)
            if match:
                entries.append((int(match.group(1)), int(match.group(2)), entry.path))
        for review_id, rating, path in sorted(entries):
            if not (7 <= rating <= 10 if label else 1 <= rating <= 4):
                raise DatasetError(
                    f"{path} has rating {rating}, outside the range of '{name}' "
                    "reviews. The dataset is not the official aclImdb; "
                    "point IMDB_DIR at an intact copy."
                )
            with open(path, encoding="utf-8") as handle:
                texts.append(clean_review(handle.read()))
            labels.append(label)
            ratings.append(rating)
            ids.append(review_id)
    as_int = lambda values: np.asarray(values, dtype=np.int32)  # noqa: E731
    return ReviewSplit(tuple(texts), as_int(labels), as_int(ratings), as_int(ids))


def stratified_subset(
    split: ReviewSplit, per_class: Optional[int], seed: int
) -> ReviewSplit:
    """Draw a fixed random subset with ``per_class`` reviews of each label.

    Parameters
    ----------
    split : ReviewSplit
        The reviews to draw from.
    per_class : int or None
        Reviews per label; ``None`` keeps everything.
    seed : int
        Seed of the draw: the same seed gives the same subset.

    Returns
    -------
    ReviewSplit
        The subset, in the order of ``split``.

    Raises
    ------
    ValueError
        If a label has fewer than ``per_class`` reviews.
    """
    if per_class is None:
        return split
    rng = np.random.default_rng(seed)
    chosen = []
    for label in (0, 1):
        members = np.flatnonzero(split.labels == label)
        if len(members) < per_class:
            raise ValueError(
                f"label {label} has {len(members)} reviews, fewer than {per_class}"
            )
        chosen.append(rng.choice(members, size=per_class, replace=False))
    return split.take(np.sort(np.concatenate(chosen)))


def train_validation_split(
    split: ReviewSplit,
    validation_fraction: float,
    seed: int,
    block_ids: int = MOVIE_BLOCK_IDS,
) -> tuple:
    """Carve a stratified validation set of whole movies out of the training reviews.

    The test set is never used for choosing anything: every chapter selects
    epochs and settings on this validation set.

    IMDB holds up to 30 reviews per movie, and the test movies are disjoint
    from the training movies. Within a label, the reviews of one movie have
    consecutive ids (chapter 1 measures it), so the split keeps movies
    together: the ids of each label are cut into blocks of ``block_ids``
    consecutive ids, the blocks are shuffled with ``seed``, and validation
    takes whole blocks in that order. Only the last block it takes is cut,
    at one id, so that the sizes are exact. A random split of single reviews
    would put reviews of the same movie on both sides, and validation would
    reward memorising a movie's names and plot, which the test set does not.
    ``block_ids=1`` gives that random split (every review its own block).

    Parameters
    ----------
    split : ReviewSplit
        The training reviews.
    validation_fraction : float
        Share of each label that goes to validation, in (0, 1).
    seed : int
        Seed: the same seed gives the same split.
    block_ids : int
        Consecutive ids kept on the same side (:data:`MOVIE_BLOCK_IDS`).

    Returns
    -------
    (ReviewSplit, ReviewSplit)
        Training and validation reviews, each in a fixed shuffled order (so
        that labels are mixed).

    Raises
    ------
    ValueError
        If ``validation_fraction`` is not strictly between 0 and 1, or
        ``block_ids`` is not a positive integer.

    Notes
    -----
    Introduced in chapter 1 (``notebooks/01_bag_of_words.ipynb``).
    """
    if not 0.0 < validation_fraction < 1.0:
        raise ValueError(
            f"validation_fraction must be in (0, 1), got {validation_fraction}"
        )
    if int(block_ids) != block_ids or block_ids < 1:
        raise ValueError(f"block_ids must be a positive integer, got {block_ids!r}")
    rng = np.random.default_rng(seed)
    train_idx, val_idx = [], []
    for label in (0, 1):
        members = np.flatnonzero(split.labels == label)
        ids = split.ids[members].astype(np.int64)
        blocks, block_of_member = np.unique(ids // int(block_ids), return_inverse=True)
        block_rank = rng.permutation(len(blocks))[block_of_member]
        # shuffled blocks, ids in order within each
        members = members[np.lexsort((ids, block_rank))]
        n_val = int(round(validation_fraction * len(members)))
        val_idx.append(members[:n_val])
        train_idx.append(members[n_val:])
    return (
        split.take(rng.permutation(np.concatenate(train_idx))),
        split.take(rng.permutation(np.concatenate(val_idx))),
    )


@dataclass(frozen=True)
class ImdbSplits:
    """Training, validation and test reviews of one mode.

    Attributes
    ----------
    train, validation, test : ReviewSplit
        The three splits; validation is carved from the official training set.
    settings : ModeSettings
        The mode they were drawn for.
    """

    train: ReviewSplit
    validation: ReviewSplit
    test: ReviewSplit
    settings: ModeSettings

    def sizes(self) -> dict:
        """Return ``{"train": n, "validation": n, "test": n}``."""
        return {
            "train": len(self.train),
            "validation": len(self.validation),
            "test": len(self.test),
        }


def load_imdb_splits(mode: Optional[str] = None) -> ImdbSplits:
    """Load train, validation and test reviews for the current mode.

    Full mode uses all 25,000 training reviews (20 % of them held out for
    validation, whole movies at a time: :func:`train_validation_split`)
    and all 25,000 test reviews; quick mode a fixed, stratified subset of
    each (sizes in :mod:`helpers.config`).

    Parameters
    ----------
    mode : {"full", "quick"}, optional
        By default the mode named by ``BOOK_MODE``.

    Returns
    -------
    ImdbSplits
        The three splits and the mode settings.

    Raises
    ------
    DatasetError
        If the dataset is missing, incomplete or corrupt.
    """
    settings = mode_settings(mode)
    root = locate_imdb()
    pool = stratified_subset(
        load_imdb_text("train", root), settings.train_per_class, settings.seed
    )
    test = stratified_subset(
        load_imdb_text("test", root), settings.test_per_class, settings.seed + 1
    )
    train, validation = train_validation_split(
        pool, settings.validation_fraction, settings.seed
    )
    return ImdbSplits(train, validation, test, settings)


# --------------------------------------------------------------------------- #
# Integer sequences
# --------------------------------------------------------------------------- #
def pad_token_ids(
    flat_ids: np.ndarray,
    lengths: np.ndarray,
    sequence_length: int,
    padding: str = "post",
    truncating: str = "post",
) -> np.ndarray:
    """Cut and pad variable-length token-id sequences to one length.

    Parameters
    ----------
    flat_ids : numpy.ndarray
        All sequences' ids, concatenated.
    lengths : numpy.ndarray
        The length of each sequence.
    sequence_length : int
        The output length.
    padding : {"post", "pre"}
        Put the padding id 0 after (``"post"``) or before the tokens.
    truncating : {"post", "pre"}
        Keep the first (``"post"``: drop the tail) or the last tokens of a
        longer sequence.

    Returns
    -------
    numpy.ndarray
        ``int32`` of shape ``(len(lengths), sequence_length)``.

    Raises
    ------
    ValueError
        If ``padding`` or ``truncating`` is not ``"pre"``/``"post"``, or
        ``sequence_length`` is not positive.
    """
    for name, value in (("padding", padding), ("truncating", truncating)):
        if value not in ("pre", "post"):
            raise ValueError(f"{name} must be 'pre' or 'post', got {value!r}")
    if sequence_length < 1:
        raise ValueError(f"sequence_length must be positive, got {sequence_length}")
    out = np.zeros((len(lengths), sequence_length), dtype=np.int32)
    starts = np.concatenate([[0], np.cumsum(lengths)[:-1]]).astype(np.int64)
    for row, (start, length) in enumerate(zip(starts, lengths)):
        ids = flat_ids[start : start + length]
        ids = (
            ids[:sequence_length]
            if truncating == "post"
            else ids[max(0, length - sequence_length) :]
        )
        if padding == "post":
            out[row, : len(ids)] = ids
        else:
            out[row, sequence_length - len(ids) :] = ids
    return out


def text_vectorizer(vocabulary: Sequence[str], **options):
    """Build a ``keras.layers.TextVectorization`` with a fixed vocabulary.

    Parameters
    ----------
    vocabulary : sequence of str
        A vocabulary as ``get_vocabulary()`` returns it, with or without its
        leading reserved entries (``''`` and ``'[UNK]'`` in ``"int"`` mode,
        ``'[UNK]'`` in ``"multi_hot"`` mode), most frequent first.
    **options
        Other ``TextVectorization`` arguments (``output_mode``, ``ngrams``...).

    Returns
    -------
    keras.layers.TextVectorization
        A layer that can be saved inside a model and loaded again (an
        ``adapt()``-ed layer cannot, in Keras 3.15).
    """
    import keras

    words = [str(w) for w in vocabulary]
    while words and words[0] in ("", "[UNK]"):  # the reserved entries are added back
        words = words[1:]
    return keras.layers.TextVectorization(vocabulary=words, **options)


def encode_texts(
    texts: Sequence[str],
    vocabulary: Sequence[str],
    sequence_length: int,
    padding: str = "post",
    truncating: str = "post",
) -> np.ndarray:
    """Turn texts into padded integer sequences with a fixed vocabulary.

    Texts are cleaned (:func:`clean_review`), lower-cased and stripped of
    punctuation (Keras's default standardisation), split on whitespace and
    mapped to ids: 0 is padding, 1 is an out-of-vocabulary word.

    Parameters
    ----------
    texts : sequence of str
        The texts.
    vocabulary : sequence of str
        The vocabulary, index 0 ``''`` and 1 ``'[UNK]'``.
    sequence_length, padding, truncating
        As in :func:`pad_token_ids`.

    Returns
    -------
    numpy.ndarray
        ``int32`` of shape ``(len(texts), sequence_length)``.
    """
    if isinstance(texts, str):
        raise ValueError(
            "texts must be a sequence of strings, not one string; wrap it in a list"
        )
    vectorizer = text_vectorizer(vocabulary, ragged=True)
    ragged = vectorizer(np.asarray([clean_review(t) for t in texts], dtype=object))
    return pad_token_ids(
        ragged.flat_values.numpy(),
        ragged.row_lengths().numpy(),
        sequence_length,
        padding,
        truncating,
    )


def decode_ids(ids: Sequence[int], vocabulary: Sequence[str]) -> str:
    """Turn one sequence of ids back into text, dropping the padding.

    Parameters
    ----------
    ids : sequence of int
        Token ids (0 is padding and is skipped).
    vocabulary : sequence of str
        The vocabulary used to encode them.

    Returns
    -------
    str
        The words joined by single spaces (``[UNK]`` for unknown words).
    """
    return " ".join(str(vocabulary[i]) for i in np.asarray(ids).ravel() if i != 0)


@dataclass
class EncodedImdb:
    """IMDB reviews as padded integer sequences, with the vocabulary.

    Attributes
    ----------
    x_train, y_train, x_val, y_val, x_test, y_test : numpy.ndarray
        ``int32`` id matrices ``(n, sequence_length)`` and 0/1 labels.
    vocabulary : list of str
        Index 0 is ``''`` (padding), 1 is ``'[UNK]'``; built on the training
        split only (never on validation or test).
    params : dict
        ``max_tokens``, ``sequence_length``, ``padding``, ``truncating`` and
        ``mode``.
    """

    x_train: np.ndarray
    y_train: np.ndarray
    x_val: np.ndarray
    y_val: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray
    vocabulary: list
    params: dict = field(default_factory=dict)

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """Encode new texts exactly as the stored arrays were encoded."""
        return encode_texts(
            texts,
            self.vocabulary,
            self.params["sequence_length"],
            self.params["padding"],
            self.params["truncating"],
        )

    def decode(self, ids: Sequence[int]) -> str:
        """Decode one row of ids back to words (padding dropped)."""
        return decode_ids(ids, self.vocabulary)


def _adapted_vocabulary(texts: Sequence[str], max_tokens: int) -> list:
    import keras

    vectorizer = keras.layers.TextVectorization(
        max_tokens=max_tokens, name="vocabulary_builder"
    )
    vectorizer.adapt(np.asarray(texts, dtype=object), batch_size=1024)
    return [str(w) for w in vectorizer.get_vocabulary()]


def load_imdb_sequences(
    max_tokens: int = 10_000,
    sequence_length: int = 200,
    padding: str = "post",
    truncating: str = "post",
    mode: Optional[str] = None,
) -> EncodedImdb:
    """Load IMDB as padded integer sequences, cached on disk.

    The vocabulary holds the ``max_tokens`` most frequent words of the
    *training* split (validation and test never influence it). Each review
    is cut to its first ``sequence_length`` tokens (``truncating="post"``)
    and padded with 0 after its end (``padding="post"``): the padding is at
    the end, so an RNN without a mask reads its final state at padding, and
    one with a mask (``mask_zero=True``) does not.

    The arrays are cached in :func:`cache_root`, keyed by every parameter,
    the mode and the data source, and written atomically; a second call
    loads them in well under a second.

    Parameters
    ----------
    max_tokens : int
        Vocabulary size, including ``''`` and ``'[UNK]'``.
    sequence_length : int
        Tokens per review after padding and truncation.
    padding, truncating : {"post", "pre"}
        See :func:`pad_token_ids`.
    mode : {"full", "quick"}, optional
        By default the mode named by ``BOOK_MODE``.

    Returns
    -------
    EncodedImdb
        The arrays, the vocabulary and the parameters.

    Raises
    ------
    DatasetError
        If the dataset is missing, incomplete or corrupt.
    """
    settings = mode_settings(mode)
    params = dict(
        max_tokens=int(max_tokens),
        sequence_length=int(sequence_length),
        padding=padding,
        truncating=truncating,
        mode=settings.mode,
    )
    pad_token_ids(
        np.zeros(0, np.int32),
        np.zeros(0, np.int64),
        sequence_length,
        padding,
        truncating,
    )

    def encode_splits() -> dict:
        splits = load_imdb_splits(settings.mode)
        vocabulary = _adapted_vocabulary(splits.train.texts, max_tokens)
        encode = lambda split: encode_texts(  # noqa: E731
            split.texts, vocabulary, sequence_length, padding, truncating
        )
        return dict(
            vocabulary=np.asarray(vocabulary),
            x_train=encode(splits.train),
            y_train=splits.train.labels,
            x_val=encode(splits.validation),
            y_val=splits.validation.labels,
            x_test=encode(splits.test),
            y_test=splits.test.labels,
        )

    arrays = cached_arrays(
        "sequences", dict(params, settings=repr(settings)), encode_splits
    )
    vocabulary = [str(w) for w in arrays.pop("vocabulary")]
    return EncodedImdb(vocabulary=vocabulary, params=params, **arrays)


def cached_arrays(kind: str, key: dict, build: Callable[[], dict]) -> dict:
    """Return the arrays ``build()`` makes, cached on disk under ``key``.

    The cache file lives in :func:`cache_root`. Its name holds ``kind`` and
    a hash of ``key``, of the dataset's location, of :data:`CACHE_VERSION`
    and of the Keras and TensorFlow versions (their ``TextVectorization``
    tokenises the reviews, so an upgrade never reuses stale arrays). It is
    written atomically (a temporary file renamed over the final name), so a
    crash never leaves a half-written cache that is later trusted, and an
    unreadable file is rebuilt.

    Parameters
    ----------
    kind : str
        Prefix of the file name (``"sequences"``, ``"multi-hot"``).
    key : dict
        JSON-serialisable description of everything that decides the
        arrays (the parameters and the mode's settings).
    build : callable
        Returns a dict of NumPy arrays (no object arrays); called only on a
        cache miss.

    Returns
    -------
    dict
        Array name to :class:`numpy.ndarray`.

    Raises
    ------
    DatasetError
        If the dataset is missing, incomplete or corrupt.

    Introduced in chapter 1 (``notebooks/01_bag_of_words.ipynb``).
    """
    # they tokenise
    tokenizer = {
        package: metadata.version(package) for package in ("keras", "tensorflow")
    }
    source = dict(
        key,
        root=str(locate_imdb().resolve()),
        version=CACHE_VERSION,
        tokenizer=tokenizer,
    )
    digest = hashlib.sha256(json.dumps(source, sort_keys=True).encode()).hexdigest()[
        :16
    ]
    cache_file = cache_root() / f"{kind}-{digest}.npz"
    if cache_file.is_file():
        try:
            with np.load(cache_file, allow_pickle=False) as stored:
                return {name: stored[name] for name in stored.files}
        # an unreadable cache is rebuilt, never trusted
        except Exception:  # noqa: BLE001
            cache_file.unlink(missing_ok=True)
    arrays = build()

    def save(temporary):
        # a file object: np.savez would add ".npz" to a name
        with open(temporary, "wb") as out:
            np.savez(out, **arrays)

    write_atomically(cache_file, save)
    return arrays


def main(argv: Optional[Sequence[str]] = None) -> int:
    """Check the dataset from the command line: ``python -m helpers.data``.

    Prints where the data is and how many reviews each split holds, or the
    one clear error (no traceback) and exit status 2.
    """
    try:
        root = locate_imdb()
    except DatasetError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    counts = count_reviews(root)
    print(f"IMDB dataset OK at {root}")
    for key, n in counts.items():
        print(f"  {key}: {n:,} reviews")
    return 0


if __name__ == "__main__":
    sys.exit(main())
