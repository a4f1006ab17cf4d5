"""The gate's pipeline, one stage per module: collect -> suppress -> filter -> tier -> decide.

Reporters come after, and only render the Outcome this returns.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Optional

from mergegate.gates import baseline as baseline_file
from mergegate.gates import shards
from mergegate.gates.collect import collect
from mergegate.gates.config import Config
from mergegate.gates.decide import decide
from mergegate.gates.discover import git_toplevel, python_files
from mergegate.gates.model import Outcome
from mergegate.gates.newcode import mark_existing
from mergegate.gates.suppress import mark_suppressed
from mergegate.gates.tiers import assign_tiers
from mergegate.hooks.config import ConfigError
from mergegate.hooks.finding import TOOL


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


def run(config: Config, request: Request) -> Outcome:
    """Run every stage; ConfigError for a request that cannot be carried out (exit 2)."""
    files = python_files(request.paths, config.root, config.exclude)
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
    mark_suppressed(items)
    fixed: list[dict[str, object]] = []
    baseline_path = request.baseline or config.baseline
    if baseline_path:
        entries = baseline_file.read(baseline_path)
        if request.shard:
            entries = [entry for entry in entries if shards.owns(entry, request.shard)]
        name = os.path.relpath(baseline_path, request.cwd).replace(os.sep, "/")
        fixed = baseline_file.apply(items, entries, config.root, request.cwd, name)
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
