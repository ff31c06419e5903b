"""What every benchmark script records next to its figures: when, where, with what.

A timing means little without the machine and the library versions that
produced it, so each result file carries :func:`run_environment`. Used by the
scripts in ``benchmarks/`` (not part of the ``helpers`` package: benchmarks
are measurements, not book code).
"""

from __future__ import annotations

import datetime
import json
import os
import platform
from pathlib import Path

from helpers.execute import package_versions
from helpers.files import write_text_atomically

#: The repository root and the folder of committed results.
ROOT = Path(__file__).resolve().parent.parent
RESULTS_DIR = ROOT / "benchmarks" / "results"


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def machine() -> dict:
    """Cores (all and usable), CPU model, OS and the load average right now.

    A load average well above zero before a run means other processes shared
    the CPU: the times are then upper bounds.
    """
    usable = (
        len(os.sched_getaffinity(0))
        if hasattr(os, "sched_getaffinity")
        else os.cpu_count()
    )
    load = [round(x, 2) for x in os.getloadavg()] if hasattr(os, "getloadavg") else None
    return {
        "cores": os.cpu_count(),
        "usable_cores": usable,
        "cpu": _cpu_model(),
        "platform": platform.platform(),
        "load_average_1_5_15_min": load,
    }


def run_environment() -> dict:
    """Date and time (UTC, ISO 8601), machine and package versions of this run."""
    now = datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0)
    return {
        "date": now.isoformat(),
        "machine": machine(),
        "versions": package_versions(),
    }


def write_result(name: str, data: dict, folder: Path = RESULTS_DIR) -> Path:
    """Write ``data`` as ``<folder>/<name>.json`` (indented, atomically) and return
    the path.
    """
    return write_text_atomically(
        Path(folder) / f"{name}.json", json.dumps(data, indent=1) + "\n"
    )
