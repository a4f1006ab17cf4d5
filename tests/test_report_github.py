"""The `github` format: workflow commands the runner parses back into exactly our data, at the
level of each finding's tier, most important first, with an overflow notice when GitHub would
hide annotations."""

from __future__ import annotations

from helpers import item, parse_workflow_command

from mergegate.gates.docs import rule_url
from mergegate.hooks.registry import BARE_EXCEPT
from mergegate.gates.model import BASELINED, EXISTING, SUPPRESSED, Outcome
from mergegate.gates.reports import ReportContext, render
from mergegate.gates.reports.github import ANNOTATIONS_PER_LEVEL
from mergegate.gates.reports.text import verdict_line

HOSTILE = "a,b:c%25\n::add-mask::x.py"


def commands(outcome: Outcome) -> list[tuple[str, dict[str, str], str]]:
    lines = render("github", outcome, ReportContext()).splitlines()
    assert lines[-1] == verdict_line(outcome)
    return [parse_workflow_command(line) for line in lines[:-1]]


def test_levels_follow_tiers_and_held_back_findings_are_notices() -> None:
    outcome = Outcome(
        items=[
            item("MG101", "a.py", 1),
            item("MG201", "b.py", 2, severity="P1"),
            item("MG301", "c.py", 3, severity="P2"),
            item("MG602", "d.md", 4, severity="P3"),
            item("MG101", "e.py", 5, state=BASELINED, reason="in baseline b.json"),
            item("MG201", "f.py", 6, severity="P1", state=EXISTING),
            item("MG301", "g.py", 7, severity="P2", state=SUPPRESSED, reason="# noqa"),
        ]
    )
    found = [(command, props["file"], props["title"]) for command, props, _ in commands(outcome)]
    assert found == [
        ("error", "a.py", "mergegate MG101 [P0]"),
        ("warning", "b.py", "mergegate MG201 [P1]"),
        ("notice", "c.py", "mergegate MG301 [P2]"),
        ("notice", "d.md", "mergegate MG602 [P3]"),
        ("notice", "e.py", "mergegate MG101 [P0, baselined]"),
        ("notice", "f.py", "mergegate MG201 [P1, existing]"),
    ]


def test_errors_come_first_then_p0() -> None:
    outcome = Outcome(
        items=[item("MG101", "z.py", 9), item("F821", "a.py", 1, tool="flake8", severity="P1")],
        errors=["bandit: crashed: boom"],
    )
    found = commands(outcome)
    assert found[0] == ("error", {"title": "mergegate error"}, "bandit: crashed: boom")
    assert [(c, p["file"]) for c, p, _ in found[1:]] == [("error", "z.py"), ("warning", "a.py")]
    assert found[2][1]["title"] == "flake8 F821 [P1]"


def test_positions_and_columns_only_on_single_line_findings() -> None:
    single = item("MG101", "a.py", 3, column=5, end_column=11)
    multi = item("MG401", "b.py", 7, column=5, end_line=9, end_column=2)
    unknown = item("E999", "c.py", 0, column=0, end_line=0, end_column=0, tool="black")
    props = [p for _, p, _ in commands(Outcome(items=[single, multi, unknown]))]
    assert props[0] == {
        "file": "a.py",
        "line": "3",
        "endLine": "3",
        "col": "5",
        "endColumn": "11",
        "title": "mergegate MG101 [P0]",
    }
    assert props[1] == {
        "file": "b.py",
        "line": "7",
        "endLine": "9",
        "title": "mergegate MG401 [P0]",
    }
    assert props[2] == {"file": "c.py", "title": "black E999 [P0]"}


def test_hostile_names_and_messages_stay_data() -> None:
    message = "done\n::add-mask::secret\r\n##[group]x\n::stop-commands::t"
    outcome = Outcome(items=[item("MG101", HOSTILE, 2, message=message)], errors=[HOSTILE])
    text = render("github", outcome, ReportContext())
    lines = text.splitlines()
    assert len(lines) == 3  # the error, the finding, the verdict: no line of their own
    assert all(line.startswith("::") for line in lines[:-1])
    assert "##[" not in text
    error, finding = commands(outcome)
    assert error[2] == HOSTILE
    command, props, decoded = finding
    assert command == "error"
    assert props["file"] == HOSTILE
    assert decoded.startswith(message.replace("##[", "#%23[") + "\n")  # then the fix hint
    assert decoded.endswith("How to fix it: `mergegate rules MG101`, or " + rule_url(BARE_EXCEPT))
    assert lines[1].startswith("::error file=a%2Cb%3Ac%2525%0A%3A%3Aadd-mask%3A%3Ax.py,line=2,")


def test_no_overflow_notice_within_the_limit() -> None:
    items = [item("MG101", f"p{n}.py", n) for n in range(1, ANNOTATIONS_PER_LEVEL + 1)]
    found = commands(Outcome(items=items))
    assert [c for c, _, _ in found] == ["error"] * ANNOTATIONS_PER_LEVEL


def test_overflow_notice_comes_first_and_counts_what_github_hides() -> None:
    items = [item("MG101", f"p{n:02}.py", n) for n in range(1, 16)]  # 15 errors: 5 hidden
    items += [item("MG301", f"q{n:02}.py", n, severity="P2") for n in range(1, 11)]  # 10 + 1
    found = commands(Outcome(items=items))
    first, *rest = found
    assert first[0] == "notice" and first[1] == {"title": "mergegate"}
    assert first[2].startswith("6 of 25 findings and errors are only in this log")
    assert [c for c, _, _ in rest] == ["error"] * 15 + ["notice"] * 10
    assert [p["file"] for _, p, _ in rest[:10]] == [f"p{n:02}.py" for n in range(1, 11)]


def test_nothing_printed_but_the_verdict_for_a_clean_run() -> None:
    outcome = Outcome(items=[item("MG301", severity="P2", state=SUPPRESSED, reason="# noqa")])
    assert render("github", outcome, ReportContext()) == verdict_line(outcome) + "\n"
