"""The cache: what the checks found in each file, kept between runs, so that a run over unchanged
files costs a `stat` per file and a run over one changed file one parse.

Where: `<root>/.mergegate_cache/`; when `$XDG_CACHE_HOME` is set (to an absolute path, as the XDG
specification requires), `$XDG_CACHE_HOME/mergegate/<hash of the root's path>/` instead, for
people who keep caches out of their work trees. `--no-cache` turns it off. A `.gitignore` holding
`*` inside the folder keeps it out of commits.

What: one JSON file per run key, a hash of what every result depends on besides the file: the
selected Python rules with their options, mergegate's code (a hash of its modules' sources, so an
edited checkout never reuses stale results) and the Python version (the tree differs by version).
Per file, under the path the checks see (debug-print's exclusions and module names depend on
it): the content's digest, the stat taken before it was read, and the findings with the text of
their first line (for `# noqa` and baseline keys). A stat equal to the stored one means the same
content without reading it; a stat is stored only for files last changed `STAT_MARGIN_NS` before
the run, so a write racing the read (or landing in the same timestamp tick) is read again next
time. Entries of files that no longer exist are dropped when the file is next written.
Repository-wide hooks whose module says which files they read (`inputs(root, options)`) are keyed
on their options and the names and digests of those files.

Trust: none. A file that is not ours (not JSON, another format, version or key, a field of the
wrong type) is ignored and rewritten. A cache folder that git tracks, or that is a symbolic link,
is not used at all: committed to a repository, it could claim "no findings" for the committer's
own files. Reading or writing problems are warnings: the run then checks everything.

Concurrency: the file is written whole to a temporary file in the folder, then renamed over the
old one (`os.replace`, atomic): a reader sees one complete version. A writer first merges what
another run wrote meanwhile; at worst, entries of a run that finished at the same moment are lost.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import sys
import time
from typing import Any, Optional

from mergegate.gates.filecheck import FileResult, Stat, digest_of, file_stat
from mergegate.gates.model import Item
from mergegate.gates.output import TEMPORARY_PREFIX, write_atomically
from mergegate.hooks.finding import Finding, Fix
from mergegate.hooks.registry import CODES
from mergegate.hooks.terminal import terminal_lines

FOLDER = ".mergegate_cache"
FORMAT = "mergegate-cache"
VERSION = 1
STAT_MARGIN_NS = 2_000_000_000
"""A stat is trusted only for files unchanged for this long: more than the coarsest file-system
timestamp (FAT's two seconds), so a write in the tick of the read is never mistaken for none."""
KEPT_RUN_KEYS = 8
"""Cache files of other run keys (other rule selections, versions) kept; older ones are deleted."""
LIBRARIES = ("yaml", "tomli")
"""Third-party parsers the repository-wide hooks use: an upgrade may change what they report."""


def folder_for(root: str) -> str:
    xdg = os.environ.get("XDG_CACHE_HOME", "")
    if os.path.isabs(xdg):
        name = hashlib.sha256(os.fsencode(os.path.realpath(root))).hexdigest()[:16]
        return os.path.join(xdg, "mergegate", name)
    return os.path.join(root, FOLDER)


@functools.lru_cache(maxsize=1)
def code_fingerprint() -> str:
    """A hash of mergegate's own sources and of the Python version: results depend on both."""
    import mergegate.gates
    import mergegate.hooks

    digest = hashlib.sha256(sys.version.encode())
    for package in (mergegate.hooks, mergegate.gates):
        for folder in package.__path__:
            for name in sorted(os.listdir(folder)):
                if name.endswith(".py"):
                    with open(os.path.join(folder, name), "rb") as handle:
                        digest.update(name.encode() + b"\0" + handle.read() + b"\0")
    return digest.hexdigest()


def _libraries() -> list[object]:
    """Where each parsing library lives and its file's size and time: changed by an upgrade."""
    from importlib.util import find_spec

    found: list[object] = []
    for name in LIBRARIES:
        spec = find_spec(name)
        stat = file_stat(spec.origin) if spec and spec.origin else None
        found.append([name, spec.origin if spec else None, stat])
    return found


def _warn(text: str) -> None:
    sys.stderr.write(terminal_lines("mergegate: warning: cache: ", text))


def _tracked_by_git(folder: str) -> bool:
    """Whether git tracks anything in `folder` (False outside a work tree or without git)."""
    import subprocess

    try:
        listed = subprocess.run(
            ["git", "ls-files", "-z", "--cached", "--", "."],
            cwd=folder,
            capture_output=True,
            check=False,
        )
    except OSError:
        return False
    return listed.returncode == 0 and bool(listed.stdout)


def _well_formed(rows: object, head: int, tail: int) -> bool:
    """Whether stored rows are lists of `head` strings, four integers and `tail` strings (a
    finding's fields in `Finding` order, then its fix as JSON or ""), each code one of ours and
    each fix well formed: then they build findings."""
    if not isinstance(rows, list):
        return False
    for row in rows:
        if not isinstance(row, list) or len(row) != head + 4 + tail:
            return False
        if not (
            all(type(value) is str for value in row[:head] + row[head + 4 :])
            and all(type(value) is int for value in row[head : head + 4])
            and row[1] in CODES
        ):
            return False
        try:
            _fix(row[-1], "")
        except ValueError:
            return False
    return True


def _fix(stored: str, path: str) -> Optional[Fix]:
    """A stored fix ("" for none); ValueError when it is not one."""
    if not stored:
        return None
    try:
        data = json.loads(stored)
    except RecursionError:
        raise ValueError("nested too deeply") from None
    return Fix.from_dict(data, path)


def _stored_fix(finding: Finding) -> str:
    return "" if finding.fix is None else json.dumps(finding.fix.as_dict(finding.path))


def _items(rows: list[list[Any]], shown: str) -> list[Item]:
    """Items from well-formed rows: rule, code, line, column, end line, end column, message,
    line text, fix."""
    return [
        Item(Finding(row[0], row[1], shown, *row[2:7], fix=_fix(row[8], shown)), row[7])
        for row in rows
    ]


def _rows(items: list[Item]) -> list[list[object]]:
    """What `_items` reads back: each finding's fields but its path and tool, its line text and
    its fix."""
    rows = []
    for item in items:
        fields = item.finding.astuple()
        rows.append([*fields[:2], *fields[3:8], item.line_text, _stored_fix(item.finding)])
    return rows


class Stored:
    """A file's stored result: its items, the digest they are for, and whether the stat says
    the file is unchanged (then it need not be read)."""

    __slots__ = ("items", "digest", "fresh")

    def __init__(self, items: list[Item], digest: str, fresh: bool) -> None:
        self.items = items
        self.digest = digest
        self.fresh = fresh


class Cache:
    """One run's view of the cache file for its run key: look up, record, save."""

    def __init__(self, folder: str, key: str, cwd: str) -> None:
        self.folder = folder
        self.key = key
        self.cwd = cwd
        self.path = os.path.join(folder, key[:32] + ".json")
        self.started_ns = time.time_ns()
        self._files: dict[str, object] = {}
        self._repo: dict[str, object] = {}
        self._new_files: dict[str, Optional[list[object]]] = {}
        self._new_repo: dict[str, list[object]] = {}
        self._seen: set[str] = set()

    @classmethod
    def open(cls, root: str, checks: list[list[object]], cwd: str = os.curdir) -> Optional[Cache]:
        """The cache of `root` for these Python rules (id, options), files shown relative to
        `cwd`; None when it must not be used (a warning says why)."""
        folder = folder_for(root)
        try:
            key_source = json.dumps([FORMAT, VERSION, code_fingerprint(), checks], sort_keys=True)
        except OSError as error:
            _warn(f"off: cannot read mergegate's own sources: {error}")
            return None
        cache = cls(folder, hashlib.sha256(key_source.encode()).hexdigest(), cwd)
        if os.path.islink(folder):
            _warn(f"off: {folder} is a symbolic link")
            return None
        if os.path.isdir(folder) and _tracked_by_git(folder):
            _warn(f"off: git tracks files in {folder}; remove them from the repository")
            return None
        cache._load()
        return cache

    def _read(self) -> tuple[dict[str, object], dict[str, object]]:
        """The files and repo tables on disk; empty when missing or not ours."""
        try:
            with open(self.path, "rb") as handle:
                document = json.loads(handle.read())
        except (OSError, ValueError):
            return {}, {}
        if (
            not isinstance(document, dict)
            or document.get("format") != FORMAT
            or document.get("version") != VERSION
            or document.get("key") != self.key
            or not isinstance(document.get("files"), dict)
            or not isinstance(document.get("repo"), dict)
        ):
            return {}, {}
        return document["files"], document["repo"]

    def _load(self) -> None:
        self._files, self._repo = self._read()

    def lookup(self, path: str, shown: str) -> Optional[Stored]:
        """The stored result of the file shown as `shown`, when there is a well-formed one."""
        self._seen.add(shown)
        entry = self._files.get(shown)
        if (
            not isinstance(entry, list)
            or len(entry) != 3
            or not isinstance(entry[1], str)
            or not _well_formed(entry[2], 2, 3)
        ):
            return None
        stat, digest, rows = entry
        fresh = isinstance(stat, list) and stat == list(file_stat(path) or ())
        return Stored(_items(rows, shown), digest, fresh)

    def record(self, shown: str, result: FileResult, items: list[Item]) -> None:
        """Remember a checked file's items; a file that could not be checked is forgotten, so the
        next run tries again."""
        if result.error is not None or result.digest is None:
            self._new_files[shown] = None
        else:
            self._new_files[shown] = [self._trusted(result.stat), result.digest, _rows(items)]

    def _trusted(self, stat: Optional[Stat]) -> Optional[list[int]]:
        """The stat to store: only when the file last changed well before this run started."""
        if stat is None or self.started_ns - max(stat[1], stat[2]) < STAT_MARGIN_NS:
            return None
        return list(stat)

    def repo_key(
        self, rule_id: str, module: object, options: dict[str, object], root: str
    ) -> Optional[str]:
        """The key of a repository-wide hook's result: its options and the names and digests of
        the files it reads (`inputs(root, options)` of its module); None when the module does not
        say which, or one cannot be read."""
        inputs = getattr(module, "inputs", None)
        if inputs is None:
            return None
        try:
            names = inputs(root, options)
            files = [[name, self._digest(os.path.join(root, name))] for name in names]
        except OSError:
            return None
        source = json.dumps([self.key, rule_id, options, files, _libraries()], sort_keys=True)
        return hashlib.sha256(source.encode()).hexdigest()

    @staticmethod
    def _digest(path: str) -> str:
        with open(path, "rb") as handle:
            return digest_of(handle.read())

    def repo_findings(self, rule_id: str, key: str) -> Optional[list[Finding]]:
        """The stored findings of a repository-wide hook for this key, when well formed."""
        entry = self._repo.get(rule_id)
        if (
            not isinstance(entry, list)
            or len(entry) != 2
            or entry[0] != key
            or not _well_formed(entry[1], 3, 2)
        ):
            return None
        return [Finding(*row[:8], fix=_fix(row[8], row[2])) for row in entry[1]]

    def record_repo(self, rule_id: str, key: str, findings: list[Finding]) -> None:
        self._new_repo[rule_id] = [
            key,
            [[*finding.astuple()[:8], _stored_fix(finding)] for finding in findings],
        ]

    def save(self) -> None:
        """Write what this run learned, merged into what is on disk now; warn on failure."""
        changed = {
            shown: entry
            for shown, entry in self._new_files.items()
            if entry != self._files.get(shown, None)
        }
        if not changed and all(self._repo.get(k) == v for k, v in self._new_repo.items()):
            return
        files, repo = self._read()  # another run may have written since we loaded
        for shown, entry in changed.items():
            if entry is None:
                files.pop(shown, None)
            else:
                files[shown] = entry
        files = {  # files deleted or renamed since they were stored are forgotten
            shown: entry
            for shown, entry in files.items()
            if shown in changed
            or shown in self._seen
            or os.path.exists(os.path.join(self.cwd, shown))
        }
        repo.update(self._new_repo)
        document = {"format": FORMAT, "version": VERSION, "key": self.key, "files": files}
        document["repo"] = repo
        try:
            # ASCII: a file name that is not UTF-8 (lone surrogates) cannot be encoded otherwise
            self._write(json.dumps(document, separators=(",", ":")))
        except OSError as error:
            _warn(f"cannot write {self.path}: {error.strerror or error}")

    def _write(self, text: str) -> None:
        os.makedirs(self.folder, exist_ok=True)
        try:
            with open(os.path.join(self.folder, ".gitignore"), "x", encoding="utf-8") as handle:
                handle.write("# written by mergegate: never commit its cache\n*\n")
        except FileExistsError:
            pass
        write_atomically(self.path, text)
        self._prune()

    def _prune(self) -> None:
        """Delete the oldest cache files beyond KEPT_RUN_KEYS, and temporary files of runs that
        died writing (older than a day)."""
        now = time.time()
        dated = []
        for name in os.listdir(self.folder):
            path = os.path.join(self.folder, name)
            try:
                modified = os.stat(path).st_mtime
                if name.startswith(TEMPORARY_PREFIX) and now - modified > 86_400:
                    os.unlink(path)
                elif name.endswith(".json") and not name.startswith("."):
                    dated.append((modified, path))
            except OSError:
                continue  # another run pruned it
        dated.sort(reverse=True)
        for _, path in dated[KEPT_RUN_KEYS:]:
            try:
                os.unlink(path)
            except OSError:
                pass
