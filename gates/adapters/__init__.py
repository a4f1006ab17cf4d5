"""Adapters: run a real third-party tool on the gate's files and map its output to Findings.

Everything the gate, its reports and its documentation know about a tool lives in its adapter
module, `<name>_adapter.py`:

- `run(files, root) -> list[Finding]` (paths as given in `files`) and
  `default_tier(finding) -> str`;
- `CODE_PREFIX`, what all its codes start with (to validate selectors);
- `TIER_TABLE`, its default tiers, for the documentation;
- `REQUIREMENT`, the distribution the `tools` extra installs (tests/test_packaging.py checks the
  extra against it), whose name is also the one SARIF reports the tool's version under;
- `DOCS_URL`, where its codes are documented (SARIF rule help), and `SECURITY`, whether its
  findings are security findings (SARIF `security-severity`).

A tool that is missing, or that crashes or says something we cannot parse, raises AdapterError:
the gate then exits 2, never passes silently. Importing this package imports no adapter module.
"""

from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:  # a hook's start imports this package: nothing here but what it uses
    from types import ModuleType

ADAPTERS = ("flake8", "bandit", "black", "autoflake")
"""The adapters `tools` may enable, in documentation order."""


class AdapterError(Exception):
    """An enabled tool is missing, crashed, or produced output we cannot read."""


def load(name: str) -> ModuleType:
    """The adapter module of `name`, one of ADAPTERS."""
    import importlib

    return importlib.import_module(f"mergegate.gates.adapters.{name}_adapter")


def known(name: str) -> ModuleType | None:
    """The adapter module of `name` when it is one of ADAPTERS, else None: a tool named in a
    report (a shard's, which a pull request could forge) never chooses what is imported."""
    return load(name) if name in ADAPTERS else None
