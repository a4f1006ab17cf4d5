"""What the review needs to know about a pull request: the lines it changes, and the comments
already on it; every list read page by page, within bounds.

Changed lines come from GitHub's own diff of the pull request (`pulls/{n}/files`, each file's
`patch`), not from a local `git diff`: a review comment is accepted only on a line of that diff,
so it is the one that decides. A file without a patch (binary, or a diff too large for GitHub to
show) has no changed lines, and gets no review comment.
"""

from __future__ import annotations

import re
from typing import Any

from mergegate.gates.github.client import Client, repository_path
from mergegate.gates.github.environment import Target
from mergegate.gates.github.errors import GitHubError

PER_PAGE = 100
"""The most a list request returns per page ("The number of results per page (max 100)", REST
API docs, on every list operation)."""
MAX_FILES = 3000
"""GitHub lists at most 3000 files of a pull request (REST API docs, "List pull requests files":
"Responses include a maximum of 3000 files")."""
MAX_PAGES = MAX_FILES // PER_PAGE
"""Pages read of any list: all of a pull request's files; for comments, the first 3000, beyond
which an earlier suggestion may be missed and posted again (said in the log)."""

HUNK = re.compile(r"@@ -\d+(?:,\d+)? \+(\d+)(?:,\d+)? @@")


def pages(github: Client, path: str, what: str) -> tuple[list[Any], bool]:
    """Every item of a list operation, page by page (at most MAX_PAGES); and whether the list was
    read to its end. GitHubError when a page is not a list."""
    items: list[Any] = []
    for page in range(1, MAX_PAGES + 1):
        answer = github.request("GET", f"{path}?per_page={PER_PAGE}&page={page}", what)
        if not isinstance(answer, list):
            raise GitHubError(f"GitHub's answer to {what} is not a list")
        items.extend(answer)
        if len(answer) < PER_PAGE:
            return items, True
    return items, False


def changed_lines(github: Client, target: Target, number: int) -> dict[str, set[int]]:
    """The lines the pull request adds or changes, by file (the new side of its diff)."""
    path = repository_path(target.repository, "pulls", number, "files")
    files, _ = pages(github, path, f"listing the files of pull request {number}")
    changed: dict[str, set[int]] = {}
    for entry in files:
        if not isinstance(entry, dict) or not isinstance(entry.get("filename"), str):
            raise GitHubError(f"a file of pull request {number} is not one GitHub describes")
        patch = entry.get("patch")
        if entry.get("status") != "removed" and isinstance(patch, str):
            changed[entry["filename"]] = added_lines(patch)
    return changed


def added_lines(patch: str) -> set[int]:
    """The new side's numbers of the lines a unified diff's hunks add."""
    added: set[int] = set()
    line = 0
    for text in patch.split("\n"):
        hunk = HUNK.match(text)
        if hunk:
            line = int(hunk.group(1))
        elif text.startswith("+"):
            added.add(line)
            line += 1
        elif text.startswith(" ") or not text:  # context (an empty line: its space stripped)
            line += 1
    return added
