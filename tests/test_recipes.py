"""Tests of helpers.recipes: the models, the records, the text inputs."""

import numpy as np
import pytest

from helpers import recipes
from helpers.recipes import (
    RECIPES,
    Recipe,
    RecipeData,
    build_imdb_classifier,
    get_recipe,
    predict_reviews,
    recipe_batches,
    recipe_fingerprint,
    recipe_inputs,
    recipe_seeds,
    run_recipe,
    run_recipe_seeds,
)

TINY = Recipe(
    "tiny_lstm",
    "LSTM",
    5,
    "lstm",
    max_tokens=30,
    sequence_length=12,
    embedding_dim=4,
    units=3,
    pooling=("mean", "max", "last"),
    embedding_dropout=0.1,
    dropout=0.1,
    learning_rate=1e-2,
    decay_per_epoch=0.5,
    batch_size=8,
    epochs=2,
    patience=1,
)


def tiny_data(seed=0, n=48):
    rng = np.random.default_rng(seed)
    lengths = rng.integers(1, 13, size=n)
    x = np.zeros((n, 12), np.int32)
    for row, length in enumerate(lengths):
        x[row, :length] = rng.integers(2, 30, size=length)
    y = (x[:, 0] % 2).astype(np.int64)
    vocabulary = ["", "[UNK]"] + [f"w{i}" for i in range(2, 30)]
    return RecipeData(x, y, x[:16], y[:16], x[16:32], y[16:32], vocabulary)


def test_every_recipe_is_known_and_unknown_names_are_listed():
    assert list(RECIPES)[:2] == ["bow_unigram", "bow_bigram"]
    assert get_recipe("lstm") is RECIPES["lstm"]
    assert get_recipe(TINY) is TINY
    with pytest.raises(KeyError, match="known recipes: bow_unigram"):
        get_recipe("transformer")


def test_recipe_seeds_follow_the_mode(monkeypatch):
    assert recipe_seeds("full") == (1, 2, 3)
    assert recipe_seeds("quick") == (1, 2)
    monkeypatch.setenv("BOOK_MODE", "quick")
    assert recipe_seeds() == (1, 2)
    with pytest.raises(ValueError, match="unknown mode"):
        recipe_seeds("fast")


def test_every_recipe_lets_validation_pick_the_epoch():
    # chapter 8 compares the models under one rule: early stopping on validation, best weights restored
    assert {
        name: recipe.patience
        for name, recipe in RECIPES.items()
        if recipe.patience is None
    } == {}


def test_run_recipe_seeds_runs_every_seed_of_the_mode_then_loads_them(tmp_path):
    data = tiny_data()
    runs = run_recipe_seeds(TINY, data=data, mode="quick", folder=tmp_path)
    assert [run.seed for run in runs] == list(recipe_seeds("quick")) and not any(
        run.loaded for run in runs
    )
    again = run_recipe_seeds(TINY, data=data, mode="quick", folder=tmp_path)
    assert all(run.loaded for run in again)
    assert [run.val_accuracy for run in again] == [run.val_accuracy for run in runs]


@pytest.mark.parametrize("name", [n for n in RECIPES if RECIPES[n].cell != "bow"])
def test_sequence_models_ignore_padding_when_masked(name):
    recipe = RECIPES[name].replace(max_tokens=50, embedding_dim=4, units=3)
    model = build_imdb_classifier(recipe, steps_per_epoch=3)
    assert model.name == recipe.name
    x = np.array([[5, 6, 7, 0, 0, 0], [9, 0, 0, 0, 0, 0]], np.int32)
    full, trimmed = (
        model(x, training=False).numpy(),
        model(x[:, :3], training=False).numpy(),
    )
    assert full.shape == (2, 1) and np.all((full > 0) & (full < 1))
    if recipe.mask_zero:
        np.testing.assert_allclose(full, trimmed, atol=1e-6)


@pytest.mark.parametrize("name", ["simple_rnn", "lstm", "gru", "bilstm_improved"])
def test_an_empty_review_pools_to_zeros_not_nan(name):
    recipe = RECIPES[name].replace(max_tokens=50, embedding_dim=4, units=3)
    model = build_imdb_classifier(recipe)
    p = model(np.zeros((1, 5), np.int32), training=False).numpy()
    assert np.isfinite(p).all()


def test_bow_recipe_is_a_logistic_regression():
    recipe = RECIPES["bow_unigram"].replace(max_tokens=40)
    model = build_imdb_classifier(recipe)
    assert model.count_params() == 41


@pytest.mark.parametrize(
    "change, message",
    [
        (dict(cell="transformer"), "unknown cell"),
        (dict(pooling=("median",)), "pooling must be"),
        (dict(pooling=()), "pooling must be"),
    ],
)
def test_bad_recipes_raise_clear_errors(change, message):
    with pytest.raises(ValueError, match=message):
        build_imdb_classifier(TINY.replace(**change))


def test_steps_per_epoch_must_be_positive():
    with pytest.raises(ValueError, match="steps_per_epoch"):
        build_imdb_classifier(TINY, steps_per_epoch=0)


def test_fingerprint_changes_with_seed_recipe_and_mode():
    base = recipe_fingerprint(TINY, 1, "quick")
    assert base == recipe_fingerprint(TINY, 1, "quick")
    assert base != recipe_fingerprint(TINY, 2, "quick")
    assert base != recipe_fingerprint(TINY.replace(units=4), 1, "quick")
    assert base != recipe_fingerprint(TINY, 1, "full")


def test_unbucketed_batches_have_the_recipe_batch_size():
    data = tiny_data()
    batches = recipe_batches(
        TINY.replace(bucketed=False), data.x_train, data.y_train, shuffle=True, seed=1
    )
    x, y = next(iter(batches))
    assert tuple(x.shape) == (8, 12) and y.dtype.name == "float32"


def test_run_recipe_records_then_loads_the_same_model(tmp_path):
    data = tiny_data()
    model, run = run_recipe(TINY, seed=3, data=data, mode="quick", folder=tmp_path)
    assert not run.loaded and 1 <= run.best_epoch <= run.epochs_run <= 2
    assert 0 <= run.test_accuracy <= 1 and run.parameters == model.count_params()
    assert sorted(p.suffix for p in tmp_path.iterdir()) == [".json", ".keras"]
    again, recorded = run_recipe(TINY, seed=3, data=data, mode="quick", folder=tmp_path)
    assert recorded.loaded and recorded.val_accuracy == run.val_accuracy
    assert (
        recorded.test_accuracy == run.test_accuracy
        and recorded.fingerprint == run.fingerprint
    )
    np.testing.assert_allclose(
        again.predict(data.x_test, verbose=0),
        model.predict(data.x_test, verbose=0),
        atol=1e-6,
    )
    # the recorded test probabilities are the model's, in the order of x_test, and give its accuracy
    assert (
        recorded.test_probabilities == run.test_probabilities
        and len(run.test_probabilities) == 16
    )
    direct = model.predict(
        data.x_test, verbose=0
    ).ravel()  # one padded batch, original order
    np.testing.assert_allclose(run.test_probabilities, direct, atol=1e-5)
    assert run.test_accuracy == pytest.approx(
        np.mean((direct > 0.5) == (data.y_test == 1))
    )
    assert "test_probabilities" not in repr(
        run
    )  # 25,000 numbers stay out of printed runs


def test_a_run_does_not_depend_on_what_the_process_did_before(tmp_path):
    import tensorflow as tf

    unbucketed = TINY.replace(
        name="tiny_unbucketed", bucketed=False
    )  # batches from a tf.data shuffle
    data = tiny_data()
    histories = []
    for earlier_seed in (
        1234,
        7,
    ):  # a chapter's seed, or the seed an earlier run left behind
        tf.random.set_seed(earlier_seed)
        _, run = run_recipe(
            unbucketed,
            seed=2,
            data=data,
            mode="quick",
            folder=tmp_path / str(earlier_seed),
        )
        histories.append(run.history)
    assert histories[0] == histories[1]


def test_a_damaged_record_is_retrained_not_trusted(tmp_path, monkeypatch):
    monkeypatch.setattr(recipes, "records_folder", lambda mode=None: tmp_path)
    data = tiny_data()
    run_recipe(TINY, seed=4, data=data, mode="quick")
    for path in tmp_path.glob("*.json"):
        path.write_text("{not json")
    _, run = run_recipe(TINY, seed=4, data=data, mode="quick")
    assert not run.loaded


def test_recipe_inputs_encode_text_like_training():
    vocabulary = ["", "[UNK]", "good", "film", "not"]
    x = recipe_inputs(TINY, vocabulary, ["Not a good<br />film", "", "?!"])
    assert x.shape == (3, 12)
    assert list(x[0, :5]) == [4, 1, 2, 3, 0]
    assert (
        x[1].tolist() == x[2].tolist() == [1] + [0] * 11
    )  # no word: one unknown word, never all padding


def test_the_seed_recipe_pads_and_cuts_like_pad_sequences():
    seed = RECIPES["bilstm_tutorial"]
    assert (seed.padding, seed.truncating, seed.bucketed) == ("pre", "pre", False)
    vocabulary = ["", "[UNK]", "good", "film", "not"]
    x = recipe_inputs(
        seed.replace(sequence_length=4),
        vocabulary,
        ["good film", "not good not good film"],
    )
    assert x.tolist() == [[0, 0, 2, 3], [2, 4, 2, 3]]


@pytest.mark.parametrize(
    "change, message",
    [
        (dict(padding="left"), "padding must be"),
        (dict(truncating="middle"), "truncating must be"),
        (dict(padding="pre", bucketed=True), "needs padding='post'"),
    ],
)
def test_bad_padding_is_refused_when_the_recipe_is_made(change, message):
    with pytest.raises(ValueError, match=message):
        TINY.replace(**change)


def test_recipe_inputs_for_bag_of_words_are_multi_hot():
    recipe = RECIPES["bow_bigram"]
    x = recipe_inputs(recipe, ["[UNK]", "good", "not", "not good"], ["not good", ""])
    import tensorflow as tf

    dense = tf.sparse.to_dense(x).numpy()
    assert dense.shape == (2, 4)
    assert list(dense[0]) == [0, 1, 1, 1] and not dense[1].any()


@pytest.mark.parametrize(
    "texts, message", [("one review", "not one string"), ([1, "a"], "must be a str")]
)
def test_recipe_inputs_reject_bad_input(texts, message):
    with pytest.raises(ValueError, match=message):
        recipe_inputs(TINY, ["", "[UNK]"], texts)


def test_predict_reviews_returns_one_probability_per_review():
    model = build_imdb_classifier(TINY)
    p = predict_reviews(TINY, model, ["", "[UNK]", "good"], ["good", "?!", "x " * 500])
    assert p.shape == (3,) and np.isfinite(p).all()
    assert predict_reviews(TINY, model, ["", "[UNK]"], []).shape == (0,)
    with pytest.raises(ValueError, match=r"texts \[1\] are empty or only whitespace"):
        predict_reviews(TINY, model, ["", "[UNK]", "good"], ["good", " "])


def test_a_variant_run_without_test_is_tested_once_when_it_becomes_final(tmp_path):
    data = tiny_data(seed=5)
    _, variant = run_recipe(
        TINY, seed=6, data=data, mode="quick", folder=tmp_path, evaluate_test=False
    )
    assert variant.test_accuracy is None and not variant.loaded
    model, final = run_recipe(TINY, seed=6, data=data, mode="quick", folder=tmp_path)
    assert final.loaded and final.val_accuracy == variant.val_accuracy
    assert final.test_accuracy == pytest.approx(
        model.evaluate(data.x_test, data.y_test, verbose=0)[1], abs=1e-6
    )
    assert variant.test_probabilities is None and len(final.test_probabilities) == len(
        data.y_test
    )
    _, again = run_recipe(
        TINY, seed=6, data=data, mode="quick", folder=tmp_path, evaluate_test=False
    )
    assert again.loaded and again.test_accuracy == final.test_accuracy
