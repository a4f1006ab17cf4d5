"""How paths are shown and matched, the same way in every hook, the gate and every report."""

from __future__ import annotations

import os

TYPE_CHECKING = False
if TYPE_CHECKING:  # typing costs a hook's start-up time; mypy reads this block
    from collections.abc import Callable
    from typing import Any


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
    spans any number of folders, none included. Matching takes time linear in the path for each
    star (no backtracking blow-up on patterns such as `*a*a*a*a*b`).
    """
    parts = [part for part in path.split("/") if part not in ("", ".")]
    pattern = pattern.strip()
    if pattern.endswith("/"):
        pattern += "**"
    if "/" not in pattern:
        tokens = _tokens(pattern)
        return any(_match(part, tokens) for part in parts)
    segments = [part for part in pattern.split("/") if part not in ("", ".")]
    compiled = [None if segment == "**" else _tokens(segment) for segment in segments]
    return _match_sequence(parts, compiled, lambda part, tokens: _match(part, tokens))


Token = tuple[str, object]
"""("char", c), ("any", None) for `?`, ("star", None) for `*`, ("set", (chars, negated))."""


def _tokens(pattern: str) -> list[Token]:
    """A segment pattern as tokens; a `[` without its `]` is a literal, as in fnmatch."""
    tokens: list[Token] = []
    index = 0
    while index < len(pattern):
        char = pattern[index]
        index += 1
        if char == "*":
            if not tokens or tokens[-1][0] != "star":
                tokens.append(("star", None))
        elif char == "?":
            tokens.append(("any", None))
        elif char == "[":
            first = index + 1 if pattern[index : index + 1] == "!" else index
            if pattern[first : first + 1] == "]":
                first += 1  # a `]` first in the class is a member
            closing = pattern.find("]", first)
            if closing < 0:
                tokens.append(("char", "["))
                continue
            body = pattern[index:closing]
            index = closing + 1
            negated = body.startswith("!")
            tokens.append(("set", (_class_members(body[1:] if negated else body), negated)))
        else:
            tokens.append(("char", char))
    return tokens


def _class_members(body: str) -> tuple[tuple[str, str], ...]:
    """The ranges of a `[...]` class body (a single character is a range of one)."""
    ranges = []
    index = 0
    while index < len(body):
        if index + 2 < len(body) and body[index + 1] == "-":
            ranges.append((body[index], body[index + 2]))
            index += 3
        else:
            ranges.append((body[index], body[index]))
            index += 1
    return tuple(ranges)


def _one(char: str, token: Token) -> bool:
    kind, value = token
    if kind == "any":
        return True
    if kind == "char":
        return char == value
    ranges: tuple[tuple[str, str], ...]
    negated: bool
    ranges, negated = value  # type: ignore[misc]  # a set token's value
    inside = any(low <= char <= high for low, high in ranges)
    return bool(inside != negated)


def _match(name: str, tokens: list[Token]) -> bool:
    """fnmatchcase for one segment, without `re`."""
    return _match_sequence(list(name), tokens, _one)


def _match_sequence(
    items: list[str], pattern: list[Any], matches: Callable[[str, Any], bool]
) -> bool:
    """Whether `items` match `pattern`, whose stars (`("star", None)` or None for `**`) stand for
    any run of items: greedy, going back only to the last star, so linear per star."""
    star_tokens = (("star", None), None)
    i = p = 0
    star = -1
    resume = 0
    while i < len(items):
        token = pattern[p] if p < len(pattern) else None
        step = p < len(pattern) and token not in star_tokens
        if step and matches(items[i], token):
            i += 1
            p += 1
        elif p < len(pattern) and token in star_tokens:
            star, resume = p, i
            p += 1
        elif star >= 0:
            resume += 1
            i, p = resume, star + 1
        else:
            return False
    while p < len(pattern) and pattern[p] in star_tokens:
        p += 1
    return p == len(pattern)


def relative_to(path: str, root: str) -> str:
    """`path` from `root`, `/`-separated (`..` segments when it lies outside): how `exclude`
    patterns, baseline entries and shards name a file, whatever the current directory."""
    return os.path.relpath(os.path.abspath(path), os.path.abspath(root)).replace(os.sep, "/")
