"""action.yml without a runner (tests/test_action_act.py runs it in one).

It validates against the github-actions JSON schema that check-jsonschema bundles (no network);
zizmor finds nothing in it nor in the act tests' workflows and actions; the workflows
docs/github.md shows are valid too. Its scripts, executed by bash as the runner executes them
(`bash --noprofile --norc -eo pipefail`) with the inputs in the environment and a stand-in for
mergegate that records its arguments, turn inputs into arguments exactly and never run them as
code. Its cache steps are pinned, keyed and conditioned as promised (the results saved only when
every clause of a plain conjunction holds, one of them a push to the default branch; act evaluates
it for real), and both caches live outside the workspace.
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

from mergegate.gates.plan import plan

ROOT = Path(__file__).resolve().parent.parent
ACTION = ROOT / "action.yml"
ACT_DATA = ROOT / "tests" / "data" / "act"
ACT_WORKFLOW = ACT_DATA / "gate.yml"
ACT_FILES = [
    ACT_WORKFLOW,
    ACT_DATA / "cache.yml",
    *sorted(ACT_DATA.glob("cache-stub/*/action.yml")),
]
"""The act tests' workflows and the actions/cache stand-in."""
DOCS = ROOT / "docs" / "github.md"
BIN = Path(sys.executable).parent
SPEC = yaml.safe_load(ACTION.read_text())
STEPS = {step["id"]: step for step in SPEC["runs"]["steps"]}
INPUT = re.compile(r"^\$\{\{ inputs\.([a-z-]+) \}\}$")

RECORDER = """#!/bin/sh
printf '%s\\0' "$@" > "$RECORD/args"
printf '%s' "$GITHUB_TOKEN" > "$RECORD/token"
printf '%s' "$MERGEGATE_CACHE_DIR" > "$RECORD/cache-dir"
exit "${FAKE_STATUS:-0}"
"""
"""Stands in for the environment's Python running mergegate: records its arguments
(NUL-separated), token and cache folder."""
CACHE_ACTIONS = re.compile(r"^actions/cache/(restore|save)@([0-9a-f]{40})$")


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


@pytest.mark.parametrize(
    "path", [ACTION, *ACT_FILES], ids=lambda path: path.relative_to(ROOT).as_posix()
)
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
    scripts = [step for step in SPEC["runs"]["steps"] if "run" in step]
    assert [step["id"] for step in scripts] == ["prepare", "install", "gate"]
    for step in scripts:
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
    """The `prepare` and `gate` steps' scripts, run as the runner runs them, with a recording
    mergegate (the cache steps between them are actions, not run here)."""

    def __init__(self, tmp_path: Path) -> None:
        self.workspace = tmp_path / "workspace"
        self.workspace.mkdir()
        self.record = tmp_path / "record"
        self.record.mkdir()
        self.temp = tmp_path / "runner-temp"
        self.temp.mkdir()
        self.recorder = tmp_path / "recorder"
        self.recorder.write_text(RECORDER)
        self.recorder.chmod(stat.S_IRWXU)
        python = tmp_path / "bin"
        python.mkdir()
        (python / "python3").symlink_to(sys.executable)  # with venv, as the step requires
        self.environment = {
            "PATH": f"{python}{os.pathsep}{os.environ['PATH']}",
            "HOME": str(tmp_path),
            "GITHUB_WORKSPACE": str(self.workspace),
            "GITHUB_ACTION_PATH": str(ROOT),
            "RUNNER_TEMP": str(self.temp),
            "RUNNER_OS": "Linux",
            "RUNNER_ARCH": "X64",
            "RECORD": str(self.record),
        }
        for name, value in STEPS["prepare"]["env"].items():
            match = INPUT.match(value)
            if match:
                self.environment[name] = str(SPEC["inputs"][match[1]].get("default", ""))
        self.environment.update(GITHUB_TOKEN="ghs_secret", PR_BASE_SHA="")
        self.outputs: dict[str, str] = {}

    def script(self, step_id: str, environment: dict[str, str]) -> subprocess.CompletedProcess[str]:
        script = self.temp.parent / f"{step_id}.sh"
        script.write_text(STEPS[step_id]["run"])
        output = self.temp.parent / f"{step_id}.output"
        output.write_text("")
        result = subprocess.run(
            ["bash", "--noprofile", "--norc", "-eo", "pipefail", str(script)],
            cwd=self.workspace,
            env={**environment, "GITHUB_OUTPUT": str(output)},
            capture_output=True,
            text=True,
            check=False,
        )
        for line in output.read_text().splitlines():
            name, _, value = line.partition("=")
            self.outputs[name] = value
        return result

    def run(self, status: int = 0, **inputs: str) -> subprocess.CompletedProcess[str]:
        """Run with inputs given by name (`extra_args` for `extra-args`); PR_BASE_SHA too."""
        environment = {**self.environment, "FAKE_STATUS": str(status)}
        for name, value in inputs.items():
            environment[name if name.isupper() else f"INPUT_{name.upper()}"] = value
        prepared = self.script("prepare", environment)
        if prepared.returncode != 0:
            return prepared
        environment.update(
            MERGEGATE_PYTHON=str(self.recorder),
            MERGEGATE_ARGUMENTS=self.outputs["arguments"],
            MERGEGATE_CACHE_DIR=self.outputs["results"],
        )
        gated = self.script("gate", environment)
        return subprocess.CompletedProcess(
            gated.args,
            gated.returncode,
            prepared.stdout + gated.stdout,
            prepared.stderr + gated.stderr,
        )

    def arguments(self) -> Optional[list[str]]:
        """mergegate's arguments, or None when it did not run."""
        path = self.record / "args"
        if not path.exists():
            return None
        words = path.read_text().split("\0")[:-1]
        assert words[:2] == ["-m", "mergegate.gates.cli"]
        return words[2:]


@pytest.fixture
def step(tmp_path: Path) -> RunStep:
    return RunStep(tmp_path)


def test_defaults(step: RunStep) -> None:
    result = step.run()
    assert result.returncode == 0, result.stderr
    assert step.arguments() == [
        "run", "--github", "--check-name", "mergegate", "--review", "summary", "--", "."
    ]  # fmt: skip
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
        review="both",
    )
    assert result.returncode == 0, result.stderr
    assert step.arguments() == [
        "run", "--github",
        "--config", "tools/pyproject.toml",
        "--fail-on", "P1",
        "--check-name", "gate: P0",
        "--format", "text", "--format", "sarif:out/merge gate.sarif",
        "--review", "both",
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
        "run", "--github", "--check-name", "$(touch ran4)", "--review", "summary",
        *words, "--", *words
    ]  # fmt: skip
    assert sorted(path.name for path in step.workspace.iterdir()) == []


def test_a_path_that_looks_like_an_option_stays_a_path(step: RunStep) -> None:
    assert step.run(paths="--help").returncode == 0
    assert step.arguments() == [
        "run", "--github", "--check-name", "mergegate", "--review", "summary", "--", "--help"
    ]  # fmt: skip


def test_an_unbalanced_quote_is_an_error_not_a_guess(step: RunStep) -> None:
    result = step.run(extra_args="--ignore 'MG3")
    assert result.returncode != 0
    assert "::error title=mergegate::the extra-args input: No closing quotation" in result.stderr
    assert step.arguments() is None


@pytest.mark.parametrize("value", ["", "yes", "Both", "both; touch ran"])
def test_the_review_input_is_one_of_its_four_values(step: RunStep, value: str) -> None:
    result = step.run(review=value)
    assert result.returncode == 2 and step.arguments() is None
    assert "::error title=mergegate::review must be off, suggestions, summary or both" in (
        result.stdout
    )
    assert not (step.workspace / "ran").exists()


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
        "run", "--github", "--check-name", "mergegate", "--review", "summary",
        "--new-from-rev", base,
        "--trusted-config-from", base, "--", "."
    ]  # fmt: skip


def test_a_pull_request_is_judged_by_its_base_commit_s_configuration(step: RunStep) -> None:
    git(step.workspace, "init", "-q", "-b", "main")
    git(step.workspace, "commit", "-q", "--allow-empty", "-m", "base")
    base = git(step.workspace, "rev-parse", "HEAD").strip()
    git(step.workspace, "commit", "-q", "--allow-empty", "-m", "change")
    assert step.run(PR_BASE_SHA=base).returncode == 0
    assert step.arguments() == [
        "run", "--github", "--check-name", "mergegate", "--review", "summary",
        "--trusted-config-from", base, "--", "."
    ]  # fmt: skip
    assert step.run(PR_BASE_SHA=base, trusted_config="tree").returncode == 0
    assert "--trusted-config-from" not in (step.arguments() or [])


@pytest.mark.parametrize(
    "inputs, message",
    [
        ({"PR_BASE_SHA": "0" * 40}, "trusted-config: the pull request's base commit"),
        ({"PR_BASE_SHA": "abc$(id)"}, "trusted-config: pull_request.base.sha"),
        ({"trusted_config": "pull-request"}, "trusted-config must be base or tree"),
    ],
)
def test_trusted_config_refuses_to_guess(
    step: RunStep, inputs: dict[str, str], message: str
) -> None:
    git(step.workspace, "init", "-q", "-b", "main")
    result = step.run(**inputs)
    assert result.returncode == 2 and f"::error title=mergegate::{message}" in result.stdout
    assert step.arguments() is None


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


def cache_steps() -> dict[str, dict]:
    return {key: step for key, step in STEPS.items() if "uses" in step}


def test_the_cache_steps_use_actions_cache_pinned_by_commit() -> None:
    steps = cache_steps()
    assert list(steps) == ["restore-env", "save-env", "restore-results", "save-results"]
    pins = {CACHE_ACTIONS.match(step["uses"]) for step in steps.values()}
    assert None not in pins
    assert {(match[1], match[2]) for match in pins if match} == {
        ("restore", "27d5ce7f107fe9357f9df03efb73ab90386fccae"),  # v5.0.5
        ("save", "27d5ce7f107fe9357f9df03efb73ab90386fccae"),
    }
    assert [step["uses"].split("@")[0].rsplit("/", 1)[1] for step in steps.values()] == [
        "restore",
        "save",
        "restore",
        "save",
    ]
    pinned = re.findall(r"^ +uses: (\S+) # (v\S+)$", ACTION.read_text(), re.MULTILINE)
    assert pinned == [(step["uses"], "v5.0.5") for step in steps.values()]  # the tag, for people


def conjunction(condition: str) -> list[str]:
    """The clauses of an `if:` that must all hold (refuses anything but a plain `&&` chain)."""
    assert "||" not in condition and "(" not in condition.replace("format(", "").replace(
        "cancelled()", ""
    )
    return [clause.strip() for clause in condition.split("&&")]


def test_the_environment_cache_is_keyed_on_the_action_the_python_and_the_runner() -> None:
    restore, save = STEPS["restore-env"], STEPS["save-env"]
    assert restore["with"] == {
        "path": "${{ steps.prepare.outputs.home }}/venv",
        "key": "${{ steps.prepare.outputs.env-key }}-github-tools",  # every extra: the superset
        "restore-keys": "${{ steps.prepare.outputs.env-key }}-",  # fewer extras: completed
    }
    assert save["with"] == {
        "path": "${{ steps.prepare.outputs.home }}/venv",
        "key": "${{ steps.install.outputs.env-saved-key }}",
    }
    assert conjunction(restore["if"]) == [
        "steps.prepare.outputs.cache == 'true'",
        "steps.prepare.outputs.env-ready != 'true'",
    ]
    assert conjunction(save["if"]) == [
        "steps.prepare.outputs.cache == 'true'",
        "steps.install.outputs.env-saved-key != ''",  # only when this run had to build it
    ]


def test_the_results_cache_is_saved_only_by_pushes_to_the_default_branch() -> None:
    restore, save = STEPS["restore-results"], STEPS["save-results"]
    own_key = (
        "${{ steps.install.outputs.results-key }}-${{ github.run_id }}-${{ github.run_attempt }}"
        "-${{ steps.prepare.outputs.use }}"
    )
    assert restore["with"] == {
        "path": "${{ steps.prepare.outputs.results }}",
        "key": own_key,  # never there yet: the restore key finds the latest
        "restore-keys": "${{ steps.install.outputs.results-key }}-",
    }
    assert save["with"] == {"path": "${{ steps.prepare.outputs.results }}", "key": own_key}
    assert conjunction(restore["if"]) == [
        "steps.prepare.outputs.cache == 'true'",
        "steps.prepare.outputs.results-ready != 'true'",
        "steps.install.outputs.results-key != ''",
    ]
    assert conjunction(save["if"]) == [
        "!cancelled()",  # a blocked push checked every file too
        "steps.prepare.outputs.cache == 'true'",
        "steps.install.outputs.results-key != ''",
        "steps.gate.outputs.conclusion != ''",  # the gate ran
        "github.event_name == 'push'",
        "github.ref == format('refs/heads/{0}', github.event.repository.default_branch)",
    ]
    assert STEPS["gate"]["env"]["MERGEGATE_CACHE_DIR"] == "${{ steps.prepare.outputs.results }}"


def test_both_caches_live_outside_the_workspace(step: RunStep) -> None:
    assert step.run().returncode == 0
    outputs = step.outputs
    for name in ("home", "results", "arguments"):
        assert Path(outputs[name]).parent == step.temp, name
    assert (step.record / "cache-dir").read_text() == outputs["results"]
    assert outputs["env-key"].startswith("mergegate-env-Linux-X64-")
    assert (outputs["cache"], outputs["env-ready"], outputs["results-ready"]) == (
        "true",
        "false",
        "false",
    )
    assert sorted(path.name for path in step.workspace.iterdir()) == []


def test_a_second_use_in_the_job_reuses_both_caches(step: RunStep) -> None:
    assert step.run().returncode == 0
    first = dict(step.outputs)
    Path(first["home"], "venv").mkdir(parents=True)
    Path(first["home"], "venv", "mergegate-extras").write_text("github\n")
    Path(first["results"]).mkdir()
    assert step.run().returncode == 0
    assert (step.outputs["env-ready"], step.outputs["results-ready"]) == ("true", "true")
    assert (first["use"], step.outputs["use"]) == ("1", "2")  # its own key to save under
    assert step.outputs["env-key"] == first["env-key"]


def test_cache_false_turns_both_caches_off(step: RunStep) -> None:
    assert step.run(cache="false").returncode == 0
    assert step.outputs["cache"] == "false"
    assert step.arguments() == [
        "run", "--github", "--check-name", "mergegate", "--no-cache", "--review", "summary",
        "--", "."
    ]  # fmt: skip
    for key, cache_step in cache_steps().items():
        assert "steps.prepare.outputs.cache == 'true'" in conjunction(cache_step["if"]), key


def test_the_cache_input_is_true_or_false(step: RunStep) -> None:
    result = step.run(cache="yes")
    assert (result.returncode, result.stdout) == (
        2,
        "::error title=mergegate::cache must be true or false\n",
    )
    assert step.arguments() is None


def test_the_install_step_plans_extras_and_the_results_key(
    step: RunStep, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With an environment ready (as restored), the step installs nothing and names the results
    cache's key: mergegate's own run key for this configuration, on this OS."""
    (step.workspace / "pyproject.toml").write_text('[tool.mergegate]\nselect = ["MG1"]\n')
    assert step.script("prepare", step.environment).returncode == 0
    venv = Path(step.outputs["home"], "venv")
    (venv / "bin").mkdir(parents=True)
    (venv / "bin" / "python").write_text(f'#!/bin/sh\nexec "{sys.executable}" "$@"\n')
    (venv / "bin" / "python").chmod(stat.S_IRWXU)
    (venv / "mergegate-extras").write_text("github\n")
    environment = {
        **step.environment,
        "MERGEGATE_HOME": step.outputs["home"],
        "PYTHON": step.outputs["python"],
        "ARGUMENTS": step.outputs["arguments"],
        "ENV_KEY": step.outputs["env-key"],
        "ENV_READY": "false",
        "RESTORED": "mergegate-env-Linux-X64-0123-github",
    }
    result = step.script("install", environment)
    assert result.returncode == 0, result.stderr
    assert (
        "mergegate: environment restored from the cache (mergegate-env-Linux-X64-0123-github)"
        in (result.stdout)
    )
    arguments = Path(step.outputs["arguments"]).read_bytes().split(b"\0")[:-1]
    monkeypatch.chdir(step.workspace)
    expected = plan([word.decode() for word in arguments])
    assert len(expected["cache-key"]) == 32
    assert step.outputs["results-key"] == f"mergegate-results-Linux-{expected['cache-key']}"
    assert step.outputs["python"] == str(venv / "bin" / "python")
    assert "env-saved-key" not in step.outputs  # nothing installed: nothing to save


def test_the_plan_names_the_extras_and_the_key(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    pyproject = tmp_path / "pyproject.toml"
    pyproject.write_text("[tool.mergegate]\n")
    plain = plan(["run", "--github", "--", "."])
    assert plain["extras"] == "github" and re.fullmatch("[0-9a-f]{32}", plain["cache-key"])
    assert plan(["run", "--", "."]) == {**plain, "extras": ""}
    assert plan(["run", "--github", "--no-cache", "--fail-on", "P2", "."]) == plain
    selected = plan(["run", "--github", "--select", "MG1", "."])
    assert selected["cache-key"] not in ("", plain["cache-key"])  # other rules: another key
    pyproject.write_text('[tool.mergegate]\ntools = ["flake8"]\n')
    assert plan(["run", "--github", "."]) == {**plain, "extras": "github,tools"}
    pyproject.write_text('[tool.mergegate]\ntools = ["no-such-tool"]\n')
    assert plan(["run", "--github", "."]) == {"extras": "", "cache-key": ""}  # the gate says why
    assert plan(["run", "--no-such-option"]) == {"extras": "", "cache-key": ""}
