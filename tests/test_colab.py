"""Every chapter opens in Colab, or on its own, the same way, from the one repository URL.

The first cell of every chapter (tagged ``remove-cell``: hidden in the book)
is the same: in Colab, or with ``RNN_BOOK_STANDALONE`` set, it fetches the
book when it is not already inside a checkout and works in its
``notebooks/`` folder, so that files are found from the working directory
(``helpers.paths``); in Colab it also installs the helpers. The repository
URL it fetches is ``repository.url`` of ``_config.yml``, the one place the
URL lives (the launch buttons read it too).
"""

import json
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))


def repository_url() -> str:
    return yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))[
        "repository"
    ]["url"]


def first_cell(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))["cells"][0]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_the_colab_cell_fetches_the_configured_repository(path):
    cell = first_cell(path)
    source = "".join(cell["source"])
    assert cell["cell_type"] == "code" and "remove-cell" in cell["metadata"].get(
        "tags", []
    )
    assert f'"{repository_url()}"' in source, (
        f"{path.name}: the Colab cell must fetch {repository_url()}"
    )
    assert "github.com" not in source.replace(repository_url(), ""), "one URL only"
    assert "__file__" not in source


def test_every_chapter_has_the_same_colab_cell():
    cells = {p.name: "".join(first_cell(p)["source"]) for p in NOTEBOOKS}
    first = cells[NOTEBOOKS[0].name]
    different = [name for name, source in cells.items() if source != first]
    assert not different, (
        f"these chapters' first cell differs from {NOTEBOOKS[0].name}'s: {different}"
    )


def test_no_helper_finds_book_files_from_its_own_location():
    """A non-editable install puts helpers in site-packages: book files come from the working folder."""
    allowed = {
        "fingerprint.py": "hashes the helpers' own source",
        "bptt.py": "imports helpers in a subprocess",
        "execute.py": "puts its own package first on the kernel's path",
    }
    for path in sorted((ROOT / "helpers").glob("*.py")):
        if "__file__" in path.read_text(encoding="utf-8"):
            assert path.name in allowed, f"{path.name} locates files through __file__"
