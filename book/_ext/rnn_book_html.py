"""Sphinx glue of the RNN book (a local extension, loaded from ``_config.yml``).

Three jobs:

* **Code that fits.** ``static/rnn-book.css`` sets code cells in 12 px type, so
  that a line of 88 characters (the book's limit) shows whole at a 1,280-pixel
  window; the browser test checks that no code cell scrolls sideways.

* **Offline MathJax.** With ``BOOK_OFFLINE_MATHJAX=1`` the build serves
  MathJax 3 from the book itself instead of the CDN, so that the browser test
  renders math without a network. The files come from the npm package
  ``mathjax@3`` (``npm ci`` at the repository root installs the pinned 3.2.2);
  only ``es5/tex-mml-chtml.js`` and ``es5/output/chtml/fonts/`` are copied, into
  ``_build/offline-mathjax/`` (git-ignored), which is added to
  ``html_extra_path``. They are deliberately *not* in a ``_static`` source
  folder: Jupyter Book 1 adds every ``.js`` file of a static path to every page,
  which would load MathJax twice. Without the variable nothing changes and the
  published book uses the CDN.

* **Duplicate inline scripts.** sphinx-togglebutton (``builder-inited``) and
  sphinx-thebe (``env-before-read-docs``) add inline scripts with
  ``app.add_js_file(None, body=...)`` after the HTML builder was initialised.
  Sphinx 7.4 records such a script in the registry and in the builder with
  filename ``None``; then ``StandaloneHTMLBuilder.prepare_writing`` re-adds
  every registry asset as ``add_js_file(js_filename or '', ...)``. Because
  ``_JavaScript(None, body=b) != _JavaScript('', body=b)``, its de-duplication
  misses them and every page carried ``var togglebuttonSelector`` and
  ``const THEBE_JS_URL`` twice: the browser reported "Identifier
  'THEBE_JS_URL' has already been declared". Reordering handlers cannot help
  (the copy is made when writing starts). This extension keeps one copy of
  each script per page in ``html-page-context``, treating ``None`` and ``''``
  as the same (inline) filename.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from sphinx.application import Sphinx
from sphinx.errors import ExtensionError

#: Set to 1 to serve MathJax from the built book.
OFFLINE_VARIABLE = "BOOK_OFFLINE_MATHJAX"
#: Where the copied MathJax files are staged (inside the git-ignored _build).
STAGING = Path("_build") / "offline-mathjax"
#: The script path inside the built HTML; Sphinx prefixes ``_static/``.
MATHJAX_SCRIPT = "mathjax/tex-mml-chtml.js"


def offline_mathjax_wanted() -> bool:
    """True when ``BOOK_OFFLINE_MATHJAX`` asks for the local MathJax copy."""
    return os.environ.get(OFFLINE_VARIABLE, "").strip().lower() in {
        "1",
        "true",
        "yes",
        "on",
    }


def stage_offline_mathjax(root: Path) -> Path:
    """Copy the needed MathJax files from ``node_modules`` into the staging folder.

    Parameters
    ----------
    root : pathlib.Path
        The book's root (where ``package.json`` and ``node_modules`` are).

    Returns
    -------
    pathlib.Path
        The staging folder, to be used as an ``html_extra_path`` entry.

    Raises
    ------
    sphinx.errors.ExtensionError
        If the npm package is not installed (the message says to run ``npm ci``).
    """
    es5 = root / "node_modules" / "mathjax" / "es5"
    script, fonts = es5 / "tex-mml-chtml.js", es5 / "output" / "chtml" / "fonts"
    if not script.is_file() or not fonts.is_dir():
        raise ExtensionError(
            f"{OFFLINE_VARIABLE}=1 needs MathJax 3 from npm, but {script} is missing. "
            "Fix: run `npm ci` at the repository root (package-lock.json pins "
            f"mathjax 3.2.2), or unset {OFFLINE_VARIABLE} to use the CDN."
        )
    staging = root / STAGING
    target = staging / "_static" / "mathjax"
    if staging.exists():
        shutil.rmtree(staging)
    (target / "output" / "chtml").mkdir(parents=True)
    shutil.copy2(script, target / "tex-mml-chtml.js")
    shutil.copytree(fonts, target / "output" / "chtml" / "fonts")
    return staging


def configure_mathjax(app: Sphinx, config) -> None:
    """``config-inited``: switch MathJax to the local copy when asked to."""
    if not offline_mathjax_wanted():
        return
    staging = stage_offline_mathjax(Path(app.confdir))
    config.html_extra_path = list(config.html_extra_path) + [str(staging)]
    config.mathjax_path = MATHJAX_SCRIPT


def _script_key(script) -> tuple:
    filename = getattr(script, "filename", script) or ""  # None and "" both mean inline
    attributes = getattr(script, "attributes", {}) or {}
    return (filename, tuple(sorted((k, str(v)) for k, v in attributes.items())))


def unique_scripts(scripts: list) -> list:
    """Return ``scripts`` without repeats (same file and attributes, incl. inline
    body), in order.
    """
    seen, kept = set(), []
    for script in scripts:
        key = _script_key(script)
        if key not in seen:
            seen.add(key)
            kept.append(script)
    return kept


def drop_duplicate_scripts(app, pagename, templatename, context, doctree) -> None:
    """``html-page-context``: keep one copy of every script on the page."""
    if "script_files" in context:
        context["script_files"] = unique_scripts(list(context["script_files"]))


#: The book's own style sheet (code cells that show 88-character lines whole).
STYLE_SHEET = "rnn-book.css"


def add_style_sheet(app: Sphinx, config) -> None:
    """Serve ``book/_ext/static/`` and link the book's style sheet from every page."""
    config.html_static_path = list(config.html_static_path) + [
        str(Path(__file__).resolve().parent / "static")
    ]
    app.add_css_file(STYLE_SHEET)


def setup(app: Sphinx) -> dict:
    app.connect("config-inited", configure_mathjax)
    app.connect("config-inited", add_style_sheet)
    # After every other handler (sphinx-book-theme, mathjax, thebe) has added its
    # scripts.
    app.connect("html-page-context", drop_duplicate_scripts, priority=1000)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
