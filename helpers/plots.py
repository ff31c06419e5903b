"""Plots shared by the chapters, with one colour per model throughout the book.

Introduced in chapter 1 (``notebooks/01_bag_of_words.ipynb``).
"""

from __future__ import annotations

from typing import Mapping

import matplotlib.pyplot as plt
from matplotlib.ticker import MaxNLocator

#: The same model has the same colour in every chapter.
MODEL_COLORS = {
    "BoW unigram": "#7f7f7f",
    "BoW bigram": "#bcbd22",
    "SimpleRNN": "#1f77b4",
    "LSTM": "#d62728",
    "GRU": "#2ca02c",
    "Bi-LSTM": "#9467bd",
    "tutorial Bi-LSTM": "#8c564b",
    "Bi-LSTM (improved)": "#9467bd",
}


def model_color(name: str) -> str:
    """Return the book's colour for a model name (grey-blue if it has none)."""
    return MODEL_COLORS.get(name, "#17becf")


def plot_learning_curves(
    histories: Mapping[str, dict],
    metric: str = "accuracy",
    title: str = "Learning curves",
):
    """Plot training (dashed) and validation (solid) curves of several models.

    Parameters
    ----------
    histories : mapping of str to dict
        Model name to a Keras history dict (``TrainingRun.history``).
    metric : str
        ``"accuracy"`` or ``"loss"``; the validation curve is ``"val_" + metric``.
    title : str
        The figure title.

    Returns
    -------
    matplotlib.figure.Figure
        The figure (one axes).
    """
    fig, ax = plt.subplots(figsize=(6.4, 3.8))
    for name, history in histories.items():
        epochs = range(1, len(history[metric]) + 1)
        color = model_color(name)
        ax.plot(epochs, history[metric], "--", color=color, label=f"{name}, training")
        ax.plot(
            epochs,
            history["val_" + metric],
            "-o",
            color=color,
            label=f"{name}, validation",
        )
    ax.set_title(title)
    ax.set_xlabel("epoch")
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_ylabel(metric)
    ax.grid(alpha=0.3)
    ax.legend(fontsize="small")
    fig.tight_layout()
    return fig
