"""Tests of helpers.ngram_bags: which pairs of texts bigrams can tell apart."""

import pytest

from helpers.ngram_bags import ngram_bag, same_ngram_bag


def test_ngram_bag_counts_words_and_adjacent_pairs_without_punctuation():
    bag = ngram_bag("Not bad, just good!", 2)
    assert bag == {
        "not": 1, "bad": 1, "just": 1, "good": 1,
        "not bad": 1, "bad just": 1, "just good": 1,
    }  # fmt: skip
    assert ngram_bag("a a a", 1) == {"a": 3}
    with pytest.raises(ValueError, match="positive integer"):
        ngram_bag("a", 0)


def test_bigrams_separate_a_swap_but_not_one_in_equal_contexts():
    assert not same_ngram_bag("not bad, just good", "not good, just bad")
    assert same_ngram_bag("not bad, just good", "not good, just bad", n=1)
    assert same_ngram_bag("a b a c a", "a c a b a")  # b and c sit between two a's
    assert not same_ngram_bag("a b a c a", "a c a b a", n=3)
    assert same_ngram_bag(
        "i hated it at first but then i loved it",
        "i loved it at first but then i hated it",
    )
    assert same_ngram_bag(  # the pair of chapter 1's exercise solution
        "the first half bored me but the second half moved me",
        "the first half moved me but the second half bored me",
    )
