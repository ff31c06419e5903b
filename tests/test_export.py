"""Tests for helpers/export.py: vectorisation equal to training, saving, loading, prediction.

Models here are tiny and untrained (random weights): the tests check the
plumbing, not accuracy.
"""

import os
import subprocess
import sys
import textwrap

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import keras  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from helpers.data import EncodedImdb, clean_review, encode_texts  # noqa: E402
from helpers.export import (  # noqa: E402
    artifact_path,
    end_to_end_model,
    one_step_at_least,
    predict_sentiment,
    repository_root,
    save_end_to_end,
)
from helpers.models import build_sequence_classifier  # noqa: E402

VOCABULARY = [
    "",
    "[UNK]",
    "the",
    "a",
    "film",
    "movie",
    "good",
    "bad",
    "not",
    "was",
    "great",
    "boring",
    "and",
    "plot",
    "acting",
    "i",
    "it",
    "is",
    "this",
    "of",
]
LENGTH = 8
TEXTS = [
    "This film was GREAT, and the acting was good!",
    "...!?",  # no word left after cleaning
    "Boring.<br /><br />The plot was not good and the acting was bad bad bad bad bad.",
]


def _tiny_end_to_end(layer="lstm", seed=0):
    keras.utils.set_random_seed(seed)
    trained = build_sequence_classifier(
        layer,
        vocab_size=len(VOCABULARY),
        embedding_dim=4,
        units=3,
        name=f"tiny_{layer}",
    )
    return end_to_end_model(
        VOCABULARY, LENGTH, trained, name=f"tiny_{layer}_end_to_end"
    )


def _vectorize(model, texts):
    layer = model.get_layer("text_vectorization")
    return np.asarray(layer(np.asarray([clean_review(t) for t in texts], dtype=object)))


@pytest.fixture(scope="module")
def model():
    return _tiny_end_to_end()


def test_in_model_vectorisation_equals_the_training_encoding(model):
    texts = TEXTS + ["unknown words zzz qqq " * 5, "a " * 30, "Good film!"]
    expected = encode_texts(texts, VOCABULARY, LENGTH, "post", "post")
    encoded = EncodedImdb(
        *(np.zeros((0, LENGTH), np.int32),) * 6,
        vocabulary=VOCABULARY,
        params=dict(sequence_length=LENGTH, padding="post", truncating="post"),
    )
    np.testing.assert_array_equal(encoded.encode(texts), expected)
    np.testing.assert_array_equal(_vectorize(model, texts), expected)
    assert (
        expected[1].tolist() == [0] * LENGTH
    )  # no word: all padding before the model's fix
    assert expected[4].tolist() == [3] * LENGTH  # long: first LENGTH tokens kept
    assert expected[5].tolist() == [6, 4] + [0] * (
        LENGTH - 2
    )  # padding after the words
    assert expected[0, 0] == 18 and expected[2, 0] == 11  # <br /> cleaned, not a token


def test_model_takes_strings_and_returns_probabilities(model):
    assert [layer.name for layer in model.layers] == [
        "review",
        "text_vectorization",
        "tiny_lstm",
    ]
    p = predict_sentiment(model, TEXTS)
    assert p.shape == (3,) and p.dtype == np.float32
    assert np.all(np.isfinite(p)) and np.all((p > 0) & (p < 1))


def test_exported_copy_has_the_trained_weights_and_is_independent():
    keras.utils.set_random_seed(1)
    trained = build_sequence_classifier(
        "gru", vocab_size=len(VOCABULARY), embedding_dim=4, units=3, name="tiny_gru"
    )
    exported = end_to_end_model(VOCABULARY, LENGTH, trained)
    ids = one_step_at_least(encode_texts(TEXTS, VOCABULARY, LENGTH))
    np.testing.assert_allclose(
        predict_sentiment(exported, TEXTS),
        trained.predict(ids, verbose=0).ravel(),
        rtol=0,
        atol=1e-6,
    )
    inner = exported.get_layer("tiny_gru")
    assert inner is not trained and getattr(inner, "optimizer", None) is None
    trained.get_layer("output").set_weights(
        [w + 1 for w in trained.get_layer("output").get_weights()]
    )
    assert not np.allclose(
        inner.get_layer("output").get_weights()[1],
        trained.get_layer("output").get_weights()[1],
    )


@pytest.mark.parametrize("text", ["", "   ", "\n\t", "<br /><br />"])
def test_empty_or_whitespace_text_is_refused_with_what_to_do(model, text):
    with pytest.raises(
        ValueError, match=r"texts \[1\] are empty or only whitespace.*Refuse such input"
    ):
        predict_sentiment(model, ["good film", text])


def test_a_text_with_no_word_reads_as_one_unknown_word(model):
    p = predict_sentiment(model, ["  ...!?  "])[0]
    unknown = model.get_layer("tiny_lstm").predict(
        np.array([[1] + [0] * (LENGTH - 1)]), verbose=0
    )
    assert np.isfinite(p) and p == pytest.approx(float(unknown[0, 0]), abs=1e-6)


def _ids_reaching_the_recurrent_layer(model, texts):
    ids = (
        model.layers[-1]._inbound_nodes[-1].input_tensors[0]
    )  # what the trained model is given
    probe = keras.Model(model.inputs, ids)
    return np.asarray(
        probe.predict(
            np.asarray([clean_review(t) for t in texts], dtype=object), verbose=0
        )
    )


@pytest.mark.parametrize("padding", ["post", "pre"])
def test_the_mask_cudnn_gets_has_a_real_step_and_is_right_padded(padding):
    """What Keras's cuDNN path asserts on a GPU (_assert_valid_mask), checked on the CPU."""
    keras.utils.set_random_seed(3)
    trained = build_sequence_classifier(
        "lstm",
        vocab_size=len(VOCABULARY),
        embedding_dim=4,
        units=3,
        name=f"mask_{padding}",
    )
    exported = end_to_end_model(
        VOCABULARY, LENGTH, trained, padding=padding, truncating=padding
    )
    texts = [
        "...",
        "!!! ???",
        "zzz qqq",
        "good",
        "the film was not good " * 9,
        "a b",
        "é ü ß 😀",
    ]
    mask = _ids_reaching_the_recurrent_layer(exported, texts) != 0
    assert mask.any(axis=1).all(), (
        "a fully masked row would stop cuDNN with InvalidArgumentError"
    )
    if (
        padding == "post"
    ):  # mask_zero models read post-padded ids: True steps first, then False
        assert all(row.tolist() == sorted(row.tolist(), reverse=True) for row in mask)
    np.testing.assert_array_equal(
        one_step_at_least(np.zeros((2, 3), np.int32), padding),
        [[1, 0, 0]] * 2 if padding == "post" else [[0, 0, 1]] * 2,
    )


def test_a_100k_word_review_is_cut_to_its_first_tokens(model):
    words = np.random.default_rng(0).choice(VOCABULARY[2:], size=100_000)
    long_review = " ".join(words)
    head = " ".join(words[:LENGTH])
    p_long, p_head = predict_sentiment(model, [long_review, head])
    assert np.isfinite(p_long)
    assert p_long == pytest.approx(p_head, abs=1e-6)


def test_line_breaks_are_cleaned_as_in_training(model):
    with_breaks, without = predict_sentiment(
        model, ["good<br />film<br/>bad", "good film bad"]
    )
    assert with_breaks == pytest.approx(without, abs=1e-6)


def test_a_bare_string_is_one_review(model):
    one = predict_sentiment(model, TEXTS[0])
    assert one.shape == (1,)
    assert one[0] == pytest.approx(predict_sentiment(model, [TEXTS[0]])[0], abs=1e-6)
    assert predict_sentiment(model, []).shape == (0,)
    assert predict_sentiment(model, np.asarray(TEXTS, dtype=object)).shape == (3,)


@pytest.mark.parametrize(
    "bad",
    [
        None,
        3,
        2.5,
        b"good film",
        ["good", None],
        ["ok", 1],
        [b"bytes"],
        np.asarray([["a", "b"]], dtype=object),
    ],
)
def test_non_string_input_raises_a_type_error_saying_what_to_pass(model, bad):
    with pytest.raises(TypeError, match="list of review strings"):
        predict_sentiment(model, bad)


def test_vocabulary_must_keep_its_reserved_entries():
    trained = build_sequence_classifier(
        "lstm", vocab_size=len(VOCABULARY), embedding_dim=4, units=3
    )
    with pytest.raises(ValueError, match="reserved entries"):
        end_to_end_model(VOCABULARY[2:], LENGTH, trained)
    with pytest.raises(ValueError, match="positive integer"):
        end_to_end_model(VOCABULARY, 0, trained)


def test_artifact_path_names_and_default_folder(tmp_path):
    assert (
        artifact_path(5, "lstm", mode="full")
        == repository_root() / "artifacts" / "05_lstm.keras"
    )
    # a quick run (CI, pytest) never replaces the full-mode model
    assert (
        artifact_path(5, "lstm", mode="quick")
        == repository_root() / "artifacts" / "quick" / "05_lstm.keras"
    )
    assert (
        artifact_path(5, "lstm", tmp_path, mode="quick") == tmp_path / "05_lstm.keras"
    )
    assert (
        artifact_path("07", "bilstm_improved", tmp_path)
        == tmp_path / "07_bilstm_improved.keras"
    )
    assert (repository_root() / "helpers" / "export.py").is_file()
    for chapter, name in [
        (5, "../x"),
        (5, ""),
        ("5", "lstm"),
        (-1, "lstm"),
        (5, "a b"),
    ]:
        with pytest.raises(ValueError):
            artifact_path(chapter, name)


def test_save_is_atomic_and_reloads_in_a_fresh_process(model, tmp_path):
    path = save_end_to_end(model, 5, "tiny", folder=tmp_path / "artifacts")
    assert path == tmp_path / "artifacts" / "05_tiny.keras" and path.is_file()
    assert path.stat().st_size < 200_000  # weights only, no optimizer state
    save_end_to_end(model, 5, "tiny", folder=tmp_path / "artifacts")  # overwrite
    assert sorted(p.name for p in path.parent.iterdir()) == [
        "05_tiny.keras"
    ]  # no temp left
    expected = predict_sentiment(model, TEXTS)
    script = textwrap.dedent("""
        import os, sys, json
        os.environ["TF_CPP_MIN_LOG_LEVEL"] = "3"
        import keras, numpy as np
        model = keras.saving.load_model(sys.argv[1])
        texts = json.loads(sys.argv[2])
        p = model.predict(np.asarray(texts, dtype=object), verbose=0).ravel()
        print(json.dumps([float(v) for v in p]))
    """)
    import json

    cleaned = [clean_review(t) for t in TEXTS]
    result = subprocess.run(
        [sys.executable, "-c", script, str(path), json.dumps(cleaned)],
        capture_output=True,
        text=True,
        timeout=300,
        env=dict(os.environ, PYTHONPATH=str(repository_root())),
    )
    assert result.returncode == 0, result.stderr[-2000:]
    reloaded = np.asarray(json.loads(result.stdout.strip().splitlines()[-1]))
    np.testing.assert_allclose(reloaded, expected, rtol=0, atol=1e-6)
    assert "optimizer" not in result.stderr  # no optimizer state to skip on loading
    # and through the helper, from the path, in this process
    np.testing.assert_allclose(
        predict_sentiment(path, TEXTS), expected, rtol=0, atol=1e-6
    )


def test_a_non_finite_score_raises_instead_of_passing_nan_on():
    keras.utils.set_random_seed(0)
    ids = keras.Input(shape=(None,), dtype="int32", name="token_ids")
    x = keras.layers.Embedding(len(VOCABULARY), 4, mask_zero=True, name="embedding")(
        ids
    )
    x = keras.layers.GlobalAveragePooling1D(name="mean")(
        x
    )  # 0/0 on an all-padding input
    trained = keras.Model(
        ids,
        keras.layers.Dense(1, activation="sigmoid", name="output")(x),
        name="mean_model",
    )
    model = end_to_end_model(VOCABULARY, LENGTH, trained)
    assert np.isfinite(predict_sentiment(model, ["good film"])).all()
    output = model.get_layer("mean_model").get_layer("output")
    output.set_weights([np.full_like(w, np.nan) for w in output.get_weights()])
    with pytest.raises(ValueError, match="non-finite score for texts \\[0, 1\\]"):
        predict_sentiment(model, ["good film", "bad film"])


def test_pre_padded_export_keeps_the_last_tokens_like_pad_sequences(tmp_path):
    """The seed model's layout (chapter 7): last tokens kept, padding before them."""
    keras.utils.set_random_seed(2)
    trained = build_sequence_classifier(
        "lstm", vocab_size=len(VOCABULARY), embedding_dim=4, units=3, name="tiny_pre"
    )
    exported = end_to_end_model(
        VOCABULARY, LENGTH, trained, padding="pre", truncating="pre"
    )
    texts = TEXTS + ["a " * 30 + "good film", "Good film!", "zzz"]
    ids = one_step_at_least(
        encode_texts(texts, VOCABULARY, LENGTH, "pre", "pre"), "pre"
    )
    assert ids[3].tolist() == [3] * (LENGTH - 2) + [6, 4] and ids[4].tolist() == [0] * (
        LENGTH - 2
    ) + [6, 4]
    expected = trained.predict(ids, verbose=0).ravel()
    np.testing.assert_allclose(
        predict_sentiment(exported, texts), expected, rtol=0, atol=1e-6
    )
    np.testing.assert_allclose(
        predict_sentiment(exported, texts[3:4]), expected[3:4], rtol=0, atol=1e-6
    )
    path = save_end_to_end(exported, 7, "tiny_pre", folder=tmp_path)
    np.testing.assert_allclose(
        predict_sentiment(path, texts), expected, rtol=0, atol=1e-6
    )


@pytest.mark.parametrize(
    "padding, truncating", [("pre", "post"), ("post", "pre"), ("left", "left")]
)
def test_unsupported_padding_pairs_are_refused(padding, truncating):
    trained = build_sequence_classifier(
        "lstm", vocab_size=len(VOCABULARY), embedding_dim=4, units=3
    )
    with pytest.raises(ValueError, match="both 'post'"):
        end_to_end_model(
            VOCABULARY, LENGTH, trained, padding=padding, truncating=truncating
        )
