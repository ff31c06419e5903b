"""Tests for helpers/scratch.py: the NumPy layers must equal the Keras layers.

Every comparison copies random weights into a real Keras 3 layer with
``set_weights`` and checks the NumPy output against the layer's output.
"""

import ast
import os
import warnings
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import keras  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
import tensorflow as tf  # noqa: E402

from helpers.bptt import finite_difference_gradients  # noqa: E402
from helpers import scratch  # noqa: E402
from helpers.scratch import (  # noqa: E402
    bidirectional_forward,
    gru_forward,
    lstm_forward,
    rnn_backward,
    rnn_forward,
)

keras.utils.set_random_seed(0)

# Tolerance of NumPy vs a float32 Keras layer (float32 round-off only).
RTOL = 1e-5
ATOL = 1e-5
# Tolerance of NumPy float64 vs a float64 Keras layer.
RTOL64 = 1e-10
ATOL64 = 1e-12
# Finite-difference check of rnn_backward (float64, central differences).
FD_EPS = 1e-6
FD_MAX_REL_ERR = 1e-6
# Scale of the random weights (keeps the gates away from saturation).
WEIGHT_SCALE = 0.5

# (batch, time, features, units): batch 1, time 1, features != units, d=1.
SHAPES = [(1, 1, 3, 2), (2, 7, 5, 4), (3, 4, 1, 6)]
SHAPE_IDS = ["b{}-t{}-d{}-n{}".format(*s) for s in SHAPES]
CELLS = ["rnn", "lstm", "gru"]
MERGE_MODES = ["concat", "sum", "mul", "ave"]


# --------------------------------------------------------------------------
# helpers
# --------------------------------------------------------------------------
@pytest.fixture
def rng():
    return np.random.default_rng(0)


def _keras_rnn(cell, units, features, time, dtype="float32", **kwargs):
    """A built Keras SimpleRNN / LSTM / GRU layer with an explicit name."""
    cls = {
        "rnn": keras.layers.SimpleRNN,
        "lstm": keras.layers.LSTM,
        "gru": keras.layers.GRU,
    }[cell]
    kwargs.setdefault("return_sequences", True)
    layer = cls(units, name=f"{cell}_reference", dtype=dtype, **kwargs)
    layer.build((None, time, features))
    return layer


def _randomize(layer, rng):
    """Random normal weights (scaled) copied into the layer; returns them."""
    weights = [
        (WEIGHT_SCALE * rng.standard_normal(w.shape)).astype(w.dtype)
        for w in layer.get_weights()
    ]
    layer.set_weights(weights)
    return weights


def _inputs(rng, batch, time, features, dtype="float32"):
    return rng.standard_normal((batch, time, features)).astype(dtype)


def _swap_blocks(weights, units, a, b):
    """Swap gate blocks a and b (last axis) in every fused weight array."""
    out = []
    for w in weights:
        w = w.copy()
        sa = slice(a * units, (a + 1) * units)
        sb = slice(b * units, (b + 1) * units)
        w[..., sa], w[..., sb] = w[..., sb].copy(), w[..., sa].copy()
        out.append(w)
    return out


# --------------------------------------------------------------------------
# Forward passes vs Keras
# --------------------------------------------------------------------------
@pytest.mark.parametrize("shape", SHAPES, ids=SHAPE_IDS)
def test_rnn_forward_matches_keras(shape, rng):
    batch, time, features, units = shape
    layer = _keras_rnn("rnn", units, features, time)
    weights = _randomize(layer, rng)
    x = _inputs(rng, batch, time, features)
    h0 = (0.5 * rng.standard_normal((batch, units))).astype("float32")

    h_seq = rnn_forward(x, *weights)
    assert h_seq.shape == (batch, time, units)
    np.testing.assert_allclose(h_seq, np.asarray(layer(x)), rtol=RTOL, atol=ATOL)
    np.testing.assert_allclose(
        rnn_forward(x, *weights, h0=h0),
        np.asarray(layer(x, initial_state=[h0])),
        rtol=RTOL,
        atol=ATOL,
    )


@pytest.mark.parametrize("shape", SHAPES, ids=SHAPE_IDS)
def test_lstm_forward_matches_keras(shape, rng):
    batch, time, features, units = shape
    layer = _keras_rnn("lstm", units, features, time, return_state=True)
    weights = _randomize(layer, rng)
    x = _inputs(rng, batch, time, features)

    h_seq, c_seq = lstm_forward(x, *weights)
    keras_seq, keras_h, keras_c = (np.asarray(a) for a in layer(x))
    assert h_seq.shape == c_seq.shape == (batch, time, units)
    np.testing.assert_allclose(h_seq, keras_seq, rtol=RTOL, atol=ATOL)
    np.testing.assert_allclose(c_seq[:, -1], keras_c, rtol=RTOL, atol=ATOL)

    h0, c0 = (0.5 * rng.standard_normal((2, batch, units))).astype("float32")
    keras_seq, _, keras_c = (np.asarray(a) for a in layer(x, initial_state=[h0, c0]))
    h_seq, c_seq = lstm_forward(x, *weights, h0=h0, c0=c0)
    np.testing.assert_allclose(h_seq, keras_seq, rtol=RTOL, atol=ATOL)
    np.testing.assert_allclose(c_seq[:, -1], keras_c, rtol=RTOL, atol=ATOL)


def test_lstm_return_gates_are_consistent(rng):
    batch, time, features, units = 2, 6, 3, 5
    kernel, recurrent_kernel, bias = (
        WEIGHT_SCALE * rng.standard_normal(s)
        for s in [(features, 4 * units), (units, 4 * units), (4 * units,)]
    )
    x = _inputs(rng, batch, time, features, "float64")
    h_seq, c_seq, gates = lstm_forward(
        x, kernel, recurrent_kernel, bias, return_gates=True
    )
    h_plain, c_plain = lstm_forward(x, kernel, recurrent_kernel, bias)
    np.testing.assert_array_equal(h_seq, h_plain)
    np.testing.assert_array_equal(c_seq, c_plain)
    assert set(gates) == {"input", "forget", "output", "candidate"}
    for name, g in gates.items():
        assert g.shape == (batch, time, units) and g.dtype == np.float64
        lo = -1 if name == "candidate" else 0
        assert np.all((g > lo) & (g < 1)), name
    c_prev = np.concatenate([np.zeros((batch, 1, units)), c_seq[:, :-1]], 1)
    np.testing.assert_allclose(
        c_seq, gates["forget"] * c_prev + gates["input"] * gates["candidate"]
    )
    np.testing.assert_allclose(h_seq, gates["output"] * np.tanh(c_seq))
    # The input gate at t=0 is sigma(x_0 W_i + b_i) (h_0 = 0).
    np.testing.assert_allclose(
        gates["input"][:, 0],
        1 / (1 + np.exp(-(x[:, 0] @ kernel[:, :units] + bias[:units]))),
    )


@pytest.mark.parametrize("reset_after", [True, False])
@pytest.mark.parametrize("shape", SHAPES, ids=SHAPE_IDS)
def test_gru_forward_matches_keras(shape, reset_after, rng):
    batch, time, features, units = shape
    layer = _keras_rnn("gru", units, features, time, reset_after=reset_after)
    weights = _randomize(layer, rng)
    assert weights[2].shape == ((2, 3 * units) if reset_after else (3 * units,))
    x = _inputs(rng, batch, time, features)
    h0 = (0.5 * rng.standard_normal((batch, units))).astype("float32")

    h_seq = gru_forward(x, *weights, reset_after=reset_after)
    assert h_seq.shape == (batch, time, units)
    np.testing.assert_allclose(h_seq, np.asarray(layer(x)), rtol=RTOL, atol=ATOL)
    np.testing.assert_allclose(
        gru_forward(x, *weights, reset_after=reset_after, h0=h0),
        np.asarray(layer(x, initial_state=[h0])),
        rtol=RTOL,
        atol=ATOL,
    )


@pytest.mark.parametrize("return_sequences", [True, False])
@pytest.mark.parametrize("merge_mode", MERGE_MODES)
@pytest.mark.parametrize("cell", CELLS)
@pytest.mark.parametrize("shape", SHAPES, ids=SHAPE_IDS)
def test_bidirectional_matches_keras(shape, cell, merge_mode, return_sequences, rng):
    batch, time, features, units = shape
    inner = _keras_rnn(cell, units, features, time, return_sequences=return_sequences)
    layer = keras.layers.Bidirectional(
        inner, merge_mode=merge_mode, name=f"bidirectional_{cell}_reference"
    )
    layer.build((None, time, features))
    fw = _randomize(layer.forward_layer, rng)
    bw = _randomize(layer.backward_layer, rng)
    x = _inputs(rng, batch, time, features)

    out = bidirectional_forward(
        x, fw, bw, cell=cell, merge_mode=merge_mode, return_sequences=return_sequences
    )
    n_out = 2 * units if merge_mode == "concat" else units
    assert out.shape == ((batch, time, n_out) if return_sequences else (batch, n_out))
    assert out.dtype == np.float32
    np.testing.assert_allclose(out, np.asarray(layer(x)), rtol=RTOL, atol=ATOL)


def test_bidirectional_alignment_and_merge_none(rng):
    """The backward half at step t has read x[:, t:], reversed; no merge."""
    batch, time, features, units = 2, 5, 3, 4
    fw, bw = (
        [
            WEIGHT_SCALE * rng.standard_normal(s)
            for s in [(features, units), (units, units), (units,)]
        ]
        for _ in range(2)
    )
    x = _inputs(rng, batch, time, features, "float64")
    y, y_rev = bidirectional_forward(x, fw, bw, cell="rnn", merge_mode=None)
    np.testing.assert_array_equal(y, rnn_forward(x, *fw))
    for t in range(time):
        np.testing.assert_allclose(
            y_rev[:, t], rnn_forward(x[:, t:][:, ::-1], *bw)[:, -1]
        )
    last = bidirectional_forward(
        x, fw, bw, cell="rnn", merge_mode="concat", return_sequences=False
    )
    np.testing.assert_allclose(last, np.concatenate([y[:, -1], y_rev[:, 0]], -1))


# --------------------------------------------------------------------------
# dtypes
# --------------------------------------------------------------------------
@pytest.mark.parametrize("cell", CELLS)
def test_float64_matches_float64_keras(cell, rng):
    batch, time, features, units = 2, 7, 5, 4
    layer = _keras_rnn(cell, units, features, time, dtype="float64")
    weights = _randomize(layer, rng)
    assert weights[0].dtype == np.float64
    x = _inputs(rng, batch, time, features, "float64")
    fn = {
        "rnn": rnn_forward,
        "gru": gru_forward,
        "lstm": lambda *a: lstm_forward(*a)[0],
    }[cell]
    out = fn(x, *weights)
    assert out.dtype == np.float64
    np.testing.assert_allclose(out, np.asarray(layer(x)), rtol=RTOL64, atol=ATOL64)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_output_dtype_follows_x(dtype, rng):
    batch, time, features, units = 2, 3, 4, 5
    x = _inputs(rng, batch, time, features, dtype)

    def weights(k, two_bias=False):  # float64 weights: cast to x's dtype
        b_shape = (2, k * units) if two_bias else (k * units,)
        return [
            rng.standard_normal(s)
            for s in [(features, k * units), (units, k * units), b_shape]
        ]

    rnn_w = weights(1)
    outputs = [
        rnn_forward(x, *rnn_w),
        *rnn_backward(x, *rnn_w, np.ones((batch, time, units))),
        *rnn_backward(x, *rnn_w, np.ones((batch, time, units)), truncate=1),
        *lstm_forward(x, *weights(4)),
        *lstm_forward(x, *weights(4), return_gates=True)[2].values(),
        gru_forward(x, *weights(3, True)),
        gru_forward(x, *weights(3), reset_after=False),
    ]
    outputs += [
        bidirectional_forward(
            x, weights(k, c == "gru"), weights(k, c == "gru"), cell=c, merge_mode=m
        )
        for c, k in [("rnn", 1), ("lstm", 4), ("gru", 3)]
        for m in MERGE_MODES
    ]
    for out in outputs:
        assert out.dtype == np.dtype(dtype)
    # float32 and float64 results agree to float32 precision.
    x64 = x.astype("float64")
    np.testing.assert_allclose(
        rnn_forward(x, *rnn_w), rnn_forward(x64, *rnn_w), rtol=RTOL, atol=ATOL
    )


def test_sigmoid_is_stable():
    a = np.array([-1000.0, -50.0, 0.0, 50.0, 1000.0])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        s = scratch._sigmoid(a)
        s32 = scratch._sigmoid(a.astype("float32"))
    np.testing.assert_allclose(
        s, [0.0, 1.9287498479639178e-22, 0.5, 1.0, 1.0], rtol=1e-12, atol=0
    )
    assert s32.dtype == np.float32


# --------------------------------------------------------------------------
# rnn_backward
# --------------------------------------------------------------------------
def _rel_err(a, b):
    """max |a - b| relative to the largest entry of a or b."""
    return np.max(np.abs(a - b)) / max(np.max(np.abs(a)), np.max(np.abs(b)), 1e-300)


@pytest.mark.parametrize("use_h0", [False, True])
def test_rnn_backward_finite_differences(use_h0, rng):
    batch, time, features, units = 2, 5, 3, 4
    x = rng.standard_normal((batch, time, features))
    weights = [
        WEIGHT_SCALE * rng.standard_normal(s)
        for s in [(features, units), (units, units), (units,)]
    ]
    g = rng.standard_normal((batch, time, units))
    h0 = 0.5 * rng.standard_normal((batch, units)) if use_h0 else None

    analytic = rnn_backward(x, *weights, g, h0=h0)
    numeric = finite_difference_gradients(
        x, *weights, g, eps=FD_EPS, h0=h0
    )  # helpers.bptt, chapter 3
    for name, a, n in zip(
        ["d_x", "d_kernel", "d_recurrent_kernel", "d_bias"], analytic, numeric
    ):
        assert a.shape == n.shape and a.dtype == np.float64, name
        assert _rel_err(a, n) <= FD_MAX_REL_ERR, (name, _rel_err(a, n))


def _tape_gradients(layer, x, g):
    """d/d(x, kernel, recurrent_kernel, bias) of sum(layer(x) * g)."""
    xt = tf.constant(x)
    with tf.GradientTape() as tape:
        tape.watch(xt)
        loss = tf.reduce_sum(layer(xt) * g)
    variables = [layer.cell.kernel, layer.cell.recurrent_kernel, layer.cell.bias]
    return [np.asarray(d) for d in tape.gradient(loss, [xt] + variables)]


@pytest.mark.parametrize("shape", SHAPES, ids=SHAPE_IDS)
def test_rnn_backward_matches_gradient_tape(shape, rng):
    batch, time, features, units = shape
    layer = _keras_rnn("rnn", units, features, time)
    weights = _randomize(layer, rng)
    x = _inputs(rng, batch, time, features)
    g = rng.standard_normal((batch, time, units)).astype("float32")

    ours = rnn_backward(x, *weights, g)
    for name, a, b in zip(
        ["d_x", "d_kernel", "d_recurrent_kernel", "d_bias"],
        ours,
        _tape_gradients(layer, x, g),
    ):
        assert a.shape == b.shape and a.dtype == np.float32, name
        np.testing.assert_allclose(a, b, rtol=RTOL, atol=ATOL, err_msg=name)


def _truncated_reference(x, weights, g, k):
    """Brute-force truncated BPTT with tf.stop_gradient (float64).

    Loss = sum_t g_t . h_t^(k), where h_t^(k) re-runs the k+1 steps
    t-k..t from stop_gradient(h_{t-k-1}) (or from h0 = 0).
    """
    batch, time, _ = x.shape
    x_v, W, U, b = (tf.Variable(a) for a in [x, *weights])
    step = lambda h, s: tf.tanh(x_v[:, s] @ W + h @ U + b)  # noqa: E731
    with tf.GradientTape() as tape:
        zeros = tf.zeros((batch, U.shape[0]), tf.float64)
        hs, h = [], zeros
        for s in range(time):  # forward values
            h = step(h, s)
            hs.append(h)
        loss = 0.0
        for t in range(time):
            start = max(t - k, 0)
            h = tf.stop_gradient(hs[start - 1]) if start > 0 else zeros
            for s in range(start, t + 1):
                h = step(h, s)
            loss += tf.reduce_sum(h * g[:, t])
    return [np.asarray(d) for d in tape.gradient(loss, [x_v, W, U, b])]


def test_rnn_backward_truncation(rng):
    batch, time, features, units = 2, 6, 3, 4
    x = rng.standard_normal((batch, time, features))
    weights = [
        WEIGHT_SCALE * rng.standard_normal(s)
        for s in [(features, units), (units, units), (units,)]
    ]
    g = rng.standard_normal((batch, time, units))

    full = rnn_backward(x, *weights, g)
    for k in [time - 1, time, time + 3]:  # no effective truncation
        for a, b in zip(full, rnn_backward(x, *weights, g, truncate=k)):
            np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-12)
    for k in [0, 1, 2, time]:  # brute-force reference
        ours = rnn_backward(x, *weights, g, truncate=k)
        for name, a, b in zip(
            ["d_x", "d_W", "d_U", "d_b"], ours, _truncated_reference(x, weights, g, k)
        ):
            np.testing.assert_allclose(
                a, b, rtol=1e-10, atol=1e-12, err_msg=f"truncate={k} {name}"
            )
    # truncate=0: no gradient through the recurrence, delta_t = g_t (1 - h_t^2).
    h = rnn_forward(x, *weights)
    np.testing.assert_allclose(
        rnn_backward(x, *weights, g, truncate=0)[0], (g * (1 - h**2)) @ weights[0].T
    )
    # truncation really changes the result when k < time - 1.
    assert not np.allclose(rnn_backward(x, *weights, g, truncate=time - 2)[0], full[0])


@pytest.mark.parametrize("bad", [-1, 1.5, True, "2"])
def test_rnn_backward_bad_truncate(bad, rng):
    x = rng.standard_normal((1, 3, 2))
    w = [rng.standard_normal(s) for s in [(2, 3), (3, 3), (3,)]]
    with pytest.raises(ValueError, match="truncate must be None or an integer"):
        rnn_backward(x, *w, np.ones((1, 3, 3)), truncate=bad)


# --------------------------------------------------------------------------
# The suite can fail: wrong gate order / transposed weights
# --------------------------------------------------------------------------
def test_swapped_lstm_gates_differ_from_keras(rng):
    batch, time, features, units = 2, 7, 5, 4
    layer = _keras_rnn("lstm", units, features, time)
    weights = _randomize(layer, rng)
    x = _inputs(rng, batch, time, features)
    expected = np.asarray(layer(x))
    np.testing.assert_allclose(
        lstm_forward(x, *weights)[0], expected, rtol=RTOL, atol=ATOL
    )
    for a, b in [(0, 1), (2, 3), (0, 3)]:  # i<->f, c<->o, i<->o
        wrong = lstm_forward(x, *_swap_blocks(weights, units, a, b))[0]
        assert not np.allclose(wrong, expected, rtol=RTOL, atol=ATOL), (a, b)


@pytest.mark.parametrize("reset_after", [True, False])
def test_swapped_gru_gates_differ_from_keras(reset_after, rng):
    batch, time, features, units = 2, 7, 5, 4
    layer = _keras_rnn("gru", units, features, time, reset_after=reset_after)
    weights = _randomize(layer, rng)
    x = _inputs(rng, batch, time, features)
    expected = np.asarray(layer(x))
    for a, b in [(0, 1), (1, 2)]:  # z<->r, r<->h
        wrong = gru_forward(
            x, *_swap_blocks(weights, units, a, b), reset_after=reset_after
        )
        assert not np.allclose(wrong, expected, rtol=RTOL, atol=ATOL), (a, b)
    # The wrong formulation (same weights, other reset_after) also differs.
    other = weights[:2] + [
        weights[2].reshape(2, -1).sum(0)
        if reset_after
        else np.stack([weights[2], 0 * weights[2]])
    ]
    wrong = gru_forward(x, *other, reset_after=not reset_after)
    assert not np.allclose(wrong, expected, rtol=RTOL, atol=ATOL)


def test_transposed_square_recurrent_kernel_differs(rng):
    """SimpleRNN's U is square, so U^T passes the shape check but is wrong."""
    batch, time, features, units = 2, 7, 5, 4
    layer = _keras_rnn("rnn", units, features, time)
    kernel, recurrent_kernel, bias = _randomize(layer, rng)
    x = _inputs(rng, batch, time, features)
    wrong = rnn_forward(x, kernel, recurrent_kernel.T, bias)
    assert not np.allclose(wrong, np.asarray(layer(x)), rtol=RTOL, atol=ATOL)


@pytest.mark.parametrize("cell,k", [("lstm", 4), ("gru", 3)])
def test_transposed_recurrent_kernel_raises(cell, k, rng):
    batch, time, features, units = 2, 3, 5, 4
    x = _inputs(rng, batch, time, features)
    kernel = rng.standard_normal((features, k * units))
    recurrent_kernel = rng.standard_normal((units, k * units))
    bias = rng.standard_normal((2, k * units) if cell == "gru" else (k * units,))
    fn = lstm_forward if cell == "lstm" else gru_forward
    msg = (
        rf"recurrent_kernel has shape \({k * units}, {units}\) but "
        rf"units={units} needs \({units}, {k * units}\)"
    )
    with pytest.raises(ValueError, match=msg):
        fn(x, kernel, recurrent_kernel.T, bias)
    msg = rf"kernel has shape \({k * units}, {features}\) but x has shape"
    with pytest.raises(ValueError, match=msg):
        fn(x, kernel.T, recurrent_kernel, bias)  # transposed input kernel
    with pytest.raises(ValueError, match=r"backward_weights: recurrent_kernel"):
        bidirectional_forward(
            x,
            [kernel, recurrent_kernel, bias],
            [kernel, recurrent_kernel.T, bias],
            cell=cell,
        )


# --------------------------------------------------------------------------
# Validation messages
# --------------------------------------------------------------------------
def _rnn_weights(rng, features=3, units=4):
    return [
        rng.standard_normal(s) for s in [(features, units), (units, units), (units,)]
    ]


def test_shape_error_messages(rng):
    w = _rnn_weights(rng)
    x = rng.standard_normal((2, 5, 3))
    cases = [
        (
            lambda: rnn_forward(x[0], *w),
            r"x has shape \(5, 3\) but a 3-D \(batch, time, features\)",
        ),
        (
            lambda: rnn_forward(x[:, :0], *w),
            r"x has shape \(2, 0, 3\) but at least one time step",
        ),
        (
            lambda: rnn_forward(x[..., :2], *w),
            r"kernel has shape \(3, 4\) but x has shape \(2, 5, 2\) "
            r"with features=2",
        ),
        (lambda: rnn_forward(x, w[0][0], *w[1:]), r"kernel has shape \(4,\) but a 2-D"),
        (
            lambda: lstm_forward(
                x, rng.standard_normal((3, 10)), *_rnn_weights(rng)[1:]
            ),
            r"kernel has shape \(3, 10\) but an LSTM kernel needs 4\*units "
            r"columns \(gate blocks \[i, f, c, o\]\)",
        ),
        (
            lambda: rnn_forward(x, w[0], w[1][:3], w[2]),
            r"recurrent_kernel has shape \(3, 4\) but units=4 needs \(4, 4\)",
        ),
        (
            lambda: rnn_forward(x, w[0], w[1], w[2][:2]),
            r"bias has shape \(2,\) but units=4 needs \(4,\)",
        ),
        (
            lambda: rnn_forward(x, *w, h0=np.zeros((3, 4))),
            r"h0 has shape \(3, 4\) but batch=2, units=4 needs \(2, 4\)",
        ),
        (
            lambda: lstm_forward(
                x,
                rng.standard_normal((3, 16)),
                rng.standard_normal((4, 16)),
                np.zeros(16),
                c0=np.zeros((2, 5)),
            ),
            r"c0 has shape \(2, 5\) but batch=2, units=4 needs \(2, 4\)",
        ),
        (
            lambda: rnn_backward(x, *w, np.zeros((2, 4, 4))),
            r"d_h_seq has shape \(2, 4, 4\) but h_seq of \(batch, time, units\) "
            r"needs \(2, 5, 4\)",
        ),
        (
            lambda: rnn_forward(x, np.array([["a"] * 4] * 3), *w[1:]),
            r"kernel must be a numeric array",
        ),
    ]
    for call, msg in cases:
        with pytest.raises(ValueError, match=msg):
            call()


def test_gru_bias_messages(rng):
    x = rng.standard_normal((2, 5, 3))
    kernel, recurrent_kernel = (rng.standard_normal(s) for s in [(3, 12), (4, 12)])
    with pytest.raises(
        ValueError,
        match=r"bias has shape \(12,\) but units=4 "
        r"with reset_after=True needs \(2, 12\) \(this is a "
        r"reset_after=False bias: pass reset_after=False\)",
    ):
        gru_forward(x, kernel, recurrent_kernel, np.zeros(12))
    with pytest.raises(
        ValueError,
        match=r"bias has shape \(2, 12\) but units=4 "
        r"with reset_after=False needs \(12,\) \(this is a "
        r"reset_after=True bias",
    ):
        gru_forward(x, kernel, recurrent_kernel, np.zeros((2, 12)), reset_after=False)


def test_bidirectional_argument_errors(rng):
    x = rng.standard_normal((2, 5, 3))
    w = _rnn_weights(rng)
    with pytest.raises(ValueError, match=r"cell must be one of"):
        bidirectional_forward(x, w, w, cell="transformer")
    with pytest.raises(ValueError, match=r"merge_mode must be one of"):
        bidirectional_forward(x, w, w, cell="rnn", merge_mode="max")
    with pytest.raises(
        ValueError,
        match=r"forward_weights has 1 arrays but a "
        r"Keras SimpleRNN layer's get_weights\(\) gives",
    ):
        bidirectional_forward(x, w[:1], w, cell="rnn")
    with pytest.raises(ValueError, match=r"forward_weights: kernel has shape"):
        bidirectional_forward(x, [w[0].T, *w[1:]], w, cell="rnn")
    w5 = _rnn_weights(rng, units=5)
    with pytest.raises(ValueError, match=r"merge_mode='sum' needs equal units"):
        bidirectional_forward(x, w, w5, cell="rnn", merge_mode="sum")
    assert bidirectional_forward(x, w, w5, cell="rnn").shape == (2, 5, 9)


def test_bias_none_means_zeros(rng):
    x = rng.standard_normal((2, 4, 3))
    w = _rnn_weights(rng)
    np.testing.assert_array_equal(
        rnn_forward(x, w[0], w[1], None), rnn_forward(x, w[0], w[1], np.zeros(4))
    )
    np.testing.assert_array_equal(
        bidirectional_forward(x, w[:2], w[:2], cell="rnn"),
        bidirectional_forward(
            x, [*w[:2], np.zeros(4)], [*w[:2], np.zeros(4)], cell="rnn"
        ),
    )


def test_module_imports_numpy_only():
    tree = ast.parse(Path(scratch.__file__).read_text())
    imported = {
        alias.name.split(".")[0]
        for node in ast.walk(tree)
        if isinstance(node, ast.Import)
        for alias in node.names
    }
    imported |= {
        node.module.split(".")[0]
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom) and node.module
    }
    assert imported <= {"numpy", "typing", "__future__"}, imported
