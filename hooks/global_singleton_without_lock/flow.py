"""The flow of one function: its statements in execution order, the checks that found a shared
target missing and the locks held at each point, and the creations that can race.

A creation races unless a check of the same target was made under a lock still held when it is
created (in `async def` code: unless no `await` comes between, or an asyncio lock is held).
Statement lists are walked with an explicit stack of frames, never by recursion.
"""

from __future__ import annotations

import _ast

from ..registry import GLOBAL_SINGLETON_WITHOUT_LOCK as RULE
from ..syntax import iter_child_nodes
from ..syntax import DEFINITIONS, TRIES, blocks, scope_walk, statement_walk
from .expressions import alternatives, assignment_targets, last_identifier, names
from .locks import acquire_test, is_lock, lock_call, runs_locked

TYPE_CHECKING = False
if TYPE_CHECKING:  # typing costs start-up time; mypy reads this block, the interpreter skips it
    from collections.abc import Iterable

    from ..finding import Finding
    from .targets import FunctionView

MESSAGE = (
    "`{target}` is created lazily without a lock: two threads can both find it missing and both "
    "create it; hold one lock across the check and the creation"
)
MESSAGE_RECHECK = (
    "`{target}` is checked outside the lock and created inside it without checking again: "
    "another thread may have created it meanwhile; re-check it inside the lock"
)
MESSAGE_CALL = (
    "`{target}` is created lazily by `{call}()` without a lock: two threads can both find it "
    "missing and both call it; hold one lock across the check and the call"
)
MESSAGE_AWAIT = (
    "`{target}` is created lazily with an `await` between the check and the creation: another "
    "task can create it meanwhile; hold an asyncio lock (`async with lock:`) across both"
)

_LOOPS = (_ast.For, _ast.AsyncFor, _ast.While)
_EXITS = (_ast.Return, _ast.Raise)
# What a `try:` that reads a target raises when it does not exist yet, by target kind.
_MISSING_ERRORS = {
    _ast.Name: {"NameError"},
    _ast.Attribute: {"AttributeError"},
    _ast.Subscript: {"KeyError", "LookupError"},
}
_CASES = (_ast.excepthandler,) + tuple(filter(None, [getattr(_ast, "match_case", None)]))


class Guard:
    """A check that found `target` missing: the locks held then, whether an await followed, and
    the local names bound before it (an object made before the check is not made lazily)."""

    __slots__ = ("target", "locks", "awaited", "bound")

    def __init__(self, target: str, frame: Frame) -> None:
        self.target = target
        self.locks = frozenset(frame.locks)
        self.awaited = False
        self.bound = dict(frame.bound)


class Frame:
    """A statement list being walked: the next statement, the checks and locks in force there."""

    __slots__ = (
        "statements",
        "index",
        "guards",
        "locks",
        "acquired",
        "values",
        "bound",
        "inherited",
        "merge_into",
    )

    def __init__(
        self,
        statements: list[_ast.stmt],
        guards: list[Guard],
        locks: dict[int, bool],
        acquired: dict[str, int],
        values: dict[str, _ast.expr],
        bound: dict[str, int],
    ) -> None:
        self.statements = statements
        self.index = 0
        self.guards = guards
        self.locks = locks  # lock region id -> whether it is an asyncio lock
        self.acquired = acquired  # `x.acquire()` regions open in this list, by lock expression
        self.values = values  # the value each local name was last assigned on this path
        self.bound = bound  # the binding each local name last had on this path (its number)
        self.inherited = len(guards)  # the checks made before this list began
        # A `with` body runs through to the code after it: checks made there still hold after.
        self.merge_into: Frame | None = None

    def child(self, statements: list[_ast.stmt], guards: Iterable[Guard] = ()) -> Frame:
        return Frame(
            statements,
            self.guards + list(guards),
            dict(self.locks),
            dict(self.acquired),
            dict(self.values),
            dict(self.bound),
        )


def _has_await(nodes: Iterable[_ast.AST]) -> bool:
    return any(isinstance(node, _ast.Await) for node in scope_walk(nodes))


def _header(statement: _ast.stmt) -> list[_ast.AST]:
    """The expressions a compound statement evaluates itself (its test, iterable, context...)."""
    return [
        child
        for child in iter_child_nodes(statement)
        if not isinstance(child, (_ast.stmt,) + _CASES)
    ]


def _exits(block: list[_ast.stmt]) -> bool:
    return bool(block) and isinstance(block[-1], _EXITS)


def _raises(block: list[_ast.stmt]) -> bool:
    return bool(block) and isinstance(block[-1], _ast.Raise)


def _is_presence_test(test: _ast.expr) -> bool:
    """A test of one thing, not `and`/`or` of several (`not` aside)."""
    while isinstance(test, _ast.UnaryOp) and isinstance(test.op, _ast.Not):
        test = test.operand
    return not isinstance(test, _ast.BoolOp)


def _handler_errors(handler: _ast.ExceptHandler) -> set[str]:
    types = handler.type
    elements = types.elts if isinstance(types, _ast.Tuple) else [types] if types else []
    return {name for name in map(last_identifier, elements) if name is not None}


def _rebound(statement: _ast.stmt) -> set[str]:
    """The local names a statement binds other than by `name = value` at its own level.

    Their last known value no longer holds after it: a loop or branch may have rebound them.
    """
    found: set[str] = set()
    for current in statement_walk([statement], into_definitions=False):
        if isinstance(current, (_ast.Assign, _ast.AnnAssign)):
            targets = assignment_targets(current, unpack=False)
            if current is statement:  # its plain `name = value` is the name's new known value
                targets = [target for target in targets if not isinstance(target, _ast.Name)]
        elif isinstance(current, (_ast.AugAssign, _ast.For, _ast.AsyncFor)):
            targets = [current.target]
        elif isinstance(current, (_ast.With, _ast.AsyncWith)):
            targets = [item.optional_vars for item in current.items if item.optional_vars]
        elif isinstance(current, _ast.Delete):
            targets = current.targets
        else:
            targets = []
        found.update(
            node.id for target in targets for node in names(target) if isinstance(node, _ast.Name)
        )
    return found


class Checker:
    """Walks one function's statements in order, without recursion, collecting findings."""

    def __init__(self, function: FunctionView) -> None:
        self.function = function
        self.lock_async: dict[int, bool] = {}
        self.findings: list[Finding] = []
        self.bindings = 0
        self._made_at_import: bool | None = None

    def new_lock(self, frame: Frame, is_async: bool) -> int:
        lock = len(self.lock_async)
        self.lock_async[lock] = is_async
        frame.locks[lock] = is_async
        return lock

    def run(self) -> list[Finding]:
        function = self.function
        root = Frame(function.node.body, [], {}, {}, {}, {})
        if runs_locked(function.node, function.lock_names):
            self.new_lock(root, False)
        stack = [root]
        while stack:
            frame = stack.pop()
            if frame.index >= len(frame.statements):
                if frame.merge_into is not None:
                    parent = frame.merge_into
                    parent.guards = parent.guards + frame.guards[frame.inherited :]
                continue
            statement = frame.statements[frame.index]
            frame.index += 1
            stack.append(frame)
            stack.extend(reversed(self.step(frame, statement)))
        return self.findings

    def mark_awaited(self, frame: Frame, nodes: Iterable[_ast.AST], implicit: bool = False) -> None:
        if self.function.is_async and (implicit or _has_await(nodes)):
            for guard in frame.guards:
                guard.awaited = True

    def step(self, frame: Frame, statement: _ast.stmt) -> list[Frame]:
        """Handle one statement; return the frames of its nested statement lists, in order."""
        if isinstance(statement, DEFINITIONS):
            self.rebind(frame, [statement.name])
            return []  # nested functions and classes are checked on their own
        rebound = _rebound(statement)
        if isinstance(statement, _LOOPS):  # a later round sees what an earlier one assigned
            self.rebind(frame, rebound)
        if isinstance(statement, _ast.If):
            children = self.step_if(frame, statement)
        elif isinstance(statement, (_ast.With, _ast.AsyncWith)):
            children = self.step_with(frame, statement)
        elif isinstance(statement, TRIES):
            children = self.step_try(frame, statement)
        elif blocks(statement):  # loops, match
            self.mark_awaited(
                frame, _header(statement), implicit=isinstance(statement, _ast.AsyncFor)
            )
            children = [frame.child(block) for block in blocks(statement)]
        else:
            self.simple(frame, statement)
            children = []
        self.rebind(frame, rebound)  # after a nested block, a name's last value is not known
        return children

    def rebind(self, frame: Frame, names: Iterable[str]) -> None:
        """Names bound anew, their values unknown."""
        for name in names:
            frame.values.pop(name, None)
            self.bindings += 1
            frame.bound[name] = self.bindings

    def step_if(self, frame: Frame, statement: _ast.If) -> list[Frame]:
        function = self.function
        self.mark_awaited(frame, [statement.test])

        def guards(targets: set[str]) -> list[Guard]:
            return [Guard(target, frame) for target in targets]

        missing_in_body = guards(function.missing(statement.test, True, frame.values))
        missing_in_else = guards(function.missing(statement.test, False, frame.values))
        # A plain presence check whose branch for a present target raises refuses any second
        # call (a run-once setup): what it creates is no lazily shared instance. With another
        # condition (`if x and x.active: raise`), it replaces the target, so it is not.
        if _is_presence_test(statement.test):
            if _raises(statement.orelse):
                missing_in_body = []
            if _raises(statement.body):
                missing_in_else = []
        children = [
            frame.child(statement.body, missing_in_body),
            frame.child(statement.orelse, missing_in_else),
        ]
        # The early-return shape: `if x is not None: return x` leaves x missing after the `if`.
        if _exits(statement.body):
            frame.guards = frame.guards + missing_in_else
        if _exits(statement.orelse):
            frame.guards = frame.guards + missing_in_body
        # `if lock.acquire(timeout=1):` holds the lock in its body; after
        # `if not lock.acquire(blocking=False): return`, in the rest of the block.
        acquired = acquire_test(statement.test)
        if acquired is not None:
            key, awaited, when = acquired
            held_in, other = (
                (children[0], statement.orelse) if when else (children[1], statement.body)
            )
            for holder in [held_in] + ([frame] if _exits(other) else []):
                lock = self.new_lock(holder, awaited)
                if key is not None:
                    holder.acquired[key] = lock
        return children

    def step_with(self, frame: Frame, statement: _ast.With | _ast.AsyncWith) -> list[Frame]:
        is_async = isinstance(statement, _ast.AsyncWith)
        self.mark_awaited(frame, _header(statement), implicit=is_async)
        child = frame.child(statement.body)
        child.merge_into = frame
        if any(is_lock(item.context_expr, self.function.lock_names) for item in statement.items):
            self.new_lock(child, is_async)
        return [child]

    def step_try(self, frame: Frame, statement: _ast.Try) -> list[Frame]:
        self.mark_awaited(frame, _header(statement))
        read = self.function.read_in(statement.body)
        children = [frame.child(statement.body)]
        for handler in statement.handlers:
            errors = _handler_errors(handler)
            guards = [
                Guard(target, frame) for target, kind in read if errors & _MISSING_ERRORS[kind]
            ]
            children.append(frame.child(handler.body, guards))
        children.append(frame.child(statement.orelse))
        children.append(frame.child(statement.finalbody))
        for released in statement.finalbody:  # `acquire()` ... `try: ... finally: release()`
            self.release(frame, released)
        return children

    def release(self, frame: Frame, statement: _ast.stmt) -> None:
        call = lock_call(statement, "release")
        if call is not None and call[0] in frame.acquired:
            frame.locks.pop(frame.acquired.pop(call[0]), None)

    def simple(self, frame: Frame, statement: _ast.stmt) -> None:
        acquired = lock_call(statement, "acquire")
        if acquired is not None:
            self.mark_awaited(frame, (), implicit=acquired[1])
            lock = self.new_lock(frame, acquired[1])
            if acquired[0] is not None:
                frame.acquired[acquired[0]] = lock
            return
        self.release(frame, statement)
        value = getattr(statement, "value", None)
        if value is not None:
            for target in assignment_targets(statement):
                self.creation(frame, target, value)
            for created in self.function.initialized_by(statement):
                self.report(frame, value, created.id, [value], MESSAGE_CALL)
            if isinstance(statement, (_ast.Assign, _ast.AnnAssign)):
                for target in assignment_targets(statement, unpack=False):
                    if isinstance(target, _ast.Name) and target.id in self.function.locals:
                        self.rebind(frame, [target.id])
                        frame.values[target.id] = value
        self.mark_awaited(frame, [statement])

    def creation(self, frame: Frame, node: _ast.expr, value: _ast.expr) -> None:
        """Report the assignment `node = value` if it creates a checked target unlocked."""
        function = self.function
        target = function.target(node)
        key = function.required_class(node)
        if target is None or not function.creates(value, key, frame.values):
            return
        if not isinstance(node, _ast.Subscript) and self.made_at_import():
            return
        if target in function.nonlocals and function.module.resets(function, target):
            return  # state the closure's functions toggle, not an instance made once
        guards = [
            guard
            for guard in frame.guards
            if guard.target == target and self.made_since(guard, frame, value, key)
        ]
        if guards or not function.inline_check(target, value, key):
            self.report(frame, node, target, [value], MESSAGE, guards)
        else:
            self.report(frame, node, target, [value], MESSAGE, [Guard(target, frame)])

    def report(
        self,
        frame: Frame,
        node: _ast.expr,
        target: str,
        creation: list[_ast.expr],
        unlocked: str,
        guards: list[Guard] | None = None,
    ) -> None:
        """Report the creation of `target` at `node` if a check of it can race with it: the
        `guards` given, or by default every check of it in force."""
        if guards is None:
            guards = [guard for guard in frame.guards if guard.target == target]
        if not guards:
            return
        message = self.race(frame, guards, _has_await(creation))
        if message is not None:
            if message is MESSAGE:
                message = unlocked
            text = message.format(target=target, call=last_identifier(node))
            self.findings.append(self.function.source.finding(RULE.id, RULE.code, node, text))

    def made_at_import(self) -> bool:
        if self._made_at_import is None:
            self._made_at_import = self.function.module.runs_at_import(self.function)
        return self._made_at_import

    def made_since(self, guard: Guard, frame: Frame, value: _ast.expr, key: str | None) -> bool:
        """Whether `value` is an instance made after the check: not a local that already held
        its object then (`runner = Runner()` ... `if master is None: master = runner`)."""
        for node in alternatives(value):
            if isinstance(node, _ast.Name) and node.id in guard.bound:
                if frame.bound.get(node.id) == guard.bound[node.id]:
                    continue
            if self.function.creates(node, key, frame.values):
                return True
        return False

    def race(self, frame: Frame, guards: list[Guard], value_awaits: bool) -> str | None:
        """The message if every check of the target can race with the creation, else None."""
        held = frame.locks
        for guard in guards:
            still_held = guard.locks & held.keys()
            if not self.function.is_async:
                if not still_held:
                    continue
                return None
            if not (guard.awaited or value_awaits):
                return None  # no await: other tasks cannot run between check and creation
            if any(self.lock_async[lock] for lock in still_held):
                return None
        if self.function.is_async:
            return MESSAGE_AWAIT
        return MESSAGE_RECHECK if held else MESSAGE
