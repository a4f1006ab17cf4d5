"""The JSON report: every reported finding with its tier and state, and the counts.

It also carries what `mergegate merge` needs to rebuild the Outcome exactly (`parse`): each
finding's line text (SARIF fingerprints hash it), the `# noqa`-suppressed findings (counted, not
listed under `findings`), and a shard's place and fingerprint.
"""

from __future__ import annotations

import json
from typing import Optional

from mergegate.gates.output import json_text
from mergegate.gates.model import FAIL_ON_CHOICES, STATES, SUPPRESSED, BaselineEntry, Item, Outcome
from mergegate.gates.reports import ReportContext
from mergegate.hooks.finding import Finding
from mergegate.hooks.rule import TIERS

SCHEMA_VERSION = 1


def _entry(item: Item) -> dict[str, object]:
    entry = item.finding.as_dict()
    entry["severity"] = item.severity
    entry["state"] = item.state
    entry["blocking"] = item.blocking
    entry["fail_on"] = item.fail_on
    entry["project_fail_on"] = item.project_fail_on
    if item.reason:
        entry["reason"] = item.reason
    entry["line_text"] = item.line_text
    return entry


def render(outcome: Outcome, context: ReportContext) -> str:
    shard = outcome.shard
    document = {
        "version": SCHEMA_VERSION,
        "verdict": outcome.verdict,
        "fail_on": outcome.fail_on,
        "findings": [_entry(item) for item in outcome.reported],
        "counts": outcome.counts(),
        "fixed": outcome.fixed,
        "errors": outcome.errors,
        "files_checked": outcome.files_checked,
        "tools": outcome.tools,
        "suppressed": [_entry(item) for item in outcome.items if item.state == SUPPRESSED],
        "shard": {"index": shard[0], "count": shard[1]} if shard else None,
        "fingerprint": outcome.fingerprint,
        "notes": outcome.notes,
    }
    return json_text(document)


def _item(entry: dict[str, object]) -> Item:
    state, severity = entry["state"], entry["severity"]
    if state not in STATES or severity not in TIERS:
        raise ValueError(f"a finding with state {state!r} and severity {severity!r}")
    text, reason = entry["line_text"], entry.get("reason", "")
    fail_on, own = entry.get("fail_on", "P0"), entry.get("project_fail_on", "P0")
    if not isinstance(text, str) or not isinstance(reason, str):
        raise ValueError("a finding whose line_text or reason is not a string")
    if fail_on not in FAIL_ON_CHOICES or own not in FAIL_ON_CHOICES:
        raise ValueError(f"a finding with fail_on {fail_on!r} and project_fail_on {own!r}")
    built = Item(Finding.from_dict(entry), text, str(state), reason, str(severity))
    built.fail_on, built.project_fail_on = str(fail_on), str(own)
    return built


def _fixed(value: object) -> list[BaselineEntry]:
    fields = {"rule": str, "code": str, "path": str, "content": str, "count": int}
    if not isinstance(value, list) or not all(
        isinstance(entry, dict)
        and all(isinstance(entry.get(name), kind) for name, kind in fields.items())
        for entry in value
    ):
        raise ValueError("fixed is not a list of baseline entries")
    return value


def _strings(value: object) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise ValueError("a list of strings expected")
    return value


def parse(text: str) -> Outcome:
    """The Outcome a report was rendered from, decided again by the caller; ValueError when the
    text is not a JSON report of this version with every field `render` writes."""
    document = json.loads(text)
    if not isinstance(document, dict) or document.get("version") != SCHEMA_VERSION:
        raise ValueError(f"not a version {SCHEMA_VERSION} mergegate JSON report")
    try:
        shard = document["shard"]
        place: Optional[tuple[int, int]] = None
        if shard is not None:
            place = (int(shard["index"]), int(shard["count"]))
        fingerprint = document["fingerprint"]
        files_checked = document["files_checked"]
        if not isinstance(fingerprint, (str, type(None))) or not isinstance(files_checked, int):
            raise ValueError("fingerprint or files_checked of the wrong type")
        return Outcome(
            items=[_item(entry) for entry in document["findings"] + document["suppressed"]],
            fail_on=str(document["fail_on"]),
            errors=_strings(document["errors"]),
            fixed=_fixed(document["fixed"]),
            files_checked=files_checked,
            tools=_strings(document["tools"]),
            shard=place,
            fingerprint=fingerprint,
            notes=_strings(document.get("notes", [])),
        )
    except (KeyError, TypeError, AttributeError) as error:
        raise ValueError(
            f"a field is missing or malformed: {type(error).__name__}: {error}"
        ) from None
