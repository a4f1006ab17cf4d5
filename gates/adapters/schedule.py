"""The enabled tools of one project on its files: what the cache holds is served without starting
anything, the rest runs in batches, at most `jobs` processes at a time.

Each tool's files are split by the configuration the tool finds for them (gates/adapters/keys.py),
then into batches sized from the tool's start-up and speed, so that every tool runs at the same
time and the cores finish together; the costliest batches start first. Every batch is one
process of the tool with its own output, read as a one-batch run reads it, so findings do not
depend on how files were batched. The first `jobs` batches start before the gate's own checks run
(`start`); the rest run after them (`finish`), one thread waiting on each process.

A file's results are stored with the digest and stat its content had before the tool read it, and
only when its stat is the same after the tool ran: a file written meanwhile is checked again next
time. A tool that fails is not asked about its remaining batches: the run reports its error.
"""

from __future__ import annotations

import hashlib
import json
import os
from types import ModuleType
from typing import Optional

from mergegate.gates.adapters import AdapterError, load, requirement_name
from mergegate.gates.adapters.keys import ConfigFiles, tool_version
from mergegate.gates.adapters.support import Batch
from mergegate.gates.cache import Cache
from mergegate.gates.filecheck import Stat, digest_of, file_stat
from mergegate.gates.model import Item
from mergegate.hooks.files import line_reader
from mergegate.hooks.finding import Finding
from mergegate.hooks.paths import display

BATCHES_PER_JOB = 8
"""With `jobs` processes, work is cut into about this many batches per process: a process that
finishes early takes another, so all end within about one batch of each other."""
MIN_STARTS_PER_BATCH = 4
"""A batch holds at least this many times its tool's start-up in work: starting costs at most a
fifth of its time."""


class FileState:
    """A file's stat, and the digest of its content (read when first asked for), both taken
    before a tool reads it."""

    __slots__ = ("path", "stat", "_digest")

    def __init__(self, path: str) -> None:
        self.path = path
        self.stat: Optional[Stat] = file_stat(path)
        self._digest: Optional[str] = None

    @property
    def size(self) -> int:
        return self.stat[0] if self.stat else 0

    @property
    def digest(self) -> Optional[str]:
        """None when it cannot be read: the tool says why."""
        if self._digest is None:
            self.read()
        return self._digest

    def read(self) -> None:
        """Take the digest of its content now, unless it was taken."""
        if self._digest is None:
            try:
                with open(self.path, "rb") as handle:
                    self._digest = digest_of(handle.read())
            except OSError:
                pass


class ToolRun:
    """The enabled tools' items on a project's files: `start`, then `finish`."""

    def __init__(
        self,
        tools: list[str],
        files: list[str],
        cwd: str,
        root: str,
        jobs: int,
        cache: Optional[Cache],
    ) -> None:
        self.tools = tools
        self.files = list(dict.fromkeys(files))
        self.cwd = cwd
        self.shown = {path: display(path, cwd) for path in self.files}
        """Each file's path as reported (relative to `cwd`)."""
        self.root = root
        self.jobs = max(jobs, 1)
        self.cache = cache
        self.served: dict[str, dict[str, list[Item]]] = {tool: {} for tool in tools}
        """Items the cache held, by tool and file."""
        self.keys: dict[str, dict[str, str]] = {tool: {} for tool in tools}
        """The cache key of each file a tool checks, when its results can be cached."""
        self.states: dict[str, FileState] = {}
        self.batches: list[Batch] = []
        self.errors: dict[str, list[str]] = {tool: [] for tool in tools}

    def start(self) -> None:
        """Serve what the cache holds; cut the rest into batches; start the first `jobs`."""
        configs = ConfigFiles(keep_parsed=self.cache is not None)
        pending: list[tuple[ModuleType, list[str], list[float]]] = []
        for tool in self.tools:
            adapter = load(tool)
            for key, paths in self._by_configuration(adapter, configs):
                unserved = [path for path in paths if not self._serve(tool, key, path)]
                if key is not None:
                    for path in unserved:
                        self._state(path).read()  # now: before the tool reads the file
                if unserved:
                    sizes = [self._state(path).size / 1e6 for path in unserved]
                    pending.append((adapter, unserved, sizes))
        self.batches = self.cut(pending)
        for batch in self.batches[: self.jobs]:
            batch.start()

    def _by_configuration(
        self, adapter: ModuleType, configs: ConfigFiles
    ) -> list[tuple[Optional[str], list[str]]]:
        """The files in groups that share the configuration the tool finds for them (asked once
        per folder), each with its cache key."""
        groups: dict[str, tuple[Optional[str], list[str]]] = {}
        described: dict[str, str] = {}
        for path in self.files:
            folder = os.path.dirname(path)
            if folder not in described:
                value = adapter.configuration(folder, self.root, configs)
                described[folder] = json.dumps(value, sort_keys=True, default=str)
                if described[folder] not in groups:
                    groups[described[folder]] = (self._key(adapter, value), [])
            groups[described[folder]][1].append(path)
        return list(groups.values())

    def _key(self, adapter: ModuleType, configuration: object) -> Optional[str]:
        """The cache key of a tool's results under this configuration; None when they are not
        cached (no cache, a configuration no key can hold, a tool not installed)."""
        if self.cache is None or configuration is None:
            return None
        try:
            version = tool_version(requirement_name(adapter.REQUIREMENT), adapter.PLUGIN_GROUPS)
        except Exception:  # not installed, or its metadata unreadable: it runs, and says so
            return None
        source = json.dumps([version, configuration], sort_keys=True, default=str)
        return hashlib.sha256(source.encode()).hexdigest()

    def _state(self, path: str) -> FileState:
        if path not in self.states:
            self.states[path] = FileState(path)
        return self.states[path]

    def _serve(self, tool: str, key: Optional[str], path: str) -> bool:
        """Whether the cache holds the tool's items for the file as it is now (then kept)."""
        if key is None or self.cache is None:
            return False
        self.keys[tool][path] = key
        stored = self.cache.lookup_tool(tool, key, path, self.shown[path])
        if stored is None:
            return False
        if not stored.fresh and stored.digest != self._state(path).digest:
            return False
        self.served[tool][path] = stored.items
        if not stored.fresh:  # the same content, touched: keep the new stat
            state = self._state(path)
            if state.stat is not None:
                self.cache.record_tool(
                    tool, key, self.shown[path], state.stat, stored.digest, stored.items
                )
        return True

    def cut(self, pending: list[tuple[ModuleType, list[str], list[float]]]) -> list[Batch]:
        """Batches of about equal cost (in CPU seconds: the tool's start-up, and its speed on
        each file's megabytes), costliest first."""
        total = sum(
            adapter.START_SECONDS + adapter.SECONDS_PER_MB * sum(sizes)
            for adapter, _, sizes in pending
        )
        share = total / (self.jobs * BATCHES_PER_JOB) if self.jobs > 1 else float("inf")
        costed: list[tuple[float, Batch]] = []
        for adapter, paths, sizes in pending:
            start, rate = adapter.START_SECONDS, adapter.SECONDS_PER_MB
            limit = max(share, MIN_STARTS_PER_BATCH * start)
            batch: list[str] = []
            cost = start
            for path, size in zip(paths, sizes):
                batch.append(path)
                cost += rate * size
                if cost >= limit:
                    costed.append((cost, Batch(adapter, batch, self.root)))
                    batch, cost = [], start
            if batch:
                costed.append((cost, Batch(adapter, batch, self.root)))
        costed.sort(key=lambda pair: -pair[0])
        return [batch for _, batch in costed]

    def finish(self) -> tuple[list[Item], list[str]]:
        """Every tool's items, per tool and file in file order, and the tools' errors (each
        message once)."""
        found = self._run_batches()
        read_line = line_reader()
        items: list[Item] = []
        for tool in self.tools:
            for path in self.files:
                if path in self.served[tool]:
                    items.extend(self.served[tool][path])
                    continue
                checked = found.get((tool, path))
                if checked is None:
                    continue  # its batch failed
                file_items = [
                    Item(finding.relocated(self._display), read_line(path, finding.line))
                    for finding in checked
                ]
                items.extend(file_items)
                self._record(tool, path, file_items)
        errors = [error for tool in self.tools for error in dict.fromkeys(self.errors[tool])]
        return items, errors

    def _run_batches(self) -> dict[tuple[str, str], list[Finding]]:
        """Each checked (tool, file)'s findings, from every batch that succeeded."""
        if not self.batches:
            return {}
        from concurrent.futures import ThreadPoolExecutor

        failed: set[str] = set()

        def complete(batch: Batch) -> Optional[list[Finding]]:
            tool = batch.adapter.TOOL
            if tool in failed and not batch.started:
                return None
            try:
                return batch.findings()
            except AdapterError as error:
                failed.add(tool)
                self.errors[tool].append(f"{tool}: {error}")
            except Exception as error:
                failed.add(tool)
                self.errors[tool].append(
                    f"{tool}: adapter crashed: {type(error).__name__}: {error}"
                )
            return None

        found: dict[tuple[str, str], list[Finding]] = {}
        try:
            with ThreadPoolExecutor(max_workers=self.jobs) as pool:
                results = list(pool.map(complete, self.batches))
        finally:
            self.stop()
        for batch, findings in zip(self.batches, results):
            if findings is None:
                continue
            tool = batch.adapter.TOOL
            for path in batch.files:
                found[(tool, path)] = []
            for finding in findings:
                found[(tool, finding.path)].append(finding)
        return found

    def _display(self, path: str) -> str:
        """A path a tool reported (as given to it: absolute) as the gate reports it."""
        return self.shown.get(path) or display(path, self.cwd)

    def _record(self, tool: str, path: str, items: list[Item]) -> None:
        """Store a tool's items on a file, when its content is the one digested before the tool
        ran and the file was not written since."""
        key = self.keys[tool].get(path)
        state = self.states.get(path)
        if self.cache is None or key is None or state is None:
            return
        if state.digest is None or state.stat is None or file_stat(path) != state.stat:
            return
        self.cache.record_tool(tool, key, self.shown[path], state.stat, state.digest, items)

    def stop(self) -> None:
        """End every tool process still running (a run interrupted between `start` and
        `finish`); nothing when all were read."""
        for batch in self.batches:
            batch.stop()
