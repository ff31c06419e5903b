"""Measure how gradients shrink or grow as they travel back through time.

Row-vector (Keras) convention: ``h_t = tanh(x_t W + h_{t-1} U + b)``, so the
Jacobian of one step is ``dh_t/dh_{t-1} = diag(1 - h_t**2) U^T`` and

    dh_T/dh_t = J_T J_{T-1} ... J_{t+1},   J_k = diag(1 - h_k**2) U^T.

For a linear RNN ``J_k = U^T``, and with ``U = rho * Q`` (``Q`` orthogonal)
the spectral norm of the product is exactly ``rho ** (T - t)``.

Introduced in chapter 4 (``notebooks/04_vanishing_exploding.ipynb``).
"""

from __future__ import annotations

from typing import Optional

import numpy as np


def random_orthogonal(n: int, seed: int = 0) -> np.ndarray:
    """A random ``n x n`` orthogonal matrix (QR of a Gaussian matrix, signs fixed).

    Introduced in chapter 4 (``notebooks/04_vanishing_exploding.ipynb``).

    Parameters
    ----------
    n : int
        Size, at least 1.
    seed : int
        Seed of the NumPy generator.

    Returns
    -------
    np.ndarray of float64, shape (n, n)
        ``Q`` with ``Q.T @ Q = I``.

    Raises
    ------
    ValueError
        If ``n < 1``.
    """
    if int(n) != n or n < 1:
        raise ValueError(f"n must be a positive integer, got {n!r}")
    q, r = np.linalg.qr(np.random.default_rng(seed).standard_normal((int(n), int(n))))
    return q * np.sign(np.diag(r))


def jacobian_norms_by_distance(
    recurrent_kernel, max_distance: int, hidden_states: Optional[np.ndarray] = None
) -> np.ndarray:
    """Spectral norms of ``dh_T/dh_{T-k}`` for ``k = 0 .. max_distance`` (NumPy).

    Introduced in chapter 4 (``notebooks/04_vanishing_exploding.ipynb``).

    Parameters
    ----------
    recurrent_kernel : array, shape (n, n)
        ``U`` (Keras ``recurrent_kernel`` of a ``SimpleRNN``).
    max_distance : int
        Largest distance ``k``.
    hidden_states : array, shape (T, n), optional
        The states ``h_1 .. h_T`` of a tanh RNN (``T >= max_distance``); each
        step's Jacobian is then ``diag(1 - h_k**2) U^T``. Without states the
        RNN is linear and every step's Jacobian is ``U^T``.

    Returns
    -------
    np.ndarray of float64, shape (max_distance + 1,)
        Entry ``k`` is ``||dh_T/dh_{T-k}||_2``; entry 0 is 1 (the identity).

    Raises
    ------
    ValueError
        If ``U`` is not square, ``max_distance < 0``, or there are fewer
        states than ``max_distance``.
    """
    u = np.asarray(recurrent_kernel, dtype=np.float64)
    if u.ndim != 2 or u.shape[0] != u.shape[1]:
        raise ValueError(f"recurrent_kernel must be square (n, n), got {u.shape}")
    if int(max_distance) != max_distance or max_distance < 0:
        raise ValueError(f"max_distance must be an integer >= 0, got {max_distance!r}")
    if hidden_states is not None:
        h = np.asarray(hidden_states, dtype=np.float64)
        if h.ndim != 2 or h.shape[1] != u.shape[0] or h.shape[0] < max_distance:
            raise ValueError(
                f"hidden_states must have shape (T >= {max_distance}, {u.shape[0]}), "
                f"got {h.shape}"
            )
    product = np.eye(u.shape[0])
    norms = [1.0]
    for k in range(1, int(max_distance) + 1):
        step = u.T if hidden_states is None else (1.0 - h[-k] ** 2)[:, None] * u.T
        # dh_T/dh_{T-k} = dh_T/dh_{T-k+1} . dh_{T-k+1}/dh_{T-k}
        product = product @ step
        norms.append(np.linalg.norm(product, 2))
    return np.asarray(norms)


def input_jacobian_norms(rnn_layer, inputs, chunk_size: int = 16, ord=2) -> np.ndarray:
    """Norms of ``dh_T/dx_t`` of a Keras recurrent layer, ordered by distance ``T - t``.

    ``h_T`` is the layer's output (its last state). Row ``j`` of every
    sequence's Jacobian is the gradient of ``h_T[j]``, so each chunk of
    sequences is repeated once per state unit and a *single* backward pass
    returns all rows: copy ``j`` of a sequence is differentiated through
    ``h_T[j]`` only. This gives what ``tf.GradientTape.batch_jacobian``
    gives, about ten times faster for a recurrent layer.

    Introduced in chapter 4 (``notebooks/04_vanishing_exploding.ipynb``).

    Parameters
    ----------
    rnn_layer : keras.layers.Layer
        A recurrent layer returning only its last state, shape (batch, n).
    inputs : array, shape (batch, T, d)
        Input vectors (e.g. embeddings); no padding.
    chunk_size : int
        Sequences per Jacobian computation (memory: chunk * n * T * d floats).
    ord : {2, "fro"}
        Spectral or Frobenius norm of each ``n x d`` block.

    Returns
    -------
    np.ndarray of float64, shape (batch, T)
        Column ``k`` is ``||dh_T/dx_{T-k}||`` (column 0: the last input).

    Raises
    ------
    ValueError
        If ``inputs`` is not 3-D or the layer does not return a 2-D state.
    """
    import tensorflow as tf

    x_all = np.asarray(inputs, dtype=np.float32)
    if x_all.ndim != 3:
        raise ValueError(f"inputs must have shape (batch, T, d), got {x_all.shape}")
    state = rnn_layer(tf.constant(x_all[:1]))
    if len(state.shape) != 2:
        raise ValueError(
            "the layer must return only its last state (return_sequences=False)"
        )
    n = int(state.shape[1])
    norms = []
    for start in range(0, len(x_all), int(chunk_size)):
        chunk = x_all[start : start + int(chunk_size)]
        # row i*n + j: sequence i, unit j
        copies = tf.constant(np.repeat(chunk, n, axis=0))
        unit_of_copy = tf.constant(
            np.tile(np.eye(n, dtype=np.float32), (len(chunk), 1))
        )
        with tf.GradientTape() as tape:
            tape.watch(copies)
            # sum_i h_T[i, j(i)]
            picked = tf.reduce_sum(rnn_layer(copies) * unit_of_copy)
        rows = tape.gradient(picked, copies).numpy()  # (b*n, T, d): dh_T[j]/dx
        # (b, T, n, d)
        blocks = rows.reshape(len(chunk), n, *chunk.shape[1:]).transpose(0, 2, 1, 3)
        norms.append(np.linalg.matrix_norm(blocks.astype(np.float64), ord=ord)[:, ::-1])
    return np.concatenate(norms)


def rnn_input_jacobian_norms(x, kernel, recurrent_kernel, bias, ord=2) -> np.ndarray:
    """Norms of ``dh_T/dx_t`` of a tanh ``SimpleRNN`` in NumPy, ordered by distance
    ``T - t``.

    With ``d_t = 1 - h_t**2`` and ``P_t = dh_T/dh_t`` (``P_T = I``)::

        dh_T/dx_t = P_t diag(d_t) W^T,    P_{t-1} = P_t diag(d_t) U^T.

    The states come from :func:`helpers.scratch.rnn_forward`; the result
    equals :func:`input_jacobian_norms` on the Keras layer (checked in the
    tests) and is much faster than ``batch_jacobian`` on a CPU.

    Introduced in chapter 4 (``notebooks/04_vanishing_exploding.ipynb``).

    Parameters
    ----------
    x : array, shape (batch, T, d)
        Input vectors, no padding.
    kernel, recurrent_kernel, bias : arrays
        ``W`` (d, n), ``U`` (n, n), ``b`` (n,), as ``SimpleRNN.get_weights()``.
    ord : {2, "fro"}
        Spectral or Frobenius norm of each ``n x d`` block.

    Returns
    -------
    np.ndarray of float64, shape (batch, T)
        Column ``k`` is ``||dh_T/dx_{T-k}||``.

    Raises
    ------
    ValueError
        If the shapes do not fit (raised by ``rnn_forward``).
    """
    from helpers.scratch import rnn_forward

    x = np.asarray(x, dtype=np.float64)
    w = np.asarray(kernel, dtype=np.float64)
    u = np.asarray(recurrent_kernel, dtype=np.float64)
    h = rnn_forward(
        x, w, u, None if bias is None else np.asarray(bias, dtype=np.float64)
    )
    batch, steps, n = h.shape
    slope = 1.0 - h**2  # (batch, T, n)
    product = np.broadcast_to(np.eye(n), (batch, n, n)).copy()  # P_T = dh_T/dh_T
    norms = np.empty((batch, steps))
    for k in range(steps):
        t = steps - 1 - k
        scaled = product * slope[:, t][:, None, :]  # P_t diag(d_t)
        norms[:, k] = np.linalg.matrix_norm(scaled @ w.T, ord=ord)
        product = scaled @ u.T  # P_{t-1}
    return norms


def gradient_norms_through_time(
    model,
    token_ids,
    chunk_size: int = 16,
    embedding_layer: str = "embedding",
    recurrent_layer: str = "rnn",
) -> np.ndarray:
    """Norms of ``dh_T/dx_t`` on token sequences, ordered by distance ``T - t``.

    The sequences are embedded with the model's embedding layer and fed to
    its recurrent layer; ``x_t`` is the embedding of token ``t`` and ``h_T``
    the last state the classifier reads. Sequences must contain no padding
    (id 0), so that ``T`` is each sequence's real last token: pass reviews
    at least as long as the padded length.

    Introduced in chapter 4 (``notebooks/04_vanishing_exploding.ipynb``).

    Parameters
    ----------
    model : keras.Model
        A model with layers named ``embedding_layer`` and ``recurrent_layer``
        (as built by :func:`helpers.models.build_sequence_classifier`).
    token_ids : array of int, shape (batch, T)
        Token ids, none of them 0.
    chunk_size : int
        Sequences per Jacobian computation.
    embedding_layer, recurrent_layer : str
        Layer names.

    Returns
    -------
    np.ndarray of float64, shape (batch, T)
        Column ``k`` is the spectral norm of ``dh_T/dx_{T-k}``. A tanh
        ``SimpleRNN`` is differentiated in NumPy
        (:func:`rnn_input_jacobian_norms`), any other layer with
        ``tf.GradientTape`` (:func:`input_jacobian_norms`).

    Raises
    ------
    ValueError
        If ``token_ids`` is not 2-D or contains padding.
    """
    ids = np.asarray(token_ids)
    if ids.ndim != 2:
        raise ValueError(f"token_ids must have shape (batch, T), got {ids.shape}")
    if (ids == 0).any():
        raise ValueError(
            "token_ids contain padding (id 0); pass sequences without padding, "
            "e.g. reviews whose last position holds a real token"
        )
    embedded = np.asarray(model.get_layer(embedding_layer)(ids))
    rnn = model.get_layer(recurrent_layer)
    config = rnn.get_config()
    if (
        type(rnn).__name__ == "SimpleRNN"
        and config.get("activation") == "tanh"
        and not config.get("return_sequences")
        and not config.get("go_backwards")
    ):
        weights = rnn.get_weights()
        return rnn_input_jacobian_norms(
            embedded, weights[0], weights[1], weights[2] if len(weights) == 3 else None
        )
    return input_jacobian_norms(rnn, embedded, chunk_size=chunk_size)


def per_batch_losses(running_means, batches_per_epoch: int) -> np.ndarray:
    """Recover each mini-batch's loss from Keras's running means within an epoch.

    Keras reports, after batch ``b`` of an epoch, the mean loss of batches
    ``1 .. b``; the loss of batch ``b`` alone is ``b m_b - (b - 1) m_{b-1}``
    (exact for equal batch sizes; the last batch of an epoch may be smaller).
    Non-finite running means stay non-finite.

    Introduced in chapter 4 (``notebooks/04_vanishing_exploding.ipynb``).

    Parameters
    ----------
    running_means : sequence of float
        The ``loss`` of ``on_train_batch_end`` logs, all epochs in a row.
    batches_per_epoch : int
        Mini-batches per epoch.

    Returns
    -------
    np.ndarray of float64
        One loss per mini-batch.

    Raises
    ------
    ValueError
        If ``batches_per_epoch < 1`` or the length is not a multiple of it.
    """
    means = np.asarray(running_means, dtype=np.float64)
    if int(batches_per_epoch) != batches_per_epoch or batches_per_epoch < 1:
        raise ValueError(
            f"batches_per_epoch must be a positive integer, got {batches_per_epoch!r}"
        )
    if means.ndim != 1 or len(means) % batches_per_epoch:
        raise ValueError(
            f"{len(means)} running means is not a multiple of {batches_per_epoch}"
        )
    per_epoch = means.reshape(-1, int(batches_per_epoch))
    b = np.arange(1, batches_per_epoch + 1, dtype=np.float64)
    with np.errstate(invalid="ignore"):
        totals = per_epoch * b
        losses = np.diff(
            np.concatenate([np.zeros((len(per_epoch), 1)), totals], axis=1), axis=1
        )
    return losses.ravel()


def saturation_factor(hidden_states) -> float:
    """Mean tanh derivative ``1 - h**2`` over a set of hidden states.

    Every backward step through a tanh RNN multiplies the gradient of unit
    ``i`` by ``1 - h_i**2``: 1 for a unit at 0, close to 0 for a saturated
    unit (``|h_i|`` near 1). The mean over units, steps and sequences says
    how much of the factor ``U^T`` the tanh lets through on average.

    Introduced in chapter 3 (``notebooks/03_bptt.ipynb``) and used in
    chapter 4.

    Parameters
    ----------
    hidden_states : array_like of float
        Hidden states ``h_t`` of a tanh RNN, any shape (e.g. batch, T, n).

    Returns
    -------
    float
        ``mean(1 - h**2)``, in (0, 1] for tanh states.

    Raises
    ------
    ValueError
        If the array is empty or holds a value outside [-1, 1] (not a tanh
        state).
    """
    h = np.asarray(hidden_states, dtype=np.float64)
    if h.size == 0:
        raise ValueError("hidden_states is empty")
    if not np.all(np.abs(h) <= 1.0):
        raise ValueError("tanh states lie in [-1, 1]; got a value outside it")
    return float(np.mean(1.0 - h**2))


def train_logging_gradient_norms(
    model, x, y, optimizer, epochs: int, batch_size: int, seed: int = 0
) -> dict:
    """Train a binary classifier step by step, logging each step's gradient norm.

    A plain training loop (``tf.GradientTape``, binary cross-entropy) that
    records, for every mini-batch, the loss of that batch before the update
    and the global norm of all gradients *before* the optimizer clips them
    (``optimizer.apply_gradients`` still applies ``clipnorm`` /
    ``global_clipnorm`` if the optimizer has them). The batches are drawn in
    an order fixed by ``seed``, so that runs that differ only in the
    optimizer see the same batches.

    Introduced in chapter 4 (``notebooks/04_vanishing_exploding.ipynb``).

    Parameters
    ----------
    model : keras.Model
        Maps ``x`` to probabilities of shape (batch, 1).
    x, y : array_like
        Inputs and 0/1 labels, the same length.
    optimizer : keras.optimizers.Optimizer
        A fresh optimizer for this model.
    epochs, batch_size : int
        Passes over the data and mini-batch size (the last, smaller batch of
        an epoch is dropped, so every step has ``batch_size`` examples).
    seed : int
        Seed of the batch order.

    Returns
    -------
    dict
        ``"loss"`` and ``"gradient_norm"``: float64 arrays with one entry per
        update step (NaN where the loss or the gradient is not finite).

    Raises
    ------
    ValueError
        If ``x`` and ``y`` differ in length, or ``epochs`` or ``batch_size``
        is not a positive integer, or ``batch_size`` exceeds the data.
    """
    import keras
    import tensorflow as tf

    x, y = np.asarray(x), np.asarray(y, dtype=np.float32).reshape(-1, 1)
    if len(x) != len(y):
        raise ValueError(f"x has {len(x)} examples but y has {len(y)}")
    for name, value in (("epochs", epochs), ("batch_size", batch_size)):
        if isinstance(value, bool) or int(value) != value or value < 1:
            raise ValueError(f"{name} must be a positive integer, got {value!r}")
    if batch_size > len(x):
        raise ValueError(f"batch_size {batch_size} exceeds the {len(x)} examples")
    loss_fn = keras.losses.BinaryCrossentropy()
    variables = model.trainable_variables

    @tf.function
    def step(xb, yb):
        with tf.GradientTape() as tape:
            loss = loss_fn(yb, model(xb, training=True))
        grads = tape.gradient(loss, variables)
        optimizer.apply_gradients(zip(grads, variables))
        return loss, tf.linalg.global_norm(grads)

    rng = np.random.default_rng(seed)
    losses, norms = [], []
    steps = len(x) // int(batch_size)
    for _ in range(int(epochs)):
        order = rng.permutation(len(x))
        for s in range(steps):
            batch = order[s * batch_size : (s + 1) * batch_size]
            loss, norm = step(tf.constant(x[batch]), tf.constant(y[batch]))
            losses.append(float(loss))
            norms.append(float(norm))
    result = {"loss": np.asarray(losses), "gradient_norm": np.asarray(norms)}
    for values in result.values():
        values[~np.isfinite(values)] = np.nan
    return result
