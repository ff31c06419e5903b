"""Assert the sentences a chapter says about its numbers.

A chapter glues every number it prints, but a sentence such as "the masked
run is larger" or "the error stays below 1 %" is a claim *about* numbers, and
a re-execution can turn it around while the glued numbers update silently.
:func:`claim` checks such a sentence in the cell that glues its numbers; if
the finding no longer holds, execution stops with a message that quotes the
sentence, so the book cannot publish it.

Use it next to the ``glue`` calls::

    claim(masked > unmasked, "the masked SimpleRNN scores higher on validation",
          masked=masked, unmasked=unmasked)

For a difference between two measurements, combine it with
:mod:`helpers.noise` (``clearly_different``), so that the sentence is only
asserted when the difference is larger than its noise.

Introduced for chapters 1-8 (issue "every sentence true of its numbers").
"""

from __future__ import annotations

import ast
import json
from pathlib import Path
from typing import Union

#: The names of the functions that assert a sentence (counted by :func:`count_claims`).
CLAIM_FUNCTIONS = ("claim",)


class ClaimError(AssertionError):
    """A sentence of the chapter is no longer true of the numbers it is about."""


def _format_number(value) -> str:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return repr(value)
    return f"{number:.6g}"


def claim(holds, sentence: str, **numbers) -> None:
    """Stop the chapter if a sentence about its numbers no longer holds.

    Parameters
    ----------
    holds : bool
        The finding, computed from the numbers (a NumPy bool is fine).
    sentence : str
        The sentence of the chapter it backs, in the chapter's words, so
        that a failure says which sentence to rewrite.
    **numbers
        The numbers the finding is computed from, shown in the message.

    Raises
    ------
    ClaimError
        If ``holds`` is false: the message quotes the sentence and the
        numbers, and says what to do.
    TypeError
        If ``holds`` is not a single truth value (an array, ``None``) or
        ``sentence`` is empty: a claim must be one statement.
    """
    if not isinstance(sentence, str) or not sentence.strip():
        raise TypeError("claim() needs the sentence it backs, in the chapter's words")
    if holds is None or getattr(holds, "size", 1) != 1:
        raise TypeError(
            f"claim() needs one truth value for {sentence!r}, got {holds!r}: "
            "reduce an array with all() or any() first"
        )
    if bool(holds):
        return
    shown = ", ".join(f"{name}={_format_number(v)}" for name, v in numbers.items())
    raise ClaimError(
        f"The chapter says {sentence!r}, but this run's numbers do not support it"
        + (f" ({shown})" if shown else "")
        + ". Rewrite the sentence (and this assertion) to say what the numbers "
        "show before the chapter is published."
    )


def count_claims(notebook: Union[str, Path, dict]) -> int:
    """Count the claims a chapter's code cells assert.

    A claim is a call of :func:`claim` (by name or as ``claims.claim``), or
    a plain ``assert`` with a message (``assert gap > 0, "the LSTM leads"``),
    the lighter form chapters 9 and 10 use. An ``assert`` without a message
    is a check of the code (a shape, a tolerance), not of a sentence.

    Parameters
    ----------
    notebook : str, pathlib.Path or dict
        A path to an ``.ipynb`` file, or the notebook as parsed JSON.

    Returns
    -------
    int
        The number of claims in the code cells (one inside a loop counts
        once). Cells that are not valid Python (IPython magics) are read
        without their magic lines.
    """
    if not isinstance(notebook, dict):
        notebook = json.loads(Path(notebook).read_text(encoding="utf-8"))
    count = 0
    for cell in notebook.get("cells", []):
        if cell.get("cell_type") != "code":
            continue
        source = cell.get("source", "")
        source = "".join(source) if isinstance(source, list) else source
        lines = [
            line
            for line in source.splitlines()
            if not line.lstrip().startswith(("%", "!"))
        ]
        try:
            tree = ast.parse("\n".join(lines))
        except SyntaxError:
            continue
        for node in ast.walk(tree):
            if isinstance(node, ast.Assert):
                count += node.msg is not None
                continue
            if not isinstance(node, ast.Call):
                continue
            function = node.func
            name = getattr(function, "id", None) or getattr(function, "attr", None)
            count += name in CLAIM_FUNCTIONS
    return count
