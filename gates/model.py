"""What flows through the gate's pipeline: collected items, marked and decided, and the outcome.

collect -> suppress -> filter (baseline, new code) -> assign tier -> decide -> report. Stages mark
items rather than drop them, so every report can say what was held back and why.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Optional, TypedDict

from mergegate.hooks.finding import Finding
from mergegate.hooks.registry import TIERS

NEW = "new"
"""Judged by the gate: may block."""
EXISTING = "existing"
"""On a line unchanged since `--new-from-rev`: reported, never blocks."""
BASELINED = "baselined"
"""Recorded in the baseline file: reported, never blocks."""
SUPPRESSED = "suppressed"
"""Silenced by a `# noqa` comment: counted, not listed."""

STATES = (NEW, EXISTING, BASELINED, SUPPRESSED)
FAIL_ON_CHOICES = (*TIERS, "never")


class BaselineEntry(TypedDict):
    """A recorded finding: rule, code, file from the project root, stripped line, how many."""

    rule: str
    code: str
    path: str
    content: str
    count: int


@dataclass
class Item:
    """One finding on its way through the pipeline."""

    finding: Finding
    line_text: str = ""
    """The source line the finding starts on: for `# noqa` and for baseline keys."""
    state: str = NEW
    reason: str = ""
    """Why the item is held back, when its state is not `new` (e.g. `# noqa: MG101`)."""
    severity: str = ""
    """The tier (P0..P3), assigned by the tiers stage."""
    blocking: bool = False
    """Set by the decide stage: a new finding at or above the `--fail-on` tier."""


@dataclass
class Outcome:
    """The decided result of one run: what every reporter renders, and the exit status."""

    items: list[Item]
    """Every collected finding, marked and decided, sorted: P0 first, then path and line."""
    fail_on: str = "P0"
    errors: list[str] = field(default_factory=list)
    """Problems that make the verdict untrustworthy (a crashed adapter, an unreadable file)."""
    fixed: list[BaselineEntry] = field(default_factory=list)
    """Baseline entries no finding matches any more: fixed since the baseline was written."""
    files_checked: int = 0
    files_from_cache: Optional[int] = None
    """Of the files checked, those whose results the cache served; None when it was not used."""
    tools: list[str] = field(default_factory=list)
    """Where findings came from: mergegate and each enabled adapter."""
    shard: Optional[tuple[int, int]] = None
    """`(I, N)` when the run checked shard I of N (`--shard I/N`); `mergegate merge` joins them."""
    fingerprint: Optional[str] = None
    """A shard's hash of what its run checked and how: the shards of one run agree on it."""

    @property
    def reported(self) -> list[Item]:
        """Items shown in reports: everything but `# noqa`-suppressed ones."""
        return [item for item in self.items if item.state != SUPPRESSED]

    @property
    def blocking(self) -> list[Item]:
        return [item for item in self.items if item.blocking]

    def counts(self) -> dict[str, int]:
        """New findings per tier (what the gate judges), then totals per state and blocking."""
        counts = {tier: 0 for tier in TIERS}
        for item in self.items:
            if item.state == NEW:
                counts[item.severity] += 1
        counts["total"] = sum(counts[tier] for tier in TIERS)
        for state in (EXISTING, BASELINED, SUPPRESSED):
            counts[state] = sum(1 for item in self.items if item.state == state)
        counts["blocking"] = len(self.blocking)
        return counts

    @property
    def verdict(self) -> str:
        """`error` (exit 2), `blocked` (exit 1) or `passed` (exit 0)."""
        if self.errors:
            return "error"
        return "blocked" if self.blocking else "passed"

    @property
    def exit_code(self) -> int:
        return {"passed": 0, "blocked": 1, "error": 2}[self.verdict]
