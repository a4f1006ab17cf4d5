"""Adapters: run a real third-party tool on the gate's files and map its output to Findings.

Everything the gate, its reports and its documentation know about a tool lives in its adapter
module, `<name>_adapter.py`:

- `run(files, root) -> list[Finding]` (paths as given in `files`) and
  `default_tier(finding) -> str`;
- `CODE_PREFIX`, what all its codes start with (to validate selectors);
- `TIER_TABLE`, its default tiers, for the documentation;
- `REQUIREMENT`, the distribution the `tools` extra installs (tests/test_packaging.py checks the
  extra against it), whose name is also the one the tool's version is read under (SARIF, the
  cache key);
- `DOCS_URL`, where its codes are documented (SARIF rule help), and `SECURITY`, whether its
  findings are security findings (SARIF `security-severity`);
- how it runs (`TOOL`, `MODULE`, `RUNNER`, `arguments`, `findings`: support.py), what its results
  depend on (`configuration`, `PLUGIN_GROUPS`: keys.py) and what a batch of files costs it
  (`START_SECONDS`, `SECONDS_PER_MB`: schedule.py).

A tool that is missing, or that crashes or says something we cannot parse, raises AdapterError:
the gate then exits 2, never passes silently. Importing this package imports no adapter module.
"""

from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:  # a hook's start imports this package: nothing here but what it uses
    from types import ModuleType

ADAPTERS = ("flake8", "bandit", "black", "autoflake")
"""The adapters `tools` may enable, in documentation order."""
_REQUIREMENT_NAME = r"[A-Za-z0-9][A-Za-z0-9._-]*"
"""The distribution name a requirement (PEP 508) starts with."""


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


def requirement_name(requirement: str) -> str:
    """The distribution a requirement such as `flake8>=7.2` (an adapter's `REQUIREMENT`, or one
    in a distribution's metadata) names; empty when it names none."""
    import re  # not at import: a hook's start imports this package

    found = re.match(_REQUIREMENT_NAME, requirement.strip())
    return found.group() if found else ""
