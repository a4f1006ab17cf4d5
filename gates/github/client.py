"""mergegate's client for GitHub's REST API: requests retried by a visible policy, and an answer
taken only when it is what GitHub sends (a 2xx with JSON).

`Policy` is the whole retry policy, in one place:

- Bounds. Each request takes at most `request_seconds`, from connecting to the answer's last
  byte. Retrying stops when the next attempt could not start before `total_seconds` have passed
  since the first request, and a retry never runs past that moment; and at most `max_retries`
  retries are made in a run, whatever GitHub's headers say. A first attempt always has its full
  `request_seconds`: a run whose GitHub answers is never cut short because it has much to send.
- 5xx, no answer, a broken answer: retried after a backoff that doubles from `first_backoff` up to
  `max_backoff`, or after `Retry-After` when that is longer.
- Rate limits (429, or 403 with `Retry-After`, `x-ratelimit-remaining: 0` or a secondary rate limit
  message): `Retry-After`, else until `x-ratelimit-reset`, else `secondary_limit_wait` (REST API
  docs, "Rate limits for the REST API"); never less than the backoff, so a reset time already in
  the past cannot make the retries immediate.
- Not retried: other 4xx; a 3xx (no redirect is followed: a moved API is a configuration to fix,
  and the token must not follow it); a 2xx whose body is not JSON.
- Writes are spaced `seconds_between_writes` apart.

Every text from outside (GitHub's messages, a `Location`, an exception) is scrubbed of the token
before it is cut to length, and cut before it goes anywhere.
"""

from __future__ import annotations

import email.utils
import http.client
import json
import time
from dataclasses import dataclass
from datetime import timezone
from typing import Any, Callable, Optional
from urllib.parse import quote

from mergegate.gates.escape import clip
from mergegate.gates.github.errors import GitHubError, Refused
from mergegate.gates.github.secret import Token
from mergegate.gates.github.transport import Answer, Endpoint, exchange
from mergegate.hooks.finding import TOOL

HEADERS = {
    "Accept": "application/vnd.github+json",
    "X-GitHub-Api-Version": "2022-11-28",
    "User-Agent": TOOL,
}
"""Sent with every request: the media type and API version GitHub recommends (REST API docs,
"Getting started with the REST API"), and a User-Agent, which GitHub requires."""

MESSAGE_BYTES = 600
"""How much of a text from outside a message quotes."""

LONGEST_WAIT = 3600.0
"""The longest wait a header can ask for: primary rate limits are per hour (REST API docs, "Rate
limits for the REST API"), so a longer `Retry-After` or reset is not believed. Beyond the policy's
bounds anyway: the run gives up at once and says how long GitHub asked it to wait."""

REFUSED = "Resource not accessible by"
"""The start of GitHub's 403 message for a token without the permission (a fork's read-only
token: "Resource not accessible by integration")."""


@dataclass(frozen=True)
class Policy:
    """How hard mergegate tries to reach GitHub (see the module docstring)."""

    total_seconds: float = 120.0
    request_seconds: float = 30.0
    max_retries: int = 10
    first_backoff: float = 2.0
    max_backoff: float = 30.0
    secondary_limit_wait: float = 60.0
    """A secondary rate limit without `Retry-After` or `x-ratelimit-*`: "wait for at least one
    minute before retrying" (REST API docs, "Rate limits for the REST API")."""
    seconds_between_writes: float = 1.0
    """"Wait at least one second between each request" that writes (REST API docs, "Best practices
    for using the REST API")."""
    sleep: Callable[[float], None] = time.sleep
    clock: Callable[[], float] = time.monotonic
    """When to stop retrying, how long to wait: the monotonic clock."""
    now: Callable[[], float] = time.time
    """The wall clock, for `x-ratelimit-reset` and a `Retry-After` date."""


POLICY = Policy()
"""The policy a run uses; tests replace it with tiny delays and a fake clock."""


class Client:
    """Requests to one API endpoint with one token, under one policy for the whole run."""

    def __init__(
        self, endpoint: Endpoint, token: Token, policy: Policy, log: Callable[[str], None]
    ) -> None:
        self._endpoint = endpoint
        self._token = token
        self._policy = policy
        self._log = log
        self._deadline = policy.clock() + policy.total_seconds
        self._retries = 0
        self._last_write: Optional[float] = None

    def request(self, method: str, path: str, what: str, body: Optional[object] = None) -> Any:
        """The JSON GitHub answers (None for 204 No Content) to `method path`, retried by the
        policy. Refused when the token may not do it; GitHubError for anything else. `what` names
        the request in messages ("creating the check run")."""
        headers = {**HEADERS, "Authorization": f"token {self._token.value}"}
        payload = None
        if body is not None:
            payload = json.dumps(body).encode("ascii")
            headers["Content-Type"] = "application/json; charset=utf-8"
        backoff, attempts = self._policy.first_backoff, 0
        while True:
            seconds = self._seconds_for(retry=attempts > 0)
            attempts += 1
            try:
                answer = self._exchange(method, path, headers, payload, seconds)
            except (OSError, http.client.HTTPException) as error:
                problem = (
                    f"no answer from GitHub to {what}: {self._quote(str(error) or repr(error))}"
                )
                wait = backoff
            else:
                if 200 <= answer.status < 300:
                    return self._json(answer, what)
                problem, wait = self._failure(answer, what, backoff)
            self._allow_retry(problem, wait, attempts)
            self._log(f"{problem}; retrying in {wait:g}s")
            self._policy.sleep(wait)
            backoff = min(backoff * 2, self._policy.max_backoff)

    def _seconds_for(self, retry: bool) -> float:
        """A first attempt has its full time; a retry ends by the run's deadline."""
        seconds = self._policy.request_seconds
        return min(seconds, self._deadline - self._policy.clock()) if retry else seconds

    def _exchange(
        self,
        method: str,
        path: str,
        headers: dict[str, str],
        payload: Optional[bytes],
        seconds: float,
    ) -> Answer:
        writes = method != "GET"
        if writes and self._last_write is not None:
            wait = self._last_write + self._policy.seconds_between_writes - self._policy.clock()
            if wait > 0:
                self._policy.sleep(wait)
        try:
            return exchange(self._endpoint, method, path, headers, payload, seconds)
        finally:
            if writes:
                self._last_write = self._policy.clock()

    def _allow_retry(self, problem: str, wait: float, attempts: int) -> None:
        """GitHubError when the policy allows no retry now."""
        policy = self._policy
        if self._retries >= policy.max_retries:
            raise GitHubError(
                f"{problem}; gave up after {attempts} attempts (the {policy.max_retries} retries"
                " a run may make are spent)"
            )
        if policy.clock() + wait >= self._deadline:
            raise GitHubError(
                f"{problem}; gave up after {attempts} attempts (retries are bounded at"
                f" {policy.total_seconds:g}s, and the next would wait {wait:g}s)"
            )
        self._retries += 1

    def _json(self, answer: Answer, what: str) -> Any:
        if answer.status == 204:
            return None
        media = answer.headers.get("content-type", "").partition(";")[0].strip().lower()
        problem = f"GitHub answered {answer.status} to {what} with {self._described(answer)}"
        if media != "application/json" and not media.endswith("+json"):
            raise GitHubError(f"{problem}, not JSON")
        try:
            return json.loads(answer.body)
        except (ValueError, RecursionError):
            raise GitHubError(f"{problem}, which is not valid JSON") from None

    def _failure(self, answer: Answer, what: str, backoff: float) -> tuple[str, float]:
        """(the problem, the wait before retrying) for an answer that is not a success; raises
        when it is not worth a retry."""
        status = answer.status
        if 300 <= status < 400:
            location = self._quote(answer.headers.get("location", "nowhere"))
            raise GitHubError(
                f"GitHub answered {status} to {what}, a redirect to {location}, which mergegate"
                " does not follow (is GITHUB_API_URL the API's own URL?)"
            )
        message = self._message(answer)
        problem = f"GitHub answered {status} ({message}) to {what}"
        if status == 403 and message.startswith(REFUSED):
            raise Refused(problem)
        wait = self._wait(status, message, answer, backoff)
        if wait is None:
            raise GitHubError(problem)
        return problem, wait

    def _message(self, answer: Answer) -> str:
        """GitHub's message, with a 422's details; what the body is when it is not JSON."""
        try:
            data = json.loads(answer.body)
        except (ValueError, RecursionError):
            data = None
        if not isinstance(data, dict):
            return self._described(answer)
        message = str(data.get("message") or "no message")
        if data.get("errors"):
            message += ": " + json.dumps(data["errors"], ensure_ascii=False)
        return self._quote(message)

    def _described(self, answer: Answer) -> str:
        """What an answer that is not GitHub's JSON is: its type and size, never its text."""
        media = answer.headers.get("content-type", "").partition(";")[0].strip()
        return f"{self._quote(media) or 'no content type'} ({len(answer.body)} bytes)"

    def _quote(self, text: str) -> str:
        """Outside text for a message: the token scrubbed first, then on one line and cut."""
        return clip(" ".join(self._token.scrub(text).split()), MESSAGE_BYTES)

    def _wait(self, status: int, message: str, answer: Answer, backoff: float) -> Optional[float]:
        """Seconds to wait before retrying, or None when this answer is not worth a retry."""
        now = self._policy.now()
        retry_after = retry_after_seconds(answer.headers.get("retry-after"), now)
        if status >= 500:
            return max(retry_after or 0.0, backoff)
        exhausted = answer.headers.get("x-ratelimit-remaining") == "0"
        secondary = "secondary rate limit" in message.lower()
        limited = retry_after is not None or secondary or exhausted
        if status != 429 and not (status == 403 and limited):
            return None
        if retry_after is not None:
            return max(retry_after, backoff)
        reset = _whole_seconds(answer.headers.get("x-ratelimit-reset"))
        if exhausted and reset is not None:
            return max(min(reset - now, LONGEST_WAIT), backoff)
        return max(self._policy.secondary_limit_wait, backoff)


def retry_after_seconds(value: Optional[str], now: float) -> Optional[float]:
    """`Retry-After` (RFC 9110, section 10.2.3: whole seconds, or an HTTP date) in seconds from
    `now`, at most `LONGEST_WAIT`; None when absent or not one of those (`nan`, `-5`, `1.5e3`)."""
    if value is None:
        return None
    seconds = _whole_seconds(value)
    if seconds is None:
        try:
            date = email.utils.parsedate_to_datetime(value)
        except (TypeError, ValueError, IndexError, OverflowError):
            return None
        if date.tzinfo is None:  # `-0000`: UTC, source unknown (RFC 5322)
            date = date.replace(tzinfo=timezone.utc)
        seconds = max(date.timestamp() - now, 0.0)
    return min(seconds, LONGEST_WAIT)


def _whole_seconds(value: Optional[str]) -> Optional[float]:
    """A header of ASCII digits as a number (a long one as infinity); None for anything else."""
    if value is None:
        return None
    value = value.strip()
    if not (value.isascii() and value.isdigit()):
        return None
    return float(value) if len(value) <= 15 else float("inf")


def repository_path(repository: str, *segments: object) -> str:
    """`/repos/OWNER/NAME/...`, every segment percent-encoded."""
    owner, name = repository.split("/")
    parts = [owner, name, *(str(segment) for segment in segments)]
    return "/repos/" + "/".join(quote(part, safe="") for part in parts)
