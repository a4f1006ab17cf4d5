"""debug-print: calls to the builtin `print` or to `pprint.pprint`/`pprint.pp` (ruff's T201/T203).

A call is reported only when its target resolves, through the file's own bindings, to one of those
functions. Names are resolved with ruff's semantic model (the reference the rule must agree with),
which is Python's scoping read statically: see `_Scopes`.
"""

from __future__ import annotations

import _ast
import builtins
import os

from .cli import run_python_hook
from .edits import expression_removals
from .finding import UNSAFE, Finding
from .paths import glob_match
from .registry import DEBUG_PRINT as RULE
from .registry import PPRINT_CALL, PRINT_CALL
from .source import Source, mentions
from .syntax import (
    iter_child_nodes,
    CAPTURES,
    TRIES,
    bound_name,
    captured_name,
    dotted_name,
    parameters,
    statement_walk,
)

TYPE_CHECKING = False
if TYPE_CHECKING:  # typing costs start-up time; mypy reads this block, the interpreter skips it
    from collections.abc import Callable, Sequence

    from typing import Union

    QualifiedName = tuple[str, ...]
    Entry = Union[QualifiedName, str, "_Restored", "_Declared", None]
    CallHandler = Callable[[_ast.Call, Union[QualifiedName, None]], None]
    Work = Union[_ast.AST, Callable[[], None]]  # a node to visit, or a step to run

PRINT_MESSAGE = "`print()` call left in the code; use `logging`, or remove it"
PPRINT_MESSAGE = "`pprint()` call left in the code; use `logging`, or remove it"
PRINTS = {("", "print"), ("builtins", "print")}  # "" is the builtins scope, as ruff spells it
PPRINTS = {("pprint", "pprint"), ("pprint", "pp")}
STANDARD_STREAMS = {("sys", "stdout"), ("sys", "stderr")}

MODULE, CLASS, FUNCTION, COMPREHENSION, TYPE_PARAMS = range(5)

# What a name is bound to in a scope, its entry: a tuple of strings, the qualified name it stands
# for (an import, a `def` or `class`, a builtin); or one of these; or an alias below.
UNKNOWN = "unknown"  # any other binding: assignment, parameter, loop target, walrus, ...
UNBOUND = "unbound"  # deleted by an unconditional `del`
ANNOTATED = "annotated"  # `name: T` without a value binds nothing: lookups pass through it


class _Restored:
    """`name` after `except ... as name`: reads as what `name` meant before the handler."""

    __slots__ = ("entry",)

    def __init__(self, entry: Entry) -> None:
        self.entry = entry


class _Declared:
    """`global name` or `nonlocal name`: reads as the declared scope's entry at that point."""

    __slots__ = ("entry",)

    def __init__(self, entry: Entry) -> None:
        self.entry = entry


def _qualified(entry: Entry) -> QualifiedName | None:
    """What a name bound to `entry` stands for; an alias is followed once, as ruff does."""
    if isinstance(entry, (_Restored, _Declared)):
        entry = entry.entry
    return entry if isinstance(entry, tuple) else None


class _Scope:
    """One scope's entries, by name."""

    __slots__ = ("kind", "parent", "entries")

    def __init__(self, kind: int, parent: _Scope | None) -> None:
        self.kind = kind
        self.parent = parent
        self.entries: dict[str, Entry] = {}


class _Scopes:
    """Walks a module binding names scope by scope, and resolves each call's target.

    The model is ruff's semantic model, so that the rule agrees with T201/T203 exactly:
    - statements bind in order; function and lambda bodies are visited after the whole module
      (functions first, then lambdas, each in the order they were found), so they see the
      enclosing scopes' final entries; class bodies and comprehensions are visited in place;
    - a class scope is seen from its own body only, never from methods or comprehensions in it;
    - only imports, `def`/`class` and builtins stand for a qualified name; other bindings shadow;
    - `del name` unbinds it (it then resolves to nothing, not even the builtin), unless the `del`
      may not run, where it changes nothing: under an `if`, `while`, `match` or the `else` of a
      `for` or `try` (at any depth, through enclosing definitions too), or in an `except` clause
      (up to a nested definition);
    - `except E as name` binds the name before `E` is evaluated; after the clause, the name
      means again what it meant before;
    - with `from __future__ import annotations`, annotations are resolved after all the rest,
      the module's own names first;
    - `global name` and `nonlocal name` read the module's or the nearest enclosing function's
      entry; a `def` or `class` whose body declares `global name` makes the module's `name`
      unknown if it was unbound there;
    - `def`/`class` named N stand for `<module>.N`, where the module is the file's stem outside a
      package; inside a package, and for relative imports, nothing this rule looks for.
    """

    def __init__(self, module_name: str | None, on_call: CallHandler) -> None:
        self.module_name = module_name
        self.on_call = on_call
        self.module = _Scope(MODULE, None)
        self.scope = self.module
        self.branch = False  # where a `del` may not run (see above), through definitions
        self.handler = False  # in an `except` clause, up to a nested definition
        self.functions: list[tuple[_ast.AST, _Scope, bool]] = []
        self.lambdas: list[tuple[_ast.AST, _Scope, bool]] = []
        self.annotations: list[tuple[_ast.AST, _Scope, bool]] = []
        self.future_annotations = False  # `from __future__ import annotations`: never evaluated
        self.forward = False  # resolving a postponed annotation: module names come first
        self.visitors: dict[type, Callable[..., list[Work] | None]] = {
            _ast.FunctionDef: self.visit_function,
            _ast.AsyncFunctionDef: self.visit_function,
            _ast.Lambda: self.visit_lambda,
            _ast.ClassDef: self.visit_class,
            _ast.Import: self.visit_import,
            _ast.ImportFrom: self.visit_import_from,
            _ast.Global: self.visit_global,
            _ast.Nonlocal: self.visit_nonlocal,
            _ast.Assign: self.visit_assign,
            _ast.AugAssign: self.visit_assign,
            _ast.AnnAssign: self.visit_annotated_assign,
            _ast.NamedExpr: self.visit_named_expr,
            _ast.For: self.visit_for,
            _ast.AsyncFor: self.visit_for,
            _ast.If: self.visit_branches,
            _ast.While: self.visit_branches,
            _ast.ExceptHandler: self.visit_except_handler,
            _ast.ListComp: self.visit_comprehension,
            _ast.SetComp: self.visit_comprehension,
            _ast.GeneratorExp: self.visit_comprehension,
            _ast.DictComp: self.visit_comprehension,
            _ast.Name: self.visit_name,
            _ast.Call: self.visit_call,
        }
        for try_statement in TRIES:
            self.visitors[try_statement] = self.visit_try
        match_statement = getattr(_ast, "Match", None)  # Python >= 3.10
        if match_statement is not None:
            self.visitors[match_statement] = self.visit_branches
        for capture in CAPTURES:
            self.visitors[capture] = self.visit_capture
        type_alias = getattr(_ast, "TypeAlias", None)  # Python >= 3.12
        if type_alias is not None:
            self.visitors[type_alias] = self.visit_type_alias

    def run(self, tree: _ast.Module) -> None:
        self.walk(tree.body)
        stages = (
            (self.functions, self.visit_deferred_body),
            (self.lambdas, self.visit_deferred_body),
            (self.annotations, self.visit_postponed_annotation),
        )
        while self.functions or self.lambdas or self.annotations:
            for queue, visit in stages:
                while queue:  # a stage also takes what it adds, such as nested functions
                    batch = queue[:]
                    del queue[:]
                    for node, scope, branch in batch:
                        self.scope, self.branch, self.handler = scope, branch, False
                        visit(node)

    def walk(self, work: Sequence[Work]) -> None:
        """Visit nodes and run steps in order, with a stack instead of recursion: the parser
        accepts expressions thousands of levels deep, deeper than Python's recursion limit."""
        stack = list(reversed(work))
        while stack:
            item = stack.pop()
            if not isinstance(item, _ast.AST):
                item()
                continue
            visitor = self.visitors.get(type(item))
            more = list(iter_child_nodes(item)) if visitor is None else visitor(item)
            if more:
                more.reverse()
                stack.extend(more)

    def visit_deferred_body(self, node: _ast.AST) -> None:
        """A function's or lambda's body, in a scope of its own under where it was defined."""
        self.scope = _Scope(FUNCTION, self.scope)
        for argument in parameters(node.args):  # type: ignore[attr-defined]
            self.bind(argument.arg, UNKNOWN)
        body = node.body  # type: ignore[attr-defined]
        self.walk(body if isinstance(body, list) else [body])

    def visit_postponed_annotation(self, node: _ast.AST) -> None:
        self.forward = True
        self.walk([node])
        self.forward = False

    # Resolution

    def lookup(self, name: str) -> Entry:
        """The entry `name` finds here: the nearest visible one, else the builtin, else None."""
        if self.forward:
            entry = self.module_entry(name)
            if not (entry is None or _unbound(entry)):
                return entry
        scope: _Scope | None = self.scope
        class_visible = True
        index = 0
        while scope is not None:
            if scope.kind != CLASS or class_visible:
                class_visible = scope.kind == TYPE_PARAMS and index == 0
                entry = scope.entries.get(name, ANNOTATED)
                if entry is not ANNOTATED:
                    return entry
            scope = scope.parent
            index += 1
        return _builtin(name)

    def module_entry(self, name: str) -> Entry:
        entries = self.module.entries
        return entries[name] if name in entries else _builtin(name)

    def qualified_name(self, node: _ast.AST) -> QualifiedName | None:
        """`a.b.c` as the dotted name it stands for here (`import x as a` makes it `x.b.c`)."""
        dotted = dotted_name(node)
        if dotted is None:
            return None
        qualified = _qualified(self.lookup(dotted[0]))
        return None if qualified is None else qualified + dotted[1:]

    def bind(self, name: str, entry: Entry) -> None:
        self.scope.entries[name] = entry

    def definition(self, name: str) -> Entry:
        return UNKNOWN if self.module_name is None else (self.module_name, name)

    def declare_globals(self, body: list[_ast.stmt]) -> None:
        """A body declaring `global name` gives an unbound module `name` a value, as ruff does."""
        for statement in statement_walk(body, into_definitions=False):
            if isinstance(statement, _ast.Global):
                for name in statement.names:
                    entry = self.module_entry(name)
                    if entry is None or _unbound(entry):
                        self.module.entries[name] = UNKNOWN

    # Traversal: each visitor does what must happen first and returns what comes next, in order:
    # nodes to visit and steps (functions) to run once those before them are done.

    def visit_name(self, node: _ast.Name) -> None:
        if isinstance(node.ctx, _ast.Store):
            self.bind(node.id, UNKNOWN)
        elif isinstance(node.ctx, _ast.Del) and not (self.branch or self.handler):
            self.bind(node.id, UNBOUND)

    def visit_call(self, node: _ast.Call) -> list[Work]:
        target = self.qualified_name(node.func)  # as the callee is looked up: before the arguments
        return [node.func, *node.args, *node.keywords, lambda: self.on_call(node, target)]

    def visit_function(self, node: _ast.FunctionDef) -> list[Work]:
        arguments = node.args
        annotations = [argument.annotation for argument in parameters(arguments)] + [node.returns]
        outer = self.scope

        def define() -> None:
            self.functions.append((node, self.scope, self.branch))
            self.declare_globals(node.body)
            self.scope = outer
            self.bind(node.name, self.definition(node.name))

        return [
            *node.decorator_list,
            *arguments.defaults,  # evaluated where the function is defined
            *[default for default in arguments.kw_defaults if default is not None],
            *self.type_params(node),
            *[self.annotation(annotation) for annotation in annotations if annotation is not None],
            define,
        ]

    def visit_lambda(self, node: _ast.Lambda) -> list[Work]:
        def defer() -> None:
            self.lambdas.append((node, self.scope, self.branch))

        defaults = [default for default in node.args.kw_defaults if default is not None]
        return [*node.args.defaults, *defaults, defer]

    def visit_class(self, node: _ast.ClassDef) -> list[Work]:
        outer, handler = self.scope, self.handler

        def enter() -> None:
            self.scope = _Scope(CLASS, self.scope)
            self.declare_globals(node.body)
            self.handler = False

        def leave() -> None:
            self.scope, self.handler = outer, handler
            self.bind(node.name, self.definition(node.name))

        return [
            *node.decorator_list,
            *self.type_params(node),
            *node.bases,
            *node.keywords,
            enter,
            *node.body,
            leave,
        ]

    def type_params(self, node: _ast.AST) -> list[Work]:
        """A scope for type parameters (PEP 695), which ruff opens for every `def` and `class`:
        a walrus in an annotation or a base class binds there."""
        parameters = getattr(node, "type_params", [])  # Python >= 3.12

        def enter() -> None:
            self.scope = _Scope(TYPE_PARAMS, self.scope)
            for parameter in parameters:
                self.bind(parameter.name, UNKNOWN)

        return [enter, *parameters]

    def visit_type_alias(self, node: _ast.AST) -> list[Work]:
        outer = self.scope

        def leave() -> None:
            self.scope = outer
            self.bind(node.name.id, UNKNOWN)  # type: ignore[attr-defined]

        return [*self.type_params(node), node.value, leave]  # type: ignore[attr-defined]

    def annotation(self, node: _ast.AST) -> Work:
        """With `from __future__ import annotations`, postponed to the end (and read as forward
        references there); else evaluated in place."""
        if not self.future_annotations:
            return node
        return lambda: self.annotations.append((node, self.scope, self.branch))

    def visit_import(self, node: _ast.Import) -> None:
        for alias in node.names:
            segments = tuple(alias.name.split("."))
            self.bind(bound_name(alias), segments if alias.asname else segments[:1])

    def visit_import_from(self, node: _ast.ImportFrom) -> None:
        module = tuple(node.module.split(".")) if node.module else ()
        for alias in node.names:
            if alias.name == "*":
                continue  # binds nothing that can be named; `print` stays the builtin
            entry = UNKNOWN if node.level else module + (alias.name,)
            self.bind(alias.asname or alias.name, entry)
            if module == ("__future__",) and alias.name == "annotations":
                self.future_annotations = True

    def visit_global(self, node: _ast.Global) -> None:
        if self.scope is not self.module:
            for name in node.names:
                self.bind(name, _Declared(self.module_entry(name)))

    def visit_nonlocal(self, node: _ast.Nonlocal) -> None:
        for name in node.names:
            scope = self.scope.parent
            while scope is not None:
                if scope.kind == FUNCTION and name in scope.entries:
                    self.bind(name, _Declared(scope.entries[name]))
                    break
                scope = scope.parent

    def visit_assign(self, node: _ast.Assign | _ast.AugAssign) -> list[Work]:
        targets = node.targets if isinstance(node, _ast.Assign) else [node.target]
        return [node.value, *targets]  # the value is evaluated before the targets are bound

    def visit_annotated_assign(self, node: _ast.AnnAssign) -> list[Work]:
        target = node.target
        if node.value is not None:
            return [self.annotation(node.annotation), node.value, target]
        if not isinstance(target, _ast.Name):
            return [self.annotation(node.annotation), target]  # `a.b: int` reads `a`

        def annotate() -> None:  # binds nothing, and only as a first binding, like ruff
            if target.id not in self.scope.entries and (
                self.scope is not self.module or _builtin(target.id) is None
            ):
                self.bind(target.id, ANNOTATED)

        return [self.annotation(node.annotation), annotate]

    def visit_named_expr(self, node: _ast.NamedExpr) -> list[Work]:
        def bind() -> None:
            scope = self.scope
            while scope.kind == COMPREHENSION:  # PEP 572: binds in the enclosing scope
                scope = scope.parent  # type: ignore[assignment]
            scope.entries[node.target.id] = UNKNOWN

        return [node.value, bind]

    def visit_for(self, node: _ast.For) -> list[Work]:
        return [node.iter, node.target, *node.body, *self.branch_of(node.orelse)]

    def visit_try(self, node: _ast.AST) -> list[Work]:
        handler = self.handler

        def enter() -> None:
            self.handler = True

        def leave() -> None:
            self.handler = handler

        return [
            *node.body,  # type: ignore[attr-defined]
            enter,
            *node.handlers,  # type: ignore[attr-defined]
            leave,
            *self.branch_of(node.orelse),  # type: ignore[attr-defined]
            *node.finalbody,  # type: ignore[attr-defined]
        ]

    def visit_branches(self, node: _ast.AST) -> list[Work]:
        """`if`, `while` and `match`: everything in them may not run."""
        return self.branch_of(list(iter_child_nodes(node)))

    def branch_of(self, nodes: Sequence[_ast.AST]) -> list[Work]:
        branch = self.branch

        def enter() -> None:
            self.branch = True

        def leave() -> None:
            self.branch = branch

        return [enter, *nodes, leave]

    def visit_except_handler(self, node: _ast.ExceptHandler) -> list[Work]:
        name = node.name
        work: list[Work] = [] if node.type is None else [node.type]
        if name is None:
            return [*work, *node.body]
        before = self.lookup(name)  # ruff binds the name before it visits the exception type
        if isinstance(before, _Restored):
            before = before.entry
        self.bind(name, UNKNOWN)

        def restore() -> None:  # Python unbinds the name; ruff restores what it meant
            self.bind(name, _Restored(before))

        return [*work, *node.body, restore]

    def visit_comprehension(self, node: _ast.AST) -> list[Work]:
        outer = self.scope

        def enter() -> None:
            self.scope = _Scope(COMPREHENSION, self.scope)

        def leave() -> None:
            self.scope = outer

        generators = node.generators  # type: ignore[attr-defined]
        work: list[Work] = [generators[0].iter, enter]  # the first iterable is evaluated outside
        for index, generator in enumerate(generators):
            work.extend(([] if index == 0 else [generator.iter]) + [generator.target])
            work.extend(generator.ifs)
        if isinstance(node, _ast.DictComp):
            work.extend((node.key, node.value))
        else:
            work.append(node.elt)  # type: ignore[attr-defined]
        work.append(leave)
        return work

    def visit_capture(self, node: _ast.AST) -> list[Work]:
        """`case [*rest]`, `case {**rest}`, `case x`, `case _ as x` bind a name."""
        name = captured_name(node)
        work: list[Work] = list(iter_child_nodes(node))
        if name is not None:
            work.append(lambda: self.bind(name, UNKNOWN))
        return work


def _unbound(entry: Entry) -> bool:
    """Deleted, annotated only, or left by an `except ... as` clause (ruff's unbound kinds)."""
    return entry is UNBOUND or entry is ANNOTATED or isinstance(entry, _Restored)


def _builtin(name: str) -> Entry:
    return ("", name) if hasattr(builtins, name) else None


def _module_name(path: str) -> str | None:
    """The file's module name for its own `def`s, as ruff names them; None inside a package."""
    folder, _, filename = path.rpartition("/")
    if os.path.isfile(os.path.join(folder or os.curdir, "__init__.py")):
        return None
    return filename.rpartition(".")[0] or filename


def _is_main_guard(test: _ast.AST) -> bool:
    """`__name__ == "__main__"`, either way round."""
    if not isinstance(test, _ast.Compare) or len(test.ops) != 1:
        return False
    if not isinstance(test.ops[0], _ast.Eq):
        return False
    sides = (test.left, test.comparators[0])
    return any(isinstance(side, _ast.Name) and side.id == "__name__" for side in sides) and any(
        isinstance(side, _ast.Constant) and side.value == "__main__" for side in sides
    )


def _main_guard_spans(tree: _ast.Module) -> list[tuple[tuple[int, int], tuple[int, int]]]:
    """Where the bodies of `if __name__ == "__main__":` blocks start and end (line, byte)."""
    spans = []
    for statement in statement_walk(tree.body):
        if isinstance(statement, _ast.If) and _is_main_guard(statement.test):
            first, last = statement.body[0], statement.body[-1]
            spans.append(
                (
                    (first.lineno, first.col_offset),
                    (last.end_lineno or last.lineno, last.end_col_offset or 0),
                )
            )
    return spans


def _writes_elsewhere(call: _ast.Call, stream: str, scopes: _Scopes) -> bool:
    """`file=` (`stream=` for pprint) given, and neither None nor `sys.stdout`/`sys.stderr`.

    The stream is resolved like the callee, as ruff does: `from sys import stderr` is standard
    error, a `sys` that is not the imported module is not.
    """
    for keyword in call.keywords:
        if keyword.arg == stream:
            value = keyword.value
            if isinstance(value, _ast.Constant) and value.value is None:
                return False
            return scopes.qualified_name(value) not in STANDARD_STREAMS
    return False


def check(source: Source, options: dict[str, object]) -> list[Finding]:
    """Calls resolving to `print` or `pprint.pprint`/`pprint.pp`, at the callee."""
    filename = source.path.rpartition("/")[2]
    if filename == "__main__.py" or not mentions(source.text, RULE.needs):
        return []
    exclude = options.get("exclude", RULE.option("exclude").default)
    relative = source.relative
    if any(glob_match(relative, pattern) for pattern in exclude):  # type: ignore[attr-defined]
        return []
    calls: list[tuple[_ast.Call, str, str]] = []

    def on_call(call: _ast.Call, target: QualifiedName | None) -> None:
        if target in PRINTS and not _writes_elsewhere(call, "file", scopes):
            calls.append((call, PRINT_CALL.code, PRINT_MESSAGE))
        elif target in PPRINTS and not _writes_elsewhere(call, "stream", scopes):
            calls.append((call, PPRINT_CALL.code, PPRINT_MESSAGE))

    scopes = _Scopes(_module_name(source.path), on_call)
    scopes.run(source.tree)
    spans = _main_guard_spans(source.tree) if calls else []
    reported = [
        (call, code, message)
        for call, code, message in calls
        if not any(start <= (call.lineno, call.col_offset) <= end for start, end in spans)
    ]
    # ruff's T201/T203 fix, unsafe: the output goes, and so does whatever its arguments do
    titles = {
        id(call): f"remove the `{'print' if code == PRINT_CALL.code else 'pprint'}()` call"
        for call, code, _ in reported
    }
    fixes = expression_removals(source, titles, UNSAFE)
    return [
        source.finding(RULE.id, code, call.func, message).with_fix(fixes.get(id(call)))
        for call, code, message in reported
    ]


def main(argv: Sequence[str] | None = None) -> int:
    return run_python_hook(RULE, check, argv)


if __name__ == "__main__":
    raise SystemExit(main())
