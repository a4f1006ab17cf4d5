"""Collect: run the hooks (one read and one parse per Python file) and the enabled adapters.

Python files are checked by gates/filecheck.py, in worker processes for many files
(gates/parallel.py), skipped when the cache (gates/cache.py) holds their results; repository-wide
hooks run once, from the cache when their inputs are unchanged. Problems that make the run
untrustworthy (an unreadable file, a crashed check or adapter) are returned as errors, never
swallowed: the gate then exits 2.
"""

from __future__ import annotations

import importlib
import os
from dataclasses import dataclass, field
from typing import Optional

from mergegate.gates import adapters
from mergegate.gates.cache import Cache, Stored
from mergegate.gates.config import Config
from mergegate.gates.filecheck import PythonCheck
from mergegate.gates.model import Item
from mergegate.gates.parallel import ParallelError, Task, check_all
from mergegate.gates.progress import Progress
from mergegate.hooks.cli import text_line_reader
from mergegate.hooks.finding import Finding, InputError
from mergegate.hooks.paths import display
from mergegate.hooks.registry import PARSE_ERROR, RULES, Rule


@dataclass
class Collected:
    items: list[Item] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    from_cache: Optional[int] = None
    """Python files whose results the cache served; None when no cache was used."""


def cached_checks(config: Config) -> list[list[object]]:
    """What the cache keys Python files' results on, besides mergegate's code: each selected
    Python rule with its options, in registry order."""
    return [[rule.id, config.options[rule.id]] for rule in python_rules(config)]


def python_rules(config: Config) -> list[Rule]:
    return [r for r in RULES.values() if r.scope == "python" and config.runs_rule(r.id)]


def python_checks(config: Config, rules: list[Rule]) -> list[PythonCheck]:
    """The checks of these rules with their options and pre-check needs, in registry order."""
    checks: list[PythonCheck] = []
    for rule in rules:
        module = importlib.import_module(f"mergegate.hooks.{rule.module}")
        checks.append((module.check, config.options[rule.id], getattr(module, "NEEDS", None)))
    return checks


def check_python_files(
    checks: list[PythonCheck],
    files: list[str],
    shown: dict[str, str],
    jobs: int,
    cache: Optional[Cache],
    result: Collected,
) -> None:
    """Every file's items (stored, or checked in `jobs` processes), in file order."""
    per_file: list[list[Item]] = [[] for _ in files]
    pending: list[tuple[int, Optional[Stored]]] = []
    tasks: list[Task] = []
    served = 0
    for index, path in enumerate(files):
        stored = cache.lookup(path, shown[path]) if cache else None
        if stored is not None and stored.fresh:
            per_file[index] = stored.items
            served += 1
            continue
        pending.append((index, stored))
        tasks.append((path, shown[path], stored.digest if stored else None))
    progress = Progress(len(tasks))
    try:
        results = check_all(
            tasks, checks, jobs, caching=cache is not None, progress=progress.advance
        )
    except ParallelError as error:
        result.errors.append(str(error))
        return
    finally:
        progress.finish()
    for (index, stored), checked in zip(pending, results):
        items: list[Item] = []
        if checked.error is not None:
            result.errors.append(checked.error)
        elif checked.items is not None:
            items = checked.items
        elif stored is not None:  # the digest is the stored one's: the content is unchanged
            items = stored.items
            served += 1
        if cache:
            cache.record(shown[files[index]], checked, items)
        per_file[index] = items
    for items in per_file:
        result.items.extend(items)
    if cache:
        result.from_cache = served


def repo_hook_findings(
    rule: Rule, options: dict[str, object], root: str, cache: Optional[Cache]
) -> list[Finding]:
    """A repository-wide hook's findings, from the cache when the files it reads are unchanged;
    stored only when they did not change while it ran."""
    module = importlib.import_module(f"mergegate.hooks.{rule.module}")
    key = cache.repo_key(rule.id, module, options, root) if cache else None
    findings = cache.repo_findings(rule.id, key) if cache and key else None
    if findings is None:
        findings = module.check(root, options)
        if cache and key and key == cache.repo_key(rule.id, module, options, root):
            cache.record_repo(rule.id, key, findings)
    return findings


def collect(
    config: Config,
    files: list[str],
    cwd: str,
    jobs: int = 1,
    cache: bool = False,
    repo_hooks: bool = True,
    cache_dir: Optional[str] = None,
) -> Collected:
    """Every finding of the selected hooks and enabled adapters, with the line it starts on.

    `jobs` processes check Python files; `cache` reuses and stores results (in `cache_dir` when
    given, see gates/cache.py); `repo_hooks` False leaves the repository-wide hooks out (a shard
    other than the first).
    """
    result = Collected()
    rules = python_rules(config)
    store = Cache.open(config.root, cached_checks(config), cwd, cache_dir) if cache else None
    shown = {path: display(path, cwd) for path in files}
    if rules:
        check_python_files(python_checks(config, rules), files, shown, jobs, store, result)
    read_line = text_line_reader()
    unparsable: set[str] = set()
    for rule in RULES.values():
        if not repo_hooks or rule.scope != "repo" or not config.runs_rule(rule.id):
            continue
        try:
            findings = repo_hook_findings(rule, config.options[rule.id], config.root, store)
        except InputError as error:
            result.errors.append(f"{rule.id}: {error}")
            continue
        except Exception as error:
            result.errors.append(f"{rule.id}: internal error: {type(error).__name__}: {error}")
            continue
        for finding in findings:
            absolute = os.path.join(config.root, finding.path)
            relocated = finding.with_path(display(absolute, cwd))
            if finding.rule == PARSE_ERROR.id:
                if relocated.path in unparsable:
                    continue  # one file two hooks could not read is one finding
                unparsable.add(relocated.path)
            result.items.append(Item(relocated, read_line(absolute, finding.line)))
    if store:
        store.save()
    for tool in config.tools:
        try:
            findings = adapters.load(tool).run(files, config.root)
        except adapters.AdapterError as error:
            result.errors.append(f"{tool}: {error}")
            continue
        except Exception as error:
            result.errors.append(f"{tool}: adapter crashed: {type(error).__name__}: {error}")
            continue
        for finding in findings:  # paths as given: absolute
            relocated = finding.with_path(display(finding.path, cwd))
            result.items.append(Item(relocated, read_line(finding.path, finding.line)))
    result.items = [
        item for item in result.items if config.is_selected(item.finding.rule, item.finding.code)
    ]
    return result
