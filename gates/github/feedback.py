"""`--review`: feedback in the pull request itself, after the check run.

`suggestions` posts the review of suggested fixes (`review`), `summary` keeps the summary comment
(`comment`), `both` does both; `off` (the command line's default) neither. Only on a pull request
event, and only with a token that may write: when the check run was refused (no token, or a
fork's read-only token) neither is tried, and one line says so; the gate still blocks through the
check run or its fallback. A refusal here (a token without `pull-requests: write`) is said and
keeps the gate's exit status; any other failure to post is exit 2, as for the check run: the user
asked for the feedback, and it is not there.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Callable, Optional

from mergegate.gates.github.client import Client
from mergegate.gates.github.comment import summary_body, upsert_summary
from mergegate.gates.github.environment import Target, pull_request_number
from mergegate.gates.github.errors import GitHubError, Refused
from mergegate.gates.github.pulls import changed_lines
from mergegate.gates.github.review import post_review, suggestions
from mergegate.gates.model import EXIT_CODES, Outcome
from mergegate.hooks.finding import Finding

SUGGESTIONS = ("suggestions", "both")
SUMMARY = ("summary", "both")
NO_PERMISSION = (
    "the workflow needs `permissions: pull-requests: write` (a pull request from a fork gets a"
    " read-only token)"
)


class Context:
    """What the feedback needs from the run: where it goes and what was already posted."""

    __slots__ = ("github", "target", "root", "check_name", "check_run_url", "link")

    def __init__(
        self,
        github: Client,
        target: Target,
        root: str,
        check_name: str,
        check_run_url: Optional[str],
        link: Optional[Callable[[Finding], str]],
    ) -> None:
        self.github = github
        self.target = target
        self.root = root
        self.check_name = check_name
        self.check_run_url = check_run_url
        self.link = link


def post_feedback(
    outcome: Outcome,
    mode: str,
    context: Optional[Context],
    refusal: Optional[str],
    environ: Mapping[str, str],
    say: Callable[[str], None],
) -> Optional[int]:
    """Post what `mode` asks for; the exit status it forces (2), or None to keep the gate's.
    `context` is None when the check run could not even be tried (`refusal` says why when it was
    refused)."""
    if mode == "off":
        return None
    if context is None or refusal is not None:
        why = refusal or "the check run could not be posted"
        say(f"no review or summary comment: {why}")
        return None
    try:
        number = pull_request_number(environ)
        if number is None:
            event = environ.get("GITHUB_EVENT_NAME", "")
            say(f"no review or summary comment: {event!r} is not a pull request event")
            return None
        suggested = None
        if mode in SUGGESTIONS:
            changed = changed_lines(context.github, context.target, number)
            made = suggestions(outcome, context.root, changed)
            suggested, standing = post_review(context.github, context.target, number, made, say)
            say(
                f"review of pull request {number}: {suggested} suggested fixes posted,"
                f" {standing} already there"
            )
        if mode in SUMMARY:
            body = summary_body(
                outcome, context.check_name, context.link, context.check_run_url, suggested
            )
            done = upsert_summary(context.github, context.target, number, context.check_name, body)
            say(f"summary comment of pull request {number} {done}")
    except Refused as refusal_here:
        say(f"the review or summary comment is not posted: {refusal_here}: {NO_PERMISSION}")
        return None
    except GitHubError as problem:
        say(f"error: the review or summary comment is not posted: {problem}")
        return EXIT_CODES["error"]
    return None
