"""The fixes of the Python rules, end to end through `mergegate run --fix`: each fix's before and
after, idempotence, the safety classes, the re-parse guard, overlaps and passes, what is never
fixed (held-back findings, files that do not parse), and the file written back as it was (line
breaks, encoding, mode)."""

from __future__ import annotations

import os
import subprocess
import textwrap
from pathlib import Path

import pytest

from mergegate.gates import fixes
from mergegate.gates.cli import main
from mergegate.hooks import debug_print
from mergegate.hooks.finding import SAFE, UNSAFE, Edit, Finding, Fix
from mergegate.hooks.registry import RULES
from mergegate.hooks.source import Source


def git(repo: Path, *args: str) -> str:
    return subprocess.run(
        ["git", *args], cwd=repo, capture_output=True, text=True, check=True
    ).stdout


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = tmp_path / "repo"
    root.mkdir()
    git(root, "init", "-q", "-b", "main")
    (root / "pyproject.toml").write_text('[tool.mergegate]\nfail-on = "never"\n')
    monkeypatch.chdir(root)
    return root


def fixed(repo: Path, text: str, *options: str, name: str = "a.py") -> str:
    """The file after `mergegate run --fix --no-cache OPTIONS`, written dedented."""
    (repo / name).write_text(textwrap.dedent(text))
    assert main(["run", "--fix", "--no-cache", *options, name]) in (0, 1)
    return (repo / name).read_text()


def assert_settled(repo: Path, *options: str, name: str = "a.py") -> None:
    """Nothing is left to fix: a second --fix changes nothing, --diff shows nothing."""
    before = (repo / name).read_text()
    assert main(["run", "--diff", "--no-cache", *options, name]) == 0
    main(["run", "--fix", "--no-cache", *options, name])
    assert (repo / name).read_text() == before


CASES = {
    "bare-except re-raising: BaseException, safe": (
        ["--select", "bare-except"],
        """\
        try:
            work()
        except:
            cleanup()
            raise
        """,
        """\
        try:
            work()
        except BaseException:
            cleanup()
            raise
        """,
    ),
    "bare-except: Exception, unsafe": (
        ["--unsafe-fixes"],
        """\
        try:
            work()
        except :  # keep this comment
            pass
        """,
        """\
        try:
            work()
        except Exception :  # keep this comment
            pass
        """,
    ),
    "unused-global: one name of several": (
        [],
        """\
        def f():
            global a, b, c
            a = 1
            c = 2
        """,
        """\
        def f():
            global a, c
            a = 1
            c = 2
        """,
    ),
    "unused-global: every declaration of the scope, over passes": (
        [],
        """\
        def f(x):
            global a
            if x:
                global a  # declared twice
            return a
        """,
        """\
        def f(x):
            if x:
                pass  # declared twice
            return a
        """,
    ),
    "unused-global: the only statement becomes pass; nonlocal too": (
        [],
        """\
        def outer():
            x = 1
            def inner():
                nonlocal x
            class C:
                nonlocal x; y = x
            return inner, C
        """,
        """\
        def outer():
            x = 1
            def inner():
                pass
            class C:
                y = x
            return inner, C
        """,
    ),
    "unused-global: a docstring is not made": (
        [],
        """\
        def f():
            global a
            "not a docstring"
            return a
        """,
        """\
        def f():
            pass
            "not a docstring"
            return a
        """,
    ),
    "debug-print: whole statements, one block at a time": (
        ["--unsafe-fixes"],
        """\
        def f(x):
            print("start")
            print("x", x)  # trailing comment
            if x: print(x)
            y = x; print(y); z = y
            value = print(x) or x
            return z
        """,
        """\
        def f(x):
            if x: pass
            y = x; z = y
            value = print(x) or x
            return z
        """,
    ),
    "debug-print: pprint, the last line without a line break": (
        ["--unsafe-fixes"],
        "import pprint\nx = 1\npprint.pprint(x)",
        "import pprint\nx = 1",
    ),
}


NO_RERAISE = "[tool.mergegate.rules.bare-except]\nallow-reraise = false\n"


@pytest.mark.parametrize("case", list(CASES))
def test_fix_before_and_after(repo: Path, case: str) -> None:
    options, before, after = CASES[case]
    with (repo / "pyproject.toml").open("a") as config:
        config.write(NO_RERAISE)
    assert fixed(repo, before, *options) == textwrap.dedent(after)
    assert_settled(repo, *options)
    compile((repo / "a.py").read_text(), "a.py", "exec")


def test_safe_fixes_only_without_unsafe_fixes(repo: Path) -> None:
    before = """\
        def f():
            global a, b
            a = 1
            print(a)
            try:
                pass
            except:
                pass
        """
    after = fixed(repo, before)
    assert after == textwrap.dedent(before).replace("global a, b", "global a")


def test_a_global_a_function_around_binds_is_an_unsafe_fix(repo: Path) -> None:
    """Without `global x`, the read finds the enclosing function's `x`: behaviour changes."""
    before = """\
        def outer():
            x = 1
            def inner():
                global x
                return x
            return inner
        """
    assert fixed(repo, before) == textwrap.dedent(before)
    assert "global x" not in fixed(repo, before, "--unsafe-fixes")


def test_rebound_base_exception_makes_the_re_raise_fix_unsafe(repo: Path) -> None:
    before = """\
        BaseException = ValueError
        try:
            work()
        except:
            raise
        """
    options = ("--select", "bare-except")
    with (repo / "pyproject.toml").open("a") as config:
        config.write(NO_RERAISE)
    assert fixed(repo, before, *options) == textwrap.dedent(before)
    assert "except BaseException:" in fixed(repo, before, *options, "--unsafe-fixes")


def test_held_back_findings_are_not_fixed(repo: Path) -> None:
    """`# noqa`, the baseline and code unchanged since --new-from-rev keep their findings."""
    (repo / "old.py").write_text("def f():\n    global a\n")
    (repo / "base.py").write_text("def f():\n    global b\n")
    git(repo, "add", ".")
    git(repo, "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-q", "-m", "old")
    assert main(["baseline", "--no-cache", "--output", "baseline.json", "base.py"]) == 0
    (repo / "noqa.py").write_text("def f():\n    global c  # noqa: MG201\n")
    (repo / "old.py").write_text("def f():\n    global a\n\n\ndef g():\n    global d\n")
    code = main(
        ["run", "--fix", "--no-cache", "--baseline", "baseline.json", "--new-from-rev", "HEAD"]
    )
    assert code == 0
    assert (repo / "noqa.py").read_text() == "def f():\n    global c  # noqa: MG201\n"
    assert (repo / "base.py").read_text() == "def f():\n    global b\n"
    assert (repo / "old.py").read_text() == "def f():\n    global a\n\n\ndef g():\n    pass\n"


def test_new_code_is_followed_through_the_passes(repo: Path) -> None:
    """A second pass judges the lines the first one moved as the revision's diff says."""
    (repo / "a.py").write_text("def f():\n    print(0)\n")
    git(repo, "add", ".")
    git(repo, "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-q", "-m", "old")
    (repo / "a.py").write_text("def f():\n    print(1)\n    print(2)\n    print(0)\n")
    main(["run", "--fix", "--unsafe-fixes", "--no-cache", "--new-from-rev", "HEAD"])
    assert (repo / "a.py").read_text() == "def f():\n    print(0)\n"


def test_files_that_do_not_parse_are_not_touched(repo: Path) -> None:
    (repo / "broken.py").write_text("def f(:\n    global a\n")
    assert main(["run", "--fix", "--unsafe-fixes", "--no-cache"]) == 0
    assert (repo / "broken.py").read_text() == "def f(:\n    global a\n"


def test_nothing_changes_without_fix_and_diff_shows_what_would(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = "def f():\n    global a, b\n    a = 1\n"
    (repo / "a.py").write_text(text)
    main(["run", "--no-cache"])
    capsys.readouterr()
    assert main(["run", "--diff", "--no-cache"]) == 1
    out, err = capsys.readouterr()
    assert (repo / "a.py").read_text() == text
    assert out == (
        "--- a/a.py\n+++ b/a.py\n@@ -1,3 +1,3 @@\n def f():\n-    global a, b\n+    global a\n"
        "     a = 1\n"
    )
    assert "--fix would fix 1 finding (1 MG201) in 1 file" in err
    (repo / "patch.diff").write_text(out)
    git(repo, "apply", "patch.diff")
    assert (repo / "a.py").read_text() == "def f():\n    global a\n    a = 1\n"
    assert main(["run", "--diff", "--no-cache", "a.py"]) == 0
    assert capsys.readouterr().out == ""


def test_diff_refuses_reports_and_github(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["run", "--diff", "--format", "json"]) == 2
    assert main(["run", "--diff", "--github"]) == 2
    assert "--diff prints only the diff" in capsys.readouterr().err


def test_line_breaks_encoding_and_mode_are_kept(repo: Path) -> None:
    crlf = "def f():\r\n    global a, b\r\n    a = 1\r\n"
    (repo / "crlf.py").write_bytes(crlf.encode())
    latin = "# -*- coding: latin-1 -*-\ndef f():\n    global a, b\n    a = 'é'\n"
    (repo / "latin.py").write_bytes(latin.encode("latin-1"))
    bom = "def f():\n    global a, b\n    a = 1\n"
    (repo / "bom.py").write_bytes(b"\xef\xbb\xbf" + bom.encode())
    os.chmod(repo / "crlf.py", 0o751)
    main(["run", "--fix", "--no-cache"])
    assert (repo / "crlf.py").read_bytes() == crlf.replace("a, b", "a").encode()
    assert (repo / "latin.py").read_bytes() == latin.replace("a, b", "a").encode("latin-1")
    assert (repo / "bom.py").read_bytes() == b"\xef\xbb\xbf" + bom.replace("a, b", "a").encode()
    assert os.stat(repo / "crlf.py").st_mode & 0o777 == 0o751


def test_a_link_out_of_the_repository_is_not_written(repo: Path, tmp_path: Path) -> None:
    outside = tmp_path / "outside.py"
    outside.write_text("def f():\n    global a\n")
    (repo / "link.py").symlink_to(outside)
    main(["run", "--fix", "--no-cache"])
    assert outside.read_text() == "def f():\n    global a\n"


def test_the_hooks_fix_and_fail_when_they_changed_a_file(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """pre-commit's convention: a hook that changed files exits 1, then passes on the result."""
    (repo / "a.py").write_text("def f():\n    print(1)\n    return 2\n")
    assert debug_print.main(["a.py"]) == 0  # fail-on never: reported, not blocking
    assert debug_print.main(["--fix", "a.py"]) == 0  # unsafe: not made without --unsafe-fixes
    assert debug_print.main(["--fix", "--unsafe-fixes", "a.py"]) == 1
    assert (repo / "a.py").read_text() == "def f():\n    return 2\n"
    assert "fixed 1 finding (1 MG301) in 1 file" in capsys.readouterr().out
    assert debug_print.main(["--fix", "--unsafe-fixes", "a.py"]) == 0
    (repo / "b.py").write_text("def f():\n    global a\n")
    assert main(["hook", "--fix", "b.py"]) == 1
    assert main(["hook", "--fix", "b.py"]) == 0
    assert (repo / "b.py").read_text() == "def f():\n    pass\n"


# The engine, on a rule whose fixes are made to order ------------------------------------------


def scripted(edits: dict[str, list[tuple[Edit, str]]]) -> object:
    """A check that reports a finding per line holding a key of `edits`, with a fix made of those
    edits (each with its isolation key, or "")."""

    def check(source: Source, options: dict[str, object]) -> list[Finding]:
        found = []
        for number, line in enumerate(source.lines, start=1):
            for key, made in edits.items():
                if key in line:
                    moved = [
                        Edit(
                            number, e.column, number + e.end_line - e.line, e.end_column, e.content
                        )
                        for e, _ in made
                    ]
                    isolation = made[0][1] or None
                    fix = Fix(tuple(moved), SAFE, f"fix {key}", isolation=isolation)
                    found.append(
                        Finding(
                            "debug-print", "MG301", source.path, number, 1, number, 2, key, fix=fix
                        )
                    )
        return found

    return check


def run_scripted(
    repo: Path, monkeypatch: pytest.MonkeyPatch, text: str, edits: dict[str, list[tuple[Edit, str]]]
) -> tuple[str, list[str]]:
    monkeypatch.setattr(debug_print, "check", scripted(edits))
    monkeypatch.setattr(RULES["debug-print"], "needs", None)
    (repo / "a.py").write_text(text)
    from mergegate.gates.pipeline import Request

    request = Request(["a.py"])
    request.cache = False
    request.select = ["debug-print"]
    outcome, result = fixes.fix(request, unsafe=False, write=True)
    return (repo / "a.py").read_text(), result.dropped + result.notes


def test_a_fix_that_breaks_the_file_is_dropped_and_reported(
    repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    breaking = {
        "BREAK": [(Edit(1, 1, 1, 1, "def ("), "")],
        "GOOD": [(Edit(1, 1, 1, 5, "good"), "")],
    }
    after, notes = run_scripted(repo, monkeypatch, "x = 'BREAK'\nGOOD = 1\n", breaking)
    assert after == "x = 'BREAK'\ngood = 1\n"
    assert any("a.py:1: the MG301 fix (fix BREAK) was not applied" in note for note in notes)


def test_a_fix_that_would_no_longer_compile_is_dropped(
    repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`nonlocal` at module level parses but does not compile: the guard compiles."""
    edits = {"MARK": [(Edit(1, 1, 1, 1, "nonlocal q\n"), "")]}
    after, notes = run_scripted(repo, monkeypatch, "MARK = 1\n", edits)
    assert after == "MARK = 1\n"
    assert any("would no longer compile" in note for note in notes)


def test_fixes_that_break_the_file_only_together_wait_for_the_next_pass(
    repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two removals that would each leave the block valid, but not both: one per pass."""
    edits = {"ONE": [(Edit(1, 1, 2, 1, ""), "")], "TWO": [(Edit(1, 1, 2, 1, ""), "")]}
    text = "if x:\n    ONE\n    TWO\n"
    after, notes = run_scripted(repo, monkeypatch, text, edits)
    assert after == "if x:\n    TWO\n"  # TWO's removal would empty the block: dropped next pass
    assert any("fix TWO" in note and "would no longer" in note for note in notes)


def test_overlapping_and_isolated_fixes_take_passes(
    repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    edits = {
        "AAA": [(Edit(1, 1, 1, 4, "bbb"), "")],
        "bbb": [(Edit(1, 1, 1, 4, "ccc"), "")],
        "X1": [(Edit(1, 1, 1, 3, "Y1"), "block")],
        "X2": [(Edit(1, 1, 1, 3, "Y2"), "block")],
    }
    after, notes = run_scripted(repo, monkeypatch, "AAA = 1\nX1 = 2\nX2 = 3\n", edits)
    assert after == "ccc = 1\nY1 = 2\nY2 = 3\n"
    assert notes == []


def test_fixes_that_never_settle_stop_after_the_bound(
    repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    edits = {"#": [(Edit(1, 1, 1, 1, "#"), "")]}
    after, notes = run_scripted(repo, monkeypatch, "x = 1  #\n", edits)
    assert after.count("#") == fixes.MAX_PASSES + 1
    assert any("did not settle" in note for note in notes)


def test_an_edit_outside_the_file_is_dropped(repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    edits = {"FAR": [(Edit(1, 1, 1, 99, ""), "")]}
    after, notes = run_scripted(repo, monkeypatch, "FAR = 1\n", edits)
    assert after == "FAR = 1\n"
    assert any("column 99 is outside line 1" in note for note in notes)


def test_a_file_changed_while_it_was_fixed_is_not_written(
    repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (repo / "a.py").write_text("def f():\n    global a\n")
    real_read = fixes._read

    def read_then_edit(*args: object) -> object:
        target = real_read(*args)  # type: ignore[arg-type]
        (repo / "a.py").write_text("def f():\n    global a  # edited meanwhile\n")
        return target

    monkeypatch.setattr(fixes, "_read", read_then_edit)
    from mergegate.gates.pipeline import Request

    request = Request(["a.py"])
    request.cache = False
    _, result = fixes.fix(request, unsafe=False, write=True)
    assert (repo / "a.py").read_text() == "def f():\n    global a  # edited meanwhile\n"
    assert "not written: a.py changed while it was being fixed" in result.notes


def test_fix_safety_is_checked() -> None:
    with pytest.raises(ValueError):
        Fix((Edit(1, 1, 1, 1, ""),), "maybe", "t")
    assert {SAFE, UNSAFE} == {"safe", "unsafe"}
