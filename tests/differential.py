"""Run mergegate's Python hooks and the reference tools on the same corpus, for comparison.

The corpus is the running Python's standard library (site-packages left out), restricted to the
files that parse, since reference tools report unparsable files in their own ways.
"""

from __future__ import annotations

import functools
import json
import os
import subprocess
import sys
import sysconfig
from pathlib import Path

from mergegate.hooks.finding import Finding
from mergegate.hooks.registry import RULES
from mergegate.hooks.source import Source, parse, run_checks

Place = tuple[str, int]  # (absolute path, line)


@functools.lru_cache(maxsize=1)
def stdlib_files() -> tuple[str, ...]:
    """Every .py file of the standard library that parses, sorted."""
    root = Path(sysconfig.get_paths()["stdlib"])
    files = []
    for path in sorted(root.rglob("*.py")):
        if "site-packages" in path.parts or "dist-packages" in path.parts:
            continue
        if isinstance(parse(str(path), path.read_bytes()), Source):
            files.append(str(path))
    return tuple(files)


def ours(rule_id: str, files: tuple[str, ...], **options: object) -> list[Finding]:
    """mergegate's findings for one rule on the files (no noqa: the references have their own)."""
    rule = RULES[rule_id]
    module = __import__(f"mergegate.hooks.{rule.module}", fromlist=["check"])
    merged = rule.default_options()
    merged.update(options)
    findings: list[Finding] = []
    for path in files:
        parsed = parse(path, Path(path).read_bytes())
        assert isinstance(parsed, Source), path
        findings.extend(run_checks(parsed, [(module.check, merged)]))
    return findings


def _tool(name: str) -> str:
    """The reference tool next to the running interpreter (installed by the test extras)."""
    candidate = Path(sys.executable).with_name(name)
    return str(candidate) if candidate.exists() else name


def flake8(select: str, files: tuple[str, ...]) -> list[tuple[str, int, int, str]]:
    """flake8's (path, line, col, code) for the selected codes; `# noqa` disabled like ours."""
    result = subprocess.run(
        [
            _tool("flake8"),
            "--isolated",
            "--disable-noqa",
            f"--select={select}",
            "-j",
            str(os.cpu_count() or 1),
            "--format=%(path)s\t%(row)d\t%(col)d\t%(code)s",
            *files,
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode in (0, 1), result.stderr
    rows = []
    for line in result.stdout.splitlines():
        path, row, col, code = line.split("\t")
        rows.append((path, int(row), int(col), code))
    return rows


SHARED_FOLDER = "MERGEGATE_TESTS_SHARED"
"""A folder every worker of one `pytest -n` session shares, and no other session."""
STDLIB_FLAKE8 = "E722,F824"
"""The codes the stdlib comparisons ask flake8 for: one run serves them all."""


def flake8_on_stdlib(code: str) -> list[tuple[str, int, int, str]]:
    """flake8's findings of `code` (one of STDLIB_FLAKE8) on the standard library. flake8 runs
    once per test session for every code, its result shared by the workers of `pytest -n`
    through a file in the session's own temporary folder (SHARED_FOLDER, set by conftest)."""
    return [row for row in _stdlib_flake8_rows() if row[3] == code]


@functools.lru_cache(maxsize=1)
def _stdlib_flake8_rows() -> tuple[tuple[str, int, int, str], ...]:
    # flake8 reports E722 only where `except` is written, F824 only where `global`/`nonlocal` is
    files = files_containing(stdlib_files(), "except", "global", "nonlocal")
    folder = os.environ.get(SHARED_FOLDER)
    if folder is None:
        return tuple(flake8(STDLIB_FLAKE8, files))
    import fcntl

    shared = Path(folder) / "flake8-stdlib.json"
    with open(shared.with_suffix(".lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # the other workers wait for the one run
        if not shared.exists():
            shared.write_text(json.dumps(flake8(STDLIB_FLAKE8, files)))
        rows = json.loads(shared.read_text())
    return tuple((path, line, column, code) for path, line, column, code in rows)


def ruff(select: str, files: tuple[str, ...], *extra: str) -> list[tuple[str, int, int, str]]:
    """ruff's (path, line, col, code) for the selected codes; `# noqa` disabled like ours."""
    result = subprocess.run(
        [
            _tool("ruff"),
            "check",
            "--isolated",
            "--no-cache",
            "--ignore-noqa",
            "--output-format=json",
            f"--select={select}",
            *extra,
            *files,
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode in (0, 1), result.stderr
    return [
        (item["filename"], item["location"]["row"], item["location"]["column"], item["code"])
        for item in json.loads(result.stdout)
    ]


def files_containing(files: tuple[str, ...], *words: str) -> tuple[str, ...]:
    """The files whose text contains one of `words`.

    flake8 cannot report E722 in a file without the keyword `except`, nor F824 without `global` or
    `nonlocal`: running it only on the files that contain them changes nothing but its time (our
    side still runs on every file, so a finding of ours elsewhere still fails the comparison).
    """
    chosen = []
    for path in files:
        text = Path(path).read_bytes()
        if any(word.encode() in text for word in words):
            chosen.append(path)
    return tuple(chosen)
