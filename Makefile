# The README's two commands. Each creates the virtual environment .venv on first use,
# installs what it needs, and is safe to run again (it reinstalls only when a
# requirements file changed).
#
#   make book   install everything and build the HTML (_build/html/index.html)
#   make test   install everything and run the tests (pytest builds the HTML it checks)
#
# Where a tool is missing it says what it skips and how to install it: without
# Node.js there is no offline MathJax and the browser test skips; without Chromium
# (installed here with apt-get when run as root) the browser test skips.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed
CHROMIUM_INSTALL := apt-get update && apt-get install -y chromium chromium-driver

.PHONY: book test mathjax chromium

book: $(INSTALLED)
	$(BIN)/jupyter-book build . -W -n --keep-going
	@test -f _build/html/index.html
	@echo "The book is built: $(CURDIR)/_build/html/index.html"

test: $(INSTALLED) mathjax chromium
	$(BIN)/python -m pytest

$(INSTALLED): requirements.txt requirements-dev.txt pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -r requirements.txt -r requirements-dev.txt
	@touch $@

mathjax:
	@if [ -f node_modules/mathjax/es5/tex-mml-chtml.js ] && [ node_modules/.package-lock.json -nt package-lock.json ]; then \
	  echo "MathJax 3.2.2 for the offline HTML: installed"; \
	elif command -v npm >/dev/null 2>&1; then \
	  npm ci --no-audit --no-fund; \
	else \
	  echo "SKIPPED: MathJax for the offline HTML (no npm: install Node.js, then run make again)."; \
	  echo "         tests/test_browser.py will skip."; \
	fi

chromium:
	@if [ -x /usr/bin/chromium ] && [ -x /usr/bin/chromedriver ]; then \
	  echo "Chromium for the browser test: installed"; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver; \
	else \
	  echo "SKIPPED: Chromium for the browser test (install: sudo $(CHROMIUM_INSTALL))."; \
	  echo "         tests/test_browser.py will skip."; \
	fi
