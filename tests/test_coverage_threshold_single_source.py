"""coverage-threshold-single-source on sample repositories built in tmp_path: which `fail_under`
coverage.py really uses, every place a threshold is written, tiers, messages, positions, broken
files and the hook's command line."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mergegate.hooks import coverage_threshold_single_source as hook
from mergegate.hooks.finding import Finding, InputError
from mergegate.hooks.textfile import Repository

Files = dict[str, "str | bytes"]


def build(root: Path, files: Files) -> Path:
    for name, content in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
    return root


def run(root: Path, files: Files) -> list[Finding]:
    return sorted(hook.check(str(build(root, files)), {}), key=Finding.sort_key)


def places(findings: list[Finding]) -> list[tuple[str, int, int, str]]:
    """(path, line, column, code) of each finding, sorted."""
    return [(f.path, f.line, f.column, f.code) for f in findings]


def only(findings: list[Finding]) -> Finding:
    assert len(findings) == 1, findings
    return findings[0]


def spot(path: str, text: str, context: str, code: str) -> tuple[str, int, int, str]:
    """(path, line, column, code) of the value marked `|` in `context`, found in `text`.

    Positions come from the sample's own text, independently of the hook.
    """
    before, _, after = context.partition("|")
    index = text.index(before + after) + len(before)
    line = text.count("\n", 0, index) + 1
    return path, line, index - (text.rfind("\n", 0, index) + 1) + 1, code


COVERAGERC_90 = "[run]\nbranch = true\n\n[report]\nfail_under = 90\n"


# --- Which fail_under coverage.py uses ----------------------------------------------------------


def test_single_threshold_in_coverage_config_passes(tmp_path: Path) -> None:
    assert run(tmp_path, {"pyproject.toml": "[tool.coverage.report]\nfail_under = 90\n"}) == []


def test_coveragerc_wins_over_every_other_config(tmp_path: Path) -> None:
    findings = run(
        tmp_path,
        {
            ".coveragerc": COVERAGERC_90,
            "setup.cfg": "[coverage:report]\nfail_under = 90\n",
            "tox.ini": "[coverage:report]\nfail_under = 85\n",
            "pyproject.toml": "[tool.coverage.report]\nfail_under = 80\n",
        },
    )
    assert places(findings) == [
        ("pyproject.toml", 2, 14, "MG502"),
        ("setup.cfg", 2, 14, "MG501"),
        ("tox.ini", 2, 14, "MG502"),
    ]
    assert findings[0].message == (
        "fail_under = 80 in pyproject.toml [tool.coverage.report] disagrees with fail_under = 90"
        " in .coveragerc, which coverage.py uses; coverage.py never reads this one: .coveragerc"
        " comes first; write the threshold in one place"
    )
    assert findings[1].message.startswith(
        "fail_under = 90 in setup.cfg [coverage:report] repeats fail_under = 90 in .coveragerc"
    )


def test_empty_coveragerc_shadows_the_others(tmp_path: Path) -> None:
    finding = only(
        run(
            tmp_path,
            {".coveragerc": "", "pyproject.toml": "[tool.coverage.report]\nfail_under = 90\n"},
        )
    )
    assert places([finding]) == [("pyproject.toml", 2, 14, "MG502")]
    assert finding.message == (
        "fail_under = 90 in pyproject.toml [tool.coverage.report] is never applied: coverage.py"
        " reads .coveragerc, which sets no fail_under (coverage.py's default 0: no check)"
    )


def test_shared_file_without_coverage_settings_is_skipped(tmp_path: Path) -> None:
    files: Files = {
        "setup.cfg": "[metadata]\nname = x\n[tool:pytest]\naddopts = -q\n",
        "tox.ini": "[coverage:report]\nfail_under = 70\n",
        "pyproject.toml": "[tool.coverage.report]\nfail_under = 70\n",
    }
    finding = only(run(tmp_path, files))
    assert places([finding]) == [("pyproject.toml", 2, 14, "MG501")]
    assert "fail_under = 70 in tox.ini, which coverage.py uses" in finding.message


def test_shared_file_with_only_unknown_options_is_skipped(tmp_path: Path) -> None:
    """coverage.py warns about `fail-under` (a typo) and keeps looking: tox.ini is not read."""
    files: Files = {
        "tox.ini": "[coverage:report]\nfail-under = 95\n",
        "pyproject.toml": "[tool.coverage.report]\nfail_under = 90\n",
        "pytest.ini": "[pytest]\naddopts = --cov-fail-under=85\n",
    }
    finding = only(run(tmp_path, files))
    assert "fail_under = 90 in pyproject.toml, which coverage.py uses" in finding.message


def test_any_coverage_setting_makes_a_shared_file_the_config(tmp_path: Path) -> None:
    files: Files = {
        "setup.cfg": "[coverage:run]\nbranch = true\n",
        "tox.ini": "[coverage:report]\nfail_under = 90\n",
    }
    finding = only(run(tmp_path, files))
    assert places([finding]) == [("tox.ini", 2, 14, "MG502")]
    assert "coverage.py reads setup.cfg, which sets no fail_under" in finding.message


def test_paths_entries_count_as_coverage_settings(tmp_path: Path) -> None:
    files: Files = {
        "setup.cfg": "[coverage:paths]\nsource =\n    src\n    */site-packages\n",
        "pyproject.toml": "[tool.coverage.report]\nfail_under = 90\n",
    }
    assert places(run(tmp_path, files)) == [("pyproject.toml", 2, 14, "MG502")]


def test_report_section_without_prefix_is_not_coverage_in_setup_cfg(tmp_path: Path) -> None:
    files: Files = {
        "setup.cfg": "[report]\nfail_under = 50\n",
        "pyproject.toml": "[tool.coverage.report]\nfail_under = 90\n",
    }
    assert run(tmp_path, files) == []


def test_prefixed_section_shadows_the_plain_one_in_coveragerc(tmp_path: Path) -> None:
    text = "[coverage:report]\nshow_missing = true\n\n[report]\nfail_under = 90\n"
    finding = only(run(tmp_path, {".coveragerc": text}))
    assert places([finding]) == [(".coveragerc", 5, 14, "MG502")]
    assert finding.message == (
        "fail_under = 90 in .coveragerc [report] is never applied: coverage.py reads"
        " [coverage:report] of this file, which sets no fail_under (coverage.py's default 0:"
        " no check)"
    )


def test_plain_section_beside_the_prefixed_one_disagrees(tmp_path: Path) -> None:
    text = "[coverage:report]\nfail_under = 80\n[report]\nfail_under = 90\n"
    finding = only(run(tmp_path, {".coveragerc": text}))
    assert places([finding]) == [(".coveragerc", 4, 14, "MG502")]
    assert finding.message.endswith(
        "coverage.py never reads this one: it reads [coverage:report] of this file;"
        " write the threshold in one place"
    )


def test_option_names_are_case_insensitive_in_ini(tmp_path: Path) -> None:
    files: Files = {
        ".coveragerc": "[report]\nFail_Under = 90\n",
        "setup.cfg": "[coverage:report]\nFAIL_UNDER = 80\n",
    }
    finding = only(run(tmp_path, files))
    assert places([finding]) == [("setup.cfg", 2, 14, "MG502")]
    assert "disagrees with fail_under = 90 in .coveragerc" in finding.message


def test_default_section_fills_the_report_section(tmp_path: Path) -> None:
    text = "[DEFAULT]\nfail_under = 90\n[report]\nshow_missing = true\n"
    files: Files = {".coveragerc": text, "pytest.ini": "[pytest]\naddopts = --cov-fail-under 90\n"}
    finding = only(run(tmp_path, files))
    assert "repeats fail_under = 90 in .coveragerc, which coverage.py uses" in finding.message


def test_coveragerc_toml_comes_before_setup_cfg(tmp_path: Path) -> None:
    files: Files = {
        ".coveragerc.toml": "[report]\nfail_under = 88\n",
        "setup.cfg": "[coverage:report]\nfail_under = 90\n",
    }
    finding = only(run(tmp_path, files))
    assert places([finding]) == [("setup.cfg", 2, 14, "MG502")]
    assert "fail_under = 88 in .coveragerc.toml, which coverage.py uses" in finding.message
    assert ".coveragerc.toml comes first" in finding.message


def test_coveragerc_toml_prefers_tool_coverage_tables(tmp_path: Path) -> None:
    text = "[tool.coverage.report]\nfail_under = 88\n\n[report]\nfail_under = 90\n"
    finding = only(run(tmp_path, {".coveragerc.toml": text}))
    assert places([finding]) == [(".coveragerc.toml", 5, 14, "MG502")]
    assert "it reads [tool.coverage.report] of this file" in finding.message


@pytest.mark.parametrize(
    "text, line, column",
    [
        ("[tool.coverage.report]\nfail_under = 90\n", 2, 14),
        ("[tool.coverage]\nreport.fail_under = 90\n", 2, 21),
        ("[tool.coverage]\nreport = { show_missing = true, fail_under = 90 }\n", 2, 46),
        ("[tool]\ncoverage = {report = {fail_under = 90}}\n", 2, 36),
        ('[tool.coverage.report]\n"fail_under" = "90"\n', 2, 17),
    ],
)
def test_pyproject_fail_under_in_every_toml_spelling(
    tmp_path: Path, text: str, line: int, column: int
) -> None:
    files: Files = {
        "pyproject.toml": text,
        "pytest.ini": "[pytest]\naddopts = --cov-fail-under=80\n",
    }
    finding = only(run(tmp_path, files))
    assert "disagrees with fail_under = 90 in pyproject.toml, which coverage.py uses" in (
        finding.message
    )
    # the other way round: the pyproject value is reported where it is written
    (tmp_path / "pytest.ini").unlink()
    finding = only(run(tmp_path, {".coveragerc": COVERAGERC_90}))
    assert (finding.path, finding.line, finding.column, finding.code) == (
        "pyproject.toml",
        line,
        column,
        "MG501",
    )


SCENARIOS: list[Files] = [
    {},
    {".coveragerc": "[report]\nFAIL_UNDER = 90\n"},
    {"pyproject.toml": "[tool.coverage.report]\nfail_under = 91\n"},
    {".coveragerc": "", "pyproject.toml": "[tool.coverage.report]\nfail_under = 91\n"},
    {".coveragerc": "[coverage:report]\nskip_empty = true\n[report]\nfail_under = 92\n"},
    {".coveragerc": "[coverage:report]\nfail_under = 93\n[report]\nfail_under = 92\n"},
    {".coveragerc": "[DEFAULT]\nfail_under = 94\n[report]\nprecision = 1\n"},
    {
        ".coveragerc": "[report]\r\nfail_under = 95.5\r\n",
        "setup.cfg": "[coverage:report]\nfail_under=1\n",
    },
    {
        "setup.cfg": "[coverage:run]\nbranch = true\n",
        "tox.ini": "[coverage:report]\nfail_under = 96\n",
    },
    {
        "setup.cfg": "[tool:pytest]\naddopts = -q\n",
        "tox.ini": "[coverage:report]\nfail_under = 96\n",
    },
    {
        "tox.ini": "[coverage:report]\nfail-under = 1\n",
        "pyproject.toml": "[tool.coverage.report]\nfail_under = 97\n",
    },
    {
        "setup.cfg": "[coverage:paths]\na =\n  b\n",
        "pyproject.toml": "[tool.coverage.report]\nfail_under = 97\n",
    },
    {
        "setup.cfg": "[coverage:run]\n",
        "pyproject.toml": "[tool.coverage.report]\nfail_under = 97\n",
    },
    {
        ".coveragerc.toml": "[report]\nfail_under = 98\n",
        "pyproject.toml": "[tool.coverage.report]\nfail_under = 1\n",
    },
    {".coveragerc.toml": "[tool.coverage.report]\nfail_under = 98\n[report]\nfail_under = 2\n"},
    {".coveragerc.toml": "[tool.coverage.report]\nshow_missing = true\n[report]\nfail_under = 2\n"},
    {"pyproject.toml": "[tool.coverage]\nreport = {fail_under = 99}\n"},
    {
        "pyproject.toml": "[tool.coverage.run]\nbranch = true\n",
        "tox.ini": "[coverage:report]\nfail_under = 3\n",
    },
    {"pyproject.toml": "[tool.coverage.html]\nbogus = 1\n[tool.coverage.report]\nfail_under = 4\n"},
]


@pytest.mark.filterwarnings("ignore:Unrecognized option")
@pytest.mark.parametrize("files", SCENARIOS, ids=[str(index) for index in range(len(SCENARIOS))])
def test_winner_agrees_with_coverage_py_itself(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, files: Files
) -> None:
    """Differential: the file and fail_under we pick are the ones coverage.py reads."""
    coverage = pytest.importorskip("coverage")
    if ".coveragerc.toml" in files and coverage.version_info < (7, 13):
        pytest.skip("coverage.py reads .coveragerc.toml from 7.13 on, as this rule does")
    build(tmp_path, files)
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("COVERAGE_RCFILE", raising=False)
    config = coverage.Coverage().config
    truth = hook._coverage_truth(Repository(str(tmp_path)), [])
    expected_file = os.path.basename(config.config_file) if config.config_file else None
    assert truth.source == expected_file
    assert (truth.winner.number if truth.winner else 0.0) == config.fail_under


# --- Every place a threshold is written ---------------------------------------------------------


def test_pytest_ini_addopts_disagreeing(tmp_path: Path) -> None:
    pytest_ini = "[pytest]\naddopts = -q --cov-fail-under=85\n"
    finding = only(run(tmp_path, {".coveragerc": COVERAGERC_90, "pytest.ini": pytest_ini}))
    assert places([finding]) == [spot("pytest.ini", pytest_ini, "under=|85", "MG502")]
    assert (finding.end_line, finding.end_column) == (2, finding.column + 2)
    assert finding.rule == "coverage-threshold-single-source"
    assert finding.message == (
        "coverage threshold 85 (--cov-fail-under) in pytest.ini disagrees with fail_under = 90"
        " in .coveragerc, which coverage.py uses; pytest-cov's --cov-fail-under overrides it"
        " where this command runs; write the threshold in one place"
    )


def test_dot_pytest_ini_and_setup_cfg_multiline_addopts(tmp_path: Path) -> None:
    dot_pytest = "[pytest]\naddopts = --cov-fail-under 90\n"
    setup = "[tool:pytest]\naddopts =\n    -q\n    --cov=pkg\n    --cov-fail-under 90.0\n"
    files: Files = {".coveragerc": COVERAGERC_90, ".pytest.ini": dot_pytest, "setup.cfg": setup}
    assert places(run(tmp_path, files)) == [
        spot(".pytest.ini", dot_pytest, "under |90", "MG501"),
        spot("setup.cfg", setup, "under |90.0", "MG501"),
    ]


def test_tox_ini_commands(tmp_path: Path) -> None:
    tox = (
        "[tox]\nenvlist = py\n\n[testenv]\ncommands =\n"
        "    pytest --cov --cov-fail-under=85 {posargs}\n"
        "    coverage report --fail-under=90\n"
        "    python -m coverage xml \\\n"
        "        --fail-under 80\n"
        "    diff-cover coverage.xml --fail-under=70\n"
        "setenv =\n    PYTEST_ADDOPTS=--cov-fail-under=90\n"
        "# commands = pytest --cov-fail-under=10\n"
        "; commands = pytest --cov-fail-under=11\n"
    )
    findings = run(tmp_path, {".coveragerc": COVERAGERC_90, "tox.ini": tox})
    assert places(findings) == [
        spot("tox.ini", tox, "under=|85", "MG502"),
        spot("tox.ini", tox, "report --fail-under=|90", "MG501"),
        spot("tox.ini", tox, "--fail-under |80", "MG502"),
        spot("tox.ini", tox, "ADDOPTS=--cov-fail-under=|90", "MG501"),
    ]
    assert "(coverage --fail-under)" in findings[1].message
    assert "coverage's --fail-under overrides it where this command runs" in findings[2].message


def test_tox_substitution_value_is_not_a_number(tmp_path: Path) -> None:
    tox = "[testenv]\ncommands = pytest --cov-fail-under={env:COV_MIN:90}\n"
    finding = only(run(tmp_path, {".coveragerc": COVERAGERC_90, "tox.ini": tox}))
    assert places([finding]) == [spot("tox.ini", tox, "=|{env", "MG501")]
    assert finding.message.startswith(
        "coverage threshold {env:COV_MIN:90} (--cov-fail-under) in tox.ini is not a literal"
        " number to compare with fail_under = 90 in .coveragerc"
    )


def test_pyproject_addopts_string_and_list(tmp_path: Path) -> None:
    pyproject = (
        "[tool.coverage.report]\nfail_under = 90\n\n"
        '[tool.pytest.ini_options]\naddopts = "-q --cov-fail-under=85"\n'
    )
    assert places(run(tmp_path, {"pyproject.toml": pyproject})) == [
        spot("pyproject.toml", pyproject, "under=|85", "MG502")
    ]
    pyproject = (
        "[tool.coverage.report]\nfail_under = 90\n\n"
        '[tool.pytest.ini_options]\naddopts = [\n  "-q",\n  # "--cov-fail-under=10",\n'
        '  "--cov-fail-under", "90",\n]\n'
    )
    assert places(run(tmp_path, {"pyproject.toml": pyproject})) == [
        spot("pyproject.toml", pyproject, '"--cov-fail-under", "|90"', "MG501")
    ]


def test_pyproject_tool_tables_and_not_project(tmp_path: Path) -> None:
    pyproject = (
        "[project]\nname = 'x'\ndescription = 'run pytest --cov-fail-under=10'\n\n"
        "[tool.coverage.report]\nfail_under = 90\n\n"
        "[tool.hatch.envs.test.scripts]\ncov = 'pytest --cov --cov-fail-under=85'\n\n"
        '[tool.tox]\nlegacy_tox_ini = """\n[testenv]\ncommands = coverage report --fail-under 90\n'
        '"""\n\n[tool.pytest]\naddopts = [\'--cov-fail-under=90\']\n'
    )
    assert places(run(tmp_path, {"pyproject.toml": pyproject})) == [
        spot("pyproject.toml", pyproject, "under=|85", "MG502"),
        spot("pyproject.toml", pyproject, "--fail-under |90", "MG501"),
        spot("pyproject.toml", pyproject, "['--cov-fail-under=|90", "MG501"),
    ]


def test_tox_toml_and_pytest_toml(tmp_path: Path) -> None:
    tox = '[env_run_base]\ncommands = [["pytest", "--cov-fail-under", "85"]]\n'
    pytest_toml = "[pytest]\naddopts = ['--cov-fail-under=90']\n"
    dot_pytest = "[pytest]\naddopts = '''\n  --cov-fail-under=90\n'''\n"
    files: Files = {
        ".coveragerc": COVERAGERC_90,
        "tox.toml": tox,
        "pytest.toml": pytest_toml,
        ".pytest.toml": dot_pytest,
    }
    assert places(run(tmp_path, files)) == [
        spot(".pytest.toml", dot_pytest, "under=|90", "MG501"),
        spot("pytest.toml", pytest_toml, "under=|90", "MG501"),
        spot("tox.toml", tox, '"--cov-fail-under", "|85"', "MG502"),
    ]


WORKFLOW = """\
name: ci
on: push
env:
  PYTEST_ADDOPTS: "--cov-fail-under=90"
jobs:
  test:
    runs-on: ubuntu-latest
    steps:
      - run: |
          pip install tox
          # pytest --cov-fail-under=10
          pytest --cov \\
            --cov-fail-under=85
      - run: python -m coverage report --fail-under 90  # checked again
      - run: >
          coverage json
          --fail-under=80
      - run: diff-cover coverage.xml --fail-under=50
      # - run: coverage report --fail-under=20
"""
WORKFLOW_PLACES = [
    ('ADDOPTS: "--cov-fail-under=|90', "MG501"),
    ("  --cov-fail-under=|85", "MG502"),
    ("report --fail-under |90", "MG501"),
    ("--fail-under=|80", "MG502"),
]


def test_workflow_steps(tmp_path: Path) -> None:
    files: Files = {".coveragerc": COVERAGERC_90, ".github/workflows/ci.yml": WORKFLOW}
    path = ".github/workflows/ci.yml"
    assert places(run(tmp_path, files)) == [
        spot(path, WORKFLOW, context, code) for context, code in WORKFLOW_PLACES
    ]


def test_workflow_yaml_extension_and_other_folders(tmp_path: Path) -> None:
    step = "jobs:\n  t:\n    steps:\n      - run: pytest --cov-fail-under=80\n"
    files: Files = {
        ".coveragerc": COVERAGERC_90,
        ".github/workflows/a.yaml": step,
        ".github/workflows/notes.txt": step,
        ".github/workflows/nested/b.yml": step,  # GitHub reads no sub-folders
        ".github/actions/x/action.yml": step,
    }
    assert places(run(tmp_path, files)) == [
        spot(".github/workflows/a.yaml", step, "under=|80", "MG502")
    ]


def test_makefiles(tmp_path: Path) -> None:
    makefile = (
        "COV_MIN = 90\n# test: pytest --cov-fail-under=10\n"
        "test:\n\tpytest --cov-fail-under=$(COV_MIN)\n"
        "cov:\n\tcoverage run -m pytest && coverage report --fail-under=85  # gate\n"
    )
    gnu = "t:\n\tpytest --cov-fail-under=90\n"
    included = "t:\n\tpytest --cov-fail-under=${COV}\n"
    files: Files = {
        ".coveragerc": COVERAGERC_90,
        "Makefile": makefile,
        "GNUmakefile": gnu,
        "ci.mk": included,
        "docs/Makefile": "t:\n\tpytest --cov-fail-under=10\n",
    }
    findings = run(tmp_path, files)
    assert places(findings) == [
        spot("GNUmakefile", gnu, "=|90", "MG501"),
        spot("Makefile", makefile, "=|$(COV_MIN)", "MG501"),
        spot("Makefile", makefile, "=|85", "MG502"),
        spot("ci.mk", included, "=|${COV}", "MG501"),
    ]
    assert "coverage threshold $(COV_MIN) (--cov-fail-under)" in findings[1].message
    assert "coverage threshold ${COV} (--cov-fail-under)" in findings[3].message


NOXFILE = '''\
"""Sessions; run them with --cov-fail-under=10 in mind."""
import nox

ARGS = ["--cov", "--cov-fail-under", "90"]
MINIMUM = 80


@nox.session
def tests(session):
    # session.run("pytest", "--cov-fail-under=10")
    session.run("pytest", "--cov-fail-under=85")
    session.run("pytest", *ARGS)
    session.run("coverage", "report", "--fail-under", str(MINIMUM))
    session.run("pytest", f"--cov-fail-under={MINIMUM}")
    session.run("pytest", env={"PYTEST_ADDOPTS": "--cov-fail-under=90"})
    session.run("diff-cover", "coverage.xml", "--fail-under=70")
'''
NOXFILE_PLACES = [
    ('"--cov-fail-under", "|90"', "MG501"),
    ('"--cov-fail-under=|85"', "MG502"),
    ('"--fail-under", |str(MINIMUM)', "MG501"),
    ('f"--cov-fail-under=|{MINIMUM}', "MG501"),
    ('ADDOPTS": "--cov-fail-under=|90', "MG501"),
]


def test_noxfile(tmp_path: Path) -> None:
    findings = run(tmp_path, {".coveragerc": COVERAGERC_90, "noxfile.py": NOXFILE})
    assert places(findings) == [
        spot("noxfile.py", NOXFILE, context, code) for context, code in NOXFILE_PLACES
    ]
    assert findings[2].message.startswith(
        "coverage threshold <computed> (coverage --fail-under) in noxfile.py is not a literal"
    )
    assert findings[2].end_column == findings[2].column


def test_noxfile_with_non_ascii_text_counts_characters(tmp_path: Path) -> None:
    noxfile = 'session.run("é", "ü", "--cov-fail-under=85")\n'
    finding = only(run(tmp_path, {".coveragerc": COVERAGERC_90, "noxfile.py": noxfile}))
    assert places([finding]) == [spot("noxfile.py", noxfile, "under=|85", "MG502")]


def test_codecov_targets(tmp_path: Path) -> None:
    codecov = (
        "coverage:\n  status:\n    project:\n      default:\n        target: 85%\n"
        "      api:\n        target: auto\n      core:\n        target: '90'\n"
        "    patch:\n      default:\n        target: 50%\n"
    )
    github = "coverage:\n  status:\n    project:\n      default:\n        target: 90\n"
    files: Files = {
        ".coveragerc": COVERAGERC_90,
        "codecov.yml": codecov,
        ".github/.codecov.yml": github,
        "dev/codecov.yaml": "coverage:\n  status:\n    project: off\n",
        "docs/codecov.yml": codecov,
    }
    findings = run(tmp_path, files)
    assert places(findings) == [
        spot(".github/.codecov.yml", github, "target: |90", "MG501"),
        spot("codecov.yml", codecov, "target: |85%", "MG502"),
        spot("codecov.yml", codecov, "target: '|90'", "MG501"),
    ]
    assert findings[1].message.startswith(
        "coverage threshold 85% (Codecov project target) in codecov.yml disagrees with"
        " fail_under = 90 in .coveragerc"
    )


def test_values_compare_as_numbers(tmp_path: Path) -> None:
    files: Files = {
        ".coveragerc": "[report]\nfail_under = 90.0\n",
        "codecov.yml": "coverage:\n  status:\n    project:\n      default:\n        target: 90%\n",
        "pytest.ini": "[pytest]\naddopts = --cov-fail-under=90\n",
        "tox.ini": "[testenv]\ncommands = pytest --cov-fail-under=90.5\n",
    }
    findings = run(tmp_path, files)
    assert [(finding.path, finding.code) for finding in findings] == [
        ("codecov.yml", "MG501"),
        ("pytest.ini", "MG501"),
        ("tox.ini", "MG502"),
    ]


# --- No fail_under in coverage.py's configuration -----------------------------------------------


def test_one_threshold_outside_coverage_config_passes(tmp_path: Path) -> None:
    assert run(tmp_path, {"pytest.ini": "[pytest]\naddopts = --cov-fail-under=90\n"}) == []


def test_several_agreeing_thresholds_without_coverage_config(tmp_path: Path) -> None:
    pytest_ini = "[pytest]\naddopts = --cov-fail-under=90\n"
    makefile = "t:\n\tcoverage report --fail-under=90.0\n"
    findings = run(tmp_path, {"pytest.ini": pytest_ini, "Makefile": makefile})
    assert places(findings) == [
        spot("Makefile", makefile, "=|90.0", "MG501"),
        spot("pytest.ini", pytest_ini, "=|90", "MG501"),
    ]
    assert findings[1].message == (
        "coverage threshold 90 (--cov-fail-under) in pytest.ini is also written as 90.0 in"
        " Makefile:2; no configuration file of coverage.py sets fail_under: set it once, for"
        " example in pyproject.toml [tool.coverage.report]"
    )


def test_several_disagreeing_thresholds_name_their_config(tmp_path: Path) -> None:
    codecov = "coverage:\n  status:\n    project:\n      default:\n        target: 70\n"
    files: Files = {
        ".coveragerc": "[run]\nbranch = true\n",
        "pytest.ini": "[pytest]\naddopts = --cov-fail-under=90\n",
        "tox.ini": "[testenv]\ncommands =\n  pytest --cov-fail-under=85\n"
        "  pytest --cov-fail-under=80\n",
        "Makefile": "t:\n\tpytest --cov-fail-under=75\n",
        "codecov.yml": codecov,
    }
    findings = run(tmp_path, files)
    assert [finding.code for finding in findings] == ["MG502"] * 5
    assert findings[0].message == (
        "coverage threshold 75 (--cov-fail-under) in Makefile is also written as 70 in"
        " codecov.yml:5, 90 in pytest.ini:2, 85 in tox.ini:3 and 1 more; .coveragerc, which"
        " coverage.py reads, sets no fail_under: set it there, once"
    )


def test_unread_fail_under_and_a_command_without_winner(tmp_path: Path) -> None:
    """The never-applied fail_under is the problem; the one command is the threshold in force."""
    files: Files = {
        ".coveragerc": "[run]\nbranch = true\n",
        "pyproject.toml": "[tool.coverage.report]\nfail_under = 0\n\n[tool.pytest.ini_options]\n"
        "addopts = '--cov-fail-under=90'\n",
    }
    finding = only(run(tmp_path, files))
    assert places([finding]) == [("pyproject.toml", 2, 14, "MG501")]  # 0 is coverage's default
    assert "is never applied" in finding.message


# --- Line ends, broken and unreadable files -----------------------------------------------------


def test_crlf_files_give_the_right_positions(tmp_path: Path) -> None:
    tox = "[testenv]\ncommands =\n    pytest \\\n      --cov-fail-under 85\n"
    pyproject = "[tool.pytest.ini_options]\naddopts = [\n  '--cov-fail-under=90',\n]\n"
    codecov = "coverage:\n  status:\n    project:\n      a:\n        target: '85%'\n"
    samples = {
        ".coveragerc": COVERAGERC_90,
        "tox.ini": tox,
        "pyproject.toml": pyproject,
        ".github/workflows/ci.yml": WORKFLOW,
        "noxfile.py": NOXFILE,
        "codecov.yml": codecov,
    }
    files: Files = {name: text.replace("\n", "\r\n") for name, text in samples.items()}
    expected = [
        spot("tox.ini", tox, "under |85", "MG502"),
        spot("pyproject.toml", pyproject, "under=|90", "MG501"),
        spot("codecov.yml", codecov, "'|85%'", "MG502"),
    ]
    expected += [spot(".github/workflows/ci.yml", WORKFLOW, *place) for place in WORKFLOW_PLACES]
    expected += [spot("noxfile.py", NOXFILE, *place) for place in NOXFILE_PLACES]
    assert places(run(tmp_path, files)) == sorted(expected)


def test_broken_toml_is_a_parse_error_and_the_rest_is_checked(tmp_path: Path) -> None:
    tox = "[testenv]\ncommands = pytest --cov-fail-under=85\n"
    files: Files = {
        ".coveragerc": COVERAGERC_90,
        "pyproject.toml": "[tool.pytest.ini_options]\naddopts = ['--cov-fail-under=90',\n",
        "tox.ini": tox,
    }
    findings = run(tmp_path, files)
    assert places(findings) == [
        ("pyproject.toml", 3, 1, "MG001"),
        spot("tox.ini", tox, "=|85", "MG502"),
    ]
    assert findings[0].rule == "parse-error"
    assert findings[0].message.startswith("invalid TOML: ")


def test_broken_toml_error_line_comes_from_the_parser(tmp_path: Path) -> None:
    text = "[pytest]\naddopts = '--cov-fail-under=90'\naddopts = 'b'\n"
    finding = only(run(tmp_path, {"pytest.toml": text}))
    assert (finding.code, finding.line) == ("MG001", 3)


def test_broken_ini_is_a_parse_error_with_its_line(tmp_path: Path) -> None:
    files: Files = {
        "pyproject.toml": "[tool.coverage.report]\nfail_under = 90\n",
        "pytest.ini": "[pytest]\naddopts = --cov-fail-under=85\naddopts = -q\n",
        "setup.cfg": "[metadata]\nname = x\nthis line has no equals sign\n",
    }
    findings = run(tmp_path, files)
    assert places(findings) == [("pytest.ini", 3, 1, "MG001"), ("setup.cfg", 3, 1, "MG001")]
    assert findings[1].message.startswith("invalid INI: ")


def test_broken_coverage_config_leaves_no_winner(tmp_path: Path) -> None:
    """coverage.py stops with an error at a config file it cannot parse (here setup.cfg, before
    pyproject.toml), whatever that file holds: no value can be named as the one it uses."""
    pytest_ini = "[pytest]\naddopts = --cov-fail-under=85\n"
    files: Files = {
        "setup.cfg": "[metadata]\nname\n",
        "pyproject.toml": "[tool.coverage.report]\nfail_under = 90\n",
        "pytest.ini": pytest_ini,
    }
    findings = run(tmp_path, files)
    assert places(findings) == [
        ("pyproject.toml", 2, 14, "MG502"),
        spot("pytest.ini", pytest_ini, "=|85", "MG502"),
        ("setup.cfg", 2, 1, "MG001"),
    ]
    assert findings[0].message.endswith("coverage.py cannot read setup.cfg, which does not parse")


def test_broken_files_that_cannot_hold_a_threshold_are_left_alone(tmp_path: Path) -> None:
    """Past the file coverage.py reads, a file is needed only if its text can hold a threshold;
    a broken one that cannot is for the checks that read it (secrets-documented, ...)."""
    files: Files = {
        ".coveragerc": COVERAGERC_90,
        "setup.cfg": "[metadata]\nname\n",
        "pyproject.toml": "[project\n",
        ".github/workflows/ci.yml": "jobs: [\n",
        "codecov.yml": "comment: [\n",
        "noxfile.py": "def broken(:\n",
    }
    assert run(tmp_path, files) == []


def test_broken_yaml_is_a_parse_error_with_line_and_column(tmp_path: Path) -> None:
    good = "jobs:\n  t:\n    steps:\n      - run: pytest --cov-fail-under=85\n"
    files: Files = {
        ".coveragerc": COVERAGERC_90,
        ".github/workflows/bad.yml": "jobs:\n  t:\n    steps: [pytest --cov-fail-under=1\n",
        ".github/workflows/good.yml": good,
        "codecov.yml": "coverage:\n  status: x\n   project: {target: 1}\n",
    }
    findings = run(tmp_path, files)
    assert places(findings) == [
        (".github/workflows/bad.yml", 4, 1, "MG001"),
        spot(".github/workflows/good.yml", good, "=|85", "MG502"),
        ("codecov.yml", 3, 11, "MG001"),
    ]
    assert findings[0].message.startswith("invalid YAML: while parsing a flow sequence")


def test_yaml_with_control_characters_is_a_parse_error(tmp_path: Path) -> None:
    files: Files = {".github/workflows/ci.yml": "jobs:\n  t: \x07 --cov-fail-under=1\n"}
    assert places(run(tmp_path, files)) == [(".github/workflows/ci.yml", 2, 6, "MG001")]


def test_deeply_nested_yaml_is_a_parse_error_not_a_crash(tmp_path: Path) -> None:
    """libyaml's composer would crash the whole process on this; Python's raises an error."""
    text = "a: " + "[" * 100_000 + "--cov-fail-under=1\n"
    finding = only(run(tmp_path, {".github/workflows/ci.yml": text}))
    assert (finding.code, finding.message) == (
        "MG001",
        "cannot parse the file: nesting too deep for the YAML parser",
    )


def test_deeply_nested_toml_is_a_parse_error(tmp_path: Path) -> None:
    text = "[tool.x]\na = " + "[" * 100_000 + "\n"
    finding = only(run(tmp_path, {"pyproject.toml": text}))
    assert (finding.code, finding.message) == (
        "MG001",
        "cannot parse the file: nesting too deep for the TOML parser",
    )


def test_broken_noxfile_and_undecodable_makefile(tmp_path: Path) -> None:
    files: Files = {
        "noxfile.py": "def broken(:\n    session.run('--cov-fail-under=1')\n",
        "Makefile": b"t:\n\techo \xff\n",
        "pytest.ini": "[pytest]\naddopts = --cov-fail-under=85\n",
    }
    findings = run(tmp_path, files)
    assert places(findings) == [("Makefile", 2, 1, "MG001"), ("noxfile.py", 1, 12, "MG001")]
    assert findings[0].message.startswith("cannot decode the file as UTF-8")


def test_noxfile_in_a_declared_encoding_is_read(tmp_path: Path) -> None:
    noxfile = "# -*- coding: latin-1 -*-\nsession.run('\xe9', '--cov-fail-under=85')\n"
    files: Files = {".coveragerc": COVERAGERC_90, "noxfile.py": noxfile.encode("latin-1")}
    assert places(run(tmp_path, files)) == [spot("noxfile.py", noxfile, "=|85", "MG502")]


def test_toml_error_at_end_of_document_points_at_the_end(tmp_path: Path) -> None:
    finding = only(run(tmp_path, {"pytest.toml": "[pytest]\naddopts = ['--cov-fail-under=1',\n"}))
    assert (finding.code, finding.line, finding.column) == ("MG001", 3, 1)


UNREADABLE = r"cannot read|a symbolic link to a file outside"
"""What reading `make_unreadable`'s file gives: as root, the link out of the repository is
refused before it is read."""


def make_unreadable(path: Path) -> None:
    """A file whose reading fails, even for root: /proc/self/mem reads fail with EIO at 0."""
    if sys.platform.startswith("linux") and os.geteuid() == 0:
        path.symlink_to("/proc/self/mem")
    elif sys.platform != "win32":
        path.write_text("t:\n")
        path.chmod(0)
    else:  # pragma: no cover
        pytest.skip("no unreadable file on Windows")


def test_unreadable_file_is_an_input_error(tmp_path: Path) -> None:
    make_unreadable(tmp_path / "tox.ini")
    with pytest.raises(InputError, match=f"tox.ini: ({UNREADABLE})"):
        hook.check(str(tmp_path), {})


# --- The hook's command line --------------------------------------------------------------------


def hook_command(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "mergegate.hooks.coverage_threshold_single_source", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
    )


def test_main_exit_codes_and_output(tmp_path: Path) -> None:
    workflow = (
        "jobs:\n  t:\n    steps:\n      - run: coverage report --fail-under=90\n"
        "      - run: coverage report --fail-under=80  # noqa: MG502\n"
    )
    tox = "[testenv]\ncommands = pytest --cov-fail-under=85\n"
    repo = build(
        tmp_path / "repo",
        {".coveragerc": COVERAGERC_90, "tox.ini": tox, ".github/workflows/ci.yml": workflow},
    )
    (repo / "pyproject.toml").write_text("[tool.mergegate]\nfail-on = 'P2'\n")  # MG501 is P2
    result = hook_command(repo)
    assert result.returncode == 1, result.stderr
    assert result.stderr == ""
    _, line, column, _ = spot("", workflow, "=|90", "")
    _, tox_line, tox_column, _ = spot("", tox, "=|85", "")
    assert result.stdout.splitlines() == [
        f".github/workflows/ci.yml:{line}:{column}: MG501 coverage threshold 90 (coverage"
        " --fail-under) in .github/workflows/ci.yml repeats fail_under = 90 in .coveragerc, which"
        " coverage.py uses; write the threshold in one place",
        f"tox.ini:{tox_line}:{tox_column}: MG502 coverage threshold 85 (--cov-fail-under) in"
        " tox.ini disagrees with fail_under = 90 in .coveragerc, which coverage.py uses;"
        " pytest-cov's --cov-fail-under overrides it where this command runs; write the"
        " threshold in one place",
    ]
    # from elsewhere, with the root given: paths are shown relative to the current directory
    result = hook_command(tmp_path, "repo")
    assert result.returncode == 1
    assert result.stdout.startswith(f"repo/.github/workflows/ci.yml:{line}:{column}: MG501 ")

    (repo / "tox.ini").write_text("[testenv]\ncommands = pytest\n")
    (repo / ".github/workflows/ci.yml").unlink()
    clean = hook_command(repo)
    assert (clean.returncode, clean.stdout, clean.stderr) == (0, "", "")


def test_main_reports_parse_errors_and_bad_roots(tmp_path: Path) -> None:
    repo = build(tmp_path / "repo", {"tox.ini": "[testenv\n"})
    result = hook_command(repo)
    assert result.returncode == 1
    assert result.stdout.startswith("tox.ini:1:1: MG001 invalid INI: ")
    missing = hook_command(tmp_path, "nowhere")
    assert missing.returncode == 2
    assert "nowhere: not a directory" in missing.stderr
    assert hook_command(repo, "a", "b").returncode == 2


def test_main_returns_2_for_an_unreadable_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)  # not inside this checkout's repository
    repo = tmp_path / "repo"
    repo.mkdir()
    make_unreadable(repo / "Makefile")
    assert hook.main([str(repo)]) == 2
    assert re.match(
        f"mergegate-coverage-threshold-single-source: error: Makefile: ({UNREADABLE})",
        capsys.readouterr().err,
    )


# --- Byte order marks ---------------------------------------------------------------------------


def test_noxfile_with_bom_and_crlf(tmp_path: Path) -> None:
    noxfile = 'import nox\nsession.run("pytest", "--cov-fail-under=85")\n'
    data = b"\xef\xbb\xbf" + noxfile.replace("\n", "\r\n").encode()
    finding = only(run(tmp_path, {".coveragerc": COVERAGERC_90, "noxfile.py": data}))
    assert places([finding]) == [spot("noxfile.py", noxfile, "=|85", "MG502")]


def test_coveragerc_with_bom_is_read_as_coverage_py_reads_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """coverage.py (7.18 and later, as the test extra installs) skips a BOM in its configuration:
    the `.coveragerc` is the source of truth and its value is what coverage.py reports."""
    files: Files = {
        ".coveragerc": b"\xef\xbb\xbf" + COVERAGERC_90.encode(),
        "pyproject.toml": "[tool.coverage.report]\nfail_under = 80\n",
    }
    finding = only(run(tmp_path, files))
    assert (finding.path, finding.code) == ("pyproject.toml", "MG502")
    assert "fail_under = 90 in .coveragerc" in finding.message
    coverage = pytest.importorskip("coverage")
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("COVERAGE_RCFILE", raising=False)
    assert coverage.Coverage().get_option("report:fail_under") == 90


# --- Any input: findings, never an exception ----------------------------------------------------

FRAGMENTS = [
    "\n",
    "\r\n",
    " ",
    "  ",
    "\t",
    "[",
    "]",
    "{",
    "}",
    "=",
    ":",
    ",",
    "#",
    ";",
    "'",
    '"',
    '"""',
    "'''",
    "\\",
    "\\\n",
    "- ",
    "? ",
    "&&",
    "|",
    "90",
    "85.5",
    "90%",
    "auto",
    "$(X)",
    "${{ x }}",
    "--cov-fail-under",
    "--cov-fail-under=",
    "--fail-under",
    "coverage",
    "report",
    "fail_under",
    "[report]",
    "[coverage:report]",
    "[tool.coverage.report]",
    "[pytest]",
    "addopts",
    "coverage:\n  status:\n    project:\n      a:\n        target: ",
    "run: ",
    "session.run(",
    "f'",
    "{",
    "\x00",
    "é",
]
text_strategy = st.lists(st.sampled_from(FRAGMENTS) | st.text(max_size=3), max_size=40).map("".join)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    name=st.sampled_from(
        [
            ".coveragerc",
            ".coveragerc.toml",
            "setup.cfg",
            "tox.ini",
            "pyproject.toml",
            "pytest.ini",
            "tox.toml",
            "Makefile",
            "noxfile.py",
            ".github/workflows/ci.yml",
            "codecov.yml",
        ]
    ),
    text=text_strategy,
    other=text_strategy,
)
def test_any_text_gives_findings_not_exceptions(name: str, text: str, other: str) -> None:
    import tempfile

    with tempfile.TemporaryDirectory() as directory:
        root = Path(directory)
        files: Files = {name: text, "pytest.ini": "[pytest]\naddopts = " + other.replace("\n", " ")}
        if name == "pytest.ini":
            files[name] = text
        findings = hook.check(str(build(root, files)), {})
    for finding in findings:
        assert finding.code in ("MG001", "MG501", "MG502")
        assert finding.line >= 1 and finding.column >= 1
