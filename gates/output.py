"""Writing what the gate produces: JSON that is always valid UTF-8, files replaced whole, reports
written where the user points them.

A file name that is not valid UTF-8 reaches findings as lone surrogates (Python's
`surrogateescape`); they cannot be encoded, so such a document is written with every non-ASCII
character escaped (`\\udcff`), which JSON readers accept and Python reads back to the same name.
"""

from __future__ import annotations

import errno
import json
import os
import stat
import sys
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


def write_atomically(path: str, text: str | bytes) -> None:
    """Replace `path` with `text` (UTF-8), or with bytes as they are, in one step: a reader (or a
    failure half-way) never sees a truncated file, and an existing file is kept when writing
    fails."""
    folder = os.path.dirname(os.path.abspath(path))
    handle, temporary = tempfile.mkstemp(dir=folder, prefix=TEMPORARY_PREFIX, suffix=".tmp")
    try:
        if isinstance(text, bytes):
            with os.fdopen(handle, "wb") as binary:
                binary.write(text)
        else:
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


class UnsafePath(OSError):
    """A report path that leads through a symbolic link inside the repository."""


def write_report(path: str, text: str, repository: str) -> None:
    """Write a report to `path`, the `FILE` of `--format FORMAT:FILE`.

    A regular file, or a new path, is replaced in one step (`write_atomically`): at the link's
    target when `path` is a symbolic link, which stays. Anything else is written through, never
    replaced: a device (`/dev/null`, even as root), a named pipe, a socket, and stdout itself
    (`/dev/stdout`, or any name of the file stdout goes to), which gets the report after what was
    already printed. A symbolic link inside `repository`, at `path` or on its way there, is refused
    (`UnsafePath`): the tree may come from a pull request, which could point it at any file the
    job can write, such as a startup file another step runs.
    """
    link = _link_in(path, repository)
    if link is not None:
        raise UnsafePath(
            f"{path}: not written: {link} is a symbolic link inside the repository, which the"
            " change under review can point anywhere; write the report outside the repository,"
            " or to where the link points"
        )
    try:
        status: os.stat_result | None = os.stat(path)
    except FileNotFoundError:
        status = None
    if status is not None and _is_stdout(status):
        sys.stdout.write(text)
        sys.stdout.flush()
    elif status is not None and stat.S_ISDIR(status.st_mode):
        raise IsADirectoryError(errno.EISDIR, "is a folder, not a file", path)
    elif status is not None and not stat.S_ISREG(status.st_mode):
        sys.stdout.flush()
        with open(path, "w", encoding="utf-8") as stream:
            stream.write(text)
    else:
        target = os.path.realpath(path)
        if not os.path.isdir(os.path.dirname(target)):
            raise FileNotFoundError(errno.ENOENT, "no such folder", os.path.dirname(target))
        write_atomically(target, text)


def _is_stdout(status: os.stat_result) -> bool:
    try:
        return os.path.samestat(status, os.fstat(sys.stdout.fileno()))
    except (OSError, ValueError):  # stdout closed, or not a file (captured)
        return False


def _link_in(path: str, repository: str) -> str | None:
    """The first symbolic link on the way to `path` (as written, `..` included) that lies inside
    `repository`; links outside it (`/dev/stdout`, the user's own) are followed."""
    tree = os.path.realpath(repository)
    parts = path.split(os.sep)
    for end in range(1, len(parts) + 1):
        prefix = os.sep.join(parts[:end])
        if not prefix or not os.path.islink(prefix):
            continue
        folder = os.path.realpath(os.path.dirname(prefix) or os.curdir)
        where = os.path.join(folder, os.path.basename(prefix))
        if where == tree or where.startswith(tree.rstrip(os.sep) + os.sep):
            return prefix
    return None
