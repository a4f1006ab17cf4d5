"""Decide: which new findings block, and the order every report lists them in."""

from __future__ import annotations

from mergegate.gates.model import NEW, Item
from mergegate.hooks.registry import tier_rank


def blocks(item: Item, fail_on: str) -> bool:
    """A new finding at or above the `--fail-on` tier blocks; `never` blocks nothing."""
    return (
        fail_on != "never" and item.state == NEW and tier_rank(item.severity) <= tier_rank(fail_on)
    )


def decide(items: list[Item], fail_on: str) -> list[Item]:
    """Mark blocking items and return all of them sorted: P0 first, then by place."""
    for item in items:
        item.blocking = blocks(item, fail_on)
    return sorted(items, key=lambda item: (tier_rank(item.severity), item.finding.sort_key()))
