"""Tests of helpers.seed_differences (chapter 7)."""

import math

import pytest

from helpers.noise import Noise
from helpers.seed_differences import difference_word, mean_difference


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
