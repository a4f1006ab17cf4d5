"""bare-except: an `except:` clause with no exception type (ruff's and pycodestyle's E722)."""

from __future__ import annotations

import _ast

from .cli import run_python_hook
from .edits import binds
from .finding import SAFE, UNSAFE, Edit, Finding, Fix
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
        finding = source.finding(RULE.id, RULE.code, node, MESSAGE, length=len("except"))
        findings.append(finding.with_fix(_fix(source, finding, _reraises(node))))
    return findings


def _fix(source: Source, finding: Finding, reraises: bool) -> Fix:
    """Name the exceptions: `except BaseException:` for a handler that re-raises, which catches
    exactly what `except:` catches (safe unless the module rebinds the name); `except
    Exception:` for the others, which then let KeyboardInterrupt and SystemExit through
    (unsafe: that is what the rule asks for, but it changes what the code does)."""
    keyword_end = (finding.line, finding.end_column)
    if reraises:
        safety = UNSAFE if binds(source.tree, "BaseException") else SAFE
        edit = Edit(*keyword_end, *keyword_end, " BaseException")
        return Fix((edit,), safety, "catch `BaseException`, as `except:` does")
    edit = Edit(*keyword_end, *keyword_end, " Exception")
    return Fix((edit,), UNSAFE, "catch `Exception` (no longer KeyboardInterrupt, SystemExit)")


def main(argv: Sequence[str] | None = None) -> int:
    return run_python_hook(RULE, check, argv)


if __name__ == "__main__":
    raise SystemExit(main())
