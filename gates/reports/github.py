"""The `github` format: GitHub Actions workflow commands, one annotation per reported finding.

Also the fallback when a pull request from a fork cannot write a check run. Decisions:

- Levels, titles and order are the check run's (`mergegate.gates.annotations`): a new P0 is
  `::error`, P1 `::warning`, P2 and P3 `::notice`, held-back findings notices after every new
  one; suppressed ones are not printed. The run's errors come first, as `::error` (they make the
  verdict untrustworthy).
- So within each level the most important are the ones GitHub turns into annotations: it shows
  only the first `ANNOTATIONS_PER_LEVEL` of each level per step. Every command is still printed
  (the rest stay readable in the log), and when any level overflows, a first notice says how many
  of them are in the log only.
- Columns only for a single-line finding (the check-run API's rule for annotations).
- Every untrusted string goes through `workflow_property` / `workflow_data`: nothing in a file
  name or message can end a property, start a line, or carry `##[`.

The output ends with the text report's verdict line.
"""

from __future__ import annotations

from collections import Counter

from mergegate.gates.annotations import annotation_level, annotation_order, annotation_title
from mergegate.gates.docs import hint
from mergegate.gates.escape import workflow_data, workflow_property
from mergegate.gates.model import Item, Outcome
from mergegate.gates.reports import ReportContext
from mergegate.gates.reports.text import verdict_line

ANNOTATIONS_PER_LEVEL = 10
"""GitHub shows at most 10 annotations of each level (error, warning, notice) per step: "GitHub
Actions are limited to 10 warning annotations and 10 error annotations per step" (REST API docs,
"Create a check run", `output.annotations`), notices alike (actions/toolkit, problem matchers,
limitations)."""


def render(outcome: Outcome, context: ReportContext) -> str:
    commands = [
        ("error", f"::error title=mergegate error::{workflow_data(error)}")
        for error in outcome.errors
    ]
    commands += [_annotation(item) for item in annotation_order(outcome)]
    per_level = Counter(level for level, _ in commands)
    if any(count > ANNOTATIONS_PER_LEVEL for count in per_level.values()):
        per_level["notice"] += 1  # the overflow notice takes a notice's place itself
        hidden = sum(max(0, count - ANNOTATIONS_PER_LEVEL) for count in per_level.values())
        overflow = (
            f"::notice title=mergegate::{hidden} of {len(commands)} findings and errors are"
            f" only in this log: GitHub shows {ANNOTATIONS_PER_LEVEL} annotations per level"
            " per step, and those come first (errors, then P0)."
        )
        commands.insert(0, ("notice", overflow))
    lines = [command for _, command in commands]
    lines.append(verdict_line(outcome))
    return "\n".join(lines) + "\n"


def _annotation(item: Item) -> tuple[str, str]:
    finding = item.finding
    level = annotation_level(item)
    properties = [f"file={workflow_property(finding.path)}"]
    if finding.line >= 1:
        properties.append(f"line={finding.line}")
        if finding.end_line >= finding.line:
            properties.append(f"endLine={finding.end_line}")
        if finding.end_line == finding.line and finding.column >= 1:
            properties.append(f"col={finding.column}")
            if finding.end_column >= finding.column:
                properties.append(f"endColumn={finding.end_column}")
    properties.append(f"title={workflow_property(annotation_title(item))}")
    message = finding.message
    fix = hint(finding.code)
    if fix:
        message = f"{message}\n{fix}"
    return level, f"::{level} {','.join(properties)}::{workflow_data(message)}"
