"""Edits the fixes of several rules share: removing a statement so that its block stays valid,
finding the block a statement is in, and whether a module binds a name.

Built on `_ast` and without recursion, as hooks/source.py. Every position is a Source position
(1-based lines, character columns), the way a Finding and an Edit count.
"""

from __future__ import annotations

import _ast

from .finding import Edit, Fix
from .source import Source
from .syntax import BLOCKS, CAPTURES, DEFINITIONS, bound_name, captured_name, walk

TYPE_CHECKING = False
if TYPE_CHECKING:  # typing costs start-up time; mypy reads this block, the interpreter skips it
    from collections.abc import Callable

    Place = tuple[_ast.stmt, list[_ast.stmt], _ast.AST]
    """A statement, the block (statement list) it is in, and the node owning that block."""

PASS = "pass"


def start(source: Source, node: _ast.AST) -> tuple[int, int]:
    """Where `node` starts: its line and character column."""
    line: int = node.lineno  # type: ignore[attr-defined]
    return line, source.column(line, node.col_offset)  # type: ignore[attr-defined]


def end(source: Source, node: _ast.AST) -> tuple[int, int]:
    """Where `node` ends (the character after it): its end line and character column."""
    line: int = node.end_lineno  # type: ignore[attr-defined]
    return line, source.column(line, node.end_col_offset)  # type: ignore[attr-defined]


def places(tree: _ast.Module, wanted: Callable[[_ast.stmt], bool]) -> list[Place]:
    """Every statement `wanted` accepts, with its block and the block's owner, in source order:
    the module, a compound statement, or an `except` clause or `case` (whose `body` it is)."""
    found: list[Place] = []
    stack: list[_ast.AST] = [tree]
    while stack:
        owner = stack.pop()
        for name in BLOCKS:
            for child in getattr(owner, name, None) or ():
                if name in ("handlers", "cases"):
                    stack.append(child)  # a clause: its body is a block of its own
                    continue
                block = getattr(owner, name)
                if wanted(child):
                    found.append((child, block, owner))
                stack.append(child)
    found.sort(key=lambda place: (place[0].lineno, place[0].col_offset))
    return found


def isolation(block: list[_ast.stmt]) -> str:
    """The isolation key of changes to a block's statement list (see `Fix`)."""
    first = block[0]
    return f"block {first.lineno}:{first.col_offset}"


def _would_become_docstring(statement: _ast.stmt, block: list[_ast.stmt], owner: _ast.AST) -> bool:
    """Whether removing `statement` would make a string that follows it a docstring."""
    if block is not getattr(owner, "body", None) or block[0] is not statement or len(block) < 2:
        return False
    if not isinstance(owner, (_ast.Module, *DEFINITIONS)):
        return False
    following = block[1]
    return (
        isinstance(following, _ast.Expr)
        and isinstance(following.value, _ast.Constant)
        and isinstance(following.value.value, str)
    )


def _comment_or_blank(text: str) -> bool:
    stripped = text.strip()
    return not stripped or stripped.startswith("#")


def remove_statement(source: Source, place: Place) -> Edit | None:
    """The edit that removes a statement and leaves its block valid, as ruff's fixes do:

    - the only statement of its block (or one whose removal would turn a string into a
      docstring) becomes `pass`;
    - one followed by `;` and another statement on its line is removed up to that statement;
    - one after `;` is removed from that `;`;
    - one alone on its lines is removed with them (its trailing comment too).

    None where none of these applies (a line continued after it with `\\`).
    """
    statement, block, owner = place
    first, last = start(source, statement), end(source, statement)
    if len(block) == 1 or _would_become_docstring(statement, block, owner):
        return Edit(*first, *last, PASS)
    before = source.line(first[0])[: first[1] - 1]
    after = source.line(last[0])[last[1] - 1 :]
    rest = after.lstrip(" \t\f")
    if rest.startswith(";") and not _comment_or_blank(rest[1:]):
        skipped = len(after) - len(rest[1:].lstrip(" \t\f"))
        return Edit(*first, last[0], last[1] + skipped, "")
    if before.rstrip(" \t\f").endswith(";"):
        kept = before.rstrip(" \t\f")[:-1].rstrip(" \t\f")
        if rest.startswith(";"):
            rest = rest[1:]
        if _comment_or_blank(rest):
            return Edit(first[0], len(kept) + 1, *last, "")
        return None
    if before.strip(" \t\f") or not _comment_or_blank(rest.removeprefix(";")):
        return None
    return remove_lines(source.lines, first[0], last[0])


def expression_removals(source: Source, titles: dict[int, str], safety: str) -> dict[int, Fix]:
    """By expression id: a fix removing each expression of `titles` (its fix's title, by id)
    that is a whole statement, its block kept valid (`remove_statement`)."""
    if not titles:
        return {}

    def is_whole_statement(statement: _ast.stmt) -> bool:
        return isinstance(statement, _ast.Expr) and id(statement.value) in titles

    fixes = {}
    for place in places(source.tree, is_whole_statement):
        edit = remove_statement(source, place)
        if edit is not None:
            expression = id(place[0].value)  # type: ignore[attr-defined]
            title = titles[expression]
            fixes[expression] = Fix((edit,), safety, title, isolation=isolation(place[1]))
    return fixes


def remove_lines(lines: list[str], first: int, last: int) -> Edit:
    """The edit that removes lines `first` to `last` (1-based, as `split_lines` gives them) with
    their line breaks; the last line of a file that does not end in one takes the break before."""
    if last < len(lines):
        return Edit(first, 1, last + 1, 1, "")
    if first == 1:
        return Edit(1, 1, last, len(lines[last - 1]) + 1, "")
    return Edit(first - 1, len(lines[first - 2]) + 1, last, len(lines[last - 1]) + 1, "")


def insert_lines(lines: list[str], after: int, new: list[str], line_break: str) -> Edit:
    """The edit that inserts `new` lines after line `after` (0: at the top)."""
    if after < len(lines):
        return Edit(after + 1, 1, after + 1, 1, "".join(line + line_break for line in new))
    end = len(lines[after - 1]) + 1
    return Edit(after, end, after, end, "".join(line_break + line for line in new))


def binds(tree: _ast.Module, name: str) -> bool:
    """Whether the module binds `name` anywhere (any scope), or may (`from x import *`): then a
    fix cannot rely on `name` being the builtin or the module it means."""
    for node in walk(tree):
        if isinstance(node, _ast.Name):
            if node.id == name and not isinstance(node.ctx, _ast.Load):
                return True
        elif isinstance(node, (*DEFINITIONS, _ast.ExceptHandler)):
            if node.name == name:
                return True
        elif isinstance(node, (_ast.Import, _ast.ImportFrom)):
            if any(alias.name == "*" or bound_name(alias) == name for alias in node.names):
                return True
        elif isinstance(node, _ast.arg):
            if node.arg == name:
                return True
        elif isinstance(node, (_ast.Global, _ast.Nonlocal)):
            if name in node.names:
                return True
        elif isinstance(node, CAPTURES) and captured_name(node) == name:
            return True
    return False


def newline(text: str) -> str:
    """The line break a text uses (its first), for text a fix inserts: `\n` when it has none."""
    index = text.find("\n")
    carriage = text.find("\r")
    if carriage >= 0 and (index < 0 or carriage < index):
        return "\r\n" if text.startswith("\r\n", carriage) else "\r"
    return "\n"
