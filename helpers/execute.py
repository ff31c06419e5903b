"""Re-execute chapters in place and record how their outputs were made.

Usage::

    python -m helpers.execute notebooks/ --mode full
    python -m helpers.execute notebooks/01_bag_of_words.ipynb --mode full

Each notebook runs top to bottom in a fresh kernel with ``BOOK_MODE`` set.
Only a run in which every cell succeeds is written back (atomically); its
metadata ``rnn_book`` records the mode, the run time, the peak resident
memory of the kernel process, the library versions and a fingerprint of the
code that produced the outputs (:mod:`helpers.fingerprint`: the code cells
and the helper definitions they reach, read as syntax, so that docstrings,
comments and formatting never count), with the parts it was made of, and
the trained runs the chapter read. The freshness test recomputes the
fingerprint, so a code cell or a reached helper edited without re-executing
is caught, and names what changed.

Introduced in chapter 1 (``notebooks/01_bag_of_words.ipynb``).
"""

from __future__ import annotations

import argparse
import datetime
import importlib.metadata
import json
import os
import platform
import sys
import tempfile
import time
from pathlib import Path
from typing import Optional, Sequence

from helpers.calibration import load_factor
from helpers.fingerprint import chapter_fingerprint, chapter_parts, parts_digest
from helpers.recipes import RUN_LOG_VARIABLE

#: The folder that holds this ``helpers`` package: put first on the kernel's path, so that
#: a chapter runs the code its fingerprint reads.
PACKAGE_PARENT = Path(__file__).resolve().parent.parent
#: Seconds of execution after which the next cell boundary times the calibration probe
#: again (besides after the setup cell and the last cell).
PROBE_INTERVAL = 180
#: The notebook metadata key this module writes.
METADATA_KEY = "rnn_book"


def notebook_fingerprint(notebook: dict, notebooks_dir: Optional[Path] = None) -> str:
    """Fingerprint the code and inputs behind a notebook's outputs.

    Parameters
    ----------
    notebook : dict
        The notebook as parsed JSON (or an ``nbformat`` node).
    notebooks_dir : pathlib.Path, optional
        The folder of the chapters it may read numbers from.

    Returns
    -------
    str
        A sha256 hex digest of :func:`helpers.fingerprint.chapter_parts`: the
        code cells and the helper definitions they reach, as syntax, and the
        numbers and trained runs the stored execution read.
    """
    return chapter_fingerprint(notebook, notebooks_dir)


def package_versions() -> dict:
    """Python and book package versions (``None`` for a missing package).

    Recorded with every executed chapter, and by ``benchmarks/`` with every result.
    """
    versions = {"python": platform.python_version()}
    for package in ("tensorflow", "keras", "numpy", "matplotlib"):
        try:
            versions[package] = importlib.metadata.version(package)
        except importlib.metadata.PackageNotFoundError:
            versions[package] = None
    return versions


def peak_memory_mib(
    pid: Optional[int], proc_root: Path = Path("/proc")
) -> Optional[float]:
    """Return the peak resident memory of a running process in MiB, or ``None``.

    Reads ``VmHWM`` (the resident-set high-water mark) from
    ``/proc/<pid>/status``, so it works on Linux only. Anywhere else, for a
    process that has ended, or for an unreadable file it returns ``None``
    instead of raising: a missing memory figure never fails an execution.

    Parameters
    ----------
    pid : int or None
        The process id (``None`` gives ``None``).
    proc_root : pathlib.Path
        The ``/proc`` folder (tests pass a fake one).

    Returns
    -------
    float or None
        ``VmHWM`` in MiB, rounded to 0.1.
    """
    if pid is None:
        return None
    try:
        status = (Path(proc_root) / str(int(pid)) / "status").read_text(
            encoding="ascii", errors="replace"
        )
    except (OSError, ValueError):
        return None
    for line in status.splitlines():
        if line.startswith("VmHWM:"):
            parts = line.split()
            if len(parts) >= 3 and parts[1].isdigit() and parts[2] == "kB":
                return round(int(parts[1]) / 1024, 1)
    return None


def _kernel_pid(client) -> Optional[int]:
    """The process id of an nbclient client's kernel (``None`` if unknown)."""
    manager = getattr(client, "km", None)
    provisioner = getattr(manager, "provisioner", None)
    pid = getattr(provisioner, "pid", None)
    return pid if isinstance(pid, int) else None


def _setup_cell_index(notebook) -> Optional[int]:
    """Return the index of the first code cell that calls ``start_chapter(``."""
    for index, cell in enumerate(notebook.cells):
        if cell.cell_type == "code" and "start_chapter(" in cell.source:
            return index
    return None


def _calibrating_client(notebook, calibrate: bool = True, **options):
    """Return a NotebookClient that times :mod:`helpers.calibration` in the kernel.

    The probe runs after the setup cell, after the first cell that ends
    :data:`PROBE_INTERVAL` seconds or more after the previous probe (so that
    a long chapter is sampled while it trains), and after the last cell,
    without
    entering the kernel's history (the chapter's execution counts stay
    1, 2, 3, ...) and without being stored in the notebook. The figures are
    in the client's ``calibrations`` list (None for a probe that failed),
    and the seconds since the client was made at which each ended in
    ``calibration_times``.
    """
    import nbformat
    from nbclient import NotebookClient

    from helpers.calibration import CELL_SOURCE, read_calibration

    class CalibratingClient(NotebookClient):
        async def async_execute_cell(
            self, cell, cell_index, execution_count=None, store_history=True
        ):
            result = await super().async_execute_cell(
                cell, cell_index, execution_count, store_history
            )
            last = len(self.nb.cells) - 1
            now = time.perf_counter()
            due = self.probed_at is not None and now - self.probed_at >= PROBE_INTERVAL
            if (
                self.calibrate
                and store_history
                and (cell_index in (self.setup_index, last) or due)
            ):
                probe = nbformat.v4.new_code_cell(CELL_SOURCE)
                probe.metadata["tags"] = [
                    "raises-exception"
                ]  # a failed probe: no figure
                await super().async_execute_cell(probe, cell_index, store_history=False)
                self.code_cells_executed -= 1
                self.nb.cells[cell_index] = (
                    result  # nbclient stores the probe in its place
                )
                self.calibrations.append(read_calibration(probe.outputs))
                self.probed_at = time.perf_counter()
                self.calibration_times.append(round(self.probed_at - self.started, 1))
            return result

    client = CalibratingClient(notebook, **options)
    client.setup_index = _setup_cell_index(notebook) if calibrate else None
    client.calibrations, client.calibration_times = [], []
    client.calibrate = calibrate
    client.started, client.probed_at = time.perf_counter(), None
    return client


def execute_notebook(
    path: Path,
    mode: str,
    timeout: int = 1800,
    cwd: Optional[Path] = None,
    calibrate: bool = True,
) -> dict:
    """Execute one notebook in place in a fresh kernel and record its metadata.

    Parameters
    ----------
    path : pathlib.Path
        The ``.ipynb`` file.
    mode : {"full", "quick"}
        The ``BOOK_MODE`` for the kernel.
    timeout : int
        Seconds allowed per cell.
    cwd : pathlib.Path, optional
        The kernel's working folder; by default the notebook's folder. A
        temporary copy of a chapter (``benchmarks/book_times.py``) runs in
        ``notebooks/`` so that it sees what the chapter sees.

    Returns
    -------
    dict
        The ``rnn_book`` metadata that was written. ``peak_memory_mib`` is
        the kernel process's peak resident memory (:func:`peak_memory_mib`,
        read after each cell, the last time just before the kernel shuts
        down), or ``None`` where ``/proc`` is not available.
        ``calibration_seconds`` are the timings of
        :func:`helpers.calibration.calibration_seconds` in the same kernel
        (after the setup cell, every :data:`PROBE_INTERVAL` seconds at a
        cell boundary, and after the last cell), ``calibration_at_seconds``
        when each ended, and ``load_factor`` their time-weighted mean over
        the reference machine's figure.

    Raises
    ------
    nbclient.exceptions.CellExecutionError
        If a cell fails; the file is then left exactly as it was.
    """
    import nbformat

    path = Path(path)
    notebook = nbformat.read(path, as_version=4)
    previous = os.environ.get("BOOK_MODE")
    os.environ["BOOK_MODE"] = mode
    # The kernel imports the helpers this process fingerprints, whatever else is installed
    # (an editable install of another checkout, a site-packages copy).
    previous_path = os.environ.get("PYTHONPATH")
    os.environ["PYTHONPATH"] = os.pathsep.join(
        filter(None, [str(PACKAGE_PARENT), previous_path])
    )
    workdir = Path(cwd) if cwd is not None else path.parent
    peaks = []
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="rnn-book-runs-") as scratch:
        run_log = Path(scratch) / "runs.jsonl"
        os.environ[RUN_LOG_VARIABLE] = str(run_log)
        try:
            client = _calibrating_client(
                notebook,
                calibrate=calibrate,
                timeout=timeout,
                kernel_name="python3",
                resources={"metadata": {"path": str(workdir.resolve())}},
            )
            # VmHWM only grows, so the reading after the last cell is the kernel's peak.
            client.on_cell_executed = lambda **_: peaks.append(
                peak_memory_mib(_kernel_pid(client))
            )
            client.execute()
        finally:
            os.environ.pop(RUN_LOG_VARIABLE, None)
            if previous_path is None:
                os.environ.pop("PYTHONPATH", None)
            else:
                os.environ["PYTHONPATH"] = previous_path
            if previous is None:
                os.environ.pop("BOOK_MODE", None)
            else:
                os.environ["BOOK_MODE"] = previous
        runs_read = runs_in_log(run_log)
    run_seconds = round(time.perf_counter() - started, 1)
    record = {
        "mode": mode,
        "run_seconds": run_seconds,
        "peak_memory_mib": max((p for p in peaks if p is not None), default=None),
        "executed": datetime.date.today().isoformat(),
        "versions": package_versions(),
        "records_read": runs_read,
        "calibration_seconds": client.calibrations,
        "calibration_at_seconds": client.calibration_times,
        "load_factor": load_factor(
            client.calibrations, client.calibration_times, run_seconds
        ),
    }
    notebook.metadata[METADATA_KEY] = record
    record_fingerprint(notebook, path.parent)
    write_notebook(notebook, path)
    return dict(notebook.metadata[METADATA_KEY])


def runs_in_log(path: Path) -> list:
    """Return the distinct trained runs logged by ``helpers.recipes`` (in order)."""
    if not Path(path).is_file():
        return []
    runs = []
    for line in Path(path).read_text(encoding="utf-8").splitlines():
        entry = json.loads(line)
        if entry not in runs:
            runs.append(entry)
    return runs


def record_fingerprint(
    notebook, notebooks_dir: Optional[Path] = None, index=None
) -> dict:
    """Store the fingerprint and its parts in the notebook's ``rnn_book`` metadata.

    ``notebooks_dir`` and ``index`` are as in :func:`helpers.fingerprint.chapter_parts`.

    Returns
    -------
    dict
        The parts (:func:`helpers.fingerprint.chapter_parts`).
    """
    parts = chapter_parts(notebook, notebooks_dir, index)
    notebook["metadata"][METADATA_KEY]["fingerprint"] = parts_digest(parts)
    notebook["metadata"][METADATA_KEY]["fingerprint_parts"] = parts
    return parts


def write_notebook(notebook, path: Path) -> None:
    """Write a notebook (an ``nbformat`` node) to ``path`` atomically."""
    import nbformat

    from helpers.files import write_text_atomically

    write_text_atomically(path, nbformat.writes(nbformat.from_dict(notebook)) + "\n")


def stderr_cells(notebook: dict) -> list:
    """Return the indices of cells whose stored outputs include stderr text."""
    return [
        index
        for index, cell in enumerate(notebook.get("cells", []))
        if any(
            o.get("output_type") == "stream" and o.get("name") == "stderr"
            for o in cell.get("outputs", [])
        )
    ]


def _notebook_paths(targets: Sequence[str]) -> list:
    paths = []
    for target in targets:
        target = Path(target)
        paths.extend(sorted(target.glob("*.ipynb")) if target.is_dir() else [target])
    return paths


def main(argv: Optional[Sequence[str]] = None) -> int:
    """Command line: execute notebooks in place, one after the other."""
    from nbclient.exceptions import CellExecutionError

    parser = argparse.ArgumentParser(
        prog="python -m helpers.execute", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument("targets", nargs="+", help="notebooks or folders of notebooks")
    parser.add_argument(
        "--mode",
        choices=("full", "quick"),
        default="full",
        help="BOOK_MODE for the run (the stored book is full mode)",
    )
    parser.add_argument(
        "--timeout", type=int, default=1800, help="seconds allowed per cell"
    )
    args = parser.parse_args(argv)
    failures = 0
    for path in _notebook_paths(args.targets):
        print(f"executing {path} in {args.mode} mode ...", flush=True)
        try:
            record = execute_notebook(path, args.mode, args.timeout)
        except CellExecutionError as error:
            failures += 1
            print(
                f"FAILED {path}: left unchanged.\n{str(error)[-3000:]}", file=sys.stderr
            )
            continue
        noisy = stderr_cells(json.loads(path.read_text(encoding="utf-8")))
        memory = record["peak_memory_mib"]
        print(
            f"  done in {record['run_seconds']} s"
            + (f", peak memory {memory:.0f} MiB" if memory is not None else "")
            + (f"; stderr output in cells {noisy}" if noisy else "")
        )
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
