"""Reading, decoding and parsing Python source once, for every check that needs it.

Built on the builtin `_ast` module and `compile()` rather than `ast`: `import ast` pulls in `enum`
and `contextlib`, which cost a hook more start-up time than all of its own work on a small file.
"""

from __future__ import annotations

import _ast

from .finding import Finding
from .registry import PARSE_ERROR

TYPE_CHECKING = False
if TYPE_CHECKING:  # typing costs start-up time; mypy reads this block, the interpreter skips it
    from collections.abc import Callable, Iterator

    PythonCheck = Callable[["Source", dict[str, object]], list[Finding]]

UTF8_BOM = b"\xef\xbb\xbf"


class Source:
    """A parsed Python file: the text, its lines as Python numbers them, and the tree."""

    __slots__ = ("path", "text", "tree", "_lines")

    def __init__(self, path: str, text: str, tree: _ast.Module) -> None:
        self.path = path
        self.text = text
        self.tree = tree
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
        text = self.line(line)
        if text.isascii():
            return byte_offset + 1
        return len(text.encode("utf-8")[:byte_offset].decode("utf-8", "replace")) + 1

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


def split_lines(text: str) -> list[str]:
    """Split as Python's tokenizer numbers lines: `\\r\\n`, `\\r` and `\\n` end a line."""
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text.split("\n")


def decode(data: bytes) -> str:
    """Decode source bytes as the interpreter would: BOM, then a PEP 263 declaration, else UTF-8.

    Raises SyntaxError (bad declaration) or UnicodeDecodeError (bytes invalid in the encoding).
    """
    head = data[:400].split(b"\n", 2)[:2]
    if any(b"coding" in line for line in head):
        import io
        import tokenize  # only for files that declare an encoding

        encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
        return data.decode(encoding)
    if data.startswith(UTF8_BOM):
        return data[len(UTF8_BOM) :].decode("utf-8")
    return data.decode("utf-8")


def parse_error(path: str, message: str, line: int = 1, column: int = 1) -> Finding:
    """The `parse-error` finding: none of the checks could run on `path`."""
    line = max(line, 1)
    column = max(column, 1)
    return Finding(PARSE_ERROR.id, PARSE_ERROR.code, path, line, column, line, column, message)


def decode_source(path: str, data: bytes) -> str | Finding:
    """Decode a Python file's bytes; bytes that cannot be decoded become a `parse-error`."""
    try:
        return decode(data)
    except UnicodeDecodeError as error:
        start = error.start + (len(UTF8_BOM) if data.startswith(UTF8_BOM) else 0)  # BOM stripped
        line = len(split_lines(data[:start].decode("latin-1")))
        return parse_error(
            path, f"cannot decode the file as {error.encoding}: {error.reason}", line
        )
    except (SyntaxError, LookupError) as error:
        return parse_error(path, f"cannot decode the file: {error}")


def parse(path: str, data: bytes) -> Source | Finding:
    """Decode and parse a Python file; a file that does not parse becomes a `parse-error`."""
    text = decode_source(path, data)
    return text if isinstance(text, Finding) else parse_text(path, text)


def parse_text(path: str, text: str) -> Source | Finding:
    """Parse already decoded source text."""
    import warnings  # compile() warns about invalid escapes on stderr; that is not ours to say

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            tree = compile(text, path, "exec", _ast.PyCF_ONLY_AST, dont_inherit=True)
    except SyntaxError as error:
        detail = error.msg or "invalid syntax"
        return parse_error(path, f"syntax error: {detail}", error.lineno or 1, error.offset or 1)
    except ValueError as error:  # NUL bytes on older Pythons
        return parse_error(path, f"cannot parse the file: {error}")
    except MemoryError as error:  # the parser's own stack, past a few thousand nesting levels
        return parse_error(
            path, f"cannot parse the file: {str(error) or 'nesting too deep for the parser'}"
        )
    except RecursionError:
        return parse_error(path, "cannot parse the file: nesting too deep for the parser")
    assert isinstance(tree, _ast.Module)  # what PyCF_ONLY_AST returns in "exec" mode
    return Source(path, text, tree)


def iter_child_nodes(node: _ast.AST) -> Iterator[_ast.AST]:
    """The direct children of `node`, in field order (as `ast.iter_child_nodes`)."""
    for name in node._fields:
        value = getattr(node, name, None)
        if isinstance(value, _ast.AST):
            yield value
        elif isinstance(value, list):
            for item in value:
                if isinstance(item, _ast.AST):
                    yield item


def walk(node: _ast.AST) -> Iterator[_ast.AST]:
    """Every node under `node` (itself included), depth first, without recursion."""
    stack = [node]
    while stack:
        current = stack.pop()
        yield current
        children = list(iter_child_nodes(current))
        children.reverse()
        stack.extend(children)


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
