"""Edits applied to a file's text: positions to offsets, conflicts, the unified diff, and the
file's bytes read and written back in its own encoding.

Positions are a Finding's (1-based lines split as Python's tokenizer splits them, `\\r\\n`, `\\r`
or `\\n`; columns in characters); the text keeps its own line breaks, so a fix changes nothing
but what its edits say.
"""

from __future__ import annotations

import difflib
import re
from typing import Optional

from mergegate.hooks.finding import Edit, Fix

LINE_BREAK = re.compile(r"\r\n|\r|\n")
Span = tuple[int, int]
"""Character offsets into a text: start, end (not included)."""


class Text:
    """A file's text with its lines located, for turning positions into offsets."""

    __slots__ = ("text", "_starts", "_ends")

    def __init__(self, text: str) -> None:
        self.text = text
        self._starts = [0]
        self._ends = []
        for match in LINE_BREAK.finditer(text):
            self._ends.append(match.start())
            self._starts.append(match.end())
        self._ends.append(len(text))

    @property
    def lines(self) -> list[str]:
        return [self.text[start:end] for start, end in zip(self._starts, self._ends)]

    def offset(self, line: int, column: int) -> int:
        """The offset of a position; ValueError for one outside the text."""
        if not 1 <= line <= len(self._starts):
            raise ValueError(f"line {line} is outside the file ({len(self._starts)} lines)")
        start, end = self._starts[line - 1], self._ends[line - 1]
        if not 1 <= column <= end - start + 1:
            raise ValueError(f"column {column} is outside line {line}")
        return start + column - 1

    def span(self, edit: Edit) -> Span:
        start = self.offset(edit.line, edit.column)
        end = self.offset(edit.end_line, edit.end_column)
        if end < start:
            raise ValueError("an edit ends before it starts")
        return start, end

    def spans(self, fix: Fix) -> list[Span]:
        """The spans of a fix's edits, in order; ValueError when one is outside the text or two
        of them conflict."""
        spans = [self.span(edit) for edit in fix.edits]
        for index, first in enumerate(spans):
            if any(conflict(first, second) for second in spans[index + 1 :]):
                raise ValueError("two of its edits overlap")
        return spans

    def applied(self, fixes: list[Fix]) -> str:
        """The text with every edit of `fixes` made; they must not conflict."""
        changes = sorted(
            (
                (span, edit.content)
                for fix in fixes
                for span, edit in zip(self.spans(fix), fix.edits)
            ),
            key=lambda change: change[0],
            reverse=True,
        )
        text = self.text
        for (start, end), content in changes:
            text = text[:start] + content + text[end:]
        return text


def conflict(first: Span, second: Span) -> bool:
    """Whether two edits cannot both be made: their ranges overlap, an insertion falls inside the
    other's range, or both insert at one place (in which order?). Edits that only touch (one
    ends where the other starts) do not conflict."""
    (a_start, a_end), (b_start, b_end) = first, second
    if a_start == a_end and b_start == b_end:
        return a_start == b_start
    if a_start == a_end:
        return b_start < a_start < b_end
    if b_start == b_end:
        return a_start < b_start < a_end
    return a_start < b_end and b_start < a_end


def line_origins(before: str, after: str) -> list[Optional[int]]:
    """For each line of `after`, the number of the same line in `before`, or None for a line
    the edits wrote (what the changed lines since a revision follow through a fix)."""
    old, new = Text(before).lines, Text(after).lines
    origins: list[Optional[int]] = [None] * len(new)
    matcher = difflib.SequenceMatcher(None, old, new, autojunk=False)
    for tag, old_start, _, new_start, new_end in matcher.get_opcodes():
        if tag == "equal":
            for offset in range(new_end - new_start):
                origins[new_start + offset] = old_start + offset + 1
    return origins


def python_encoding(data: bytes) -> str:
    """The encoding a Python file declares or implies, as the interpreter reads it (PEP 263, a
    byte order mark, else UTF-8): what fixed text is written back in."""
    head = data[:400].split(b"\n", 2)[:2]
    if any(b"coding" in line for line in head):
        import io
        import tokenize

        encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
        return encoding
    return "utf-8-sig" if data.startswith(b"\xef\xbb\xbf") else "utf-8"


def text_encoding(data: bytes) -> str:
    """UTF-8, with its byte order mark when the file has one (the text files the checks read)."""
    return "utf-8-sig" if data.startswith(b"\xef\xbb\xbf") else "utf-8"


def unified_diff(shown: str, before: Optional[str], after: str) -> str:
    """A unified diff, as `git apply` and `patch -p1` take it; a file that did not exist is
    compared with /dev/null. Names that need it are quoted as git quotes them."""
    lines = difflib.unified_diff(
        _diff_lines(before or ""),
        _diff_lines(after),
        fromfile="/dev/null" if before is None else quoted("a/" + shown),
        tofile=quoted("b/" + shown),
    )
    return "".join(
        line if line.endswith("\n") else line + "\n\\ No newline at end of file\n" for line in lines
    )


def _diff_lines(text: str) -> list[str]:
    """Lines as diff and patch count them: ended by `\n` only (a `\r` stays in its line)."""
    parts = text.split("\n")
    return [part + "\n" for part in parts[:-1]] + ([parts[-1]] if parts[-1] else [])


_GIT_ESCAPES = {"\a": "\\a", "\b": "\\b", "\t": "\\t", "\n": "\\n", "\v": "\\v", "\f": "\\f"}
_GIT_ESCAPES.update({"\r": "\\r", '"': '\\"', "\\": "\\\\"})


def quoted(path: str) -> str:
    """A path as git writes it in a diff header: as it is, or C-quoted when it holds a quote, a
    backslash, a control character or bytes that are not text (`core.quotePath` off)."""
    if path.isprintable() and '"' not in path and "\\" not in path:
        return path
    out = []
    for char in path:
        if char in _GIT_ESCAPES:
            out.append(_GIT_ESCAPES[char])
        elif char.isprintable() and not 0xD800 <= ord(char) < 0xE000:
            out.append(char)
        else:
            for byte in char.encode("utf-8", "surrogateescape"):
                out.append(f"\\{byte:03o}")
    return '"' + "".join(out) + '"'
