"""bandit: security smells (shell=True, pickle, weak hashes, hard-coded passwords...).

bandit runs with the project root as working folder and, when the root has a pyproject.toml, reads
its `[tool.bandit]` table (`skips`, `tests`, `exclude_dirs`...), as `bandit -c pyproject.toml`
does. `# nosec` stays bandit's: what it silences never reaches the gate. Each finding's code is the
test id (`B602`); it spans the flagged code as bandit's own SARIF output does (from the first line
of its line range, columns turned from UTF-8 bytes into characters), and its message ends with
bandit's rating, `[severity: HIGH, confidence: HIGH]`, which the tier is derived from.

A file bandit cannot parse is left out of its findings when it does not parse for mergegate either:
the gate reports it as `parse-error` (P0). Any other error bandit lists is an AdapterError.

A file's findings depend on that file alone and the configuration: bandit's tests visit one
file's tree at a time, and `exclude_dirs` matches the file's own path. Its configuration is the
root's `[tool.bandit]`, named on its command line: the `.bandit` files it looks for inside the
folders it is given are never read, since it is given files. So with `--new-from-rev` it checks
only the files that changed, and its results are cached per file, keyed on its version, its
plugins' and that table.

Default tiers. bandit's checks are pattern matches with no data flow: even a HIGH/HIGH finding
(`md5` used for a cache key, `shell=True` on a constant command) is often fine in context, and a
P0 blocks merges, so nothing from bandit is P0 by default; teams that want bandit to block raise
chosen test ids in `[tool.mergegate.severity]` (e.g. `B602 = "P0"`).

- P1: severity HIGH with confidence HIGH: worth a reviewer's look before merging.
- P2: severity HIGH with confidence MEDIUM, and severity MEDIUM with confidence HIGH or MEDIUM.
- P3: severity LOW, confidence LOW, and anything bandit leaves UNDEFINED.
"""

from __future__ import annotations

import json
import os
import re
import sys
from subprocess import CompletedProcess
from typing import Any

from mergegate.gates.adapters import AdapterError
from mergegate.gates.adapters.keys import PYPROJECT, ConfigFiles
from mergegate.gates.adapters.support import (
    Paths,
    SourceText,
    failure,
    run_batch,
    text,
    unparsable,
)
from mergegate.hooks.finding import Finding

TOOL = "bandit"
MODULE = "bandit"
RUNNER = None
PLUGIN_GROUPS = ("bandit.plugins", "bandit.blacklists")
"""Entry-point groups of bandit's tests: their versions key the cache."""
START_SECONDS, SECONDS_PER_MB = 0.22, 2.2
"""CPU seconds to start it and to scan a megabyte of Python (bandit 1.9 on the standard
library); they size batches, never decide a finding."""
REQUIREMENT = "bandit>=1.7.5"
DOCS_URL = "https://bandit.readthedocs.io/en/latest/plugins/index.html"
SECURITY = True

RATING_TIERS = {
    ("HIGH", "HIGH"): "P1",
    ("HIGH", "MEDIUM"): "P2",
    ("MEDIUM", "HIGH"): "P2",
    ("MEDIUM", "MEDIUM"): "P2",
}
"""Tier by (severity, confidence); every other rating is P3."""
OTHER_TIER = "P3"
UNRATED_TIER = "P1"
"""For a finding whose message lost its rating: bandit's highest default tier, never a lower one."""

CODE_PREFIX = "B"
"""What every code of the tool starts with (its test ids, `B101` to `B704`)."""

TIER_TABLE = (
    ("severity HIGH, confidence HIGH", "P1"),
    ("severity HIGH, confidence MEDIUM; severity MEDIUM, confidence HIGH or MEDIUM", "P2"),
    ("severity LOW or UNDEFINED; confidence LOW or UNDEFINED", "P3"),
)
"""The default tiers for the documentation, one row per tier."""

_RATING = re.compile(r" \[severity: (\w+), confidence: (\w+)\]\Z")


def default_tier(finding: Finding) -> str:
    match = _RATING.search(finding.message)
    if match is None:
        return UNRATED_TIER
    return RATING_TIERS.get((match.group(1), match.group(2)), OTHER_TIER)


Issues = list[dict[str, Any]]


def _report(result: CompletedProcess[bytes]) -> tuple[Issues, Issues]:
    """bandit's results and errors; AdapterError for anything else or an exit status it belies."""
    if result.returncode not in (0, 1):  # 1: issues found; 2: bad options or configuration
        raise failure(TOOL, result, "failed")
    try:
        report = json.loads(text(result.stdout))
        issues, errors = report["results"], report["errors"]
    except (ValueError, TypeError, KeyError):
        raise failure(TOOL, result, "printed something that is not its JSON report") from None
    if not isinstance(issues, list) or not isinstance(errors, list):
        raise failure(TOOL, result, "printed a report without results and errors")
    if result.returncode == 1 and not issues:
        raise failure(TOOL, result, "exited as if it found issues but listed none")
    return issues, errors


def _check_errors(errors: Issues, paths: Paths) -> None:
    """Accept bandit's errors only for files mergegate cannot parse either (parse-error, P0)."""
    failed = {paths.absolute(str(error.get("filename"))): error for error in errors}
    for path in set(failed) - unparsable(list(failed)):
        raise AdapterError(
            f"{TOOL} could not scan {paths.original(TOOL, path)}: {failed[path].get('reason')}"
        )


def _finding(issue: dict[str, Any], paths: Paths, sources: SourceText) -> Finding:
    reported = str(issue["filename"])
    code = str(issue["test_id"])
    lines = [int(line) for line in issue.get("line_range") or [issue["line_number"]]]
    line, end_line = min(lines), max(lines)
    absolute = paths.absolute(reported)
    column = sources.column(absolute, line, int(issue.get("col_offset") or 0))
    end_column = sources.column(absolute, end_line, int(issue.get("end_col_offset") or 0))
    if end_line == line:
        end_column = max(end_column, column)
    message = (
        f"{issue['issue_text']} [severity: {issue['issue_severity']}, "
        f"confidence: {issue['issue_confidence']}]"
    )
    return Finding(
        f"{TOOL}:{code}",
        code,
        paths.original(TOOL, reported),
        line,
        column,
        end_line,
        end_column,
        message,
        TOOL,
    )


def configuration(folder: str, root: str, files: ConfigFiles) -> object:
    """The root's pyproject.toml (whether there is one: it is named on the command line) and its
    `[tool.bandit]`, whatever the file."""
    pyproject = os.path.join(root, PYPROJECT)
    return [files.data(pyproject) is not None, files.table(pyproject, "tool", "bandit")]


def arguments(paths: Paths) -> list[str] | None:
    if not paths.for_tool:
        return None
    options = ["--format", "json", "--quiet"]
    if os.path.isfile(os.path.join(paths.root, "pyproject.toml")):
        options += ["--configfile", os.path.join(paths.root, "pyproject.toml")]
    return [*options, *paths.for_tool]


def findings(result: CompletedProcess[bytes], paths: Paths) -> list[Finding]:
    issues, errors = _report(result)
    _check_errors(errors, paths)
    sources = SourceText()
    try:
        return [_finding(issue, paths, sources) for issue in issues]
    except (KeyError, ValueError, TypeError) as error:
        raise failure(
            TOOL, result, f"reported an issue it did not describe fully: {error!r}"
        ) from None


def run(files: list[str], root: str) -> list[Finding]:
    """bandit's findings on `files`, from one run of it."""
    return run_batch(sys.modules[__name__], files, root)
