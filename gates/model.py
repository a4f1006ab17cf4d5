"""What flows through the gate's pipeline: collected items, marked and decided, and the outcome.

collect -> suppress -> filter (baseline, new code) -> assign tier -> decide -> report. Stages mark
items rather than drop them, so every report can say what was held back and why.

Plain slotted classes, not dataclasses: the single-purpose hooks run this same pipeline, and
`dataclasses` (through `inspect`) alone costs more than a hook's whole start-up budget.
"""

from __future__ import annotations

from mergegate.hooks.finding import SAFE, Finding
from mergegate.hooks.registry import TIERS

TYPE_CHECKING = False
if TYPE_CHECKING:  # typing costs start-up time; mypy reads this block, the interpreter skips it
    from typing import NotRequired, TypedDict

    class BaselineEntry(TypedDict):
        """A recorded finding: rule, code, file from the project root, stripped line, count;
        in a run's `fixed` list also the baseline file it is in (from the current directory)."""

        rule: str
        code: str
        path: str
        content: str
        count: int
        baseline: NotRequired[str]

else:
    BaselineEntry = dict

BASELINE_FIELDS = ("rule", "code", "path", "content", "count")
"""The keys of a baseline entry, in the order they are documented."""

NEW = "new"
"""Judged by the gate: may block."""
EXISTING = "existing"
"""On a line unchanged since `--new-from-rev`: reported, never blocks."""
BASELINED = "baselined"
"""Recorded in the baseline file: reported, never blocks."""
SUPPRESSED = "suppressed"
"""Silenced by a `# noqa` comment: counted, not listed."""

STATES = (NEW, EXISTING, BASELINED, SUPPRESSED)
HELD_BACK = (EXISTING, BASELINED, SUPPRESSED)
"""States that never block: what reports count rather than list by default."""
NEVER = "never"
FAIL_ON_CHOICES = (*TIERS, NEVER)
MIXED = "mixed"
"""`Outcome.fail_on` when the projects of one run block at different tiers."""
EXIT_CODES = {"passed": 0, "blocked": 1, "error": 2}
"""Verdict -> exit status, for every entry point."""


class Item:
    """One finding on its way through the pipeline."""

    __slots__ = (
        "finding",
        "line_text",
        "state",
        "reason",
        "severity",
        "blocking",
        "fail_on",
        "project_fail_on",
    )

    def __init__(
        self,
        finding: Finding,
        line_text: str = "",
        state: str = NEW,
        reason: str = "",
        severity: str = "",
        blocking: bool = False,
        fail_on: str = "P0",
        project_fail_on: str = "P0",
    ) -> None:
        self.finding = finding
        self.line_text = line_text
        """The source line the finding starts on: for `# noqa` and for baseline keys."""
        self.state = state
        self.reason = reason
        """Why the item is held back, when its state is not `new` (e.g. `# noqa: MG101`)."""
        self.severity = severity
        """The tier (P0..P3), assigned by the tiers stage."""
        self.blocking = blocking
        """Set by the decide stage: a new finding at or above its project's `fail-on` tier."""
        self.fail_on = fail_on
        """The tier the finding was decided at: `--fail-on`, else its project's `fail-on`."""
        self.project_fail_on = project_fail_on
        """Its project's own `fail-on` (what `mergegate merge` decides at without --fail-on)."""

    def _fields(self) -> tuple[object, ...]:
        return tuple(getattr(self, name) for name in self.__slots__)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Item):
            return NotImplemented
        return self._fields() == other._fields()

    __hash__ = None  # type: ignore[assignment]  # mutable: marked by each stage

    def __repr__(self) -> str:
        return f"Item({self.finding!r}, state={self.state!r}, severity={self.severity!r})"

    def moved(self, finding: Finding) -> Item:
        """The same item for another spelling of its finding (a path relative elsewhere)."""
        return Item(
            finding,
            self.line_text,
            self.state,
            self.reason,
            self.severity,
            self.blocking,
            self.fail_on,
            self.project_fail_on,
        )


def fixable(item: Item, unsafe: bool = False) -> bool:
    """Whether `--fix` (with `--unsafe-fixes` when `unsafe`) fixes this item: a new finding with
    a fix of that safety. Held-back findings are left as they are, as ruff leaves `# noqa`
    ones: a suppressed, baselined or existing finding is one the project chose to keep."""
    fix = item.finding.fix
    return item.state == NEW and fix is not None and (unsafe or fix.safety == SAFE)


class Outcome:
    """The decided result of one run: what every reporter renders, and the exit status."""

    __slots__ = (
        "items",
        "fail_on",
        "errors",
        "fixed",
        "files_checked",
        "files_from_cache",
        "tools",
        "shard",
        "fingerprint",
        "notes",
    )

    def __init__(
        self,
        items: list[Item],
        fail_on: str = "P0",
        errors: list[str] | None = None,
        fixed: list[BaselineEntry] | None = None,
        files_checked: int = 0,
        files_from_cache: int | None = None,
        tools: list[str] | None = None,
        shard: tuple[int, int] | None = None,
        fingerprint: str | None = None,
        notes: list[str] | None = None,
    ) -> None:
        self.items = items
        """Every collected finding, marked and decided, sorted: P0 first, then path and line."""
        self.fail_on = fail_on
        """The lowest blocking tier, `never`, or `mixed` when projects of the run differ."""
        self.errors = errors if errors is not None else []
        """Problems that make the verdict untrustworthy (a crashed adapter, an unreadable file)."""
        self.fixed = fixed if fixed is not None else []
        """Baseline entries no finding matches any more: fixed since the baseline was written."""
        self.files_checked = files_checked
        self.files_from_cache = files_from_cache
        """Of the files checked, those whose results the cache served; None when it was not
        used."""
        self.tools = tools if tools is not None else []
        """Where findings came from: mergegate and each enabled adapter."""
        self.shard = shard
        """`(I, N)` when the run checked shard I of N (`--shard I/N`); `mergegate merge` joins
        them."""
        self.fingerprint = fingerprint
        """A shard's hash of what its run checked and how: the shards of one run agree on it."""
        self.notes = notes if notes is not None else []
        """What the user should know that is neither a finding nor an error (a warning)."""

    def with_items(self, items: list[Item]) -> Outcome:
        """The same outcome over other items (the same findings with paths relative elsewhere)."""
        return Outcome(
            items,
            self.fail_on,
            self.errors,
            self.fixed,
            self.files_checked,
            self.files_from_cache,
            self.tools,
            self.shard,
            self.fingerprint,
            self.notes,
        )

    @property
    def threshold(self) -> str:
        """What blocks, in words: `P1 or above`, or `each project's fail-on` when they differ."""
        if self.fail_on == MIXED:
            return "each project's fail-on tier or above"
        return f"{self.fail_on} or above"

    @property
    def reported(self) -> list[Item]:
        """Items shown in reports: everything but `# noqa`-suppressed ones."""
        return [item for item in self.items if item.state != SUPPRESSED]

    @property
    def new(self) -> list[Item]:
        """Items the gate judged: what the default text report lists."""
        return [item for item in self.items if item.state == NEW]

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
        for state in HELD_BACK:
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
        return EXIT_CODES[self.verdict]
