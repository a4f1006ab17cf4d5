"""The terminal report: what is new and what blocks, grouped by tier, then the verdict line.

By default only new findings are listed (what the gate judges); held-back ones (existing,
baselined, suppressed) are one count line, and `--show-held-back` lists them too. Tier headers
and the verdict count the same things. (The single-purpose hooks print the same decisions in the
`path:line:col: CODE message` lines pre-commit users expect: hooks/cli.py.)
"""

from __future__ import annotations

from mergegate.gates.model import HELD_BACK, NEW, Item, Outcome, fixable
from mergegate.gates.reports import ReportContext
from mergegate.hooks.rule import TIERS
from mergegate.hooks.terminal import terminal_line, terminal_text

COLORS = {"P0": "\033[1;31m", "P1": "\033[33m", "P2": "\033[36m", "P3": "\033[2m"}
RESET = "\033[0m"
SHOW_HELD_BACK = "--show-held-back"
FIXABLE = "[*]"
"""After the code of a finding `--fix` fixes, as ruff marks them."""


def _paint(text: str, color: str, context: ReportContext) -> str:
    return f"{color}{text}{RESET}" if context.color else text


def label(item: Item) -> str:
    """`P0`, or `P2, baselined` for a held-back finding."""
    return item.severity if item.state == NEW else f"{item.severity}, {item.state}"


def header(tier: str, items: list[Item]) -> str:
    """`P0 (2, blocking)`, `P2 (1, not blocking)`, `P1 (3: 1 blocking, 2 not)` when projects
    disagree, and how many listed items are held back."""
    blocking = sum(1 for item in items if item.blocking)
    new = sum(1 for item in items if item.state == NEW)
    if not new:
        decided = "held back"
    elif blocking == new:
        decided = "blocking"
    elif not blocking:
        decided = "not blocking"
    else:
        decided = f"{blocking} blocking, {new - blocking} not"
    held = len(items) - new
    counted = f"{len(items)}" if not held or not new else f"{new} new + {held} held back"
    return f"{tier} ({counted}, {decided})"


def _line(item: Item, context: ReportContext) -> str:
    finding = item.finding
    return (
        f"{terminal_line(finding.path)}:{finding.line}:{finding.column}: "
        f"{terminal_text(finding.code)} "
        + (f"{FIXABLE} " if fixable(item, context.unsafe_fixes) else "")
        + f"{_paint(f'[{label(item)}]', COLORS[item.severity], context)} "
        f"{terminal_text(finding.message)}"
    )


def listed(outcome: Outcome, context: ReportContext) -> list[Item]:
    """The items a text report lists: new ones, or every one (`# noqa`-suppressed included)
    with --show-held-back."""
    return outcome.items if context.show_held_back else outcome.new


def render(outcome: Outcome, context: ReportContext) -> str:
    lines = []
    shown = listed(outcome, context)
    for tier in TIERS:
        items = [item for item in shown if item.severity == tier]
        if not items:
            continue
        lines.append(_paint(header(tier, items), COLORS[tier], context))
        lines.extend(_line(item, context) for item in items)
        lines.append("")
    lines.extend(_trailer(outcome, context))
    for error in outcome.errors:
        lines.append(_paint(f"error: {terminal_text(error)}", COLORS["P0"], context))
    lines.append(verdict_line(outcome))
    return "\n".join(lines) + "\n"


def _trailer(outcome: Outcome, context: ReportContext) -> list[str]:
    """Held back but not listed, fixed baseline entries, notes, and where to read more."""
    lines = []
    counts = outcome.counts()
    unlisted = (
        []
        if context.show_held_back
        else [f"{counts[state]} {state}" for state in HELD_BACK if counts[state]]
    )
    if unlisted:
        how = "" if context.show_held_back else f" ({SHOW_HELD_BACK} lists them)"
        lines.append(f"held back, not listed: {', '.join(unlisted)}{how}")
    for entry in outcome.fixed:
        lines.append(
            terminal_text(
                f"fixed since the baseline: {entry['path']}: {entry['code']} x{entry['count']}"
                f" ({entry['content']})"
            )
        )
    lines.extend(f"note: {terminal_text(note)}" for note in outcome.notes)
    fixes = fixable_line(outcome, context.unsafe_fixes)
    if fixes:
        lines.append(fixes)
    codes = sorted({item.finding.code for item in listed(outcome, context)})
    if codes:
        lines.append(
            f"what a code means and how to fix it: mergegate rules {terminal_text(codes[0])}"
            + (f" (codes here: {terminal_text(', '.join(codes))})" if len(codes) > 1 else "")
        )
    return lines


def fixable_line(outcome: Outcome, unsafe: bool) -> str:
    """`[*] 3 fixable with --fix (2 more with --unsafe-fixes)`, as ruff says it; "" for none."""
    fixes = sum(1 for item in outcome.items if fixable(item, unsafe))
    hidden = 0 if unsafe else sum(1 for item in outcome.items if fixable(item, True)) - fixes
    option = "--fix --unsafe-fixes" if unsafe else "--fix"
    if fixes:
        more = f" ({hidden} more with --unsafe-fixes)" if hidden else ""
        return f"{FIXABLE} {fixes} fixable with {option}{more}"
    if hidden:
        return f"{hidden} fixable with --fix --unsafe-fixes"
    return ""


def verdict_line(outcome: Outcome) -> str:
    """`mergegate: blocked: 2 P0, 0 P1, ... new; 2 blocking at P0 or above; 3 baselined, ...`."""
    counts = outcome.counts()
    tiers = ", ".join(f"{counts[tier]} {tier}" for tier in TIERS)
    parts = [f"{tiers} new in {outcome.files_checked} files"]
    if outcome.fail_on == "never":
        blocking = counts["blocking"]
        parts.append(
            f"{blocking} blocking: {'a file' if blocking == 1 else 'files'} that"
            f" {'does' if blocking == 1 else 'do'} not parse (--fail-on never)"
            if blocking
            else "nothing blocks (--fail-on never)"
        )
    else:
        parts.append(f"{counts['blocking']} blocking at {outcome.threshold}")
    held = [f"{counts[state]} {state}" for state in HELD_BACK if counts[state]]
    if held:
        parts.append("held back: " + ", ".join(held))
    if outcome.fixed:
        parts.append(f"{sum(entry['count'] for entry in outcome.fixed)} baselined fixed")
    if outcome.errors:
        parts.append(f"{len(outcome.errors)} errors")
    return f"mergegate: {outcome.verdict}: " + "; ".join(parts)
