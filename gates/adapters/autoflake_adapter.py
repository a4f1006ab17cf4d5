"""autoflake: unused imports and variables, redundant `pass`, that autoflake would remove.

autoflake runs as `autoflake --check-diff --quiet --jobs 1 FILE...` with the project root as
working folder and no flags of ours that change what it removes, so it does exactly what the
project's own autoflake does: its `[tool.autoflake]` (pyproject.toml) or `[autoflake]` (setup.cfg)
configuration applies (found as autoflake finds it, upwards from the files' common folder), and
without one autoflake's defaults (unused standard-library imports, redundant `pass`).
`--check-diff` never writes a file, even when the configuration says `in-place`. One process
(`--jobs 1`): autoflake's worker processes would share the output pipe, and their diffs could mix.
The configuration must not set `check` or `write-to-stdout`, which replace the diff we read.

Each run of lines autoflake would change is a finding with code `AFL100` (autoflake has no codes
of its own), spanning those lines. autoflake silently leaves a file it cannot parse unchanged;
the gate reports such a file as `parse-error` (P0).

Default tier: P3 for everything: the same unused imports are flake8's F401 (P2) when flake8 runs.
"""

from __future__ import annotations

from mergegate.gates.adapters.support import (
    Change,
    DiffReader,
    Paths,
    change_findings,
    failure,
    run_tool,
    text,
)
from mergegate.hooks.finding import Finding

TOOL = "autoflake"
MODULE = "autoflake"
REQUIREMENT = "autoflake>=2.2"
DOCS_URL = "https://github.com/PyCQA/autoflake"
SECURITY = False
CODE = "AFL100"
TIER = "P3"
CODE_PREFIX = CODE
"""What every code of the tool starts with: it has one."""

TIER_TABLE = ((f"`{CODE}` (would remove unused imports or variables, redundant `pass`)", TIER),)
"""The default tier for the documentation."""


def default_tier(finding: Finding) -> str:
    return TIER


def describe(change: Change) -> str:
    """autoflake only ever removes or rewrites lines."""
    lines = "this line" if change.removed == 1 else f"these {change.removed} lines"
    action = "rewrite" if change.added else "remove"
    return f"autoflake would {action} {lines} (unused import or variable, or redundant `pass`)"


def run(files: list[str], root: str) -> list[Finding]:
    paths = Paths(files, root)
    if not paths.for_tool:
        return []
    arguments = ["--check-diff", "--quiet", "--jobs", "1", *paths.for_tool]
    result = run_tool(TOOL, MODULE, arguments, root)
    if result.returncode not in (0, 1) or result.stderr:  # it logs errors, and only errors
        raise failure(TOOL, result, "failed")
    changes = DiffReader(TOOL, "--- original/", "+++ fixed/", paths).read(text(result.stdout))
    if bool(changes) != (result.returncode == 1):  # 1: changes needed (or an unlogged error)
        raise failure(TOOL, result, f"exited {result.returncode} with {len(changes)} diff(s)")
    return change_findings(TOOL, CODE, changes, describe)
