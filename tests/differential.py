"""Run mergegate's Python hooks and the reference tools on the same corpus, for comparison.

The corpus is the running Python's standard library (site-packages left out), restricted to the
files that parse, since reference tools report unparsable files in their own ways.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import sysconfig
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any, Callable

from mergegate.hooks.finding import Finding
from mergegate.hooks.registry import RULES
from mergegate.hooks.source import Source, parse, run_checks

TYPE_CHECKING = False
if TYPE_CHECKING:
    from mergegate.gates.filecheck import CheckFunction

Place = tuple[str, int]  # (absolute path, line)


def stdlib_files() -> tuple[str, ...]:
    """Every .py file of the standard library that parses, sorted."""
    return tuple(shared("ours-stdlib", _run_on_stdlib)["files"])


STDLIB_RUNS: dict[str, tuple[str, dict[str, object]]] = {
    "bare-except": ("bare-except", {}),
    "bare-except, allow-reraise = false": ("bare-except", {"allow-reraise": False}),
    "unused-global": ("unused-global", {}),
    "debug-print": ("debug-print", {}),
    "global-singleton-without-lock": ("global-singleton-without-lock", {}),
}
"""The (rule, options) pairs the stdlib comparisons ask for: one pass over the library runs
them all, parsing each file once."""


def ours_on_stdlib(rule_id: str, **options: object) -> tuple[list[Finding], float]:
    """`ours(rule_id, stdlib_files(), **options)` and the seconds its check took, from the one
    pass of every STDLIB_RUNS entry, shared by the workers of `pytest -n` (see `shared`)."""
    key = next(key for key, run in STDLIB_RUNS.items() if run == (rule_id, options))
    result = shared("ours-stdlib", _run_on_stdlib)
    rows: list[dict[str, object]] = result["findings"][key]
    seconds: float = result["seconds"][key]
    return [Finding.from_dict(row) for row in rows], seconds


def _run_on_stdlib() -> dict[str, object]:
    """Every STDLIB_RUNS entry on every file that parses, the files split between processes, one
    per core (a `pytest -n` worker waiting for this result leaves its core idle)."""
    root = Path(sysconfig.get_paths()["stdlib"])
    paths = [
        str(path)
        for path in sorted(root.rglob("*.py"))
        if "site-packages" not in path.parts and "dist-packages" not in path.parts
    ]
    jobs = os.cpu_count() or 1
    with ProcessPoolExecutor(jobs) as pool:
        parts = list(pool.map(_run_on_files, [paths[start::jobs] for start in range(jobs)]))
    files = sorted(path for part in parts for path in part["files"])
    findings = {
        key: [row for part in parts for row in part["findings"][key]] for key in STDLIB_RUNS
    }
    seconds = {key: sum(part["seconds"][key] for part in parts) for key in STDLIB_RUNS}
    return {"files": files, "findings": findings, "seconds": seconds}


def _run_on_files(paths: list[str]) -> dict[str, Any]:
    runs = [(key, _check_of(rule_id, options)) for key, (rule_id, options) in STDLIB_RUNS.items()]
    files: list[str] = []
    findings: dict[str, list[dict[str, object]]] = {key: [] for key in STDLIB_RUNS}
    seconds = dict.fromkeys(STDLIB_RUNS, 0.0)
    for path in paths:
        parsed = parse(path, Path(path).read_bytes())
        if not isinstance(parsed, Source):
            continue
        files.append(path)
        for key, check in runs:
            started = time.perf_counter()
            findings[key].extend(finding.as_dict() for finding in run_checks(parsed, [check]))
            seconds[key] += time.perf_counter() - started
    return {"files": files, "findings": findings, "seconds": seconds}


def _check_of(rule_id: str, options: dict[str, object]) -> tuple[CheckFunction, dict[str, object]]:
    rule = RULES[rule_id]
    module = __import__(f"mergegate.hooks.{rule.module}", fromlist=["check"])
    merged = rule.default_options()
    merged.update(options)
    return module.check, merged


def ours(rule_id: str, files: tuple[str, ...], **options: object) -> list[Finding]:
    """mergegate's findings for one rule on the files (no noqa: the references have their own)."""
    check = _check_of(rule_id, options)
    findings: list[Finding] = []
    for path in files:
        parsed = parse(path, Path(path).read_bytes())
        assert isinstance(parsed, Source), path
        findings.extend(run_checks(parsed, [check]))
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
    """flake8's findings of `code` (one of STDLIB_FLAKE8) on the standard library, from one run
    for every code shared by the workers of `pytest -n` (see `shared`)."""
    rows = shared("flake8-stdlib", _run_flake8_on_stdlib)
    return [(path, line, column, found) for path, line, column, found in rows if found == code]


def _run_flake8_on_stdlib() -> list[tuple[str, int, int, str]]:
    return flake8(STDLIB_FLAKE8, files_flake8_can_report_on(stdlib_files()))


_shared: dict[str, Any] = {}
"""This process's copy of each `shared` result, by name."""


def shared(name: str, compute: Callable[[], Any]) -> Any:
    """`compute()`'s JSON-able result, computed once per test session: the workers of `pytest -n`
    share it through a file in the session's own temporary folder (SHARED_FOLDER, set by
    conftest), the first to ask computing it while the others wait; each keeps its copy."""
    if name not in _shared:
        _shared[name] = json.loads(_shared_text(name, compute))  # the same types either way
    return _shared[name]


def _shared_text(name: str, compute: Callable[[], Any]) -> str:
    folder = os.environ.get(SHARED_FOLDER)
    if folder is None:
        return json.dumps(compute())
    import fcntl

    result = Path(folder) / f"{name}.json"
    with open(result.with_suffix(".lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not result.exists():
            result.write_text(json.dumps(compute()))
        return result.read_text()


STDLIB_RUFF = "E722,T201,T203"
"""The codes the stdlib comparisons ask ruff for: one run serves them all."""


def ruff_on_stdlib(*codes: str) -> tuple[list[tuple[str, int, int, str]], float]:
    """ruff's findings of `codes` (of STDLIB_RUFF) on the standard library and the seconds the
    run took, from one run for every code shared by the workers of `pytest -n`."""
    result = shared("ruff-stdlib", _run_ruff_on_stdlib)
    rows = [
        (path, line, column, found)
        for path, line, column, found in result["rows"]
        if found in codes
    ]
    return rows, result["seconds"]


def _run_ruff_on_stdlib() -> dict[str, object]:
    started = time.perf_counter()
    rows = ruff(STDLIB_RUFF, stdlib_files())
    return {"rows": rows, "seconds": time.perf_counter() - started}


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


REPORTABLE = re.compile(rb"except(?:\s|\\)*:|global|nonlocal")
"""Text without which flake8 cannot report E722 (pycodestyle matches `except\\s*:` in the logical
line, where a line continuation becomes a space) nor F824 (no `global` or `nonlocal` statement):
keywords are ASCII, never the NFKC forms identifiers may take."""


def files_flake8_can_report_on(files: tuple[str, ...]) -> tuple[str, ...]:
    """The files holding REPORTABLE text. Running flake8 on these alone changes nothing but its
    time; our side still runs on every file, so a finding of ours elsewhere still fails the
    comparison."""
    return tuple(path for path in files if REPORTABLE.search(Path(path).read_bytes()))
