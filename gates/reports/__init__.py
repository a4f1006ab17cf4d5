"""Reporters: each renders one decided Outcome in one format, and does nothing else.

Every reporter is a module here with `render(outcome, context) -> str`; which ones exist is this
table. Reporters never decide anything: tiers, states and the verdict come from the pipeline.
"""

from __future__ import annotations

import importlib

from mergegate.gates.model import Outcome
from mergegate.hooks.finding import Finding

TYPE_CHECKING = False
if TYPE_CHECKING:  # typing costs start-up time; mypy reads this block, the interpreter skips it
    from collections.abc import Callable

FORMATS = {
    "text": "text",
    "json": "json_report",
    "sarif": "sarif",
    "markdown": "markdown",
    "github": "github",
    "gitlab": "gitlab",
    "azure": "azure",
    "junit": "junit",
}
"""Format name -> module under mergegate.gates.reports."""


class ReportContext:
    """What a reporter may need beyond the outcome itself."""

    __slots__ = ("color", "link", "max_chars", "root", "show_held_back", "unsafe_fixes")

    def __init__(
        self,
        color: bool = False,
        link: Callable[[Finding], str] | None = None,
        max_chars: int | None = None,
        root: str = ".",
        show_held_back: bool = False,
        unsafe_fixes: bool = False,
    ) -> None:
        self.color = color
        """ANSI colour in the text report (only when writing to a terminal)."""
        self.link = link
        """A URL for a finding's line (GitHub: the file at the pull request's head commit)."""
        self.max_chars = max_chars
        """An upper bound on the rendered size, for formats that are bounded (markdown, which
        has a default of its own)."""
        self.root = root
        """The project root, for formats that carry paths relative to it (SARIF's srcroot)."""
        self.show_held_back = show_held_back
        """The text report lists held-back findings too, not only their counts."""
        self.unsafe_fixes = unsafe_fixes
        """`--unsafe-fixes`: unsafe fixes count as fixable (what `--fix` would then apply)."""


def render(format_name: str, outcome: Outcome, context: ReportContext) -> str:
    module = importlib.import_module(f"mergegate.gates.reports.{FORMATS[format_name]}")
    text: str = module.render(outcome, context)
    return text
