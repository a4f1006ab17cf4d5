"""global-singleton-without-lock: a shared instance created lazily by check-then-create, unlocked.

Each function is read on its own, statement by statement in execution order, keeping the checks
that found a shared target missing (a global, a class attribute, a class-keyed registry entry) and
the locks held at each point. An assignment to a checked target that creates a value is reported
unless some check of it was made under a lock that is still held: then the creation cannot race.

The package keeps one concern per module: `vocabulary` (the words names are read by),
`expressions` (shared readings of expressions), `locks` (what holds a lock), `methods` (whether a
method's first parameter is the class), `scope` (the functions of a module and what the module
tells about them: its classes and functions, what it runs at import), `targets` (what is shared,
what is missing, what creates an instance), `flow` (each function's statements in execution
order) and `fix` (the fix a finding carries); this module runs them and the hook.
"""

from __future__ import annotations

from ..cli import run_python_hook
from ..finding import Finding
from ..registry import GLOBAL_SINGLETON_WITHOUT_LOCK as RULE
from ..source import Source, mentions
from .flow import MESSAGE, MESSAGE_AWAIT, MESSAGE_CALL, MESSAGE_RECHECK, Checker
from .locks import uses_under_lock
from .scope import walk

TYPE_CHECKING = False
if TYPE_CHECKING:  # typing costs start-up time; mypy reads this block, the interpreter skips it
    from collections.abc import Sequence

__all__ = ["MESSAGE", "MESSAGE_AWAIT", "MESSAGE_CALL", "MESSAGE_RECHECK", "check", "main"]


def check(source: Source, options: dict[str, object]) -> list[Finding]:
    """Every unlocked lazy creation of a shared instance, at the assignment that creates it.

    Locks are known by name (`_lock`, `self._mutex`, the `lock-names` option) and by what the
    module assigns them: `_guard = threading.Lock()` makes `with _guard:` a lock.
    """
    if not mentions(source.text, RULE.needs):
        return []
    lock_names = {str(name).lower() for name in options.get("lock-names") or ()}  # type: ignore
    module = walk(source, lock_names)
    findings: list[Finding] = []
    uses: dict[str, list[bool]] | None = None
    for function in module.functions:
        if not function.finish(module.class_names):
            continue
        found = Checker(function).run()
        name = function.node.name
        if found and name.startswith("_") and not name.endswith("__"):
            if uses is None:
                uses = uses_under_lock(source.tree, lock_names)
            if all(uses.get(name) or [False]):
                continue  # a private helper that every caller calls with the lock held
        findings.extend(found)
    findings.sort(key=Finding.sort_key)
    if findings:
        from .fix import attach  # made only where there is a finding

        findings = attach(source, findings)
    return findings


def main(argv: Sequence[str] | None = None) -> int:
    return run_python_hook(RULE, check, argv)


if __name__ == "__main__":
    raise SystemExit(main())
