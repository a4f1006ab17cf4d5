"""The `gitlab` format: a Code Quality report valid against a schema written from GitLab's
documentation (tests/data, see its SOURCE note), with severities from the tiers, SARIF's
fingerprints (stable when lines move, unique per finding) and paths from the repository root."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from jsonschema import Draft7Validator

from helpers import item
from test_report_sarif import HOSTILE, hashes

from mergegate.gates.cli import main
from mergegate.gates.model import BASELINED, EXISTING, SUPPRESSED, Outcome
from mergegate.gates.reports import ReportContext, render

SCHEMA = json.loads((Path(__file__).parent / "data" / "gitlab-codequality.schema.json").read_text())
VALIDATOR = Draft7Validator(SCHEMA)


def issues_of(text: str) -> list[dict]:
    """The report's issues, after checking what GitLab needs of the file."""
    assert not text.startswith("\ufeff")  # GitLab's parser refuses a byte order mark
    text.encode("utf-8")  # valid UTF-8: no lone surrogates
    document = json.loads(text)
    errors = sorted(VALIDATOR.iter_errors(document), key=str)
    assert not errors, "\n".join(f"{list(e.absolute_path)}: {e.message}" for e in errors[:5])
    fingerprints = [issue["fingerprint"] for issue in document]
    assert len(set(fingerprints)) == len(fingerprints)  # GitLab keeps one issue per fingerprint
    return document


def gitlab(outcome: Outcome, root: Path) -> list[dict]:
    return issues_of(render("gitlab", outcome, ReportContext(root=str(root))))


@pytest.fixture
def root(workdir: Path) -> Path:
    """The repository root the report's paths are relative to: the current directory."""
    return workdir


def test_an_empty_outcome_is_an_empty_array(root: Path) -> None:
    assert render("gitlab", Outcome(items=[]), ReportContext(root=str(root))) == "[]\n"


def test_an_issue_has_every_field_gitlab_reads(root: Path) -> None:
    found = item("MG401", "pkg/m.py", 7, column=5, message="racy", line_text="x = X()")
    (issue,) = gitlab(Outcome(items=[found]), root)
    assert issue == {
        "description": "mergegate MG401 [P0]: racy",
        "check_name": "MG401",
        "fingerprint": hashes([found], root)[0],
        "severity": "blocker",
        "location": {"path": "pkg/m.py", "lines": {"begin": 7}},
    }


def test_severities_follow_tiers_and_held_back_findings_are_info(root: Path) -> None:
    items = [
        item("MG101", "a.py", 1, severity="P0"),
        item("MG201", "a.py", 2, severity="P1"),
        item("MG301", "a.py", 3, severity="P2"),
        item("MG602", "a.md", 4, severity="P3"),
        item("MG101", "b.py", 5, state=BASELINED, reason="in baseline b.json"),
        item("MG201", "b.py", 6, severity="P1", state=EXISTING),
        item("MG301", "c.py", 7, severity="P2", state=SUPPRESSED, reason="# noqa"),
    ]
    found = [
        (issue["severity"], issue["location"]["path"]) for issue in gitlab(Outcome(items), root)
    ]
    assert found == [
        ("blocker", "a.py"),
        ("critical", "a.py"),
        ("major", "a.py"),
        ("minor", "a.md"),
        ("info", "b.py"),
        ("info", "b.py"),
    ]  # the suppressed finding is left out
    descriptions = [issue["description"] for issue in gitlab(Outcome(items), root)]
    assert descriptions[4] == "mergegate MG101 [P0, baselined]: a message"


def test_fingerprints_are_sarifs_and_follow_a_moved_line(root: Path) -> None:
    before = item("MG101", "a.py", 3, line_text="    except:")
    after = item("MG101", "a.py", 40, line_text="except:   ", column=9)
    (first,) = gitlab(Outcome(items=[before]), root)
    (moved,) = gitlab(Outcome(items=[after]), root)
    assert first["fingerprint"] == moved["fingerprint"] == hashes([before], root)[0]
    assert moved["location"]["lines"]["begin"] == 40


def test_identical_lines_get_different_fingerprints(root: Path) -> None:
    twins = [
        item("MG301", "a.py", 10, line_text="print(x)", severity="P2"),
        item("MG301", "a.py", 10, line_text="print(x)", severity="P2", column=12),
        item("MG301", "a.py", 30, line_text="print(x)", severity="P2"),
    ]
    fingerprints = [issue["fingerprint"] for issue in gitlab(Outcome(items=twins), root)]
    assert len(set(fingerprints)) == 3  # issues_of checks this too: say it where it matters
    assert [f.rsplit(":", 1)[1] for f in fingerprints] == ["1", "2", "3"]


def test_fingerprints_survive_lines_added_above_in_a_real_run(root: Path) -> None:
    source = "try:\n    work()\nexcept:\n    pass\n"
    (root / "pyproject.toml").write_text("[tool.mergegate]\n")
    (root / "m.py").write_text(source)

    def issue() -> dict:
        assert main(["run", "--format", "gitlab:gl.json"]) == 1
        (found,) = issues_of((root / "gl.json").read_text(encoding="utf-8"))
        return found

    first = issue()
    (root / "m.py").write_text("import os\n\n\n" + source)
    moved = issue()
    assert moved["fingerprint"] == first["fingerprint"]
    assert moved["location"]["lines"]["begin"] == first["location"]["lines"]["begin"] + 3


def test_paths_are_relative_to_the_repository_root(
    root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (root / "sub").mkdir()
    monkeypatch.chdir(root / "sub")
    (issue,) = gitlab(Outcome(items=[item(path="pkg/a.py")]), root)
    assert issue["location"]["path"] == "sub/pkg/a.py"


def test_a_finding_without_a_line_is_put_on_line_one(root: Path) -> None:
    whole_file = item("BLK100", "b.py", 0, column=0, end_line=0, end_column=0, tool="black")
    (issue,) = gitlab(Outcome(items=[whole_file], tools=["mergegate", "black"]), root)
    assert issue["location"] == {"path": "b.py", "lines": {"begin": 1}}
    assert issue["description"].startswith("black BLK100 [P0]: ")


def test_hostile_and_undecodable_names_stay_data(root: Path) -> None:
    undecodable = b"caf\xe9.py".decode("utf-8", "surrogateescape")
    items = [
        item("MG101", HOSTILE, 1, message='"quoted" \\ </x> \x00 \u2028'),
        item("MG101", undecodable, 2, message=undecodable),
    ]
    hostile, broken = gitlab(Outcome(items=items), root)
    assert hostile["location"]["path"] == HOSTILE
    assert hostile["description"].endswith(': "quoted" \\ </x> \x00 \u2028')
    assert broken["location"]["path"] == "caf\ufffd.py"
    assert broken["description"].endswith(": caf\ufffd.py")


def test_the_cli_lists_and_writes_the_format(
    root: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (root / "pyproject.toml").write_text("[tool.mergegate]\n")
    (root / "m.py").write_text("print(1)\n")
    assert main(["run", "--format", "gitlab"]) == 0  # P2 does not block
    (issue,) = issues_of(capsys.readouterr().out)
    assert (issue["check_name"], issue["severity"]) == ("MG301", "major")
    assert main(["run", "--help"]) == 0
    assert "gitlab" in capsys.readouterr().out
