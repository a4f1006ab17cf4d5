"""Pre-checks (gates/filecheck.py, hooks/source.py `mentions`): skipping checks whose rule's
`needs` a file does not hold, and giving a file no check needs only the compiler's verdict, never
changes a result."""

from __future__ import annotations

import _ast
import sysconfig
import warnings
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from helpers import compiler_verdict

from mergegate.gates.collect import python_checks
from mergegate.gates.projects import load
from mergegate.gates.filecheck import RuleCheck, check_data, needed
from mergegate.gates.model import Item
from mergegate.hooks import debug_print
from mergegate.hooks.finding import Finding
from mergegate.hooks.registry import RULES
from mergegate.hooks.rule import Rule
from mergegate.hooks.source import (
    Source,
    decode_source,
    mentions,
    parse_text,
    run_checks,
    syntax_error,
)

if TYPE_CHECKING:  # a type alias the gate defines for type checkers only
    from mergegate.gates.filecheck import PythonCheck

PYTHON_RULES = [rule for rule in RULES.values() if rule.scope == "python"]


@pytest.fixture(scope="module")
def checks(tmp_path_factory: pytest.TempPathFactory) -> list[PythonCheck]:
    """Every Python rule with its default options, read from an empty folder (the current
    directory then: a run from inside another repository may not check it)."""
    empty = tmp_path_factory.mktemp("empty")
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(empty)
        return python_checks(load(None, str(empty)), PYTHON_RULES)


def reference(shown: str, data: bytes, checks: list[PythonCheck]) -> list[Item]:
    """What the gate gave before pre-checks: decode, parse, run every check."""
    text = decode_source(shown, data)
    if isinstance(text, Finding):
        return [Item(text)]
    parsed = parse_text(shown, text)
    if isinstance(parsed, Finding):
        return [Item(parsed)]
    pairs = [(check, options) for check, options, _ in checks]
    return [Item(finding, parsed.line(finding.line)) for finding in run_checks(parsed, pairs)]


def rule_of(check: object) -> Rule:
    """The rule of a check the gate made (a RuleCheck, named by its rule's id)."""
    assert isinstance(check, RuleCheck)
    return RULES[check.rule_id]


def module_names(selected: list[tuple[object, dict[str, object]]]) -> set[str]:
    return {rule_of(check).module for check, _ in selected}


def stdlib_sources() -> tuple[Path, list[Path]]:
    """The running Python's standard library and every .py file in it, site-packages left out."""
    root = Path(sysconfig.get_paths()["stdlib"])
    return root, [path for path in sorted(root.rglob("*.py")) if "site-packages" not in path.parts]


def only(checks: list[PythonCheck], rule_id: str) -> list[PythonCheck]:
    return [check for check in checks if rule_of(check[0]).id == rule_id]


def test_the_rules_with_needs_declare_them(checks: list[PythonCheck]) -> None:
    declared = {rule_of(check).module: needs for check, _, needs in checks}
    assert declared["bare_except"] == ("except :",)
    assert declared["unused_global"] == ("global", "nonlocal")
    assert declared["debug_print"] == ("print",)
    assert declared["global_singleton_without_lock"][:2] == ("global", "nonlocal")


SINGLETON_CLASS_REFERENCES = {"class", "__class__", "classmethod", "type(x)"}


def test_singleton_needs_cover_every_class_reference() -> None:
    """A class attribute or registry is reached through a name the rule knows as a class."""
    from mergegate.hooks.global_singleton_without_lock import vocabulary

    needs = RULES["global-singleton-without-lock"].needs
    for spelling in {*vocabulary.CLASS_PARAMETERS, *SINGLETON_CLASS_REFERENCES}:
        assert mentions(spelling, needs), spelling


def test_singleton_needs_cover_its_implicit_classmethods() -> None:
    from mergegate.hooks.global_singleton_without_lock import vocabulary

    needs = RULES["global-singleton-without-lock"].needs
    for name in vocabulary.IMPLICIT_CLASSMETHODS:
        assert mentions(f"def {name}(k):", needs), name


# What `mentions` finds


@pytest.mark.parametrize(
    ("text", "held"),
    [
        ("try:\n    x()\nexcept:\n    pass\n", True),
        ("try:\n    x()\nexcept :\n    pass\n", True),
        ("try:\n    x()\nexcept\t\\\n  :\n    pass\n", True),
        ("try:\n    x()\nexcept\\\r\n:\n    pass\n", True),
        ("try:\n    x()\nexcept ValueError:\n    pass\n", False),
        ("# except: is bare\n", True),  # comments and strings count: a needless run, never a miss
        ("except_ = 1\nexcept_:int\n", False),
        ("raise ValueError('x')\n", False),
    ],
    ids=[
        "bare",
        "space",
        "continuation",
        "crlf-continuation",
        "typed",
        "comment",
        "longer-word",
        "absent",
    ],
)
def test_mentions_finds_token_sequences(text: str, held: bool) -> None:
    assert mentions(text, ("except :",)) is held


def test_mentions_a_single_token_anywhere() -> None:
    assert mentions("import pprint\n", ("print",))
    assert mentions("x = 1  # print\n", ("print",))
    assert not mentions("x = 1\n", ("print",))
    assert mentions("x = 1\n", None)


def test_mentions_lets_every_non_ascii_text_through() -> None:
    """Python reads identifiers in their NFKC form: no text search on the raw text decides."""
    assert mentions("x = 'caf\u00e9'\n", ("print",))
    assert mentions("\U0001d429\U0001d42b\U0001d422\U0001d427\U0001d42d(1)\n", ("print",))


def test_only_checks_whose_needs_appear_run(checks: list[PythonCheck]) -> None:
    names = module_names(needed(checks, "x = 1\n"))
    assert "bare_except" not in names and "unused_global" not in names
    names = module_names(needed(checks, "nonlocal"))
    assert "unused_global" in names and "bare_except" not in names
    names = module_names(needed(checks, "try:\n    x()\nexcept ValueError:\n    pass\n"))
    assert "bare_except" not in names
    names = module_names(needed(checks, "try:\n    x()\nexcept:\n    pass\n"))
    assert "bare_except" in names


# NFKC spellings: each Python rule's pre-check, through the gate and through the hook

BOLD_PRINT = "\U0001d429\U0001d42b\U0001d422\U0001d427\U0001d42d"  # "print" in bold letters
BOLD_TYPE = "\U0001d42d\U0001d432\U0001d429\U0001d41e"
BOLD_GLOBAL = "\U0001d420\U0001d425\U0001d428\U0001d41b\U0001d41a\U0001d425"
BOLD_EXCEPT = "\U0001d41e\U0001d431\U0001d41c\U0001d41e\U0001d429\U0001d42d"


def test_nfkc_print_is_reported_through_the_gate_and_the_hook(
    checks: list[PythonCheck], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    text = f"def report(o):\n    {BOLD_PRINT}(o)\n"
    data = text.encode("utf-8")
    alone = only(checks, "debug-print")
    found = [(item.finding.code, item.finding.line) for item in check_data("app.py", data, alone)]
    assert found == [("MG301", 2)]
    assert check_data("app.py", data, checks) == reference("app.py", data, checks)
    monkeypatch.chdir(tmp_path)
    (tmp_path / "app.py").write_bytes(data)
    (tmp_path / "pyproject.toml").write_text("[tool.mergegate]\nfail-on = 'P2'\n")  # MG301: P2
    assert debug_print.main(["app.py"]) == 1


def test_nfkc_pprint_module_is_reported(checks: list[PythonCheck]) -> None:
    bold_pprint = "\U0001d429" + BOLD_PRINT
    data = f"import {bold_pprint}\n{bold_pprint}.pp(1)\n".encode("utf-8")
    found = [item.finding.code for item in check_data("app.py", data, only(checks, "debug-print"))]
    assert found == ["MG302"]


@pytest.mark.parametrize(
    ("rule_id", "text"),
    [
        ("bare-except", f"try:\n    x()\n{BOLD_EXCEPT}:\n    pass\n"),
        ("unused-global", f"def f():\n    {BOLD_GLOBAL} counter\n"),
    ],
)
def test_nfkc_keywords_are_not_keywords(rule_id: str, text: str, checks: list[PythonCheck]) -> None:
    """Keywords are read before NFKC: `global` in bold letters is a name, and this a syntax error,
    through the gate as without pre-checks."""
    data = text.encode("utf-8")
    alone = only(checks, rule_id)
    assert [item.finding.code for item in check_data("app.py", data, alone)] == ["MG001"]
    assert check_data("app.py", data, alone) == reference("app.py", data, alone)


def test_nfkc_global_declared_name_runs_unused_global(checks: list[PythonCheck]) -> None:
    data = f"def f():\n    global {BOLD_TYPE}\n".encode("utf-8")
    alone = only(checks, "unused-global")
    assert [item.finding.code for item in check_data("app.py", data, alone)] == ["MG201"]


SINGLETON_THROUGH_TYPE = (
    "def instance(x):\n"
    f"    if {BOLD_TYPE}(x)._inst is None:\n"
    f"        {BOLD_TYPE}(x)._inst = Thing()\n"
    f"    return {BOLD_TYPE}(x)._inst\n"
)


def test_the_gate_runs_the_singleton_rule_on_an_nfkc_spelling(checks: list[PythonCheck]) -> None:
    assert "global_singleton_without_lock" in module_names(needed(checks, SINGLETON_THROUGH_TYPE))


def test_nfkc_type_is_reported_through_the_gate(checks: list[PythonCheck]) -> None:
    data = SINGLETON_THROUGH_TYPE.encode("utf-8")
    alone = only(checks, "global-singleton-without-lock")
    assert [item.finding.code for item in check_data("app.py", data, alone)] == ["MG401"]


# The compiler's verdict for files no check needs


@pytest.mark.parametrize(
    "text",
    [
        "x = 1\n",
        "def f(:\n    pass\n",
        "x = 1\x00\n",
        "from __future__ import nope\n",
        "nonlocal x\n",
        "def f(a):\n    global a\n",
        "x = '\\d'\n",  # an invalid escape: a warning, silenced, not an error
        "x = " + "(" * 201 + "1" + ")" * 201 + "\n",
        "x = " + "-" * 5_000 + "1\n",
        "x = " + "-" * 1_500 + "1\n",
        "x = " + "+".join(["1"] * 3_000) + "\n",
        "f'{'\n",
        "async def f():\n    await x\nawait y\n",
        "x = 1\nreturn x\n",
        "while x:\n    pass\nbreak\n",
        "def f(a, a):\n    pass\n",
        "x = 1\nfrom __future__ import annotations\n",
        "from __future__ import braces\n",
        "def f():\n    x = 1\n    global x\n",
        "x = 'caf\u00e9'; yield x\n",
        "type X = int\n",
    ],
    ids=[
        "fine",
        "syntax",
        "nul",
        "future",
        "nonlocal-module",
        "global-parameter",
        "escape",
        "parentheses",
        "deep-unary",
        "deep-for-a-tree-to-compile",
        "long-sum",
        "fstring",
        "await-outside",
        "return-outside",
        "break-outside",
        "duplicate-argument",
        "late-future",
        "braces",
        "assigned-before-global",
        "non-ascii-yield-outside",
        "newer-syntax",
    ],
)
def test_the_syntax_pre_check_is_the_parse(
    text: str, checks: list[PythonCheck], capsys: pytest.CaptureFixture[str]
) -> None:
    parsed = parse_text("example.py", text)
    expected = parsed if isinstance(parsed, Finding) else None
    assert syntax_error("example.py", text) == expected
    data = text.encode()
    only_needing = [check for check in checks if check[2] is not None]
    assert check_data("example.py", data, only_needing) == reference("example.py", data, checks)
    assert capsys.readouterr().err == ""


def test_module_level_nonlocal_is_a_parse_error_not_an_unused_global(
    checks: list[PythonCheck],
) -> None:
    data = b"def f():\n    pass\nnonlocal x\n"
    found = [(item.finding.code, item.finding.line) for item in check_data("a.py", data, checks)]
    assert found == [("MG001", 3)]


@pytest.mark.slow
def test_pre_checks_change_nothing_on_the_standard_library(
    checks: list[PythonCheck], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every file of the running Python's standard library, those that do not parse or decode
    included: the pre-checked result is the full one; a check skipped for its rule's `needs`
    finds nothing there when it runs in full (its own `needs` test disabled); and the verdict is the
    compiler's, at its line (a file it cannot decode at all, it names no line for)."""
    root, files = stdlib_sources()
    skipped = broken = compile_time = 0
    for path in files:
        shown = str(path.relative_to(root))
        data = path.read_bytes()
        text = decode_source(shown, data)
        parsed = text if isinstance(text, Finding) else parse_text(shown, text)
        compiles, line = compiler_verdict(data)
        assert isinstance(parsed, Source) == compiles, shown
        if isinstance(parsed, Finding) and line is not None:
            assert parsed.line == line, shown
        if isinstance(parsed, Source):
            pairs = [(check, options) for check, options, _ in checks]
            found = run_checks(parsed, pairs)
            expected = [Item(finding, parsed.line(finding.line)) for finding in found]
        else:
            expected = [Item(parsed)]
        assert check_data(shown, data, checks) == expected, shown
        if isinstance(text, Finding):
            continue
        assert syntax_error(shown, text) == (None if isinstance(parsed, Source) else parsed)
        if not isinstance(parsed, Source):
            broken += 1
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                try:
                    compile(text, shown, "exec", _ast.PyCF_ONLY_AST)  # the parser alone
                    compile_time += 1
                except SyntaxError:
                    pass
            continue
        for check, options, needs in checks:
            if not mentions(text, needs):
                with monkeypatch.context() as patch:
                    patch.setattr(rule_of(check), "needs", ("",))
                    assert check(parsed, options) == [], (shown, rule_of(check).id)
                skipped += 1
    assert len(files) > 1_000 and skipped > 1_000 and broken > 0 and compile_time > 0


@pytest.mark.slow
@pytest.mark.parametrize("rule_id", [rule.id for rule in PYTHON_RULES if rule.needs is not None])
def test_a_rule_alone_changes_nothing_on_the_standard_library(
    checks: list[PythonCheck], rule_id: str
) -> None:
    """The rule's check alone: the syntax-only path on most files gives the full result."""
    alone = only(checks, rule_id)
    root, files = stdlib_sources()
    for path in files[::7]:
        shown, data = str(path.relative_to(root)), path.read_bytes()
        assert check_data(shown, data, alone) == reference(shown, data, alone), shown
