"""Tests for helpers/long_range.py: the synthetic long-range task and its models."""

import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import numpy as np  # noqa: E402
import pytest  # noqa: E402

from helpers.long_range import (  # noqa: E402
    FIRST_NOISE_TOKEN,
    SIGNAL_TOKENS,
    build_long_range_classifier,
    build_long_range_variant,
    chrono_lstm_bias,
    fit_long_range,
    fit_long_range_variant,
    long_range_labels,
    long_range_sizes,
    make_long_range_task,
)


@pytest.mark.parametrize("distance", [1, 5, 50])
def test_shapes_dtypes_and_token_ranges(distance):
    x, y = make_long_range_task(300, distance, vocab_size=12, seed=3)
    assert x.shape == (300, distance + 1) and y.shape == (300,)
    assert x.dtype == np.int32 and y.dtype == np.int32
    assert set(np.unique(y)) == {0, 1}
    assert np.isin(x[:, 0], SIGNAL_TOKENS).all()
    assert ((x[:, 1:] >= FIRST_NOISE_TOKEN) & (x[:, 1:] < 12)).all()
    assert not (x == 0).any()


def test_same_seed_same_data_other_seed_other_data():
    a = make_long_range_task(50, 10, seed=1)
    b = make_long_range_task(50, 10, seed=1)
    c = make_long_range_task(50, 10, seed=2)
    np.testing.assert_array_equal(a[0], b[0])
    np.testing.assert_array_equal(a[1], b[1])
    assert not np.array_equal(a[0], c[0])


def test_labels_roughly_balanced():
    _, y = make_long_range_task(4000, 5, seed=0)
    assert abs(y.mean() - 0.5) < 0.03


def test_label_is_the_token_at_distance_T():
    x, y = make_long_range_task(200, 20, seed=5)
    np.testing.assert_array_equal(long_range_labels(x, 20), y)
    np.testing.assert_array_equal(y, x[:, -21] - 1)


def test_changing_the_signal_flips_the_label():
    x, y = make_long_range_task(100, 20, seed=5)
    flipped = x.copy()
    flipped[:, 0] = SIGNAL_TOKENS[0] + SIGNAL_TOKENS[1] - flipped[:, 0]
    np.testing.assert_array_equal(long_range_labels(flipped, 20), 1 - y)


def test_changing_the_noise_changes_no_label():
    x, y = make_long_range_task(100, 20, seed=5)
    rng = np.random.default_rng(9)
    noisy = x.copy()
    noisy[:, 1:] = rng.integers(FIRST_NOISE_TOKEN, 12, size=noisy[:, 1:].shape)
    np.testing.assert_array_equal(long_range_labels(noisy, 20), y)
    # the noise is independent of the label: the noise tokens alone predict nothing
    mean_noise = x[:, 1:].mean(axis=1)
    assert abs(np.corrcoef(mean_noise, y)[0, 1]) < 0.3


@pytest.mark.parametrize(
    "kwargs",
    [
        dict(n_samples=0, distance=5),
        dict(n_samples=10, distance=0),
        dict(n_samples=10, distance=5, vocab_size=3),
        dict(n_samples=2.5, distance=5),
    ],
)
def test_bad_arguments_raise(kwargs):
    with pytest.raises(ValueError):
        make_long_range_task(**kwargs)


def test_labels_reject_bad_input():
    x, _ = make_long_range_task(10, 5, seed=0)
    with pytest.raises(ValueError):
        long_range_labels(x, 6)  # sequence too short
    with pytest.raises(ValueError):
        long_range_labels(x, 3)  # a noise token at that position
    with pytest.raises(ValueError):
        long_range_labels(x[0], 5)  # not 2-D


def test_chrono_bias_layout():
    bias = chrono_lstm_bias(16, 200, seed=0)
    i, f, c, o = np.split(bias, 4)
    assert bias.shape == (64,) and bias.dtype == np.float32
    assert (f >= 0).all() and (f <= np.log(199) + 1e-6).all()
    np.testing.assert_allclose(i, -f)
    assert not c.any() and not o.any()
    np.testing.assert_array_equal(bias, chrono_lstm_bias(16, 200, seed=0))
    with pytest.raises(ValueError):
        chrono_lstm_bias(16, 2)


def test_sizes_per_mode():
    full, quick = long_range_sizes("full"), long_range_sizes("quick")
    assert set(full) == {"n_train", "n_val", "n_test", "epochs"}
    assert quick["n_train"] < full["n_train"] and quick["epochs"] <= full["epochs"]


def test_classifier_weights_and_names():
    model = build_long_range_classifier("lstm", units=8, max_distance=50, seed=0)
    assert model.name == "lstm_long_range"
    assert [layer.name for layer in model.layers][1:] == ["embedding", "rnn", "output"]
    np.testing.assert_allclose(
        model.get_layer("rnn").get_weights()[2], chrono_lstm_bias(8, 50, seed=0)
    )
    embedding = model.get_layer("embedding").get_weights()[0]
    assert 0.5 < embedding.std() < 1.5  # unit scale, not U(-0.05, 0.05)
    assert model.predict(make_long_range_task(4, 10)[0], verbose=0).shape == (4, 1)


def test_fit_learns_a_short_distance():
    run = fit_long_range(
        "simple_rnn", 3, n_train=512, n_val=128, n_test=128, epochs=3, seed=0
    )
    assert run.layer == "simple_rnn" and run.distance == 3 and 1 <= run.epochs_run <= 3
    assert run.test_accuracy > 0.9


@pytest.mark.parametrize("layer", ["simple_rnn", "lstm"])
def test_variant_with_unit_embedding_and_chrono_equals_the_classifier(layer):
    import keras

    keras.utils.set_random_seed(5)
    old = build_long_range_classifier(layer, units=8, seed=5)
    keras.utils.set_random_seed(5)
    new = build_long_range_variant(
        layer, "unit", "chrono" if layer == "lstm" else "keras", units=8, seed=5
    )
    for a, b in zip(old.get_weights(), new.get_weights()):
        np.testing.assert_array_equal(a, b)


def test_variant_keras_init_keeps_keras_defaults():
    model = build_long_range_variant("lstm", units=8, seed=0)
    embedding = model.get_layer("embedding").get_weights()[0]
    assert np.abs(embedding).max() <= 0.05  # Keras's U(-0.05, 0.05)
    bias = model.get_layer("rnn").get_weights()[2]
    np.testing.assert_array_equal(bias[8:16], np.ones(8))  # unit_forget_bias
    np.testing.assert_array_equal(np.delete(bias, np.s_[8:16]), np.zeros(24))


def test_variant_rejects_bad_initialisations():
    with pytest.raises(ValueError, match="embedding"):
        build_long_range_variant("lstm", embedding="large")
    with pytest.raises(ValueError, match="forget_bias"):
        build_long_range_variant("lstm", forget_bias="open")
    with pytest.raises(ValueError, match="only an LSTM"):
        build_long_range_variant("simple_rnn", forget_bias="chrono")


def test_fit_variant_learns_a_short_distance_and_matches_fit_long_range():
    sizes = dict(n_train=512, n_val=128, n_test=128, epochs=2)
    run = fit_long_range_variant("simple_rnn", 3, seed=0, embedding="unit", **sizes)
    same = fit_long_range("simple_rnn", 3, seed=0, **sizes)
    assert run.layer == "simple_rnn" and run.distance == 3
    assert run.test_accuracy > 0.9
    assert (run.val_accuracy, run.test_accuracy, run.epochs_run) == (
        same.val_accuracy,
        same.test_accuracy,
        same.epochs_run,
    )
