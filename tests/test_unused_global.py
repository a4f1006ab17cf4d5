"""unused-global beyond its fixture: spans and messages, syntax newer than Python 3.9, deep trees,
the command line and start-up imports. Agreement with pyflakes is in test_differential_f824.py."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from helpers import check_python

from mergegate.hooks import unused_global


def findings(text: str) -> list[tuple[int, int, int, int, str]]:
    return [
        (finding.line, finding.column, finding.end_line, finding.end_column, finding.message)
        for finding in check_python("unused-global", textwrap.dedent(text))
    ]


def unused_lines(text: str) -> list[int]:
    return [line for line, *_ in findings(text)]


def test_spans_the_statement_once_per_unused_name_and_names_it() -> None:
    text = """\
        def f():
            global a, b, c
            b = 1
        """
    assert findings(text) == [
        (2, 5, 2, 19, "`global a` has no effect: nothing in this scope binds 'a'"),
        (2, 5, 2, 19, "`global c` has no effect: nothing in this scope binds 'c'"),
    ]


def test_nonlocal_is_named_as_such() -> None:
    text = """\
        def outer():
            value = 1
            def inner():
                nonlocal value
                return value
            return inner
        """
    assert findings(text) == [
        (4, 9, 4, 23, "`nonlocal value` has no effect: nothing in this scope binds 'value'")
    ]


def test_statement_spanning_lines() -> None:
    text = """\
        def f():
            global a, \\
                b
            a = 1
        """
    assert findings(text) == [
        (2, 5, 3, 10, "`global b` has no effect: nothing in this scope binds 'b'")
    ]


def test_columns_count_characters() -> None:
    assert findings("def f():\n    s = 'é'; global x\n")[0][:4] == (2, 14, 2, 22)


def test_file_without_declarations() -> None:
    assert findings("x = 1\ndef f():\n    return x\n") == []


@pytest.mark.skipif(sys.version_info < (3, 10), reason="match statements are Python 3.10+")
@pytest.mark.parametrize(
    "pattern",
    [
        "name",
        "[name]",
        "[first, *name]",
        "{'key': 1, **name}",
        "Point(x=name)",
        "[1, name] | [name, 2]",
        "[1] as name",
        "str(name)",
    ],
)
def test_match_capture_binds(pattern: str) -> None:
    text = f"""\
        def f(subject):
            global name
            match subject:
                case {pattern}:
                    pass
        """
    assert unused_lines(text) == []


@pytest.mark.skipif(sys.version_info < (3, 10), reason="match statements are Python 3.10+")
@pytest.mark.parametrize("pattern", ["_", "[*_]", "{'name': 1}", "Point(name=1)", "name.attr"])
def test_match_pattern_without_capture_does_not_bind(pattern: str) -> None:
    text = f"""\
        def f(subject):
            global name
            match subject:
                case {pattern}:
                    pass
        """
    assert unused_lines(text) == [2]


@pytest.mark.skipif(sys.version_info < (3, 12), reason="type statements are Python 3.12+")
def test_type_alias_binds() -> None:
    text = """\
        def f():
            global Alias, Other
            type Alias = list[int]
        """
    assert [message for *_, message in findings(text)] == [
        "`global Other` has no effect: nothing in this scope binds 'Other'"
    ]


def test_exception_group_handler_binds() -> None:
    if sys.version_info < (3, 11):
        pytest.skip("except* is Python 3.11+")
    text = """\
        def f():
            global error
            try:
                pass
            except* ValueError as error:
                pass
        """
    assert unused_lines(text) == []


def test_async_forms_bind() -> None:
    text = """\
        async def f(stream, context):
            global item, handle
            async for item in stream:
                pass
            async with context as handle:
                pass
        """
    assert unused_lines(text) == []


def test_async_function_body_is_its_own_scope() -> None:
    text = """\
        def f():
            global item
            async def inner(stream):
                async for item in stream:
                    pass
        """
    assert unused_lines(text) == [2]


def test_class_bases_and_keywords_run_in_the_enclosing_scope() -> None:
    text = """\
        def f():
            global base, meta
            class Inner((base := object), metaclass=(meta := type)):
                pass
        """
    assert unused_lines(text) == []


def test_walrus_in_a_comprehension_condition_binds_in_the_function() -> None:
    text = """\
        def f(values):
            global seen
            return [value for value in values if (seen := value)]
        """
    assert unused_lines(text) == []


def test_dict_comprehension_targets_stay_inside() -> None:
    text = """\
        def f(pairs):
            global key
            return {key: value for key, value in pairs}
        """
    assert unused_lines(text) == [2]


def test_tree_deeper_than_the_recursion_limit_is_checked_without_recursion() -> None:
    deep = "-" * 2000
    text = f"def f():\n    global x, y\n    z = {deep}(x := 1)\n"
    assert [message for *_, message in findings(text)] == [
        "`global y` has no effect: nothing in this scope binds 'y'"
    ]


def test_hook_prints_findings_and_exits_1(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    Path("pyproject.toml").write_text("[tool.mergegate]\nfail-on = 'P1'\n")  # MG201 is P1
    Path("bad.py").write_text("def f():\n    global x\n    return x\n", encoding="utf-8")
    Path("good.py").write_text("def f():\n    global x\n    x = 1\n", encoding="utf-8")
    assert unused_global.main(["good.py"]) == 0
    assert unused_global.main(["bad.py", "good.py"]) == 1
    out, err = capsys.readouterr()
    assert out == "bad.py:2:5: MG201 `global x` has no effect: nothing in this scope binds 'x'\n"
    assert err == ""


def test_hook_imports_nothing_slow() -> None:
    """Start-up budget: `ast`, `typing`, `dataclasses`, `re` cost more than the check itself."""
    probe = (
        "import sys; before = set(sys.modules); import mergegate.hooks.unused_global; "
        "slow = {'ast', 'typing', 'dataclasses', 're', 'enum'}; "
        "print(sorted(slow & (set(sys.modules) - before)))"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    )
    assert result.stdout == "[]\n"
