"""The README and the set-up pages say what is true of the repository."""

import json
import re
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]


def chapter_rows() -> list:
    """The README table's rows as ``_toc.yml`` and the chapters' titles make them."""
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text(encoding="utf-8"))
    files = [
        c["file"]
        for part in toc["parts"]
        if part.get("caption") == "Chapters"
        for c in part["chapters"]
    ]
    rows = []
    for number, file in enumerate(files, 1):
        notebook = json.loads((ROOT / f"{file}.ipynb").read_text(encoding="utf-8"))
        title = next(
            line[2:]
            for cell in notebook["cells"]
            if cell["cell_type"] == "markdown"
            for line in "".join(cell["source"]).splitlines()
            if line.startswith("# ")
        )
        rows.append(f"| {number}. {title} | `{file}.ipynb` |")
    return rows


def test_readme_chapter_table_is_the_toc():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    table = [line for line in readme.splitlines() if re.match(r"\| \d+\. ", line)]
    expected = chapter_rows()
    assert table == expected, (
        "README's chapter table differs from _toc.yml; it should read:\n"
        + "\n".join(expected)
    )


def test_one_python_range_everywhere():
    project = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    assert 'requires-python = ">=3.10,<3.13"' in project
    for page in ("README.md", "book/how_to_run.md"):
        text = (ROOT / page).read_text(encoding="utf-8")
        stated = set(re.findall(r"Python (3\.\d+(?:–3\.\d+| or newer)?)", text))
        assert stated == {"3.10–3.12"}, (
            f"{page} states Python {stated}, pyproject.toml says 3.10–3.12"
        )


def test_the_repository_stands_on_its_own():
    """Nothing a contributor reads points outside the repository for how to work."""
    for page in ("README.md", "CONTRIBUTING.md", "book/how_to_run.md"):
        assert "shared/STYLE" not in (ROOT / page).read_text(encoding="utf-8"), page
    assert "## Style guide" in (ROOT / "CONTRIBUTING.md").read_text(encoding="utf-8")


def test_ci_runs_the_readme_commands():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    commands = [
        line.split("#")[0].strip()
        for line in ci.splitlines()
        if line.strip().startswith("make ")
    ]
    assert commands == ["make test", "make book"]
    for command in commands:
        assert f"{command}    #" in readme or f"{command} " in readme, command
