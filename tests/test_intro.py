"""The introduction's sentences about chapter 8's results hold of its stored numbers.

``book/intro.md`` is plain Markdown: it cannot glue chapter 8's numbers, so a
re-execution of chapter 8 that turned its findings around would leave the
introduction saying the opposite. These checks read the stored chapter.
"""

from pathlib import Path

from helpers.records import stored_glue

CHAPTER_8 = Path(__file__).resolve().parent.parent / "notebooks" / "08_comparison.ipynb"
INTRO = CHAPTER_8.parent.parent / "book" / "intro.md"


def _glued(key):
    return stored_glue(CHAPTER_8, key)


def test_the_intro_still_makes_the_claims_checked_here():
    text = " ".join(INTRO.read_text(encoding="utf-8").split())
    assert "none of them beats even a unigram bag of words" in text
    assert "they lose accuracy when a review's words are shuffled" in text
    assert "they get only a few right" in text


def test_no_order_aware_model_beats_the_unigram_bag_beyond_the_seed_spread():
    assert _glued("ch8_above_bow_unigram") == 0


def test_every_order_aware_model_loses_accuracy_on_shuffled_words():
    assert _glued("ch8_order_losers_text").startswith("All ")
    assert _glued("ch8_order_loss_least_points") > 0


def test_the_order_aware_models_get_only_a_few_minimal_pairs_right():
    assert _glued("ch8_pairs_best") <= _glued("ch8_n_pairs") / 4
