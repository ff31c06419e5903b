"""Tests of helpers.fingerprint: what makes a chapter stale and a trained run retrain.

Each test edits a copy of the helpers (or builds a tiny package) and checks
the fingerprints of this repository's own stored chapters and recipes, so a
reach that counts too little or too much fails here.
"""

import ast
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from helpers import fingerprint
from helpers.fingerprint import (
    HelperIndex,
    canonical,
    cell_text,
    chapter_parts,
    changed_parts,
)
from helpers.recipes import RECIPES, recipe_seeds, training_key

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))


def _stored(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


@pytest.fixture
def helpers_copy(tmp_path):
    """A copy of the helpers package to edit: ``(folder, edit(module, change))``."""
    folder = tmp_path / "helpers"
    shutil.copytree(
        ROOT / "helpers", folder, ignore=shutil.ignore_patterns("__pycache__")
    )

    def edit(module: str, change) -> None:
        path = folder / f"{module}.py"
        path.write_text(change(path.read_text(encoding="utf-8")), encoding="utf-8")

    return folder, edit


def _all_parts(index: HelperIndex) -> dict:
    return {p.name: chapter_parts(_stored(p), p.parent, index=index) for p in NOTEBOOKS}


def _all_keys(index: HelperIndex) -> dict:
    return {
        (name, seed, mode): training_key(recipe, seed, mode, index=index)
        for name, recipe in RECIPES.items()
        for mode in ("full", "quick")
        for seed in recipe_seeds(mode)
    }


def _rewrite_docstrings_and_add_comments(source: str) -> str:
    """Every docstring replaced by other words, a comment before every top-level block."""
    tree = ast.parse(source)
    lines = source.splitlines(keepends=True)
    spans = []
    for node in ast.walk(tree):
        if (
            isinstance(
                node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)
            )
            and node.body
        ):
            first = node.body[0]
            if (
                isinstance(first, ast.Expr)
                and isinstance(first.value, ast.Constant)
                and isinstance(first.value.value, str)
            ):
                spans.append(first.value)
    for node in sorted(spans, key=lambda n: (n.lineno, n.col_offset), reverse=True):
        start, end = node.lineno - 1, node.end_lineno - 1
        head, tail = lines[start][: node.col_offset], lines[end][node.end_col_offset :]
        lines[start : end + 1] = [
            head + '"""Quite different words.\n\nOver two paragraphs."""' + tail
        ]
    edited = "".join(lines).splitlines(keepends=True)
    out = ["# a comment added at the top\n"]
    for line in edited:
        if line.startswith(("def ", "class ", "@")):
            out.append("# a comment added before a definition\n")
        out.append(line)
    return "".join(out)


def _one_token(source: str, function: str) -> str:
    """Change one constant inside ``function``: a one-token code edit.

    The first number goes up by one; a function without numbers gets its first
    string (not its docstring) changed instead.
    """
    tree = ast.parse(source)
    node = next(
        n
        for n in ast.walk(tree)
        if isinstance(n, (ast.FunctionDef, ast.ClassDef)) and n.name == function
    )
    docstring = node.body[0].value if isinstance(node.body[0], ast.Expr) else None
    constants = [
        c
        for c in ast.walk(node)
        if isinstance(c, ast.Constant)
        and c is not docstring
        and c.lineno == c.end_lineno
        and type(c.value) in (int, float, str)
    ]
    constant = min(
        constants, key=lambda c: (type(c.value) is str, c.lineno, c.col_offset)
    )
    changed = constant.value + (1 if type(constant.value) is not str else "!")
    lines = source.splitlines(keepends=True)
    line = lines[constant.lineno - 1]
    lines[constant.lineno - 1] = (
        line[: constant.col_offset] + repr(changed) + line[constant.end_col_offset :]
    )
    return "".join(lines)


# -- acceptance: what stales and what retrains -----------------------------------
def test_docstring_and_comment_edits_leave_every_chapter_fresh_and_every_run_valid(
    helpers_copy,
):
    folder, edit = helpers_copy
    before_parts, before_keys = _all_parts(HelperIndex()), _all_keys(HelperIndex())
    for path in sorted(folder.rglob("*.py")):
        edit(
            str(path.relative_to(folder).with_suffix("")),
            _rewrite_docstrings_and_add_comments,
        )
    assert "Quite different words" in (folder / "data.py").read_text()
    edited = HelperIndex(folder)
    assert _all_parts(edited) == before_parts
    assert _all_keys(edited) == before_keys


def test_a_one_token_edit_stales_exactly_the_chapters_that_reach_it_and_names_it(
    helpers_copy,
):
    folder, edit = helpers_copy
    before = _all_parts(HelperIndex())
    reaching = {
        name
        for name, parts in before.items()
        if "helpers.bptt:gradient_check" in parts["definitions"]
    }
    assert reaching == {"03_bptt.ipynb"}
    edit("bptt", lambda s: _one_token(s, "gradient_check"))
    after = _all_parts(HelperIndex(folder))
    for name in before:
        changes = changed_parts(before[name], after[name])
        if name in reaching:
            assert changes == ["definitions changed: helpers.bptt:gradient_check"]
        else:
            assert changes == [], name


def test_adding_a_recipe_retrains_nothing(helpers_copy):
    folder, edit = helpers_copy
    before = _all_keys(HelperIndex())
    edit(
        "recipes",
        lambda s: s.replace(
            "RECIPES = {\n",
            'RECIPES = {\n    "gru_wide": Recipe("gru_wide", "GRU (wide)", 6, "gru", units=256),\n',
            1,
        ),
    )
    index = HelperIndex(folder)
    assert _all_keys(index) == before
    # The chapters that list every recipe do see the new one: chapter 8 is stale, naming the table.
    assert "definitions changed: helpers.recipes:RECIPES" in changed_parts(
        chapter_parts(
            _stored(ROOT / "notebooks" / "08_comparison.ipynb"), index=HelperIndex()
        ),
        chapter_parts(_stored(ROOT / "notebooks" / "08_comparison.ipynb"), index=index),
    )


def test_changing_one_recipe_retrains_that_recipe_only(helpers_copy):
    folder, edit = helpers_copy
    before = _all_keys(HelperIndex())
    edit(
        "recipes",
        lambda s: s.replace(
            '"simple_rnn": Recipe("simple_rnn", "SimpleRNN", 2, "simple_rnn", **_GATED)',
            '"simple_rnn": Recipe("simple_rnn", "SimpleRNN", 2, "simple_rnn", '
            "**dict(_GATED, epochs=3))",
            1,
        ),
    )
    index = HelperIndex(folder)
    changed = RECIPES["simple_rnn"].replace(epochs=3)
    for (name, seed, mode), key in before.items():
        now = training_key(
            changed if name == "simple_rnn" else RECIPES[name], seed, mode, index=index
        )
        assert (now != key) == (name == "simple_rnn"), (name, seed, mode)


@pytest.mark.parametrize(
    "module, function",
    [
        ("recipes", "predict_reviews"),
        ("recipes", "recipe_inputs"),
        ("recipes", "_write_record"),
        ("recipes", "load_recorded_run"),
        ("recipes", "run_recipe_seeds"),
        ("plots", "plot_learning_curves"),
        ("export", "end_to_end_model"),
        ("comparison", "timed_predictions"),
    ],
)
def test_prediction_plotting_and_file_code_do_not_decide_a_run(
    helpers_copy, module, function
):
    folder, edit = helpers_copy
    before = _all_keys(HelperIndex())
    edit(module, lambda s: _one_token(s, function))
    assert _all_keys(HelperIndex(folder)) == before


@pytest.mark.parametrize(
    "module, function, recipes",
    [
        (
            "recipes",
            "_sequence_graph",
            {"simple_rnn", "lstm", "gru", "bilstm_tutorial", "bilstm_improved"},
        ),
        ("recipes", "_multi_hot_arrays", {"bow_unigram", "bow_bigram"}),
        ("training", "train_model", set(RECIPES)),
        ("data", "clean_review", set(RECIPES)),
    ],
)
def test_training_and_data_code_decide_every_run_that_uses_it(
    helpers_copy, module, function, recipes
):
    folder, edit = helpers_copy
    before = _all_keys(HelperIndex())
    edit(module, lambda s: _one_token(s, function))
    after = _all_keys(HelperIndex(folder))
    # The key follows code, not the branch a recipe takes through it: every key moves.
    assert {run[0] for run, key in after.items() if key != before[run]} >= recipes


def test_a_changed_recorded_number_stales_the_chapter_that_reads_it(tmp_path):
    def glued(value):
        output = {
            "output_type": "display_data",
            "metadata": {"scrapbook": {"name": "k"}},
            "data": {"application/papermill.record/text/plain": repr(value)},
        }
        return {
            "cells": [
                {"cell_type": "code", "source": "glue('k', v)", "outputs": [output]}
            ],
            "metadata": {},
        }

    (tmp_path / "01_source.ipynb").write_text(json.dumps(glued(0.9)))
    reader = {
        "cells": [
            {
                "cell_type": "code",
                "outputs": [],
                "source": 'from helpers.records import recorded_glue\nv = recorded_glue("01_source", "k")',
            }
        ],
        "metadata": {},
    }
    before = chapter_parts(reader, tmp_path)
    assert before["glue"] == {"01_source:k": "0.9"}
    (tmp_path / "01_source.ipynb").write_text(json.dumps(glued(0.8)))
    assert changed_parts(before, chapter_parts(reader, tmp_path)) == [
        "glue changed: 01_source:k"
    ]
    reader["cells"][0]["source"] = (
        'from helpers.records import recorded_glue\nv = recorded_glue(name, "k")'
    )
    with pytest.raises(ValueError, match="two string literals"):
        chapter_parts(reader, tmp_path)


def test_chapter_four_reads_chapters_one_and_three_explicitly():
    # Chapter 4 compares its SimpleRNN with chapter 1's bar and says how its factors
    # moved against chapter 3's; chapter 7 no longer reads chapter 1 (it loads the
    # bag-of-words runs itself).
    parts = chapter_parts(_stored(ROOT / "notebooks" / "04_vanishing_exploding.ipynb"))
    assert set(parts["glue"]) == {
        "01_bag_of_words:ch1_unigram_val_acc",
        "03_bptt:ch3_norm_words",
        "03_bptt:ch3_reach_words",
        "03_bptt:ch3_saturation_words",
    }
    seven = chapter_parts(_stored(ROOT / "notebooks" / "07_bidirectional.ipynb"))
    assert not seven["glue"]


def test_the_runs_a_chapter_read_enter_its_fingerprint(helpers_copy):
    folder, edit = helpers_copy
    recipe = json.loads(json.dumps(dict(vars(RECIPES["gru"])), default=list))
    notebook = {
        "cells": [{"cell_type": "code", "source": "x = 1", "outputs": []}],
        "metadata": {
            "rnn_book": {
                "records_read": [{"recipe": recipe, "seed": 2, "mode": "full"}]
            }
        },
    }
    before = chapter_parts(notebook)
    assert list(before["records"]) == ["gru seed 2 full"]
    assert before["records"]["gru seed 2 full"] == training_key("gru", 2, "full")
    edit("training", lambda s: _one_token(s, "train_model"))
    assert changed_parts(
        before, chapter_parts(notebook, index=HelperIndex(folder))
    ) == ["records changed: gru seed 2 full"]


# -- how reach reads code ------------------------------------------------------
def _package(tmp_path, files: dict) -> HelperIndex:
    for name, source in files.items():
        path = tmp_path / "helpers" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(source)
    return HelperIndex(tmp_path / "helpers")


def test_reach_follows_relative_imports_packages_and_module_attributes(tmp_path):
    index = _package(
        tmp_path,
        {
            "__init__.py": "",
            "a.py": "from .b import used\nfrom helpers import c\n\ndef f():\n    return used() + c.g()\n\n"
            "def unrelated():\n    return 0\n",
            "b.py": "import os\nLIMIT = 3\n\ndef used():\n    return LIMIT\n\ndef other():\n    return os.sep\n",
            "c.py": "def g():\n    from helpers.pkg.inner import h\n    return h()\n",
            "pkg/__init__.py": "from helpers.pkg.inner import h\n",
            "pkg/inner.py": "def h():\n    return 1\n\nif __name__ == '__main__':\n    print(h())\n",
        },
    )
    reached = set(index.reach(["helpers.a:f"]))
    assert {
        "helpers.a:f",
        "helpers.b:used",
        "helpers.b:LIMIT",
        "helpers.c:g",
        "helpers.pkg.inner:h",
    } <= reached
    assert not {"helpers.a:unrelated", "helpers.b:other", "helpers.b:os"} & reached
    assert not any(
        "<module>" in key for key in reached
    )  # the __main__ block never runs on import
    assert set(index.reach(["helpers.pkg:h"])) >= {
        "helpers.pkg:h",
        "helpers.pkg.inner:h",
    }


def test_dynamic_lookups_and_registering_decorators_count_whole(tmp_path):
    index = _package(
        tmp_path,
        {
            "__init__.py": "",
            "dyn.py": "def f(name):\n    return globals()[name]()\n\ndef g():\n    return 1\n",
            "reg.py": "import keras\n\n@keras.saving.register_keras_serializable()\nclass Layer:\n    pass\n\n"
            "def f():\n    return 2\n",
            "mod.py": "from helpers import dyn\n\ndef f():\n    return dyn\n",
        },
    )
    assert "helpers.dyn:g" in index.reach(["helpers.dyn:f"])
    assert "helpers.reg:Layer" in index.reach(
        ["helpers.reg:f"]
    )  # runs whenever reg is imported
    assert "helpers.dyn:g" in index.reach(
        ["helpers.mod:f"]
    )  # a module passed around as a value


def test_canonical_drops_positions_docstrings_and_comments_but_keeps_strings():
    a = cell_text("def f(x):\n    '''Doc.'''\n    return g(x, 'message')  # note\n")
    b = cell_text("def f( x ):\n    return g(x,\n             'message')\n")
    assert a == b
    assert a != cell_text("def f(x):\n    return g(x, 'other message')\n")
    assert cell_text("'shown'\n") != cell_text(
        ""
    )  # a cell's leading string is what it shows
    assert cell_text("%matplotlib inline\nx = 1") != cell_text("x = 1")
    colab = "import sys\nif 'google.colab' in sys.modules:\n    %pip install -q x\n"
    assert cell_text(colab) == cell_text(
        "import sys\n\nif 'google.colab' in sys.modules:  # Colab\n    %pip  install -q x"
    )
    assert not cell_text(colab).startswith("text:")  # a magic in a block still parses
    assert cell_text("x = (") == cell_text(
        "x = (   \n"
    )  # a cell that does not parse: its text


def test_canonical_reads_fstrings_the_same_however_they_are_split():
    width = ast.parse("f'{x:>{w}}'").body[0].value
    split = ast.JoinedStr(
        values=[ast.Constant(value=""), *width.values, ast.Constant(value="")]
    )
    assert canonical(split) == canonical(width)
    assert canonical(ast.parse("f'a' f'b{x}'").body[0]) == canonical(
        ast.parse("f'ab{x}'").body[0]
    )


def _pythons() -> list:
    """Other CPython interpreters (3.10 to 3.13) on this machine."""
    found = {}
    candidates = [shutil.which(f"python3.{minor}") for minor in range(10, 14)]
    candidates += [
        str(p)
        for p in sorted(
            Path(os.path.expanduser("~/.pyenv/versions")).glob("3.1[0-3].*/bin/python3")
        )
    ]
    for candidate in filter(None, candidates):
        try:
            version = subprocess.run(
                [candidate, "-c", "import sys; print(sys.version.split()[0])"],
                capture_output=True,
                text=True,
                timeout=30,
                check=True,
            ).stdout.strip()
        except (OSError, subprocess.SubprocessError):
            continue
        if version and version != sys.version.split()[0]:
            found.setdefault(version, candidate)
    return sorted(found.items())


_DIGESTS = """
import json, sys
sys.path.insert(0, sys.argv[1])
from helpers.fingerprint import HelperIndex, cell_text, code_cells
index = HelperIndex()
cells = {p: [cell_text(s) for s in code_cells(json.load(open(p)))] for p in sys.argv[2:]}
print(json.dumps({"modules": {m: index.module_digest(m) for m in sorted(index.modules)}, "cells": cells}))
"""


def test_fingerprints_are_the_same_on_every_python_version():
    others = _pythons()
    if not others:
        pytest.skip(
            "no other CPython 3.10-3.13 found (pyenv install 3.10 3.12 to run this test)"
        )
    here = subprocess.run(
        [sys.executable, "-c", _DIGESTS, str(ROOT)] + [str(p) for p in NOTEBOOKS],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    for version, python in others:
        there = subprocess.run(
            [python, "-c", _DIGESTS, str(ROOT)] + [str(p) for p in NOTEBOOKS],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        assert json.loads(there) == json.loads(here), (
            f"Python {version} reads the code differently"
        )


def test_migration_keeps_only_what_the_old_fingerprint_vouches_for(tmp_path):
    repository = tmp_path / "repository"
    shutil.copytree(
        ROOT / "helpers",
        repository / "helpers",
        ignore=shutil.ignore_patterns("__pycache__"),
    )
    (repository / "notebooks").mkdir()
    cell = {
        "cell_type": "code",
        "execution_count": 1,
        "id": "only-cell",
        "metadata": {},
        "outputs": [],
        "source": "from helpers.bptt import gradient_check\ngradient_check",
    }
    notebook = {"cells": [cell], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}
    from helpers.execute import notebook_fingerprint

    old = notebook_fingerprint(notebook)
    for name, stored in (("01_vouched.ipynb", old), ("02_stale.ipynb", "0" * 64)):
        notebook["metadata"] = {
            "rnn_book": {"mode": "full", "run_seconds": 1.0, "fingerprint": stored}
        }
        (repository / "notebooks" / name).write_text(json.dumps(notebook))

    def git(*args):
        subprocess.run(
            ["git", "-C", str(repository), *args], check=True, capture_output=True
        )

    git("init", "-q")
    git("-c", "user.name=t", "-c", "user.email=t@t", "add", ".")
    git("-c", "user.name=t", "-c", "user.email=t@t", "commit", "-q", "-m", "base")
    path = repository / "helpers" / "bptt.py"
    path.write_text(
        _one_token(path.read_text(), "gradient_check")
    )  # the code behind both moves on
    paths = sorted((repository / "notebooks").glob("*.ipynb"))
    outcome = fingerprint.migrate(paths, "HEAD", repository)
    assert [outcome[str(p)] for p in paths][0] == "migrated"
    assert outcome[str(paths[1])].startswith("stale")
    migrated = _stored(paths[0])["metadata"]["rnn_book"]
    assert migrated["fingerprint_migrated"]["from_commit"]
    assert migrated["fingerprint"] == fingerprint.chapter_fingerprint(
        _stored(paths[0]), index=HelperIndex(repository / "helpers")
    )
