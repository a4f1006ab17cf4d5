"""One verdict, failing closed: the same configuration decides for every entry point, and the edges
that used to pass silently (hostile file names, broken selections, special files, output the
terminal cannot encode) are clear errors."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from helpers import git, run_json

from mergegate.gates.cli import main
from mergegate.hooks import bare_except, coverage_threshold_single_source, debug_print

BARE = "try:\n    work()\nexcept:\n    pass\n"


def report(*args: str) -> tuple[int, dict]:
    return run_json("--no-cache", *args, out=Path("out.json").absolute())


# --- file names are files, never options ----------------------------------------------------------


def test_a_file_named_like_an_option_is_a_file_for_every_hook(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """pre-commit appends file names after the hook's arguments."""
    (repo / "pyproject.toml").write_text("[tool.mergegate]\nfail-on = 'P2'\n")
    (repo / "app.py").write_text("print('x')\n")
    (repo / "--exclude=*.py").write_text("x = 1\n")
    (repo / "-rf.py").write_text(BARE)
    assert debug_print.main(["--exclude=*.py", "app.py"]) == 1
    assert "app.py:1:1: MG301" in capsys.readouterr().out
    assert bare_except.main(["-rf.py", "app.py"]) == 1
    assert capsys.readouterr().out.startswith("-rf.py:3:1: MG101 ")
    assert main(["hook", "--no-cache", "--exclude=*.py", "-rf.py", "app.py"]) == 1
    out = capsys.readouterr().out
    assert "-rf.py:3:1: MG101" in out and "app.py:1:1: MG301" in out


def test_a_file_named_double_dash_is_a_file_too(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """An executable `--` with a Python shebang is a Python file to pre-commit."""
    (repo / "--").write_text("#!/usr/bin/env python3\n" + BARE)
    (repo / "ok.py").write_text("x = 1\n")
    assert bare_except.main(["ok.py", "--"]) == 1
    assert capsys.readouterr().out.startswith("--:4:1: MG101 ")
    assert main(["hook", "--no-cache", "--", "ok.py"]) == 1
    assert "--:4:1: MG101" in capsys.readouterr().out


def test_a_name_that_is_no_file_is_still_an_option(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert bare_except.main(["--no-such-option", "a.py"]) == 2
    assert "unrecognized arguments: --no-such-option" in capsys.readouterr().err


# --- hooks validate the whole configuration as the gate does -----------------------------------


@pytest.mark.parametrize(
    "table, message",
    [
        ('ignore = [""]', "unknown rule ''"),
        ("select = []", "no rule or code given"),
        ('select = ["MG9"]', "unknown code 'MG9'"),
        ('select = ["no-such-rule"]', "unknown rule 'no-such-rule'"),
        ('select = ["E501"]', "no rule or enabled tool has the code 'E501'"),
        ('fail-on = "P9"', "`fail-on` must be one of"),
        ('severity = { MG101 = "high" }', "unknown tier 'high'"),
        ('tools = ["pylint"]', "unknown tool 'pylint'"),
        ("severity = { parse-error = 'P3' }", "'parse-error' cannot be overridden"),
        ("severity = { MG001 = 'P3' }", "'MG001' cannot be overridden"),
    ],
)
def test_every_entry_point_refuses_what_the_gate_refuses(
    table: str, message: str, repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (repo / "pyproject.toml").write_text(f"[tool.mergegate]\n{table}\n")
    (repo / "a.py").write_text(BARE)
    for entry in (
        lambda: main(["run", "--no-cache"]),
        lambda: main(["hook", "--no-cache", "a.py"]),
        lambda: bare_except.main(["a.py"]),
        lambda: debug_print.main(["a.py"]),
    ):
        assert entry() == 2
        err = capsys.readouterr().err
        assert message in err and "Traceback" not in err


def test_an_unreadable_pyproject_is_an_error_in_the_hooks_too(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (repo / "a.py").write_text(BARE)
    (repo / "pyproject.toml").unlink()
    os.mkfifo(repo / "pyproject.toml")  # a pipe where the configuration should be: never waited on
    assert bare_except.main(["a.py"]) == 2
    assert "pyproject.toml: not a regular file" in capsys.readouterr().err
    assert main(["run", "--no-cache"]) == 2


@pytest.mark.parametrize("special", ["fifo", "/dev/zero", "outside"])
def test_a_special_coverage_configuration_is_an_error_not_an_absent_file(
    repo: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], special: str
) -> None:
    (repo / "setup.cfg").write_text("[coverage:report]\nfail_under = 80\n")
    target = repo / ".coveragerc"
    if special == "fifo":
        os.mkfifo(target)  # never waited on
    elif special == "outside":
        (tmp_path / "elsewhere").write_text("[report]\nfail_under = 90\n")
        target.symlink_to(tmp_path / "elsewhere")
    else:
        target.symlink_to(special)
    assert coverage_threshold_single_source.main([]) == 2
    assert ".coveragerc" in capsys.readouterr().err
    assert main(["run", "--no-cache"]) == 2
    assert main(["run"]) == 2  # the cache's key never reads it either
    assert ".coveragerc: " in capsys.readouterr().err


def test_the_hooks_never_read_the_tables_of_folders_the_root_project_excludes(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (repo / "pyproject.toml").write_text('[tool.mergegate]\nexclude = ["fixtures/**"]\n')
    broken = repo / "fixtures" / "bad"
    broken.mkdir(parents=True)
    (broken / "pyproject.toml").write_text("[tool.mergegate]\nselect = 3\n")
    (repo / "a.py").write_text("x = 1\n")
    git(repo, "add", "-A")
    assert main(["hook", "--no-cache", "a.py"]) == 0
    assert coverage_threshold_single_source.main([]) == 0
    assert capsys.readouterr().err == ""


def test_a_hook_s_baseline_is_read_from_its_files_project_root(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The `mergegate` hook adds every project's repository-wide rules; `--baseline` still
    names entries from the project of the files it was given, as `mergegate run` does."""
    package = repo / "pkg"
    package.mkdir()
    (package / "pyproject.toml").write_text("[tool.mergegate]\n")
    (package / "a.py").write_text(BARE)
    git(repo, "add", "-A")
    assert main(["baseline", "--no-cache", "--output", "b.json", "pkg"]) == 0
    assert main(["run", "--no-cache", "--baseline", "b.json", "pkg"]) == 0
    assert main(["hook", "--no-cache", "--baseline", "b.json", "pkg/a.py"]) == 0
    assert "1 baselined" in capsys.readouterr().out


def test_a_file_whose_project_changes_is_never_served_stale_results(
    repo: Path, tmp_path: Path
) -> None:
    """A shared cache folder (the action's) serves several projects: debug-print's `exclude` is
    matched from each file's own project root."""
    table = '[tool.mergegate]\nfail-on = "P2"\n[tool.mergegate.rules.debug-print]\n'
    table += 'exclude = ["tools/*.py"]\n'
    (repo / "pyproject.toml").write_text(table)
    (repo / "pkg" / "tools").mkdir(parents=True)
    (repo / "pkg" / "pyproject.toml").write_text(table)
    (repo / "pkg" / "tools" / "x.py").write_text("print(1)\n")
    cache = str(tmp_path / "shared")
    assert main(["run", "--cache-dir", cache, "."]) == 0  # pkg/tools/x.py is excluded in pkg
    (repo / "pkg" / "pyproject.toml").unlink()
    assert main(["run", "--cache-dir", cache, "."]) == 1  # from the root it is not
    assert main(["run", "--no-cache", "."]) == 1


def test_a_parse_error_always_blocks_at_p0(repo: Path) -> None:
    (repo / "pyproject.toml").write_text(
        '[tool.mergegate]\nfail-on = "P1"\nseverity = { MG = "P3" }\n'
    )
    (repo / "broken.py").write_text("def f(:\n")
    (repo / "a.py").write_text(BARE)
    code, document = report()
    tiers = {entry["code"]: entry["severity"] for entry in document["findings"]}
    assert code == 1 and tiers == {"MG001": "P0", "MG101": "P3"}
    assert bare_except.main(["broken.py"]) == 1


@pytest.mark.parametrize(
    "table",
    ['select = ["parse-error"]', 'select = ["MG0"]', 'ignore = ["MG"]', 'fail-on = "never"'],
)
def test_a_file_that_does_not_parse_blocks_whatever_runs_or_blocks(
    repo: Path, capsys: pytest.CaptureFixture[str], table: str
) -> None:
    """Selecting no check, ignoring them all or blocking nothing still gives every Python file
    the compiler's verdict, and a new parse error blocks."""
    (repo / "pyproject.toml").write_text(f"[tool.mergegate]\n{table}\n")
    (repo / "broken.py").write_text("def f(:\n")
    code, document = report()
    assert code == 1, document
    assert [entry["code"] for entry in document["findings"]] == ["MG001"]
    assert main(["hook", "--no-cache", "broken.py"]) == 1
    assert bare_except.main(["broken.py"]) == 1
    assert debug_print.main(["broken.py"]) == 1
    assert "broken.py:1:7: MG001" in capsys.readouterr().out


def test_a_named_file_only_a_repository_wide_rule_reads_is_checked_by_its_project(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (repo / "pyproject.toml").write_text('[tool.mergegate]\nfail-on = "P1"\n')
    (repo / "setup.cfg").write_text("[coverage:report]\nfail_under = 80\n")
    (repo / "tox.ini").write_text("[coverage:report]\nfail_under = 90\n")
    for command in (["run", "--no-cache", "tox.ini"], ["hook", "--no-cache", "tox.ini"]):
        assert main(command) == 1, command
        out = capsys.readouterr().out
        assert "tox.ini:2:14: MG502 [P1]" in out and "1 blocking at P1" in out, out


def test_repository_wide_rules_judge_every_project_from_every_entry_point(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A nested project's coverage settings disagree: `mergegate run .`, the `mergegate` hook
    with or without the commit's Python files, and the single-purpose hook all see it, judged
    by that project's `fail-on`."""
    service = repo / "svc_a"
    service.mkdir()
    (service / "pyproject.toml").write_text('[tool.mergegate]\nfail-on = "P1"\n')
    (service / "setup.cfg").write_text("[coverage:report]\nfail_under = 80\n")
    (service / "tox.ini").write_text("[coverage:report]\nfail_under = 90\n")
    (repo / "a.py").write_text("x = 1\n")
    git(repo, "add", "-A")
    for entry in (
        lambda: main(["run", "--no-cache", "."]),
        lambda: main(["hook", "--no-cache"]),
        lambda: main(["hook", "--no-cache", "a.py"]),
        lambda: coverage_threshold_single_source.main([]),
    ):
        assert entry() == 1
        assert "svc_a/tox.ini:2:14: MG502" in capsys.readouterr().out


# --- one verdict: hooks decide as the gate does -------------------------------------------------


def test_a_hook_decides_as_the_gate_with_baseline_fail_on_and_severity(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (repo / "pyproject.toml").write_text(
        '[tool.mergegate]\nfail-on = "P1"\nbaseline = "b.json"\n'
        '[tool.mergegate.severity]\ndebug-print = "P3"\n'
    )
    (repo / "old.py").write_text("print('legacy')\n" + BARE)
    assert main(["baseline", "--no-cache"]) == 0
    assert "recorded 2 findings in b.json" in capsys.readouterr().out
    (repo / "new.py").write_text("print('new')\n")
    assert debug_print.main(["old.py", "new.py"]) == 0
    out = capsys.readouterr().out
    assert out == (
        "new.py:1:1: MG301 `print()` call left in the code; use `logging`, or remove it"
        " [P3, not blocking at fail-on P1]\n"
        "mergegate-debug-print: held back, not listed: 1 baselined\n"
    )
    code, document = report("--select", "debug-print")
    assert code == 0 and [(e["path"], e["state"]) for e in document["findings"]] == [
        ("new.py", "new"),
        ("old.py", "baselined"),
    ]
    (repo / "new.py").write_text(BARE)
    assert bare_except.main(["old.py", "new.py"]) == 1
    assert capsys.readouterr().out.startswith("new.py:3:1: MG101 ")


def test_the_default_text_report_lists_what_is_new_and_counts_what_is_held_back(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (repo / "old.py").write_text(BARE)
    assert main(["baseline", "--no-cache", "-o", "b.json"]) == 0
    (repo / "new.py").write_text(BARE + "print(1)  # noqa\n")
    capsys.readouterr()
    assert main(["run", "--no-cache", "--baseline", "b.json", "--color", "never"]) == 1
    out = capsys.readouterr().out
    assert "new.py:3:1: MG101 [P0]" in out and "old.py" not in out
    assert "P0 (1, blocking)" in out
    assert "held back, not listed: 1 baselined, 1 suppressed (--show-held-back lists them)" in out
    assert "mergegate rules MG101" in out
    assert "1 P0, 0 P1, 0 P2, 0 P3 new" in out  # the header and the verdict count the same
    assert main(["run", "--no-cache", "--baseline", "b.json", "--show-held-back"]) == 1
    out = capsys.readouterr().out
    assert "old.py:3:1: MG101 [P0, baselined]" in out and "P0 (1 new + 1 held back" in out
    assert "new.py:5:1: MG301 [P2, suppressed]" in out and "held back, not listed" not in out


# --- command-line conventions -----------------------------------------------------------------


def test_version_suggestions_and_tiers_in_any_case(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["--version"]) == 0
    assert capsys.readouterr().out.startswith("mergegate ")
    assert main(["rnu"]) == 2
    assert "did you mean 'run'?" in capsys.readouterr().err
    assert main(["run", "--fial-on", "P1"]) == 2
    assert "did you mean '--fail-on'?" in capsys.readouterr().err
    for short in ("rn", "ru"):
        assert main([short]) == 2
        assert "did you mean 'run'?" in capsys.readouterr().err
    assert main(["run", "--slect", "MG1"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("usage: mergegate run ") and "did you mean '--select'?" in err
    assert bare_except.main(["--allow-reraize", "a.py"]) == 2
    assert "did you mean '--allow-reraise'?" in capsys.readouterr().err
    assert debug_print.main(["--exclud", "x", "a.py"]) == 2  # whole option names only
    assert "did you mean '--exclude'?" in capsys.readouterr().err
    (repo / "a.py").write_text("print(1)\n")
    assert main(["run", "--no-cache", "--fail-on", "p2"]) == 1
    assert main(["rules", "mg101"]) == 0 and "bare-except" in capsys.readouterr().out


@pytest.mark.parametrize(
    "environment, colored",
    [({}, False), ({"FORCE_COLOR": "1"}, True), ({"NO_COLOR": "1", "FORCE_COLOR": "1"}, False)],
)
def test_no_color_and_force_color(
    environment: dict[str, str],
    colored: bool,
    repo: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for name in ("NO_COLOR", "FORCE_COLOR"):
        monkeypatch.delenv(name, raising=False)
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    (repo / "a.py").write_text(BARE)
    assert main(["run", "--no-cache"]) == 1
    assert ("\033[" in capsys.readouterr().out) is colored
    assert main(["run", "--no-cache", "--color", "never"]) == 1
    assert "\033[" not in capsys.readouterr().out


def test_an_unwritable_report_is_named_as_written(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (repo / "a.py").write_text("x = 1\n")
    assert main(["run", "--no-cache", "--format", "json:missing/dir/out.json"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("mergegate: error: missing/dir/out.json: cannot write the json report")
    assert ".mergegate-" not in err  # not a temporary file's name


def test_baseline_writes_the_configured_file_and_counts_what_it_could_not_record(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (repo / "pyproject.toml").write_text('[tool.mergegate]\nbaseline = "legacy.json"\n')
    (repo / "a.py").write_text(BARE)
    (repo / "broken.py").write_text("def f(:\n")
    assert main(["baseline", "--no-cache"]) == 0
    out, err = capsys.readouterr()
    assert "recorded 1 findings in legacy.json" in out
    assert "1 files could not be recorded: they do not parse" in err and "`exclude`" in err
    assert json.loads((repo / "legacy.json").read_text())["entries"][0]["path"] == "a.py"
    (repo / "pyproject.toml").write_text("[tool.mergegate]\n")
    assert main(["baseline", "--no-cache"]) == 2
    assert "give --output FILE, or set `baseline`" in capsys.readouterr().err


def test_empty_new_from_rev_is_an_error(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["run", "--no-cache", "--new-from-rev", ""]) == 2
    assert "--new-from-rev needs a revision" in capsys.readouterr().err


def test_files_checked_counts_what_the_run_read(repo: Path) -> None:
    """Python files always get the compiler's verdict; other files count when a selected
    repository-wide rule reads them."""
    (repo / "a.py").write_text("x = 1\n")
    workflows = repo / ".github" / "workflows"
    workflows.mkdir(parents=True)
    (workflows / "ci.yml").write_text("on: push\njobs: {}\n")
    assert report("--select", "secrets-documented")[1]["files_checked"] == 2  # both
    assert report("--select", "bare-except")[1]["files_checked"] == 1  # a.py


def test_without_git_the_walk_says_gitignore_is_not_applied(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / ".gitignore").write_text("ignored.py\n")
    (tmp_path / "ignored.py").write_text(BARE)
    monkeypatch.chdir(tmp_path)
    assert main(["run", "--no-cache"]) == 1
    assert ".gitignore is not applied" in capsys.readouterr().out


# --- only regular files inside the repository are read ------------------------------------------


@pytest.mark.parametrize("target", ["fifo", "/dev/zero", "/dev/stdin", "outside"])
def test_special_and_outside_files_are_errors_never_hangs(
    target: str, repo: Path, tmp_path: Path
) -> None:
    """Through a tracked symbolic link or named directly: an error (exit 2), within a second."""
    if target == "fifo":
        os.mkfifo(repo / "pipe")
        destination = str(repo / "pipe")
    elif target == "outside":
        (tmp_path / "secret.py").write_text(BARE)
        destination = str(tmp_path / "secret.py")
    else:
        destination = target
    os.symlink(destination, repo / "link.py")
    os.symlink(destination, repo / ".coveragerc")
    git(repo, "add", "-A")
    for command in (
        ["run", "--no-cache"],
        ["run", "--no-cache", "link.py"],
        ["run", "--no-cache", "--select", "coverage-threshold-single-source"],
    ):
        result = subprocess.run(
            [sys.executable, "-m", "mergegate.gates.cli", *command],
            cwd=repo,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert result.returncode == 2, (command, result.stdout, result.stderr)
        assert "Traceback" not in result.stderr
        assert "except:" not in result.stdout  # the outside file's text is never reported
    hook = subprocess.run(
        [sys.executable, "-m", "mergegate.hooks.bare_except", "link.py"],
        cwd=repo,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert hook.returncode == 2 and "Traceback" not in hook.stderr


# --- output the stream cannot encode, and closed pipes ------------------------------------------


@pytest.mark.parametrize("encoding", ["ascii", "cp1252"])
def test_output_a_stream_cannot_encode_is_replaced_not_a_traceback(
    encoding: str, repo: Path
) -> None:
    name = "caf\u00e9_\u65e5\u672c.py"
    (repo / name).write_text(BARE)
    environment = {**os.environ, "PYTHONIOENCODING": encoding}
    for command in (
        [sys.executable, "-m", "mergegate.gates.cli", "run", "--no-cache"],
        [sys.executable, "-m", "mergegate.hooks.bare_except", name],
    ):
        result = subprocess.run(command, cwd=repo, env=environment, capture_output=True)
        assert result.returncode == 1, result.stderr
        assert b"Traceback" not in result.stderr
        assert b":3:1: MG101" in result.stdout


def test_a_closed_pipe_ends_quietly(repo: Path) -> None:
    for n in range(300):
        (repo / f"m{n:03}.py").write_text(BARE)
    for command in (
        [sys.executable, "-m", "mergegate.gates.cli", "run", "--no-cache"],
        [sys.executable, "-m", "mergegate.hooks.bare_except", *sorted(os.listdir(repo))[:-2]],
    ):
        pipeline = subprocess.run(
            ["bash", "-c", '"$@" | head -1', "-", *command],
            cwd=repo,
            capture_output=True,
            text=True,
        )
        assert len(pipeline.stdout.splitlines()) == 1
        assert "Traceback" not in pipeline.stderr and "BrokenPipe" not in pipeline.stderr
