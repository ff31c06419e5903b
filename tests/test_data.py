"""Tests of helpers.data: finding, checking, loading and encoding IMDB.

Most tests build a tiny dataset with the real layout (3 reviews per split and
label, with ``REVIEWS_PER_LABEL`` patched to 3) in a temporary folder and a
temporary Keras cache, so they need neither the network nor the real data.
``test_real_dataset`` uses the real copy that ``IMDB_DIR`` points at.
"""

import os
import subprocess
import sys
import tarfile
from pathlib import Path

import numpy as np
import pytest

from helpers import data
from helpers.data import DatasetError

PER_LABEL = 3


def _write_tree(parent: Path) -> Path:
    root = parent / "aclImdb"
    for split in ("train", "test"):
        for label, ratings in (("neg", (1, 2, 4)), ("pos", (7, 9, 10))):
            folder = root / split / label
            folder.mkdir(parents=True)
            for review_id, rating in enumerate(ratings):
                text = f"A {label} {split} review number {review_id}.<br /><br />Rated {rating}."
                (folder / f"{review_id}_{rating}.txt").write_text(
                    text, encoding="utf-8"
                )
    unsup = root / "train" / "unsup"
    unsup.mkdir()
    (unsup / "0_0.txt").write_text("unlabelled", encoding="utf-8")
    (root / "README").write_text("tiny fixture", encoding="utf-8")
    return root


@pytest.fixture
def tiny(tmp_path, monkeypatch):
    """A tiny aclImdb tree, an empty Keras cache, IMDB_DIR pointing at the tree."""
    monkeypatch.setattr(data, "REVIEWS_PER_LABEL", PER_LABEL)
    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "keras-home"))
    root = _write_tree(tmp_path / "dataset")
    monkeypatch.setenv("IMDB_DIR", str(root))
    return root


@pytest.fixture
def tiny_archive(tiny, tmp_path, monkeypatch):
    archive = tmp_path / "archive" / "aclImdb-text.tar.gz"
    archive.parent.mkdir()
    with tarfile.open(archive, "w:gz") as tar:
        tar.add(tiny, arcname="aclImdb")
    monkeypatch.setenv("IMDB_DIR", str(archive))
    return archive


def test_folder_is_checked_and_loaded_without_unsup(tiny):
    assert data.locate_imdb() == tiny
    train = data.load_imdb_text("train")
    assert len(train) == 2 * PER_LABEL
    assert train.labels.tolist() == [0, 0, 0, 1, 1, 1]
    assert train.ratings.tolist() == [1, 2, 4, 7, 9, 10]
    assert not any("unlabelled" in t for t in train.texts)
    assert not any("<br" in t for t in train.texts)


def test_parent_folder_is_accepted(tiny, monkeypatch):
    monkeypatch.setenv("IMDB_DIR", str(tiny.parent))
    assert data.locate_imdb() == tiny


def test_missing_review_gives_one_clear_error(tiny):
    (tiny / "train" / "pos" / "2_10.txt").unlink()
    with pytest.raises(DatasetError) as caught:
        data.locate_imdb()
    message = str(caught.value)
    assert str(tiny) in message and "train/pos=2" in message and "Fix:" in message


def test_imdb_dir_pointing_at_nothing(tmp_path, monkeypatch):
    missing = tmp_path / "nowhere"
    monkeypatch.setenv("IMDB_DIR", str(missing))
    with pytest.raises(DatasetError, match="does not exist") as caught:
        data.locate_imdb()
    assert str(missing) in str(caught.value) and "IMDB_DIR" in str(caught.value)


def test_archive_is_extracted_once_atomically(tiny_archive):
    root = data.locate_imdb()
    assert root.name == "aclImdb" and root.parent.parent == data.cache_root()
    assert not (root / "train" / "unsup").exists()
    marker = root / "train" / "neg" / "0_1.txt"
    first_mtime = marker.stat().st_mtime_ns
    assert data.locate_imdb() == root
    assert marker.stat().st_mtime_ns == first_mtime  # not extracted again
    assert not [p for p in data.cache_root().iterdir() if ".partial-" in p.name]


def test_truncated_archive_gives_clear_error_and_leaves_nothing(tiny_archive):
    payload = tiny_archive.read_bytes()
    tiny_archive.write_bytes(payload[: len(payload) // 2])
    with pytest.raises(DatasetError, match="truncated or corrupt") as caught:
        data.locate_imdb()
    assert str(tiny_archive) in str(caught.value)
    assert list(data.cache_root().iterdir()) == []


def test_checksum_file_beside_archive_is_enforced(tiny_archive):
    (tiny_archive.parent / "SHA256SUMS").write_text(
        f"{'0' * 64}  {tiny_archive.name}\n"
    )
    with pytest.raises(DatasetError, match="does not match its checksum"):
        data.locate_imdb()


def test_incomplete_archive_is_not_cached(tiny, tmp_path, monkeypatch):
    archive = tmp_path / "partial.tar.gz"
    with tarfile.open(archive, "w:gz") as tar:
        for path in sorted(tiny.rglob("*")):
            if path.name != "0_1.txt" or "test" not in path.parts:
                tar.add(
                    path,
                    arcname=str(Path("aclImdb") / path.relative_to(tiny)),
                    recursive=False,
                )
    monkeypatch.setenv("IMDB_DIR", str(archive))
    with pytest.raises(DatasetError, match="test/neg=2"):
        data.locate_imdb()
    assert list(data.cache_root().iterdir()) == []


def test_crash_midway_leaves_nothing_that_is_used(tiny_archive, monkeypatch):
    real_rename = os.rename

    def crash(*args, **kwargs):
        raise KeyboardInterrupt("power cut")

    monkeypatch.setattr(os, "rename", crash)
    with pytest.raises(KeyboardInterrupt):
        data.locate_imdb()
    assert list(data.cache_root().iterdir()) == []
    monkeypatch.setattr(os, "rename", real_rename)
    assert data.count_reviews(data.locate_imdb())["test/pos"] == PER_LABEL


def test_no_network_names_what_to_do(tmp_path, monkeypatch):
    import keras

    def offline(*args, **kwargs):
        raise OSError("[Errno -3] Temporary failure in name resolution")

    monkeypatch.delenv("IMDB_DIR", raising=False)
    monkeypatch.setenv("KERAS_HOME", str(tmp_path))
    monkeypatch.setattr(keras.utils, "get_file", offline)
    with pytest.raises(DatasetError, match="Could not download") as caught:
        data.locate_imdb()
    assert "IMDB_DIR" in str(caught.value)


def test_command_line_check_prints_error_without_traceback(tmp_path):
    env = dict(os.environ, IMDB_DIR=str(tmp_path / "nothing"))
    result = subprocess.run(
        [sys.executable, "-m", "helpers.data"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 2
    assert (
        result.stderr.startswith("error: IMDB_DIR=")
        and "Traceback" not in result.stderr
    )


def test_rating_outside_label_range_is_rejected(tiny):
    (tiny / "test" / "pos" / "0_7.txt").rename(tiny / "test" / "pos" / "0_3.txt")
    with pytest.raises(DatasetError, match="rating 3"):
        data.load_imdb_text("test")


def test_splits_are_stratified_disjoint_and_fixed(tiny):
    train = data.load_imdb_text("train")
    a_train, a_val = data.train_validation_split(train, 1 / 3, seed=5)
    b_train, b_val = data.train_validation_split(train, 1 / 3, seed=5)
    assert a_val.texts == b_val.texts and a_train.texts == b_train.texts
    assert sorted(a_val.labels.tolist()) == [0, 1]
    assert not set(a_train.texts) & set(a_val.texts)
    assert len(a_train) + len(a_val) == len(train)
    subset = data.stratified_subset(train, 2, seed=1)
    assert subset.labels.tolist() == [0, 0, 1, 1]
    with pytest.raises(ValueError):
        data.stratified_subset(train, 4, seed=1)
    with pytest.raises(ValueError):
        data.train_validation_split(train, 1.0, seed=1)


def _numbered_reviews(make_reviews, per_label: int) -> data.ReviewSplit:
    labels, ids = np.repeat([0, 1], per_label), np.tile(np.arange(per_label), 2)
    return make_reviews([f"{label}-{i}" for label, i in zip(labels, ids)], labels, ids)


@pytest.mark.parametrize("fraction, cut_blocks", [(0.2, 0), (0.25, 1)])
def test_validation_takes_whole_blocks_of_consecutive_ids(
    make_reviews, fraction, cut_blocks
):
    reviews = _numbered_reviews(make_reviews, 1000)
    train, val = data.train_validation_split(reviews, fraction, seed=3, block_ids=100)
    assert len(val) == 2 * round(fraction * 1000) and len(train) + len(val) == len(
        reviews
    )
    for label in (0, 1):
        assert (val.labels == label).sum() == round(fraction * 1000)
        val_blocks = set(val.ids[val.labels == label] // 100)
        train_blocks = set(train.ids[train.labels == label] // 100)
        assert (
            len(val_blocks & train_blocks) == cut_blocks
        )  # at most the last block is cut
    again = data.train_validation_split(reviews, fraction, seed=3, block_ids=100)
    assert again[1].texts == val.texts and again[0].texts == train.texts
    other = data.train_validation_split(reviews, fraction, seed=4, block_ids=100)[1]
    assert set(other.texts) != set(val.texts)


def test_block_of_one_id_is_a_random_split(make_reviews):
    reviews = _numbered_reviews(make_reviews, 1000)
    val = data.train_validation_split(reviews, 0.2, seed=3, block_ids=1)[1]
    blocks_touched = len(set(zip(val.labels, val.ids // 100)))
    assert blocks_touched > 15  # single reviews from (almost) every block
    with pytest.raises(ValueError, match="block_ids"):
        data.train_validation_split(reviews, 0.2, seed=3, block_ids=0)


def test_pad_token_ids_pre_and_post():
    flat, lengths = np.array([5, 6, 7, 8, 9]), np.array([2, 3])
    post = data.pad_token_ids(flat, lengths, 2, padding="post", truncating="post")
    assert post.tolist() == [[5, 6], [7, 8]]
    pre = data.pad_token_ids(flat, lengths, 4, padding="pre", truncating="pre")
    assert pre.tolist() == [[0, 0, 5, 6], [0, 7, 8, 9]]
    assert data.pad_token_ids(flat, lengths, 2, truncating="pre").tolist() == [
        [5, 6],
        [8, 9],
    ]
    with pytest.raises(ValueError, match="padding"):
        data.pad_token_ids(flat, lengths, 2, padding="left")


def test_encode_decode_round_trip():
    vocabulary = ["", "[UNK]", "the", "movie", "was", "great"]
    ids = data.encode_texts(
        ["The movie was GREAT!<br />", "the plot was great"], vocabulary, 6
    )
    assert ids.tolist() == [[2, 3, 4, 5, 0, 0], [2, 1, 4, 5, 0, 0]]
    assert data.decode_ids(ids[0], vocabulary) == "the movie was great"
    assert data.decode_ids(ids[1], vocabulary) == "the [UNK] was great"
    pre = data.encode_texts(["the movie"], vocabulary, 4, padding="pre")
    assert pre.tolist() == [[0, 0, 2, 3]]
    with pytest.raises(ValueError, match="not one string"):
        data.encode_texts("the movie", vocabulary, 4)


def test_sequences_are_cached_by_parameters(tiny, monkeypatch):
    first = data.load_imdb_sequences(max_tokens=40, sequence_length=8, mode="full")
    assert (
        first.x_train.shape == (4, 8)
        and first.x_val.shape == (2, 8)
        and first.x_test.shape == (6, 8)
    )
    assert first.vocabulary[:2] == ["", "[UNK]"]
    assert first.decode(first.encode(["a review number"])[0]) == "a review number"

    def must_not_adapt(*args, **kwargs):
        raise AssertionError("the cache was not used")

    monkeypatch.setattr(data, "_adapted_vocabulary", must_not_adapt)
    second = data.load_imdb_sequences(max_tokens=40, sequence_length=8, mode="full")
    np.testing.assert_array_equal(first.x_train, second.x_train)
    assert second.vocabulary == first.vocabulary
    with pytest.raises(AssertionError, match="cache was not used"):
        data.load_imdb_sequences(max_tokens=40, sequence_length=9, mode="full")
    assert not [p for p in data.cache_root().iterdir() if p.name.endswith(".tmp")]


def test_cached_arrays_build_once_and_a_damaged_file_is_rebuilt(tiny):
    calls = []

    def build():
        calls.append(1)
        return dict(x=np.arange(3), words=np.asarray(["a", "b c"]))

    first = data.cached_arrays("demo", dict(size=3), build)
    second = data.cached_arrays("demo", dict(size=3), build)
    assert len(calls) == 1 and second["words"].tolist() == ["a", "b c"]
    np.testing.assert_array_equal(first["x"], second["x"])
    data.cached_arrays("demo", dict(size=4), build)  # another key: built again
    assert len(calls) == 2
    for path in data.cache_root().glob("demo-*.npz"):
        path.write_bytes(b"not an npz file")
    again = data.cached_arrays("demo", dict(size=3), build)
    assert len(calls) == 3 and again["x"].tolist() == [0, 1, 2]
    assert not [p for p in data.cache_root().iterdir() if p.name.endswith(".tmp")]


def test_cached_arrays_are_rebuilt_after_a_keras_or_tensorflow_upgrade(
    tiny, monkeypatch
):
    calls = []
    build = lambda: calls.append(1) or dict(x=np.arange(2))  # noqa: E731
    data.cached_arrays("demo", dict(size=2), build)
    installed = data.metadata.version
    monkeypatch.setattr(
        data.metadata,
        "version",
        lambda package: "99.0" if package == "keras" else installed(package),
    )
    data.cached_arrays("demo", dict(size=2), build)
    assert len(calls) == 2


def test_bag_of_words_inputs_are_cached_and_equal_the_layer_output(tiny, monkeypatch):
    import keras
    import tensorflow as tf

    from helpers import recipes

    recipe = recipes.RECIPES["bow_bigram"].replace(max_tokens=30)
    first = recipes.load_recipe_data(recipe, mode="full")
    monkeypatch.setattr(
        recipes,
        "_multi_hot_arrays",
        lambda *args: pytest.fail("the cache was not used"),
    )
    second = recipes.load_recipe_data(recipe, mode="full")
    splits = data.load_imdb_splits("full")
    layer = keras.layers.TextVectorization(
        max_tokens=30, output_mode="multi_hot", ngrams=2, sparse=True
    )
    layer.adapt(tf.constant(splits.train.texts))
    assert (
        first.vocabulary
        == second.vocabulary
        == [str(w) for w in layer.get_vocabulary()]
    )
    for loaded in (first, second):
        for x, y, split in (
            (loaded.x_train, loaded.y_train, splits.train),
            (loaded.x_test, loaded.y_test, splits.test),
        ):
            direct = tf.sparse.reorder(layer(tf.constant(split.texts)))
            np.testing.assert_array_equal(x.indices.numpy(), direct.indices.numpy())
            np.testing.assert_array_equal(
                x.dense_shape.numpy(), direct.dense_shape.numpy()
            )
            assert x.values.dtype == direct.values.dtype and np.all(
                x.values.numpy() == 1
            )
            np.testing.assert_array_equal(y, split.labels)


def test_real_dataset():
    if not os.environ.get("IMDB_DIR"):
        pytest.skip(
            "IMDB_DIR is not set: set it to the aclImdb copy (CI sets ../shared/data/aclImdb-text.tar.gz)"
        )
    train = data.load_imdb_text("train")
    assert len(train) == 25_000 and int(train.labels.sum()) == 12_500
    assert set(np.unique(train.ratings).tolist()) == {1, 2, 3, 4, 7, 8, 9, 10}
    quick = data.load_imdb_splits("quick")
    assert quick.sizes() == {"train": 1600, "validation": 400, "test": 1000}
    full = data.load_imdb_splits("full")
    assert full.sizes() == {"train": 20_000, "validation": 5_000, "test": 25_000}
    as_keys = lambda split: set(zip(split.labels.tolist(), split.ids.tolist()))  # noqa: E731
    assert not as_keys(full.train) & as_keys(full.validation)
