"""The pull request review: a suggested change for each new fixable finding on lines the pull
request changes, which a reviewer applies with one click.

One review per push, with one comment per suggestion: the finding's code, tier and message, and a
```` ```suggestion ```` block holding the fixed lines (`start_line`/`line` for several lines, as
review comments take them). A finding gets none when its fix is in another file (a secrets
document), or when one of the lines it would replace is not one the pull request adds or changes
(GitHub refuses comments off its diff, and a suggestion there would widen the change).

No suggestion is posted twice: each comment carries a hidden marker with a key of what it
suggests (path, codes, the lines it replaces, the lines it puts there), and one whose earlier
comment is still on the same line (not outdated) is skipped. Unsafe fixes are offered too, and
say so: a suggestion is a proposal a person reads before applying it.

Untrusted text stays data: messages and titles are escaped (`markdown_text`), and the suggested
code, which is the file's own, is fenced with more backticks than any run of them in it, so it
cannot close the block.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from typing import Any, Callable, Optional

from mergegate.gates.escape import markdown_text
from mergegate.gates.github.client import Client, repository_path
from mergegate.gates.github.environment import Target
from mergegate.gates.github.errors import GitHubError
from mergegate.gates.github.pulls import pages
from mergegate.gates.model import NEW, Item, Outcome
from mergegate.gates.reports.markdown import size
from mergegate.gates.textedit import Text, python_encoding
from mergegate.hooks.files import read_file
from mergegate.hooks.finding import SAFE, Fix, InputError
from mergegate.hooks.registry import tier_rank

MARKER = "<!-- mergegate suggestion "
"""How a review comment of ours starts (then its key and ` -->`)."""
REVIEW_MARKER = "<!-- mergegate review -->"
COMMENT_BYTES = 65536
"""A comment's body is at most 65536 characters ("body is too long (maximum is 65536
characters)", GitHub's 422 answer), held to as UTF-8 bytes, which a text never has fewer of."""
MAX_SUGGESTIONS = 50
"""Suggestions posted per push, most severe first. GitHub documents no limit on a review's
comments, but a review of hundreds buries the pull request (and has drawn GitHub's abuse
limits for tools that posted them); the summary comment and the check run list every finding."""


@dataclass(frozen=True)
class Suggestion:
    """A review comment: where (path, first and last line of the new side) and what it says."""

    path: str
    start_line: int
    line: int
    body: str
    key: str
    severity: str

    def comment(self) -> dict[str, Any]:
        """The comment as `pulls/create-review` takes it."""
        comment: dict[str, Any] = {"path": self.path, "body": self.body, "line": self.line}
        comment["side"] = "RIGHT"
        if self.start_line < self.line:
            comment.update(start_line=self.start_line, start_side="RIGHT")
        return comment


def suggestions(outcome: Outcome, root: str, changed: dict[str, set[int]]) -> list[Suggestion]:
    """The suggestions for the new findings with a fix in their own file, whose lines the pull
    request changes; one per fix (findings sharing a fix share it). Paths are the repository's,
    as `rebased` spells them; files are read from `root` (the pull request's head)."""
    by_fix: dict[tuple[str, Fix], list[Item]] = {}
    for item in outcome.items:
        fix = item.finding.fix
        if item.state == NEW and fix is not None and fix.path is None:
            by_fix.setdefault((item.finding.path, fix), []).append(item)
    texts: dict[str, Optional[Text]] = {}
    made = []
    for (path, fix), items in by_fix.items():
        lines = changed.get(path)
        if not lines:
            continue
        if path not in texts:
            texts[path] = _read(root, path)
        text = texts[path]
        suggestion = _suggestion(path, fix, items, text, lines) if text is not None else None
        if suggestion is not None:
            made.append(suggestion)
    made.sort(key=lambda s: (tier_rank(s.severity), s.path, s.start_line))
    return made


def _read(root: str, path: str) -> Optional[Text]:
    try:
        data = read_file(os.path.join(root, path), path, within=root)
        return Text(data.decode(python_encoding(data)))
    except (InputError, UnicodeDecodeError, SyntaxError, LookupError):
        return None


def _suggestion(
    path: str, fix: Fix, items: list[Item], text: Text, changed: set[int]
) -> Optional[Suggestion]:
    """The suggestion replacing the whole lines a fix touches, when the pull request changes
    every one of them and the comment fits."""
    first = fix.edits[0].line
    last = max(e.end_line - (e.end_column == 1 and e.end_line > e.line) for e in fix.edits)
    if not all(number in changed for number in range(first, last + 1)):
        return None
    try:
        start = text.offset(first, 1)
        old_end = text.offset(last, len(text.lines[last - 1]) + 1)
        fixed = text.applied([fix])
    except ValueError:
        return None
    new_end = old_end + len(fixed) - len(text.text)
    replaced = "\n".join(text.lines[first - 1 : last])
    replacement = "\n".join(Text(fixed[start:new_end]).lines) if new_end > start else ""
    codes = sorted({item.finding.code for item in items})
    key = hashlib.sha256(
        "\0".join([path, *codes, replaced, replacement]).encode("utf-8", "surrogatepass")
    ).hexdigest()[:20]
    body = _body(key, fix, items, replacement)
    if size(body) > COMMENT_BYTES:
        return None
    worst = min((item.severity for item in items), key=tier_rank)
    return Suggestion(path, first, last, body, key, worst)


def _body(key: str, fix: Fix, items: list[Item], replacement: str) -> str:
    """The comment: the findings, what the fix does (and whether it is unsafe), the fixed lines."""
    lines = [f"{MARKER}{key} -->"]
    for item in items:
        finding = item.finding
        lines.append(
            f"**{markdown_text(finding.code)}** ({item.severity}): {markdown_text(finding.message)}"
        )
    lines.append("")
    what = markdown_text(fix.title[:1].upper() + fix.title[1:])
    if fix.safety == SAFE:
        lines.append(f"Suggested fix: {what}.")
    else:
        lines.append(
            f"Suggested fix, **unsafe**: {what}. It may change what the code does: read it"
            " before you apply it."
        )
    fence = "`" * max(3, _longest_backticks(replacement) + 1)
    lines += [f"{fence}suggestion", *([replacement] if replacement else []), fence]
    return "\n".join(lines) + "\n"


def _longest_backticks(text: str) -> int:
    longest = current = 0
    for char in text:
        current = current + 1 if char == "`" else 0
        longest = max(longest, current)
    return longest


def post_review(
    github: Client, target: Target, number: int, made: list[Suggestion], say: Callable[[str], None]
) -> tuple[int, int]:
    """Post the suggestions not already on the pull request as one review; (posted, already
    there). Refused when the token may not; GitHubError for anything else."""
    path = repository_path(target.repository, "pulls", number, "comments")
    earlier, complete = pages(github, path, f"listing the review comments of pull request {number}")
    standing = {_standing(comment) for comment in earlier if isinstance(comment, dict)}
    fresh = [s for s in made if (s.key, s.path, s.line) not in standing]
    if not complete:
        say(f"pull request {number} has more review comments than mergegate reads")
    posted = fresh[:MAX_SUGGESTIONS]
    if posted:
        count = len(posted)
        body = (
            f"{REVIEW_MARKER}\nmergegate suggests {'a fix' if count == 1 else f'{count} fixes'}"
            " for new findings on lines this pull request changes."
            + (
                f" {len(fresh) - count} more are listed in the check run."
                if len(fresh) > count
                else ""
            )
        )
        review = {
            "commit_id": target.head_sha,
            "event": "COMMENT",
            "body": body,
            "comments": [suggestion.comment() for suggestion in posted],
        }
        what = f"posting a review of pull request {number}"
        answer = github.request(
            "POST", repository_path(target.repository, "pulls", number, "reviews"), what, review
        )
        if not isinstance(answer, dict) or not isinstance(answer.get("id"), int):
            raise GitHubError(f"GitHub's answer to {what} is not a review")
    return len(posted), len(made) - len(fresh)


def _standing(comment: dict[str, Any]) -> tuple[str, Any, Any]:
    """(key, path, line) of one of our earlier comments still on its line; line is None once
    GitHub marks it outdated. Another's comment gives no key."""
    body = comment.get("body")
    if not isinstance(body, str) or not body.startswith(MARKER):
        return ("", None, None)
    key = body[len(MARKER) :].partition(" -->")[0]
    return (key, comment.get("path"), comment.get("line"))
