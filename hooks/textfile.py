"""Repository text files (YAML, TOML, INI, Markdown, Makefiles) for the repository-wide hooks.

One decoding, one line numbering (`split_lines`'s) and parsers that turn every failure into a
`parse-error` at its place, never an exception or a crash; scanners that say where the parsers'
TOML pairs and INI options are written; and `Repository`, which reads and parses each file once.
Parsers are imported on first use: a hook that finds nothing to parse does not pay for them.
"""

from __future__ import annotations

import os

from .files import read_file
from .finding import Finding
from .source import parse_error, split_lines

TYPE_CHECKING = False
if TYPE_CHECKING:  # typing costs start-up time; mypy reads this block, the interpreter skips it
    import configparser
    from collections.abc import Callable, Iterator
    from typing import TypeVar

    import yaml
    from yaml._yaml import Mark as CMark
    from yaml.error import Mark

    Span = tuple[int, int, int, int]  # line, column, end line, end column (1-based)
    Collection = yaml.SequenceNode | yaml.MappingNode
    TomlPath = tuple[str | int, ...]  # table keys, and an array of tables' element by its index
    Parsed = TypeVar("Parsed")

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
    document; a later one of the same name replaces an earlier one, as YAML 1.2 says. Nodes carry
    the parser's marks: libyaml's are its own class, with the same fields as PyYAML's.
    """
    import yaml

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    documents: list[yaml.Node] = []
    anchors: dict[str, yaml.Node] = {}
    open_nodes: list[Collection] = []
    pending_keys: list[yaml.Node | None] = []  # per open mapping: a key awaiting its value
    try:
        for event in yaml.parse(file.text, Loader=loader):
            if type(event) is yaml.ScalarEvent:  # by exact type, the fastest test
                node = yaml.ScalarNode(event.tag or "", event.value, style=event.style)
                node.start_mark, node.end_mark = event.start_mark, event.end_mark
                if event.anchor:
                    anchors[event.anchor] = node
                _attach(documents, open_nodes, pending_keys, node)
            elif type(event) is yaml.SequenceStartEvent or type(event) is yaml.MappingStartEvent:
                if len(open_nodes) >= MAX_DEPTH:
                    return file.error(TOO_DEEP.format("YAML"), _index(event.start_mark))
                opened = (
                    yaml.SequenceNode
                    if type(event) is yaml.SequenceStartEvent
                    else yaml.MappingNode
                )(event.tag or "", [], flow_style=event.flow_style)
                opened.start_mark = event.start_mark
                if event.anchor:
                    anchors[event.anchor] = opened
                _attach(documents, open_nodes, pending_keys, opened)
                open_nodes.append(opened)
                pending_keys.append(None)
            elif type(event) is yaml.SequenceEndEvent or type(event) is yaml.MappingEndEvent:
                open_nodes.pop().end_mark = event.end_mark
                pending_keys.pop()
            elif type(event) is yaml.AliasEvent:
                if event.anchor not in anchors:
                    message = f"invalid YAML: found undefined alias {event.anchor!r}"
                    return file.error(message, _index(event.start_mark))
                _attach(documents, open_nodes, pending_keys, anchors[event.anchor])
            elif type(event) is yaml.DocumentStartEvent:  # anchors do not cross documents
                anchors = {}
    except yaml.YAMLError as error:
        return _yaml_error(file, error, byte_offsets=loader is not yaml.SafeLoader)
    return documents


def _index(mark: Mark | CMark | None) -> int:
    """A parser mark's character offset (every event has marks; 0 should one lack them)."""
    return 0 if mark is None else mark.index


def _attach(
    documents: list[yaml.Node],
    open_nodes: list[Collection],
    pending_keys: list[yaml.Node | None],
    node: yaml.Node,
) -> None:
    """Add a node to the collection being built: an item, a key awaiting its value, or a value."""
    if not open_nodes:
        documents.append(node)
        return
    parent = open_nodes[-1]
    if parent.id == "sequence":
        parent.value.append(node)
    elif pending_keys[-1] is None:
        pending_keys[-1] = node
    else:
        parent.value.append((pending_keys[-1], node))
        pending_keys[-1] = None


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
    import yaml

    if not isinstance(node, yaml.MappingNode):
        return []
    return [(key.value, value) for key, value in node.value if isinstance(key, yaml.ScalarNode)]


def yaml_scalar(node: yaml.Node | None) -> yaml.ScalarNode | None:
    """The node if it is a scalar, else None."""
    import yaml

    return node if isinstance(node, yaml.ScalarNode) else None


def yaml_sequence(node: yaml.Node | None) -> list[yaml.Node]:
    """A sequence's items; nothing for any other node."""
    import yaml

    return node.value if isinstance(node, yaml.SequenceNode) else []


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
    import yaml

    seen: set[int] = set()
    stack = [root]
    while stack:
        node = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        if isinstance(node, yaml.ScalarNode):
            yield node
        elif isinstance(node, yaml.SequenceNode):
            stack.extend(reversed(node.value))
        else:
            for key, value in reversed(node.value):
                stack.append(value)
                if keys:
                    stack.append(key)


# TOML --------------------------------------------------------------------------------------------


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


def toml_pairs(text: str) -> list[tuple[TomlPath, int, int, int]]:
    """(key path, key start, value start, value end) of every key/value pair of a valid TOML
    document, in order; tomllib has already accepted the text.

    Each path resolves in the parsed document (`toml_lookup`): an element of an array of tables
    is named by its index, so that the second `[[tool.x]]` block's `name` is
    `("tool", "x", 1, "name")`, and a table under it (`[tool.x.y]`) belongs to its last element.
    """
    pairs = []
    table: TomlPath = ()
    arrays: dict[TomlPath, int] = {}  # each array of tables: the index of its last element
    index, size = 0, len(text)
    while index < size:
        char = text[index]
        if char in " \t\n":
            index += 1
        elif char == "#":
            index = _line_end(text, index)
        elif char == "[":
            array = text.startswith("[[", index)
            start = index + (2 if array else 1)
            close = _key_end(text, start, "]")
            table = _table_path(_dotted(text[start:close]), arrays, array)
            index = _line_end(text, close)
        else:
            equals = _key_end(text, index, "=")
            value_start = equals + 1
            while value_start < size and text[value_start] in " \t":
                value_start += 1
            value_end = _value_end(text, value_start)
            pairs.append((table + _dotted(text[index:equals]), index, value_start, value_end))
            index = value_end
    return pairs


def _table_path(keys: tuple[str, ...], arrays: dict[TomlPath, int], array: bool) -> TomlPath:
    """The path of a `[table]` or `[[array]]` header's keys: through the last element of each
    array of tables on the way, and for `[[array]]` its new element (counted in `arrays`)."""
    path: TomlPath = ()
    for key in keys[:-1]:
        path += (key,)
        if path in arrays:
            path += (arrays[path],)
    path += keys[-1:]
    if array:
        arrays[path] = arrays.get(path, -1) + 1
        path += (arrays[path],)
    return path


def _line_end(text: str, index: int) -> int:
    end = text.find("\n", index)
    return len(text) if end < 0 else end


def _key_end(text: str, index: int, stop: str) -> int:
    """The index of `stop` after a (dotted, maybe quoted) key starting at `index`."""
    while text[index] != stop:
        index = _string_end(text, index) if text[index] in "\"'" else index + 1
    return index


def _string_end(text: str, index: int) -> int:
    """The index after the TOML string (basic, literal, multi-line) starting at `index`."""
    quote = text[index]
    delimiter = quote * 3 if text.startswith(quote * 3, index) else quote
    index += len(delimiter)
    while index < len(text) and not text.startswith(delimiter, index):
        index += 2 if quote == '"' and text[index] == "\\" else 1
    end = index + len(delimiter)
    while len(delimiter) == 3 and end < len(text) and text[end] == quote and end - index < 5:
        end += 1  # up to two quotes just before the closing delimiter belong to the string
    return end


def _value_end(text: str, index: int) -> int:
    """The end of the value starting at `index`: the line end outside brackets and strings."""
    depth = 0
    while index < len(text):
        char = text[index]
        if char in "\"'":
            index = _string_end(text, index)
            continue
        if char == "#":
            index = _line_end(text, index)
            continue
        if char == "\n" and depth == 0:
            return index
        if char in "[{":
            depth += 1
        elif char in "]}":
            depth -= 1
        index += 1
    return index


def _dotted(key: str) -> tuple[str, ...]:
    """The parts of a dotted TOML key, unquoted."""
    parts = []
    index, start = 0, 0
    while index <= len(key):
        if index == len(key) or key[index] == ".":
            parts.append(key[start:index].strip().strip("\"'"))
            start = index + 1
            index += 1
        elif key[index] in "\"'":
            index = _string_end(key, index)
        else:
            index += 1
    return tuple(parts)


def toml_value(file: TextFile, value_start: int, value_end: int) -> object:
    """The parsed value of one key/value pair, parsed on its own (exact for arrays of tables)."""
    document = parse_toml(TextFile(file.path, "v = " + file.text[value_start:value_end]))
    if isinstance(document, Finding):  # pragma: no cover - the whole file parsed, so must this
        raise ValueError(f"{file.path}: cannot re-read the value at {document.line}")
    return document["v"]


def toml_lookup(document: object, path: TomlPath) -> object:
    """The value at `path` (table keys, array-of-tables indices) of a parsed document, or None."""
    for key in path:
        if isinstance(key, int):
            if not isinstance(document, list) or not 0 <= key < len(document):
                return None
            document = document[key]
        elif isinstance(document, dict) and key in document:
            document = document[key]
        else:
            return None
    return document


def toml_leaves(path: TomlPath, value: object) -> Iterator[tuple[TomlPath, object]]:
    """Every value under inline tables, with its full key path."""
    if isinstance(value, dict):
        for key, item in value.items():
            yield from toml_leaves(path + (key,), item)
    else:
        yield path, value


# INI ---------------------------------------------------------------------------------------------


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


def ini_options(text: str) -> list[tuple[str, str, int, int]]:
    """(section, lower-cased key, value start, line end) of each option, as configparser reads
    them: a line indented deeper than its option continues the value."""
    options: list[tuple[str, str, int, int]] = []
    section = ""
    indent = -1  # indentation of the current option; -1 right after a section header
    offset = 0
    for line in text.split("\n"):
        stripped = line.strip()
        level = len(line) - len(line.lstrip())
        if not stripped or stripped[0] in "#;" or (indent >= 0 and level > indent):
            offset += len(line) + 1
            continue
        if stripped.startswith("[") and "]" in stripped:
            section = stripped[1 : stripped.rindex("]")]
            indent = -1
        else:
            delimiter = min(
                position for position in (line.find("="), line.find(":")) if position >= 0
            )
            value = delimiter + 1
            while value < len(line) and line[value] in " \t":
                value += 1
            options.append(
                (section, line[:delimiter].strip().lower(), offset + value, offset + len(line))
            )
            indent = level
        offset += len(line) + 1
    return options


# The repository ----------------------------------------------------------------------------------


class Repository:
    """The files of a repository a check reads, each read, decoded and parsed once.

    A file that is not UTF-8 or does not parse is noted once in `errors` (its parse-error) and
    answers None: the check goes on with the other files. Folders are listed by their exact
    names, as a case-sensitive file system and the tools reading them see them.
    """

    __slots__ = ("root", "errors", "_data", "_texts", "_ini", "_toml", "_yaml", "_listings")

    def __init__(self, root: str) -> None:
        self.root = root
        self.errors: list[Finding] = []
        self._data: dict[str, bytes] = {}
        self._texts: dict[str, TextFile | None] = {}
        self._ini: dict[str, tuple[TextFile, configparser.ConfigParser] | None] = {}
        self._toml: dict[str, tuple[TextFile, dict[str, object]] | None] = {}
        self._yaml: dict[str, tuple[TextFile, list[yaml.Node]] | None] = {}
        self._listings: dict[str, list[str]] = {}

    def files(self, folder: str = "") -> list[str]:
        """The entries of `folder` (relative to the root) but its folders, by their exact names:
        a pipe, a device or a link out of the repository is listed, and reading it is an error
        (never a file taken as absent)."""
        if folder not in self._listings:
            directory = os.path.join(self.root, folder)
            try:
                names = sorted(os.listdir(directory))
            except OSError:
                names = []
            self._listings[folder] = [
                name for name in names if not os.path.isdir(os.path.join(directory, name))
            ]
        return self._listings[folder]

    def exists(self, path: str) -> bool:
        folder, _, name = path.rpartition("/")
        return name in self.files(folder)

    def data(self, path: str) -> bytes:
        """The file's bytes; an unreadable file is an InputError."""
        if path not in self._data:
            self._data[path] = read_file(os.path.join(self.root, path), path, within=self.root)
        return self._data[path]

    def text(self, path: str) -> TextFile | None:
        """The file decoded as UTF-8, or None (and a parse-error) when it is not UTF-8."""
        if path not in self._texts:
            decoded = decode_text(path, self.data(path))
            if isinstance(decoded, Finding):
                self.errors.append(decoded)
                self._texts[path] = None
            else:
                self._texts[path] = decoded
        return self._texts[path]

    def holds(self, path: str, needle: str) -> bool:
        """Whether the file exists and its bytes contain `needle`, in any case."""
        return self.exists(path) and needle.encode() in self.data(path).lower()

    def read_ini(self, path: str) -> tuple[TextFile, configparser.ConfigParser] | None:
        """The file and its INI parse, or None (its parse-error noted once)."""
        return self._parse(path, parse_ini, self._ini)

    def read_toml(self, path: str) -> tuple[TextFile, dict[str, object]] | None:
        """The file and its TOML document, or None (its parse-error noted once)."""
        return self._parse(path, parse_toml, self._toml)

    def read_yaml(self, path: str) -> tuple[TextFile, list[yaml.Node]] | None:
        """The file and its YAML documents, or None (its parse-error noted once)."""
        return self._parse(path, compose_yaml, self._yaml)

    def _parse(
        self,
        path: str,
        parser: Callable[[TextFile], Parsed | Finding],
        parsed: dict[str, tuple[TextFile, Parsed] | None],
    ) -> tuple[TextFile, Parsed] | None:
        if path not in parsed:
            source = self.text(path)
            result = None
            if source is not None:
                loaded = parser(source)
                if isinstance(loaded, Finding):
                    self.errors.append(loaded)
                else:
                    result = (source, loaded)
            parsed[path] = result
        return parsed[path]
