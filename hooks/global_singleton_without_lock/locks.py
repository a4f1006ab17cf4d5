"""What holds a lock: lock-named contexts, `acquire()`/`release()` calls, functions that run
locked, and private helpers whose every caller holds one.

Locks are recognized by name (and by what the module assigns them) because a lock object's type
is not known without running the code; a name is what a reviewer reads too.
"""

from __future__ import annotations

import _ast

from ..syntax import iter_child_nodes
from ..syntax import FUNCTIONS, dotted_name
from .expressions import last_identifier
from .vocabulary import LOCK_CONSTRUCTORS, LOCK_WORDS, LOCKED_FUNCTION_WORDS, NOT_LOCK_WORDS, words

TYPE_CHECKING = False
if TYPE_CHECKING:  # typing costs start-up time; mypy reads this block, the interpreter skips it
    Function = _ast.FunctionDef | _ast.AsyncFunctionDef


def is_lock_name(identifier: str | None, extra: set[str]) -> bool:
    """A name with a word that names a lock (`_init_mutex`, `instanceLock`), or one of `extra`."""
    if identifier is None:
        return False
    if identifier.lower() in extra:
        return True
    for word in words(identifier):
        if word in NOT_LOCK_WORDS:
            continue
        if word in LOCK_WORDS or word.endswith(("lock", "locks", "locked")):
            return True
    return False


def is_lock(expression: _ast.expr, extra: set[str]) -> bool:
    """A `with` target that holds a shared lock: a lock-named name, attribute, item or call.

    A lock constructor called in place (`with threading.Lock():`) is a fresh lock per call and
    guards nothing; a file is not a lock either (`with open(...)`: not lock-named).
    """
    if isinstance(expression, _ast.Call) and last_identifier(expression) in LOCK_CONSTRUCTORS:
        return False
    return is_lock_name(last_identifier(expression), extra)


def makes_lock(value: _ast.expr | None) -> bool:
    """`threading.Lock()`, `asyncio.Lock()`, `RLock()`, `_thread.allocate_lock()`..."""
    return isinstance(value, _ast.Call) and last_identifier(value.func) in LOCK_CONSTRUCTORS


def lock_call(statement: _ast.stmt, method: str) -> tuple[str | None, bool] | None:
    """Whether a statement is `x.acquire()` (for `method`), `await x.acquire()`, `_acquireLock()`.

    If so: a key that pairs it with its release (None if unknown), and whether it is awaited.
    """
    value = statement.value if isinstance(statement, (_ast.Expr, _ast.Assign)) else None
    return _lock_call_expression(value, method)


def acquire_test(test: _ast.expr) -> tuple[str | None, bool, bool] | None:
    """Whether an `if` test is an acquire (`lock.acquire(timeout=1)`, `not lock.acquire(...)`):
    its key and whether it is awaited, as `lock_call`'s, and the truth that means acquired."""
    when = True
    while isinstance(test, _ast.UnaryOp) and isinstance(test.op, _ast.Not):
        test, when = test.operand, not when
    call = _lock_call_expression(test, "acquire")
    return None if call is None else (call[0], call[1], when)


def _lock_call_expression(value: _ast.AST | None, method: str) -> tuple[str | None, bool] | None:
    awaited = isinstance(value, _ast.Await)
    if awaited:
        value = value.value  # type: ignore[union-attr]
    if not isinstance(value, _ast.Call):
        return None
    function = value.func
    if isinstance(function, _ast.Attribute) and function.attr == method:
        key = dotted_name(function.value)  # `a.b` for `a.b.acquire()`; unknown for other forms
        return (None if key is None else ".".join(key)), awaited
    parts = words(last_identifier(function) or "")
    if method in parts and is_lock_name("_".join(parts), set()):
        return "_".join(word for word in parts if word != method) + "()", awaited
    return None


def runs_locked(node: Function, lock_names: set[str]) -> bool:
    """Decorated to hold a lock (`@synchronized(lock)`), or named to be called under one."""
    if LOCKED_FUNCTION_WORDS.intersection(words(node.name)):
        return True
    return any(
        is_lock_name(last_identifier(decorator), lock_names) for decorator in node.decorator_list
    )


def uses_under_lock(tree: _ast.Module, lock_names: set[str]) -> dict[str, list[bool]]:
    """For each name used in the module, whether each use is a call made holding a lock.

    Inside `with <lock>:` or a function that runs locked, and in module-level code, which runs
    once under the import lock. A name used other than as the function of a call (passed as a
    callback, say) counts as a use without the lock: who calls it then is unknown.
    """
    uses: dict[str, list[bool]] = {}
    called: set[int] = set()  # ids of the names and attributes that are called
    stack: list[tuple[_ast.AST, bool]] = [(tree, True)]
    while stack:
        node, locked = stack.pop()
        if isinstance(node, _ast.Call):
            called.add(id(node.func))
        elif isinstance(node, (_ast.Name, _ast.Attribute)) and isinstance(node.ctx, _ast.Load):
            name = node.id if isinstance(node, _ast.Name) else node.attr
            uses.setdefault(name, []).append(locked and id(node) in called)
        if isinstance(node, (_ast.With, _ast.AsyncWith)):
            items = node.items
            inner = locked or any(is_lock(item.context_expr, lock_names) for item in items)
            stack.extend((item, locked) for item in items)
            stack.extend((statement, inner) for statement in node.body)
        elif isinstance(node, FUNCTIONS):  # runs later, when called
            inner = runs_locked(node, lock_names)
            stack.extend((child, inner) for child in iter_child_nodes(node))
        elif isinstance(node, _ast.Lambda):
            stack.append((node.body, False))
        else:
            stack.extend((child, locked) for child in iter_child_nodes(node))
    return uses
