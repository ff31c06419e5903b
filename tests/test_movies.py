"""Tests of helpers.movies: rare names and how much two sets of reviews share."""

import pytest

from helpers.movies import (
    name_overlap_by_label,
    neighbour_pair_counts,
    name_overlap_with_training,
    neighbour_name_overlap,
    rare_names,
)


def test_rare_names_are_capitalised_words_in_two_to_max_reviews():
    texts = [
        "Zorro and Elvira met Bob.",
        "Zorro again, with Bob",
        "only Bob here",
        "lowercase zorro",
    ]
    names = rare_names(texts, max_reviews=2)
    assert names[0] == {"Zorro"}  # Elvira occurs once, Bob in three reviews
    assert names[1] == {"Zorro"} and names[2] == set() and names[3] == set()
    assert rare_names(texts, max_reviews=3)[2] == {"Bob"}


def test_neighbour_overlap_counts_pairs_at_each_id_distance(make_reviews):
    movie_a, movie_b = "Gandalf Frodo Bilbo", "Zorro Elvira Diego"
    texts = [movie_a, movie_a, movie_b, movie_b]  # ids 0-1 one movie, ids 2-3 another
    shares = neighbour_name_overlap(
        make_reviews(texts, [1, 1, 1, 1], [0, 1, 2, 3]), gaps=(1, 2)
    )
    assert shares[1] == pytest.approx(
        2 / 3
    )  # pairs (0,1) and (2,3) of (0,1), (1,2), (2,3)
    assert shares[2] == 0.0
    labels_differ = neighbour_name_overlap(
        make_reviews(texts, [0, 1, 0, 1], [0, 0, 1, 1]), gaps=(1,)
    )
    assert labels_differ[1] == 0.0  # pairs stay within a label: (0,2) and (1,3)
    assert 0.0 <= shares["random"] <= 1.0


def test_overlap_with_training_needs_the_names_in_one_review(make_reviews):
    train = make_reviews(
        ["Gandalf Frodo Bilbo", "Zorro Elvira", "Diego"], [1, 0, 1], [0, 1, 2]
    )
    others = make_reviews(
        ["Gandalf Frodo Bilbo again", "Zorro Elvira Diego", "nothing"],
        [1, 0, 0],
        [5, 6, 7],
    )
    assert name_overlap_with_training(train, others, min_shared=3) == pytest.approx(
        1 / 3
    )
    assert name_overlap_with_training(train, others, min_shared=2) == pytest.approx(
        2 / 3
    )


def test_overlap_by_label_tells_same_label_links_from_other_label_links(make_reviews):
    train = make_reviews(
        ["Gandalf Frodo Bilbo", "Zorro Elvira Diego", "Diego"], [1, 0, 1], [0, 1, 2]
    )
    others = make_reviews(
        ["Gandalf Frodo Bilbo again", "Zorro Elvira Diego", "nothing Diego"],
        [1, 1, 0],
        [5, 6, 7],
    )
    shares = name_overlap_by_label(train, others, min_shared=3)
    # review 0 links to a positive training review (same label), review 1 only to a
    # negative one (other label), review 2 shares one name only
    assert shares["same"] == pytest.approx(1 / 3)
    assert shares["other_only"] == pytest.approx(1 / 3)
    assert shares["any"] == pytest.approx(name_overlap_with_training(train, others))
    flipped = make_reviews(others.texts, [1, 0, 0], others.ids)
    assert name_overlap_by_label(train, flipped)["other_only"] == 0.0


def test_neighbour_pair_counts_match_the_pairs_measured(make_reviews):
    reviews = make_reviews(["x"] * 5, [0, 0, 0, 1, 1], [0, 1, 3, 0, 2])
    counts = neighbour_pair_counts(reviews, gaps=(1, 2))
    assert counts == {1: 1, 2: 2, "random": 5}  # (0,1); (1,3) and (0,2) of label 1
