"""Train a Keras model with a one-line-per-epoch log, early stopping and timing.

Introduced in chapter 1 (``notebooks/01_bag_of_words.ipynb``).
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Optional

import keras


class EpochLine(keras.callbacks.Callback):
    """Print one compact line per epoch: metrics and seconds.

    Replaces Keras's per-step progress bar, which would store hundreds of
    lines in a notebook.
    """

    def __init__(self, total_epochs: int):
        super().__init__()
        self.total_epochs = total_epochs
        self._epoch_started = 0.0

    def on_epoch_begin(self, epoch, logs=None):
        self._epoch_started = time.perf_counter()

    def on_epoch_end(self, epoch, logs=None):
        seconds = time.perf_counter() - self._epoch_started
        metrics = "  ".join(
            f"{name} {value:.4f}"
            for name, value in (logs or {}).items()
            if name != "learning_rate"
        )
        width = len(str(self.total_epochs))
        print(
            f"epoch {epoch + 1:>{width}}/{self.total_epochs}  "
            f"{metrics}  ({seconds:.1f} s)"
        )


@dataclass
class TrainingRun:
    """What one call of :func:`train_model` did.

    Attributes
    ----------
    history : dict
        Per-epoch metrics, as ``keras.callbacks.History.history``.
    seconds : float
        Wall time of the whole fit.
    epochs_run : int
        Epochs actually trained (early stopping may end sooner).
    best_epoch : int
        1-based epoch with the best monitored validation value; its weights
        are the model's weights after training.
    """

    history: dict
    seconds: float
    epochs_run: int
    best_epoch: int

    @property
    def seconds_per_epoch(self) -> float:
        """Mean wall time of one epoch."""
        return self.seconds / max(self.epochs_run, 1)

    def best(self, metric: str = "val_accuracy") -> float:
        """The value of ``metric`` at :attr:`best_epoch`."""
        return float(self.history[metric][self.best_epoch - 1])


def train_model(
    model,
    train_data,
    validation_data,
    epochs: int,
    patience: Optional[int] = 2,
    monitor: str = "val_accuracy",
    **fit_options,
) -> TrainingRun:
    """Fit ``model``, choosing the epoch on the validation set, never on test.

    Parameters
    ----------
    model : keras.Model
        A compiled model.
    train_data : tf.data.Dataset or tuple
        Training data, passed to ``model.fit`` (a tuple is ``(x, y)``).
    validation_data : tf.data.Dataset or tuple
        Validation data carved from the training split.
    epochs : int
        Maximum number of epochs.
    patience : int or None
        Stop after this many epochs without improvement of ``monitor`` and
        restore the best weights; ``None`` trains all epochs and keeps the
        last weights.
    monitor : str
        The validation metric that selects the epoch (higher is better
        unless it contains ``"loss"``).
    **fit_options
        Passed on to ``model.fit`` (``batch_size``, ``callbacks``...).

    Returns
    -------
    TrainingRun
        History, seconds, epochs run and the best epoch.
    """
    callbacks = [EpochLine(epochs)] + list(fit_options.pop("callbacks", []))
    if patience is not None:
        callbacks.append(
            keras.callbacks.EarlyStopping(
                monitor=monitor,
                patience=patience,
                restore_best_weights=True,
                mode="min" if "loss" in monitor else "max",
            )
        )
    if isinstance(train_data, tuple):
        x, y = train_data
    else:  # a tf.data.Dataset is shuffled by its own pipeline; Keras would warn
        x, y = train_data, None
        fit_options.setdefault("shuffle", False)
    started = time.perf_counter()
    history = model.fit(
        x,
        y,
        validation_data=validation_data,
        epochs=epochs,
        callbacks=callbacks,
        verbose=0,
        **fit_options,
    )
    seconds = time.perf_counter() - started
    values = history.history[monitor]
    pick = min if "loss" in monitor else max
    best_epoch = (
        (values.index(pick(values)) + 1) if patience is not None else len(values)
    )
    return TrainingRun(history.history, seconds, len(values), best_epoch)
