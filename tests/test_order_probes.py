"""Tests of helpers.order_probes (chapter 8)."""

from collections import Counter

import numpy as np
import pytest

from helpers.minimal_pairs import standard_tokens
from helpers.order_probes import (
    choose_weight,
    first_words,
    last_sentence,
    mix_probabilities,
    pair_sides,
    seed_difference_noise,
    shuffled_words,
    unique_text_indices,
)


def test_shuffled_words_keep_the_tokens_and_follow_the_seed():
    texts = ["Not bad,<br />just GOOD. really good!", "one", ""]
    first, again = shuffled_words(texts, seed=3), shuffled_words(texts, seed=3)
    assert first == again
    for text, shuffled in zip(texts, first):
        assert Counter(standard_tokens(shuffled)) == Counter(
            standard_tokens(text.replace("<br />", " "))
        )
    # a no-break space does not split a word (TextVectorization splits on ASCII space)
    assert shuffled_words(["caf\xa0noir"], seed=0) == ["caf\xa0noir"]
    many = "a b c d e f g h i j k l"
    orders = {shuffled_words([many], seed=s)[0] for s in range(5)}
    assert len(orders) > 1  # the order does change
    with pytest.raises(ValueError, match="not one string"):
        shuffled_words("a review", seed=0)


def test_first_words_and_last_sentence():
    text = "It starts slow.<br />The middle drags! But the end? Wonderful. :-)"
    assert first_words([text], 3) == ["It starts slow."]
    assert first_words(["short"], 20) == ["short"]
    assert last_sentence([text]) == ["Wonderful."]
    assert last_sentence(["no ends at all here"], max_words=2) == ["all here"]
    assert last_sentence([":-)"]) == [":-)"]  # nothing worded: kept as it is
    with pytest.raises(ValueError, match="positive integer"):
        first_words([text], 0)
    with pytest.raises(ValueError, match="positive integer"):
        last_sentence([text], max_words=0)


def test_mix_and_choose_weight_on_validation():
    np.testing.assert_allclose(
        mix_probabilities([1.0, 0.0], [0.0, 1.0], 0.25), [0.25, 0.75]
    )
    labels = np.array([1, 1, 0, 0])
    good, bad = np.array([0.9, 0.8, 0.2, 0.1]), np.array([0.1, 0.2, 0.8, 0.9])
    # every weight above 0.5 is right on all four: the one closest to 0.5 wins
    assert choose_weight(good, bad, labels) == (0.55, 1.0)
    assert choose_weight(bad, good, labels) == (0.45, 1.0)
    only_good = np.array([0.9, 0.6, 0.4, 0.1]), np.array([0.0, 0.0, 1.0, 1.0])
    assert choose_weight(*only_good, labels) == (pytest.approx(0.85), 1.0)
    assert choose_weight(*only_good, labels, weights=[0.0, 0.9]) == (0.9, 1.0)
    # equal on every weight: the tie goes to the weight closest to 0.5
    assert choose_weight(good, good, labels)[0] == 0.5
    with pytest.raises(ValueError, match="weight"):
        mix_probabilities(good, bad, 1.5)
    with pytest.raises(ValueError, match="shapes"):
        mix_probabilities(good, bad[:2], 0.5)
    with pytest.raises(ValueError, match="labels"):
        choose_weight(good, bad, labels[:3])


def test_unique_text_indices_keep_first_occurrences():
    np.testing.assert_array_equal(
        unique_text_indices(["a", "b", "a", "c", "b"]), [0, 1, 3]
    )
    with pytest.raises(ValueError, match="not one string"):
        unique_text_indices("abc")


def test_pair_sides_add_up_to_the_pairs():
    sides = pair_sides([0.9, 0.9, 0.1, 0.2], [0.1, 0.8, 0.9, 0.3])
    assert sides == {"right": 1, "reversed": 1, "same_side": 2}
    with pytest.raises(ValueError, match="positive and"):
        pair_sides([0.9], [0.1, 0.2])


def test_seed_difference_noise_combines_the_spreads():
    noise = seed_difference_noise([0.1, 0.3], [0.5, 0.5, 0.5])
    assert noise.size == pytest.approx(np.std([0.1, 0.3], ddof=1))
    assert noise.kind == "the spread over 2 and 3 seeds of both models"
    assert seed_difference_noise([1, 2], [3, 5]).size == pytest.approx(
        np.hypot(0.5**0.5, 2**0.5)
    )
    with pytest.raises(ValueError, match="at least two"):
        seed_difference_noise([0.1], [0.2, 0.3])
