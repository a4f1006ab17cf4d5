"""The `junit` format: JUnit XML, as Jenkins, GitLab test reports, Azure Pipelines
(`PublishTestResults`) and Bitbucket Pipelines read it.

One `<testsuite>` per tool (mergegate, then each adapter), like SARIF's runs. In it:

- a test case `verdict` (class `mergegate`, in mergegate's suite) that passes, fails or errs as the
  run does, so the test report agrees with the exit status, and a clean run still has one test
  (Jenkins fails a build whose reports hold none). The run's errors are its `<error>`;
- one test case per rule and file (class: the file's path; name: the rule), holding its findings.
  It fails when one of them blocks; when none does (held back, or below `--fail-on`), it is
  skipped, so the report fails exactly when the gate blocks.

A failing or skipped test case has one `<failure>` (or `<skipped>`) whose message is its first
finding that blocks (else its first) and whose text lists every finding, one line each,
`path:line:column: CODE [tier, state] message`. One element, not one per finding: Jenkins, GitLab
and Azure read only the first `<failure>` of a test case, and would drop the rest.

Valid XML whatever a file name or message holds: line text is escaped as in the terminal
(hooks/terminal.py: one line each, controls and undecodable bytes as `\\x..` escapes), and every
value goes through `xml_text`, which escapes what XML 1.0 cannot carry.
"""

from __future__ import annotations

from collections import defaultdict
from xml.etree import ElementTree

from mergegate.gates.escape import xml_text
from mergegate.gates.model import NEW, Item, Outcome
from mergegate.gates.reports import ReportContext
from mergegate.gates.reports.text import verdict_line
from mergegate.hooks.finding import TOOL
from mergegate.hooks.terminal import terminal_text

DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>\n'
VERDICT_CASE = "verdict"
COUNTS = {"failure": "failures", "error": "errors", "skipped": "skipped"}
"""The count attribute of a suite for each outcome element of its test cases."""


def render(outcome: Outcome, context: ReportContext) -> str:
    by_tool: dict[str, list[Item]] = {tool: [] for tool in (TOOL, *outcome.tools)}
    for item in outcome.reported:
        by_tool.setdefault(item.finding.tool, []).append(item)
    root = ElementTree.Element("testsuites", name=TOOL)
    for tool, items in by_tool.items():
        suite = ElementTree.SubElement(root, "testsuite", name=xml_text(tool))
        if tool == TOOL:
            _properties(suite, outcome)
            _verdict_case(suite, outcome)
        for case in _cases(items):
            _case(suite, case)
        _count(suite, suite.findall("testcase"), "failure error skipped")
    _count(root, root.findall("testsuite/testcase"), "failure error")  # no `skipped` there
    ElementTree.indent(root)
    return DECLARATION + ElementTree.tostring(root, encoding="unicode") + "\n"


def _properties(suite: ElementTree.Element, outcome: Outcome) -> None:
    properties = ElementTree.SubElement(suite, "properties")
    for name, value in (
        ("verdict", outcome.verdict),
        ("fail-on", outcome.fail_on),
        ("files-checked", str(outcome.files_checked)),
    ):
        ElementTree.SubElement(properties, "property", name=name, value=xml_text(value))


def _verdict_case(suite: ElementTree.Element, outcome: Outcome) -> None:
    case = ElementTree.SubElement(suite, "testcase", classname=TOOL, name=VERDICT_CASE)
    summary = verdict_line(outcome)
    if outcome.errors:
        lines = [terminal_text(error) for error in outcome.errors]
        _outcome(case, "error", lines[0], lines + [summary])
    elif outcome.blocking:
        _outcome(case, "failure", summary, [_line(item) for item in outcome.blocking])


def _cases(items: list[Item]) -> list[list[Item]]:
    """The items of each (rule, file), in the order their first item comes."""
    groups: dict[tuple[str, str], list[Item]] = defaultdict(list)
    for item in items:
        groups[(item.finding.rule, item.finding.path)].append(item)
    return list(groups.values())


def _case(suite: ElementTree.Element, items: list[Item]) -> None:
    finding = items[0].finding
    path = xml_text(finding.path)
    case = ElementTree.SubElement(
        suite, "testcase", classname=path, name=xml_text(finding.rule), file=path
    )
    blocking = [item for item in items if item.blocking]
    first = _line(blocking[0] if blocking else items[0])
    more = f" (and {len(items) - 1} more)" if len(items) > 1 else ""
    kind = "failure" if blocking else "skipped"
    _outcome(case, kind, first + more, [_line(item) for item in items])


def _outcome(case: ElementTree.Element, kind: str, message: str, lines: list[str]) -> None:
    element = ElementTree.SubElement(case, kind, message=xml_text(message), type=kind)
    element.text = xml_text("\n".join(lines) + "\n")


def _line(item: Item) -> str:
    """`path:line:column: CODE [P0, blocking] message`, one line whatever the text holds."""
    finding = item.finding
    label = item.severity if item.state == NEW else f"{item.severity}, {item.state}"
    if item.blocking:
        label += ", blocking"
    return (
        f"{terminal_text(finding.path)}:{finding.line}:{finding.column}: "
        f"{terminal_text(finding.code)} [{label}] {terminal_text(finding.message)}"
    )


def _count(element: ElementTree.Element, cases: list[ElementTree.Element], tags: str) -> None:
    """The counts readers show, from the test cases below: `tests`, then one per outcome tag."""
    element.set("tests", str(len(cases)))
    for tag in tags.split():
        count = sum(1 for case in cases if case.find(tag) is not None)
        element.set(COUNTS[tag], str(count))
