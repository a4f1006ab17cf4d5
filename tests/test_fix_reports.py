"""A finding's fix survives everything a finding goes through (pickling for worker processes, the
cache, the JSON report and `mergegate merge`) and shows in every report: JSON `fix`, SARIF
`fixes` (valid against the schema), the text report's `[*]` and count, the Markdown summary."""

from __future__ import annotations

import json
import pickle
import subprocess
from pathlib import Path

import pytest
from helpers import item
from jsonschema import Draft4Validator

from mergegate.gates.cli import main
from mergegate.gates.model import Outcome
from mergegate.gates.reports import ReportContext, render
from mergegate.gates.reports.json_report import parse
from mergegate.hooks.finding import SAFE, UNSAFE, Edit, Finding, Fix

SCHEMA = json.loads((Path(__file__).parent / "data" / "sarif-schema-2.1.0.json").read_text())
SOURCE = "def f():\n    global a, b\n    a = 1\n    print(a)\n"


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = tmp_path / "repo"
    root.mkdir()
    subprocess.run(["git", "init", "-q", "-b", "main"], cwd=root, check=True)
    (root / "pyproject.toml").write_text('[tool.mergegate]\nfail-on = "P3"\n')
    monkeypatch.chdir(root)
    return root


def findings_of(path: str, *options: str) -> list[dict[str, object]]:
    assert main(["run", *options, "--format", f"json:{path}"]) in (0, 1)
    return json.loads(Path(path).read_text())["findings"]  # type: ignore[no-any-return]


def test_a_fix_round_trips_through_pickle_dict_and_json() -> None:
    fix = Fix((Edit(2, 5, 2, 16, "global a"),), SAFE, "remove `b`", isolation="block 2:4")
    finding = Finding("unused-global", "MG201", "a.py", 2, 5, 2, 16, "m", fix=fix)
    assert pickle.loads(pickle.dumps(finding)) == finding
    assert Finding.from_dict(json.loads(json.dumps(finding.as_dict()))) == finding
    other = Finding("r", "MG601", "w.yml", 1, 1, 1, 2, "m", fix=Fix(fix.edits, SAFE, "t", "d.md"))
    moved = other.relocated(lambda path: "sub/" + path)
    assert (moved.path, moved.fix.path) == ("sub/w.yml", "sub/d.md")  # type: ignore[union-attr]
    assert Finding.from_dict(moved.as_dict()) == moved
    assert finding != finding.with_fix(None) and hash(finding) == hash(finding.with_fix(None))


@pytest.mark.parametrize(
    "damage",
    [
        {"safety": "risky"},
        {"edits": []},
        {"edits": [{"line": 0, "column": 1, "end_line": 1, "end_column": 1, "content": ""}]},
        {"edits": [{"line": 2, "column": 1, "end_line": 1, "end_column": 1, "content": ""}]},
        {"edits": [{"line": 1, "column": 1, "end_line": 1, "end_column": 1, "content": 3}]},
        {"title": None},
        {"extra": 1},
    ],
)
def test_a_malformed_fix_is_refused(damage: dict[str, object]) -> None:
    fix = Fix((Edit(1, 1, 1, 2, "x"),), SAFE, "t").as_dict("a.py")
    with pytest.raises(ValueError):
        Fix.from_dict({**fix, **damage}, "a.py")


def test_fixes_come_back_from_the_cache_and_worker_processes(repo: Path) -> None:
    for number in range(40):  # enough files for the worker pool
        (repo / f"m{number}.py").write_text(SOURCE)
    serial = findings_of("serial.json", "--no-cache", "--jobs", "1")
    stored = findings_of("first.json", "--jobs", "2")
    cached = findings_of("second.json", "--jobs", "2")
    assert serial == stored == cached
    assert all(f["fix"] is not None for f in serial if f["code"] in ("MG201", "MG301"))


def test_merge_rebuilds_the_fixes_from_the_shards(repo: Path) -> None:
    for number in range(6):
        (repo / f"m{number}.py").write_text(SOURCE)
    whole = findings_of("whole.json", "--no-cache")
    for index in (1, 2):
        main(["run", "--no-cache", "--shard", f"{index}/2", "--format", f"json:s{index}.json"])
    main(["merge", "s1.json", "s2.json", "--format", "json:merged.json"])
    assert json.loads(Path("merged.json").read_text())["findings"] == whole
    outcome = parse(Path("whole.json").read_text())
    assert {item.finding.fix.safety for item in outcome.items if item.finding.fix} == {
        SAFE,
        UNSAFE,
    }


def test_the_sarif_report_carries_fixes_valid_against_the_schema(repo: Path) -> None:
    (repo / "a.py").write_text(SOURCE)
    main(["run", "--no-cache", "--format", "sarif:out.sarif"])
    log = json.loads(Path("out.sarif").read_text())
    Draft4Validator(SCHEMA).validate(log)
    fixes = {r["ruleId"]: r["fixes"] for r in log["runs"][0]["results"] if "fixes" in r}
    assert fixes["MG201"] == [
        {
            "description": {"text": "remove `b` from `global`"},
            "artifactChanges": [
                {
                    "artifactLocation": {"uri": "a.py", "uriBaseId": "%SRCROOT%"},
                    "replacements": [
                        {
                            "deletedRegion": {
                                "startLine": 2,
                                "startColumn": 5,
                                "endLine": 2,
                                "endColumn": 16,
                            },
                            "insertedContent": {"text": "global a"},
                        }
                    ],
                }
            ],
            "properties": {"safety": "safe"},
        }
    ]
    assert fixes["MG301"][0]["properties"] == {"safety": "unsafe"}


def fixable_item(code: str, safety: str, state: str = "new") -> object:
    built = item(code, state=state)
    built.finding.fix = Fix((Edit(1, 1, 1, 1, "x"),), safety, "t")
    return built


def test_the_text_report_marks_what_fix_would_fix_as_ruff_does() -> None:
    items = [
        fixable_item("MG201", SAFE),
        fixable_item("MG301", UNSAFE),
        fixable_item("MG301", SAFE, state="baselined"),
        item("MG401"),
    ]
    outcome = Outcome(items)  # type: ignore[arg-type]
    text = render("text", outcome, ReportContext())
    assert "a.py:1:1: MG201 [*] [P0] a message" in text
    assert "a.py:1:1: MG301 [P0] a message" in text
    assert "MG401 [*]" not in text
    assert "[*] 1 fixable with --fix (1 more with --unsafe-fixes)\n" in text
    unsafe = render("text", outcome, ReportContext(unsafe_fixes=True))
    assert "MG301 [*] [P0]" in unsafe and "[*] 2 fixable with --fix --unsafe-fixes\n" in unsafe
    assert "fixable" not in render("text", Outcome([item("MG101")]), ReportContext())


def test_the_markdown_report_says_how_many_are_fixable() -> None:
    outcome = Outcome([fixable_item("MG201", SAFE), fixable_item("MG301", UNSAFE)])  # type: ignore
    markdown = render("markdown", outcome, ReportContext())
    assert "Fixable: 1 with `mergegate run --fix` and 1 more with `--fix --unsafe-fixes`." in (
        markdown
    )
