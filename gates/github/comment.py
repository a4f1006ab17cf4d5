"""The summary comment: one comment on the pull request, kept up to date, never one per push.

It is found by a hidden marker in its first line (one per check name, so two gates on one
repository keep a comment each) and updated in place; created only when there is none. It holds
the verdict, the counts per tier, the top findings (the Markdown report, cut to
`SUMMARY_BYTES`, P0 first), how many fixes the review suggested, and a link to the check run,
which has every finding.
"""

from __future__ import annotations

import hashlib
from typing import Any, Callable, Optional

from mergegate.gates.github.client import Client, repository_path
from mergegate.gates.github.environment import Target
from mergegate.gates.github.errors import GitHubError
from mergegate.gates.github.pulls import pages
from mergegate.gates.github.review import COMMENT_BYTES
from mergegate.gates.model import Outcome
from mergegate.gates.reports import ReportContext, render
from mergegate.gates.reports.markdown import size
from mergegate.hooks.finding import Finding

SUMMARY_BYTES = 16384
"""The summary's report: the verdict, the counts and the first findings, a comment one reads at a
glance; well under COMMENT_BYTES, GitHub's limit. The check run lists them all."""


def marker(check_name: str) -> str:
    """The hidden first line of the summary of the check run named `check_name` (hashed: the name
    is the user's text and must not end the HTML comment)."""
    digest = hashlib.sha256(check_name.encode("utf-8", "surrogatepass")).hexdigest()[:12]
    return f"<!-- mergegate summary {digest} -->"


def summary_body(
    outcome: Outcome,
    check_name: str,
    link: Optional[Callable[[Finding], str]],
    check_run_url: Optional[str],
    suggested: Optional[int],
) -> str:
    """The comment: the marker, the report (bounded), the suggestions, the check run's link."""
    footer = []
    if suggested:
        footer.append(
            f"{suggested} suggested {'fix is' if suggested == 1 else 'fixes are'} in the review"
            " comments on the changed lines."
        )
    if check_run_url:
        footer.append(f"Every finding is in [the check run]({check_run_url}).")
    tail = "\n" + "\n\n".join(footer) + "\n" if footer else ""
    head = marker(check_name) + "\n"
    room = min(SUMMARY_BYTES, COMMENT_BYTES - size(head) - size(tail))
    report = render("markdown", outcome, ReportContext(link=link, max_chars=room))
    return head + report + tail


def upsert_summary(github: Client, target: Target, number: int, check_name: str, body: str) -> str:
    """Update our summary comment on pull request `number`, or create it; `updated` or
    `created`. Refused when the token may not write; GitHubError for anything else."""
    path = repository_path(target.repository, "issues", number, "comments")
    comments, _ = pages(github, path, f"listing the comments of pull request {number}")
    first_line = marker(check_name)
    ours = [c for c in comments if isinstance(c, dict) and _starts(c, first_line)]
    if ours:
        comment_id = ours[0].get("id")
        if type(comment_id) is not int:
            raise GitHubError(f"a comment of pull request {number} has no id GitHub gives")
        what = f"updating the summary comment of pull request {number}"
        where = repository_path(target.repository, "issues", "comments", comment_id)
        _check(github.request("PATCH", where, what, {"body": body}), what)
        return "updated"
    what = f"commenting on pull request {number}"
    _check(github.request("POST", path, what, {"body": body}), what)
    return "created"


def _starts(comment: dict[str, Any], first_line: str) -> bool:
    body = comment.get("body")
    return isinstance(body, str) and body.startswith(first_line)


def _check(answer: Any, what: str) -> None:
    if not isinstance(answer, dict) or type(answer.get("id")) is not int:
        raise GitHubError(f"GitHub's answer to {what} is not a comment")
