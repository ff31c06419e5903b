"""Replay the repository's helper commits: what each fingerprint scheme would have
re-run.

For every commit that changed ``helpers/`` since chapter 8 landed, this
script compares the helpers before and after the commit, with the chapters'
code cells as they stand after it (a cell edit re-executes its chapter under
any scheme, so only helper changes are counted):

* **old scheme** (raw bytes): a chapter is stale when any helper module it
  imports, directly or not, changed a byte; every trained run is retrained
  when a byte of ``recipes.py``, ``data.py``, ``bucketing.py``,
  ``training.py`` or ``config.py`` changed;
* **new scheme** (:mod:`helpers.fingerprint`): a chapter is stale when a
  helper definition it reaches changed as syntax; a run is retrained when
  the code that loads and trains it changed, or its own recipe did.

The old trees have no ``train_recipe``, so the new scheme's training code is
emulated there as ``run_recipe`` and ``load_recipe_data`` without the code
that finds, reads and writes records (which the refactor moved out of the
key). Usage::

    python benchmarks/fingerprint_replay.py [--since COMMIT] [--until COMMIT]

It prints a table and writes ``benchmarks/results/fingerprint_replay.json``.
"""

from __future__ import annotations

import argparse
import ast
import io
import json
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.common import run_environment, write_result  # noqa: E402
from helpers.fingerprint import (  # noqa: E402
    HelperIndex,
    canonical,
    chapter_parts,
    code_cells,
)

OLD_RUN_MODULES = ("recipes.py", "data.py", "bucketing.py", "training.py", "config.py")
#: Record-keeping code of the old run_recipe, outside the new scheme's training key.
RECORD_CODE = (
    "recipe_fingerprint",
    "record_paths",
    "records_folder",
    "load_recorded_run",
    "_write_record",
    "_atomic_write",
    "run_recipe_seeds",
    "RECIPES",
)
SEEDS = 3


def git(*args: str) -> str:
    return subprocess.run(
        ["git", "-C", str(ROOT), *args], check=True, capture_output=True, text=True
    ).stdout


def extract(commit: str, folder: Path, paths=("helpers", "notebooks")) -> Path:
    """Write ``paths`` of ``commit`` under ``folder`` and return it."""
    data = subprocess.run(
        ["git", "-C", str(ROOT), "archive", "--format=tar", commit, *paths],
        check=True,
        capture_output=True,
    ).stdout
    with tarfile.open(fileobj=io.BytesIO(data)) as tar:
        tar.extractall(folder, filter="data")
    return folder


def old_modules_used(sources, helpers: Path) -> set:
    """The old scheme's modules: helper imports of the cells, followed through the
    modules.
    """

    def imported(source):
        try:
            tree = ast.parse(
                "\n".join(
                    "" if line.lstrip().startswith(("%", "!")) else line
                    for line in source.splitlines()
                )
            )
        except SyntaxError:
            return set()
        found = set()
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                parts = node.module.split(".")
                if parts[0] == "helpers":
                    found |= (
                        {parts[1]} if len(parts) > 1 else {a.name for a in node.names}
                    )
            elif isinstance(node, ast.Import):
                found |= {
                    a.name.split(".")[1]
                    for a in node.names
                    if a.name.startswith("helpers.")
                }
        return {n for n in found if (helpers / f"{n}.py").is_file()}

    pending, seen = set().union(*(imported(s) for s in sources)), {"__init__"}
    while pending:
        name = pending.pop()
        if name not in seen:
            seen.add(name)
            pending |= imported((helpers / f"{name}.py").read_text(encoding="utf-8"))
    return seen


def recipe_entries(helpers: Path) -> dict:
    """Canonical text of each RECIPES entry, with the shared ``_GATED`` fields it
    unpacks.
    """
    tree = ast.parse((helpers / "recipes.py").read_text(encoding="utf-8"))
    assigned = {
        t.id: n.value
        for n in tree.body
        if isinstance(n, ast.Assign)
        for t in n.targets
        if isinstance(t, ast.Name)
    }
    table = assigned.get("RECIPES")
    if not isinstance(table, ast.Dict):
        return {}
    entries = {}
    for key, value in zip(table.keys, table.values):
        shared = [
            canonical(assigned[k.value.id])
            for k in getattr(value, "keywords", [])
            if k.arg is None
            and isinstance(k.value, ast.Name)
            and k.value.id in assigned
        ]
        entries[key.value] = canonical(value) + "".join(shared)
    return entries


def replay(since: str, until: str = "HEAD") -> list:
    commits = git(
        "log", "--reverse", "--format=%H %s", f"{since}..{until}", "--", "helpers"
    ).splitlines()
    rows = []
    with tempfile.TemporaryDirectory(prefix="replay-") as scratch:
        for line in commits:
            commit, subject = line.split(" ", 1)
            before = extract(
                f"{commit}^", Path(scratch) / f"{commit}-before", ("helpers",)
            )
            after = extract(commit, Path(scratch) / f"{commit}-after")
            old_index, new_index = (
                HelperIndex(before / "helpers"),
                HelperIndex(after / "helpers"),
            )
            chapters = sorted((after / "notebooks").glob("*.ipynb"))
            row = dict(commit=commit[:7], subject=subject[:70], chapters=len(chapters))
            old_stale = new_stale = 0
            for path in chapters:
                cells = code_cells(json.loads(path.read_text(encoding="utf-8")))
                used = old_modules_used(cells, after / "helpers") | old_modules_used(
                    cells, before / "helpers"
                )
                old_stale += any(_bytes(before, m) != _bytes(after, m) for m in used)
                notebook = {
                    "cells": [{"cell_type": "code", "source": s} for s in cells]
                }
                new_stale += (
                    chapter_parts(notebook, index=old_index)["definitions"]
                    != chapter_parts(notebook, index=new_index)["definitions"]
                )
            recipes_before, recipes_after = (
                recipe_entries(before / "helpers"),
                recipe_entries(after / "helpers"),
            )
            runs = len(recipes_after) * SEEDS
            old_runs = (
                runs
                if any(
                    _bytes(before, m[:-3]) != _bytes(after, m[:-3])
                    for m in OLD_RUN_MODULES
                )
                else 0
            )
            exclude = [f"helpers.recipes:{name}" for name in RECORD_CODE]
            roots = ["helpers.recipes:run_recipe", "helpers.recipes:load_recipe_data"]
            if old_index.code_digest(roots, exclude) != new_index.code_digest(
                roots, exclude
            ):
                new_runs = runs
            else:
                new_runs = SEEDS * sum(
                    recipes_before.get(name) != entry
                    for name, entry in recipes_after.items()
                )
            row.update(
                old_chapters=old_stale,
                new_chapters=new_stale,
                runs=runs,
                old_runs=old_runs,
                new_runs=new_runs,
            )
            rows.append(row)
    return rows


def docstring_edits() -> list:
    """For each helper module today: the chapters and runs a docstring edit there would
    re-run.

    Under the new scheme the answer is none (``tests/test_fingerprint.py``
    checks it on edited copies); under the old one, every chapter that
    imports the module and, for the five keyed modules, every run.
    """
    helpers = ROOT / "helpers"
    chapters = sorted((ROOT / "notebooks").glob("*.ipynb"))
    used = [
        old_modules_used(code_cells(json.loads(p.read_text(encoding="utf-8"))), helpers)
        for p in chapters
    ]
    runs = len(recipe_entries(helpers)) * SEEDS
    return [
        dict(
            module=path.stem,
            chapters=len(chapters),
            old_chapters=sum(path.stem in u for u in used),
            old_runs=runs if path.name in OLD_RUN_MODULES else 0,
            runs=runs,
            new_chapters=0,
            new_runs=0,
        )
        for path in sorted(helpers.glob("*.py"))
        if path.stem != "__init__"
    ]


def _bytes(tree: Path, module: str):
    path = tree / "helpers" / f"{module}.py"
    return path.read_bytes() if path.is_file() else None


def table(rows: list) -> str:
    lines = [
        "| commit | change | chapters re-executed, "
        "old | new | runs retrained, old | new |",
        "|---|---|---|---|---|---|",
    ]
    for r in rows:
        lines.append(
            f"| {r['commit']} | {r['subject']} | {r['old_chapters']} of "
            f"{r['chapters']} | {r['new_chapters']} | {r['old_runs']} of "
            f"{r['runs']} | {r['new_runs']} |"
        )
    total = {
        k: sum(r[k] for r in rows)
        for k in ("old_chapters", "new_chapters", "old_runs", "new_runs")
    }
    lines.append(
        f"| **all {len(rows)}** | | **{total['old_chapters']}** | "
        f"**{total['new_chapters']}** | **{total['old_runs']}** | "
        f"**{total['new_runs']}** |"
    )
    return "\n".join(lines)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--since",
        default=None,
        help="replay the helper commits after this one (default: "
        "the commit that added chapter 8)",
    )
    parser.add_argument(
        "--until", default="HEAD", help="the last commit to replay (default: HEAD)"
    )
    args = parser.parse_args(argv)
    since = (
        args.since
        or git(
            "log",
            "--format=%H",
            "--diff-filter=A",
            "--",
            "notebooks/08_comparison.ipynb",
        ).split()[-1]
    )
    rows = replay(since, args.until)
    print(table(rows))
    edits = docstring_edits()
    print("\nA docstring edit in one helper module of today's tree:\n")
    print(
        "| module | chapters re-executed, old | new | runs retrained, "
        "old | new |\n|---|---|---|---|---|"
    )
    for e in edits:
        print(
            f"| {e['module']} | {e['old_chapters']} of {e['chapters']} | 0 | "
            f"{e['old_runs']} of {e['runs']} | 0 |"
        )
    path = write_result(
        "fingerprint_replay",
        dict(
            environment=run_environment(),
            since=since,
            until=git("rev-parse", args.until).strip(),
            rows=rows,
            docstring_edits=edits,
        ),
    )
    print(f"written to {path.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
