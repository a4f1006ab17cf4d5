"""Which files a run looks at.

Inside a git repository a folder means the files git knows there: tracked, and untracked but not
ignored (what `git ls-files --cached --others --exclude-standard` lists). Outside one (or when git
is missing or refuses the checkout), the folder is walked, skipping version-control,
virtual-environment and cache folders, and a note says that `.gitignore` was not applied. Only
regular files inside the repository are listed: a symbolic link that leads out of it, to a pipe or
to a device is an error, never read. Which listed files are Python and which project judges them
is the pipeline's business.
"""

from __future__ import annotations

import os
import stat

from mergegate.hooks.config import ConfigError
from mergegate.hooks.files import inside

PYTHON_SUFFIXES = (".py", ".pyi")

SKIPPED_FOLDERS = frozenset(
    {
        ".git",
        ".hg",
        ".svn",
        ".tox",
        ".nox",
        ".venv",
        "venv",
        "__pycache__",
        "node_modules",
        ".mypy_cache",
        ".pytest_cache",
        ".ruff_cache",
        ".mergegate_cache",
        "build",
        "dist",
    }
)
"""Folders never walked outside git (inside git, .gitignore decides)."""

NO_GIT_NOTE = (
    "{}: not listed by git (not a repository, or git is missing or refuses it): the folder is"
    " walked and .gitignore is not applied"
)


def _git(directory: str, *args: str) -> bytes | None:
    """git's standard output for `args` run in `directory`, or None when git is missing or
    fails (not a work tree, a repository it refuses)."""
    import subprocess

    try:
        result = subprocess.run(["git", *args], cwd=directory, capture_output=True, check=False)
    except OSError:
        return None
    return result.stdout if result.returncode == 0 else None


def git_toplevel(directory: str) -> str | None:
    """The top level of the git work tree containing `directory`, or None."""
    output = _git(directory, "rev-parse", "--show-toplevel")
    return None if output is None else os.path.realpath(os.fsdecode(output.rstrip(b"\n")))


def _git_files(directory: str) -> list[str] | None:
    """Files git knows under `directory` (absolute), or None when it is not in a work tree."""
    output = _git(
        directory, "ls-files", "-z", "--cached", "--others", "--exclude-standard", "--", "."
    )
    if output is None:
        return None
    names = output.decode("utf-8", "surrogateescape").split("\0")
    return [os.path.join(directory, name) for name in names if name]


def _walk(directory: str) -> list[str]:
    found: list[str] = []
    for folder, subfolders, files in os.walk(directory):
        subfolders[:] = sorted(
            name
            for name in subfolders
            if name not in SKIPPED_FOLDERS and not name.endswith(".egg-info")
        )
        found.extend(os.path.join(folder, name) for name in files)
    return found


class Listing:
    """What the paths of a run name: files named one by one, files found in named folders
    (absolute, sorted, each once), the folders, and notes for the user."""

    __slots__ = ("named", "found", "folders", "notes")

    def __init__(self) -> None:
        self.named: list[str] = []
        self.found: list[str] = []
        self.folders: list[str] = []
        self.notes: list[str] = []


def regular_file_problem(path: str, top: str) -> str | None:
    """Why `path` (listed in a folder) must not be read, or None: it leads out of `top`, or it
    is not a regular file. A dangling link is not a problem here: reading it fails loudly."""
    real = os.path.realpath(path)
    if not inside(real, top):
        return "a symbolic link to a file outside the repository"
    try:
        mode = os.stat(path).st_mode
    except OSError:
        return None
    if stat.S_ISDIR(mode):
        return "a folder"  # git lists a submodule (or a folder named like a module) so
    if not stat.S_ISREG(mode):
        return "not a regular file (a pipe, device or socket)"
    return None


def expand(paths: list[str], cwd: str, top: str, wanted: tuple[str, ...] | None) -> Listing:
    """The files `paths` (relative to `cwd`) name, inside `top` (the repository, else the current
    directory). Files found in folders are kept when their name ends with one of `wanted` (all
    when None) or is `pyproject.toml`.

    ConfigError for a path that does not exist, is neither a file nor a folder (a pipe, a device),
    or lies outside `top`; and for a listed file that is not a regular file inside `top`."""
    listing = Listing()
    named: dict[str, None] = {}
    found: dict[str, None] = {}
    for path in paths:
        given = os.path.join(cwd, path)
        if not os.path.lexists(given):
            raise ConfigError(f"{path}: no such file or directory")
        real = os.path.realpath(given)
        if not inside(real, top):
            raise ConfigError(f"{path}: outside the repository {top}")
        if os.path.isdir(real):
            listing.folders.append(real)
            listed = _git_files(real)
            if listed is None:
                listing.notes.append(NO_GIT_NOTE.format(path))
                listed = _walk(real)
            for candidate in listed:
                name = os.path.basename(candidate)
                if wanted is not None and not name.endswith(wanted) and name != "pyproject.toml":
                    continue
                if not os.path.lexists(candidate):
                    continue  # deleted but still tracked
                problem = regular_file_problem(candidate, top)
                if problem == "a folder":
                    continue
                if problem is not None:
                    shown = os.path.relpath(candidate, cwd)
                    raise ConfigError(f"{shown}: {problem}: not read (exclude it, or remove it)")
                found[os.path.abspath(candidate)] = None
            continue
        try:
            mode = os.stat(real).st_mode
        except OSError as error:
            raise ConfigError(f"{path}: cannot read: {error.strerror or error}") from None
        if not stat.S_ISREG(mode):
            raise ConfigError(f"{path}: neither a file nor a folder")
        named[os.path.abspath(given)] = None
    listing.named = sorted(named)
    listing.found = sorted(set(found) - set(named))
    return listing


def is_python(path: str, named: bool) -> bool:
    """A Python file: its suffix; a file named on the command line without a suffix is Python
    when its first line is a Python shebang (as pre-commit's `types: [python]` passes it)."""
    if path.endswith(PYTHON_SUFFIXES):
        return True
    if not named or "." in os.path.basename(path):
        return False
    try:
        with open(path, "rb") as handle:
            first = handle.readline(256)
    except OSError:
        return False
    return first.startswith(b"#!") and b"python" in first
