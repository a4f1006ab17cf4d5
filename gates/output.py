"""Writing what the gate produces: JSON that is always valid UTF-8, files replaced whole.

A file name that is not valid UTF-8 reaches findings as lone surrogates (Python's
`surrogateescape`); they cannot be encoded, so such a document is written with every non-ASCII
character escaped (`\\udcff`), which JSON readers accept and Python reads back to the same name.
"""

from __future__ import annotations

import json
import os
import tempfile


def json_text(document: object, indent: int | None = 2) -> str:
    """`document` as JSON text ending in a line break, non-ASCII readable where it can be."""
    text = json.dumps(document, indent=indent, ensure_ascii=False)
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        text = json.dumps(document, indent=indent, ensure_ascii=True)
    return text + "\n"


TEMPORARY_PREFIX = ".mergegate-"
"""What `write_atomically`'s temporary files are named with, next to the file they replace: one
left by a run that was killed while writing can be recognised and removed."""


def write_atomically(path: str, text: str) -> None:
    """Replace `path` with `text` in one step: a reader (or a failure half-way) never sees a
    truncated file, and an existing file is kept when writing fails."""
    folder = os.path.dirname(os.path.abspath(path))
    handle, temporary = tempfile.mkstemp(dir=folder, prefix=TEMPORARY_PREFIX, suffix=".tmp")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            stream.write(text)
        if os.path.exists(path):
            os.chmod(temporary, os.stat(path).st_mode & 0o7777)
        else:
            umask = os.umask(0)
            os.umask(umask)
            os.chmod(temporary, 0o666 & ~umask)
        os.replace(temporary, path)
    except BaseException:
        os.unlink(temporary)
        raise
