"""The `junit` format: XML that parses and validates against a JUnit schema (tests/data, see its
SOURCE note) for any file name or message; a test per rule and file that fails exactly when one
of its findings blocks, and a `verdict` test that agrees with the exit status."""

from __future__ import annotations

from pathlib import Path
from xml.etree import ElementTree

import pytest
import xmlschema

from helpers import item
from test_escape import HOSTILE

from mergegate.gates.cli import main
from mergegate.gates.escape import xml_text
from mergegate.gates.model import BASELINED, EXISTING, SUPPRESSED, Outcome
from mergegate.gates.reports import ReportContext, render
from mergegate.gates.reports.text import verdict_line

SCHEMA = xmlschema.XMLSchema(str(Path(__file__).parent / "data" / "junit.xsd"))


def parsed(text: str) -> ElementTree.Element:
    """The report's root, after checking that it is valid XML 1.0, as UTF-8, under the schema."""
    assert text.startswith('<?xml version="1.0" encoding="UTF-8"?>\n')
    root = ElementTree.fromstring(text.encode("utf-8"))
    SCHEMA.validate(text)
    return root


def junit(outcome: Outcome) -> ElementTree.Element:
    return parsed(render("junit", outcome, ReportContext()))


def cases(root: ElementTree.Element, suite: str = "mergegate") -> dict[tuple[str, str], tuple]:
    """(classname, name) -> (outcome tag or None, message, text) for each test of a suite."""
    (found,) = [element for element in root if element.get("name") == suite]
    result = {}
    for case in found.findall("testcase"):
        outcome = next(iter(case), None)
        key = (case.get("classname"), case.get("name"))
        if outcome is None:
            result[key] = (None, None, None)
        else:
            result[key] = (outcome.tag, outcome.get("message"), outcome.text)
    return result


def counts(element: ElementTree.Element) -> dict[str, str]:
    names = ("tests", "failures", "errors", "skipped")
    return {name: element.get(name) for name in names if element.get(name) is not None}


def test_a_clean_run_has_one_passing_test() -> None:
    root = junit(Outcome(items=[], files_checked=3))
    assert counts(root) == {"tests": "1", "failures": "0", "errors": "0"}
    assert cases(root) == {("mergegate", "verdict"): (None, None, None)}
    properties = {p.get("name"): p.get("value") for p in root.iter("property")}
    assert properties == {"verdict": "passed", "fail-on": "P0", "files-checked": "3"}


def test_a_test_per_rule_and_file_fails_when_a_finding_blocks() -> None:
    outcome = Outcome(
        items=[
            item("MG101", "a.py", 3, column=5, message="bare"),
            item("MG101", "a.py", 9, message="bare again"),
            item("MG101", "b.py", 1, state=BASELINED, reason="in baseline b.json"),
            item("MG301", "a.py", 4, severity="P2", message="print"),
            item("MG301", "a.py", 5, severity="P2", state=SUPPRESSED, reason="# noqa"),
        ]
    )
    root = junit(outcome)
    found = cases(root)
    assert found[("a.py", "bare-except")] == (
        "failure",
        "a.py:3:5: MG101 [P0, blocking] bare (and 1 more)",
        "a.py:3:5: MG101 [P0, blocking] bare\na.py:9:1: MG101 [P0, blocking] bare again\n",
    )
    assert found[("b.py", "bare-except")] == (
        "skipped",
        "b.py:1:1: MG101 [P0, baselined] a message",
        "b.py:1:1: MG101 [P0, baselined] a message\n",
    )
    assert found[("a.py", "debug-print")][:2] == ("skipped", "a.py:4:1: MG301 [P2] print")
    verdict = found[("mergegate", "verdict")]
    assert verdict[:2] == ("failure", verdict_line(outcome))
    assert verdict[2].count("\n") == 2  # the two blocking findings
    assert len(found) == 4  # the suppressed finding is no test
    (suite,) = root
    assert counts(suite) == {"tests": "4", "failures": "2", "errors": "0", "skipped": "2"}
    assert counts(root) == {"tests": "4", "failures": "2", "errors": "0"}


def test_a_test_holds_one_outcome_element_whatever_its_findings() -> None:
    items = [item("MG101", "a.py", line) for line in range(1, 6)]
    (suite,) = junit(Outcome(items=items))
    (case,) = [case for case in suite.iter("testcase") if case.get("classname") == "a.py"]
    assert [child.tag for child in case] == ["failure"]
    assert len((case[0].text or "").splitlines()) == 5


def test_nothing_blocks_below_fail_on_so_nothing_fails() -> None:
    outcome = Outcome(items=[item("MG201", "a.py", severity="P1"), item("MG101", state=EXISTING)])
    root = junit(outcome)
    assert counts(root)["failures"] == "0"
    assert {tag for tag, _, _ in cases(root).values()} == {None, "skipped"}


def test_errors_make_the_verdict_test_an_error() -> None:
    errors = ["flake8: crashed: KeyError: 'x'\nTraceback ...", "b.py: cannot read"]
    outcome = Outcome(items=[item("MG101")], errors=errors, tools=["mergegate", "flake8"])
    root = junit(outcome)
    tag, message, text = cases(root)[("mergegate", "verdict")]
    assert (tag, message) == ("error", "flake8: crashed: KeyError: 'x'\\nTraceback ...")
    assert text.splitlines() == [
        "flake8: crashed: KeyError: 'x'\\nTraceback ...",
        "b.py: cannot read",
        verdict_line(outcome),
    ]
    assert counts(root) == {"tests": "2", "failures": "1", "errors": "1"}
    assert cases(root, "flake8") == {}  # every tool has its suite, with or without findings


def test_adapters_have_their_own_suite() -> None:
    items = [item("F401", "a.py", 2, tool="flake8", severity="P2"), item("MG101", "a.py", 1)]
    root = junit(Outcome(items=items, tools=["mergegate", "flake8", "bandit"]))
    assert [suite.get("name") for suite in root] == ["mergegate", "flake8", "bandit"]
    assert list(cases(root, "flake8")) == [("a.py", "flake8:F401")]


@pytest.mark.parametrize(
    "text",
    [
        *HOSTILE,
        "\x00\x01\x08\x0b\x0c\x0e\x1f\x7f\x85 \ufffe \uffff controls XML forbids",
        b"caf\xe9\xff.py".decode("utf-8", "surrogateescape"),
        "]]> <![CDATA[ x ]]> &amp; &#0; <!-- -->",
        "\"quotes\" and 'apostrophes' \t tab \r\n line",
    ],
)
def test_any_file_name_or_message_gives_valid_xml(text: str) -> None:
    outcome = Outcome(items=[item("MG101", text, 1, message=text)], errors=[text])
    root = junit(outcome)
    ((classname, name),) = [key for key in cases(root) if key[0] != "mergegate"]
    assert (classname, name) == (xml_text(text), "bare-except")  # attributes keep CR and LF
    (case,) = [case for case in root.iter("testcase") if case.get("name") == "bare-except"]
    assert case.get("file") == classname
    failure = case[0]
    assert failure.get("message") is not None and "\n" not in failure.get("message", "")
    assert len((failure.text or "").splitlines()) == 1  # one finding, one line


def test_xml_text_escapes_only_what_xml_cannot_carry() -> None:
    assert xml_text("a\x00b\x1bc\td\ne\rf") == "a\\x00b\\x1bc\td\ne\rf"
    assert xml_text("\ud800\udcff\ufffe\uffff\ufffd") == "\\ud800\\udcff\\ufffe\\uffff\ufffd"
    assert xml_text("<&>\"' é 日本 😀") == "<&>\"' é 日本 😀"


def test_the_cli_writes_the_format(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "pyproject.toml").write_text("[tool.mergegate]\n")
    (tmp_path / "m.py").write_text("try:\n    x()\nexcept:\n    pass\n")
    assert main(["run", "--format", "junit:out/junit.xml"]) == 2  # no such folder: an error
    (tmp_path / "out").mkdir()
    assert main(["run", "--format", "junit:out/junit.xml"]) == 1
    root = parsed((tmp_path / "out" / "junit.xml").read_text(encoding="utf-8"))
    assert cases(root)[("m.py", "bare-except")][0] == "failure"
