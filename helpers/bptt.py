r"""Measuring backpropagation through time (BPTT) on the NumPy SimpleRNN.

Introduced in chapter 3 (``notebooks/03_bptt.ipynb``).

The gradients themselves come from :func:`helpers.scratch.rnn_backward`; this
module only *measures* them: a finite-difference check, the loss gradient of
a classifier that reads the last state, the error of truncated BPTT against
full BPTT, and the time and memory of BPTT as the sequence length T grows.
Only NumPy (and the standard library) is imported.

Notation as in :mod:`helpers.scratch`: rows are vectors (Keras convention),
``h_t = tanh(x_t W + h_{t-1} U + b)``, ``W = kernel`` (d x n),
``U = recurrent_kernel`` (n x n), ``b = bias`` (n,).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import tracemalloc
from pathlib import Path
from typing import NamedTuple, Sequence

import numpy as np

from helpers.scratch import rnn_backward, rnn_forward

__all__ = [
    "GRADIENT_NAMES",
    "max_relative_error",
    "relative_error",
    "finite_difference_gradients",
    "gradient_check",
    "last_state_loss_gradient",
    "truncation_errors",
    "bptt_cost",
    "SINGLE_THREAD_ENV",
    "GrowthFit",
    "fit_growth",
]

#: Names of the four arrays :func:`helpers.scratch.rnn_backward` returns.
GRADIENT_NAMES = ("d_x", "d_kernel", "d_recurrent_kernel", "d_bias")


def max_relative_error(a, b) -> float:
    """Largest entry-wise difference, relative to the largest entry.

    Introduced in chapter 3.

    ``max|a - b| / max(max|a|, max|b|)``: unlike an entry-wise ratio it does
    not blow up on gradient entries that are (nearly) zero.

    Parameters
    ----------
    a, b : array_like
        Arrays of the same shape.

    Returns
    -------
    float
        0 when the arrays are equal (also when both are all zeros).

    Raises
    ------
    ValueError
        If the shapes differ.
    """
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    if a.shape != b.shape:
        raise ValueError(f"shapes differ: {a.shape} and {b.shape}")
    scale = max(
        float(np.max(np.abs(a), initial=0.0)), float(np.max(np.abs(b), initial=0.0))
    )
    if scale == 0.0:
        return 0.0
    return float(np.max(np.abs(a - b)) / scale)


def relative_error(approx, exact) -> float:
    """Relative error in the Frobenius norm, ``||approx - exact|| / ||exact||``.

    Introduced in chapter 3.

    Parameters
    ----------
    approx, exact : array_like
        Arrays of the same shape; ``exact`` is the reference.

    Returns
    -------
    float
        The relative error (0 if both are zero, inf if only ``exact`` is).

    Raises
    ------
    ValueError
        If the shapes differ.
    """
    approx = np.asarray(approx, dtype=np.float64)
    exact = np.asarray(exact, dtype=np.float64)
    if approx.shape != exact.shape:
        raise ValueError(f"shapes differ: {approx.shape} and {exact.shape}")
    diff, norm = float(np.linalg.norm(approx - exact)), float(np.linalg.norm(exact))
    if norm == 0.0:
        return 0.0 if diff == 0.0 else float("inf")
    return diff / norm


def finite_difference_gradients(
    x, kernel, recurrent_kernel, bias, d_h_seq, eps: float = 1e-6, h0=None
):
    r"""Central finite differences of ``L = sum(rnn_forward(...) * d_h_seq)``.

    Introduced in chapter 3.

    Every entry p of x, W, U and b is nudged by +-eps and
    ``dL/dp ~ (L(p + eps) - L(p - eps)) / (2 eps)`` (error O(eps^2) plus
    round-off O(1e-16 / eps)). It costs two forward passes per entry, so it
    is meant for small arrays only.

    Parameters
    ----------
    x : array_like, shape (batch, time, d), float64
    kernel, recurrent_kernel, bias, h0
        As in :func:`helpers.scratch.rnn_forward`.
    d_h_seq : array_like, shape (batch, time, n)
        The weights g_t of the scalar L.
    eps : float
        Step of the central difference.

    Returns
    -------
    tuple of ndarray
        ``(d_x, d_kernel, d_recurrent_kernel, d_bias)``, float64.

    Raises
    ------
    ValueError
        If x is not float64 (float32 round-off would swamp the differences),
        if ``eps`` is not positive, or if a shape is inconsistent.
    """
    x = np.asarray(x)
    if x.dtype != np.float64:
        raise ValueError(
            f"finite differences need float64 inputs, got x of dtype {x.dtype}; "
            "cast with x.astype('float64')"
        )
    if not eps > 0:
        raise ValueError(f"eps must be positive, got {eps!r}")
    params = [x.copy()] + [
        np.array(w, dtype=np.float64) for w in (kernel, recurrent_kernel, bias)
    ]
    g = np.asarray(d_h_seq, dtype=np.float64)
    rnn_forward(*params, h0=h0)  # validates every shape once, with clear messages
    grads = []
    for p in params:
        grad = np.zeros_like(p)
        for idx in np.ndindex(p.shape):
            old = p[idx]
            p[idx] = old + eps
            plus = np.sum(rnn_forward(*params, h0=h0) * g)
            p[idx] = old - eps
            minus = np.sum(rnn_forward(*params, h0=h0) * g)
            p[idx] = old
            grad[idx] = (plus - minus) / (2 * eps)
        grads.append(grad)
    return tuple(grads)


def gradient_check(
    x, kernel, recurrent_kernel, bias, d_h_seq, eps: float = 1e-6, h0=None
) -> dict:
    """Compare :func:`helpers.scratch.rnn_backward` with finite differences.

    Introduced in chapter 3.

    Parameters
    ----------
    x, kernel, recurrent_kernel, bias, d_h_seq, eps, h0
        As in :func:`finite_difference_gradients` (x must be float64).

    Returns
    -------
    dict
        Gradient name (:data:`GRADIENT_NAMES`) to the
        :func:`max_relative_error` between BPTT and finite differences.

    Raises
    ------
    ValueError
        As :func:`finite_difference_gradients`.
    """
    numeric = finite_difference_gradients(
        x, kernel, recurrent_kernel, bias, d_h_seq, eps=eps, h0=h0
    )
    analytic = rnn_backward(x, kernel, recurrent_kernel, bias, d_h_seq, h0=h0)
    return {
        name: max_relative_error(a, n)
        for name, a, n in zip(GRADIENT_NAMES, analytic, numeric)
    }


def _sigmoid(a):
    e = np.exp(-np.abs(a))
    return np.where(a >= 0, 1 / (1 + e), e / (1 + e))


def last_state_loss_gradient(h_seq, dense_kernel, dense_bias, labels):
    r"""Loss and ``dL/dh_t`` of a sigmoid classifier that reads the last state.

    Introduced in chapter 3.

    The model of the chapter is ``Dense(1, sigmoid)`` on h_T: with
    ``p = sigmoid(h_T w + c)`` and the mean binary cross-entropy
    ``L = -mean(y log p + (1 - y) log(1 - p))``, only the last step receives
    an upstream gradient::

        dL/dh_T = (p - y) w^T / batch,     dL/dh_t = 0 for t < T

    so every gradient that reaches an earlier step travels there through the
    recurrence, which is what truncated BPTT cuts.

    Parameters
    ----------
    h_seq : array_like, shape (batch, time, n)
        Hidden states (``rnn_forward`` output).
    dense_kernel : array_like, shape (n, 1)
        The Dense layer's kernel w.
    dense_bias : array_like, shape (1,)
        The Dense layer's bias c.
    labels : array_like, shape (batch,)
        0/1 labels y.

    Returns
    -------
    loss : float
        The mean binary cross-entropy.
    d_h_seq : ndarray, shape (batch, time, n)
        ``dL/dh_t`` for every step (zeros except the last), dtype of h_seq.

    Raises
    ------
    ValueError
        If the shapes do not fit together.
    """
    h_seq = np.asarray(h_seq)
    if h_seq.ndim != 3:
        raise ValueError(
            f"h_seq has shape {h_seq.shape} but (batch, time, n) is needed"
        )
    batch, _, n = h_seq.shape
    w = np.asarray(dense_kernel, dtype=np.float64)
    c = np.asarray(dense_bias, dtype=np.float64)
    y = np.asarray(labels, dtype=np.float64)
    if w.shape != (n, 1) or c.shape != (1,) or y.shape != (batch,):
        raise ValueError(
            f"need dense_kernel ({n}, 1), dense_bias (1,) and labels ({batch},); "
            f"got {w.shape}, {c.shape} and {y.shape}"
        )
    z = (h_seq[:, -1].astype(np.float64) @ w)[:, 0] + c[0]
    # log(sigmoid(z)) = -log1p(exp(-z)), written stably for both signs of z
    log_p = -np.logaddexp(0.0, -z)
    log_1mp = -np.logaddexp(0.0, z)
    loss = float(-np.mean(y * log_p + (1 - y) * log_1mp))
    d_h_seq = np.zeros(h_seq.shape, dtype=np.float64)
    d_h_seq[:, -1] = ((_sigmoid(z) - y) / batch)[:, None] * w[:, 0]
    return loss, d_h_seq.astype(
        h_seq.dtype if np.issubdtype(h_seq.dtype, np.floating) else np.float64
    )


def truncation_errors(
    x, kernel, recurrent_kernel, bias, d_h_seq, ks: Sequence[int], h0=None
) -> dict:
    """Relative error of truncated BPTT against full BPTT, for several k.

    Introduced in chapter 3.

    For each k, ``rnn_backward(..., truncate=k)`` is compared with the full
    ``rnn_backward(...)`` by :func:`relative_error` (Frobenius norm), for
    each of the four gradients.

    Parameters
    ----------
    x, kernel, recurrent_kernel, bias, d_h_seq, h0
        As in :func:`helpers.scratch.rnn_backward`.
    ks : sequence of int >= 0
        Truncation lengths (steps each upstream gradient may travel back).

    Returns
    -------
    dict
        ``"k"``: int array of the ks; and for each name in
        :data:`GRADIENT_NAMES` a float array of the relative errors, in
        the order of ``ks``.

    Raises
    ------
    ValueError
        If ``ks`` is empty or holds a negative or non-integer value, or a
        shape is inconsistent.
    """
    ks = list(ks)
    if not ks:
        raise ValueError("ks is empty; pass truncation lengths such as [1, 2, 4, 8]")
    for k in ks:
        if isinstance(k, bool) or not isinstance(k, (int, np.integer)) or k < 0:
            raise ValueError(f"every k must be an integer >= 0, got {k!r}")
    full = rnn_backward(x, kernel, recurrent_kernel, bias, d_h_seq, h0=h0)
    errors = {name: [] for name in GRADIENT_NAMES}
    for k in ks:
        truncated = rnn_backward(
            x, kernel, recurrent_kernel, bias, d_h_seq, h0=h0, truncate=int(k)
        )
        for name, a, b in zip(GRADIENT_NAMES, truncated, full):
            errors[name].append(relative_error(a, b))
    result = {"k": np.asarray(ks, dtype=int)}
    result.update({name: np.asarray(v) for name, v in errors.items()})
    return result


def _measure_cost(lengths, batch, features, units, repeats, dtype, seed) -> dict:
    """The measurement of :func:`bptt_cost`, in the current process (lists)."""
    rng = np.random.default_rng(seed)
    kernel = (rng.standard_normal((features, units)) / np.sqrt(features)).astype(dtype)
    recurrent_kernel = (rng.standard_normal((units, units)) / np.sqrt(units)).astype(
        dtype
    )
    bias = np.zeros(units, dtype)
    itemsize = np.dtype(dtype).itemsize
    out = {
        "T": [],
        "seconds": [],
        "wall_seconds": [],
        "activation_bytes": [],
        "peak_bytes": [],
    }
    for T in lengths:
        x = rng.standard_normal((batch, T, features)).astype(dtype)
        g = rng.standard_normal((batch, T, units)).astype(dtype)
        best, best_wall = np.inf, np.inf
        for _ in range(repeats):
            started, started_wall = time.process_time(), time.perf_counter()
            rnn_backward(x, kernel, recurrent_kernel, bias, g)
            best = min(best, time.process_time() - started)
            best_wall = min(best_wall, time.perf_counter() - started_wall)
        was_tracing = tracemalloc.is_tracing()
        if not was_tracing:
            tracemalloc.start()
        tracemalloc.reset_peak()
        before = tracemalloc.get_traced_memory()[0]
        rnn_backward(x, kernel, recurrent_kernel, bias, g)
        peak = tracemalloc.get_traced_memory()[1] - before
        if not was_tracing:
            tracemalloc.stop()
        out["T"].append(int(T))
        out["seconds"].append(float(best))
        out["wall_seconds"].append(float(best_wall))
        out["activation_bytes"].append(int(batch * T * (features + units) * itemsize))
        out["peak_bytes"].append(int(peak))
    return out


#: Environment that limits BLAS libraries to one thread (see :func:`bptt_cost`).
SINGLE_THREAD_ENV = {
    name: "1" for name in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")
}


def bptt_cost(
    lengths: Sequence[int],
    batch: int = 32,
    features: int = 32,
    units: int = 64,
    repeats: int = 3,
    dtype: str = "float32",
    seed: int = 0,
    single_thread: bool = True,
) -> dict:
    """Time and memory of one forward + backward pass as T grows.

    Introduced in chapter 3.

    For each length T, random inputs and weights (fixed seed) are made and
    :func:`helpers.scratch.rnn_backward` (which runs the forward pass, stores
    every h_t, then runs back through time) is timed; the best of
    ``repeats`` runs is kept. The main timing is the CPU time of the process
    (:func:`time.process_time`), which, unlike the wall time, does not count
    the time the process waits while other programs use the cores. Its peak
    of NumPy allocations is measured with :mod:`tracemalloc` in a separate
    run, so tracing does not slow the timed runs.

    By default the measurement runs in a fresh Python process whose BLAS
    library is limited to one thread (:data:`SINGLE_THREAD_ENV`). NumPy's
    OpenBLAS switches to several threads for large products such as
    ``x W`` over all steps; on a machine whose cores are busy with other work
    those threads wait for each other and a single call can take ten times
    longer, which would hide the linear growth being measured.

    Parameters
    ----------
    lengths : sequence of int >= 1
        The sequence lengths T.
    batch, features, units : int
        Batch size, input size d and hidden size n.
    repeats : int >= 1
        Timed runs per length.
    dtype : str
        ``"float32"`` or ``"float64"``.
    seed : int
        Seed of the random inputs and weights.
    single_thread : bool
        Measure in a separate single-threaded process (default) or in this
        process with its current BLAS threads.

    Returns
    -------
    dict
        Arrays indexed like ``lengths``: ``"T"``; ``"seconds"`` (best CPU
        time of forward + backward, summed over threads); ``"wall_seconds"``
        (best wall time); ``"activation_bytes"``, the bytes BPTT
        must keep from the forward pass, x and every h_t
        (``batch * T * (d + n) * itemsize``); ``"peak_bytes"``, the
        tracemalloc peak of the call (temporaries included, inputs excluded).

    Raises
    ------
    ValueError
        If a length, ``repeats`` or a size is not a positive integer.
    RuntimeError
        If the measuring process fails (its error output is included).
    """
    lengths = [int(t) for t in lengths]
    if not lengths or min(lengths) < 1:
        raise ValueError(f"lengths must be positive integers, got {lengths!r}")
    if min(batch, features, units, repeats) < 1:
        raise ValueError("batch, features, units and repeats must be >= 1")
    args = [
        lengths,
        int(batch),
        int(features),
        int(units),
        int(repeats),
        str(dtype),
        int(seed),
    ]
    if not single_thread:
        out = _measure_cost(*args)
    else:
        package_parent = str(Path(__file__).resolve().parent.parent)
        env = dict(os.environ, **SINGLE_THREAD_ENV)
        env["PYTHONPATH"] = os.pathsep.join(
            filter(None, [package_parent, env.get("PYTHONPATH")])
        )
        script = (
            "import json, sys; from helpers.bptt import _measure_cost; "
            "print(json.dumps(_measure_cost(*json.loads(sys.argv[1]))))"
        )
        done = subprocess.run(
            [sys.executable, "-c", script, json.dumps(args)],
            env=env,
            capture_output=True,
            text=True,
        )
        if done.returncode != 0:
            raise RuntimeError(
                f"the BPTT cost measurement failed:\n{done.stderr[-2000:]}"
            )
        out = json.loads(done.stdout.strip().splitlines()[-1])
    return {key: np.asarray(value) for key, value in out.items()}


class GrowthFit(NamedTuple):
    """How a cost grows with T: a straight line and a log-log exponent.

    Attributes
    ----------
    slope : float
        Least-squares slope of ``value = slope * T + intercept``.
    intercept : float
        Its intercept.
    exponent : float
        Slope of ``log(value)`` against ``log(T)``: 1 for linear growth,
        2 for quadratic.
    """

    slope: float
    intercept: float
    exponent: float


def fit_growth(lengths, values) -> GrowthFit:
    """Fit a line and a power law to a cost measured at several lengths.

    Introduced in chapter 3.

    Parameters
    ----------
    lengths : array_like of positive numbers
        The sequence lengths T.
    values : array_like of positive numbers
        The cost at each length (seconds, bytes...).

    Returns
    -------
    GrowthFit
        Slope and intercept of the straight line, exponent of the power law.

    Raises
    ------
    ValueError
        If fewer than two points are given, the shapes differ, or a value
        is not positive (the power law needs logarithms).
    """
    t = np.asarray(lengths, dtype=np.float64)
    v = np.asarray(values, dtype=np.float64)
    if t.shape != v.shape or t.ndim != 1 or t.size < 2:
        raise ValueError(
            "need two 1-D arrays of equal length >= 2, "
            f"got shapes {t.shape} and {v.shape}"
        )
    if np.any(t <= 0) or np.any(v <= 0):
        raise ValueError("lengths and values must be positive for a log-log fit")
    slope, intercept = np.polyfit(t, v, 1)
    exponent = np.polyfit(np.log(t), np.log(v), 1)[0]
    return GrowthFit(float(slope), float(intercept), float(exponent))
