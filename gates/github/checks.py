"""The check run: one per run, on the pull request's head commit, complete from its first request.

It is created with its conclusion (`failure` when the gate blocks or errs, else `success`), so a
later failure can never leave it pending or wrong; the Markdown report is its summary, each finding
linked to its line at that commit; every reported finding is an annotation, 50 per request (the
create, then updates, which GitHub appends).

It counts as posted only when GitHub answers each request with that check run: an object with its
id (the one created, for an update) and our head commit. Anything else (an empty object, a page
from a proxy) is an error, never a silent pass.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Optional

from mergegate.gates.annotations import annotation_order, check_run_annotation
from mergegate.gates.escape import clip
from mergegate.gates.github.client import Client, repository_path
from mergegate.gates.github.environment import Target
from mergegate.gates.github.errors import GitHubError, Incomplete, Refused
from mergegate.gates.model import Outcome
from mergegate.gates.reports import ReportContext, render
from mergegate.gates.reports.markdown import CHECK_RUN_SUMMARY_BYTES
from mergegate.hooks.rule import TIERS

ANNOTATIONS_PER_REQUEST = 50
"""The Checks API takes at most 50 annotations per request; more go in updates, which append them
(REST API docs, "Create a check run" / "Update a check run", `output.annotations`)."""

NO_PERMISSION = (
    "this token cannot write checks. Pull requests from forks get a read-only token; otherwise"
    " the workflow needs `permissions: checks: write`"
)


@dataclass(frozen=True)
class CheckRun:
    """A posted check run, as GitHub answered it."""

    id: int
    html_url: Optional[str]
    annotations: int


def conclusion(outcome: Outcome) -> str:
    return "success" if outcome.verdict == "passed" else "failure"


def check_title(outcome: Outcome) -> str:
    """`Blocked: 2 P0, 0 P1, 4 P2, 1 P3 new; 2 blocking`: the verdict and new findings per tier."""
    counts = outcome.counts()
    parts = [", ".join(f"{counts[tier]} {tier}" for tier in TIERS) + " new"]
    if counts["blocking"]:
        parts.append(f"{counts['blocking']} blocking")
    if outcome.errors:
        parts.append(f"{len(outcome.errors)} error" + ("s" if len(outcome.errors) > 1 else ""))
    return f"{outcome.verdict.capitalize()}: " + "; ".join(parts)


def post_check_run(github: Client, target: Target, name: str, outcome: Outcome) -> CheckRun:
    """Create the completed check run with the first 50 annotations, then append the rest.
    Refused (the token may not), Incomplete (created, annotations missing) or GitHubError."""
    summary = render(
        "markdown", outcome, ReportContext(link=target.link, max_chars=CHECK_RUN_SUMMARY_BYTES)
    )
    output: dict[str, Any] = {"title": check_title(outcome), "summary": summary}
    annotations = [check_run_annotation(item) for item in annotation_order(outcome)]
    batches = [
        annotations[offset : offset + ANNOTATIONS_PER_REQUEST]
        for offset in range(0, len(annotations), ANNOTATIONS_PER_REQUEST)
    ] or [[]]
    what = "creating the check run"
    body = {
        "name": name,
        "head_sha": target.head_sha,
        "status": "completed",
        "conclusion": conclusion(outcome),
        "output": {**output, "annotations": batches[0]},
    }
    try:
        answer = github.request(
            "POST", repository_path(target.repository, "check-runs"), what, body
        )
    except Refused as refusal:
        raise Refused(f"{refusal}: {NO_PERMISSION}") from None
    run_id, html_url = _check_run(answer, target, what)
    path = repository_path(target.repository, "check-runs", run_id)
    for number, batch in enumerate(batches[1:], start=1):
        start = number * ANNOTATIONS_PER_REQUEST + 1
        what = f"adding annotations {start}-{start + len(batch) - 1} of {len(annotations)}"
        try:
            answer = github.request(
                "PATCH", path, what, {"output": {**output, "annotations": batch}}
            )
            _check_run(answer, target, what, run_id)
        except GitHubError as failure:
            raise Incomplete(
                f"{failure} (the check run is posted with its conclusion; annotations"
                f" {start}-{len(annotations)} are missing)"
            ) from None
    return CheckRun(run_id, html_url, len(annotations))


def _check_run(
    answer: Any, target: Target, what: str, expected: Optional[int] = None
) -> tuple[int, Optional[str]]:
    """(id, html_url) of the check run GitHub answered; GitHubError when the answer is not it."""
    if isinstance(answer, dict):
        run_id, url = answer.get("id"), answer.get("html_url")
        if (
            isinstance(run_id, int)
            and not isinstance(run_id, bool)
            and run_id > 0
            and run_id == (expected or run_id)
            and answer.get("head_sha") == target.head_sha
        ):
            return run_id, url if isinstance(url, str) and url.startswith("http") else None
    wanted = "a check run" if expected is None else f"check run {expected}"
    raise GitHubError(
        f"GitHub's answer to {what} is not {wanted} on {target.head_sha} ({_shape(answer)}):"
        " the check run is not posted" + ("" if expected is None else " completely")
    )


def _shape(answer: Any) -> str:
    """What an answer was, for a message, without quoting its values."""
    if isinstance(answer, dict):
        keys = ", ".join(clip(str(key), 40) for key in sorted(answer, key=str)[:8])
        return f"an object with {keys}" if keys else "an empty object"
    return "no content" if answer is None else f"a JSON {type(answer).__name__}"
