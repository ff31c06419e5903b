"""Repository-wide pytest set-up.

* Chapters are re-executed by nbval in quick mode unless BOOK_MODE is set
  (an instructor may run ``BOOK_MODE=full pytest`` to check the full book).
* TensorFlow writes C++ log lines to stderr; they are never compared
  (nbval issue #88): only cells tagged ``nbval-check-output`` are compared,
  and only their stdout and results.
"""

import os

os.environ.setdefault("BOOK_MODE", "quick")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")


def pytest_collectstart(collector):
    """Skip stderr when nbval compares a notebook's outputs."""
    if (
        getattr(collector, "fspath", None) is not None
        and collector.fspath.ext == ".ipynb"
    ):
        collector.skip_compare += ("stderr",)
