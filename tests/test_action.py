"""action.yml without a runner (tests/test_action_act.py runs it in one).

It validates against the github-actions JSON schema that check-jsonschema bundles (no network);
zizmor finds nothing in it nor in the act test's workflow; the workflows docs/github.md shows are
valid too. Its run step, executed by bash as the runner executes it (`bash --noprofile --norc -eo
pipefail`) with the inputs in the environment and a stand-in for mergegate that records its
arguments, turns inputs into arguments exactly and never runs them as code.
"""

from __future__ import annotations

import os
import re
import stat
import subprocess
import sys
from pathlib import Path
from typing import Optional

import pytest
import yaml

from test_gate import git

ROOT = Path(__file__).resolve().parent.parent
ACTION = ROOT / "action.yml"
ACT_WORKFLOW = ROOT / "tests" / "data" / "act" / "gate.yml"
DOCS = ROOT / "docs" / "github.md"
BIN = Path(sys.executable).parent
SPEC = yaml.safe_load(ACTION.read_text())
STEPS = {step["id"]: step for step in SPEC["runs"]["steps"]}
INPUT = re.compile(r"^\$\{\{ inputs\.([a-z-]+) \}\}$")

RECORDER = """#!/bin/sh
printf '%s\\0' "$@" > "$RECORD/args"
printf '%s' "$GITHUB_TOKEN" > "$RECORD/token"
exit "${FAKE_STATUS:-0}"
"""
"""Stands in for the venv's mergegate: records its arguments (NUL-separated) and token."""


def tool(name: str) -> str:
    path = BIN / name
    assert path.is_file(), f"{name} is not installed next to {sys.executable} (the test extras)"
    return str(path)


def test_action_validates_against_the_github_actions_schema() -> None:
    result = subprocess.run(
        [tool("check-jsonschema"), "--builtin-schema", "vendor.github-actions", str(ACTION)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert (result.returncode, result.stdout.strip()) == (0, "ok -- validation done"), result


@pytest.mark.parametrize("path", [ACTION, ACT_WORKFLOW], ids=lambda path: path.name)
def test_zizmor_finds_nothing(path: Path) -> None:
    result = subprocess.run(
        [tool("zizmor"), "--offline", "--format", "json", str(path)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert (result.returncode, result.stdout.strip()) == (0, "[]"), result.stdout + result.stderr


def doc_blocks(language: str) -> list[str]:
    return re.findall(rf"^```{language}\n(.*?)^```$", DOCS.read_text(), re.MULTILINE | re.DOTALL)


@pytest.mark.parametrize(
    ("schema", "marker"), [("vendor.github-workflows", "jobs:"), ("vendor.gitlab-ci", "script:")]
)
def test_the_documented_ci_files_are_valid(tmp_path: Path, schema: str, marker: str) -> None:
    blocks = [block for block in doc_blocks("yaml") if marker in block]
    assert blocks, f"docs/github.md shows no YAML with {marker}"
    files = []
    for number, block in enumerate(blocks):
        files.append(tmp_path / f"{number}.yml")
        files[-1].write_text(block)
    result = subprocess.run(
        [tool("check-jsonschema"), "--builtin-schema", schema, *map(str, files)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + "".join(blocks)


def test_no_expression_inside_a_script_and_branding_is_set() -> None:
    for step in SPEC["runs"]["steps"]:
        assert "${{" not in step["run"], step["name"]
    assert set(SPEC["branding"]) == {"icon", "color"}


def test_every_input_and_output_is_documented() -> None:
    text = DOCS.read_text()
    for name in [*SPEC["inputs"], *SPEC["outputs"]]:
        assert f"`{name}`" in text, name


def test_every_output_comes_from_the_run_step() -> None:
    for name, output in SPEC["outputs"].items():
        assert output["value"] == f"${{{{ steps.gate.outputs.{name} }}}}"


class RunStep:
    """The `gate` step's script, run as the runner runs it, with a recording mergegate."""

    def __init__(self, tmp_path: Path) -> None:
        self.workspace = tmp_path / "workspace"
        self.workspace.mkdir()
        self.record = tmp_path / "record"
        self.record.mkdir()
        venv = tmp_path / "venv" / "bin"
        venv.mkdir(parents=True)
        (venv / "python").symlink_to(sys.executable)
        (venv / "mergegate").write_text(RECORDER)
        (venv / "mergegate").chmod(stat.S_IRWXU)
        self.script = tmp_path / "gate.sh"
        self.script.write_text(STEPS["gate"]["run"])
        self.environment = {
            "PATH": os.environ["PATH"],
            "HOME": str(tmp_path),
            "GITHUB_WORKSPACE": str(self.workspace),
            "RUNNER_TEMP": str(tmp_path),
            "RECORD": str(self.record),
        }
        for name, value in STEPS["gate"]["env"].items():
            match = INPUT.match(value)
            if match:
                self.environment[name] = str(SPEC["inputs"][match[1]].get("default", ""))
        self.environment.update(
            MERGEGATE_VENV=str(venv.parent), GITHUB_TOKEN="ghs_secret", PR_BASE_SHA=""
        )

    def run(self, status: int = 0, **inputs: str) -> subprocess.CompletedProcess[str]:
        """Run with inputs given by name (`extra_args` for `extra-args`); PR_BASE_SHA too."""
        environment = {**self.environment, "FAKE_STATUS": str(status)}
        for name, value in inputs.items():
            environment[name if name.isupper() else f"INPUT_{name.upper()}"] = value
        return subprocess.run(
            ["bash", "--noprofile", "--norc", "-eo", "pipefail", str(self.script)],
            cwd=self.workspace,
            env=environment,
            capture_output=True,
            text=True,
            check=False,
        )

    def arguments(self) -> Optional[list[str]]:
        """mergegate's arguments, or None when it did not run."""
        path = self.record / "args"
        return path.read_text().split("\0")[:-1] if path.exists() else None


@pytest.fixture
def step(tmp_path: Path) -> RunStep:
    return RunStep(tmp_path)


def test_defaults(step: RunStep) -> None:
    result = step.run()
    assert result.returncode == 0, result.stderr
    assert step.arguments() == ["run", "--github", "--check-name", "mergegate", "--", "."]
    assert (step.record / "token").read_text() == "ghs_secret"  # the environment, never argv


def test_every_input_reaches_mergegate(step: RunStep) -> None:
    result = step.run(
        paths='"legacy code" src',
        config="tools/pyproject.toml",
        fail_on="P1",
        check_name="gate: P0",
        new_from_rev="origin/main",
        sarif_file="out/merge gate.sarif",
        extra_args="--ignore 'MG3,MG6' --baseline \"base line.json\"",
    )
    assert result.returncode == 0, result.stderr
    assert step.arguments() == [
        "run", "--github",
        "--config", "tools/pyproject.toml",
        "--fail-on", "P1",
        "--check-name", "gate: P0",
        "--format", "text", "--format", "sarif:out/merge gate.sarif",
        "--new-from-rev", "origin/main",
        "--ignore", "MG3,MG6", "--baseline", "base line.json",
        "--", "legacy code", "src",
    ]  # fmt: skip


def test_inputs_are_data_never_code(step: RunStep) -> None:
    hostile = "$(touch ran1) `touch ran2` ; touch ran3 && ${HOME} * \\$x"
    result = step.run(extra_args=hostile, paths=hostile, check_name="$(touch ran4)")
    assert result.returncode == 0, result.stderr
    words = [
        "$(touch",
        "ran1)",
        "`touch",
        "ran2`",
        ";",
        "touch",
        "ran3",
        "&&",
        "${HOME}",
        "*",
        "$x",
    ]
    assert step.arguments() == [
        "run", "--github", "--check-name", "$(touch ran4)", *words, "--", *words
    ]  # fmt: skip
    assert sorted(path.name for path in step.workspace.iterdir()) == []


def test_a_path_that_looks_like_an_option_stays_a_path(step: RunStep) -> None:
    assert step.run(paths="--help").returncode == 0
    assert step.arguments() == ["run", "--github", "--check-name", "mergegate", "--", "--help"]


def test_an_unbalanced_quote_is_an_error_not_a_guess(step: RunStep) -> None:
    result = step.run(extra_args="--ignore 'MG3")
    assert result.returncode != 0
    assert "::error title=mergegate::the extra-args input: No closing quotation" in result.stderr
    assert step.arguments() is None


def test_mergegate_status_is_the_step_status(step: RunStep) -> None:
    assert step.run(status=1).returncode == 1
    assert step.run(status=2).returncode == 2


def test_pr_changes_only_gates_from_the_merge_base(step: RunStep) -> None:
    git(step.workspace, "init", "-q", "-b", "main")
    git(step.workspace, "commit", "-q", "--allow-empty", "-m", "base")
    base = git(step.workspace, "rev-parse", "HEAD").strip()
    git(step.workspace, "commit", "-q", "--allow-empty", "-m", "change")
    result = step.run(pr_changes_only="true", PR_BASE_SHA=base)
    assert result.returncode == 0, result.stderr
    assert step.arguments() == [
        "run", "--github", "--check-name", "mergegate", "--new-from-rev", base, "--", "."
    ]  # fmt: skip


def test_pr_changes_only_outside_a_pull_request_gates_everything(step: RunStep) -> None:
    result = step.run(pr_changes_only="true")
    assert result.returncode == 0, result.stderr
    assert "::notice title=mergegate::pr-changes-only: this event has no pull request" in (
        result.stdout
    )
    assert "--new-from-rev" not in (step.arguments() or [])


@pytest.mark.parametrize(
    ("inputs", "message"),
    [
        (
            {"pr_changes_only": "true", "PR_BASE_SHA": "0" * 40},
            "pr-changes-only: the pull request's base commit"
            " 0000000000000000000000000000000000000000 is not in this clone;"
            " check out with actions/checkout and fetch-depth: 0",
        ),
        (
            {"pr_changes_only": "true", "PR_BASE_SHA": "abc$(id)"},
            "pr-changes-only: pull_request.base.sha in the event is not a commit id",
        ),
        (
            {"pr_changes_only": "true", "new_from_rev": "main"},
            "set new-from-rev or pr-changes-only, not both",
        ),
        ({"pr_changes_only": "yes"}, "pr-changes-only must be true or false"),
    ],
    ids=["base-not-fetched", "not-a-commit", "both", "not-a-boolean"],
)
def test_pr_changes_only_refuses_to_guess(
    step: RunStep, inputs: dict[str, str], message: str
) -> None:
    git(step.workspace, "init", "-q", "-b", "main")
    git(step.workspace, "commit", "-q", "--allow-empty", "-m", "base")
    result = step.run(**inputs)
    assert result.returncode == 2
    assert result.stdout == f"::error title=mergegate::{message}\n"
    assert step.arguments() is None


def test_the_pull_request_example_in_the_docs_is_current() -> None:
    result = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "pr_example.py"), "--check"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
