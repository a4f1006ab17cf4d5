"""`mergegate run --github`: the check run, the job summary and the step outputs in GitHub Actions.

After the reports the user asked for, the decided outcome goes to GitHub three ways:

- **One check run** (PyGithub, `retry=None`: the retry policy is `Policy`, here and visible) on the
  pull request's head commit (`GITHUB_SHA` is the merge commit on pull request events), completed
  in its first request with its conclusion (`failure` when the gate blocks or errs, else `success`),
  so a later failure can never leave it pending or wrong; the Markdown report as its summary, each
  finding linked to its line at that commit; every reported finding as an annotation, 50 per
  request (create, then updates, which GitHub appends).
- **The job summary**: the same report, appended to `$GITHUB_STEP_SUMMARY` within what is left
  of the step's 1 MiB.
- **Step outputs** in `$GITHUB_OUTPUT`: counts of new findings per tier, `total`, `blocking`,
  `conclusion`, and `sarif-file` when a SARIF report was written to a file.

Paths sent to GitHub are relative to the repository root (the git top level, else
`GITHUB_WORKSPACE`), as annotations and links need them.

When the token cannot write checks (no token, or 403 "Resource not accessible by ...", as for pull
requests from forks), the findings go out as workflow commands instead (the `github` report, P0
first), the log and the job summary say so once, and the exit status is the gate's own.

Exit status: the gate's (0 passed, 1 blocked, 2 error), except that a failure to post the check
run is 2 whatever the gate decided: the job fails either way, and 2 says what needs attention (the
check run is missing or incomplete, and a required check would wait forever). A failure before the
check run existed also falls back to workflow commands, so the findings still reach the pull
request.

Untrusted text stays data: the reports a user sends to stdout are wrapped in `::stop-commands::`
with a random token, so nothing in them (a file name with a line break) can start a workflow
command; everything mergegate prints itself goes through `workflow_data`; the token is validated,
never printed, and removed from any message that could echo it.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import secrets
import sys
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Callable, Optional, TypeVar
from urllib.parse import quote

from mergegate.gates.cli import EXIT_ERROR, write_reports
from mergegate.gates.discover import git_toplevel
from mergegate.gates.escape import markdown_text, workflow_data
from mergegate.gates.model import Item, Outcome
from mergegate.gates.reports import ReportContext, render
from mergegate.gates.reports.github import (
    ANNOTATIONS_PER_LEVEL,
    annotation_level,
    annotation_order,
    annotation_title,
)
from mergegate.gates.reports.markdown import CHECK_RUN_SUMMARY_BYTES, size
from mergegate.hooks.config import ConfigError
from mergegate.hooks.finding import TOOL, Finding
from mergegate.hooks.paths import display
from mergegate.hooks.registry import TIERS

ANNOTATIONS_PER_REQUEST = 50
"""The Checks API takes at most 50 annotations per request; more go in updates, which append them
(REST API docs, "Create a check run" / "Update a check run", `output.annotations`)."""

JOB_SUMMARY_BYTES = 1024 * 1024
"""A step's `$GITHUB_STEP_SUMMARY` is at most 1 MiB, or its upload is aborted (Actions docs,
"Workflow commands", adding a job summary: "supports content up to a size of 1024k")."""

ANNOTATION_TITLE_BYTES = 255
"""An annotation's `title`: "The maximum size is 255 characters" (REST API docs, "Create a check
run"); counted in bytes, which is never fewer than characters."""

ANNOTATION_TEXT_BYTES = 64000
"""An annotation's `message` and `raw_details`: "The maximum size is 64 KB" (REST API docs,
"Create a check run"), read as the smaller 64,000 bytes."""

CHECK_LEVELS = {"error": "failure", "warning": "warning", "notice": "notice"}
"""Workflow-command level (`annotation_level`) -> check-run `annotation_level`."""

PULL_REQUEST_EVENTS = frozenset(
    {"pull_request", "pull_request_target", "pull_request_review", "pull_request_review_comment"}
)
"""Events whose `GITHUB_SHA` is not the pull request's head commit (the merge commit, or the base
branch's head for `pull_request_target`): the head is `pull_request.head.sha` in the payload."""

REPOSITORY = re.compile(r"[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+")
COMMIT = re.compile(r"[0-9a-f]{40}(?:[0-9a-f]{24})?")
"""A SHA-1 or SHA-256 commit id."""

NO_PERMISSION = (
    "this token cannot write checks. Pull requests from forks get a read-only token; otherwise"
    " the workflow needs `permissions: checks: write`"
)
FALLBACK = (
    "The findings are reported as workflow annotations of this job instead (GitHub shows"
    f" {ANNOTATIONS_PER_LEVEL} per level per step: errors and P0 first, all of them in the log),"
    " and the job still fails on a blocking finding"
)

T = TypeVar("T")


@dataclass(frozen=True)
class Policy:
    """How hard mergegate tries to reach GitHub: 5xx, connection errors and rate limits are retried
    with exponential backoff, honouring `Retry-After`, within `total_seconds` for the whole run
    (plus at most one request's `request_timeout`); other 4xx are not retried."""

    total_seconds: float = 120.0
    first_backoff: float = 2.0
    max_backoff: float = 30.0
    secondary_limit_wait: float = 60.0
    """A secondary rate limit without `Retry-After` or `x-ratelimit-*`: "wait for at least one
    minute before retrying" (REST API docs, "Rate limits for the REST API")."""
    seconds_between_writes: float = 1.0
    """"Wait at least one second between each request" that writes (REST API docs, "Best practices
    for using the REST API"); PyGithub spaces its writes by this much."""
    request_timeout: int = 30
    sleep: Callable[[float], None] = time.sleep
    clock: Callable[[], float] = time.monotonic


POLICY = Policy()
"""The policy `publish` uses; tests replace it with tiny delays and a fake clock."""


class NotPosted(Exception):
    """The check run could not be posted, or not completely."""

    created = False
    """Whether the check run exists (with its conclusion), only some annotations missing."""


class Refused(NotPosted):
    """The token cannot write checks: fall back to workflow commands, keep the gate's verdict."""


class PostFailed(NotPosted):
    """Posting failed for another reason (retries exhausted, another 4xx, a bad answer): exit 2."""

    def __init__(self, message: str, created: bool = False) -> None:
        super().__init__(message)
        self.created = created


@dataclass(frozen=True)
class Actions:
    """What the GitHub Actions environment says about this run, validated."""

    api_url: str
    server_url: str
    repository: str
    head_sha: str
    token: str
    """Empty when there is none."""
    check_name: str
    root: str
    """The repository root on the runner: paths sent to GitHub are relative to it."""
    step_summary: Optional[str]
    output: Optional[str]

    @classmethod
    def from_environment(
        cls, environ: Mapping[str, str], args: argparse.Namespace, repository_root: str
    ) -> Actions:
        """ConfigError (exit 2) for an environment no check run can be posted from."""
        repository = environ.get("GITHUB_REPOSITORY", "")
        if not REPOSITORY.fullmatch(repository):
            raise ConfigError(
                f"--github needs GITHUB_REPOSITORY as owner/name, not {repository!r}"
                " (GitHub Actions sets it)"
            )
        api_url = environ.get("GITHUB_API_URL") or "https://api.github.com"
        server_url = environ.get("GITHUB_SERVER_URL") or "https://github.com"
        for name, url in (("GITHUB_API_URL", api_url), ("GITHUB_SERVER_URL", server_url)):
            if not url.startswith(("https://", "http://")):
                raise ConfigError(f"--github needs {name} to be an http(s) URL, not {url!r}")
        token = (args.github_token or environ.get("GITHUB_TOKEN") or "").strip()
        if any(not 33 <= ord(char) <= 126 for char in token):
            raise ConfigError(
                "the GitHub token holds characters no token has (spaces, line breaks or other"
                " control or non-ASCII characters); it is not printed"
            )
        workspace = environ.get("GITHUB_WORKSPACE")
        return cls(
            api_url=api_url.rstrip("/"),
            server_url=server_url.rstrip("/"),
            repository=repository,
            head_sha=head_sha(environ),
            token=token,
            check_name=args.check_name or TOOL,
            root=git_toplevel(repository_root) or os.path.realpath(workspace or repository_root),
            step_summary=environ.get("GITHUB_STEP_SUMMARY") or None,
            output=environ.get("GITHUB_OUTPUT") or None,
        )

    def link(self, finding: Finding) -> str:
        """The finding's line in the file at the checked commit, path percent-encoded."""
        path = quote(os.fsencode(finding.path), safe="/")
        url = f"{self.server_url}/{self.repository}/blob/{self.head_sha}/{path}"
        return f"{url}#L{finding.line}" if finding.line >= 1 else url

    def scrub(self, text: str) -> str:
        """`text` without the token, should anything (an error from a library) echo it."""
        return text.replace(self.token, "***") if self.token else text

    def say(self, message: str) -> None:
        """One line in the log: token removed, nothing in it can start a workflow command."""
        sys.stderr.write(f"mergegate: {workflow_data(self.scrub(message))}\n")
        sys.stderr.flush()


def head_sha(environ: Mapping[str, str]) -> str:
    """The commit to check: the pull request's head on pull request events, else GITHUB_SHA."""
    event = environ.get("GITHUB_EVENT_NAME", "")
    if event in PULL_REQUEST_EVENTS:
        where = f"the {event} event's payload (GITHUB_EVENT_PATH)"
        try:
            with open(environ.get("GITHUB_EVENT_PATH", ""), encoding="utf-8") as handle:
                payload: Any = json.load(handle)
        except (OSError, ValueError) as error:
            raise ConfigError(f"--github cannot read {where}: {error}") from None
        for key in ("pull_request", "head", "sha"):
            payload = payload.get(key) if isinstance(payload, dict) else None
        sha = payload if isinstance(payload, str) else ""
        where = f"pull_request.head.sha in {where}"
    else:
        sha = environ.get("GITHUB_SHA", "")
        where = "GITHUB_SHA"
    if not COMMIT.fullmatch(sha):
        raise ConfigError(f"--github needs a commit id in {where}, not {sha!r}")
    return sha


def publish(outcome: Outcome, args: argparse.Namespace, repository_root: str) -> int:
    """`mergegate run --github`: the user's reports, then the check run (or the fallback), the
    job summary and the outputs; the exit status (see the module docstring)."""
    actions = Actions.from_environment(os.environ, args, repository_root)
    formats = args.formats or [("text", None)]
    to_stdout = {name for name, path in formats if path is None}
    with commands_stopped(bool(to_stdout) and to_stdout != {"github"}):
        write_reports(outcome, formats, args, repository_root)
    for error in outcome.errors:
        actions.say(f"error: {error}")
    outcome = rebased(outcome, actions.root)
    status, note = outcome.exit_code, ""
    try:
        post_check_run(actions, outcome, POLICY)
    except NotPosted as problem:
        failed = isinstance(problem, PostFailed)
        headline = "error: could not post the check run" if failed else "no check run"
        fallback = not problem.created
        if fallback and "github" not in to_stdout:
            sys.stdout.write(render("github", outcome, ReportContext()))
            sys.stdout.flush()
        actions.say(f"{headline}: {problem}." + (f" {FALLBACK}." if fallback else ""))
        reason = markdown_text(actions.scrub(str(problem)))
        note = f"> ⚠️ **mergegate {headline}:** {reason}." + (
            f"\n>\n> {FALLBACK}." if fallback else ""
        )
        status = EXIT_ERROR if failed else status
    write_job_summary(actions, outcome, note)
    sarif = [path for name, path in formats if name == "sarif" and path is not None]
    write_outputs(actions, outcome, sarif[-1] if sarif else None)
    return status


@contextmanager
def commands_stopped(enabled: bool) -> Iterator[None]:
    """Stop the runner's workflow-command processing around output that may hold untrusted text
    unescaped (a file name with a line break in the text report), then resume it."""
    if not enabled:
        yield
        return
    token = secrets.token_hex(16)
    sys.stdout.write(f"::stop-commands::{token}\n")
    try:
        yield
    finally:
        sys.stdout.write(f"::{token}::\n")
        sys.stdout.flush()


def rebased(outcome: Outcome, root: str) -> Outcome:
    """The outcome with every finding's path relative to `root` (paths come relative to the
    current directory), as GitHub wants annotation paths and links."""
    cwd = os.path.realpath(os.curdir)

    def moved(item: Item) -> Item:
        path = display(os.path.join(cwd, item.finding.path), root)
        return item.moved(item.finding.with_path(path))

    return outcome.with_items([moved(item) for item in outcome.items])


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


def annotation(item: Item) -> dict[str, Any]:
    """A check-run annotation: columns only on a single line (the API's rule), a finding
    without a line on line 1, every text within GitHub's limits."""
    finding = item.finding
    start = max(finding.line, 1)
    end = max(finding.end_line, start)
    entry: dict[str, Any] = {
        "path": clip(finding.path, ANNOTATION_TEXT_BYTES),
        "start_line": start,
        "end_line": end,
        "annotation_level": CHECK_LEVELS[annotation_level(item)],
        "title": clip(annotation_title(item), ANNOTATION_TITLE_BYTES),
        "message": clip(finding.message or finding.code, ANNOTATION_TEXT_BYTES),
    }
    if finding.line >= 1 and end == start and finding.column >= 1:
        entry["start_column"] = finding.column
        if finding.end_column >= finding.column:
            entry["end_column"] = finding.end_column
    if item.reason:
        entry["raw_details"] = clip(item.reason, ANNOTATION_TEXT_BYTES)
    return entry


def clip(text: str, limit: int) -> str:
    """`text` in at most `limit` UTF-8 bytes, cut on a character boundary and marked with `…`;
    lone surrogates (undecodable file names) replaced, as JSON for GitHub cannot carry them."""
    encoded = text.encode("utf-8", "replace")
    if len(encoded) <= limit:
        return encoded.decode("utf-8")
    return encoded[: limit - len("…".encode())].decode("utf-8", "ignore") + "…"


def post_check_run(actions: Actions, outcome: Outcome, policy: Policy) -> None:
    """Create the completed check run with the first 50 annotations, then append the rest."""
    if not actions.token:
        raise Refused("no GitHub token (pass --github-token or set GITHUB_TOKEN)")
    try:
        from github import Auth, Github
    except ImportError:
        raise PostFailed("PyGithub is not installed: pip install 'mergegate[github]'") from None

    client = Github(
        auth=Auth.Token(actions.token),
        base_url=actions.api_url,
        retry=None,  # the retry policy is ours: `Policy`
        timeout=policy.request_timeout,
        seconds_between_requests=None,
        seconds_between_writes=policy.seconds_between_writes,
        lazy=True,  # no GET of the repository before the POST
    )
    repository = client.get_repo(actions.repository)
    summary = render(
        "markdown",
        outcome,
        ReportContext(link=actions.link, max_chars=CHECK_RUN_SUMMARY_BYTES),
    )
    output: dict[str, Any] = {"title": check_title(outcome), "summary": summary}
    annotations = [annotation(item) for item in annotation_order(outcome)]
    batches = [
        annotations[offset : offset + ANNOTATIONS_PER_REQUEST]
        for offset in range(0, len(annotations), ANNOTATIONS_PER_REQUEST)
    ] or [[]]
    deadline = policy.clock() + policy.total_seconds
    check_run = _retried(
        "creating the check run",
        lambda: repository.create_check_run(
            name=actions.check_name,
            head_sha=actions.head_sha,
            status="completed",
            conclusion=conclusion(outcome),
            output={**output, "annotations": batches[0]},
        ),
        actions,
        policy,
        deadline,
        first=True,
    )
    for number, batch in enumerate(batches[1:], start=1):
        start = number * ANNOTATIONS_PER_REQUEST + 1
        what = f"adding annotations {start}-{start + len(batch) - 1} of {len(annotations)}"
        try:
            _retried(
                what,
                lambda: check_run.edit(output={**output, "annotations": batch}),
                actions,
                policy,
                deadline,
            )
        except PostFailed as failure:
            raise PostFailed(
                f"{failure} (the check run is posted with its conclusion; annotations"
                f" {start}-{len(annotations)} are missing)",
                created=True,
            ) from None
    actions.say(
        f"posted check run {actions.check_name!r} ({conclusion(outcome)}, {len(annotations)}"
        f" annotations) on {actions.head_sha}: {check_run.html_url}"
    )


def _retried(
    what: str,
    request: Callable[[], T],
    actions: Actions,
    policy: Policy,
    deadline: float,
    first: bool = False,
) -> T:
    """`request()`, retried by the policy; Refused (first request only) or PostFailed."""
    from github import GithubException
    from requests import RequestException

    backoff, attempt = policy.first_backoff, 0
    while True:
        attempt += 1
        try:
            return request()
        except GithubException as error:
            status, message = error.status, _message(error)
            if first and status == 403 and message.startswith("Resource not accessible by"):
                raise Refused(f"GitHub answered 403 ({message}): {NO_PERMISSION}") from None
            wait = _wait(status, message, error.headers or {}, backoff, policy)
            problem = f"GitHub answered {status} ({message}) to {what}"
        except RequestException as error:
            wait, problem = backoff, f"no answer from GitHub to {what}: {error}"
        except Exception as error:  # a bad answer: reported, never a traceback or a pass
            raise PostFailed(f"{what}: {type(error).__name__}: {error}") from None
        if wait is None:
            raise PostFailed(problem)
        if policy.clock() + wait > deadline:
            raise PostFailed(
                f"{problem}; gave up after {attempt} attempts (retries are bounded at"
                f" {policy.total_seconds:g}s, and the next would wait {wait:g}s)"
            )
        actions.say(f"{problem}; retrying in {wait:g}s")
        policy.sleep(wait)
        backoff = min(backoff * 2, policy.max_backoff)


def _message(error: Any) -> str:
    """GitHub's error message, with the details of a 422, on one line."""
    data = error.data
    if not isinstance(data, dict):
        return str(data)[:300]
    message = str(data.get("message") or data.get("data") or "no message")[:300]
    if data.get("errors"):
        message += ": " + json.dumps(data["errors"], ensure_ascii=False)[:300]
    return message


def _wait(
    status: int, message: str, headers: Mapping[str, str], backoff: float, policy: Policy
) -> Optional[float]:
    """Seconds to wait before retrying, or None when this answer is not worth a retry.

    5xx: the backoff (or `Retry-After`). Rate limits (429, or 403 with `Retry-After`, a secondary
    rate limit message or `x-ratelimit-remaining: 0`): `Retry-After`, else until
    `x-ratelimit-reset`, else at least a minute (REST API docs, "Rate limits for the REST API").
    """
    retry_after = _seconds(headers.get("retry-after"))
    if status >= 500:
        return backoff if retry_after is None else retry_after
    exhausted = headers.get("x-ratelimit-remaining") == "0"
    secondary = "secondary rate limit" in message.lower()
    if status == 429 or (status == 403 and (retry_after is not None or secondary or exhausted)):
        if retry_after is not None:
            return retry_after
        reset = _seconds(headers.get("x-ratelimit-reset"))
        if exhausted and reset is not None:
            return max(reset - time.time(), 0.0)
        return max(policy.secondary_limit_wait, backoff)
    return None


def _seconds(value: Optional[str]) -> Optional[float]:
    try:
        return max(float(value), 0.0) if value is not None else None
    except ValueError:
        return None


def write_job_summary(actions: Actions, outcome: Outcome, note: str) -> None:
    """Append the note (Markdown), if any, and the report, within what is left of the step's
    1 MiB: the report shortened to fit, or left out; the note whole, or nothing at all."""
    if actions.step_summary is None:
        return
    used = os.path.getsize(actions.step_summary) if os.path.exists(actions.step_summary) else 0
    head = f"{note}\n\n" if note else ""
    room = JOB_SUMMARY_BYTES - used - size(head)
    full = f"the job summary is full ({used} bytes): the report is not added to it"
    if room < 0:  # not even the note fits
        actions.say(full)
        return
    try:
        report = render("markdown", outcome, ReportContext(link=actions.link, max_chars=room))
    except ValueError:  # the note fits, the verdict and counts do not
        actions.say(full)
        report = ""
    with open(actions.step_summary, "a", encoding="utf-8") as handle:
        handle.write(head + report)


def write_outputs(actions: Actions, outcome: Outcome, sarif_file: Optional[str]) -> None:
    """`name=value` for values mergegate makes; the `name<<DELIMITER` form, with a delimiter the
    value cannot contain, for a path the user chose."""
    if actions.output is None:
        return
    counts = outcome.counts()
    values = {tier.lower(): str(counts[tier]) for tier in TIERS}
    values["total"] = str(counts["total"])
    values["blocking"] = "true" if outcome.blocking else "false"
    values["conclusion"] = conclusion(outcome)
    lines = [f"{name}={value}\n" for name, value in values.items()]
    if sarif_file is not None:
        delimiter = f"ghadelimiter_{secrets.token_hex(16)}"
        while delimiter in sarif_file:
            delimiter = f"ghadelimiter_{secrets.token_hex(16)}"
        lines.append(f"sarif-file<<{delimiter}\n{sarif_file}\n{delimiter}\n")
    with open(actions.output, "a", encoding="utf-8", errors="surrogateescape") as handle:
        handle.write("".join(lines))
