"""Reporters: each renders one decided Outcome in one format, and does nothing else.

Every reporter is a module here with `render(outcome, context) -> str`; which ones exist is this
table. Reporters never decide anything: tiers, states and the verdict come from the pipeline.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from typing import Callable, Optional

from mergegate.gates.model import Outcome
from mergegate.hooks.finding import Finding

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


@dataclass
class ReportContext:
    """What a reporter may need beyond the outcome itself."""

    color: bool = False
    """ANSI colour in the text report (only when writing to a terminal)."""
    link: Optional[Callable[[Finding], str]] = None
    """A URL for a finding's line (GitHub: the file at the pull request's head commit)."""
    max_chars: Optional[int] = None
    """An upper bound on the rendered size, for formats that are bounded (markdown, which has a
    default of its own)."""
    root: str = "."
    """The project root, for formats that carry paths relative to it (SARIF's srcroot)."""


def render(format_name: str, outcome: Outcome, context: ReportContext) -> str:
    module = importlib.import_module(f"mergegate.gates.reports.{FORMATS[format_name]}")
    text: str = module.render(outcome, context)
    return text
