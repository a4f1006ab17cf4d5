"""Baseline: record today's findings so a legacy codebase can adopt the gate on day one.

An entry is keyed on the rule, the code, the file (relative to the project root) and the content of
the line, stripped, never the line number: adding lines above a finding does not make it new.
Identical lines are counted, so a second copy of a baselined line is a new finding.
"""

from __future__ import annotations

import json
import os
from collections import Counter

from mergegate.gates.output import json_text, write_atomically
from mergegate.gates.model import BASELINE_FIELDS, BASELINED, NEW, BaselineEntry, Item
from mergegate.hooks.registry import PARSE_ERROR
from mergegate.hooks.config import ConfigError, Reader

FORMAT = "mergegate-baseline"
VERSION = 1

Key = tuple[str, str, str, str]


def key(item: Item, root: str, cwd: str) -> Key:
    """(rule, code, path from the project root, stripped line content)."""
    finding = item.finding
    path = os.path.relpath(os.path.join(cwd, finding.path), root).replace(os.sep, "/")
    return (finding.rule, finding.code, path, item.line_text.strip())


def entry_key(entry: BaselineEntry) -> Key:
    return (entry["rule"], entry["code"], entry["path"], entry["content"])


def _entries(counts: Counter[Key]) -> list[BaselineEntry]:
    """Entries from counted keys, sorted for stable diffs; zero counts left out."""
    return [
        BaselineEntry(rule=rule, code=code, path=path, content=content, count=count)
        for (rule, code, path, content), count in sorted(counts.items())
        if count > 0
    ]


def entries_of(items: list[Item], root: str, cwd: str) -> list[BaselineEntry]:
    """Baseline entries for these items; parse errors are never recorded."""
    return _entries(
        Counter(key(item, root, cwd) for item in items if item.finding.rule != PARSE_ERROR.id)
    )


def write(path: str, entries: list[BaselineEntry]) -> None:
    document = {"format": FORMAT, "version": VERSION, "entries": entries}
    try:
        write_atomically(path, json_text(document))
    except OSError as error:
        raise ConfigError(f"{path}: cannot write the baseline: {error.strerror or error}") from None


def read(path: str, reader: Reader | None = None) -> list[BaselineEntry]:
    """The entries of a baseline file (read by `reader`: the working tree, or a trusted
    revision); anything that is not one of ours is a ConfigError."""
    reader = reader or Reader()
    shown = reader.describe(path)
    data = reader.read(path)
    if data is None:
        raise ConfigError(f"{shown}: cannot read the baseline: no such file")
    try:
        document = json.loads(data.decode("utf-8"))
    except UnicodeDecodeError as error:
        raise ConfigError(
            f"{shown}: not a mergegate baseline (not UTF-8: {error.reason})"
        ) from None
    except RecursionError:
        raise ConfigError(f"{shown}: not a mergegate baseline (nested too deeply)") from None
    except ValueError as error:
        raise ConfigError(f"{shown}: not a mergegate baseline (invalid JSON: {error})") from None
    path = shown
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        raise ConfigError(f'{path}: not a mergegate baseline (no "format": "{FORMAT}")')
    if document.get("version") != VERSION:
        raise ConfigError(f"{path}: baseline version {document.get('version')!r} is not {VERSION}")
    entries = document.get("entries")
    if not isinstance(entries, list) or not all(_well_formed(entry) for entry in entries):
        fields = ", ".join(BASELINE_FIELDS)
        raise ConfigError(
            f"{path}: malformed baseline entries (each needs {fields}; a count of at least 1)"
        )
    return entries


def _well_formed(entry: object) -> bool:
    if not isinstance(entry, dict):
        return False
    texts = all(isinstance(entry.get(name), str) for name in ("rule", "code", "path", "content"))
    count = entry.get("count")
    return texts and type(count) is int and count >= 1  # `true` is an int to isinstance


def apply(
    items: list[Item], entries: list[BaselineEntry], root: str, cwd: str, name: str
) -> list[BaselineEntry]:
    """Mark new items the baseline covers; return the entries (with counts) nothing matched."""
    remaining: Counter[Key] = Counter()
    for entry in entries:
        remaining[entry_key(entry)] += entry["count"]
    for item in sorted(items, key=lambda item: item.finding.sort_key()):
        if item.state != NEW or item.finding.rule == PARSE_ERROR.id:
            continue  # a file that does not parse is never legacy: nothing checked it
        item_key = key(item, root, cwd)
        if remaining[item_key] > 0:
            remaining[item_key] -= 1
            item.state = BASELINED
            item.reason = f"in baseline {name}"
    return _entries(remaining)


def prune(entries: list[BaselineEntry], fixed: list[BaselineEntry]) -> list[BaselineEntry]:
    """The entries minus what is fixed: what `mergegate baseline --prune` writes back."""
    remaining: Counter[Key] = Counter()
    for entry in entries:
        remaining[entry_key(entry)] += entry["count"]
    for entry in fixed:
        remaining[entry_key(entry)] -= entry["count"]
    return _entries(remaining)
