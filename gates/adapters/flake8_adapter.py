"""flake8: pyflakes, pycodestyle, mccabe and any installed plugins, as the project configures them.

flake8 runs with the project root as working folder, so its own configuration (`.flake8`,
`setup.cfg`, `tox.ini`: select, ignore, per-file-ignores, exclude, max-line-length, plugins'
options) applies as it does on the command line. `# noqa` and `# flake8: noqa` are left to
flake8 itself, with its exact semantics (a `# noqa` after a multi-line string covers the string's
lines; `# flake8: noqa` skips the file): findings it drops this way never reach the gate, so
they are not counted as suppressed. With `--disable-noqa` the gate would count them, but its
line-by-line `# noqa` would let through what flake8 users rely on: on the standard library
flake8 drops 42 findings, and the gate alone would have dropped 7 of them (the other 35 are in
files marked `# flake8: noqa`). The gate's own `# noqa` stage still runs on flake8's findings.

Default tiers (the longest matching code prefix decides; `[tool.mergegate.severity]` overrides):

- P0: `E9` (syntax errors, unreadable files), `F63` (comparisons and asserts whose outcome is
  fixed), `F7` (statements Python rejects: `break` outside a loop, `return` outside a function)
  and `F82` (undefined names: a NameError when the line runs) -- the `E9,F63,F7,F82` selection
  many projects already block on.
- P1: `F824`, a `global`/`nonlocal` name the scope never assigns. It is in `F82` only by
  numbering: harmless at run time, and the same tier as mergegate's own `unused-global`.
- P2: every other pyflakes code (`F`): unused imports and variables, redefinitions, `%`-format
  mistakes.
- P3: everything else: pycodestyle `E`/`W`, mccabe `C90`, plugins' codes.

flake8 reports pyflakes' columns as UTF-8 byte offsets and `E999` one column to the right of the
error; findings carry character columns (1-based) like every other finding.
"""

from __future__ import annotations

import json
import os
from subprocess import CompletedProcess

from mergegate.gates.adapters.support import Paths, SourceText, failure, run_tool, text
from mergegate.hooks.finding import Finding
from mergegate.hooks.selection import most_specific

TOOL = "flake8"
MODULE = "flake8"
REQUIREMENT = "flake8>=7.2"
DOCS_URL = "https://flake8.pycqa.org/en/latest/user/error-codes.html"
SECURITY = False
RUNNER = os.path.join(os.path.dirname(os.path.abspath(__file__)), "flake8_runner.py")

PREFIX_TIERS = {"E9": "P0", "F63": "P0", "F7": "P0", "F82": "P0", "F824": "P1", "F": "P2"}
"""Tier by code prefix; the most specific (hooks/selection.py: the longest) matching prefix wins,
codes matching none are P3."""
OTHER_TIER = "P3"

CODE_PREFIX = ""
"""What every code of the tool starts with: anything (flake8's plugins bring codes of their own)."""

TIER_TABLE = (
    (
        "`E9`, `F63`, `F7`, `F82` but `F824` (syntax errors, undefined names, invalid statements)",
        "P0",
    ),
    ("`F824` (`global`/`nonlocal` name never assigned)", "P1"),
    ("other `F` (pyflakes: unused imports and variables, redefinitions)", "P2"),
    ("everything else: `E`/`W` (pycodestyle), `C90` (mccabe), plugins", "P3"),
)
"""The default tiers for the documentation, one row per tier."""


def default_tier(finding: Finding) -> str:
    prefix = most_specific(PREFIX_TIERS, finding.rule, finding.code)
    return OTHER_TIER if prefix is None else PREFIX_TIERS[prefix]


def _violations(result: CompletedProcess[bytes]) -> list[tuple[str, int, int, str, str]]:
    """The runner's JSON list of (path, line, column, code, message); AdapterError otherwise."""
    try:
        document = json.loads(text(result.stdout))
        return [
            (str(path), int(line), int(column), str(code), str(message))
            for path, line, column, code, message in document
        ]
    except (ValueError, TypeError):
        raise failure(TOOL, result, "printed something that is not its findings") from None


def run(files: list[str], root: str) -> list[Finding]:
    if not files:
        return []
    paths = Paths(files, root)
    result = run_tool(TOOL, MODULE, paths.for_tool, root, script=RUNNER)
    if result.returncode != 0:
        raise failure(TOOL, result, "failed")
    violations = _violations(result)
    sources = SourceText()
    findings = []
    for reported, line, column, code, message in violations:
        path = paths.original(TOOL, reported)
        if code.startswith("F"):  # pyflakes counts UTF-8 bytes, from 0 (flake8 adds 1)
            column = sources.column(paths.absolute(reported), line, column - 1)
        elif code == "E999":  # flake8 takes Python's 1-based column for a 0-based one
            column -= 1
        line, column = max(line, 1), max(column, 1)
        findings.append(
            Finding(f"{TOOL}:{code}", code, path, line, column, line, column, message, TOOL)
        )
    return findings
