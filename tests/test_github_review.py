"""`mergegate run --github --review ...` against the GitHub stand-in, which validates every request
against GitHub's OpenAPI description and refuses review comments off the pull request's diff:
the review of suggested fixes and the summary comment across two pushes (no duplicate, one
comment updated in place), lines the pull request does not change, a fork's read-only token, a
token without `pull-requests: write`, GitHub failing, pages of earlier comments, and untrusted
text staying data."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path
from typing import Any

import pytest
from github_standin import READ_ONLY, Failure, StandIn
from test_github import FakeTime, Result, fake_time, gate, repo, runner_commands, standin

from mergegate.gates.cli import main
from mergegate.gates.github import review
from mergegate.gates.github.comment import SUMMARY_BYTES, marker
from mergegate.gates.github.pulls import added_lines
from mergegate.gates.model import NEW, Item
from mergegate.hooks.finding import UNSAFE, Edit, Finding, Fix

__all__ = ["fake_time", "repo", "standin"]  # fixtures, shared with test_github

NUMBER = 7
FIRST = """\
import sys


def main():
    print("debug")
    try:
        run()
    except:
        sys.exit(1)


def old():
    print("here before")
"""


@pytest.fixture
def pull(repo: Path, standin: StandIn, fake_time: FakeTime) -> Path:
    """The repository as pull request 7's head; its event payload names the number."""
    event = Path(os.environ["GITHUB_EVENT_PATH"])
    payload = json.loads(event.read_text())
    payload["pull_request"]["number"] = NUMBER
    event.write_text(json.dumps(payload))
    return repo


def changes(text: str, lines: range) -> str:
    """A patch for a file whose `lines` are added (the rest unchanged before them)."""
    numbered = text.split("\n")[: lines.stop - 1]
    body = [("+" if n in lines else " ") + line for n, line in enumerate(numbered, 1)]
    return f"@@ -1,{lines.start - 1} +1,{lines.stop - 1} @@\n" + "\n".join(body)


def run_review(capsys: pytest.CaptureFixture[str], mode: str = "both") -> Result:
    return gate(capsys, "--no-cache", "--review", mode)


def suggestion_of(body: str) -> str:
    """The lines of a comment's suggestion block."""
    match = re.search(r"(`{3,})suggestion\n(.*?)\1", body, re.DOTALL)
    assert match, body
    return match.group(2)


def test_two_pushes_give_one_review_each_without_duplicates_and_one_summary(
    pull: Path, standin: StandIn, capsys: pytest.CaptureFixture[str]
) -> None:
    (pull / "app.py").write_text(FIRST)
    standin.pull_request(NUMBER, {"app.py": changes(FIRST, range(4, 10))})
    first = run_review(capsys)
    assert first.code == 1  # the bare except blocks
    assert standin.violations == []
    comments = standin.review_comments
    assert [(c["path"], c["line"], c.get("start_line")) for c in comments] == [
        ("app.py", 8, None),  # P0 first: the bare except
        ("app.py", 5, None),
    ]
    assert suggestion_of(comments[0]["body"]) == "    except Exception:\n"
    assert "**unsafe**" in comments[0]["body"] and "**MG101** (P0)" in comments[0]["body"]
    assert suggestion_of(comments[1]["body"]) == ""  # the print's line, removed
    (summary,) = standin.issue_comments
    assert summary["body"].startswith(marker("mergegate") + "\n## ❌ mergegate: blocked")
    assert "2 suggested fixes are in the review comments" in summary["body"]
    assert "[the check run](https://github.example/octo/demo/runs/1)" in summary["body"]
    assert "review of pull request 7: 2 suggested fixes posted, 0 already there" in first.stderr

    second_text = FIRST.replace('    print("debug")\n', '    print("debug")\n    print("again")\n')
    (pull / "app.py").write_text(second_text)
    standin.pull_request(NUMBER, {"app.py": changes(second_text, range(4, 11))})
    for comment in standin.review_comments:  # the push moved the bare except down a line
        comment["line"] += comment["line"] > 5
    second = run_review(capsys)
    assert standin.violations == []
    assert len(standin.reviews) == 2
    new = standin.review_comments[2:]
    assert [(c["path"], c["line"]) for c in new] == [("app.py", 6)]  # only `print("again")`
    assert "1 suggested fixes posted, 2 already there" in second.stderr
    (summary,) = standin.issue_comments
    assert summary["_edits"] == 1
    assert "4 new in" in summary["body"] and "1 suggested fix is in the review" in summary["body"]
    posts = [r.operation for r in standin.requests if r.method in ("POST", "PATCH")]
    assert posts.count("issues/create-comment") == 1 and posts.count("issues/update-comment") == 1


def test_an_outdated_suggestion_is_posted_again(
    pull: Path, standin: StandIn, capsys: pytest.CaptureFixture[str]
) -> None:
    (pull / "app.py").write_text(FIRST)
    standin.pull_request(NUMBER, {"app.py": changes(FIRST, range(4, 10))})
    run_review(capsys, "suggestions")
    for comment in standin.review_comments:
        comment["line"] = None  # GitHub: the lines changed under it
    run_review(capsys, "suggestions")
    assert len(standin.review_comments) == 4
    assert standin.issue_comments == []  # `suggestions` alone: no summary comment


def test_a_multi_line_fix_takes_start_line_and_line(
    pull: Path, standin: StandIn, capsys: pytest.CaptureFixture[str]
) -> None:
    text = 'def f():\n    print(\n        "long",\n    )\n    return 1\n'
    (pull / "app.py").write_text(text)
    standin.pull_request(NUMBER, {"app.py": changes(text, range(1, 6))})
    run_review(capsys, "suggestions")
    (comment,) = standin.review_comments
    assert (comment["start_line"], comment["line"]) == (2, 4)
    assert (comment["start_side"], comment["side"]) == ("RIGHT", "RIGHT")
    assert suggestion_of(comment["body"]) == ""


def test_lines_the_pull_request_does_not_change_get_no_comment(
    pull: Path, standin: StandIn, capsys: pytest.CaptureFixture[str]
) -> None:
    text = 'def f():\n    print(\n        "long",\n    )\n'
    (pull / "app.py").write_text(text)
    (pull / "other.py").write_text('print("x")\n')
    standin.pull_request(NUMBER, {"app.py": changes(text, range(3, 4)), "big.py": None})
    result = run_review(capsys, "both")
    assert standin.review_comments == [] and standin.reviews == []
    assert standin.violations == []
    assert "0 suggested fixes posted" in result.stderr
    assert len(standin.issue_comments) == 1


def test_a_fork_gets_neither_and_is_still_gated(
    pull: Path, standin: StandIn, capsys: pytest.CaptureFixture[str]
) -> None:
    (pull / "app.py").write_text(FIRST)
    standin.pull_request(NUMBER, {"app.py": changes(FIRST, range(4, 10))})
    standin.always = READ_ONLY
    result = run_review(capsys)
    assert result.code == 1  # blocked, through the fallback
    assert [r.operation for r in standin.requests] == ["checks/create"]
    assert result.stderr.count("no review or summary comment") == 1
    assert "Resource not accessible by integration" in result.stderr
    assert "error" in [command for command, _, _ in runner_commands(result.stdout)]


def test_a_token_that_may_not_comment_keeps_the_gate_s_status(
    pull: Path, standin: StandIn, capsys: pytest.CaptureFixture[str]
) -> None:
    (pull / "app.py").write_text('def f():\n    print("x")\n')
    standin.pull_request(NUMBER, {"app.py": changes('def f():\n    print("x")\n', range(1, 3))})
    standin.failures = [None, None, None, READ_ONLY]  # check run, files, comments; the review
    result = run_review(capsys)
    assert result.code == 0  # a P2 print does not block
    assert "`permissions: pull-requests: write`" in result.stderr
    assert standin.reviews == [] and len(standin.check_runs) == 1


def test_github_failing_to_take_the_summary_is_exit_2(
    pull: Path, standin: StandIn, capsys: pytest.CaptureFixture[str]
) -> None:
    (pull / "app.py").write_text("x = 1\n")
    standin.pull_request(NUMBER, {"app.py": changes("x = 1\n", range(1, 2))})
    standin.failures = [None, None] + [Failure(502, "Bad Gateway")] * 200
    result = run_review(capsys, "summary")
    assert result.code == 2
    assert "the review or summary comment is not posted" in result.stderr


def test_not_a_pull_request_event_says_so_and_asks_nothing(
    pull: Path, standin: StandIn, capsys: pytest.CaptureFixture[str], monkeypatch: Any
) -> None:
    monkeypatch.setenv("GITHUB_EVENT_NAME", "push")
    monkeypatch.setenv("GITHUB_SHA", "3" * 40)
    result = run_review(capsys)
    assert result.code == 0
    assert [r.operation for r in standin.requests] == ["checks/create"]
    assert "'push' is not a pull request event" in result.stderr


def test_earlier_comments_are_read_page_by_page(
    pull: Path, standin: StandIn, capsys: pytest.CaptureFixture[str]
) -> None:
    (pull / "app.py").write_text(FIRST)
    standin.pull_request(NUMBER, {"app.py": changes(FIRST, range(4, 10))})
    run_review(capsys)
    ours = list(standin.review_comments)
    people = [{**ours[0], "id": 500 + n, "body": f"looks good {n}"} for n in range(150)]
    standin.review_comments[:] = people + ours  # ours on the second page
    standin.issue_comments[:0] = [
        {**standin.issue_comments[0], "id": 2000 + n, "body": f"comment {n}"} for n in range(120)
    ]
    result = run_review(capsys)
    assert "0 suggested fixes posted, 2 already there" in result.stderr
    assert sum(1 for c in standin.issue_comments if c["body"].startswith(marker("mergegate"))) == 1
    pages = [r.path for r in standin.requests if "page=2" in r.path]
    assert len(pages) == 2 and standin.violations == []


def test_review_needs_github(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["run", "--review", "summary"]) == 2
    assert "--review posts to a pull request: it needs --github" in capsys.readouterr().err


def test_a_suggestion_cannot_be_closed_by_the_code_it_holds() -> None:
    fix = Fix((Edit(1, 1, 1, 1, "x = '````'  # "),), UNSAFE, "t `x` @someone")
    finding = Finding("r", "MG101", "a.py", 1, 1, 1, 2, "<b>@here</b> **no**", fix=fix)
    body = review._body("k", fix, [Item(finding, "", NEW, "", "P0")], "x = '````'  # y")
    assert "`````suggestion\nx = '````'  # y\n`````\n" in body
    assert "\\<b\\>\\@&#8203;here\\<\\/b\\> \\*\\*no\\*\\*" in body
    assert "T \\`x\\` \\@&#8203;someone" in body


def test_added_lines_of_a_patch() -> None:
    patch = (
        "@@ -1,3 +1,4 @@\n a\n+b\n c\n-d\n+e\n\\ No newline at end of file\n@@ -9 +10,2 @@\n+x\n"
    )
    assert added_lines(patch) == {2, 4, 10}


def test_the_summary_comment_is_bounded() -> None:
    assert SUMMARY_BYTES < review.COMMENT_BYTES == 65536
