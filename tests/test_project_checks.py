"""The project's own checks, run by the test suite so that CI (which runs the README's test
command) runs them too: the strict type check, and the repository's pre-commit configuration (the
mergegate hook on this code, black, flake8) with the real pre-commit."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

from helpers import git_environment

REPO_ROOT = Path(__file__).resolve().parent.parent


def test_the_strict_type_check_passes() -> None:
    """mypy --strict on hooks/ and gates/ (scripts/typecheck.py): no error at all."""
    result = subprocess.run(
        [sys.executable, str(REPO_ROOT / "scripts" / "typecheck.py")],
        capture_output=True,
        text=True,
        check=False,
        timeout=600,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert re.search(r"^Success: no issues found in \d+ source files?$", result.stdout, re.M)


def test_the_repositorys_pre_commit_configuration_passes(
    checkout_snapshot: Path, pre_commit_home: Path
) -> None:
    """`pre-commit run --all-files` with `.pre-commit-config.yaml` on a snapshot of the checkout
    (pre-commit reads committed files only). The mergegate hook is the one installed next to this
    Python; black and flake8 are installed by pre-commit from PyPI."""
    env = git_environment()
    env["PRE_COMMIT_HOME"] = str(pre_commit_home)
    env["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), env.get("PATH", "")])
    result = subprocess.run(
        [sys.executable, "-m", "pre_commit", "run", "--all-files", "--color", "never"],
        cwd=checkout_snapshot,
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=900,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    statuses = re.findall(r"^(\w+)\.+(Passed|Failed|Skipped)$", result.stdout, re.MULTILINE)
    assert statuses == [
        ("mergegate", "Passed"),
        ("black", "Passed"),
        ("flake8", "Passed"),
    ], result.stdout
