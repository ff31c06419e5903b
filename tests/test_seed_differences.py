"""Tests of helpers.seed_differences (chapter 7)."""

import math

import pytest

from helpers.noise import Noise
from helpers.seed_differences import difference_word, mean_difference, step_differences


def test_mean_difference_is_the_difference_of_means_with_its_standard_error():
    difference, noise = mean_difference([0.80, 0.82, 0.84], [0.70, 0.71, 0.72])
    assert difference == pytest.approx(0.11)
    # spreads 0.02 and 0.01 over 3 seeds each
    assert noise.size == pytest.approx(math.sqrt(0.02**2 / 3 + 0.01**2 / 3))
    assert noise.kind.startswith("the standard error of a difference of two 3-seed")


def test_mean_difference_names_unequal_seed_counts():
    _, noise = mean_difference([0.8, 0.9], [0.7, 0.71, 0.72])
    assert "a 2-seed and a 3-seed mean" in noise.kind


def test_mean_difference_needs_two_finite_values_per_side():
    with pytest.raises(ValueError, match="at least two"):
        mean_difference([0.8], [0.7, 0.71])
    with pytest.raises(ValueError, match="finite"):
        mean_difference([0.8, float("nan")], [0.7, 0.71])


def test_difference_word_calls_only_outside_the_noise():
    noise = Noise(0.01, "test noise")
    assert difference_word(0.03, noise) == "higher"
    assert difference_word(-0.03, noise) == "lower"
    assert difference_word(0.015, noise) == "within noise of"
    assert difference_word(0.015, noise, factor=1.0) == "higher"
    assert difference_word(-0.05, noise, "beats", "trails", "ties") == "trails"


def test_step_differences_compares_each_row_with_the_one_above():
    rows = {
        "base": [0.80, 0.81, 0.82],
        "+ a": [0.80, 0.82, 0.81],  # the same mean: within noise
        "+ b": [0.90, 0.91, 0.92],  # ten points up, spread one point
    }
    table = step_differences(rows)
    assert [entry["row"] for entry in table] == list(rows)
    assert table[0]["change"] is None and table[0]["word"] is None
    assert table[0]["spread"] == pytest.approx(0.01)
    assert table[1]["change"] == pytest.approx(0.0)
    assert table[1]["word"] == "within noise"
    assert table[2]["change"] == pytest.approx(0.10)
    assert table[2]["word"] == "gain"
    assert step_differences({"x": [0.5, 0.6], "y": [0.2, 0.21]})[1]["word"] == "loss"
    with pytest.raises(ValueError, match="at least one row"):
        step_differences({})
