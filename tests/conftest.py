"""Test-session setup and the fixtures several test modules share."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from differential import SHARED_FOLDER
from helpers import GIT_IDENTITY, git, git_repository

REPO_ROOT = Path(__file__).resolve().parent.parent

# Tests that commit to sample repositories need a git identity, and so do the subprocesses they
# start (pre-commit, act): set for the whole session.
for variable, value in GIT_IDENTITY.items():
    os.environ.setdefault(variable, value)


@pytest.fixture
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty folder, the current directory."""
    monkeypatch.chdir(tmp_path)
    return tmp_path


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A git repository with an empty `[tool.mergegate]` table (the defaults), the current
    directory; its parent folder is outside it."""
    root = git_repository(tmp_path / "repo")
    monkeypatch.chdir(root)
    return root


@pytest.fixture(scope="session", autouse=True)
def shared_folder(tmp_path_factory: pytest.TempPathFactory) -> None:
    """With `pytest -n`, the session's folder above every worker's own (pytest-N, removed with
    it): where the workers share one run of a slow reference tool (tests/differential.py)."""
    if os.environ.get("PYTEST_XDIST_WORKER"):
        os.environ[SHARED_FOLDER] = str(tmp_path_factory.getbasetemp().parent)


@pytest.fixture(scope="session")
def checkout_snapshot(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """This checkout's working tree (every file git would see, changes not yet committed
    included), committed in a fresh repository. pre-commit reads committed files only, so on the
    checkout itself a new, untracked file would silently be left out."""
    listed = git(REPO_ROOT, "ls-files", "-z", "--cached", "--others", "--exclude-standard")
    snapshot = tmp_path_factory.mktemp("checkout") / "mergegate"
    files = [name for name in listed.split("\0") if name and (REPO_ROOT / name).is_file()]
    assert ".pre-commit-hooks.yaml" in files
    for name in files:
        target = snapshot / name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(REPO_ROOT / name, target)
    git(snapshot, "init", "-q")
    git(snapshot, "add", "-A")
    git(snapshot, "commit", "-q", "-m", "snapshot of the checkout under test")
    return snapshot


@pytest.fixture(scope="session")
def pre_commit_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Keeps pre-commit's own store (and its log) out of the user's home directory."""
    return tmp_path_factory.mktemp("pre-commit-home")


@pytest.fixture(autouse=True)
def user_cache_home(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """mergegate keeps its cache in the user's cache directory: the tests keep theirs out of the
    real one, and no test inherits a cache folder named by the environment."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path_factory.getbasetemp() / "cache-home"))
    monkeypatch.delenv("MERGEGATE_CACHE_DIR", raising=False)
