"""The gate end to end through `mergegate.gates.cli.main`: verdicts, exit codes, configuration,
baseline and new-code gating, on small git repositories built in tmp_path."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from helpers import git, run_json

from mergegate.gates.cli import main

BARE = "try:\n    work()\nexcept:\n    pass\n"


def test_clean_repository_passes(repo: Path) -> None:
    (repo / "ok.py").write_text("def f():\n    return 1\n")
    code, report = run_json()
    assert code == 0
    assert report["verdict"] == "passed"
    assert report["findings"] == []
    assert report["files_checked"] == 2  # ok.py, and pyproject.toml read by the coverage rule


def test_p0_blocks_and_lower_tiers_do_not(repo: Path) -> None:
    (repo / "a.py").write_text(BARE)
    (repo / "b.py").write_text("def f():\n    print('x')\n")
    code, report = run_json()
    assert code == 1
    tiers = {(f["path"], f["code"]): f["severity"] for f in report["findings"]}
    assert tiers == {("a.py", "MG101"): "P0", ("b.py", "MG301"): "P2"}
    assert report["counts"]["P0"] == 1 and report["counts"]["P2"] == 1
    assert report["counts"]["blocking"] == 1
    code, _ = run_json("--select", "debug-print")
    assert code == 0
    code, _ = run_json("--select", "debug-print", "--fail-on", "P2")
    assert code == 1
    code, _ = run_json("--fail-on", "never")
    assert code == 0


def test_paths_are_relative_to_the_current_directory(
    repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (repo / "pkg").mkdir()
    (repo / "pkg" / "a.py").write_text(BARE)
    monkeypatch.chdir(repo / "pkg")
    code, report = run_json(".")
    assert code == 1
    assert [f["path"] for f in report["findings"]] == ["a.py"]
    monkeypatch.chdir(repo)
    _, report = run_json("pkg")
    assert [f["path"] for f in report["findings"]] == ["pkg/a.py"]


def test_git_ignored_files_are_not_checked_but_untracked_ones_are(repo: Path) -> None:
    (repo / ".gitignore").write_text("ignored.py\n")
    (repo / "ignored.py").write_text(BARE)
    (repo / "untracked.py").write_text(BARE)
    _, report = run_json()
    assert [f["path"] for f in report["findings"]] == ["untracked.py"]


def test_noqa_suppresses_and_is_counted(repo: Path) -> None:
    (repo / "a.py").write_text("try:\n    work()\nexcept:  # noqa: MG101\n    pass\n")
    code, report = run_json()
    assert code == 0
    assert report["findings"] == []
    assert report["counts"]["suppressed"] == 1


def test_severity_override_and_ignore(repo: Path) -> None:
    (repo / "pyproject.toml").write_text(
        '[tool.mergegate]\nignore = ["MG3"]\n[tool.mergegate.severity]\nbare-except = "P2"\n'
    )
    (repo / "a.py").write_text(BARE + "print(1)\n")
    code, report = run_json()
    assert code == 0
    assert [(f["code"], f["severity"]) for f in report["findings"]] == [("MG101", "P2")]


def test_parse_error_blocks_and_cannot_be_ignored(repo: Path) -> None:
    (repo / "pyproject.toml").write_text('[tool.mergegate]\nselect = ["debug-print"]\n')
    (repo / "broken.py").write_text("def f(:\n    pass  # noqa\n")
    code, report = run_json()
    assert code == 1
    assert [f["code"] for f in report["findings"]] == ["MG001"]


@pytest.mark.parametrize(
    ("pyproject", "message"),
    [
        ('[tool.mergegate]\nselct = ["bare-except"]\n', "unknown key 'selct'"),
        ('[tool.mergegate]\nselect = ["bare-exept"]\n', "unknown rule 'bare-exept'"),
        ('[tool.mergegate]\nignore = ["MG999"]\n', "unknown code 'MG999'"),
        ('[tool.mergegate.severity]\nbare-except = "P9"\n', "unknown tier 'P9'"),
        ('[tool.mergegate]\ntools = ["pylint"]\n', "unknown tool 'pylint'"),
        (
            "[tool.mergegate.rules.bare-except]\nallow-rerase = true\n",
            "unknown option 'allow-rerase'",
        ),
        ('[tool.mergegate.rules.bare-except]\nallow-reraise = "yes"\n', "takes true or false"),
        ("[tool.mergegate.rules.no-such-rule]\nx = 1\n", "unknown rule 'no-such-rule'"),
        ("[tool.mergegate\n", "invalid TOML"),
    ],
)
def test_bad_configuration_exits_2_naming_the_problem(
    repo: Path, capsys: pytest.CaptureFixture[str], pyproject: str, message: str
) -> None:
    (repo / "pyproject.toml").write_text(pyproject)
    (repo / "a.py").write_text("x = 1\n")
    assert main(["run"]) == 2
    assert message in capsys.readouterr().err


def test_missing_path_and_path_outside_the_repository_exit_2(
    repo: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["run", "nope.py"]) == 2
    assert "nope.py: no such file or directory" in capsys.readouterr().err
    outside = tmp_path / "outside.py"
    outside.write_text("x = 1\n")
    assert main(["run", ".", str(outside)]) == 2
    assert "outside the repository" in capsys.readouterr().err
    (repo / "svc").mkdir()  # a project of its own inside the repository: one run, two projects
    (repo / "svc" / "pyproject.toml").write_text("[tool.mergegate]\n")
    (repo / "lib.py").write_text("x = 1\n")
    assert main(["run", "svc", "lib.py"]) == 0


def test_unreadable_file_is_an_error_not_a_pass(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (repo / "b.py").write_text("x = 1\n")
    (repo / "gone.py").symlink_to(repo / "deleted-target.py")  # unreadable, even for root
    assert main(["run"]) == 2
    captured = capsys.readouterr()
    assert "mergegate: error: gone.py: no such file" in captured.err
    assert "mergegate: error:" in captured.out  # the verdict line


def test_baselined_p0_that_moved_still_passes_while_a_new_p0_blocks(repo: Path) -> None:
    source = repo / "legacy.py"
    source.write_text(BARE)
    assert main(["baseline", "--output", "baseline.json"]) == 0
    source.write_text("import os\n\n\n" + BARE)  # the old finding moved down three lines
    code, report = run_json("--baseline", "baseline.json")
    assert code == 0
    assert [(f["line"], f["state"]) for f in report["findings"]] == [(6, "baselined")]
    source.write_text("import os\n\n\n" + BARE + BARE.replace("work", "other"))
    code, report = run_json("--baseline", "baseline.json")
    assert code == 1
    assert [(f["line"], f["state"]) for f in report["findings"]] == [(6, "baselined"), (10, "new")]


def test_baseline_counts_identical_lines(repo: Path) -> None:
    (repo / "a.py").write_text(BARE)
    main(["baseline", "-o", "b.json"])
    (repo / "a.py").write_text(BARE + BARE)
    code, report = run_json("--baseline", "b.json")
    assert code == 1
    assert sorted(f["state"] for f in report["findings"]) == ["baselined", "new"]


def test_fixed_baseline_entries_are_reported_and_pruned(repo: Path) -> None:
    (repo / "a.py").write_text(BARE)
    (repo / "b.py").write_text(BARE)
    main(["baseline", "-o", "b.json"])
    (repo / "a.py").write_text("x = 1\n")
    code, report = run_json("--baseline", "b.json")
    assert code == 0
    assert [(e["path"], e["count"]) for e in report["fixed"]] == [("a.py", 1)]
    assert main(["baseline", "-o", "b.json", "--prune"]) == 0
    entries = json.loads((repo / "b.json").read_text())["entries"]
    assert [e["path"] for e in entries] == ["b.py"]


def test_baseline_from_config_and_foreign_baseline_file(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (repo / "a.py").write_text(BARE)
    main(["baseline", "-o", "legacy.json"])
    (repo / "pyproject.toml").write_text('[tool.mergegate]\nbaseline = "legacy.json"\n')
    assert main(["run"]) == 0
    (repo / "legacy.json").write_text('{"results": []}')
    capsys.readouterr()
    assert main(["run"]) == 2
    assert "not a mergegate baseline" in capsys.readouterr().err


def test_new_from_rev_blocks_only_lines_changed_since_the_revision(repo: Path) -> None:
    (repo / "old.py").write_text(BARE)
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "legacy")
    code, report = run_json("--new-from-rev", "HEAD")
    assert code == 0
    assert [f["state"] for f in report["findings"]] == ["existing"]
    (repo / "old.py").write_text("import os\n" + BARE + BARE.replace("work", "more"))
    (repo / "brand new.py").write_text(BARE)
    code, report = run_json("--new-from-rev", "HEAD")
    assert code == 1
    states = sorted((f["path"], f["line"], f["state"]) for f in report["findings"])
    assert states == [("brand new.py", 3, "new"), ("old.py", 4, "existing"), ("old.py", 8, "new")]


def test_unknown_revision_exits_2(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (repo / "a.py").write_text("x = 1\n")
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "one")
    assert main(["run", "--new-from-rev", "no-such-branch"]) == 2
    assert "does not know the revision 'no-such-branch'" in capsys.readouterr().err


def test_several_formats_in_one_run(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (repo / "a.py").write_text(BARE)
    assert main(["run", "--format", "text", "--format", "json:r.json"]) == 1
    out = capsys.readouterr().out
    assert "a.py:3:1: MG101 [P0]" in out
    assert "mergegate: blocked:" in out
    assert json.loads((repo / "r.json").read_text())["verdict"] == "blocked"
    assert main(["run", "--format", "text", "--format", "json"]) == 2
    assert "only one format can go to stdout" in capsys.readouterr().err


def test_rules_command_lists_and_explains(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["rules"]) == 0
    listing = capsys.readouterr().out
    assert "MG101  P0  bare-except" in listing
    assert main(["rules", "MG601"]) == 0
    assert "secrets-documented" in capsys.readouterr().out
    assert main(["rules", "nope"]) == 2


# --- selection, configuration and paths that must not pass silently --------------------------


@pytest.mark.parametrize(
    ("pyproject", "argv", "message"),
    [
        ('[tool.mergegate]\nselect = ["E"]\n', [], "no rule or enabled tool has the code 'E'"),
        ("[tool.mergegate]\n", ["--select", ""], "--select: no rule or code given"),
        ("[tool.mergegate]\n", ["--ignore", "ZZZ9"], "no rule or enabled tool has the code"),
        ('[tool.mergegate.severity]\nFOO = "P1"\n', [], "no rule or enabled tool has the code"),
        (
            '[tool.mergegate]\ntools = ["black"]\nselect = ["BLX"]\n',
            [],
            "no rule or enabled tool has the code 'BLX' (tools: black)",
        ),
        ("[tool.mergegate]\nselect = []\n", [], "select: no rule or code given"),
    ],
)
def test_a_selection_that_matches_nothing_is_an_error(
    repo: Path,
    capsys: pytest.CaptureFixture[str],
    pyproject: str,
    argv: list[str],
    message: str,
) -> None:
    """Such a selector would switch every check off and pass: a typo must not weaken the gate."""
    (repo / "pyproject.toml").write_text(pyproject)
    (repo / "a.py").write_text(BARE)
    assert main(["run", *argv]) == 2
    assert message in capsys.readouterr().err


@pytest.mark.parametrize(
    "tools, selector", [("flake8", "E501"), ("flake8", "X1"), ("bandit", "B6"), ("black", "BLK")]
)
def test_codes_of_enabled_tools_are_accepted(repo: Path, tools: str, selector: str) -> None:
    from mergegate.gates.projects import load

    (repo / "pyproject.toml").write_text(
        f'[tool.mergegate]\ntools = ["{tools}"]\nignore = ["{selector}"]\n'
    )
    assert load(None, ".").ignore == [selector]


@pytest.mark.parametrize(
    "table",
    [
        '[ tool . mergegate ]\nfail-on = "never"\n',
        '[tool."mergegate"]\nfail-on = "never"\n',
        '[tool]\nmergegate = { fail-on = "never" }\n',
    ],
)
def test_every_spelling_of_the_table_is_read(repo: Path, table: str) -> None:
    (repo / "pyproject.toml").write_text(table)
    (repo / "a.py").write_text(BARE)
    code, report = run_json()
    assert (code, report["fail_on"]) == (0, "never")
    (repo / "pyproject.toml").write_text(table + "bogus = 1\n" if "{" not in table else table[:-3])
    assert main(["run"]) == 2


def test_a_pyproject_without_the_table_is_passed_over(repo: Path) -> None:
    (repo / "pyproject.toml").write_text('[tool.mergegate]\nfail-on = "never"\n')
    (repo / "sub").mkdir()
    (repo / "sub" / "pyproject.toml").write_text('[project]\nname = "mergegate-demo"\n')
    (repo / "sub" / "a.py").write_text(BARE)
    code, report = run_json("sub")
    assert (code, report["fail_on"]) == (0, "never")


def test_a_pyproject_that_is_not_utf8_exits_2_naming_it(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (repo / "pyproject.toml").write_bytes(b"[tool.mergegate]\n# caf\xe9\n")
    assert main(["run"]) == 2
    err = capsys.readouterr().err
    assert "pyproject.toml: invalid TOML: not UTF-8" in err and "internal error" not in err


def test_a_named_pipe_is_an_error_not_an_empty_pass(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    os.mkfifo(repo / "fifo.py")
    assert main(["run", "fifo.py"]) == 2
    assert "fifo.py: neither a file nor a folder" in capsys.readouterr().err


def test_a_first_path_outside_the_repository_exits_2(
    repo: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "elsewhere.py").write_text(BARE)
    for path in ("..", str(tmp_path / "elsewhere.py")):
        assert main(["run", path]) == 2
        assert "outside the repository" in capsys.readouterr().err


# --- the baseline judges only what the run looked at -----------------------------------------


def test_a_partial_run_neither_fixes_nor_prunes_what_it_did_not_check(repo: Path) -> None:
    (repo / "a.py").write_text(BARE)
    (repo / "sub").mkdir()
    (repo / "sub" / "b.py").write_text(BARE + "print(1)\n")
    assert main(["baseline", "-o", "b.json"]) == 0
    recorded = json.loads((repo / "b.json").read_text())["entries"]
    assert len(recorded) == 3
    code, report = run_json("--baseline", "b.json", "sub")
    assert (code, report["fixed"]) == (0, [])
    code, report = run_json("--baseline", "b.json", "--select", "bare-except")
    assert (code, report["fixed"]) == (0, [])
    (repo / "sub" / "b.py").write_text("def broken(:\n")  # no check ran on it: nothing is fixed
    code, report = run_json("--baseline", "b.json")
    assert (code, report["fixed"]) == (1, [])
    (repo / "sub" / "b.py").write_text("x = 1\n")
    assert main(["baseline", "-o", "b.json", "--prune", "a.py"]) == 0
    assert json.loads((repo / "b.json").read_text())["entries"] == recorded
    assert main(["baseline", "-o", "b.json", "--prune"]) == 0
    assert [e["path"] for e in json.loads((repo / "b.json").read_text())["entries"]] == ["a.py"]


def test_a_baseline_run_with_errors_leaves_the_file_alone(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (repo / "a.py").write_text(BARE)
    assert main(["baseline", "-o", "b.json"]) == 0
    before = (repo / "b.json").read_text()
    (repo / "a.py").write_text("x = 1\n")
    (repo / "gone.py").symlink_to(repo / "deleted-target.py")
    for argv in (["--prune"], []):
        assert main(["baseline", "-o", "b.json", *argv]) == 2
        assert "b.json left as it was" in capsys.readouterr().err
        assert (repo / "b.json").read_text() == before


def test_recording_the_baseline_the_config_names(repo: Path) -> None:
    """The first `mergegate baseline` of a project whose config already names the file."""
    (repo / "pyproject.toml").write_text('[tool.mergegate]\nbaseline = "b.json"\n')
    (repo / "a.py").write_text(BARE)
    assert main(["baseline", "-o", "b.json"]) == 0
    assert main(["baseline", "-o", "b.json"]) == 0  # again: every finding, not only new ones
    assert len(json.loads((repo / "b.json").read_text())["entries"]) == 1
    assert main(["run"]) == 0


@pytest.mark.parametrize("count", ["-3", "0", "true", "1.5"])
def test_malformed_baseline_counts_are_refused(
    repo: Path, count: str, capsys: pytest.CaptureFixture[str]
) -> None:
    entry = '{"rule": "bare-except", "code": "MG101", "path": "a.py", "content": "x", "count": '
    entry += count + "}"
    (repo / "b.json").write_text(
        f'{{"format": "mergegate-baseline", "version": 1, "entries": [{entry}]}}'
    )
    assert main(["run", "--baseline", "b.json"]) == 2
    assert "malformed baseline entries" in capsys.readouterr().err


# --- file names that are not UTF-8 ------------------------------------------------------------


def test_an_undecodable_file_name_reaches_every_report(repo: Path) -> None:
    name = os.fsdecode(b"caf\xe9 \xff.py")
    (repo / name).write_text(BARE)
    formats = ["json:r.json", "github:r.txt", "sarif:r.sarif", "markdown:r.md", "text:r.log"]
    assert main(["run", *(f"--format={f}" for f in formats)]) == 1
    for report in ("r.json", "r.txt", "r.sarif", "r.md", "r.log"):
        (repo / report).read_bytes().decode("utf-8")  # every report is valid UTF-8
    (finding,) = json.loads((repo / "r.json").read_text())["findings"]
    assert finding["path"] == name
    assert main(["baseline", "-o", "b.json"]) == 0
    code, report = run_json("--baseline", "b.json")
    assert (code, [f["state"] for f in report["findings"]]) == (0, ["baselined"])


# --- the text report and progress ---------------------------------------------------------------


def test_text_report_groups_by_tier_and_ends_with_the_verdict(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (repo / "a.py").write_text("print(1)\n" + BARE)
    (repo / "b.py").write_text(BARE)
    assert main(["run", "--color", "never"]) == 1
    assert capsys.readouterr().out == (
        "P0 (2, blocking)\n"
        "a.py:4:1: MG101 [P0] do not use bare 'except:'; name the exceptions to handle\n"
        "b.py:3:1: MG101 [P0] do not use bare 'except:'; name the exceptions to handle\n"
        "\n"
        "P2 (1, not blocking)\n"
        "a.py:1:1: MG301 [P2] `print()` call left in the code; use `logging`, or remove it\n"
        "\n"
        "3 fixable with --fix --unsafe-fixes\n"
        "what a code means and how to fix it: mergegate rules MG101 (codes here: MG101, MG301)\n"
        "mergegate: blocked: 2 P0, 0 P1, 1 P2, 0 P3 new in 3 files; 2 blocking at P0 or above\n"
    )
    assert main(["run", "--color", "always"]) == 1
    out = capsys.readouterr().out
    assert "\033[1;31mP0 (2, blocking)\033[0m" in out and "\033[36m[P2]\033[0m" in out


class FakeTerminal:
    def __init__(self) -> None:
        self.written: list[str] = []

    def isatty(self) -> bool:
        return True

    def write(self, text: str) -> None:
        self.written.append(text)

    def flush(self) -> None:
        pass


def test_progress_only_for_long_runs_at_a_terminal(
    repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from mergegate.gates import progress

    terminal = FakeTerminal()
    monkeypatch.setattr(progress.sys, "stderr", terminal)
    for n in range(progress.MIN_FILES):
        (repo / f"m{n}.py").write_text("x = 1\n")
    assert main(["run", "--no-cache", "--jobs", "2"]) == 0
    assert terminal.written[0].startswith("\rmergegate: checked ")
    assert (
        terminal.written[-2]
        == f"\rmergegate: checked {progress.MIN_FILES}/{progress.MIN_FILES} files"
    )
    assert terminal.written[-1] == "\r\033[K"
    terminal.written.clear()
    (repo / "m0.py").unlink()
    assert main(["run", "--no-cache"]) == 0
    assert terminal.written == []  # fewer files: no progress line
    monkeypatch.setattr(FakeTerminal, "isatty", lambda self: False)
    (repo / "m0.py").write_text("x = 1\n")
    assert main(["run", "--no-cache"]) == 0
    assert terminal.written == []  # a log or a pipe: nothing


def test_only_one_format_to_stdout_is_refused_before_any_work(
    repo: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from mergegate.gates import cli

    monkeypatch.setattr(cli, "run", lambda *args: pytest.fail("the gate ran"))
    assert main(["run", "--format", "json", "--format", "sarif"]) == 2
    assert "only one format can go to stdout, not json, sarif" in capsys.readouterr().err
