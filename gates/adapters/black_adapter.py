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
"""

from __future__ import annotations

from mergegate.gates.adapters.support import (
    Change,
    DiffReader,
    Paths,
    change_findings,
    failure,
    plural,
    run_tool,
    text,
    unparsable,
)
from mergegate.hooks.finding import Finding

TOOL = "black"
MODULE = "black"
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


def run(files: list[str], root: str) -> list[Finding]:
    paths = Paths(files, root)
    skipped = unparsable(paths.for_tool)  # a few ms a file; black takes a hundred times that
    checked = [path for path in paths.for_tool if path not in skipped]
    if not checked:
        return []
    arguments = ["--check", "--diff", "--quiet", "--no-color", *checked]
    result = run_tool(TOOL, MODULE, arguments, root)
    if result.returncode not in (0, 1):  # 123: some file could not be formatted
        raise failure(TOOL, result, "failed")
    changes = DiffReader(TOOL, "--- ", "+++ ", paths).read(text(result.stdout))
    if bool(changes) != (result.returncode == 1):  # 1: would reformat; 0: nothing to do
        raise failure(TOOL, result, f"exited {result.returncode} with {len(changes)} diff(s)")
    return change_findings(TOOL, CODE, changes, describe)
