"""Annotations: the findings GitHub shows on their lines, in what order, at what level, titled how.

Two things annotate a pull request: the `github` report's workflow commands (the log, and the
fallback when no check run can be posted) and the check run. Both take their order, levels and
titles from here, so a finding looks the same whichever way it reached GitHub; the check run's
annotation object is built here too, within the limits of GitHub's API.

- Order: new findings first (P0 first, as the outcome is sorted), then held-back ones: GitHub
  shows only the first few annotations of each level in places, and those are the ones that count.
- Levels: a new P0 is `error`, P1 `warning`, P2 and P3 `notice`; existing and baselined findings
  never block, so they are notices whatever their tier (the tier is in the title).
"""

from __future__ import annotations

from typing import Any

from mergegate.gates.docs import hint
from mergegate.gates.escape import clip
from mergegate.gates.model import NEW, Item, Outcome

LEVELS = {"P0": "error", "P1": "warning", "P2": "notice", "P3": "notice"}
"""Tier -> workflow-command level, for new findings."""

CHECK_LEVELS = {"error": "failure", "warning": "warning", "notice": "notice"}
"""Workflow-command level -> check-run `annotation_level`."""

ANNOTATION_TITLE_BYTES = 255
"""An annotation's `title`: "The maximum size is 255 characters" (REST API docs, "Create a check
run"); counted in bytes, which is never fewer than characters."""

ANNOTATION_TEXT_BYTES = 64000
"""An annotation's `message` and `raw_details`: "The maximum size is 64 KB" (REST API docs,
"Create a check run"), read as the smaller 64,000 bytes."""


def annotation_order(outcome: Outcome) -> list[Item]:
    """Reported items as annotations list them: new ones (P0 first), then held-back ones."""
    reported = outcome.reported
    return [item for item in reported if item.state == NEW] + [
        item for item in reported if item.state != NEW
    ]


def annotation_level(item: Item) -> str:
    """`error`, `warning` or `notice` by tier; held-back findings never block: notices."""
    return LEVELS[item.severity] if item.state == NEW else "notice"


def annotation_title(item: Item) -> str:
    """`mergegate MG101 [P0]`, or `mergegate MG101 [P0, baselined]` for a held-back finding."""
    label = item.severity if item.state == NEW else f"{item.severity}, {item.state}"
    return f"{item.finding.tool} {item.finding.code} [{label}]"


def check_run_annotation(item: Item) -> dict[str, Any]:
    """A check-run annotation: columns only on a single line (the API's rule), a finding
    without a line on line 1, every text within GitHub's limits."""
    finding = item.finding
    start = max(finding.line, 1)
    end = max(finding.end_line, start)
    entry: dict[str, Any] = {
        "path": clip(finding.path, ANNOTATION_TEXT_BYTES),
        "start_line": start,
        "end_line": end,
        "annotation_level": CHECK_LEVELS[annotation_level(item)],
        "title": clip(annotation_title(item), ANNOTATION_TITLE_BYTES),
        "message": clip(finding.message or finding.code, ANNOTATION_TEXT_BYTES),
    }
    if finding.line >= 1 and end == start and finding.column >= 1:
        entry["start_column"] = finding.column
        if finding.end_column >= finding.column:
            entry["end_column"] = finding.end_column
    details = [text for text in (item.reason, hint(finding.code)) if text]
    if details:
        entry["raw_details"] = clip("\n".join(details), ANNOTATION_TEXT_BYTES)
    return entry
