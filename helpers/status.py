"""Write the book's status page from the chapters' execution metadata.

Usage::

    python -m helpers.status            # writes book/status.md
    python -m helpers.status --check    # exit 1 if book/status.md is out of date

Every chapter executed by :mod:`helpers.execute` carries notebook metadata
``rnn_book`` (mode, run time, date, library versions). This module turns it
into one Markdown table (notebook, mode, run time, executed date, versions)
plus the total run time. The page is generated, and committed: re-run this
command after executing a chapter. The output depends only on the notebooks,
so ``--check`` (and ``tests/test_status.py``) can tell a stale page.

Introduced with the book's reference pages (``book/status.md``).
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Optional, Sequence

from helpers.execute import METADATA_KEY

#: The repository root (the folder that holds ``helpers/``).
ROOT = Path(__file__).resolve().parent.parent
#: Where the chapters live and where the page goes.
NOTEBOOKS_DIR = ROOT / "notebooks"
STATUS_PAGE = ROOT / "book" / "status.md"
#: The packages shown, in this order.
PACKAGES = ("python", "tensorflow", "keras", "numpy", "matplotlib")


def format_seconds(seconds: Optional[float]) -> str:
    """Return a run time as ``"42 s"`` or ``"12 min 05 s"`` (``"–"`` if unknown).

    Raises
    ------
    ValueError
        If ``seconds`` is negative.
    """
    if seconds is None:
        return "–"
    if seconds < 0:
        raise ValueError(f"a run time cannot be negative, got {seconds!r}")
    whole = int(round(seconds))
    minutes, rest = divmod(whole, 60)
    return f"{rest} s" if minutes == 0 else f"{minutes} min {rest:02d} s"


def notebook_title(notebook: dict, fallback: str) -> str:
    """Return the text of the first ``# `` heading of a notebook (or ``fallback``)."""
    for cell in notebook.get("cells", []):
        if cell.get("cell_type") != "markdown":
            continue
        source = cell.get("source", "")
        source = "".join(source) if isinstance(source, list) else source
        for line in source.splitlines():
            if line.startswith("# "):
                return line[2:].strip()
    return fallback


def status_rows(notebooks_dir: Path = NOTEBOOKS_DIR) -> list:
    """Read every ``*.ipynb`` in ``notebooks_dir`` and return one dict per notebook.

    Parameters
    ----------
    notebooks_dir : pathlib.Path
        The folder of chapters.

    Returns
    -------
    list of dict
        Keys ``name``, ``title``, ``mode``, ``run_seconds``, ``executed`` and
        ``versions`` (``None`` where the notebook has no ``rnn_book`` metadata),
        sorted by file name.
    """
    rows = []
    for path in sorted(Path(notebooks_dir).glob("*.ipynb")):
        notebook = json.loads(path.read_text(encoding="utf-8"))
        record = notebook.get("metadata", {}).get(METADATA_KEY) or {}
        rows.append({
            "name": path.name,
            "title": notebook_title(notebook, path.stem),
            "mode": record.get("mode"),
            "run_seconds": record.get("run_seconds"),
            "executed": record.get("executed"),
            "versions": record.get("versions") or {},
        })
    return rows


def _cell(text) -> str:
    return "–" if text in (None, "") else str(text).replace("|", "\\|")


def render_status(rows: Sequence[dict]) -> str:
    """Return the Markdown of the status page for the given rows."""
    lines = [
        "# Status",
        "",
        "When each chapter was last executed, in which mode, how long it took and",
        "with which package versions. The stored outputs you read are from these",
        "runs. This page is generated from the notebooks' metadata by",
        "`python -m helpers.status`; do not edit it by hand.",
        "",
    ]
    if not rows:
        lines += ["No chapter has been executed yet.", ""]
        return "\n".join(lines)
    header = ["notebook", "title", "mode", "run time", "executed"] + list(PACKAGES)
    lines.append("| " + " | ".join(header) + " |")
    lines.append("|" + "|".join("---" for _ in header) + "|")
    for row in rows:
        cells = [f"`{row['name']}`", _cell(row["title"]), _cell(row["mode"]),
                 format_seconds(row["run_seconds"]), _cell(row["executed"])]
        cells += [_cell(row["versions"].get(package)) for package in PACKAGES]
        lines.append("| " + " | ".join(cells) + " |")
    timed = [row["run_seconds"] for row in rows if row["run_seconds"] is not None]
    missing = [row["name"] for row in rows if row["mode"] is None]
    modes = sorted({row["mode"] for row in rows if row["mode"]})
    lines += [
        "",
        f"**Total run time:** {format_seconds(sum(timed))} for {len(timed)} of {len(rows)} "
        f"notebooks (mode: {', '.join(modes) or '–'}).",
        "",
    ]
    if missing:
        lines += ["Not executed with `python -m helpers.execute`: "
                  + ", ".join(f"`{name}`" for name in missing) + ".", ""]
    lines += [
        "Times were measured on a shared two-core CPU; a GPU or a faster machine",
        "is quicker. Re-create this page after executing a chapter:",
        "",
        "```bash",
        "python -m helpers.execute notebooks/NN_name.ipynb --mode full",
        "python -m helpers.status",
        "```",
        "",
    ]
    return "\n".join(lines)


def main(argv: Optional[Sequence[str]] = None) -> int:
    """Command line: write (or ``--check``) ``book/status.md``."""
    parser = argparse.ArgumentParser(prog="python -m helpers.status", description=__doc__.split("\n\n")[0])
    parser.add_argument("--notebooks", type=Path, default=NOTEBOOKS_DIR, help="folder of chapters")
    parser.add_argument("--output", type=Path, default=STATUS_PAGE, help="the page to write")
    parser.add_argument("--check", action="store_true", help="only check that the page is up to date")
    args = parser.parse_args(argv)
    text = render_status(status_rows(args.notebooks))
    if args.check:
        current = args.output.read_text(encoding="utf-8") if args.output.is_file() else None
        if current != text:
            print(f"{args.output} is out of date: run `python -m helpers.status`.", file=sys.stderr)
            return 1
        print(f"{args.output} is up to date.")
        return 0
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(text, encoding="utf-8")
    print(f"wrote {args.output.relative_to(ROOT) if args.output.is_relative_to(ROOT) else args.output} "
          f"({len(text.splitlines())} lines)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
