"""The module around the functions: one walk over its statements that finds every function with
the statements of its own scope, and the facts about the module that tell whether a function's
state is shared and when it is first made.

Those facts: the module's classes and functions (their attributes are shared by every caller),
methods made classmethods by a call in the class body, what the module's own top-level code calls
at import (under the import lock, before any other thread can call it), the names each function
declares `global` or `nonlocal`, and the names assigned a lock.
"""

from __future__ import annotations

import _ast

from ..syntax import BLOCKS, DEFINITIONS, FUNCTIONS, dotted_name
from .expressions import assignment_targets, is_call_to, is_none, last_identifier
from .locks import makes_lock
from .targets import FunctionView
from .vocabulary import LOCK_CONSTRUCTORS

TYPE_CHECKING = False
if TYPE_CHECKING:  # typing costs start-up time; mypy reads this block, the interpreter skips it
    from ..source import Source

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
_CONSTRUCTION = ("__new__", "__init__")
"""What calling a class runs."""


class Module:
    """What the rule knows of a module beyond any one function."""

    __slots__ = (
        *("source", "lock_names", "functions", "class_names", "function_names"),
        *("_classmethods", "_import_calls", "_initializers"),
    )

    def __init__(self, source: Source, lock_names: set[str]) -> None:
        self.source = source
        self.lock_names = lock_names  # the option's, and those the module assigns a lock
        self.functions: list[FunctionView] = []
        self.class_names: set[str] = set()
        self.function_names: dict[str, FunctionView] = {}  # functions of the module's own scope
        self._classmethods: dict[_ast.ClassDef, set[str]] = {}
        self._import_calls: set[tuple[str, ...]] | None = None
        self._initializers: dict[str, list[_ast.Name]] | None = None

    def classmethods(self, owner: _ast.ClassDef) -> set[str]:
        """The methods a class body makes classmethods by a call: `register = classmethod(_reg)`
        makes `_reg`'s first parameter the class, as `@classmethod` would."""
        found = self._classmethods.get(owner)
        if found is None:
            found = self._classmethods[owner] = {
                statement.value.args[0].id  # type: ignore[attr-defined]
                for statement in owner.body
                if isinstance(statement, _ast.Assign)
                and is_call_to(statement.value, "classmethod", 1)
                and isinstance(statement.value.args[0], _ast.Name)  # type: ignore[attr-defined]
            }
        return found

    def runs_at_import(self, function: FunctionView) -> bool:
        """Whether the module's own top-level code calls `function` unconditionally: a module
        function `f()`, a class's `__new__`/`__init__` through `C()`, a method through `C.m()`.

        What it creates lazily is then made at import, under the import lock, before any other
        thread can call it; later calls find it.
        """
        if self._import_calls is None:
            self._import_calls = _calls_at_import(self.source.tree)
        node, owner = function.node, function.owner
        if owner is None:
            return function.enclosing is None and (node.name,) in self._import_calls
        if node.name in _CONSTRUCTION and (owner.name,) in self._import_calls:
            return True
        return (owner.name, node.name) in self._import_calls

    def initializers(self) -> dict[str, list[_ast.Name]]:
        """Module functions that publish globals: by name, the `global` names each creates at
        its own top level, every time it is called (`_table = [0] * n`, then filled). A caller
        that checks one of them and then calls the function creates it lazily."""
        if self._initializers is None:
            self._initializers = {}
            for name, function in self.function_names.items():
                if self.runs_at_import(function):
                    continue  # it has published its globals before any caller can check them
                if function.declared and function.finish(self.class_names):
                    created = function.created_at_top_level()
                    if created:
                        self._initializers[name] = created
        return self._initializers

    def resets(self, function: FunctionView, name: str) -> bool:
        """Whether another function of the same closure declares `name` nonlocal and sets it
        back to None (or deletes it): state toggled by the closure's functions."""
        for other in self.functions:
            if other is function or other.enclosing is not function.enclosing:
                continue
            if name in other.nonlocals and _clears(other.statements, name):
                return True
        return False


def _clears(statements: list[_ast.stmt], name: str) -> bool:
    for statement in statements:
        if isinstance(statement, _ast.Assign) and is_none(statement.value):
            targets = statement.targets
        elif isinstance(statement, _ast.Delete):
            targets = statement.targets
        else:
            continue
        if any(isinstance(target, _ast.Name) and target.id == name for target in targets):
            return True
    return False


def _calls_at_import(tree: _ast.Module) -> set[tuple[str, ...]]:
    """The dotted names the module's top-level statements call unconditionally: in an
    expression statement or an assignment's value, directly or as another call's argument
    (`_EMPTY = cast(Mapping, _Empty())`), not under a condition or in a compound statement."""
    calls: set[tuple[str, ...]] = set()
    for statement in tree.body:
        if not isinstance(statement, (_ast.Expr, _ast.Assign, _ast.AnnAssign)):
            continue
        pending = [] if statement.value is None else [statement.value]
        while pending:
            node = pending.pop()
            if isinstance(node, _ast.Call):
                name = dotted_name(node.func)
                if name is not None:
                    calls.add(name)
                pending.append(node.func)
                pending.extend(node.args)
                pending.extend(keyword.value for keyword in node.keywords)
            elif isinstance(node, (_ast.Attribute, _ast.Starred)):
                pending.append(node.value)
    return calls


def walk(source: Source, lock_names: set[str]) -> Module:
    """Every function of the module with the statements of its own scope, and the module's facts.

    One walk over the statements, never the expressions (nine nodes in ten): bindings are found
    at statement level. A function is handed its statement lists whole, since the order of its
    bindings does not matter; only assignments, declarations and the statements that nest
    others are looked into.
    """
    module = Module(source, lock_names)
    text = source.text
    # A lock constructor's name is in the text of a module that calls one (unless an identifier
    # is spelled with characters that normalize to ASCII ones).
    find_locks = not text.isascii() or any(name in text for name in LOCK_CONSTRUCTORS)
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
                inner = FunctionView(module, statement, owner, enclosing)
                module.functions.append(inner)
                if function is None and owner is None:
                    module.function_names[statement.name] = inner
                stack.append((statement.body, inner, None, inner))
            elif isinstance(statement, _ast.ClassDef):
                module.class_names.add(statement.name)
                stack.append((statement.body, None, statement, enclosing))
            elif isinstance(statement, _ast.AnnAssign):
                if function is not None and statement.value is not None:
                    function.plain = function.plain and type(statement.target) is _ast.Name
                if find_locks:
                    _note_lock(statement, lock_names)
            elif function is not None:  # `global` and `nonlocal`
                function.declared.update(statement.names)  # type: ignore[attr-defined]
                if isinstance(statement, _ast.Nonlocal):
                    function.nonlocals.update(statement.names)
    return module


def _note_lock(statement: _ast.Assign | _ast.AnnAssign, lock_names: set[str]) -> None:
    """`_guard = threading.Lock()`, `self._mu = RLock()`: `_guard` and `_mu` name locks."""
    if makes_lock(statement.value):
        for target in assignment_targets(statement):
            name = last_identifier(target)
            if name is not None:
                lock_names.add(name.lower())
