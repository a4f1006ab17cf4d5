"""Test-session setup shared by every test module."""

from __future__ import annotations

import os

# A fresh CI machine has no git identity; tests that commit to sample repositories need one.
# Set here for the whole session (subprocesses such as pre-commit and act inherit it).
for variable, value in {
    "GIT_AUTHOR_NAME": "mergegate tests",
    "GIT_AUTHOR_EMAIL": "tests@mergegate.invalid",
    "GIT_COMMITTER_NAME": "mergegate tests",
    "GIT_COMMITTER_EMAIL": "tests@mergegate.invalid",
}.items():
    os.environ.setdefault(variable, value)
