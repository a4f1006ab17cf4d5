"""global-singleton-without-lock: a shared instance created lazily by check-then-create, unlocked.

Each function is read on its own, statement by statement in execution order, keeping the checks
that found a shared target missing (a global, a class attribute, a class-keyed registry entry) and
the locks held at each point. An assignment to a checked target that creates a value is reported
unless some check of it was made under a lock that is still held: then the creation cannot race.
"""

from __future__ import annotations

import _ast

from .cli import run_python_hook
from .finding import Finding
from .registry import GLOBAL_SINGLETON_WITHOUT_LOCK as RULE
from .source import Source, iter_child_nodes
from .syntax import (
    DEFINITIONS,
    FUNCTIONS,
    TRIES,
    blocks,
    bound_name,
    dotted_name,
    parameters,
    scope_walk,
    statement_walk,
)

TYPE_CHECKING = False
if TYPE_CHECKING:  # typing costs start-up time; mypy reads this block, the interpreter skips it
    from collections.abc import Iterable, Iterator, Sequence

    Function = _ast.FunctionDef | _ast.AsyncFunctionDef
    # A statement met in the walk over the module: the function whose scope it is in, the class
    # it is directly in, and the function around it (through class bodies).
    Place = tuple[_ast.stmt, "_Function | None", "_ast.ClassDef | None", "_Function | None"]

MESSAGE = (
    "`{target}` is created lazily without a lock: two threads can both find it missing and both "
    "create it; hold one lock across the check and the creation"
)
MESSAGE_RECHECK = (
    "`{target}` is checked outside the lock and created inside it without checking again: "
    "another thread may have created it meanwhile; re-check it inside the lock"
)
MESSAGE_AWAIT = (
    "`{target}` is created lazily with an `await` between the check and the creation: another "
    "task can create it meanwhile; hold an asyncio lock (`async with lock:`) across both"
)

NEEDS = ("global", "nonlocal", "class", "cls", "kls", "klass", "clazz", "mcs", "type")
"""Substrings one of which a file's text holds whenever `check` can report on it (see
bare_except.NEEDS): a shared target is a `global`/`nonlocal` name, or is reached through a class
reference: a class of the module, a classmethod's, `__new__`'s or a metaclass method's first
parameter (all inside `class`), a parameter named like a class (`_CLASS_PARAMETERS`),
`type(x)` or `x.__class__`."""

_LOOPS = (_ast.For, _ast.AsyncFor, _ast.While)
_EXITS = (_ast.Return, _ast.Raise)
# Builtin containers that, called empty, make a container to be filled after it is shared.
_CONTAINERS = {"dict", "list", "set", "bytearray", "defaultdict", "deque"}
# First words of factory function names: `create_engine()`, `make_pool()`, `build_opener()`;
# a factory whose name ends in a _CLASS_WORDS word makes a class, not an instance, and one whose
# name ends in a _VALUE_WORDS word a value (`build_table()`, `make_pattern()`, `new_id()`).
_FACTORY_WORDS = {"create", "make", "build", "new", "connect", "open"}
_CLASS_WORDS = {"class", "classes", "cls", "type", "types"}
_VALUE_WORDS = {
    *("id", "ids", "uuid", "key", "keys", "name", "names", "token", "hash", "digest"),
    *("pattern", "patterns", "regex", "regexp", "re", "template", "format", "fmt"),
    *("table", "tables", "map", "mapping", "index", "lookup", "dict", "list", "set", "tuple"),
    *("str", "string", "text", "bytes", "path", "paths", "url", "uri", "number", "version"),
}
# Classes whose instances are immutable values (standard library, and `packaging`'s): equal
# however often made, so two threads making one each lose nothing.
_VALUE_CLASSES = {
    *("Path", "PurePath", "PosixPath", "PurePosixPath", "WindowsPath", "PureWindowsPath"),
    *("Decimal", "Fraction", "UUID", "Struct", "Template", "MappingProxyType"),
    *("IPv4Address", "IPv6Address", "IPv4Network", "IPv6Network", "IPv4Interface"),
    *("IPv6Interface", "Version", "Specifier", "SpecifierSet", "Requirement", "Marker"),
}
# Names a function gives its class parameter by convention (and a decorator its class argument).
_CLASS_PARAMETERS = {"cls", "klass", "kls", "clazz", "class_", "mcs", "mcls", "metacls"}
# Methods whose first parameter is the class even without `@classmethod`.
_IMPLICIT_CLASSMETHODS = {"__new__", "__init_subclass__", "__class_getitem__"}
# Methods that run on a class being created, before any other thread can see it (`__init__` of
# a metaclass: its first parameter is the new class).
_CLASS_SETUP_METHODS = {"__init_subclass__", "__init__"}
# Words that name a lock in an identifier, beyond those ending in "lock(s)" or "locked".
_LOCK_WORDS = {
    "mutex",
    "mutexes",
    "mtx",
    "semaphore",
    "sem",
    "sema",
    "cond",
    "condition",
    "cv",
    "lck",
    "synchronized",
    "synchronised",
}
# Words in a function's name that say its caller holds the lock (`_create_locked`).
_LOCKED_FUNCTION_WORDS = {"locked", "synchronized", "synchronised"}
_NOT_LOCK_WORDS = {"block", "blocks", "blocked", "clock", "clocks", "unlock", "unlocks", "unlocked"}
# Lock constructors: `with threading.Lock():` makes a new lock per call, which guards nothing.
_LOCK_CONSTRUCTORS = {
    *("Lock", "RLock", "Semaphore", "BoundedSemaphore", "Condition", "allocate_lock"),
}
# Names of sentinels that mean "not created yet", compared with `is` as None is.
_SENTINEL_WORDS = ("missing", "sentinel", "unset", "notset", "not_set", "undefined")
# What a `try:` that reads a target raises when it does not exist yet, by target kind.
_MISSING_ERRORS = {
    _ast.Name: {"NameError"},
    _ast.Attribute: {"AttributeError"},
    _ast.Subscript: {"KeyError", "LookupError"},
}
_CASES = (_ast.excepthandler,) + tuple(filter(None, [getattr(_ast, "match_case", None)]))


class _Guard:
    """A check that found `target` missing: the locks held then, whether an await followed, and
    the local names bound before it (an object made before the check is not made lazily)."""

    __slots__ = ("target", "locks", "awaited", "bound")

    def __init__(self, target: str, frame: _Frame) -> None:
        self.target = target
        self.locks = frozenset(frame.locks)
        self.awaited = False
        self.bound = dict(frame.bound)


class _Frame:
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
        guards: list[_Guard],
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
        self.merge_into: _Frame | None = None

    def child(self, statements: list[_ast.stmt], guards: Iterable[_Guard] = ()) -> _Frame:
        return _Frame(
            statements,
            self.guards + list(guards),
            dict(self.locks),
            dict(self.acquired),
            dict(self.values),
            dict(self.bound),
        )


def _last_identifier(node: _ast.AST) -> str | None:
    """`c` for `a.b.c`, `a.b.c(...)` and `a.b.c[...]`; None for other expressions."""
    while True:
        if isinstance(node, _ast.Name):
            return node.id
        if isinstance(node, _ast.Attribute):
            return node.attr
        if isinstance(node, _ast.Call):
            node = node.func
        elif isinstance(node, _ast.Subscript):
            node = node.value
        else:
            return None


def _words(identifier: str) -> list[str]:
    """`_instanceLock` -> ["instance", "lock"]: snake_case and camelCase parts, lowercased."""
    words: list[str] = []
    current = ""
    for index, char in enumerate(identifier):
        starts_word = char.isupper() and (
            (index > 0 and identifier[index - 1].islower())
            or (index + 1 < len(identifier) and identifier[index + 1].islower() and current)
        )
        if char == "_" or starts_word:
            if current:
                words.append(current.lower())
            current = "" if char == "_" else char
        else:
            current += char
    if current:
        words.append(current.lower())
    return words


def _is_lock_name(identifier: str | None, extra: set[str]) -> bool:
    if identifier is None:
        return False
    if identifier.lower() in extra:
        return True
    for word in _words(identifier):
        if word in _NOT_LOCK_WORDS:
            continue
        if word in _LOCK_WORDS or word.endswith(("lock", "locks", "locked")):
            return True
    return False


def _is_lock(expression: _ast.expr, extra: set[str]) -> bool:
    """A `with` target that holds a shared lock: a lock-named name, attribute, item or call.

    A lock constructor called in place (`with threading.Lock():`) is a fresh lock per call and
    guards nothing; a file is not a lock either (`with open(...)`: not lock-named).
    """
    if isinstance(expression, _ast.Call) and _last_identifier(expression) in _LOCK_CONSTRUCTORS:
        return False
    return _is_lock_name(_last_identifier(expression), extra)


def _lock_call(statement: _ast.stmt, method: str) -> tuple[str | None, bool] | None:
    """Whether a statement is `x.acquire()` (for `method`), `await x.acquire()`, `_acquireLock()`.

    If so: a key that pairs it with its release (None if unknown), and whether it is awaited.
    """
    value = statement.value if isinstance(statement, (_ast.Expr, _ast.Assign)) else None
    return _lock_call_expression(value, method)


def _acquire_test(test: _ast.expr) -> tuple[str | None, bool, bool] | None:
    """Whether an `if` test is an acquire (`lock.acquire(timeout=1)`, `not lock.acquire(...)`):
    its key and whether it is awaited, as `_lock_call`'s, and the truth that means acquired."""
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
    words = _words(_last_identifier(function) or "")
    if method in words and _is_lock_name("_".join(words), set()):
        return "_".join(word for word in words if word != method) + "()", awaited
    return None


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


def _is_none(node: _ast.AST) -> bool:
    if isinstance(node, _ast.Constant):
        return node.value is None
    identifier = _last_identifier(node) if isinstance(node, (_ast.Name, _ast.Attribute)) else None
    return identifier is not None and any(word in identifier.lower() for word in _SENTINEL_WORDS)


def _string(node: _ast.AST) -> str | None:
    return node.value if isinstance(node, _ast.Constant) and isinstance(node.value, str) else None


def _is_call_to(node: _ast.AST, name: str, arguments: int) -> bool:
    return (
        isinstance(node, _ast.Call)
        and isinstance(node.func, _ast.Name)
        and node.func.id == name
        and len(node.args) == arguments
        and not node.keywords
    )


def _is_capitalized(name: str) -> bool:
    """`Client`, `_Screen`: a class by PEP 8 naming (not a CONSTANT)."""
    bare = name.lstrip("_")
    return bare[:1].isupper() and not bare.isupper()


def _alternatives(value: _ast.AST) -> Iterator[_ast.AST]:
    """The values an expression may evaluate to: `a or b`, `a if c else b`, `await a`..."""
    pending = [value]
    while pending:
        node = pending.pop()
        if isinstance(node, (_ast.Await, _ast.NamedExpr)):
            pending.append(node.value)
        elif isinstance(node, _ast.IfExp):
            pending.extend((node.orelse, node.body))
        elif isinstance(node, _ast.BoolOp):
            pending.extend(reversed(node.values))
        else:
            yield node


def _names(target: _ast.expr) -> Iterator[_ast.expr]:
    """The expressions a binding target stores to, tuples and starred targets unpacked."""
    pending = [target]
    while pending:
        node = pending.pop()
        if isinstance(node, (_ast.Tuple, _ast.List)):
            pending.extend(reversed(node.elts))
        elif isinstance(node, _ast.Starred):
            pending.append(node.value)
        else:
            yield node


class _Function:
    """One function's view of shared state: which expressions name shared targets, and how.

    Its statements are noted during the one walk over the module's statements (`note`); once
    the module's class names are known, `finish` says whether it stores to anything shared and,
    only then, collects its bindings (`record`). Expressions are not walked to find bindings.
    """

    def __init__(
        self,
        source: Source,
        node: Function,
        owner: _ast.ClassDef | None,
        enclosing: _Function | None,
        lock_names: set[str],
    ) -> None:
        self.source = source
        self.node = node
        self.is_async = isinstance(node, _ast.AsyncFunctionDef)
        self.lock_names = lock_names
        self.parameters = {argument.arg for argument in parameters(node.args)}
        parameter = _class_parameter(node, owner)
        # Names bound to a class: by method semantics (`@classmethod`, `__new__`, a metaclass's
        # methods), here or in an enclosing function; and parameters only named like a class
        # (`def singleton(cls):`), whose attributes count only when assigned an instance of it.
        self.class_parameters: set[str] = set()
        self.named_classes = self.parameters & _CLASS_PARAMETERS
        if enclosing is not None:
            self.class_parameters |= enclosing.class_parameters - self.parameters
            self.named_classes |= enclosing.named_classes - self.parameters
        if parameter is not None:
            self.class_parameters.add(parameter)
        self.named_classes -= self.class_parameters
        # The class a metaclass `__init__` or `__init_subclass__` sets up: no other thread can
        # reach it yet, so its attributes are not shared.
        self.constructing = parameter if node.name in _CLASS_SETUP_METHODS else None
        self.class_names: set[str] = set()
        self.declared: set[str] = set()
        self.locals: set[str] = set(self.parameters)
        self.bindings: dict[str, int] = {}  # how often each name is bound here
        self.assigned: dict[str, list[_ast.expr]] = {}  # values of its plain `name = value`
        self.statements: list[_ast.stmt] = []  # the statements of its own scope
        self.stores: list[_ast.expr] = []  # what assignments store to
        self.aliases: dict[str, str] = {}
        self._instance_locals: dict[str | None, set[str]] = {}

    def bind(self, target: _ast.expr, value: _ast.expr | None = None) -> None:
        """Count a binding of each name in `target`, and its value if it is a plain name."""
        for node in _names(target):
            if isinstance(node, _ast.Name):
                self.locals.add(node.id)
                self.bindings[node.id] = self.bindings.get(node.id, 0) + 1
                if value is not None and node is target:
                    self.assigned.setdefault(node.id, []).append(value)

    def note(self, statement: _ast.stmt) -> None:
        """Note a statement of this function's own scope: declarations and shared stores."""
        self.statements.append(statement)
        if isinstance(statement, (_ast.Global, _ast.Nonlocal)):
            self.declared.update(statement.names)
        elif isinstance(statement, (_ast.Assign, _ast.AnnAssign)) and statement.value is not None:
            for target in _targets(statement, unpack=False):
                self.stores.extend(_names(target))

    def record(self, statement: _ast.stmt) -> None:
        """Note what one statement of this function's own scope binds."""
        if isinstance(statement, (_ast.Assign, _ast.AnnAssign)):
            for target in _targets(statement, unpack=False):
                self.bind(target, statement.value)
        elif isinstance(statement, (_ast.AugAssign, _ast.For, _ast.AsyncFor)):
            self.bind(statement.target)
        elif isinstance(statement, _ast.Delete):
            for target in statement.targets:
                self.bind(target)
        elif isinstance(statement, (_ast.With, _ast.AsyncWith)):
            for item in statement.items:
                if item.optional_vars is not None:
                    self.bind(item.optional_vars)
        elif isinstance(statement, TRIES):
            self.locals.update(handler.name for handler in statement.handlers if handler.name)
        elif isinstance(statement, (_ast.Import, _ast.ImportFrom)):
            for alias in statement.names:
                self.locals.add(bound_name(alias))
        elif isinstance(statement, DEFINITIONS):
            self.locals.add(statement.name)

    def finish(self, class_names: set[str]) -> bool:
        """Complete the view with the module's classes; whether anything shared is assigned.

        Bindings are only collected for functions that store to something that may be shared
        (before they are known, every registry counts as shared): few functions do.
        """
        self.class_names = class_names | self.class_parameters | self.named_classes
        if not any(self.target(store) is not None for store in self.stores):
            return False
        for statement in self.statements:
            self.record(statement)
        self.locals -= self.declared
        for name, values in self.assigned.items():
            if name in self.locals and name not in self.parameters:
                if len(values) == self.bindings[name]:
                    targets = {self.lookup(value) for value in values}
                    if len(targets) == 1 and None not in targets:
                        self.aliases[name] = targets.pop()  # type: ignore[assignment]
        return any(self.target(store) is not None for store in self.stores)

    def class_reference(self, node: _ast.AST) -> str | None:
        """`Cls`, `cls`, `type(x)` or `x.__class__` as text: an expression naming a class."""
        if isinstance(node, _ast.Name) and node.id in self.class_names:
            return node.id
        if _is_call_to(node, "type", 1) and isinstance(node.args[0], _ast.Name):  # type: ignore
            return f"type({node.args[0].id})"  # type: ignore[attr-defined]
        if (
            isinstance(node, _ast.Attribute)
            and node.attr == "__class__"
            and isinstance(node.value, _ast.Name)
        ):
            return f"{node.value.id}.__class__"
        return None

    def target(self, node: _ast.AST) -> str | None:
        """The shared target an expression names, as text, or None when it is not shared.

        A global or nonlocal name; an attribute of a class; an item of a shared container
        (a global, closure or class attribute) keyed by a class.
        """
        if isinstance(node, _ast.Name):
            return node.id if node.id in self.declared else None
        if isinstance(node, _ast.Attribute):
            owner = self.class_reference(node.value)
            if owner is None or owner == self.constructing:
                return None
            return f"{owner}.{node.attr}"
        if isinstance(node, _ast.Subscript):
            key = self.class_reference(node.slice)
            container = self.container(node.value)
            if key is None or key == self.constructing or container is None:
                return None
            return f"{container}[{key}]"
        return None

    def required_class(self, node: _ast.AST) -> str | None:
        """The class a value stored to `node` must instantiate to be a shared instance.

        A registry keyed by a class holds instances of that class (`instances[cls] = cls()`);
        so does the attribute of a parameter only named like a class (`cls._instance = cls()`),
        which may be any object (`def compute(cls: ClassInfo): cls.table = {}`).
        """
        if isinstance(node, _ast.Subscript):
            return self.class_reference(node.slice)
        if (
            isinstance(node, _ast.Attribute)
            and isinstance(node.value, _ast.Name)
            and node.value.id in self.named_classes
        ):
            return node.value.id
        return None

    def container(self, node: _ast.AST) -> str | None:
        """A registry the function shares with other calls: a non-local name or a class's."""
        if isinstance(node, _ast.Name) and node.id not in self.locals:
            return node.id
        return self.target(node) if isinstance(node, _ast.Attribute) else None

    def attribute_target(self, owner: _ast.AST, name: _ast.AST) -> str | None:
        """The target `owner.<name>` for `hasattr(owner, "name")` and the like."""
        attribute = _string(name)
        reference = self.class_reference(owner)
        if attribute is None or reference is None:
            return None
        return f"{reference}.{attribute}"

    def lookup(self, node: _ast.AST, recent: dict[str, _ast.expr] | None = None) -> str | None:
        """The target an expression reads, None or falsy when it is missing.

        The target itself, a local holding it (by the value it was last assigned on the way
        here, `recent`, or else by every assignment to it), `getattr(o, "a", None)`,
        `o.__dict__.get("a")`, `vars(o).get("a")`, `registry.get(key)`, `globals().get("x")`.
        """
        seen = set()
        while True:
            if isinstance(node, _ast.NamedExpr):
                node = node.value
            elif isinstance(node, _ast.Name) and recent and node.id in recent:
                if node.id in seen:
                    return None
                seen.add(node.id)
                node = recent[node.id]
            else:
                break
        if isinstance(node, _ast.Name) and node.id in self.aliases:
            return self.aliases[node.id]
        if isinstance(node, (_ast.Name, _ast.Attribute, _ast.Subscript)):
            return self.target(node)
        if not isinstance(node, _ast.Call):
            return None
        if _is_call_to(node, "getattr", 3) and _is_none(node.args[2]):
            return self.attribute_target(node.args[0], node.args[1])
        function = node.func
        if (
            isinstance(function, _ast.Attribute)
            and function.attr == "get"
            and len(node.args) in (1, 2)
            and not node.keywords
            and (len(node.args) == 1 or _is_none(node.args[1]))
        ):
            return self.membership(node.args[0], function.value)
        return None

    def membership(self, key: _ast.AST, container: _ast.AST) -> str | None:
        """The target whose presence `key in container` tests."""
        if _is_call_to(container, "globals", 0):
            name = _string(key)
            return name if name in self.declared else None
        if _is_call_to(container, "vars", 1):
            return self.attribute_target(container.args[0], key)  # type: ignore[attr-defined]
        if isinstance(container, _ast.Attribute) and container.attr == "__dict__":
            return self.attribute_target(container.value, key)
        reference = self.class_reference(key)
        shared = self.container(container)
        return f"{shared}[{reference}]" if reference is not None and shared is not None else None

    def missing(
        self, test: _ast.AST, when: bool, recent: dict[str, _ast.expr] | None = None
    ) -> set[str]:
        """The targets that `test` found missing when it evaluates to `when`.

        Each operand of `and`/`or` counts: `if x is None or reload:` may create x while it is
        missing, and so may the code after `if x is not None and x.alive: return x`.
        """
        targets = set()
        pending = [(test, when)]
        while pending:
            node, truth = pending.pop()
            if isinstance(node, _ast.UnaryOp) and isinstance(node.op, _ast.Not):
                pending.append((node.operand, not truth))
            elif isinstance(node, _ast.BoolOp):
                pending.extend((value, truth) for value in node.values)
            elif isinstance(node, _ast.Compare):
                if len(node.ops) == 1:
                    operands = (node.left, node.ops[0], node.comparators[0])
                    targets |= self._compare(*operands, truth, recent)
            elif not truth:  # falsy: `if not x:`, `if not hasattr(cls, "_instance"):`
                if _is_call_to(node, "hasattr", 2):
                    target = self.attribute_target(*node.args)  # type: ignore[attr-defined]
                else:
                    target = self.lookup(node, recent)
                if target is not None:
                    targets.add(target)
        return targets

    def _compare(
        self,
        left: _ast.AST,
        op: _ast.cmpop,
        right: _ast.AST,
        when: bool,
        recent: dict[str, _ast.expr] | None,
    ) -> set[str]:
        if isinstance(op, (_ast.In, _ast.NotIn)):
            target = self.membership(left, right)
            absent_when = isinstance(op, _ast.NotIn)
        elif isinstance(op, (_ast.Is, _ast.IsNot, _ast.Eq, _ast.NotEq)):
            if _is_none(right):
                target = self.lookup(left, recent)
            elif _is_none(left):
                target = self.lookup(right, recent)
            else:
                return set()
            absent_when = isinstance(op, (_ast.Is, _ast.Eq))
        else:
            return set()
        return {target} if target is not None and absent_when == when else set()

    def creates(
        self, value: _ast.AST, key: str | None = None, recent: dict[str, _ast.expr] | None = None
    ) -> bool:
        """Whether `value` is a new shared instance (of class `key`, for a class-keyed registry).

        An instance is made by calling a class or a factory (see `instantiates`); an empty
        container (`{}`, `[]`, `dict()`, `[None] * n`) assigned to the target is shared before
        it is filled; a local variable holds an instance when the value it was last assigned on
        the way here (`recent`) is one, or else when every assignment to it makes one.
        Constants, computed values (a compiled pattern, a tuple, a table built before it is
        stored) and reads of other names are not: two threads storing them store equal things,
        so the race loses nothing.
        """
        if key is None:
            for node in _alternatives(value):
                if isinstance(node, (_ast.Dict, _ast.List, _ast.Set)):
                    if not (node.keys if isinstance(node, _ast.Dict) else node.elts):
                        return True
                elif isinstance(node, _ast.BinOp) and isinstance(node.op, _ast.Mult):
                    if isinstance(node.left, _ast.List) or isinstance(node.right, _ast.List):
                        return True  # a table preallocated to be filled: `[None] * 256`
        instances = self.instance_locals(key)
        pending = list(_alternatives(value))
        seen: set[str] = set()
        while pending:
            node = pending.pop()
            if isinstance(node, _ast.Name) and recent and node.id in recent:
                if node.id not in seen:
                    seen.add(node.id)
                    pending.extend(_alternatives(recent[node.id]))
            elif self._makes_instance(node, key, instances):
                return True
        return False

    def _makes_instance(self, value: _ast.AST, key: str | None, instances: set[str]) -> bool:
        return any(
            (isinstance(node, _ast.Call) and self.instantiates(node, key))
            or (isinstance(node, _ast.Name) and node.id in instances)
            for node in _alternatives(value)
        )

    def instance_locals(self, key: str | None) -> set[str]:
        """The locals every assignment of which makes an instance (of `key`): a fixpoint."""
        if key in self._instance_locals:
            return self._instance_locals[key]
        candidates = {
            name: values
            for name, values in self.assigned.items()
            if name in self.locals
            and name not in self.parameters
            and len(values) == self.bindings[name]
        }
        instances: set[str] = set()
        changed = True
        while changed:
            changed = False
            for name, values in candidates.items():
                if name not in instances and all(
                    self._makes_instance(value, key, instances) for value in values
                ):
                    instances.add(name)
                    changed = True
        self._instance_locals[key] = instances
        return instances

    def instantiates(self, call: _ast.Call, key: str | None) -> bool:
        """Whether a call makes a new instance (of class `key`, when given).

        `__new__`/`__call__`; a class parameter (`cls(...)`); otherwise a capitalized name (a
        class, by PEP 8) other than an immutable value type such as `Path`, an empty builtin
        container, or a factory whose name starts with create, make, build, new, connect or
        open (but not a class factory such as `make_class`, nor a value factory such as
        `build_table`), or an alternative constructor of a class (`cls.from_config(...)`).
        """
        name = _last_identifier(call.func) or ""
        if name in ("__new__", "__call__"):
            return True
        if key is not None:
            return self.class_reference(call.func) == key
        called = call.func.id if isinstance(call.func, _ast.Name) else None
        if called in self.class_parameters or called in self.named_classes:
            return True
        if _is_capitalized(name):
            return name not in _VALUE_CLASSES
        if name in _CONTAINERS:
            return name in ("defaultdict", "deque") or not (call.args or call.keywords)
        words = _words(name)
        if not words or words[-1] in _CLASS_WORDS:
            return False
        if words[0] == "from" and isinstance(call.func, _ast.Attribute):
            return self._names_class(call.func.value)  # `cls.from_config(...)`
        return words[0] in _FACTORY_WORDS and words[-1] not in _VALUE_WORDS

    def _names_class(self, node: _ast.AST) -> bool:
        """A class reference or a capitalized name, but not a value type: `Redis`, not `Path`."""
        name = _last_identifier(node) or ""
        if name in _VALUE_CLASSES:
            return False
        return self.class_reference(node) is not None or (
            isinstance(node, _ast.Name) and _is_capitalized(name)
        )

    def inline_check(self, target: str, value: _ast.AST, key: str | None) -> bool:
        """`x = x or Make()` and `x = Make() if x is None else x`: check and create in one."""
        if isinstance(value, _ast.BoolOp) and isinstance(value.op, _ast.Or):
            return self.lookup(value.values[0]) == target
        if isinstance(value, _ast.IfExp):
            if target in self.missing(value.test, True):
                return self.creates(value.body, key)
            if target in self.missing(value.test, False):
                return self.creates(value.orelse, key)
        return False

    def read_in(self, statements: list[_ast.stmt]) -> set[tuple[str, type[_ast.AST]]]:
        """The shared targets `statements` read, with the kind of expression that reads each."""
        read: set[tuple[str, type[_ast.AST]]] = set()
        for node in scope_walk(statements):
            if isinstance(node, (_ast.Name, _ast.Attribute, _ast.Subscript)) and isinstance(
                node.ctx, _ast.Load
            ):
                target = self.target(node)
                if target is not None:
                    read.add((target, type(node)))
        return read


def _handler_errors(handler: _ast.ExceptHandler) -> set[str]:
    types = handler.type
    elements = types.elts if isinstance(types, _ast.Tuple) else [types] if types else []
    return {name for name in map(_last_identifier, elements) if name is not None}


def _targets(statement: _ast.stmt, unpack: bool = True) -> list[_ast.expr]:
    """What a plain or annotated assignment stores to: its targets, or every name they unpack."""
    if isinstance(statement, _ast.Assign):
        targets = statement.targets
    elif isinstance(statement, _ast.AnnAssign) and statement.value is not None:
        targets = [statement.target]
    else:
        return []
    return [name for target in targets for name in _names(target)] if unpack else list(targets)


def _rebound(statement: _ast.stmt) -> set[str]:
    """The local names a statement binds other than by `name = value` at its own level.

    Their last known value no longer holds after it: a loop or branch may have rebound them.
    """
    names: set[str] = set()
    for current in statement_walk([statement], into_definitions=False):
        if isinstance(current, (_ast.Assign, _ast.AnnAssign)):
            targets = _targets(current, unpack=False)
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
        names.update(
            node.id for target in targets for node in _names(target) if isinstance(node, _ast.Name)
        )
    return names


class _Checker:
    """Walks one function's statements in order, without recursion, collecting findings."""

    def __init__(self, function: _Function) -> None:
        self.function = function
        self.lock_async: dict[int, bool] = {}
        self.findings: list[Finding] = []
        self.bindings = 0

    def new_lock(self, frame: _Frame, is_async: bool) -> int:
        lock = len(self.lock_async)
        self.lock_async[lock] = is_async
        frame.locks[lock] = is_async
        return lock

    def run(self) -> list[Finding]:
        function = self.function
        root = _Frame(function.node.body, [], {}, {}, {}, {})
        if _runs_locked(function.node, function.lock_names):
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

    def mark_awaited(
        self, frame: _Frame, nodes: Iterable[_ast.AST], implicit: bool = False
    ) -> None:
        if self.function.is_async and (implicit or _has_await(nodes)):
            for guard in frame.guards:
                guard.awaited = True

    def step(self, frame: _Frame, statement: _ast.stmt) -> list[_Frame]:
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

    def rebind(self, frame: _Frame, names: Iterable[str]) -> None:
        """Names bound anew, their values unknown."""
        for name in names:
            frame.values.pop(name, None)
            self.bindings += 1
            frame.bound[name] = self.bindings

    def step_if(self, frame: _Frame, statement: _ast.If) -> list[_Frame]:
        function = self.function
        self.mark_awaited(frame, [statement.test])

        def guards(targets: set[str]) -> list[_Guard]:
            return [_Guard(target, frame) for target in targets]

        missing_in_body = guards(function.missing(statement.test, True, frame.values))
        missing_in_else = guards(function.missing(statement.test, False, frame.values))
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
        acquired = _acquire_test(statement.test)
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

    def step_with(self, frame: _Frame, statement: _ast.With | _ast.AsyncWith) -> list[_Frame]:
        is_async = isinstance(statement, _ast.AsyncWith)
        self.mark_awaited(frame, _header(statement), implicit=is_async)
        child = frame.child(statement.body)
        child.merge_into = frame
        if any(_is_lock(item.context_expr, self.function.lock_names) for item in statement.items):
            self.new_lock(child, is_async)
        return [child]

    def step_try(self, frame: _Frame, statement: _ast.Try) -> list[_Frame]:
        self.mark_awaited(frame, _header(statement))
        read = self.function.read_in(statement.body)
        children = [frame.child(statement.body)]
        for handler in statement.handlers:
            errors = _handler_errors(handler)
            guards = [
                _Guard(target, frame) for target, kind in read if errors & _MISSING_ERRORS[kind]
            ]
            children.append(frame.child(handler.body, guards))
        children.append(frame.child(statement.orelse))
        children.append(frame.child(statement.finalbody))
        for released in statement.finalbody:  # `acquire()` ... `try: ... finally: release()`
            self.release(frame, released)
        return children

    def release(self, frame: _Frame, statement: _ast.stmt) -> None:
        call = _lock_call(statement, "release")
        if call is not None and call[0] in frame.acquired:
            frame.locks.pop(frame.acquired.pop(call[0]), None)

    def simple(self, frame: _Frame, statement: _ast.stmt) -> None:
        acquired = _lock_call(statement, "acquire")
        if acquired is not None:
            self.mark_awaited(frame, (), implicit=acquired[1])
            lock = self.new_lock(frame, acquired[1])
            if acquired[0] is not None:
                frame.acquired[acquired[0]] = lock
            return
        self.release(frame, statement)
        value = getattr(statement, "value", None)
        if value is not None:
            for target in _targets(statement):
                self.creation(frame, target, value)
            if isinstance(statement, (_ast.Assign, _ast.AnnAssign)):
                for target in _targets(statement, unpack=False):
                    if isinstance(target, _ast.Name) and target.id in self.function.locals:
                        self.rebind(frame, [target.id])
                        frame.values[target.id] = value
        self.mark_awaited(frame, [statement])

    def creation(self, frame: _Frame, node: _ast.expr, value: _ast.expr) -> None:
        """Report the assignment `node = value` if it creates a checked target unlocked."""
        function = self.function
        target = function.target(node)
        key = function.required_class(node)
        if target is None or not function.creates(value, key, frame.values):
            return
        value_awaits = _has_await([value])
        guards = [
            guard
            for guard in frame.guards
            if guard.target == target and self.made_since(guard, frame, value, key)
        ]
        if guards:
            message = self.race(frame, guards, value_awaits)
        elif function.inline_check(target, value, key):
            message = self.race(frame, [_Guard(target, frame)], value_awaits)
        else:
            return
        if message is not None:
            finding = function.source.finding(
                RULE.id, RULE.code, node, message.format(target=target)
            )
            self.findings.append(finding)

    def made_since(self, guard: _Guard, frame: _Frame, value: _ast.expr, key: str | None) -> bool:
        """Whether `value` is an instance made after the check: not a local that already held
        its object then (`runner = Runner()` ... `if master is None: master = runner`)."""
        for node in _alternatives(value):
            if isinstance(node, _ast.Name) and node.id in guard.bound:
                if frame.bound.get(node.id) == guard.bound[node.id]:
                    continue
            if self.function.creates(node, key, frame.values):
                return True
        return False

    def race(self, frame: _Frame, guards: list[_Guard], value_awaits: bool) -> str | None:
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


def _is_metaclass(node: _ast.ClassDef) -> bool:
    names = [node.name] + [_last_identifier(base) or "" for base in node.bases]
    return any(
        name == "type" or name.endswith(("Meta", "Metaclass", "MetaClass")) for name in names
    )


def _class_parameter(node: Function, owner: _ast.ClassDef | None) -> str | None:
    """The first parameter of a function when it is bound to a class rather than an instance."""
    arguments = node.args.posonlyargs + node.args.args
    if not arguments:
        return None
    decorators = {_last_identifier(decorator) for decorator in node.decorator_list}
    if "staticmethod" in decorators:
        return None
    if (
        "classmethod" in decorators
        or node.name in _IMPLICIT_CLASSMETHODS
        or (owner is not None and _is_metaclass(owner))
    ):
        return arguments[0].arg
    return None


def check(source: Source, options: dict[str, object]) -> list[Finding]:
    """Every unlocked lazy creation of a shared instance, at the assignment that creates it.

    Locks are known by name (`_lock`, `self._mutex`, the `lock-names` option) and by what the
    module assigns them: `_guard = threading.Lock()` makes `with _guard:` a lock.
    """
    if not any(needle in source.text for needle in NEEDS):
        return []
    lock_names = {str(name).lower() for name in options.get("lock-names") or ()}  # type: ignore
    class_names: set[str] = set()
    functions: list[_Function] = []
    # One walk over the statements, not the expressions: bindings are found at statement level.
    stack: list[Place] = [(statement, None, None, None) for statement in source.tree.body]
    stack.reverse()
    while stack:
        statement, function, owner, enclosing = stack.pop()
        if function is not None:
            function.note(statement)
        if isinstance(statement, (_ast.Assign, _ast.AnnAssign)) and _makes_lock(statement.value):
            for target in _targets(statement):
                name = _last_identifier(target)
                if name is not None:
                    lock_names.add(name.lower())
        children: list[Place]
        if isinstance(statement, FUNCTIONS):
            inner = _Function(source, statement, owner, enclosing, lock_names)
            functions.append(inner)
            children = [(child, inner, None, inner) for child in statement.body]
        elif isinstance(statement, _ast.ClassDef):
            class_names.add(statement.name)
            children = [(child, None, statement, enclosing) for child in statement.body]
        else:
            children = [
                (child, function, owner, enclosing)
                for block in blocks(statement)
                for child in block
            ]
        children.reverse()
        stack.extend(children)
    findings: list[Finding] = []
    uses: dict[str, list[bool]] | None = None
    for function in functions:
        if not function.finish(class_names):
            continue
        found = _Checker(function).run()
        name = function.node.name
        if found and name.startswith("_") and not name.endswith("__"):
            if uses is None:
                uses = _uses_under_lock(source.tree, lock_names)
            if all(uses.get(name) or [False]):
                continue  # a private helper that every caller calls with the lock held
        findings.extend(found)
    findings.sort(key=Finding.sort_key)
    if findings:
        from .singleton_fix import attach  # the fix, made only where there is a finding

        findings = attach(source, findings)
    return findings


def _makes_lock(value: _ast.expr | None) -> bool:
    """`threading.Lock()`, `asyncio.Lock()`, `RLock()`, `_thread.allocate_lock()`..."""
    return isinstance(value, _ast.Call) and _last_identifier(value.func) in _LOCK_CONSTRUCTORS


def _runs_locked(node: Function, lock_names: set[str]) -> bool:
    """Decorated to hold a lock (`@synchronized(lock)`), or named to be called under one."""
    if _LOCKED_FUNCTION_WORDS.intersection(_words(node.name)):
        return True
    return any(
        _is_lock_name(_last_identifier(decorator), lock_names) for decorator in node.decorator_list
    )


def _uses_under_lock(tree: _ast.Module, lock_names: set[str]) -> dict[str, list[bool]]:
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
            inner = locked or any(_is_lock(item.context_expr, lock_names) for item in items)
            stack.extend((item, locked) for item in items)
            stack.extend((statement, inner) for statement in node.body)
        elif isinstance(node, FUNCTIONS):  # runs later, when called
            inner = _runs_locked(node, lock_names)
            stack.extend((child, inner) for child in iter_child_nodes(node))
        elif isinstance(node, _ast.Lambda):
            stack.append((node.body, False))
        else:
            stack.extend((child, locked) for child in iter_child_nodes(node))
    return uses


def main(argv: Sequence[str] | None = None) -> int:
    return run_python_hook(RULE, check, argv)


if __name__ == "__main__":
    raise SystemExit(main())
