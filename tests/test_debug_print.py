"""debug-print (hooks/debug_print.py): name resolution, `file=`, the exclusions, the command line.

Where Python's own scoping and ruff's semantic model part ways, the rule follows ruff (the
reference it must agree with, see tests/test_differential_t201.py); those cases say so.
"""

from __future__ import annotations

import sys
import textwrap
from pathlib import Path

import pytest
from helpers import check_python

from mergegate.gates.cli import main as gate
from mergegate.hooks import debug_print
from mergegate.hooks.registry import DEBUG_PRINT

PRINT_MESSAGE = debug_print.PRINT_MESSAGE


def found(text: str, path: str = "example.py", **options: object) -> list[tuple[int, str]]:
    """(line, code) of each finding on the dedented text."""
    findings = check_python("debug-print", textwrap.dedent(text), path=path, **options)
    return [(finding.line, finding.code) for finding in findings]


def lines(text: str, path: str = "example.py", **options: object) -> list[int]:
    return [line for line, _ in found(text, path, **options)]


# What resolves to print or pprint


@pytest.mark.parametrize(
    "text, expected",
    [
        ("print(1)\n", [(1, "MG301")]),
        ("import builtins\nbuiltins.print(1)\n", [(2, "MG301")]),
        ("import builtins as b\nb.print(1)\n", [(2, "MG301")]),
        ("import builtins.sub\nbuiltins.print(1)\n", [(2, "MG301")]),
        ("from builtins import print as echo\necho(1)\n", [(2, "MG301")]),
        ("from builtins import *\nprint(1)\n", [(2, "MG301")]),
        ("import pprint\npprint.pprint(1)\npprint.pp(2)\n", [(2, "MG302"), (3, "MG302")]),
        ("import pprint as p\np.pprint(1)\n", [(2, "MG302")]),
        ("from pprint import pprint as show, pp\nshow(1)\npp(2)\n", [(2, "MG302"), (3, "MG302")]),
        ("import pprint.x as q\nq.pprint(1)\n", []),  # that is pprint.x.pprint
        ("from pprint import *\npprint(1)\n", []),  # a star import binds nothing ruff can name
        ("import pprint\npprint.PrettyPrinter().pprint(1)\n", []),
        ("from . import print\nprint(1)\n", []),  # relative: not the builtin
        ("from .builtins import print\nprint(1)\n", []),
        ("from ..pprint import pprint\npprint(1)\n", []),
        ("from rich import print\nprint(1)\n", []),
        ("echo = print\necho(1)\n", []),  # an assignment is not followed (as ruff)
        ("__builtins__.print(1)\n", []),
        ("builtins.print(1)\n", []),  # `builtins` was never imported
        ("print.__call__(1)\n", []),
        ("x = f'{print(1)}'\n", [(1, "MG301")]),
        ("print(print(1))\n", [(1, "MG301"), (1, "MG301")]),
    ],
)
def test_what_resolves(text: str, expected: list[tuple[int, str]]) -> None:
    assert found(text) == expected


@pytest.mark.parametrize(
    "text, expected",
    [
        # Bindings in the same scope, in order.
        ("print(1)\nprint = repr\nprint(2)\n", [1]),
        ("def print(): pass\nprint(1)\n", []),
        ("class print: pass\nprint(1)\n", []),
        ("for print in ():\n    pass\nprint(1)\n", []),
        ("with open(p) as print:\n    pass\nprint(1)\n", []),
        ("(print := repr)\nprint(1)\n", []),
        ("print += 1\nprint(1)\n", []),
        ("print: object\nprint(1)\n", [2]),  # an annotation alone binds nothing
        ("def f():\n    print: object\n    print(1)\n", [3]),
        ("class C:\n    print: object\n    print(1)\n", [3]),
        ("match x:\n    case print:\n        print(1)\n", []),
        ("match x:\n    case [*print]:\n        print(1)\n", []),
        ("match x:\n    case {**print}:\n        print(1)\n", []),
        # Function bodies run later: they see the module's final bindings; class bodies do not.
        ("def f():\n    print(1)\ndef print(): pass\n", []),
        ("f = lambda: print(1)\nprint = repr\n", []),
        ("class C:\n    print(1)\ndef print(): pass\n", [2]),
        ("def f():\n    print(1)\n    print = repr\n", [2]),
        # Parameters, enclosing functions, nonlocal and global.
        ("def f(print):\n    print(1)\n", []),
        ("f = lambda print: print(1)\n", []),
        ("def f(x=print(1)): pass\n", [1]),
        ("def f():\n    print = repr\n    def g():\n        print(1)\n", []),
        (
            "def f():\n    print = repr\n    def g():\n        nonlocal print\n        print(1)\n",
            [],
        ),
        ("print = repr\ndef f():\n    global print\n    print(1)\n", []),
        ("def f():\n    print = repr\n    def g():\n        global print\n        print(1)\n", [5]),
        # A class scope is seen from its own body only.
        ("class C:\n    print = repr\n    print(1)\n", []),
        ("class C:\n    print = repr\n    def m(self):\n        print(1)\n", [4]),
        ("class C:\n    print = repr\n    x = [print(i) for i in y]\n", [3]),
        ("class C:\n    print = repr\n    x = [i for i in print(1)]\n", []),  # outermost iterable
        ("class C:\n    print = repr\n    f = lambda: print(1)\n", [3]),
        ("class C:\n    print = repr\n    def m(self, x: print(1)): pass\n", []),  # annotation
        # Comprehensions have their own scope; a walrus in one binds outside it.
        ("x = [print(i) for print in y]\n", []),
        ("x = [print(i) for i in y]\nprint(1)\n", [1, 2]),
        ("x = [i for i in y if (print := i)]\nprint(1)\n", []),
        ("x = [print(i) for i in [print(0)]]\n", [1, 1]),
        # `except ... as name` binds only in the handler; the name then means what it did.
        ("try:\n    pass\nexcept E as print:\n    print(1)\nprint(2)\n", [5]),
        ("print = repr\ntry:\n    pass\nexcept E as print:\n    pass\nprint(2)\n", []),
        ("try:\n    pass\nexcept print(1) as print:\n    pass\n", []),  # bound first, as ruff
        ("try:\n    pass\nexcept E as print:\n    pass\n" * 2 + "print(1)\n", [9]),
    ],
)
def test_scoping(text: str, expected: list[int]) -> None:
    assert lines(text) == expected


@pytest.mark.parametrize(
    "text, expected",
    [
        # Unconditional `del`: the name resolves to nothing afterwards (ruff does not fall back
        # to the builtin, although Python does at module level).
        ("print = repr\ndel print\nprint(1)\n", []),
        ("del print\nprint(1)\n", []),
        ("def f():\n    del print\n    print(1)\n", []),
        ("for x in y:\n    del print\nprint(1)\n", []),
        ("try:\n    del print\nfinally:\n    pass\nprint(1)\n", []),
        # A `del` that may not run changes nothing.
        ("if x:\n    del print\nprint(1)\n", [3]),
        ("while x:\n    del print\nprint(1)\n", [3]),
        ("match x:\n    case 1:\n        del print\nprint(1)\n", [4]),
        ("for x in y:\n    pass\nelse:\n    del print\nprint(1)\n", [5]),
        ("try:\n    pass\nexcept E:\n    del print\nprint(1)\n", [5]),
        ("try:\n    pass\nexcept E:\n    pass\nelse:\n    del print\nprint(1)\n", [7]),
        ("if x:\n    def f():\n        del print\n        print(1)\n", [4]),
        # ... an `except` clause counts only up to a nested definition.
        ("try:\n    pass\nexcept E:\n    def f():\n        del print\n        print(1)\n", []),
        ("try:\n    pass\nexcept E:\n    class C:\n        del print\n        print(1)\n", []),
        ("try:\n    pass\nexcept E:\n    class C:\n        pass\n    del print\nprint(1)\n", [7]),
        # `global name` in a body gives an unbound module name an unknown value (ruff's model).
        (
            "try:\n    pass\nexcept E as print:\n    pass\ndef f():\n    global print\nprint(1)\n",
            [],
        ),
        ("print = repr\ndel print\ndef f():\n    global print\n    print(1)\n", []),
        # ruff follows one alias, never two: `global` to a name an `except` clause restored.
        (
            "import pprint\ndef f():\n    global pprint\n    pprint.pprint(1)\n"
            "try:\n    pass\nexcept E as pprint:\n    pass\npprint.pprint(2)\n",
            [9],
        ),
    ],
)
def test_deletion_and_ruffs_model(text: str, expected: list[int]) -> None:
    assert lines(text) == expected


def test_postponed_annotations_are_resolved_after_the_module() -> None:
    annotation = "def f(x: print(1)):\n    pass\ndef print(): pass\n"
    assert lines(annotation) == [1]
    assert lines("from __future__ import annotations\n" + annotation) == []
    assert lines("from __future__ import annotations\nx: print(1) = 2\n") == [2]


def test_string_annotations_are_not_parsed() -> None:
    """A documented difference: ruff reports calls inside string annotations."""
    assert lines('def f(x: "print(1)"):\n    pass\n') == []
    assert "string annotations" in DEBUG_PRINT.differences


@pytest.mark.skipif(sys.version_info < (3, 12), reason="type parameters need Python 3.12")
def test_type_parameters_shadow() -> None:
    text = "def f[print](x: print(1)):\n    print(2)\ntype T[print] = print(3)\ntype U = print(4)\n"
    assert lines(text) == [4]


def test_definitions_in_a_module_named_pprint_or_builtins(tmp_path: Path) -> None:
    """A top-level module's `def pprint` is pprint.pprint; in a package it is pkg.pprint."""
    text = "def pprint(o):\n    pass\ndef pp(o):\n    pprint(o)\n"
    assert found(text, path=str(tmp_path / "pprint.py")) == [(4, "MG302")]
    assert found("def print():\n    pass\nprint()\n", path=str(tmp_path / "builtins.py")) == [
        (3, "MG301")
    ]
    assert found(text, path=str(tmp_path / "other.py")) == []
    (tmp_path / "__init__.py").write_text("", encoding="utf-8")
    assert found(text, path=str(tmp_path / "pprint.py")) == []


# file= and stream=


@pytest.mark.parametrize(
    "call, reported",
    [
        ("print(1)", True),
        ("print(1, file=None)", True),
        ("print(1, file=(None))", True),
        ("print(1, file=sys.stdout)", True),
        ("print(1, file=sys.stderr)", True),
        ("print(1, file=stderr)", True),  # from sys import stderr
        ("print(1, file=out)", True),  # from sys import stdout as out
        ("print(1, file=s.stdout)", True),  # import sys as s
        ("print(1, **kwargs)", True),
        ("print(1, file=handle)", False),
        ("print(1, file=sys.stdout.buffer)", False),
        ("print(1, file=sys.__stderr__)", False),
        ("print(1, file=open(p, 'w'))", False),
        ("print(1, file=os.devnull)", False),
        ("pprint.pprint(1, stream=sys.stderr)", True),
        ("pprint.pprint(1, stream=handle)", False),
        ("pprint.pprint(1, handle)", True),  # by position: not looked at, as ruff
        ("pprint.pprint(1, file=handle)", True),  # `file` is print's keyword, not pprint's
    ],
)
def test_file_keyword(call: str, reported: bool) -> None:
    imports = "import os, pprint, sys\nimport sys as s\nfrom sys import stderr, stdout as out\n"
    assert lines(imports + call + "\n") == ([4] if reported else [])


def test_a_stream_is_resolved_like_the_callee() -> None:
    """`sys` must be the module: ruff skips a `file=` it cannot resolve, so do we."""
    assert lines("print(1, file=sys.stderr)\n") == []
    assert lines("import sys\ndef f(sys):\n    print(1, file=sys.stderr)\n") == []
    assert lines("def f():\n    import sys\n    print(1, file=sys.stderr)\n") == [3]


# The exclusions


def test_main_block_is_not_reported() -> None:
    text = """\
        print("module")
        if __name__ == "__main__":
            print("main")
            def cli():
                print("cli")
            class Tool:
                def run(self):
                    print("run")
        if '__main__' == __name__:
            print("reversed")
        elif x:
            print("elif")
        else:
            print("else")
        if __name__ == "__main__" and verbose:
            print("not a plain guard")
        if __name__ != "__main__":
            print("imported")
        def g():
            if __name__ == "__main__":
                print("nested guard")
        """
    assert lines(text) == [1, 12, 14, 16, 18]


def test_one_line_main_block() -> None:
    assert lines('print(1); print(2)\nif __name__ == "__main__": print(3); print(4)\n') == [1, 1]


def test_dunder_main_file_is_not_reported() -> None:
    assert lines("print(1)\n", path="pkg/__main__.py") == []
    assert lines("print(1)\n", path="pkg/__main__py.py") == [1]


@pytest.mark.parametrize(
    "path",
    [
        "test_app.py",
        "pkg/test_app.py",
        "app_test.py",
        "conftest.py",
        "pkg/conftest.py",
        "tests/helpers.py",
        "test/helpers.py",
        "src/pkg/tests/data/make.py",
    ],
)
def test_test_files_are_excluded_by_default(path: str) -> None:
    assert lines("print(1)\n", path=path) == []


@pytest.mark.parametrize(
    "path", ["app.py", "latest.py", "contest.py", "testing/helpers.py", "pkg/test_data/x.py"]
)
def test_other_files_are_not(path: str) -> None:
    assert lines("print(1)\n", path=path) == [1]


def test_exclude_option_replaces_the_defaults() -> None:
    assert lines("print(1)\n", path="scripts/tool.py", exclude=["scripts/**"]) == []
    assert lines("print(1)\n", path="tests/helpers.py", exclude=["scripts/**"]) == [1]
    assert lines("print(1)\n", path="tests/helpers.py", exclude=[]) == [1]


# Positions and robustness


def test_finding_spans_the_callee() -> None:
    [finding] = check_python("debug-print", "import builtins\nx = builtins.print(1)\n")
    assert (finding.line, finding.column, finding.end_line, finding.end_column) == (2, 5, 2, 19)
    assert (finding.rule, finding.code, finding.message) == ("debug-print", "MG301", PRINT_MESSAGE)


def test_columns_count_characters_not_bytes() -> None:
    [finding] = check_python("debug-print", 'x = "é€"; print(1)\n')
    assert (finding.column, finding.end_column) == (11, 16)


def test_crlf_line_endings() -> None:
    assert lines("x = 1\r\n\r\nprint(1)\r\n") == [3]


def test_nesting_as_deep_as_the_parser_allows() -> None:
    """A long chain of operators is a tree deeper than Python's recursion limit."""
    text = "x = " + " + ".join(["print(1)"] * 2000) + "\n"
    findings = check_python("debug-print", text)
    assert len(findings) == 2000
    assert {finding.rule for finding in findings} == {"debug-print"}


# The command line


@pytest.fixture()
def workdir(workdir: Path) -> Path:
    """A project that blocks on debug-print's tier (P2): the hook exits as the gate would."""
    (workdir / "pyproject.toml").write_text("[tool.mergegate]\nfail-on = 'P2'\n")
    return workdir


def write(path: Path, text: str) -> str:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path.name if path.parent == Path.cwd() else str(path.relative_to(Path.cwd()))


def test_main_reports_and_exits_1(workdir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    name = write(workdir / "app.py", "import pprint\nprint(1)\npprint.pprint(2)\n")
    assert debug_print.main([name]) == 1
    assert capsys.readouterr() == (
        f"app.py:2:1: MG301 {PRINT_MESSAGE}\napp.py:3:1: MG302 {debug_print.PPRINT_MESSAGE}\n",
        "",
    )


def test_main_exits_0_on_clean_and_excluded_files(
    workdir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    clean = write(workdir / "app.py", "import logging\nlogging.info('x')\n")
    excluded = write(workdir / "tests" / "test_app.py", "print(1)\n")
    assert debug_print.main([clean, excluded]) == 0
    assert capsys.readouterr() == ("", "")


def test_main_exclude_option(workdir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    name = write(workdir / "tests" / "helpers.py", "print(1)\n")
    assert debug_print.main(["--exclude", "scripts/**", name]) == 1
    assert capsys.readouterr().out == f"tests/helpers.py:1:1: MG301 {PRINT_MESSAGE}\n"
    assert debug_print.main(["--exclude", "tests/**", name]) == 0


@pytest.mark.parametrize("pattern, reported", [("gen/**", True), ("pkg/gen/**", False)])
def test_exclude_is_matched_from_the_project_root_whatever_the_current_directory(
    repo: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    pattern: str,
    reported: bool,
) -> None:
    """`exclude` names files from the project root: `gen/**` is no `pkg/gen/out.py`, even from
    `pkg`, where the file is shown as `gen/out.py`."""
    (repo / "pyproject.toml").write_text(
        '[tool.mergegate]\nfail-on = "P2"\n\n'
        f'[tool.mergegate.rules.debug-print]\nexclude = ["{pattern}"]\n'
    )
    write(repo / "pkg" / "gen" / "out.py", "print(1)\n")
    for where, shown in ((repo, "pkg/gen/out.py"), (repo / "pkg", "gen/out.py")):
        monkeypatch.chdir(where)
        assert debug_print.main([shown]) == int(reported), where
        expected = f"{shown}:1:1: MG301 {PRINT_MESSAGE}\n" if reported else ""
        assert capsys.readouterr().out == expected, where
        assert gate(["run", "--no-cache", "--select", "debug-print", "."]) == int(reported), where
        assert (f"{shown}:1:1: MG301" in capsys.readouterr().out) == reported, where


@pytest.mark.parametrize(
    "comment, shown",
    [
        ("# noqa", False),
        ("# noqa: MG301", False),
        ("# noqa: MG3", False),
        ("# noqa: debug-print", False),
        ("# noqa: MG302", True),
        ("# noqa: E501", True),
    ],
)
def test_main_noqa(
    workdir: Path, capsys: pytest.CaptureFixture[str], comment: str, shown: bool
) -> None:
    name = write(workdir / "app.py", f"print(1)  {comment}\n")
    assert debug_print.main([name]) == (1 if shown else 0)
    assert bool(capsys.readouterr().out) == shown


def test_main_missing_file_exits_2(workdir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert debug_print.main(["missing.py"]) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert err == "mergegate-debug-print: error: missing.py: no such file or directory\n"
