"""The cache: what the checks found in each file, kept between runs, so that a run over unchanged
files costs a `stat` per file and a run over one changed file one parse.

Where: outside the checked tree, because whatever is in the tree may come from its author. By
default in the user's cache directory (`$XDG_CACHE_HOME`, else `~/.cache`; `~/Library/Caches` on
macOS, `%LOCALAPPDATA%` on Windows), under `mergegate/<hash of the project root's path>/`.
`--cache-dir DIR`, else `$MERGEGATE_CACHE_DIR`, names the folder itself (CI systems restore it
between runs; give each project its own). `--no-cache` turns the cache off. A default folder that
cannot be created (a home directory that does not exist or is read-only, as in containers) means
no cache, silently; a folder the user named that cannot be used is a warning.

Trust: a folder is used only when its provenance holds. It is refused (with a warning, and the run
checks everything) when it is a symbolic link, belongs to another user than the one running (or
root), or is writable by every user; and, when it lies inside the checked tree (the project root's
git work tree, found by its `.git` without asking git), unless git confirms that it holds no
committed file: without git, or when git refuses the repository ("dubious ownership"), it is
refused. Inside, every record is checked by name and type before it is used: a file that is not
ours (not JSON, nested too deep, another format, version or key) is ignored and rewritten; a record
of the wrong shape, an unknown code or an impossible position (before line 1, past `MAX_POSITION`,
ending before it starts) makes its file checked again. Reading or writing problems are never
fatal: the run then checks everything.

What: one JSON file per run key, a hash of what every result depends on besides the file: the
selected Python rules with their options, mergegate's code (a hash of its packages' sources, so
an edited checkout never reuses stale results) and the Python version (the tree differs by
version). Per file, under the path the checks see (debug-print's exclusions and module names depend
on it): the content's digest, the stat taken before it was read, and the findings, each a record
of named fields with the text of its first line (for `# noqa` and baseline keys). A stat equal to
the stored one means the same content without reading it; a stat is stored only for files last
changed `STAT_MARGIN_NS` before the run, so a write racing the read (or landing in the same
timestamp tick) is read again next time. Entries of files that no longer exist are dropped when
the file is next written. Repository-wide hooks whose module says which files they read
(`inputs(root, options)`) are keyed on their options and the names and digests of those files.
Each adapter's items on a file (gates/adapters/schedule.py) are kept the same way, per tool, with
the key of the tool's version and the configuration it reads for that file
(gates/adapters/keys.py): a file whose entry has another key is checked again. Each such entry is
its own JSON text, decoded only when its file is looked up: a cache holding every finding of a
large legacy repository (172,000 on the standard library) costs a pull request's run the reading
of one file, not the building of all its objects.

Concurrency: the file is written whole to a temporary file in the folder, then renamed over the
old one (`os.replace`, atomic): a reader sees one complete version. A writer first merges what
another run wrote meanwhile; at worst, entries of a run that finished at the same moment are lost.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import stat as stat_module
import sys
import time
from typing import Any, NamedTuple, Optional, Sequence

from mergegate.gates.filecheck import FileResult, Stat, digest_of, file_stat
from mergegate.gates.model import Item
from mergegate.gates.output import TEMPORARY_PREFIX, write_atomically
from mergegate.hooks.files import inside, read_file, repository_root, user_cache_home
from mergegate.hooks.finding import TOOL, Finding, InputError
from mergegate.hooks.paths import relative_to
from mergegate.hooks.registry import CODES
from mergegate.hooks.terminal import terminal_lines

ENVIRONMENT = "MERGEGATE_CACHE_DIR"

"""The environment variable naming the cache folder, for CI systems that restore it."""
FORMAT = "mergegate-cache"
VERSION = 2
STAT_MARGIN_NS = 2_000_000_000
"""A stat is trusted only for files unchanged for this long: more than the coarsest file-system
timestamp (FAT's two seconds), so a write in the tick of the read is never mistaken for none."""
KEPT_RUN_KEYS = 8
"""Cache files of other run keys (other rule selections, versions) kept; older ones are deleted."""
LIBRARIES = ("yaml", "tomli")
"""Third-party parsers the repository-wide hooks use (module names, PyYAML's and tomli's): an
upgrade may change what they report."""
MAX_POSITION = 2**31 - 1
"""No real position is beyond it: CPython keeps line and column numbers in C ints."""
POSITIONS = ("line", "column", "end_line", "end_column")
FIELDS = frozenset(Finding.__slots__)
"""A finding record's names (`Finding.as_dict`): the positions are integers, the fix None or a
fix's record (`Fix.as_dict`), the rest strings."""
LINE_TEXT = "line_text"


class Location(NamedTuple):
    folder: str
    named: bool
    """Named by the user (`--cache-dir`, `$MERGEGATE_CACHE_DIR`): problems with it are warnings."""


def location(root: str, named: Optional[str] = None) -> Optional[Location]:
    """Where the cache of `root` lives: `named` (`--cache-dir`), else `$MERGEGATE_CACHE_DIR`,
    else a folder of its own in the user's cache directory; None when there is none."""
    named = named or os.environ.get(ENVIRONMENT)
    if named:
        return Location(os.path.abspath(named), True)
    home = user_cache_home()
    if home is None:
        return None
    name = hashlib.sha256(os.fsencode(os.path.realpath(root))).hexdigest()[:16]
    return Location(os.path.join(home, "mergegate", name), False)


def _committed(folder: str) -> Optional[bool]:
    """Whether git tracks a file in `folder`; None when git cannot say (missing, or refusing
    the repository)."""
    import subprocess

    anchor = folder
    while not os.path.isdir(anchor):
        anchor = os.path.dirname(anchor)
    try:
        listed = subprocess.run(
            ["git", "ls-files", "-z", "--cached", "--", os.path.relpath(folder, anchor)],
            cwd=anchor,
            capture_output=True,
            check=False,
        )
    except OSError:
        return None
    return bool(listed.stdout) if listed.returncode == 0 else None


def distrust(folder: str, root: str) -> Optional[str]:
    """Why the cache folder `folder` of project `root` must not be used, or None."""
    real = os.path.realpath(folder)
    tree = repository_root(root) or os.path.realpath(root)  # on disk: git may refuse the tree
    if inside(real, tree):
        committed = _committed(real)
        if committed is None:
            return (
                f"{folder} is inside the checked tree {tree}, and git cannot confirm that no"
                " file in it is committed there; keep the cache outside the tree"
            )
        if committed:
            return f"git tracks files in {folder}; remove them from the repository"
    try:
        info = os.lstat(folder)
    except OSError:
        return None  # not there yet: it is made, by us, when first written
    if stat_module.S_ISLNK(info.st_mode):
        return f"{folder} is a symbolic link"
    if not stat_module.S_ISDIR(info.st_mode):
        return None  # writing says what is wrong with it
    if hasattr(os, "getuid") and info.st_uid not in (os.getuid(), 0):
        return f"{folder} belongs to another user (uid {info.st_uid})"
    if info.st_mode & stat_module.S_IWOTH:
        return f"{folder} is writable by every user"
    return None


@functools.lru_cache(maxsize=1)
def code_fingerprint() -> str:
    """A hash of mergegate's own sources, every module of every subpackage, and of the Python
    version: results depend on all of them."""
    import mergegate.gates
    import mergegate.hooks

    digest = hashlib.sha256(sys.version.encode())
    for package in (mergegate.hooks, mergegate.gates):
        for folder in package.__path__:
            for name, path in modules(folder):
                with open(path, "rb") as handle:
                    digest.update(f"{package.__name__}/{name}".encode() + b"\0")
                    digest.update(handle.read() + b"\0")
    return digest.hexdigest()


def modules(folder: str) -> list[tuple[str, str]]:
    """The Python modules under `folder`, subpackages included: (name relative to it with `/`,
    path), in a fixed order."""
    found = []
    for parent, subfolders, files in os.walk(folder):
        subfolders[:] = sorted(sub for sub in subfolders if sub != "__pycache__")
        for file in sorted(files):
            if file.endswith(".py"):
                path = os.path.join(parent, file)
                found.append((os.path.relpath(path, folder).replace(os.sep, "/"), path))
    return found


def run_key(checks: Sequence[object]) -> str:
    """The key of a run's cache file: mergegate's code, the Python version and the selected
    Python rules with their options (`checks`). Raises OSError when the sources cannot be read."""
    source = json.dumps([FORMAT, VERSION, code_fingerprint(), checks], sort_keys=True)
    return hashlib.sha256(source.encode()).hexdigest()


def _libraries() -> list[object]:
    """Each parsing library's digest of its top module, which names its version: changed by an
    upgrade, the same wherever the environment lies (an environment restored to another folder
    keeps its results). Found without importing the library, and without `importlib.metadata`,
    whose import alone costs about 17 ms of every run's start."""
    from importlib.util import find_spec

    found: list[object] = []
    for name in LIBRARIES:
        spec = find_spec(name)
        digest = None  # not installed, or not from a file
        if spec is not None and spec.origin:
            try:
                with open(spec.origin, "rb") as handle:
                    digest = hashlib.sha256(handle.read()).hexdigest()
            except OSError:
                pass
        found.append([name, digest])
    return found


def _warn(text: str) -> None:
    sys.stderr.write(terminal_lines("mergegate: warning: cache: ", text))


def plausible(line: int, column: int, end_line: int, end_column: int) -> bool:
    """Whether a finding can be at this range: 1-based, within `MAX_POSITION`, not ending before
    it starts."""
    return (
        1 <= line <= end_line <= MAX_POSITION
        and 1 <= column <= MAX_POSITION
        and 1 <= end_column <= MAX_POSITION
        and (end_line > line or end_column >= column)
    )


def _record(finding: Finding, line_text: Optional[str] = None) -> dict[str, object]:
    """A finding as stored: its named fields, without the path when the entry's key is the path,
    with the text of its line for a file's items."""
    record = finding.as_dict()
    if line_text is not None:
        del record["path"]
        record[LINE_TEXT] = line_text
    return record


def _finding(record: dict[str, object], tool: str = TOOL) -> Optional[Finding]:
    """The finding a stored record holds, when it is one of `tool`'s: the names of a finding,
    each of its type, a known code (for an adapter's tool: a rule named `tool:code`), a
    plausible position."""
    if set(record) != FIELDS:
        return None
    positions = []
    for name in POSITIONS:
        value = record[name]
        if not isinstance(value, int) or isinstance(value, bool):
            return None
        positions.append(value)
    if any(type(record[name]) is not str for name in FIELDS.difference(POSITIONS, ["fix"])):
        return None
    if record["tool"] != tool or not plausible(*positions):
        return None
    known = (
        record["code"] in CODES if tool == TOOL else record["rule"] == f"{tool}:{record['code']}"
    )
    try:
        return Finding.from_dict(record) if known else None
    except (ValueError, TypeError):  # a fix that is not one
        return None


def _items(records: object, shown: str, tool: str = TOOL) -> Optional[list[Item]]:
    """A file's items (of `tool`) from its stored records; None when any record is not well
    formed."""
    if not isinstance(records, list):
        return None
    items = []
    for record in records:
        if not isinstance(record, dict) or "path" in record:
            return None
        fields = dict(record)
        line_text = fields.pop(LINE_TEXT, None)
        finding = _finding({**fields, "path": shown}, tool)
        if finding is None or type(line_text) is not str:
            return None
        items.append(Item(finding, line_text))
    return items


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
        self._tools: dict[str, object] = {}
        self._new_files: dict[str, Optional[dict[str, object]]] = {}
        self._new_repo: dict[str, dict[str, object]] = {}
        self._new_tools: dict[str, dict[str, str]] = {}
        self._seen: set[str] = set()

    @classmethod
    def open(
        cls,
        root: str,
        checks: list[list[object]],
        cwd: str = os.curdir,
        folder: Optional[str] = None,
    ) -> Optional[Cache]:
        """The cache of `root` for these Python rules (id, options), files shown relative to
        `cwd`, in `folder` when named (see `location`); None when there is none, or it must not
        be used (a warning says why)."""
        where = location(root, folder)
        if where is None:
            return None
        reason = distrust(where.folder, root)
        if reason is not None:
            _warn(f"off: {reason}")
            return None
        project = relative_to(root, repository_root(root) or root)
        try:  # a named folder serves several projects: results depend on the file's project
            key = run_key([checks, project])
        except OSError as error:
            _warn(f"off: cannot read mergegate's own sources: {error}")
            return None
        if not where.named and not _can_make(where.folder):
            return None  # no usable cache directory here, and none was asked for
        cache = cls(where.folder, key, cwd)
        cache._load()
        return cache

    def _read(self) -> tuple[dict[str, object], dict[str, object], dict[str, object]]:
        """The files, repo and tools tables on disk; empty when missing or not ours."""
        try:
            with open(self.path, "rb") as handle:
                document = json.loads(handle.read())
        except (OSError, ValueError, RecursionError):
            return {}, {}, {}
        if (
            not isinstance(document, dict)
            or document.get("format") != FORMAT
            or document.get("version") != VERSION
            or document.get("key") != self.key
            or not isinstance(document.get("files"), dict)
            or not isinstance(document.get("repo"), dict)
        ):
            return {}, {}, {}
        tools = document.get("tools")
        return document["files"], document["repo"], tools if isinstance(tools, dict) else {}

    def _load(self) -> None:
        self._files, self._repo, self._tools = self._read()

    def lookup(self, path: str, shown: str) -> Optional[Stored]:
        """The stored result of the file shown as `shown`, when there is a well-formed one."""
        self._seen.add(shown)
        entry = self._files.get(shown)
        if not isinstance(entry, dict) or set(entry) != {"stat", "digest", "items"}:
            return None
        items = _items(entry["items"], shown)
        if items is None or type(entry["digest"]) is not str:
            return None
        stored = entry["stat"]
        fresh = isinstance(stored, list) and stored == list(file_stat(path) or ())
        return Stored(items, entry["digest"], fresh)

    def record(self, shown: str, result: FileResult, items: list[Item]) -> None:
        """Remember a checked file's items; a file that could not be checked is forgotten, so the
        next run tries again."""
        if result.error is not None or result.digest is None:
            self._new_files[shown] = None
            return
        self._new_files[shown] = {
            "stat": self._trusted(result.stat),
            "digest": result.digest,
            "items": [_record(item.finding, item.line_text) for item in items],
        }

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
            files = [[name, self._digest(os.path.join(root, name), root)] for name in names]
        except (OSError, InputError):
            return None
        source = json.dumps([self.key, rule_id, options, files, _libraries()], sort_keys=True)
        return hashlib.sha256(source.encode()).hexdigest()

    @staticmethod
    def _digest(path: str, root: str) -> str:
        """An input's digest; InputError (no key) for one that is not a regular file inside
        `root`, which the rule then reports when it reads it."""
        return digest_of(read_file(path, within=root))

    def repo_findings(self, rule_id: str, key: str) -> Optional[list[Finding]]:
        """The stored findings of a repository-wide hook for this key, when well formed."""
        entry = self._repo.get(rule_id)
        if not isinstance(entry, dict) or entry.get("key") != key:
            return None
        records = entry.get("findings")
        if not isinstance(records, list) or not all(isinstance(r, dict) for r in records):
            return None
        findings = [_finding(record) for record in records]
        if any(finding is None for finding in findings):
            return None
        return [finding for finding in findings if finding is not None]

    def record_repo(self, rule_id: str, key: str, findings: list[Finding]) -> None:
        self._new_repo[rule_id] = {"key": key, "findings": [_record(f) for f in findings]}

    def lookup_tool(self, tool: str, key: str, path: str, shown: str) -> Optional[Stored]:
        """An adapter's stored items for the file shown as `shown`, when they are for `key` (its
        version and configuration, gates/adapters/keys.py) and well formed."""
        self._seen.add(shown)
        text = self._stored_tool(tool, shown)
        try:
            entry = json.loads(text) if isinstance(text, str) else None
        except (ValueError, RecursionError):
            return None
        if not isinstance(entry, dict) or set(entry) != {"key", "stat", "digest", "items"}:
            return None
        if entry["key"] != key or type(entry["digest"]) is not str:
            return None
        items = _items(entry["items"], shown, tool)
        if items is None:
            return None
        stored = entry["stat"]
        fresh = isinstance(stored, list) and stored == list(file_stat(path) or ())
        return Stored(items, entry["digest"], fresh)

    def record_tool(
        self, tool: str, key: str, shown: str, stat: Stat, digest: str, items: list[Item]
    ) -> None:
        """Remember an adapter's items on a file, for the content whose digest and stat were
        taken before the tool read it."""
        entry = {
            "key": key,
            "stat": self._trusted(stat),
            "digest": digest,
            "items": [_record(item.finding, item.line_text) for item in items],
        }
        self._new_tools.setdefault(tool, {})[shown] = json.dumps(entry, separators=(",", ":"))

    def save(self) -> None:
        """Write what this run learned, merged into what is on disk now; warn on failure."""
        changed = {
            shown: entry
            for shown, entry in self._new_files.items()
            if entry != self._files.get(shown, None)
        }
        tools_changed = {
            tool: entries
            for tool, entries in self._new_tools.items()
            if any(entry != self._stored_tool(tool, shown) for shown, entry in entries.items())
        }
        if (
            not changed
            and not tools_changed
            and all(self._repo.get(k) == v for k, v in self._new_repo.items())
        ):
            return
        files, repo, tools = self._read()  # another run may have written since we loaded
        for shown, entry in changed.items():
            if entry is None:
                files.pop(shown, None)
            else:
                files[shown] = entry
        files = self._existing(files, changed)
        for tool, entries in tools_changed.items():
            table = tools.get(tool)
            merged = {**(table if isinstance(table, dict) else {}), **entries}
            tools[tool] = self._existing(merged, entries)
        repo.update(self._new_repo)
        document = {"format": FORMAT, "version": VERSION, "key": self.key, "files": files}
        document["repo"] = repo
        document["tools"] = tools
        try:
            # ASCII: a file name that is not UTF-8 (lone surrogates) cannot be encoded otherwise
            self._write(json.dumps(document, separators=(",", ":")))
        except OSError as error:
            _warn(f"cannot write {self.path}: {error.strerror or error}")

    def _stored_tool(self, tool: str, shown: str) -> object:
        table = self._tools.get(tool)
        return table.get(shown) if isinstance(table, dict) else None

    def _existing(self, entries: dict[str, object], changed: dict[str, Any]) -> dict[str, object]:
        """The entries of files that still exist: files deleted or renamed since they were
        stored are forgotten."""
        return {
            shown: entry
            for shown, entry in entries.items()
            if shown in changed
            or shown in self._seen
            or os.path.exists(os.path.join(self.cwd, shown))
        }

    def _write(self, text: str) -> None:
        os.makedirs(self.folder, mode=0o700, exist_ok=True)
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


def _can_make(folder: str) -> bool:
    """Whether `folder` exists or can be made, and can be written to."""
    try:
        os.makedirs(folder, mode=0o700, exist_ok=True)
    except OSError:
        return False
    return os.access(folder, os.W_OK | os.X_OK)
