"""A local stand-in for GitHub's REST API (check runs), for tests: no test talks to the internet.

An HTTP server on 127.0.0.1 in a thread. Every request is routed by GitHub's OpenAPI description
(tests/data/github-openapi-subset.json, copied from ../shared/github-api/ with its source note) and
its JSON body validated against the operation's `requestBody` schema; a request that does not
validate is answered 422, as GitHub would, and recorded in `violations`. Beyond the schema it
enforces what GitHub enforces and the schema cannot say: the summary's 65535 limit in UTF-8 bytes.
Answers are what GitHub sends (201 with the check run on create, 200 on update, JSON content type),
and are themselves validated against the operation's response schema, so the stand-in cannot
drift from GitHub's format unnoticed. Updates append annotations, as GitHub does.

Misbehaviour is scripted: `token` (every request must carry it), `always` (a failure answered to
every request: a read-only token's 403, a permanent 422) and `failures` (answered to the next
requests, one each, `None` for a normal answer: 5xx, secondary rate limits). `prefix` serves the
API under a path, as GitHub Enterprise Server does (`/api/v3`).
"""

from __future__ import annotations

import json
import re
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, Optional

from jsonschema import Draft7Validator

SPEC = json.loads((Path(__file__).parent / "data" / "github-openapi-subset.json").read_text())
SUMMARY_BYTES = 65535
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
    request: Draft7Validator
    responses: dict[int, Draft7Validator]


def _operations() -> list[Operation]:
    found = []
    for template, methods in SPEC["paths"].items():
        pattern = re.compile(re.sub(r"\\\{(\w+)\\\}", r"(?P<\1>[^/]+)", re.escape(template)) + "$")
        for method, operation in methods.items():
            body = operation["requestBody"]["content"]["application/json"]["schema"]
            responses = {
                int(status): Draft7Validator(
                    json_schema(answer["content"]["application/json"]["schema"])
                )
                for status, answer in operation["responses"].items()
                if "content" in answer
            }
            found.append(
                Operation(
                    method.upper(),
                    pattern,
                    operation["operationId"],
                    Draft7Validator(json_schema(body)),
                    responses,
                )
            )
    return found


OPERATIONS = _operations()


@dataclass
class Failure:
    """An error answer: status, GitHub's message, extra headers."""

    status: int
    message: str
    headers: dict[str, str] = field(default_factory=dict)

    def body(self) -> dict[str, object]:
        return {"message": self.message, "documentation_url": DOCS, "status": str(self.status)}


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


class StandIn:
    """The server; use as a context manager. `url` is the API base URL (GITHUB_API_URL)."""

    def __init__(self, token: Optional[str] = None, prefix: str = "") -> None:
        self.token = token
        self.prefix = prefix
        self.always: Optional[Failure] = None
        self.failures: list[Optional[Failure]] = []
        self.requests: list[Recorded] = []
        self.violations: list[str] = []
        self.check_runs: dict[int, dict[str, Any]] = {}
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}{self.prefix}"

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
            status, answer, headers, operation, body = self._answer(request, raw)
            self.requests.append(
                Recorded(
                    request.command, request.path, operation, dict(request.headers), body, status
                )
            )
        payload = json.dumps(answer).encode()
        request.send_response(status)
        request.send_header("Content-Type", "application/json; charset=utf-8")
        request.send_header("X-GitHub-Media-Type", "github.v3; format=json")
        request.send_header("Content-Length", str(len(payload)))
        for name, value in headers.items():
            request.send_header(name, value)
        request.end_headers()
        request.wfile.write(payload)

    def _answer(
        self, request: BaseHTTPRequestHandler, raw: bytes
    ) -> tuple[int, Any, dict[str, str], str, Any]:
        path = request.path.split("?")[0]
        if not path.startswith(self.prefix):
            self.violations.append(f"{request.command} {path}: outside {self.prefix}")
            return 404, {"message": "Not Found", "documentation_url": DOCS}, {}, "", None
        path = path[len(self.prefix) :]
        for operation in OPERATIONS:
            match = operation.pattern.match(path)
            if match and operation.method == request.command:
                break
        else:
            self.violations.append(f"{request.command} {path}: not an operation mergegate uses")
            return 404, {"message": "Not Found", "documentation_url": DOCS}, {}, "", None
        try:
            body = json.loads(raw)
        except ValueError:
            self.violations.append(f"{operation.operation_id}: body is not JSON")
            return 400, {"message": "Problems parsing JSON"}, {}, operation.operation_id, None
        if self.token is not None and request.headers.get("Authorization") not in (
            f"token {self.token}",
            f"Bearer {self.token}",
        ):
            return 401, {"message": "Bad credentials"}, {}, operation.operation_id, body
        if not request.headers.get("Content-Type", "").startswith("application/json"):
            self.violations.append(f"{operation.operation_id}: Content-Type is not JSON")
        errors = [error.message for error in operation.request.iter_errors(body)]
        summary = (body.get("output") or {}).get("summary", "") if isinstance(body, dict) else ""
        if len(summary.encode("utf-8")) > SUMMARY_BYTES:
            errors.append(f"summary exceeds a maximum bytesize of {SUMMARY_BYTES}")
        if errors:
            self.violations.extend(f"{operation.operation_id}: {error}" for error in errors)
            return 422, {"message": "Invalid request.", "errors": errors}, {}, "", body
        failure = self.always or (self.failures.pop(0) if self.failures else None)
        if failure is not None:
            return failure.status, failure.body(), failure.headers, operation.operation_id, body
        run: Optional[dict[str, Any]]
        if operation.operation_id == "checks/create":
            run = self._create(match["owner"], match["repo"], body)
            status = 201
        else:
            run = self.check_runs.get(int(match["check_run_id"]))
            if run is None:
                return 404, {"message": "Not Found"}, {}, operation.operation_id, body
            self._update(run, body)
            status = 200
        answer = self._check_run_json(run)
        for error in operation.responses[status].iter_errors(answer):
            self.violations.append(f"the stand-in's own answer: {error.message}")
        return status, answer, {}, operation.operation_id, body

    def _create(self, owner: str, repo: str, body: dict[str, Any]) -> dict[str, Any]:
        number = len(self.check_runs) + 1
        run = {
            "id": number,
            "owner": owner,
            "repo": repo,
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
        return run

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
