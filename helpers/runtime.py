"""Start and finish a chapter: quiet TensorFlow, seeds, mode, run time.

Introduced in chapter 1 (``notebooks/01_bag_of_words.ipynb``).
"""

from __future__ import annotations

import os
import sys
import time

from helpers.config import SEED, ModeSettings, mode_settings, set_global_seed

_started_at = None


def import_tensorflow_quietly() -> None:
    """Import TensorFlow with its C++ start-up log lines sent to ``/dev/null``.

    TensorFlow prints oneDNN, CUDA and CPU-feature notices on file
    descriptor 2 before its logging can be configured; in a notebook they
    would be stored as noise in every chapter. Python warnings are not
    affected: only the import and the first device initialisation are
    silenced, and ``TF_CPP_MIN_LOG_LEVEL=3`` keeps later C++ info lines out.
    """
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    if "tensorflow" in sys.modules:
        return
    sys.stderr.flush()
    saved = os.dup(2)
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, 2)
        import tensorflow as tf

        tf.constant(0.0) + 0.0  # the first op initialises the devices (and logs)
    finally:
        os.dup2(saved, 2)
        os.close(saved)
        os.close(devnull)


def start_chapter(number: int, seed: int = SEED) -> ModeSettings:
    """Prepare a chapter run: quiet TensorFlow, seed everything, start the clock.

    TensorFlow's start-up lines are silenced (:func:`import_tensorflow_quietly`)
    and its Python logger shows errors only, so that tf.function retracing
    notices do not land in the stored outputs.

    Parameters
    ----------
    number : int
        The chapter number, printed with the mode and library versions.
    seed : int
        Seed for Python, NumPy and TensorFlow.

    Returns
    -------
    ModeSettings
        The settings of the mode named by ``BOOK_MODE``.
    """
    global _started_at
    settings = mode_settings()
    import_tensorflow_quietly()
    import keras
    import tensorflow as tf

    # Keras traces a prediction function per model and batch shape, and TensorFlow
    # counts the traces of every model in the process together: its "retracing"
    # warnings are noise in stored outputs.
    tf.get_logger().setLevel("ERROR")
    set_global_seed(seed)
    _started_at = time.perf_counter()
    print(
        f"Chapter {number} | mode: {settings.mode} | seed: {seed} | "
        f"TensorFlow {tf.__version__} | Keras {keras.__version__}"
    )
    return settings


def chapter_seconds() -> float:
    """Return the seconds since :func:`start_chapter`.

    Raises
    ------
    RuntimeError
        If :func:`start_chapter` was not called in this process.
    """
    if _started_at is None:
        raise RuntimeError(
            "call helpers.runtime.start_chapter() in the setup cell first"
        )
    return time.perf_counter() - _started_at
