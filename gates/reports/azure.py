"""The `azure` format: Azure Pipelines logging commands, one issue per new finding.

`##vso[task.logissue type=error;sourcepath=PATH;linenumber=N;columnnumber=N;code=CODE]MESSAGE`,
which the agent turns into an issue of the step (listed in the run's summary, and as
`PATH(N,N): error CODE: MESSAGE` in the log). Decisions:

- Azure has two issue types. A new finding that blocks, or any new P0, is an `error`; other new
  findings (P1 to P3) are warnings. Existing and baselined findings never block and Azure has no
  lower level, so they are not issues: the verdict line counts them.
- Order: the run's errors first (they make the verdict untrustworthy), then new findings P0
  first. The agent lists only the first `ISSUES_PER_TYPE` errors and warnings of a step in the
  summary; every command still prints its issue in the log, and when some are not listed, a
  first line (the log's `##[warning]` markup, not an issue) says how many.
- A blocked run, or one with errors, ends with `##vso[task.complete result=Failed;]`, so the step
  fails even where the pipeline ignores exit statuses (`continueOnError`, a wrapper script); the
  exit status says the same.
- Every value and message goes through `azure_value`: nothing in a file name or message can end a
  property, start a line, or carry `##vso[` or `##[`.

The output ends with the text report's verdict line.
"""

from __future__ import annotations

from collections import Counter

from mergegate.gates.escape import azure_value
from mergegate.gates.model import NEW, Item, Outcome
from mergegate.gates.reports import ReportContext
from mergegate.gates.annotations import annotation_title
from mergegate.gates.reports.text import verdict_line

ISSUES_PER_TYPE = 10
"""The agent adds at most 10 errors and 10 warnings to a step's record; more are only counted and
logged (azure-pipelines-agent, `ExecutionContext._maxIssueCount`)."""


def render(outcome: Outcome, context: ReportContext) -> str:
    lines = [f"##vso[task.logissue type=error]{azure_value(error)}" for error in outcome.errors]
    new = [item for item in outcome.reported if item.state == NEW]
    lines += [_issue(item) for item in new]
    per_type = Counter(issue_type(item) for item in new)
    per_type["error"] += len(outcome.errors)
    hidden = sum(max(0, count - ISSUES_PER_TYPE) for count in per_type.values())
    if hidden:
        lines.insert(
            0,
            f"##[warning]mergegate: {hidden} of {len(lines)} findings and errors are only in this"
            f" log: Azure Pipelines lists {ISSUES_PER_TYPE} errors and {ISSUES_PER_TYPE} warnings"
            " per step, and those come first (errors, then P0).",
        )
    if outcome.verdict != "passed":
        lines.append(f"##vso[task.complete result=Failed;]{azure_value(verdict_line(outcome))}")
    lines.append(verdict_line(outcome))
    return "\n".join(lines) + "\n"


def issue_type(item: Item) -> str:
    """`error` for a new finding that blocks or is P0, else `warning`."""
    return "error" if item.blocking or item.severity == "P0" else "warning"


def _issue(item: Item) -> str:
    finding = item.finding
    properties = [f"type={issue_type(item)}", f"sourcepath={azure_value(finding.path)}"]
    if finding.line >= 1:
        properties.append(f"linenumber={finding.line}")
        if finding.column >= 1:
            properties.append(f"columnnumber={finding.column}")
    properties.append(f"code={azure_value(finding.code)}")
    message = f"{annotation_title(item)}: {finding.message}"
    return f"##vso[task.logissue {';'.join(properties)}]{azure_value(message)}"
