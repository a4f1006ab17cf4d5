"""Collect: run the hooks (one read and one parse per Python file) and the enabled adapters.

Python files are checked by gates/filecheck.py, in worker processes for many files
(gates/parallel.py), skipped when the cache (gates/cache.py) holds their results; repository-wide
hooks run once, from the cache when their inputs are unchanged. Problems that make the run
untrustworthy (an unreadable file, a crashed check or adapter) are returned as errors, never
swallowed: the gate then exits 2.
"""

from __future__ import annotations

import os

from mergegate.gates.config import Config
from mergegate.gates.filecheck import RuleCheck
from mergegate.gates.model import Item
from mergegate.hooks.files import line_reader
from mergegate.hooks.finding import Finding, InputError
from mergegate.hooks.paths import display, relative_to
from mergegate.hooks.registry import PARSE_ERROR, RULES
from mergegate.hooks.rule import Rule

TYPE_CHECKING = False
if TYPE_CHECKING:  # the cache, the pool and typing cost a hook's start-up; loaded when used
    from typing import Optional

    from mergegate.gates.adapters.schedule import ToolRun
    from mergegate.gates.cache import Cache, Stored
    from mergegate.gates.filecheck import PythonCheck
    from mergegate.gates.parallel import Task


class Collected:
    """What the checks of one project found, what went wrong, and how many files they read."""

    __slots__ = ("items", "errors", "files_checked", "from_cache")

    def __init__(self) -> None:
        self.items: list[Item] = []
        self.errors: list[str] = []
        self.files_checked = 0
        self.from_cache: int | None = None
        """Python files whose results the cache served; None when no cache was used."""


def cached_checks(config: Config, rules: list[Rule] | None = None) -> list[list[object]]:
    """What the cache keys Python files' results on, besides mergegate's code: each selected
    Python rule (of `rules`, else all) with its options, in registry order."""
    chosen = rules if rules is not None else list(RULES.values())
    return [
        [rule.id, config.options[rule.id]]
        for rule in chosen
        if rule.scope == "python" and config.runs_rule(rule.id)
    ]


def python_checks(config: Config, rules: list[Rule], check: object = None) -> list[PythonCheck]:
    """The checks of these rules with their options and pre-check needs, in registry order;
    `check` replaces the (one) rule's own check. A rule's module is imported only when a file
    needs its check (`RuleCheck`)."""
    return [
        (check or RuleCheck(rule.id), config.options[rule.id], rule.needs)  # type: ignore[misc]
        for rule in rules
    ]


def check_python_files(
    checks: list[PythonCheck],
    files: list[str],
    shown: dict[str, str],
    root: str,
    jobs: int,
    cache: Optional[Cache],
    result: Collected,
) -> None:
    """Every file's items (stored, or checked in `jobs` processes), in file order; `root` is
    the project's, from which path options such as `exclude` are matched."""
    from mergegate.gates.parallel import ParallelError, check_all
    from mergegate.gates.progress import Progress

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
        known = stored.digest if stored else None
        tasks.append((path, shown[path], relative_to(path, root), known))
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
) -> tuple[list[Finding], bool]:
    """A repository-wide hook's findings, from the cache when the files it reads are unchanged
    (then True); stored only when they did not change while it ran."""
    module = rule.implementation()
    key = cache.repo_key(rule.id, module, options, root) if cache else None
    findings = cache.repo_findings(rule.id, key) if cache and key else None
    if findings is not None:
        return findings, True
    findings = module.check(root, options)
    if cache and key and key == cache.repo_key(rule.id, module, options, root):
        cache.record_repo(rule.id, key, findings)
    return findings, False


def collect(
    config: Config,
    files: list[str],
    cwd: str,
    jobs: int = 1,
    cache: bool = False,
    repo_hooks: bool = True,
    only_rule: Optional[str] = None,
    check: object = None,
    cache_dir: Optional[str] = None,
    tool_files: Optional[list[str]] = None,
) -> Collected:
    """Every finding of the selected hooks and enabled adapters, with the line it starts on.

    `jobs` processes check Python files, and as many run the adapters' tools; `cache` reuses and
    stores results (in `cache_dir` when given, see gates/cache.py); `repo_hooks` False leaves the
    repository-wide hooks out (a shard other than the first); `only_rule` runs that rule alone (a
    single-purpose hook), without adapters; `tool_files`, when given, are the only files the
    adapters check (those a pull request changed). The tools' first processes start before the
    gate's own checks, and run beside them.
    """
    result = Collected()

    def runs(rule: Rule, scope: str) -> bool:
        return runs_rule(config, rule, scope, only_rule)

    rules = [rule for rule in RULES.values() if runs(rule, "python")]
    store = None
    if cache:
        from mergegate.gates.cache import Cache

        store = Cache.open(config.root, cached_checks(config, rules), cwd, cache_dir)
    shown = {path: display(path, cwd) for path in files}
    tools = None
    if config.tools and only_rule is None:
        checked = files if tool_files is None else tool_files
        tools = start_tools(config, checked, cwd, jobs, store, result)
    try:
        if files:  # no rule selected: the compiler's verdict all the same (a parse error blocks)
            checks = python_checks(config, rules, check)
            store_used = store if check is None else None
            check_python_files(checks, files, shown, config.root, jobs, store_used, result)
            result.files_checked += len(files)
        repo_rules = [rule for rule in RULES.values() if repo_hooks and runs(rule, "repo")]
        repo_hook_items(config, repo_rules, cwd, store, check, result)
        if tools is not None:
            items, errors = tools.finish()
            result.items.extend(items)
            result.errors.extend(errors)
    finally:
        if tools is not None:
            tools.stop()  # when interrupted: no tool outlives the run
    if store:
        store.save()
    result.items = selected(result.items, config)
    return result


def start_tools(
    config: Config,
    files: list[str],
    cwd: str,
    jobs: int,
    store: Optional[Cache],
    result: Collected,
) -> Optional[ToolRun]:
    """The enabled tools' run, started; None when it could not be (a bug, said in `result`'s
    errors: never a traceback)."""
    from mergegate.gates.adapters.schedule import ToolRun

    tools = ToolRun(config.tools, files, cwd, config.root, jobs, store)
    try:
        tools.start()
    except Exception as error:
        tools.stop()
        result.errors.append(f"adapters: internal error: {type(error).__name__}: {error}")
        return None
    return tools


def repo_hook_items(
    config: Config,
    rules: list[Rule],
    cwd: str,
    store: Optional[Cache],
    check: object,
    result: Collected,
) -> None:
    """The items of these repository-wide rules, each from the cache when it can."""
    read_line = line_reader()
    unparsable: set[str] = set()
    inputs: dict[str, bool] = {}  # each file the repository-wide rules read: all served?
    for rule in rules:
        try:
            options = config.options[rule.id]
            module = rule.implementation()
            read = module.inputs(config.root, options)
            if check is not None:
                findings, served = check(config.root, options), False  # type: ignore[operator]
            else:
                findings, served = repo_hook_findings(rule, options, config.root, store)
            for name in read:
                inputs[name] = inputs.get(name, True) and served
        except InputError as error:
            result.errors.append(f"{rule.id}: {error}")
            continue
        except Exception as error:
            result.errors.append(f"{rule.id}: internal error: {type(error).__name__}: {error}")
            continue
        for finding in findings:
            absolute = os.path.join(config.root, finding.path)
            relocated = finding.relocated(
                lambda path: display(os.path.join(config.root, path), cwd)
            )
            if finding.rule == PARSE_ERROR.id:
                if relocated.path in unparsable:
                    continue  # one file two hooks could not read is one finding
                unparsable.add(relocated.path)
            result.items.append(Item(relocated, read_line(absolute, finding.line)))
    result.files_checked += len(inputs)
    if store is not None:
        result.from_cache = (result.from_cache or 0) + sum(inputs.values())


def runs_rule(config: Config, rule: Rule, scope: str, only_rule: Optional[str]) -> bool:
    """Whether a run (of `only_rule` alone, when given) runs `rule` of `scope` in this project."""
    wanted = only_rule is None or rule.id == only_rule
    return wanted and rule.scope == scope and config.runs_rule(rule.id)


def selected(items: list[Item], config: Config) -> list[Item]:
    """The items of the codes the project selects (a rule may report codes it ignores)."""
    return [item for item in items if config.is_selected(item.finding.rule, item.finding.code)]
