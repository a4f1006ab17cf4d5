"""The reports a user asked for, written: each format to its file (replaced whole) or to stdout.

What `run` and `merge` both end with, before anything goes to GitHub. Under `--github` the
Actions runner reads stdout for workflow commands, and a report may hold untrusted text unescaped
(a file name with a line break in the text report), so such a report is fenced with
`::stop-commands::` and a random token: nothing in it can start a command. The `github` report
is workflow commands on purpose, and is never fenced.
"""

from __future__ import annotations

import os
import secrets
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Optional

from mergegate.gates.model import Outcome
from mergegate.gates.output import UnsafePath, write_report
from mergegate.gates.reports import ReportContext, render
from mergegate.hooks.cli import write_safely
from mergegate.hooks.config import ConfigError


def colored(color: str, terminal: bool) -> bool:
    """Whether the text report is coloured: --color, else NO_COLOR / FORCE_COLOR (no-color.org,
    force-color.org: set and not empty), else whether it goes to a terminal."""
    if color != "auto":
        return color == "always"
    if os.environ.get("NO_COLOR"):
        return False
    if os.environ.get("FORCE_COLOR"):
        return True
    return terminal


def write_reports(
    outcome: Outcome,
    formats: Sequence[tuple[str, Optional[str]]],
    color: str,
    root: str,
    for_actions_runner: bool = False,
    show_held_back: bool = False,
    unsafe_fixes: bool = False,
) -> None:
    """Each `(format, file)`, `None` for stdout; `color` is `auto`, `always` or `never`;
    `for_actions_runner` when the GitHub Actions runner reads stdout (`--github`); `unsafe_fixes`
    when unsafe fixes count as fixable. A report file that cannot be written is a ConfigError
    naming it as the user wrote it."""
    to_stdout = {name for name, path in formats if path is None}
    with workflow_commands_stopped(for_actions_runner and bool(to_stdout - {"github"})):
        for name, path in formats:
            terminal = path is None and sys.stdout.isatty()
            context = ReportContext(
                color=colored(color, terminal),
                root=root,
                show_held_back=show_held_back,
                unsafe_fixes=unsafe_fixes,
            )
            text = render(name, outcome, context)
            if path is None:
                write_safely(sys.stdout, text)
                continue
            try:
                write_report(path, text, root)
            except UnsafePath as error:
                raise ConfigError(str(error)) from None
            except OSError as error:
                raise ConfigError(
                    f"{path}: cannot write the {name} report: {error.strerror or error}"
                ) from None


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
