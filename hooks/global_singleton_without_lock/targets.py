"""Which expressions of a function name shared targets, which tests find them missing, and which
values create a new instance of them.

A shared target is what two threads calling the same function reach: a `global` or `nonlocal`
name, an attribute of a class, an entry of a registry keyed by a class. An instance is what two
threads would each make one of, losing one: the call of a class or a factory, an empty container
filled after it is stored. Values that are equal however often made (constants, computed tables,
immutable value types) are not instances: storing one twice loses nothing.
"""

from __future__ import annotations

import _ast

from ..syntax import DEFINITIONS, TRIES, bound_name, parameters, scope_walk
from .expressions import (
    alternatives,
    assignment_targets,
    is_call_to,
    is_none,
    last_identifier,
    names,
    string,
)
from .methods import class_parameter
from .vocabulary import (
    CLASS_PARAMETERS,
    CLASS_SETUP_METHODS,
    CLASS_WORDS,
    CONTAINERS,
    FACTORY_WORDS,
    VALUE_CLASSES,
    VALUE_WORDS,
    is_capitalized,
    words,
)

TYPE_CHECKING = False
if TYPE_CHECKING:  # typing costs start-up time; mypy reads this block, the interpreter skips it
    from .scope import Module

    FunctionNode = _ast.FunctionDef | _ast.AsyncFunctionDef


class FunctionView:
    """One function's view of shared state: which expressions name shared targets, and how.

    The walk over the module's statements hands it the statements of its own scope; once the
    module's class names are known, `finish` says whether it stores to anything shared and, only
    then, works out its parameters and collects its bindings. Most functions store only to
    plain local names, so most never pay for more than one look at their assignments.
    Expressions are not walked to find bindings.
    """

    __slots__ = (
        *("module", "source", "node", "owner", "enclosing", "is_async", "lock_names"),
        *("statements", "plain", "declared", "nonlocals", "_shared", "class_stores"),
        *("parameters", "class_parameters", "named_classes", "constructing", "class_names"),
        *("locals", "bindings", "assigned", "aliases", "_instance_locals"),
    )
    # Known once `know_classes` (for `enclosing` too) or `finish` has run.
    parameters: set[str]
    # Names bound to a class: by method semantics (`@classmethod`, `__new__`, a metaclass's
    # methods), here or in an enclosing function; and parameters only named like a class
    # (`def singleton(cls):`), whose attributes count only when assigned an instance of it.
    class_parameters: set[str]
    named_classes: set[str]
    # The class a metaclass `__init__` or `__init_subclass__` sets up: no other thread can reach
    # it yet, so its attributes are not shared.
    constructing: str | None
    class_names: set[str]
    locals: set[str]
    bindings: dict[str, int]  # how often each name is bound here
    assigned: dict[str, list[_ast.expr]]  # values of its plain `name = value`
    aliases: dict[str, str]
    _instance_locals: dict[str | None, set[str]]
    # `type(x).a` and `x.__class__.a` stored here, by (x, a): reading `x.a` reads them too.
    class_stores: dict[tuple[str, str], str]

    def __init__(
        self,
        module: Module,
        node: FunctionNode,
        owner: _ast.ClassDef | None,
        enclosing: FunctionView | None,
    ) -> None:
        self.module = module
        self.source = module.source
        self.node = node
        self.owner = owner
        self.enclosing = enclosing
        self.is_async = isinstance(node, _ast.AsyncFunctionDef)
        self.lock_names = module.lock_names
        # Filled by the walk over the module: the statements of its own scope (in any order),
        # whether all its assignments store to plain names, its `global`/`nonlocal` names.
        self.statements: list[_ast.stmt] = []
        self.plain = True
        self.declared: set[str] = set()
        self.nonlocals: set[str] = set()
        self._shared: bool | None = None

    def know_classes(self) -> None:
        """Work out the parameters bound to a class, here and in the enclosing functions."""
        pending: list[FunctionView] = []
        view: FunctionView | None = self
        while view is not None and not hasattr(view, "class_parameters"):
            pending.append(view)
            view = view.enclosing
        for view in reversed(pending):  # outermost first: inner functions inherit its names
            view._know_own_classes()

    def _know_own_classes(self) -> None:
        node, enclosing = self.node, self.enclosing
        self.parameters = {argument.arg for argument in parameters(node.args)}
        owner = self.owner
        wrapped = self.module.classmethods(owner) if owner is not None else set()
        parameter = class_parameter(node, owner, wrapped)
        class_parameters: set[str] = set()
        named_classes = self.parameters & CLASS_PARAMETERS
        if enclosing is not None:
            class_parameters |= enclosing.class_parameters - self.parameters
            named_classes |= enclosing.named_classes - self.parameters
        if parameter is not None:
            class_parameters.add(parameter)
        self.class_parameters = class_parameters
        self.named_classes = named_classes - class_parameters
        self.constructing = parameter if node.name in CLASS_SETUP_METHODS else None

    def finish(self, class_names: set[str]) -> bool:
        """Complete the view with the module's classes; whether anything shared is assigned
        (or created by a call to an initializer, see `Module.initializers`). Idempotent."""
        if self._shared is None:
            self._shared = self._finish(class_names)
        return self._shared

    def _finish(self, class_names: set[str]) -> bool:
        """A store to a plain name is shared only if the name is declared `global` or
        `nonlocal`: a function whose stores are all plain undeclared names is done with at once.
        Bindings are only collected for functions that store to something that may be shared
        (before they are known, every registry counts as shared): few functions do."""
        declared = self.declared
        if self.plain and not declared and not self.calls_initializer():
            return False
        self.know_classes()
        self.class_names = class_names | self.class_parameters | self.named_classes
        self.locals = set(self.parameters)
        self.class_stores = {}
        stores = [
            node
            for statement in self.statements
            if isinstance(statement, (_ast.Assign, _ast.AnnAssign))
            for node in assignment_targets(statement)
        ]
        if not any(self.target(store) is not None for store in stores):
            if not self.calls_initializer():
                return False
        self.bindings, self.assigned, self.aliases, self._instance_locals = {}, {}, {}, {}
        for statement in self.statements:
            self.record(statement)
        self.locals -= declared
        for store in stores:
            if isinstance(store, _ast.Attribute) and isinstance(
                store.value, (_ast.Call, _ast.Attribute)
            ):
                owner = self.class_reference(store.value)
                instance = _instance_of(store.value)
                if owner is not None and instance is not None:
                    self.class_stores[(instance, store.attr)] = f"{owner}.{store.attr}"
        for name, values in self.assigned.items():
            if name in self.locals and name not in self.parameters:
                if len(values) == self.bindings[name]:
                    targets = {self.lookup(value) for value in values}
                    if len(targets) == 1 and None not in targets:
                        self.aliases[name] = targets.pop()  # type: ignore[assignment]
        return any(self.target(store) is not None for store in stores) or self.calls_initializer()

    def calls_initializer(self) -> bool:
        """Whether a statement of its own calls a module function that creates globals (by
        name: a local of the same name is told apart later, in `initialized_by`)."""
        initializers = self.module.initializers()
        return bool(initializers) and any(
            _called_name(statement) in initializers for statement in self.statements
        )

    def initialized_by(self, statement: _ast.stmt) -> list[_ast.Name]:
        """The globals an expression statement `init()` creates, calling an initializer."""
        name = _called_name(statement)
        if name is None or name in self.locals:
            return []
        return self.module.initializers().get(name, [])

    def created_at_top_level(self) -> list[_ast.Name]:
        """The declared names its own top-level statements assign a new instance on every call,
        without checking them first (a function that checks is a getter, judged on its own)."""
        created: list[_ast.Name] = []
        checked: set[str] = set()
        for statement in self.node.body:
            if isinstance(statement, _ast.If):
                checked |= self.missing(statement.test, True) | self.missing(statement.test, False)
            elif isinstance(statement, (_ast.Assign, _ast.AnnAssign)) and statement.value:
                created.extend(
                    target
                    for target in assignment_targets(statement)
                    if isinstance(target, _ast.Name)
                    and target.id in self.declared
                    and target.id not in checked
                    and self.creates(statement.value)
                )
        return created

    def bind(self, target: _ast.expr, value: _ast.expr | None = None) -> None:
        """Count a binding of each name in `target`, and its value if it is a plain name."""
        for node in names(target):
            if isinstance(node, _ast.Name):
                self.locals.add(node.id)
                self.bindings[node.id] = self.bindings.get(node.id, 0) + 1
                if value is not None and node is target:
                    self.assigned.setdefault(node.id, []).append(value)

    def record(self, statement: _ast.stmt) -> None:
        """Note what one statement of this function's own scope binds."""
        if isinstance(statement, (_ast.Assign, _ast.AnnAssign)):
            for target in assignment_targets(statement, unpack=False):
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

    def class_reference(self, node: _ast.AST) -> str | None:
        """`Cls`, `cls`, `type(x)` or `x.__class__` as text: an expression naming a class."""
        if isinstance(node, _ast.Name) and node.id in self.class_names:
            return node.id
        if is_call_to(node, "type", 1) and isinstance(node.args[0], _ast.Name):  # type: ignore
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
            name = node.id
            if name in self.declared:
                return name
            # Read, not stored: a global an initializer creates, unless a local shadows it.
            if isinstance(node.ctx, _ast.Load) and self.initialized_global(name):
                return name
            return None
        if isinstance(node, _ast.Attribute):
            owner = self.shared_owner(node.value)
            if owner is None:
                if isinstance(node.ctx, _ast.Load) and isinstance(node.value, _ast.Name):
                    # `self._parser` reads `self.__class__._parser` when the instance has none
                    return self.class_stores.get((node.value.id, node.attr))
                return None
            if owner == self.constructing:
                return None
            return f"{owner}.{node.attr}"
        if isinstance(node, _ast.Subscript):
            key = self.class_reference(node.slice)
            container = self.container(node.value)
            if key is None or key == self.constructing or container is None:
                return None
            return f"{container}[{key}]"
        return None

    def shared_owner(self, node: _ast.AST) -> str | None:
        """An object every caller shares, whose attributes are shared targets: a class, or a
        function (`get_pool.pool`), unless a local or parameter shadows it."""
        reference = self.class_reference(node)
        if reference is not None:
            return reference
        if isinstance(node, _ast.Name) and node.id not in self.locals:
            # A function of the module, or this very function by its own name (a nested one
            # is shared by every caller of the closure that made it: `wrapper.saved = {}`).
            if node.id in self.module.function_names or node.id == self.node.name:
                return None if node.id in self.declared else node.id
        return None

    def initialized_global(self, name: str) -> bool:
        """A module global, not shadowed here, that an initializer function creates."""
        if name in self.locals or name in self.parameters:
            return False
        return any(
            target.id == name
            for created in self.module.initializers().values()
            for target in created
        )

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
        attribute = string(name)
        reference = self.shared_owner(owner)
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
        if is_call_to(node, "getattr", 3) and is_none(node.args[2]):
            return self.attribute_target(node.args[0], node.args[1])
        function = node.func
        if (
            isinstance(function, _ast.Attribute)
            and function.attr == "get"
            and len(node.args) in (1, 2)
            and not node.keywords
            and (len(node.args) == 1 or is_none(node.args[1]))
        ):
            return self.membership(node.args[0], function.value)
        return None

    def membership(self, key: _ast.AST, container: _ast.AST) -> str | None:
        """The target whose presence `key in container` tests."""
        if is_call_to(container, "globals", 0):
            name = string(key)
            if name is not None and (name in self.declared or self.initialized_global(name)):
                return name
            return None
        if is_call_to(container, "vars", 1):
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
                if is_call_to(node, "hasattr", 2):
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
            if is_none(right):
                target = self.lookup(left, recent)
            elif is_none(left):
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
            for node in alternatives(value):
                if isinstance(node, (_ast.Dict, _ast.List, _ast.Set)):
                    if not (node.keys if isinstance(node, _ast.Dict) else node.elts):
                        return True
                elif isinstance(node, _ast.BinOp) and isinstance(node.op, _ast.Mult):
                    if isinstance(node.left, _ast.List) or isinstance(node.right, _ast.List):
                        return True  # a table preallocated to be filled: `[None] * 256`
        instances = self.instance_locals(key)
        pending = list(alternatives(value))
        seen: set[str] = set()
        while pending:
            node = pending.pop()
            if isinstance(node, _ast.Name) and recent and node.id in recent:
                if node.id not in seen:
                    seen.add(node.id)
                    pending.extend(alternatives(recent[node.id]))
            elif self._makes_instance(node, key, instances):
                return True
        return False

    def _makes_instance(self, value: _ast.AST, key: str | None, instances: set[str]) -> bool:
        return any(
            (isinstance(node, _ast.Call) and self.instantiates(node, key))
            or (isinstance(node, _ast.Name) and node.id in instances)
            for node in alternatives(value)
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
        name = last_identifier(call.func) or ""
        if name in ("__new__", "__call__"):
            return True
        if key is not None:
            return self.class_reference(call.func) == key
        called = call.func.id if isinstance(call.func, _ast.Name) else None
        if called in self.class_parameters or called in self.named_classes:
            return True
        if is_capitalized(name):
            return name not in VALUE_CLASSES
        if name in CONTAINERS:
            return name in ("defaultdict", "deque") or not (call.args or call.keywords)
        parts = words(name)
        if not parts or parts[-1] in CLASS_WORDS:
            return False
        if parts[0] == "from" and isinstance(call.func, _ast.Attribute):
            return self._names_class(call.func.value)  # `cls.from_config(...)`
        return parts[0] in FACTORY_WORDS and parts[-1] not in VALUE_WORDS

    def _names_class(self, node: _ast.AST) -> bool:
        """A class reference or a capitalized name, but not a value type: `Redis`, not `Path`."""
        name = last_identifier(node) or ""
        if name in VALUE_CLASSES:
            return False
        return self.class_reference(node) is not None or (
            isinstance(node, _ast.Name) and is_capitalized(name)
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


def _instance_of(reference: _ast.AST) -> str | None:
    """`x` for `type(x)` and `x.__class__`: the instance a class is reached through."""
    if is_call_to(reference, "type", 1):
        argument = reference.args[0]  # type: ignore[attr-defined]
        return argument.id if isinstance(argument, _ast.Name) else None
    if isinstance(reference, _ast.Attribute) and isinstance(reference.value, _ast.Name):
        return reference.value.id if reference.attr == "__class__" else None
    return None


def _called_name(statement: _ast.stmt) -> str | None:
    """`f` for the expression statement `f(...)`."""
    if isinstance(statement, _ast.Expr) and isinstance(statement.value, _ast.Call):
        function = statement.value.func
        return function.id if isinstance(function, _ast.Name) else None
    return None
