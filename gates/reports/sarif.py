"""The SARIF 2.1.0 report, for GitHub code scanning (`github/codeql-action/upload-sarif`).

One run per tool (mergegate, then each adapter), as GitHub wants a run's results to come from one
analysis tool; every run is written even without results, so code scanning closes the alerts a
tool no longer reports. Results carry:

- `level` from the tier: P0 `error`, P1 `warning`, P2 and P3 `note`;
- `partialFingerprints.primaryLocationLineHash` (the only fingerprint code scanning reads): a hash
  of the tool, rule, code, path and the finding's line with whitespace collapsed, then `:N` for
  the N-th identical line, so an alert follows its line when code moves and never merges with a
  twin line elsewhere in the file;
- `suppressions` on every result (SARIF: all results of a run or none), `inSource` for `# noqa`;
- `baselineState` on every result when a baseline or `--new-from-rev` was compared (SARIF: on all
  results of a run or none): `unchanged` for baselined and existing findings, else `new` (a
  suppressed finding was never compared, and a finding not known to be old is new);
- `fixes` when the finding has one: its edits as `artifactChanges`, its safety (`safe`,
  `unsafe`) under `properties`.

Locations are relative to `%SRCROOT%` (the project root, `context.root`), percent-encoded; columns
count characters, hence `columnKind: unicodeCodePoints`. Errors of the run make the invocation
unsuccessful, with one notification each.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections import defaultdict
from importlib import metadata
from pathlib import Path
from typing import Any
from urllib.parse import quote

from mergegate.gates import adapters
from mergegate.gates.docs import rule_markdown, rule_text, rule_url
from mergegate.gates.escape import markdown_text
from mergegate.gates.model import BASELINED, EXISTING, SUPPRESSED, Item, Outcome
from mergegate.gates.reports import ReportContext
from mergegate.hooks.finding import TOOL, Finding, Fix
from mergegate.hooks.registry import CODES
from mergegate.hooks.rule import tier_rank

SCHEMA_URI = (
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
)
SRCROOT = "%SRCROOT%"

LEVELS = {"P0": "error", "P1": "warning", "P2": "note", "P3": "note"}

SECURITY_SEVERITY = {"P0": "9.5", "P1": "8.0", "P2": "5.5", "P3": "2.0"}
"""For rules of security tools: code scanning reads `security-severity` as over 9.0 critical,
7.0-8.9 high, 4.0-6.9 medium, 0.1-3.9 low (GitHub, "SARIF support for code scanning"); the tiers map
one to one onto those four."""

DESCRIPTION_LIMIT = 1024
"""GitHub code scanning takes at most 1024 characters of a rule's short and full description
("SARIF support for code scanning", reportingDescriptor object)."""


def render(outcome: Outcome, context: ReportContext) -> str:
    root = os.path.abspath(context.root)
    compared = bool(outcome.fixed) or any(
        item.state in (BASELINED, EXISTING) for item in outcome.items
    )
    by_tool: dict[str, list[Item]] = {tool: [] for tool in (TOOL, *outcome.tools)}
    for item in outcome.items:
        by_tool.setdefault(item.finding.tool, []).append(item)
    runs = [
        _run(tool, items, _errors_of(tool, outcome.errors), root, compared)
        for tool, items in by_tool.items()
    ]
    runs[0]["properties"] = {  # the gate's own run: what it decided
        "verdict": outcome.verdict,
        "failOn": outcome.fail_on,
        "filesChecked": outcome.files_checked,
        "counts": outcome.counts(),
    }
    log = {"$schema": SCHEMA_URI, "version": "2.1.0", "runs": runs}
    return json.dumps(log, indent=2) + "\n"


def _errors_of(tool: str, errors: list[str]) -> list[str]:
    """The gate's own run carries every error (each makes the verdict untrustworthy); an adapter's
    run carries those about it, which the collector prefixes with the tool's name."""
    if tool == TOOL:
        return errors
    return [error for error in errors if error.startswith(f"{tool}: ")]


def _run(
    tool: str, items: list[Item], errors: list[str], root: str, compared: bool
) -> dict[str, Any]:
    rules = _rules(tool, items)
    index = {rule["id"]: number for number, rule in enumerate(rules)}
    uris = {id(item): artifact_uri(item.finding.path, root) for item in items}
    hashes = line_hashes(items, uris)
    results = []
    for item in items:
        finding = item.finding
        location: dict[str, Any] = {"artifactLocation": uris[id(item)]}
        region = _region(finding)
        if region:
            location["region"] = region
        result: dict[str, Any] = {
            "ruleId": finding.code,
            "ruleIndex": index[finding.code],
            "level": LEVELS[item.severity],
            "message": {"text": finding.message},
            "locations": [{"physicalLocation": location}],
            "partialFingerprints": {"primaryLocationLineHash": hashes[id(item)]},
            "suppressions": _suppressions(item),
            "properties": {"tier": item.severity, "state": item.state, "blocking": item.blocking},
        }
        if compared:
            result["baselineState"] = "unchanged" if item.state in (BASELINED, EXISTING) else "new"
        if finding.fix is not None:
            result["fixes"] = [_fix(finding, finding.fix, root)]
        results.append(result)
    driver: dict[str, Any] = {"name": tool, "rules": rules}
    adapter = adapters.known(tool)
    version = _version(adapters.requirement_name(adapter.REQUIREMENT) if adapter else tool)
    if version:
        driver["version"] = version
    if adapter:
        driver["informationUri"] = adapter.DOCS_URL
    invocation: dict[str, Any] = {"executionSuccessful": not errors}
    if errors:
        invocation["toolExecutionNotifications"] = [
            {"level": "error", "message": {"text": error}} for error in errors
        ]
    return {
        "tool": {"driver": driver},
        "invocations": [invocation],
        "originalUriBaseIds": {SRCROOT: {"uri": _directory_uri(root)}},
        "columnKind": "unicodeCodePoints",
        "results": results,
    }


def _fix(finding: Finding, fix: Fix, root: str) -> dict[str, Any]:
    """A SARIF fix: the edits of one file as replacements (a deleted region, possibly empty, and
    the content put there), its safety as a property. The regions' columns follow the run's
    `columnKind`, their end is exclusive, as a finding's is."""
    replacements = []
    for edit in fix.edits:
        region = {
            "startLine": edit.line,
            "startColumn": edit.column,
            "endLine": edit.end_line,
            "endColumn": edit.end_column,
        }
        replacements.append({"deletedRegion": region, "insertedContent": {"text": edit.content}})
    location = artifact_uri(fix.path or finding.path, root)
    return {
        "description": {"text": fix.title},
        "artifactChanges": [{"artifactLocation": location, "replacements": replacements}],
        "properties": {"safety": fix.safety},
    }


def _version(distribution: str) -> str | None:
    try:
        return metadata.version(distribution)
    except metadata.PackageNotFoundError:
        return None


def _suppressions(item: Item) -> list[dict[str, Any]]:
    if item.state != SUPPRESSED:
        return []
    return [{"kind": "inSource", "status": "accepted", "justification": item.reason}]


def _region(finding: Finding) -> dict[str, int]:
    """The finding's span; positions an adapter left unknown (0) are left out, never invented."""
    if finding.line < 1:
        return {}
    region = {"startLine": finding.line}
    if finding.column >= 1:
        region["startColumn"] = finding.column
    if finding.end_line >= finding.line:
        region["endLine"] = finding.end_line
        ends_after_start = finding.end_line > finding.line or finding.end_column >= finding.column
        if finding.column >= 1 and finding.end_column >= 1 and ends_after_start:
            region["endColumn"] = finding.end_column
    return region


def artifact_uri(path: str, root: str) -> dict[str, str]:
    """An artifactLocation: relative to `%SRCROOT%` when the file is under the root, percent-encoded
    (RFC 3986: spaces, `%`, `#`, `?`, `:` and non-ASCII bytes of the file name); else a file URI."""
    absolute = os.path.abspath(path)
    relative = os.path.relpath(absolute, root)
    if relative == os.pardir or relative.startswith(os.pardir + os.sep):
        return {"uri": Path(absolute).as_uri()}
    encoded = quote(os.fsencode(relative.replace(os.sep, "/")), safe="/")
    return {"uri": encoded, "uriBaseId": SRCROOT}


def _directory_uri(path: str) -> str:
    """SARIF wants a base URI to end with `/`."""
    uri = Path(path).as_uri()
    return uri if uri.endswith("/") else uri + "/"


def line_hashes(items: list[Item], uris: dict[int, dict[str, str]]) -> dict[int, str]:
    """`primaryLocationLineHash` per item (by id): content, not line numbers, plus `:N` to tell
    identical lines in one file apart, counted from the top of the file."""
    groups: dict[str, list[Item]] = defaultdict(list)
    for item in items:
        finding = item.finding
        content = " ".join(item.line_text.split())
        key = "\0".join((finding.tool, finding.rule, finding.code, uris[id(item)]["uri"], content))
        groups[hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()[:16]].append(item)
    hashes = {}
    for digest, group in groups.items():
        group.sort(key=lambda item: (item.finding.line, item.finding.column))
        for occurrence, item in enumerate(group, start=1):
            hashes[id(item)] = f"{digest}:{occurrence}"
    return hashes


def _rules(tool: str, items: list[Item]) -> list[dict[str, Any]]:
    """The gate's run lists every registry code (the same rules in every analysis, as code scanning
    expects); an adapter's run, the codes it reported, with a pointer to the tool's documentation.
    """
    codes = sorted({item.finding.code for item in items})
    if tool == TOOL:
        return [_registry_rule(code) for code in CODES] + [
            _adapter_rule(tool, code, items) for code in codes if code not in CODES
        ]
    return [_adapter_rule(tool, code, items) for code in codes]


def _registry_rule(code_id: str) -> dict[str, Any]:
    rule, code = CODES[code_id]
    return {
        "id": code.code,
        "name": rule.id,
        "shortDescription": {"text": _bounded(code.summary)},
        "fullDescription": {"text": _bounded(rule.what)},
        "help": {"text": rule_text(rule), "markdown": rule_markdown(rule)},
        "helpUri": rule_url(rule),
        "defaultConfiguration": {"level": LEVELS[code.tier]},
        "properties": {"tags": [TOOL, rule.id]},
    }


def _adapter_rule(tool: str, code: str, items: list[Item]) -> dict[str, Any]:
    """An adapter's code as a rule (adapter codes have no registry entry): help from the tool's
    documentation, a `security-severity` for a security tool's."""
    adapter = adapters.known(tool)
    docs = adapter.DOCS_URL if adapter else None
    source = f"is reported by {tool}; mergegate ran {tool} and assigned the tier."
    descriptor: dict[str, Any] = {
        "id": code,
        "shortDescription": {"text": _bounded(f"{tool} {code}")},
        "fullDescription": {"text": _bounded(f"{code} {source}")},
        "help": {
            "text": f"{code} {source}" + (f" Documentation: {docs}" if docs else ""),
            "markdown": f"{markdown_text(code)} {source}"
            + (f" See [the {tool} documentation]({docs})." if docs else ""),
        },
    }
    if docs:
        descriptor["helpUri"] = docs
    properties: dict[str, Any] = {"tags": [tool]}
    if adapter and adapter.SECURITY:
        worst = min((item.severity for item in items if item.finding.code == code), key=tier_rank)
        properties = {"tags": [tool, "security"], "security-severity": SECURITY_SEVERITY[worst]}
    descriptor["properties"] = properties
    return descriptor


def _bounded(text: str) -> str:
    return text if len(text) <= DESCRIPTION_LIMIT else text[: DESCRIPTION_LIMIT - 1] + "…"
