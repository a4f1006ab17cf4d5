"""Assign tier: configuration override, else the adapter's default, else the registry's."""

from __future__ import annotations

from mergegate.gates import adapters
from mergegate.gates.model import Item
from mergegate.hooks.finding import TOOL
from mergegate.hooks.registry import CODES


def override(severity: dict[str, str], rule: str, code: str) -> str | None:
    """The configured tier for a finding: exact code, then rule id, then the longest prefix."""
    if code in severity:
        return severity[code]
    for key, tier in severity.items():
        if key.lower() == rule.lower():
            return tier
    prefixes = [key for key in severity if code.startswith(key)]
    return severity[max(prefixes, key=len)] if prefixes else None


def assign_tiers(items: list[Item], severity: dict[str, str]) -> None:
    for item in items:
        finding = item.finding
        configured = override(severity, finding.rule, finding.code)
        if configured is not None:
            item.severity = configured
        elif finding.tool == TOOL:
            item.severity = CODES[finding.code][1].tier
        else:
            item.severity = adapters.load(finding.tool).default_tier(finding)
