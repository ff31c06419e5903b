"""Tests for helpers/bptt.py (chapter 3): gradient checks, truncation, cost."""

import numpy as np
import pytest

from helpers.bptt import (
    GRADIENT_NAMES,
    GrowthFit,
    bptt_cost,
    finite_difference_gradients,
    fit_growth,
    gradient_check,
    last_state_loss_gradient,
    max_relative_error,
    relative_error,
    truncation_errors,
)
from helpers.scratch import rnn_backward, rnn_forward


@pytest.fixture
def problem():
    """A small float64 SimpleRNN problem: x, [W, U, b], upstream gradient g."""
    rng = np.random.default_rng(0)
    batch, time, features, units = 2, 6, 3, 4
    x = rng.standard_normal((batch, time, features))
    weights = [
        0.5 * rng.standard_normal(s)
        for s in [(features, units), (units, units), (units,)]
    ]
    g = rng.standard_normal((batch, time, units))
    return x, weights, g


# --------------------------------------------------------------------------
# error measures
# --------------------------------------------------------------------------
def test_max_relative_error_values():
    assert max_relative_error([1.0, -2.0], [1.0, -2.0]) == 0.0
    assert max_relative_error(np.zeros(3), np.zeros(3)) == 0.0
    # largest difference 0.5, largest entry 4
    assert max_relative_error([1.0, 4.0], [1.5, 4.0]) == pytest.approx(0.125)
    # not inflated by an entry that is nearly zero
    assert max_relative_error([1e-12, 1.0], [2e-12, 1.0]) < 1e-11
    with pytest.raises(ValueError, match="shapes differ"):
        max_relative_error(np.ones(2), np.ones(3))


def test_relative_error_values():
    assert relative_error([3.0, 4.0], [3.0, 4.0]) == 0.0
    assert relative_error([0.0, 0.0], [3.0, 4.0]) == pytest.approx(1.0)
    assert relative_error([3.0, 5.0], [3.0, 4.0]) == pytest.approx(0.2)
    assert relative_error(np.zeros(2), np.zeros(2)) == 0.0
    assert relative_error([1.0, 0.0], np.zeros(2)) == float("inf")
    with pytest.raises(ValueError, match="shapes differ"):
        relative_error(np.ones((2, 2)), np.ones(4))


# --------------------------------------------------------------------------
# finite differences and the gradient check
# --------------------------------------------------------------------------
def test_finite_differences_of_a_linear_function():
    # With U = 0, b = 0, tiny W the RNN is almost linear: h_t ~ x_t W, so
    # dL/dW ~ sum_t x_t^T g_t.
    rng = np.random.default_rng(1)
    x = rng.standard_normal((1, 3, 2))
    W = 1e-4 * rng.standard_normal((2, 3))
    g = rng.standard_normal((1, 3, 3))
    _, dW, _, _ = finite_difference_gradients(x, W, np.zeros((3, 3)), np.zeros(3), g)
    np.testing.assert_allclose(dW, np.einsum("btd,btn->dn", x, g), rtol=1e-6)


def test_gradient_check_passes_for_rnn_backward(problem):
    x, weights, g = problem
    errors = gradient_check(x, *weights, g)
    assert set(errors) == set(GRADIENT_NAMES)
    assert max(errors.values()) < 1e-6


def test_gradient_check_with_h0(problem):
    x, weights, g = problem
    h0 = 0.3 * np.ones((x.shape[0], weights[1].shape[0]))
    assert max(gradient_check(x, *weights, g, h0=h0).values()) < 1e-6


def test_finite_differences_catch_a_wrong_gradient(problem):
    """The check can fail: a transposed U^T in the recursion is detected."""
    x, (W, U, b), g = problem
    numeric = finite_difference_gradients(x, W, U, b, g)
    wrong = rnn_backward(x, W, U.T, b, g)  # gradient of a different network
    assert max_relative_error(wrong[2], numeric[2]) > 1e-2


def test_finite_differences_reject_float32_and_bad_eps(problem):
    x, weights, g = problem
    with pytest.raises(ValueError, match="float64"):
        finite_difference_gradients(x.astype("float32"), *weights, g)
    with pytest.raises(ValueError, match="eps must be positive"):
        finite_difference_gradients(x, *weights, g, eps=0.0)
    with pytest.raises(ValueError, match="recurrent_kernel"):
        finite_difference_gradients(x, weights[0], np.ones((2, 2)), weights[2], g)


# --------------------------------------------------------------------------
# the classifier's loss gradient
# --------------------------------------------------------------------------
def test_last_state_loss_gradient_matches_finite_differences():
    rng = np.random.default_rng(2)
    h_seq = np.tanh(rng.standard_normal((5, 4, 3)))
    w, c = rng.standard_normal((3, 1)), np.array([0.3])
    y = np.array([0, 1, 1, 0, 1])
    loss, d_h = last_state_loss_gradient(h_seq, w, c, y)
    p = 1 / (1 + np.exp(-(h_seq[:, -1] @ w[:, 0] + c[0])))
    assert loss == pytest.approx(-np.mean(y * np.log(p) + (1 - y) * np.log(1 - p)))
    assert d_h.shape == h_seq.shape and not d_h[:, :-1].any()
    eps, numeric = 1e-6, np.zeros((5, 3))
    for idx in np.ndindex(5, 3):
        plus, minus = h_seq.copy(), h_seq.copy()
        plus[idx[0], -1, idx[1]] += eps
        minus[idx[0], -1, idx[1]] -= eps
        numeric[idx] = (
            last_state_loss_gradient(plus, w, c, y)[0]
            - last_state_loss_gradient(minus, w, c, y)[0]
        ) / (2 * eps)
    np.testing.assert_allclose(d_h[:, -1], numeric, rtol=1e-6, atol=1e-10)


def test_last_state_loss_gradient_is_stable_and_checks_shapes():
    h_seq = np.ones((2, 3, 2))
    loss, d_h = last_state_loss_gradient(
        h_seq, np.full((2, 1), 500.0), np.zeros(1), [1, 0]
    )
    assert np.isfinite(loss) and loss == pytest.approx(500.0, rel=1e-3)
    assert np.all(np.isfinite(d_h))
    assert (
        last_state_loss_gradient(
            h_seq.astype("float32"), np.ones((2, 1)), np.zeros(1), [1, 0]
        )[1].dtype
        == np.float32
    )
    with pytest.raises(ValueError, match="dense_kernel"):
        last_state_loss_gradient(h_seq, np.ones((3, 1)), np.zeros(1), [1, 0])
    with pytest.raises(ValueError, match="h_seq"):
        last_state_loss_gradient(np.ones((2, 3)), np.ones((3, 1)), np.zeros(1), [1, 0])


# --------------------------------------------------------------------------
# truncation
# --------------------------------------------------------------------------
def test_truncation_errors_shape_and_limits(problem):
    x, weights, g = problem
    time = x.shape[1]
    result = truncation_errors(x, *weights, g, [0, 1, 2, time - 1, time + 5])
    assert list(result["k"]) == [0, 1, 2, time - 1, time + 5]
    for name in GRADIENT_NAMES:
        assert result[name].shape == (5,)
        assert (
            result[name][-1] == 0.0 and result[name][-2] == 0.0
        )  # no effective truncation
        assert result[name][0] > 1e-3  # k = 0 cuts the recurrence
    # the k = 1 value is exactly the relative error of rnn_backward(truncate=1)
    full = rnn_backward(x, *weights, g)
    cut = rnn_backward(x, *weights, g, truncate=1)
    assert result["d_recurrent_kernel"][1] == pytest.approx(
        relative_error(cut[2], full[2])
    )


def test_truncation_error_shrinks_with_small_recurrent_weights():
    """With ||U||_2 = 0.2 the error falls at least like 0.2^k (up to a constant)."""
    rng = np.random.default_rng(4)
    x = rng.standard_normal((3, 30, 4))
    W, b = 0.5 * rng.standard_normal((4, 5)), np.zeros(5)
    U = rng.standard_normal((5, 5))
    U *= 0.2 / np.linalg.norm(U, 2)
    g = np.zeros((3, 30, 5))
    g[:, -1] = rng.standard_normal(
        (3, 5)
    )  # gradient at the last step only, as a classifier
    errs = truncation_errors(x, W, U, b, g, [1, 3, 6])["d_recurrent_kernel"]
    assert errs[0] > errs[1] > errs[2]
    assert errs[2] < 10 * 0.2**6


def test_truncation_errors_rejects_bad_ks(problem):
    x, weights, g = problem
    for bad in ([], [-1], [1.5], [True]):
        with pytest.raises(ValueError):
            truncation_errors(x, *weights, g, bad)


# --------------------------------------------------------------------------
# cost
# --------------------------------------------------------------------------
def test_bptt_cost_reports_linear_memory():
    cost = bptt_cost([10, 20, 40], batch=4, features=3, units=5, repeats=1)
    assert set(cost) == {
        "T",
        "seconds",
        "wall_seconds",
        "activation_bytes",
        "peak_bytes",
    }
    assert list(cost["T"]) == [10, 20, 40]
    assert list(cost["activation_bytes"]) == [4 * t * (3 + 5) * 4 for t in (10, 20, 40)]
    assert np.all(cost["seconds"] >= 0) and np.all(cost["wall_seconds"] > 0)
    # the peak holds at least the stored states and grows with T
    assert np.all(cost["peak_bytes"] >= 4 * cost["T"] * 5 * 4)
    assert cost["peak_bytes"][2] > cost["peak_bytes"][1] > cost["peak_bytes"][0]
    assert (
        bptt_cost([10], batch=2, features=2, units=2, repeats=1, dtype="float64")[
            "activation_bytes"
        ][0]
        == 2 * 10 * 4 * 8
    )


def test_bptt_cost_leaves_tracemalloc_as_it_was():
    import tracemalloc

    assert not tracemalloc.is_tracing()
    bptt_cost([5], batch=1, features=1, units=1, repeats=1, single_thread=False)
    assert not tracemalloc.is_tracing()


def test_bptt_cost_rejects_bad_sizes():
    with pytest.raises(ValueError, match="lengths"):
        bptt_cost([0, 10])
    with pytest.raises(ValueError, match="repeats"):
        bptt_cost([10], repeats=0)


def test_fit_growth():
    t = np.array([10, 20, 40, 80])
    linear = fit_growth(t, 3.0 * t + 5.0)
    assert isinstance(linear, GrowthFit)
    assert linear.slope == pytest.approx(3.0) and linear.intercept == pytest.approx(5.0)
    assert fit_growth(t, 2.0 * t).exponent == pytest.approx(1.0)
    assert fit_growth(t, 0.5 * t**2).exponent == pytest.approx(2.0)
    with pytest.raises(ValueError, match="positive"):
        fit_growth(t, t - 10)
    with pytest.raises(ValueError, match=">= 2"):
        fit_growth([1], [1])


def test_rnn_forward_is_used_consistently(problem):
    """gradient_check differentiates the same function rnn_forward computes."""
    x, weights, g = problem
    h = rnn_forward(x, *weights)
    # L = sum(h * g) is linear in g: its gradient w.r.t. b for g = e_j at the last step
    # is the finite difference of h_T[:, j] w.r.t. b.
    e = np.zeros_like(g)
    e[:, -1, 0] = 1.0
    d_b = rnn_backward(x, *weights, e)[3]
    eps = 1e-6
    b_plus, b_minus = weights[2].copy(), weights[2].copy()
    b_plus[1] += eps
    b_minus[1] -= eps
    fd = (
        rnn_forward(x, weights[0], weights[1], b_plus)[:, -1, 0].sum()
        - rnn_forward(x, weights[0], weights[1], b_minus)[:, -1, 0].sum()
    ) / (2 * eps)
    assert d_b[1] == pytest.approx(fd, rel=1e-6)
    assert h.shape == g.shape


def test_bptt_cost_in_process_equals_subprocess_memory():
    """Both measuring paths report the same deterministic byte counts."""
    kwargs = dict(batch=2, features=3, units=4, repeats=1, seed=1)
    separate = bptt_cost([8, 16], single_thread=True, **kwargs)
    here = bptt_cost([8, 16], single_thread=False, **kwargs)
    np.testing.assert_array_equal(
        separate["activation_bytes"], here["activation_bytes"]
    )
    np.testing.assert_array_equal(separate["T"], here["T"])
    assert separate["seconds"].dtype == np.float64 and np.all(here["wall_seconds"] > 0)
    # tracemalloc peaks agree up to small interpreter allocations
    np.testing.assert_allclose(separate["peak_bytes"], here["peak_bytes"], rtol=0.2)
