"""unused-global against pyflakes' F824, on our fixtures and on the standard library.

We agree with F824 except where pyflakes misses a binding (see the rule's `differences`). Those
places are identified here independently of our hook: by pyflakes itself, with one of its own
decisions switched off at a time (`FixedChecker`). A place F824 reports that we do not must vanish
under exactly such a switch; any other difference fails.
"""

from __future__ import annotations

import ast
import time
from collections import Counter
from pathlib import Path

import pytest
from differential import flake8_on_stdlib, ours_on_stdlib
from helpers import FIXTURES, check_python
from pyflakes import messages
from pyflakes.checker import Checker, ClassScope, ComprehensionScope, FunctionScope

from mergegate.hooks.finding import Finding

Place = tuple[str, int, int]  # (path, line, 1-based column), as flake8 reports it

# pyflakes' false positives we fix, each as the switch that removes it and the fixture marker.
CONDITIONAL_DEL = "conditional del"  # a `del` with an `if`/`while` above it does not count
COMPREHENSION_WALRUS = "walrus in comprehension"  # binds in the comprehension's scope only
OTHER_BRANCH = "binding on another branch"  # than the declaration's (if/else, try/except)
FIXES = (CONDITIONAL_DEL, COMPREHENSION_WALRUS, OTHER_BRANCH)
MARKER = "pyflakes-F824: "


class FixedChecker(Checker):
    """pyflakes, with the given false positives of F824 fixed and nothing else changed.

    Uses pyflakes' internals (`indirect_assignments`, where F824 keeps the declarations not yet
    bound): if they change, these tests fail loudly rather than pass.
    """

    def __init__(self, tree: ast.Module, filename: str, fixes: frozenset[str]) -> None:
        self.fixes = fixes
        super().__init__(tree, filename=filename, withDoctest=False)

    def handleNodeDelete(self, node: ast.Name) -> None:
        if CONDITIONAL_DEL in self.fixes and isinstance(self.scope, (ClassScope, FunctionScope)):
            self.scope.indirect_assignments.pop(node.id, None)
        super().handleNodeDelete(node)

    def handleNodeStore(self, node: ast.AST) -> None:
        if (
            COMPREHENSION_WALRUS in self.fixes
            and isinstance(self.scope, ComprehensionScope)
            and isinstance(self.getParent(node), ast.NamedExpr)
        ):
            enclosing = next(
                scope
                for scope in reversed(self.scopeStack)
                if not isinstance(scope, ComprehensionScope)
            )
            if isinstance(enclosing, (ClassScope, FunctionScope)):
                enclosing.indirect_assignments.pop(node.id, None)
        super().handleNodeStore(node)

    def differentForks(self, lnode: ast.AST, rnode: ast.AST) -> bool:
        return OTHER_BRANCH not in self.fixes and super().differentForks(lnode, rnode)


def pyflakes_f824(path: str, fixes: frozenset[str] = frozenset()) -> Counter[Place]:
    """pyflakes' F824 places in a file, with the given fixes."""
    checker = FixedChecker(ast.parse(Path(path).read_bytes(), path), path, fixes)
    return Counter(
        (path, message.lineno, message.col + 1)
        for message in checker.messages
        if isinstance(message, messages.UnusedIndirectAssignment)
    )


def false_positives(path: str) -> dict[str, Counter[Place]]:
    """F824's places in a file that one of our fixes removes, by fix (the first that does)."""
    remaining = pyflakes_f824(path)
    by_fix = {}
    for fix in FIXES:
        by_fix[fix] = remaining - pyflakes_f824(path, frozenset([fix]))
        remaining -= by_fix[fix]
    return by_fix


def total(by_fix: dict[str, Counter[Place]]) -> Counter[Place]:
    return sum(by_fix.values(), Counter())


def counter_of(findings: list[Finding]) -> Counter[Place]:
    return Counter((finding.path, finding.line, finding.column) for finding in findings)


UNUSED_GLOBAL_FIXTURES = sorted((FIXTURES / "python").glob("unused-global*.py"))


@pytest.mark.parametrize("path", UNUSED_GLOBAL_FIXTURES, ids=lambda path: path.name)
def test_fixture_is_pyflakes_minus_marked_false_positives(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    mine = counter_of(check_python("unused-global", text, path=str(path)))
    by_fix = false_positives(str(path))
    assert mine == pyflakes_f824(str(path)) - total(by_fix)
    assert mine == pyflakes_f824(str(path), frozenset(FIXES))
    marked = {
        fix: {
            number
            for number, line in enumerate(text.splitlines(), start=1)
            if line.endswith(MARKER + fix)
        }
        for fix in FIXES
    }
    assert {fix: {place[1] for place in places} for fix, places in by_fix.items()} == marked


def test_each_fix_changes_only_its_own_case(tmp_path: Path) -> None:
    """The switches themselves: each one silences its own false positive and no other."""
    cases = {  # the false positive, and where F824 reports it
        CONDITIONAL_DEL: ("def f(flag):\n    global x\n    if flag:\n        del x\n", 2, 5),
        COMPREHENSION_WALRUS: ("def f(v):\n    global x\n    return [(x := i) for i in v]\n", 2, 5),
        OTHER_BRANCH: ("def f(a):\n    if a:\n        global x\n    else:\n        x = 1\n", 3, 9),
    }
    for case, (text, line, column) in cases.items():
        path = tmp_path / "case.py"
        path.write_text(text, encoding="utf-8")
        assert check_python("unused-global", text) == []
        for fix in FIXES:
            expected = Counter() if fix == case else Counter({(str(path), line, column): 1})
            assert pyflakes_f824(str(path), frozenset([fix])) == expected, (case, fix)


class StdlibRun:
    """One flake8 F824 run and one of ours on the standard library, shared by the tests."""

    def __init__(self) -> None:
        started = time.perf_counter()
        flagged = flake8_on_stdlib("F824")
        self.flake8 = Counter((path, line, col) for path, line, col, _ in flagged)
        self.flake8_seconds = time.perf_counter() - started
        found, self.ours_seconds = ours_on_stdlib("unused-global")
        self.ours = counter_of(found)


@pytest.fixture(scope="module")
def stdlib_run() -> StdlibRun:
    return StdlibRun()


def positions(places: Counter[Place]) -> Counter[tuple[str, int]]:
    """The same places without their columns (a line may hold several)."""
    lines: Counter[tuple[str, int]] = Counter()
    for (path, line, _), count in places.items():
        lines[path, line] += count
    return lines


@pytest.fixture(scope="module")
def stdlib_false_positives(stdlib_run: StdlibRun) -> dict[str, Counter[Place]]:
    """pyflakes' false positives in every file where flake8 and we differ at all.

    pyflakes run here must first see exactly what flake8 saw in those files.
    """
    differing = stdlib_run.flake8 - stdlib_run.ours + (stdlib_run.ours - stdlib_run.flake8)
    by_fix: dict[str, Counter[Place]] = {fix: Counter() for fix in FIXES}
    for path in sorted({place[0] for place in differing}):
        in_file = Counter({place: n for place, n in stdlib_run.flake8.items() if place[0] == path})
        assert pyflakes_f824(path) == in_file, path
        for fix, places in false_positives(path).items():
            by_fix[fix] += places
    return by_fix


@pytest.mark.slow
def test_stdlib_lines_are_flake8_minus_documented_false_positives(
    stdlib_run: StdlibRun, stdlib_false_positives: dict[str, Counter[Place]]
) -> None:
    expected = positions(stdlib_run.flake8) - positions(total(stdlib_false_positives))
    assert positions(stdlib_run.ours) == expected
    print(
        f"\nF824 on the stdlib: flake8 {sum(stdlib_run.flake8.values())} "
        f"in {stdlib_run.flake8_seconds:.1f} s, ours {sum(stdlib_run.ours.values())} "
        f"in {stdlib_run.ours_seconds:.1f} s; pyflakes' false positives: "
        + ", ".join(
            f"{fix} {sum(places.values())}" for fix, places in stdlib_false_positives.items()
        )
    )


@pytest.mark.slow
def test_stdlib_columns_agree_with_flake8(
    stdlib_run: StdlibRun, stdlib_false_positives: dict[str, Counter[Place]]
) -> None:
    assert stdlib_run.ours == stdlib_run.flake8 - total(stdlib_false_positives)
