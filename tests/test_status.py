"""Tests of helpers.status (the generated status page)."""

from __future__ import annotations

import json

import pytest

from helpers import status
from helpers.execute import METADATA_KEY


def _write(folder, name, title, record=None):
    notebook = {
        "cells": [
            {
                "cell_type": "markdown",
                "metadata": {},
                "source": [f"# {title}\n", "text"],
            }
        ],
        "metadata": {} if record is None else {METADATA_KEY: record},
        "nbformat": 4,
        "nbformat_minor": 5,
    }
    (folder / name).write_text(json.dumps(notebook), encoding="utf-8")


RECORD = {
    "mode": "full",
    "run_seconds": 754.4,
    "executed": "2026-11-21",
    "fingerprint": "abc",
    "load_factor": 2.0,
    "versions": {
        "python": "3.11.7",
        "tensorflow": "2.21.0",
        "keras": "3.15.1",
        "numpy": "2.4.6",
        "matplotlib": "3.10.1",
    },
}


def test_format_seconds():
    assert status.format_seconds(42.4) == "42 s"
    assert status.format_seconds(754.4) == "12 min 34 s"
    assert status.format_seconds(60) == "1 min 00 s"
    assert status.format_seconds(None) == "–"
    with pytest.raises(ValueError):
        status.format_seconds(-1)


QUICK = {
    "mode": "quick",
    "date": "2026-11-23",
    "machine": {"cores": 2},
    "versions": {
        "python": "3.11.7",
        "tensorflow": "2.21.0",
        "keras": "3.15.1",
        "numpy": "2.4.6",
        "matplotlib": "3.10.1",
    },
    "notebooks": {
        "01_a.ipynb": {"seconds": 61.2, "peak_memory_mib": 700.0},
        "02_b.ipynb": {"seconds": 30.0, "peak_memory_mib": 650.0},
    },
    "total_seconds": 91.2,
}


def test_format_mib():
    assert status.format_mib(812.4) == "812 MiB"
    assert status.format_mib(4096) == "4.00 GiB"
    assert status.format_mib(4124.8) == "4.03 GiB"
    assert status.format_mib(None) == "–"
    with pytest.raises(ValueError):
        status.format_mib(-1)


def test_rows_and_page(tmp_path):
    _write(
        tmp_path,
        "02_b.ipynb",
        "2. Second",
        dict(RECORD, run_seconds=45.6, mode="quick"),
    )
    _write(tmp_path, "01_a.ipynb", "1. First", dict(RECORD, peak_memory_mib=1536.0))
    _write(tmp_path, "03_c.ipynb", "3. Not run yet")
    rows = status.status_rows(tmp_path, QUICK)
    assert [r["name"] for r in rows] == ["01_a.ipynb", "02_b.ipynb", "03_c.ipynb"]
    assert rows[0]["title"] == "1. First" and rows[0]["run_seconds"] == 754.4
    assert rows[0]["peak_memory_mib"] == 1536.0 and rows[1]["peak_memory_mib"] is None
    assert [r["quick_seconds"] for r in rows] == [61.2, 30.0, None]
    assert rows[2]["mode"] is None
    page = status.render_status(rows, QUICK)
    assert page.startswith("# Status\n")
    assert (
        "| `01_a.ipynb` | 1. First | full | 12 min 34 s | 2.00× | 6 min 17 s | 1.50 GiB "
        "| 2026-11-21 | 1 min 01 s (–) | 0 |" in page
    )
    assert "| `03_c.ipynb` | 3. Not run yet | – | – | – | – | – | – | – | 0 |" in page
    assert (
        "**Total run time (stored runs):** 13 min 20 s for 2 of 3 notebooks (mode: full, quick)."
        in page
    )
    assert (
        "**Total run time (quick mode):** 1 min 31 s for 2 of 3 notebooks, timed on 2026-11-23 on 2 CPU cores."
        in page
    )
    assert "Not executed with `python -m helpers.execute`: `03_c.ipynb`." in page
    assert "| matplotlib | 3.10.1 | 3.10.1 |" in page
    # without quick-mode timings the page says how to make them
    assert (
        "not measured (run `python benchmarks/book_times.py --mode quick`)"
        in status.render_status(status.status_rows(tmp_path))
    )


def test_versions_that_differ_are_listed_per_notebook(tmp_path):
    _write(tmp_path, "01_a.ipynb", "A", RECORD)
    _write(
        tmp_path,
        "02_b.ipynb",
        "B",
        dict(RECORD, versions=dict(RECORD["versions"], keras="3.16.0")),
    )
    page = status.render_status(status.status_rows(tmp_path))
    assert "| keras | 3.15.1 (01); 3.16.0 (02) | – |" in page
    assert "| numpy | 2.4.6 | – |" in page


def _rows(full_seconds, peaks, quick_seconds, factor=1.0):
    return [
        {
            "name": f"0{i}_x.ipynb",
            "mode": "full" if s is not None else None,
            "run_seconds": s,
            "peak_memory_mib": m,
            "quick_seconds": q,
            "load_factor": factor,
            "quick_load_factor": factor,
        }
        for i, (s, m, q) in enumerate(zip(full_seconds, peaks, quick_seconds), start=1)
    ]


def test_goal_checks_pass_fail_and_unknown():
    verdicts = lambda rows: [c["passed"] for c in status.goal_checks(rows)]  # noqa: E731
    # all measured, all within: chapter <= 5 min, book <= 30 min, quick <= 6 min, memory <= 4 GiB
    assert verdicts(_rows([290, 100], [3000, 4000], [200, 150])) == [
        True,
        True,
        True,
        True,
    ]
    # one chapter too slow, quick mode too slow, one kernel too big
    assert verdicts(_rows([301, 100], [4097, 10], [300, 61])) == [
        False,
        True,
        False,
        False,
    ]
    # a book of seven 4.5-minute chapters passes per chapter but not in total
    assert verdicts(_rows([270] * 7, [1] * 7, [1] * 7))[:2] == [True, False]
    # missing figures: not judged, unless the measured part already fails
    assert verdicts(_rows([100, None], [None, None], [400, None])) == [
        None,
        None,
        False,
        None,
    ]
    checks = status.goal_checks(_rows([100, 250], [900, 1200], [10, 20]))
    assert checks[0]["measured"] == "slowest 4 min 10 s (`02_x.ipynb`)"
    assert checks[3]["measured"] == "largest 1,200.0 MiB (`02_x.ipynb`)"
    # just over the limit: shown in MiB, so that it does not read as "4.0 GiB, fail"
    over = status.goal_checks(_rows([1, 1], [4124.8, 10], [1, 1]))[3]
    assert (
        over["passed"] is False
        and over["measured"] == "largest 4,124.8 MiB (`01_x.ipynb`)"
    )
    assert (
        "(1 of 2 notebooks measured and calibrated)"
        in status.goal_checks(_rows([100, None], [1, 1], [1, 1]))[1]["measured"]
    )


def test_time_goals_are_judged_at_reference_speed():
    verdicts = lambda rows: [c["passed"] for c in status.goal_checks(rows)]  # noqa: E731
    # 8 min on a machine at half speed is 4 min at reference speed: within 5 min
    assert verdicts(_rows([480, 100], [1, 1], [500, 100], factor=2.0))[:3] == [
        True,
        True,
        True,
    ]
    # 4 min on a machine twice as fast as the reference is 8 min: too slow
    assert verdicts(_rows([240, 100], [1, 1], [1, 1], factor=0.5))[0] is False
    # a run without a calibration is not judged (memory still is)
    assert verdicts(_rows([100, 100], [1, 1], [1, 1], factor=None)) == [
        None,
        None,
        None,
        True,
    ]
    checks = status.goal_checks(_rows([480, 100], [1, 1], [1, 1], factor=2.0))
    assert checks[0]["measured"] == "slowest 4 min 00 s (`01_x.ipynb`)"


def test_reference_speed_and_claim_count(tmp_path):
    assert status.at_reference_speed(300.0, 1.5) == 200.0
    assert status.at_reference_speed(None, 1.5) is None
    assert status.at_reference_speed(300.0, None) is None
    _write(tmp_path, "01_a.ipynb", "A", RECORD)
    path = tmp_path / "01_a.ipynb"
    notebook = json.loads(path.read_text())
    notebook["cells"].append(
        {"cell_type": "code", "source": "claim(1 > 0, 'one is positive')"}
    )
    path.write_text(json.dumps(notebook))
    assert status.status_rows(tmp_path)[0]["claims"] == 1


def test_goals_on_the_page(tmp_path):
    _write(tmp_path, "01_a.ipynb", "1. First", dict(RECORD, peak_memory_mib=900.0))
    page = status.render_status(status.status_rows(tmp_path))
    assert (
        "| each chapter ≤ 5 min (full mode, at reference speed) "
        "| slowest 6 min 17 s (`01_a.ipynb`) | **fail** |" in page
    )
    assert (
        "| peak memory ≤ 4 GiB (4,096 MiB) per chapter (full mode) | largest 900.0 MiB (`01_a.ipynb`) "
        "| pass |"
    ) in page
    assert (
        "| whole book ≤ 6 min in quick mode (the nbval budget, at reference speed) "
        "| – (0 of 1 notebooks measured and calibrated) | not judged yet |" in page
    )


def test_load_quick_times(tmp_path):
    assert status.load_quick_times(tmp_path / "absent.json") is None
    good = tmp_path / "good.json"
    good.write_text(json.dumps(QUICK), encoding="utf-8")
    assert status.load_quick_times(good)["notebooks"]["01_a.ipynb"]["seconds"] == 61.2
    for bad in (
        "not json",
        json.dumps({"mode": "full", "notebooks": {}}),
        json.dumps([1, 2]),
    ):
        (tmp_path / "bad.json").write_text(bad, encoding="utf-8")
        with pytest.raises(ValueError, match="book_times.py --mode quick"):
            status.load_quick_times(tmp_path / "bad.json")


def test_empty_folder(tmp_path):
    assert "No chapter has been executed yet." in status.render_status(
        status.status_rows(tmp_path)
    )


def test_main_writes_and_checks(tmp_path, capsys):
    _write(tmp_path, "01_a.ipynb", "1. First", RECORD)
    page, quick = tmp_path / "status.md", tmp_path / "book_times-quick.json"
    args = [
        "--notebooks",
        str(tmp_path),
        "--output",
        str(page),
        "--quick-times",
        str(quick),
    ]
    assert status.main(args + ["--check"]) == 1
    assert status.main(args) == 0
    assert "12 min 34 s" in page.read_text(encoding="utf-8")
    assert status.main(args + ["--check"]) == 0
    _write(
        tmp_path, "01_a.ipynb", "1. First", dict(RECORD, run_seconds=10)
    )  # re-executed
    assert status.main(args + ["--check"]) == 1
    assert status.main(args) == 0
    quick.write_text(json.dumps(QUICK), encoding="utf-8")  # quick mode re-timed
    assert status.main(args + ["--check"]) == 1
    assert status.main(args) == 0 and "1 min 01 s" in page.read_text(encoding="utf-8")
    assert status.main(args + ["--check"]) == 0
    capsys.readouterr()


def test_committed_status_page_is_up_to_date():
    """book/status.md must be regenerated (python -m helpers.status) after executing a chapter."""
    quick_times = status.load_quick_times()
    expected = status.render_status(
        status.status_rows(quick_times=quick_times), quick_times
    )
    assert status.STATUS_PAGE.read_text(encoding="utf-8") == expected, (
        "book/status.md is out of date: run `python -m helpers.status` and commit it"
    )


def test_the_load_factor_is_recomputed_from_the_calibration_figures(tmp_path):
    from helpers import calibration

    ref = calibration.REFERENCE_SECONDS
    record = dict(
        RECORD,
        load_factor=9.0,  # stale: made against another reference
        calibration_seconds=[ref, 3 * ref],
        calibration_at_seconds=[0.0, 754.4],
    )
    _write(tmp_path, "01_a.ipynb", "A", record)
    row = status.status_rows(tmp_path)[0]
    assert row["load_factor"] == pytest.approx(2.0)
