"""Write the book's status page from the chapters' execution metadata.

Usage::

    python -m helpers.status            # writes book/status.md
    python -m helpers.status --check    # exit 1 if book/status.md is out of date

Every chapter executed by :mod:`helpers.execute` carries notebook metadata
``rnn_book`` (mode, run time, peak memory of the kernel, date, library
versions). ``benchmarks/book_times.py --mode quick`` times every chapter in
quick mode and writes ``benchmarks/results/book_times-quick.json``. This
module turns both into one Markdown page: per notebook the full-mode run
time and peak memory and the quick-mode run time, the totals of both modes,
the book's run-time and memory goals with pass/fail, and the package
versions. The page is generated, and committed: re-run this command after
executing a chapter or re-timing quick mode. The output depends only on the
notebooks and that JSON file, so ``--check`` (and ``tests/test_status.py``)
can tell a stale page.

Introduced with the book's reference pages (``book/status.md``).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Optional, Sequence

from helpers.calibration import REFERENCE_SECONDS, load_factor
from helpers.claims import count_claims
from helpers.execute import METADATA_KEY
from helpers.paths import book_root


def _book_or_working_folder() -> Path:
    try:
        return book_root()
    except FileNotFoundError:
        return Path.cwd()


#: The book's folder, found from the working directory (run the command inside the book).
ROOT = _book_or_working_folder()
#: Where the chapters live and where the page goes.
NOTEBOOKS_DIR = ROOT / "notebooks"
STATUS_PAGE = ROOT / "book" / "status.md"
#: Quick-mode run times written by ``benchmarks/book_times.py --mode quick``.
QUICK_TIMES = ROOT / "benchmarks" / "results" / "book_times-quick.json"
#: The packages shown, in this order.
PACKAGES = ("python", "tensorflow", "keras", "numpy", "matplotlib")
#: The book's goals: full-mode seconds per chapter and for the book, quick-mode
#: seconds for the book, and peak resident memory of any chapter's kernel. The book's
#: budget grew from 25 to 30 minutes with chapters 9 and 10.
GOALS = {
    "chapter_full_seconds": 300,
    "book_full_seconds": 1800,
    "book_quick_seconds": 360,
    "peak_memory_mib": 4096,
}


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


def load_quick_times(path: Path = QUICK_TIMES) -> Optional[dict]:
    """Read the quick-mode timings of ``benchmarks/book_times.py`` (``None`` if absent).

    Parameters
    ----------
    path : pathlib.Path
        The ``book_times-quick.json`` file.

    Returns
    -------
    dict or None
        The parsed file: ``notebooks`` maps a file name to ``seconds`` and
        ``peak_memory_mib``; also ``total_seconds``, ``date``, ``versions``.

    Raises
    ------
    ValueError
        If the file exists but is not such a record; the message says to
        re-run ``benchmarks/book_times.py --mode quick``.
    """
    path = Path(path)
    if not path.is_file():
        return None
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        ok = (
            isinstance(data, dict)
            and isinstance(data["notebooks"], dict)
            and data.get("mode") == "quick"
        )
    except (ValueError, KeyError, TypeError):
        ok = False
    if not ok:
        raise ValueError(
            f"{path} is not a quick-mode timing record; re-create it with "
            "`python benchmarks/book_times.py --mode quick`"
        )
    return data


def status_rows(
    notebooks_dir: Path = NOTEBOOKS_DIR, quick_times: Optional[dict] = None
) -> list:
    """Read every ``*.ipynb`` in ``notebooks_dir`` and return one dict per notebook.

    Parameters
    ----------
    notebooks_dir : pathlib.Path
        The folder of chapters.
    quick_times : dict, optional
        The record of :func:`load_quick_times`, for the quick-mode times.

    Returns
    -------
    list of dict
        Keys ``name``, ``title``, ``mode``, ``run_seconds``,
        ``peak_memory_mib``, ``executed`` and ``versions`` (from the stored
        ``rnn_book`` metadata, ``None`` where it is missing) and
        ``quick_seconds`` (``None`` without a quick-mode time), sorted by
        file name; ``load_factor`` and ``quick_load_factor`` (the
        calibration of the full-mode and the quick-mode run, ``None`` for a
        run made before calibration existed) and ``claims`` (the number of
        asserted sentences, :func:`helpers.claims.count_claims`).
    """
    quick = (quick_times or {}).get("notebooks", {})
    rows = []
    for path in sorted(Path(notebooks_dir).glob("*.ipynb")):
        notebook = json.loads(path.read_text(encoding="utf-8"))
        record = notebook.get("metadata", {}).get(METADATA_KEY) or {}
        rows.append(
            {
                "name": path.name,
                "title": notebook_title(notebook, path.stem),
                "mode": record.get("mode"),
                "run_seconds": record.get("run_seconds"),
                "peak_memory_mib": record.get("peak_memory_mib"),
                "executed": record.get("executed"),
                "versions": record.get("versions") or {},
                "quick_seconds": (quick.get(path.name) or {}).get("seconds"),
                "load_factor": _load_factor(record, "run_seconds"),
                "quick_load_factor": _load_factor(
                    quick.get(path.name) or {}, "seconds"
                ),
                "claims": count_claims(notebook),
            }
        )
    return rows


def _load_factor(record: dict, seconds_key: str) -> Optional[float]:
    """The load factor of a run, recomputed from its calibration figures.

    Recomputed against today's :data:`helpers.calibration.REFERENCE_SECONDS`
    (so that re-measuring the reference updates every row); a record with
    only a stored ``load_factor`` keeps it.
    """
    figures = record.get("calibration_seconds")
    if not figures:
        return record.get("load_factor")
    return load_factor(
        figures, record.get("calibration_at_seconds"), record.get(seconds_key)
    )


def at_reference_speed(seconds: Optional[float], factor: Optional[float]):
    """Return a run time divided by its load factor (None if either is missing).

    Parameters
    ----------
    seconds : float, optional
        A measured run time.
    factor : float, optional
        Its :func:`helpers.calibration.load_factor`: how many times slower
        than the idle reference machine the calibration workload ran.

    Returns
    -------
    float or None
        The time the run would have taken at reference speed.
    """
    if seconds is None or not factor:
        return None
    return seconds / factor


def goal_checks(rows: Sequence[dict]) -> list:
    """Compare the measured run times and memory with :data:`GOALS`.

    Full-mode figures come from notebooks whose stored run is in full mode.
    A goal passes only when every notebook has the figure it needs; it
    fails as soon as the measured figures exceed it.

    Parameters
    ----------
    rows : sequence of dict
        As :func:`status_rows` returns them.

    Returns
    -------
    list of dict
        One per goal: ``goal`` (text), ``measured`` (text) and ``passed``
        (``True``, ``False``, or ``None`` when it cannot be judged yet:
        some figure is missing and the measured ones are within the goal).
    """
    n = len(rows)
    # Times are judged at reference speed: a run without a calibration is not judged.
    full = [
        dict(r, run_seconds=at_reference_speed(r["run_seconds"], r["load_factor"]))
        for r in rows
        if r["mode"] == "full"
        and at_reference_speed(r["run_seconds"], r["load_factor"]) is not None
    ]
    memory = [
        r for r in rows if r["mode"] == "full" and r["peak_memory_mib"] is not None
    ]
    quick = [
        dict(
            r,
            quick_seconds=at_reference_speed(
                r["quick_seconds"], r["quick_load_factor"]
            ),
        )
        for r in rows
        if at_reference_speed(r["quick_seconds"], r["quick_load_factor"]) is not None
    ]

    def judged(count, value, limit):
        # a partial figure that already exceeds the limit fails: sums and maxima only
        # grow
        if value > limit:
            return False
        return None if count < n or n == 0 else True

    def partial(count):
        return (
            "" if count == n else f" ({count} of {n} notebooks measured and calibrated)"
        )

    slowest = max(full, key=lambda r: r["run_seconds"], default=None)
    full_total = sum(r["run_seconds"] for r in full)
    quick_total = sum(r["quick_seconds"] for r in quick)
    heaviest = max(memory, key=lambda r: r["peak_memory_mib"], default=None)
    return [
        {
            "goal": (
                f"each chapter ≤ {_minutes(GOALS['chapter_full_seconds'])} "
                "(full mode, at reference speed)"
            ),
            "measured": (
                "–"
                if slowest is None
                else "slowest "
                f"{format_seconds(slowest['run_seconds'])} (`{slowest['name']}`)"
            )
            + partial(len(full)),
            "passed": judged(
                len(full),
                slowest["run_seconds"] if slowest else 0,
                GOALS["chapter_full_seconds"],
            ),
        },
        {
            "goal": (
                f"whole book ≤ {_minutes(GOALS['book_full_seconds'])} "
                "(full mode, at reference speed)"
            ),
            "measured": (format_seconds(full_total) if full else "–")
            + partial(len(full)),
            "passed": judged(len(full), full_total, GOALS["book_full_seconds"]),
        },
        {
            "goal": (
                f"whole book ≤ {_minutes(GOALS['book_quick_seconds'])} "
                "in quick mode (the nbval budget, at reference speed)"
            ),
            "measured": (format_seconds(quick_total) if quick else "–")
            + partial(len(quick)),
            "passed": judged(len(quick), quick_total, GOALS["book_quick_seconds"]),
        },
        {
            "goal": (
                f"peak memory ≤ {GOALS['peak_memory_mib'] / 1024:g} GiB "
                f"({GOALS['peak_memory_mib']:,} MiB) per chapter (full mode)"
            ),
            "measured": (
                "–"
                if heaviest is None
                # in MiB: a rounded GiB could hide a near miss
                else f"largest {heaviest['peak_memory_mib']:,.1f} "
                f"MiB (`{heaviest['name']}`)"
            )
            + partial(len(memory)),
            "passed": judged(
                len(memory),
                heaviest["peak_memory_mib"] if heaviest else 0,
                GOALS["peak_memory_mib"],
            ),
        },
    ]


def format_mib(mib: Optional[float]) -> str:
    """Return a memory size as ``"812 MiB"`` or ``"4.03 GiB"`` (``"–"`` if unknown).

    Raises
    ------
    ValueError
        If ``mib`` is negative.
    """
    if mib is None:
        return "–"
    if mib < 0:
        raise ValueError(f"a memory size cannot be negative, got {mib!r}")
    return f"{mib:.0f} MiB" if mib < 1024 else f"{mib / 1024:.2f} GiB"


def _minutes(seconds: float) -> str:
    return f"{seconds / 60:g} min"


def _cell(text) -> str:
    return "–" if text in (None, "") else str(text).replace("|", "\\|")


def _factor(factor: Optional[float]) -> str:
    return "–" if factor is None else f"{factor:.2f}×"


def _verdict(passed: Optional[bool]) -> str:
    return {True: "pass", False: "**fail**", None: "not judged yet"}[passed]


def _version_lines(rows: Sequence[dict], quick_times: Optional[dict]) -> list:
    """The package-version table: one row per package, the full-mode runs and the
    quick run.
    """
    lines = [
        "| package | full-mode runs (stored outputs) | quick-mode timing run |",
        "|---|---|---|",
    ]
    quick_versions = (quick_times or {}).get("versions") or {}
    for package in PACKAGES:
        seen = {}
        for row in rows:
            version = row["versions"].get(package)
            if version:
                seen.setdefault(version, []).append(row["name"][:2])
        if len(seen) <= 1:
            full = _cell(next(iter(seen), None))
        else:
            full = "; ".join(
                f"{v} ({', '.join(names)})" for v, names in sorted(seen.items())
            )
        lines.append(f"| {package} | {full} | {_cell(quick_versions.get(package))} |")
    return lines


def render_status(rows: Sequence[dict], quick_times: Optional[dict] = None) -> str:
    """Return the Markdown of the status page for the given rows.

    Parameters
    ----------
    rows : sequence of dict
        As :func:`status_rows` returns them.
    quick_times : dict, optional
        The record of :func:`load_quick_times` (its date and machine are shown).

    Returns
    -------
    str
        The page.
    """
    lines = [
        "# Status",
        "",
        "When each chapter was last executed, in which mode, how long it took, how",
        "much memory its kernel used at most and with which package versions. The",
        "stored outputs you read are from these runs. This page is generated from",
        "the notebooks' metadata and `benchmarks/results/book_times-quick.json` by",
        "`python -m helpers.status`; do not edit it by hand.",
        "",
    ]
    if not rows:
        lines += ["No chapter has been executed yet.", ""]
        return "\n".join(lines)
    header = [
        "notebook",
        "title",
        "mode",
        "run time",
        "load factor",
        "at reference speed",
        "peak memory",
        "executed",
        "quick-mode time (at reference speed)",
        "claims asserted",
    ]
    lines.append("| " + " | ".join(header) + " |")
    lines.append("|" + "|".join("---" for _ in header) + "|")
    for row in rows:
        cells = [
            f"`{row['name']}`",
            _cell(row["title"]),
            _cell(row["mode"]),
            format_seconds(row["run_seconds"]),
            _factor(row["load_factor"]),
            format_seconds(at_reference_speed(row["run_seconds"], row["load_factor"])),
            format_mib(row["peak_memory_mib"]),
            _cell(row["executed"]),
            format_seconds(row["quick_seconds"])
            + (
                ""
                if row["quick_seconds"] is None
                else f" ({format_seconds(reference_quick)})"
                if (
                    reference_quick := at_reference_speed(
                        row["quick_seconds"], row["quick_load_factor"]
                    )
                )
                is not None
                else " (–)"
            ),
            str(row["claims"]),
        ]
        lines.append("| " + " | ".join(cells) + " |")
    timed = [row["run_seconds"] for row in rows if row["run_seconds"] is not None]
    quick = [row["quick_seconds"] for row in rows if row["quick_seconds"] is not None]
    missing = [row["name"] for row in rows if row["mode"] is None]
    modes = sorted({row["mode"] for row in rows if row["mode"]})
    lines += [
        "",
        f"**Total run time (stored runs):** {format_seconds(sum(timed))} for "
        f"{len(timed)} of {len(rows)} notebooks (mode: {', '.join(modes) or '–'}).",
        "",
        "**Total run time (quick mode):** "
        + (
            f"{format_seconds(sum(quick))} for {len(quick)} of {len(rows)} notebooks"
            if quick
            else "not measured (run `python benchmarks/book_times.py --mode quick`)"
        )
        + (
            f", timed on {quick_times.get('date')} on "
            f"{quick_times.get('machine', {}).get('cores', '?')} CPU cores."
            if quick and quick_times
            else "."
        ),
        "",
    ]
    if missing:
        lines += [
            "Not executed with `python -m helpers.execute`: "
            + ", ".join(f"`{name}`" for name in missing)
            + ".",
            "",
        ]
    lines += [
        "## Machine speed",
        "",
        "This machine's speed drifts from hour to hour (other jobs share its two",
        "cores), so each execution also times a small fixed workload in the",
        "chapter's own kernel: one epoch of a small LSTM on fixed synthetic ids",
        "(`helpers.calibration`), after the setup cell and after the last cell.",
        "The **load factor** is their mean over the figure of the idle reference",
        f"machine ({REFERENCE_SECONDS:.2f} s): 1.0 is an idle machine, 2.0 a",
        "machine running at half speed. **At reference speed** is the run time",
        "divided by the load factor, the time the chapter would have taken on",
        "the idle machine; the time goals are judged on it, so that a slow hour",
        "neither fails a goal nor a fast one hides a slower chapter. A run made",
        "before calibration existed shows – and is not judged.",
        "",
        "**Claims asserted** counts a chapter's `claim(...)` calls and its",
        "`assert` statements with a message: each backs a sentence about its",
        "numbers, and stops the execution if a re-run turns the finding around",
        "(`helpers.claims`).",
        "",
    ]
    lines += ["## Goals", "", "| goal | measured | result |", "|---|---|---|"]
    lines += [
        f"| {check['goal']} | {check['measured']} | {_verdict(check['passed'])} |"
        for check in goal_checks(rows)
    ]
    lines += [
        "",
        "Peak memory is the kernel process's resident-set high-water mark",
        "(`VmHWM`), read just before the kernel shuts down. Quick-mode times are",
        "measured by executing copies of the chapters with `helpers.execute`",
        "(`benchmarks/book_times.py`), one after the other; `pytest`'s nbval run",
        "executes the same cells plus its own start-up and comparisons.",
        "",
        "## Package versions",
        "",
    ]
    lines += _version_lines(rows, quick_times)
    lines += [
        "",
        "Times were measured on a two-core CPU; a GPU or a faster machine",
        "is quicker. Re-create this page after executing a chapter:",
        "",
        "```bash",
        "python -m helpers.execute notebooks/NN_name.ipynb --mode full",
        "python benchmarks/book_times.py --mode quick     # optional: quick-mode times",
        "python -m helpers.status",
        "```",
        "",
    ]
    return "\n".join(lines)


def main(argv: Optional[Sequence[str]] = None) -> int:
    """Command line: write (or ``--check``) ``book/status.md``."""
    parser = argparse.ArgumentParser(
        prog="python -m helpers.status", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument(
        "--notebooks", type=Path, default=NOTEBOOKS_DIR, help="folder of chapters"
    )
    parser.add_argument(
        "--output", type=Path, default=STATUS_PAGE, help="the page to write"
    )
    parser.add_argument(
        "--quick-times",
        type=Path,
        default=QUICK_TIMES,
        help="quick-mode timings (benchmarks/book_times.py); ignored if absent",
    )
    parser.add_argument(
        "--check", action="store_true", help="only check that the page is up to date"
    )
    args = parser.parse_args(argv)
    quick_times = load_quick_times(args.quick_times)
    text = render_status(status_rows(args.notebooks, quick_times), quick_times)
    if args.check:
        current = (
            args.output.read_text(encoding="utf-8") if args.output.is_file() else None
        )
        if current != text:
            print(
                f"{args.output} is out of date: run `python -m helpers.status`.",
                file=sys.stderr,
            )
            return 1
        print(f"{args.output} is up to date.")
        return 0
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(text, encoding="utf-8")
    print(
        "wrote "
        f"{args.output.relative_to(ROOT) if args.output.is_relative_to(ROOT) else args.output} "
        f"({len(text.splitlines())} lines)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
