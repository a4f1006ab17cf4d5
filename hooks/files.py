"""Reading a file the checks are about: a regular file, inside the tree being checked, or an
InputError that names it. Never a hang on a named pipe, never a read of a device without end,
never the text of a file a symbolic link leads to outside the repository.
"""

from __future__ import annotations

import os
import stat

from .finding import InputError

TYPE_CHECKING = False
if TYPE_CHECKING:  # typing costs start-up time; mypy reads this block, the interpreter skips it
    from collections.abc import Callable

MAX_BYTES = 256 * 1024 * 1024
"""Larger files are refused: no source or configuration file comes near it, and reading one
would only exhaust memory."""


def inside(path: str, folder: str) -> bool:
    """Whether the (real, absolute) `path` is `folder` or lies under it."""
    return path == folder or path.startswith(folder.rstrip(os.sep) + os.sep)


def repository_root(path: str) -> str | None:
    """The closest folder at or above `path` holding `.git` (a folder, or the file a worktree or
    submodule has): where configuration discovery stops. Found without running git, which may
    be missing or refuse a checkout another user owns."""
    directory = os.path.realpath(path)
    if not os.path.isdir(directory):
        directory = os.path.dirname(directory)
    while True:
        if os.path.lexists(os.path.join(directory, ".git")):
            return directory
        parent = os.path.dirname(directory)
        if parent == directory:
            return None
        directory = parent


def read_file(path: str, shown_as: str | None = None, within: str | None = None) -> bytes:
    """A regular file's bytes. A missing, unreadable or non-regular path (a folder, a pipe, a
    device, a socket), one larger than MAX_BYTES, or, when `within` is given, one whose real
    path lies outside that folder, is an InputError naming it as `shown_as`."""
    name = shown_as or path
    if within is not None and not inside(os.path.realpath(path), os.path.realpath(within)):
        raise InputError(f"{name}: a symbolic link to a file outside {within}: not read")
    try:
        # O_NONBLOCK: opening a named pipe must not wait for a writer; regular files ignore it.
        descriptor = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except FileNotFoundError:
        raise InputError(f"{name}: no such file") from None
    except IsADirectoryError:
        raise InputError(
            f"{name}: is a directory (hooks take files; `mergegate run` takes folders)"
        ) from None
    except OSError as error:
        raise InputError(f"{name}: cannot read: {error.strerror or error}") from None
    try:
        status = os.fstat(descriptor)
        if stat.S_ISDIR(status.st_mode):
            raise InputError(
                f"{name}: is a directory (hooks take files; `mergegate run` takes folders)"
            )
        if not stat.S_ISREG(status.st_mode):
            raise InputError(f"{name}: not a regular file (a pipe, device or socket): not read")
        if status.st_size > MAX_BYTES:
            raise InputError(f"{name}: larger than {MAX_BYTES // (1024 * 1024)} MiB: not read")
        chunks: list[bytes] = []
        total = 0
        while True:
            chunk = os.read(descriptor, 1 << 20)
            if not chunk:
                return b"".join(chunks)
            total += len(chunk)
            if total > MAX_BYTES:  # grew while we read it
                raise InputError(f"{name}: larger than {MAX_BYTES // (1024 * 1024)} MiB: not read")
            chunks.append(chunk)
    except OSError as error:
        raise InputError(f"{name}: cannot read: {error.strerror or error}") from None
    finally:
        os.close(descriptor)


def line_reader(within: str | None = None) -> Callable[[str, int], str]:
    """Line N of a text file, for `# noqa` and baseline keys; each file read once, as UTF-8 with
    replacements; a file that cannot be read has no lines (its reader reports why)."""
    from .source import split_lines

    cache: dict[str, list[str]] = {}

    def read_line(path: str, line: int) -> str:
        if path not in cache:
            try:
                cache[path] = split_lines(read_file(path, within=within).decode("utf-8", "replace"))
            except InputError:
                cache[path] = []
        lines = cache[path]
        return lines[line - 1] if 0 < line <= len(lines) else ""

    return read_line


def user_cache_home() -> str | None:
    """The user's cache directory, or None when there is no absolute one: `$XDG_CACHE_HOME`,
    else `~/.cache` (`~/Library/Caches` on macOS, `%LOCALAPPDATA%` on Windows)."""
    xdg = os.environ.get("XDG_CACHE_HOME", "")
    if os.path.isabs(xdg):  # a relative value is invalid per the XDG specification
        return xdg
    if os.name == "nt":
        base = os.environ.get("LOCALAPPDATA", "")
        return base if os.path.isabs(base) else None
    home = os.path.expanduser("~")
    if not os.path.isabs(home):
        return None
    import sys

    if sys.platform == "darwin":
        return os.path.join(home, "Library", "Caches")
    return os.path.join(home, ".cache")
