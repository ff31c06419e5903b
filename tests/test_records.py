"""Tests of helpers.records: reading another chapter's glued numbers."""

import json

import pytest

from helpers import records


def _chapter(tmp_path, monkeypatch, outputs):
    """A one-chapter book in tmp_path, found as the book from the working directory."""
    (tmp_path / "notebooks").mkdir(exist_ok=True)
    (tmp_path / "_toc.yml").write_text("root: intro\n")
    monkeypatch.chdir(tmp_path / "notebooks")
    monkeypatch.delenv("RNN_BOOK_ROOT", raising=False)
    cell = {
        "cell_type": "code",
        "source": "",
        "metadata": {},
        "outputs": outputs,
        "execution_count": 1,
    }
    (tmp_path / "notebooks" / "01_x.ipynb").write_text(json.dumps({"cells": [cell]}))


def _glued(name, text):
    return {
        "output_type": "display_data",
        "metadata": {"scrapbook": {"name": name}},
        "data": {"application/papermill.record/text/plain": text},
    }


def test_reads_the_stored_value(tmp_path, monkeypatch):
    _chapter(
        tmp_path,
        monkeypatch,
        [_glued("a", "0.9060800075531006"), _glued("b", "'text'")],
    )
    assert records.recorded_glue("01_x", "a") == pytest.approx(0.90608)
    assert records.recorded_glue("01_x", "b") == "text"


def test_missing_key_or_chapter_says_what_to_do(tmp_path, monkeypatch):
    _chapter(tmp_path, monkeypatch, [_glued("a", "1")])
    with pytest.raises(KeyError, match="helpers.execute notebooks/01_x.ipynb"):
        records.recorded_glue("01_x", "missing")
    with pytest.raises(FileNotFoundError):
        records.recorded_glue("09_none", "a")


def test_chapter_1_bigram_figure_is_recorded():
    assert 0.5 < records.recorded_glue("01_bag_of_words", "ch1_bigram_test_acc") < 1.0
