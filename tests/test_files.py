"""Tests of helpers.files: the one atomic writer."""

import os

import pytest

from helpers.files import write_atomically, write_text_atomically


def test_writes_the_whole_file_with_an_ordinary_mode(tmp_path):
    path = write_text_atomically(tmp_path / "new" / "figures.json", '{"a": 1}')
    assert path.read_text() == '{"a": 1}'
    umask = os.umask(0)
    os.umask(umask)
    assert path.stat().st_mode & 0o777 == 0o666 & ~umask
    path.chmod(0o640)
    write_text_atomically(path, "{}")
    assert path.stat().st_mode & 0o777 == 0o640  # a replaced file keeps its mode


def test_a_failed_write_leaves_the_old_file_and_no_temporary(tmp_path):
    path = write_text_atomically(tmp_path / "model.keras", "old")

    def crash(temporary):
        assert temporary.endswith(".keras")  # writers that check the suffix accept it
        with open(temporary, "w") as out:
            out.write("half")
        raise OSError("disk full")

    with pytest.raises(OSError, match="disk full"):
        write_atomically(path, crash)
    assert path.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["model.keras"]
