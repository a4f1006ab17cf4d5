"""What GitHub Actions says about this run (environment variables and the event's payload),
validated: every value that reaches a URL, a path or a request is checked before it is used.

Two parts, read separately because they fail separately: the step's files (job summary, outputs),
which are written whatever else goes wrong, and the target of the check run (API, repository,
commit, token), which a bad environment makes unreachable: then the findings go out as workflow
commands, and the run exits 2 saying which variable is wrong.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Optional
from urllib.parse import quote

from mergegate.gates.discover import git_toplevel
from mergegate.gates.github.errors import GitHubError
from mergegate.gates.github.secret import Token
from mergegate.gates.github.transport import Endpoint
from mergegate.hooks.finding import Finding

PULL_REQUEST_EVENTS = frozenset(
    {"pull_request", "pull_request_target", "pull_request_review", "pull_request_review_comment"}
)
"""Events whose `GITHUB_SHA` is not the pull request's head commit (the merge commit, or the base
branch's head for `pull_request_target`): the head is `pull_request.head.sha` in the payload."""

NAME = re.compile(r"[A-Za-z0-9_.-]+")
COMMIT = re.compile(r"[0-9a-f]{40}(?:[0-9a-f]{24})?")
"""A SHA-1 or SHA-256 commit id."""


@dataclass(frozen=True)
class StepFiles:
    """The step's files: `$GITHUB_STEP_SUMMARY` and `$GITHUB_OUTPUT`, None when unset."""

    summary: Optional[str]
    outputs: Optional[str]

    @classmethod
    def from_environment(cls, environ: Mapping[str, str]) -> StepFiles:
        return cls(environ.get("GITHUB_STEP_SUMMARY") or None, environ.get("GITHUB_OUTPUT") or None)


@dataclass(frozen=True)
class Target:
    """Where the check run goes: the API, the repository and the commit checked."""

    endpoint: Endpoint
    server_url: str
    repository: str
    """`owner/name`, each part a plain name (never `.` or `..`)."""
    head_sha: str

    @classmethod
    def from_environment(cls, environ: Mapping[str, str]) -> Target:
        """GitHubError naming the variable for an environment no check run can be posted from."""
        repository = environ.get("GITHUB_REPOSITORY", "")
        parts = repository.split("/")
        if len(parts) != 2 or not all(NAME.fullmatch(p) and p not in (".", "..") for p in parts):
            raise GitHubError(
                f"--github needs GITHUB_REPOSITORY as owner/name, not {repository!r}"
                " (GitHub Actions sets it)"
            )
        api_url = _url(environ, "GITHUB_API_URL", "https://api.github.com")
        server_url = _url(environ, "GITHUB_SERVER_URL", "https://github.com")
        return cls(Endpoint.parse(api_url), server_url, repository, head_sha(environ))

    def link(self, finding: Finding) -> str:
        """The finding's line in the file at the checked commit, path percent-encoded."""
        path = quote(os.fsencode(finding.path), safe="/")
        url = f"{self.server_url}/{self.repository}/blob/{self.head_sha}/{path}"
        return f"{url}#L{finding.line}" if finding.line >= 1 else url


def _url(environ: Mapping[str, str], name: str, default: str) -> str:
    url = (environ.get(name) or default).rstrip("/")
    try:
        Endpoint.parse(url)
    except ValueError:
        raise GitHubError(f"--github needs {name} to be an http(s) URL, not {url!r}") from None
    return url


def head_sha(environ: Mapping[str, str]) -> str:
    """The commit to check: the pull request's head on pull request events, else GITHUB_SHA."""
    event = environ.get("GITHUB_EVENT_NAME", "")
    if event in PULL_REQUEST_EVENTS:
        where = f"the {event} event's payload (GITHUB_EVENT_PATH)"
        try:
            with open(environ.get("GITHUB_EVENT_PATH", ""), encoding="utf-8") as handle:
                payload: Any = json.load(handle)
        except (OSError, ValueError, RecursionError) as error:
            raise GitHubError(f"--github cannot read {where}: {error}") from None
        for key in ("pull_request", "head", "sha"):
            payload = payload.get(key) if isinstance(payload, dict) else None
        sha = payload if isinstance(payload, str) else ""
        where = f"pull_request.head.sha in {where}"
    else:
        sha = environ.get("GITHUB_SHA", "")
        where = "GITHUB_SHA"
    if not COMMIT.fullmatch(sha):
        raise GitHubError(f"--github needs a commit id in {where}, not {sha!r}")
    return sha


def pull_request_number(environ: Mapping[str, str]) -> Optional[int]:
    """The pull request's number on a pull request event (`pull_request.number` in the payload);
    None on other events. GitHubError when the payload says a pull request but not its number."""
    event = environ.get("GITHUB_EVENT_NAME", "")
    if event not in PULL_REQUEST_EVENTS:
        return None
    where = f"pull_request.number in the {event} event's payload (GITHUB_EVENT_PATH)"
    try:
        with open(environ.get("GITHUB_EVENT_PATH", ""), encoding="utf-8") as handle:
            payload: Any = json.load(handle)
    except (OSError, ValueError, RecursionError) as error:
        raise GitHubError(f"--review cannot read {where}: {error}") from None
    pull = payload.get("pull_request") if isinstance(payload, dict) else None
    number = pull.get("number") if isinstance(pull, dict) else None
    if type(number) is not int or number < 1:
        raise GitHubError(f"--review needs a pull request number in {where}, not {number!r}")
    return number


def token_of(given: Optional[str], environ: Mapping[str, str]) -> Token:
    """The token from the command line, else `GITHUB_TOKEN`, surrounding white space removed;
    `check_token` says whether it can be one."""
    return Token((given or environ.get("GITHUB_TOKEN") or "").strip())


def check_token(token: Token) -> None:
    """GitHubError (never showing the token) when it holds what no token holds: it would not be
    sent as it is, and could break the request's headers."""
    if any(not 33 <= ord(char) <= 126 for char in token.value):
        raise GitHubError(
            "the GitHub token holds characters no token has (spaces, line breaks or other"
            " control or non-ASCII characters); it is not printed"
        )


def repository_root(environ: Mapping[str, str], root: str) -> str:
    """The repository root on the runner, which paths sent to GitHub are relative to: the git top
    level, else `GITHUB_WORKSPACE`, else `root`."""
    workspace = environ.get("GITHUB_WORKSPACE")
    return git_toplevel(root) or os.path.realpath(workspace or root)
