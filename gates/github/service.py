"""`mergegate run --github`: a decided outcome goes to GitHub, behind one call,
`publish(outcome, GitHubRequest(...)) -> exit status`.

The reports the user asked for are already written (`mergegate.gates.reports.writing`); this adds:

- **the check run** (`checks`), or, when it cannot be posted, **the fallback**: the findings as
  workflow commands (the `github` report, P0 first), said once in the log and the job summary;
- **the job summary** (`summary`): the report, after a note when the check run is missing;
- **the step outputs** (`outputs`);
- with `--review`, on a pull request, **the review** of suggested fixes and **the summary
  comment** (`feedback`), through the same client, so one deadline bounds every request.

The fallback, the job summary and the outputs are written whatever went wrong before them (a bad
environment, a GitHub that does not answer, an unexpected error), so the findings always reach the
pull request and later steps always have their outputs.

Exit status: the gate's (0 passed, 1 blocked, 2 error), except that a check run that could not be
posted (or not completely) is 2 whatever the gate decided: the job fails either way, and 2 says
what needs attention (a required check would wait forever). A refusal (no token, or a fork's
read-only token) keeps the gate's status: that is how forks are gated. The same holds for the
review and the summary comment: not posted, 2; refused, the gate's status.

Untrusted text stays data: everything this prints goes through `workflow_data`, and everything
that could quote the token is scrubbed first (`secret`).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Callable, Optional

from mergegate.gates.escape import markdown_text, workflow_data
from mergegate.gates.github import client
from mergegate.gates.github.checks import conclusion, post_check_run
from mergegate.gates.github.environment import (
    StepFiles,
    Target,
    check_token,
    repository_root,
    token_of,
)
from mergegate.gates.github.errors import GitHubError, Incomplete, Refused
from mergegate.gates.github.feedback import Context, post_feedback
from mergegate.gates.github.outputs import write_outputs
from mergegate.gates.github.secret import Token
from mergegate.gates.github.summary import write_job_summary
from mergegate.gates.model import EXIT_CODES, Item, Outcome
from mergegate.gates.reports import ReportContext, render
from mergegate.gates.reports.github import ANNOTATIONS_PER_LEVEL
from mergegate.hooks.finding import TOOL, Finding
from mergegate.hooks.paths import display

FALLBACK = (
    "The findings are reported as workflow annotations of this job instead (GitHub shows"
    f" {ANNOTATIONS_PER_LEVEL} per level per step: errors and P0 first, all of them in the log),"
    " and the job still fails on a blocking finding"
)
EXIT_ERROR = EXIT_CODES["error"]


@dataclass(frozen=True)
class GitHubRequest:
    """What a run asks of GitHub, beyond the outcome and the Actions environment."""

    root: str
    """The repository root of the run: paths sent to GitHub are relative to its git top level
    (else `GITHUB_WORKSPACE`)."""
    check_name: Optional[str] = None
    """The check run's name; None: `mergegate`."""
    token: Optional[str] = None
    """The token (`--github-token`); None: `$GITHUB_TOKEN`."""
    reports: Sequence[tuple[str, Optional[str]]] = ()
    """The reports already written, `(format, file)`, None for stdout: the `github` report on
    stdout is already the fallback; the last SARIF file is the `sarif-file` output."""
    review: str = "off"
    """`--review`: `off`, `suggestions`, `summary` or `both` (on a pull request event)."""


def publish(
    outcome: Outcome, request: GitHubRequest, environ: Mapping[str, str] = os.environ
) -> int:
    """The check run (or the fallback), the job summary and the outputs; the exit status."""
    token = token_of(request.token, environ)
    say = _logger(token)
    for error in outcome.errors:
        say(f"error: {error}")
    root = repository_root(environ, request.root)
    outcome = rebased(outcome, root)
    status, note = outcome.exit_code, ""
    link: Optional[Callable[[Finding], str]] = None
    context: Optional[Context] = None
    refusal: Optional[str] = None
    try:
        target = Target.from_environment(environ)
        link = target.link
        name = request.check_name or TOOL
        github = _client(target, token, say)
        context = Context(github, target, root, name, None, link)
        run = post_check_run(github, target, name, outcome)
        context.check_run_url = run.html_url
        say(
            f"posted check run {name!r} ({conclusion(outcome)}, {run.annotations} annotations)"
            f" on {target.head_sha}" + (f": {run.html_url}" if run.html_url else "")
        )
    except GitHubError as problem:
        refusal = str(problem) if isinstance(problem, Refused) else None
        status, note = _not_posted(problem, outcome, request, token, say)
    except Exception as error:  # never a traceback or a silent pass: the findings still go out
        internal = GitHubError(f"internal error: {type(error).__name__}: {error}")
        status, note = _not_posted(internal, outcome, request, token, say)
    try:
        forced = post_feedback(outcome, request.review, context, refusal, environ, say)
    except Exception as error:
        say(
            f"error: the review or summary comment: internal error: {type(error).__name__}: {error}"
        )
        forced = EXIT_ERROR
    status = EXIT_ERROR if forced == EXIT_ERROR else status
    files = StepFiles.from_environment(environ)
    try:
        if files.summary is not None:
            write_job_summary(files.summary, outcome, note, link, say)
    except OSError as error:
        say(f"error: could not write the job summary: {error}")
        status = EXIT_ERROR
    sarif = [path for name, path in request.reports if name == "sarif" and path is not None]
    try:
        if files.outputs is not None:
            write_outputs(files.outputs, outcome, sarif[-1] if sarif else None)
    except OSError as error:
        say(f"error: could not write the step outputs: {error}")
        status = EXIT_ERROR
    return status


def _client(target: Target, token: Token, say: Callable[[str], None]) -> client.Client:
    """The one client of the run (its retries and deadline cover every request); Refused
    without a token."""
    check_token(token)
    if not token:
        raise Refused("no GitHub token (pass --github-token or set GITHUB_TOKEN)")
    return client.Client(target.endpoint, token, client.POLICY, say)


def _not_posted(
    problem: GitHubError,
    outcome: Outcome,
    request: GitHubRequest,
    token: Token,
    say: Callable[[str], None],
) -> tuple[int, str]:
    """Say why there is no (complete) check run, print the fallback unless the check run exists;
    (the exit status, the note for the job summary)."""
    refused = isinstance(problem, Refused)
    headline = "no check run" if refused else "error: could not post the check run"
    fallback = not isinstance(problem, Incomplete)
    if fallback and ("github", None) not in request.reports:
        sys.stdout.write(render("github", outcome, ReportContext()))
        sys.stdout.flush()
    say(f"{headline}: {problem}." + (f" {FALLBACK}." if fallback else ""))
    note = f"> ⚠️ **mergegate {headline}:** {markdown_text(token.scrub(str(problem)))}." + (
        f"\n>\n> {FALLBACK}." if fallback else ""
    )
    return (outcome.exit_code if refused else EXIT_ERROR), note


def _logger(token: Token) -> Callable[[str], None]:
    def say(message: str) -> None:
        """One line in the log: token removed, nothing in it can start a workflow command."""
        sys.stderr.write(f"mergegate: {workflow_data(token.scrub(message))}\n")
        sys.stderr.flush()

    return say


def rebased(outcome: Outcome, root: str) -> Outcome:
    """The outcome with every finding's path relative to `root` (paths come relative to the
    current directory), as GitHub wants annotation paths and links."""
    cwd = os.path.realpath(os.curdir)

    def moved(item: Item) -> Item:
        return item.moved(
            item.finding.relocated(lambda path: display(os.path.join(cwd, path), root))
        )

    return outcome.with_items([moved(item) for item in outcome.items])
