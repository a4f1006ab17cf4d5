"""Adapters: run a real third-party tool on the gate's files and map its output to Findings.

Each adapter is a module here with `run(files, root) -> list[Finding]` (paths as given in `files`),
`default_tier(finding) -> str`, `CODE_PREFIX` (what all its codes start with, to validate
selectors) and `TIER_TABLE` (its default tiers, for the documentation). A tool that is missing,
or that crashes or says something we cannot parse, raises AdapterError: the gate then exits 2,
never passes silently.
"""

from __future__ import annotations

import importlib
from types import ModuleType

ADAPTERS = ("flake8", "bandit", "black", "autoflake")


class AdapterError(Exception):
    """An enabled tool is missing, crashed, or produced output we cannot read."""


def load(name: str) -> ModuleType:
    return importlib.import_module(f"mergegate.gates.adapters.{name}_adapter")
