"""The console scripts of the single-purpose hooks, `mergegate-<hook-id>`, as pre-commit runs them.

`[project.scripts]` names `mergegate.hooks.entry:<rule module>`; this module answers for every
hook of the registry (PEP 562 module `__getattr__`), so that starting a hook imports its rule's
module, and with it the syntax-tree machinery, only when a file needs the rule's check: a commit
whose files cannot hold a finding costs the interpreter's start, the configuration and the
compiler's verdict, nothing more. `python -m mergegate.hooks.<rule module>` runs the same hook.
"""

from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:  # typing costs start-up time; mypy reads this block, the interpreter skips it
    from collections.abc import Callable, Sequence


def __getattr__(name: str) -> Callable[[Sequence[str] | None], int]:
    from .cli import run_python_hook, run_repo_hook
    from .registry import RULES

    for rule in RULES.values():
        if rule.module and rule.module == name:
            hook = run_python_hook if rule.scope == "python" else run_repo_hook

            def main(argv: Sequence[str] | None = None) -> int:
                return hook(rule, None, argv)

            return main
    raise AttributeError(f"module {__name__!r} has no hook {name!r}")
