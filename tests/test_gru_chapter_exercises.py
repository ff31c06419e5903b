"""The code of chapter 6's exercise solutions runs, and says what the text says.

The solutions live in markdown cells (dropdowns), where no execution reaches
them; this test takes each ```python block of a solution out of
``notebooks/06_gru.ipynb`` and runs it with the names the chapter defines.
The padding exercise runs on a few hundred synthetic reviews instead of IMDB.
"""

import json
import re
from pathlib import Path

import numpy as np
import pytest

from helpers.scratch import gru_forward

CHAPTER = Path(__file__).resolve().parents[1] / "notebooks" / "06_gru.ipynb"


def solution_code(label: str) -> str:
    """Return the python code of the solution to exercise ``label``."""
    cells = json.loads(CHAPTER.read_text(encoding="utf-8"))["cells"]
    text = "\n".join(
        "".join(c["source"]) for c in cells if c["cell_type"] == "markdown"
    )
    found = re.search(
        r"```\{solution-start\} " + re.escape(label) + r"\n(.*?)```\{solution-end\}",
        text,
        re.S,
    )
    assert found, f"no solution for {label} in {CHAPTER.name}"
    blocks = re.findall(r"```python\n(.*?)```", found.group(1), re.S)
    assert blocks, f"the solution to {label} has no python code"
    return "\n".join(blocks)


def sigmoid(a):
    return 1.0 / (1.0 + np.exp(-a))


@pytest.mark.parametrize("label", ["ch6-ex-simple-rnn", "ch6-ex-paper-convention"])
def test_numpy_solutions_run_and_their_checks_pass(label):
    exec(solution_code(label), dict(np=np, gru_forward=gru_forward, sigmoid=sigmoid))


def test_fused_solution_runs():
    import keras

    exec(solution_code("ch6-ex-fused"), dict(np=np, keras=keras))


def synthetic_data(n=256, steps=40, seed=0):
    """Post-padded random reviews in the shape of RecipeData (ids below 10,000)."""
    from helpers.recipes import RecipeData

    rng = np.random.default_rng(seed)

    def split(count):
        lengths = rng.integers(5, steps + 1, size=count)
        x = np.zeros((count, steps), np.int32)
        for row, length in enumerate(lengths):
            x[row, :length] = rng.integers(1, 10_000, size=length)
        return x, rng.integers(0, 2, size=count)

    return RecipeData(*split(n), *split(64), *split(64), ["", "[UNK]"])


def test_padding_solution_runs_and_only_the_unmasked_model_depends_on_padding(
    capsys,
):
    from helpers.recipes import RECIPES, build_imdb_classifier, train_recipe

    data = synthetic_data()
    names = dict(np=np, RECIPES=RECIPES, train_recipe=train_recipe, data=data)
    exec(solution_code("ch6-ex-padding-mask"), names)
    printed = capsys.readouterr().out.strip().splitlines()[-1]
    assert printed.startswith("max |P(padded) - P(padded to twice the length)|")
    assert float(printed.rsplit(" ", 1)[1]) > 1e-4  # without the mask it changes
    masked = build_imdb_classifier("gru")
    x = data.x_test[:64]
    wide = np.pad(x, ((0, 0), (0, x.shape[1])))
    p, p_wide = (masked.predict(a, verbose=0).ravel() for a in (x, wide))
    np.testing.assert_allclose(p, p_wide, atol=1e-5)  # with the mask it does not
