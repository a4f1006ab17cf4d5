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
MAX_FLOW_DEPTH = 5_000
"""Deeper `[`/`{` nesting is a parse-error. libyaml's scanner does work proportional to the flow
depth for every token, so its time grows with the square of the depth (measured parsing `[`s:
5,000 levels 0.12 s, 20,000 2.3 s, 40,000 8.7 s, so 100,000 about a minute); no real configuration
comes near. PyYAML without libyaml is slower still (5,000 levels: 31 s). Block nesting costs linear
time and has no limit (100,000 levels: about 2 s)."""
TOO_DEEP = "cannot parse the file: nesting too deep for the {} parser"


class TextFile:
    """A decoded file: its text with `\\n` line ends, its lines, and offsets to positions.

    Line ends are normalised as Python's text mode and `split_lines` read them (`\\r\\n`, `\\r`),
    so offsets into `text` and the parsers' marks give the lines every other finding uses.
    A byte order mark is not part of `text`: columns count what an editor shows.
    """

    __slots__ = ("path", "text", "bom", "_lines", "_starts")

    def __init__(self, path: str, text: str, bom: bool = False) -> None:
        self.path = path
        self.text = "\n".join(split_lines(text)) if "\r" in text else text
        self.bom = bom
        self._lines: list[str] | None = None
        self._starts: list[int] | None = None

    @property
    def lines(self) -> list[str]:
        if self._lines is None:
            self._lines = self.text.split("\n")
        return self._lines

    @property
    def text_with_bom(self) -> str:
        """The text as coverage.py and pytest read it (`encoding="utf-8"`): a BOM stays."""
        return BOM + self.text if self.bom else self.text

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
    if text.startswith(BOM):
        return TextFile(path, text[len(BOM) :], bom=True)
    return TextFile(path, text)


# YAML --------------------------------------------------------------------------------------------


def compose_yaml(file: TextFile) -> list[yaml.Node] | Finding:
    """The YAML documents as node trees, with positions and styles, nothing constructed.

    Built here from the parser's events, without recursion: PyYAML's C composer recurses in C and
    crashes the interpreter on deeply nested input (from about 40,000 levels), where libyaml's
    parser itself does not. Anchors are scoped to their document; a later one of the same name
    replaces an earlier one, as YAML 1.2 says.
    """
    import yaml

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    documents: list[yaml.Node] = []
    anchors: dict[str, yaml.Node] = {}
    open_nodes: list[list] = []  # [collection node, pending mapping key or None]
    flow_depth = 0
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
                if event.flow_style:
                    flow_depth += 1
                    if flow_depth > MAX_FLOW_DEPTH:
                        return file.error(TOO_DEEP.format("YAML"), event.start_mark.index)
                node_class = (
                    yaml.SequenceNode if kind is yaml.SequenceStartEvent else yaml.MappingNode
                )
                node = node_class(event.tag or "", [], event.start_mark, None, event.flow_style)
            elif kind is yaml.SequenceEndEvent or kind is yaml.MappingEndEvent:
                node = open_nodes.pop()[0]
                node.end_mark = event.end_mark
                if node.flow_style:
                    flow_depth -= 1
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
    parts = (getattr(error, "context", None), getattr(error, "problem", None))
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
    """The TOML document, parsed by tomllib (tomli before Python 3.11) from the text as pytest and
    coverage.py read it: a byte order mark is an error there, and so here."""
    import sys

    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover - exercised on Python < 3.11 only
        import tomli as tomllib
    try:
        return tomllib.loads(file.text_with_bom)
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
    """The INI file as coverage.py parses it: configparser, no interpolation, strict, BOM kept."""
    import configparser

    parser = configparser.ConfigParser(interpolation=None)
    try:
        parser.read_string(file.text_with_bom, source=file.path)
    except configparser.Error as error:
        line = getattr(error, "lineno", None)
        errors = getattr(error, "errors", None)
        if line is None and errors:
            line = errors[0][0]
        message = " ".join(str(error).split())
        return parse_error(file.path, f"invalid INI: {message}", line or 1)
    return parser
