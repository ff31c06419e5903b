"""Write a file so that a reader finds the old version or the new one, never a part.

Every file the book writes for later use (a stored chapter, a trained run's
record, an exported model, a data cache, a benchmark result) goes through
:func:`write_atomically`: the content is written to a temporary file in the
same folder, which is then renamed over the final name. A crash or a full
disk midway leaves the old file (or none) and no stray temporary file.

Introduced in chapter 1 (``notebooks/01_bag_of_words.ipynb``).
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Callable, Union


def write_atomically(path: Union[str, Path], write: Callable[[str], object]) -> Path:
    """Call ``write(temporary_path)``, then rename the temporary file to ``path``.

    Parameters
    ----------
    path : str or pathlib.Path
        The final file; its folder is created if missing.
    write : callable
        Writes the whole content to the path it is given (a str, with the
        final name's suffix, so that writers that check it, such as
        ``keras.Model.save``, accept it).

    Returns
    -------
    pathlib.Path
        ``path``.

    Raises
    ------
    Exception
        Whatever ``write`` raises; ``path`` is then left as it was and the
        temporary file is removed.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(
        prefix=f".{path.stem}.", suffix=path.suffix, dir=path.parent
    )
    os.close(handle)
    try:
        write(temporary)
        # mkstemp makes the file private (0600); give it the mode a plain open() would.
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(
            temporary, path.stat().st_mode & 0o777 if path.exists() else 0o666 & ~umask
        )
        os.replace(temporary, path)
    finally:
        if os.path.exists(temporary):
            os.unlink(temporary)
    return path


def write_text_atomically(path: Union[str, Path], text: str) -> Path:
    """Write ``text`` (UTF-8) to ``path`` with :func:`write_atomically`."""
    return write_atomically(
        path, lambda temporary: Path(temporary).write_text(text, encoding="utf-8")
    )
