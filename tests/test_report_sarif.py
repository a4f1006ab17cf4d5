"""The SARIF report: valid against the OASIS 2.1.0 schema (tests/data, see its SOURCE note) for
every kind of outcome, and shaped for GitHub code scanning: levels, rules with help, fingerprints
that follow a line, suppressions, baseline states, percent-encoded locations, invocation errors."""

from __future__ import annotations

import json
import re
from pathlib import Path
from urllib.parse import unquote

import pytest
from jsonschema import Draft4Validator, FormatChecker

from mergegate.gates import adapters
from mergegate.gates.cli import main
from mergegate.gates.docs import rule_markdown, rule_text
from mergegate.gates.model import BASELINED, EXISTING, SUPPRESSED, Outcome
from mergegate.gates.reports import ReportContext, render
from mergegate.hooks.registry import CODES, RULES, Code, Rule
from helpers import item

SCHEMA = json.loads((Path(__file__).parent / "data" / "sarif-schema-2.1.0.json").read_text())
HOSTILE = "a,b:c%25\n::add-mask::x.py"

# RFC 3986: what may appear in a URI reference, and a scheme. jsonschema has no checker of its own
# for these formats without extra packages, so the schema's `format` keywords are checked here.
URI_CHARACTERS = re.compile(r"(?:[A-Za-z0-9\-._~!$&'()*+,;=:@/?#\[\]]|%[0-9A-Fa-f]{2})*\Z")
SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*:")
FORMATS = FormatChecker(formats=())


@FORMATS.checks("uri-reference")
def is_uri_reference(value: object) -> bool:
    if not isinstance(value, str) or not URI_CHARACTERS.match(value):
        return False
    # a relative reference's first segment cannot hold ":" (it would read as a scheme)
    return bool(SCHEME.match(value)) or ":" not in value.split("/")[0]


@FORMATS.checks("uri")
def is_uri(value: object) -> bool:
    return is_uri_reference(value) and bool(SCHEME.match(str(value)))


VALIDATOR = Draft4Validator(SCHEMA, format_checker=FORMATS)


def sarif(outcome: Outcome, root: Path) -> dict:
    text = render("sarif", outcome, ReportContext(root=str(root)))
    errors = sorted(VALIDATOR.iter_errors(json.loads(text)), key=str)
    assert not errors, "\n".join(f"{list(e.absolute_path)}: {e.message}" for e in errors[:5])
    return json.loads(text)


@pytest.fixture
def root(workdir: Path) -> Path:
    """The repository root the report's paths are relative to: the current directory."""
    return workdir


def results(log: dict, tool: str = "mergegate") -> list[dict]:
    (run,) = [run for run in log["runs"] if run["tool"]["driver"]["name"] == tool]
    return run["results"]


def location(result: dict) -> dict:
    return result["locations"][0]["physicalLocation"]


def test_empty_outcome_has_the_gates_run_with_every_registry_rule(root: Path) -> None:
    log = sarif(Outcome(items=[], tools=["mergegate"]), root)
    assert log["version"] == "2.1.0"
    assert log["$schema"] == SCHEMA["id"]
    (run,) = log["runs"]
    assert run["results"] == []
    assert run["columnKind"] == "unicodeCodePoints"
    assert run["invocations"] == [{"executionSuccessful": True}]
    assert run["originalUriBaseIds"]["%SRCROOT%"]["uri"] == root.as_uri() + "/"
    assert [rule["id"] for rule in run["tool"]["driver"]["rules"]] == list(CODES)
    assert run["properties"]["verdict"] == "passed"


def test_rules_carry_registry_help_and_default_levels(root: Path) -> None:
    (run,) = sarif(Outcome(items=[]), root)["runs"]
    rules = {rule["id"]: rule for rule in run["tool"]["driver"]["rules"]}
    for code_id, (rule, code) in CODES.items():
        descriptor = rules[code_id]
        assert descriptor["name"] == rule.id
        assert descriptor["shortDescription"]["text"] == code.summary
        assert descriptor["help"] == {"text": rule_text(rule), "markdown": rule_markdown(rule)}
        assert descriptor["helpUri"].endswith(f"/docs/rules.md#{rule.id}")
        assert len(descriptor["fullDescription"]["text"]) <= 1024
        level = {"P0": "error", "P1": "warning", "P2": "note", "P3": "note"}[code.tier]
        assert descriptor["defaultConfiguration"]["level"] == level
        assert "security-severity" not in descriptor["properties"]
    assert "#### Why is this bad?" in rules["MG101"]["help"]["markdown"]
    assert "```python\ntry:" in rules["MG101"]["help"]["markdown"]


def test_rule_markdown_fences_examples_and_labels_languages() -> None:
    rule = Rule(
        "demo",
        (Code("MG999", "P2", "demo"),),
        "Demo.",
        "repo",
        "",
        "what",
        "why",
        "x = ```",
        "y = ````",
        differences="",
    )
    text = rule_markdown(rule)
    assert "````\nx = ```\n````" in text and "`````\ny = ````\n`````" in text
    assert "```python\ndef broken(:" in rule_markdown(RULES["parse-error"])
    assert "```\n# .coveragerc" in rule_markdown(RULES["coverage-threshold-single-source"])
    assert "#### Options" not in text and "#### Compared with other linters" not in text
    assert "- `MG999` (default tier P2): demo" in text


def test_levels_follow_the_tier_not_the_rules_default(root: Path) -> None:
    items = [
        item("MG301", line=n, severity=tier) for n, tier in enumerate(("P0", "P1", "P2", "P3"), 1)
    ]
    levels = [result["level"] for result in results(sarif(Outcome(items=items), root))]
    assert levels == ["error", "warning", "note", "note"]


def test_result_points_at_its_rule_and_region(root: Path) -> None:
    found = item("MG401", "pkg/m.py", 7, column=5, end_line=9, end_column=12, message="racy")
    (result,) = results(sarif(Outcome(items=[found]), root))
    (run,) = sarif(Outcome(items=[found]), root)["runs"]
    assert result["ruleId"] == "MG401"
    assert run["tool"]["driver"]["rules"][result["ruleIndex"]]["id"] == "MG401"
    assert result["message"] == {"text": "racy"}
    assert location(result) == {
        "artifactLocation": {"uri": "pkg/m.py", "uriBaseId": "%SRCROOT%"},
        "region": {"startLine": 7, "startColumn": 5, "endLine": 9, "endColumn": 12},
    }
    assert result["properties"] == {"tier": "P0", "state": "new", "blocking": True}


def test_unknown_positions_from_an_adapter_are_left_out(root: Path) -> None:
    whole_file = item("E999", "b.py", 0, column=0, end_line=0, end_column=0, tool="black")
    no_column = item("F401", "c.py", 4, column=0, end_column=0, tool="flake8", severity="P2")
    log = sarif(
        Outcome(items=[whole_file, no_column], tools=["mergegate", "flake8", "black"]), root
    )
    assert "region" not in location(results(log, "black")[0])
    assert location(results(log, "flake8")[0])["region"] == {"startLine": 4, "endLine": 4}


def test_one_run_per_tool_and_adapter_rules_from_their_findings(root: Path) -> None:
    items = [
        item("B602", "s.py", 3, tool="bandit", severity="P1"),
        item("B602", "t.py", 3, tool="bandit", severity="P0"),
        item("F821", "s.py", 1, tool="flake8"),
        item("MG101", "s.py", 9),
    ]
    log = sarif(Outcome(items=items, tools=["mergegate", "flake8", "bandit", "black"]), root)
    names = [run["tool"]["driver"]["name"] for run in log["runs"]]
    assert names == ["mergegate", "flake8", "bandit", "black"]
    assert results(log, "black") == []
    assert [r["ruleId"] for r in results(log, "bandit")] == ["B602", "B602"]
    bandit = log["runs"][2]["tool"]["driver"]
    (rule,) = bandit["rules"]
    assert rule["id"] == "B602" and rule["help"]["text"] and rule["fullDescription"]["text"]
    assert rule["properties"]["tags"] == ["bandit", "security"]
    assert rule["properties"]["security-severity"] == "9.5"  # the worst tier seen: P0, critical
    assert rule["helpUri"].startswith("https://bandit.readthedocs.io/")
    flake8 = log["runs"][1]["tool"]["driver"]["rules"][0]
    assert "security-severity" not in flake8["properties"]
    assert "properties" not in log["runs"][1]  # the gate's decision lives in its own run only


def test_a_tool_that_is_no_adapter_imports_nothing_and_gets_no_adapter_facts(
    root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Tools named in a shard's report reach SARIF; a forged name must not choose an import."""
    imported: list[str] = []
    monkeypatch.setattr(adapters, "load", lambda name: imported.append(name))
    log = sarif(Outcome(items=[item("X1", tool="os")], tools=["mergegate", "os"]), root)
    driver = log["runs"][1]["tool"]["driver"]
    assert driver["name"] == "os" and "informationUri" not in driver
    assert "helpUri" not in driver["rules"][0] and "security-severity" not in str(driver)
    assert imported == []


def test_errors_make_the_invocation_unsuccessful_with_notifications(root: Path) -> None:
    outcome = Outcome(
        items=[],
        errors=["flake8: crashed: KeyError: 'x'", "b.py: cannot read: Permission denied"],
        tools=["mergegate", "flake8", "bandit"],
    )
    log = sarif(outcome, root)
    gate, flake8, bandit = (run["invocations"][0] for run in log["runs"])
    assert gate["executionSuccessful"] is False
    assert [n["message"]["text"] for n in gate["toolExecutionNotifications"]] == outcome.errors
    assert all(n["level"] == "error" for n in gate["toolExecutionNotifications"])
    assert flake8["executionSuccessful"] is False
    assert [n["message"]["text"] for n in flake8["toolExecutionNotifications"]] == [
        "flake8: crashed: KeyError: 'x'"
    ]
    assert bandit == {"executionSuccessful": True}
    assert log["runs"][0]["properties"]["verdict"] == "error"


def test_suppressed_findings_are_included_as_in_source_suppressions(root: Path) -> None:
    items = [
        item("MG301", "a.py", 2, severity="P2"),
        item("MG301", "a.py", 3, severity="P2", state=SUPPRESSED, reason="# noqa: MG301"),
    ]
    shown, silenced = results(sarif(Outcome(items=items), root))
    assert shown["suppressions"] == []  # SARIF: all results of a run carry suppressions, or none
    assert silenced["suppressions"] == [
        {"kind": "inSource", "status": "accepted", "justification": "# noqa: MG301"}
    ]
    assert "baselineState" not in shown and "baselineState" not in silenced


def test_baseline_states_when_a_baseline_was_compared(root: Path) -> None:
    items = [
        item("MG101", "a.py", 1),
        item("MG101", "a.py", 5, state=BASELINED, reason="in baseline b.json"),
        item("MG101", "a.py", 9, state=EXISTING),
        item("MG301", "a.py", 12, severity="P2", state=SUPPRESSED, reason="# noqa"),
    ]
    states = [r["baselineState"] for r in results(sarif(Outcome(items=items), root))]
    assert states == ["new", "unchanged", "unchanged", "new"]


def test_no_baseline_state_without_a_comparison(root: Path) -> None:
    log = sarif(Outcome(items=[item("MG101"), item("MG201", severity="P1")]), root)
    assert not any("baselineState" in result for result in results(log))
    fixed = [{"rule": "bare-except", "code": "MG101", "path": "a.py", "content": "x", "count": 1}]
    log = sarif(Outcome(items=[item("MG101")], fixed=fixed), root)
    assert [result["baselineState"] for result in results(log)] == ["new"]


@pytest.mark.parametrize(
    ("path", "uri"),
    [
        ("plain/file.py", "plain/file.py"),
        ("with space/a b.py", "with%20space/a%20b.py"),
        ("100%/x#1?.py", "100%25/x%231%3F.py"),
        ("é/日本.py", "%C3%A9/%E6%97%A5%E6%9C%AC.py"),
        (HOSTILE, "a%2Cb%3Ac%2525%0A%3A%3Aadd-mask%3A%3Ax.py"),
        ("c:d.py", "c%3Ad.py"),
    ],
)
def test_paths_are_percent_encoded_relative_uris(root: Path, path: str, uri: str) -> None:
    (result,) = results(sarif(Outcome(items=[item(path=path)]), root))
    artifact = location(result)["artifactLocation"]
    assert artifact == {"uri": uri, "uriBaseId": "%SRCROOT%"}
    assert unquote(artifact["uri"]) == path


def test_paths_are_relative_to_the_root_not_the_current_directory(
    root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (root / "sub").mkdir()
    monkeypatch.chdir(root / "sub")
    (result,) = results(sarif(Outcome(items=[item(path="pkg/a.py")]), root))
    assert location(result)["artifactLocation"]["uri"] == "sub/pkg/a.py"


def test_a_file_outside_the_root_gets_an_absolute_file_uri(root: Path, tmp_path: Path) -> None:
    (root / "project").mkdir()
    outside = str(tmp_path / "other dir" / "x.py")
    log = sarif(Outcome(items=[item(path=outside)]), root / "project")
    artifact = location(results(log)[0])["artifactLocation"]
    assert artifact == {"uri": (tmp_path / "other dir" / "x.py").as_uri()}
    assert "%20" in artifact["uri"]


def test_an_undecodable_file_name_keeps_its_bytes(root: Path) -> None:
    name = b"caf\xe9.py".decode("utf-8", "surrogateescape")
    (result,) = results(sarif(Outcome(items=[item(path=name)]), root))
    assert location(result)["artifactLocation"]["uri"] == "caf%E9.py"


def hashes(items: list, root: Path) -> list[str]:
    log = sarif(Outcome(items=items), root)
    return [r["partialFingerprints"]["primaryLocationLineHash"] for r in results(log)]


def test_fingerprints_follow_the_line_when_it_moves(root: Path) -> None:
    before = hashes([item("MG101", "a.py", 3, line_text="    except:")], root)
    after = hashes([item("MG101", "a.py", 40, line_text="except:   ", column=9)], root)
    assert before == after
    assert re.fullmatch(r"[0-9a-f]{16}:1", before[0])


def test_fingerprints_tell_identical_lines_apart_in_file_order(root: Path) -> None:
    twins = [
        item("MG101", "a.py", 30, line_text="except:"),
        item("MG101", "a.py", 10, line_text="except:"),
    ]
    second, first = hashes(twins, root)
    assert first.endswith(":1") and second.endswith(":2")
    assert first.split(":")[0] == second.split(":")[0]
    assert first != second


def test_fingerprints_differ_by_content_rule_code_and_path(root: Path) -> None:
    base = hashes([item("MG301", "a.py", 1, line_text="print(1)", severity="P2")], root)
    variants = [
        item("MG301", "a.py", 1, line_text="print(2)", severity="P2"),
        item("MG302", "a.py", 1, line_text="print(1)", severity="P2"),
        item("MG301", "b.py", 1, line_text="print(1)", severity="P2"),
    ]
    for variant in variants:
        assert hashes([variant], root) != base


def test_fingerprints_survive_lines_added_above_in_a_real_run(root: Path) -> None:
    source = "try:\n    work()\nexcept:\n    pass\n"
    (root / "pyproject.toml").write_text("[tool.mergegate]\n")
    (root / "m.py").write_text(source)

    def fingerprint() -> tuple[str, int]:
        assert main(["run", "--format", "sarif:out.sarif"]) == 1
        (result,) = results(json.loads((root / "out.sarif").read_text()))
        hash_ = result["partialFingerprints"]["primaryLocationLineHash"]
        return hash_, location(result)["region"]["startLine"]

    first, line = fingerprint()
    (root / "m.py").write_text("import os\n\n\n" + source)
    moved, moved_line = fingerprint()
    assert (moved, moved_line) == (first, line + 3)
