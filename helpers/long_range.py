"""A synthetic long-range task: the label is one token far before the end.

Each sequence has ``distance + 1`` tokens. The first token is a *signal*
token (id 1 or id 2) and the label says which one it was (0 or 1); the
``distance`` tokens after it are *noise* tokens drawn uniformly from the ids
``3 .. vocab_size - 1``, independent of the label. To classify a sequence
from its final hidden state, a recurrent network has to carry one token's
worth of information across ``distance`` steps of noise, so the gradient
that teaches it to do so has to travel the same distance back.

The task is synthetic: no IMDB review is involved. Id 0 is never used, so
masking (``mask_zero``) changes nothing.

Introduced in chapter 4 (``notebooks/04_vanishing_exploding.ipynb``).
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Optional

import numpy as np

from helpers.config import LONG_RANGE_TASK_SIZES, SEED, mode_settings

#: The two signal token ids; the label is ``token - 1``.
SIGNAL_TOKENS = (1, 2)
#: The smallest noise token id.
FIRST_NOISE_TOKEN = 3


def _check_positive_int(name: str, value, minimum: int = 1) -> int:
    if isinstance(value, bool) or int(value) != value or value < minimum:
        raise ValueError(f"{name} must be an integer >= {minimum}, got {value!r}")
    return int(value)


def make_long_range_task(
    n_samples: int, distance: int, vocab_size: int = 12, seed: int = 0
):
    """Generate the synthetic long-range task.

    Introduced in chapter 4 (``notebooks/04_vanishing_exploding.ipynb``).

    Parameters
    ----------
    n_samples : int
        Number of sequences.
    distance : int
        Steps between the signal token and the last token ``T``; the signal
        is at position 0 and each sequence has ``distance + 1`` tokens.
    vocab_size : int
        Number of token ids: 0 (unused), the two signal ids 1 and 2, and
        ``vocab_size - 3`` noise ids (at least one).
    seed : int
        Seed of the NumPy generator; the same arguments give the same data.

    Returns
    -------
    x : np.ndarray of int32, shape (n_samples, distance + 1)
        Token ids.
    y : np.ndarray of int32, shape (n_samples,)
        Labels, ``x[:, 0] - 1``; balanced in expectation.

    Raises
    ------
    ValueError
        If ``n_samples`` or ``distance`` is not a positive integer, or
        ``vocab_size`` leaves no room for a noise token.
    """
    n_samples = _check_positive_int("n_samples", n_samples)
    distance = _check_positive_int("distance", distance)
    vocab_size = _check_positive_int("vocab_size", vocab_size, FIRST_NOISE_TOKEN + 1)
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 2, size=n_samples).astype(np.int32)
    x = rng.integers(
        FIRST_NOISE_TOKEN, vocab_size, size=(n_samples, distance + 1)
    ).astype(np.int32)
    x[:, 0] = np.asarray(SIGNAL_TOKENS, dtype=np.int32)[y]
    return x, y


def long_range_labels(x, distance: int) -> np.ndarray:
    """Compute the labels of the task from the token ``distance`` steps before the end.

    This is the rule :func:`make_long_range_task` uses: only the token at
    position ``-(distance + 1)`` matters.

    Introduced in chapter 4 (``notebooks/04_vanishing_exploding.ipynb``).

    Parameters
    ----------
    x : array of int, shape (n_samples, length)
        Token ids, ``length > distance``.
    distance : int
        Distance of the signal token from the last token.

    Returns
    -------
    np.ndarray of int32, shape (n_samples,)
        0 where that token is id 1, 1 where it is id 2.

    Raises
    ------
    ValueError
        If ``x`` is not 2-D, is too short, or holds no signal token at that
        position.
    """
    x = np.asarray(x)
    distance = _check_positive_int("distance", distance)
    if x.ndim != 2 or x.shape[1] <= distance:
        raise ValueError(f"x must have shape (n_samples, > {distance}), got {x.shape}")
    token = x[:, -(distance + 1)]
    if not np.isin(token, SIGNAL_TOKENS).all():
        raise ValueError(
            f"the token {distance} steps before the end must be one of {SIGNAL_TOKENS}"
        )
    return (token == SIGNAL_TOKENS[1]).astype(np.int32)


def chrono_lstm_bias(units: int, max_distance: int, seed: int = 0) -> np.ndarray:
    """An LSTM bias with the "chrono" initialisation of the forget and input gates.

    Tallec and Ollivier (2018): ``b_f = log(u)`` with ``u ~ U(1, max_distance - 1)``
    per unit and ``b_i = -b_f``; the candidate and output biases are 0. A
    forget gate of ``sigmoid(b_f)`` keeps a memory for about ``u`` steps at
    initialisation, instead of about 3 steps with Keras's default ``b_f = 1``.

    Introduced in chapter 4 (``notebooks/04_vanishing_exploding.ipynb``).

    Parameters
    ----------
    units : int
        Number of LSTM units ``n``.
    max_distance : int
        The longest dependency expected, at least 3.
    seed : int
        Seed of the NumPy generator.

    Returns
    -------
    np.ndarray of float32, shape (4 * units,)
        In Keras's fused gate order ``[i, f, c, o]``.

    Raises
    ------
    ValueError
        If ``units < 1`` or ``max_distance < 3``.
    """
    units = _check_positive_int("units", units)
    max_distance = _check_positive_int("max_distance", max_distance, 3)
    rng = np.random.default_rng(seed)
    forget = np.log(rng.uniform(1.0, max_distance - 1.0, size=units))
    bias = np.zeros(4 * units, dtype=np.float32)
    bias[:units] = -forget
    bias[units : 2 * units] = forget
    return bias


def long_range_sizes(mode: Optional[str] = None) -> dict:
    """Sample sizes and epoch budget of the long-range experiment in a mode.

    Introduced in chapter 4 (``notebooks/04_vanishing_exploding.ipynb``).

    Parameters
    ----------
    mode : {"full", "quick"}, optional
        By default the mode named by ``BOOK_MODE``.

    Returns
    -------
    dict
        ``n_train``, ``n_val``, ``n_test`` and ``epochs``.
    """
    return dict(LONG_RANGE_TASK_SIZES[mode_settings(mode).mode])


def build_long_range_classifier(
    layer: str,
    vocab_size: int = 12,
    embedding_dim: int = 8,
    units: int = 32,
    max_distance: int = 200,
    learning_rate: float = 3e-3,
    seed: int = SEED,
):
    """A small classifier for the long-range task.

    The model is :func:`helpers.models.build_sequence_classifier` (no mask)
    with two changes to its initial weights: the embedding vectors are drawn
    from a standard normal distribution (unit-scale inputs, like trained
    embeddings, instead of Keras's tiny ``U(-0.05, 0.05)``), and an LSTM gets
    the :func:`chrono_lstm_bias`.

    Introduced in chapter 4 (``notebooks/04_vanishing_exploding.ipynb``).

    Parameters
    ----------
    layer : {"simple_rnn", "lstm", "gru"}
        The recurrent layer.
    vocab_size, embedding_dim, units, learning_rate
        As in :func:`helpers.models.build_sequence_classifier`.
    max_distance : int
        Passed to :func:`chrono_lstm_bias` (LSTM only).
    seed : int
        Seed of the embedding (and chrono bias) draw.

    Returns
    -------
    keras.Model
        Compiled with Adam, binary cross-entropy and accuracy, named
        ``"<layer>_long_range"``.
    """
    from helpers.models import build_sequence_classifier

    model = build_sequence_classifier(
        layer,
        vocab_size=vocab_size,
        embedding_dim=embedding_dim,
        units=units,
        mask_zero=False,
        learning_rate=learning_rate,
        name=f"{layer}_long_range",
    )
    rng = np.random.default_rng(seed)
    embedding = model.get_layer("embedding")
    embedding.set_weights(
        [rng.standard_normal((vocab_size, embedding_dim)).astype(np.float32)]
    )
    if layer == "lstm":
        rnn = model.get_layer("rnn")
        kernel, recurrent_kernel, _ = rnn.get_weights()
        rnn.set_weights(
            [kernel, recurrent_kernel, chrono_lstm_bias(units, max_distance, seed)]
        )
    return model


@dataclass
class LongRangeRun:
    """One training run on the long-range task.

    Attributes
    ----------
    layer : str
        ``"simple_rnn"``, ``"lstm"`` or ``"gru"``.
    distance : int
        The task's distance ``T``.
    val_accuracy : float
        Best validation accuracy (its weights are kept).
    test_accuracy : float
        Accuracy on a held-out test set of the same task, measured once.
    epochs_run : int
        Epochs trained.
    seconds : float
        Wall time of the fit and the evaluation.
    """

    layer: str
    distance: int
    val_accuracy: float
    test_accuracy: float
    epochs_run: int
    seconds: float


def fit_long_range(
    layer: str,
    distance: int,
    n_train: int,
    n_val: int,
    n_test: int,
    epochs: int,
    seed: int = SEED,
    batch_size: int = 64,
    target_accuracy: float = 0.99,
    **model_options,
) -> LongRangeRun:
    """Train :func:`build_long_range_classifier` on the task at one distance.

    Training, validation and test sets are drawn with different seeds. The
    fit stops early when the validation accuracy has not improved for two
    epochs (best weights restored) or has reached ``target_accuracy``.
    Nothing is printed.

    Introduced in chapter 4 (``notebooks/04_vanishing_exploding.ipynb``).

    Parameters
    ----------
    layer : {"simple_rnn", "lstm", "gru"}
        The recurrent layer.
    distance : int
        The task's distance ``T``.
    n_train, n_val, n_test : int
        Sizes of the three sets.
    epochs : int
        Maximum number of epochs.
    seed : int
        Seed of the weights and of the data.
    batch_size : int
        Mini-batch size.
    target_accuracy : float
        Stop as soon as the validation accuracy reaches it.
    **model_options
        Passed to :func:`build_long_range_classifier`.

    Returns
    -------
    LongRangeRun
        Accuracies, epochs and seconds.
    """
    import keras

    started = time.perf_counter()
    keras.utils.set_random_seed(seed)
    x, y = make_long_range_task(n_train, distance, seed=seed)
    x_val, y_val = make_long_range_task(n_val, distance, seed=seed + 1)
    x_test, y_test = make_long_range_task(n_test, distance, seed=seed + 2)
    model = build_long_range_classifier(layer, seed=seed, **model_options)

    class KeepBest(keras.callbacks.Callback):
        """Early stopping on validation accuracy that always restores the best epoch."""

        def on_train_begin(self, logs=None):
            self.best, self.best_weights, self.wait = -1.0, None, 0

        def on_epoch_end(self, epoch, logs=None):
            accuracy = (logs or {}).get("val_accuracy", 0.0)
            if accuracy > self.best:
                self.best, self.best_weights, self.wait = (
                    accuracy,
                    self.model.get_weights(),
                    0,
                )
            else:
                self.wait += 1
            if accuracy >= target_accuracy or self.wait >= 2:
                self.model.stop_training = True

        def on_train_end(self, logs=None):
            self.model.set_weights(self.best_weights)

    keep_best = KeepBest()
    history = model.fit(
        x,
        y,
        validation_data=(x_val, y_val),
        epochs=epochs,
        batch_size=batch_size,
        verbose=0,
        callbacks=[keep_best],
    )
    val = history.history["val_accuracy"]
    best = int(np.argmax(val))
    _, test_accuracy = model.evaluate(x_test, y_test, batch_size=256, verbose=0)
    return LongRangeRun(
        layer,
        int(distance),
        float(val[best]),
        float(test_accuracy),
        len(val),
        time.perf_counter() - started,
    )


#: The initialisations :func:`build_long_range_variant` can give the embedding.
EMBEDDING_INITS = ("keras", "unit")
#: The initialisations :func:`build_long_range_variant` can give an LSTM's gates.
FORGET_BIAS_INITS = ("keras", "chrono")


def build_long_range_variant(
    layer: str,
    embedding: str = "keras",
    forget_bias: str = "keras",
    vocab_size: int = 12,
    embedding_dim: int = 8,
    units: int = 32,
    max_distance: int = 200,
    learning_rate: float = 3e-3,
    seed: int = SEED,
):
    """A long-range classifier whose initialisation is chosen factor by factor.

    The model is :func:`helpers.models.build_sequence_classifier` (no mask).
    Two factors of its initial weights can be set separately, so that an
    experiment changes one factor at a time and gives both layers the same
    treatment: the embedding (Keras's default ``U(-0.05, 0.05)``, or
    unit-scale standard-normal vectors) and, for an LSTM, the forget and
    input gate biases (Keras's default ``b_f = 1``, or
    :func:`chrono_lstm_bias`). With ``embedding="unit"`` and
    ``forget_bias="chrono"`` (LSTM) or ``embedding="unit"`` (other layers)
    it builds the same weights as :func:`build_long_range_classifier` for
    the same seed.

    Introduced in chapter 4 (``notebooks/04_vanishing_exploding.ipynb``).

    Parameters
    ----------
    layer : {"simple_rnn", "lstm", "gru"}
        The recurrent layer.
    embedding : {"keras", "unit"}
        Initialisation of the embedding vectors.
    forget_bias : {"keras", "chrono"}
        Initialisation of the LSTM's gate biases; only an LSTM accepts
        ``"chrono"``.
    vocab_size, embedding_dim, units, learning_rate
        As in :func:`helpers.models.build_sequence_classifier`.
    max_distance : int
        Passed to :func:`chrono_lstm_bias`.
    seed : int
        Seed of the unit-scale embedding and chrono bias draws (the Keras
        initialisers follow ``keras.utils.set_random_seed``).

    Returns
    -------
    keras.Model
        Compiled with Adam, binary cross-entropy and accuracy, named
        ``"<layer>_long_range"``.

    Raises
    ------
    ValueError
        If ``embedding`` or ``forget_bias`` is not one of the names above, or
        ``forget_bias="chrono"`` is asked of a layer that is not an LSTM.
    """
    if embedding not in EMBEDDING_INITS:
        raise ValueError(
            f"embedding must be one of {EMBEDDING_INITS}, got {embedding!r}"
        )
    if forget_bias not in FORGET_BIAS_INITS:
        raise ValueError(
            f"forget_bias must be one of {FORGET_BIAS_INITS}, got {forget_bias!r}"
        )
    if forget_bias == "chrono" and layer != "lstm":
        raise ValueError(f"only an LSTM has a forget gate; {layer!r} got 'chrono'")
    from helpers.models import build_sequence_classifier

    model = build_sequence_classifier(
        layer,
        vocab_size=vocab_size,
        embedding_dim=embedding_dim,
        units=units,
        mask_zero=False,
        learning_rate=learning_rate,
        name=f"{layer}_long_range",
    )
    if embedding == "unit":
        rng = np.random.default_rng(seed)
        model.get_layer("embedding").set_weights(
            [rng.standard_normal((vocab_size, embedding_dim)).astype(np.float32)]
        )
    if forget_bias == "chrono":
        rnn = model.get_layer("rnn")
        kernel, recurrent_kernel, _ = rnn.get_weights()
        rnn.set_weights(
            [kernel, recurrent_kernel, chrono_lstm_bias(units, max_distance, seed)]
        )
    return model


def fit_long_range_variant(
    layer: str,
    distance: int,
    n_train: int,
    n_val: int,
    n_test: int,
    epochs: int,
    seed: int = SEED,
    embedding: str = "keras",
    forget_bias: str = "keras",
    batch_size: int = 64,
    target_accuracy: float = 0.99,
    **model_options,
) -> LongRangeRun:
    """Train :func:`build_long_range_variant` on the task at one distance.

    The same protocol as :func:`fit_long_range` (data drawn with seeds
    ``seed``, ``seed + 1``, ``seed + 2`` for training, validation and test;
    early stopping on validation accuracy after two epochs without
    improvement or at ``target_accuracy``, best weights restored; the test
    set scored once), with the initialisation chosen by ``embedding`` and
    ``forget_bias``. Nothing is printed.

    Introduced in chapter 4 (``notebooks/04_vanishing_exploding.ipynb``).

    Parameters
    ----------
    layer : {"simple_rnn", "lstm", "gru"}
        The recurrent layer.
    distance : int
        The task's distance ``T``.
    n_train, n_val, n_test : int
        Sizes of the three sets.
    epochs : int
        Maximum number of epochs (the budget).
    seed : int
        Seed of the weights and of the data.
    embedding, forget_bias : str
        As in :func:`build_long_range_variant`.
    batch_size : int
        Mini-batch size.
    target_accuracy : float
        Stop as soon as the validation accuracy reaches it.
    **model_options
        Passed to :func:`build_long_range_variant`.

    Returns
    -------
    LongRangeRun
        Accuracies, epochs and seconds.

    Raises
    ------
    ValueError
        As :func:`build_long_range_variant` and :func:`make_long_range_task`.
    """
    import keras

    started = time.perf_counter()
    keras.utils.set_random_seed(seed)
    x, y = make_long_range_task(n_train, distance, seed=seed)
    x_val, y_val = make_long_range_task(n_val, distance, seed=seed + 1)
    x_test, y_test = make_long_range_task(n_test, distance, seed=seed + 2)
    model = build_long_range_variant(
        layer, embedding, forget_bias, seed=seed, **model_options
    )
    best = {"accuracy": -1.0, "weights": None, "wait": 0}

    def end_epoch(epoch, logs):
        accuracy = (logs or {}).get("val_accuracy", 0.0)
        if accuracy > best["accuracy"]:
            best.update(accuracy=accuracy, weights=model.get_weights(), wait=0)
        else:
            best["wait"] += 1
        if accuracy >= target_accuracy or best["wait"] >= 2:
            model.stop_training = True

    history = model.fit(
        x,
        y,
        validation_data=(x_val, y_val),
        epochs=epochs,
        batch_size=batch_size,
        verbose=0,
        callbacks=[keras.callbacks.LambdaCallback(on_epoch_end=end_epoch)],
    )
    model.set_weights(best["weights"])
    val = history.history["val_accuracy"]
    _, test_accuracy = model.evaluate(x_test, y_test, batch_size=256, verbose=0)
    return LongRangeRun(
        layer,
        int(distance),
        float(max(val)),
        float(test_accuracy),
        len(val),
        time.perf_counter() - started,
    )
