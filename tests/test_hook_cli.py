"""The command line every hook shares (hooks/cli.py): options, configuration, noqa, exit codes."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
from helpers import hook_module

from mergegate.hooks import bare_except
from mergegate.hooks.cli import parse_argv, run_python_hook, run_repo_hook
from mergegate.hooks.finding import Finding
from mergegate.hooks.registry import BARE_EXCEPT, DEBUG_PRINT, SECRETS_DOCUMENTED
from mergegate.hooks.source import Source

RERAISE = textwrap.dedent("""\
    try:
        work()
    except:
        cleanup()
        raise
    """)
SWALLOW = "try:\n    work()\nexcept:\n    pass\n"


@pytest.fixture()
def workdir(workdir: Path) -> Path:
    """The current directory, holding a bare `except:` that re-raises."""
    (workdir / "reraise.py").write_text(RERAISE, encoding="utf-8")
    return workdir


def write_pyproject(directory: Path, body: str) -> Path:
    path = directory / "pyproject.toml"
    path.write_text(textwrap.dedent(body), encoding="utf-8")
    return path


# Options on the command line


def test_reraise_is_allowed_by_default(workdir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert bare_except.main(["reraise.py"]) == 0
    assert capsys.readouterr() == ("", "")


def test_no_allow_reraise_reports_it(workdir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert bare_except.main(["--no-allow-reraise", "reraise.py"]) == 1
    assert capsys.readouterr().out == (
        "reraise.py:3:1: MG101 do not use bare 'except:'; name the exceptions to handle\n"
    )


def test_last_flag_wins(workdir: Path) -> None:
    assert bare_except.main(["--no-allow-reraise", "--allow-reraise", "reraise.py"]) == 0
    assert bare_except.main(["--allow-reraise", "--no-allow-reraise", "reraise.py"]) == 1


def test_list_option_repeats() -> None:
    invocation = parse_argv(DEBUG_PRINT, ["--exclude", "a", "--exclude=b", "x.py", "--", "-y.py"])
    assert invocation.overrides == {"exclude": ["a", "b"]}
    assert invocation.positionals == ["x.py", "-y.py"]
    assert invocation.config is None


def test_string_option_and_config_take_values() -> None:
    invocation = parse_argv(SECRETS_DOCUMENTED, ["--docs", "SECRETS.md", "--config=cfg.toml", "."])
    assert (invocation.overrides, invocation.config, invocation.positionals) == (
        {"docs": "SECRETS.md"},
        "cfg.toml",
        ["."],
    )


def test_exclude_option_reaches_the_check(
    workdir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (workdir / "app.py").write_text("print('hello')\n", encoding="utf-8")
    write_pyproject(workdir, "[tool.mergegate]\nfail-on = 'P2'\n")  # debug-print is P2
    debug_print = hook_module("debug-print")
    assert debug_print.main(["app.py"]) == 1
    assert debug_print.main(["--exclude", "lib.py", "--exclude", "app.py", "app.py"]) == 0
    assert capsys.readouterr().out.startswith("app.py:1:1: MG301 ")


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--bogus", "x.py"], "unrecognized arguments: --bogus"),
        (["-x", "x.py"], "unrecognized arguments: -x"),
        (["--allow-reraise=yes", "x.py"], "ignored explicit argument 'yes'"),
        (["x.py", "--config"], "argument --config: expected one argument"),
    ],
)
def test_bad_command_line_exits_2_with_argparse_message(
    argv: list[str], message: str, workdir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert bare_except.main(argv) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert err.startswith("usage: mergegate-bare-except ")
    assert err.splitlines()[-1].startswith("mergegate-bare-except: error: ")
    assert err.splitlines()[-1].endswith(message)


def test_help_shows_the_rule_docs(capsys: pytest.CaptureFixture[str]) -> None:
    assert bare_except.main(["--help"]) == 0
    out = " ".join(capsys.readouterr().out.split())
    for text in (BARE_EXCEPT.summary, BARE_EXCEPT.what, BARE_EXCEPT.why):
        assert " ".join(text.split()) in out
    assert "--allow-reraise, --no-allow-reraise" in out
    assert "[tool.mergegate.rules.bare-except]" in out


# Options from pyproject.toml


def test_pyproject_in_the_current_directory_sets_options(workdir: Path) -> None:
    write_pyproject(workdir, "[tool.mergegate.rules.bare-except]\nallow-reraise = false\n")
    assert bare_except.main(["reraise.py"]) == 1
    assert bare_except.main(["--allow-reraise", "reraise.py"]) == 0  # the command line wins


def test_pyproject_is_found_above_the_current_directory(
    workdir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_pyproject(workdir, "[tool.mergegate.rules.bare-except]\nallow-reraise = false\n")
    (workdir / "pkg").mkdir()
    monkeypatch.chdir(workdir / "pkg")
    assert bare_except.main(["../reraise.py"]) == 1


def test_pyproject_without_mergegate_is_passed_over(
    workdir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_pyproject(workdir, "[tool.mergegate.rules.bare-except]\nallow-reraise = false\n")
    (workdir / "pkg").mkdir()
    write_pyproject(workdir / "pkg", "[project]\nname = 'pkg'\n")
    monkeypatch.chdir(workdir / "pkg")
    assert bare_except.main(["../reraise.py"]) == 1


def test_config_option_names_the_file(workdir: Path) -> None:
    (workdir / "conf").mkdir()
    config = write_pyproject(
        workdir / "conf", "[tool.mergegate.rules.bare-except]\nallow-reraise = false\n"
    )
    write_pyproject(workdir, "[tool.mergegate.rules.bare-except]\nallow-reraise = true\n")
    assert bare_except.main(["--config", str(config), "reraise.py"]) == 1
    assert bare_except.main([f"--config={config}", "reraise.py"]) == 1
    assert bare_except.main(["reraise.py"]) == 0


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (
            "[tool.mergegate.rules.bare-except]\nallow_reraise = false\n",
            "pyproject.toml: unknown option 'allow_reraise' in [tool.mergegate.rules.bare-except]"
            " (options of bare-except: allow-reraise)",
        ),
        (
            "[tool.mergegate.rules.bare-except]\nallow-reraise = 'no'\n",
            "option 'allow-reraise' takes true or false, not 'no'",
        ),
        ("[tool.mergegate.rules]\nbare-except = 1\n", "must be a table"),
        ("[tool.mergegate\n", "pyproject.toml: invalid TOML: "),
        ("[tool.mergegate]\nselct = ['bare-except']\n", "unknown key 'selct'"),
        ("[tool.mergegate.rules.nope]\nx = 1\n", "unknown rule 'nope'"),
        ("[tool.mergegate]\nignore = 'MG101'\n", "`ignore` must be a list of strings"),
    ],
    ids=[
        "unknown-option",
        "wrong-type",
        "not-a-table",
        "invalid-toml",
        "unknown-key",
        "unknown-rule",
        "ignore-not-a-list",
    ],
)
def test_bad_configuration_exits_2_naming_the_problem(
    body: str, message: str, workdir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write_pyproject(workdir, body)
    assert bare_except.main(["reraise.py"]) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert err.startswith("mergegate-bare-except: error: ")
    assert message in err
    assert "Traceback" not in err


@pytest.mark.parametrize(
    ("table", "status"),
    [
        ("ignore = ['MG101']", 0),
        ("ignore = ['bare-except']", 0),
        ("ignore = ['MG1']", 0),
        ("select = ['MG3']", 0),
        ("select = ['MG101']", 1),
        ("ignore = ['MG1']\nselect = ['MG101']", 1),  # the more specific selector wins
    ],
)
def test_select_and_ignore_of_the_project_apply_as_in_the_gate(
    table: str, status: int, workdir: Path
) -> None:
    """pre-commit runs a hook alone: it reports what `mergegate run` would report."""
    (workdir / "swallow.py").write_text(SWALLOW, encoding="utf-8")
    write_pyproject(workdir, f"[tool.mergegate]\n{table}\n")
    assert bare_except.main(["swallow.py"]) == status


def test_a_parse_error_is_reported_whatever_is_ignored(workdir: Path) -> None:
    (workdir / "broken.py").write_text("def f(:\n", encoding="utf-8")
    write_pyproject(workdir, "[tool.mergegate]\nignore = ['MG2', 'MG3', 'MG4', 'MG5', 'MG6']\n")
    assert bare_except.main(["broken.py"]) == 1
    write_pyproject(workdir, "[tool.mergegate]\nfail-on = 'never'\nseverity = { MG = 'P3' }\n")
    assert bare_except.main(["broken.py"]) == 0  # reported, blocking nothing: fail-on never


def test_missing_config_file_exits_2(workdir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert bare_except.main(["--config", "nowhere.toml", "reraise.py"]) == 2
    assert "nowhere.toml: no such configuration file" in capsys.readouterr().err


# Output and noqa


def test_output_is_sorted_relative_and_noqa_is_applied(
    workdir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (workdir / "pkg").mkdir()
    (workdir / "pkg" / "b.py").write_text(SWALLOW + SWALLOW, encoding="utf-8")
    (workdir / "a.py").write_text(
        SWALLOW.replace("except:", "except:  # noqa: MG101")
        + SWALLOW.replace("except:", "except:  # noqa: MG2")
        + SWALLOW.replace("except:", "except:  # noqa"),
        encoding="utf-8",
    )
    assert bare_except.main([str(workdir / "pkg" / "b.py"), "a.py"]) == 1
    lines = capsys.readouterr().out.splitlines()
    assert [line.split(" MG101 ")[0] for line in lines] == [
        "a.py:7:1:",
        "pkg/b.py:3:1:",
        "pkg/b.py:7:1:",
    ]


def test_all_findings_silenced_exits_0(workdir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (workdir / "a.py").write_text(SWALLOW.replace("except:", "except:  # noqa"), encoding="utf-8")
    assert bare_except.main(["a.py"]) == 0
    assert capsys.readouterr() == ("", "")


def test_no_files_exits_0(workdir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert bare_except.main([]) == 0
    assert capsys.readouterr() == ("", "")


def test_a_crashing_check_exits_2_and_says_so(
    workdir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    def crash(source: Source, options: dict[str, object]) -> list[Finding]:
        raise KeyError("boom")

    assert run_python_hook(BARE_EXCEPT, crash, ["reraise.py"]) == 2
    assert capsys.readouterr().err == (
        "mergegate-bare-except: error: reraise.py: internal error in a check: " "KeyError: 'boom'\n"
    )


# Repository-wide hooks


def test_repo_hook_reports_paths_relative_to_here_and_applies_noqa(
    workdir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    docs = workdir / "repo" / "docs"
    docs.mkdir(parents=True)
    (docs / "SECRETS.md").write_text("- `A`\n- `B`  # noqa: MG602\n", encoding="utf-8")
    seen: list[tuple[str, dict[str, object]]] = []

    def check(root: str, options: dict[str, object]) -> list[Finding]:
        seen.append((root, options))
        return [
            Finding("secrets-documented", "MG602", "docs/SECRETS.md", line, 3, line, 4, "stale")
            for line in (1, 2)
        ]

    write_pyproject(workdir / "repo", "[tool.mergegate]\nfail-on = 'P3'\n")  # MG602 is P3
    assert run_repo_hook(SECRETS_DOCUMENTED, check, ["--docs", "docs/SECRETS.md", "repo"]) == 1
    assert seen == [(str(workdir / "repo"), {"docs": "docs/SECRETS.md"})]
    assert capsys.readouterr().out == "repo/docs/SECRETS.md:1:3: MG602 stale\n"


@pytest.mark.parametrize(
    ("argv", "message"),
    [(["a.py", "b.py"], "takes one repository root"), (["missing"], "missing: not a directory")],
)
def test_repo_hook_needs_one_existing_root(
    argv: list[str], message: str, workdir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run_repo_hook(SECRETS_DOCUMENTED, lambda root, options: [], argv) == 2
    assert message in capsys.readouterr().err


@pytest.mark.parametrize(
    "name, shown",
    [
        ("::warning::x.py", "\\x3a:warning::x.py"),
        (" ::error::x.py", " \\x3a:error::x.py"),
        ("##[group]x.py", "#\\x23[group]x.py"),
        ("a\n::add-mask::b.py", "a\\n::add-mask::b.py"),
    ],
)
def test_a_file_name_cannot_start_a_workflow_command(
    name: str, shown: str, workdir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """In a CI log, a line starting with `::` is a command to the runner; `##[` anywhere too."""
    (workdir / name).write_text(SWALLOW, encoding="utf-8")
    assert bare_except.main([name]) == 1
    out = capsys.readouterr().out
    assert out == f"{shown}:3:1: MG101 do not use bare 'except:'; name the exceptions to handle\n"
    assert not out.lstrip().startswith("::") and "##[" not in out


def test_error_messages_stay_on_their_lines(
    workdir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert bare_except.main(["--config", "::warning::nope\n##[x].toml"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("mergegate-bare-except: error: ::warning::nope\n")
    assert not any(line.lstrip().startswith("::") for line in err.splitlines())
    assert "##[" not in err and "no such configuration file" in err
