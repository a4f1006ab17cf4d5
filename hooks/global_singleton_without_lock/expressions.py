"""Small readings of expressions the rule's other modules share: the last name in a dotted
expression, a `None` or sentinel, a call of a builtin, the values an expression may take and the
places an assignment stores to. All without recursion: trees can nest deeper than the stack."""

from __future__ import annotations

import _ast

from .vocabulary import SENTINEL_WORDS

TYPE_CHECKING = False
if TYPE_CHECKING:  # typing costs start-up time; mypy reads this block, the interpreter skips it
    from collections.abc import Iterator


def last_identifier(node: _ast.AST) -> str | None:
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


def is_none(node: _ast.AST) -> bool:
    """`None`, or a sentinel that means "not created yet" (`_MISSING`, `NOTSET`)."""
    if isinstance(node, _ast.Constant):
        return node.value is None
    identifier = last_identifier(node) if isinstance(node, (_ast.Name, _ast.Attribute)) else None
    return identifier is not None and any(word in identifier.lower() for word in SENTINEL_WORDS)


def string(node: _ast.AST) -> str | None:
    return node.value if isinstance(node, _ast.Constant) and isinstance(node.value, str) else None


def is_call_to(node: _ast.AST, name: str, arguments: int) -> bool:
    """A call of the plain name `name` with `arguments` positional arguments and no keywords."""
    return (
        isinstance(node, _ast.Call)
        and isinstance(node.func, _ast.Name)
        and node.func.id == name
        and len(node.args) == arguments
        and not node.keywords
    )


def alternatives(value: _ast.AST) -> Iterator[_ast.AST]:
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


def names(target: _ast.expr) -> Iterator[_ast.expr]:
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


def assignment_targets(statement: _ast.stmt, unpack: bool = True) -> list[_ast.expr]:
    """What a plain or annotated assignment stores to: its targets, or every name they unpack."""
    if isinstance(statement, _ast.Assign):
        targets = statement.targets
    elif isinstance(statement, _ast.AnnAssign) and statement.value is not None:
        targets = [statement.target]
    else:
        return []
    return [name for target in targets for name in names(target)] if unpack else list(targets)
