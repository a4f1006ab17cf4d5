"""Check one Python file: one read, one decode, at most one tree, every selected check on it.

The same function runs in the gate's own process and in its worker processes (gates/parallel.py),
so a parallel run cannot differ from a serial one. Pre-checks skip work a file cannot need: a
check whose rule's `needs` (hooks/registry.py) the text does not hold (`hooks.source.mentions`)
is not run, and when no check is left the file only gets the compiler's verdict, without a tree.
"""

from __future__ import annotations

import gc
import os

from mergegate.gates.model import Item
from mergegate.hooks.files import read_file
from mergegate.hooks.finding import Finding, InputError
from mergegate.hooks.source import (
    Source,
    decode_source,
    mentions,
    parse_text,
    run_checks,
    syntax_error,
)

TYPE_CHECKING = False
if TYPE_CHECKING:  # typing costs a hook's start-up time; mypy reads this block
    from typing import Callable, Optional

    CheckFunction = Callable[[Source, dict[str, object]], list[Finding]]
    PythonCheck = tuple[CheckFunction, dict[str, object], Optional[tuple[str, ...]]]
"""A selected check, its options, and its rule's `needs` (None: it may report on any file)."""

Stat = tuple[int, int, int, int]
"""What the cache compares to tell a file unchanged without reading it: size, mtime and ctime in
nanoseconds, inode."""


class FileResult:
    """What checking one file gave: its items, or an error (the run then exits 2); and, when the
    cache asked for them, the content digest and the stat taken before the read.

    `items` is None (and `error` too) when the digest equals the one the cache already holds
    results for: the file was not checked again.
    """

    __slots__ = ("items", "error", "digest", "stat")

    def __init__(
        self,
        items: Optional[list[Item]] = None,
        error: Optional[str] = None,
        digest: Optional[str] = None,
        stat: Optional[Stat] = None,
    ) -> None:
        self.items = items
        self.error = error
        self.digest = digest
        self.stat = stat


class RuleCheck:
    """A rule's `check`, imported on its first call: a run whose files no rule needs imports no
    rule module, nor the syntax tree machinery they bring. Picklable, by the rule's id, for the
    worker processes."""

    __slots__ = ("rule_id",)

    def __init__(self, rule_id: str) -> None:
        self.rule_id = rule_id

    def __call__(self, source: Source, options: dict[str, object]) -> list[Finding]:
        from mergegate.hooks.registry import RULES

        found: list[Finding] = RULES[self.rule_id].implementation().check(source, options)
        return found

    def __getstate__(self) -> str:
        return self.rule_id

    def __setstate__(self, state: str) -> None:
        self.rule_id = state


def file_stat(path: str) -> Optional[Stat]:
    """The file's stat key, or None when it cannot be taken (the read then says why)."""
    try:
        result = os.stat(path)
    except OSError:
        return None
    return (result.st_size, result.st_mtime_ns, result.st_ctime_ns, result.st_ino)


def digest_of(data: bytes) -> str:
    import hashlib

    return hashlib.blake2b(data, digest_size=16).hexdigest()


def needed(checks: list[PythonCheck], text: str) -> list[tuple[CheckFunction, dict[str, object]]]:
    """The checks that can report on `text`: those whose `needs` it holds."""
    return [(check, options) for check, options, needs in checks if mentions(text, needs)]


def check_data(
    shown_as: str, data: bytes, checks: list[PythonCheck], relative: Optional[str] = None
) -> list[Item]:
    """Every finding of the checks on a file's bytes, with the line each starts on; `relative`
    is its path from the project root (Source.relative).

    The cyclic garbage collector is paused meanwhile: a syntax tree is hundreds of thousands of
    objects without a cycle among them (reference counting frees it), and the collections their
    creation triggers cost about 15% of a parse (measured on the standard library: 5.3 s -> 4.5 s).
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        return _check_text(shown_as, data, checks, relative)
    finally:
        if enabled:
            gc.enable()


def _check_text(
    shown_as: str, data: bytes, checks: list[PythonCheck], relative: Optional[str]
) -> list[Item]:
    text = decode_source(shown_as, data)
    if isinstance(text, Finding):
        return [Item(text)]
    selected = needed(checks, text)
    if not selected:
        error = syntax_error(shown_as, text)
        return [] if error is None else [Item(error)]
    parsed = parse_text(shown_as, text, relative)
    if isinstance(parsed, Finding):
        return [Item(parsed)]
    return check_source(parsed, selected)


def check_source(
    source: Source, checks: list[tuple[CheckFunction, dict[str, object]]]
) -> list[Item]:
    """The findings of `checks` on a parsed file, with the line each starts on."""
    return [Item(finding, source.line(finding.line)) for finding in run_checks(source, checks)]


def check_path(
    path: str,
    shown_as: str,
    relative: str,
    checks: list[PythonCheck],
    caching: bool,
    known: Optional[str],
) -> FileResult:
    """Check one file (`relative`: its path from its project's root), never raising: a read
    error or a bug in a check becomes an error.

    With `caching`, the result carries the digest and the stat; a digest equal to `known` (the
    cache's) skips the checks.
    """
    stat = file_stat(path) if caching else None  # before the read: a later write changes it
    try:
        data = read_file(path, shown_as)
        digest = digest_of(data) if caching else None
        if digest is not None and digest == known:
            return FileResult(digest=digest, stat=stat)
        items = check_data(shown_as, data, checks, relative)
        return FileResult(items, digest=digest, stat=stat)
    except InputError as error:
        return FileResult(error=str(error))
    except Exception as error:  # a bug in a check must not pass as a clean file
        return FileResult(
            error=f"{shown_as}: internal error in a check: {type(error).__name__}: {error}"
        )
