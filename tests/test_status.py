"""Tests of helpers.status (the generated status page)."""
from __future__ import annotations

import json

import pytest

from helpers import status
from helpers.execute import METADATA_KEY


def _write(folder, name, title, record=None):
    notebook = {"cells": [{"cell_type": "markdown", "metadata": {}, "source": [f"# {title}\n", "text"]}],
                "metadata": {} if record is None else {METADATA_KEY: record},
                "nbformat": 4, "nbformat_minor": 5}
    (folder / name).write_text(json.dumps(notebook), encoding="utf-8")


RECORD = {"mode": "full", "run_seconds": 754.4, "executed": "2026-11-21", "fingerprint": "abc",
          "versions": {"python": "3.11.7", "tensorflow": "2.21.0", "keras": "3.15.1",
                       "numpy": "2.4.6", "matplotlib": "3.10.1"}}


def test_format_seconds():
    assert status.format_seconds(42.4) == "42 s"
    assert status.format_seconds(754.4) == "12 min 34 s"
    assert status.format_seconds(60) == "1 min 00 s"
    assert status.format_seconds(None) == "–"
    with pytest.raises(ValueError):
        status.format_seconds(-1)


def test_rows_and_page(tmp_path):
    _write(tmp_path, "02_b.ipynb", "2. Second", dict(RECORD, run_seconds=45.6, mode="quick"))
    _write(tmp_path, "01_a.ipynb", "1. First", RECORD)
    _write(tmp_path, "03_c.ipynb", "3. Not run yet")
    rows = status.status_rows(tmp_path)
    assert [r["name"] for r in rows] == ["01_a.ipynb", "02_b.ipynb", "03_c.ipynb"]
    assert rows[0]["title"] == "1. First" and rows[0]["run_seconds"] == 754.4
    assert rows[2]["mode"] is None
    page = status.render_status(rows)
    assert page.startswith("# Status\n")
    assert "| `01_a.ipynb` | 1. First | full | 12 min 34 s | 2026-11-21 | 3.11.7 | 2.21.0 | 3.15.1 | 2.4.6 | 3.10.1 |" in page
    assert "| `03_c.ipynb` | 3. Not run yet | – | – | – |" in page
    assert "**Total run time:** 13 min 20 s for 2 of 3 notebooks (mode: full, quick)." in page
    assert "Not executed with `python -m helpers.execute`: `03_c.ipynb`." in page


def test_empty_folder(tmp_path):
    assert "No chapter has been executed yet." in status.render_status(status.status_rows(tmp_path))


def test_main_writes_and_checks(tmp_path, capsys):
    _write(tmp_path, "01_a.ipynb", "1. First", RECORD)
    page = tmp_path / "status.md"
    assert status.main(["--notebooks", str(tmp_path), "--output", str(page), "--check"]) == 1
    assert status.main(["--notebooks", str(tmp_path), "--output", str(page)]) == 0
    assert "12 min 34 s" in page.read_text(encoding="utf-8")
    assert status.main(["--notebooks", str(tmp_path), "--output", str(page), "--check"]) == 0
    _write(tmp_path, "01_a.ipynb", "1. First", dict(RECORD, run_seconds=10))   # re-executed
    assert status.main(["--notebooks", str(tmp_path), "--output", str(page), "--check"]) == 1
    capsys.readouterr()


def test_committed_status_page_is_up_to_date():
    """book/status.md must be regenerated (python -m helpers.status) after executing a chapter."""
    expected = status.render_status(status.status_rows())
    assert status.STATUS_PAGE.read_text(encoding="utf-8") == expected, (
        "book/status.md is out of date: run `python -m helpers.status` and commit it")
