"""global-singleton-without-lock: a shared instance created lazily by check-then-create, unlocked.

Each function is read on its own, statement by statement in execution order, keeping the checks
that found a shared target missing (a global, a class attribute, a class-keyed registry entry) and
the locks held at each point. An assignment to a checked target that creates a value is reported
unless some check of it was made under a lock that is still held: then the creation cannot race.

The package keeps one concern per module: `vocabulary` (the words names are read by), `expressions`
(shared readings of expressions), `locks` (what holds a lock), `targets` (what is shared, what is
missing, what creates an instance) and `flow` (the walk in execution order); this module finds the
functions and runs the hook.
"""

from __future__ import annotations

import _ast

from ..cli import run_python_hook
from ..finding import Finding
from ..registry import GLOBAL_SINGLETON_WITHOUT_LOCK as RULE
from ..source import Source
from ..syntax import BLOCKS, DEFINITIONS, FUNCTIONS
from .expressions import assignment_targets, last_identifier
from .flow import MESSAGE, MESSAGE_AWAIT, MESSAGE_RECHECK, Checker
from .locks import makes_lock, uses_under_lock
from .vocabulary import LOCK_CONSTRUCTORS
from .targets import FunctionView

TYPE_CHECKING = False
if TYPE_CHECKING:  # typing costs start-up time; mypy reads this block, the interpreter skips it
    from collections.abc import Sequence

    # A statement list met in the walk over the module: the function whose scope it is in, the
    # class it is directly in, and the function around it (through class bodies).
    Place = tuple[
        list[_ast.stmt], "FunctionView | None", "_ast.ClassDef | None", "FunctionView | None"
    ]

_BLOCK_FIELDS = {
    kind: tuple(field for field in BLOCKS if field in kind._fields)
    for kind in _ast.stmt.__subclasses__()
    if kind not in DEFINITIONS and not set(BLOCKS).isdisjoint(kind._fields)
}
"""The fields that hold the statement lists of the same scope nested in a statement, by its type:
`if`, the loops, `with`, `try` and `match`."""
_CLAUSES = ("handlers", "cases")
_WALKED = frozenset(
    (_ast.Assign, _ast.AnnAssign, _ast.Global, _ast.Nonlocal, *DEFINITIONS, *_BLOCK_FIELDS)
)
"""The statements the walk over a module looks into; the rest it hands over unread."""

__all__ = ["MESSAGE", "MESSAGE_AWAIT", "MESSAGE_RECHECK", "NEEDS", "check", "main"]

NEEDS = ("global", "nonlocal", "class", "cls", "kls", "klass", "clazz", "mcs", "type")
"""Substrings one of which a file's text holds whenever `check` can report on it (see
bare_except.NEEDS): a shared target is a `global`/`nonlocal` name, or is reached through a class
reference: a class of the module, a classmethod's, `__new__`'s or a metaclass method's first
parameter (all inside `class`), a parameter named like a class (`vocabulary.CLASS_PARAMETERS`),
`type(x)` or `x.__class__`."""


def check(source: Source, options: dict[str, object]) -> list[Finding]:
    """Every unlocked lazy creation of a shared instance, at the assignment that creates it.

    Locks are known by name (`_lock`, `self._mutex`, the `lock-names` option) and by what the
    module assigns them: `_guard = threading.Lock()` makes `with _guard:` a lock.
    """
    if not any(needle in source.text for needle in NEEDS):
        return []
    lock_names = {str(name).lower() for name in options.get("lock-names") or ()}  # type: ignore
    functions, class_names = _functions(source, lock_names)
    findings: list[Finding] = []
    uses: dict[str, list[bool]] | None = None
    for function in functions:
        if not function.finish(class_names):
            continue
        found = Checker(function).run()
        name = function.node.name
        if found and name.startswith("_") and not name.endswith("__"):
            if uses is None:
                uses = uses_under_lock(source.tree, lock_names)
            if all(uses.get(name) or [False]):
                continue  # a private helper that every caller calls with the lock held
        findings.extend(found)
    findings.sort(key=Finding.sort_key)
    return findings


def _functions(source: Source, lock_names: set[str]) -> tuple[list[FunctionView], set[str]]:
    """Every function of the module with the statements of its own scope, and the module's class
    names; the names the module assigns a lock are added to `lock_names` on the way.

    One walk over the statements, never the expressions (nine nodes in ten): bindings are found
    at statement level. A function is handed its statement lists whole, since the order of its
    bindings does not matter; only assignments, declarations and the statements that nest
    others are looked into.
    """
    text = source.text
    # A lock constructor's name is in the text of a module that calls one (unless an identifier
    # is spelled with characters that normalize to ASCII ones).
    find_locks = not text.isascii() or any(name in text for name in LOCK_CONSTRUCTORS)
    class_names: set[str] = set()
    functions: list[FunctionView] = []
    stack: list[Place] = [(source.tree.body, None, None, None)]
    while stack:
        statements, function, owner, enclosing = stack.pop()
        if function is not None:
            function.statements.extend(statements)
        for statement in statements:
            kind = type(statement)
            if kind not in _WALKED:
                continue
            if type(statement) is _ast.Assign:  # the most frequent: kept first and inline
                if function is not None and function.plain:
                    function.plain = all(type(target) is _ast.Name for target in statement.targets)
                if find_locks and type(statement.value) is _ast.Call:
                    _note_lock(statement, lock_names)
            elif kind in _BLOCK_FIELDS:
                for field in _BLOCK_FIELDS[kind]:
                    nested = getattr(statement, field)
                    if field in _CLAUSES:  # `except` clauses and `case`s
                        stack.extend((clause.body, function, owner, enclosing) for clause in nested)
                    elif nested:
                        stack.append((nested, function, owner, enclosing))
            elif isinstance(statement, FUNCTIONS):
                inner = FunctionView(source, statement, owner, enclosing, lock_names)
                functions.append(inner)
                stack.append((statement.body, inner, None, inner))
            elif isinstance(statement, _ast.ClassDef):
                class_names.add(statement.name)
                stack.append((statement.body, None, statement, enclosing))
            elif isinstance(statement, _ast.AnnAssign):
                if function is not None and statement.value is not None:
                    function.plain = function.plain and type(statement.target) is _ast.Name
                if find_locks:
                    _note_lock(statement, lock_names)
            elif isinstance(statement, (_ast.Global, _ast.Nonlocal)):
                if function is not None:
                    function.declared.update(statement.names)
    return functions, class_names


def _note_lock(statement: _ast.Assign | _ast.AnnAssign, lock_names: set[str]) -> None:
    """`_guard = threading.Lock()`, `self._mu = RLock()`: `_guard` and `_mu` name locks."""
    if makes_lock(statement.value):
        for target in assignment_targets(statement):
            name = last_identifier(target)
            if name is not None:
                lock_names.add(name.lower())


def main(argv: Sequence[str] | None = None) -> int:
    return run_python_hook(RULE, check, argv)


if __name__ == "__main__":
    raise SystemExit(main())
