"""The suppress stage (gates/suppress.py) and the opt-in unused-noqa rule, through the gate and the
hooks: peer codes, file-level directives, reasons, expiry dates and the settings, one verdict."""

from __future__ import annotations

import re
import subprocess
from datetime import date
from pathlib import Path

import pytest
from helpers import item, run_json

from mergegate.gates.cli import main
from mergegate.gates.model import NEW, SUPPRESSED
from mergegate.gates.suppress import mark_suppressed, unused_noqa
from mergegate.hooks import bare_except, debug_print, unused_global
from mergegate.hooks.finding import Finding
from mergegate.hooks.noqa import Settings, Suppressor

BARE = "try:\n    work()\nexcept:{comment}\n    pass\n"


def configure(repo: Path, *lines: str) -> None:
    (repo / "pyproject.toml").write_text("\n".join(["[tool.mergegate]", *lines]) + "\n")


def bare(comment: str = "") -> str:
    return BARE.format(comment=f"  {comment}" if comment else "")


def places(report: dict, key: str = "findings") -> list[tuple[str, int, str]]:
    return sorted((f["path"], f["line"], f["code"]) for f in report[key])


# --- the gate ------------------------------------------------------------------------------------


def test_peer_codes_and_file_directives_silence_in_the_gate(repo: Path) -> None:
    (repo / "a.py").write_text(bare("# noqa: E722"))
    (repo / "b.py").write_text("# flake8: noqa\n" + bare())
    (repo / "c.py").write_text("# ruff: noqa: E722\n" + bare() + "print(1)\n")
    code, report = run_json()
    assert code == 0
    assert places(report) == [("c.py", 6, "MG301")]
    reasons = {(f["path"], f["reason"]) for f in report["suppressed"]}
    assert reasons == {
        ("a.py", "# noqa: E722"),
        ("b.py", "# flake8: noqa"),
        ("c.py", "# ruff: noqa: E722"),
    }


def test_noqa_peers_false_turns_the_compatibility_off(repo: Path) -> None:
    configure(repo, "noqa-peers = false")
    (repo / "a.py").write_text(bare("# noqa: E722"))
    (repo / "b.py").write_text("# flake8: noqa\n" + bare())
    (repo / "c.py").write_text(bare("# noqa: MG101"))
    code, report = run_json()
    assert code == 1
    assert places(report) == [("a.py", 3, "MG101"), ("b.py", 4, "MG101")]
    assert report["counts"]["suppressed"] == 1


def test_an_expired_suppression_blocks_again_and_every_report_says_so(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (repo / "old.py").write_text(bare("# noqa: MG101 until=2020-03-01 -- legacy retry loop"))
    (repo / "new.py").write_text(bare("# noqa: MG101 until=2999-03-01 -- legacy retry loop"))
    code, report = run_json()
    assert code == 1
    [finding] = report["findings"]
    assert (finding["path"], finding["state"]) == ("old.py", NEW)
    assert finding["reason"] == "suppression expired on 2020-03-01"
    assert finding["message"].endswith("(suppression expired on 2020-03-01)")
    assert [f["reason"] for f in report["suppressed"]] == [
        "# noqa: MG101 until=2999-03-01 -- legacy retry loop"
    ]
    capsys.readouterr()
    assert main(["run", "--format", "text"]) == 1
    assert "old.py:3:1: MG101 [P0]" in capsys.readouterr().out
    assert main(["run", "--format", "text"]) == 1
    assert "(suppression expired on 2020-03-01)" in capsys.readouterr().out


def test_a_malformed_expiry_blocks_and_names_itself(repo: Path) -> None:
    (repo / "a.py").write_text(bare("# noqa: MG101 until=2027-13-01"))
    code, report = run_json()
    assert code == 1
    assert (
        "expiry `until=2027-13-01` is not a real YYYY-MM-DD date" in report["findings"][0]["reason"]
    )


def test_a_required_reason(repo: Path) -> None:
    configure(repo, "noqa-require-reason = true")
    (repo / "a.py").write_text(bare("# noqa: MG101"))
    (repo / "b.py").write_text(bare("# noqa: MG101 -- the caller logs and re-raises"))
    code, report = run_json()
    assert code == 1
    assert places(report) == [("a.py", 3, "MG101")]
    assert "noqa-require-reason" in report["findings"][0]["reason"]


@pytest.mark.parametrize("value", ['"yes"', "1", "[]"])
def test_a_setting_that_is_not_a_boolean_exits_2(
    repo: Path, capsys: pytest.CaptureFixture[str], value: str
) -> None:
    configure(repo, f"noqa-require-reason = {value}")
    (repo / "a.py").write_text(bare())
    assert main(["run"]) == 2
    assert "`noqa-require-reason` must be true or false" in capsys.readouterr().err


# --- unused-noqa ---------------------------------------------------------------------------------

UNUSED_SAMPLE = (
    "try:\n"
    "    work()\n"
    "except ValueError:  # noqa: MG101\n"  # 3: fixed since: unused
    "    pass\n"
    "try:\n"
    "    work()\n"
    "except:  # noqa: MG101\n"  # 7: used
    "    pass\n"
    "x = 1  # noqa\n"  # 9: blanket, silences nothing
    "y = 2  # noqa: E501, MG301\n"  # 10: E501 is another tool's; MG301 unused
    'z = "# noqa: MG101"\n'  # 11: in a string
    "w = 3  # noqa: MG101, unused-noqa\n"  # 12: names the rule itself
    "v = 4  # noqa: T201\n"  # 13: a peer code: never judged
    "u = 5  # noqa: MG999\n"  # 14: names no code at all
)


def test_unused_noqa_is_opt_in(repo: Path) -> None:
    (repo / "a.py").write_text(UNUSED_SAMPLE)
    code, report = run_json()
    assert code == 0
    assert places(report) == []


@pytest.mark.parametrize(
    ("config", "argv"),
    [
        (["noqa-report-unused = true"], []),
        (['select = ["bare-except", "debug-print", "unused-noqa"]'], []),
        ([], ["--select", "bare-except,debug-print,MG002"]),
    ],
)
def test_unused_noqa_reports_what_silences_nothing(
    repo: Path, config: list[str], argv: list[str]
) -> None:
    configure(repo, *config)
    (repo / "a.py").write_text(UNUSED_SAMPLE)
    code, report = run_json(*argv)
    assert code == 0  # P3 by default: reported, not blocking
    found = {(f["line"], f["column"], f["message"]) for f in report["findings"]}
    assert found == {
        (3, 21, "unused `# noqa` code: `MG101`"),
        (9, 8, "unused `# noqa`: it silences no finding on this line"),
        (10, 8, "unused `# noqa` code: `MG301`"),
        (14, 8, "unused `# noqa` code: `MG999`"),
    }
    assert {f["severity"] for f in report["findings"]} == {"P3"}
    assert main(["run", *argv, "--fail-on", "P3"]) == 1


def test_unused_noqa_names_codes_of_rules_not_selected(repo: Path) -> None:
    configure(repo, 'select = ["bare-except", "unused-noqa"]')
    (repo / "a.py").write_text("y = 2  # noqa: MG301, bare-except\n")
    code, report = run_json()
    assert [f["message"] for f in report["findings"]] == [
        "unused `# noqa` codes: `MG301` (rule not selected), `bare-except`"
    ]


def test_unused_noqa_can_be_ignored_and_silenced(repo: Path) -> None:
    configure(repo, "noqa-report-unused = true", 'ignore = ["MG002"]')
    (repo / "a.py").write_text("x = 1  # noqa\n")
    assert places(run_json()[1]) == []
    configure(repo, "noqa-report-unused = true")
    (repo / "a.py").write_text("# ruff: noqa: MG002\nx = 1  # noqa\n")
    code, report = run_json()
    assert places(report) == [] and places(report, "suppressed") == [("a.py", 2, "MG002")]
    (repo / "a.py").write_text("x = 1  # noqa\n")
    assert places(run_json()[1]) == [("a.py", 1, "MG002")]


def test_unused_noqa_skips_a_file_that_does_not_parse(repo: Path) -> None:
    configure(repo, "noqa-report-unused = true")
    (repo / "a.py").write_text("def broken(:\n    pass\nx = 1  # noqa\n")
    code, report = run_json()
    assert code == 1
    assert places(report) == [("a.py", 1, "MG001")]


def test_unused_noqa_counts_an_expired_suppression_as_used(repo: Path) -> None:
    configure(repo, "noqa-report-unused = true")
    (repo / "a.py").write_text(bare("# noqa: MG101 until=2020-01-01"))
    code, report = run_json()
    assert places(report) == [("a.py", 3, "MG101")]


def test_unused_noqa_names_a_code_of_a_rule_not_selected(tmp_path: Path) -> None:
    text = "x = 1  # noqa: MG501\n"
    (tmp_path / "a.py").write_text(text)
    files = [("a.py", str(tmp_path / "a.py"))]
    [reported] = unused_noqa([], files, Settings(), set())
    assert reported.finding.message == "unused `# noqa` code: `MG501` (rule not selected)"
    [reported] = unused_noqa([], files, Settings(), {"coverage-threshold-single-source"})
    assert reported.finding.message == "unused `# noqa` code: `MG501`"
    assert reported.line_text == text.rstrip("\n")


def test_unused_noqa_leaves_the_files_of_repository_wide_rules_alone(repo: Path) -> None:
    """A noxfile.py's findings come from a check of the whole repository, made in one shard
    only: its comments are not judged, so a sharded run says what the whole run says."""
    configure(repo, "noqa-report-unused = true")
    (repo / "noxfile.py").write_text("x = 1  # noqa\n")
    (repo / "tool.py").write_text("x = 1  # noqa\n")
    subprocess.run(["git", "add", "-A"], cwd=repo, check=True)
    assert places(run_json()[1]) == [("tool.py", 1, "MG002")]
    configure(repo, "noqa-report-unused = true", 'ignore = ["coverage-threshold-single-source"]')
    assert places(run_json()[1]) == [("noxfile.py", 1, "MG002"), ("tool.py", 1, "MG002")]


# --- the stage as a function ---------------------------------------------------------------------


def test_mark_suppressed_marks_states_reasons_and_messages() -> None:
    items = [
        item("MG101", "a.py", 3, line_text="except:  # noqa: E722 -- legacy"),
        item("MG101", "a.py", 7, line_text="except:  # noqa: MG101 until=2027-03-01"),
        item("MG301", "a.py", 9, line_text="print(1)"),
        item("MG001", "a.py", 1, line_text="# noqa"),
    ]
    lines = {"a.py": ["# ruff: noqa: T201"]}
    mark_suppressed(items, Settings(), lines.get, date(2027, 3, 1))
    assert [(i.state, i.reason) for i in items] == [
        (SUPPRESSED, "# noqa: E722 -- legacy"),
        (NEW, "suppression expired on 2027-03-01"),
        (SUPPRESSED, "# ruff: noqa: T201"),
        (NEW, ""),
    ]
    assert items[1].finding.message == "a message (suppression expired on 2027-03-01)"


def test_file_directives_apply_to_python_files_only() -> None:
    """A repository-wide check's YAML is no Python file: `# ruff: noqa` there is just a comment;
    its noxfile.py is one."""
    suppressor = Suppressor(Settings(), lambda path: ["# ruff: noqa"])
    workflow = Finding("secrets-documented", "MG601", ".github/workflows/ci.yml", 3, 1, 3, 2, "m")
    noxfile = Finding("coverage-threshold-single-source", "MG501", "noxfile.py", 3, 1, 3, 2, "m")
    adapter = Finding("bandit:B101", "B101", "tool", 3, 1, 3, 2, "m", "bandit")
    assert suppressor.verdict(workflow, "") is None
    assert suppressor.verdict(noxfile, "").silenced
    assert suppressor.verdict(adapter, "").silenced


def test_a_file_that_cannot_be_read_gives_no_file_directive() -> None:
    suppressor = Suppressor(Settings(), lambda path: None)
    assert suppressor.verdict(item("MG101").finding, "except:") is None


# --- one verdict: the hooks decide as the gate does ----------------------------------------------

SAMPLES = {
    "peer.py": bare("# noqa: E722") + "print(1)  # noqa: T201\n",
    "flake8_file.py": "# flake8: noqa: F401\n" + bare(),
    "ruff_file.py": "# ruff: noqa: T201\n" + bare() + "print(1)\n",
    "expired.py": bare("# noqa: MG101 until=2020-01-01"),
    "malformed.py": bare("# noqa: E722 until=2020-02-30"),
    "reasonless.py": bare("# noqa") + "print(1)  # noqa -- a demo script\n",
    "globals.py": "def f():\n    global a  # noqa: PLW0602\n    global b  # noqa: F8\n    pass\n",
    "string.py": 'NOTE = """\n# ruff: noqa\n"""\n' + bare(),
}


@pytest.mark.parametrize("require_reason", [False, True])
@pytest.mark.parametrize("peers", [True, False])
def test_hooks_and_gate_agree(
    repo: Path, capsys: pytest.CaptureFixture[str], peers: bool, require_reason: bool
) -> None:
    configure(
        repo,
        f"noqa-peers = {str(peers).lower()}",
        f"noqa-require-reason = {str(require_reason).lower()}",
    )
    for name, text in SAMPLES.items():
        (repo / name).write_text(text)
    code, report = run_json()
    gate = sorted(
        f"{f['path']}:{f['line']}:{f['column']}: {f['code']} {f['message']}"
        for f in report["findings"]
    )
    capsys.readouterr()
    statuses = [hook.main(sorted(SAMPLES)) for hook in (bare_except, debug_print, unused_global)]
    hooks = sorted(  # the hooks say which findings do not block; the JSON report has `blocking`
        re.sub(r" \[P\d, not blocking at fail-on \w+\]$", "", line)
        for line in capsys.readouterr().out.splitlines()
    )
    assert hooks == gate
    assert (1 in statuses) == (code == 1) and gate


def test_shards_of_runs_with_other_suppression_settings_do_not_merge(
    repo: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (repo / "a.py").write_text(bare("# noqa: E722"))
    (repo / "b.py").write_text(bare())
    reports = [str(tmp_path / "1.json"), str(tmp_path / "2.json")]
    assert main(["run", "--shard", "1/2", "--format", f"json:{reports[0]}"]) in (0, 1)
    configure(repo, "noqa-peers = false")
    assert main(["run", "--shard", "2/2", "--format", f"json:{reports[1]}"]) in (0, 1)
    capsys.readouterr()
    assert main(["merge", *reports]) == 2
    assert "are not shards of one run" in capsys.readouterr().err
