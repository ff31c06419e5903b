"""Tests for helpers.bucketing (chapter 7)."""

import numpy as np
import pytest

from helpers.bucketing import (
    bucket_batches,
    bucketed_dataset,
    padded_step_fraction,
    sequence_lengths,
)


def _post_padded(lengths, width, seed=0):
    rng = np.random.default_rng(seed)
    x = np.zeros((len(lengths), width), dtype=np.int32)
    for row, n in enumerate(lengths):
        x[row, :n] = rng.integers(1, 50, size=n)
    return x


def test_sequence_lengths_counts_up_to_the_last_nonzero_id():
    x = np.array([[5, 3, 0, 0], [1, 0, 2, 0], [0, 0, 0, 0], [4, 4, 4, 4]])
    assert sequence_lengths(x).tolist() == [2, 3, 0, 4]


def test_sequence_lengths_rejects_1d_input():
    with pytest.raises(ValueError, match="2-D"):
        sequence_lengths(np.array([1, 2, 0]))


def test_bucket_batches_partition_every_index_once_and_are_homogeneous():
    lengths = np.random.default_rng(1).integers(1, 500, size=1000)
    batches = bucket_batches(lengths, batch_size=32, seed=3, pool_batches=8)
    flat = np.concatenate(batches)
    assert sorted(flat.tolist()) == list(range(1000))
    assert max(len(b) for b in batches) == 32
    spread = np.mean([lengths[b].max() - lengths[b].min() for b in batches])
    random_spread = np.mean(
        [
            lengths[b].max() - lengths[b].min()
            for b in np.array_split(np.arange(1000), len(batches))
        ]
    )
    assert spread < random_spread / 4


def test_bucket_batches_are_seeded_and_change_with_the_seed():
    lengths = np.arange(300) % 97
    a = bucket_batches(lengths, 16, seed=5)
    b = bucket_batches(lengths, 16, seed=5)
    c = bucket_batches(lengths, 16, seed=6)
    assert all(np.array_equal(u, v) for u, v in zip(a, b))
    assert not all(np.array_equal(u, v) for u, v in zip(a, c))


def test_bucket_batches_without_shuffle_sorts_by_length():
    lengths = np.array([5, 1, 4, 2, 3])
    batches = bucket_batches(lengths, 2, shuffle=False)
    assert [b.tolist() for b in batches] == [[1, 3], [4, 2], [0]]


@pytest.mark.parametrize(
    "name, kwargs",
    [
        ("batch_size", dict(batch_size=0)),
        ("pool_batches", dict(batch_size=4, pool_batches=1.5)),
    ],
)
def test_bucket_batches_rejects_bad_sizes(name, kwargs):
    with pytest.raises(ValueError, match=name):
        bucket_batches(np.arange(10), **kwargs)


def test_padded_step_fraction_fixed_and_bucketed():
    lengths = np.array([2, 4, 6, 8])
    assert padded_step_fraction(lengths, sequence_length=10) == pytest.approx(
        1 - 20 / 40
    )
    batches = [np.array([0, 1]), np.array([2, 3])]
    assert padded_step_fraction(lengths, batches) == pytest.approx(
        1 - 20 / (2 * 4 + 2 * 8)
    )
    with pytest.raises(ValueError, match="sequence_length"):
        padded_step_fraction(lengths)


def test_bucketed_dataset_trims_batches_and_keeps_every_pair():
    lengths = np.random.default_rng(2).integers(1, 40, size=100)
    x = _post_padded(lengths, 40)
    y = np.arange(100, dtype=np.int32)  # labels identify rows
    dataset = bucketed_dataset(x, y, batch_size=8, seed=1, pool_batches=4)
    assert int(dataset.cardinality()) == len(
        bucket_batches(lengths, 8, seed=1, pool_batches=4)
    )
    seen = []
    for xb, yb in dataset:
        xb, yb = xb.numpy(), yb.numpy()
        assert xb.shape[1] == lengths[yb].max()
        np.testing.assert_array_equal(xb, x[yb, : xb.shape[1]])
        seen.extend(yb.tolist())
    assert sorted(seen) == list(range(100))


def test_bucketed_dataset_draws_new_batches_each_epoch_but_not_for_evaluation():
    x = _post_padded(np.arange(1, 65), 64)
    y = np.arange(64, dtype=np.int32)
    order = lambda ds: np.concatenate([yb.numpy() for _, yb in ds])  # noqa: E731
    train = bucketed_dataset(x, y, batch_size=4, seed=0)
    assert not np.array_equal(order(train), order(train))
    evaluation = bucketed_dataset(x, y, batch_size=4, shuffle=False)
    np.testing.assert_array_equal(order(evaluation), order(evaluation))


def test_bucketed_dataset_rejects_mismatched_labels():
    with pytest.raises(ValueError, match="labels"):
        bucketed_dataset(np.ones((3, 4), np.int32), np.zeros(2), batch_size=2)


def test_masked_model_gives_the_same_outputs_on_bucketed_and_padded_batches():
    import keras

    keras.utils.set_random_seed(0)
    lengths = np.random.default_rng(3).integers(1, 30, size=40)
    x = _post_padded(lengths, 30)
    inputs = keras.Input(shape=(None,), dtype="int32")
    h = keras.layers.Embedding(50, 8, mask_zero=True)(inputs)
    h = keras.layers.Bidirectional(keras.layers.LSTM(4, return_sequences=True))(h)
    h = keras.layers.GlobalAveragePooling1D()(h)
    model = keras.Model(inputs, keras.layers.Dense(1)(h))
    padded = model.predict(x, verbose=0).ravel()
    for xb, yb in bucketed_dataset(
        x, np.arange(40, dtype=np.int32), batch_size=8, shuffle=False
    ):
        bucketed = model.predict(xb.numpy(), verbose=0).ravel()
        np.testing.assert_allclose(bucketed, padded[yb.numpy()], rtol=1e-5, atol=1e-6)
