"""Generated programs (hypothesmith) never make a Python check raise; arbitrary bytes never make
`parse` raise; and `parse` refuses exactly what the interpreter's compiler refuses, at its line:
generated programs with a statement inserted where the compiler may refuse it (`return`, `break`,
`nonlocal`, a late `__future__` import...), arbitrary bytes and text, and encoding declarations.
A rule whose module is missing fails here, it is never skipped.

Generating a program costs far more than checking it, so every program goes to every Python rule
and, with a statement inserted, to the compiler.
"""

from __future__ import annotations

import _ast
import ast
import re
import warnings

import hypothesmith
import pytest
from helpers import FIXTURES, compiler_verdict, generated_programs, hook_module
from hypothesis import given, settings
from hypothesis import strategies as st

from mergegate.hooks.finding import Finding
from mergegate.hooks.registry import RULES
from mergegate.hooks.rule import Rule
from mergegate.hooks.source import Source, parse, run_checks

PYTHON_RULES = [rule for rule in RULES.values() if rule.scope == "python"]
GENERATED = generated_programs(150)


def option_sets(rule: Rule) -> list[dict[str, object]]:
    """The defaults, and each boolean option flipped: every code path the options select."""
    defaults = rule.default_options()
    flipped = [
        {**defaults, option.name: not option.default}
        for option in rule.options
        if option.kind == "bool"
    ]
    return [defaults, *flipped]


def assert_checks_cleanly(code: str) -> None:
    parsed = parse("generated.py", code.encode("utf-8"))
    assert isinstance(parsed, Source), parsed  # hypothesmith yields only code that compiles
    for rule in PYTHON_RULES:
        check = hook_module(rule.id).check
        for options in option_sets(rule):
            assert_sane(rule, parsed, run_checks(parsed, [(check, options)]))


def assert_verdict_is_the_compilers(data: bytes) -> None:
    result = parse("generated.py", data)
    compiles, line = compiler_verdict(data)
    assert isinstance(result, Source) == compiles, (data, result)
    if isinstance(result, Finding):
        assert (result.rule, result.code) == ("parse-error", "MG001")
        if line is not None:
            assert result.line == line, (data, result)


# Statements the compiler refuses in some places the parser accepts them; {name} is a name the
# program uses (a `global` after its use is an error, before it is none).
SENSITIVE = [
    "return",
    "return {name}",
    "yield {name}",
    "await {name}",
    "break",
    "continue",
    "global {name}",
    "nonlocal {name}",
    "from __future__ import annotations",
    "from __future__ import braces",
    "def f({name}, {name}): pass",
    "{name} = lambda a, a: a",
    "__debug__ = 1",
    "*{name}, = ()",
    "*{name} = ()",
    "async def f(): return [x async for x in {name}]",
    "class C: return",
    "del {name}",
]


def with_statement(code: str, template: str, position: int) -> str:
    """`code` with the statement inserted before one of its lines, indented as that line."""
    lines = code.split("\n")
    names = re.findall(r"\b[A-Za-z_]\w*", code) or ["x"]
    index = position % (len(lines) + 1)
    following = lines[index] if index < len(lines) else ""
    indent = following[: len(following) - len(following.lstrip(" \t"))]
    statement = template.format(name=names[position % len(names)])
    lines.insert(index, indent + statement)
    return "\n".join(lines)


def assert_sane(rule: Rule, parsed: Source, findings: list[Finding]) -> None:
    """Findings of `rule` on `parsed` that a report can show: inside the file, in order."""
    for finding in findings:
        assert isinstance(finding, Finding)
        assert finding.rule in (rule.id, "parse-error")
        assert finding.path == "generated.py"
        assert 1 <= finding.line <= len(parsed.lines), finding
        assert finding.column >= 1, finding
        assert (finding.end_line, finding.end_column) >= (finding.line, finding.column)


INSERTED = st.tuples(st.sampled_from(SENSITIVE), st.integers(min_value=0, max_value=10**6))


@pytest.mark.filterwarnings("ignore::SyntaxWarning")  # hypothesmith compiles what it generates
@GENERATED
@given(code=hypothesmith.from_grammar(), inserted=INSERTED)
def test_programs_from_the_grammar(code: str, inserted: tuple[str, int]) -> None:
    assert_checks_cleanly(code)
    assert_verdict_is_the_compilers(with_statement(code, *inserted).encode("utf-8"))


@pytest.mark.filterwarnings("ignore::SyntaxWarning")
@GENERATED
@given(code=hypothesmith.from_node(), inserted=INSERTED)
def test_programs_from_syntax_trees(code: str, inserted: tuple[str, int]) -> None:
    assert_checks_cleanly(code)
    assert_verdict_is_the_compilers(with_statement(code, *inserted).encode("utf-8"))


@pytest.mark.parametrize("rule", PYTHON_RULES, ids=lambda rule: rule.id)
def test_rule_module_has_a_check(rule: Rule) -> None:
    """Fails (never skips) when a Python rule's module is missing or has no `check`."""
    assert callable(hook_module(rule.id).check)


def test_every_python_rule_is_covered() -> None:
    """The rules checked here are those the fixtures exist for: a rule that left the registry, or
    one that never had a fixture, shows."""
    fixtures = {path.stem.split("__")[0] for path in (FIXTURES / "python").glob("*.py")}
    assert PYTHON_RULES and {rule.id for rule in PYTHON_RULES} == fixtures


@settings(max_examples=500, deadline=None)
@given(data=st.binary(max_size=2000))
def test_parse_never_raises_on_bytes(data: bytes) -> None:
    result = parse("arbitrary.py", data)
    assert isinstance(result, (Source, Finding))
    if isinstance(result, Finding):
        assert (result.rule, result.code) == ("parse-error", "MG001")
        assert result.line >= 1 and result.column >= 1
    assert_verdict_is_the_compilers(data)


@settings(max_examples=300, deadline=None)
@given(text=st.text(max_size=500))
def test_parse_never_raises_on_text(text: str) -> None:
    """Text is likelier than raw bytes to get past the decoder and reach the parser."""
    data = text.encode("utf-8", "surrogatepass")
    assert isinstance(parse("arbitrary.py", data), (Source, Finding))
    assert_verdict_is_the_compilers(data)


# The first two lines of a file, where an encoding may be declared, in the forms the compiler
# reads and the forms it does not; then a body whose string constant shows the decoding.
HEAD_LINES = st.sampled_from(
    [
        b"",
        b"#",
        b"# hello",
        b"x = 1",
        b"   ",
        b"\x0c",
        b"\\",
        b"#" + b"x" * 500,
        b"# \xe9",
        b"# -*- coding: latin-1 -*-",
        b"# coding: utf-8",
        b"# coding=cp1252",
        b"#coding:ascii",
        b"# coding: UTF8",
        b"# coding: euc_jp",
        b"# coding: klingon",
        b"# coding: utf-16",
        b"# vim: set fileencoding=latin-1 :",
        b"x = 1  # coding: latin-1",
    ]
)
LINE_ENDS = st.sampled_from([b"\n", b"\r", b"\r\n", b"\r\r", b""])
BODIES = st.sampled_from(
    [
        b"s = '\xe9'\n",
        b"s = '\xc3\xa9'\n",
        b"s = '\xa4\xa2'\n",
        b"s = 'x'",
        b"# \xff\ns = 1\n",
        b"\xe9 = 1\n",
    ]
)


@settings(max_examples=1_000, deadline=None)
@given(
    bom=st.booleans(),
    first=HEAD_LINES,
    end=LINE_ENDS,
    second=HEAD_LINES,
    body_end=LINE_ENDS,
    body=BODIES,
)
def test_decoding_is_the_compilers(
    bom: bool, first: bytes, end: bytes, second: bytes, body_end: bytes, body: bytes
) -> None:
    """The verdict, and the text: the program our text parses to is the one the compiler reads
    from the bytes (string constants included)."""
    data = (b"\xef\xbb\xbf" if bom else b"") + first + end + second + body_end + body
    assert_verdict_is_the_compilers(data)
    result = parse("generated.py", data)
    if isinstance(result, Source):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            flags = _ast.PyCF_ONLY_AST
            theirs = ast.dump(compile(data, "g.py", "exec", flags))
            assert ast.dump(compile(result.text, "g.py", "exec", flags)) == theirs
