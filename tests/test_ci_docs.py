"""docs/ci.md: the GitLab job and the Azure pipeline it shows are valid (check-jsonschema's bundled
schemas), and their script commands do what the page says when run as the CI system runs them,
outside the container: the GitLab script with the job's variables, the Azure script with a
stand-in `docker` that runs the same `mergegate` command in the folders it would mount."""

from __future__ import annotations

import json
import os
import re
import stat
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from test_action import tool
from test_gate import git
from test_report_gitlab import issues_of
from test_report_junit import cases, parsed

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs" / "ci.md"
BIN = Path(sys.executable).parent
IMAGE = "registry.example.com/mergegate:0.1.0"
BARE_EXCEPT = "try:\n    x()\nexcept:\n    pass\n"

DOCKER = f"""#!{sys.executable}
# Stands in for `docker run --rm --user U:G -v HOST:CONTAINER... -w DIR -e K=V... IMAGE ARGS...`:
# runs `mergegate ARGS` where DIR is mounted, with container paths in K=V mapped to the host.
import json, os, subprocess, sys
args = sys.argv[1:]
assert args.pop(0) == "run" and args.pop(0) == "--rm", sys.argv
mounts, environment, record = {{}}, dict(os.environ), {{"user": None}}
while args[0].startswith("-"):
    option, value = args.pop(0), args.pop(0)
    if option == "-v":
        host, container = value.split(":")
        mounts[container] = host
    elif option == "-w":
        workdir = value
    elif option == "-e":
        key, _, value = value.partition("=")
        environment[key] = mounts.get(value, value)
    elif option == "--user":
        record["user"] = value
    else:
        raise SystemExit(f"unexpected option {{option}}")
record.update(image=args.pop(0), mounts=mounts, workdir=workdir)
with open(os.environ["DOCKER_RECORD"], "w") as stream:
    json.dump(record, stream)
sys.exit(subprocess.run(["mergegate", *args], cwd=mounts[workdir], env=environment).returncode)
"""


def yaml_blocks(marker: str) -> list[str]:
    blocks = re.findall(r"^```yaml\n(.*?)^```$", DOCS.read_text(), re.MULTILINE | re.DOTALL)
    return [block for block in blocks if marker in block]


GITLAB = yaml_blocks("image:")
AZURE = yaml_blocks("steps:")


@pytest.mark.parametrize(
    ("schema", "blocks"),
    [("vendor.gitlab-ci", GITLAB), ("vendor.azure-pipelines", AZURE)],
    ids=["gitlab", "azure"],
)
def test_the_documented_files_are_valid(tmp_path: Path, schema: str, blocks: list[str]) -> None:
    assert len(blocks) == 1, f"docs/ci.md should show one file for {schema}"
    (tmp_path / "ci.yml").write_text(blocks[0])
    # the Azure schema has patterns that ECMAScript's unicode mode, the default, refuses to compile
    checker = [tool("check-jsonschema"), "--regex-variant", "nonunicode"]
    result = subprocess.run(
        [*checker, "--builtin-schema", schema, str(tmp_path / "ci.yml")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def project(path: Path, base_source: str, head_source: str) -> str:
    """A git repository whose base commit has `base_source` in m.py, then a commit with
    `head_source`; the base commit's id."""
    path.mkdir()
    git(path, "init", "-q", "-b", "main")
    (path / "pyproject.toml").write_text("[tool.mergegate]\n")
    (path / ".gitignore").write_text(".mergegate-ci-cache/\n")
    (path / "m.py").write_text(base_source)
    git(path, "add", "-A")
    git(path, "commit", "-q", "-m", "base")
    base = git(path, "rev-parse", "HEAD").strip()
    (path / "m.py").write_text(head_source)
    git(path, "commit", "-q", "-am", "change")
    return base


def gitlab_job(checkout: Path, **variables: str) -> subprocess.CompletedProcess[str]:
    """The job's script, run by bash as GitLab's runner runs it (errexit, pipefail), with the
    job's variables expanded as GitLab expands them."""
    (job,) = yaml.safe_load(GITLAB[0]).values()
    environment = {"PATH": f"{BIN}{os.pathsep}{os.environ['PATH']}", "HOME": str(checkout)}
    environment.update(CI_PROJECT_DIR=str(checkout), CI_DEFAULT_BRANCH="main", **variables)
    for name, value in job["variables"].items():
        environment[name] = re.sub(r"\$(\w+)", lambda m: environment[m[1]], str(value))
    script = "set -eo pipefail\n" + "\n".join(job["script"]) + "\n"
    return subprocess.run(
        ["bash", "-c", script], cwd=checkout, env=environment, capture_output=True, text=True
    )


def test_the_gitlab_job_gates_a_merge_request_and_writes_both_reports(tmp_path: Path) -> None:
    checkout = tmp_path / "mr"
    base = project(checkout, BARE_EXCEPT, BARE_EXCEPT + "\n" + BARE_EXCEPT.replace("x()", "y()"))
    result = gitlab_job(
        checkout, CI_PIPELINE_SOURCE="merge_request_event", CI_MERGE_REQUEST_DIFF_BASE_SHA=base
    )
    assert result.returncode == 1, result.stdout + result.stderr  # blocked: the new bare except
    assert "m.py:8:1: MG101 [P0]" in result.stdout and "m.py:3:1:" not in result.stdout
    assert "held back, not listed: 1 existing" in result.stdout
    (job,) = yaml.safe_load(GITLAB[0]).values()
    reports = job["artifacts"]["reports"]
    issues = issues_of((checkout / reports["codequality"]).read_text(encoding="utf-8"))
    assert sorted((i["location"]["lines"]["begin"], i["severity"]) for i in issues) == [
        (3, "info"),
        (8, "blocker"),
    ]
    junit = parsed((checkout / reports["junit"]).read_text(encoding="utf-8"))
    assert cases(junit)[("mergegate", "verdict")][0] == "failure"
    assert job["artifacts"]["when"] == "always"
    assert job["cache"]["paths"] == [".mergegate-ci-cache/"]
    assert job["variables"]["MERGEGATE_CACHE_DIR"] == "$CI_PROJECT_DIR/.mergegate-ci-cache"


def test_the_gitlab_job_gates_everything_on_the_default_branch(tmp_path: Path) -> None:
    checkout = tmp_path / "main"
    project(checkout, BARE_EXCEPT, BARE_EXCEPT + "print(1)\n")
    result = gitlab_job(checkout, CI_PIPELINE_SOURCE="push", CI_COMMIT_BRANCH="main")
    assert result.returncode == 1, result.stdout + result.stderr  # the old bare except blocks
    assert "m.py:3:1: MG101 [P0] do not use" in result.stdout
    assert "existing" not in result.stdout


def azure_step() -> dict:
    (step,) = [step for step in yaml.safe_load(AZURE[0])["steps"] if "script" in step]
    return step


def azure_run(tmp_path: Path, sources: Path, reason: str) -> subprocess.CompletedProcess[str]:
    """The script step, run as Azure's agent runs it (`bash --noprofile --norc FILE`), with the
    pipeline's variables in the environment and the stand-in `docker` first on PATH."""
    shims = tmp_path / "shims"
    shims.mkdir(exist_ok=True)
    (shims / "docker").write_text(DOCKER)
    (shims / "docker").chmod(stat.S_IRWXU)
    (tmp_path / "step.sh").write_text(azure_step()["script"])
    pipeline = yaml.safe_load(AZURE[0])
    environment = {
        "PATH": os.pathsep.join((str(shims), str(BIN), os.environ["PATH"])),
        "HOME": str(tmp_path),
        "BUILD_SOURCESDIRECTORY": str(sources),
        "PIPELINE_WORKSPACE": str(tmp_path / "workspace"),
        "BUILD_REASON": reason,
        "DOCKER_RECORD": str(tmp_path / "docker.json"),
        **{name.upper(): value for name, value in pipeline["variables"].items()},
    }
    (tmp_path / "workspace").mkdir(exist_ok=True)
    return subprocess.run(
        ["bash", "--noprofile", "--norc", str(tmp_path / "step.sh")],
        cwd=sources,
        env=environment,
        capture_output=True,
        text=True,
    )


def merge_commit(path: Path) -> str:
    """A pull request build's checkout: the merge of a pull request branch (adding a bare
    except) into main (which has one already), first parent main. Returns main's commit."""
    project(path, "x = 1\n", BARE_EXCEPT)
    main = git(path, "rev-parse", "HEAD").strip()
    git(path, "checkout", "-q", "-b", "pr", "HEAD~1")
    (path / "n.py").write_text(BARE_EXCEPT)
    git(path, "add", "n.py")
    git(path, "commit", "-q", "-m", "pull request")
    git(path, "checkout", "-q", "--detach", main)
    git(path, "merge", "-q", "--no-ff", "-m", "merge", "pr")
    return main


def test_the_azure_step_gates_a_pull_request_with_issues_and_test_results(
    tmp_path: Path,
) -> None:
    sources = tmp_path / "s"
    merge_commit(sources)
    result = azure_run(tmp_path, sources, "PullRequest")
    assert result.returncode == 1, result.stdout + result.stderr
    issues = [line for line in result.stdout.splitlines() if line.startswith("##vso[")]
    assert issues == [
        "##vso[task.logissue type=error;sourcepath=n.py;linenumber=3;columnnumber=1;code=MG101]"
        "mergegate MG101 [P0%5D: do not use bare 'except:'%3B name the exceptions to handle",
        "##vso[task.complete result=Failed;]" + issues[-1].split("]", 1)[1],
    ]  # m.py's bare except is on main already: existing, not an issue
    record = json.loads((tmp_path / "docker.json").read_text())
    assert record["image"] == IMAGE
    assert record["user"] == f"{os.getuid()}:{os.getgid()}"
    assert record["mounts"] == {"/src": str(sources), "/cache": str(tmp_path / "workspace" /
                                                                    "mergegate-cache")}  # fmt: skip
    assert (tmp_path / "workspace" / "mergegate-cache").is_dir()
    publish = [s for s in yaml.safe_load(AZURE[0])["steps"] if s.get("task", "").startswith("Pub")]
    (junit_path,) = [p["inputs"]["testResultsFiles"] for p in publish]
    assert publish[0]["condition"] == "succeededOrFailed()"
    junit = parsed((sources / junit_path).read_text(encoding="utf-8"))
    assert cases(junit)[("n.py", "bare-except")][0] == "failure"
    assert cases(junit)[("m.py", "bare-except")][0] == "skipped"


def test_the_azure_step_gates_everything_outside_pull_requests(tmp_path: Path) -> None:
    sources = tmp_path / "s"
    merge_commit(sources)
    result = azure_run(tmp_path, sources, "IndividualCI")
    assert result.returncode == 1, result.stderr
    assert result.stdout.count("##vso[task.logissue type=error;") == 2
    cache = [s for s in yaml.safe_load(AZURE[0])["steps"] if s.get("task") == "Cache@2"]
    assert cache[0]["inputs"]["path"] == "$(Pipeline.Workspace)/mergegate-cache"
