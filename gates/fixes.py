"""Fixes: the edits findings carry, made in the files (`--fix`) or shown as a diff (`--diff`).

Which findings are fixed is decided by the gate's own pipeline, never apart from it: a run gives
the decided outcome; its new findings with a fix of the allowed safety (`model.fixable`: safe
ones, unsafe ones too with `--unsafe-fixes`) are fixed. Held-back findings are not: a `# noqa`
finding is one the author kept (ruff leaves those too), a baselined or existing one is debt the
project recorded, and a fix there would widen a change to code it did not touch.

A Python file is fixed in passes, in memory, as ruff does:

- it is fixed only when it parses, and after each pass it must still compile (or, if it did not
  compile before, still parse): a pass that breaks it is retried fix by fix, and a fix that breaks
  the file on its own is dropped and reported (a note; the finding stays, and still blocks);
- in one pass, fixes never overlap, an identical fix (several findings, one edit) is made once,
  and at most one statement is removed from a block (`Fix.isolation`);
- after each pass the file is checked again and its findings judged again by the same stages
  (`pipeline.hold_back`: `# noqa`, the baseline, the lines changed since `--new-from-rev`,
  followed through the edits), until nothing is left to fix or `MAX_PASSES` passes are done.

Fixes of the repository-wide rules (a secrets document) are made in one pass from the run's
outcome: those rules read the repository, not a text in memory, and each of their fixes is
complete on its own. Nothing is written without `--fix`; a file is written only inside the
repository (never through a link out of it), in its own encoding, and not if it changed since it
was read. The run's outcome is then taken again from the fixed files.
"""

from __future__ import annotations

import gc
import os
import warnings
from collections import Counter
from typing import Optional

from mergegate.gates.collect import python_checks, runs_rule, selected
from mergegate.gates.filecheck import check_source, needed
from mergegate.gates.model import BaselineEntry, Item, Outcome, fixable
from mergegate.gates.newcode import Changes
from mergegate.gates.output import write_atomically
from mergegate.gates.pipeline import Plan, Request, hold_back, run, run_planned
from mergegate.gates.textedit import (
    Text,
    conflict,
    line_origins,
    python_encoding,
    text_encoding,
    unified_diff,
)
from mergegate.hooks.files import inside, read_file
from mergegate.hooks.finding import Fix, InputError
from mergegate.hooks.paths import relative_to
from mergegate.hooks.registry import RULES
from mergegate.hooks.source import Source, parse_text, split_lines

MAX_PASSES = 100
"""Passes over one file before giving up on it settling, as ruff bounds them. Most files settle in
two (fix, then find nothing more to fix); a block with many statements to remove takes one pass
per statement, as at most one statement per block is removed in a pass."""


class FileFix:
    """One file being fixed: what it was (None when the fix creates it), what it is now."""

    __slots__ = ("path", "shown", "data", "encoding", "before", "text", "python")

    def __init__(self, path: str, shown: str, data: Optional[bytes], python: bool) -> None:
        self.path = path
        self.shown = shown
        self.data = data
        self.python = python
        raw = data or b""
        self.encoding = python_encoding(raw) if python else text_encoding(raw)
        self.before: Optional[str] = None if data is None else data.decode(self.encoding)
        self.text = self.before or ""

    @property
    def changed(self) -> bool:
        return self.text != (self.before or "") or (self.data is None and bool(self.text))


class FixResult:
    """What fixing did: the files changed, the findings fixed by code, and notes for the user
    (fixes dropped by the guard, files left alone)."""

    __slots__ = ("files", "fixed", "dropped", "notes")

    def __init__(self) -> None:
        self.files: dict[str, FileFix] = {}
        self.fixed: Counter[str] = Counter()
        self.dropped: list[str] = []
        self.notes: list[str] = []

    @property
    def changed(self) -> list[FileFix]:
        return [file for file in self.files.values() if file.changed]

    def diff(self) -> str:
        return "".join(unified_diff(f.shown, f.before, f.text) for f in self.changed)

    def summary(self, written: bool) -> str:
        """`fixed 3 findings (2 MG101, 1 MG201) in 2 files`, or what `--fix` would fix."""
        total = sum(self.fixed.values())
        codes = ", ".join(f"{count} {code}" for code, count in sorted(self.fixed.items()))
        files = len(self.changed)
        verb = "fixed" if written else "--fix would fix"
        return (
            f"{verb} {total} finding{'s' if total != 1 else ''}"
            + (f" ({codes})" if codes else "")
            + f" in {files} file{'s' if files != 1 else ''}"
        )


def fix(request: Request, unsafe: bool, write: bool) -> tuple[Outcome, FixResult]:
    """Fix what the run finds (see the module docstring); with `write`, write the files and
    return the outcome of the fixed tree, else the outcome as found. ConfigError as `run`."""
    planned, outcome = run_planned(request)
    result = FixResult()
    judge = _Judge(request, planned)
    boundary = planned.repository or request.cwd
    python_files = {
        item.finding.path
        for item in outcome.items
        if fixable(item, unsafe) and _scope(item) == "python"
    }
    for shown in sorted(python_files):
        target = _read(request.cwd, shown, boundary, True, result)
        if target is not None:
            _fix_python(target, judge, unsafe, result)
    _fix_repository(outcome, request.cwd, boundary, unsafe, result)
    if write and result.changed:
        _write(result, boundary)
        outcome = run(request)
    if result.fixed or result.dropped:
        outcome.notes.append(result.summary(write))
    outcome.notes.extend(result.dropped + result.notes)
    return outcome, result


def _scope(item: Item) -> str:
    """`python` or `repo` for a rule of ours, `adapter` for another tool's finding."""
    rule = RULES.get(item.finding.rule)
    return "adapter" if rule is None else rule.scope


def _read(
    cwd: str, shown: str, boundary: str, python: bool, result: FixResult
) -> Optional[FileFix]:
    """The file to fix, read once per run; None (with a note) when it cannot be fixed."""
    path = os.path.join(cwd, shown)
    if path in result.files:
        return result.files[path]
    try:
        if os.path.lexists(path):
            data: Optional[bytes] = read_file(path, shown, within=boundary)
        elif inside(os.path.realpath(os.path.dirname(path)), os.path.realpath(boundary)):
            data = None
        else:
            raise InputError(f"{shown}: outside {boundary}: not created")
        target = FileFix(path, shown, data, python)
    except InputError as error:
        result.notes.append(f"not fixed: {error}")
        return None
    except (UnicodeDecodeError, SyntaxError, LookupError) as error:
        result.notes.append(f"not fixed: {shown}: cannot decode it: {error}")
        return None
    result.files[path] = target
    return target


class _Judge:
    """A file's findings for a text in memory, decided as the run decided its own: the same
    checks, the same held-back stages."""

    def __init__(self, request: Request, planned: Plan) -> None:
        self.request = request
        self.planned = planned
        self.baselines: dict[str, list[BaselineEntry]] = {}
        self.changes: Optional[Changes] = None
        if request.new_from_rev:
            from mergegate.gates.newcode import changes_since

            self.changes = changes_since(request.new_from_rev, planned.run_root)

    def items(self, target: FileFix, source: Source) -> list[Item]:
        """The judged items of `target` as it stands, `source` its parsed text."""
        config = self.planned.projects.for_path(target.path)
        source.relative = relative_to(os.path.realpath(target.path), config.root)
        only = self.request.only_rule
        rules = [rule for rule in RULES.values() if runs_rule(config, rule, "python", only)]
        checks = needed(python_checks(config, rules, self.request.check), target.text)
        enabled = gc.isenabled()
        gc.disable()  # as for every check: see filecheck.check_data
        try:
            items = selected(check_source(source, checks), config)
        finally:
            if enabled:
                gc.enable()
        changes = self.changes
        if changes is not None and target.before is not None and target.text != target.before:
            origins = line_origins(target.before, target.text)
            changes = changes.for_text(os.path.realpath(target.path), origins)
        hold_back(
            items,
            config,
            self.request,
            self.planned.run_root,
            changes,
            self.baselines,
            lambda path: _lines_mentioning_noqa(target) if path == target.shown else None,
        )
        return items


def _lines_mentioning_noqa(target: FileFix) -> Optional[list[str]]:
    """The file's lines as they stand, for its file-level `# noqa` directives, when it has any
    (as `suppress.lines_mentioning_noqa` reads a file on disk)."""
    return split_lines(target.text) if "noqa" in target.text.lower() else None


def _valid(target: FileFix, text: str, strict: bool) -> Optional[Source]:
    """Fixed Python text, parsed, when it compiles (`strict`) or at least parses; else None."""
    parsed = parse_text(target.shown, text)
    if not isinstance(parsed, Source) or not strict:
        return parsed if isinstance(parsed, Source) else None
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            compile(parsed.tree, target.shown, "exec", dont_inherit=True)
    except (SyntaxError, ValueError, MemoryError, RecursionError):
        return None
    return parsed


def _fix_python(target: FileFix, judge: _Judge, unsafe: bool, result: FixResult) -> None:
    """Fix a Python file in passes (see the module docstring)."""
    source = _valid(target, target.text, False)
    if source is None:
        result.notes.append(f"not fixed: {target.shown} does not parse")
        return
    strict = _valid(target, target.text, True) is not None
    dropped: set[Placed] = set()  # fixes the guard dropped, where they are in the current text
    for _ in range(MAX_PASSES):
        items = [item for item in judge.items(target, source) if fixable(item, unsafe)]
        carriers: dict[Fix, list[Item]] = {}
        text = Text(target.text)
        for item in items:
            fix = item.finding.fix
            if fix is not None and fix.path is None and _placed(fix, text) not in dropped:
                carriers.setdefault(fix, []).append(item)
        chosen = _choose(list(carriers), text, target, result)
        if not chosen:
            return
        applied, parsed = _apply_guarded(target, text, chosen, strict, dropped, carriers, result)
        for fix in applied:
            result.fixed.update(item.finding.code for item in carriers[fix])
        if applied and target.text == text.text:
            return  # fixes that change nothing: a bug in a rule, not a reason to go round again
        dropped = _moved(dropped, [_placed(fix, text) for fix in applied])
        source = parsed
    result.notes.append(
        f"{target.shown}: fixes did not settle after {MAX_PASSES} passes; run --fix again"
    )


Placed = tuple[tuple[int, int, str], ...]
"""A fix as it lies in a text: each edit's start and end offsets and content."""


def _placed(fix: Fix, text: Text) -> Placed:
    try:
        spans = text.spans(fix)
    except ValueError:
        return ()
    return tuple((start, end, edit.content) for (start, end), edit in zip(spans, fix.edits))


def _moved(dropped: set[Placed], applied: list[Placed]) -> set[Placed]:
    """The dropped fixes where they lie once `applied` are made: shifted by the edits before
    them; forgotten when an edit touched them (the text they were about is gone)."""
    changes = sorted(change for placed in applied for change in placed)
    moved = set()
    for placed in dropped:
        shifted = []
        for start, end, content in placed:
            if any(conflict((start, end), (a, b)) or a == b == start for a, b, _ in changes):
                break
            delta = sum(len(new) - (b - a) for a, b, new in changes if b <= start and a < start)
            shifted.append((start + delta, end + delta, content))
        else:
            moved.add(tuple(shifted))
    return moved


def _choose(fixes: list[Fix], text: Text, target: FileFix, result: FixResult) -> list[Fix]:
    """The fixes of one pass, in file order: none overlapping another, one per isolation key. A
    fix whose edits do not fit the text is a bug: dropped and reported."""
    placed = []
    for fix in fixes:
        try:
            placed.append((text.spans(fix), fix))
        except ValueError as error:
            result.dropped.append(f"{target.shown}: a fix ({fix.title}) was not applied: {error}")
    placed.sort(key=lambda pair: pair[0])
    taken: list[tuple[int, int]] = []
    isolated: set[str] = set()
    chosen = []
    for spans, fix in placed:
        if fix.isolation is not None and fix.isolation in isolated:
            continue
        if any(conflict(span, other) for span in spans for other in taken):
            continue
        chosen.append(fix)
        taken.extend(spans)
        if fix.isolation is not None:
            isolated.add(fix.isolation)
    return chosen


def _apply_guarded(
    target: FileFix,
    text: Text,
    chosen: list[Fix],
    strict: bool,
    dropped: set[Placed],
    carriers: dict[Fix, list[Item]],
    result: FixResult,
) -> tuple[list[Fix], Source]:
    """Make the chosen fixes if the file stays valid; else each one that keeps it valid, in
    order. A fix that breaks the file on its own is dropped and reported; one that breaks it only
    with the others waits for the next pass. Returns the fixes made and the file parsed."""
    fixed = text.applied(chosen)
    parsed = _valid(target, fixed, strict)
    if parsed is not None:
        target.text = fixed
        return chosen, parsed
    kept: list[Fix] = []
    for fix in chosen:
        if _valid(target, text.applied([fix]), strict) is None:
            dropped.add(_placed(fix, text))
            finding = carriers[fix][0].finding
            result.dropped.append(
                f"{target.shown}:{finding.line}: the {finding.code} fix ({fix.title}) was not"
                f" applied: the file would no longer {'compile' if strict else 'parse'}"
            )
        elif _valid(target, text.applied([*kept, fix]), strict) is not None:
            kept.append(fix)
    target.text = text.applied(kept)
    parsed = _valid(target, target.text, strict)
    assert parsed is not None  # the text of the pass, or fixes each kept because it stayed valid
    return kept, parsed


def _fix_repository(
    outcome: Outcome, cwd: str, boundary: str, unsafe: bool, result: FixResult
) -> None:
    """The fixes of the repository-wide rules, in one pass per file, from the run's findings."""
    by_file: dict[str, dict[Fix, list[Item]]] = {}
    for item in outcome.items:
        fix = item.finding.fix
        rule = RULES.get(item.finding.rule)
        if fix is None or not fixable(item, unsafe) or rule is None or rule.scope != "repo":
            continue
        by_file.setdefault(fix.path or item.finding.path, {}).setdefault(fix, []).append(item)
    for shown, carriers in sorted(by_file.items()):
        target = _read(cwd, shown, boundary, shown.endswith((".py", ".pyi")), result)
        if target is None:
            continue
        if target.changed:
            result.notes.append(f"{shown}: other fixes changed it first; run --fix again")
            continue
        text = Text(target.text)
        chosen = _choose(list(carriers), text, target, result)
        if target.python:
            strict = _valid(target, target.text, True) is not None
            chosen = _apply_guarded(target, text, chosen, strict, set(), carriers, result)[0]
        else:
            target.text = text.applied(chosen)
        for fix in chosen:
            result.fixed.update(item.finding.code for item in carriers[fix])


def _write(result: FixResult, boundary: str) -> None:
    """Write each changed file in its encoding, unless it changed since it was read."""
    for target in result.changed:
        try:
            now: Optional[bytes] = (
                read_file(target.path, target.shown, within=boundary)
                if os.path.lexists(target.path)
                else None
            )
        except InputError as error:
            result.notes.append(f"not written: {error}")
            continue
        if now != target.data:
            result.notes.append(f"not written: {target.shown} changed while it was being fixed")
            continue
        try:
            data = target.text.encode(target.encoding)
        except UnicodeEncodeError:
            result.notes.append(
                f"not written: the fixes of {target.shown} are not {target.encoding}"
            )
            continue
        real = os.path.realpath(target.path)
        if not inside(real, os.path.realpath(boundary)):
            result.notes.append(f"not written: {target.shown} is outside {boundary}")
            continue
        os.makedirs(os.path.dirname(real), exist_ok=True)
        write_atomically(real, data)
