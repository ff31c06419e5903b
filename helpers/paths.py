"""Where the book is: found from the working directory, not from where ``helpers`` is.

A chapter runs inside a checkout of the book (``notebooks/`` is its working
folder), but ``helpers`` may be installed anywhere: in editable mode beside
the chapters, or as a plain package in a Colab machine's site-packages. So
files of the book (other chapters' stored outputs, ``artifacts/``) are found
from the working directory: :func:`book_root` is the nearest folder at or
above it that holds ``_toc.yml`` and ``notebooks/``, or the folder named by
``RNN_BOOK_ROOT``.

Introduced in chapter 1 (``notebooks/01_bag_of_words.ipynb``).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Optional

#: The environment variable that names the book's folder explicitly.
ROOT_VARIABLE = "RNN_BOOK_ROOT"


def is_book_root(folder: Path) -> bool:
    """True if ``folder`` holds the book: ``_toc.yml`` and a ``notebooks/`` folder."""
    return (Path(folder) / "_toc.yml").is_file() and (
        Path(folder) / "notebooks"
    ).is_dir()


def book_root(start: Optional[Path] = None) -> Path:
    """Return the book's folder.

    Parameters
    ----------
    start : pathlib.Path, optional
        Where to start looking (by default the working directory).

    Returns
    -------
    pathlib.Path
        ``RNN_BOOK_ROOT`` if it is set, else the nearest folder at or above
        ``start`` that holds ``_toc.yml`` and ``notebooks/``.

    Raises
    ------
    FileNotFoundError
        If ``RNN_BOOK_ROOT`` names no book, or no folder above ``start`` is
        one; the message says what to do.
    """
    named = os.environ.get(ROOT_VARIABLE, "").strip()
    if named:
        if not is_book_root(Path(named)):
            raise FileNotFoundError(
                f"{ROOT_VARIABLE}={named} is not the book's folder (no _toc.yml and "
                "notebooks/ there); point it at a checkout of the book, or unset it"
            )
        return Path(named).resolve()
    here = Path(start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if is_book_root(folder):
            return folder
    raise FileNotFoundError(
        f"no checkout of the book at or above {here}: run the chapter from the "
        "book's notebooks/ folder (git clone https://github.com/rnn-book/rnn-book), "
        f"or set {ROOT_VARIABLE} to the book's folder"
    )


def notebooks_dir() -> Path:
    """Return the book's ``notebooks/`` folder (:func:`book_root`)."""
    return book_root() / "notebooks"
