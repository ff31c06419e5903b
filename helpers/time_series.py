"""Numeric time series: a recorded daily weather series, windows, splits, baselines.

A recurrent network reads a sequence of vectors. For a numeric series the
vectors are the measurements of one time step, and a training set is a stack
of *windows* cut from the series: an array of shape
``(samples, timesteps, features)``. This module holds what a forecasting
experiment needs besides the network:

* :func:`load_seattle_weather` reads the daily Seattle weather record
  (2012-2015) that ships inside the ``vega_datasets`` package, from the
  installed file, without a network call;
* :func:`make_windows` cuts windows and their targets in NumPy;
  :func:`split_by_dates` and :func:`chronological_windows` split a series in
  time and window each part separately, so that no window crosses a split
  boundary; :class:`Normalisation` holds statistics of the training part;
* :func:`naive_forecast`, :func:`seasonal_naive_forecast`,
  :func:`fit_autoregression` / :func:`autoregression_forecast` are the
  baselines a network has to beat, :func:`mean_absolute_error` scores them;
* :func:`lag_autocorrelation`, :func:`leaked_target_fraction`,
  :func:`continuation_lookup_forecast` and :func:`paired_block_bootstrap`
  measure seasons, leakage and noise;
* :func:`time_series_sizes` gives the epochs and seeds of each mode.

Nothing here imports TensorFlow.

Introduced in chapter 10 (``notebooks/10_time_series.ipynb``).
"""

from __future__ import annotations

import csv
import importlib.util
from dataclasses import dataclass
from pathlib import Path
from typing import Optional, Sequence

import numpy as np

from helpers.config import mode_settings

#: The numeric columns of ``seattle-weather.csv``, in file order.
SEATTLE_FEATURES = ("precipitation", "temp_max", "temp_min", "wind")
#: Their units: daily precipitation total, daily maximum and minimum
#: temperature, average wind speed.
SEATTLE_UNITS = {
    "precipitation": "mm",
    "temp_max": "°C",
    "temp_min": "°C",
    "wind": "m/s",
}
#: Epochs, early-stopping patience and seeds of the forecasting networks per mode.
TIME_SERIES_SIZES = {
    "full": dict(epochs=60, patience=5, seeds=(1, 2, 3)),
    "quick": dict(epochs=1, patience=5, seeds=(1, 2)),
}
_INSTALL = "pip install vega_datasets"


def time_series_sizes(mode: Optional[str] = None) -> dict:
    """Epochs, patience and seeds of chapter 10's networks in a mode.

    Introduced in chapter 10 (``notebooks/10_time_series.ipynb``).

    Parameters
    ----------
    mode : {"full", "quick"}, optional
        By default the mode named by ``BOOK_MODE``.

    Returns
    -------
    dict
        ``epochs`` (maximum per run), ``patience`` (early stopping on the
        validation loss) and ``seeds`` (a tuple of at least two seeds).

    Raises
    ------
    ValueError
        If ``mode`` is not a mode of the book.
    """
    sizes = dict(TIME_SERIES_SIZES[mode_settings(mode).mode])
    sizes["seeds"] = tuple(sizes["seeds"])
    return sizes


# --------------------------------------------------------------------------- #
# The data
# --------------------------------------------------------------------------- #
@dataclass(frozen=True)
class DailySeries:
    """A multivariate series with one row per day.

    Attributes
    ----------
    dates : np.ndarray of datetime64[D], shape (n,)
        Consecutive days.
    values : np.ndarray of float64, shape (n, d)
        One column per feature.
    features : tuple of str
        Column names, ``d`` of them.
    units : dict
        Feature name to unit.
    """

    dates: np.ndarray
    values: np.ndarray
    features: tuple
    units: dict

    def column(self, name: str) -> int:
        """Return the column index of feature ``name``.

        Raises
        ------
        ValueError
            If the series has no such feature; the message lists those it has.
        """
        if name not in self.features:
            raise ValueError(
                f"no feature {name!r}; the series has {', '.join(self.features)}"
            )
        return self.features.index(name)


def seattle_weather_path() -> Path:
    """Return the path of ``seattle-weather.csv`` inside the installed ``vega_datasets``.

    The package is located without importing it: importing it loads pandas,
    which nothing here needs, and the file ships inside the wheel, so no
    network call is made.

    Introduced in chapter 10 (``notebooks/10_time_series.ipynb``).

    Returns
    -------
    pathlib.Path
        The CSV file.

    Raises
    ------
    ModuleNotFoundError
        If ``vega_datasets`` is not installed (``pip install vega_datasets``).
    FileNotFoundError
        If the package is installed but the file is missing from it.
    """
    spec = importlib.util.find_spec("vega_datasets")
    if spec is None or not spec.submodule_search_locations:
        raise ModuleNotFoundError(
            f"the Seattle weather data ship in the vega_datasets package, which is not "
            f"installed: run `{_INSTALL}` (or `pip install -r requirements.txt`)"
        )
    path = (
        Path(list(spec.submodule_search_locations)[0]) / "_data" / "seattle-weather.csv"
    )
    if not path.is_file():
        raise FileNotFoundError(
            f"vega_datasets is installed but has no {path.name}: reinstall it with "
            f"`pip install --force-reinstall vega_datasets`"
        )
    return path


def check_finite(values, name: str = "values") -> np.ndarray:
    """Return ``values`` as a float64 array, or say where it is not finite.

    Introduced in chapter 10 (``notebooks/10_time_series.ipynb``).

    Parameters
    ----------
    values : array-like of numbers
        A series or a stack of series.
    name : str
        What the values are, for the message.

    Returns
    -------
    np.ndarray of float64
        The values.

    Raises
    ------
    ValueError
        If an entry is NaN or infinite; the message gives the first row.
    """
    array = np.asarray(values, dtype=np.float64)
    bad = ~np.isfinite(array)
    if bad.any():
        row = int(np.argwhere(bad)[0][0])
        raise ValueError(
            f"{name} has {int(bad.sum())} NaN or infinite entries (first at row {row}): "
            f"fill or drop the missing time steps before windowing"
        )
    return array


def load_seattle_weather(path: Optional[Path] = None) -> DailySeries:
    """Load the daily Seattle weather record of 2012-2015 from ``vega_datasets``.

    The file has one row per day from 2012-01-01 to 2015-12-31: precipitation
    (mm), maximum and minimum temperature (°C), average wind speed (m/s) and
    a weather label, which is not used. It is read with :mod:`csv` from the
    installed package: no network call.

    Introduced in chapter 10 (``notebooks/10_time_series.ipynb``).

    Parameters
    ----------
    path : pathlib.Path, optional
        Another CSV file with the same columns; by default the packaged one.

    Returns
    -------
    DailySeries
        Dates and the four numeric features (:data:`SEATTLE_FEATURES`).

    Raises
    ------
    ModuleNotFoundError
        If ``vega_datasets`` is not installed (``pip install vega_datasets``).
    ValueError
        If a column is missing, the days are not consecutive, or a value is
        missing or not finite.
    """
    path = seattle_weather_path() if path is None else Path(path)
    with open(path, newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    missing = [f for f in ("date",) + SEATTLE_FEATURES if not rows or f not in rows[0]]
    if missing:
        raise ValueError(
            f"{path.name} lacks the columns {missing}: is it seattle-weather.csv?"
        )
    dates = np.array(
        [row["date"].replace("/", "-") for row in rows], dtype="datetime64[D]"
    )
    gaps = np.flatnonzero(np.diff(dates) != np.timedelta64(1, "D"))
    if gaps.size:
        raise ValueError(
            f"{path.name}: the days are not consecutive after {dates[gaps[0]]}; "
            f"a window would then span an unknown number of days"
        )
    values = np.array(
        [
            [float(row[f]) if row[f].strip() else np.nan for f in SEATTLE_FEATURES]
            for row in rows
        ]
    )
    values = check_finite(values, f"{path.name}")
    return DailySeries(dates, values, SEATTLE_FEATURES, dict(SEATTLE_UNITS))


# --------------------------------------------------------------------------- #
# Windows and splits
# --------------------------------------------------------------------------- #
def _positive_int(name: str, value) -> int:
    if isinstance(value, bool) or int(value) != value or value < 1:
        raise ValueError(f"{name} must be a positive integer, got {value!r}")
    return int(value)


def make_windows(values, targets, window: int, horizon: int = 1) -> tuple:
    """Cut a series into overlapping windows and the value ``horizon`` steps after each.

    Sample ``i`` is the ``window`` rows ``values[i : i + window]`` and its
    target is ``targets[i + window - 1 + horizon]``: the last input step is
    ``i + window - 1`` and the forecast looks ``horizon`` steps beyond it.

    Introduced in chapter 10 (``notebooks/10_time_series.ipynb``).

    Parameters
    ----------
    values : array-like, shape (n,) or (n, d)
        The inputs, one row per time step (a 1-D series is one feature).
    targets : array-like, shape (n,)
        The series to forecast, aligned with ``values``.
    window : int
        Time steps per sample.
    horizon : int
        Steps from the last input step to the target (1: the next step).

    Returns
    -------
    x : np.ndarray of float64, shape (n - window - horizon + 1, window, d)
        Samples × timesteps × features.
    y : np.ndarray of float64, shape (n - window - horizon + 1,)
        The targets.

    Raises
    ------
    ValueError
        If ``window`` or ``horizon`` is not a positive integer, the series is
        too short for one window and its target, the lengths differ, or a
        value is NaN or infinite.
    """
    window, horizon = _positive_int("window", window), _positive_int("horizon", horizon)
    values = check_finite(values, "values")
    targets = check_finite(targets, "targets")
    if values.ndim == 1:
        values = values[:, None]
    if values.ndim != 2 or targets.ndim != 1 or len(values) != len(targets):
        raise ValueError(
            f"values must be (n,) or (n, d) and targets (n,) of the same n, "
            f"got {values.shape} and {targets.shape}"
        )
    n_samples = len(values) - window - horizon + 1
    if n_samples < 1:
        raise ValueError(
            f"a window of {window} steps and a horizon of {horizon} need at least "
            f"{window + horizon} time steps, the series has {len(values)}: "
            f"use a shorter window or horizon, or a longer series"
        )
    x = np.lib.stride_tricks.sliding_window_view(values, window, axis=0)[:n_samples]
    x = np.ascontiguousarray(np.swapaxes(x, 1, 2))  # (samples, window, d)
    y = targets[window - 1 + horizon : window - 1 + horizon + n_samples].copy()
    return x, y


def split_by_dates(dates, boundaries: Sequence[str]) -> list:
    """Split consecutive dates at boundary days into chronological parts.

    With boundaries ``b1 < b2`` the parts are ``[first, b1)``, ``[b1, b2)``
    and ``[b2, last]``.

    Introduced in chapter 10 (``notebooks/10_time_series.ipynb``).

    Parameters
    ----------
    dates : array-like of datetime64[D]
        Increasing dates.
    boundaries : sequence of str or datetime64
        The first day of each part after the first, increasing.

    Returns
    -------
    list of slice
        ``len(boundaries) + 1`` slices into the series, in time order.

    Raises
    ------
    ValueError
        If the dates or boundaries are not increasing or a part is empty.
    """
    dates = np.asarray(dates, dtype="datetime64[D]")
    cuts = np.asarray(list(boundaries), dtype="datetime64[D]")
    if dates.size == 0 or np.any(np.diff(dates) <= np.timedelta64(0, "D")):
        raise ValueError("dates must be a non-empty, strictly increasing sequence")
    if np.any(np.diff(cuts) <= np.timedelta64(0, "D")):
        raise ValueError(f"boundaries must be increasing, got {[str(c) for c in cuts]}")
    edges = [0] + [int(np.searchsorted(dates, cut)) for cut in cuts] + [len(dates)]
    parts = [slice(a, b) for a, b in zip(edges[:-1], edges[1:])]
    for k, part in enumerate(parts):
        if part.stop <= part.start:
            raise ValueError(
                f"part {k} of the split at {[str(c) for c in cuts]} is empty: "
                f"move the boundaries inside {dates[0]} .. {dates[-1]}"
            )
    return parts


def chronological_windows(
    values,
    targets,
    parts: Sequence[slice],
    window: int,
    horizon: int = 1,
    names: Sequence[str] = ("train", "validation", "test"),
) -> dict:
    """Window each chronological part separately: no window crosses a boundary.

    Introduced in chapter 10 (``notebooks/10_time_series.ipynb``).

    Parameters
    ----------
    values, targets, window, horizon
        As in :func:`make_windows`.
    parts : sequence of slice
        Chronological parts of the series (:func:`split_by_dates`).
    names : sequence of str
        A name per part.

    Returns
    -------
    dict
        Part name to ``(x, y)`` from :func:`make_windows` on that part alone.

    Raises
    ------
    ValueError
        If a part is too short for one window and its target (the message
        names the part), or as :func:`make_windows`.
    """
    if len(parts) != len(names):
        raise ValueError(f"{len(parts)} parts but {len(names)} names")
    values, targets = np.asarray(values), np.asarray(targets)
    windows = {}
    for name, part in zip(names, parts):
        steps = len(range(*part.indices(len(values))))
        if steps < window + horizon:
            raise ValueError(
                f"the {name} part has {steps} time steps, fewer than window + horizon = "
                f"{window + horizon}, so it has no windows: shorten the window or the horizon, "
                f"or give the part more time"
            )
        windows[name] = make_windows(values[part], targets[part], window, horizon)
    return windows


@dataclass(frozen=True)
class Normalisation:
    """Per-feature mean and standard deviation, measured on the training part only.

    Introduced in chapter 10 (``notebooks/10_time_series.ipynb``).

    Attributes
    ----------
    mean, std : np.ndarray of float64, shape (d,)
        The statistics of each feature.
    """

    mean: np.ndarray
    std: np.ndarray

    @classmethod
    def fit(cls, train_values) -> "Normalisation":
        """Measure the statistics of the training rows.

        Parameters
        ----------
        train_values : array-like, shape (n, d)
            The training part only (never validation or test).

        Returns
        -------
        Normalisation

        Raises
        ------
        ValueError
            If there are fewer than two rows, a value is not finite, or a
            feature is constant (its standard deviation is 0).
        """
        train_values = check_finite(train_values, "train_values")
        if train_values.ndim != 2 or len(train_values) < 2:
            raise ValueError(
                f"need a (n, d) array with n >= 2 rows, got {train_values.shape}"
            )
        mean, std = train_values.mean(axis=0), train_values.std(axis=0)
        if np.any(std == 0):
            raise ValueError(
                f"features {np.flatnonzero(std == 0).tolist()} are constant in "
                f"the training part and cannot be scaled: drop them"
            )
        return cls(mean, std)

    def apply(self, values) -> np.ndarray:
        """Return ``(values - mean) / std`` (the last axis is the feature axis)."""
        return (np.asarray(values, dtype=np.float64) - self.mean) / self.std

    def to_units(self, z, column: int) -> np.ndarray:
        """Undo :meth:`apply` for one feature: ``z * std[column] + mean[column]``."""
        return np.asarray(z, dtype=np.float64) * self.std[column] + self.mean[column]


# --------------------------------------------------------------------------- #
# Baselines and scores
# --------------------------------------------------------------------------- #
def _windows(x) -> np.ndarray:
    x = np.asarray(x, dtype=np.float64)
    if x.ndim != 3 or x.shape[0] == 0:
        raise ValueError(
            f"x must be (samples, timesteps, features) with samples > 0, got {x.shape}"
        )
    return x


def naive_forecast(x, target_column: int) -> np.ndarray:
    """Forecast the target's last observed value (persistence).

    Introduced in chapter 10 (``notebooks/10_time_series.ipynb``).

    Parameters
    ----------
    x : array-like, shape (samples, timesteps, features)
        Windows in the data's own units.
    target_column : int
        The feature that is forecast.

    Returns
    -------
    np.ndarray, shape (samples,)
        ``x[:, -1, target_column]``.

    Raises
    ------
    ValueError
        If ``x`` is not a non-empty 3-D array or the column does not exist.
    """
    x = _windows(x)
    if not 0 <= target_column < x.shape[2]:
        raise ValueError(
            f"target_column {target_column} is not one of {x.shape[2]} features"
        )
    return x[:, -1, target_column].copy()


def seasonal_naive_forecast(
    x, target_column: int, season: int, horizon: int = 1
) -> np.ndarray:
    """Forecast the value one season before the target day, read from the window.

    The target is ``horizon`` steps after the last input step; the value one
    ``season`` earlier sits at window position ``window - 1 + horizon - season``.

    Introduced in chapter 10 (``notebooks/10_time_series.ipynb``).

    Parameters
    ----------
    x : array-like, shape (samples, timesteps, features)
        Windows in the data's own units.
    target_column : int
        The feature that is forecast.
    season : int
        The season's length in steps (7 for a weekly cycle of daily data).
    horizon : int
        Steps from the last input step to the target.

    Returns
    -------
    np.ndarray, shape (samples,)

    Raises
    ------
    ValueError
        If the season is shorter than the horizon (the value lies in the
        future) or longer than the window can see (``window - 1 + horizon``).
    """
    x = _windows(x)
    season, horizon = _positive_int("season", season), _positive_int("horizon", horizon)
    window = x.shape[1]
    position = window - 1 + horizon - season
    if not 0 <= position < window:
        raise ValueError(
            f"a season of {season} steps at horizon {horizon} needs the value at window "
            f"position {position}, outside 0..{window - 1}: the window must hold at least "
            f"{season - horizon + 1} steps and the season be at least the horizon"
        )
    naive_forecast(x[:, :1], target_column)  # checks the column
    return x[:, position, target_column].copy()


def _design(x) -> np.ndarray:
    x = _windows(x)
    return np.concatenate([x.reshape(len(x), -1), np.ones((len(x), 1))], axis=1)


def fit_autoregression(x, y) -> np.ndarray:
    """Fit a linear autoregression on windows by least squares (NumPy ``lstsq``).

    The forecast is ``c + sum over steps k and features j of x[k, j] * a[k, j]``:
    one weight per input value of the window and an intercept.

    Introduced in chapter 10 (``notebooks/10_time_series.ipynb``).

    Parameters
    ----------
    x : array-like, shape (samples, timesteps, features)
        Training windows.
    y : array-like, shape (samples,)
        Their targets.

    Returns
    -------
    np.ndarray, shape (timesteps * features + 1,)
        The weights, step-major (as ``x[i].ravel()``), then the intercept.

    Raises
    ------
    ValueError
        If the lengths differ, a value is not finite, or there are fewer
        samples than weights (the fit would not be determined).
    """
    design = _design(x)
    y = check_finite(y, "y")
    if y.shape != (len(design),):
        raise ValueError(f"y must have shape ({len(design)},), got {y.shape}")
    check_finite(design, "x")
    if len(design) < design.shape[1]:
        raise ValueError(
            f"{len(design)} windows cannot determine {design.shape[1]} weights: "
            f"use more training windows or a shorter window"
        )
    weights, *_ = np.linalg.lstsq(design, y, rcond=None)
    return weights


def autoregression_forecast(weights, x) -> np.ndarray:
    """Apply :func:`fit_autoregression`'s weights to windows.

    Introduced in chapter 10 (``notebooks/10_time_series.ipynb``).

    Parameters
    ----------
    weights : array-like, shape (timesteps * features + 1,)
        From :func:`fit_autoregression`.
    x : array-like, shape (samples, timesteps, features)
        Windows of the same shape as the training windows.

    Returns
    -------
    np.ndarray, shape (samples,)

    Raises
    ------
    ValueError
        If the windows do not match the number of weights.
    """
    design, weights = _design(x), np.asarray(weights, dtype=np.float64)
    if weights.shape != (design.shape[1],):
        raise ValueError(
            f"{weights.shape[0] if weights.ndim else 0} weights do not fit windows "
            f"of {design.shape[1] - 1} values (+1 intercept): fit on windows "
            f"of the same length and features"
        )
    return design @ weights


def mean_absolute_error(y_true, y_pred) -> float:
    """Return the mean absolute error, in the units of the data.

    Introduced in chapter 10 (``notebooks/10_time_series.ipynb``).

    Parameters
    ----------
    y_true, y_pred : array-like, same shape
        Targets and forecasts.

    Returns
    -------
    float

    Raises
    ------
    ValueError
        If the shapes differ, there are no values, or a value is not finite.
    """
    y_true, y_pred = check_finite(y_true, "y_true"), check_finite(y_pred, "y_pred")
    if y_true.shape != y_pred.shape or y_true.size == 0:
        raise ValueError(
            f"y_true and y_pred must be non-empty and of the same shape, "
            f"got {y_true.shape} and {y_pred.shape}"
        )
    return float(np.mean(np.abs(y_true - y_pred)))


# --------------------------------------------------------------------------- #
# Seasons, leakage, noise
# --------------------------------------------------------------------------- #
def lag_autocorrelation(series, lag: int) -> float:
    """Return the correlation of a series with itself ``lag`` steps earlier.

    Introduced in chapter 10 (``notebooks/10_time_series.ipynb``).

    Parameters
    ----------
    series : array-like, shape (n,)
        A finite series.
    lag : int
        At least 1 and at most ``n - 3``.

    Returns
    -------
    float
        The Pearson correlation of ``series[lag:]`` with ``series[:-lag]``.

    Raises
    ------
    ValueError
        If the lag leaves fewer than three pairs or a value is not finite.
    """
    series = check_finite(series, "series")
    lag = _positive_int("lag", lag)
    if series.ndim != 1 or len(series) - lag < 3:
        raise ValueError(
            f"a lag of {lag} needs a 1-D series of more than {lag + 2} values, "
            f"got shape {series.shape}"
        )
    return float(np.corrcoef(series[lag:], series[:-lag])[0, 1])


def leaked_target_fraction(
    train_starts, eval_starts, window: int, horizon: int = 1
) -> float:
    """Share of evaluation targets that appear among the inputs of a training window.

    Windows are named by the index of their first step; a window starting at
    ``u`` holds steps ``u .. u + window - 1`` and its target is step
    ``u + window - 1 + horizon``.

    Introduced in chapter 10 (``notebooks/10_time_series.ipynb``).

    Parameters
    ----------
    train_starts, eval_starts : array-like of int
        First steps of the training and of the evaluation windows.
    window, horizon : int
        As in :func:`make_windows`.

    Returns
    -------
    float
        In [0, 1].

    Raises
    ------
    ValueError
        If there are no evaluation windows, or window/horizon are invalid.
    """
    window, horizon = _positive_int("window", window), _positive_int("horizon", horizon)
    train = np.sort(np.asarray(train_starts, dtype=np.int64))
    targets = np.asarray(eval_starts, dtype=np.int64) + window - 1 + horizon
    if targets.size == 0:
        raise ValueError("no evaluation windows")
    # a target step s is inside training window u iff s - window + 1 <= u <= s
    first = np.searchsorted(train, targets - window + 1, side="left")
    last = np.searchsorted(train, targets, side="right")
    return float(np.mean(last > first))


def continuation_lookup_forecast(
    x_train,
    x_eval,
    target_column: int,
    horizon: int = 1,
    min_shared: Optional[int] = None,
) -> np.ndarray:
    """Forecast by finding the evaluation window's continuation inside the training windows.

    A "model" that has learned nothing about weather: for an evaluation
    window starting at step ``s`` it looks for a training window starting at
    ``s + k`` (``k >= horizon``), recognised by the ``window - k`` steps
    (at least ``min_shared``) both windows share, and reads the evaluation target
    (step ``s + window - 1 + horizon``) off it. Where nothing matches it
    answers NaN. On overlapping windows split at random it finds almost
    every target; on a chronological split it finds none.

    Introduced in chapter 10 (``notebooks/10_time_series.ipynb``).

    Parameters
    ----------
    x_train : array-like, shape (n_train, window, d)
        Training windows (all features: the match is on every value).
    x_eval : array-like, shape (n_eval, window, d)
        Windows to forecast.
    target_column : int
        The feature that is forecast.
    horizon : int
        As in :func:`make_windows`.
    min_shared : int, optional
        Fewest shared steps that count as a match (default: half the window),
        so that a chance coincidence of a day or two is not taken for one.

    Returns
    -------
    np.ndarray, shape (n_eval,)
        The looked-up targets, NaN where none was found.

    Raises
    ------
    ValueError
        If the windows' shapes differ, the column does not exist, or the
        horizon and ``min_shared`` leave no shift to try.
    """
    x_train, x_eval = _windows(x_train), _windows(x_eval)
    horizon = _positive_int("horizon", horizon)
    if x_train.shape[1:] != x_eval.shape[1:]:
        raise ValueError(
            f"windows of different shapes: {x_train.shape} and {x_eval.shape}"
        )
    window = x_train.shape[1]
    min_shared = (
        max(window // 2, 1)
        if min_shared is None
        else _positive_int("min_shared", min_shared)
    )
    if horizon > window - min_shared:
        raise ValueError(
            f"horizon {horizon} and min_shared {min_shared} leave no shift to "
            f"try in a window of {window}: lower them or use a longer window"
        )
    naive_forecast(x_train[:1], target_column)  # checks the column
    found = np.full(len(x_eval), np.nan)
    for k in range(horizon, window - min_shared + 1):  # training window k steps later
        table = {
            x_train[i, : window - k].tobytes(): x_train[
                i, window - 1 + horizon - k, target_column
            ]
            for i in range(len(x_train))
        }
        for j in np.flatnonzero(np.isnan(found)):
            found[j] = table.get(x_eval[j, k:].tobytes(), np.nan)
    return found


def paired_block_bootstrap(
    errors_a, errors_b, n_resamples: int = 2000, block: int = 7, seed: int = 0
) -> np.ndarray:
    """Resample days in blocks and return MAE(a) - MAE(b) for each resample.

    Both models are scored on the *same* resampled days (paired). Blocks of
    consecutive days keep the correlation between the errors of neighbouring
    days, which a day-by-day bootstrap would ignore (``block=1`` gives it).

    Introduced in chapter 10 (``notebooks/10_time_series.ipynb``).

    Parameters
    ----------
    errors_a, errors_b : array-like, shape (n,)
        Absolute errors of two forecasts on the same n days, in time order.
    n_resamples : int
        Number of bootstrap resamples.
    block : int
        Days per block (moving-block bootstrap); at most n.
    seed : int
        Seed of the NumPy generator.

    Returns
    -------
    np.ndarray, shape (n_resamples,)
        The resampled differences of mean absolute error.

    Raises
    ------
    ValueError
        If the lengths differ, a value is not finite, or block > n.
    """
    a, b = check_finite(errors_a, "errors_a"), check_finite(errors_b, "errors_b")
    n_resamples, block = (
        _positive_int("n_resamples", n_resamples),
        _positive_int("block", block),
    )
    if a.ndim != 1 or a.shape != b.shape or block > len(a):
        raise ValueError(
            f"need two 1-D error arrays of the same length >= block ({block}), "
            f"got {a.shape} and {b.shape}"
        )
    n = len(a)
    rng = np.random.default_rng(seed)
    blocks = -(-n // block)
    starts = rng.integers(0, n - block + 1, size=(n_resamples, blocks))
    days = (starts[:, :, None] + np.arange(block)).reshape(n_resamples, -1)[:, :n]
    difference = a - b
    return difference[days].mean(axis=1)
