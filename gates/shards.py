"""Shards for CI matrices: `run --shard I/N` checks a deterministic 1/N of the files, and
`merge` joins the shards' JSON reports into the Outcome the unsharded run gives.

A file's shard comes from a hash of its path from the project root, not from its position: adding
a file moves no other. Python checks and adapters run on each shard's own files (what they report
on a file depends on that file only); repository-wide hooks run in shard 1 only. A baseline entry
belongs to the shard that can produce its finding (a repository-wide rule's to shard 1, any other
to its file's shard: gates/pipeline.py's `baseline_scope`), so each shard reports only its own
fixed entries and they add up.

Merging refuses (exit 2) reports that are not one run's shards: different fingerprints (the
configuration, paths, baseline, revision, or mergegate or Python versions differ), a shard missing
or given twice, or a report made without --shard. The merge decides the verdict as `run` would
(its --fail-on, else the configuration's `fail-on`): a shard's own --fail-on only sets its exit
status, so shards can run with `--fail-on never` and leave the verdict to the merge.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
from typing import Optional

from mergegate.gates.baseline import entry_key
from mergegate.gates.config import Config
from mergegate.gates.decide import decide
from mergegate.gates.model import MIXED, BaselineEntry, Outcome
from mergegate.hooks.config import ConfigError
from mergegate.hooks.rule import tier_rank

TYPE_CHECKING = False
if TYPE_CHECKING:  # typing costs start-up time; mypy reads this block, the interpreter skips it
    from mergegate.gates.pipeline import Request

Shard = tuple[int, int]
"""(I, N): the I-th of N shards, 1-based."""


def parse_shard(value: str) -> Shard:
    """`I/N` with 1 <= I <= N, for argparse."""
    index, slash, count = value.partition("/")
    if slash and index.isdigit() and count.isdigit() and 1 <= int(index) <= int(count):
        return int(index), int(count)
    raise argparse.ArgumentTypeError(f"expected I/N with 1 <= I <= N (e.g. 2/4), not {value!r}")


def relative(path: str, root: str) -> str:
    """`path` from the project root, `/`-separated: what shards and baseline entries key on."""
    return os.path.relpath(path, root).replace(os.sep, "/")


def shard_of(path: str, count: int) -> int:
    """The shard (1..count) of a root-relative path: stable across runs, machines and Pythons."""
    digest = hashlib.sha256(path.encode("utf-8", "surrogateescape")).digest()
    return int.from_bytes(digest[:8], "big") % count + 1


def select(files: list[str], root: str, shard: Shard) -> list[str]:
    index, count = shard
    return [path for path in files if shard_of(relative(path, root), count) == index]


def fingerprint(configs: list[Config], request: Request, run_root: str) -> str:
    """A hash of everything the shards of one run must share besides the files themselves."""
    from mergegate.gates.cache import code_fingerprint

    root = os.path.realpath(run_root)
    baselines = []
    for path in [request.baseline] + [config.baseline for config in configs]:
        if path and os.path.isfile(path):
            with open(path, "rb") as handle:
                baselines.append(hashlib.sha256(handle.read()).hexdigest())
    described = {
        "configs": [
            {
                "root": relative(config.root, root),
                **{
                    name: getattr(config, name)
                    for name in ("select", "ignore", "exclude", "tools", "severity", "options")
                },
                "noqa": config.noqa.as_dict(),
            }
            for config in configs
        ],
        "paths": sorted(
            relative(os.path.realpath(os.path.join(request.cwd, p)), root) for p in request.paths
        ),
        "cwd": relative(request.cwd, root),
        "baselines": baselines,
        "new_from_rev": request.new_from_rev,
        "code": code_fingerprint(),
    }
    return hashlib.sha256(json.dumps(described, sort_keys=True).encode()).hexdigest()


def _read(path: str) -> Outcome:
    from mergegate.gates.reports import json_report

    try:
        with open(path, encoding="utf-8") as handle:
            text = handle.read()
    except (OSError, UnicodeDecodeError) as error:
        raise ConfigError(f"{path}: cannot read the report: {error}") from None
    try:
        outcome = json_report.parse(text)
    except ValueError as error:
        raise ConfigError(f"{path}: not a mergegate JSON report ({error})") from None
    if outcome.shard is None or not outcome.fingerprint:
        raise ConfigError(f"{path}: not a shard's report (made without --shard I/N)")
    return outcome


def merge(paths: list[str], fail_on: Optional[str]) -> Outcome:
    """One Outcome from every shard's JSON report, each finding decided again at `fail_on` when
    given, else at its own project's (the shards' own `--fail-on` does not matter: shards
    collect, the merge decides).

    ConfigError unless the reports are shards 1..N of one run, each exactly once.
    """
    reports = [(path, _read(path)) for path in paths]
    first_path, first = reports[0]
    count = first.shard[1]  # type: ignore[index]
    seen: dict[int, str] = {}
    for path, outcome in reports:
        index, its_count = outcome.shard  # type: ignore[misc]
        if outcome.fingerprint != first.fingerprint:
            raise ConfigError(
                f"{path} and {first_path} are not shards of one run: the configuration, paths,"
                " baseline, revision or versions differ"
            )
        if its_count != count:
            raise ConfigError(f"{path} is shard {index}/{its_count}, {first_path} of {count}")
        if index in seen:
            raise ConfigError(f"shard {index}/{count} given twice: {seen[index]} and {path}")
        seen[index] = path
    missing = [f"{index}/{count}" for index in range(1, count + 1) if index not in seen]
    if missing:
        raise ConfigError(f"incomplete: no report for shard {', '.join(missing)}")
    outcomes = [outcome for _, outcome in reports]
    fixed: list[BaselineEntry] = sorted(
        (entry for outcome in outcomes for entry in outcome.fixed), key=entry_key
    )
    items = [item for outcome in outcomes for item in outcome.items]
    for item in items:
        decide([item], fail_on or item.project_fail_on)
    values = {fail_on} if fail_on else {item.project_fail_on for item in items}
    merged_fail_on = values.pop() if len(values) == 1 else MIXED
    if not items and not fail_on:
        merged_fail_on = first.fail_on
    return Outcome(
        items=sorted(items, key=lambda item: (tier_rank(item.severity), item.finding.sort_key())),
        fail_on=merged_fail_on,
        errors=list(dict.fromkeys(error for outcome in outcomes for error in outcome.errors)),
        fixed=fixed,
        files_checked=sum(outcome.files_checked for outcome in outcomes),
        tools=first.tools,
        fingerprint=first.fingerprint,
        notes=list(dict.fromkeys(note for outcome in outcomes for note in outcome.notes)),
    )
