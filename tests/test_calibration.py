"""Tests of helpers.calibration."""

import pytest

from helpers import calibration


def test_the_probe_prints_a_line_that_read_calibration_parses():
    line = calibration.calibration_seconds(report=True)
    assert line.startswith(calibration.PREFIX)
    seconds = calibration.read_calibration([{"output_type": "stream", "text": line}])
    assert 0 < seconds < 60


def test_read_calibration_ignores_other_outputs():
    outputs = [
        {"output_type": "stream", "text": ["hello\n"]},
        {"output_type": "error", "ename": "RuntimeError"},
    ]
    assert calibration.read_calibration(outputs) is None


def test_load_factor_is_the_mean_over_the_reference():
    ref = calibration.REFERENCE_SECONDS
    assert calibration.load_factor([ref, 3 * ref]) == pytest.approx(2.0)
    assert calibration.load_factor([None, 2 * ref]) == pytest.approx(2.0)
    assert calibration.load_factor([]) is None and calibration.load_factor(None) is None


def _draws():
    import random

    import keras
    import numpy as np
    import tensorflow as tf

    layer = keras.layers.Dense(3, name="draws_dense")
    layer.build((None, 4))
    dropped = keras.layers.Dropout(0.5, name="draws_dropout")(
        tf.ones((1, 8)), training=True
    )
    return (
        random.random(),
        float(np.random.rand()),
        float(tf.random.uniform(())),
        float(keras.random.uniform(())),
        layer.kernel.numpy().tolist(),
        dropped.numpy().tolist(),
    )


def test_the_probe_moves_no_random_state_a_chapter_draws_from():
    # It runs between a chapter's cells: training after it must not change.
    import keras

    keras.utils.set_random_seed(1234)
    expected = _draws()
    keras.utils.set_random_seed(1234)
    calibration.calibration_seconds()
    assert _draws() == expected


def test_no_stored_chapter_holds_the_probe_cell():
    # nbclient stores an executed cell in its notebook slot; an early version of the
    # executor left the probe there in place of a chapter's setup cell.
    import json
    from pathlib import Path

    notebooks = Path(__file__).resolve().parent.parent / "notebooks"
    for path in sorted(notebooks.glob("*.ipynb")):
        cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
        sources = ["".join(cell["source"]) for cell in cells]
        assert not any(calibration.CELL_SOURCE.strip() in s for s in sources), path.name
        assert sum("start_chapter(" in s for s in sources) == 1, path.name


def test_load_factor_weights_each_figure_by_the_time_it_stands_for():
    ref = calibration.REFERENCE_SECONDS
    # 1x for the first 10 s, then 3x from 20 s to the end at 100 s, linear in between
    factor = calibration.load_factor([ref, 3 * ref], at=[10, 20], total=100)
    assert factor == pytest.approx((10 * 1 + 10 * 2 + 80 * 3) / 100)
    # a failed probe drops out with its time
    assert calibration.load_factor([None, 2 * ref], at=[5, 50], total=100) == 2.0
