"""Repository text files (YAML, TOML, INI, Markdown, Makefiles) for the repository-wide hooks.

One decoding, one line numbering (`split_lines`'s) and parsers that turn every failure into a
`parse-error` at its place, never an exception or a crash. Parsers are imported on first use:
a hook that finds nothing to parse does not pay for them.
"""

from __future__ import annotations

from .finding import Finding
from .source import parse_error, split_lines

TYPE_CHECKING = False
if TYPE_CHECKING:  # typing costs start-up time; mypy reads this block, the interpreter skips it
    import configparser
    from collections.abc import Iterator

    import yaml

    Span = tuple[int, int, int, int]  # line, column, end line, end column (1-based)

BOM = "\ufeff"
MAX_DEPTH = 500
"""Collections nested deeper than this (flow `[`/`{` or block) are a parse-error. No real
configuration comes near it, and it keeps the answer the same on every PyYAML: the libyaml inside
PyYAML 6.0.4's wheels (0.2.6) refuses about 1,000 levels itself, older ones accept any depth but
their scanner's time grows with the square of the flow depth (measured: 5,000 levels 0.12 s,
40,000 levels 8.7 s), and PyYAML's Python scanner is slower still."""
TOO_DEEP = "cannot parse the file: nesting too deep for the {} parser"


class TextFile:
    """A decoded file: its text with `\\n` line ends, its lines, and offsets to positions.

    Line ends are normalised as Python's text mode and `split_lines` read them (`\\r\\n`, `\\r`),
    so offsets into `text` and the parsers' marks give the lines every other finding uses.
    A byte order mark is not part of `text`: columns count what an editor shows, and the parsers
    skip it as coverage.py 7.18 and later do (`encoding="utf-8-sig"`; older releases, and pytest
    reading `pyproject.toml`, refuse such a file, so the user's own run already fails on it).
    """

    __slots__ = ("path", "text", "_lines", "_starts")

    def __init__(self, path: str, text: str) -> None:
        self.path = path
        self.text = "\n".join(split_lines(text)) if "\r" in text else text
        self._lines: list[str] | None = None
        self._starts: list[int] | None = None

    @property
    def lines(self) -> list[str]:
        if self._lines is None:
            self._lines = self.text.split("\n")
        return self._lines

    def position(self, offset: int) -> tuple[int, int]:
        """The 1-based line and character column of a character offset into `text`."""
        from bisect import bisect_right

        starts = self._line_starts()
        line = bisect_right(starts, offset)
        return line, offset - starts[line - 1] + 1

    def offset(self, line: int, column: int) -> int:
        """The character offset of a 1-based line and column."""
        return self._line_starts()[line - 1] + column - 1

    def span(self, start: int, end: int) -> Span:
        """The positions of `text[start:end]`."""
        return (*self.position(start), *self.position(end))

    def _line_starts(self) -> list[int]:
        if self._starts is None:
            starts = [0]
            newline = self.text.find("\n")
            while newline >= 0:
                starts.append(newline + 1)
                newline = self.text.find("\n", newline + 1)
            self._starts = starts
        return self._starts

    def error(self, message: str, offset: int | None = None) -> Finding:
        """A parse-error at `offset` (or at the top of the file)."""
        line, column = self.position(offset) if offset is not None else (1, 1)
        return parse_error(self.path, message, line, column)


def decode_text(path: str, data: bytes) -> TextFile | Finding:
    """A file's bytes read as UTF-8, as GitHub and the Python tools read configuration; bytes that
    are not UTF-8 are a parse-error on their line."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = len(split_lines(data[: error.start].decode("utf-8")))
        return parse_error(path, f"cannot decode the file as UTF-8: {error.reason}", line)
    return TextFile(path, text[len(BOM) :] if text.startswith(BOM) else text)


# YAML --------------------------------------------------------------------------------------------


def compose_yaml(file: TextFile) -> list[yaml.Node] | Finding:
    """The YAML documents as node trees, with positions and styles, nothing constructed.

    Built here from the parser's events, without recursion: PyYAML's Python composer recurses two
    frames a level (a RecursionError near `MAX_DEPTH`), and its C composer, in PyYAML before 6.0.4,
    crashed the interpreter on deeper input (from about 40,000 levels). Anchors are scoped to their
    document; a later one of the same name replaces an earlier one, as YAML 1.2 says.
    """
    import yaml

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    documents: list[yaml.Node] = []
    anchors: dict[str, yaml.Node] = {}
    open_nodes: list[list] = []  # [collection node, pending mapping key or None]
    try:
        for event in yaml.parse(file.text, Loader=loader):
            kind = type(event)
            if kind is yaml.ScalarEvent:
                node = yaml.ScalarNode(
                    event.tag or "", event.value, event.start_mark, event.end_mark, event.style
                )
            elif kind is yaml.AliasEvent:
                if event.anchor not in anchors:
                    raise yaml.composer.ComposerError(
                        None, None, f"found undefined alias {event.anchor!r}", event.start_mark
                    )
                node = anchors[event.anchor]
            elif kind is yaml.SequenceStartEvent or kind is yaml.MappingStartEvent:
                if len(open_nodes) >= MAX_DEPTH:
                    return file.error(TOO_DEEP.format("YAML"), event.start_mark.index)
                node_class = (
                    yaml.SequenceNode if kind is yaml.SequenceStartEvent else yaml.MappingNode
                )
                node = node_class(event.tag or "", [], event.start_mark, None, event.flow_style)
            elif kind is yaml.SequenceEndEvent or kind is yaml.MappingEndEvent:
                node = open_nodes.pop()[0]
                node.end_mark = event.end_mark
            else:  # stream and document boundaries: anchors do not cross documents
                if kind is yaml.DocumentStartEvent:
                    anchors = {}
                continue
            if kind is not yaml.AliasEvent and getattr(event, "anchor", None):
                anchors[event.anchor] = node
            if kind is yaml.SequenceStartEvent or kind is yaml.MappingStartEvent:
                _attach(documents, open_nodes, node)
                open_nodes.append([node, None])
            elif not (kind is yaml.SequenceEndEvent or kind is yaml.MappingEndEvent):
                _attach(documents, open_nodes, node)
    except yaml.YAMLError as error:
        return _yaml_error(file, error, byte_offsets=loader is not yaml.SafeLoader)
    return documents


def _attach(documents: list[yaml.Node], open_nodes: list[list], node: yaml.Node) -> None:
    """Add a node to the collection being built: an item, a key awaiting its value, or a value."""
    if not open_nodes:
        documents.append(node)
        return
    parent = open_nodes[-1]
    if parent[0].id == "sequence":
        parent[0].value.append(node)
    elif parent[1] is None:
        parent[1] = node
    else:
        parent[0].value.append((parent[1], node))
        parent[1] = None


def _yaml_error(file: TextFile, error: Exception, byte_offsets: bool) -> Finding:
    """The `parse-error` at the place the YAML parser gave up, in PyYAML's words."""
    mark = getattr(error, "problem_mark", None) or getattr(error, "context_mark", None)
    if mark is not None:
        offset = mark.index
    else:  # a ReaderError: a character YAML forbids, at `position`
        offset = getattr(error, "position", None) or 0
        if byte_offsets:  # libyaml counts it in UTF-8 bytes, its marks in characters
            offset = len(file.text.encode("utf-8")[:offset].decode("utf-8", "ignore"))
    problem = getattr(error, "problem", None)
    if problem == "exceeded maximum nesting depth":  # libyaml 0.2.6, should it stop before us
        return file.error(TOO_DEEP.format("YAML"), offset)
    parts = (getattr(error, "context", None), problem)
    detail = ", ".join(part for part in parts if part) or str(error).partition("\n")[0]
    return file.error(f"invalid YAML: {detail}", offset)


def yaml_items(node: yaml.Node | None) -> list[tuple[str, yaml.Node]]:
    """A mapping's entries that have scalar keys; nothing for any other node."""
    if node is None or node.id != "mapping":
        return []
    return [(key.value, value) for key, value in node.value if key.id == "scalar"]


def yaml_get(node: yaml.Node | None, key: str) -> yaml.Node | None:
    """The value of `key` in a mapping node (the last of duplicates, as PyYAML's loader keeps)."""
    found = None
    for name, value in yaml_items(node):
        if name == key:
            found = value
    return found


def yaml_scalars(root: yaml.Node, keys: bool) -> Iterator[yaml.ScalarNode]:
    """Every scalar under `root` in document order (mapping keys too if `keys`), each once:
    aliases share nodes and may loop."""
    seen: set[int] = set()
    stack = [root]
    while stack:
        node = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        if node.id == "scalar":
            yield node
        elif node.id == "sequence":
            stack.extend(reversed(node.value))
        else:
            for key, value in reversed(node.value):
                stack.append(value)
                if keys:
                    stack.append(key)


# TOML and INI ------------------------------------------------------------------------------------


def parse_toml(file: TextFile) -> dict[str, object] | Finding:
    """The TOML document, parsed by tomllib (tomli before Python 3.11), as coverage.py reads it."""
    import sys

    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover - exercised on Python < 3.11 only
        import tomli as tomllib
    try:
        return tomllib.loads(file.text)
    except RecursionError:
        return file.error(TOO_DEEP.format("TOML"))
    except tomllib.TOMLDecodeError as error:
        import re

        place = re.search(r"at line (\d+), column (\d+)", str(error))
        if place:
            line, column = int(place.group(1)), int(place.group(2))
        else:  # "at end of document"
            line, column = file.position(len(file.text))
        return parse_error(file.path, f"invalid TOML: {error}", line, column)


def parse_ini(file: TextFile) -> configparser.ConfigParser | Finding:
    """The INI file as coverage.py parses it: configparser, no interpolation, strict."""
    import configparser

    parser = configparser.ConfigParser(interpolation=None)
    try:
        parser.read_string(file.text, source=file.path)
    except configparser.Error as error:
        line = getattr(error, "lineno", None)
        errors = getattr(error, "errors", None)
        if line is None and errors:
            line = errors[0][0]
        message = " ".join(str(error).split())
        return parse_error(file.path, f"invalid INI: {message}", line or 1)
    return parser
