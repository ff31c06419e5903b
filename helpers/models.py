"""Small Keras models shared by the chapters.

Keras is imported inside the functions, so importing this module is cheap.

Introduced in chapter 2 (``notebooks/02_rnn_from_scratch.ipynb``).
"""

from __future__ import annotations

from typing import Optional

#: The recurrent layers :func:`build_sequence_classifier` can build,
#: mapped to their Keras class names.
RECURRENT_LAYERS = {"simple_rnn": "SimpleRNN", "lstm": "LSTM", "gru": "GRU"}


def build_sequence_classifier(
    layer: str = "simple_rnn",
    vocab_size: int = 10_000,
    embedding_dim: int = 64,
    units: int = 64,
    mask_zero: bool = True,
    bidirectional: bool = False,
    learning_rate: float = 1e-3,
    name: Optional[str] = None,
):
    """Build and compile an embedding + recurrent layer + sigmoid classifier.

    The model reads a batch of padded token-id sequences and returns one
    probability per sequence (the probability that a review is positive)::

        token_ids (batch, time) int32
          -> Embedding "embedding"            (batch, time, embedding_dim)
          -> SimpleRNN / LSTM / GRU "rnn"     (batch, units), the last state
             [wrapped in Bidirectional "bidirectional_rnn": (batch, 2 units)]
          -> Dense(1, sigmoid) "output"       (batch, 1)

    With ``mask_zero=True`` the embedding marks token id 0 (padding) as
    missing, and the recurrent layer carries its state over padded steps, so
    the returned state is the state after the last real token whatever the
    padding side.

    Introduced in chapter 2 (``notebooks/02_rnn_from_scratch.ipynb``).

    Parameters
    ----------
    layer : {"simple_rnn", "lstm", "gru"}
        The recurrent layer.
    vocab_size : int
        Number of token ids (including 0 for padding and 1 for ``[UNK]``).
    embedding_dim : int
        Size ``d`` of each token's embedding vector ``x_t``.
    units : int
        Size ``n`` of the hidden state ``h_t``.
    mask_zero : bool
        Treat token id 0 as padding and skip it in the recurrent layer.
    bidirectional : bool
        Wrap the recurrent layer in ``keras.layers.Bidirectional`` (the two
        final states are concatenated).
    learning_rate : float
        Learning rate of the Adam optimizer.
    name : str, optional
        Model name; by default ``"<layer>_classifier"`` (with a ``bi_``
        prefix when bidirectional).

    Returns
    -------
    keras.Model
        Compiled with Adam, binary cross-entropy and accuracy.

    Raises
    ------
    ValueError
        If ``layer`` is not one of ``"simple_rnn"``, ``"lstm"``, ``"gru"``.
    """
    if layer not in RECURRENT_LAYERS:
        raise ValueError(
            f"unknown recurrent layer {layer!r}; choose one of "
            f"{', '.join(repr(k) for k in RECURRENT_LAYERS)}"
        )
    import keras

    recurrent = getattr(keras.layers, RECURRENT_LAYERS[layer])(units, name="rnn")
    if bidirectional:
        recurrent = keras.layers.Bidirectional(recurrent, name="bidirectional_rnn")
    if name is None:
        name = f"{'bi_' if bidirectional else ''}{layer}_classifier"

    token_ids = keras.Input(shape=(None,), dtype="int32", name="token_ids")
    x = keras.layers.Embedding(
        vocab_size, embedding_dim, mask_zero=mask_zero, name="embedding"
    )(token_ids)
    x = recurrent(x)
    probability = keras.layers.Dense(1, activation="sigmoid", name="output")(x)
    model = keras.Model(token_ids, probability, name=name)
    model.compile(
        optimizer=keras.optimizers.Adam(learning_rate=learning_rate),
        loss="binary_crossentropy",
        metrics=["accuracy"],
    )
    return model
