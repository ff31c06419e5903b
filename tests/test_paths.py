"""Tests of helpers.paths: the book is found from the working directory."""

import pytest

from helpers.paths import ROOT_VARIABLE, book_root, notebooks_dir


def _book(folder):
    (folder / "notebooks").mkdir(parents=True)
    (folder / "_toc.yml").write_text("root: intro\n")
    return folder


def test_found_at_or_above_the_working_directory(tmp_path, monkeypatch):
    book = _book(tmp_path / "book")
    monkeypatch.delenv(ROOT_VARIABLE, raising=False)
    monkeypatch.chdir(book / "notebooks")
    assert (
        book_root() == book.resolve()
        and notebooks_dir() == (book / "notebooks").resolve()
    )
    assert book_root(book) == book.resolve()


def test_outside_a_book_the_error_says_what_to_do(tmp_path, monkeypatch):
    monkeypatch.delenv(ROOT_VARIABLE, raising=False)
    monkeypatch.chdir(tmp_path)
    with pytest.raises(FileNotFoundError, match="git clone .*or set RNN_BOOK_ROOT"):
        book_root()


def test_the_variable_names_the_book(tmp_path, monkeypatch):
    book = _book(tmp_path / "elsewhere")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv(ROOT_VARIABLE, str(book))
    assert book_root() == book.resolve()
    monkeypatch.setenv(ROOT_VARIABLE, str(tmp_path))
    with pytest.raises(FileNotFoundError, match="is not the book's folder"):
        book_root()
