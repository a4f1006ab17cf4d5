"""debug-print against ruff's T201/T203, at the same line and column.

Our findings must be ruff's minus exactly the documented exclusions, plus exactly the documented
addition: calls in `if __name__ == "__main__":` blocks, in `__main__.py` files and in test files are
left out; `pprint.pp` calls are added (T203 knows only `pprint.pprint`). Both are computed here
from the source with the standard `ast` module and `fnmatch`, not with the hook's own code, so a
finding the hook drops or adds for any other reason fails the comparison. Calls writing to another
`file=`/`stream=` are left out by ruff and by us alike; they are counted and checked to be absent.
"""

from __future__ import annotations

import ast
import functools
import random
import time
import tokenize
from collections import Counter
from fnmatch import fnmatch
from pathlib import Path, PurePath

import pytest
from differential import ours, ours_on_stdlib, ruff, ruff_on_stdlib, stdlib_files

from mergegate.hooks.finding import Finding

Place = tuple[str, int, int, str]  # (path, line, 1-based column in characters, our code)
Position = tuple[int, int]  # (line, 1-based column in characters)

CODES = {"T201": "MG301", "T203": "MG302"}
MAIN_GUARDS = {"__name__ == '__main__'", "'__main__' == __name__"}  # as ast.unparse spells them
STANDARD_STREAMS = {"None", "sys.stdout", "sys.stderr"}


class Source:
    """A file read on its own, for the independent computations."""

    def __init__(self, path: str) -> None:
        with tokenize.open(path) as handle:  # the declared encoding; universal newlines
            self.text = handle.read()
        self.path = path
        self.lines = self.text.split("\n")
        self.tree = ast.parse(self.text, path)

    def position(self, line: int, byte_offset: int) -> Position:
        prefix = self.lines[line - 1].encode("utf-8")[:byte_offset]
        return line, len(prefix.decode("utf-8")) + 1

    @functools.cached_property
    def main_guard_bodies(self) -> list[tuple[Position, Position]]:
        """Start and end (exclusive) of each `if __name__ == "__main__":` body."""
        return [
            (
                self.position(node.body[0].lineno, node.body[0].col_offset),
                self.position(node.body[-1].end_lineno, node.body[-1].end_col_offset),
            )
            for node in ast.walk(self.tree)
            if isinstance(node, ast.If) and ast.unparse(node.test) in MAIN_GUARDS
        ]

    def in_main_guard(self, position: Position) -> bool:
        return any(start <= position < end for start, end in self.main_guard_bodies)

    def calls(self) -> list[ast.Call]:
        return [node for node in ast.walk(self.tree) if isinstance(node, ast.Call)]

    def place(self, call: ast.Call, code: str) -> Place:
        line, column = self.position(call.func.lineno, call.func.col_offset)
        return (self.path, line, column, code)

    def pprint_pp_calls(self) -> set[Place]:
        """`pprint.pp(...)` and `pp(...)` after `import pprint` / `from pprint import pp`."""
        modules, functions = set(), set()
        for node in ast.walk(self.tree):
            if isinstance(node, ast.Import):
                modules |= {a.asname or a.name for a in node.names if a.name == "pprint"}
            elif isinstance(node, ast.ImportFrom) and node.module == "pprint":
                functions |= {a.asname or a.name for a in node.names if a.name == "pp"}
        return {
            self.place(call, "MG302")
            for call in self.calls()
            if (isinstance(call.func, ast.Name) and call.func.id in functions)
            or (
                isinstance(call.func, ast.Attribute)
                and call.func.attr == "pp"
                and isinstance(call.func.value, ast.Name)
                and call.func.value.id in modules
            )
        }

    def redirected_calls(self) -> set[Place]:
        """`print(..., file=X)` / `pprint.pprint(..., stream=X)` with X not stdout or stderr."""
        places = set()
        for call in self.calls():
            name = ast.unparse(call.func)
            keyword = {"print": "file", "pprint.pprint": "stream"}.get(name)
            if keyword is None:
                continue
            for given in call.keywords:
                if given.arg == keyword and ast.unparse(given.value) not in STANDARD_STREAMS:
                    places.add(self.place(call, "MG301" if keyword == "file" else "MG302"))
        return places


def mentions_print(path: str) -> bool:
    """Whether the file may call `print`, `pprint.pprint` or `pprint.pp`: an ASCII text names
    none of them without writing "print" (`pp` is imported from `pprint`)."""
    data = Path(path).read_bytes()
    return not data.isascii() or b"print" in data


def is_test_file(path: str) -> bool:
    """The default `exclude`: test_*.py, *_test.py, conftest.py, or in a test/tests folder."""
    parts = PurePath(path)
    return (
        fnmatch(parts.name, "test_*.py")
        or fnmatch(parts.name, "*_test.py")
        or parts.name == "conftest.py"
        or bool({"test", "tests"} & set(parts.parent.parts))
    )


class Comparison:
    """ruff's findings sorted into the documented categories, next to ours."""

    def __init__(
        self,
        files: tuple[str, ...],
        theirs: tuple[list[tuple[str, int, int, str]], float],
        ours: tuple[list[Finding], float],
    ) -> None:
        rows, self.ruff_seconds = theirs
        found, self.our_seconds = ours
        self.ours = Counter(place_of(finding) for finding in found)
        self.ruff: Counter[Place] = Counter(
            (path, line, column, CODES[code]) for path, line, column, code in rows
        )
        self.files = len(files)
        self.categories: dict[str, Counter[Place]] = {
            name: Counter() for name in ("__main__.py", "test files", "main blocks", "kept")
        }
        sources: dict[str, Source] = {}
        for place, count in self.ruff.items():
            path = place[0]
            if PurePath(path).name == "__main__.py":
                category = "__main__.py"
            elif is_test_file(path):
                category = "test files"
            else:
                source = sources.setdefault(path, Source(path))
                category = "main blocks" if source.in_main_guard(place[1:3]) else "kept"
            self.categories[category][place] += count
        self.pprint_pp: Counter[Place] = Counter()
        self.redirected: set[Place] = set()
        for path in files:
            if PurePath(path).name == "__main__.py" or is_test_file(path):
                continue
            if not mentions_print(path):
                continue  # neither a `pprint.pp` nor a redirected call: no tree needed
            source = sources.get(path) or Source(path)
            for place in source.pprint_pp_calls():
                if not source.in_main_guard(place[1:3]):
                    self.pprint_pp[place] += 1
            self.redirected |= source.redirected_calls()

    @property
    def expected(self) -> Counter[Place]:
        return self.categories["kept"] + self.pprint_pp

    def figures(self) -> str:
        only_ours = sorted((self.ours - self.expected).elements())
        only_expected = sorted((self.expected - self.ours).elements())
        left_out = ", ".join(
            f"{name} {sum(places.values())}"
            for name, places in self.categories.items()
            if name != "kept"
        )
        return (
            f"T201/T203 on {self.files} files: ruff {sum(self.ruff.values())} "
            f"({self.ruff_seconds:.1f} s), ours {sum(self.ours.values())} "
            f"({self.our_seconds:.1f} s); left out: {left_out}; pprint.pp added "
            f"{sum(self.pprint_pp.values())}; file=/stream= redirections (neither reports) "
            f"{len(self.redirected)}; only ours {len(only_ours)}: {only_ours[:5]}; "
            f"only expected {len(only_expected)}: {only_expected[:5]}"
        )


def place_of(finding: Finding) -> Place:
    return (finding.path, finding.line, finding.column, finding.code)


def compared_with_ours(files: tuple[str, ...]) -> Comparison:
    started = time.perf_counter()
    rows = ruff("T201,T203", files)
    theirs = (rows, time.perf_counter() - started)
    started = time.perf_counter()
    found = ours("debug-print", files)
    return Comparison(files, theirs, (found, time.perf_counter() - started))


@pytest.fixture(scope="module")
def stdlib() -> Comparison:
    theirs = ruff_on_stdlib("T201", "T203")
    return Comparison(stdlib_files(), theirs, ours_on_stdlib("debug-print"))


def test_stdlib_is_ruff_minus_documented_exclusions(stdlib: Comparison) -> None:
    figures = stdlib.figures()
    print("\n" + figures)
    assert stdlib.ours == stdlib.expected, figures


def test_stdlib_exercises_every_exclusion(stdlib: Comparison) -> None:
    """Each category is met on the standard library, so dropping its handling would show."""
    figures = stdlib.figures()
    for name in ("__main__.py", "test files", "main blocks", "kept"):
        assert stdlib.categories[name], (name, figures)
    assert stdlib.redirected, figures
    assert not set(stdlib.ours) & stdlib.redirected, figures
    assert not set(stdlib.ruff) & stdlib.redirected, figures


# Generated programs: the scoping rules, far beyond what the standard library happens to contain.

CALLS = [
    "print({n})",
    "print({n}, file=None)",
    "print({n}, file=sys.stdout)",
    "print({n}, file=sys.stderr)",
    "print({n}, file=handle)",
    "print({n}, file=stderr)",
    "pprint({n})",
    "pprint.pprint({n})",
    "pretty_printer.pp({n})",  # never rebound below, so the check's search for it is exact
    "pprint.pprint({n}, stream=sys.stderr)",
    "pprint.pprint({n}, stream=handle)",
    "b.print({n})",
    "builtins.print({n})",
    "p({n})",
    "x = [print({n}) for print in y]",
    "x = [print({n}) for z in y]",
    "x = lambda: print({n})",
    "x = lambda print: print({n})",
    "x = f'{{print({n})}}'",
]
BINDINGS = [
    "print = 1",
    "pprint = 1",
    "del print",
    "del pprint",
    "del sys",
    "print += 1",
    "print: int",
    "y: print(0) = 1",
    "z: pprint(0)",
    "import pprint",
    "import pprint.sub",
    "import sys as pprint",
    "from pprint import pprint",
    "from pprint import pprint as print",
    "import builtins",
    "import builtins as b",
    "from builtins import print as p",
    "from builtins import print",
    "import sys",
    "from sys import stderr",
    "from rich import print",
    "(print := 1)",
    "x = [z for z in y if (print := 1)]",
    "x = lambda a=print(0): pprint(0)",
    "def print(): pass",
    "class print: pass",
    "def pprint(): pass",
    "sys = 1",
    "b = 1",
]
NAMES = ["print", "pprint", "sys", "b", "p", "builtins"]
BLOCKS = {
    "def": ["def f():"],
    "parameters": ["def g(print, pprint=print(0)):"],
    "async": ["async def h():"],
    "decorated": ["@print(0)", "def d(a=(print := 1)):"],
    "annotated": ["def e(a: print(0)) -> pprint(0):"],
    "class": ["class C:"],
    "bases": ["class K(print(0), metaclass=pprint.pprint(0)):"],
    "if": ["if x:"],
    "while": ["while x:"],
    "for": ["for print in y:"],
    "with": ["with x as pprint:"],
    "main": ['if __name__ == "__main__":'],
}
CLAUSES = {  # compound statements with more than one block
    "try": ["try:", "except E as {name}:"],
    "try-else": ["try:", "except E as {name}:", "else:"],
    "try-finally": ["try:", "finally:"],
    "for-else": ["for z in y:", "else:"],
    "while-else": ["while x:", "else:"],
    "if-else": ["if x:", "else:"],
    "match": ["match x:\n{indent}    case print:", "    case [*pprint]:"],
}


def generated_program(rng: random.Random) -> str:
    """A random program of nested scopes that binds, deletes and calls print and pprint."""
    lines = ["from __future__ import annotations"] if rng.random() < 0.3 else []
    lines.append("import pprint as pretty_printer")
    counter = iter(range(1, 10**6))

    def block(indent: int, depth: int) -> None:
        for _ in range(rng.randint(1, 4)):
            statement(indent, depth)

    def statement(indent: int, depth: int) -> None:
        pad = "    " * indent
        roll = rng.random()
        if depth == 0 or roll < 0.35:
            lines.append(pad + rng.choice(CALLS).format(n=next(counter)))
        elif roll < 0.6:
            lines.append(pad + rng.choice(BINDINGS))
        elif roll < 0.65:
            lines.append(pad + f"{rng.choice(['global', 'nonlocal'])} {rng.choice(NAMES)}")
        elif roll < 0.85:
            for head in rng.choice(list(BLOCKS.values())):
                lines.append(pad + head)
            block(indent + 1, depth - 1)
        else:
            for clause in rng.choice(list(CLAUSES.values())):
                text = clause.format(name=rng.choice(NAMES), indent=pad)
                lines.append(pad + text)
                block(indent + 1 + text.count("case"), depth - 1)

    block(0, 4)
    return "\n".join(lines) + "\n"


def test_generated_programs_agree_with_ruff(tmp_path: Path) -> None:
    rng = random.Random(20240601)
    files = []
    while len(files) < 1500:
        text = generated_program(rng)
        try:  # only programs Python accepts (`global` after use, misplaced `nonlocal`, ...)
            compile(text, "generated", "exec")
        except SyntaxError:
            continue
        path = tmp_path / f"generated_{len(files)}.py"
        path.write_text(text, encoding="utf-8")
        files.append(str(path))
    comparison = compared_with_ours(tuple(files))
    figures = comparison.figures()
    print("\n" + figures)
    assert comparison.ours == comparison.expected, figures
    assert sum(comparison.ours.values()) > 1000, figures
    assert comparison.categories["main blocks"] and comparison.pprint_pp, figures


def test_module_named_pprint_agrees_with_ruff(tmp_path: Path) -> None:
    """A `def pprint` in a top-level module pprint.py is pprint.pprint; inside a package not."""
    text = "def pprint(o):\n    pass\n\n\ndef show(o):\n    pprint(o)\n"
    top, package = tmp_path / "top", tmp_path / "package"
    for folder in (top, package):
        folder.mkdir()
        (folder / "pprint.py").write_text(text, encoding="utf-8")
    (package / "__init__.py").write_text("", encoding="utf-8")
    files = (str(top / "pprint.py"), str(package / "pprint.py"))
    comparison = compared_with_ours(files)
    assert comparison.ours == comparison.expected == Counter({(files[0], 6, 5, "MG302"): 1})
