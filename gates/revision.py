"""A gate the pull request cannot loosen: configuration and baselines read from a trusted git
revision (the pull request's base), never from the tree being judged.

`mergegate run --trusted-config-from REV` reads every `[tool.mergegate]` table, every file an
`extend` names and every baseline from REV with `git show`, so a pull request that sets
`fail-on = "never"`, selects nothing or adds its own findings to the baseline is still judged by
the rules it is proposed against. Where the pull request changes one of those files, the file gets
a `config-changed` finding (P1): the change takes effect after merge. The files being checked,
and the tools' own configurations (flake8, black...), still come from the working tree.
"""

from __future__ import annotations

import os
import subprocess

from mergegate.gates.model import Item
from mergegate.hooks.config import ConfigError, Reader
from mergegate.hooks.files import inside, read_file
from mergegate.hooks.finding import Finding, InputError
from mergegate.hooks.registry import CONFIG_CHANGE, CONFIG_CHANGED

MESSAGE = (
    "this change to the gate's configuration takes effect after merge: this pull request is"
    " judged by {rev}'s"
)


def _git(toplevel: str, *args: str) -> subprocess.CompletedProcess[bytes]:
    try:
        return subprocess.run(["git", *args], cwd=toplevel, capture_output=True, check=False)
    except OSError as error:
        raise ConfigError(f"--trusted-config-from: cannot run git: {error}") from None


class RevisionReader(Reader):
    """Reads configuration files as they are at a git revision."""

    def __init__(self, rev: str, toplevel: str) -> None:
        super().__init__(keep_parsed=False)
        self.rev = rev
        self.toplevel = os.path.realpath(toplevel)
        check = _git(self.toplevel, "rev-parse", "--verify", "--quiet", f"{rev}^{{commit}}")
        if not rev or check.returncode != 0:
            raise ConfigError(f"--trusted-config-from: git does not know the revision {rev!r}")
        self.commit = check.stdout.decode().strip()
        self.read_paths: list[str] = []

    def _relative(self, path: str) -> str:
        real = os.path.join(
            os.path.realpath(os.path.dirname(os.path.abspath(path))), os.path.basename(path)
        )
        if not inside(real, self.toplevel):
            raise ConfigError(f"{path}: outside the repository {self.toplevel}")
        return os.path.relpath(real, self.toplevel).replace(os.sep, "/")

    def read(self, path: str) -> bytes | None:
        relative = self._relative(path)
        kind = _git(self.toplevel, "cat-file", "-t", f"{self.commit}:{relative}")
        if kind.returncode != 0:
            self.read_paths.append(path)
            return None  # not in the revision
        if kind.stdout.strip() != b"blob":
            raise ConfigError(f"{self.describe(path)}: not a file")
        shown = _git(self.toplevel, "cat-file", "blob", f"{self.commit}:{relative}")
        if shown.returncode != 0:
            message = shown.stderr.decode(errors="replace").strip()
            raise ConfigError(f"{self.describe(path)}: cannot read: {message}")
        self.read_paths.append(path)
        return shown.stdout

    def describe(self, path: str) -> str:
        return f"{self.rev}:{self._relative(path)}"


def changed_config_items(reader: RevisionReader, worktree_files: list[str], cwd: str) -> list[Item]:
    """A `config-changed` finding on each configuration or baseline file the working tree has
    changed (or added) since the trusted revision: the files the run read from the revision,
    and `pyproject.toml` files of the tree that hold a mergegate table."""
    from mergegate.hooks.paths import display

    candidates = dict.fromkeys(reader.read_paths + worktree_files)
    items = []
    for path in candidates:
        try:
            current: bytes | None = read_file(path)
        except InputError:
            current = None
        before = reader.read(path)
        if current == before:
            continue
        shown = display(path, cwd)
        line = _first_difference(before or b"", current or b"")
        message = MESSAGE.format(rev=reader.rev) + (
            "" if current is not None else " (the file is deleted here)"
        )
        finding = Finding(CONFIG_CHANGE.id, CONFIG_CHANGED.code, shown, line, 1, line, 1, message)
        items.append(Item(finding))
    return items


def _first_difference(before: bytes, after: bytes) -> int:
    """The first line where two versions differ (1-based)."""
    old, new = before.splitlines(), after.splitlines()
    for number, (a, b) in enumerate(zip(old, new), start=1):
        if a != b:
            return number
    return min(len(old), len(new)) + 1 if len(old) != len(new) else 1
