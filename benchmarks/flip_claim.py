"""Show that a chapter's claim stops it when its finding is turned around.

Copies one chapter, inserts one line of code before a cell (for example one
that swaps the two numbers a claim compares), executes the copy in quick mode
and prints the error that stops it: a ``ClaimError`` that quotes the
sentence. The chapter itself is not touched. A demonstration, not a test.

Usage::

    python benchmarks/flip_claim.py notebooks/01_bag_of_words.ipynb --cell 23 \\
        --insert "sparse_bytes, dense_bytes = dense_bytes, sparse_bytes"
"""

from __future__ import annotations

import argparse
import json
import tempfile
from pathlib import Path

from common import ROOT, run_environment, write_result


def flip(path: Path, cell: int, insert: str) -> dict:
    """Execute a copy of ``path`` with ``insert`` prepended to code cell ``cell``."""
    from nbclient.exceptions import CellExecutionError

    from helpers.execute import execute_notebook

    notebook = json.loads(Path(path).read_text(encoding="utf-8"))
    target = notebook["cells"][cell]
    if target["cell_type"] != "code":
        raise SystemExit(f"cell {cell} of {path} is not a code cell")
    source = "".join(target["source"])
    target["source"] = insert + "\n" + source
    with tempfile.TemporaryDirectory(prefix="flip-claim-") as folder:
        copy = Path(folder) / Path(path).name
        copy.write_text(json.dumps(notebook), encoding="utf-8")
        try:
            execute_notebook(
                copy, "quick", cwd=ROOT / "notebooks", calibrate=False, timeout=1800
            )
        except CellExecutionError as error:
            lines = [line for line in str(error).splitlines() if "ClaimError" in line]
            return {"stopped": True, "error": lines[-1] if lines else str(error)[-600:]}
    return {"stopped": False, "error": None}


def main(argv=None) -> int:
    """Command line: flip one claim of a chapter and print what stopped it."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("notebook", type=Path)
    parser.add_argument("--cell", type=int, required=True, help="index of a code cell")
    parser.add_argument("--insert", required=True, help="code to run before the cell")
    args = parser.parse_args(argv)
    result = flip(args.notebook, args.cell, args.insert)
    print(
        "stopped by a claim:" if result["stopped"] else "NOT stopped", result["error"]
    )
    write_result(
        "flip_claim",
        dict(
            run_environment(),
            notebook=str(args.notebook),
            cell=args.cell,
            insert=args.insert,
            **result,
        ),
    )
    return 0 if result["stopped"] else 1


if __name__ == "__main__":
    raise SystemExit(main())
