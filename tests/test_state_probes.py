"""Tests for helpers/state_probes.py: last-state copies, gradient decay, gate spread."""

import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import keras  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from helpers.gradients import input_jacobian_norms  # noqa: E402
from helpers.state_probes import (  # noqa: E402
    gate_spread,
    gradient_decay,
    last_state_copy,
)


@pytest.mark.parametrize("kind", ["SimpleRNN", "LSTM", "GRU"])
def test_last_state_copy_returns_the_last_state_with_the_same_weights(kind):
    keras.utils.set_random_seed(0)
    layer = getattr(keras.layers, kind)(
        6, return_sequences=True, return_state=True, name="rnn"
    )
    x = np.random.default_rng(0).normal(size=(2, 9, 4)).astype("float32")
    outputs = layer(x)
    copy = last_state_copy(layer)
    last = np.asarray(copy(x))
    assert last.shape == (2, 6) and copy.name == "rnn_last_state"
    np.testing.assert_allclose(last, np.asarray(outputs[0])[:, -1], atol=1e-6)
    np.testing.assert_allclose(last, np.asarray(outputs[1]), atol=1e-6)
    # the copy works with the gradient probe, the original (several outputs) does not
    assert input_jacobian_norms(copy, x).shape == (2, 9)
    with pytest.raises((AttributeError, ValueError)):
        input_jacobian_norms(layer, x)


def test_last_state_copy_refuses_what_it_cannot_copy():
    with pytest.raises(ValueError, match="not built"):
        last_state_copy(keras.layers.LSTM(3))
    backwards = keras.layers.LSTM(3, go_backwards=True)
    backwards.build((None, None, 2))
    with pytest.raises(ValueError, match="backwards"):
        last_state_copy(backwards)
    wrapped = keras.layers.Bidirectional(keras.layers.LSTM(3))
    wrapped.build((None, None, 2))
    with pytest.raises(ValueError, match="forward_layer"):
        last_state_copy(wrapped)


def test_gradient_decay_is_a_ratio_of_medians():
    norms = np.array([[2.0, 1.0, 0.1], [4.0, 1.0, 0.3], [6.0, 3.0, 0.2]])
    assert gradient_decay(norms, 0) == 1.0
    assert gradient_decay(norms, 1) == pytest.approx(1.0 / 4.0)
    assert gradient_decay(norms, 2) == pytest.approx(0.2 / 4.0)
    for bad in (-1, 3, 1.5):
        with pytest.raises(ValueError):
            gradient_decay(norms, bad)
    with pytest.raises(ValueError):
        gradient_decay(norms[0], 1)
    with pytest.raises(ValueError):
        gradient_decay(np.zeros((2, 3)), 1)


def test_gate_spread_separates_level_from_movement():
    steady = np.full((10, 4), 0.73)
    moving = 0.73 + 0.1 * np.sin(np.arange(10))[:, None] * np.ones((1, 4))
    a, b = gate_spread(steady), gate_spread(moving)
    assert a["mean"] == pytest.approx(0.73) and a["step_std"] == pytest.approx(0.0)
    assert b["step_std"] > 0.05 and b["unit_std"] == pytest.approx(0.0, abs=1e-12)
    assert b["low"] < 0.73 < b["high"]
    units_differ = np.tile(np.linspace(0.2, 0.8, 4), (10, 1))
    assert gate_spread(units_differ)["unit_std"] > 0.2
    with pytest.raises(ValueError):
        gate_spread(np.full((10, 4), 1.5))
    with pytest.raises(ValueError):
        gate_spread(np.full((1, 4), 0.5))
