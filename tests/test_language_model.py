"""Tests of helpers.language_model (chapter 9): vocabulary, streams, n-grams, LSTM, generate."""

from __future__ import annotations

import json
import math
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import helpers.language_model as lm

ROOT = Path(__file__).resolve().parents[1]
TEXTS = [
    "The film (a remake) was good.",
    "A bad film, really bad!",
    "Good acting (mostly).",
] * 4


@pytest.fixture(scope="module")
def vocab():
    return lm.build_char_vocabulary(TEXTS, min_count=2)


@pytest.fixture(scope="module")
def stream(vocab):
    return lm.encode_reviews(TEXTS, vocab)


@pytest.fixture(scope="module")
def tiny_model(vocab):
    import keras

    keras.utils.set_random_seed(0)
    model = lm.build_char_lstm(
        len(vocab), units=6, embedding_dim=4, name="tiny_char_lstm"
    )
    rng = np.random.default_rng(0)
    model.set_weights(
        [
            rng.normal(scale=0.5, size=w.shape).astype("float32")
            for w in model.get_weights()
        ]
    )
    return model


@pytest.fixture(scope="module")
def saved(tiny_model, vocab, tmp_path_factory):
    folder = tmp_path_factory.mktemp("artifacts")
    return lm.save_char_lstm(tiny_model, vocab, chapter=9, name="tiny", folder=folder)


# Sizes, vocabulary, streams ------------------------------------------------ #
def test_language_model_sizes():
    full, quick = lm.language_model_sizes("full"), lm.language_model_sizes("quick")
    assert (
        quick["train_chars"] < full["train_chars"]
        and quick["updates"] < full["updates"]
    )
    full["train_chars"] = 1  # a copy: the table is not changed
    assert lm.language_model_sizes("full")["train_chars"] > 1
    with pytest.raises(ValueError):
        lm.language_model_sizes("huge")


def test_build_char_vocabulary(vocab):
    assert vocab.symbols[:2] == (lm.START, lm.UNKNOWN)
    assert " " in vocab.symbols
    counts = {c: sum(t.count(c) for t in TEXTS) for c in set("".join(TEXTS))}
    assert set(vocab.symbols[2:]) == {c for c, n in counts.items() if n >= 2}
    strict = lm.build_char_vocabulary(TEXTS, min_count=10)
    assert len(strict) < len(vocab)
    for bad in (0, -1, 1.5, True):
        with pytest.raises(ValueError, match="min_count"):
            lm.build_char_vocabulary(TEXTS, min_count=bad)
    with pytest.raises(ValueError, match="lower min_count"):
        lm.build_char_vocabulary(["ab"], min_count=5)


def test_char_vocabulary_checks_and_decodes(vocab):
    with pytest.raises(ValueError):
        lm.CharVocabulary(("a", "b", "c"))
    with pytest.raises(ValueError):
        lm.CharVocabulary((lm.START, lm.UNKNOWN, "a", "a"))
    assert vocab.decode([0, vocab.index["T"], 1]) == "\nT\ufffd"


def test_encode_text(vocab):
    ids = lm.encode_text("The ~film", vocab)
    assert ids.dtype == np.int32 and len(ids) == 9
    assert ids[4] == 1  # "~" is unknown
    assert vocab.decode(ids[:3]) == "The"
    with pytest.raises(ValueError, match="str"):
        lm.encode_text(b"bytes", vocab)


def test_encode_reviews(vocab):
    s = lm.encode_reviews(TEXTS[:2], vocab)
    assert s[0] == 0 and s[1 + len(TEXTS[0])] == 0
    assert len(s) == 2 + len(TEXTS[0]) + len(TEXTS[1])
    assert len(lm.encode_reviews(TEXTS, vocab, max_chars=40)) == 40
    shuffled = lm.encode_reviews(TEXTS[:3], vocab, seed=3)
    assert sorted(shuffled.tolist()) == sorted(
        lm.encode_reviews(TEXTS[:3], vocab).tolist()
    )
    with pytest.raises(ValueError, match="fewer than"):
        lm.encode_reviews(TEXTS[:1], vocab, max_chars=10_000)
    with pytest.raises(ValueError):
        lm.encode_reviews(TEXTS, vocab, max_chars=0)


def test_tbptt_batches_carry_each_row_on():
    s = np.arange(1000)
    x, y = lm.tbptt_batches(s, batch_size=4, window=10)
    assert x.shape == y.shape == (24, 4, 10)
    np.testing.assert_array_equal(y, x + 1)
    for j in range(4):  # row j of batch k+1 continues row j of batch k
        row = np.concatenate([x[k, j] for k in range(len(x))])
        np.testing.assert_array_equal(np.diff(row), 1)
    with pytest.raises(ValueError, match="too short"):
        lm.tbptt_batches(np.arange(20), batch_size=4, window=10)
    with pytest.raises(ValueError):
        lm.tbptt_batches(s, batch_size=0, window=10)


def test_scoring_windows_score_every_target_once():
    s = np.arange(1, 58)
    x, y, scored = lm.scoring_windows(s, length=10, warmup=4)
    assert x.shape == y.shape == scored.shape == (6, 14)
    np.testing.assert_array_equal(y[scored], s[1:])
    np.testing.assert_array_equal(x[scored], s[:-1])
    np.testing.assert_array_equal(x[1, :4], s[6:10])  # warm-up context before window 1
    with pytest.raises(ValueError):
        lm.scoring_windows(s, length=0, warmup=4)
    with pytest.raises(ValueError):
        lm.scoring_windows(s[:1], length=5, warmup=0)


# Metrics -------------------------------------------------------------------- #
def test_bits_per_char_and_perplexity():
    assert lm.bits_per_char([0.25, 0.25]) == pytest.approx(2.0)
    assert lm.perplexity(lm.bits_per_char([0.25] * 3)) == pytest.approx(4.0)
    with pytest.raises(ValueError, match="infinite"):
        lm.bits_per_char([0.5, 0.0])
    with pytest.raises(ValueError):
        lm.bits_per_char([])
    with pytest.raises(ValueError):
        lm.perplexity(-1.0)


# n-grams --------------------------------------------------------------------- #
def test_ngram_distributions_sum_to_one(vocab, stream):
    model = lm.fit_ngram_counts(stream, len(vocab), max_order=4)
    seen = [stream[i - 3 : i] for i in range(3, len(stream), 7)]
    unseen = [[vocab.index["z"] if "z" in vocab.index else 1] * 3, [1, 1, 1], []]
    for order in range(1, 5):
        assert lm.normalisation_error(model, seen + unseen, order) < 1e-12
    with pytest.raises(ValueError):
        lm.normalisation_error(model, [], 2)


def test_normalisation_error_catches_a_broken_model(vocab, stream):
    model = lm.fit_ngram_counts(stream, len(vocab), max_order=3)
    context = [stream[5:7]]
    assert lm.normalisation_error(model, context, 3) < 1e-12
    model.discount_raw[2] = 20.0  # a discount above every count breaks the sum
    assert lm.normalisation_error(model, context, 3) > 1e-3


def test_ngram_probabilities_match_the_distributions(vocab, stream):
    model = lm.fit_ngram_counts(stream, len(vocab), max_order=3)
    target = lm.encode_text("The bad film (really).", vocab)
    history = np.array([0])
    by_order = lm.ngram_probabilities_by_order(model, target, 3, history=history)
    for order in (1, 2, 3):
        p = lm.ngram_probabilities(model, target, order, history=history)
        np.testing.assert_allclose(p, by_order[order - 1])
        full = np.concatenate([history, target])
        for i in range(len(target)):
            dist = lm.ngram_distribution(model, full[: i + 1], order)
            assert p[i] == pytest.approx(dist[target[i]], rel=1e-12)
    assert lm.bits_per_char(by_order[2]) < lm.bits_per_char(by_order[0])
    close = vocab.index[")"]
    everywhere = lm.ngram_probabilities_by_order(
        model, target, 3, history, symbol=close
    )[2]
    full = np.concatenate([history, target])
    for i in range(len(target)):
        assert everywhere[i] == pytest.approx(
            lm.ngram_distribution(model, full[: i + 1], 3)[close]
        )
    with pytest.raises(ValueError, match="order"):
        lm.ngram_probabilities(model, target, 4)


def test_unigram_is_absolute_discounting_with_a_uniform_floor():
    s = np.array([0, 2, 2, 2, 3])  # counts: START 1, id 2: 3, id 3: 1, V = 5
    model = lm.fit_ngram_counts(s, vocab_size=5, max_order=1)
    d = model.discount_raw[0]
    assert d == pytest.approx(2 / (2 + 0))  # n1 = 2, n2 = 0
    dist = lm.ngram_distribution(model, [], 1)
    expected = (np.maximum(np.array([1, 0, 3, 1, 0]) - d, 0) + d * 3 / 5) / 5
    np.testing.assert_allclose(dist, expected)
    assert model.table_entries(1) == 3


def test_fit_ngram_counts_rejects_bad_input():
    with pytest.raises(ValueError, match="ids must be"):
        lm.fit_ngram_counts(np.array([0, 5]), vocab_size=5, max_order=2)
    with pytest.raises(ValueError, match="int64"):
        lm.fit_ngram_counts(np.array([0, 1]), vocab_size=1000, max_order=8)
    with pytest.raises(ValueError):
        lm.fit_ngram_counts(np.array([], np.int64), vocab_size=5, max_order=2)


# Recurrent models -------------------------------------------------------------- #
def test_numpy_steps_equal_keras_with_carried_state(tiny_model, stream):
    weights = lm.char_lstm_weights(tiny_model)
    n = weights["recurrent_kernel"].shape[0]
    h, c = np.zeros((1, n), "float32"), np.zeros((1, n), "float32")
    ours_h = ours_c = None
    for t in range(12):
        logits, h, c = (
            np.asarray(a) for a in tiny_model([stream[t : t + 1][None], h, c])
        )
        ours, ours_h, ours_c = lm.lstm_step_probabilities(
            weights, stream[t : t + 1], ours_h, ours_c
        )
        keras_p = np.exp(logits[0, 0]) / np.sum(np.exp(logits[0, 0]))
        np.testing.assert_allclose(ours[0], keras_p, rtol=1e-4, atol=1e-6)
    whole, _, _ = lm.lstm_step_probabilities(weights, stream[:12])
    np.testing.assert_allclose(whole[-1], ours[0], rtol=1e-9)
    with pytest.raises(ValueError):
        lm.lstm_step_probabilities(weights, [])


def test_lstm_is_causal_and_bilstm_reads_the_next_character(vocab, tiny_model):
    import keras

    keras.utils.set_random_seed(1)
    bi = lm.build_char_bilstm(len(vocab), units=4, embedding_dim=4, name="tiny_bilstm")
    x = np.full((1, 8), 3, np.int32)
    x_changed = x.copy()
    x_changed[0, 5] = 4  # change x_{t+1} for t = 4
    zero = np.zeros((1, 6), "float32")
    lstm_out = [np.asarray(tiny_model([a, zero, zero])[0]) for a in (x, x_changed)]
    bi_out = [np.asarray(bi(a)) for a in (x, x_changed)]
    np.testing.assert_array_equal(lstm_out[0][0, :5], lstm_out[1][0, :5])
    assert np.abs(bi_out[0][0, 4] - bi_out[1][0, 4]).max() > 1e-6


def test_window_and_stream_probabilities(tiny_model, stream):
    s = stream[:60]
    zero = np.zeros((1, 6), "float32")
    logits = np.asarray(tiny_model([s[None, :-1], zero, zero])[0][0], np.float64)
    direct = np.exp(logits - logits.max(-1, keepdims=True))
    direct = (direct / direct.sum(-1, keepdims=True))[np.arange(59), s[1:]]
    np.testing.assert_allclose(
        lm.stream_probabilities(tiny_model, s, length=100, warmup=0), direct, rtol=1e-5
    )
    assert lm.stream_probabilities(tiny_model, s, length=10, warmup=5).shape == (59,)
    windowed = lm.stream_probabilities(tiny_model, s, length=10, warmup=0)
    np.testing.assert_allclose(
        windowed[:10], direct[:10], rtol=1e-5
    )  # first window: same
    assert (
        np.abs(windowed[10:20] - direct[10:20]).max() > 1e-6
    )  # zero state at window 2
    with pytest.raises(ValueError):
        lm.window_probabilities(tiny_model, s[None], s[None], np.ones((2, 2), bool))
    dists = lm.stream_distributions(tiny_model, s, length=10, warmup=5)
    assert dists.shape == (59, tiny_model.outputs[0].shape[-1])
    np.testing.assert_allclose(
        dists[np.arange(59), s[1:]],
        lm.stream_probabilities(tiny_model, s, length=10, warmup=5),
        rtol=1e-5,
    )


def test_prefix_windows_and_last_step(tiny_model, stream):
    windows = lm.prefix_windows(stream, np.array([1, 5, 30]), context=8)
    assert windows.shape == (3, 8)
    np.testing.assert_array_equal(windows[2], stream[22:30])
    np.testing.assert_array_equal(windows[0], [0] * 7 + [stream[0]])
    p = lm.last_step_probabilities(tiny_model, windows)
    np.testing.assert_allclose(p.sum(axis=1), 1.0)
    with pytest.raises(ValueError):
        lm.prefix_windows(stream, np.array([0]), context=8)


def test_train_language_model_learns_and_keeps_the_best(vocab):
    import keras

    keras.utils.set_random_seed(2)
    s = lm.encode_reviews(["abcabcabc abc"] * 40, lm.build_char_vocabulary(["abc "], 1))
    model = lm.build_char_lstm(6, units=8, embedding_dim=4, name="learner")
    x, y = lm.tbptt_batches(s, batch_size=4, window=10)
    vx, vy, vs = lm.scoring_windows(s[:200], 50, 10)
    validate = lambda: lm.bits_per_char(lm.window_probabilities(model, vx, vy, vs))  # noqa: E731
    before = validate()
    run = lm.train_language_model(
        model, x, y, updates=60, checkpoints=3, validate=validate, learning_rate=0.02
    )
    assert len(run.val_bits) == 3 and run.updates[-1] == 60
    assert run.best_val_bits < before - 0.5
    assert validate() == pytest.approx(run.best_val_bits, abs=1e-6)
    with pytest.raises(ValueError):
        lm.train_language_model(
            model, x, y, updates=2, checkpoints=3, validate=validate
        )


# Sampling and generation ---------------------------------------------------------- #
def test_sample_numpy(tiny_model):
    weights = lm.char_lstm_weights(tiny_model)
    a = lm.sample_numpy(weights, [0], 30, temperature=1.0, seed=5)
    assert a.shape == (30,) and a.min() >= 0 and a.max() < weights["embedding"].shape[0]
    np.testing.assert_array_equal(
        a, lm.sample_numpy(weights, [0], 30, temperature=1.0, seed=5)
    )
    greedy = lm.sample_numpy(weights, [0], 10, temperature=1e-4, seed=1)
    np.testing.assert_array_equal(
        greedy, lm.sample_numpy(weights, [0], 10, top_k=1, seed=2)
    )
    probs, _, _ = lm.lstm_step_probabilities(weights, [0])
    assert greedy[0] == np.argmax(probs[0])
    assert lm.sample_numpy(weights, [0], 0).shape == (0,)


def test_sample_by_windows(vocab):
    bi = lm.build_char_bilstm(
        len(vocab), units=4, embedding_dim=4, name="tiny_bilstm_sampler"
    )
    a = lm.sample_by_windows(bi, [0, 3], 12, seed=3, context=5)
    assert a.shape == (12,)
    np.testing.assert_array_equal(
        a, lm.sample_by_windows(bi, [0, 3], 12, seed=3, context=5)
    )


@pytest.mark.parametrize(
    "kwargs, match",
    [
        (dict(prompt=42), "prompt must be a str"),
        (dict(prompt=None), "prompt must be a str"),
        (dict(length=-1), "between 0 and"),
        (dict(length=100_001), "between 0 and"),
        (dict(length=2.5), "integer"),
        (dict(temperature=0.0), "temperature"),
        (dict(temperature=-1.0), "temperature"),
        (dict(temperature=float("nan")), "temperature"),
        (dict(temperature=float("inf")), "temperature"),
        (dict(temperature="hot"), "temperature"),
    ],
)
def test_generate_rejects_bad_input(saved, kwargs, match):
    arguments = dict(prompt="The film", length=5, temperature=1.0, seed=0, path=saved)
    arguments.update(kwargs)
    with pytest.raises(ValueError, match=match):
        lm.generate(**arguments)


def test_generate_maps_unknown_characters_and_empty_prompt(saved, vocab):
    out = lm.generate("Ünïcode ☃ film", 20, 0.8, seed=1, path=saved)
    assert isinstance(out, str) and len(out) == 20
    assert len(lm.generate("", 15, 1.0, seed=1, path=saved)) == 15
    assert lm.generate("", 0, 1.0, path=saved) == ""
    assert lm.generate("The", 10, 1.0, seed=4, path=saved) == lm.generate(
        "The", 10, 1.0, seed=4, path=saved
    )


def test_saved_vocabulary_and_missing_files(saved, vocab, tmp_path):
    stored = json.loads(lm.vocabulary_path(saved).read_text(encoding="utf-8"))
    assert tuple(stored["symbols"]) == vocab.symbols
    assert lm.vocabulary_path(Path("a/09_x.keras")) == Path("a/09_x.vocab.json")
    model, loaded = lm.load_char_lstm(saved)
    assert loaded == vocab and model.name == "tiny_char_lstm"
    with pytest.raises(FileNotFoundError, match="09_language_model"):
        lm.load_char_lstm(tmp_path / "09_nothing.keras")


def test_generate_in_a_fresh_process(saved):
    here = lm.generate("A good", 25, 0.9, seed=7, path=saved)
    code = (
        "import json, sys; from helpers.language_model import generate; "
        f"print(json.dumps(generate('A good', 25, 0.9, seed=7, path={str(saved)!r})))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        env={**__import__("os").environ, "TF_CPP_MIN_LOG_LEVEL": "3"},
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert json.loads(result.stdout.strip().splitlines()[-1]) == here


# The long-range probe ------------------------------------------------------------ #
def test_open_bracket_distance():
    # ids: 0 START, 5 "(", 6 ")", 2 other
    s = np.array([0, 2, 5, 2, 2, 5, 2, 6, 2, 6, 2, 5, 0, 2])
    d = lm.open_bracket_distance(s, open_id=5, close_id=6)
    np.testing.assert_array_equal(d, [0, 0, 0, 1, 2, 3, 1, 2, 6, 7, 0, 0, 1, 0])
    assert math.isclose(float(d[9]), 9 - 2)
