"""The terminal report: findings grouped by tier, P0 first, then the verdict line."""

from __future__ import annotations

from mergegate.gates.model import NEW, Outcome
from mergegate.gates.reports import ReportContext
from mergegate.hooks.registry import TIERS
from mergegate.hooks.terminal import terminal_line, terminal_text

COLORS = {"P0": "\033[1;31m", "P1": "\033[33m", "P2": "\033[36m", "P3": "\033[2m"}
RESET = "\033[0m"


def _paint(text: str, color: str, context: ReportContext) -> str:
    return f"{color}{text}{RESET}" if context.color else text


def render(outcome: Outcome, context: ReportContext) -> str:
    lines = []
    for tier in TIERS:
        items = [item for item in outcome.reported if item.severity == tier]
        if not items:
            continue
        lines.append(_paint(f"{tier} ({len(items)})", COLORS[tier], context))
        for item in items:
            finding = item.finding
            label = tier if item.state == NEW else f"{tier}, {item.state}"
            lines.append(
                f"{terminal_line(finding.path)}:{finding.line}:{finding.column}: "
                f"{terminal_text(finding.code)} {_paint(f'[{label}]', COLORS[tier], context)} "
                f"{terminal_text(finding.message)}"
            )
        lines.append("")
    for entry in outcome.fixed:
        lines.append(
            terminal_text(
                f"fixed since the baseline: {entry['path']}: {entry['code']} x{entry['count']}"
                f" ({entry['content']})"
            )
        )
    for error in outcome.errors:
        lines.append(_paint(f"error: {terminal_text(error)}", COLORS["P0"], context))
    lines.append(verdict_line(outcome))
    return "\n".join(lines) + "\n"


def verdict_line(outcome: Outcome) -> str:
    """`mergegate: blocked: 2 P0, 0 P1, ... new; 2 blocking at P0 or above; 3 baselined, ...`."""
    counts = outcome.counts()
    tiers = ", ".join(f"{counts[tier]} {tier}" for tier in TIERS)
    parts = [f"{tiers} new in {outcome.files_checked} files"]
    if outcome.fail_on == "never":
        parts.append("nothing blocks (--fail-on never)")
    else:
        parts.append(f"{counts['blocking']} blocking at {outcome.fail_on} or above")
    held = [
        f"{counts[state]} {state}"
        for state in ("existing", "baselined", "suppressed")
        if counts[state]
    ]
    if held:
        parts.append("held back: " + ", ".join(held))
    if outcome.fixed:
        parts.append(f"{sum(entry['count'] for entry in outcome.fixed)} baselined fixed")
    if outcome.errors:
        parts.append(f"{len(outcome.errors)} errors")
    return f"mergegate: {outcome.verdict}: " + "; ".join(parts)
