"""The `azure` format: Azure Pipelines logging commands that the agent parses back into exactly
our data, one line each, whatever a file name or message holds; issue types from the tiers; the
step failed when the gate blocks or errs."""

from __future__ import annotations

import pytest

from helpers import item
from test_escape import HOSTILE

from mergegate.gates.escape import azure_value
from mergegate.gates.model import BASELINED, EXISTING, SUPPRESSED, Outcome
from mergegate.gates.reports import ReportContext, render
from mergegate.gates.reports.azure import ISSUES_PER_TYPE
from mergegate.gates.reports.text import verdict_line

PREFIX = "##vso["
AZURE_HOSTILE = [
    *HOSTILE,
    "a;b]c%3B%AZP25%\r\n##vso[task.setvariable variable=x]1\n"
    "##vso[task.complete result=Succeeded;]",
]
AGENT_UNESCAPES = (("%3B", ";"), ("%0D", "\r"), ("%0A", "\n"), ("%5D", "]"), ("%AZP25", "%"))
"""How the agent decodes a property value and the message (azure-pipelines-agent,
`CommandStringConvertor.Unescape` with `DECODE_PERCENTS` on, its default): the four escapes,
then `%AZP25` last."""


def agent_lines(text: str) -> list[str]:
    """The lines the agent reads (`StreamReader.ReadLine`: LF, CR and CRLF end a line)."""
    return text.replace("\r\n", "\n").replace("\r", "\n").split("\n")[:-1]


def unescape(value: str) -> str:
    for escaped, char in AGENT_UNESCAPES:
        value = value.replace(escaped, char)
    return value


def parse_command(line: str) -> tuple[str, dict[str, str], str] | None:
    """(area.event, properties, data) as the agent's `Command.TryParse` reads a line: the first
    `##vso[` anywhere, up to the first `]`; the name up to a space; properties split at `;`, each
    at its first `=`, empty entries dropped; keys case-insensitive. None if it is no command."""
    start = line.find(PREFIX)
    if start < 0:
        return None
    end = line.find("]", start)
    if end < 0:
        return None
    info = line[start + len(PREFIX) : end]
    name, _, listed = info.partition(" ")
    if len([part for part in name.split(".") if part]) != 2:
        return None
    properties = {}
    for pair in filter(None, listed.split(";")):
        key, _, value = pair.partition("=")
        if key and value:
            properties[key.lower()] = unescape(value)
    return name, properties, unescape(line[end + 1 :])


def commands(outcome: Outcome) -> list[tuple[str, dict[str, str], str]]:
    lines = agent_lines(render("azure", outcome, ReportContext()))
    assert lines[-1] == verdict_line(outcome)
    assert parse_command(lines[-1]) is None
    parsed = []
    for line in lines[:-1]:
        if line.startswith("##[warning]"):
            continue  # the overflow note: the log's markup, not a command
        assert line.startswith(PREFIX), line  # every command starts its own line
        command = parse_command(line)
        assert command is not None, line
        parsed.append(command)
    return parsed


def shown(text: str) -> str:
    """What the agent gets back for `text`: `##vso[` and `##[` broken up, as the reader sees."""
    for marker in ("##vso[", "##VSO[", "##["):
        text = text.replace(marker, "#%23" + marker[2:])
    return text.replace("\udcff", "\ufffd")


@pytest.mark.parametrize("text", AZURE_HOSTILE)
def test_a_value_decodes_to_the_text_and_cannot_leave_its_place(text: str) -> None:
    line = f"##vso[task.logissue type=error;sourcepath={azure_value(text)}]{azure_value(text)}"
    assert agent_lines(line + "\n") == [line]  # no line break survives
    assert line.count(PREFIX) == 1 and "##[" not in line
    assert parse_command(line) == ("task.logissue", {"type": "error", "sourcepath": shown(text)},
                                   shown(text))  # fmt: skip


def test_the_escapes_are_the_agents() -> None:
    assert azure_value("a;b]c\r\nd%e") == "a%3Bb%5Dc%0D%0Ad%AZP25e"
    assert azure_value("100%3B") == "100%AZP253B"  # a literal escape stays literal
    assert unescape(azure_value("100%3B")) == "100%3B"
    assert azure_value("x ##vso[task.complete] ##[group] ##VsO[y") == (
        "x #%AZP2523vso[task.complete%5D #%AZP2523[group%5D #%AZP2523VsO[y"
    )
    assert azure_value("caf\udcff") == "caf\ufffd"


def test_issue_types_follow_blocking_and_tiers() -> None:
    outcome = Outcome(
        items=[
            item("MG101", "a.py", 1),
            item("MG201", "b.py", 2, severity="P1"),
            item("MG301", "c.py", 3, severity="P2", fail_on="P2"),
            item("MG602", "d.md", 4, severity="P3"),
            item("MG101", "e.py", 5, state=BASELINED, reason="in baseline b.json"),
            item("MG201", "f.py", 6, severity="P1", state=EXISTING),
            item("MG301", "g.py", 7, severity="P2", state=SUPPRESSED, reason="# noqa"),
        ]
    )
    found = [(p["type"], p["sourcepath"], p["code"]) for _, p, _ in commands(outcome)[:-1]]
    assert found == [
        ("error", "a.py", "MG101"),
        ("warning", "b.py", "MG201"),
        ("error", "c.py", "MG301"),  # blocks (fail-on P2): an error whatever its tier
        ("warning", "d.md", "MG602"),
    ]  # held back: not issues
    assert commands(outcome)[0][2] == "mergegate MG101 [P0]: a message"


def test_a_p0_is_an_error_even_when_nothing_blocks() -> None:
    outcome = Outcome(items=[item("MG101", "a.py", 1, fail_on="never")], fail_on="never")
    assert [(name, p["type"]) for name, p, _ in commands(outcome)] == [("task.logissue", "error")]


def test_positions_only_when_known() -> None:
    known = item("MG101", "a.py", 3, column=5)
    no_column = item("F401", "b.py", 4, column=0, tool="flake8", severity="P2")
    whole_file = item("BLK100", "c.py", 0, column=0, end_line=0, tool="black", severity="P3")
    found = [p for _, p, _ in commands(Outcome(items=[known, no_column, whole_file]))[:-1]]
    assert found == [
        {"type": "error", "sourcepath": "a.py", "linenumber": "3", "columnnumber": "5",
         "code": "MG101"},
        {"type": "warning", "sourcepath": "b.py", "linenumber": "4", "code": "F401"},
        {"type": "warning", "sourcepath": "c.py", "code": "BLK100"},
    ]  # fmt: skip


def test_blocked_and_error_runs_fail_the_step_and_errors_come_first() -> None:
    blocked = Outcome(items=[item("MG101")])
    assert commands(blocked)[-1] == (
        "task.complete",
        {"result": "Failed"},
        verdict_line(blocked),
    )
    errored = Outcome(items=[item("MG301", severity="P2")], errors=["flake8: crashed: boom"])
    first, *_, last = commands(errored)
    assert first == ("task.logissue", {"type": "error"}, "flake8: crashed: boom")
    assert last[:2] == ("task.complete", {"result": "Failed"})
    passed = Outcome(items=[item("MG301", severity="P2")])
    assert [name for name, _, _ in commands(passed)] == ["task.logissue"]


@pytest.mark.parametrize("hostile", AZURE_HOSTILE)
def test_hostile_names_codes_and_messages_stay_data(hostile: str) -> None:
    outcome = Outcome(
        items=[item("MG101", hostile, 2, message=hostile)],
        errors=[hostile],
    )
    text = render("azure", outcome, ReportContext())
    assert len(agent_lines(text)) == 4  # the error, the finding, the step's result, the verdict
    assert text.count(PREFIX) == 3 and "##[" not in text
    error, finding, _ = commands(outcome)
    assert error[2] == shown(hostile)
    assert finding[1]["sourcepath"] == shown(hostile)
    assert finding[2] == f"mergegate MG101 [P0]: {shown(hostile)}"


def test_an_overflow_note_says_what_azure_does_not_list() -> None:
    items = [item("MG101", f"p{n:02}.py", n) for n in range(1, 13)]  # 12 errors: 2 unlisted
    items += [item("MG301", f"q{n:02}.py", n, severity="P2") for n in range(1, 4)]
    lines = agent_lines(render("azure", Outcome(items=items), ReportContext()))
    assert lines[0] == (
        f"##[warning]mergegate: 2 of 15 findings and errors are only in this log: Azure Pipelines"
        f" lists {ISSUES_PER_TYPE} errors and {ISSUES_PER_TYPE} warnings per step, and those"
        " come first (errors, then P0)."
    )
    within = [item("MG101", f"p{n:02}.py", n) for n in range(1, ISSUES_PER_TYPE + 1)]
    assert not render("azure", Outcome(items=within), ReportContext()).startswith("##[")


def test_a_clean_run_prints_only_the_verdict() -> None:
    outcome = Outcome(items=[item("MG301", severity="P2", state=SUPPRESSED, reason="# noqa")])
    assert render("azure", outcome, ReportContext()) == verdict_line(outcome) + "\n"
