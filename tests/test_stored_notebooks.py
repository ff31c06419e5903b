"""The stored notebooks are the book: check what a reader sees in them.

Every check is a small predicate tested first on tiny fixtures (so that it can
fail), then applied to every ``notebooks/*.ipynb``:

* no absolute paths of the building machine in outputs;
* no TensorFlow / absl / CUDA log noise in outputs;
* no per-step progress bars (at most about one line per epoch);
* every figure titled and labelled (the cell that draws it sets a title and
  an x label, or calls a ``helpers.plots`` function or a notebook function
  that does);
* at least 3 exercises, each with a dropdown solution;
* numbers in the prose are glued, not typed in.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
TEXT_MIME = (
    "text/plain",
    "text/html",
    "text/markdown",
    "text/latex",
    "application/json",
)


# --------------------------------------------------------------------------- #
# Reading notebooks
# --------------------------------------------------------------------------- #
def _source(cell: dict) -> str:
    source = cell.get("source", "")
    return "".join(source) if isinstance(source, list) else source


def _text(value) -> str:
    if isinstance(value, (dict, list)) and not isinstance(value, str):
        return (
            json.dumps(value) if isinstance(value, dict) else "".join(map(str, value))
        )
    return str(value)


def output_texts(cell: dict) -> list:
    """The text a reader sees in a cell's outputs (never image data)."""
    texts = []
    for output in cell.get("outputs", []):
        kind = output.get("output_type")
        if kind == "stream":
            texts.append(_text(output.get("text", "")))
        elif kind == "error":
            texts.append(
                "\n".join(output.get("traceback", [])) + output.get("evalue", "")
            )
        elif kind in ("execute_result", "display_data"):
            data = output.get("data", {})
            texts.extend(_text(data[mime]) for mime in TEXT_MIME if mime in data)
    return texts


def markdown_text(notebook: dict) -> str:
    return "\n\n".join(
        _source(c) for c in notebook["cells"] if c.get("cell_type") == "markdown"
    )


# --------------------------------------------------------------------------- #
# Predicates
# --------------------------------------------------------------------------- #
ABSOLUTE_PATH = re.compile(r"(?<![\w.~])/(?:work|root|home|tmp)/")


def absolute_paths(text: str) -> list:
    """Absolute paths of the building machine (/work/, /root/, /home/, /tmp/) in ``text``."""
    return [
        text[max(0, m.start() - 30) : m.end() + 30]
        for m in ABSOLUTE_PATH.finditer(text)
    ]


TF_NOISE = re.compile(
    r"^[IWEF]\d{4} \d\d:\d\d:\d\d"  # glog lines: I0000 00:00:... / W0000 / E0000
    r"|oneDNN|\bcuda|cuDNN factory|cuBLAS|\babsl\b|absl::"
    r"|tensorflow/core/|TF-TRT|rebuild TensorFlow with the appropriate compiler flags"
    r"|computation placer|Unable to register",
    re.IGNORECASE | re.MULTILINE,
)


def tf_log_noise(text: str) -> list:
    """Lines of TensorFlow / absl / CUDA logging in ``text``."""
    return [line for line in text.splitlines() if TF_NOISE.search(line)]


PROGRESS = re.compile(r"━|\d+/\d+ \[[=>.]+\]|step - (?:loss|accuracy)|ETA: |\x08")
EPOCH_LINE = re.compile(r"^\s*epoch\s+\d+\s*/\s*(\d+)\b", re.IGNORECASE | re.MULTILINE)


def progress_spam(text: str) -> list:
    """Progress-bar lines, or more than one line per epoch of a training log."""
    problems = [line for line in re.split(r"[\r\n]", text) if PROGRESS.search(line)]
    epochs = EPOCH_LINE.findall(text)
    if epochs:
        logged = [m.group(0) for m in EPOCH_LINE.finditer(text)]
        if len(logged) != len(set(logged)):
            problems.append(
                f"repeated epoch lines: {len(logged)} lines for {len(set(logged))} epochs"
            )
    if text.count("\r") > 1:
        problems.append("carriage returns (a redrawn progress line)")
    return problems


TITLE = re.compile(r"\.set_title\(|\bplt\.title\(|\.suptitle\(|\.set\([^)]*\btitle\s*=")
XLABEL = re.compile(
    r"\.set_xlabel\(|\bplt\.xlabel\(|\.set\([^)]*\bxlabel\s*=|\.supxlabel\("
)
YLABEL = re.compile(
    r"\.set_ylabel\(|\bplt\.ylabel\(|\.set\([^)]*\bylabel\s*=|\.supylabel\("
)
DEFINED = re.compile(r"^def\s+(\w+)\s*\(", re.MULTILINE)
# A parenthesised import may span lines; a plain one ends at its line.
IMPORTED_PLOTS = re.compile(
    r"from\s+helpers\.plots\s+import\s+(?:\(([\w\s,]+)\)|([\w \t,]+))"
)


NO_YAXIS = re.compile(r"\.set_yticks\(\s*\[\s*\]\s*\)|\.axis\(\s*[\"']off[\"']\s*\)")


def labels_a_figure(source: str) -> bool:
    """True if code sets a title, an x label and a y label (or hides the y axis: a diagram)."""
    return bool(
        TITLE.search(source)
        and XLABEL.search(source)
        and (YLABEL.search(source) or NO_YAXIS.search(source))
    )


def plotting_helpers_that_label() -> set:
    """The functions of ``helpers.plots`` whose own code titles and labels their figure."""
    import ast

    path = Path(__file__).resolve().parents[1] / "helpers" / "plots.py"
    source = path.read_text(encoding="utf-8")
    return {
        node.name
        for node in ast.parse(source).body
        if isinstance(node, ast.FunctionDef)
        and labels_a_figure(ast.get_source_segment(source, node))
    }


def labelling_functions(code_cells: list) -> set:
    """Names that draw titled, labelled figures: imported ``helpers.plots`` functions that
    label their figure, and notebook functions defined in a cell that labels one."""
    names, labelling = set(), plotting_helpers_that_label()
    for source in code_cells:
        for match in IMPORTED_PLOTS.finditer(source):
            imported = match.group(1) or match.group(2)
            names |= {n.strip() for n in imported.split(",") if n.strip()} & labelling
        if labels_a_figure(source):
            names |= set(DEFINED.findall(source))
    return names


def figure_is_labelled(source: str, helpers: set) -> bool:
    """True if a cell that outputs a figure titles and labels it (or calls a helper that does)."""
    if labels_a_figure(source):
        return True
    return any(re.search(rf"\b{re.escape(name)}\s*\(", source) for name in helpers)


def unlabelled_figures(notebook: dict) -> list:
    """Indices of code cells with an image output whose figure is not titled/labelled."""
    cells = notebook["cells"]
    helpers = labelling_functions(
        [_source(c) for c in cells if c.get("cell_type") == "code"]
    )
    bad = []
    for index, cell in enumerate(cells):
        if cell.get("cell_type") != "code":
            continue
        has_image = any(
            "image/png" in o.get("data", {}) or "image/svg+xml" in o.get("data", {})
            for o in cell.get("outputs", [])
        )
        if has_image and not figure_is_labelled(_source(cell), helpers):
            bad.append(index)
    return bad


EXERCISE = re.compile(
    r"^(?:```+|:::+)\{exercise-start\}[^\n]*\n(?::[^\n]*\n)*?:label:\s*(\S+)",
    re.MULTILINE,
)
EXERCISE_ANY = re.compile(r"^(?:```+|:::+)\{exercise-start\}", re.MULTILINE)
SOLUTION = re.compile(
    r"^(?:```+|:::+)\{solution-start\}\s+(\S+)[^\n]*\n((?::[^\n]*\n)*)", re.MULTILINE
)


def exercise_problems(markdown: str, minimum: int = 3) -> list:
    """What is wrong with a chapter's exercises (empty if fine)."""
    problems = []
    starts = EXERCISE_ANY.findall(markdown)
    labels = EXERCISE.findall(markdown)
    if len(starts) < minimum:
        problems.append(f"{len(starts)} exercise-start blocks, need >= {minimum}")
    if len(labels) != len(starts):
        problems.append("an exercise-start without a :label:")
    solutions = {label: options for label, options in SOLUTION.findall(markdown)}
    for label in labels:
        if label not in solutions:
            problems.append(f"exercise {label} has no solution-start")
        elif not re.search(r"^:class:\s*dropdown\s*$", solutions[label], re.MULTILINE):
            problems.append(f"solution of {label} is not `:class: dropdown`")
    return problems


# Numbers in prose ---------------------------------------------------------- #
#: Typed-in figures allowed in chapter prose (normalised: no space before %):
#: the seed notebooks' own published results, quoted as such; chance level on
#: IMDB's balanced classes and the sigmoid's decision threshold (facts, not
#: measurements).
ALLOWED_TYPED = {"86.39%", "85.5%", "50%", "0.5"}
FENCED = re.compile(r"^(```+|~~~+|:::+)[^\n]*\n.*?^\1\s*$", re.MULTILINE | re.DOTALL)
GLUE_ROLE = re.compile(r"\{glue(?::\w+)?\}`[^`]*`")
ROLE = re.compile(r"\{[\w:-]+\}`[^`]*`")
DISPLAY_MATH = re.compile(r"\$\$.*?\$\$", re.DOTALL)
INLINE_MATH = re.compile(r"(?<!\\)\$[^$\n]+?(?<!\\)\$")
CODE_SPAN = re.compile(r"(`+)(?!`).+?(?<!`)\1(?!`)", re.DOTALL)
MEASURE_WORDS = re.compile(
    r"accura|\bacc\b|error|loss|score|auc|\bf1\b|precision|recall|second|\bsec\b|\bs\b|minute|\bmin\b"
    r"|\bms\b|hour|took|takes|faster|slower|speed|time|per epoch|s/epoch",
    re.IGNORECASE,
)
NUMBER = re.compile(
    r"(?<![\w.])(\d+(?:[.,]\d+)?)(\s*%|\s*(?:s|sec|seconds?|minutes?|min|ms)\b)?"
)


def strip_non_prose(markdown: str) -> str:
    """Remove fenced blocks, glue roles (and other roles), math and code spans."""
    text = FENCED.sub(" ", markdown)
    text = GLUE_ROLE.sub(" GLUED ", text)
    text = ROLE.sub(" ", text)
    text = DISPLAY_MATH.sub(" ", text)
    text = INLINE_MATH.sub(" ", text)
    text = CODE_SPAN.sub(" ", text)
    return text


def typed_numbers(markdown: str, window: int = 40) -> list:
    """Accuracies and timings typed into prose instead of glued.

    A number is flagged if it is a percentage, a decimal, or carries a time
    unit, and a measurement word (accuracy, loss, seconds, ...) is within
    ``window`` characters. Quoted seed figures in :data:`ALLOWED_TYPED` pass.
    """
    text = strip_non_prose(markdown).replace("\u00a0", " ").replace("\u202f", " ")
    found = []
    for match in NUMBER.finditer(text):
        number, unit = match.group(1), (match.group(2) or "")
        is_percent, has_unit = "%" in unit, bool(unit.strip()) and "%" not in unit
        is_decimal = "." in number
        if not (is_percent or is_decimal or has_unit):
            continue
        if (number + unit.strip()).replace(" ", "") in ALLOWED_TYPED:
            continue
        context = text[max(0, match.start() - window) : match.end() + window]
        if has_unit or MEASURE_WORDS.search(context):
            found.append(
                f"{match.group(0).strip()!r} in ...{' '.join(context.split())}..."
            )
    return found


# --------------------------------------------------------------------------- #
# The predicates can fail (tiny fixtures)
# --------------------------------------------------------------------------- #
def _nb(*cells):
    return {"cells": list(cells), "metadata": {}}


def _code(source, outputs=()):
    return {
        "cell_type": "code",
        "source": source,
        "outputs": list(outputs),
        "metadata": {},
    }


def _md(source):
    return {"cell_type": "markdown", "source": source, "metadata": {}}


def _stream(text, name="stdout"):
    return {"output_type": "stream", "name": name, "text": text}


PNG = {
    "output_type": "display_data",
    "data": {"image/png": "iVBORw0KGgo=", "text/plain": "<Figure>"},
}


def test_absolute_paths_predicate():
    assert absolute_paths("saved to /work/main/artifacts/model.keras")
    assert absolute_paths("FileNotFoundError: /root/.keras/datasets")
    assert absolute_paths("'/home/ann/x'") and absolute_paths("in /tmp/abc")
    assert not absolute_paths(
        "accuracy 0.88 on 25,000/25,000 reviews; see notebooks/01.ipynb"
    )
    assert not absolute_paths("https://example.org/home/page")


def test_tf_log_noise_predicate():
    assert tf_log_noise("I0000 00:00:1732233.123 12 cpu_feature_guard.cc:210] hi")
    assert tf_log_noise("W0000 00:00:17 ... something")
    assert tf_log_noise(
        "oneDNN custom operations are on. You may see slightly different"
    )
    assert tf_log_noise("E0000 00:00:17 cuda_dnn.cc Unable to register cuDNN factory")
    assert tf_log_noise(
        "WARNING: All log messages before absl::InitializeLog() is called"
    )
    assert not tf_log_noise("epoch 1/5  loss 0.6931  accuracy 0.5000  (1.2 s)\nOK")


def test_progress_spam_predicate():
    assert progress_spam(
        "625/625 ━━━━━━━━━━━━━━━━━━━━ 3s 4ms/step - accuracy: 0.8 - loss: 0.4"
    )
    assert progress_spam("  1/625 [..............................] - ETA: 1:02")
    assert progress_spam(
        "epoch 1/3  loss 0.6\nepoch 1/3  loss 0.5\nepoch 1/3  loss 0.4\n"
    )
    assert progress_spam("10%\r20%\r30%\r")
    assert not progress_spam(
        "epoch 1/3  loss 0.6  (2.0 s)\nepoch 2/3  loss 0.5  (2.0 s)\n"
    )


def test_figure_predicate():
    titled = _code(
        "fig, ax = plt.subplots()\nax.plot(x)\nax.set_title('t')\nax.set_xlabel('epoch')\n"
        "ax.set_ylabel('accuracy')",
        [PNG],
    )
    untitled = _code("plt.plot(x)", [PNG])
    via_helper = _code("plot_learning_curves({'LSTM': h}, 'accuracy', 'Curves')", [PNG])
    local = _code(
        "def show(x):\n    plt.plot(x); plt.title('a'); plt.xlabel('step'); plt.ylabel('v')"
    )
    called = _code("show(values)", [PNG])
    imports = _code("from helpers.plots import plot_learning_curves, model_color")
    assert unlabelled_figures(_nb(titled, untitled)) == [1]
    assert unlabelled_figures(_nb(via_helper)) == [0]
    assert unlabelled_figures(_nb(imports, via_helper)) == []
    assert unlabelled_figures(_nb(local, called)) == []
    assert unlabelled_figures(
        _nb(_code("plt.plot(x); plt.title('only a title')", [PNG]))
    ) == [0]
    no_y = _code("plt.plot(x); plt.title('t'); plt.xlabel('step')", [PNG])
    assert unlabelled_figures(_nb(no_y)) == [0]
    diagram = _code(
        "ax.set_title('t'); ax.set_xlabel('one step'); ax.set_yticks([])", [PNG]
    )
    assert unlabelled_figures(_nb(diagram)) == []
    # Importing a colour helper labels nothing: an untitled bar chart beside it still fails.
    colours = _code(
        "from helpers.plots import model_color\nplt.bar([1], [2], color=model_color('LSTM'))",
        [PNG],
    )
    assert unlabelled_figures(_nb(colours)) == [0]
    assert plotting_helpers_that_label() == {"plot_learning_curves"}


EXERCISE_MD = (
    "```{{exercise-start}}\n:label: {label}\n```\nDo it.\n```{{exercise-end}}\n```\n"
    "```{{solution-start}} {label}\n{options}```\nDone.\n```{{solution-end}}\n```\n"
)


def test_exercise_predicate():
    good = "".join(
        EXERCISE_MD.format(label=f"ch1-ex-{i}", options=":class: dropdown\n")
        for i in range(3)
    )
    assert exercise_problems(good) == []
    two = "".join(
        EXERCISE_MD.format(label=f"ch1-ex-{i}", options=":class: dropdown\n")
        for i in range(2)
    )
    assert exercise_problems(two)
    not_dropdown = good.replace(":class: dropdown\n", "", 1)
    assert any("dropdown" in p for p in exercise_problems(not_dropdown))
    no_solution = (
        good
        + "```{exercise-start}\n:label: ch1-ex-x\n```\nMore.\n```{exercise-end}\n```\n"
    )
    assert any("ch1-ex-x" in p for p in exercise_problems(no_solution))


def test_typed_numbers_predicate():
    assert typed_numbers("The LSTM reaches 88.2% test accuracy.")
    assert typed_numbers("The LSTM reaches 88.2 % test accuracy.")
    assert typed_numbers("Accuracy on the test set was 0.874.")
    assert typed_numbers("One epoch takes 12.5 seconds on a CPU.")
    assert typed_numbers("Training took 95 s in full mode.")
    assert typed_numbers("its loss falls to 0.31 after two epochs")
    # glued, math, code and fenced code are fine
    assert not typed_numbers(
        "The LSTM reaches {glue:text}`ch5_test_acc:.1%` test accuracy."
    )
    assert not typed_numbers("The run took {glue:text}`ch1_run_minutes:.1f` minutes.")
    assert not typed_numbers("With $\\sigma(0) = 0.5$ the accuracy is at chance.")
    assert not typed_numbers(
        "Call `model.evaluate(x, y)` which returns `[0.31, 0.874]` as loss and accuracy."
    )
    assert not typed_numbers("```python\nprint('accuracy 0.874')\n```\n")
    assert not typed_numbers("$$\n\\text{accuracy} = 0.874\n$$")
    # numbers that are not measurements, and the seeds' quoted published figures
    assert not typed_numbers(
        "We keep the 10,000 most frequent words and 200 tokens per review."
    )
    assert not typed_numbers(
        "The seed notebook reported 86.39 % test accuracy, the other seed 85.5 %."
    )
    assert not typed_numbers("Keras 3.15 and TensorFlow 2.21 were used.")
    assert not typed_numbers(
        "A classifier that always answers positive scores 50 % accuracy."
    )
    assert not typed_numbers(
        "The scores all stay close to 0.5, the decision threshold."
    )
    assert typed_numbers("The scores all stay close to 0.52 on validation accuracy.")


# --------------------------------------------------------------------------- #
# The stored notebooks
# --------------------------------------------------------------------------- #
@pytest.fixture(params=NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def notebook(request):
    return request.param.name, json.loads(request.param.read_text(encoding="utf-8"))


def test_there_are_notebooks():
    assert NOTEBOOKS, "no notebooks/*.ipynb found"


def test_no_absolute_paths_in_outputs(notebook):
    name, nb = notebook
    found = {
        i: absolute_paths(t)
        for i, c in enumerate(nb["cells"])
        for t in output_texts(c)
        if absolute_paths(t)
    }
    assert not found, (
        f"{name}: absolute paths of the building machine in outputs of cells {found}"
    )


def test_no_tensorflow_log_noise_in_outputs(notebook):
    name, nb = notebook
    found = {
        i: tf_log_noise(t)[:3]
        for i, c in enumerate(nb["cells"])
        for t in output_texts(c)
        if tf_log_noise(t)
    }
    assert not found, (
        f"{name}: TensorFlow/absl/CUDA log lines in outputs of cells {found}"
    )


def test_no_progress_bar_spam(notebook):
    name, nb = notebook
    found = {
        i: progress_spam(t)[:3]
        for i, c in enumerate(nb["cells"])
        for t in output_texts(c)
        if progress_spam(t)
    }
    assert not found, (
        f"{name}: progress bars / more than one line per epoch in cells {found}"
    )


def test_every_figure_titled_and_labelled(notebook):
    name, nb = notebook
    bad = unlabelled_figures(nb)
    assert not bad, (
        f"{name}: figures without a title and axis labels (code cells {bad})"
    )


def test_exercises_with_dropdown_solutions(notebook):
    name, nb = notebook
    problems = exercise_problems(markdown_text(nb))
    assert not problems, f"{name}: {problems}"


def test_numbers_in_prose_are_glued(notebook):
    name, nb = notebook
    found = typed_numbers(markdown_text(nb))
    assert not found, f"{name}: typed-in accuracies/timings (use a glue role): {found}"
