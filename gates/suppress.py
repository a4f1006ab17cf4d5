"""Suppress: mark findings silenced by `# noqa` on their line (flake8 semantics, adapters too).

A `parse-error` cannot be silenced: no check ran on that file, so there is nothing to vouch for.
"""

from __future__ import annotations

from mergegate.gates.model import SUPPRESSED, Item
from mergegate.hooks.registry import PARSE_ERROR
from mergegate.hooks.noqa import directive, suppresses


def mark_suppressed(items: list[Item]) -> None:
    for item in items:
        if item.finding.rule == PARSE_ERROR.id:
            continue
        codes = directive(item.line_text)
        if suppresses(codes, item.finding):
            item.state = SUPPRESSED
            item.reason = "# noqa" + (f": {','.join(sorted(codes))}" if codes else "")
