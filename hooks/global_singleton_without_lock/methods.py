"""How a method is bound: whether its first parameter is the class rather than an instance.

A class attribute is shared by every caller; an instance attribute is not. Which one `x.attr` is
depends on what `x` is bound to, and Python says that by decorators, by `classmethod(...)` calls,
by the special methods that receive the class, and by metaclasses.
"""

from __future__ import annotations

import _ast

from .expressions import last_identifier
from .vocabulary import IMPLICIT_CLASSMETHODS

TYPE_CHECKING = False
if TYPE_CHECKING:  # typing costs start-up time; mypy reads this block, the interpreter skips it
    FunctionNode = _ast.FunctionDef | _ast.AsyncFunctionDef


def is_metaclass(node: _ast.ClassDef) -> bool:
    names = [node.name] + [last_identifier(base) or "" for base in node.bases]
    return any(
        name == "type" or name.endswith(("Meta", "Metaclass", "MetaClass")) for name in names
    )


def class_parameter(
    node: FunctionNode, owner: _ast.ClassDef | None, classmethods: set[str]
) -> str | None:
    """The first parameter of a function when it is bound to a class rather than an instance."""
    arguments = node.args.posonlyargs + node.args.args
    if not arguments:
        return None
    decorators = {last_identifier(decorator) for decorator in node.decorator_list}
    if "staticmethod" in decorators:
        return None
    if (
        "classmethod" in decorators
        or node.name in classmethods
        or node.name in IMPLICIT_CLASSMETHODS
        or (owner is not None and is_metaclass(owner))
    ):
        return arguments[0].arg
    return None
