"""The stored notebooks are the published book: complete, in order, full mode, fresh.

Each notebook must have been executed top to bottom by
``python -m helpers.execute notebooks/ --mode full`` with the current code:
every code cell has an output slot filled in order 1..N, no cell stored an
error, the recorded mode is ``full`` and the recorded fingerprint matches the
code cells, the helper definitions they reach (as syntax: docstrings,
comments and formatting do not count) and the numbers and trained runs they
read, today. A stale chapter's message names what changed.
"""

import json
from pathlib import Path

import pytest

from helpers.execute import METADATA_KEY, notebook_fingerprint
from helpers.fingerprint import chapter_parts, changed_parts

NOTEBOOKS = sorted((Path(__file__).resolve().parents[1] / "notebooks").glob("*.ipynb"))
FIX = "re-execute it: python -m helpers.execute {path} --mode full"


def freshness_problems(notebook: dict, notebooks_dir=None) -> list:
    """Return what makes a stored notebook stale, partial or out of order."""
    problems = []
    counts = [
        c.get("execution_count")
        for c in notebook["cells"]
        if c["cell_type"] == "code" and "".join(c["source"]).strip()
    ]
    if counts != list(range(1, len(counts) + 1)):
        problems.append(f"execution counts are {counts}, not 1..{len(counts)}")
    errors = [
        i
        for i, c in enumerate(notebook["cells"])
        if any(o.get("output_type") == "error" for o in c.get("outputs", []))
    ]
    if errors:
        problems.append(f"cells {errors} stored an error")
    record = notebook.get("metadata", {}).get(METADATA_KEY)
    if not record:
        problems.append("no execution record in the metadata")
    else:
        if record.get("mode") != "full":
            problems.append(f"executed in {record.get('mode')!r} mode, not 'full'")
        if record.get("fingerprint") != notebook_fingerprint(notebook, notebooks_dir):
            changes = changed_parts(
                record.get("fingerprint_parts"), chapter_parts(notebook, notebooks_dir)
            )
            problems.append(
                "code changed since the stored run (" + "; ".join(changes[:8]) + ")"
            )
        if not record.get("run_seconds"):
            problems.append("no run time recorded")
    return problems


def test_there_are_chapters():
    assert NOTEBOOKS, "no notebooks found in notebooks/"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_stored_notebook_is_fresh(path):
    problems = freshness_problems(
        json.loads(path.read_text(encoding="utf-8")), path.parent
    )
    assert not problems, (
        f"{path.name}: "
        + "; ".join(problems)
        + ". Fix: "
        + FIX.format(path=f"notebooks/{path.name}")
    )


def test_freshness_check_can_fail():
    cell = {
        "cell_type": "code",
        "source": ["x = 1"],
        "execution_count": 1,
        "outputs": [],
    }
    notebook = {"cells": [cell], "metadata": {}}
    notebook["metadata"][METADATA_KEY] = {
        "mode": "full",
        "run_seconds": 1.0,
        "fingerprint": notebook_fingerprint(notebook),
        "fingerprint_parts": chapter_parts(notebook),
    }
    assert freshness_problems(notebook) == []
    cell["source"] = ["x  =  1  # a comment and spacing do not count"]
    assert freshness_problems(notebook) == []
    cell["source"] = ["x = 2"]
    assert freshness_problems(notebook) == [
        "code changed since the stored run (code cells changed (numbers among code cells): [1])"
    ]
    cell["execution_count"] = None
    notebook["metadata"][METADATA_KEY]["mode"] = "quick"
    assert len(freshness_problems(notebook)) == 3
