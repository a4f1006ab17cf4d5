"""Shards (gates/shards.py): the shards of a run, joined by `mergegate merge`, give exactly the
unsharded run's reports and verdict; anything but one complete set of shards exits 2."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sample_repo import build, git, run_json

from mergegate.gates import shards
from mergegate.gates.cli import main
from mergegate.gates.reports import json_report


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample repository with a baseline of yesterday: part of today's findings, and
    entries for findings fixed since (repository-wide ones too)."""
    root = build(tmp_path_factory.mktemp("shards") / "repo", modules=80)
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(root)
        assert main(["baseline", "--no-cache", "-o", "baseline.json"]) == 0
    for path in sorted(root.glob("src/**/module_*.py"))[::3]:
        path.write_text(path.read_text().replace("except:", "except Exception:"))
    for path in sorted(root.glob("src/**/module_*.py"))[1::4]:
        path.write_text(path.read_text() + "\n\ndef later():\n    print('new')\n")
    (root / "setup.cfg").write_text("[tool:pytest]\naddopts = --cov-fail-under=85\n")
    git(root, "add", "-A")
    return root


@pytest.fixture
def repo(sample: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(sample)
    return sample


def shard_reports(tmp_path: Path, count: int, *args: str) -> list[str]:
    paths = []
    for index in range(1, count + 1):
        path = tmp_path / f"shard-{index}-of-{count}.json"
        code = main(["run", *args, "--shard", f"{index}/{count}", "--format", f"json:{path}"])
        assert code in (0, 1)
        paths.append(str(path))
    return paths


def without_shard_fields(text: str) -> dict[str, object]:
    document = json.loads(text)
    del document["shard"], document["fingerprint"]
    return document


@pytest.mark.parametrize("count", [1, 2, 3, 7])
def test_merged_shards_equal_the_unsharded_run(repo: Path, tmp_path: Path, count: int) -> None:
    args = ["--no-cache", "--baseline", "baseline.json"]
    formats = ["--format", f"json:{tmp_path}/all.json", "--format", f"sarif:{tmp_path}/all.sarif"]
    code = main(["run", *args, *formats])
    reports = shard_reports(tmp_path, count, *args)
    merged = tmp_path / "merged.json"
    formats = ["--format", f"json:{merged}", "--format", f"sarif:{tmp_path}/merged.sarif"]
    assert main(["merge", *reports, *formats]) == code
    whole = json.loads((tmp_path / "all.json").read_text())
    assert without_shard_fields(merged.read_text()) == without_shard_fields(json.dumps(whole))
    sarif = (tmp_path / "merged.sarif").read_text()
    assert sarif == (tmp_path / "all.sarif").read_text()  # fingerprints hash the line text
    states = {finding["state"] for finding in whole["findings"]}
    assert {"new", "baselined"} <= states and whole["fixed"] and whole["suppressed"]
    assert {finding["rule"] for finding in whole["findings"]} >= {
        "bare-except",
        "unused-global",
        "debug-print",
        "global-singleton-without-lock",
        "coverage-threshold-single-source",
        "secrets-documented",
        "parse-error",
    }
    parts = [json.loads(Path(report).read_text()) for report in reports]
    assert sum(part["files_checked"] for part in parts) == whole["files_checked"]
    if count > 1:
        assert all(part["files_checked"] < whole["files_checked"] for part in parts)
        assert sum(1 for part in parts if part["findings"]) > 1  # findings spread over shards


def test_the_merge_decides_as_run_would(repo: Path, tmp_path: Path) -> None:
    """At its --fail-on, else the configuration's (P1 here), whatever the shards ran with."""
    reports = shard_reports(tmp_path, 2, "--no-cache", "--fail-on", "never")
    out = f"json:{tmp_path}/m.json"
    assert main(["merge", *reports, "--format", out]) == 1
    document = json.loads((tmp_path / "m.json").read_text())
    assert document["fail_on"] == "P1" and document["counts"]["blocking"] > 0
    assert main(["merge", *reports, "--fail-on", "never", "--format", out]) == 1
    document = json.loads((tmp_path / "m.json").read_text())
    assert document["fail_on"] == "never" and document["counts"]["P0"] > 1
    blocking = [entry["code"] for entry in document["findings"] if entry["blocking"]]
    assert set(blocking) == {"MG001"}  # at `never`, only files that do not parse block


@pytest.mark.parametrize(
    "chosen, message",
    [
        ([1, 2], "incomplete: no report for shard 3/3"),
        ([1, 2, 3, 2], "shard 2/3 given twice"),
        ([1], "incomplete: no report for shard 2/3, 3/3"),
    ],
)
def test_an_incomplete_or_repeated_shard_set_exits_2(
    repo: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    chosen: list[int],
    message: str,
) -> None:
    reports = shard_reports(tmp_path, 3, "--no-cache")
    capsys.readouterr()
    assert main(["merge", *(reports[index - 1] for index in chosen)]) == 2
    assert message in capsys.readouterr().err


def test_shards_of_other_runs_do_not_merge(
    repo: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "two").mkdir()
    two = shard_reports(tmp_path / "two", 2, "--no-cache")
    three = shard_reports(tmp_path, 3, "--no-cache")
    capsys.readouterr()
    assert main(["merge", two[0], three[1], three[2]]) == 2
    assert "is shard 2/3" in capsys.readouterr().err
    selected = tmp_path / "selected"
    selected.mkdir()
    other = shard_reports(selected, 3, "--no-cache", "--select", "bare-except")
    assert main(["merge", three[0], three[1], other[2]]) == 2
    assert "are not shards of one run" in capsys.readouterr().err


def test_reports_that_are_not_shards_do_not_merge(
    repo: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    plain = tmp_path / "plain.json"
    plain.write_text(run_json("--no-cache")[1])
    garbage = tmp_path / "garbage.json"
    garbage.write_text('{"version": 1, "findings": []}')
    for path, message in (
        (plain, "not a shard's report"),
        (garbage, "not a mergegate JSON report"),
        (tmp_path / "missing.json", "cannot read the report"),
    ):
        capsys.readouterr()
        assert main(["merge", str(path)]) == 2
        assert message in capsys.readouterr().err


@pytest.mark.parametrize("value", ["0/2", "3/2", "1/0", "a/b", "2", "1/2/3", "-1/2"])
def test_a_bad_shard_is_a_usage_error(repo: Path, value: str) -> None:
    assert main(["run", "--shard", value]) == 2


def test_adding_a_file_moves_no_other_file(tmp_path: Path) -> None:
    root = str(tmp_path)
    files = [str(tmp_path / f"pkg/module_{number}.py") for number in range(200)]
    before = {index: shards.select(files, root, (index, 5)) for index in range(1, 6)}
    added = files + [str(tmp_path / "pkg/new.py")]
    after = {index: shards.select(added, root, (index, 5)) for index in range(1, 6)}
    for index in range(1, 6):
        assert set(before[index]) <= set(after[index])
    assert sorted(path for part in after.values() for path in part) == sorted(added)
    assert all(20 < len(part) < 60 for part in before.values())  # roughly even


def test_the_json_report_round_trips(repo: Path) -> None:
    from mergegate.gates.decide import decide
    from mergegate.gates.reports import ReportContext

    code, text = run_json("--no-cache", "--baseline", "baseline.json")
    outcome = json_report.parse(text)
    decide(outcome.items, outcome.fail_on)
    assert json_report.render(outcome, ReportContext()) == text
    assert outcome.exit_code == code


def test_merge_reports_to_github_through_the_run_command_s_code(
    repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from mergegate.gates import github

    published: list[tuple[object, ...]] = []

    def publish(outcome: object, request: github.GitHubRequest) -> int:
        published.append((outcome, request))
        return 7

    monkeypatch.setattr(github, "publish", publish)
    reports = shard_reports(tmp_path, 2, "--no-cache")
    assert main(["merge", *reports, "--github", "--check-name", "gate"]) == 7
    [(outcome, request)] = published
    # 82 Python files and the 3 files the repository-wide rules read
    assert outcome.files_checked == 85 and outcome.shard is None  # type: ignore[attr-defined]
    assert request.check_name == "gate" and request.root == str(repo)  # type: ignore[attr-defined]


def test_a_shard_does_not_post_a_check_run_of_its_own(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["run", "--shard", "1/2", "--github"]) == 2
    assert "post once with `mergegate merge FILE... --github`" in capsys.readouterr().err
