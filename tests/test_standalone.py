"""Each chapter opened on its own, as in Colab: only its .ipynb, helpers installed without -e.

A fresh virtual environment gets the ``helpers`` package installed as a
plain (non-editable) package, so ``helpers/__file__`` lies in its
site-packages, far from any chapter; the heavy packages (TensorFlow, Keras,
Jupyter) come from the test's own environment through a ``.pth`` line
rather than a second download. Every chapter is copied alone to a folder
outside the repository and executed there in quick mode, with
``RNN_BOOK_STANDALONE=1``: its first cell fetches the book (here from a
``file://`` clone of this repository, as Colab fetches it from GitHub) and
works in its ``notebooks/`` folder. The chapters run in book order in one
folder, so later chapters find the runs earlier ones recorded, as in the
book.
"""

import json
import os
import shutil
import subprocess
import sys
import sysconfig
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
RUN = """
import json, sys
from pathlib import Path
import helpers
from helpers.execute import execute_notebook
assert "site-packages" in helpers.__file__, helpers.__file__       # not the editable checkout
record = execute_notebook(Path(sys.argv[1]), "quick", timeout=900, calibrate=False)
print(json.dumps(dict(seconds=record["run_seconds"], helpers=helpers.__file__)))
"""


@pytest.fixture(scope="module")
def fresh_python(tmp_path_factory):
    """A fresh venv with helpers installed non-editable (heavy packages shared)."""
    folder = tmp_path_factory.mktemp("standalone")
    venv = folder / "venv"
    base = getattr(sys, "_base_executable", sys.executable)
    subprocess.run([base, "-m", "venv", str(venv)], check=True)
    python = venv / "bin" / "python"
    site = subprocess.run(
        [
            str(python),
            "-c",
            "import sysconfig; print(sysconfig.get_paths()['purelib'])",
        ],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    Path(site, "book-test-shared.pth").write_text(
        sysconfig.get_paths()["purelib"] + "\n"
    )
    # Installed from a copy: building in place would leave build/ in the repository.
    source = folder / "source"
    shutil.copytree(
        ROOT / "helpers",
        source / "helpers",
        ignore=shutil.ignore_patterns("__pycache__"),
    )
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, source / name)
    subprocess.run(
        [str(python), "-m", "pip", "install", "-q", "--no-deps", str(source)],
        check=True,
    )
    return python, folder


def test_every_chapter_runs_alone_with_a_plain_install(fresh_python):
    python, folder = fresh_python
    work = folder / "work"
    work.mkdir()
    env = dict(
        os.environ,
        RNN_BOOK_STANDALONE="1",
        RNN_BOOK_REPOSITORY=ROOT.as_uri(),
        BOOK_MODE="quick",
    )
    env.pop("PYTHONPATH", None)
    times = {}
    for notebook in NOTEBOOKS:
        copy = work / notebook.name
        copy.write_bytes(notebook.read_bytes())
        started = time.perf_counter()
        done = subprocess.run(
            [str(python), "-c", RUN, str(copy)],
            cwd=work,
            env=env,
            capture_output=True,
            text=True,
        )
        assert done.returncode == 0, (
            f"{notebook.name} failed on its own:\n{done.stderr[-4000:]}"
        )
        times[notebook.name] = round(time.perf_counter() - started, 1)
        result = json.loads(done.stdout.strip().splitlines()[-1])
        assert "site-packages" in result["helpers"]
    assert (work / "rnn-book" / "_toc.yml").is_file()  # the first cell fetched the book
    assert not list(
        Path(result["helpers"]).parent.glob("artifacts")
    )  # nothing written beside helpers
    print("\nchapters run alone (quick mode), seconds:", json.dumps(times))
