"""The job summary: the report (and a note, when the check run could not be posted) appended to
`$GITHUB_STEP_SUMMARY`, within what is left of the step's 1 MiB."""

from __future__ import annotations

import os
from typing import Callable, Optional

from mergegate.gates.model import Outcome
from mergegate.gates.reports import ReportContext, render
from mergegate.gates.reports.markdown import size
from mergegate.hooks.finding import Finding

JOB_SUMMARY_BYTES = 1024 * 1024
"""A step's `$GITHUB_STEP_SUMMARY` is at most 1 MiB, or its upload is aborted (Actions docs,
"Workflow commands", adding a job summary: "supports content up to a size of 1024k")."""


def write_job_summary(
    path: str,
    outcome: Outcome,
    note: str,
    link: Optional[Callable[[Finding], str]],
    log: Callable[[str], None],
) -> None:
    """Append the note (Markdown), if any, and the report, within what is left of the step's
    1 MiB: the report shortened to fit, or left out; the note whole, or nothing at all."""
    used = os.path.getsize(path) if os.path.exists(path) else 0
    head = f"{note}\n\n" if note else ""
    room = JOB_SUMMARY_BYTES - used - size(head)
    full = f"the job summary is full ({used} bytes): the report is not added to it"
    if room < 0:  # not even the note fits
        log(full)
        return
    try:
        report = render("markdown", outcome, ReportContext(link=link, max_chars=room))
    except ValueError:  # the note fits, the verdict and counts do not
        log(full)
        report = ""
    with open(path, "a", encoding="utf-8") as handle:
        handle.write(head + report)
