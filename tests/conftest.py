"""Test-session setup shared by every test module."""

from __future__ import annotations

import os

import pytest

# A fresh CI machine has no git identity; tests that commit to sample repositories need one.
# Set here for the whole session (subprocesses such as pre-commit and act inherit it).
for variable, value in {
    "GIT_AUTHOR_NAME": "mergegate tests",
    "GIT_AUTHOR_EMAIL": "tests@mergegate.invalid",
    "GIT_COMMITTER_NAME": "mergegate tests",
    "GIT_COMMITTER_EMAIL": "tests@mergegate.invalid",
}.items():
    os.environ.setdefault(variable, value)


@pytest.fixture(autouse=True)
def user_cache_home(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """mergegate keeps its cache in the user's cache directory: the tests keep theirs out of the
    real one, and no test inherits a cache folder named by the environment."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path_factory.getbasetemp() / "cache-home"))
    monkeypatch.delenv("MERGEGATE_CACHE_DIR", raising=False)
