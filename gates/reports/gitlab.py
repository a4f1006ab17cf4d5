"""The `gitlab` format: a GitLab Code Quality report (`artifacts: reports: codequality`).

A JSON array with one issue per reported finding, in the subset of the Code Climate spec that
GitLab reads ("Code Quality", *Implement a custom tool*): `description`, `check_name`,
`fingerprint`, `severity`, `location.path` and `location.lines.begin`. Decisions:

- Severity from the tier: P0 `blocker`, P1 `critical`, P2 `major`, P3 `minor`. Existing and
  baselined findings are `info` whatever their tier (the tier is in the description): they never
  block, so they sort below every finding that can, and they stay listed so the pipeline's Code
  Quality tab shows the whole picture. `# noqa`-suppressed findings are left out.
- Fingerprints are SARIF's `primaryLocationLineHash` (reports/sarif.py): a hash of the tool, rule,
  code, path and the line's content, then `:N` for the N-th identical line. They survive lines
  moving (GitLab then shows no new issue) and are unique per finding (GitLab keeps only one issue
  per fingerprint), and the same finding has the same identity in both reports.
- Paths are relative to the repository root, `/`-separated, as GitLab links them; a finding
  without a line (an adapter's whole-file finding) is put on line 1, as GitLab needs one.
- No byte order mark (GitLab's parser refuses one); undecodable bytes of a file name become
  U+FFFD, so the report is always valid UTF-8.

The run's errors are not issues (they have no place in the code): they reach stderr and the exit
status, as in every format.
"""

from __future__ import annotations

import json
import os

from mergegate.gates.escape import encodable
from mergegate.gates.model import NEW, Item, Outcome
from mergegate.gates.reports import ReportContext
from mergegate.gates.annotations import annotation_title
from mergegate.gates.reports.sarif import artifact_uri, line_hashes
from mergegate.hooks.paths import display

SEVERITIES = {"P0": "blocker", "P1": "critical", "P2": "major", "P3": "minor"}
HELD_BACK_SEVERITY = "info"


def render(outcome: Outcome, context: ReportContext) -> str:
    root = os.path.abspath(context.root)
    items = outcome.reported
    hashes = line_hashes(items, {id(item): artifact_uri(item.finding.path, root) for item in items})
    issues = [_issue(item, hashes[id(item)], root) for item in items]
    return json.dumps(issues, indent=2, ensure_ascii=False) + "\n"


def severity(item: Item) -> str:
    """GitLab's severity for a reported item: by tier when new, `info` when held back."""
    return SEVERITIES[item.severity] if item.state == NEW else HELD_BACK_SEVERITY


def _issue(item: Item, fingerprint: str, root: str) -> dict[str, object]:
    finding = item.finding
    return {
        "description": encodable(f"{annotation_title(item)}: {finding.message}"),
        "check_name": encodable(finding.code),
        "fingerprint": fingerprint,
        "severity": severity(item),
        "location": {
            "path": encodable(display(finding.path, root)),
            "lines": {"begin": max(finding.line, 1)},
        },
    }
