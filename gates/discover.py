"""Which files a run checks.

Inside a git repository a folder means the files git knows there: tracked, and untracked but not
ignored (what `git ls-files --cached --others --exclude-standard` lists). Outside one, the folder is
walked, skipping version-control, virtual-environment and cache folders. A file named on the
command line is always checked; `exclude` applies to what folders expand to.
"""

from __future__ import annotations

import os
import subprocess
from typing import Optional

from mergegate.hooks.config import ConfigError
from mergegate.hooks.paths import glob_match

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


def git_toplevel(directory: str) -> Optional[str]:
    """The top level of the git work tree containing `directory`, or None."""
    try:
        result = subprocess.run(
            ["git", "rev-parse", "--show-toplevel"],
            cwd=directory,
            capture_output=True,
            text=True,
            check=False,
        )
    except OSError:
        return None
    if result.returncode != 0:
        return None
    return os.path.realpath(result.stdout.strip())


def _git_files(directory: str) -> Optional[list[str]]:
    """Files git knows under `directory` (absolute), or None when it is not in a work tree."""
    try:
        result = subprocess.run(
            ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard", "--", "."],
            cwd=directory,
            capture_output=True,
            check=False,
        )
    except OSError:
        return None
    if result.returncode != 0:
        return None
    names = result.stdout.decode("utf-8", "surrogateescape").split("\0")
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


def _inside(path: str, folder: str) -> bool:
    return path == folder or path.startswith(folder.rstrip(os.sep) + os.sep)


def python_files(
    paths: list[str], root: str, exclude: list[str], repository: Optional[str] = None
) -> list[str]:
    """The Python files the arguments name, absolute, sorted, each once.

    Raises ConfigError for a path that does not exist, is neither a file nor a folder (a pipe, a
    device), or lies outside the project root or the git `repository` the run started in.
    """
    root = os.path.realpath(root)
    chosen: set[str] = set()
    for path in paths:
        if not os.path.exists(path):
            raise ConfigError(f"{path}: no such file or directory")
        real = os.path.realpath(path)
        if repository is not None and not _inside(real, repository):
            raise ConfigError(f"{path}: outside the repository {repository}")
        if not _inside(real, root):
            raise ConfigError(f"{path}: outside the project root {root}")
        if os.path.isfile(real):
            chosen.add(real)
            continue
        if not os.path.isdir(real):
            raise ConfigError(f"{path}: neither a file nor a folder")
        listed = _git_files(real)
        candidates = listed if listed is not None else _walk(real)
        for candidate in candidates:
            if not candidate.endswith(PYTHON_SUFFIXES) or not os.path.lexists(candidate):
                continue  # not Python, or deleted but still tracked
            if os.path.isdir(candidate):
                continue  # a folder named like a module (git lists a submodule so)
            relative = os.path.relpath(candidate, root).replace(os.sep, "/")
            if not any(glob_match(relative, pattern) for pattern in exclude):
                chosen.add(os.path.abspath(candidate))  # a dangling link stays, to fail loudly
    return sorted(chosen)
