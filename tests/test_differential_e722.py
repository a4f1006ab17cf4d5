"""bare-except against the real E722s: ruff's by default, pycodestyle's (through flake8) with
`allow-reraise = false`. Agreement must be exact, at the same line and column, on edge cases
written here and on the running Python's standard library."""

from __future__ import annotations

import time
from collections import Counter

import pytest
from differential import (
    flake8,
    flake8_on_stdlib,
    ours,
    ours_on_stdlib,
    ruff,
    ruff_on_stdlib,
    stdlib_files,
)

from mergegate.hooks.finding import Finding

Place = tuple[str, int, int]  # (path, line, 1-based column in characters)

EDGE_CASES = """\
try:
    work()
except:
    pass
try:
    work()
except :
    cleanup()
    raise
try:
    work()
except:
    if fatal():
        raise
try:
    work()
except:
    raise exc
try:
    work()
except:
    try:
        recover()
    except:
        raise
try:
    work()
except:
    pass
else:
    raise
finally:
    raise
def f():
    try: s = "€€"
    except: s = "é"  # café
class C:
    async def g(self):
        try:
            await work()
        except:
            log(); raise
if x:
\ttry:
\t\twork()
\texcept:
\t\tpass
try:
    work()
\x0cexcept:
    pass
try:
    work()
except ValueError:
    pass
"""


def place_counts(findings: list[Finding]) -> Counter[Place]:
    return Counter((finding.path, finding.line, finding.column) for finding in findings)


def reference_counts(rows: list[tuple[str, int, int, str]]) -> Counter[Place]:
    assert {code for _, _, _, code in rows} <= {"E722"}
    return Counter((path, line, column) for path, line, column, _ in rows)


def describe(mine: Counter[Place], theirs: Counter[Place], tool: str) -> str:
    only_ours = sorted((mine - theirs).elements())
    only_theirs = sorted((theirs - mine).elements())
    return (
        f"ours {sum(mine.values())}, {tool} {sum(theirs.values())}; "
        f"only ours {len(only_ours)}: {only_ours[:5]}; only {tool} {len(only_theirs)}: "
        f"{only_theirs[:5]}"
    )


@pytest.fixture(scope="module")
def edge_files(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, ...]:
    folder = tmp_path_factory.mktemp("e722")
    lf, crlf = folder / "edge.py", folder / "edge_crlf.py"
    lf.write_bytes(EDGE_CASES.encode("utf-8"))
    crlf.write_bytes(EDGE_CASES.replace("\n", "\r\n").encode("utf-8"))
    return (str(lf), str(crlf))


def test_edge_cases_agree_with_ruff(edge_files: tuple[str, ...]) -> None:
    mine = place_counts(ours("bare-except", edge_files))
    theirs = reference_counts(ruff("E722", edge_files))
    assert mine == theirs, describe(mine, theirs, "ruff")
    assert sum(mine.values()) == 2 * 8  # ruff allows the three direct re-raises, and only those


def test_edge_cases_agree_with_flake8(edge_files: tuple[str, ...]) -> None:
    mine = place_counts(ours("bare-except", edge_files, **{"allow-reraise": False}))
    theirs = reference_counts(flake8("E722", edge_files))
    assert mine == theirs, describe(mine, theirs, "flake8")
    assert sum(mine.values()) == 2 * 11  # every bare handler


def test_stdlib_agrees_with_ruff_e722() -> None:
    files = stdlib_files()
    rows, ruff_seconds = ruff_on_stdlib("E722")
    theirs = reference_counts(rows)
    found, our_seconds = ours_on_stdlib("bare-except")
    mine = place_counts(found)
    figures = (
        f"E722 (ruff, allow-reraise) on {len(files)} stdlib files: "
        f"{describe(mine, theirs, 'ruff')} ({ruff_seconds:.1f} s vs ours {our_seconds:.1f} s)"
    )
    print("\n" + figures)
    assert mine == theirs, figures
    assert sum(theirs.values()) > 0, figures


@pytest.mark.slow
def test_stdlib_agrees_with_flake8_e722() -> None:
    files = stdlib_files()
    started = time.perf_counter()
    theirs = reference_counts(flake8_on_stdlib("E722"))
    flake8_seconds = time.perf_counter() - started
    mine = place_counts(ours_on_stdlib("bare-except", **{"allow-reraise": False})[0])
    figures = (
        f"E722 (flake8, no allow-reraise) on {len(files)} stdlib files: "
        f"{describe(mine, theirs, 'flake8')} (flake8 {flake8_seconds:.1f} s)"
    )
    print("\n" + figures)
    assert mine == theirs, figures
    assert sum(theirs.values()) > 0, figures


def test_strict_mode_reports_a_superset_on_the_edge_cases(edge_files: tuple[str, ...]) -> None:
    """Every handler ruff reports, pycodestyle does too: allow-reraise only removes findings."""
    allowed = place_counts(ours("bare-except", edge_files))
    strict = place_counts(ours("bare-except", edge_files, **{"allow-reraise": False}))
    assert allowed - strict == Counter()
    assert sum(allowed.values()) < sum(strict.values())
