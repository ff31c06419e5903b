"""Tests of helpers.minimal_pairs: the pairs really share their words."""

import pytest

from helpers.minimal_pairs import (
    MINIMAL_PAIRS,
    pairs_fully_right,
    same_bag_of_words,
    standard_tokens,
)


def test_at_least_twenty_distinct_pairs_with_identical_bags():
    assert len(MINIMAL_PAIRS) >= 20
    assert len({p for p, n in MINIMAL_PAIRS}) == len(MINIMAL_PAIRS)
    for positive, negative in MINIMAL_PAIRS:
        assert positive != negative
        assert same_bag_of_words(positive, negative), (positive, negative)


def test_same_bag_of_words_can_fail():
    assert standard_tokens("Not good, just BAD!") == ["not", "good", "just", "bad"]
    assert not same_bag_of_words("not good", "not not good")
    assert not same_bag_of_words("good film", "bad film")


def test_pairs_fully_right():
    assert pairs_fully_right([0.9, 0.9, 0.2], [0.1, 0.7, 0.1]) == [True, False, False]
    with pytest.raises(ValueError, match="one of each"):
        pairs_fully_right([0.9], [])
