"""How paths are shown and matched, the same way in every hook, the gate and every report."""

from __future__ import annotations

import os


def display(path: str, start: str | None = None) -> str:
    """`path` relative to `start` (the current directory), `/`-separated; absolute if outside."""
    start = os.path.abspath(start or os.curdir)
    absolute = os.path.abspath(path)
    if absolute == start:
        return "."
    if absolute.startswith(start.rstrip(os.sep) + os.sep):
        relative = absolute[len(start.rstrip(os.sep)) + 1 :]
    else:
        relative = absolute
    return relative.replace(os.sep, "/")


def glob_match(path: str, pattern: str) -> bool:
    """Whether a `/`-separated relative path matches a glob pattern.

    A pattern without `/` matches the file name or any folder name in the path (as .gitignore
    does); one with `/` matches the whole path, where `*` stays inside one folder and `**`
    spans any number of folders, none included.
    """
    parts = [part for part in path.split("/") if part not in ("", ".")]
    pattern = pattern.strip()
    if pattern.endswith("/"):
        pattern += "**"
    if "/" not in pattern:
        return any(_match_segment(part, pattern) for part in parts)
    pattern_parts = [part for part in pattern.split("/") if part not in ("", ".")]
    return _match_parts(parts, pattern_parts)


def _match_parts(parts: list[str], pattern: list[str]) -> bool:
    if not pattern:
        return not parts
    head = pattern[0]
    if head == "**":
        return any(_match_parts(parts[skip:], pattern[1:]) for skip in range(len(parts) + 1))
    return bool(parts) and _match_segment(parts[0], head) and _match_parts(parts[1:], pattern[1:])


def _match_segment(name: str, pattern: str) -> bool:
    """fnmatch for one path segment; `*` and `?` handled here so hooks need not load `re`."""
    if "[" in pattern:
        import fnmatch

        return fnmatch.fnmatchcase(name, pattern)
    if "*" not in pattern and "?" not in pattern:
        return name == pattern
    return _wildcard(name, 0, pattern, 0)


def _wildcard(name: str, i: int, pattern: str, j: int) -> bool:
    while j < len(pattern):
        char = pattern[j]
        if char == "*":
            rest = pattern[j + 1 :]
            if not rest:
                return True
            return any(_wildcard(name, k, pattern, j + 1) for k in range(i, len(name) + 1))
        if i >= len(name) or (char != "?" and char != name[i]):
            return False
        i += 1
        j += 1
    return i == len(name)
