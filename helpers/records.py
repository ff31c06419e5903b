"""Numbers recorded by another chapter's stored run.

A chapter that compares itself with an earlier chapter's result reads the
number from that chapter's stored (full-mode) outputs instead of typing it
in, so the comparison always shows what the other chapter's last run
measured.

Introduced in chapter 7 (``notebooks/07_bidirectional.ipynb``).
"""

from __future__ import annotations

import ast
import json
from pathlib import Path

_GLUE_MIME = "application/papermill.record/text/plain"


def recorded_glue(notebook: str, key: str):
    """Return the value a chapter glued under ``key`` in its stored run.

    Parameters
    ----------
    notebook : str
        The chapter's file name without ``.ipynb``, e.g. ``"01_bag_of_words"``.
    key : str
        The glue key, e.g. ``"ch1_bigram_test_acc"``.

    Returns
    -------
    int, float or str
        The glued value, as the other chapter stored it.

    Raises
    ------
    FileNotFoundError
        If the chapter does not exist.
    KeyError
        If the chapter's stored outputs have no such key; the message says
        to execute that chapter (``python -m helpers.execute ...``).
    """
    from helpers.paths import notebooks_dir

    path = notebooks_dir() / f"{notebook}.ipynb"
    if not path.is_file():
        raise FileNotFoundError(
            f"no chapter {notebook!r}: {path.name} is not in notebooks/"
        )
    return stored_glue(path, key)


def stored_glue(path: Path, key: str):
    """Return the value glued under ``key`` in the stored notebook at ``path``.

    The reader behind :func:`recorded_glue`; :mod:`helpers.fingerprint` calls
    it too, so that a number one chapter reads from another enters the
    reading chapter's fingerprint.

    Raises
    ------
    OSError
        If the file cannot be read.
    KeyError
        If no stored output glues ``key``; the message says how to make one.
    """
    path = Path(path)
    for cell in json.loads(path.read_text(encoding="utf-8"))["cells"]:
        for output in cell.get("outputs", []):
            name = output.get("metadata", {}).get("scrapbook", {}).get("name")
            if name == key and _GLUE_MIME in output.get("data", {}):
                return ast.literal_eval(output["data"][_GLUE_MIME])
    raise KeyError(
        f"{path.name} has no stored value {key!r}; execute it first: "
        f"python -m helpers.execute notebooks/{path.name} --mode full"
    )
