"""unused-global: a `global`/`nonlocal` name its scope never binds (pyflakes' F824, fixed).

Python decides scopes per function, not per block: any statement of the scope that binds the name
uses the declaration, wherever it is. So a `del` under an `if` counts, as does a binding on another
branch of an `if`/`try` than the declaration, and a walrus in a comprehension binds in the
enclosing function (PEP 572). pyflakes misses these three; we do not.
"""

from __future__ import annotations

import _ast

from .cli import run_python_hook
from .edits import end, isolation, places, remove_statement, start
from .finding import SAFE, UNSAFE, Edit, Finding, Fix
from .registry import UNUSED_GLOBAL as RULE
from .source import Source, mentions
from .syntax import CAPTURES, DEFINITIONS, blocks, bound_name, captured_name, iter_child_nodes

TYPE_CHECKING = False
if TYPE_CHECKING:  # typing costs start-up time; mypy reads this block, the interpreter skips it
    from collections.abc import Sequence

    Declaration = tuple["_ast.Global | _ast.Nonlocal", str, set[str]]


COMPREHENSIONS = (_ast.ListComp, _ast.SetComp, _ast.DictComp, _ast.GeneratorExp)


def _declaring_definitions(tree: _ast.Module) -> list[_ast.AST]:
    """The functions and classes whose own body has a `global` or `nonlocal` statement: the only
    scopes `_declarations` needs to walk. Statements only, so cheap: most files that say "global"
    say it in a comment or a string, or at module level."""
    found: dict[int, _ast.AST] = {}
    pending: list[tuple[_ast.stmt, _ast.AST | None]] = [(node, None) for node in tree.body]
    while pending:
        node, owner = pending.pop()
        if isinstance(node, (_ast.Global, _ast.Nonlocal)):
            if owner is not None:
                found[id(owner)] = owner
            continue
        if isinstance(node, DEFINITIONS):
            owner = node
        pending.extend((child, owner) for block in blocks(node) for child in block)
    return list(found.values())


def _declarations(definition: _ast.AST) -> list[Declaration]:
    """Every `global`/`nonlocal` statement of a function's or class's own body, with the set of
    names that body binds (complete once the walk is over).

    One pass over the body, without recursion; nested functions and classes bind their names
    here, but their bodies are scopes of their own, not walked. Each pending node carries the
    names of the scope it binds in and the names of the scope a walrus in it binds in: the same,
    except inside a comprehension, whose walrus binds in the enclosing scope. Bindings of lambdas
    and of comprehension targets go to a set nobody reads: no declaration is checked there.
    """
    ignored: set[str] = set()
    declarations: list[Declaration] = []
    body: set[str] = set()
    pending: list[tuple[_ast.AST, set[str], set[str]]] = [
        (child, body, body) for child in definition.body  # type: ignore[attr-defined]
    ]
    while pending:
        node, scope, walrus_scope = pending.pop()
        if isinstance(node, _ast.Name):
            if not isinstance(node.ctx, _ast.Load):  # Store or Del
                scope.add(node.id)
            continue
        if isinstance(node, (_ast.Global, _ast.Nonlocal)):
            if scope is not ignored:
                for name in node.names:
                    declarations.append((node, name, scope))
            continue
        if isinstance(node, _ast.NamedExpr):
            walrus_scope.add(node.target.id)
            pending.append((node.value, scope, walrus_scope))
            continue
        if isinstance(node, (_ast.Import, _ast.ImportFrom)):
            for alias in node.names:
                scope.add(bound_name(alias))
            continue
        # Names held in a string rather than in a `Name` node: `except ... as`, match captures.
        if isinstance(node, _ast.ExceptHandler) and node.name:
            scope.add(node.name)
        elif isinstance(node, CAPTURES):
            captured = captured_name(node)
            if captured:
                scope.add(captured)
        if isinstance(node, DEFINITIONS):
            # Decorators, arguments, bases and annotations run in the enclosing scope; the body
            # (the only statements among the children) in a scope of its own, checked apart.
            scope.add(node.name)
            for child in iter_child_nodes(node):
                if not isinstance(child, _ast.stmt):
                    pending.append((child, scope, walrus_scope))
        elif isinstance(node, _ast.Lambda):
            pending.append((node.args, scope, walrus_scope))
            pending.append((node.body, ignored, ignored))
        elif isinstance(node, COMPREHENSIONS):
            # The first iterable runs in the enclosing scope; targets bind in the comprehension.
            first = node.generators[0]
            pending.append((first.iter, scope, walrus_scope))
            for child in iter_child_nodes(node):
                if child is not first:
                    pending.append((child, ignored, walrus_scope))
            for child in iter_child_nodes(first):
                if child is not first.iter:
                    pending.append((child, ignored, walrus_scope))
        else:
            for child in iter_child_nodes(node):
                pending.append((child, scope, walrus_scope))
    return declarations


def check(source: Source, options: dict[str, object]) -> list[Finding]:
    """Each declared name its scope never binds, once, at the last statement declaring it there
    (as pyflakes reports it)."""
    if not mentions(source.text, RULE.needs):
        return []
    last: dict[tuple[int, str], tuple[_ast.Global | _ast.Nonlocal, set[str]]] = {}
    declarations = []
    owners: dict[int, _ast.AST] = {}  # each declaring statement's function or class
    for definition in _declaring_definitions(source.tree):
        for declaration in _declarations(definition):
            declarations.append(declaration)
            owners[id(declaration[0])] = definition
    for statement, name, scope in declarations:
        key = (id(scope), name)
        previous = last.get(key)
        if previous is None or _position(statement) > _position(previous[0]):
            last[key] = (statement, scope)
    findings = []
    for (_, name), (statement, scope) in last.items():
        if name in scope:
            continue
        kind = "global" if isinstance(statement, _ast.Global) else "nonlocal"
        message = f"`{kind} {name}` has no effect: nothing in this scope binds {name!r}"
        findings.append(source.finding(RULE.id, RULE.code, statement, message))
    if findings:
        fixes = _fixes(source, [(statement, scope) for statement, scope in last.values()], owners)
        findings = [
            finding.with_fix(fixes.get((finding.line, finding.column))) for finding in findings
        ]
    return findings


def _fixes(
    source: Source,
    reported: list[tuple[_ast.Global | _ast.Nonlocal, set[str]]],
    owners: dict[int, _ast.AST],
) -> dict[tuple[int, int], Fix]:
    """The fix of each reported statement, by its place: the names its scope never binds taken
    out of it, the whole statement when none is left (`pass` where the block would be empty).

    A `nonlocal` name that is only read resolves to the same variable without the declaration;
    so does a `global` one, unless a function around the scope binds the name (the read would
    then find that function's variable): safe, and unsafe there.
    """
    unused = {
        id(statement): (statement, [name for name in statement.names if name not in scope])
        for statement, scope in reported
    }
    nested = _inside_functions(source.tree)
    found = {id(place[0]): place for place in places(source.tree, lambda s: id(s) in unused)}
    fixes = {}
    for statement, names in unused.values():
        kind = "global" if isinstance(statement, _ast.Global) else "nonlocal"
        safe = kind == "nonlocal" or id(owners[id(statement)]) not in nested
        kept = [name for name in statement.names if name not in names]
        edit: Edit | None
        if kept:
            span = (*start(source, statement), *end(source, statement))
            edit = Edit(*span, f"{kind} {', '.join(kept)}")
            title = f"remove {', '.join(f'`{name}`' for name in names)} from `{kind}`"
            block = None
        else:
            edit = remove_statement(source, found[id(statement)])
            title = f"remove the `{kind}` statement"
            block = isolation(found[id(statement)][1])
        if edit is not None:
            fix = Fix((edit,), SAFE if safe else UNSAFE, title, isolation=block)
            fixes[start(source, statement)] = fix
    return fixes


def _inside_functions(tree: _ast.Module) -> set[int]:
    """The ids of the functions and classes that are nested in a function."""
    inside: set[int] = set()
    pending: list[tuple[_ast.stmt, bool]] = [(node, False) for node in tree.body]
    while pending:
        node, in_function = pending.pop()
        if isinstance(node, DEFINITIONS):
            if in_function:
                inside.add(id(node))
            in_function = in_function or not isinstance(node, _ast.ClassDef)
        pending.extend((child, in_function) for block in blocks(node) for child in block)
    return inside


def _position(node: _ast.AST) -> tuple[int, int]:
    return node.lineno, node.col_offset  # type: ignore[attr-defined]


def main(argv: Sequence[str] | None = None) -> int:
    return run_python_hook(RULE, check, argv)


if __name__ == "__main__":
    raise SystemExit(main())
