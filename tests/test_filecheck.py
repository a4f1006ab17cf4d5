"""Pre-checks (gates/filecheck.py): skipping checks whose `NEEDS` are absent, and checking only
the syntax when no check is left, never changes a result."""

from __future__ import annotations

import sys
import sysconfig
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from mergegate.gates.collect import python_checks
from mergegate.gates.projects import load
from mergegate.gates.filecheck import check_data, needed, syntax_error
from mergegate.gates.model import Item
from mergegate.hooks.finding import Finding
from mergegate.hooks.registry import RULES
from mergegate.hooks.source import Source, decode_source, parse_text, run_checks

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


def test_the_rules_with_needs_declare_them(checks: list[PythonCheck]) -> None:
    declared = {check.__module__.rsplit(".", 1)[1]: needs for check, _, needs in checks}
    assert declared["bare_except"] == ("except",)
    assert declared["unused_global"] == ("global", "nonlocal")
    assert declared["global_singleton_without_lock"][:2] == ("global", "nonlocal")


def test_singleton_needs_cover_every_class_reference() -> None:
    """A class attribute or registry is reached through a name the rule knows as a class."""
    from mergegate.hooks import global_singleton_without_lock as rule

    spellings = {*rule.vocabulary.CLASS_PARAMETERS, "class", "__class__", "classmethod", "type(x)"}
    for spelling in spellings:
        assert any(needle in spelling for needle in rule.NEEDS), spelling


def test_only_checks_whose_needs_appear_run(checks: list[PythonCheck]) -> None:
    names = {check.__module__.rsplit(".", 1)[1] for check, _ in needed(checks, "x = 1\n")}
    assert "bare_except" not in names and "unused_global" not in names
    names = {check.__module__.rsplit(".", 1)[1] for check, _ in needed(checks, "nonlocal")}
    assert "unused_global" in names and "bare_except" not in names


@pytest.mark.parametrize(
    "text",
    [
        "x = 1\n",
        "def f(:\n    pass\n",
        "x = 1\x00\n",
        "from __future__ import nope\n",  # symtable and the compiler refuse it; the parser does not
        "nonlocal x\n",
        "def f(a):\n    global a\n",
        "x = '\\d'\n",  # an invalid escape: a warning, silenced, not an error
        "x = " + "(" * 201 + "1" + ")" * 201 + "\n",
        "x = " + "-" * 5_000 + "1\n",
        "x = " + "+".join(["1"] * 3_000) + "\n",
        "f'{'\n",
        "async def f():\n    await x\nawait y\n",
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
        "long-sum",
        "fstring",
        "await-outside",
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


@pytest.mark.slow
def test_pre_checks_change_nothing_on_the_standard_library(
    checks: list[PythonCheck], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every file of the running Python's standard library, those that do not parse or decode
    included: the pre-checked result is the full one, and a check skipped for its NEEDS finds
    nothing there when it runs in full (its own NEEDS test disabled)."""
    root = Path(sysconfig.get_paths()["stdlib"])
    files = [path for path in sorted(root.rglob("*.py")) if "site-packages" not in path.parts]
    skipped = broken = 0
    for path in files:
        shown = str(path.relative_to(root))
        data = path.read_bytes()
        expected = reference(shown, data, checks)
        assert check_data(shown, data, checks) == expected, shown
        text = decode_source(shown, data)
        if isinstance(text, Finding):
            continue
        parsed = parse_text(shown, text)
        assert syntax_error(shown, text) == (None if isinstance(parsed, Source) else parsed)
        if not isinstance(parsed, Source):
            broken += 1
            continue
        for check, options, needs in checks:
            if needs is not None and not any(needle in text for needle in needs):
                with monkeypatch.context() as patch:
                    patch.setattr(sys.modules[check.__module__], "NEEDS", ("",))
                    assert check(parsed, options) == [], (shown, check.__module__)
                skipped += 1
    assert len(files) > 1_000 and skipped > 1_000 and broken > 0
    for rule in PYTHON_RULES:  # each rule alone: the syntax-only path on most files
        alone = [check for check in checks if check[0].__module__.endswith(rule.module)]
        if alone[0][2] is None:
            continue
        for path in files[::7]:
            shown, data = str(path.relative_to(root)), path.read_bytes()
            assert check_data(shown, data, alone) == reference(shown, data, alone), shown
