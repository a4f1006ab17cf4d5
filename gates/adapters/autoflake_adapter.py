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

A file's findings depend on that file alone and its configuration: autoflake reads each file on
its own. It looks for its configuration from the common folder of the files it is given up to
the file system's root: the first pyproject.toml with a `[tool.autoflake]` table or setup.cfg with
an `[autoflake]` section. The gate gives one run of it only files for which that search ends at
the same file, so each file gets the configuration autoflake would use for it alone. So with
`--new-from-rev` it checks only the files that changed, and its results are cached per file,
keyed on its version, pyflakes' and that configuration.
"""

from __future__ import annotations

import os
import sys
from subprocess import CompletedProcess

from mergegate.gates.adapters.keys import PYPROJECT, ConfigFiles, folders_up
from mergegate.gates.adapters.support import (
    Change,
    DiffReader,
    Paths,
    change_findings,
    failure,
    run_batch,
    text,
)
from mergegate.hooks.finding import Finding

TOOL = "autoflake"
MODULE = "autoflake"
RUNNER = None
PLUGIN_GROUPS: tuple[str, ...] = ()
START_SECONDS, SECONDS_PER_MB = 0.06, 1.0
"""CPU seconds to start it and to check a megabyte of Python (autoflake 2.4 on the standard
library); they size batches, never decide a finding."""
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


def configuration(folder: str, root: str, files: ConfigFiles) -> object:
    """The configuration file autoflake's search from `folder` finds (see above), and what it
    reads there."""
    for parent in folders_up(folder):
        pyproject = os.path.join(parent, PYPROJECT)
        table = files.table(pyproject, "tool", "autoflake")
        if table is not None:
            return [pyproject, table]
        setup = os.path.join(parent, "setup.cfg")
        section = files.section(setup, "autoflake")
        if section is not None:
            return [setup, section]
    return [None, None]


def arguments(paths: Paths) -> list[str] | None:
    return ["--check-diff", "--quiet", "--jobs", "1", *paths.for_tool] if paths.for_tool else None


def findings(result: CompletedProcess[bytes], paths: Paths) -> list[Finding]:
    if result.returncode not in (0, 1) or result.stderr:  # it logs errors, and only errors
        raise failure(TOOL, result, "failed")
    changes = DiffReader(TOOL, "--- original/", "+++ fixed/", paths).read(text(result.stdout))
    if bool(changes) != (result.returncode == 1):  # 1: changes needed (or an unlogged error)
        raise failure(TOOL, result, f"exited {result.returncode} with {len(changes)} diff(s)")
    return change_findings(TOOL, CODE, changes, describe)


def run(files: list[str], root: str) -> list[Finding]:
    """autoflake's findings on `files`, from one run of it."""
    return run_batch(sys.modules[__name__], files, root)
