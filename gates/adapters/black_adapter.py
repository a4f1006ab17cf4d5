"""black: code black would reformat, one finding per run of lines it would change.

black runs as `black --check --diff --quiet FILE...` with the project root as working folder, so the
project's `[tool.black]` (line length, target versions, `force-exclude`) applies as it does in
pre-commit; `--check` never writes a file. The diff says which lines would change: each run of
changed lines is a finding with code `BLK100` (the code the flake8-black plugin uses for the same
thing), spanning the lines black would rewrite, or placed on the line before which it would insert.

Files that do not parse for mergegate are not given to black (the gate reports them as
`parse-error`, P0); black failing on any other file is an AdapterError (for instance a
`target-version` too old for the syntax used). So is a file name that is not valid UTF-8, which
black cannot print in its diff.

Default tier: P3 for everything. Formatting never changes behaviour; it should not block a merge.

A file's findings depend on that file alone and the configuration black finds for it: it
formats each file on its own. It looks for its configuration from the common folder of the files
it is given, up to the first folder with `.git`, `.hg` or a pyproject.toml with a `[tool.black]`
table, and reads that folder's pyproject.toml (`[tool.black]`, and `[project]`'s
`requires-python` for its target versions), else the user's own configuration file. The gate
gives one run of black only files for which that search ends in the same place, so each file is
formatted with the configuration black would use for it alone, whichever files run with it. So
with `--new-from-rev` it checks only the files that changed, and its results are cached per file,
keyed on its version, the libraries it is built on, and that configuration.

Whole files, not `--line-ranges`: with line ranges black formats only the statements on those
lines, and its diff, hence the findings, would differ from a whole file's. For `a = ( 1 )` and
`b = ( 2 )` on lines 1 and 2, with line 2 changed, the whole file's diff is one finding from line
1 (not new: line 1 did not change); `--line-ranges 2-2` gives one at line 2, new, which a
`fail-on = "P3"` would block on. The diff black prints is of the changed files only.
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
    plural,
    run_batch,
    text,
    unparsable,
)
from mergegate.hooks.finding import Finding

TOOL = "black"
MODULE = "black"
RUNNER = None
PLUGIN_GROUPS: tuple[str, ...] = ()
START_SECONDS, SECONDS_PER_MB = 0.2, 18.0
"""CPU seconds to start it and to check a megabyte of Python (black 26.10 on the standard
library); they size batches, never decide a finding."""
REQUIREMENT = "black>=24.1"
DOCS_URL = "https://black.readthedocs.io/en/stable/"
SECURITY = False
CODE = "BLK100"
TIER = "P3"
CODE_PREFIX = CODE
"""What every code of the tool starts with: it has one."""

TIER_TABLE = ((f"`{CODE}` (would reformat)", TIER),)
"""The default tier for the documentation."""


def default_tier(finding: Finding) -> str:
    return TIER


def describe(change: Change) -> str:
    if not change.removed:
        return f"black would insert {plural(change.added, 'line')} here"
    if change.removed == 1:
        return "black would reformat this line"
    return f"black would reformat these {change.removed} lines"


def configuration(folder: str, root: str, files: ConfigFiles) -> object:
    """Where black's search for its configuration ends from `folder` (see above), what it reads
    there, and the user's configuration file."""
    for parent in folders_up(folder):
        pyproject = os.path.join(parent, PYPROJECT)
        table = files.table(pyproject, "tool", "black")
        if (
            table is not None
            or os.path.exists(os.path.join(parent, ".git"))
            or os.path.isdir(os.path.join(parent, ".hg"))
        ):
            break
    requires_python = files.table(pyproject, "project", "requires-python")
    return [parent, table, requires_python, files.digest(user_configuration())]


def user_configuration() -> str:
    """The user's own black configuration file, as black names it."""
    if sys.platform == "win32":
        return os.path.join(os.path.expanduser("~"), ".black")
    return os.path.join(os.path.expanduser(os.environ.get("XDG_CONFIG_HOME", "~/.config")), "black")


def arguments(paths: Paths) -> list[str] | None:
    """One process (`--workers 1`): the gate runs as many tools at a time as it is allowed."""
    skipped = unparsable(paths.for_tool)  # a few ms a file; black takes a hundred times that
    checked = [path for path in paths.for_tool if path not in skipped]
    if not checked:
        return None
    return ["--check", "--diff", "--quiet", "--no-color", "--workers", "1", *checked]


def findings(result: CompletedProcess[bytes], paths: Paths) -> list[Finding]:
    if result.returncode not in (0, 1):  # 123: some file could not be formatted
        raise failure(TOOL, result, "failed")
    changes = DiffReader(TOOL, "--- ", "+++ ", paths).read(text(result.stdout))
    if bool(changes) != (result.returncode == 1):  # 1: would reformat; 0: nothing to do
        raise failure(TOOL, result, f"exited {result.returncode} with {len(changes)} diff(s)")
    return change_findings(TOOL, CODE, changes, describe)


def run(files: list[str], root: str) -> list[Finding]:
    """black's findings on `files`, from one run of it."""
    return run_batch(sys.modules[__name__], files, root)
