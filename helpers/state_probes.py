"""Probe a trained recurrent layer: its last state alone, gradient decay, gate spread.

Chapter 5 compares how far back the gradient of the last state reaches in
trained SimpleRNN and LSTM classifiers, and reads an LSTM's gates on a
review next to an untrained layer's. The book's recipes
(:mod:`helpers.recipes`) build a recurrent layer named ``"rnn"`` that
returns its whole sequence of states and its final state; the gradient
measures of :mod:`helpers.gradients` need a layer that returns only its
last state. :func:`last_state_copy` makes one with the same weights, so
that every model is probed the same way, whatever its classifier reads.

Introduced in chapter 5 (``notebooks/05_lstm.ipynb``).
"""

from __future__ import annotations

from typing import Optional

import numpy as np

#: The recurrent layer classes :func:`last_state_copy` can copy.
COPYABLE_LAYERS = ("SimpleRNN", "LSTM", "GRU")


def last_state_copy(layer, name: Optional[str] = None):
    """Return a copy of a recurrent layer that returns only its last state.

    The copy has the layer's configuration (units, activations, gate
    layout) and weights, but ``return_sequences=False`` and
    ``return_state=False``, so that it maps ``(batch, T, d)`` inputs to the
    final state ``(batch, n)``, as
    :func:`helpers.gradients.input_jacobian_norms` needs.

    Introduced in chapter 5 (``notebooks/05_lstm.ipynb``).

    Parameters
    ----------
    layer : keras.layers.SimpleRNN, keras.layers.LSTM or keras.layers.GRU
        A built recurrent layer (for example ``model.get_layer("rnn")`` of a
        recipe's model).
    name : str, optional
        Name of the copy (default: the layer's name + ``"_last_state"``).

    Returns
    -------
    keras.layers.Layer
        A new, built layer of the same class with the same weights.

    Raises
    ------
    ValueError
        If the layer is not one of :data:`COPYABLE_LAYERS` (a
        ``Bidirectional`` wrapper has two last states: copy its
        ``forward_layer`` or ``backward_layer``), reads its input backwards,
        or is not built.
    """
    kind = type(layer).__name__
    if kind not in COPYABLE_LAYERS:
        raise ValueError(
            f"can copy only {', '.join(COPYABLE_LAYERS)} layers, got {kind}; "
            "for a Bidirectional layer copy its forward_layer or backward_layer"
        )
    config = layer.get_config()
    if config.get("go_backwards"):
        raise ValueError(
            "the layer reads its input backwards: its last state is at the first "
            "token, so a distance from the end would mean the wrong thing"
        )
    weights = layer.get_weights()
    if not weights:
        raise ValueError(
            f"layer {layer.name!r} is not built: call it on an input first"
        )
    config.update(
        return_sequences=False,
        return_state=False,
        name=name or f"{layer.name}_last_state",
    )
    copy = type(layer).from_config(config)
    input_dim = np.asarray(weights[0]).shape[0]
    copy.build((None, None, input_dim))
    copy.set_weights(weights)
    return copy


def gradient_decay(norms, distance: int) -> float:
    """Return the median gradient at a distance over the median at distance 0.

    Introduced in chapter 5 (``notebooks/05_lstm.ipynb``).

    Parameters
    ----------
    norms : array, shape (reviews, T)
        Column ``k`` holds ``||dh_T/dx_{T-k}||`` of every review, as returned
        by :func:`helpers.gradients.input_jacobian_norms`.
    distance : int
        The distance ``k``, ``0 <= k < T``.

    Returns
    -------
    float
        ``median(norms[:, k]) / median(norms[:, 0])``: the share of the last
        token's gradient that reaches the token ``k`` steps before the end.

    Raises
    ------
    ValueError
        If ``norms`` is not 2-D, ``distance`` is out of range, or the median
        at distance 0 is not positive.
    """
    norms = np.asarray(norms, dtype=np.float64)
    if norms.ndim != 2 or norms.shape[0] == 0:
        raise ValueError(f"norms must have shape (reviews, T), got {norms.shape}")
    if int(distance) != distance or not 0 <= distance < norms.shape[1]:
        raise ValueError(
            f"distance must be an integer in [0, {norms.shape[1] - 1}], got {distance!r}"
        )
    first = float(np.median(norms[:, 0]))
    if not first > 0:
        raise ValueError(f"the median norm at distance 0 must be positive, got {first}")
    return float(np.median(norms[:, int(distance)]) / first)


def gate_spread(gate_values) -> dict:
    """Summarise an LSTM gate's values on one sequence.

    Separates where a gate sits on average from how much it moves from one
    token to the next, which a heatmap with a 0-1 colour scale hides.

    Introduced in chapter 5 (``notebooks/05_lstm.ipynb``).

    Parameters
    ----------
    gate_values : array, shape (T, n)
        One gate's activations at every step and unit (for example
        ``gates["forget"][0]`` of :func:`helpers.scratch.lstm_forward`).

    Returns
    -------
    dict
        ``mean`` (over steps and units), ``step_std`` (the standard
        deviation over steps, averaged over units: how much a unit's gate
        moves along the review), ``unit_std`` (the standard deviation over
        units of each unit's mean: how much units differ), ``low`` and
        ``high`` (the 5th and 95th percentiles of all values).

    Raises
    ------
    ValueError
        If ``gate_values`` is not 2-D with at least two steps, or holds
        values outside [0, 1].
    """
    values = np.asarray(gate_values, dtype=np.float64)
    if values.ndim != 2 or values.shape[0] < 2 or values.shape[1] < 1:
        raise ValueError(
            f"gate_values must have shape (T >= 2, n >= 1), got {values.shape}"
        )
    if values.min() < 0 or values.max() > 1:
        raise ValueError("gate values are sigmoids: they must lie in [0, 1]")
    low, high = np.quantile(values, [0.05, 0.95])
    return dict(
        mean=float(values.mean()),
        step_std=float(values.std(axis=0).mean()),
        unit_std=float(values.mean(axis=0).std()),
        low=float(low),
        high=float(high),
    )
