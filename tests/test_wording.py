"""Tests of helpers.wording: the words of a comparison follow its numbers."""

import pytest

from helpers.noise import Noise
from helpers.wording import compare_in_words


def test_compare_in_words_calls_a_difference_only_outside_its_noise():
    noise = Noise(0.01, "the standard error on 1,000 reviews")
    words = dict(above="higher than", below="lower than")
    assert compare_in_words(0.03, noise, **words) == "higher than"
    assert compare_in_words(-0.03, noise, **words) == "lower than"
    assert compare_in_words(0.015, noise, **words) == "within noise of"
    assert compare_in_words(0.015, noise, **words, factor=1.0) == "higher than"
    assert compare_in_words(0.0, noise, **words, within="level with") == "level with"


def test_compare_in_words_needs_a_named_noise():
    with pytest.raises(ValueError, match="which noise"):
        compare_in_words(0.1, 0.01, above="up", below="down")
