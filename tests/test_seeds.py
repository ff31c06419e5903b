"""Tests for helpers.seeds (chapter 6)."""

import math

import numpy as np
import pytest

from helpers.seeds import SeedRun, best_on_validation, format_mean_std, mean_and_std


def _run(seed, val, test=0.5):
    return SeedRun(
        seed=seed,
        val_accuracy=val,
        test_accuracy=test,
        seconds_per_epoch=1.0,
        best_epoch=1,
    )


def test_mean_and_std_uses_the_sample_standard_deviation():
    mean, std = mean_and_std([0.86, 0.88, 0.90])
    assert mean == pytest.approx(0.88)
    assert std == pytest.approx(0.02)  # ddof=1; ddof=0 would give 0.01633
    assert isinstance(mean, float) and isinstance(std, float)


def test_mean_and_std_accepts_numpy_scalars_and_generators():
    mean, std = mean_and_std(np.float32(v) for v in (1.0, 3.0))
    assert (mean, std) == pytest.approx((2.0, math.sqrt(2.0)))


@pytest.mark.parametrize("values", [[], [0.88]])
def test_mean_and_std_needs_two_values(values):
    with pytest.raises(ValueError, match="at least two"):
        mean_and_std(values)


def test_mean_and_std_rejects_nan():
    with pytest.raises(ValueError, match="finite"):
        mean_and_std([0.9, float("nan")])


def test_format_mean_std():
    assert format_mean_std([0.86, 0.88, 0.90]) == "0.880 ± 0.020"
    assert format_mean_std([1.0, 3.0], digits=1) == "2.0 ± 1.4"


def test_best_on_validation_ignores_test_accuracy():
    runs = [
        _run(1, 0.88, test=0.95),
        _run(2, 0.89, test=0.80),
        _run(3, 0.87, test=0.99),
    ]
    assert best_on_validation(runs).seed == 2


def test_best_on_validation_keeps_the_first_on_ties():
    assert best_on_validation([_run(5, 0.9), _run(6, 0.9)]).seed == 5


def test_best_on_validation_errors():
    with pytest.raises(ValueError, match="no runs"):
        best_on_validation([])
    with pytest.raises(ValueError, match="seed 7"):
        best_on_validation([_run(7, float("nan"))])
