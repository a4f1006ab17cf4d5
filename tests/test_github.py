"""`mergegate run --github` against a local stand-in for GitHub's API (tests/github_standin.py) that
validates every request against GitHub's OpenAPI description: the check run on the pull request's
head, annotation batches, summary limits, job summary, outputs, the fallback to workflow commands,
retries, and untrusted text (hostile file names, the token) staying data."""

from __future__ import annotations

import base64
import json
import os
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Optional
from urllib.parse import quote

import pytest
from github_standin import READ_ONLY, SECONDARY_LIMIT, Failure, Raw, StandIn, Trickle
from helpers import FakeTime, item, parse_workflow_command
from markdown_it import MarkdownIt

from mergegate.gates.annotations import (
    ANNOTATION_TEXT_BYTES,
    ANNOTATION_TITLE_BYTES,
    check_run_annotation,
)
from mergegate.gates.cli import main
from mergegate.gates.github import client
from mergegate.gates.github.checks import ANNOTATIONS_PER_REQUEST
from mergegate.gates.github.summary import JOB_SUMMARY_BYTES
from mergegate.gates.model import BASELINED
from mergegate.gates.reports.github import ANNOTATIONS_PER_LEVEL
from mergegate.gates.reports.markdown import CHECK_RUN_SUMMARY_BYTES

TOKEN = "ghs_MergegateRecognisableToken4711"
HEAD = "1" * 40
"""The pull request's head commit, from the event payload."""
MERGE = "2" * 40
"""GITHUB_SHA on a pull_request event: the merge commit, never the one to annotate."""
SERVER = "https://github.example"
BARE = "try:\n    work()\nexcept:\n    pass\n"
HOSTILE = "a,b:c%25\n::add-mask::x.py"


TEST_POLICY = {
    "total_seconds": 100.0,
    "request_seconds": 10.0,
    "max_retries": 100,
    "first_backoff": 1.0,
    "max_backoff": 8.0,
    "secondary_limit_wait": 60.0,
    "seconds_between_writes": 0.0,
}


@dataclass
class Result:
    code: int
    stdout: str
    stderr: str
    summary: str
    outputs: dict[str, str]

    def everything(self) -> str:
        return "\n".join([self.stdout, self.stderr, self.summary, json.dumps(self.outputs)])


@pytest.fixture
def standin() -> Any:
    with StandIn(token=TOKEN) as server:
        yield server


@pytest.fixture
def fake_time(monkeypatch: pytest.MonkeyPatch) -> FakeTime:
    fake = FakeTime()
    policy = client.Policy(**TEST_POLICY, sleep=fake.sleep, clock=fake.clock)  # type: ignore
    monkeypatch.setattr(client, "POLICY", policy)
    return fake


def actions_environment(tmp_path: Path, api_url: str) -> dict[str, str]:
    event = tmp_path / "event.json"
    event.write_text(json.dumps({"action": "synchronize", "pull_request": {"head": {"sha": HEAD}}}))
    return {
        "GITHUB_ACTIONS": "true",
        "GITHUB_API_URL": api_url,
        "GITHUB_SERVER_URL": SERVER,
        "GITHUB_REPOSITORY": "octo/demo",
        "GITHUB_SHA": MERGE,
        "GITHUB_EVENT_NAME": "pull_request",
        "GITHUB_EVENT_PATH": str(event),
        "GITHUB_STEP_SUMMARY": str(tmp_path / "step_summary.md"),
        "GITHUB_OUTPUT": str(tmp_path / "output.txt"),
        "GITHUB_WORKSPACE": str(tmp_path / "repo"),
        "GITHUB_TOKEN": TOKEN,
    }


@pytest.fixture
def repo(
    repo: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    standin: StandIn,
    fake_time: FakeTime,
) -> Path:
    """The shared git repository as the runner's workspace, and the Actions environment pointing
    at the stand-in (any GITHUB_* of a real runner removed)."""
    for name in list(os.environ):
        if name.startswith("GITHUB_"):
            monkeypatch.delenv(name)
    for name, value in actions_environment(tmp_path, standin.url).items():
        monkeypatch.setenv(name, value)
    return repo


def read_outputs(path: Path) -> dict[str, str]:
    """`$GITHUB_OUTPUT` read as the runner reads it: `name=value`, or `name<<DELIMITER` lines."""
    outputs: dict[str, str] = {}
    if not path.exists():
        return outputs
    lines = iter(path.read_text(encoding="utf-8", errors="surrogateescape").split("\n"))
    for line in lines:
        if not line:
            continue
        if "<<" in line and ("=" not in line or line.index("<<") < line.index("=")):
            name, delimiter = line.split("<<", 1)
            value = []
            for following in lines:
                if following == delimiter:
                    break
                value.append(following)
            else:
                raise AssertionError(f"no closing delimiter for {name}")
            outputs[name] = "\n".join(value)
        else:
            name, value_text = line.split("=", 1)
            outputs[name] = value_text
    return outputs


def gate(capsys: pytest.CaptureFixture[str], *args: str) -> Result:
    code = main(["run", "--github", *args])
    out, err = capsys.readouterr()
    summary = Path(os.environ["GITHUB_STEP_SUMMARY"])
    return Result(
        code,
        out,
        err,
        summary.read_text(encoding="utf-8") if summary.exists() else "",
        read_outputs(Path(os.environ["GITHUB_OUTPUT"])),
    )


def runner_commands(stdout: str) -> list[tuple[str, dict[str, str], str]]:
    """The workflow commands the Actions runner carries out from `stdout`: lines starting with
    `::`, except between `::stop-commands::TOKEN` and `::TOKEN::`."""
    commands = []
    stopped: Optional[str] = None
    for line in stdout.splitlines():
        stripped = line.strip()
        assert "##[" not in line, line  # the log viewer reads it even where commands are stopped
        if stopped is not None:
            if stripped == f"::{stopped}::":
                stopped = None
            continue
        if stripped.startswith("::"):
            command = parse_workflow_command(line)
            if command[0] == "stop-commands":
                stopped = command[2]
            else:
                commands.append(command)
    assert stopped is None, "commands stay stopped"
    return commands


def rendered(markdown: str) -> str:
    """Markdown as the reader sees it (HTML), so assertions need not know the escaping."""
    return MarkdownIt("commonmark").enable("table").render(markdown)


def creates_and_updates(standin: StandIn) -> list[tuple[str, int]]:
    return [
        (request.operation, len(request.body["output"].get("annotations", [])))
        for request in standin.requests
    ]


# --- the check run ---------------------------------------------------------------------------


def test_check_run_on_the_pull_request_head(
    repo: Path, standin: StandIn, capsys: pytest.CaptureFixture[str]
) -> None:
    (repo / "a.py").write_text("import os\n" + BARE + "print(os.sep)\n")
    result = gate(capsys)
    assert result.code == 1
    assert standin.violations == []
    (request,) = standin.requests  # lazy repository: no GET before the POST
    assert (request.method, request.path) == ("POST", "/repos/octo/demo/check-runs")
    body = request.body
    assert body["name"] == "mergegate"
    assert body["head_sha"] == HEAD
    assert (body["status"], body["conclusion"]) == ("completed", "failure")
    assert body["output"]["title"] == "Blocked: 1 P0, 0 P1, 1 P2, 0 P3 new; 1 blocking"
    summary = body["output"]["summary"]
    assert summary.startswith("## ❌ mergegate: blocked")
    assert f"]({SERVER}/octo/demo/blob/{HEAD}/a.py#L4)" in summary
    assert f"]({SERVER}/octo/demo/blob/{HEAD}/a.py#L6)" in summary
    assert body["output"]["annotations"] == [
        {
            "path": "a.py",
            "start_line": 4,
            "end_line": 4,
            "start_column": 1,
            "end_column": 7,
            "annotation_level": "failure",
            "title": "mergegate MG101 [P0]",
            "message": body["output"]["annotations"][0]["message"],
            "raw_details": "How to fix it: `mergegate rules MG101`, or"
            " https://github.com/mergegate/mergegate/blob/main/docs/rules.md#bare-except",
        },
        {
            "path": "a.py",
            "start_line": 6,
            "end_line": 6,
            "start_column": 1,
            "end_column": 6,
            "annotation_level": "notice",
            "title": "mergegate MG301 [P2]",
            "message": body["output"]["annotations"][1]["message"],
            "raw_details": "How to fix it: `mergegate rules MG301`, or"
            " https://github.com/mergegate/mergegate/blob/main/docs/rules.md#debug-print",
        },
    ]
    assert "bare 'except:'" in body["output"]["annotations"][0]["message"]
    assert "posted check run 'mergegate' (failure, 2 annotations)" in result.stderr


@pytest.mark.parametrize("event", ["pull_request_target", "pull_request_review"])
def test_other_pull_request_events_use_the_payload_head(
    repo: Path,
    standin: StandIn,
    event: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("GITHUB_EVENT_NAME", event)
    assert gate(capsys).code == 0
    assert standin.requests[0].body["head_sha"] == HEAD


def test_push_passes_with_success_on_github_sha_and_custom_name(
    repo: Path,
    standin: StandIn,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("GITHUB_EVENT_NAME", "push")
    monkeypatch.setenv("GITHUB_EVENT_PATH", "/nonexistent/not-read-on-push.json")
    (repo / "ok.py").write_text("x = 1\n")
    result = gate(capsys, "--check-name", "gate / python")
    assert result.code == 0
    (request,) = standin.requests
    body = request.body
    assert (body["name"], body["head_sha"], body["conclusion"]) == (
        "gate / python",
        MERGE,
        "success",
    )
    assert body["output"]["title"] == "Passed: 0 P0, 0 P1, 0 P2, 0 P3 new"
    assert body["output"]["annotations"] == []
    assert result.outputs["conclusion"] == "success"


def test_lower_tiers_pass_but_are_annotated_and_held_back_findings_are_notices(
    repo: Path, standin: StandIn, capsys: pytest.CaptureFixture[str]
) -> None:
    (repo / "a.py").write_text("print(1)\n" + BARE)
    assert main(["baseline", "--output", "baseline.json"]) == 0
    (repo / "a.py").write_text("print(1)\nprint(2)\n" + BARE)
    result = gate(capsys, "--baseline", "baseline.json")
    assert result.code == 0
    body = standin.requests[0].body
    assert body["conclusion"] == "success"
    assert body["output"]["title"] == "Passed: 0 P0, 0 P1, 1 P2, 0 P3 new"
    levels = [(a["title"], a["annotation_level"]) for a in body["output"]["annotations"]]
    assert levels == [
        ("mergegate MG301 [P2]", "notice"),
        ("mergegate MG101 [P0, baselined]", "notice"),
        ("mergegate MG301 [P2, baselined]", "notice"),
    ]
    assert "baseline.json" in body["output"]["annotations"][1]["raw_details"]


def test_an_error_concludes_failure_and_exits_2(
    repo: Path, standin: StandIn, capsys: pytest.CaptureFixture[str]
) -> None:
    (repo / "broken.py").symlink_to(repo / "missing.py")
    result = gate(capsys)
    assert result.code == 2
    body = standin.requests[0].body
    assert body["conclusion"] == "failure"
    assert body["output"]["title"] == "Error: 0 P0, 0 P1, 0 P2, 0 P3 new; 1 error"
    assert "mergegate: error: broken.py" in result.stderr
    assert result.outputs["conclusion"] == "failure"
    assert result.outputs["blocking"] == "false"


def test_120_findings_go_out_50_per_request(
    repo: Path, standin: StandIn, capsys: pytest.CaptureFixture[str]
) -> None:
    (repo / "many.py").write_text(BARE * 120)
    result = gate(capsys)
    assert result.code == 1
    assert standin.violations == []
    assert creates_and_updates(standin) == [
        ("checks/create", 50),
        ("checks/update", 50),
        ("checks/update", 20),
    ]
    assert [r.method for r in standin.requests] == ["POST", "PATCH", "PATCH"]
    assert standin.requests[1].path == "/repos/octo/demo/check-runs/1"
    lines = [annotation["start_line"] for annotation in standin.annotations()]
    assert lines == [3 + 4 * n for n in range(120)]  # all of them, in order, appended
    for request in standin.requests[1:]:  # an update keeps the title and summary
        assert (
            request.body["output"]["title"] == "Blocked: 120 P0, 0 P1, 0 P2, 0 P3 new; 120 blocking"
        )
        assert request.body["output"]["summary"] == standin.requests[0].body["output"]["summary"]
    assert "120 annotations" in result.stderr


def test_github_enterprise_api_url_with_a_path(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fake_time: FakeTime, capsys: Any
) -> None:
    with StandIn(token=TOKEN, prefix="/api/v3") as enterprise:
        (tmp_path / "repo").mkdir()
        (tmp_path / "repo" / "a.py").write_text(BARE * 51)
        for name, value in actions_environment(tmp_path, enterprise.url).items():
            monkeypatch.setenv(name, value)
        monkeypatch.chdir(tmp_path / "repo")
        assert gate(capsys).code == 1
    assert [r.path for r in enterprise.requests] == [
        "/api/v3/repos/octo/demo/check-runs",
        "/api/v3/repos/octo/demo/check-runs/1",
    ]
    assert enterprise.violations == []


# --- limits ----------------------------------------------------------------------------------


def test_summary_stays_within_65535_bytes_with_the_cut_note(
    repo: Path, standin: StandIn, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = repo / ("ü" * 60) / ("ß" * 60)  # long, multi-byte paths: long rows, long links
    folder.mkdir(parents=True)
    (folder / "m.py").write_text(BARE * 200)
    result = gate(capsys)
    assert result.code == 1
    assert standin.violations == []
    summary = standin.requests[0].body["output"]["summary"]
    assert 60000 < len(summary.encode("utf-8")) <= CHECK_RUN_SUMMARY_BYTES
    shown = summary.count("/blob/")
    assert 0 < shown < 200
    assert f"**{200 - shown} more findings not shown** ({200 - shown} P0)" in summary
    assert len(standin.annotations()) == 200  # every finding is still annotated
    assert result.summary.count("/blob/") == 200  # the job summary has room for all
    assert "not shown" not in result.summary


def test_job_summary_stays_within_what_is_left_of_1_mib(
    repo: Path, standin: StandIn, capsys: pytest.CaptureFixture[str]
) -> None:
    assert JOB_SUMMARY_BYTES == 1024 * 1024
    earlier = "x" * (JOB_SUMMARY_BYTES - 6000) + "\n"  # an earlier writer in this step
    Path(os.environ["GITHUB_STEP_SUMMARY"]).write_text(earlier)
    (repo / "m.py").write_text(BARE * 100)
    result = gate(capsys)
    assert result.code == 1
    assert result.summary.startswith(earlier)
    assert len(result.summary.encode("utf-8")) <= JOB_SUMMARY_BYTES
    assert "more findings not shown" in result.summary


def test_a_full_job_summary_takes_nothing_rather_than_too_much(
    repo: Path, standin: StandIn, capsys: pytest.CaptureFixture[str]
) -> None:
    """The fallback note does not fit in what is left: neither it nor the report is added."""
    standin.always = READ_ONLY
    earlier = "x" * (JOB_SUMMARY_BYTES - 20)  # an earlier writer in this step
    Path(os.environ["GITHUB_STEP_SUMMARY"]).write_text(earlier)
    (repo / "m.py").write_text(BARE)
    result = gate(capsys)
    assert result.code == 1
    assert result.summary == earlier
    assert result.stderr.count("the job summary is full") == 1
    assert [c for c, _, _ in runner_commands(result.stdout)] == ["error"]


def test_annotation_columns_lines_levels_and_field_limits() -> None:
    single = check_run_annotation(item("MG101", "a.py", 3, column=5, end_column=9))
    assert (single["start_line"], single["end_line"]) == (3, 3)
    assert (single["start_column"], single["end_column"]) == (5, 9)
    multi = check_run_annotation(item("MG401", "b.py", 7, column=5, end_line=9, end_column=2))
    assert (multi["start_line"], multi["end_line"]) == (7, 9)
    assert "start_column" not in multi and "end_column" not in multi
    unplaced = check_run_annotation(
        item("E999", "c.py", 0, column=0, end_line=0, end_column=0, tool="black")
    )
    assert (unplaced["start_line"], unplaced["end_line"]) == (1, 1)
    assert "start_column" not in unplaced
    held = check_run_annotation(item("MG101", state=BASELINED, reason="in baseline b.json"))
    assert held["annotation_level"] == "notice"
    assert held["raw_details"].startswith("in baseline b.json\nHow to fix it: `mergegate rules")
    long = check_run_annotation(item("F821", "é" * 300, tool="é" * 300, message="m" * 70000))
    assert len(long["title"].encode()) <= ANNOTATION_TITLE_BYTES  # type: ignore[union-attr]
    assert long["title"].endswith("…")  # type: ignore[union-attr]
    assert len(long["message"].encode()) <= ANNOTATION_TEXT_BYTES  # type: ignore[union-attr]
    assert ANNOTATIONS_PER_REQUEST == 50
    assert CHECK_RUN_SUMMARY_BYTES == 65535


# --- outputs ---------------------------------------------------------------------------------


def test_outputs_with_a_sarif_file_named_to_break_the_file_format(
    repo: Path, standin: StandIn, capsys: pytest.CaptureFixture[str]
) -> None:
    (repo / "a.py").write_text(BARE + "print(1)\nprint(2)\n")
    sarif = "out\nblocking=false\nx.sarif"
    result = gate(capsys, "--format", f"sarif:{sarif}", "--format", "text")
    assert result.code == 1
    assert result.outputs == {
        "p0": "1",
        "p1": "0",
        "p2": "2",
        "p3": "0",
        "total": "3",
        "blocking": "true",
        "conclusion": "failure",
        "sarif-file": sarif,
    }
    assert json.loads((repo / sarif).read_text())["version"] == "2.1.0"
    raw = Path(os.environ["GITHUB_OUTPUT"]).read_text()
    assert "p0=1\n" in raw and "sarif-file<<ghadelimiter_" in raw


def test_no_sarif_output_without_a_sarif_file(
    repo: Path, standin: StandIn, capsys: pytest.CaptureFixture[str]
) -> None:
    result = gate(capsys, "--format", "sarif")
    assert result.code == 0
    assert "sarif-file" not in result.outputs
    assert result.outputs["total"] == "0"


# --- the fallback ----------------------------------------------------------------------------


def test_read_only_token_falls_back_to_workflow_commands_and_still_blocks(
    repo: Path, standin: StandIn, capsys: pytest.CaptureFixture[str]
) -> None:
    standin.always = READ_ONLY
    (repo / "a.py").write_text("print(1)\n" + BARE)
    (repo / "b.py").write_text(BARE)
    result = gate(capsys)
    assert result.code == 1
    assert len(standin.requests) == 1  # a refusal is not retried
    commands = runner_commands(result.stdout)
    assert [(c, p.get("file"), p.get("line")) for c, p, _ in commands] == [
        ("error", "a.py", "4"),
        ("error", "b.py", "3"),
        ("notice", "a.py", "1"),
    ]
    assert result.stderr.count("no check run") == 1
    assert "Resource not accessible by integration" in result.stderr
    assert "no check run:</strong> GitHub answered 403 (Resource not" in rendered(result.summary)
    assert "permissions: checks: write" in rendered(result.summary)
    assert result.summary.count("/blob/") == 3  # the report follows the note
    assert result.outputs["conclusion"] == "failure"


def test_without_a_token_a_passing_run_passes_through_the_fallback(
    repo: Path, standin: StandIn, monkeypatch: pytest.MonkeyPatch, capsys: Any
) -> None:
    monkeypatch.delenv("GITHUB_TOKEN")
    (repo / "a.py").write_text("print(1)\n")
    result = gate(capsys)
    assert result.code == 0
    assert standin.requests == []
    assert [c for c, _, _ in runner_commands(result.stdout)] == ["notice"]
    assert "no GitHub token" in result.stderr
    assert "no GitHub token" in rendered(result.summary)


def test_fallback_commands_are_printed_once_with_the_github_format(
    repo: Path, standin: StandIn, capsys: pytest.CaptureFixture[str]
) -> None:
    standin.always = READ_ONLY
    (repo / "a.py").write_text(BARE)
    result = gate(capsys, "--format", "github")
    assert result.code == 1
    assert [c for c, _, _ in runner_commands(result.stdout)] == ["error"]


def test_fallback_keeps_p0_visible_beyond_ten_per_level(
    repo: Path, standin: StandIn, capsys: pytest.CaptureFixture[str]
) -> None:
    standin.always = READ_ONLY
    (repo / "a.py").write_text("print(1)\n" * 15)
    (repo / "z.py").write_text(BARE * 12)
    result = gate(capsys)
    assert result.code == 1
    commands = runner_commands(result.stdout)
    errors = [p["file"] for c, p, _ in commands if c == "error"]
    assert errors == ["z.py"] * 12
    assert commands[0][0] == "notice" and "only in this log" in commands[0][2]
    assert ANNOTATIONS_PER_LEVEL == 10


# --- a GitHub that misbehaves ----------------------------------------------------------------


def test_5xx_is_retried_with_exponential_backoff(
    repo: Path, standin: StandIn, fake_time: FakeTime, capsys: pytest.CaptureFixture[str]
) -> None:
    standin.failures = [Failure(502, "Server Error"), Failure(503, "Unavailable"), Failure(500, "")]
    (repo / "a.py").write_text(BARE)
    result = gate(capsys)
    assert result.code == 1
    assert [r.status for r in standin.requests] == [502, 503, 500, 201]
    assert fake_time.sleeps == [1.0, 2.0, 4.0]
    assert result.stderr.count("retrying in") == 3
    assert standin.check_runs[1]["conclusion"] == "failure"
    assert runner_commands(result.stdout) == []  # posted: no fallback


def test_secondary_rate_limits_honour_retry_after(
    repo: Path, standin: StandIn, fake_time: FakeTime, capsys: pytest.CaptureFixture[str]
) -> None:
    standin.failures = [
        None,  # the create works; the updates meet the limits
        Failure(403, SECONDARY_LIMIT, {"Retry-After": "7"}),
        Failure(429, "Too many requests", {"Retry-After": "3"}),
        Failure(403, SECONDARY_LIMIT),  # no Retry-After: at least a minute
    ]
    (repo / "a.py").write_text(BARE * 60)
    result = gate(capsys)
    assert result.code == 1
    assert fake_time.sleeps == [7.0, 3.0, 60.0]
    assert [r.status for r in standin.requests] == [201, 403, 429, 403, 200]
    assert len(standin.annotations()) == 60


def test_retries_stop_within_the_time_bound_and_exit_2(
    repo: Path, standin: StandIn, fake_time: FakeTime, capsys: pytest.CaptureFixture[str]
) -> None:
    standin.always = Failure(502, "Server Error")
    (repo / "a.py").write_text(BARE)
    result = gate(capsys)
    assert result.code == 2
    assert fake_time.sleeps == [1.0, 2.0, 4.0] + [8.0] * 11  # the 12th 8 would pass 100s
    assert sum(fake_time.sleeps) <= TEST_POLICY["total_seconds"]
    assert len(standin.requests) == len(fake_time.sleeps) + 1
    assert "gave up after 15 attempts" in result.stderr
    assert [c for c, _, _ in runner_commands(result.stdout)] == ["error"]  # findings still shown
    assert "could not post the check run" in rendered(result.summary)


def test_retries_are_bounded_in_real_time(
    repo: Path, standin: StandIn, monkeypatch: pytest.MonkeyPatch, capsys: Any
) -> None:
    policy = client.Policy(total_seconds=0.3, first_backoff=0.02, seconds_between_writes=0.0)
    monkeypatch.setattr(client, "POLICY", policy)
    standin.always = Failure(503, "Unavailable")
    started = time.monotonic()
    assert gate(capsys).code == 2
    assert time.monotonic() - started < 5
    assert 3 <= len(standin.requests) <= 6  # 0.02 + 0.04 + 0.08 + 0.16 > 0.3


def test_a_retry_after_beyond_the_bound_gives_up_at_once(
    repo: Path, standin: StandIn, fake_time: FakeTime, capsys: pytest.CaptureFixture[str]
) -> None:
    standin.always = Failure(429, "Too many requests", {"Retry-After": "3600"})
    result = gate(capsys)
    assert result.code == 2
    assert fake_time.sleeps == []
    assert len(standin.requests) == 1
    assert "the next would wait 3600s" in result.stderr


def test_a_permanent_422_is_not_retried_and_a_blocked_run_exits_2(
    repo: Path, standin: StandIn, fake_time: FakeTime, capsys: pytest.CaptureFixture[str]
) -> None:
    standin.always = Failure(422, "Validation Failed")
    (repo / "a.py").write_text(BARE)
    result = gate(capsys)
    assert result.code == 2
    assert len(standin.requests) == 1 and fake_time.sleeps == []
    assert (
        "mergegate: error: could not post the check run: GitHub answered 422 (Validation Failed)"
        " to creating the check run" in result.stderr
    )
    assert [c for c, _, _ in runner_commands(result.stdout)] == ["error"]
    assert result.outputs["conclusion"] == "failure"


def test_a_failed_update_keeps_the_conclusion_and_exits_2(
    repo: Path, standin: StandIn, capsys: pytest.CaptureFixture[str]
) -> None:
    standin.failures = [None, Failure(404, "Not Found")]
    (repo / "a.py").write_text(BARE * 120)
    result = gate(capsys)
    assert result.code == 2
    assert [r.status for r in standin.requests] == [201, 404]
    assert standin.check_runs[1]["conclusion"] == "failure"
    assert "annotations 51-120 are missing" in result.stderr
    assert runner_commands(result.stdout) == []  # the check run exists: no duplicate annotations


def test_a_passing_run_whose_post_fails_exits_2(
    repo: Path, standin: StandIn, capsys: pytest.CaptureFixture[str]
) -> None:
    standin.always = Failure(404, "Not Found")
    result = gate(capsys)
    assert result.code == 2
    assert "GitHub answered 404 (Not Found)" in result.stderr


# --- bounds and budgets ----------------------------------------------------------------------


def real_time_policy(monkeypatch: pytest.MonkeyPatch, **bounds: float) -> None:
    """Real clock and sleep, tiny bounds: what a run does when the time is up for real."""
    policy = client.Policy(first_backoff=0.05, seconds_between_writes=0.0, **bounds)  # type: ignore
    monkeypatch.setattr(client, "POLICY", policy)


def test_a_trickling_github_is_cut_off_and_everything_is_still_written(
    repo: Path, standin: StandIn, monkeypatch: pytest.MonkeyPatch, capsys: Any
) -> None:
    """One byte every 50 ms never trips a read timeout; the request's total bound cuts it."""
    real_time_policy(monkeypatch, total_seconds=1.0, request_seconds=0.4)
    standin.always = Trickle(delay=0.05, count=80)  # each answer would take 4 s
    (repo / "a.py").write_text(BARE)
    started = time.monotonic()
    result = gate(capsys, "--format", "sarif:out.sarif")
    elapsed = time.monotonic() - started
    assert result.code == 2
    assert elapsed < 1.0 + 0.4 + 1.0  # total + one request, and a second for the rest
    assert "no complete answer within 0.4s" in result.stderr
    assert 2 <= len(standin.requests) <= 4
    assert [c for c, _, _ in runner_commands(result.stdout)] == ["error"]  # the fallback
    assert "could not post the check run" in rendered(result.summary)
    assert result.summary.count("/blob/") == 1  # the report follows the note
    assert result.outputs["p0"] == "1" and result.outputs["sarif-file"] == "out.sarif"


def test_a_failure_while_retrying_still_writes_the_fallback_summary_and_outputs(
    repo: Path, standin: StandIn, monkeypatch: pytest.MonkeyPatch, capsys: Any
) -> None:
    def interrupted(seconds: float) -> None:
        raise RuntimeError("the sleep was interrupted")

    policy = client.Policy(**TEST_POLICY, sleep=interrupted)  # type: ignore[arg-type]
    monkeypatch.setattr(client, "POLICY", policy)
    standin.always = Failure(502, "Server Error")
    (repo / "a.py").write_text(BARE)
    result = gate(capsys)
    assert result.code == 2
    assert "internal error: RuntimeError: the sleep was interrupted" in result.stderr
    assert [c for c, _, _ in runner_commands(result.stdout)] == ["error"]
    assert "internal error" in rendered(result.summary)
    assert result.outputs["conclusion"] == "failure"


RATE_LIMITED = "API rate limit exceeded for installation ID 1."


def test_a_rate_limit_whose_reset_has_passed_backs_off_with_a_floor_and_a_retry_budget(
    repo: Path, standin: StandIn, fake_time: FakeTime, monkeypatch: Any, capsys: Any
) -> None:
    policy = client.Policy(  # type: ignore[misc]
        **{**TEST_POLICY, "max_retries": 5}, sleep=fake_time.sleep, clock=fake_time.clock
    )
    monkeypatch.setattr(client, "POLICY", policy)
    past = str(int(time.time()) - 100)
    limited = Failure(403, RATE_LIMITED, {"x-ratelimit-remaining": "0", "x-ratelimit-reset": past})
    standin.failures = [limited] * 40  # then it would answer
    (repo / "a.py").write_text(BARE)
    result = gate(capsys)
    assert result.code == 2
    assert fake_time.sleeps == [1.0, 2.0, 4.0, 8.0, 8.0]  # the backoff, never 0
    assert len(standin.requests) == 6
    assert "gave up after 6 attempts (the 5 retries a run may make are spent)" in result.stderr
    assert [c for c, _, _ in runner_commands(result.stdout)] == ["error"]


def test_the_retry_budget_is_shared_by_the_whole_run(
    repo: Path, standin: StandIn, fake_time: FakeTime, monkeypatch: Any, capsys: Any
) -> None:
    policy = client.Policy(  # type: ignore[misc]
        **{**TEST_POLICY, "max_retries": 3}, sleep=fake_time.sleep, clock=fake_time.clock
    )
    monkeypatch.setattr(client, "POLICY", policy)
    bad = Failure(502, "Server Error")
    standin.failures = [bad, bad, None, bad, bad]
    (repo / "a.py").write_text(BARE * 60)
    result = gate(capsys)
    assert result.code == 2
    assert [r.status for r in standin.requests] == [502, 502, 201, 502, 502]
    assert "the 3 retries a run may make are spent" in result.stderr
    assert "annotations 51-60 are missing" in result.stderr
    assert runner_commands(result.stdout) == []  # the check run exists: no fallback


def test_a_run_past_its_retry_time_still_sends_what_github_accepts(
    repo: Path, standin: StandIn, fake_time: FakeTime, capsys: pytest.CaptureFixture[str]
) -> None:
    """The bounds are on retrying: many annotations are never cut short by them."""
    standin.failures = [None, Failure(429, "Too many requests", {"Retry-After": "99"})]
    (repo / "a.py").write_text(BARE * 120)
    result = gate(capsys)
    assert result.code == 1
    assert fake_time.sleeps == [99.0]  # 1099 of 1100 fake seconds used, then two more requests
    assert [r.status for r in standin.requests] == [201, 429, 200, 200]
    assert len(standin.annotations()) == 120


@pytest.mark.parametrize(
    "value, sleeps",
    [
        ("nan", [1.0]),
        ("-5", [1.0]),
        ("inf", [1.0]),
        ("1e9", [1.0]),
        ("2.5", [1.0]),
        ("\u00b2", [1.0]),  # a superscript two: a digit to Python's isdigit, not to HTTP
        ("7", [7.0]),
        ("Wed, 21 Oct 2015 07:28:00 GMT", [1.0]),  # a date in the past: now, but the backoff
    ],
)
def test_retry_after_is_parsed_defensively(
    repo: Path,
    standin: StandIn,
    fake_time: FakeTime,
    value: str,
    sleeps: list[float],
    capsys: pytest.CaptureFixture[str],
) -> None:
    standin.failures = [Failure(503, "Unavailable", {"Retry-After": value})]
    result = gate(capsys)
    assert result.code == 0, result.stderr
    assert fake_time.sleeps == sleeps
    assert "internal error" not in result.stderr
    assert result.outputs["conclusion"] == "success"


@pytest.mark.parametrize("value", ["99999999999999999999999", "3600", "9" * 5000])
def test_a_huge_retry_after_is_capped_and_gives_up_at_once(
    repo: Path, standin: StandIn, fake_time: FakeTime, value: str, capsys: Any
) -> None:
    standin.always = Failure(429, "Too many requests", {"Retry-After": value})
    result = gate(capsys)
    assert result.code == 2
    assert fake_time.sleeps == [] and len(standin.requests) == 1
    assert "the next would wait 3600s" in result.stderr
    assert "could not post the check run" in rendered(result.summary)


def test_a_rate_limit_with_an_unreadable_retry_after_waits_as_for_a_secondary_limit(
    repo: Path, standin: StandIn, fake_time: FakeTime, capsys: pytest.CaptureFixture[str]
) -> None:
    standin.failures = [Failure(429, "Too many requests", {"Retry-After": "nan"})]
    assert gate(capsys).code == 0
    assert fake_time.sleeps == [60.0]


# --- answers that are not what they seem -----------------------------------------------------


def moved(standin: StandIn) -> Raw:
    """A redirect to the very operation: followed, it would post the check run."""
    location = f"{standin.url}/repos/octo/demo/check-runs"
    return Raw(307, b"", "text/html", {"Location": location})


@pytest.mark.parametrize(
    "answer, problem",
    [
        (Raw(200, b"<html><body>Sign in to the proxy</body></html>", "text/html"), "not JSON"),
        (Raw(201, b"{}"), "is not a check run on 1111111111111111111111111111111111111111"),
        (Raw(201, b"[]"), "is not a check run"),
        (Raw(201, b"null"), "is not a check run"),
        (Raw(201, b'{"id": true, "head_sha": "' + HEAD.encode() + b'"}'), "is not a check run"),
        (Raw(201, b'{"id": 7, "head_sha": "' + MERGE.encode() + b'"}'), "is not a check run"),
        (Raw(201, b"posted!"), "which is not valid JSON"),
        (Raw(201, b"[" * 100000), "which is not valid JSON"),
        (Raw(200, b"", ""), "no content type"),
        ("redirect", "a redirect to http://127.0.0.1:"),
    ],
)
def test_a_check_run_counts_as_posted_only_when_github_answers_with_it(
    repo: Path, standin: StandIn, answer: Any, problem: str, capsys: pytest.CaptureFixture[str]
) -> None:
    standin.failures = [moved(standin) if answer == "redirect" else answer]
    result = gate(capsys)  # a clean repository: the gate itself passes
    assert result.code == 2
    assert len(standin.requests) == 1  # neither retried nor followed
    assert "posted check run" not in result.stderr
    assert problem in result.stderr
    assert "could not post the check run" in rendered(result.summary)
    assert [c for c, _, _ in runner_commands(result.stdout)] == []  # the fallback: no finding
    assert "mergegate: passed" in result.stdout  # the fallback's verdict line
    assert result.outputs["conclusion"] == "success"


def test_an_update_that_is_not_the_check_run_leaves_it_incomplete(
    repo: Path, standin: StandIn, capsys: pytest.CaptureFixture[str]
) -> None:
    standin.failures = [None, Raw(200, b"{}")]
    (repo / "a.py").write_text(BARE * 60)
    result = gate(capsys)
    assert result.code == 2
    assert "is not check run 1 on" in result.stderr
    assert "annotations 51-60 are missing" in result.stderr
    assert runner_commands(result.stdout) == []  # the check run exists: no duplicates


# --- untrusted text --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "failure",
    [None, READ_ONLY, Failure(422, "Validation Failed"), Failure(502, "Bad"), "wrong-token"],
)
def test_the_token_is_never_printed(
    repo: Path, standin: StandIn, failure: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    if failure == "wrong-token":
        standin.token = "another-token"
    else:
        standin.always = failure
    (repo / "a.py").write_text(BARE)
    result = gate(capsys, "--format", "json")
    assert result.code in (1, 2)
    assert TOKEN not in result.everything()
    assert TOKEN[4:20] not in result.everything()
    if failure is None:
        assert standin.requests[0].headers["Authorization"] == f"token {TOKEN}"


def test_the_token_from_the_command_line_is_sent_and_not_printed(
    repo: Path, standin: StandIn, monkeypatch: pytest.MonkeyPatch, capsys: Any
) -> None:
    monkeypatch.delenv("GITHUB_TOKEN")
    standin.token = "ghp_FromTheCommandLine42"
    result = gate(capsys, "--github-token", "ghp_FromTheCommandLine42\n")  # a trailing newline
    assert result.code == 0
    assert standin.requests[0].headers["Authorization"] == "token ghp_FromTheCommandLine42"
    assert "FromTheCommandLine" not in result.everything()


def test_a_malformed_token_is_refused_without_printing_it(
    repo: Path, standin: StandIn, monkeypatch: pytest.MonkeyPatch, capsys: Any
) -> None:
    monkeypatch.setenv("GITHUB_TOKEN", "ghs_Secret\x01Part")
    result = gate(capsys)
    assert result.code == 2
    assert standin.requests == []
    assert "holds characters no token has" in result.stderr
    assert "Secret" not in result.everything() and "Part" not in result.everything()


def test_a_response_that_echoes_the_token_is_scrubbed(
    repo: Path, standin: StandIn, capsys: pytest.CaptureFixture[str]
) -> None:
    standin.always = Failure(422, f"token {TOKEN} is not welcome here")
    result = gate(capsys)
    assert result.code == 2
    assert "token *** is not welcome here" in result.stderr
    assert TOKEN not in result.everything()


ODD_TOKEN = "ghp_a+b/c=Zq9" + "Xy7" * 9
"""A token that URL-encoding changes (GitHub's are letters, digits and `_`; mergegate takes any
printable ASCII)."""


def b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


@pytest.mark.parametrize(
    "echo, secret",
    [
        (lambda t: "x" * 290 + t, lambda t: t),  # cutting at 300 first would leave "ghp_a+b/c="
        (lambda t: "see " + t[:12] + "...", lambda t: t[:12]),  # cut before it reached us
        (lambda t: "url ?access_token=" + quote(t, safe=""), lambda t: quote(t, safe="")),
        (  # Basic auth as git sends it: the token after 15 bytes, at offset 0 of a group
            lambda t: "Authorization: Basic " + b64(f"x-access-token:{t}"),
            lambda t: b64(f"x-access-token:{t}")[20:-4],
        ),
        (  # the token first, then a user: offset 0
            lambda t: "Authorization: Basic " + b64(f"{t}:x-oauth-basic"),
            lambda t: b64(f"{t}:x-oauth-basic")[:-24],
        ),
        (  # after one byte: offset 1
            lambda t: "Authorization: Basic " + b64(f":{t}"),
            lambda t: b64(f":{t}")[4:-4],
        ),
    ],
    ids=["cut-at-300", "cut-before", "url-encoded", "basic-after-user", "basic-first", "basic-1"],
)
def test_every_form_of_an_echoed_token_is_scrubbed_before_it_is_cut(
    repo: Path,
    standin: StandIn,
    monkeypatch: pytest.MonkeyPatch,
    echo: Callable[[str], str],
    secret: Callable[[str], str],
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("GITHUB_TOKEN", ODD_TOKEN)
    standin.token = ODD_TOKEN
    standin.always = Failure(422, echo(ODD_TOKEN))
    result = gate(capsys)
    assert result.code == 2
    assert "GitHub answered 422" in result.stderr
    shown = result.everything()
    hidden = secret(ODD_TOKEN)
    assert len(hidden) >= 12
    assert [hidden[i : i + 8] for i in range(len(hidden) - 7) if hidden[i : i + 8] in shown] == []


@pytest.mark.parametrize("refused", [False, True])
def test_a_hostile_file_name_stays_data(
    repo: Path, standin: StandIn, refused: bool, capsys: pytest.CaptureFixture[str]
) -> None:
    if refused:
        standin.always = READ_ONLY
    (repo / HOSTILE).write_text(BARE)
    result = gate(capsys)  # the text report on stdout, in the log
    assert result.code == 1
    assert standin.violations == []
    commands = runner_commands(result.stdout)
    assert all(command != "add-mask" for command, _, _ in commands)
    assert not any(line.lstrip().startswith("::") for line in result.stderr.splitlines())
    if refused:
        assert [(c, p["file"]) for c, p, _ in commands] == [("error", HOSTILE)]
    else:
        assert commands == []
        (annotation,) = standin.annotations()
        assert annotation["path"] == HOSTILE
        summary = standin.check_runs[1]["output"]["summary"]
        assert f"/blob/{HEAD}/a%2Cb%3Ac%2525%0A%3A%3Aadd-mask%3A%3Ax.py#L3)" in summary
    assert "\n::add-mask" not in result.summary
    assert "a,b:c%25␊::add-mask::x.py:3" in rendered(result.summary)


def test_a_hostile_configuration_value_stays_data_in_the_log(
    repo: Path, standin: StandIn, capsys: pytest.CaptureFixture[str]
) -> None:
    """A pull request's pyproject.toml reaches error messages: no line of them is a command."""
    hostile = "##[group]\n::warning::b\r::add-mask::c"
    (repo / "pyproject.toml").write_text(f"[tool.mergegate]\nbaseline = {json.dumps(hostile)}\n")
    result = gate(capsys)
    assert result.code == 2
    assert "cannot read the baseline" in result.stderr
    assert runner_commands(result.stderr) == []
    assert "##[" not in result.stderr and "\r" not in result.stderr


# --- the environment -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name, value, problem",
    [
        ("GITHUB_REPOSITORY", "", "GITHUB_REPOSITORY as owner/name"),
        ("GITHUB_REPOSITORY", "octo/demo/../../x", "GITHUB_REPOSITORY as owner/name"),
        ("GITHUB_REPOSITORY", "../..", "GITHUB_REPOSITORY as owner/name"),
        ("GITHUB_API_URL", "https://user:pw@api.example", "GITHUB_API_URL to be an http(s) URL"),
        ("GITHUB_API_URL", "file:///etc", "GITHUB_API_URL to be an http(s) URL"),
        ("GITHUB_EVENT_PATH", "/nonexistent.json", "cannot read the pull_request event's payload"),
    ],
)
def test_an_unusable_environment_exits_2_naming_it(
    repo: Path,
    standin: StandIn,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    name: str,
    value: str,
    problem: str,
) -> None:
    monkeypatch.setenv(name, value)
    result = gate(capsys)
    assert result.code == 2
    assert problem in result.stderr
    assert standin.requests == []


def test_an_unusable_environment_still_reports_the_findings_and_writes_the_outputs(
    repo: Path, standin: StandIn, monkeypatch: pytest.MonkeyPatch, capsys: Any
) -> None:
    monkeypatch.setenv("GITHUB_REPOSITORY", "octo")
    (repo / "a.py").write_text(BARE)
    result = gate(capsys)
    assert result.code == 2
    assert [c for c, _, _ in runner_commands(result.stdout)] == ["error"]
    assert "GITHUB_REPOSITORY as owner/name" in rendered(result.summary)
    assert "/blob/" not in result.summary  # no commit to link to
    assert result.outputs["p0"] == "1" and result.outputs["conclusion"] == "failure"


def test_a_payload_without_the_head_commit_exits_2(
    repo: Path, standin: StandIn, capsys: pytest.CaptureFixture[str]
) -> None:
    Path(os.environ["GITHUB_EVENT_PATH"]).write_text('{"pull_request": {"head": {}}}')
    result = gate(capsys)
    assert result.code == 2
    assert "pull_request.head.sha" in result.stderr


def test_paths_are_relative_to_the_repository_root_from_a_subfolder(
    repo: Path, standin: StandIn, monkeypatch: pytest.MonkeyPatch, capsys: Any
) -> None:
    (repo / "pkg").mkdir()
    (repo / "pkg" / "a.py").write_text(BARE)
    monkeypatch.chdir(repo / "pkg")
    result = gate(capsys, ".")
    assert result.code == 1
    assert "a.py:3:1:" in result.stdout  # the text report: relative to the current directory
    assert standin.annotations()[0]["path"] == "pkg/a.py"
    assert f"/blob/{HEAD}/pkg/a.py#L3)" in standin.check_runs[1]["output"]["summary"]


def test_the_github_client_loads_only_under_github_and_needs_no_library() -> None:
    code = (
        "import sys, mergegate.gates.cli, mergegate.hooks.bare_except\n"
        "loaded = {'mergegate.gates.github', 'http.client', 'ssl'} & set(sys.modules)\n"
        "assert not loaded, loaded\n"
        "import mergegate.gates.github\n"
        "assert not {'github', 'requests', 'urllib3'} & set(sys.modules), sys.modules.keys()"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_console_script_in_a_subprocess(
    repo: Path, standin: StandIn, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (repo / "a.py").write_text(BARE)
    script = Path(sys.executable).parent / "mergegate"
    result = subprocess.run(
        [str(script), "run", "--github"], capture_output=True, text=True, env=dict(os.environ)
    )
    assert result.returncode == 1, result.stderr
    assert [r.operation for r in standin.requests] == ["checks/create"]
    assert standin.requests[0].body["head_sha"] == HEAD
    assert standin.violations == []
    assert read_outputs(tmp_path / "output.txt")["p0"] == "1"
    assert "## ❌ mergegate: blocked" in (tmp_path / "step_summary.md").read_text()
    assert TOKEN not in result.stdout + result.stderr
