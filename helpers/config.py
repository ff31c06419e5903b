"""The book's run mode, seeds and data sizes, read in one place.

Every notebook asks this module how much data to use and how long to train,
so that no notebook hard-codes a size for a mode.

* ``BOOK_MODE=full`` (the default) uses all 25,000 training and 25,000 test
  reviews and the epoch budgets the chapters ask for.
* ``BOOK_MODE=quick`` uses a fixed, stratified subset of a few thousand
  reviews and caps the epochs, so that CI can re-execute every chapter in
  minutes.

Introduced in chapter 1 (``notebooks/01_bag_of_words.ipynb``).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Optional

#: The environment variable that selects the mode.
MODE_VARIABLE = "BOOK_MODE"
#: The modes a run can be in.
MODES = ("full", "quick")
#: The seed every chapter uses unless it says otherwise.
SEED = 1234


@dataclass(frozen=True)
class ModeSettings:
    """How much data and training one mode allows.

    Attributes
    ----------
    mode : str
        ``"full"`` or ``"quick"``.
    train_per_class : int or None
        Reviews per label taken from the official training split
        (``None``: all 12,500).
    test_per_class : int or None
        Reviews per label taken from the official test split
        (``None``: all 12,500).
    validation_fraction : float
        Share of the (sub-sampled) training split held out for validation.
    max_epochs : int or None
        Cap on any training run's epochs (``None``: no cap).
    seed : int
        Seed for subsets, splits and weight initialisation.
    """

    mode: str
    train_per_class: Optional[int]
    test_per_class: Optional[int]
    validation_fraction: float
    max_epochs: Optional[int]
    seed: int = SEED

    def epochs(self, wanted: int) -> int:
        """Return the epochs to train for when a chapter wants ``wanted``.

        Parameters
        ----------
        wanted : int
            The epoch budget the chapter asks for in full mode.

        Returns
        -------
        int
            ``wanted``, capped by :attr:`max_epochs` in quick mode.

        Raises
        ------
        ValueError
            If ``wanted`` is not a positive integer.
        """
        if int(wanted) != wanted or wanted < 1:
            raise ValueError(f"epochs must be a positive integer, got {wanted!r}")
        return (
            int(wanted)
            if self.max_epochs is None
            else min(int(wanted), self.max_epochs)
        )


#: Sizes and epochs of the synthetic long-range task (chapters 4 and 5),
#: per mode: the synthetic data is generated, not drawn from IMDB.
LONG_RANGE_TASK_SIZES = {
    "full": dict(n_train=3000, n_val=1000, n_test=1000, epochs=6),
    "quick": dict(n_train=512, n_val=256, n_test=256, epochs=1),
}

_SETTINGS = {
    "full": ModeSettings("full", None, None, 0.2, None),
    "quick": ModeSettings("quick", 1000, 500, 0.2, 1),
}


def current_mode() -> str:
    """Return the run mode named by ``BOOK_MODE`` (default ``"full"``).

    Returns
    -------
    str
        ``"full"`` or ``"quick"``.

    Raises
    ------
    ValueError
        If ``BOOK_MODE`` holds anything else; the message lists the choices.
    """
    mode = os.environ.get(MODE_VARIABLE, "full").strip().lower() or "full"
    if mode not in MODES:
        raise ValueError(
            f"{MODE_VARIABLE}={mode!r} is not a mode of this book. "
            f"Set {MODE_VARIABLE} to one of {', '.join(MODES)} (or unset it for full)."
        )
    return mode


def mode_settings(mode: Optional[str] = None) -> ModeSettings:
    """Return the data sizes and epoch cap of a mode.

    Parameters
    ----------
    mode : str, optional
        ``"full"`` or ``"quick"``; by default the mode from ``BOOK_MODE``.

    Returns
    -------
    ModeSettings
        The frozen settings of that mode.

    Raises
    ------
    ValueError
        If ``mode`` is not a known mode.
    """
    if mode is None:
        mode = current_mode()
    if mode not in _SETTINGS:
        raise ValueError(f"unknown mode {mode!r}; choose one of {', '.join(MODES)}")
    return _SETTINGS[mode]


def set_global_seed(seed: int = SEED) -> None:
    """Seed Python, NumPy and TensorFlow, and make TensorFlow ops deterministic.

    On a CPU this gives bit-identical training runs across processes.

    Parameters
    ----------
    seed : int
        The seed.
    """
    import keras
    import tensorflow as tf

    keras.utils.set_random_seed(seed)
    tf.config.experimental.enable_op_determinism()
