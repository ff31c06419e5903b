r"""From-scratch NumPy implementations of the book's recurrent layers.

Every function here takes the weights exactly as the matching Keras 3 layer's
``get_weights()`` returns them and reproduces that layer's output (up to
floating-point rounding). Only NumPy is imported: Keras is used in the tests
(``tests/test_scratch.py``) to check the equality, never here.

Notation used in the docstrings (the book's notation)
-----------------------------------------------------
* ``x_t`` in R^d is the input at step t (``x[:, t]``, d = features),
  ``h_t`` in R^n the hidden state (n = units), ``h_0`` the initial state
  (zeros unless given). Time steps are t = 1..T in the equations and
  ``0..T-1`` in the arrays.
* ``W = kernel`` has shape (d, k n), ``U = recurrent_kernel`` has shape
  (n, k n) and ``b = bias`` has shape (k n,), where k is the number of gate
  blocks fused side by side (SimpleRNN k=1, LSTM k=4 in Keras order
  [i, f, c, o], GRU k=3 in Keras order [z, r, h]). ``W_i`` is the i-block
  of columns of W, and so on.
* Vectors are rows, as in Keras: ``x_t W`` not ``W x_t``. ``*`` is the
  element-wise product, ``sigma`` the logistic sigmoid.

Shapes: ``x`` is (batch, time, features); sequence outputs are
(batch, time, units). The computation runs in the dtype of ``x`` (float32
or float64; a non-float ``x`` is computed in float64) and the weights are cast
to it, so the outputs have the dtype of ``x``.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

__all__ = [
    "rnn_forward",
    "rnn_backward",
    "lstm_forward",
    "gru_forward",
    "bidirectional_forward",
]

# Number of fused gate blocks, Keras layer name and block order per cell.
_N_BLOCKS = {"rnn": 1, "lstm": 4, "gru": 3}
_LAYER_NAME = {"rnn": "SimpleRNN", "lstm": "LSTM", "gru": "GRU"}
_BLOCK_ORDER = {"rnn": "[h]", "lstm": "[i, f, c, o]", "gru": "[z, r, h]"}
_ARTICLE = {"rnn": "a", "lstm": "an", "gru": "a"}
_MERGE_MODES = ("concat", "sum", "mul", "ave", None)


# --------------------------------------------------------------------------
# Private helpers
# --------------------------------------------------------------------------
def _sigmoid(a):
    """Numerically stable logistic sigmoid (no overflow for large |a|)."""
    e = np.exp(-np.abs(a))  # in (0, 1]: never overflows
    return np.where(a >= 0, 1 / (1 + e), e / (1 + e))


def _shape(a):
    return tuple(int(s) for s in np.shape(a))


def _as_array(name, value, dtype):
    """``np.asarray(value)`` cast to ``dtype`` or a ValueError naming it."""
    arr = np.asarray(value)
    if not (np.issubdtype(arr.dtype, np.number) or arr.dtype == bool):
        raise ValueError(f"{name} must be a numeric array, got dtype {arr.dtype}")
    return arr.astype(dtype, copy=False)


def _check_shape(name, arr, expected, why):
    if _shape(arr) != tuple(expected):
        raise ValueError(
            f"{name} has shape {_shape(arr)} but {why} needs {tuple(expected)}"
        )


class _Prepared(NamedTuple):
    """Validated, dtype-cast inputs of one recurrent layer."""

    x: np.ndarray  # (batch, time, d)
    kernel: np.ndarray  # (d, k n)
    recurrent_kernel: np.ndarray  # (n, k n)
    input_bias: np.ndarray  # (k n,), added to x_t W
    recurrent_bias: np.ndarray | None  # (k n,) GRU reset_after=True only
    h0: np.ndarray  # (batch, n)
    c0: np.ndarray | None  # (batch, n) LSTM only
    units: int


def _prepare(
    x, kernel, recurrent_kernel, bias, cell, *, reset_after=True, h0=None, c0=None
):
    """Validate shapes (with explicit messages) and cast everything to x's dtype.

    ``units`` is read from ``kernel.shape[1] = k * units``; every other array
    is then checked against it. ``bias=None`` means zeros (``use_bias=False``).
    """
    x = np.asarray(x)
    dtype = x.dtype if np.issubdtype(x.dtype, np.floating) else np.float64
    x = _as_array("x", x, dtype)
    if x.ndim != 3:
        raise ValueError(
            f"x has shape {_shape(x)} but a 3-D (batch, time, features) array is needed"
        )
    batch, time, features = x.shape
    if time < 1:
        raise ValueError(
            f"x has shape {_shape(x)} but at least one time step is needed"
        )

    k, layer = _N_BLOCKS[cell], _LAYER_NAME[cell]
    kernel = _as_array("kernel", kernel, dtype)
    if kernel.ndim != 2:
        raise ValueError(
            f"kernel has shape {_shape(kernel)} but a 2-D "
            f"(features, {k}*units) array is needed"
        )
    if kernel.shape[0] != features:
        raise ValueError(
            f"kernel has shape {_shape(kernel)} but x has shape {_shape(x)} "
            f"with features={features}, so kernel needs shape "
            f"({features}, {k}*units)"
        )
    if kernel.shape[1] == 0 or kernel.shape[1] % k:
        raise ValueError(
            f"kernel has shape {_shape(kernel)} but {_ARTICLE[cell]} {layer} "
            "kernel needs "
            f"{k}*units columns (gate blocks {_BLOCK_ORDER[cell]}); "
            f"{kernel.shape[1]} is not a positive multiple of {k}"
        )
    units = kernel.shape[1] // k

    recurrent_kernel = _as_array("recurrent_kernel", recurrent_kernel, dtype)
    _check_shape(
        "recurrent_kernel", recurrent_kernel, (units, k * units), f"units={units}"
    )

    two_biases = cell == "gru" and reset_after
    bias_shape = (2, k * units) if two_biases else (k * units,)
    if bias is None:
        bias = np.zeros(bias_shape, dtype)
    bias = _as_array("bias", bias, dtype)
    if _shape(bias) != bias_shape:
        hint = ""
        if cell == "gru" and _shape(bias) == (k * units,):
            hint = " (this is a reset_after=False bias: pass reset_after=False)"
        elif cell == "gru" and _shape(bias) == (2, k * units):
            hint = " (this is a reset_after=True bias: pass reset_after=True)"
        raise ValueError(
            f"bias has shape {_shape(bias)} but units={units}"
            f"{' with reset_after=' + str(reset_after) if cell == 'gru' else ''}"
            f" needs {bias_shape}{hint}"
        )
    input_bias, recurrent_bias = (bias[0], bias[1]) if two_biases else (bias, None)

    states = []
    for name, state in (("h0", h0), ("c0", c0 if cell == "lstm" else None)):
        if state is None:
            states.append(np.zeros((batch, units), dtype))
            continue
        state = _as_array(name, state, dtype)
        _check_shape(name, state, (batch, units), f"batch={batch}, units={units}")
        states.append(state)
    h0, c0 = states[0], (states[1] if cell == "lstm" else None)

    return _Prepared(
        x, kernel, recurrent_kernel, input_bias, recurrent_bias, h0, c0, units
    )


def _rnn_scan(p):
    """SimpleRNN recurrence on prepared inputs -> h_seq (batch, time, n)."""
    xw = p.x @ p.kernel + p.input_bias  # all x_t W + b at once
    h = p.h0
    h_seq = np.empty(xw.shape, xw.dtype)
    for t in range(xw.shape[1]):
        h = np.tanh(xw[:, t] + h @ p.recurrent_kernel)
        h_seq[:, t] = h
    return h_seq


# --------------------------------------------------------------------------
# SimpleRNN
# --------------------------------------------------------------------------
def rnn_forward(x, kernel, recurrent_kernel, bias, h0=None):
    r"""Forward pass of a tanh SimpleRNN, equal to ``keras.layers.SimpleRNN``.

    Introduced in chapter 2 (``notebooks/02_rnn_from_scratch.ipynb``).

    For t = 1..T, with h_0 = ``h0`` (zeros by default)::

        h_t = tanh(x_t W + h_{t-1} U + b)

    with x_t in R^d, h_t in R^n, W = kernel (d x n), U = recurrent_kernel
    (n x n), b = bias (n,). The result equals
    ``keras.layers.SimpleRNN(n, return_sequences=True)`` (default tanh
    activation) whose ``get_weights()`` is ``[kernel, recurrent_kernel, bias]``.

    Parameters
    ----------
    x : array_like, shape (batch, time, d)
        Input sequences. Their dtype (float32 or float64) is the dtype of the
        computation and of the output.
    kernel : array_like, shape (d, n)
        Input weights W.
    recurrent_kernel : array_like, shape (n, n)
        Recurrent weights U.
    bias : array_like, shape (n,), or None
        Bias b (None: zeros, as ``use_bias=False``).
    h0 : array_like, shape (batch, n), optional
        Initial hidden state h_0; zeros if None.

    Returns
    -------
    h_seq : ndarray, shape (batch, time, n)
        ``h_seq[:, t-1]`` is h_t.

    Raises
    ------
    ValueError
        If an array has the wrong number of dimensions or a shape inconsistent
        with x and ``units = kernel.shape[1]``; the message names the array,
        its shape and the expected shape.
    """
    return _rnn_scan(_prepare(x, kernel, recurrent_kernel, bias, "rnn", h0=h0))


def rnn_backward(x, kernel, recurrent_kernel, bias, d_h_seq, h0=None, *, truncate=None):
    r"""Backpropagation through time (BPTT) for :func:`rnn_forward`.

    Introduced in chapter 3 (``notebooks/03_bptt.ipynb``).

    Computes the vector-Jacobian product of the SimpleRNN: the gradients of
    the scalar ``L = sum(h_seq * d_h_seq)`` with respect to x, W, U and b,
    where ``h_seq = rnn_forward(x, kernel, recurrent_kernel, bias, h0)``.
    ``d_h_seq[:, t-1] = g_t = dL/dh_t`` is the upstream gradient (e.g. from a
    loss on every output). The forward pass is recomputed internally.

    With a_t = x_t W + h_{t-1} U + b (pre-activation) and h_t = tanh(a_t),
    full BPTT runs backwards from t = T to 1 with delta_{T+1} = 0::

        dL/dh_t = g_t + delta_{t+1} U^T       (through the recurrence)
        delta_t = dL/da_t = dL/dh_t * (1 - h_t^2)
        dL/dx_t = delta_t W^T
        dL/dW   = sum_t x_t^T delta_t
        dL/dU   = sum_t h_{t-1}^T delta_t
        dL/db   = sum_t delta_t            (summed over the batch too)

    Truncated BPTT (``truncate=k``): each upstream gradient g_t is propagated
    back through at most k recurrent transitions h_{s-1} -> h_s, i.e. it
    reaches the pre-activations a_t, a_{t-1}, ..., a_{max(1, t-k)} and no
    earlier one. Exactly: with delta^{(t)}_t = g_t * (1 - h_t^2) and
    delta^{(t)}_{s} = (delta^{(t)}_{s+1} U^T) * (1 - h_s^2) for
    t-k <= s < t, s >= 1, the formulas above are used with
    ``delta_s = sum_t delta^{(t)}_s`` (sum over the t whose window contains s).
    Equivalently, it is the exact gradient of
    ``sum_t g_t . h_t^{(k)}``, where h_t^{(k)} is h_t recomputed over the
    last k+1 steps from ``stop_gradient(h_{t-k-1})`` (from h_0 if t-k-1 <= 0).
    The forward values, and the direct dependence of a_s on W, U, b and x_s,
    are unchanged; only the gradient through h_{s-1} is cut. Consequences:

    * ``truncate=0``: no gradient through the recurrence at all; delta_t =
      g_t * (1 - h_t^2) (h_{t-1} is treated as a constant input to step t).
    * ``truncate=1``: g_t reaches a_t and a_{t-1} only.
    * ``truncate >= time - 1`` (hence also ``truncate >= time``) equals
      full BPTT, ``truncate=None``.

    The cost is O(time) matrix products for full BPTT and
    O(time * min(k+1, time)) for truncation.

    Parameters
    ----------
    x, kernel, recurrent_kernel, bias, h0
        As in :func:`rnn_forward`.
    d_h_seq : array_like, shape (batch, time, n)
        Upstream gradient dL/dh_t for every step.
    truncate : int >= 0 or None, keyword-only
        Number of recurrent steps each upstream gradient may travel back;
        None (default) means full BPTT.

    Returns
    -------
    d_x : ndarray, shape (batch, time, d)
    d_kernel : ndarray, shape (d, n)
    d_recurrent_kernel : ndarray, shape (n, n)
    d_bias : ndarray, shape (n,)
        Gradients of L, in the dtype of x. (The gradient with respect to h0
        is not returned.)

    Raises
    ------
    ValueError
        If a shape is inconsistent (as in :func:`rnn_forward`), if
        ``d_h_seq`` is not (batch, time, n), or if ``truncate`` is not None
        or an integer >= 0.
    """
    p = _prepare(x, kernel, recurrent_kernel, bias, "rnn", h0=h0)
    batch, time, _ = p.x.shape
    g = _as_array("d_h_seq", d_h_seq, p.x.dtype)
    _check_shape("d_h_seq", g, (batch, time, p.units), "h_seq of (batch, time, units)")
    if truncate is not None and (
        isinstance(truncate, bool)
        or not isinstance(truncate, (int, np.integer))
        or truncate < 0
    ):
        raise ValueError(f"truncate must be None or an integer >= 0, got {truncate!r}")

    h_seq = _rnn_scan(p)
    h_prev = np.concatenate([p.h0[:, None], h_seq[:, :-1]], axis=1)  # h_{t-1}
    dtanh = 1 - h_seq**2
    U_T = p.recurrent_kernel.T
    delta = np.zeros_like(h_seq)  # dL/da_t

    if truncate is None or truncate >= time - 1:  # full BPTT, one sweep
        carry = np.zeros_like(p.h0)  # delta_{t+1} U^T
        for t in reversed(range(time)):
            delta[:, t] = (g[:, t] + carry) * dtanh[:, t]
            carry = delta[:, t] @ U_T
    else:  # every g_t travels back through at most `truncate` transitions
        for t in range(time):
            d = g[:, t] * dtanh[:, t]
            delta[:, t] += d
            for s in range(t - 1, max(t - truncate, 0) - 1, -1):
                d = (d @ U_T) * dtanh[:, s]
                delta[:, s] += d

    d_x = delta @ p.kernel.T
    d_kernel = np.einsum("btd,btn->dn", p.x, delta)
    d_recurrent_kernel = np.einsum("btm,btn->mn", h_prev, delta)
    d_bias = delta.sum(axis=(0, 1))
    return d_x, d_kernel, d_recurrent_kernel, d_bias


# --------------------------------------------------------------------------
# LSTM
# --------------------------------------------------------------------------
def lstm_forward(
    x, kernel, recurrent_kernel, bias, h0=None, c0=None, return_gates=False
):
    r"""Forward pass of an LSTM, equal to ``keras.layers.LSTM``.

    Introduced in chapter 5.

    The fused weights hold the four blocks in Keras order [i, f, c, o]:
    W = [W_i | W_f | W_c | W_o] (d x 4n), U = [U_i | U_f | U_c | U_o]
    (n x 4n), b = [b_i, b_f, b_c, b_o] (4n,). For t = 1..T, with h_0 = ``h0``
    and c_0 = ``c0`` (zeros by default)::

        i_t = sigma(x_t W_i + h_{t-1} U_i + b_i)        input gate
        f_t = sigma(x_t W_f + h_{t-1} U_f + b_f)        forget gate
        c~_t = tanh(x_t W_c + h_{t-1} U_c + b_c)        candidate cell
        o_t = sigma(x_t W_o + h_{t-1} U_o + b_o)        output gate
        c_t = f_t * c_{t-1} + i_t * c~_t
        h_t = o_t * tanh(c_t)

    This is ``keras.layers.LSTM(n, return_sequences=True)`` with its defaults
    (activation tanh, recurrent_activation sigmoid); ``unit_forget_bias`` only
    affects the initial bias, which is part of ``bias`` here.

    Parameters
    ----------
    x : array_like, shape (batch, time, d)
        Input sequences (float32 or float64; sets the output dtype).
    kernel : array_like, shape (d, 4n)
    recurrent_kernel : array_like, shape (n, 4n)
    bias : array_like, shape (4n,), or None
        As returned by ``layer.get_weights()``; bias None means zeros.
    h0, c0 : array_like, shape (batch, n), optional
        Initial hidden and cell states; zeros if None.
    return_gates : bool, default False
        Also return the gate activations (e.g. to plot them).

    Returns
    -------
    h_seq : ndarray, shape (batch, time, n)
        Hidden states h_1..h_T.
    c_seq : ndarray, shape (batch, time, n)
        Cell states c_1..c_T.
    gates : dict of ndarray, only if ``return_gates``
        ``"input"`` (i_t), ``"forget"`` (f_t), ``"output"`` (o_t) and
        ``"candidate"`` (c~_t), each (batch, time, n).

    Raises
    ------
    ValueError
        If an array has a shape inconsistent with x and
        ``units = kernel.shape[1] // 4``; the message names the array, its
        shape and the expected shape.
    """
    p = _prepare(x, kernel, recurrent_kernel, bias, "lstm", h0=h0, c0=c0)
    n = p.units
    xw = p.x @ p.kernel + p.input_bias
    batch, time, _ = xw.shape
    names = ("input", "forget", "candidate", "output")
    seqs = {
        name: np.empty((batch, time, n), xw.dtype)
        for name in ("h", "c") + (names if return_gates else ())
    }
    h, c = p.h0, p.c0
    for t in range(time):
        a = xw[:, t] + h @ p.recurrent_kernel
        i = _sigmoid(a[:, :n])
        f = _sigmoid(a[:, n : 2 * n])
        c_tilde = np.tanh(a[:, 2 * n : 3 * n])
        o = _sigmoid(a[:, 3 * n :])
        c = f * c + i * c_tilde
        h = o * np.tanh(c)
        seqs["h"][:, t], seqs["c"][:, t] = h, c
        if return_gates:
            for name, value in zip(names, (i, f, c_tilde, o)):
                seqs[name][:, t] = value
    if return_gates:
        return seqs["h"], seqs["c"], {name: seqs[name] for name in names}
    return seqs["h"], seqs["c"]


# --------------------------------------------------------------------------
# GRU
# --------------------------------------------------------------------------
def gru_forward(x, kernel, recurrent_kernel, bias, reset_after=True, h0=None):
    r"""Forward pass of a GRU, equal to ``keras.layers.GRU``.

    Introduced in chapter 6.

    The fused weights hold the three blocks in Keras order [z, r, h]:
    W = [W_z | W_r | W_h] (d x 3n), U = [U_z | U_r | U_h] (n x 3n).
    For t = 1..T, with h_0 = ``h0`` (zeros by default).

    ``reset_after=True`` (Keras default, the cuDNN form): ``bias`` has shape
    (2, 3n), row 0 the input bias b^x, row 1 the recurrent bias b^h::

        z_t = sigma(x_t W_z + b^x_z + h_{t-1} U_z + b^h_z)     update gate
        r_t = sigma(x_t W_r + b^x_r + h_{t-1} U_r + b^h_r)     reset gate
        h~_t = tanh(x_t W_h + b^x_h + r_t * (h_{t-1} U_h + b^h_h))

    ``reset_after=False`` (Cho et al. 2014): ``bias`` has shape (3n,)::

        z_t = sigma(x_t W_z + h_{t-1} U_z + b_z)
        r_t = sigma(x_t W_r + h_{t-1} U_r + b_r)
        h~_t = tanh(x_t W_h + (r_t * h_{t-1}) U_h + b_h)

    and in both cases (Keras convention: z_t weights the *old* state)::

        h_t = z_t * h_{t-1} + (1 - z_t) * h~_t

    Parameters
    ----------
    x : array_like, shape (batch, time, d)
        Input sequences (float32 or float64; sets the output dtype).
    kernel : array_like, shape (d, 3n)
    recurrent_kernel : array_like, shape (n, 3n)
    bias : array_like, shape (2, 3n) if reset_after else (3n,), or None
        As returned by ``layer.get_weights()``; None means zeros.
    reset_after : bool, default True
        Must match the Keras layer's ``reset_after``.
    h0 : array_like, shape (batch, n), optional
        Initial hidden state; zeros if None.

    Returns
    -------
    h_seq : ndarray, shape (batch, time, n)
        Hidden states h_1..h_T.

    Raises
    ------
    ValueError
        If an array has a shape inconsistent with x,
        ``units = kernel.shape[1] // 3`` and ``reset_after`` (the bias message
        says when the bias belongs to the other ``reset_after`` setting).
    """
    p = _prepare(
        x, kernel, recurrent_kernel, bias, "gru", reset_after=reset_after, h0=h0
    )
    n = p.units
    U = p.recurrent_kernel
    xw = p.x @ p.kernel + p.input_bias
    h = p.h0
    h_seq = np.empty(xw.shape[:2] + (n,), xw.dtype)
    for t in range(xw.shape[1]):
        xz, xr, xh = xw[:, t, :n], xw[:, t, n : 2 * n], xw[:, t, 2 * n :]
        if reset_after:
            hu = h @ U + p.recurrent_bias
            z = _sigmoid(xz + hu[:, :n])
            r = _sigmoid(xr + hu[:, n : 2 * n])
            h_tilde = np.tanh(xh + r * hu[:, 2 * n :])
        else:
            hu = h @ U[:, : 2 * n]
            z = _sigmoid(xz + hu[:, :n])
            r = _sigmoid(xr + hu[:, n:])
            h_tilde = np.tanh(xh + (r * h) @ U[:, 2 * n :])
        h = z * h + (1 - z) * h_tilde
        h_seq[:, t] = h
    return h_seq


# --------------------------------------------------------------------------
# Bidirectional
# --------------------------------------------------------------------------
def _run_direction(x, weights, name, cell, reset_after):
    """One direction of a bidirectional layer -> h_seq (batch, time, n)."""
    weights = list(weights)
    if len(weights) not in (2, 3):
        raise ValueError(
            f"{name} has {len(weights)} arrays but {_ARTICLE[cell]} Keras "
            f"{_LAYER_NAME[cell]} "
            "layer's get_weights() gives [kernel, recurrent_kernel, bias] "
            "(or [kernel, recurrent_kernel] with use_bias=False)"
        )
    kernel, recurrent_kernel, bias = (weights + [None])[:3]
    try:
        if cell == "rnn":
            return rnn_forward(x, kernel, recurrent_kernel, bias)
        if cell == "lstm":
            return lstm_forward(x, kernel, recurrent_kernel, bias)[0]
        return gru_forward(x, kernel, recurrent_kernel, bias, reset_after=reset_after)
    except ValueError as err:
        raise ValueError(f"{name}: {err}") from None


def bidirectional_forward(
    x,
    forward_weights,
    backward_weights,
    cell="lstm",
    merge_mode="concat",
    return_sequences=True,
    reset_after=True,
):
    r"""Bidirectional RNN, equal to ``keras.layers.Bidirectional``.

    Introduced in chapter 7.

    A forward layer reads x_1..x_T and gives h->_1..h->_T; a backward layer
    (Keras: the same layer type with ``go_backwards=True``) reads
    x_T..x_1 and gives h<-_T..h<-_1, where h<-_t has seen x_t..x_T::

        h->_t = cell(x_t, h->_{t-1}; forward_weights),   h->_0 = 0
        h<-_t = cell(x_t, h<-_{t+1}; backward_weights),  h<-_{T+1} = 0

    With ``return_sequences=True``, Keras flips the backward outputs back to
    the original time order, so step t merges h->_t with h<-_t (the backward
    state after reading x_T..x_t). With ``return_sequences=False`` each
    direction gives its final state: h->_T and h<-_1 (the backward state after
    reading x_1, i.e. ``x[:, 0]``). ``merge_mode`` combines the two:

    * ``"concat"``: [h-> , h<-] on the last axis (2n units),
    * ``"sum"``: h-> + h<-,  ``"mul"``: h-> * h<-,  ``"ave"``: (h-> + h<-)/2,
    * ``None``: the tuple (h->, h<-), as Keras does.

    Parameters
    ----------
    x : array_like, shape (batch, time, d)
        Input sequences (float32 or float64; sets the output dtype).
    forward_weights, backward_weights : sequence of array_like
        ``layer.forward_layer.get_weights()`` and
        ``layer.backward_layer.get_weights()`` of the Keras Bidirectional
        layer: [kernel, recurrent_kernel, bias] with the shapes of
        :func:`rnn_forward`, :func:`lstm_forward` or :func:`gru_forward`.
    cell : {"rnn", "lstm", "gru"}, default "lstm"
        Wrapped layer: SimpleRNN (tanh), LSTM or GRU.
    merge_mode : {"concat", "sum", "mul", "ave", None}, default "concat"
    return_sequences : bool, default True
        Whole sequences (batch, time, .) or final states (batch, .).
    reset_after : bool, default True
        GRU formulation (ignored for other cells).

    Returns
    -------
    output : ndarray
        (batch, time, 2n) for concat else (batch, time, n); without the time
        axis when ``return_sequences=False``. A tuple of two such arrays when
        ``merge_mode=None``.

    Raises
    ------
    ValueError
        For an unknown ``cell`` or ``merge_mode``, a weight list that is not
        [kernel, recurrent_kernel(, bias)], or a wrongly shaped array (the
        message starts with ``forward_weights:`` or ``backward_weights:``).
    """
    if cell not in _N_BLOCKS:
        raise ValueError(f"cell must be one of {sorted(_N_BLOCKS)}, got {cell!r}")
    if merge_mode not in _MERGE_MODES:
        raise ValueError(
            f"merge_mode must be one of {list(_MERGE_MODES)}, got {merge_mode!r}"
        )
    x = np.asarray(x)
    if x.ndim != 3:  # checked here too because x is reversed below
        raise ValueError(
            f"x has shape {_shape(x)} but a 3-D (batch, time, features) array is needed"
        )
    y = _run_direction(x, forward_weights, "forward_weights", cell, reset_after)
    # The backward layer reads x reversed; its outputs come out reversed.
    y_rev = _run_direction(
        x[:, ::-1], backward_weights, "backward_weights", cell, reset_after
    )
    if return_sequences:
        y_rev = y_rev[:, ::-1]  # back to the original time order
    else:
        y, y_rev = y[:, -1], y_rev[:, -1]  # final state of each direction
    if merge_mode in ("sum", "mul", "ave") and y.shape != y_rev.shape:
        raise ValueError(
            f"merge_mode={merge_mode!r} needs equal units in both directions, "
            f"but the forward output has shape {_shape(y)} and the backward "
            f"output {_shape(y_rev)}"
        )
    if merge_mode == "concat":
        return np.concatenate([y, y_rev], axis=-1)
    if merge_mode == "sum":
        return y + y_rev
    if merge_mode == "mul":
        return y * y_rev
    if merge_mode == "ave":
        return (y + y_rev) / 2
    return y, np.ascontiguousarray(y_rev)
