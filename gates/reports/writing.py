"""The reports a user asked for, written: each format to its file (replaced whole) or to stdout.

What `run` and `merge` both end with, before anything goes to GitHub. Under `--github` the
Actions runner reads stdout for workflow commands, and a report may hold untrusted text unescaped
(a file name with a line break in the text report), so such a report is fenced with
`::stop-commands::` and a random token: nothing in it can start a command. The `github` report
is workflow commands on purpose, and is never fenced.
"""

from __future__ import annotations

import secrets
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Optional

from mergegate.gates.model import Outcome
from mergegate.gates.output import write_atomically
from mergegate.gates.reports import ReportContext, render


def write_reports(
    outcome: Outcome,
    formats: Sequence[tuple[str, Optional[str]]],
    color: str,
    root: str,
    for_actions_runner: bool = False,
) -> None:
    """Each `(format, file)`, `None` for stdout; `color` is `auto`, `always` or `never`;
    `for_actions_runner` when the GitHub Actions runner reads stdout (`--github`)."""
    to_stdout = {name for name, path in formats if path is None}
    with workflow_commands_stopped(for_actions_runner and bool(to_stdout - {"github"})):
        for name, path in formats:
            terminal = path is None and sys.stdout.isatty()
            context = ReportContext(
                color=color == "always" or (color == "auto" and terminal), root=root
            )
            text = render(name, outcome, context)
            if path is None:
                sys.stdout.write(text)
            else:
                write_atomically(path, text)


@contextmanager
def workflow_commands_stopped(enabled: bool) -> Iterator[None]:
    """Stop the runner's workflow-command processing around output that may hold untrusted text
    unescaped, then resume it."""
    if not enabled:
        yield
        return
    token = secrets.token_hex(16)
    sys.stdout.write(f"::stop-commands::{token}\n")
    try:
        yield
    finally:
        sys.stdout.write(f"::{token}::\n")
        sys.stdout.flush()
