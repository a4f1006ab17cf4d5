"""bare-except (hooks/bare_except.py): which handlers, where, and the command line.

The expectations on re-raising follow ruff's E722 (checked against the real ruff and flake8 in
tests/test_differential_e722.py): only a bare `raise` directly in the handler's body allows it.
"""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
from helpers import check_python, lines_of

from mergegate.hooks import bare_except

MESSAGE = bare_except.MESSAGE


def places(text: str, **options: object) -> list[tuple[int, int]]:
    """(line, column) of each finding on the dedented text."""
    findings = check_python("bare-except", textwrap.dedent(text), **options)
    return [(finding.line, finding.column) for finding in findings]


# Which handlers


def test_typed_handlers_are_fine() -> None:
    text = """\
        try:
            work()
        except ValueError:
            pass
        except (KeyError, IndexError) as error:
            pass
        except BaseException:
            pass
        """
    assert places(text) == []


def test_nested_handlers_each_count() -> None:
    text = """\
        try:
            work()
        except:
            try:
                recover()
            except:
                pass
        """
    assert places(text) == [(3, 1), (6, 5)]


def test_inner_reraise_does_not_excuse_the_outer_handler() -> None:
    text = """\
        try:
            work()
        except:
            try:
                recover()
            except:
                raise
        """
    assert places(text) == [(3, 1)]


def test_handlers_in_functions_classes_and_async_code() -> None:
    text = """\
        def f():
            try:
                work()
            except:
                pass

        class C:
            try:
                import fast
            except:
                fast = None

            def method(self):
                try:
                    work()
                except:
                    pass

        async def g():
            try:
                await work()
            except:
                pass
            async with lock:
                try:
                    await work()
                except:
                    pass
        """
    assert places(text) == [(4, 5), (10, 5), (16, 9), (22, 5), (27, 9)]


def test_try_with_else_and_finally() -> None:
    text = """\
        try:
            work()
        except:
            pass
        else:
            raise
        finally:
            raise
        """
    assert places(text) == [(3, 1)]  # a `raise` in `else`/`finally` is not the handler's


def test_except_star_has_no_bare_form() -> None:
    assert places("try:\n    work()\nexcept* ValueError:\n    pass\n") == []


def test_spacing_before_the_colon() -> None:
    assert places("try:\n    work()\nexcept :\n    pass\n") == [(3, 1)]
    assert places("try:\n    work()\nexcept\t:\n    pass\n") == [(3, 1)]


def test_one_line_handlers() -> None:
    assert places("try: work()\nexcept: pass\n") == [(2, 1)]
    assert places("try: work()\nexcept: cleanup(); raise\n") == []


# Re-raising (ruff's E722 by default, pycodestyle's with allow-reraise = false)


def test_bare_raise_directly_in_the_body_is_allowed() -> None:
    text = """\
        try:
            work()
        except:
            cleanup()
            raise
        """
    assert places(text) == []
    assert places(text, allow_reraise=False) == [(3, 1)]


def test_raise_nested_under_an_if_does_not_count() -> None:
    """ruff's E722 only looks at the handler's own statements: a conditional re-raise may not
    happen, so the handler can still swallow everything (ruff reports it; so do we)."""
    text = """\
        try:
            work()
        except:
            if fatal():
                raise
        """
    assert places(text) == [(3, 1)]


@pytest.mark.parametrize(
    "block",
    [
        "for attempt in range(3):\n        raise",
        "with lock:\n        raise",
        "try:\n        cleanup()\n    finally:\n        raise",
    ],
)
def test_raise_nested_in_other_blocks_does_not_count(block: str) -> None:
    text = f"try:\n    work()\nexcept:\n    {block}\n"
    assert places(text) == [(3, 1)]


def test_raising_something_else_does_not_count() -> None:
    for statement in ("raise exc", "raise RuntimeError('x')", "raise RuntimeError from None"):
        assert places(f"try:\n    work()\nexcept:\n    {statement}\n") == [(3, 1)], statement


def test_raise_in_a_nested_function_does_not_count() -> None:
    text = "try:\n    work()\nexcept:\n    def later():\n        raise\n"
    assert places(text) == [(3, 1)]


# Positions


def test_finding_spans_the_except_keyword() -> None:
    [finding] = check_python(
        "bare-except", "if x:\n    try:\n        work()\n    except:\n        pass\n"
    )
    assert (finding.line, finding.column, finding.end_line, finding.end_column) == (4, 5, 4, 11)
    assert (finding.rule, finding.code, finding.message) == ("bare-except", "MG101", MESSAGE)


def test_columns_count_characters_on_lines_with_non_ascii_text() -> None:
    """Only indentation can precede `except` on its line (it starts a statement), so the
    non-ASCII text is after it, and on the lines around it: none of it may shift the column."""
    text = 'if x:\n    try: s = "€€"\n    except: s = "é"  # café\n'
    [finding] = check_python("bare-except", text)
    assert (finding.line, finding.column, finding.end_column) == (3, 5, 11)


def test_tab_and_form_feed_indentation_count_one_column_each() -> None:
    assert places("if x:\n\ttry:\n\t\twork()\n\texcept:\n\t\tpass\n") == [(4, 2)]
    assert places("try:\n    work()\n\x0cexcept:\n    pass\n") == [(3, 2)]


def test_crlf_line_endings() -> None:
    assert lines_of(
        check_python("bare-except", "try:\r\n    work()\r\nexcept:\r\n    pass\r\n")
    ) == [3]


# The command line


SWALLOW = "try:\n    work()\nexcept:{comment}\n    pass\n"
RERAISE = "try:\n    work()\nexcept:\n    cleanup()\n    raise\n"


def test_main_prints_findings_and_exits_1(
    workdir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (workdir / "app.py").write_text(SWALLOW.format(comment=""), encoding="utf-8")
    assert bare_except.main(["app.py"]) == 1
    assert capsys.readouterr() == (f"app.py:3:1: MG101 {MESSAGE}\n", "")


def test_main_exits_0_on_clean_files(workdir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (workdir / "clean.py").write_text("def f():\n    return 1\n", encoding="utf-8")
    (workdir / "reraise.py").write_text(RERAISE, encoding="utf-8")
    assert bare_except.main(["clean.py", "reraise.py"]) == 0
    assert capsys.readouterr() == ("", "")


def test_main_no_allow_reraise(workdir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (workdir / "reraise.py").write_text(RERAISE, encoding="utf-8")
    assert bare_except.main(["--no-allow-reraise", "reraise.py"]) == 1
    assert capsys.readouterr().out == f"reraise.py:3:1: MG101 {MESSAGE}\n"


@pytest.mark.parametrize(
    "comment, shown",
    [
        ("  # noqa", False),
        ("  # noqa: MG101", False),
        ("  # noqa: MG1", False),
        ("  # noqa: bare-except", False),
        ("  # NOQA:MG101,E501", False),
        ("  # noqa: E501", True),
        ("  # noqa: MG102", True),
        ("  # no qa", True),
    ],
)
def test_main_noqa(
    workdir: Path, capsys: pytest.CaptureFixture[str], comment: str, shown: bool
) -> None:
    (workdir / "app.py").write_text(SWALLOW.format(comment=comment), encoding="utf-8")
    assert bare_except.main(["app.py"]) == (1 if shown else 0)
    assert bool(capsys.readouterr().out) == shown


def test_main_noqa_on_another_line_does_not_count(
    workdir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = "try:  # noqa\n    work()\nexcept:\n    pass  # noqa: MG101\n"
    (workdir / "app.py").write_text(text, encoding="utf-8")
    assert bare_except.main(["app.py"]) == 1
    assert capsys.readouterr().out == f"app.py:3:1: MG101 {MESSAGE}\n"


def test_main_missing_file_exits_2_without_traceback(
    workdir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (workdir / "app.py").write_text(SWALLOW.format(comment=""), encoding="utf-8")
    assert bare_except.main(["missing.py", "app.py"]) == 2  # as `mergegate run` does
    out, err = capsys.readouterr()
    assert out == ""
    assert err == "mergegate-bare-except: error: missing.py: no such file or directory\n"
    assert "Traceback" not in err
