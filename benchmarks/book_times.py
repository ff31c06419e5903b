"""Time every chapter in quick mode, on copies, and record run time and peak memory.

Usage::

    IMDB_DIR=... python benchmarks/book_times.py --mode quick
    IMDB_DIR=... python benchmarks/book_times.py --mode quick \
        notebooks/05_lstm.ipynb   # some chapters

Each chapter is copied to a temporary folder and executed there, top to
bottom in a fresh kernel, by :func:`helpers.execute.execute_notebook` (the
machinery that makes the stored book), with the kernel's working folder set
to ``notebooks/``. The stored full-mode notebooks are never written. For
every chapter it prints and records the wall-clock seconds and the peak
resident memory of the kernel process; then the total, against the book's
quick-mode budget. It writes ``benchmarks/results/book_times-quick.json``,
which ``python -m helpers.status`` shows on the status page (a run of only
some chapters writes ``book_times-quick-partial.json`` instead).

Quick-mode models are saved under ``artifacts/quick/`` (never over a
full-mode model), as in any quick run. Only ``--mode quick`` exists: the
full-mode times are those of the stored runs (``python -m helpers.execute
notebooks/ --mode full``), which the status page reads from the notebooks.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
from pathlib import Path

from common import ROOT, run_environment, write_result

NOTEBOOKS_DIR = ROOT / "notebooks"


def time_notebook(path: Path, mode: str, timeout: int) -> dict:
    """Execute a temporary copy of one chapter; return its seconds and peak memory."""
    from nbclient.exceptions import CellExecutionError

    from helpers.execute import execute_notebook

    with tempfile.TemporaryDirectory(prefix="book-times-") as folder:
        copy = Path(folder) / path.name
        shutil.copyfile(path, copy)
        try:
            record = execute_notebook(copy, mode, timeout=timeout, cwd=NOTEBOOKS_DIR)
        except CellExecutionError as error:
            last = [line for line in str(error).splitlines() if line.strip()][-1:]
            return {
                "seconds": None,
                "peak_memory_mib": None,
                "error": " ".join(last)[:500],
            }
    return {
        "seconds": record["run_seconds"],
        "peak_memory_mib": record["peak_memory_mib"],
        "load_factor": record.get("load_factor"),
        "calibration_seconds": record.get("calibration_seconds"),
        "calibration_at_seconds": record.get("calibration_at_seconds"),
    }


def main(argv=None) -> int:
    """Command line: time the chapters, print one line each and the total, write the
    JSON.
    """
    from helpers.status import GOALS, format_mib, format_seconds

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "notebooks",
        nargs="*",
        type=Path,
        help="chapters to time (default: every notebooks/*.ipynb)",
    )
    parser.add_argument(
        "--mode",
        choices=("quick",),
        required=True,
        help="only quick: full-mode times come from the stored runs",
    )
    parser.add_argument(
        "--timeout", type=int, default=1800, help="seconds allowed per cell"
    )
    args = parser.parse_args(argv)
    paths = [p.resolve() for p in args.notebooks] or sorted(
        NOTEBOOKS_DIR.glob("*.ipynb")
    )
    environment = run_environment()
    results = {}
    for path in paths:
        print(f"{path.name:<32} ", end="", flush=True)
        results[path.name] = time_notebook(path, args.mode, args.timeout)
        r = results[path.name]
        print(
            f"FAILED: {r['error']}"
            if "error" in r
            else f"{format_seconds(r['seconds']):>12}   peak "
            f"{format_mib(r['peak_memory_mib'])}",
            flush=True,
        )
    timed = [r["seconds"] for r in results.values() if r["seconds"] is not None]
    total = round(sum(timed), 1)
    budget = GOALS["book_quick_seconds"]
    complete = len(timed) == len(sorted(NOTEBOOKS_DIR.glob("*.ipynb")))
    print(
        f"{'total':<32} {format_seconds(total):>12}   for {len(timed)} of {len(paths)} "
        f"chapters; budget {format_seconds(budget)}: "
        + ("within" if total <= budget else "OVER")
        + ("" if complete else " (not the whole book)")
    )
    peaks = [
        r["peak_memory_mib"]
        for r in results.values()
        if r["peak_memory_mib"] is not None
    ]
    result = dict(
        mode=args.mode,
        date=environment["date"],
        machine=environment["machine"],
        versions=environment["versions"],
        notebooks=results,
        total_seconds=total,
        max_peak_memory_mib=max(peaks, default=None),
        whole_book=complete,
        load_average_after=run_environment()["machine"]["load_average_1_5_15_min"],
    )
    # a run of some chapters never replaces the record of the whole book
    path = write_result(
        f"book_times-{args.mode}" + ("" if complete else "-partial"), result
    )
    print(
        f"wrote {path.relative_to(ROOT)}; re-create the status page: "
        "python -m helpers.status"
    )
    return 1 if len(timed) < len(paths) else 0


if __name__ == "__main__":
    sys.exit(main())
