"""What the grammar says about scopes, statement blocks and the names they bind, in one place for
the checks that follow scopes (each keeps its own binding model: pyflakes' and ruff's differ).

Built on `_ast` and without recursion, as hooks/source.py: the parser accepts nesting deeper than
Python's recursion limit. Node types newer than Python 3.9 are looked up with `getattr` (or used
only on nodes that exist).
"""

from __future__ import annotations

import _ast

TYPE_CHECKING = False
if TYPE_CHECKING:  # typing costs start-up time; mypy reads this block, the interpreter skips it
    from collections.abc import Iterable, Iterator

FUNCTIONS = (_ast.FunctionDef, _ast.AsyncFunctionDef)
DEFINITIONS = FUNCTIONS + (_ast.ClassDef,)
"""Statements whose body is a scope of its own."""
SCOPES = DEFINITIONS + (_ast.Lambda,)
"""Nodes whose body is a scope of its own. Comprehensions, scopes too, are left out: they run
where they stand, and a walrus in them binds in the enclosing scope."""
TRIES = tuple(  # `try` and, from Python 3.11, `try` with `except*` clauses
    filter(None, [_ast.Try, getattr(_ast, "TryStar", None)])
)
CAPTURES = tuple(
    filter(None, [getattr(_ast, name, None) for name in ("MatchAs", "MatchStar", "MatchMapping")])
)
"""Match patterns that bind a name (see `captured_name`)."""
BLOCKS = ("body", "handlers", "orelse", "finalbody", "cases")
"""The fields of statements (and of `except` clauses and `case`s) that hold statement lists, in the
order of their `_fields`: `handlers` and `cases` hold the clauses, whose `body` holds statements."""


def bound_name(alias: _ast.alias) -> str:
    """The name an import binds: `import a.b` binds `a`, `import a.b as c` binds `c`."""
    return (alias.asname or alias.name).partition(".")[0]


def captured_name(pattern: _ast.AST) -> str | None:
    """The name a `CAPTURES` pattern binds: `case x`, `case _ as x`, `[*x]`, `{**x}`; or None."""
    name: str | None = getattr(
        pattern, "rest" if isinstance(pattern, _ast.MatchMapping) else "name"
    )
    return name


def dotted_name(node: _ast.AST) -> tuple[str, ...] | None:
    """`a.b.c` as `("a", "b", "c")`; None for any expression but a name and its attributes."""
    parts = []
    while isinstance(node, _ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if not isinstance(node, _ast.Name):
        return None
    parts.append(node.id)
    parts.reverse()
    return tuple(parts)


def parameters(arguments: _ast.arguments) -> Iterator[_ast.arg]:
    """Every parameter of a function or lambda, in the order they are written."""
    yield from arguments.posonlyargs
    yield from arguments.args
    if arguments.vararg is not None:
        yield arguments.vararg
    yield from arguments.kwonlyargs
    if arguments.kwarg is not None:
        yield arguments.kwarg


def blocks(statement: _ast.stmt) -> list[list[_ast.stmt]]:
    """The non-empty statement lists nested directly in a statement, the bodies of its `except`
    clauses and `case`s included, in field order."""
    found: list[list[_ast.stmt]] = []
    for name in BLOCKS:
        value = getattr(statement, name, None)
        if not value:
            continue
        if name in ("handlers", "cases"):
            found.extend(clause.body for clause in value)
        else:
            found.append(value)
    return found


def statement_walk(nodes: Iterable[_ast.AST], into_definitions: bool = True) -> Iterator[_ast.AST]:
    """Every statement, `except` clause and `case` in `nodes` and in the blocks nested in them, in
    the order `walk` meets them. Expressions are not visited: none holds a statement, and they are
    nine nodes in ten. Without `into_definitions`, nested `DEFINITIONS` are not entered."""
    stack = list(nodes)
    stack.reverse()
    while stack:
        node = stack.pop()
        yield node
        if not into_definitions and isinstance(node, DEFINITIONS):
            continue
        children = [child for name in BLOCKS for child in getattr(node, name, ())]
        children.reverse()
        stack.extend(children)


def scope_walk(nodes: Iterable[_ast.AST]) -> Iterator[_ast.AST]:
    """Every node under `nodes` (themselves included) as `walk` meets them, but nested `SCOPES`
    are not entered: their bodies run in scopes of their own (their decorators, defaults and
    bases are skipped with them)."""
    stack = list(nodes)
    stack.reverse()
    while stack:
        node = stack.pop()
        yield node
        if isinstance(node, SCOPES):
            continue
        children = list(iter_child_nodes(node))
        children.reverse()
        stack.extend(children)


def iter_child_nodes(node: _ast.AST) -> Iterator[_ast.AST]:
    """The direct children of `node`, in field order (as `ast.iter_child_nodes`)."""
    for name in node._fields:
        value = getattr(node, name, None)
        if isinstance(value, _ast.AST):
            yield value
        elif isinstance(value, list):
            for item in value:
                if isinstance(item, _ast.AST):
                    yield item


def walk(node: _ast.AST) -> Iterator[_ast.AST]:
    """Every node under `node` (itself included), depth first, without recursion."""
    stack = [node]
    while stack:
        current = stack.pop()
        yield current
        children = list(iter_child_nodes(current))
        children.reverse()
        stack.extend(children)
