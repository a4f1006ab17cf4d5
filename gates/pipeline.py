"""The gate's pipeline, one stage per module: collect -> suppress -> filter -> tier -> decide.

Reporters come after, and only render the Outcome this returns.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Callable, Optional

from mergegate.gates import baseline as baseline_file
from mergegate.gates import shards
from mergegate.gates.collect import collect
from mergegate.gates.config import Config
from mergegate.gates.decide import decide
from mergegate.gates.discover import git_toplevel, python_files
from mergegate.gates.model import BaselineEntry, Item, Outcome
from mergegate.gates.newcode import mark_existing
from mergegate.gates.suppress import (
    file_lines,
    mark_suppressed,
    repository_inputs,
    unused_noqa,
)
from mergegate.gates.tiers import assign_tiers
from mergegate.hooks.config import ConfigError
from mergegate.hooks.finding import TOOL
from mergegate.hooks.paths import display
from mergegate.hooks.registry import PARSE_ERROR, RULES, UNUSED_NOQA


@dataclass
class Request:
    """What one `mergegate run` asks for, beyond the configuration file."""

    paths: list[str] = field(default_factory=lambda: ["."])
    baseline: Optional[str] = None
    new_from_rev: Optional[str] = None
    cwd: str = field(default_factory=lambda: os.path.realpath(os.curdir))
    jobs: int = 1
    """Processes checking Python files (gates/parallel.py)."""
    cache: bool = False
    """Reuse and store results in the cache (gates/cache.py)."""
    shard: Optional[shards.Shard] = None
    """Check only this shard's files (gates/shards.py)."""


def baseline_scope(
    config: Config, files: list[str], items: list[Item], request: Request
) -> Callable[[BaselineEntry], bool]:
    """Whether this run looked where a baseline entry's finding would be: its file was checked
    and parsed (or, for a repository-wide rule, those hooks ran), its rule is selected and its
    tool enabled. An unmatched entry is fixed only then; others are neither fixed nor pruned."""
    checked = {shards.relative(path, config.root) for path in files}
    for item in items:
        if item.finding.rule == PARSE_ERROR.id:
            checked.discard(
                shards.relative(os.path.join(request.cwd, item.finding.path), config.root)
            )
    repo_hooks = request.shard is None or request.shard[0] == 1
    tools = {TOOL, *config.tools}

    def looked(entry: BaselineEntry) -> bool:
        rule = RULES.get(entry["rule"])
        if rule is not None and rule.scope == "repo":
            where = repo_hooks
        else:
            where = entry["path"] in checked
        tool = TOOL if rule is not None else entry["rule"].partition(":")[0]
        return where and tool in tools and config.is_selected(entry["rule"], entry["code"])

    return looked


def run(config: Config, request: Request) -> Outcome:
    """Run every stage; ConfigError for a request that cannot be carried out (exit 2)."""
    repository = git_toplevel(request.cwd)
    files = python_files(request.paths, config.root, config.exclude, repository)
    if request.shard:
        files = shards.select(files, config.root, request.shard)
    collected = collect(
        config,
        files,
        request.cwd,
        jobs=request.jobs,
        cache=request.cache,
        repo_hooks=request.shard is None or request.shard[0] == 1,
    )
    items = collected.items
    lines_of = file_lines(request.cwd)
    mark_suppressed(items, config.noqa, lines_of)
    if config.is_selected(UNUSED_NOQA.id, UNUSED_NOQA.code):
        selected = {rule.id for rule in RULES.values() if config.runs_rule(rule.id)}
        shared = repository_inputs(config.root, selected, config.options)
        judged = [
            (display(path, request.cwd), path)
            for path in files
            if os.path.realpath(path) not in shared
        ]
        unused = unused_noqa(items, judged, config.noqa, selected)
        mark_suppressed(unused, config.noqa, lines_of)
        items.extend(unused)
    fixed: list[BaselineEntry] = []
    baseline_path = request.baseline or config.baseline
    if baseline_path:
        entries = baseline_file.read(baseline_path)
        name = os.path.relpath(baseline_path, request.cwd).replace(os.sep, "/")
        unmatched = baseline_file.apply(items, entries, config.root, request.cwd, name)
        checked = baseline_scope(config, files, items, request)
        fixed = [entry for entry in unmatched if checked(entry)]
    if request.new_from_rev:
        toplevel = git_toplevel(config.root)
        if toplevel is None:
            raise ConfigError("--new-from-rev needs a git repository, and this is not one")
        mark_existing(items, request.new_from_rev, toplevel, request.cwd)
    assign_tiers(items, config.severity)
    return Outcome(
        items=decide(items, config.fail_on),
        fail_on=config.fail_on,
        errors=collected.errors,
        fixed=fixed,
        files_checked=len(files),
        tools=[TOOL, *config.tools],
        shard=request.shard,
        fingerprint=(
            shards.fingerprint(
                config, request.paths, request.cwd, baseline_path, request.new_from_rev
            )
            if request.shard
            else None
        ),
    )
