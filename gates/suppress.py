"""Suppress: the gate's `# noqa` stage, and the opt-in `unused-noqa` rule judged after it.

The decision itself is hooks/noqa.py's `Suppressor`, which the hooks run too, so a finding is
silenced (or refused a suppression that expired) alike everywhere. This module only applies it to
pipeline items: a silenced item is marked `suppressed` with the directive as its reason; one whose
suppression no longer holds stays `new` and says why, in its reason and in its message.
"""

from __future__ import annotations

import os

from mergegate.gates.model import SUPPRESSED, Item
from mergegate.hooks.files import read_file
from mergegate.hooks.finding import Finding, InputError
from mergegate.hooks.noqa import Settings, Suppressor, comment_columns, inline, noted, suppresses
from mergegate.hooks.registry import CODES, PARSE_ERROR, RULES, UNUSED_NOQA
from mergegate.hooks.source import decode, split_lines

TYPE_CHECKING = False
if TYPE_CHECKING:  # typing costs a hook's start-up time; mypy reads this block
    from collections.abc import Iterable, Sequence
    from datetime import date
    from typing import Callable, Optional

    from mergegate.hooks.noqa import Directive


def mark_suppressed(
    items: list[Item],
    settings: Settings,
    lines_of: Callable[[str], Optional[Sequence[str]]],
    today: Optional[date] = None,
) -> None:
    """Mark the items `# noqa` silences. `lines_of(path)` gives a finding's file as lines, for
    its file-level directives (`# flake8: noqa`, `# ruff: noqa`); `today` is for tests."""
    suppressor = Suppressor(settings, lines_of, today)
    for item in items:
        verdict = suppressor.verdict(item.finding, item.line_text)
        if verdict is None:
            continue
        item.reason = verdict.note
        if verdict.silenced:
            item.state = SUPPRESSED
        else:
            item.finding = noted(item.finding, verdict.note)


def file_lines(cwd: str) -> Callable[[str], Optional[list[str]]]:
    """`lines_of` for `mark_suppressed`: findings' paths are relative to `cwd`; each file is read
    once, and only when one of its findings is judged. A file that does not mention `noqa` has
    no directive, so it gives no lines (and is never decoded)."""
    cache: dict[str, Optional[list[str]]] = {}

    def lines_of(path: str) -> Optional[list[str]]:
        if path not in cache:
            cache[path] = lines_mentioning_noqa(os.path.join(cwd, path))
        return cache[path]

    return lines_of


def repository_inputs(
    root: str, selected: set[str], options: dict[str, dict[str, object]]
) -> set[str]:
    """The files (absolute, real) that the selected repository-wide rules read. Their findings
    come from one check of the whole repository, made in one shard only, so the `# noqa` comments
    of these files (a noxfile.py) are left unjudged, sharded or not, for one verdict either way."""
    found: set[str] = set()
    for rule in RULES.values():
        if rule.scope == "repo" and rule.id in selected:
            module = rule.implementation()
            names = module.inputs(root, options[rule.id])
            found.update(os.path.realpath(os.path.join(root, name)) for name in names)
    return found


def unused_noqa(
    items: list[Item], files: Iterable[tuple[str, str]], settings: Settings, selected: set[str]
) -> list[Item]:
    """The `unused-noqa` findings of the checked files, given as (shown path, path to read);
    `selected` are the rule ids the configuration selects."""
    by_place: dict[tuple[str, int], list[Finding]] = {}
    unparsable: set[str] = set()
    for item in items:
        finding = item.finding
        if finding.rule == PARSE_ERROR.id:
            unparsable.add(finding.path)
        by_place.setdefault((finding.path, finding.line), []).append(finding)
    found: list[Item] = []
    for shown, path in files:
        if shown in unparsable:
            continue  # no check ran there: every comment would look unused
        lines = lines_mentioning_noqa(path)
        if lines is None:
            continue
        directives = [(number, inline(line)) for number, line in enumerate(lines, start=1)]
        on_lines = [(number, found) for number, found in directives if found is not None]
        comments = comment_columns(lines, on_lines[-1][0]) if on_lines else {}
        for number, directive in on_lines:
            column = comments.get(number)
            if column is None or directive.start < column:
                continue  # in a string, not a comment
            findings = by_place.get((shown, number), [])
            message = _unused(directive, findings, settings.peers, selected)
            if message:
                line = lines[number - 1]
                end = directive.start + len(line[directive.start : directive.end].rstrip(", \t"))
                finding = Finding(
                    UNUSED_NOQA.id,
                    UNUSED_NOQA.code,
                    shown,
                    number,
                    directive.start + 1,
                    number,
                    end + 1,
                    message,
                )
                found.append(Item(finding, line))
    return found


def lines_mentioning_noqa(path: str) -> Optional[list[str]]:
    """A Python file's lines, decoded as the interpreter decodes it, when its bytes mention `noqa`
    in any case (most files do not: they are never decoded); else None, also when it cannot be
    read or decoded now (then no directive of it silences anything)."""
    try:
        data = read_file(path)
    except InputError:
        return None
    if b"noqa" not in data.lower():
        return None
    try:
        return split_lines(decode(data))
    except (SyntaxError, UnicodeDecodeError, LookupError):
        return None


def _unused(directive: Directive, findings: list[Finding], peers: bool, selected: set[str]) -> str:
    """The message for a `# noqa` that silences nothing (or names codes that do not), else ""."""
    if not directive.codes:
        if findings:
            return ""
        return "unused `# noqa`: it silences no finding on this line"
    unused: list[str] = []
    for code in sorted(directive.codes):
        if suppresses(frozenset([code]), _UNUSED_NOQA_FINDING, False):
            return ""  # it names this very rule: the author wants it left alone
        if any(suppresses(frozenset([code]), finding, peers) for finding in findings):
            continue
        rules = _rules_named(code)
        if rules is None:
            continue  # another tool's code: only that tool knows whether it is needed
        if not rules or rules & selected:
            unused.append(f"`{code}`")
        else:
            unused.append(f"`{code}` (rule not selected)")
    if not unused:
        return ""
    return f"unused `# noqa` code{'s' if len(unused) > 1 else ''}: {', '.join(unused)}"


_UNUSED_NOQA_FINDING = Finding(UNUSED_NOQA.id, UNUSED_NOQA.code, "", 1, 1, 1, 1, "")
"""A stand-in finding of this rule, to test whether a code names it."""


def _rules_named(code: str) -> Optional[set[str]]:
    """The rule ids a `# noqa` code names when it is ours (a rule id, or an `MG` code or prefix;
    empty for an `MG` code that names nothing), None for another tool's code."""
    if code in RULES:
        return {code}
    if code.startswith("MG"):
        return {rule.id for known, (rule, _) in CODES.items() if known.startswith(code)}
    return None
