"""Syntax newer than the running Python: which version a parse error asks for, and what to do.

Imported only when a file does not parse. A feature is named only when the error stands where
that feature starts (a `[` after `def name`, a `*` after `except`...), so the advice is never a
guess; the error stays a blocking parse error either way, as nothing could be checked.
"""

from __future__ import annotations

import os
import re
import sys

from .source import split_lines

TYPE_CHECKING = False
if TYPE_CHECKING:  # typing costs start-up time; mypy reads this block, the interpreter skips it
    from collections.abc import Callable

    Version = tuple[int, int]
    # The text, its lines, and the error's line (1-based) and column (0-based, in characters).
    Detector = Callable[[str, list[str], int, int], "Version | None"]

SETUP = "in GitHub Actions, put actions/setup-python before mergegate"
"""How to choose the Python that runs mergegate where most users run it: the action runs the
`python3` on PATH."""
REQUIRES_PYTHON_SHOWN = 80
"""The longest `requires-python` value quoted in a message (the file is the pull request's own)."""

_BLANK = r"[ \t\f]"
_BLOCK_HEAD = re.compile(rf"{_BLANK}*(?:async{_BLANK}+)?(?:def|class){_BLANK}+\w+{_BLANK}*(\[)")
_TYPE_ALIAS = re.compile(rf"{_BLANK}*type{_BLANK}+\w+{_BLANK}*([\[=])")
_EXCEPT_STAR = re.compile(rf"{_BLANK}*except{_BLANK}*(\*)")
_EXCEPT_LIST = re.compile(rf"{_BLANK}*except{_BLANK}+[^:#*(]*?,[^:#]*:")
_MATCH = re.compile(rf"{_BLANK}*match\b(?!{_BLANK}*[=.,:;)\]}}])")
_FSTRING_START = re.compile(r"(?<!\w)(?:[rR]?[fF]|[fF][rR])('''|\"\"\"|'|\")")
_STRING_START = re.compile(r"(?<!\w)[rRbBuU]{0,2}('''|\"\"\"|'|\")")
_LINE_END = re.compile(r"\r\n|\r|\n")
_TSTRING_PREFIX = re.compile(r"(?<!\w)(?:[tT][rR]?|[rR][tT])$")
_AS = re.compile(r"\bas\b")
_STARRED_PARAMETER = re.compile(r"[(,]\s*\*\s*\w+\s*:$")


def advice(path: str, text: str, error: SyntaxError) -> str | None:
    """What to do when `error` stands where syntax newer than the running Python starts: the
    version it needs and how to run mergegate with it (with the project's `requires-python`
    when its pyproject.toml declares one), or None."""
    found = newer_feature(text, error)
    if found is None:
        return None
    feature, needed = found
    wanted = needed
    declared = requires_python(path)
    note = ""
    if declared is not None:
        cut = REQUIRES_PYTHON_SHOWN - len("...")
        shown = declared if len(declared) <= REQUIRES_PYTHON_SHOWN else declared[:cut] + "..."
        floor = lowest_version(declared)
        if floor is not None and floor >= needed:
            wanted = floor
            note = f", as pyproject.toml's requires-python {shown!r} says"
        else:
            note = (
                f"; pyproject.toml's requires-python {shown!r} admits Pythons that cannot"
                " parse this file"
            )
    return (
        f"{feature} needs Python {_dotted(needed)}, and mergegate runs on Python"
        f" {_dotted(sys.version_info[:2])}: run mergegate with Python {_dotted(wanted)} or newer"
        f" ({SETUP}){note}"
    )


def newer_feature(text: str, error: SyntaxError) -> tuple[str, Version] | None:
    """The feature newer than the running Python that starts where `error` stands, and the
    version that brought it; None when the error is not there."""
    lines = split_lines(text)
    line = error.lineno or 0
    if not 0 < line <= len(lines):
        return None
    column = max((error.offset or 1) - 1, 0)
    for name, detector in _DETECTORS:
        version = detector(text, lines, line, column)
        if version is not None and version > sys.version_info[:2]:
            return name, version
    return None


def _line_start(text: str, line: int) -> int:
    """The index in `text` where line `line` (1-based, as the tokenizer counts) starts."""
    start = 0
    for number, end in enumerate(_LINE_END.finditer(text), start=2):
        if number > line:
            break
        start = end.end()
    return start


def _type_parameters(text: str, lines: list[str], line: int, column: int) -> Version | None:
    """`def f[T]`, `class C[T]` (3.12), with a default `[T = int]` (3.13)."""
    match = _BLOCK_HEAD.match(lines[line - 1])
    if match is None or column != match.start(1):
        return None
    return _parameters_version(text, line, match.start(1))


def _type_alias(text: str, lines: list[str], line: int, column: int) -> Version | None:
    """`type Name = ...` and `type Name[T] = ...` (3.12; a parameter's default, 3.13)."""
    source_line = lines[line - 1]
    match = _TYPE_ALIAS.match(source_line)
    if match is None or not source_line.index("type") < column <= match.start(1):
        return None
    if match.group(1) == "=":
        return (3, 12)
    return _parameters_version(text, line, match.start(1))


def _parameters_version(text: str, line: int, column: int) -> Version | None:
    """3.13 when the type parameter list opened at `column` gives a default, else 3.12; None
    when the list does not close."""
    offset = _line_start(text, line) + column
    depth = 0
    for index in range(offset, len(text)):
        character = text[index]
        if character in "([{":
            depth += 1
        elif character in ")]}":
            depth -= 1
            if depth == 0:
                return (3, 12)
        elif (
            character == "="
            and depth == 1
            and text[index - 1] not in "=<>!:"
            and text[index + 1 : index + 2] != "="
        ):
            return (3, 13)
    return None


def _except_star(text: str, lines: list[str], line: int, column: int) -> Version | None:
    """`except* Error:` (3.11)."""
    match = _EXCEPT_STAR.match(lines[line - 1])
    return (3, 11) if match is not None and column == match.start(1) else None


def _except_list(text: str, lines: list[str], line: int, column: int) -> Version | None:
    """`except A, B:` without parentheses or `as` (3.14)."""
    match = _EXCEPT_LIST.match(lines[line - 1])
    if match is None or _AS.search(match.group(0)) or column >= match.end():
        return None
    return (3, 14)


def _match_statement(text: str, lines: list[str], line: int, column: int) -> Version | None:
    """`match subject:` followed by `case` (3.10)."""
    source_line = lines[line - 1]
    match = _MATCH.match(source_line)
    if match is None or column < match.end():
        return None
    if not source_line.split("#", 1)[0].rstrip().endswith(":"):
        return None
    following = [other.strip() for other in lines[line:] if other.strip()]
    if not following or not following[0].startswith("case"):
        return None
    return (3, 10)


def _template_string(text: str, lines: list[str], line: int, column: int) -> Version | None:
    """`t"..."`, a template string (3.14): the error stands at the quote after its prefix."""
    source_line = lines[line - 1]
    if source_line[column : column + 1] not in ("'", '"'):
        return None
    return (3, 14) if _TSTRING_PREFIX.search(source_line[:column]) else None


def _star_in_subscript(text: str, lines: list[str], line: int, column: int) -> Version | None:
    """`a[*b]` and `def f(*args: *Ts)` (3.11)."""
    source_line = lines[line - 1]
    if source_line[column : column + 1] != "*":
        return None
    before = source_line[:column].rstrip()
    if before.endswith(":"):
        return (3, 11) if _STARRED_PARAMETER.search(before) else None
    if not before.endswith(("[", ",")):
        return None
    opener = _enclosing_bracket(before)
    if opener is None or before[opener] != "[":
        return None
    preceding = before[:opener].rstrip()
    return (3, 11) if preceding and (preceding[-1].isalnum() or preceding[-1] in "_)]") else None


def _enclosing_bracket(text: str) -> int | None:
    depth = 0
    for index in range(len(text) - 1, -1, -1):
        if text[index] in ")]}":
            depth += 1
        elif text[index] in "([{":
            if depth == 0:
                return index
            depth -= 1
    return None


def _formatted_string(text: str, lines: list[str], line: int, column: int) -> Version | None:
    """An f-string that only PEP 701 (3.12) reads: its own quote, a backslash or a comment in a
    replacement field, or a line break in one of a single-quoted f-string. The error must stand
    inside such an f-string, well formed by PEP 701's rules."""
    line_start = _line_start(text, line)
    position = line_start + column
    window = max(0, line_start - FSTRING_LOOKBACK)
    for candidate in _FSTRING_START.finditer(text, window, position + len('f"""')):
        if candidate.start() > position:
            break
        raw = "r" in candidate.group(0).lower()
        scanned = _scan_fstring(text, candidate.end(), candidate.group(1), raw, enclosing=())
        if scanned is not None and scanned[1] and position <= scanned[0]:
            return (3, 12)
    return None


FSTRING_LOOKBACK = 10_000
"""How far before the error's line an f-string holding the error may start (a long multi-line
f-string); bounds the work on a file with many f-strings."""


def _scan_fstring(
    text: str, index: int, quote: str, raw: bool, enclosing: tuple[str, ...]
) -> tuple[int, bool] | None:
    """Read an f-string's body from `index` (past its opening `quote`) by PEP 701's rules: where
    it ends, and whether it used what older Pythons refuse; None when it is not well formed.
    `enclosing`: the quotes of the f-strings whose replacement fields hold this one (older
    Pythons refuse any backslash there)."""
    newer = False
    while index < len(text):
        if text.startswith(quote, index):
            return index + len(quote), newer
        character = text[index]
        if character == "\\":
            newer = newer or bool(enclosing)
            if not raw and text.startswith("N{", index + 1):
                index = text.find("}", index)
                if index == -1:
                    return None
            index += 2
        elif character == "\n" and len(quote) == 1:
            return None
        elif text.startswith("{{", index) or text.startswith("}}", index):
            index += 2
        elif character == "{":
            field = _scan_field(text, index + 1, (*enclosing, quote))
            if field is None:
                return None
            index, field_newer = field
            newer = newer or field_newer
        elif character == "}":
            return None
        else:
            index += 1
    return None


def _scan_field(text: str, index: int, quotes: tuple[str, ...]) -> tuple[int, bool] | None:
    """Read a replacement field from `index` (past its `{`) to past its `}`; `quotes` are those
    of the f-strings around it, innermost last."""
    newer = False
    depth = 0
    while index < len(text):
        character = text[index]
        string = _STRING_START.match(text, index) or _FSTRING_START.match(text, index)
        if string is not None:
            inner = string.group(1)
            # a quote that would have ended an enclosing f-string before PEP 701
            newer = newer or any(inner.startswith(quote) for quote in quotes)
            prefix = string.group(0)[: -len(inner)].lower()
            if "f" in prefix:
                scanned = _scan_fstring(text, string.end(), inner, "r" in prefix, quotes)
            else:
                scanned = _scan_plain(text, string.end(), inner)
            if scanned is None:
                return None
            index, inner_newer = scanned
            newer = newer or inner_newer
            continue
        if character == "\\":
            newer = True
        elif character == "#":
            newer = True
            end = text.find("\n", index)
            index = len(text) if end == -1 else end
            continue
        elif character == "\n":
            newer = newer or len(quotes[-1]) == 1
        elif character in "([{":
            depth += 1
        elif character in ")]" or (character == "}" and depth > 0):
            depth -= 1
        elif character == "}":
            return index + 1, newer
        elif depth == 0 and character == ":" and not text.startswith(":=", index):
            spec = _scan_format_spec(text, index + 1, quotes)
            return None if spec is None else (spec[0], newer or spec[1])
        index += 1
    return None


def _scan_format_spec(text: str, index: int, quotes: tuple[str, ...]) -> tuple[int, bool] | None:
    """Read a format spec (after its field's `:`) to past the field's `}`; it may hold fields."""
    newer = False
    quote = quotes[-1]
    while index < len(text):
        character = text[index]
        if text.startswith(quote, index) or (character == "\n" and len(quote) == 1):
            return None
        if character == "{":
            field = _scan_field(text, index + 1, quotes)
            if field is None:
                return None
            index, field_newer = field
            newer = newer or field_newer
            continue
        if character == "}":
            return index + 1, newer
        index += 1
    return None


def _scan_plain(text: str, index: int, quote: str) -> tuple[int, bool] | None:
    """Read a string that is not an f-string to past its closing quote; a backslash in it is one
    older Pythons refuse inside a replacement field."""
    newer = False
    while index < len(text):
        if text.startswith(quote, index):
            return index + len(quote), newer
        character = text[index]
        if character == "\\":
            newer = True
            index += 2
            continue
        if character == "\n" and len(quote) == 1:
            return None
        index += 1
    return None


_DETECTORS: list[tuple[str, Detector]] = [
    ("type parameter syntax (PEP 695)", _type_parameters),
    ("a `type` statement (PEP 695)", _type_alias),
    ("`except*` (PEP 654)", _except_star),
    ("`except` with several exceptions and no parentheses (PEP 758)", _except_list),
    ("the `match` statement (PEP 634)", _match_statement),
    ("a template string (PEP 750)", _template_string),
    ("a starred expression in a subscript or annotation (PEP 646)", _star_in_subscript),
    ("this f-string (PEP 701)", _formatted_string),
]


def requires_python(path: str) -> str | None:
    """`[project] requires-python` of the closest pyproject.toml at or above the file's folder,
    or None (none declared, or the file cannot be read: the advice then goes without it)."""
    from .config import ConfigError, Reader, parse_toml

    directory = os.path.dirname(os.path.abspath(path))
    while True:
        candidate = os.path.join(directory, "pyproject.toml")
        if os.path.isfile(candidate):
            try:
                data = Reader().read(candidate)
                project = parse_toml(candidate, data or b"").get("project")
            except ConfigError:
                return None
            declared = project.get("requires-python") if isinstance(project, dict) else None
            return declared if isinstance(declared, str) else None
        parent = os.path.dirname(directory)
        if parent == directory:
            return None
        directory = parent


def lowest_version(specifier: str) -> Version | None:
    """The lowest Python a `requires-python` specifier admits (`>=3.12`, `~=3.12.1`, `==3.12.*`,
    `>=3.11,<4`), to the minor version; None when it says none (`<4` alone, `!=3.9`)."""
    floors = [
        (int(match.group(2)), int(match.group(3)))
        for match in re.finditer(r"(>=|~=|===?|>)\s*(\d+)\.(\d+)", specifier)
    ]
    return max(floors) if floors else None


def _dotted(version: tuple[int, ...]) -> str:
    return ".".join(str(part) for part in version)
