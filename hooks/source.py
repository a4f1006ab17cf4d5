"""Reading, decoding and parsing Python source once, for every check that needs it.

Built on the builtin `_ast` module and `compile()` rather than `ast`: `import ast` pulls in `enum`
and `contextlib`, which cost a hook more start-up time than all of its own work on a small file.
`_ast` itself is imported only once a tree is built: a file that no check needs gets the
compiler's verdict alone.
"""

from __future__ import annotations

from .finding import Finding
from .registry import PARSE_ERROR

TYPE_CHECKING = False
if TYPE_CHECKING:  # typing costs start-up time; mypy reads this block, the interpreter skips it
    import _ast
    from collections.abc import Callable

    PythonCheck = Callable[["Source", dict[str, object]], list[Finding]]

UTF8_BOM = b"\xef\xbb\xbf"


class Source:
    """A parsed Python file: the text, its lines as Python numbers them, and the tree."""

    __slots__ = ("path", "text", "tree", "relative", "_lines")

    def __init__(
        self, path: str, text: str, tree: _ast.Module, relative: str | None = None
    ) -> None:
        self.path = path
        self.text = text
        self.tree = tree
        self.relative = path if relative is None else relative
        """The path from the project root (the gate gives it): what path options such as
        `exclude` match, whatever the current directory; `path` when checked alone."""
        self._lines: list[str] | None = None

    @property
    def lines(self) -> list[str]:
        """Lines split as the tokenizer splits them (CRLF, CR or LF; not form feeds)."""
        if self._lines is None:
            self._lines = split_lines(self.text)
        return self._lines

    def line(self, number: int) -> str:
        """Line `number` (1-based), or "" past the end."""
        lines = self.lines
        return lines[number - 1] if 0 < number <= len(lines) else ""

    def column(self, line: int, byte_offset: int) -> int:
        """The 1-based character column of an AST byte offset (the AST counts UTF-8 bytes)."""
        return character_column(self.line(line), byte_offset)

    def finding(
        self,
        rule_id: str,
        code: str,
        node: _ast.AST,
        message: str,
        end_node: _ast.AST | None = None,
        length: int | None = None,
    ) -> Finding:
        """A finding spanning `node` (through `end_node`), or `length` characters from its start."""
        last = end_node if end_node is not None else node
        line = node.lineno  # type: ignore[attr-defined]
        start_column = self.column(line, node.col_offset)  # type: ignore[attr-defined]
        if length is not None:
            end_line, end_column = line, start_column + length
        else:
            end_line = getattr(last, "end_lineno", None) or line
            end_offset = getattr(last, "end_col_offset", None)
            end_column = start_column if end_offset is None else self.column(end_line, end_offset)
        return Finding(rule_id, code, self.path, line, start_column, end_line, end_column, message)


def character_column(line: str, byte_offset: int) -> int:
    """The 1-based character column of a 0-based UTF-8 byte offset into `line` (the parser, the
    compiler and some tools count bytes)."""
    if line.isascii():
        return byte_offset + 1
    return len(line.encode("utf-8")[:byte_offset].decode("utf-8", "replace")) + 1


def split_lines(text: str) -> list[str]:
    """Split as Python's tokenizer numbers lines: `\\r\\n`, `\\r` and `\\n` end a line."""
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text.split("\n")


def mentions(text: str, needs: tuple[str, ...] | None) -> bool:
    """Whether a check whose module declares `needs` can report on `text`.

    Each need is a sequence of tokens separated by spaces (`"except :"`); the text holds it where
    those tokens follow each other with nothing but whitespace and line continuations between.
    The raw text is searched, strings and comments included, and a token may be part of a longer
    word: more files pass than the token stream would let through, never fewer. A text that is
    not ASCII always passes: Python reads identifiers in their NFKC form (`print` spelt in
    mathematical bold letters is `print`), which no search of the raw text sees. None: the check
    may report on any file.
    """
    if needs is None or not text.isascii():
        return True
    return any(_holds(text, need.split() or [need]) for need in needs)


def _holds(text: str, tokens: list[str]) -> bool:
    first, rest = tokens[0], tokens[1:]
    if not rest:
        return first in text
    start = text.find(first)
    while start != -1:
        index = start + len(first)
        for token in rest:
            while index < len(text) and text[index] in " \t\f\r\n\\":
                index += 1
            if not text.startswith(token, index):
                break
            index += len(token)
        else:
            return True
        start = text.find(first, start + 1)
    return False


def detect_encoding(data: bytes) -> tuple[str, int]:
    """The codec Python's compiler decodes `data` with, and the length of the BOM it skips.

    The compiler reads an encoding declaration (PEP 263) in a comment on the first line, or on
    the second when the first holds no code, after splitting lines at `\\r\\n`, `\\r` or
    `\\n`, however long the first line is; a UTF-8 BOM allows only a UTF-8 declaration
    (SyntaxError otherwise). `tokenize.detect_encoding` differs in edge cases (lone `\\r` line
    ends, undecodable bytes in a first-line comment), so the compiler's own rules are followed.
    """
    start = len(UTF8_BOM) if data.startswith(UTF8_BOM) else 0
    first, following = _line(data, start)
    declared = _declaration(first)
    if declared is None and not _holds_code(first):
        declared = _declaration(_line(data, following)[0])
    if declared is None:
        return "utf-8", start
    normal = _normal_encoding_name(declared)
    if start and normal != "utf-8":
        raise SyntaxError(f"encoding problem: {normal} with BOM")
    return normal, start


def _line(data: bytes, start: int) -> tuple[bytes, int]:
    """The line starting at `start`, ended by `\\n` whatever ended it (`\\r\\n`, `\\r`, `\\n` or
    the end of the data), and where the next line starts."""
    end = data.find(b"\n", start)
    if end == -1:
        end = len(data)
    carriage_return = data.find(b"\r", start, end)
    if carriage_return != -1:
        end = carriage_return
    following = end + (2 if data[end : end + 2] == b"\r\n" else 1)
    return data[start:end] + b"\n", following


def _holds_code(line: bytes) -> bool:
    """Whether a line holds anything but blanks (space, tab, form feed) and a comment."""
    stripped = line.lstrip(b" \t\f")
    return bool(stripped) and stripped[:1] not in (b"#", b"\n")


def _declaration(line: bytes) -> str | None:
    """The encoding a line declares: `coding[:=]` then a name, in a comment that is alone on its
    line (what the compiler accepts, which is more than PEP 263's regular expression)."""
    stripped = line.lstrip(b" \t\f")
    if not stripped.startswith(b"#"):
        return None
    index = line.find(b"coding", len(line) - len(stripped))
    while index != -1:
        after = index + len(b"coding")
        if line[after : after + 1] in (b":", b"="):
            begin = after + 1
            while line[begin : begin + 1] in (b" ", b"\t"):
                begin += 1
            end = begin
            while line[end : end + 1].isalnum() or line[end : end + 1] in (b"-", b"_", b"."):
                end += 1
            if end > begin:
                return line[begin:end].decode("ascii")
        index = line.find(b"coding", index + 1)
    return None


def _normal_encoding_name(name: str) -> str:
    """`utf-8` and `iso-8859-1` under the spellings the compiler folds into them, else `name`."""
    folded = name[:12].lower().replace("_", "-")
    if folded == "utf-8" or folded.startswith("utf-8-"):
        return "utf-8"
    latin = ("latin-1", "iso-8859-1", "iso-latin-1")
    if folded in latin or folded.startswith(tuple(f"{spelling}-" for spelling in latin)):
        return "iso-8859-1"
    return name


def decode(data: bytes) -> str:
    """Decode source bytes strictly, as the compiler decodes every byte of a declared encoding.

    Raises SyntaxError (a declaration that contradicts the BOM), LookupError (an unknown
    encoding) or UnicodeDecodeError (bytes invalid in the encoding).
    """
    encoding, start = detect_encoding(data)
    if encoding == "utf-8":
        return data[start:].decode("utf-8")
    return _translated(data[start:]).decode(encoding)


def _translated(data: bytes) -> bytes:
    """Line ends made `\\n` and a last one added, as the compiler does before it decodes a
    declared encoding (which matters for encodings such as UTF-16, where a byte more or less
    decides whether the file decodes)."""
    if b"\r" in data:
        data = data.replace(b"\r\n", b"\n").replace(b"\r", b"\n")
    return data if data.endswith(b"\n") else data + b"\n"


def parse_error(path: str, message: str, line: int = 1, column: int = 1) -> Finding:
    """The `parse-error` finding: none of the checks could run on `path`."""
    line = max(line, 1)
    column = max(column, 1)
    return Finding(PARSE_ERROR.id, PARSE_ERROR.code, path, line, column, line, column, message)


def decode_source(path: str, data: bytes) -> str | Finding:
    """Decode a Python file's bytes as the compiler does; what it refuses is a `parse-error`.

    UTF-8 (declared or not) is read by the compiler token by token, and the text of comments is
    never decoded: undecodable bytes there are no error, and become U+FFFD in our text.
    """
    try:
        encoding, start = detect_encoding(data)
        if encoding != "utf-8":
            body = _translated(data[start:])
            try:
                return body.decode(encoding)
            except UnicodeDecodeError as error:
                line = body.count(b"\n", 0, error.start) + 1
                return parse_error(
                    path, f"cannot decode the file as {encoding}: {error.reason}", line
                )
        try:
            return data[start:].decode("utf-8")
        except UnicodeDecodeError as error:
            return _decode_utf8_leniently(path, data, start, error)
    except (SyntaxError, LookupError) as error:
        return parse_error(path, f"cannot decode the file: {error}")


def _decode_utf8_leniently(
    path: str, data: bytes, start: int, error: UnicodeDecodeError
) -> str | Finding:
    """The text of UTF-8 source with undecodable bytes, if the compiler accepts them (they are in
    comments); else the `parse-error` where it stopped."""
    line = len(split_lines(data[: start + error.start].decode("latin-1")))
    try:
        _compile(data, ONLY_AST)
    except SyntaxError as refused:
        if refused.msg.startswith("(unicode error)"):
            reason = refused.msg.rpartition(": ")[2]
            return parse_error(
                path, f"cannot decode the file as utf-8: {reason}", refused.lineno or 1
            )
        # Another error comes first: the text parses to the same one below.
    except UnicodeDecodeError:  # raised as is for bytes inside f-strings by some Pythons
        return parse_error(path, f"cannot decode the file as utf-8: {error.reason}", line)
    except (ValueError, MemoryError, RecursionError):
        pass  # the text parses to the same error below
    return data[start:].decode("utf-8", "replace")


def parse(path: str, data: bytes) -> Source | Finding:
    """Decode and parse a Python file; a file that does not compile becomes a `parse-error`."""
    text = decode_source(path, data)
    return text if isinstance(text, Finding) else parse_text(path, text)


def parse_text(path: str, text: str, relative: str | None = None) -> Source | Finding:
    """Parse already decoded source text, and compile its tree: the compiler's own errors
    (`return` outside a function, a misplaced `nonlocal`, a late `__future__` import...) are
    parse errors too, as the interpreter would refuse to run or import the file."""
    import _ast  # nearly free once the compiler has built a tree

    try:
        tree = _compile(text, ONLY_AST)
    except (SyntaxError, ValueError, MemoryError, RecursionError) as error:
        return _parser_error(path, text, error)
    assert isinstance(tree, _ast.Module)  # what ONLY_AST returns in "exec" mode
    try:
        _compile(tree)
    except Exception:  # the tree is too deep to convert back, or the compiler refuses it
        refused = compiler_error(path, text)
        if refused is not None:
            return refused
    return Source(path, text, tree, relative)


def syntax_error(path: str, text: str) -> Finding | None:
    """The `parse-error` that `parse_text` gives for `text`, or None, without building a tree.

    Compiling to bytecode is the cheapest way to the compiler's whole verdict (its own errors
    included; `symtable` misses those of code generation, and building the tree costs more). On
    the rare error, `parse_text` tells the parser's errors from the compiler's, so that both
    paths report the same finding.
    """
    try:
        _compile(text)
    except (SyntaxError, ValueError, MemoryError, RecursionError) as error:
        parsed = parse_text(path, text)
        return parsed if isinstance(parsed, Finding) else _parser_error(path, text, error)
    return None


def compiler_error(path: str, text: str) -> Finding | None:
    """What compiling `text` (which parses) to bytecode refuses, or None.

    The compiler counts columns in UTF-8 bytes (the parser counts characters): they are turned
    into characters here.
    """
    try:
        _compile(text)
    except SyntaxError as error:
        line = error.lineno or 1
        lines = split_lines(text)
        source_line = lines[line - 1] if 0 < line <= len(lines) else ""
        column = character_column(source_line, max((error.offset or 1) - 1, 0))
        return parse_error(path, f"syntax error: {error.msg or 'invalid syntax'}", line, column)
    except (ValueError, MemoryError, RecursionError) as error:
        return _parser_error(path, text, error)
    return None


def _parser_error(path: str, text: str, error: Exception) -> Finding:
    """The `parse-error` for what the parser (or the compiler, past its nesting limit) raised."""
    if isinstance(error, SyntaxError):
        detail = error.msg or "invalid syntax"
        from .newer_syntax import advice  # only on this path: most files parse

        hint = advice(path, text, error)
        message = f"syntax error: {detail}" + (f"; {hint}" if hint else "")
        return parse_error(path, message, error.lineno or 1, error.offset or 1)
    if isinstance(error, RecursionError):
        return parse_error(path, f"cannot parse the file: {TOO_DEEP}")
    if isinstance(error, MemoryError):  # the parser's own stack
        return parse_error(path, f"cannot parse the file: {str(error) or TOO_DEEP}")
    return parse_error(path, f"cannot parse the file: {error}")  # NUL bytes on older Pythons


def _compile(source: str | bytes | _ast.Module, flags: int = 0) -> object:
    """`compile` in "exec" mode, the warnings it emits (invalid escapes, `is` with a literal...)
    silenced: they are not ours to print. No file name: on an error the compiler would read the
    file of that name from disk to quote its line."""
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return compile(source, "", "exec", flags, dont_inherit=True)


ONLY_AST = 0x400
"""`_ast.PyCF_ONLY_AST`, written out so that compiling needs no import of `_ast`."""
TOO_DEEP = "nesting too deep for the parser"


def run_checks(
    source: Source, checks: list[tuple[PythonCheck, dict[str, object]]]
) -> list[Finding]:
    """Run Python checks over one parsed file (one parse, many checks).

    A tree too deep for a check's own recursion becomes a `parse-error`: no check result on a file
    that could not be checked completely. Any other exception is a bug and propagates.
    """
    findings: list[Finding] = []
    for check, options in checks:
        try:
            findings.extend(check(source, options))
        except RecursionError:
            return [parse_error(source.path, "cannot check the file: nesting too deep")]
    return findings
