"""The code is formatted, linted and fits the page.

``ruff format --check`` and ``ruff check`` over the repository (helpers,
tests, benchmarks and the notebooks' code cells, as ``pyproject.toml``
configures), and no code line of a chapter longer than 88 characters, so
the HTML shows every line whole. A reformat never makes a chapter stale:
the fingerprint reads code as syntax (``helpers/fingerprint.py``).
"""

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
LIMIT = 88


def _ruff(*args):
    try:
        import ruff  # noqa: F401
    except ImportError:
        pytest.fail(
            "ruff is missing: pip install -r requirements-dev.txt (make test does it)"
        )
    return subprocess.run(
        [sys.executable, "-m", "ruff", *args], cwd=ROOT, capture_output=True, text=True
    )


def test_ruff_format_has_nothing_to_change():
    done = _ruff("format", "--check", ".")
    assert done.returncode == 0, (
        f"run `ruff format .`:\n{done.stdout[-3000:]}{done.stderr[-2000:]}"
    )


def test_ruff_check_is_clean():
    done = _ruff("check", ".")
    assert done.returncode == 0, (
        f"ruff check:\n{done.stdout[-3000:]}{done.stderr[-2000:]}"
    )


def test_every_code_line_of_a_chapter_fits_the_page():
    long = []
    for path in sorted((ROOT / "notebooks").glob("*.ipynb")):
        for index, cell in enumerate(
            json.loads(path.read_text(encoding="utf-8"))["cells"]
        ):
            if cell["cell_type"] == "code":
                long += [
                    f"{path.name} cell {index}: {len(line)} characters"
                    for line in "".join(cell["source"]).splitlines()
                    if len(line) > LIMIT
                ]
    assert not long, f"code lines over {LIMIT} characters:\n" + "\n".join(long[:20])
