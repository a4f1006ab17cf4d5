"""The rule's fix: hold a lock across the check and the creation.

Double-checked locking, which keeps the common path (the instance exists) free of the lock:

    if _client is None:                 if _client is None:
        _client = Client()      ->          with _client_lock:
                                                if _client is None:
                                                    _client = Client()

with `_client_lock = threading.Lock()` next to the global (`asyncio.Lock()` and `async with` in
a coroutine; a lock attribute next to a class attribute, `cls._instance_lock`), and `import
threading` when the module has not. A re-entrant lock the module already has (`threading.RLock()`)
is reused: holding it again cannot deadlock, where reusing a plain lock that a caller may hold
could. Where the creation is already under a lock but not checked again, the check is repeated
inside it.

Only for the shapes it can rewrite without guessing: the creation directly in the body of the
`if` that checks it (or of the `with` inside that `if`), the body on lines of its own, no string
spanning lines in it (indenting would change its text), a one-line test without `:=`. Anything
else gets no fix. Always unsafe: it changes when code runs and what it holds, a reviewer's call.

It needs only the finding and the parsed file (the rule's check attaches it), no state of the
check itself.
"""

from __future__ import annotations

import _ast

from ..edits import binds, end, insert_lines, newline, start
from ..finding import UNSAFE, Edit, Finding, Fix
from ..source import Source
from ..syntax import DEFINITIONS, FUNCTIONS, walk

LOCK_MAKERS = ("Lock", "RLock")
INDENT = "    "


def attach(source: Source, findings: list[Finding]) -> list[Finding]:
    """The findings, each with its fix when one can be made."""
    if not findings:
        return findings
    parents = _parents(source.tree)
    return [finding.with_fix(fix(source, finding, parents)) for finding in findings]


def fix(source: Source, finding: Finding, parents: dict[int, _ast.AST] | None = None) -> Fix | None:
    """The double-checked-locking fix of one finding, or None for a shape it does not rewrite."""
    parents = _parents(source.tree) if parents is None else parents
    creation = _creation(source, finding)
    if creation is None:
        return None
    statement, target = creation
    function = _enclosing(statement, parents, FUNCTIONS)
    guard = parents.get(id(statement))
    if function is None or "\t" in source.text or not isinstance(guard, (_ast.If, _ast.With)):
        return None
    is_async = isinstance(function, _ast.AsyncFunctionDef)
    if isinstance(guard, _ast.With):  # already locked: check again inside
        check = parents.get(id(guard))
        if not isinstance(check, _ast.If) or guard not in check.body or not _tests(check, target):
            return None
        body = _rewritten(source, guard.body, [f"if {_test(source, check)}:"])
        if body is None:
            return None
        return Fix((body,), UNSAFE, "check again inside the lock (double-checked locking)")
    if statement not in guard.body or not _tests(guard, target):
        return None
    lock = _lock(source, target, function, parents, is_async)
    if lock is None:
        return None
    reference, definitions = lock
    header = [f"{'async with' if is_async else 'with'} {reference}:", f"if {_test(source, guard)}:"]
    body = _rewritten(source, guard.body, header)
    if body is None:
        return None
    title = f"hold `{reference}` across the check and the creation (double-checked locking)"
    return Fix((*definitions, body), UNSAFE, title)


def _parents(tree: _ast.Module) -> dict[int, _ast.AST]:
    """Each statement's parent: the statement (or module, or clause) whose block holds it."""
    parents: dict[int, _ast.AST] = {}
    stack: list[_ast.AST] = [tree]
    while stack:
        node = stack.pop()
        for name in ("body", "orelse", "finalbody", "handlers", "cases"):
            for child in getattr(node, name, None) or ():
                parents[id(child)] = node
                stack.append(child)
    return parents


def _enclosing(
    node: _ast.AST, parents: dict[int, _ast.AST], kinds: tuple[type, ...]
) -> _ast.AST | None:
    while id(node) in parents:
        node = parents[id(node)]
        if isinstance(node, kinds):
            return node
        if isinstance(node, DEFINITIONS):
            return None
    return None


def _creation(source: Source, finding: Finding) -> tuple[_ast.stmt, _ast.expr] | None:
    """The assignment statement and target the finding is at."""
    for node in walk(source.tree):
        if isinstance(node, (_ast.Assign, _ast.AnnAssign)):
            targets = node.targets if isinstance(node, _ast.Assign) else [node.target]
            for target in targets:
                if start(source, target) == (finding.line, finding.column):
                    return node, target
    return None


def _signature(node: _ast.AST) -> list[tuple[str, tuple[object, ...]]]:
    """An expression's shape, its load or store context left out; without recursion, as the
    parser nests deeper than Python's recursion limit allows."""
    shape = []
    for part in walk(node):
        if isinstance(part, _ast.expr_context):
            continue
        values = (getattr(part, name, None) for name in part._fields)
        shape.append(
            (type(part).__name__, tuple(v for v in values if not isinstance(v, (_ast.AST, list))))
        )
    return shape


def _same(first: _ast.AST, second: _ast.AST) -> bool:
    """Whether two expressions name the same thing (`_x`, `cls._x`, `cls._x[key]`)."""
    return type(first) is type(second) and _signature(first) == _signature(second)


def _tests(check: _ast.If, target: _ast.expr) -> bool:
    """Whether the `if` tests `target` (and has no `:=`, which the repeated test would redo)."""
    nodes = list(walk(check.test))
    if any(isinstance(node, _ast.NamedExpr) for node in nodes):
        return False
    return check.test.lineno == check.test.end_lineno and any(_same(node, target) for node in nodes)


def _test(source: Source, check: _ast.If) -> str:
    line, column = start(source, check.test)
    _, end_column = end(source, check.test)
    return source.line(line)[column - 1 : end_column - 1]


def _rewritten(source: Source, body: list[_ast.stmt], header: list[str]) -> Edit | None:
    """The edit putting `header` lines before a block's statements, which move one level in per
    header line; None when the block cannot be moved as text (see the module docstring)."""
    first, last = start(source, body[0]), end(source, body[-1])
    indent = source.line(first[0])[: first[1] - 1]
    rest = source.line(last[0])[last[1] - 1 :].strip()
    if indent.strip() or (rest and not rest.startswith("#")) or _strings_span_lines(body):
        return None
    deeper = INDENT * len(header)
    moved = [
        deeper + line if line.strip() else line for line in source.lines[first[0] - 1 : last[0]]
    ]
    lines = [indent + INDENT * number + text for number, text in enumerate(header)] + moved
    line_break = newline(source.text)
    return Edit(first[0], 1, last[0], len(source.line(last[0])) + 1, line_break.join(lines))


def _strings_span_lines(body: list[_ast.stmt]) -> bool:
    for statement in body:
        for node in walk(statement):
            if isinstance(node, (_ast.Constant, _ast.JoinedStr)) and node.lineno != node.end_lineno:
                if isinstance(node, _ast.JoinedStr) or isinstance(node.value, (str, bytes)):
                    return True
    return False


def _lock(
    source: Source,
    target: _ast.expr,
    function: _ast.AST,
    parents: dict[int, _ast.AST],
    is_async: bool,
) -> tuple[str, list[Edit]] | None:
    """How the fixed code names its lock, and the edits that define it (and import its module);
    None when neither the module nor a class holds the shared target."""
    module = "asyncio" if is_async else "threading"
    if isinstance(target, _ast.Name):
        owner: _ast.AST = source.tree
        attribute, base = target.id, ""
    else:
        named = target.value if isinstance(target, _ast.Subscript) else target
        owner_class = _enclosing(function, parents, (_ast.ClassDef,))
        if not isinstance(named, _ast.Attribute) or not isinstance(named.value, _ast.Name):
            return None
        if owner_class is None:
            return None
        owner, attribute, base = owner_class, named.attr, named.value.id + "."
    binding = _binding(owner, attribute)
    if binding is None:
        return None
    if not is_async and isinstance(owner, _ast.Module):
        reused = _reentrant_lock(source.tree)
        if reused is not None:
            return reused, []
    name = (attribute if attribute.startswith("_") else "_" + attribute) + "_lock"
    if _binding(owner, name) is not None or (
        isinstance(owner, _ast.Module) and binds(source.tree, name)
    ):
        return None
    indent = source.line(binding.lineno)[: start(source, binding)[1] - 1]
    after = binding.end_lineno or binding.lineno
    rest = source.line(after)[end(source, binding)[1] - 1 :].strip()
    place = _import_place(source.tree, module)
    if (rest and not rest.startswith("#")) or place is None:
        return None
    line_break = newline(source.text)
    definition = f"{indent}{name} = {module}.Lock()"
    edits = [insert_lines(source.lines, after, [definition], line_break)]
    needed, line = place
    if needed:  # before the definition: the leading imports end before any assignment
        edits.append(insert_lines(source.lines, line, [f"import {module}"], line_break))
    return base + name, edits


def _binding(owner: _ast.AST, name: str) -> _ast.stmt | None:
    """The first statement directly in `owner`'s body that assigns `name`."""
    for statement in getattr(owner, "body", ()):
        if isinstance(statement, (_ast.Assign, _ast.AnnAssign)):
            targets = (
                statement.targets if isinstance(statement, _ast.Assign) else [statement.target]
            )
            if any(isinstance(t, _ast.Name) and t.id == name for t in targets):
                return statement
    return None


def _reentrant_lock(tree: _ast.Module) -> str | None:
    """The name of a module-level `threading.RLock()`, if the module has one."""
    for statement in tree.body:
        if isinstance(statement, _ast.Assign) and len(statement.targets) == 1:
            value, target = statement.value, statement.targets[0]
            if (
                isinstance(target, _ast.Name)
                and isinstance(value, _ast.Call)
                and isinstance(value.func, _ast.Attribute)
                and isinstance(value.func.value, _ast.Name)
                and (value.func.value.id, value.func.attr) == ("threading", "RLock")
                and not value.args
            ):
                return target.id
    return None


def _import_place(tree: _ast.Module, module: str) -> tuple[bool, int] | None:
    """Whether `import module` must be added, and after which line (the last of the leading
    docstring and imports; 0, the top, without them); None when the name is bound otherwise."""
    last = 0
    for statement in tree.body:
        if isinstance(statement, _ast.Import) and any(
            alias.name == module and alias.asname is None for alias in statement.names
        ):
            return False, 0
    for number, statement in enumerate(tree.body):
        docstring = (
            number == 0
            and isinstance(statement, _ast.Expr)
            and isinstance(statement.value, _ast.Constant)
            and isinstance(statement.value.value, str)
        )
        if not (docstring or isinstance(statement, (_ast.Import, _ast.ImportFrom))):
            break
        last = statement.end_lineno or statement.lineno
    if binds(tree, module):
        return None
    return True, last
