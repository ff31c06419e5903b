"""Open every page of the built book in headless Chromium and check what a reader gets.

The test builds the HTML it checks, with the offline MathJax copy, into
``_build/browser/`` (beside the published build in ``_build/html``): on
first use, and again whenever a source of the book is newer than the build.
It needs MathJax from npm (``npm ci``) and Chromium with its driver (Debian:
``apt-get install -y chromium chromium-driver``); ``make test`` installs both
where it can, and without them the test skips loudly with the command that
installs them. Pages are served from 127.0.0.1 on a free port. For every page
it asserts:

* no console errors (browser log level SEVERE);
* every ``<img>`` loaded (``naturalWidth > 0``);
* on pages with math: MathJax rendered it (``mjx-container``) and no raw ``$$`` is left;
* every internal link points at a file that exists in the build;
* on chapter pages: the Colab and Binder launch links point at branch ``main``;
* no code cell needs a horizontal scroll bar at a 1,280-pixel-wide window.

A screenshot of each page goes to ``_build/screenshots/`` and the counts to
``_build/screenshots/report.json``.
"""

from __future__ import annotations

import base64
import functools
import http.server
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest

ROOT = Path(__file__).resolve().parent.parent
OUTPUT = ROOT / "_build" / "browser"
HTML = OUTPUT / "_build" / "html"
SCREENSHOTS = ROOT / "_build" / "screenshots"
CHROMIUM, CHROMEDRIVER = Path("/usr/bin/chromium"), Path("/usr/bin/chromedriver")
INSTALL = "apt-get update && apt-get install -y chromium chromium-driver"
MATHJAX = ROOT / "node_modules" / "mathjax" / "es5" / "tex-mml-chtml.js"
BUILD = "npm ci && BOOK_OFFLINE_MATHJAX=1 jupyter-book build . -W -n --keep-going --path-output _build/browser"
#: What the HTML is made from: a build older than any of these is made again.
SOURCES = (
    "_config.yml",
    "_toc.yml",
    "references.bib",
    "package-lock.json",
    "notebooks/*.ipynb",
    "book/**/*",
)
REPOSITORY, BRANCH = "rnn-book/rnn-book", "main"
SKIP_DIRS = {
    "_static",
    "_sources",
    "_images",
    "_sphinx_design_static",
    "_panels_static",
}
#: Assertions made, by kind (written to report.json).
COUNTS: dict = {}


def _count(kind: str, n: int = 1) -> None:
    COUNTS[kind] = COUNTS.get(kind, 0) + n


def built_pages() -> list:
    """Every HTML page of the build (not the theme's static files)."""
    if not HTML.is_dir():
        return []
    return sorted(
        p.relative_to(HTML).as_posix()
        for p in HTML.rglob("*.html")
        if not (set(p.relative_to(HTML).parts[:-1]) & SKIP_DIRS)
    )


def _newest_source() -> float:
    return max(
        p.stat().st_mtime
        for pattern in SOURCES
        for p in ROOT.glob(pattern)
        if p.is_file()
    )


def offline_build_problem() -> str | None:
    """Build the offline HTML if it is missing or stale; return why it cannot be, or ``None``.

    Nothing is built where the browser test would skip anyway (no Chromium).
    """
    if not (CHROMIUM.exists() and CHROMEDRIVER.exists()):
        return f"Chromium or chromedriver missing. Install: {INSTALL}"
    index = HTML / "index.html"
    if index.is_file() and index.stat().st_mtime >= _newest_source():
        return None
    if not MATHJAX.is_file():
        return "MathJax for the offline HTML missing. Install: npm ci (needs Node.js)"
    book = Path(sys.executable).parent / "jupyter-book"
    command = [
        str(book) if book.exists() else "jupyter-book",
        "build",
        ".",
        "-W",
        "-n",
        "--keep-going",
        "--path-output",
        str(OUTPUT),
    ]
    print(
        f"\nbuilding the offline HTML for the browser test: {' '.join(command)}",
        flush=True,
    )
    done = subprocess.run(
        command,
        cwd=ROOT,
        env=dict(os.environ, BOOK_OFFLINE_MATHJAX="1"),
        capture_output=True,
        text=True,
    )
    if done.returncode != 0:
        pytest.fail(
            f"the offline build failed ({' '.join(command)}):\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}",
            pytrace=False,
        )
    index.touch()
    return None


BUILD_PROBLEM = offline_build_problem()
PAGES = built_pages()


def test_built_html_exists():
    if BUILD_PROBLEM:
        pytest.skip(f"BROWSER TEST NOT RUN: {BUILD_PROBLEM}")
    assert (HTML / "index.html").is_file(), (
        f"{HTML} is missing: build the book first: {BUILD}"
    )
    assert PAGES, f"no pages in {HTML}: build the book first: {BUILD}"


def test_build_uses_offline_mathjax():
    """The browser test must not need a network: MathJax is served by the book itself."""
    if BUILD_PROBLEM:
        pytest.skip(f"BROWSER TEST NOT RUN: {BUILD_PROBLEM}")
    assert (HTML / "_static" / "mathjax" / "tex-mml-chtml.js").is_file(), (
        f"{HTML} was built with the MathJax CDN; rebuild with: {BUILD}"
    )
    assert (
        HTML / "_static" / "mathjax" / "output" / "chtml" / "fonts" / "woff-v2"
    ).is_dir()
    notation = (HTML / "book" / "notation.html").read_text(
        encoding="utf-8"
    )  # a page with math
    assert 'src="../_static/mathjax/tex-mml-chtml.js' in notation, (
        f"the pages load MathJax from the CDN (last build without BOOK_OFFLINE_MATHJAX=1); rebuild with: {BUILD}"
    )
    assert "cdn.jsdelivr.net/npm/mathjax" not in notation


def test_every_toc_page_was_built():
    import yaml

    if BUILD_PROBLEM:
        pytest.skip(f"BROWSER TEST NOT RUN: {BUILD_PROBLEM}")
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text(encoding="utf-8"))
    files = [toc["root"]] + [
        c["file"] for part in toc.get("parts", []) for c in part.get("chapters", [])
    ]
    missing = [f for f in files if f + ".html" not in PAGES]
    assert not missing, f"pages in _toc.yml without HTML (rebuild: {BUILD}): {missing}"


def _extension():
    import importlib
    import sys

    sys.path.insert(0, str(ROOT / "book" / "_ext"))
    try:
        return importlib.import_module("rnn_book_html")
    finally:
        sys.path.pop(0)


def test_extension_drops_duplicate_inline_scripts():
    """The THEBE_JS_URL fix: one inline script registered as None and as '' is kept once."""
    from sphinx.builders.html._assets import _JavaScript

    ext = _extension()
    body = 'const THEBE_JS_URL = "x"'
    scripts = [
        _JavaScript("_static/a.js"),
        _JavaScript(None, body=body),
        _JavaScript("_static/b.js"),
        _JavaScript("", body=body),
        _JavaScript("_static/a.js"),
        _JavaScript("", body="other"),
    ]
    kept = ext.unique_scripts(scripts)
    assert [getattr(s, "filename", s) for s in kept] == [
        "_static/a.js",
        None,
        "_static/b.js",
        "",
    ]
    assert sum(body in str(getattr(s, "attributes", {})) for s in kept) == 1


def test_extension_offline_mathjax_switch(tmp_path, monkeypatch):
    from sphinx.errors import ExtensionError

    ext = _extension()
    monkeypatch.delenv(ext.OFFLINE_VARIABLE, raising=False)
    assert not ext.offline_mathjax_wanted()
    monkeypatch.setenv(ext.OFFLINE_VARIABLE, "1")
    assert ext.offline_mathjax_wanted()
    with pytest.raises(ExtensionError, match="npm ci"):
        ext.stage_offline_mathjax(tmp_path)  # no node_modules here
    es5 = tmp_path / "node_modules" / "mathjax" / "es5"
    (es5 / "output" / "chtml" / "fonts" / "woff-v2").mkdir(parents=True)
    (
        es5 / "output" / "chtml" / "fonts" / "woff-v2" / "MathJax_Main-Regular.woff"
    ).write_bytes(b"w")
    (es5 / "tex-mml-chtml.js").write_text("// mathjax")
    staged = ext.stage_offline_mathjax(tmp_path)
    assert (staged / "_static" / "mathjax" / "tex-mml-chtml.js").is_file()
    assert (
        staged / "_static" / "mathjax" / "output" / "chtml" / "fonts" / "woff-v2"
    ).is_dir()


# --------------------------------------------------------------------------- #
# Server and browser
# --------------------------------------------------------------------------- #
class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):  # keep pytest output clean
        pass


@pytest.fixture(scope="module")
def base_url():
    if not HTML.is_dir():
        pytest.fail(f"{HTML} is missing: build the book first: {BUILD}")
    handler = functools.partial(_QuietHandler, directory=str(HTML))
    server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), handler
    )  # port 0: a free port
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="module")
def browser():
    if BUILD_PROBLEM:
        pytest.skip(f"BROWSER TEST NOT RUN: {BUILD_PROBLEM}")
    try:
        from selenium import webdriver
        from selenium.webdriver.chrome.service import Service
    except ImportError:
        pytest.skip(
            "BROWSER TEST NOT RUN: selenium missing. Install: pip install -r requirements.txt"
        )
    os.environ["SE_OFFLINE"] = "true"  # Selenium Manager must never download anything
    os.environ["SE_AVOID_STATS"] = "true"
    profile = tempfile.mkdtemp(prefix="rnn-book-chromium-")
    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for flag in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-dev-shm-usage",
        "--window-size=1280,1000",
        f"--user-data-dir={profile}",
    ):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(str(CHROMEDRIVER)), options=options)
    driver.set_page_load_timeout(60)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    yield driver
    driver.quit()
    shutil.rmtree(profile, ignore_errors=True)
    (SCREENSHOTS / "report.json").write_text(
        json.dumps(
            {"pages": len(PAGES), "assertions": COUNTS, "total": sum(COUNTS.values())},
            indent=2,
        )
    )
    print(f"\nbrowser test: {len(PAGES)} pages, assertions {COUNTS}")


def _wait(predicate, timeout=30.0, step=0.2):
    end = time.monotonic() + timeout
    while True:
        value = predicate()
        if value or time.monotonic() > end:
            return value
        time.sleep(step)


def _screenshot(driver, page: str) -> Path:
    """A full-page PNG (capped at 12,000 px high)."""
    height = min(
        int(driver.execute_script("return document.documentElement.scrollHeight")),
        12000,
    )
    shot = driver.execute_cdp_cmd(
        "Page.captureScreenshot",
        {
            "format": "png",
            "captureBeyondViewport": True,
            "clip": {"x": 0, "y": 0, "width": 1280, "height": height, "scale": 1},
        },
    )
    path = SCREENSHOTS / (page.replace("/", "__").removesuffix(".html") + ".png")
    path.write_bytes(base64.b64decode(shot["data"]))
    return path


def internal_target(href: str, base: str):
    """The file in ``_build/html`` that an absolute in-site URL names (None if external)."""
    if not href.startswith(base):
        return None
    path = unquote(urlsplit(href).path).lstrip("/")
    if path == "" or path.endswith("/"):
        path += "index.html"
    return HTML / path


# --------------------------------------------------------------------------- #
# One test per page
# --------------------------------------------------------------------------- #
@pytest.mark.parametrize("page", PAGES)
def test_page_in_browser(page, base_url, browser):
    source = (HTML / page).read_text(encoding="utf-8")
    browser.get_log("browser")  # drop messages of the previous page
    browser.get(base_url + page)
    _wait(lambda: browser.execute_script("return document.readyState") == "complete")
    problems = []

    has_math = 'class="math' in source
    if has_math:
        rendered = _wait(
            lambda: browser.execute_script(
                "return document.querySelectorAll('mjx-container').length"
            )
        )
        _count("math rendered (mjx-container)")
        if not rendered:
            problems.append(
                "math on the page but no mjx-container: MathJax did not render"
            )
    raw = browser.execute_script("""
        const body = document.body.cloneNode(true);
        body.querySelectorAll('pre, code, script, style, textarea').forEach(e => e.remove());
        return body.textContent.includes('$$');""")
    _count("no raw $$")
    if raw:
        problems.append("raw $$ left in the page text")

    images = browser.execute_script("""
        const imgs = Array.from(document.images);
        imgs.forEach(i => { i.loading = 'eager'; i.scrollIntoView(); });
        return imgs.length;""")
    if images:
        _wait(
            lambda: browser.execute_script(
                "return Array.from(document.images).every(i => i.complete)"
            )
        )
        broken = browser.execute_script(
            "return Array.from(document.images).filter(i => !(i.naturalWidth > 0)).map(i => i.src)"
        )
        _count("images loaded", images)
        if broken:
            problems.append(f"images not loaded: {broken}")
    browser.execute_script("window.scrollTo(0, 0)")

    hrefs = browser.execute_script(
        "return Array.from(document.querySelectorAll('a[href]')).map(a => a.href)"
    )
    missing = sorted(
        {
            h
            for h in hrefs
            if (t := internal_target(h, base_url)) is not None and not t.is_file()
        }
    )
    _count(
        "internal links resolve",
        sum(internal_target(h, base_url) is not None for h in hrefs),
    )
    if missing:
        problems.append(f"internal links to missing files: {missing[:10]}")

    if page.startswith("notebooks/"):
        notebook = page.removesuffix(".html") + ".ipynb"
        colab = f"https://colab.research.google.com/github/{REPOSITORY}/blob/{BRANCH}/{notebook}"
        binder = (
            f"https://mybinder.org/v2/gh/{REPOSITORY}/{BRANCH}?urlpath=tree/{notebook}"
        )
        launch = [
            h for h in hrefs if "colab.research.google.com" in h or "mybinder.org" in h
        ]
        _count("launch links (Colab, Binder)", 2)
        if colab not in launch:
            problems.append(f"no Colab link {colab}; launch links: {launch}")
        if binder not in launch:
            problems.append(f"no Binder link {binder}; launch links: {launch}")

    if page.startswith("notebooks/"):
        wide = browser.execute_script("""
            return Array.from(document.querySelectorAll('div.cell_input pre'))
                .filter(e => e.scrollWidth > e.clientWidth + 1)
                .map(e => e.textContent.split('\\n').reduce((a, b) => a.length > b.length ? a : b));""")
        _count("code cells without a horizontal scroll bar")
        if wide:
            problems.append(
                f"{len(wide)} code cells scroll sideways at 1,280 px; longest lines: {wide[:3]}"
            )

    errors = [
        entry for entry in browser.get_log("browser") if entry.get("level") == "SEVERE"
    ]
    _count("no console errors")
    if errors:
        problems.append(f"console errors: {[e.get('message') for e in errors][:5]}")

    shot = _screenshot(browser, page)
    _count("screenshots saved")
    assert shot.stat().st_size > 0
    assert not problems, f"{page}:\n  " + "\n  ".join(problems)
