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

A file's findings depend on that file alone (its bytes and path) and the configuration: flake8
checks each file on its own (its plugin interface hands a plugin one file), finds its
configuration from its working folder whatever files it is given, and matches `per-file-ignores`
and `exclude` against each file's own path. So with `--new-from-rev` it checks only the files that
changed, and its results are cached per file, keyed on its version and its plugins', and on its
configuration files. A third-party plugin may read more than the file it checks (a requirements
file, a word list), which no key can see: with one installed, or with `[flake8:local-plugins]`,
flake8's results are not cached (it still checks only the changed files: what it reports on them
does not depend on the files it is not given).
"""

from __future__ import annotations

import json
import os
import sys
from subprocess import CompletedProcess

from mergegate.gates.adapters.keys import PYPROJECT, ConfigFiles, folders_up, plugins
from mergegate.gates.adapters.support import Paths, SourceText, failure, run_batch, text
from mergegate.hooks.finding import Finding
from mergegate.hooks.selection import most_specific

TOOL = "flake8"
MODULE = "flake8"
REQUIREMENT = "flake8>=7.2"
DOCS_URL = "https://flake8.pycqa.org/en/latest/user/error-codes.html"
SECURITY = False
RUNNER = os.path.join(os.path.dirname(os.path.abspath(__file__)), "flake8_runner.py")
"""Run instead of flake8's own command line (see flake8_runner.py)."""
PLUGIN_GROUPS = ("flake8.extension", "flake8.report")
"""Entry-point groups of flake8's plugins: their versions key the cache."""
OWN_PLUGINS = frozenset({"flake8", "mccabe"})
"""The distributions of flake8's own checks (pyflakes and pycodestyle come in flake8's own entry
points; mccabe in its own): each reads only the file it checks."""
CONFIG_FILES = ("setup.cfg", "tox.ini", ".flake8")
START_SECONDS, SECONDS_PER_MB = 0.15, 2.7
"""CPU seconds to start it and to check a megabyte of Python (flake8 7.5, pyflakes, pycodestyle
and mccabe on the standard library); they size batches, never decide a finding."""

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


def configuration(folder: str, root: str, files: ConfigFiles) -> object:
    """flake8 reads the first of CONFIG_FILES with a flake8 section from its working folder (the
    root) up, whatever the file: one configuration for all, keyed on the bytes of every
    candidate (and on a `[tool.flake8]` table, which plugins such as Flake8-pyproject read).
    None (not cached) with a third-party or local plugin."""
    if not plugins(PLUGIN_GROUPS) <= OWN_PLUGINS:
        return None
    candidates = []
    for parent in folders_up(root):
        for path in (os.path.join(parent, name) for name in CONFIG_FILES):
            data = files.data(path)
            if data is not None:
                if b"local-plugins" in data:
                    return None
                candidates.append([path, files.digest(path)])
    return [candidates, files.table(os.path.join(root, PYPROJECT), "tool", "flake8")]


def arguments(paths: Paths) -> list[str] | None:
    """One process (`--jobs 1`): the gate runs as many tools at a time as it is allowed."""
    return ["--jobs", "1", *paths.for_tool] if paths.for_tool else None


def findings(result: CompletedProcess[bytes], paths: Paths) -> list[Finding]:
    if result.returncode != 0:
        raise failure(TOOL, result, "failed")
    violations = _violations(result)
    sources = SourceText()
    found = []
    for reported, line, column, code, message in violations:
        path = paths.original(TOOL, reported)
        if code.startswith("F"):  # pyflakes counts UTF-8 bytes, from 0 (flake8 adds 1)
            column = sources.column(paths.absolute(reported), line, column - 1)
        elif code == "E999":  # flake8 takes Python's 1-based column for a 0-based one
            column -= 1
        line, column = max(line, 1), max(column, 1)
        found.append(
            Finding(f"{TOOL}:{code}", code, path, line, column, line, column, message, TOOL)
        )
    return found


def run(files: list[str], root: str) -> list[Finding]:
    """flake8's findings on `files`, from one run of it."""
    return run_batch(sys.modules[__name__], files, root)
