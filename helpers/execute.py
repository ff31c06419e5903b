"""Re-execute chapters in place and record how their outputs were made.

Usage::

    python -m helpers.execute notebooks/ --mode full
    python -m helpers.execute notebooks/01_bag_of_words.ipynb --mode full

Each notebook runs top to bottom in a fresh kernel with ``BOOK_MODE`` set.
Only a run in which every cell succeeds is written back (atomically); its
metadata ``rnn_book`` records the mode, the run time, the peak resident
memory of the kernel process, the library versions and a fingerprint of the
code that produced the outputs: the code cells and the source of every
``helpers`` module the notebook imports, directly or through other helpers.
The freshness test recomputes the fingerprint, so a code cell or a helper
edited without re-executing is caught.

Introduced in chapter 1 (``notebooks/01_bag_of_words.ipynb``).
"""
from __future__ import annotations

import argparse
import ast
import datetime
import hashlib
import importlib.metadata
import json
import os
import platform
import sys
import tempfile
import time
from pathlib import Path
from typing import Iterable, Optional, Sequence

#: The folder of the ``helpers`` package.
HELPERS_DIR = Path(__file__).resolve().parent
#: The notebook metadata key this module writes.
METADATA_KEY = "rnn_book"


def code_cells(notebook: dict) -> list:
    """Return the sources of the non-empty code cells of a notebook (a dict)."""
    cells = []
    for cell in notebook.get("cells", []):
        source = cell.get("source", "")
        source = "".join(source) if isinstance(source, list) else source
        if cell.get("cell_type") == "code" and source.strip():
            cells.append(source)
    return cells


def _python_only(source: str) -> str:
    """Drop IPython magics and shell lines so that ``ast`` can parse a cell."""
    return "\n".join(
        "" if line.lstrip().startswith(("%", "!")) else line for line in source.splitlines()
    )


def _imported_helpers(source: str) -> set:
    """Names of ``helpers`` modules that a piece of Python source imports."""
    try:
        tree = ast.parse(_python_only(source))
    except SyntaxError:
        return set()
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                parts = alias.name.split(".")
                if parts[0] == "helpers" and len(parts) > 1:
                    found.add(parts[1])
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            parts = node.module.split(".")
            if parts[0] != "helpers":
                continue
            if len(parts) > 1:
                found.add(parts[1])
            else:
                found.update(alias.name for alias in node.names)
    return {name for name in found if (HELPERS_DIR / f"{name}.py").is_file()}


def helper_modules_used(sources: Iterable[str]) -> list:
    """Return the ``helpers`` modules that code uses, directly or transitively.

    Parameters
    ----------
    sources : iterable of str
        Python source (code cells).

    Returns
    -------
    list of str
        Sorted module names, always including ``__init__``.
    """
    pending = set().union(*(_imported_helpers(s) for s in sources))
    seen = {"__init__"}
    while pending:
        name = pending.pop()
        if name in seen:
            continue
        seen.add(name)
        pending |= _imported_helpers((HELPERS_DIR / f"{name}.py").read_text(encoding="utf-8"))
    return sorted(seen)


def notebook_fingerprint(notebook: dict) -> str:
    """Fingerprint the code behind a notebook's outputs.

    Parameters
    ----------
    notebook : dict
        The notebook as parsed JSON (or an ``nbformat`` node).

    Returns
    -------
    str
        A sha256 hex digest of the code cells and of the source of every
        ``helpers`` module they use.
    """
    sources = code_cells(notebook)
    digest = hashlib.sha256()
    for source in sources:
        digest.update(b"cell\0" + source.encode("utf-8") + b"\0")
    for name in helper_modules_used(sources):
        digest.update(f"helpers/{name}.py\0".encode() + (HELPERS_DIR / f"{name}.py").read_bytes())
    return digest.hexdigest()


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


def peak_memory_mib(pid: Optional[int], proc_root: Path = Path("/proc")) -> Optional[float]:
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
        status = (Path(proc_root) / str(int(pid)) / "status").read_text(encoding="ascii", errors="replace")
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


def execute_notebook(path: Path, mode: str, timeout: int = 1800, cwd: Optional[Path] = None) -> dict:
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

    Raises
    ------
    nbclient.exceptions.CellExecutionError
        If a cell fails; the file is then left exactly as it was.
    """
    import nbformat
    from nbclient import NotebookClient

    path = Path(path)
    notebook = nbformat.read(path, as_version=4)
    previous = os.environ.get("BOOK_MODE")
    os.environ["BOOK_MODE"] = mode
    workdir = Path(cwd) if cwd is not None else path.parent
    peaks = []
    started = time.perf_counter()
    try:
        client = NotebookClient(
            notebook, timeout=timeout, kernel_name="python3",
            resources={"metadata": {"path": str(workdir.resolve())}},
        )
        # VmHWM only grows, so the reading after the last cell is the kernel's peak.
        client.on_cell_executed = lambda **_: peaks.append(peak_memory_mib(_kernel_pid(client)))
        client.execute()
    finally:
        if previous is None:
            os.environ.pop("BOOK_MODE", None)
        else:
            os.environ["BOOK_MODE"] = previous
    record = {
        "mode": mode,
        "run_seconds": round(time.perf_counter() - started, 1),
        "peak_memory_mib": max((p for p in peaks if p is not None), default=None),
        "fingerprint": notebook_fingerprint(notebook),
        "executed": datetime.date.today().isoformat(),
        "versions": package_versions(),
    }
    notebook.metadata[METADATA_KEY] = record
    handle, temporary = tempfile.mkstemp(prefix=path.name + ".", suffix=".tmp", dir=path.parent)
    with os.fdopen(handle, "w", encoding="utf-8") as out:
        nbformat.write(notebook, out)
    os.replace(temporary, path)
    return record


def stderr_cells(notebook: dict) -> list:
    """Return the indices of cells whose stored outputs include stderr text."""
    return [
        index for index, cell in enumerate(notebook.get("cells", []))
        if any(o.get("output_type") == "stream" and o.get("name") == "stderr"
               for o in cell.get("outputs", []))
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

    parser = argparse.ArgumentParser(prog="python -m helpers.execute", description=__doc__.split("\n\n")[0])
    parser.add_argument("targets", nargs="+", help="notebooks or folders of notebooks")
    parser.add_argument("--mode", choices=("full", "quick"), default="full",
                        help="BOOK_MODE for the run (the stored book is full mode)")
    parser.add_argument("--timeout", type=int, default=1800, help="seconds allowed per cell")
    args = parser.parse_args(argv)
    failures = 0
    for path in _notebook_paths(args.targets):
        print(f"executing {path} in {args.mode} mode ...", flush=True)
        try:
            record = execute_notebook(path, args.mode, args.timeout)
        except CellExecutionError as error:
            failures += 1
            print(f"FAILED {path}: left unchanged.\n{str(error)[-3000:]}", file=sys.stderr)
            continue
        noisy = stderr_cells(json.loads(path.read_text(encoding="utf-8")))
        memory = record["peak_memory_mib"]
        print(f"  done in {record['run_seconds']} s"
              + (f", peak memory {memory:.0f} MiB" if memory is not None else "")
              + (f"; stderr output in cells {noisy}" if noisy else ""))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
