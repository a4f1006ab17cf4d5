"""Assign tier: the configuration's most specific override, else the adapter's default, else the
registry's. A parse error is always P0: the configuration cannot demote a file nothing checked."""

from __future__ import annotations

from mergegate.gates.model import Item
from mergegate.hooks.finding import TOOL
from mergegate.hooks.registry import CODES, PARSE_ERROR
from mergegate.hooks.selection import most_specific


def override(severity: dict[str, str], rule: str, code: str) -> str | None:
    """The configured tier for a finding: its most specific key's (hooks/selection.py)."""
    key = most_specific(severity, rule, code)
    return None if key is None else severity[key]


def assign_tiers(items: list[Item], severity: dict[str, str]) -> None:
    for item in items:
        finding = item.finding
        configured = override(severity, finding.rule, finding.code)
        if finding.rule == PARSE_ERROR.id:
            item.severity = PARSE_ERROR.tier
        elif configured is not None:
            item.severity = configured
        elif finding.tool == TOOL:
            item.severity = CODES[finding.code][1].tier
        else:
            from mergegate.gates import adapters

            item.severity = adapters.load(finding.tool).default_tier(finding)
