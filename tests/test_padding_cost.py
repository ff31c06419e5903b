"""Tests of helpers.padding_cost (chapter 7)."""

import numpy as np
import pytest

from helpers.padding_cost import time_steps, time_training_passes


def test_time_steps_counts_every_row_at_its_batch_width():
    assert time_steps([10, 3], [4, 2]) == 46
    assert time_steps([], []) == 0


def test_time_steps_rejects_mismatched_or_negative_input():
    with pytest.raises(ValueError, match="one width and one size"):
        time_steps([10, 3], [4])
    with pytest.raises(ValueError, match=">= 0"):
        time_steps([-1], [4])


def test_time_training_passes_times_each_dataset_and_checks_arguments():
    import keras
    import tensorflow as tf

    keras.utils.set_random_seed(0)
    inputs = keras.Input(shape=(None,), dtype="int32", name="ids")
    x = keras.layers.Embedding(20, 4, mask_zero=True, name="embedding")(inputs)
    x = keras.layers.LSTM(3, name="lstm")(x)
    outputs = keras.layers.Dense(1, activation="sigmoid", name="output")(x)
    model = keras.Model(inputs, outputs, name="tiny")
    model.compile(optimizer="adam", loss="binary_crossentropy")
    ids = np.random.default_rng(0).integers(1, 20, size=(8, 6)).astype("int32")
    y = np.zeros(8, "float32")
    datasets = {
        "short": tf.data.Dataset.from_tensor_slices((ids[:, :2], y)).batch(4),
        "long": tf.data.Dataset.from_tensor_slices((ids, y)).batch(4),
    }
    seconds = time_training_passes(model, datasets, repeats=1)
    assert list(seconds) == ["short", "long"]
    assert all(0 < s < 60 for s in seconds.values())
    with pytest.raises(ValueError, match="repeats"):
        time_training_passes(model, datasets, repeats=0)
    with pytest.raises(ValueError, match="at least one dataset"):
        time_training_passes(model, {})
