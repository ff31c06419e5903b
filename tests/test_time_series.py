"""Tests for helpers/time_series.py: the weather data, windows, splits, baselines, noise."""

import numpy as np
import pytest

from helpers import time_series as ts
from helpers.time_series import (
    Normalisation,
    autoregression_forecast,
    check_finite,
    chronological_windows,
    continuation_lookup_forecast,
    fit_autoregression,
    lag_autocorrelation,
    leaked_target_fraction,
    load_seattle_weather,
    make_windows,
    mean_absolute_error,
    naive_forecast,
    paired_block_bootstrap,
    seasonal_naive_forecast,
    seattle_weather_path,
    split_by_dates,
    time_series_sizes,
)

CSV_HEADER = "date,precipitation,temp_max,temp_min,wind,weather\n"


def _csv(tmp_path, rows):
    path = tmp_path / "weather.csv"
    path.write_text(CSV_HEADER + "".join(rows), encoding="utf-8")
    return path


# --------------------------------------------------------------------------- #
# Sizes and data
# --------------------------------------------------------------------------- #
def test_sizes_per_mode():
    full, quick = time_series_sizes("full"), time_series_sizes("quick")
    assert quick["epochs"] < full["epochs"] and len(quick["seeds"]) <= len(
        full["seeds"]
    )
    assert len(quick["seeds"]) >= 2 and len(set(full["seeds"])) == len(full["seeds"])
    with pytest.raises(ValueError, match="mode"):
        time_series_sizes("slow")


def test_seattle_weather_is_read_from_the_installed_package():
    pytest.importorskip("vega_datasets")
    path = seattle_weather_path()
    assert path.name == "seattle-weather.csv" and "vega_datasets" in str(path)
    weather = load_seattle_weather()
    assert weather.values.shape == (1461, 4) and weather.features == ts.SEATTLE_FEATURES
    assert (
        str(weather.dates[0]) == "2012-01-01" and str(weather.dates[-1]) == "2015-12-31"
    )
    assert np.all(np.diff(weather.dates) == np.timedelta64(1, "D"))
    np.testing.assert_allclose(
        weather.values[0], [0.0, 12.8, 5.0, 4.7]
    )  # the file's first row
    assert weather.column("temp_max") == 1 and weather.units["temp_max"] == "°C"
    with pytest.raises(ValueError, match="no feature 'humidity'"):
        weather.column("humidity")


def test_missing_package_says_how_to_install(monkeypatch):
    monkeypatch.setattr(ts.importlib.util, "find_spec", lambda name: None)
    with pytest.raises(ModuleNotFoundError, match="pip install vega_datasets"):
        seattle_weather_path()
    with pytest.raises(ModuleNotFoundError, match="pip install vega_datasets"):
        load_seattle_weather()


def test_loader_rejects_gaps_missing_values_and_wrong_files(tmp_path):
    good = ["2012/01/01,0.0,12.8,5.0,4.7,rain\n", "2012/01/02,1.0,10.6,2.8,4.5,rain\n"]
    assert load_seattle_weather(_csv(tmp_path, good)).values.shape == (2, 4)
    gap = [good[0], "2012/01/03,1.0,10.6,2.8,4.5,rain\n"]
    with pytest.raises(ValueError, match="not consecutive"):
        load_seattle_weather(_csv(tmp_path, gap))
    missing = [good[0], "2012/01/02,1.0,,2.8,4.5,rain\n"]
    with pytest.raises(ValueError, match="NaN"):
        load_seattle_weather(_csv(tmp_path, missing))
    other = tmp_path / "other.csv"
    other.write_text("date,price\n2012/01/01,3\n", encoding="utf-8")
    with pytest.raises(ValueError, match="lacks the columns"):
        load_seattle_weather(other)


def test_check_finite_names_the_first_bad_row():
    assert check_finite([1, 2]).dtype == np.float64
    with pytest.raises(ValueError, match="first at row 2"):
        check_finite([[1.0], [2.0], [np.inf]])


# --------------------------------------------------------------------------- #
# Windows and splits
# --------------------------------------------------------------------------- #
def test_make_windows_by_hand():
    values = np.arange(20.0).reshape(10, 2)  # row t = [2t, 2t + 1]
    targets = np.arange(10.0) * 10
    x, y = make_windows(values, targets, window=3, horizon=2)
    assert x.shape == (10 - 3 - 2 + 1, 3, 2) and y.shape == (6,)
    np.testing.assert_array_equal(x[0], values[0:3])
    np.testing.assert_array_equal(x[5], values[5:8])
    np.testing.assert_array_equal(y, targets[4:10])  # target of window i: i + 3 - 1 + 2
    x1, _ = make_windows(np.arange(5.0), np.arange(5.0), window=2)
    assert x1.shape == (3, 2, 1)  # a 1-D series is one feature


def test_make_windows_bad_input():
    values = np.ones((10, 2))
    with pytest.raises(ValueError, match="at least 12 time steps, the series has 10"):
        make_windows(values, values[:, 0], window=11, horizon=1)
    with pytest.raises(ValueError, match="window must be a positive integer"):
        make_windows(values, values[:, 0], window=0)
    with pytest.raises(ValueError, match="horizon must be a positive integer"):
        make_windows(values, values[:, 0], window=2, horizon=1.5)
    with pytest.raises(ValueError, match="same n"):
        make_windows(values, values[:5, 0], window=2)
    nan = values.copy()
    nan[4, 1] = np.nan
    with pytest.raises(ValueError, match="NaN or infinite entries .first at row 4"):
        make_windows(nan, values[:, 0], window=2)


def test_split_by_dates_and_errors():
    dates = np.arange("2012-01-01", "2012-01-11", dtype="datetime64[D]")
    parts = split_by_dates(dates, ["2012-01-05", "2012-01-08"])
    assert [(p.start, p.stop) for p in parts] == [(0, 4), (4, 7), (7, 10)]
    with pytest.raises(ValueError, match="part 2 .* is empty"):
        split_by_dates(dates, ["2012-01-05", "2013-01-01"])
    with pytest.raises(ValueError, match="increasing"):
        split_by_dates(dates, ["2012-01-08", "2012-01-05"])
    with pytest.raises(ValueError, match="strictly increasing"):
        split_by_dates(dates[::-1], ["2012-01-05"])


def test_chronological_windows_never_cross_a_boundary():
    n = 30
    values = np.arange(n, dtype=float)[:, None]
    parts = [slice(0, 12), slice(12, 21), slice(21, 30)]
    windows = chronological_windows(values, values[:, 0], parts, window=4, horizon=2)
    for (name, (x, y)), part in zip(windows.items(), parts):
        assert x.min() >= part.start and x.max() < part.stop, name
        assert y.min() >= part.start and y.max() < part.stop, name
        assert len(x) == (part.stop - part.start) - 4 - 2 + 1
    with pytest.raises(
        ValueError, match="validation part has 9 time steps.*no windows"
    ):
        chronological_windows(values, values[:, 0], parts, window=9, horizon=1)
    with pytest.raises(ValueError, match="3 parts but 2 names"):
        chronological_windows(values, values[:, 0], parts, 2, 1, names=("a", "b"))


def test_normalisation_uses_the_given_rows_only():
    train = np.array([[1.0, 10.0], [3.0, 30.0]])
    norm = Normalisation.fit(train)
    np.testing.assert_allclose(norm.mean, [2.0, 20.0])
    np.testing.assert_allclose(norm.apply(train), [[-1, -1], [1, 1]])
    np.testing.assert_allclose(
        norm.apply([[5.0, 50.0]]), [[3, 3]]
    )  # other rows: same stats
    np.testing.assert_allclose(norm.to_units(norm.apply(train)[:, 1], 1), train[:, 1])
    with pytest.raises(ValueError, match="constant"):
        Normalisation.fit([[1.0, 2.0], [1.0, 3.0]])
    with pytest.raises(ValueError, match="NaN"):
        Normalisation.fit([[1.0, np.nan], [2.0, 3.0]])


# --------------------------------------------------------------------------- #
# Baselines and scores
# --------------------------------------------------------------------------- #
def test_naive_and_seasonal_naive():
    series = np.arange(20.0)
    x, y = make_windows(
        np.stack([series, -series], axis=1), series, window=8, horizon=1
    )
    np.testing.assert_array_equal(naive_forecast(x, 0), y - 1)
    np.testing.assert_array_equal(seasonal_naive_forecast(x, 0, season=7), y - 7)
    x3, y3 = make_windows(series, series, window=8, horizon=3)
    np.testing.assert_array_equal(
        seasonal_naive_forecast(x3, 0, season=7, horizon=3), y3 - 7
    )
    with pytest.raises(ValueError, match="outside 0..7"):
        seasonal_naive_forecast(x, 0, season=9)
    with pytest.raises(ValueError, match="outside"):
        seasonal_naive_forecast(
            x3, 0, season=2, horizon=3
        )  # the value lies in the future
    with pytest.raises(ValueError, match="target_column 2"):
        naive_forecast(x, 2)
    with pytest.raises(ValueError, match="samples, timesteps, features"):
        naive_forecast(np.ones((0, 3, 1)), 0)


def test_autoregression_recovers_a_known_linear_rule():
    rng = np.random.default_rng(0)
    series = rng.normal(size=300)
    x, y = make_windows(series, series, window=3)
    target = (
        0.5 * x[:, -1, 0] - 0.25 * x[:, 0, 0] + 2.0
    )  # a known AR rule on the windows
    weights = fit_autoregression(x, target)
    np.testing.assert_allclose(weights, [-0.25, 0.0, 0.5, 2.0], atol=1e-10)
    np.testing.assert_allclose(autoregression_forecast(weights, x), target, atol=1e-10)
    with pytest.raises(ValueError, match="do not fit windows"):
        autoregression_forecast(weights, np.ones((5, 4, 1)))
    with pytest.raises(ValueError, match="cannot determine"):
        fit_autoregression(x[:3], target[:3])
    with pytest.raises(ValueError, match="y must have shape"):
        fit_autoregression(x, target[:-1])


def test_mean_absolute_error():
    assert mean_absolute_error([1.0, 2.0, 4.0], [2.0, 2.0, 1.0]) == pytest.approx(4 / 3)
    with pytest.raises(ValueError, match="same shape"):
        mean_absolute_error([1.0, 2.0], [1.0])
    with pytest.raises(ValueError, match="non-empty"):
        mean_absolute_error([], [])
    with pytest.raises(ValueError, match="NaN"):
        mean_absolute_error([1.0, np.nan], [1.0, 2.0])


# --------------------------------------------------------------------------- #
# Seasons, leakage, noise
# --------------------------------------------------------------------------- #
def test_lag_autocorrelation_finds_a_weekly_cycle():
    days = np.arange(140)
    weekly = np.sin(2 * np.pi * days / 7)
    assert lag_autocorrelation(weekly, 7) == pytest.approx(1.0)
    assert lag_autocorrelation(weekly, 3) < 0
    noise = np.random.default_rng(1).normal(size=2000)
    assert abs(lag_autocorrelation(noise, 7)) < 2 / np.sqrt(2000)
    with pytest.raises(ValueError, match="lag of 5"):
        lag_autocorrelation(np.ones(6), 5)


def test_leaked_target_fraction():
    window, horizon = 3, 1
    # training windows start at 0..4 and cover steps 0..6; targets of windows 5, 6: steps 8, 9
    assert leaked_target_fraction(range(5), [5, 6], window, horizon) == 0.0
    # a window starting at 3 has target step 6, inside training window 4 (steps 4..6)
    assert leaked_target_fraction([4], [3], window, horizon) == 1.0
    assert leaked_target_fraction([4], [3, 10], window, horizon) == 0.5
    with pytest.raises(ValueError, match="no evaluation windows"):
        leaked_target_fraction([0], [], window, horizon)


def test_continuation_lookup_finds_leaks_only_when_windows_overlap():
    series = np.random.default_rng(2).normal(size=(60, 2))
    x, y = make_windows(series, series[:, 0], window=6)
    found = continuation_lookup_forecast(
        x[1::2], x[0::2], target_column=0
    )  # interleaved
    np.testing.assert_array_equal(found[:-1], y[0::2][:-1])  # all but the last
    chronological = continuation_lookup_forecast(x[:30], x[40:], target_column=0)
    assert np.isnan(chronological).all()
    with pytest.raises(ValueError, match="different shapes"):
        continuation_lookup_forecast(x, x[:, :4], target_column=0)
    with pytest.raises(ValueError, match="no shift"):
        continuation_lookup_forecast(x, x, target_column=0, horizon=4)


def test_paired_block_bootstrap():
    rng = np.random.default_rng(3)
    a = np.abs(rng.normal(size=400)) + 0.5
    diffs = paired_block_bootstrap(a, a - 0.5, n_resamples=300, block=7, seed=0)
    np.testing.assert_allclose(diffs, 0.5)  # a constant gap has no spread
    b = np.abs(rng.normal(size=400))
    diffs = paired_block_bootstrap(a, b, n_resamples=2000, block=7, seed=0)
    assert diffs.shape == (2000,)
    assert abs(diffs.mean() - (a.mean() - b.mean())) < 0.02
    np.testing.assert_array_equal(diffs, paired_block_bootstrap(a, b, 2000, 7, seed=0))
    with pytest.raises(ValueError, match="same length"):
        paired_block_bootstrap(a, b[:-1])
    with pytest.raises(ValueError, match="block"):
        paired_block_bootstrap(a[:5], b[:5], block=7)
