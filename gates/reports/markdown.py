"""The Markdown report: the severity-tiered summary a GitHub check run and job summary carry.

The verdict as a heading, the counts per tier and state, what blocked, then the run's errors and
the findings: new ones by tier (P0 first), then the held-back ones (existing, baselined) by tier.
Suppressed findings are counted, not listed. Every untrusted string (path, code, message, error)
goes through `mergegate.gates.escape`.

The report is bounded, by `context.max_chars`, else by CHECK_RUN_SUMMARY_BYTES (wherever it goes,
it is the summary a check run can carry): it is cut before the first finding that no longer fits,
so what is cut is always the least important, and it ends with a note of how many errors and
findings (per tier) were not shown; the note's room is reserved up front, so the whole fits. The
size is counted in UTF-8 bytes: GitHub's API enforces the check-run summary's "65535 characters"
as bytes ("summary exceeds a maximum bytesize of 65535", github/docs#35252), and a text never has
more characters (or UTF-16 units) than UTF-8 bytes, so the bound holds however it is counted.
"""

from __future__ import annotations

from collections import Counter

from mergegate.gates.escape import markdown_cell, markdown_text, markdown_url
from mergegate.gates.model import BASELINED, EXISTING, NEW, SUPPRESSED, Item, Outcome, fixable
from mergegate.gates.reports import ReportContext
from mergegate.hooks.finding import TOOL
from mergegate.hooks.rule import TIERS

HEADINGS = {
    "passed": "## ✅ mergegate: passed",
    "blocked": "## ❌ mergegate: blocked",
    "error": "## ⚠️ mergegate: error",
}
STATE_COLUMNS = (NEW, EXISTING, BASELINED, SUPPRESSED)
CHECK_RUN_SUMMARY_BYTES = 65535
"""`output.summary` is at most 65535 characters (REST API docs, "Create a check run"), enforced
as UTF-8 bytes ("summary exceeds a maximum bytesize of 65535", github/docs#35252)."""
TABLE_HEADER = "| location | code | status | message |\n| --- | --- | --- | --- |\n"


def size(text: str) -> int:
    """What a bound on the report limits: UTF-8 bytes (see the module docstring)."""
    return len(text.encode("utf-8", "surrogatepass"))


def render(outcome: Outcome, context: ReportContext) -> str:
    head = _head(outcome)
    chunks = _error_chunks(outcome.errors) + _finding_chunks(outcome, context)
    full = head + "".join(text for text, _ in chunks)
    limit = CHECK_RUN_SUMMARY_BYTES if context.max_chars is None else context.max_chars
    if size(full) <= limit:
        return full
    listed = [item for _, item in chunks if item is not None]
    used = size(head) + size(_note(len(outcome.errors), listed))  # the longest note there can be
    if used > limit:
        raise ValueError(f"a Markdown report needs {used} bytes here, not {limit}")
    shown = 0
    for text, _ in chunks:
        used += size(text)
        if used > limit:
            break
        shown += 1
    omitted = chunks[shown:]
    errors = sum(1 for _, item in omitted if item is None)
    findings = [item for _, item in omitted if item is not None]
    return head + "".join(text for text, _ in chunks[:shown]) + _note(errors, findings)


def _head(outcome: Outcome) -> str:
    """What is never cut: the verdict, the counts, what blocked, fixed baseline entries."""
    per_state = Counter((item.severity, item.state) for item in outcome.items)
    rows = [
        "| tier | " + " | ".join(STATE_COLUMNS) + " |",
        "| --- |" + " ---: |" * len(STATE_COLUMNS),
    ]
    for tier in TIERS:
        cells = [str(per_state[tier, state]) for state in STATE_COLUMNS]
        rows.append(f"| {tier} | " + " | ".join(cells) + " |")
    totals = [str(sum(per_state[tier, state] for tier in TIERS)) for state in STATE_COLUMNS]
    rows.append("| **total** | " + " | ".join(totals) + " |")
    lines = [HEADINGS[outcome.verdict], "", *rows, "", _decision(outcome)]
    if outcome.fixed:
        fixed = sum(entry["count"] for entry in outcome.fixed)
        lines += [
            "",
            f"{_plural(fixed, 'baselined finding')} fixed since the baseline was written:"
            " `mergegate baseline --prune --output FILE` drops them.",
        ]
    return "\n".join(lines) + "\n"


def _decision(outcome: Outcome) -> str:
    """What blocked, or why nothing did, in one paragraph."""
    counts = outcome.counts()
    sentences = []
    if outcome.errors:
        sentences.append(
            f"**{_plural(len(outcome.errors), 'error')}** made the result untrustworthy"
            " (exit 2)."
        )
    if outcome.blocking and outcome.fail_on == "never":
        count = len(outcome.blocking)
        sentences.append(
            f"**Blocked by {_plural(count, 'file')} that {'does' if count == 1 else 'do'} not"
            " parse**: `--fail-on never` blocks nothing else."
        )
    elif outcome.blocking:
        blocking = Counter(item.severity for item in outcome.blocking)
        tiers = ", ".join(f"{blocking[tier]} {tier}" for tier in TIERS if blocking[tier])
        sentences.append(
            f"**Blocked by {_plural(len(outcome.blocking), 'new finding')}** at"
            f" {outcome.threshold}: {tiers}."
        )
    elif outcome.fail_on == "never":
        sentences.append("Nothing blocks: `--fail-on never` only reports.")
    else:
        sentences.append(f"No new finding at {outcome.threshold} blocks.")
    sentences.append(f"{counts['total']} new in {_plural(outcome.files_checked, 'file')} checked.")
    safe = sum(1 for item in outcome.items if fixable(item))
    unsafe = sum(1 for item in outcome.items if fixable(item, True)) - safe
    parts = [f"{safe} with `mergegate run --fix`"] if safe else []
    if unsafe:
        parts.append(f"{unsafe} {'more ' if safe else ''}with `--fix --unsafe-fixes`")
    if parts:
        sentences.append(f"Fixable: {' and '.join(parts)}.")
    if outcome.files_from_cache is not None:
        sentences.append(_cache_sentence(outcome))
    elif outcome.cache_restored is not None:
        sentences.append("The results cache is off.")
    return " ".join(sentences)


def _cache_sentence(outcome: Outcome) -> str:
    """Whether a cache was there to use (restored from where, when the CI system says), and how
    much of the run it spared."""
    served, restored = outcome.files_from_cache, outcome.cache_restored
    if restored == "":
        origin = "No results cache was restored (none saved yet for this configuration). "
    elif restored is not None:
        origin = f"Results cache restored from {markdown_text(restored)}. "
    else:
        origin = ""
    if not served and restored:
        return origin + "None of its results served: every file changed since."
    if not served:
        return origin + "None served from the cache (there was none yet, or every file changed)."
    return origin + f"{served} of {_plural(outcome.files_checked, 'file')} served from the cache."


def _error_chunks(errors: list[str]) -> list[tuple[str, Item | None]]:
    chunks: list[tuple[str, Item | None]] = [
        (f"- {markdown_text(error)}\n", None) for error in errors
    ]
    if chunks:
        chunks[0] = ("\n### Errors\n\n" + chunks[0][0], None)
    return chunks


def _finding_chunks(outcome: Outcome, context: ReportContext) -> list[tuple[str, Item | None]]:
    """One chunk per listed finding, most important first; a section's heading and table header
    travel with its first row, so a cut never leaves an empty section behind."""
    reported = outcome.reported
    sections = [
        (f"{tier} · new", [i for i in reported if i.severity == tier and i.state == NEW])
        for tier in TIERS
    ] + [
        (f"{tier} · held back", [i for i in reported if i.severity == tier and i.state != NEW])
        for tier in TIERS
    ]
    chunks: list[tuple[str, Item | None]] = []
    for title, items in sections:
        for number, item in enumerate(items):
            row = _row(item, context)
            if number == 0:
                row = f"\n### {title} ({len(items)})\n\n{TABLE_HEADER}{row}"
            chunks.append((row, item))
    return chunks


def _row(item: Item, context: ReportContext) -> str:
    finding = item.finding
    location = markdown_text(f"{finding.path}:{finding.line}")
    if context.link is not None:
        location = f"[{location}]({markdown_url(context.link(finding))})"
    code = finding.code if finding.tool == TOOL else f"{finding.tool} {finding.code}"
    status = "**blocking**" if item.blocking else item.state
    return f"| {location} | {markdown_cell(code)} | {status} | {markdown_cell(finding.message)} |\n"


def _note(errors: int, findings: list[Item]) -> str:
    """`**2 more errors and 48 more findings not shown** (8 P2, 40 P3) ...`, or nothing."""
    parts = []
    if errors:
        parts.append(_plural(errors, "more error"))
    if findings:
        parts.append(_plural(len(findings), "more finding"))
    if not parts:
        return ""
    tiers = Counter(item.severity for item in findings)
    detail = ", ".join(f"{tiers[tier]} {tier}" for tier in TIERS if tiers[tier])
    return (
        f"\n**{' and '.join(parts)} not shown**"
        + (f" ({detail})" if detail else "")
        + ", to keep this summary within its size limit.\n"
    )


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"
