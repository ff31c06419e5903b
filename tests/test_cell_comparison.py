"""Tests of helpers.cell_comparison (chapter 6)."""

import math
import time

import numpy as np
import pytest

from helpers.cell_comparison import (
    interleaved_step_seconds,
    mean_difference_noise,
    time_ratios,
)


def test_mean_difference_noise_is_the_standard_error_of_two_means():
    noise = mean_difference_noise([0.80, 0.82, 0.84], [0.70, 0.70, 0.70])
    assert math.isclose(noise.size, 0.02 / math.sqrt(3))
    assert noise.kind == "the standard error of a difference of means over 3 seeds each"
    uneven = mean_difference_noise([0.8, 0.9], [0.1, 0.2, 0.3], what="runs")
    assert math.isclose(uneven.size, math.sqrt(0.005 / 2 + 0.01 / 3))
    assert "over 2 and 3 runs" in uneven.kind
    with pytest.raises(ValueError, match="at least two"):
        mean_difference_noise([0.8], [0.7, 0.8])


class FakeModel:
    """Stands for a Keras model: each training step sleeps and is logged."""

    def __init__(self, name, seconds, log):
        self.name, self.seconds, self.log = name, seconds, log

    def train_on_batch(self, x, y):
        self.log.append(self.name)
        time.sleep(self.seconds)


def test_interleaved_timing_warms_up_alternates_and_sees_the_slower_model():
    log = []
    models = {
        "fast": FakeModel("fast", 0.001, log),
        "slow": FakeModel("slow", 0.01, log),
    }
    batches = [(None, None)] * 2
    seconds = interleaved_step_seconds(models, batches, rounds=3)
    assert [len(v) for v in seconds.values()] == [3, 3]
    # warm-up (fast, slow), then rounds in the order fast-slow, slow-fast, fast-slow
    passes = [log[i] for i in range(0, len(log), 2)]
    assert passes == ["fast", "slow", "fast", "slow", "slow", "fast", "fast", "slow"]
    ratios = time_ratios(seconds, "fast", "slow")
    assert ratios.shape == (3,) and np.all(ratios < 1)


def test_interleaved_timing_and_ratios_refuse_bad_input():
    with pytest.raises(ValueError, match="at least one model"):
        interleaved_step_seconds({}, [(None, None)])
    with pytest.raises(ValueError, match="rounds"):
        interleaved_step_seconds({"a": FakeModel("a", 0, [])}, [(None, None)], 1)
    with pytest.raises(ValueError, match="same rounds"):
        time_ratios({"a": [1.0, 2.0], "b": [1.0]}, "a", "b")
    with pytest.raises(ValueError, match="positive"):
        time_ratios({"a": [1.0, 0.0], "b": [1.0, 1.0]}, "a", "b")
