"""What the adapters share: starting a tool, mapping its paths back, reading its diffs, columns.

Every tool runs in a fresh interpreter, the one mergegate runs in (so it is the tool installed
next to mergegate, with its plugins), with the project root as working folder (so the user's own
configuration of the tool applies). Tools get absolute paths, so no file name can be mistaken for
an option; findings carry the paths exactly as the adapter was given them.

An adapter module names its tool (`TOOL`, the module to run `MODULE`, a script `RUNNER` to run
instead, or None), says how to run it on some files (`arguments(paths)`, None when there is
nothing to run) and how to read what it said (`findings(result, paths)`); a `Batch` runs it once
on some files (gates/adapters/schedule.py runs many at a time).
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from types import ModuleType
from typing import IO, Callable, Optional

from mergegate.gates.adapters import AdapterError
from mergegate.hooks.finding import Finding
from mergegate.hooks.source import character_column, decode, parse, split_lines

NOT_INSTALLED = 127
"""The launcher's exit status when the tool cannot be imported (the shell's "command not found")."""

LAUNCHER = """\
import importlib.util, runpy, sys
if sys.path and sys.path[0] == "":
    del sys.path[0]  # as `python -P` does: a module in the user's repository must not shadow tools
module, target = sys.argv.pop(1), sys.argv.pop(1)
if importlib.util.find_spec(module) is None:
    sys.stderr.write(f"No module named {module!r}\\n")
    raise SystemExit(127)
if target.endswith(".py"):
    runpy.run_path(target, run_name="__main__")
else:
    runpy.run_module(target, run_name="__main__", alter_sys=True)
"""
"""`python -c LAUNCHER MODULE TARGET ARGS...`: run TARGET (a module, or a script by path) as
`python -m` would, after checking that MODULE (the tool) is importable."""

TRACEBACK = "Traceback (most recent call last)"
"""An uncaught exception in the tool: whatever it printed before may be incomplete."""

MAX_DETAIL_LINES = 12
"""How much of a failing tool's error output an AdapterError quotes: the end, where a traceback
names the exception."""


class ToolProcess:
    """`module` (or `script`, which needs `module`) started on `arguments` in `root`.

    Python's warnings are off (a tool's deprecation notices are not findings, and autoflake's
    standard error must hold only its errors); standard streams are UTF-8, keeping any file
    name's bytes. Its output goes to unnamed temporary files, not pipes, so it runs to its end
    while this process does something else, with nobody reading.
    """

    def __init__(
        self, tool: str, module: str, arguments: list[str], root: str, script: str | None = None
    ) -> None:
        self.tool = tool
        command = [sys.executable, "-W", "ignore", "-c", LAUNCHER, module, script or module]
        environment = {**os.environ, "PYTHONIOENCODING": "utf-8:surrogateescape"}
        self.arguments = [*command, *arguments]
        self._stdout: IO[bytes] = tempfile.TemporaryFile()
        self._stderr: IO[bytes] = tempfile.TemporaryFile()
        try:
            self._process = subprocess.Popen(
                self.arguments,
                cwd=root,
                env=environment,
                stdin=subprocess.DEVNULL,
                stdout=self._stdout,
                stderr=self._stderr,
            )
        except OSError as error:
            self._close()
            raise AdapterError(f"cannot start {sys.executable}: {error}") from None

    def _close(self) -> None:
        self._stdout.close()
        self._stderr.close()

    def stop(self) -> None:
        """End it if it still runs (a run interrupted before reading it); free its output."""
        if self._process.poll() is None:
            self._process.kill()
            self._process.wait()
        self._close()

    def wait(self) -> subprocess.CompletedProcess[bytes]:
        """Its exit status and output. Raises AdapterError when it is not installed or dies of
        an uncaught exception; the caller judges the exit status, which means something
        different for every tool."""
        try:
            returncode = self._process.wait()
            self._stdout.seek(0)
            self._stderr.seek(0)
            result = subprocess.CompletedProcess(
                self.arguments, returncode, self._stdout.read(), self._stderr.read()
            )
        finally:
            self._close()
        if result.returncode == NOT_INSTALLED:
            raise AdapterError(
                f"{self.tool} is not installed for {sys.executable} "
                "(install it, e.g. `pip install 'mergegate[tools]'`)"
            )
        if TRACEBACK in text(result.stderr):
            raise failure(self.tool, result, "crashed")
        return result


class Batch:
    """One run of an adapter's tool on some files: started, then read."""

    def __init__(self, adapter: ModuleType, files: list[str], root: str) -> None:
        self.adapter = adapter
        self.files = files
        self.paths = Paths(files, root)
        self.started = False
        self._process: Optional[ToolProcess] = None
        self._failure: Optional[Exception] = None

    def start(self) -> None:
        """Start the tool, unless the adapter says there is nothing to run; a failure to start
        is raised by `findings`."""
        if self.started:
            return
        self.started = True
        try:
            arguments = self.adapter.arguments(self.paths)
            if arguments is not None:
                adapter = self.adapter
                self._process = ToolProcess(
                    adapter.TOOL, adapter.MODULE, arguments, self.paths.root, adapter.RUNNER
                )
        except Exception as error:
            self._failure = error

    def findings(self) -> list[Finding]:
        """Start it if need be, wait for it, and read what it found (AdapterError when it failed
        or said something unreadable)."""
        self.start()
        if self._failure is not None:
            raise self._failure
        if self._process is None:
            return []
        result = self._process.wait()
        found: list[Finding] = self.adapter.findings(result, self.paths)
        return found

    def stop(self) -> None:
        """End its process if it still runs."""
        if self._process is not None:
            self._process.stop()


def run_batch(adapter: ModuleType, files: list[str], root: str) -> list[Finding]:
    """An adapter's findings on `files`, from one run of its tool."""
    return Batch(adapter, files, root).findings()


def text(output: bytes) -> str:
    """A tool's output as text; bytes that are not UTF-8 (file names) survive as escapes."""
    return output.decode("utf-8", "surrogateescape")


def failure(tool: str, result: subprocess.CompletedProcess[bytes], what: str) -> AdapterError:
    """An AdapterError quoting the end of what the tool said on standard error; of a traceback,
    only the exception it ends with (the user needs what went wrong, not the tool's insides)."""
    lines = result.stderr.decode("utf-8", "replace").strip().splitlines()
    if any(TRACEBACK in line for line in lines):
        lines = [line for line in lines if line and not line[0].isspace()][-1:]
    detail = "\n".join(lines[-MAX_DETAIL_LINES:])
    message = f"{tool} {what} (exit status {result.returncode})"
    return AdapterError(f"{message}:\n{detail}" if detail else message)


class Paths:
    """The files as the tools get them (absolute, normalised) and as the caller gave them."""

    def __init__(self, files: list[str], root: str) -> None:
        self.root = root
        self.given: dict[str, str] = {}
        for path in files:
            self.given.setdefault(self.absolute(path), path)

    def absolute(self, path: str) -> str:
        """A path as a tool reports it (relative ones from the root), in the tools' spelling."""
        return os.path.normpath(os.path.join(self.root, path))

    @property
    def for_tool(self) -> list[str]:
        return list(self.given)

    def original(self, tool: str, reported: str) -> str:
        """The caller's spelling of a path the tool reported; AdapterError for a stranger."""
        try:
            return self.given[self.absolute(reported)]
        except KeyError:
            raise AdapterError(f"{tool} reported a file it was not given: {reported!r}") from None


def unparsable(paths: list[str]) -> set[str]:
    """The files that do not parse for mergegate either: the gate reports them as parse-error."""
    rejected = set()
    for path in paths:
        try:
            with open(path, "rb") as handle:
                data = handle.read()
        except OSError:
            continue  # unreadable: not a parse error, so the tool's failure stands
        if isinstance(parse(path, data), Finding):
            rejected.add(path)
    return rejected


class SourceText:
    """Each file's lines, read once, to turn the byte offsets tools report into character
    columns."""

    def __init__(self) -> None:
        self._lines: dict[str, list[str]] = {}

    def _source(self, path: str) -> list[str]:
        if path not in self._lines:
            try:
                with open(path, "rb") as handle:
                    data = handle.read()
            except OSError:
                data = b""
            try:
                content = decode(data)
            except (SyntaxError, UnicodeDecodeError, LookupError):
                content = data.decode("utf-8", "replace")
            self._lines[path] = split_lines(content)
        return self._lines[path]

    def column(self, path: str, line: int, byte_offset: int) -> int:
        """The 1-based character column of a 0-based UTF-8 byte offset into `line`."""
        lines = self._source(path)
        text = lines[line - 1] if 0 < line <= len(lines) else ""
        return character_column(text, max(byte_offset, 0))


@dataclass
class Change:
    """One run of changed lines in a diff, numbered as the file is now."""

    line: int
    """The first line the tool would remove or rewrite, or before which it would insert."""
    end_line: int
    end_column: int
    """1 plus the length of the last line removed (1 for a pure insertion)."""
    removed: int
    added: int


_HUNK = re.compile(r"@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@[^\n]*\n")
_HEADER_END = "\t\r\n"
"""What may follow the path in a diff header: black adds a tab and a time; autoflake ends it."""


class DiffReader:
    """Reads a tool's unified diffs of many files, whose headers name the files.

    `old` and `new` are the header prefixes before the path (`"--- "`, `"+++ "` for black;
    `"--- original/"`, `"+++ fixed/"` for autoflake). Hunks are read by their line counts, so
    file content can never be mistaken for a header; anything unexpected is an AdapterError.
    """

    def __init__(self, tool: str, old: str, new: str, paths: Paths) -> None:
        self.tool = tool
        self.old = old
        self.new = new
        self.paths = paths

    def read(self, diff: str) -> dict[str, list[Change]]:
        """The changes per file, keyed by the path as the caller gave it."""
        changes: dict[str, list[Change]] = {}
        position = 0
        while position < len(diff):
            path, position = self._header(diff, position, self.old, None)
            _, position = self._header(diff, position, self.new, path)
            original = self.paths.original(self.tool, path)
            if original in changes:
                raise self._error(f"two diffs for {path!r}")
            changes[original] = []
            while diff.startswith("@@ ", position):
                position = self._hunk(diff, position, changes[original])
        return changes

    def _error(self, problem: str) -> AdapterError:
        return AdapterError(f"cannot read {self.tool}'s diff: {problem}")

    def _header(
        self, diff: str, position: int, prefix: str, expected: str | None
    ) -> tuple[str, int]:
        """The path a `prefix PATH<tab or newline>...` header names, and where the next line starts.

        The path is the longest known one that fits, so tabs and newlines in names are fine.
        """
        if not diff.startswith(prefix, position):
            raise self._error(f"expected {prefix!r} at {diff[position:position + 80]!r}")
        start = position + len(prefix)
        line_end = diff.find("\n", start)
        if line_end < 0:
            raise self._error("the output ends inside a header")
        line = diff[start:line_end].removesuffix("\r")
        for guess in (line, line.rpartition("\t")[0]):  # the usual case: no tab or newline in it
            if guess in self.paths.given and expected in (None, guess):
                return guess, line_end + 1
        candidates = [expected] if expected is not None else self.paths.for_tool
        fitting = [
            path
            for path in candidates
            if diff.startswith(path, start)
            and diff[start + len(path) : start + len(path) + 1] in _HEADER_END
        ]
        if not fitting:
            raise self._error(f"a header names an unknown file: {line!r}")
        path = max(fitting, key=len)
        line_end = diff.find("\n", start + len(path))
        if line_end < 0:
            raise self._error("the output ends inside a header")
        return path, line_end + 1

    def _hunk(self, diff: str, position: int, changes: list[Change]) -> int:
        """Read one hunk from its `@@` line; add its runs of changed lines to `changes`."""
        match = _HUNK.match(diff, position)
        if match is None:
            raise self._error(f"bad hunk header {diff[position:diff.find(chr(10), position)]!r}")
        old_start, old_count, _, new_count = match.groups()
        old_left = 1 if old_count is None else int(old_count)
        new_left = 1 if new_count is None else int(new_count)
        # An empty old range names the line before the insertion.
        line = int(old_start) if old_left else int(old_start) + 1
        position = match.end()
        current: Change | None = None
        while old_left or new_left:
            end = diff.find("\n", position)
            if end < 0:
                raise self._error("the output ends inside a hunk")
            content = diff[position:end]
            position = end + 1
            kind = content[:1]
            if kind == "\\":  # "\ No newline at end of file"
                continue
            if kind == " " and old_left and new_left:
                old_left, new_left, line, current = old_left - 1, new_left - 1, line + 1, None
            elif kind == "-" and old_left:
                removed = content[1:].removesuffix("\r")  # black writes CRLF files' diffs in CRLF
                if current is None:
                    current = Change(line, line, 1, 0, 0)
                    changes.append(current)
                elif not current.removed:
                    current.line = line
                current.removed += 1
                current.end_line, current.end_column = line, len(removed) + 1
                old_left, line = old_left - 1, line + 1
            elif kind == "+" and new_left:
                if current is None:
                    current = Change(line, line, 1, 0, 0)
                    changes.append(current)
                current.added += 1
                new_left -= 1
            else:
                raise self._error(f"unexpected line {content[:80]!r}")
        if current is not None and not current.removed:  # inserted at the very end of the file
            current.line = current.end_line = line - 1
        while diff.startswith("\\", position):
            position = diff.find("\n", position) + 1 or len(diff)
        return position


def plural(count: int, noun: str) -> str:
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"


def change_findings(
    tool: str,
    code: str,
    changes: dict[str, list[Change]],
    describe: Callable[[Change], str],
) -> list[Finding]:
    """One finding per run of changed lines, spanning the lines the tool would rewrite."""
    return [
        Finding(
            f"{tool}:{code}",
            code,
            path,
            max(change.line, 1),
            1,
            max(change.end_line, 1),
            change.end_column,
            describe(change),
            tool,
        )
        for path, runs in changes.items()
        for change in runs
    ]
