"""Parse errors from syntax newer than the running Python (hooks/newer_syntax.py): they stay
blocking parse errors, and say which Python the syntax needs and how to run mergegate with it.

Every construct runs on every Python: one newer than the running one must get the advice, one it
knows must parse.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from mergegate.hooks.finding import Finding
from mergegate.hooks.newer_syntax import SETUP, lowest_version
from mergegate.hooks.source import Source, parse

# Each construct with the Python version that first parses it.
NEWER_SYNTAX = {
    "match-statement": ("match command:\n    case 'go':\n        pass\n", (3, 10)),
    "match-on-a-tuple": ("match x, y:\n    case _:\n        pass\n", (3, 10)),
    "except-star": ("try:\n    pass\nexcept* ValueError:\n    pass\n", (3, 11)),
    "starred-subscript": ("x = a[*b]\n", (3, 11)),
    "starred-annotation": ("def f(*args: *Ts):\n    pass\n", (3, 11)),
    "function-type-parameters": (
        "def first[T](items: list[T]) -> T:\n    return items[0]\n",
        (3, 12),
    ),
    "class-type-parameters": ("class Box[T]:\n    pass\n", (3, 12)),
    "async-function-type-parameters": ("async def f[T](x: T) -> T:\n    return x\n", (3, 12)),
    "multi-line-type-parameters": ("def f[\n    T,\n](x: T) -> T:\n    return x\n", (3, 12)),
    "type-statement": ("type Pair = tuple[int, int]\n", (3, 12)),
    "generic-type-statement": ("type Pairs[T] = list[tuple[T, T]]\n", (3, 12)),
    "fstring-reusing-its-quote": ('x = f"{data["key"]}"\n', (3, 12)),
    "fstring-backslash": ("x = f\"{'\\n'.join(lines)}\"\n", (3, 12)),
    "fstring-comment": ('x = f"""{\n    value  # the total\n}"""\n', (3, 12)),
    "fstring-line-break": ('x = f"{\n    value\n}"\n', (3, 12)),
    "fstring-nested-deep": ("x = f'{f\"{f'''{f\"\"\"{1}\"\"\"}'''}\"}'\n", (3, 12)),
    "type-parameter-default": ("def f[T = int](x: T) -> T:\n    return x\n", (3, 13)),
    "type-statement-default": ("type Box[T = int] = list[T]\n", (3, 13)),
    "template-string": ('greeting = t"hello {name}"\n', (3, 14)),
    "raw-template-string": ('pattern = rt"\\d+{name}"\n', (3, 14)),
    "except-without-parentheses": (
        "try:\n    pass\nexcept ValueError, TypeError:\n    pass\n",
        (3, 14),
    ),
}
RUNNING = sys.version_info[:2]


def result(text: str, path: str = "example.py") -> Source | Finding:
    return parse(path, text.encode("utf-8"))


@pytest.mark.parametrize(("text", "version"), NEWER_SYNTAX.values(), ids=NEWER_SYNTAX.keys())
def test_newer_syntax_says_which_python_it_needs(text: str, version: tuple[int, int]) -> None:
    parsed = result(text)
    if version <= RUNNING:
        assert isinstance(parsed, Source), parsed
        return
    assert isinstance(parsed, Finding)
    assert (parsed.rule, parsed.code) == ("parse-error", "MG001")
    needed = f"{version[0]}.{version[1]}"
    running = f"{RUNNING[0]}.{RUNNING[1]}"
    assert parsed.message.startswith("syntax error: ")
    assert f"needs Python {needed}, and mergegate runs on Python {running}" in parsed.message
    assert f"run mergegate with Python {needed} or newer ({SETUP})" in parsed.message


@pytest.mark.parametrize(
    "text",
    [
        "def broken(:\n    pass\n",
        "x = 1 +\n",
        'print "hello"\n',
        "class C(:\n    pass\n",
        'x = f"{}"\n',
        "x = f'{a b}'\n",
        "type = 1 +\n",
        "match = 1 +\n",
        "try:\n    pass\nexcept ValueError, TypeError as error:\n    pass\n",
        "x = [*a for a in b]\n",
        'x = b"{y}" c\n',
    ],
    ids=[
        "parameters",
        "expression",
        "python-2-print",
        "class-bases",
        "empty-fstring-field",
        "fstring-field",
        "type-as-a-name",
        "match-as-a-name",
        "except-list-with-as",
        "starred-comprehension",
        "bytes-then-name",
    ],
)
def test_errors_of_every_python_get_no_advice(text: str) -> None:
    parsed = result(text)
    assert isinstance(parsed, Finding)
    assert "needs Python" not in parsed.message
    assert "setup-python" not in parsed.message


NEEDS_3_12 = "type Pair = tuple[int, int]\n"


@pytest.mark.skipif(RUNNING >= (3, 12), reason="the construct parses on this Python")
@pytest.mark.parametrize(
    ("declared", "expected"),
    [
        (
            ">=3.12",
            "run mergegate with Python 3.12 or newer ({SETUP}), as pyproject.toml's"
            " requires-python '>=3.12' says",
        ),
        (
            "~=3.13.1",
            "run mergegate with Python 3.13 or newer ({SETUP}), as pyproject.toml's"
            " requires-python '~=3.13.1' says",
        ),
        (
            ">=3.9,<4",
            "run mergegate with Python 3.12 or newer ({SETUP}); pyproject.toml's"
            " requires-python '>=3.9,<4' admits Pythons that cannot parse this file",
        ),
    ],
    ids=["at-least-the-syntax", "above-the-syntax", "below-the-syntax"],
)
def test_advice_uses_the_projects_requires_python(
    tmp_path: Path, declared: str, expected: str
) -> None:
    (tmp_path / "pyproject.toml").write_text(f'[project]\nrequires-python = "{declared}"\n')
    (tmp_path / "pkg").mkdir()
    parsed = result(NEEDS_3_12, str(tmp_path / "pkg" / "types.py"))
    assert isinstance(parsed, Finding)
    assert parsed.message.endswith(expected.format(SETUP=SETUP)), parsed.message


@pytest.mark.skipif(RUNNING >= (3, 12), reason="the construct parses on this Python")
@pytest.mark.parametrize(
    "pyproject",
    ["[tool.black]\nline-length = 100\n", "[project\n", "[project]\nrequires-python = 3.12\n"],
    ids=["no-requires-python", "broken-toml", "not-a-string"],
)
def test_advice_goes_without_requires_python_when_none_is_read(
    tmp_path: Path, pyproject: str
) -> None:
    (tmp_path / "pyproject.toml").write_text(pyproject)
    parsed = result(NEEDS_3_12, str(tmp_path / "types.py"))
    assert isinstance(parsed, Finding)
    assert parsed.message.endswith(f"run mergegate with Python 3.12 or newer ({SETUP})")


@pytest.mark.skipif(RUNNING >= (3, 12), reason="the construct parses on this Python")
def test_a_long_requires_python_is_quoted_cut(tmp_path: Path) -> None:
    declared = ">=3.12," + ",".join(f"!=3.12.{patch}" for patch in range(40))
    (tmp_path / "pyproject.toml").write_text(f'[project]\nrequires-python = "{declared}"\n')
    parsed = result(NEEDS_3_12, str(tmp_path / "types.py"))
    assert isinstance(parsed, Finding)
    assert declared not in parsed.message
    assert repr(declared[:77] + "...") in parsed.message


@pytest.mark.parametrize(
    ("specifier", "lowest"),
    [
        (">=3.12", (3, 12)),
        (">= 3.10, <4", (3, 10)),
        ("~=3.11.2", (3, 11)),
        ("==3.13.*", (3, 13)),
        (">3.9", (3, 9)),
        ("<4", None),
        ("!=3.9.*", None),
        ("", None),
    ],
)
def test_lowest_version(specifier: str, lowest: tuple[int, int] | None) -> None:
    assert lowest_version(specifier) == lowest
