"""Decide: which new findings block, each by its own project's `fail-on`."""

from __future__ import annotations

from mergegate.gates.model import NEW, NEVER, Item
from mergegate.hooks.registry import PARSE_ERROR
from mergegate.hooks.rule import tier_rank


def blocks(item: Item, fail_on: str) -> bool:
    """A new finding at or above the `fail-on` tier blocks; `never` blocks nothing but a new
    parse error: no check ran on its file, so passing it would hide whatever it holds."""
    if item.state != NEW:
        return False
    if item.finding.rule == PARSE_ERROR.id:
        return True
    return fail_on != NEVER and tier_rank(item.severity) <= tier_rank(fail_on)


def decide(items: list[Item], fail_on: str) -> None:
    """Mark which items block at `fail_on`, and remember the tier each was judged at."""
    for item in items:
        item.fail_on = fail_on
        item.blocking = blocks(item, fail_on)
