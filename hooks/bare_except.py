"""bare-except: an `except:` clause with no exception type (ruff's and pycodestyle's E722)."""

from __future__ import annotations

import _ast

from .cli import run_python_hook
from .finding import Finding
from .registry import BARE_EXCEPT as RULE
from .source import Source, mentions
from .syntax import statement_walk

TYPE_CHECKING = False
if TYPE_CHECKING:  # typing costs start-up time; mypy reads this block, the interpreter skips it
    from collections.abc import Sequence

MESSAGE = "do not use bare 'except:'; name the exceptions to handle"


def _reraises(handler: _ast.ExceptHandler) -> bool:
    """Whether the handler's body directly holds a bare `raise` (clean up, then re-raise)."""
    return any(
        isinstance(statement, _ast.Raise) and statement.exc is None for statement in handler.body
    )


def check(source: Source, options: dict[str, object]) -> list[Finding]:
    """Every bare `except:`, at its `except` keyword; re-raising ones only if not allowed."""
    if not mentions(source.text, RULE.needs):
        return []
    allow_reraise = options.get("allow-reraise", True)
    findings = []
    for node in statement_walk(source.tree.body):  # handlers live in statements only
        if not isinstance(node, _ast.ExceptHandler) or node.type is not None:
            continue
        if allow_reraise and _reraises(node):
            continue
        findings.append(source.finding(RULE.id, RULE.code, node, MESSAGE, length=len("except")))
    return findings


def main(argv: Sequence[str] | None = None) -> int:
    return run_python_hook(RULE, check, argv)


if __name__ == "__main__":
    raise SystemExit(main())
