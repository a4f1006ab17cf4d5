"""The JSON report: every reported finding with its tier and state, and the counts."""

from __future__ import annotations

import json

from mergegate.gates.model import Outcome
from mergegate.gates.reports import ReportContext

SCHEMA_VERSION = 1


def render(outcome: Outcome, context: ReportContext) -> str:
    findings = []
    for item in outcome.reported:
        entry = item.finding.as_dict()
        entry["severity"] = item.severity
        entry["state"] = item.state
        entry["blocking"] = item.blocking
        if item.reason:
            entry["reason"] = item.reason
        findings.append(entry)
    document = {
        "version": SCHEMA_VERSION,
        "verdict": outcome.verdict,
        "fail_on": outcome.fail_on,
        "findings": findings,
        "counts": outcome.counts(),
        "fixed": outcome.fixed,
        "errors": outcome.errors,
        "files_checked": outcome.files_checked,
        "tools": outcome.tools,
    }
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"
