"""`--fix --unsafe-fixes` never turns a file that parses into one that does not (nor one that
compiles into one that does not), never changes a file without fixable findings, and settles: a
second run has nothing left to fix. On generated programs (hypothesmith, and nested blocks of the
statements the fixes remove, where emptied blocks and new docstrings lurk) and on a copy of the
running Python's standard library (slow: a minute or two; CI runs it)."""

from __future__ import annotations

import json
import os
import shutil
import sys
import sysconfig
import warnings
from collections import Counter
from pathlib import Path
from typing import Iterator

import hypothesmith
import pytest
from helpers import generated_programs
from hypothesis import HealthCheck, given
from hypothesis import strategies as st

from mergegate.gates import fixes
from mergegate.gates.cli import main
from mergegate.gates.model import fixable
from mergegate.gates.pipeline import Request, run

GENERATED = generated_programs(100, HealthCheck.function_scoped_fixture)
CONFIG = '[tool.mergegate]\nfail-on = "never"\n[tool.mergegate.rules.bare-except]\n'
CONFIG += "allow-reraise = false\n"


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    root = tmp_path_factory.mktemp("fixproperty")
    (root / "pyproject.toml").write_text(CONFIG)
    cwd = os.getcwd()
    os.chdir(root)
    try:
        yield root
    finally:
        os.chdir(cwd)


def compiles(text: str) -> bool:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            compile(text, "generated.py", "exec", dont_inherit=True)
    except (SyntaxError, ValueError):
        return False
    return True


def parses(text: str) -> bool:
    import ast

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            ast.parse(text)
    except (SyntaxError, ValueError):
        return False
    return True


def fixed_text(project: Path, text: str) -> tuple[str, int, list[str]]:
    """The text `--fix --unsafe-fixes` makes of a file, how many fixable findings it had, notes."""
    (project / "generated.py").write_text(text)
    request = Request(["generated.py"])
    request.cache = False
    before = run(request)
    outcome, result = fixes.fix(request, unsafe=True, write=False)
    fixable_count = sum(1 for item in before.items if fixable(item, True))
    changed = [file.text for file in result.changed]
    return (changed[0] if changed else text), fixable_count, result.dropped + result.notes


def docstrings(text: str) -> int:
    """How many modules, classes and functions start with a string: a fix must not make one."""
    import ast

    tree = ast.parse(text)
    return sum(
        1
        for node in ast.walk(tree)
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef))
        and node.body
        and isinstance(node.body[0], ast.Expr)
        and isinstance(node.body[0].value, ast.Constant)
        and isinstance(node.body[0].value.value, str)
    )


def assert_fix_is_sound(project: Path, text: str) -> None:
    if not parses(text):
        return
    after, count, notes = fixed_text(project, text)
    assert parses(after), (text, after)
    assert docstrings(after) <= docstrings(text), (text, after)
    if compiles(text):
        assert compiles(after), (text, after)
    if count == 0:
        assert after == text
    if not any("did not settle" in note for note in notes):
        again, _, _ = fixed_text(project, after)
        assert again == after, (after, again)


@pytest.mark.filterwarnings("ignore::SyntaxWarning")
@GENERATED
@given(code=hypothesmith.from_node())
def test_programs_from_syntax_trees(project: Path, code: str) -> None:
    assert_fix_is_sound(project, code)


@pytest.mark.filterwarnings("ignore::SyntaxWarning")
@GENERATED
@given(code=hypothesmith.from_grammar())
def test_programs_from_the_grammar(project: Path, code: str) -> None:
    assert_fix_is_sound(project, code)


SIMPLE = st.sampled_from(
    [
        "print(x)",
        "print(x); y = 1",
        "y = 1; print(x)",
        "global g",
        "global g, h; g = 1",
        '"text"',
        "x = 1",
        "pass",
        "import pprint; pprint.pp(x)",
    ]
)


def _indented(lines: list[str], depth: int) -> list[str]:
    return ["    " * depth + line for line in lines]


def blocks(depth: int = 0) -> st.SearchStrategy[list[str]]:
    """Statement lists, compound statements nested in them, at most three levels deep."""
    simple = SIMPLE.map(lambda line: [line])
    if depth >= 3:
        return st.lists(simple, min_size=1, max_size=4).map(lambda b: [s for x in b for s in x])
    inner = st.deferred(lambda: blocks(depth + 1))
    compound = st.one_of(
        inner.map(lambda body: ["def f():", *_indented(body, 1)]),
        inner.map(lambda body: ["class C:", *_indented(body, 1)]),
        inner.map(lambda body: ["if x:", *_indented(body, 1)]),
        st.tuples(inner, inner).map(
            lambda pair: ["try:", *_indented(pair[0], 1), "except:", *_indented(pair[1], 1)]
        ),
        SIMPLE.map(lambda line: [f"if x: {line}"]),
    )
    return st.lists(st.one_of(simple, compound), min_size=1, max_size=4).map(
        lambda parts: [line for part in parts for line in part]
    )


@GENERATED
@given(lines=blocks())
def test_nested_blocks_of_removable_statements(project: Path, lines: list[str]) -> None:
    assert_fix_is_sound(project, "\n".join(lines) + "\n")


@pytest.mark.slow
def test_the_standard_library_still_parses_and_its_fixed_findings_are_gone(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    stdlib = Path(sysconfig.get_paths()["stdlib"])
    copy = tmp_path / "lib"
    shutil.copytree(
        stdlib, copy, ignore=shutil.ignore_patterns("site-packages", "__pycache__", "*.pyc")
    )
    (tmp_path / "pyproject.toml").write_text(CONFIG)
    monkeypatch.chdir(tmp_path)
    sources = {path: path.read_bytes() for path in copy.rglob("*.py")}
    compiled = {path for path, data in sources.items() if compiles_bytes(data)}
    jobs = str(min(4, os.cpu_count() or 1))
    # fail-on never: only the files that do not parse (a few test files of the stdlib) block
    assert main(["run", "--no-cache", "-j", jobs, "--format", "json:before.json"]) == 1
    main(
        ["run", "--fix", "--unsafe-fixes", "--no-cache", "-j", jobs, "--format", "json:after.json"]
    )
    before, after = (json.loads(Path(name).read_text()) for name in ("before.json", "after.json"))
    changed = [path for path in sources if path.read_bytes() != sources[path]]
    broken = [path for path in compiled if not compiles_bytes(path.read_bytes())]
    assert broken == []
    left = [f for f in after["findings"] if f["fix"] is not None]
    dropped = [note for note in after["notes"] if "was not applied" in note]
    assert len(left) <= len(dropped) + sum("did not settle" in n for n in after["notes"])
    fixed = Counter(f["code"] for f in before["findings"] if f["fix"] is not None) - Counter(
        f["code"] for f in left
    )
    assert {f["code"] for f in before["findings"] if f["blocking"]} == {"MG001"}
    capsys.readouterr()
    assert main(["run", "--diff", "--unsafe-fixes", "--no-cache", "-j", jobs]) == 0  # no diff
    figures = (
        f"stdlib {sys.version.split()[0]}: {len(sources)} files, {len(changed)} fixed;"
        f" findings fixed per code {dict(sorted(fixed.items()))};"
        f" dropped by the guard: {len(dropped)}; notes: {after['notes']}"
    )
    print("\n" + figures)
    assert changed and sum(fixed.values()) > 0, figures


def compiles_bytes(data: bytes) -> bool:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            compile(data, "stdlib.py", "exec", dont_inherit=True)
    except (SyntaxError, ValueError):
        return False
    return True
