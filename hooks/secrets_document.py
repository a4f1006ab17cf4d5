"""The secrets document: which secrets a Markdown file names, where, and in which style.

A reader sees an entry where a name starts a heading (ATX or setext), a list item, or a line that
`:`, a dash or its end follows, and in a table's name column; a name inside prose is a mention,
not an entry. A code span holding just a name (`` `NPM_TOKEN` ``) is a name in those places
whatever its case; a bare word only when it is written as a secret's name (`_written_as_name`),
so that `## Release`, `NOTE:` or a list of plain words name nothing. Fenced code blocks and HTML
comments name nothing.

Each entry knows its style (a table row, a list item, a heading, a line of its own) and its block
(the lines it spans: a heading with its section, a list item with its continuation lines), and the
document knows the style its entries use: what writing or removing an entry in the document's own
manner needs. Imported when a check reads a document, so `re` costs nothing at a hook's start.
"""

from __future__ import annotations

import re

from .source import split_lines

TYPE_CHECKING = False
if TYPE_CHECKING:  # typing costs start-up time; mypy reads this block, the interpreter skips it
    from collections.abc import Collection

    Name = tuple[str, int, int]  # the name, its start and end index in its line

TABLE, LIST, HEADING, LINE = "table", "list", "heading", "line"
"""Entry styles: a table row, a list item, a heading, a line of its own."""

NAME_HEADERS = frozenset(
    ("name", "names", "secret", "secrets", "secret name", "secret names", "variable", "variables")
)
"""Table headings (any case, markup left out) of the column that names the secrets. A table
without such a column names them in its first column."""

_IDENTIFIER = r"[A-Za-z_][A-Za-z0-9_]*"
_CODE_SPAN = re.compile(rf"[*_]{{0,2}}`(?P<name>{_IDENTIFIER})`[*_]{{0,2}}")
_BARE_NAME = re.compile(
    # in capitals, first a letter, `\_` read as `_`; optionally emphasised; a whole word
    r"(?P<open>\*\*|__|\*|_|)(?P<name>[A-Z](?:[A-Z0-9_]|\\_)*)(?P=open)(?![\w$@=/'\"`-]|\.\w)"
)
_BARE_CELL = re.compile(rf"[ \t]*\*{{0,2}}(?P<name>{_IDENTIFIER})\*{{0,2}}[ \t]*$")
_JOINER = re.compile(r"\s*(?:,|/|&|\band\b|\bor\b)\s*")
_HEADING = re.compile(r" {0,3}(?P<level>#{1,6})(?:[ \t]+|$)")
_SETEXT_UNDERLINE = re.compile(r" {0,3}(?:=+|-+)[ \t]*$")
_LIST_ITEM = re.compile(r"(?P<marker>[ \t]*(?:[-*+]|[0-9]{1,9}[.)])[ \t]+)(?:\[[ xX]\][ \t]+)?")
_LINE_START = re.compile(r" {0,3}")
_SEPARATOR = re.compile(r"[ \t]*(?:[:\-\u2013\u2014]|$)")
_DELIMITER_ROW = re.compile(r"[ \t]*\|?[ \t]*:?-+:?[ \t]*(?:\|[ \t]*:?-+:?[ \t]*)*\|?\s*$")
_FENCE = re.compile(r" {0,3}(`{3,}|~{3,})")
_HTML_COMMENT = re.compile(r"<!--.*?(?:-->|\Z)", re.DOTALL)

_BLANK, _CODE, _UNDERLINE, _TEXT = "blank", "code", "underline", "text"
"""Line kinds besides the entry styles (a table's lines, a heading, a list item's first line)."""


class Entry:
    """A secret the document names: the name as written, where (1-based line, column and end
    column of the name), and the style of its entry."""

    __slots__ = ("name", "line", "column", "end_column", "style")

    def __init__(self, name: str, line: int, column: int, end_column: int, style: str) -> None:
        self.name = name
        self.line = line
        self.column = column
        self.end_column = end_column
        self.style = style


class Document:
    """The entries of a secrets document, in document order, and the shape of its lines."""

    __slots__ = ("entries", "_lines", "_kinds", "_levels")

    def __init__(
        self, entries: list[Entry], lines: list[str], kinds: list[str], levels: list[int]
    ) -> None:
        self.entries = entries
        self._lines = lines
        self._kinds = kinds  # each line's kind: an entry style or a kind of other line
        self._levels = levels  # a heading's level, a list item's content column

    @property
    def style(self) -> str | None:
        """The style most entries use (of equals, the first entry's); None without entries."""
        counts: dict[str, int] = {}
        for entry in self.entries:
            counts[entry.style] = counts.get(entry.style, 0) + 1
        return max(counts, key=counts.__getitem__) if counts else None

    def block(self, entry: Entry) -> tuple[int, int]:
        """The first and last line (1-based) of the entry in which `entry`'s name is written.

        A table row is its line; a heading runs to the end of its section, before the next
        heading of its level or above; a list item takes the lines indented to its content and
        the text that continues its paragraph; a line, the text after it up to a blank line or
        another entry. Trailing blank lines are not part of a block.
        """
        kinds, levels, index = self._kinds, self._levels, entry.line - 1
        entry_lines = {other.line - 1 for other in self.entries}
        last = index + 1 if kinds[index + 1 : index + 2] == [_UNDERLINE] else index
        for following in range(last + 1, len(kinds)):
            kind = kinds[following]
            if entry.style == TABLE:
                break
            if entry.style == HEADING:
                if kind == HEADING and levels[following] <= levels[index]:
                    break
            elif entry.style == LIST:
                line = self._lines[following]
                indented = len(line) - len(line.lstrip()) >= levels[index]
                lazy = kind == _TEXT and last == following - 1 and following not in entry_lines
                if kind != _BLANK and not (indented or lazy):
                    break
            elif kind != _TEXT or following in entry_lines:
                break
            if kind != _BLANK:
                last = following
        return entry.line, last + 1

    def removal(self, entry: Entry) -> tuple[int, int] | None:
        """The lines to remove to drop `entry`: its block, and the blank lines after it when a
        blank line (or the top) is before it, so no gap doubles; None when its block names
        another secret too (two names on a line, a heading over other entries)."""
        first, last = self.block(entry)
        if any(other is not entry and first <= other.line <= last for other in self.entries):
            return None
        if first == 1 or self._kinds[first - 2] == _BLANK:
            while last + 1 < len(self._kinds) and self._kinds[last] == _BLANK:
                last += 1
        return first, last

    def new_entries(self, secrets: list[tuple[str, str]]) -> tuple[int, list[str]]:
        """Where (after which line; 0 for the top) and which lines add an entry for each of
        `secrets` (name, description) in the document's style, after its last entry of that
        style; without entries, a table after its last text."""
        style = self.style
        if style is None:
            last_text = max(
                (number for number, line in enumerate(self._lines, 1) if line.strip()), default=0
            )
            table = new_table(secrets)
            return last_text, (["", *table] if last_text else table)
        entry = [entry for entry in self.entries if entry.style == style][-1]
        after = self.block(entry)[1]
        line = self._lines[entry.line - 1]
        if style == TABLE:
            header = entry.line - 1
            while header > 0 and self._kinds[header - 1] == TABLE:
                header -= 1
            width = len(_cells(self._lines[header]))
            column = _name_column(self._lines[header])
            return after, [_row(name, text, width, column) for name, text in secrets]
        if style == LIST:
            item = _LIST_ITEM.match(line)
            marker = item.group("marker") if item else "- "
            return after, [f"{marker}{code_span(name)}: {text}" for name, text in secrets]
        if style == HEADING:
            level = "#" * self._levels[entry.line - 1]
            lines = []
            for name, text in secrets:
                lines += ["", f"{level} {code_span(name)}", "", text]
            return after, lines
        return after, [f"{code_span(name)}: {text}" for name, text in secrets]


def read_document(text: str, known: Collection[str] = ()) -> Document:
    """The entries of a Markdown secrets document.

    `known` holds the secret names the workflows use, in capitals: a bare capitalised word
    without `_` (`CODECOV`) is a name only when it is one of them.
    """
    lines = split_lines(_HTML_COMMENT.sub(lambda match: _blank(match.group()), text))
    reader = _Reader(lines, known)
    reader.read()
    return Document(reader.entries, lines, reader.kinds, reader.levels)


def _blank(comment: str) -> str:
    """An HTML comment's text as spaces, its line breaks kept so that lines keep their numbers."""
    return "".join(char if char in "\r\n" else " " for char in comment)


def _written_as_name(word: str, known: Collection[str]) -> bool:
    """Whether a bare word in capitals is written as a secret's name: it holds `_`
    (`NPM_TOKEN`), or a workflow uses a secret of that name (`CODECOV`). Capitals alone
    (`NOTE`, `FAQ`, `TODO`) are words."""
    return "_" in word or word in known


def _names(line: str, start: int, known: Collection[str]) -> tuple[list[Name], int]:
    """The names written from `start` (code spans or bare names, joined by `,` `/` `&` `and`
    `or`), and where the last one ends."""
    found: list[Name] = []
    end = position = start
    while True:
        match = _CODE_SPAN.match(line, position)
        if match is not None:
            name = match.group("name")
        else:
            match = _BARE_NAME.match(line, position)
            if match is None:
                break
            name = match.group("name").replace("\\_", "_")
            if not _written_as_name(name, known):
                break
        found.append((name, match.start("name"), match.end("name")))
        end = match.end()
        join = _JOINER.match(line, end)
        if join is None:
            break
        position = join.end()
    return found, end


def _cells(line: str) -> list[tuple[int, int]]:
    """Where each cell of a table row is (start, end), its pipes left out; `\\|` is no pipe."""
    start = len(line) - len(line.lstrip())
    if line.startswith("|", start):
        start += 1
    cells = []
    index = start
    while index < len(line):
        if line[index] == "|":
            cells.append((start, index))
            start = index + 1
        index += 2 if line[index] == "\\" else 1
    if line[start:].strip():
        cells.append((start, len(line)))
    return cells


def _name_column(header: str) -> int:
    """The column whose heading is in NAME_HEADERS, else the first."""
    for column, (start, end) in enumerate(_cells(header)):
        heading = " ".join(header[start:end].strip().strip("*_`").lower().split())
        if heading in NAME_HEADERS:
            return column
    return 0


class _Reader:
    """One pass over the lines: each line's kind, and the entries."""

    __slots__ = ("lines", "known", "kinds", "levels", "entries")

    def __init__(self, lines: list[str], known: Collection[str]) -> None:
        self.lines = lines
        self.known = known
        self.kinds: list[str] = []
        self.levels: list[int] = []
        self.entries: list[Entry] = []

    def read(self) -> None:
        fence = ""
        name_column = -1  # in a table: the column that names the secrets
        for index, line in enumerate(self.lines):
            if index < len(self.kinds):  # a setext heading's underline, read with its text
                continue
            marker = _FENCE.match(line)
            if fence:
                closing = marker.group(1) if marker and not line[marker.end() :].strip() else ""
                if closing.startswith(fence):  # the same character, at least as many
                    fence = ""
                self._line(_CODE)
            elif marker:
                fence, name_column = marker.group(1), -1
                self._line(_CODE)
            elif self._is_table_header(index):
                name_column = _name_column(line)
                self._line(TABLE)
            elif name_column >= 0 and "|" in line and line.strip():
                self._line(TABLE)
                cells = _cells(line)
                if not _DELIMITER_ROW.match(line) and name_column < len(cells):
                    self._add(index, TABLE, self._cell_names(line, *cells[name_column]))
            else:
                name_column = -1
                self._block_line(index, line)

    def _line(self, kind: str, level: int = 0) -> None:
        self.kinds.append(kind)
        self.levels.append(level)

    def _add(self, index: int, style: str, names: list[Name]) -> None:
        self.entries.extend(
            Entry(name, index + 1, start + 1, end + 1, style) for name, start, end in names
        )

    def _block_line(self, index: int, line: str) -> None:
        """A line outside code and tables: blank, a heading, a list item, or text."""
        if not line.strip():
            self._line(_BLANK)
            return
        heading = _HEADING.match(line)
        item = _LIST_ITEM.match(line) if heading is None else None
        if heading is not None:
            self._line(HEADING, len(heading.group("level")))
            self._add(index, HEADING, _names(line, heading.end(), self.known)[0])
        elif item is not None:
            self._line(LIST, item.end("marker"))
            self._add(index, LIST, _names(line, item.end(), self.known)[0])
        elif self._is_setext_heading(index):
            underline = self.lines[index + 1].strip()[0]
            self._line(HEADING, 1 if underline == "=" else 2)
            self._line(_UNDERLINE)
            start = _LINE_START.match(line)
            self._add(index, HEADING, _names(line, start.end() if start else 0, self.known)[0])
        else:
            self._line(_TEXT)
            start = _LINE_START.match(line)
            names, end = _names(line, start.end() if start else 0, self.known)
            if names and _SEPARATOR.match(line, end):
                self._add(index, LINE, names)

    def _cell_names(self, line: str, start: int, end: int) -> list[Name]:
        """The names in a table cell: code spans, names as in a line, or one bare word."""
        bare = _BARE_CELL.match(line, start, end)
        if bare is not None:
            return [(bare.group("name"), bare.start("name"), bare.end("name"))]
        first = end - len(line[start:end].lstrip())
        return _names(line[:end], first, self.known)[0]

    def _is_table_header(self, index: int) -> bool:
        """A line with `|` followed by a delimiter row (`| --- | :-: |`) starts a table."""
        following = self.lines[index + 1] if index + 1 < len(self.lines) else ""
        return (
            "|" in self.lines[index] and "|" in following and bool(_DELIMITER_ROW.match(following))
        )

    def _is_setext_heading(self, index: int) -> bool:
        """Text underlined with `=` or `-` that starts a paragraph (the paragraph's later lines
        would make the heading begin earlier) and is not indented as code."""
        following = self.lines[index + 1] if index + 1 < len(self.lines) else ""
        return (
            bool(_SETEXT_UNDERLINE.match(following))
            and self.kinds[-1:] not in ([_TEXT], [LIST])
            and len(self.lines[index]) - len(self.lines[index].lstrip(" ")) < 4
        )


NEW_DOCUMENT = ("# Secrets", "", "The secrets the workflows read, one entry each.", "")
"""The head of a secrets document written from scratch."""


def new_table(secrets: list[tuple[str, str]]) -> list[str]:
    """A table naming `secrets` (name, description)."""
    rows = [_row(name, text, 2, 0) for name, text in secrets]
    return ["| Secret | What it is for |", "| --- | --- |", *rows]


def _row(name: str, text: str, width: int, column: int) -> str:
    """A table row of `width` cells: the name in `column`, the description in the first other."""
    cells = [""] * max(width, 1)
    cells[min(column, len(cells) - 1)] = code_span(name)
    others = [index for index in range(len(cells)) if index != column]
    if others:
        cells[others[0]] = text.replace("|", "\\|")
    return "| " + " | ".join(cells) + " |"


def code_span(text: str) -> str:
    """`text` as a Markdown code span that shows it as written: a fence longer than any run of
    backticks in it, control characters as `?`, so a file name cannot end the span or the line."""
    text = "".join(char if char.isprintable() else "?" for char in text)
    longest = max((len(run) for run in re.findall("`+", text)), default=0)
    fence = "`" * (longest + 1)
    padded = f" {text} " if text.startswith("`") or text.endswith("`") else text
    return f"{fence}{padded}{fence}"
