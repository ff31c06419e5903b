"""Fingerprints of what decides a result: code as syntax, followed definition by
definition.

A stored chapter (:mod:`helpers.execute`) and a trained run
(:mod:`helpers.recipes`) each carry a fingerprint of the code that made
them, so that a change in that code is caught and a change elsewhere is not.

How code is read
----------------
* **Meaning, not bytes.** Each helper module is parsed with :mod:`ast`.
  Comments never reach the syntax tree, and docstrings (the first string
  statement of a module, class or function) are dropped. :func:`canonical`
  writes what is left in a form of its own: node names and fields, no line
  or column, fields that are ``None`` or empty left out (so the
  ``type_params`` field that Python 3.12 added to every function and class
  reads as its absence did in 3.10 and 3.11), constants as their type and
  ``repr``. Every other string constant stays in: a chapter prints a
  helper's error message.
* **Definitions, not files.** A module is cut into its top-level
  statements. A ``def``, a ``class``, an assignment to plain names and an
  import each *bind* names; every other top-level statement (a call, an
  ``if`` block, an assignment to an attribute, a ``from __future__``
  import, a definition under a decorator that is not known to be pure) is
  a *module statement*, run whenever the module is imported. The block
  under ``if __name__ == "__main__":`` never runs on import and is left
  out.
* **Reach.** A chapter reaches the definitions its code cells name through
  ``helpers`` imports; a definition reaches every module-level name of its
  own module that it mentions, every helper definition it imports
  (absolute or relative imports, at the top or inside a function), and
  ``m.name`` for a helper module ``m`` it imports. A module that is reached
  at all brings its module statements and those of its packages and of the
  helper modules it imports at the top. A name is followed wherever it
  appears, even where a local variable shadows it: reach may count too
  much, never too little, of what the code can see.

What reach cannot see
---------------------
* **Dynamic lookups**: ``getattr(module, name)``, ``globals()``,
  ``eval``, ``exec``, ``__import__``, ``importlib.import_module``. A
  module that calls any of these, or passes a helper module around as a
  value, is counted whole.
* **Objects made elsewhere**: an object unpickled from a file, or a class
  found by name in a registry, carries code that no name in the chapter
  points to. A decorator that is not known to be pure (it may register
  the class) makes its definition a module statement, counted whenever
  the module is.
* **A module's ``__doc__`` read at run time**: ``python -m
  helpers.execute`` shows its first paragraph as help; docstrings never
  count.
* **Files that reached code reads** (the dataset, a cache, another
  chapter's outputs): they are data. The data helpers key their caches
  themselves, and a number read from another chapter (``recorded_glue``)
  and the trained runs a chapter reads are explicit inputs of the
  chapter's fingerprint (:func:`chapter_fingerprint`).

Introduced in chapter 1 (``notebooks/01_bag_of_words.ipynb``), whose
stored run is the first to carry one.
"""

from __future__ import annotations

import argparse
import ast
import copy
import datetime
import hashlib
import json
import subprocess
import sys
import tarfile
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Optional, Sequence

#: The folder of the ``helpers`` package this module reads by default.
HELPERS_DIR = Path(__file__).resolve().parent
#: The version of the fingerprint scheme, stored with every fingerprint.
SCHEME = 2
#: Decorators that only wrap or describe what they decorate (no registration).
PURE_DECORATORS = frozenset(
    {
        "dataclass",
        "dataclasses.dataclass",
        "staticmethod",
        "classmethod",
        "property",
        "functools.lru_cache",
        "lru_cache",
        "functools.cache",
        "cache",
        "functools.wraps",
        "contextmanager",
        "contextlib.contextmanager",
    }
)
#: Calls that look names up at run time: a module that makes one is counted whole.
DYNAMIC_CALLS = frozenset({"globals", "eval", "exec", "__import__", "import_module"})
#: Code that only computes the keys (file names) of trained runs, left out of a
#: chapter's reach: the keys of the runs a chapter read are a part of its fingerprint
#: themselves, recomputed with today's code (``records`` in :func:`chapter_parts`).
KEY_CODE = ("helpers.recipes:recipe_fingerprint", "helpers.recipes:training_key")
_MODULE_STATEMENTS = "<module>"


def canonical(node) -> str:
    """Return a stable text of an AST node (or list, or constant).

    Node class names and field names in their ``_fields`` order; positions
    are not fields, so they never appear. A field that is ``None`` or an
    empty list is left out, which makes fields that newer Pythons add with
    an empty default invisible. Constants are written as their type name
    and ``repr``.

    Parameters
    ----------
    node : ast.AST, list or constant
        What to write.

    Returns
    -------
    str
        The same text on every Python version from 3.10 on for the same
        source (tested on every interpreter the tests can find).
    """
    parts: list = []
    _write(node, parts)
    return "".join(parts)


def _fstring_parts(values: list) -> list:
    """An f-string's parts with adjacent literal text joined and empty text dropped.

    Python 3.12 splits the literal text of f-strings differently (it adds an
    empty constant after a nested format spec such as ``{x:>{width}}``).
    """
    joined = []
    for item in values:
        if isinstance(item, ast.Constant) and isinstance(item.value, str):
            if (
                joined
                and isinstance(joined[-1], ast.Constant)
                and isinstance(joined[-1].value, str)
            ):
                joined[-1] = ast.Constant(value=joined[-1].value + item.value)
            else:
                joined.append(ast.Constant(value=item.value))
        else:
            joined.append(item)
    return [
        item
        for item in joined
        if not (isinstance(item, ast.Constant) and item.value == "")
    ]


def _write(value, parts: list) -> None:
    if isinstance(value, ast.JoinedStr):
        value = ast.JoinedStr(values=_fstring_parts(value.values))
    if isinstance(value, ast.AST):
        parts.append(type(value).__name__ + "(")
        for name in value._fields:
            item = getattr(value, name, None)
            if item is None or (isinstance(item, list) and not item):
                continue
            parts.append(name + "=")
            _write(item, parts)
            parts.append(",")
        parts.append(")")
    elif isinstance(value, list):
        parts.append("[")
        for item in value:
            _write(item, parts)
            parts.append(",")
        parts.append("]")
    else:
        parts.append(f"{type(value).__name__}:{value!r}")


def without_docstrings(tree, module: bool = True):
    """Return a copy of ``tree`` without the docstrings of its classes and functions.

    With ``module=True`` the module's own docstring goes too; a notebook cell
    keeps a leading string (it may be what the cell displays).
    """
    tree = copy.deepcopy(tree)
    kinds = (ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef) + (
        (ast.Module,) if module else ()
    )
    for node in ast.walk(tree):
        if isinstance(node, kinds):
            body = node.body
            if (
                body
                and isinstance(body[0], ast.Expr)
                and isinstance(body[0].value, ast.Constant)
                and isinstance(body[0].value.value, str)
            ):
                node.body = body[1:]
    return tree


def digest(text: str, length: int = 16) -> str:
    """Return the first ``length`` hex digits of the sha256 of ``text``."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:length]


def _dotted(node) -> Optional[str]:
    """``a.b.c`` for a chain of attributes on a name, else ``None``."""
    if isinstance(node, ast.Call):
        node = node.func
    names = []
    while isinstance(node, ast.Attribute):
        names.append(node.attr)
        node = node.value
    if isinstance(node, ast.Name):
        return ".".join([node.id] + names[::-1])
    return None


def _is_main_guard(statement) -> bool:
    test = getattr(statement, "test", None)
    return (
        isinstance(statement, ast.If)
        and isinstance(test, ast.Compare)
        and isinstance(test.left, ast.Name)
        and test.left.id == "__name__"
        and any(
            isinstance(c, ast.Constant) and c.value == "__main__"
            for c in test.comparators
        )
    )


def _target_names(target) -> Optional[list]:
    """Names bound by an assignment target, or ``None`` if it assigns into an object."""
    if isinstance(target, ast.Name):
        return [target.id]
    if isinstance(target, ast.Starred):
        return _target_names(target.value)
    if isinstance(target, (ast.Tuple, ast.List)):
        names = []
        for element in target.elts:
            inner = _target_names(element)
            if inner is None:
                return None
            names.extend(inner)
        return names
    return None


def _names_bound_anywhere(statement) -> set:
    """Names that a compound top-level statement binds in the module (``if``/``try``
    bodies).
    """
    names = set()
    for node in ast.walk(statement):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            names.update(
                (a.asname or a.name.split(".")[0]) for a in node.names if a.name != "*"
            )
        elif isinstance(node, (ast.Assign, ast.AnnAssign, ast.AugAssign)):
            for target in getattr(node, "targets", None) or [node.target]:
                names.update(_target_names(target) or [])
    return names


@dataclass
class Statement:
    """One top-level statement of a helper module, as reach sees it."""

    module: str
    index: int
    names: tuple
    text: str
    runs_on_import: bool
    references: set = field(default_factory=set)

    @property
    def key(self) -> str:
        """``helpers.data:load_imdb_splits`` (or ``helpers.data:<module>#3``)."""
        label = (
            ",".join(self.names) if self.names else f"{_MODULE_STATEMENTS}#{self.index}"
        )
        return f"{self.module}:{label}"


@dataclass
class Module:
    """A parsed helper module: its statements and the names they bind."""

    name: str
    is_package: bool
    statements: list
    bindings: dict
    imports: set
    counted_whole: bool


class HelperIndex:
    """Every module of a ``helpers`` folder, parsed once, and reach over them.

    Parameters
    ----------
    helpers_dir : pathlib.Path, optional
        The package folder (by default this package). Tests and the history
        replay pass a copy of another version.
    package : str
        The package's import name.
    """

    def __init__(self, helpers_dir: Optional[Path] = None, package: str = "helpers"):
        self.helpers_dir = Path(helpers_dir or HELPERS_DIR)
        self.package = package
        self.modules = {}
        for path in sorted(self.helpers_dir.rglob("*.py")):
            relative = path.relative_to(self.helpers_dir).with_suffix("").parts
            is_package = relative[-1] == "__init__"
            name = ".".join((package,) + (relative[:-1] if is_package else relative))
            self.modules[name] = (path, is_package)
        self.modules = {
            name: self._parse(name, path, is_package)
            for name, (path, is_package) in self.modules.items()
        }

    # -- parsing -------------------------------------------------------------
    def _import_targets(self, node, module: str, is_package: bool) -> list:
        """``(bound name, target)`` of a helper import; target ``(module, name or
        None)``.
        """
        found = []
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name == self.package or alias.name.startswith(
                    self.package + "."
                ):
                    if alias.asname:
                        found.append((alias.asname, (alias.name, None)))
                    else:
                        found.append((self.package, (self.package, None)))
            return found
        if node.level:
            base = module.split(".") if is_package else module.split(".")[:-1]
            base = base[: len(base) - (node.level - 1)]
            source = ".".join(base + ([node.module] if node.module else []))
        else:
            source = node.module or ""
        if source != self.package and not source.startswith(self.package + "."):
            return found
        for alias in node.names:
            if alias.name == "*":
                found.append(("*", (source, "*")))
            elif f"{source}.{alias.name}" in self.modules:
                found.append(
                    (alias.asname or alias.name, (f"{source}.{alias.name}", None))
                )
            else:
                found.append((alias.asname or alias.name, (source, alias.name)))
        return found

    def _parse(self, name: str, path: Path, is_package: bool) -> Module:
        tree = without_docstrings(
            ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        )
        statements, bindings, imports = [], {}, set()
        aliases = {}
        for node in tree.body:
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                for bound, target in self._import_targets(node, name, is_package):
                    aliases[bound] = target
                    imports.add(target[0])
        counted_whole = False
        for index, node in enumerate(tree.body):
            if _is_main_guard(node):
                continue
            names, runs = self._binding(node)
            statement = Statement(
                name, index, tuple(sorted(names)), canonical(node), runs
            )
            statement.references = self._references(node, name, is_package, aliases)
            counted_whole |= "*dynamic*" in statement.references
            statement.references.discard("*dynamic*")
            statements.append(statement)
            for bound in names if not runs else _names_bound_anywhere(node):
                bindings.setdefault(bound, []).append(statement)
        return Module(name, is_package, statements, bindings, imports, counted_whole)

    def _binding(self, node) -> tuple:
        """``(names bound, runs on import)`` of a top-level statement."""
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            pure = all(_dotted(d) in PURE_DECORATORS for d in node.decorator_list)
            return {node.name}, not pure
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            if isinstance(node, ast.ImportFrom) and (
                node.module == "__future__" or any(a.name == "*" for a in node.names)
            ):
                return set(), True
            return {(a.asname or a.name.split(".")[0]) for a in node.names}, False
        if isinstance(node, (ast.Assign, ast.AnnAssign, ast.AugAssign)):
            names = []
            for target in getattr(node, "targets", None) or [node.target]:
                bound = _target_names(target)
                if bound is None:
                    return set(), True
                names.extend(bound)
            return set(names), False
        return set(), True

    def _references(
        self, node, module: str, is_package: bool, module_aliases: dict
    ) -> set:
        """Keys ``module:name`` (``module:*`` for a whole module) that ``node`` points
        to.
        """
        aliases = dict(module_aliases)
        refs = set()
        for sub in ast.walk(node):
            if isinstance(sub, (ast.Import, ast.ImportFrom)):
                for bound, target in self._import_targets(sub, module, is_package):
                    aliases[bound] = target
                    refs.add(
                        f"{target[0]}:{target[1] or '*'}"
                        if target[1] or bound == "*"
                        else f"{target[0]}:{_MODULE_STATEMENTS}"
                    )
            elif (
                isinstance(sub, ast.Call)
                and (_dotted(sub.func) or "").split(".")[-1] in DYNAMIC_CALLS
            ):
                refs.add("*dynamic*")
        parents = {
            child: parent
            for parent in ast.walk(node)
            for child in ast.iter_child_nodes(parent)
        }
        for sub in ast.walk(node):
            if not isinstance(sub, ast.Name):
                continue
            refs.add(f"{module}:{sub.id}")
            target = aliases.get(sub.id)
            if target is None:
                continue
            source, attribute = target
            if attribute is not None:
                refs.add(f"{source}:{attribute}")
                continue
            # A helper module used as a value: follow m.a.b through subpackages to a
            # name.
            parent, chain = parents.get(sub), source
            while isinstance(parent, ast.Attribute):
                if f"{chain}.{parent.attr}" in self.modules:
                    chain = f"{chain}.{parent.attr}"
                    parent = parents.get(parent)
                    continue
                refs.add(f"{chain}:{parent.attr}")
                break
            else:
                refs.add(f"{chain}:*")
        return refs

    # -- reach ---------------------------------------------------------------
    def _statements_for(self, key: str) -> list:
        module_name, _, name = key.partition(":")
        module = self.modules.get(module_name)
        if module is None:
            return []
        if name == "*" or module.counted_whole:
            return list(module.statements)
        if name == _MODULE_STATEMENTS:
            return []
        return list(module.bindings.get(name, []))

    def reach(self, references: Iterable[str], exclude: Iterable[str] = ()) -> dict:
        """Return the statements that some references reach, by key.

        Parameters
        ----------
        references : iterable of str
            Starting points, ``"helpers.data:load_imdb_splits"`` (a name),
            ``"helpers.data:*"`` (a whole module) or
            ``"helpers.data:<module>"`` (only importing it).
        exclude : iterable of str
            Keys of definitions not to enter or follow (a run's key leaves out
            the recipe table, whose fields it holds itself).

        Returns
        -------
        dict
            ``{statement key: canonical text}`` of every reached statement.
        """
        excluded = set(exclude)
        reached, seen, modules, imported = {}, set(), set(), set()
        pending = list(references)
        while pending:
            while pending:
                key = pending.pop()
                if key in excluded or key in seen:
                    continue
                seen.add(key)
                if key.partition(":")[0] in self.modules:
                    modules.add(key.partition(":")[0])
                for statement in self._statements_for(key):
                    if statement.key not in excluded and statement.key not in reached:
                        reached[statement.key] = statement
                        pending.extend(statement.references)
            # Importing a reached module runs its module statements and those of the
            # packages and helper modules it imports at the top.
            for name in sorted(self._imported_with(modules) - imported):
                imported.add(name)
                module = self.modules[name]
                pending.append(
                    f"{name}:*"
                    if module.counted_whole
                    else f"{name}:{_MODULE_STATEMENTS}"
                )
                for statement in module.statements:
                    if (
                        statement.runs_on_import
                        and statement.key not in excluded
                        and statement.key not in reached
                    ):
                        reached[statement.key] = statement
                        pending.extend(statement.references)
        return {key: statement.text for key, statement in sorted(reached.items())}

    def cell_references(self, sources: Sequence[str]) -> set:
        """Keys of the helper definitions that notebook code cells import or use."""
        body = []
        for source in sources:
            tree = _parse_cell(source)
            if tree is not None:
                body.extend(tree.body)
        return {
            r
            for r in self._references(
                ast.Module(body=body, type_ignores=[]), "__cells__", False, {}
            )
            if not r.startswith("__cells__:")
        } - {"*dynamic*"}

    def _imported_with(self, modules: set) -> set:
        """Modules whose import-time code runs when ``modules`` are imported."""
        found, pending = set(), list(modules)
        while pending:
            name = pending.pop()
            if name in found or name not in self.modules:
                continue
            found.add(name)
            parts = name.split(".")
            pending.extend(".".join(parts[:i]) for i in range(1, len(parts)))
            pending.extend(self.modules[name].imports)
        return found

    def module_digest(self, module: str) -> str:
        """Return the digest of a whole module's canonical statements."""
        return digest("\n".join(s.text for s in self.modules[module].statements))

    def code_digest(
        self, references: Iterable[str], exclude: Iterable[str] = ()
    ) -> str:
        """Return one digest of everything ``references`` reach (see :meth:`reach`)."""
        return digest(json.dumps(self.reach(references, exclude), sort_keys=True))


_INDEXES: dict = {}


def helper_index(helpers_dir: Optional[Path] = None) -> HelperIndex:
    """Return the :class:`HelperIndex` of a folder, parsed again only when a file
    changed.
    """
    folder = Path(helpers_dir or HELPERS_DIR).resolve()
    stamp = tuple(
        (str(p), p.stat().st_mtime_ns, p.stat().st_size)
        for p in sorted(folder.rglob("*.py"))
    )
    cached = _INDEXES.get(folder)
    if cached is None or cached[0] != stamp:
        cached = _INDEXES[folder] = (stamp, HelperIndex(folder))
    return cached[1]


# -- chapters ------------------------------------------------------------------
def code_cells(notebook: dict) -> list:
    """Return the sources of the non-empty code cells of a notebook (a dict)."""
    cells = []
    for cell in notebook.get("cells", []):
        source = cell.get("source", "")
        source = "".join(source) if isinstance(source, list) else source
        if cell.get("cell_type") == "code" and source.strip():
            cells.append(source)
    return cells


def _split_magics(source: str) -> tuple:
    """``(Python source, IPython magic and shell lines)`` of a cell.

    A magic line becomes ``pass`` at its indentation, so that a cell with a
    magic inside a block (the Colab cell's ``%pip`` under an ``if``) still
    parses, and is fingerprinted as syntax like any other cell.
    """
    python, magics = [], []
    for line in source.splitlines():
        if line.lstrip().startswith(("%", "!")):
            magics.append(" ".join(line.split()))
            python.append(line[: len(line) - len(line.lstrip())] + "pass")
        else:
            python.append(line)
    return "\n".join(python), magics


def _parse_cell(source: str):
    try:
        return ast.parse(_split_magics(source)[0])
    except SyntaxError:
        return None


def cell_text(source: str) -> str:
    """Return the canonical text of a code cell: its syntax, magics, no comments.

    A cell that does not parse is kept as its text with trailing spaces
    removed, so a reformat changes nothing but any other edit does.
    """
    tree = _parse_cell(source)
    if tree is None:
        return "text:" + "\n".join(
            line.rstrip() for line in source.strip().splitlines()
        )
    return canonical(without_docstrings(tree, module=False)) + "".join(
        "\nmagic:" + line for line in _split_magics(source)[1]
    )


def glue_inputs(sources: Sequence[str]) -> list:
    """``(chapter, key)`` of every ``recorded_glue("chapter", "key")`` call in code
    cells.

    Raises
    ------
    ValueError
        If a call's arguments are not two string literals: the fingerprint
        must see which stored number the chapter reads.
    """
    found = []
    for source in sources:
        tree = _parse_cell(source)
        for node in ast.walk(tree) if tree is not None else ():
            if (
                isinstance(node, ast.Call)
                and (_dotted(node.func) or "").split(".")[-1] == "recorded_glue"
            ):
                args = list(node.args) + [k.value for k in node.keywords]
                if len(args) != 2 or not all(
                    isinstance(a, ast.Constant) and isinstance(a.value, str)
                    for a in args
                ):
                    raise ValueError(
                        "recorded_glue(...) needs two string literals (chapter, key) "
                        "so that the chapter's fingerprint can "
                        "follow the number it reads"
                    )
                found.append((args[0].value, args[1].value))
    return sorted(set(found))


def chapter_parts(
    notebook: dict,
    notebooks_dir: Optional[Path] = None,
    index: Optional[HelperIndex] = None,
) -> dict:
    """Return what a stored chapter's outputs depend on, part by part.

    Parameters
    ----------
    notebook : dict
        The notebook as parsed JSON (or an ``nbformat`` node).
    notebooks_dir : pathlib.Path, optional
        Where the chapters that ``recorded_glue`` reads are
        (by default the book's, :func:`helpers.paths.notebooks_dir`).
    index : HelperIndex, optional
        The helpers to read (by default this package, :func:`helper_index`).

    Returns
    -------
    dict
        ``cells`` (a digest per code cell), ``definitions`` (a digest per
        reached helper statement, by key), ``glue`` (the stored value of
        every number read from another chapter) and ``records`` (the run
        key of every trained run the stored execution read, from the
        notebook's ``rnn_book`` metadata, recomputed for today's code).
    """
    from helpers.records import stored_glue

    index = index or helper_index()
    sources = code_cells(notebook)
    reached = index.reach(index.cell_references(sources), exclude=KEY_CODE)
    glue = {}
    for chapter, key in glue_inputs(sources):
        if notebooks_dir is None:
            from helpers.paths import notebooks_dir as book_notebooks

            notebooks_dir = book_notebooks()
        path = Path(notebooks_dir) / f"{chapter}.ipynb"
        try:
            glue[f"{chapter}:{key}"] = repr(stored_glue(path, key))
        except (OSError, KeyError, ValueError) as error:
            glue[f"{chapter}:{key}"] = f"<unreadable: {type(error).__name__}>"
    records = {}
    read = ((notebook.get("metadata") or {}).get("rnn_book") or {}).get(
        "records_read"
    ) or []
    if read:
        from helpers.recipes import Recipe, training_key

        for entry in read:
            recipe = Recipe(
                **{
                    k: tuple(v) if isinstance(v, list) else v
                    for k, v in entry["recipe"].items()
                }
            )
            records[f"{recipe.name} seed {entry['seed']} {entry['mode']}"] = (
                training_key(recipe, entry["seed"], entry["mode"], index=index)
            )
    return dict(
        scheme=SCHEME,
        cells=[digest(cell_text(s)) for s in sources],
        definitions={k: digest(v) for k, v in reached.items()},
        glue=glue,
        records=records,
    )


def parts_digest(parts: dict) -> str:
    """Return the 64-hex-digit fingerprint of :func:`chapter_parts`."""
    return hashlib.sha256(json.dumps(parts, sort_keys=True).encode("utf-8")).hexdigest()


def chapter_fingerprint(
    notebook: dict,
    notebooks_dir: Optional[Path] = None,
    index: Optional[HelperIndex] = None,
) -> str:
    """Fingerprint the code and inputs behind a notebook's outputs
    (:func:`chapter_parts`).
    """
    return parts_digest(chapter_parts(notebook, notebooks_dir, index))


def changed_parts(stored: Optional[dict], now: dict) -> list:
    """Say what differs between two :func:`chapter_parts`, naming definitions and cells.

    Returns
    -------
    list of str
        One line per difference, e.g. ``"changed: helpers.bptt:gradient_check"``;
        empty when nothing differs.
    """
    if not stored or stored.get("scheme") != now.get("scheme"):
        return [
            f"fingerprint scheme {None if not stored else stored.get('scheme')} "
            f"is not the current scheme {now.get('scheme')}"
        ]
    lines = []
    old_cells, new_cells = stored.get("cells", []), now["cells"]
    if old_cells != new_cells:
        differ = [
            i + 1
            for i in range(max(len(old_cells), len(new_cells)))
            if i >= len(old_cells)
            or i >= len(new_cells)
            or old_cells[i] != new_cells[i]
        ]
        lines.append(f"code cells changed (numbers among code cells): {differ}")
    for part in ("definitions", "glue", "records"):
        old, new = stored.get(part, {}), now.get(part, {})
        for key in sorted(set(old) | set(new)):
            if key not in new:
                lines.append(f"{part} no longer reached: {key}")
            elif key not in old:
                lines.append(f"{part} newly reached: {key}")
            elif old[key] != new[key]:
                lines.append(f"{part} changed: {key}")
    return lines


# -- command line --------------------------------------------------------------
_OLD_FINGERPRINTS = """
import json, sys
sys.path.insert(0, sys.argv[1])
import helpers
from helpers.execute import notebook_fingerprint
assert helpers.__file__.startswith(sys.argv[1]), helpers.__file__
print(json.dumps([notebook_fingerprint(json.load(open(p, encoding="utf-8"))) \
for p in sys.argv[2:]]))
"""


def migrate(paths: Sequence[Path], base: str, repository: Path) -> dict:
    """Give stored chapters today's fingerprint without executing them, where the old
    one holds.

    A chapter qualifies only if the fingerprint it stores equals the one that
    the helpers of commit ``base`` compute for its current code cells (with
    ``base``'s own fingerprint code): its outputs were made by exactly those
    cells and helpers. It then gets today's fingerprint and parts, and
    ``fingerprint_migrated`` records the commit. Use it after a change that
    keeps what every helper computes (a new fingerprint scheme, moving code)
    and is checked by the tests; any other chapter must be re-executed.

    Returns
    -------
    dict
        ``{path: "migrated" | "already current" | "stale: ..."}``.
    """
    from helpers.execute import METADATA_KEY, record_fingerprint, write_notebook

    repository = Path(repository).resolve()
    index = HelperIndex(repository / "helpers")
    commit = subprocess.run(
        ["git", "-C", str(repository), "rev-parse", base],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    paths = [Path(p).resolve() for p in paths]
    with tempfile.TemporaryDirectory(prefix="fingerprint-base-") as folder:
        archive = Path(folder) / "base.tar"
        subprocess.run(
            [
                "git",
                "-C",
                str(repository),
                "archive",
                "--format=tar",
                "-o",
                str(archive),
                commit,
                "helpers",
            ],
            check=True,
        )
        tree = Path(folder) / "tree"
        with tarfile.open(archive) as tar:
            tar.extractall(tree, filter="data")
        old = json.loads(
            subprocess.run(
                [sys.executable, "-c", _OLD_FINGERPRINTS, str(tree)]
                + [str(p) for p in paths],
                check=True,
                capture_output=True,
                text=True,
            ).stdout
        )
    outcome = {}
    for path, old_fingerprint in zip(paths, old):
        notebook = json.loads(path.read_text(encoding="utf-8"))
        record = notebook.get("metadata", {}).get(METADATA_KEY) or {}
        if record.get("fingerprint") == chapter_fingerprint(
            notebook, path.parent, index
        ):
            outcome[str(path)] = "already current"
        elif record.get("fingerprint") != old_fingerprint:
            outcome[str(path)] = (
                "stale: its stored run was not made by these cells "
                f"and {commit[:7]}'s helpers"
            )
        else:
            record_fingerprint(notebook, path.parent, index)
            notebook["metadata"][METADATA_KEY]["fingerprint_migrated"] = {
                "from_commit": commit,
                "on": datetime.date.today().isoformat(),
            }
            write_notebook(notebook, path)
            outcome[str(path)] = "migrated"
    return outcome


def main(argv: Optional[Sequence[str]] = None) -> int:
    """Command line: ``modules``, ``explain`` and ``migrate`` (see ``--help``)."""
    parser = argparse.ArgumentParser(
        prog="python -m helpers.fingerprint",
        description="Fingerprints of the book's code, read as syntax.",
    )
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser(
        "modules", help="print the digest of every helper module (JSON)"
    )
    explain = commands.add_parser(
        "explain", help="say what changed since a chapter's stored run"
    )
    explain.add_argument("notebooks", nargs="+", type=Path)
    move = commands.add_parser(
        "migrate", help="re-fingerprint chapters whose old fingerprint holds"
    )
    move.add_argument("notebooks", nargs="+", type=Path)
    move.add_argument(
        "--base", required=True, help="the commit whose helpers made the stored runs"
    )
    args = parser.parse_args(argv)
    if args.command == "modules":
        index = HelperIndex()
        print(
            json.dumps(
                {name: index.module_digest(name) for name in sorted(index.modules)},
                indent=1,
            )
        )
        return 0
    paths = [
        p
        for target in args.notebooks
        for p in (sorted(target.glob("*.ipynb")) if target.is_dir() else [target])
    ]
    if args.command == "migrate":
        root = Path(
            subprocess.run(
                ["git", "rev-parse", "--show-toplevel"],
                check=True,
                capture_output=True,
                text=True,
            ).stdout.strip()
        )
        results = migrate(paths, args.base, root)
        for path, result in results.items():
            print(f"{Path(path).name}: {result}")
        return 0 if all(not r.startswith("stale") for r in results.values()) else 1
    stale = 0
    for path in paths:
        notebook = json.loads(path.read_text(encoding="utf-8"))
        stored = (notebook.get("metadata", {}).get("rnn_book") or {}).get(
            "fingerprint_parts"
        )
        lines = changed_parts(stored, chapter_parts(notebook, path.parent))
        stale += bool(lines)
        print(
            f"{path.name}: "
            + ("fresh" if not lines else "stale\n  " + "\n  ".join(lines))
        )
    return 1 if stale else 0


if __name__ == "__main__":
    sys.exit(main())
