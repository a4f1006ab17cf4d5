"""A local stand-in for GitHub's REST API, for tests: no test talks to the internet.

An HTTP server on 127.0.0.1 in a thread. Every request is routed by GitHub's OpenAPI description
(tests/data/github-openapi-subset.json, copied from ../shared/github-api/ with its source note):
an operation that takes a body must get JSON that validates against its `requestBody` schema, one
that takes none must get none; a request that does not validate is answered 422, as GitHub would,
and recorded in `violations`. Beyond the schema it enforces what GitHub enforces and the schema
cannot say: the summary's 65535 limit in UTF-8 bytes. Answers are what GitHub sends (201 with the
check run on create, 200 on update, JSON content type), and are themselves validated against the
operation's response schema, so the stand-in cannot drift from GitHub's format unnoticed. Updates
append annotations, as GitHub does.

It serves the operations in `HANDLERS`: the check run's, and a pull request's (its files, given
by `pull_request`; reviews and their comments, refused off the diff as GitHub refuses them;
issue comments, created and updated); any other operation of the description is answered 501
and recorded in `violations`, so a new request mergegate makes fails its test until the stand-in
learns it (a handler in `HANDLERS`, answering from state it keeps). List operations are paged by
`per_page` and `page`; other query parameters are violations.

Misbehaviour is scripted: `token` (every request must carry it), `always` (an answer given to
every request) and `failures` (given to the next requests, one each, `None` for a normal answer).
An answer is a `Failure` (GitHub's JSON error: 5xx, a read-only token's 403, rate limits), a `Raw`
one (any status, body, content type and length: an HTML page, `{}`, a redirect, an answer cut
short), or a `Trickle` (the
normal answer, its first bytes sent one at a time, slowly). `prefix` serves the API under a path,
as GitHub Enterprise Server does (`/api/v3`); `tls` serves it over HTTPS.
"""

from __future__ import annotations

import json
import re
import ssl
import threading
import time
from dataclasses import dataclass, field
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, Callable, Optional, Union

from jsonschema import Draft7Validator

SPEC = json.loads((Path(__file__).parent / "data" / "github-openapi-subset.json").read_text())
SUMMARY_BYTES = 65535
COMMENT_CHARS = 65536
BOT = "github-actions[bot]"
SERVER_URL = "https://github.example"
DOCS = "https://docs.github.com/rest/checks/runs"


def json_schema(node: Any) -> Any:
    """An OpenAPI 3.0 schema as JSON Schema: `nullable: true` becomes a `null` alternative."""
    if isinstance(node, list):
        return [json_schema(child) for child in node]
    if not isinstance(node, dict):
        return node
    converted = {key: json_schema(value) for key, value in node.items() if key != "nullable"}
    if node.get("nullable") is True:
        if "enum" in converted:
            converted["enum"] = [*converted["enum"], None]
        if "type" in converted:
            converted["type"] = [converted["type"], "null"]
        else:
            converted = {"anyOf": [converted, {"type": "null"}]}
    return converted


@dataclass
class Operation:
    method: str
    pattern: re.Pattern[str]
    operation_id: str
    request: Optional[Draft7Validator]
    """The body's schema; None for an operation that takes no body."""
    responses: dict[int, Draft7Validator]


def _operations() -> list[Operation]:
    found = []
    for template, methods in SPEC["paths"].items():
        pattern = re.compile(re.sub(r"\\\{(\w+)\\\}", r"(?P<\1>[^/]+)", re.escape(template)) + "$")
        for method, operation in methods.items():
            body = operation.get("requestBody")
            request = None
            if body is not None:
                request = Draft7Validator(
                    json_schema(body["content"]["application/json"]["schema"])
                )
            responses = {
                int(status): Draft7Validator(
                    json_schema(answer["content"]["application/json"]["schema"])
                )
                for status, answer in operation["responses"].items()
                if "application/json" in answer.get("content", {})
            }
            found.append(
                Operation(method.upper(), pattern, operation["operationId"], request, responses)
            )
    return found


OPERATIONS = _operations()


@dataclass
class Failure:
    """An error answer as GitHub gives it: status, GitHub's message, extra headers."""

    status: int
    message: str
    headers: dict[str, str] = field(default_factory=dict)

    def raw(self) -> Raw:
        body = {"message": self.message, "documentation_url": DOCS, "status": str(self.status)}
        return Raw(self.status, json.dumps(body).encode(), headers=self.headers)


@dataclass
class Raw:
    """Any answer: status, body, content type, extra headers."""

    status: int
    body: bytes = b""
    content_type: str = "application/json; charset=utf-8"
    headers: dict[str, str] = field(default_factory=dict)
    length: Optional[int] = None
    """The Content-Length announced, when not the body's (an answer cut short)."""

    def raw(self) -> Raw:
        return self


@dataclass
class Trickle:
    """The normal answer, its first `count` bytes (the status line first) sent one at a time,
    `delay` seconds apart: a server (or a proxy) that keeps a connection alive, barely."""

    delay: float
    count: int


Scripted = Union[Failure, Raw, Trickle]

READ_ONLY = Failure(403, "Resource not accessible by integration")
"""What GitHub answers a token without `checks: write` (a pull request from a fork)."""

SECONDARY_LIMIT = (
    "You have exceeded a secondary rate limit. Please wait a few minutes before you try again."
)


@dataclass
class Recorded:
    method: str
    path: str
    operation: str
    headers: dict[str, str]
    body: Any
    status: int


Handler = Callable[["StandIn", dict[str, str], Any], tuple[int, Any]]


class StandIn:
    """The server; use as a context manager. `url` is the API base URL (GITHUB_API_URL)."""

    def __init__(
        self, token: Optional[str] = None, prefix: str = "", tls: Optional[ssl.SSLContext] = None
    ) -> None:
        self.token = token
        self.prefix = prefix
        self.scheme = "http" if tls is None else "https"
        self.always: Optional[Scripted] = None
        self.failures: list[Optional[Scripted]] = []
        self.requests: list[Recorded] = []
        self.violations: list[str] = []
        self.check_runs: dict[int, dict[str, Any]] = {}
        self.pull_files: dict[int, list[dict[str, Any]]] = {}
        """Each pull request's files, as `pulls/list-files` gives them (`pull_request`)."""
        self.reviews: list[dict[str, Any]] = []
        self.review_comments: list[dict[str, Any]] = []
        self.issue_comments: list[dict[str, Any]] = []
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        if tls is not None:
            self._server.socket = tls.wrap_socket(self._server.socket, server_side=True)
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    @property
    def url(self) -> str:
        return f"{self.scheme}://127.0.0.1:{self._server.server_address[1]}{self.prefix}"

    def __enter__(self) -> StandIn:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join()

    def annotations(self) -> list[dict[str, Any]]:
        """Every annotation of the only check run."""
        (run,) = self.check_runs.values()
        annotations: list[dict[str, Any]] = run["annotations"]
        return annotations

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        standin = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self) -> None:
                standin._serve(self)

            do_PATCH = do_GET = do_PUT = do_DELETE = do_POST

            def log_message(self, format: str, *args: object) -> None:
                """Quiet: requests are recorded, not logged."""

        return Handler

    def _serve(self, request: BaseHTTPRequestHandler) -> None:
        length = int(request.headers.get("Content-Length") or 0)
        raw = request.rfile.read(length)
        with self._lock:
            answer, operation, body, trickle = self._answer(request, raw)
            self.requests.append(
                Recorded(
                    request.command,
                    request.path,
                    operation,
                    dict(request.headers),
                    body,
                    answer.status,
                )
            )
        head = [f"HTTP/1.1 {answer.status} {_phrase(answer.status)}"]
        length = len(answer.body) if answer.length is None else answer.length
        head.append(f"Content-Length: {length}")
        if answer.content_type:
            head.append(f"Content-Type: {answer.content_type}")
        head += ["X-GitHub-Media-Type: github.v3; format=json", "Connection: close"]
        head += [f"{name}: {value}" for name, value in answer.headers.items()]
        data = ("\r\n".join(head) + "\r\n\r\n").encode("latin-1") + answer.body  # as HTTP
        request.close_connection = True
        try:
            if trickle is not None:
                for index in range(min(trickle.count, len(data))):
                    request.wfile.write(data[index : index + 1])
                    request.wfile.flush()
                    time.sleep(trickle.delay)
                data = data[trickle.count :]
            request.wfile.write(data)
        except OSError:  # the client gave up (as it should, on a trickle)
            pass

    def _answer(
        self, request: BaseHTTPRequestHandler, raw: bytes
    ) -> tuple[Raw, str, Any, Optional[Trickle]]:
        path, _, query = request.path.partition("?")
        if not path.startswith(self.prefix):
            self.violations.append(f"{request.command} {path}: outside {self.prefix}")
            return _error(404, "Not Found"), "", None, None
        path = path[len(self.prefix) :]
        for operation in OPERATIONS:
            match = operation.pattern.match(path)
            if match and operation.method == request.command:
                break
        else:
            self.violations.append(f"{request.command} {path}: not an operation of GitHub's API")
            return _error(404, "Not Found"), "", None, None
        name = operation.operation_id
        body: Any = None
        if operation.request is None:
            if raw:
                self.violations.append(f"{name}: a body for an operation that takes none")
        else:
            try:
                body = json.loads(raw)
            except ValueError:
                self.violations.append(f"{name}: body is not JSON")
                return _error(400, "Problems parsing JSON"), name, None, None
            if not request.headers.get("Content-Type", "").startswith("application/json"):
                self.violations.append(f"{name}: Content-Type is not JSON")
        if self.token is not None and request.headers.get("Authorization") not in (
            f"token {self.token}",
            f"Bearer {self.token}",
        ):
            return _error(401, "Bad credentials"), name, body, None
        errors = self._invalid(operation, body)
        if errors:
            self.violations.extend(f"{name}: {error}" for error in errors)
            invalid = {"message": "Invalid request.", "errors": errors}
            return Raw(422, json.dumps(invalid).encode()), "", body, None
        scripted = self.always or (self.failures.pop(0) if self.failures else None)
        if scripted is not None and not isinstance(scripted, Trickle):
            return scripted.raw(), name, body, None
        handler = HANDLERS.get(name)
        if handler is None:
            self.violations.append(f"{name}: not served by the stand-in")
            return _error(501, "Not Implemented"), name, body, None
        where = match.groupdict()
        for pair in filter(None, query.split("&")):
            name, _, value = pair.partition("=")
            if name not in ("per_page", "page") or not value.isdigit():
                self.violations.append(f"{name}: a query parameter mergegate has no use for")
            where[f"?{name}"] = value
        status, answer = handler(self, where, body)
        if status in operation.responses:
            for error in operation.responses[status].iter_errors(answer):
                self.violations.append(f"the stand-in's own answer: {error.message}")
        return Raw(status, json.dumps(answer).encode()), name, body, scripted

    def _invalid(self, operation: Operation, body: Any) -> list[str]:
        if operation.request is None:
            return []
        errors = [error.message for error in operation.request.iter_errors(body)]
        summary = (body.get("output") or {}).get("summary", "") if isinstance(body, dict) else ""
        if len(summary.encode("utf-8")) > SUMMARY_BYTES:
            errors.append(f"summary exceeds a maximum bytesize of {SUMMARY_BYTES}")
        texts = [body.get("body", "")] if isinstance(body, dict) else []
        texts += [c.get("body", "") for c in (body or {}).get("comments", [])] if texts else []
        if any(len(str(text)) > COMMENT_CHARS for text in texts):
            errors.append(f"body is too long (maximum is {COMMENT_CHARS} characters)")
        return errors

    # --- check runs ------------------------------------------------------------------------

    def create_check_run(self, where: dict[str, str], body: dict[str, Any]) -> tuple[int, Any]:
        number = len(self.check_runs) + 1
        run = {
            "id": number,
            "owner": where["owner"],
            "repo": where["repo"],
            "name": body["name"],
            "head_sha": body["head_sha"],
            "status": body.get("status", "queued"),
            "conclusion": body.get("conclusion"),
            "output": {"title": None, "summary": None, "text": None},
            "annotations": [],
        }
        if "conclusion" in body:  # "Providing conclusion will automatically set status"
            run["status"] = "completed"
        self.check_runs[number] = run
        self._update(run, body)
        return 201, self._check_run_json(run)

    def update_check_run(self, where: dict[str, str], body: dict[str, Any]) -> tuple[int, Any]:
        run = self.check_runs.get(int(where["check_run_id"]))
        if run is None:
            return 404, {"message": "Not Found", "documentation_url": DOCS}
        self._update(run, body)
        return 200, self._check_run_json(run)

    def _update(self, run: dict[str, Any], body: dict[str, Any]) -> None:
        for key in ("name", "status", "conclusion"):
            if key in body:
                run[key] = body[key]
        output = body.get("output") or {}
        for key in ("title", "summary", "text"):
            if key in output:
                run["output"][key] = output[key]
        run["annotations"].extend(output.get("annotations", []))

    def _check_run_json(self, run: dict[str, Any]) -> dict[str, Any]:
        api = f"{self.url}/repos/{run['owner']}/{run['repo']}/check-runs/{run['id']}"
        timestamp = "2024-05-04T01:14:52Z"
        return {
            "id": run["id"],
            "node_id": f"CR_{run['id']}",
            "head_sha": run["head_sha"],
            "external_id": "",
            "url": api,
            "html_url": f"{SERVER_URL}/{run['owner']}/{run['repo']}/runs/{run['id']}",
            "details_url": f"{SERVER_URL}/{run['owner']}/{run['repo']}/actions/runs/1",
            "status": run["status"],
            "conclusion": run["conclusion"],
            "started_at": timestamp,
            "completed_at": timestamp if run["status"] == "completed" else None,
            "output": {
                **run["output"],
                "annotations_count": len(run["annotations"]),
                "annotations_url": f"{api}/annotations",
            },
            "name": run["name"],
            "check_suite": {"id": 1},
            "app": None,
            "pull_requests": [],
        }

    # --- pull requests: files, reviews, review comments, issue comments ----------------------

    def pull_request(self, number: int, patches: dict[str, Optional[str]]) -> None:
        """Pull request `number` changes these files: each with its patch (None: none shown)."""
        files = []
        for name, patch in patches.items():
            entry = {
                "sha": "0" * 40,
                "filename": name,
                "status": "modified",
                "additions": 0,
                "deletions": 0,
                "changes": 0,
                "blob_url": f"{SERVER_URL}/blob/{name}",
                "raw_url": f"{SERVER_URL}/raw/{name}",
                "contents_url": f"{self.url}/contents/{name}",
            }
            if patch is not None:
                entry["patch"] = patch
            files.append(entry)
        self.pull_files[number] = files

    def list_pull_files(self, where: dict[str, str], body: Any) -> tuple[int, Any]:
        return 200, _page(self.pull_files.get(int(where["pull_number"]), []), where)

    def list_review_comments(self, where: dict[str, str], body: Any) -> tuple[int, Any]:
        number = int(where["pull_number"])
        comments = [c for c in self.review_comments if c["_number"] == number]
        return 200, _page([_public(c) for c in comments], where)

    def create_review(self, where: dict[str, str], body: dict[str, Any]) -> tuple[int, Any]:
        """A review with its comments; 422 for a comment off the pull request's diff, as GitHub
        refuses it ("Line could not be resolved")."""
        number = int(where["pull_number"])
        files = {f["filename"]: f.get("patch") for f in self.pull_files.get(number, [])}
        for comment in body.get("comments", []):
            problem = _off_the_diff(comment, files)
            if problem:
                self.violations.append(f"pulls/create-review: {problem}")
                failure = {
                    "message": "Unprocessable Entity",
                    "errors": ["Line could not be resolved"],
                }
                return 422, {**failure, "documentation_url": DOCS}
        review_id = len(self.reviews) + 1
        url = f"{self.url}/repos/{where['owner']}/{where['repo']}/pulls/{number}"
        review = {
            "id": review_id,
            "node_id": f"PRR_{review_id}",
            "user": _user(),
            "body": body.get("body", ""),
            "state": "COMMENTED",
            "html_url": f"{SERVER_URL}/pull/{number}#pullrequestreview-{review_id}",
            "pull_request_url": url,
            "_links": {"html": {"href": url}, "pull_request": {"href": url}},
            "submitted_at": "2024-05-04T01:14:52Z",
            "commit_id": body.get("commit_id"),
            "author_association": "NONE",
        }
        self.reviews.append({**review, "_number": number, "_event": body.get("event")})
        for comment in body.get("comments", []):
            comment_id = len(self.review_comments) + 1
            self.review_comments.append(
                {
                    "url": f"{url}/comments/{comment_id}",
                    "id": comment_id,
                    "node_id": f"PRRC_{comment_id}",
                    "pull_request_review_id": review_id,
                    "diff_hunk": "@@",
                    "path": comment["path"],
                    "commit_id": body.get("commit_id", ""),
                    "original_commit_id": body.get("commit_id", ""),
                    "user": _user(),
                    "body": comment["body"],
                    "created_at": "2024-05-04T01:14:52Z",
                    "updated_at": "2024-05-04T01:14:52Z",
                    "html_url": f"{SERVER_URL}/pull/{number}#discussion_r{comment_id}",
                    "pull_request_url": url,
                    "author_association": "NONE",
                    "_links": {
                        "self": {"href": url},
                        "html": {"href": url},
                        "pull_request": {"href": url},
                    },
                    "start_line": comment.get("start_line"),
                    "original_start_line": comment.get("start_line"),
                    "start_side": comment.get("start_side"),
                    "line": comment.get("line"),
                    "original_line": comment.get("line"),
                    "side": comment.get("side", "RIGHT"),
                    "_number": number,
                }
            )
        return 200, review

    def list_issue_comments(self, where: dict[str, str], body: Any) -> tuple[int, Any]:
        number = int(where["issue_number"])
        comments = [c for c in self.issue_comments if c["_number"] == number]
        return 200, _page([_public(c) for c in comments], where)

    def create_issue_comment(self, where: dict[str, str], body: dict[str, Any]) -> tuple[int, Any]:
        number = int(where["issue_number"])
        comment_id = 1000 + len(self.issue_comments)
        url = f"{self.url}/repos/{where['owner']}/{where['repo']}/issues/comments/{comment_id}"
        comment = {
            "id": comment_id,
            "node_id": f"IC_{comment_id}",
            "url": url,
            "body": body["body"],
            "html_url": f"{SERVER_URL}/pull/{number}#issuecomment-{comment_id}",
            "issue_url": f"{self.url}/repos/{where['owner']}/{where['repo']}/issues/{number}",
            "user": _user(),
            "created_at": "2024-05-04T01:14:52Z",
            "updated_at": "2024-05-04T01:14:52Z",
            "author_association": "NONE",
            "_number": number,
            "_edits": 0,
        }
        self.issue_comments.append(comment)
        return 201, _public(comment)

    def update_issue_comment(self, where: dict[str, str], body: dict[str, Any]) -> tuple[int, Any]:
        for comment in self.issue_comments:
            if comment["id"] == int(where["comment_id"]):
                comment["body"] = body["body"]
                comment["_edits"] += 1
                return 200, _public(comment)
        return 404, {"message": "Not Found", "documentation_url": DOCS}


def _public(record: dict[str, Any]) -> dict[str, Any]:
    """A record as GitHub shows it: without the stand-in's own keys (`_number`...)."""
    return {key: value for key, value in record.items() if key == "_links" or key[0] != "_"}


def _page(items: list[Any], where: dict[str, str]) -> list[Any]:
    per_page = int(where.get("?per_page", "30"))
    page = int(where.get("?page", "1"))
    return items[(page - 1) * per_page : page * per_page]


def _user() -> dict[str, Any]:
    api = f"https://api.github.example/users/{BOT}"
    user: dict[str, Any] = {
        "login": BOT,
        "id": 41898282,
        "node_id": "MDM6Qm90NDE4OTgyODI=",
        "avatar_url": "https://avatars.example/u/41898282",
        "gravatar_id": "",
        "url": api,
        "html_url": f"{SERVER_URL}/apps/github-actions",
        "type": "Bot",
        "site_admin": False,
    }
    for name in ("followers", "following", "gists", "starred", "subscriptions"):
        user[f"{name}_url"] = f"{api}/{name}"
    for name in ("organizations", "repos", "events", "received_events"):
        user[f"{name}_url"] = f"{api}/{name}"
    return user


def diff_lines(patch: str) -> list[set[int]]:
    """The new side's line numbers of each hunk of a patch (added and context lines)."""
    hunks: list[set[int]] = []
    line = 0
    for text in patch.split("\n"):
        header = re.match(r"@@ -\d+(?:,\d+)? \+(\d+)", text)
        if header:
            line = int(header.group(1))
            hunks.append(set())
        elif hunks and (text.startswith((" ", "+")) or not text):
            hunks[-1].add(line)
            line += 1
    return hunks


def _off_the_diff(comment: dict[str, Any], files: dict[str, Optional[str]]) -> str:
    """Why GitHub would refuse a review comment's place, or ""."""
    path, line = comment.get("path"), comment.get("line")
    if path not in files or files[path] is None:
        return f"{path}: not a file of the pull request's diff"
    start = comment.get("start_line", line)
    for hunk in diff_lines(files[path] or ""):
        if line in hunk and start in hunk and (start is None or start <= line):
            return ""
    return f"{path}:{start}-{line}: not lines of one hunk of the diff"


def _phrase(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Unknown"


def _error(status: int, message: str) -> Raw:
    return Failure(status, message).raw()


HANDLERS: dict[str, Handler] = {
    "checks/create": StandIn.create_check_run,
    "checks/update": StandIn.update_check_run,
    "pulls/list-files": StandIn.list_pull_files,
    "pulls/list-review-comments": StandIn.list_review_comments,
    "pulls/create-review": StandIn.create_review,
    "issues/list-comments": StandIn.list_issue_comments,
    "issues/create-comment": StandIn.create_issue_comment,
    "issues/update-comment": StandIn.update_issue_comment,
}
"""The operations the stand-in serves, by operation id: (status, JSON answer) from its state."""
