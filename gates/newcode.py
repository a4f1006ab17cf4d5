"""New code only: findings on lines added or changed since a git revision are new; the rest exist.

Changed lines come from `git diff -U0 REV` of the work tree (committed and uncommitted changes);
files git does not track are new throughout. A `parse-error` is always new: nothing checked it.
"""

from __future__ import annotations

import os
import re
import subprocess

from mergegate.gates.model import EXISTING, NEW, Item
from mergegate.hooks.registry import PARSE_ERROR
from mergegate.hooks.config import ConfigError

HUNK = re.compile(r"^@@ -\d+(?:,\d+)? \+(\d+)(?:,(\d+))? @@")
_ESCAPES = {"a": 7, "b": 8, "t": 9, "n": 10, "v": 11, "f": 12, "r": 13, '"': 34, "\\": 92}


def _git(args: list[str], cwd: str) -> subprocess.CompletedProcess[bytes]:
    try:
        return subprocess.run(["git", *args], cwd=cwd, capture_output=True, check=False)
    except OSError as error:
        raise ConfigError(f"cannot run git: {error}") from None


def unquote_path(raw: bytes) -> str:
    """A path as git prints it in diff headers: C-quoted when it holds unusual bytes."""
    if not raw.startswith(b'"'):
        return raw.decode("utf-8", "surrogateescape")
    body, out, index = raw[1:-1], bytearray(), 0
    while index < len(body):
        char = body[index : index + 1]
        if char != b"\\":
            out += char
            index += 1
            continue
        follower = body[index + 1 : index + 2].decode("latin-1")
        if follower.isdigit():
            out.append(int(body[index + 1 : index + 4], 8))
            index += 4
        else:
            out.append(_ESCAPES.get(follower, ord(follower)))
            index += 2
    return out.decode("utf-8", "surrogateescape")


def changed_lines(rev: str, toplevel: str) -> tuple[dict[str, set[int]], set[str]]:
    """({absolute path: changed line numbers}, {absolute paths new throughout}) since `rev`."""
    if _git(["rev-parse", "--verify", "--quiet", f"{rev}^{{commit}}"], toplevel).returncode != 0:
        raise ConfigError(f"--new-from-rev: git does not know the revision {rev!r}")
    diff = _git(
        [
            "diff",
            "-U0",
            "--no-color",
            "--no-ext-diff",
            "--src-prefix=a/",
            "--dst-prefix=b/",
            rev,
            "--",
        ],
        toplevel,
    )
    if diff.returncode != 0:
        raise ConfigError(f"git diff {rev} failed: {diff.stderr.decode(errors='replace').strip()}")
    changed: dict[str, set[int]] = {}
    current: set[int] | None = None
    for line in diff.stdout.split(b"\n"):
        if line.startswith(b"+++ "):
            target = line[4:].rstrip(b"\t")  # git appends a tab to names with spaces
            if target == b"/dev/null":
                current = None
                continue
            path = unquote_path(target)
            path = path[2:] if path.startswith("b/") else path
            current = changed.setdefault(os.path.join(toplevel, path), set())
        elif current is not None and line.startswith(b"@@"):
            match = HUNK.match(line.decode("latin-1"))
            if match:
                start, count = int(match.group(1)), int(match.group(2) or 1)
                current.update(range(start, start + count))
    untracked = _git(["ls-files", "-z", "--others", "--exclude-standard"], toplevel)
    new_files = {
        os.path.join(toplevel, name)
        for name in untracked.stdout.decode("utf-8", "surrogateescape").split("\0")
        if name
    }
    return changed, new_files


class Changes:
    """What changed since a revision: lines of changed files, and files new throughout."""

    __slots__ = ("rev", "lines", "new_files")

    def __init__(self, rev: str, lines: dict[str, set[int]], new_files: set[str]) -> None:
        self.rev = rev
        self.lines = lines
        self.new_files = new_files

    def touches(self, path: str) -> bool:
        """Whether `path` is new, or has a line added or changed since the revision: elsewhere
        no finding is new (`mark_existing`), whatever its line."""
        real = os.path.realpath(path)
        return real in self.new_files or bool(self.lines.get(real))

    def mark_existing(self, items: list[Item], cwd: str) -> None:
        """Mark new items on lines unchanged since the revision as existing."""
        for item in items:
            if item.state != NEW or item.finding.rule == PARSE_ERROR.id:
                continue
            path = os.path.realpath(os.path.join(cwd, item.finding.path))
            if path in self.new_files or item.finding.line in self.lines.get(path, ()):
                continue
            item.state = EXISTING
            item.reason = f"unchanged since {self.rev}"

    def for_text(self, path: str, origins: list[int | None]) -> Changes:
        """The changes as they stand once a file's text is edited in memory (by fixes):
        `origins` gives, for each line of the new text, the line it was on disk, or None for a
        line the edits wrote, which counts as changed."""
        was = self.lines.get(path, set())
        lines = dict(self.lines)
        lines[path] = {
            number
            for number, origin in enumerate(origins, start=1)
            if origin is None or origin in was
        }
        return Changes(self.rev, lines, self.new_files)


def changes_since(rev: str, directory: str) -> Changes:
    """The changes since `rev` in the git work tree holding `directory`; ConfigError outside
    one, or for a revision git does not know."""
    from mergegate.gates.discover import git_toplevel

    toplevel = git_toplevel(directory)
    if toplevel is None:
        raise ConfigError("--new-from-rev needs a git repository, and this is not one")
    lines, new_files = changed_lines(rev, toplevel)
    return Changes(rev, lines, new_files)
