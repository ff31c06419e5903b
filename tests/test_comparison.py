"""Tests of helpers.comparison (chapter 8)."""

import math

import numpy as np
import pytest

from helpers.comparison import (
    ModelSummary,
    accuracy_by_length,
    confident_disagreements,
    load_shared_data,
    markdown_table,
    minimal_pair_counts,
    summarise_runs,
    take_rows,
    timed_predictions,
    word_counts,
)
from helpers.recipes import Recipe, RecipeRun, build_imdb_classifier


def _run(seed, val, test, name="lstm", loaded=False, parameters=100, seconds=10.0):
    return RecipeRun(
        name,
        name.upper(),
        seed,
        val,
        test,
        seconds / 2,
        seconds,
        2,
        2,
        parameters,
        loaded=loaded,
    )


# load_shared_data ----------------------------------------------------------- #
def test_recipes_with_the_same_input_share_one_load():
    calls = []

    def loader(recipe, mode):
        calls.append((recipe.name, mode))
        return object()

    data = load_shared_data(
        ["bow_unigram", "lstm", "gru", "bilstm_improved", "bilstm_tutorial"],
        mode="quick",
        loader=loader,
    )
    assert data["lstm"] is data["gru"] is data["bilstm_improved"]
    assert (
        data["bilstm_tutorial"] is not data["lstm"]
        and data["bow_unigram"] is not data["lstm"]
    )
    assert [name for name, _ in calls] == ["bow_unigram", "lstm", "bilstm_tutorial"]
    assert {mode for _, mode in calls} == {"quick"}


def test_load_shared_data_rejects_empty_repeated_and_unknown_names():
    with pytest.raises(ValueError, match="no recipes"):
        load_shared_data([], loader=lambda r, m: None)
    with pytest.raises(ValueError, match="twice"):
        load_shared_data(["lstm", "lstm"], loader=lambda r, m: None)
    with pytest.raises(KeyError, match="known recipes"):
        load_shared_data(["transformer"], loader=lambda r, m: None)


# summarise_runs --------------------------------------------------------------- #
def test_summary_averages_test_and_chooses_the_seed_on_validation():
    runs = [
        _run(1, val=0.80, test=0.90, loaded=True, seconds=10.0),
        _run(2, val=0.85, test=0.80, seconds=20.0),
        _run(3, val=0.84, test=0.85, loaded=True, seconds=30.0),
    ]
    summary = summarise_runs(runs)
    assert isinstance(summary, ModelSummary)
    assert summary.seeds == (1, 2, 3)
    assert summary.test_mean == pytest.approx(0.85)
    assert summary.test_std == pytest.approx(0.05)  # sample std (ddof=1)
    assert (
        summary.best_seed == 2
    )  # best validation, although its test accuracy is the worst
    assert (summary.loaded, summary.trained) == (2, 1)
    assert summary.train_seconds == pytest.approx(20.0)
    assert summary.seconds_per_epoch == pytest.approx(10.0)
    assert summary.parameters == 100


@pytest.mark.parametrize(
    "runs, message",
    [
        ([_run(1, 0.8, 0.8)], "at least two"),
        ([_run(1, 0.8, 0.8), _run(2, 0.8, 0.8, name="gru")], "different recipes"),
        ([_run(1, 0.8, 0.8), _run(1, 0.8, 0.8)], "seed repeated"),
        (
            [_run(1, 0.8, 0.8), _run(2, 0.8, 0.8, parameters=7)],
            "parameter counts differ",
        ),
    ],
)
def test_summary_rejects_runs_that_cannot_be_one_row(runs, message):
    with pytest.raises(ValueError, match=message):
        summarise_runs(runs)


# timed_predictions ------------------------------------------------------------ #
TINY_SEQUENCE = Recipe(
    "tiny_gru",
    "GRU",
    6,
    "gru",
    max_tokens=30,
    sequence_length=12,
    embedding_dim=4,
    units=3,
    pooling=("mean", "last"),
    batch_size=8,
)


def _token_ids(n=40, seed=0):
    rng = np.random.default_rng(seed)
    x = np.zeros((n, 12), np.int32)
    for row, length in enumerate(rng.integers(1, 13, size=n)):
        x[row, :length] = rng.integers(2, 30, size=length)
    return x


def test_timed_predictions_puts_bucketed_scores_back_in_order():
    model = build_imdb_classifier(TINY_SEQUENCE)
    x = _token_ids()
    scores, speed = timed_predictions(TINY_SEQUENCE, model, x, batch_size=7)
    expected = (
        model(x, training=False).numpy().ravel()
    )  # padded to 12, one batch, original order
    assert scores.shape == (len(x),) and scores.dtype == np.float32
    np.testing.assert_allclose(scores, expected, atol=1e-5)
    assert speed > 0 and math.isfinite(speed)


def test_timed_predictions_reads_sparse_bag_of_words():
    import tensorflow as tf

    recipe = Recipe("tiny_bow", "BoW unigram", 1, "bow", max_tokens=6, batch_size=4)
    model = build_imdb_classifier(recipe)
    dense = (np.random.default_rng(1).random((9, 6)) > 0.5).astype(np.float32)
    scores, _ = timed_predictions(
        recipe, model, tf.sparse.from_dense(dense), batch_size=4
    )
    np.testing.assert_allclose(
        scores, model.predict(dense, verbose=0).ravel(), atol=1e-6
    )


def test_timed_predictions_rejects_bad_inputs():
    model = build_imdb_classifier(TINY_SEQUENCE)
    with pytest.raises(ValueError, match="2-D"):
        timed_predictions(TINY_SEQUENCE, model, np.zeros(5, np.int32))
    with pytest.raises(ValueError, match="no reviews"):
        timed_predictions(TINY_SEQUENCE, model, np.zeros((0, 12), np.int32))
    with pytest.raises(ValueError, match="batch_size"):
        timed_predictions(TINY_SEQUENCE, model, _token_ids(), batch_size=0)


def test_take_rows_picks_rows_of_dense_and_sparse_batches_in_order():
    import tensorflow as tf

    dense = (np.random.default_rng(2).random((7, 5)) > 0.6).astype(np.float32)
    rows = [5, 0, 3]
    np.testing.assert_array_equal(take_rows(dense, rows), dense[rows])
    picked = take_rows(tf.sparse.from_dense(dense), rows)
    assert tuple(picked.shape) == (3, 5)
    np.testing.assert_array_equal(tf.sparse.to_dense(picked).numpy(), dense[rows])


# Where models differ --------------------------------------------------------- #
def test_word_counts_follow_the_standard_tokens():
    counts = word_counts(["Not bad, just good!", "", "A  film ... of films"])
    assert counts.tolist() == [4, 0, 4]
    assert counts.dtype == np.int64
    with pytest.raises(ValueError, match="not one string"):
        word_counts("one review")


def test_accuracy_by_length_buckets_are_half_open_from_below():
    counts = [10, 100, 101, 250, 900]
    labels = [1, 0, 1, 1, 0]
    probabilities = [0.9, 0.8, 0.6, 0.4, 0.1]  # right, wrong, right, wrong, right
    buckets = accuracy_by_length(
        counts, labels, probabilities, [0, 100, 200, 500, math.inf]
    )
    assert [b[0] for b in buckets] == ["1-100", "101-200", "201-500", "> 500"]
    assert [b[1] for b in buckets] == [2, 1, 1, 1]
    assert [b[2] for b in buckets] == [0.5, 1.0, 0.0, 1.0]


def test_accuracy_by_length_empty_bucket_and_errors():
    buckets = accuracy_by_length([5], [1], [0.9], [0, 10, 20])
    assert (
        buckets[0] == ("1-10", 1, 1.0)
        and buckets[1][1] == 0
        and math.isnan(buckets[1][2])
    )
    with pytest.raises(ValueError, match="strictly increasing"):
        accuracy_by_length([5], [1], [0.9], [0, 10, 10])
    with pytest.raises(ValueError, match="one value per review"):
        accuracy_by_length([5, 6], [1], [0.9], [0, 10])


def test_confident_disagreements_most_confident_first():
    bow = [0.9, 0.2, 0.6, 0.45, 0.99]
    rnn = [0.1, 0.3, 0.4, 0.55, 0.98]
    assert confident_disagreements(bow, rnn).tolist() == [
        0,
        2,
        3,
    ]  # gaps 0.8, 0.2, 0.1; 1 and 4 agree
    assert confident_disagreements(rnn, bow).tolist() == [0, 2, 3]
    with pytest.raises(ValueError, match="one value per review"):
        confident_disagreements([0.1], [0.2, 0.3])


def test_minimal_pair_counts():
    positive = [0.9, 0.7, 0.2, 0.6]
    negative = [
        0.1,
        0.8,
        0.1,
        0.5,
    ]  # pair 1 right, pair 2 half, pair 3 half, pair 4 right
    assert minimal_pair_counts(positive, negative) == (2, 6)
    assert minimal_pair_counts([0.5], [0.5]) == (0, 1)  # 0.5 is not "positive"
    with pytest.raises(ValueError):
        minimal_pair_counts([0.9], [])


# markdown_table --------------------------------------------------------------- #
def test_markdown_table():
    text = markdown_table(["model", "accuracy"], [["LSTM", "88.1%"], ["a|b", 3]])
    assert text.splitlines() == [
        "| model | accuracy |",
        "|:--|--:|",
        "| LSTM | 88.1% |",
        "| a\\|b | 3 |",
    ]
    assert (
        markdown_table(["a", "b"], [[1, 2]], align="cl").splitlines()[1] == "|:-:|:--|"
    )


@pytest.mark.parametrize(
    "header, rows, align, message",
    [
        ([], [[1]], None, "at least one column"),
        (["a"], [], None, "at least one column"),
        (["a", "b"], [[1]], None, "rows \\[0\\]"),
        (["a", "b"], [[1, 2]], "lx", "align"),
    ],
)
def test_markdown_table_errors(header, rows, align, message):
    with pytest.raises(ValueError, match=message):
        markdown_table(header, rows, align)
