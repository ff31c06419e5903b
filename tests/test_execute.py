"""Tests of helpers.execute on tiny fixture notebooks."""
import json

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from helpers import execute


def _notebook(*sources):
    return new_notebook(cells=[new_markdown_cell("# title")] + [new_code_cell(s) for s in sources],
                        metadata={"kernelspec": {"name": "python3", "display_name": "Python 3",
                                                 "language": "python"}})


def test_fingerprint_follows_code_not_prose():
    nb = _notebook("x = 1", "print(x)")
    base = execute.notebook_fingerprint(nb)
    nb.cells[0].source = "# another title"
    assert execute.notebook_fingerprint(nb) == base
    nb.cells[1].source = "x = 2"
    assert execute.notebook_fingerprint(nb) != base


def test_helpers_used_are_found_transitively():
    used = execute.helper_modules_used(["from helpers.data import load_imdb_splits\n%matplotlib inline"])
    assert {"__init__", "data", "config"} <= set(used)
    assert "scratch" not in used
    assert "plots" in execute.helper_modules_used(["import helpers.plots as p"])
    assert "minimal_pairs" in execute.helper_modules_used(["from helpers import minimal_pairs"])


def test_execute_records_mode_and_fingerprint(tmp_path):
    path = tmp_path / "tiny.ipynb"
    nbformat.write(_notebook("import os\nprint(os.environ['BOOK_MODE'])"), path)
    record = execute.execute_notebook(path, "quick", timeout=120)
    stored = json.loads(path.read_text())
    assert stored["metadata"]["rnn_book"] == record
    assert record["mode"] == "quick" and record["run_seconds"] >= 0
    assert record["fingerprint"] == execute.notebook_fingerprint(stored)
    cell = stored["cells"][1]
    assert cell["execution_count"] == 1 and "".join(cell["outputs"][0]["text"]) == "quick\n"


def test_failed_run_leaves_the_notebook_untouched(tmp_path):
    from nbclient.exceptions import CellExecutionError

    path = tmp_path / "broken.ipynb"
    nbformat.write(_notebook("print('ok')", "1 / 0"), path)
    before = path.read_bytes()
    with pytest.raises(CellExecutionError):
        execute.execute_notebook(path, "quick", timeout=120)
    assert path.read_bytes() == before
    assert execute.main([str(path), "--mode", "quick"]) == 1
