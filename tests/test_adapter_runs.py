"""How the gate runs its adapters' tools: only on the files a pull request changed
(`--new-from-rev`), all at once in batches bounded by `--jobs`, and from the cache, keyed on each
tool's version and configuration. Every test runs the real tools."""

from __future__ import annotations

import json
import os
import subprocess
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import helpers
import pytest

from mergegate.gates import newcode
from mergegate.gates.adapters import flake8_adapter, keys, schedule, support
from mergegate.gates.adapters import autoflake_adapter as autoflake
from mergegate.gates.adapters import black_adapter as black
from mergegate.gates.cli import main

TOOLS = ("flake8", "bandit", "black", "autoflake")
EVERYTHING = (
    "import os\nx=1\ndef f( a ):\n    return a\nimport subprocess\nsubprocess.call(x, shell=True)\n"
)
"""Every tool has something to say about this (flake8: F401, E225...; bandit: B602)."""
MORE = "\n\ndef g( b ):\n    import json\n    return subprocess.call(b, shell=True)\n"


def git(repo: Path, *args: str) -> None:
    identity = ["-c", "user.name=t", "-c", "user.email=t@example.invalid"]
    subprocess.run(["git", *identity, *args], cwd=repo, capture_output=True, check=True)


def configure(repo: Path, extra: str = "", tools: tuple[str, ...] = TOOLS) -> None:
    listed = ", ".join(f'"{tool}"' for tool in tools)
    (repo / "pyproject.toml").write_text(f"[tool.mergegate]\ntools = [{listed}]\n{extra}")


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A committed repository with the four tools enabled and a file each of them flags."""
    root = tmp_path / "repo"
    root.mkdir()
    git(root, "init", "-q", "-b", "main")
    configure(root)
    (root / "a.py").write_text(EVERYTHING)
    monkeypatch.chdir(root)
    return root


def run_json(*args: str) -> tuple[int, dict[str, Any]]:
    # the report outside the repository: not a file of the pull request
    return helpers.run_json(*args, out=Path(os.pardir, "out.json"))


class Starts:
    """Every tool process the gate starts: the tool and the files it was given (by name), and
    the most that ran at once (from start to the end of waiting for it)."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, list[str]]] = []
        self.running = 0
        self.most = 0
        self.lock = threading.Lock()

    def files(self, tool: str) -> list[str]:
        return sorted(name for called, names in self.calls if called == tool for name in names)

    def tools(self) -> set[str]:
        return {tool for tool, _ in self.calls}


@pytest.fixture
def starts(monkeypatch: pytest.MonkeyPatch) -> Iterator[Starts]:
    record = Starts()
    start, wait = support.ToolProcess.__init__, support.ToolProcess.wait

    def counted_start(self: support.ToolProcess, tool: str, *args: Any) -> None:
        names = [os.path.basename(a) for a in args[1] if a.endswith(".py") and os.path.isabs(a)]
        with record.lock:
            record.calls.append((tool, sorted(names)))
            record.running += 1
            record.most = max(record.most, record.running)
        start(self, tool, *args)

    def counted_wait(self: support.ToolProcess) -> Any:
        try:
            return wait(self)
        finally:
            with record.lock:
                record.running -= 1

    monkeypatch.setattr(support.ToolProcess, "__init__", counted_start)
    monkeypatch.setattr(support.ToolProcess, "wait", counted_wait)
    yield record


def findings(report: dict[str, Any]) -> list[dict[str, Any]]:
    return sorted(report["findings"], key=lambda f: json.dumps(f, sort_keys=True))


# --- only the files a pull request changed --------------------------------------------------------


def test_with_new_from_rev_tools_check_only_changed_files_and_find_what_a_full_run_finds(
    repo: Path, starts: Starts, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ("b.py", "c.py", "d.py", "sub/e.py"):
        (repo / name).parent.mkdir(exist_ok=True)
        (repo / name).write_text(EVERYTHING)
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "base")
    (repo / "b.py").write_text(EVERYTHING + MORE)  # lines added at the end
    (repo / "c.py").write_text(EVERYTHING.replace("x=1", "x=2"))  # a line changed
    (repo / "d.py").write_text(EVERYTHING.replace("import os\n", ""))  # a line removed, no other
    (repo / "new.py").write_text(MORE)  # not in git: new throughout
    code, changed_only = run_json("--no-cache", "--new-from-rev", "HEAD")
    touched = {"b.py", "c.py", "new.py"}
    assert {tool: starts.files(tool) for tool in TOOLS} == {tool: sorted(touched) for tool in TOOLS}

    monkeypatch.setattr(newcode.Changes, "touches", lambda self, path: True)  # every file
    full_code, full = run_json("--no-cache", "--new-from-rev", "HEAD")
    assert changed_only["errors"] == full["errors"] == []
    elsewhere = [f for f in full["findings"] if f["tool"] != "mergegate"]
    assert {f["path"] for f in elsewhere} > touched  # the full run did find more, all existing
    assert {f["state"] for f in elsewhere if f["path"] not in touched} == {"existing"}
    expected = [f for f in full["findings"] if f["tool"] == "mergegate" or f["path"] in touched]
    assert findings(changed_only) == sorted(expected, key=lambda f: json.dumps(f, sort_keys=True))
    assert {f["tool"] for f in expected if f["state"] == "new"} == set(TOOLS)
    assert {f["tool"] for f in expected if f["state"] == "existing"} >= {"flake8", "black"}
    assert (code, changed_only["verdict"]) == (full_code, full["verdict"])


def test_nothing_changed_starts_no_tool(repo: Path, starts: Starts) -> None:
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "base")
    code, report = run_json("--no-cache", "--new-from-rev", "HEAD")
    assert code == 0 and report["errors"] == [] and starts.calls == []


def test_baseline_entries_of_tools_on_unchanged_files_are_not_fixed(repo: Path) -> None:
    (repo / "b.py").write_text(EVERYTHING)
    assert main(["baseline", "-o", "baseline.json"]) == 0
    configure(repo, 'baseline = "baseline.json"\n')
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "base")
    (repo / "b.py").write_text(EVERYTHING + MORE)
    code, report = run_json("--no-cache", "--new-from-rev", "HEAD")
    assert report["errors"] == [] and report["fixed"] == []
    (repo / "a.py").write_text("x = 1\n")  # now a.py changed, and its findings are gone
    code, report = run_json("--no-cache", "--new-from-rev", "HEAD")
    assert {entry["path"] for entry in report["fixed"]} == {"a.py"}


def test_a_bare_noqa_on_an_unchanged_file_is_not_judged_without_its_tools(repo: Path) -> None:
    configure(repo, "noqa-report-unused = true\n", tools=("black",))
    (repo / "a.py").write_text("x=1  # noqa\ny = 2  # noqa\n")
    (repo / "b.py").write_text("z = 3\n")
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "base")
    code, full = run_json("--no-cache")
    unused = [(f["path"], f["line"]) for f in full["findings"] if f["rule"] == "unused-noqa"]
    assert unused == [("a.py", 2)]  # line 1's silences black's finding
    (repo / "b.py").write_text("z = 4\n")
    code, report = run_json("--no-cache", "--new-from-rev", "HEAD")
    assert [f for f in report["findings"] if f["path"] == "a.py"] == []


# --- all tools at once, in batches ----------------------------------------------------------------


def test_batches_and_concurrency_do_not_change_findings(
    repo: Path, starts: Starts, monkeypatch: pytest.MonkeyPatch
) -> None:
    for number in range(6):
        (repo / f"m{number}.py").write_text(EVERYTHING + MORE * number)
    code, together = run_json("--no-cache", "--jobs", "1")
    assert len(starts.calls) == len(TOOLS) and starts.most == 1  # one process per tool
    starts.calls.clear()
    monkeypatch.setattr(schedule, "MIN_STARTS_PER_BATCH", 0)
    monkeypatch.setattr(schedule, "BATCHES_PER_JOB", 1000)  # a file per batch
    split_code, split = run_json("--no-cache", "--jobs", "3")
    assert len(starts.calls) == len(TOOLS) * 7
    assert all(len(files) == 1 for _, files in starts.calls)
    assert 1 < starts.most <= 3
    assert together["errors"] == [] and (split_code, findings(split)) == (code, findings(together))


@pytest.mark.parametrize(
    ("jobs", "expected"), [(1, ["black", "autoflake"]), (2, ["black"] * 4 + ["autoflake"])]
)
def test_batches_costliest_first_and_split_only_for_several_jobs(
    tmp_path: Path, jobs: int, expected: list[str]
) -> None:
    files = [str(tmp_path / f"m{number}.py") for number in range(4)]
    run = schedule.ToolRun(["autoflake", "black"], files, str(tmp_path), str(tmp_path), jobs, None)
    sizes = [0.05] * 4  # megabytes: black takes about a second on each
    batches = run.cut([(autoflake, files, sizes), (black, files, sizes)])
    assert [batch.adapter.TOOL for batch in batches] == expected
    assert (
        sorted(path for batch in batches if batch.adapter is black for path in batch.files) == files
    )


def test_a_failing_tool_is_reported_once_and_the_others_still_run(
    repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for number in range(4):
        (repo / f"m{number}.py").write_text(EVERYTHING)
    (repo / ".flake8").write_text("[flake8]\nmax-line-length = long\n")
    monkeypatch.setattr(schedule, "MIN_STARTS_PER_BATCH", 0)
    monkeypatch.setattr(schedule, "BATCHES_PER_JOB", 1000)
    code, report = run_json("--no-cache", "--jobs", "2")
    assert code == 2
    assert len(report["errors"]) == 1 and report["errors"][0].startswith("flake8: flake8 crashed")
    assert {f["tool"] for f in report["findings"]} >= {"bandit", "black", "autoflake"}


# --- the cache -----------------------------------------------------------------------------------


def test_a_warm_run_starts_no_tool_and_reports_the_same(repo: Path, starts: Starts) -> None:
    (repo / "b.py").write_text(EVERYTHING + MORE)
    code, cold = run_json()
    assert starts.tools() == set(TOOLS)
    starts.calls.clear()
    warm_code, warm = run_json()
    assert starts.calls == []
    assert cold["errors"] == [] and (warm_code, findings(warm)) == (code, findings(cold))
    (repo / "b.py").write_text(EVERYTHING)  # one file changed: only it is checked again
    run_json()
    assert {tool: starts.files(tool) for tool in TOOLS} == {tool: ["b.py"] for tool in TOOLS}


def test_the_same_content_touched_is_served(repo: Path, starts: Starts) -> None:
    run_json()
    os.utime(repo / "a.py", ns=(10**18, 10**18))
    starts.calls.clear()
    run_json()
    assert starts.calls == []


@pytest.mark.parametrize(
    ("tools", "edit"),
    [
        (
            {"flake8"},
            lambda repo: (repo / ".flake8").write_text("[flake8]\nmax-line-length = 20\n"),
        ),
        ({"flake8"}, lambda repo: (repo / "setup.cfg").write_text("[metadata]\nname = x\n")),
        ({"black"}, lambda repo: configure(repo, "[tool.black]\nline-length = 20\n")),
        ({"black"}, lambda repo: configure(repo, '[project]\nrequires-python = ">=3.12"\n')),
        ({"bandit"}, lambda repo: configure(repo, '[tool.bandit]\nskips = ["B602"]\n')),
        (
            {"autoflake"},
            lambda repo: configure(repo, "[tool.autoflake]\nexpand-star-imports = true\n"),
        ),
        (
            {"autoflake", "flake8"},  # flake8 reads setup.cfg whole, autoflake its section
            lambda repo: (repo / "setup.cfg").write_text("[autoflake]\nimports = requests\n"),
        ),
        (set(), lambda repo: configure(repo, "[tool.other]\nanything = 1\n")),
    ],
)
def test_a_configuration_change_reruns_only_the_tools_that_read_it(
    repo: Path, starts: Starts, tools: set[str], edit: Any
) -> None:
    code, report = run_json()
    assert report["errors"] == []
    starts.calls.clear()
    edit(repo)
    code, report = run_json()
    assert report["errors"] == [] and starts.tools() == tools


def test_a_configuration_change_changes_what_is_served(repo: Path) -> None:
    code, before = run_json()
    (repo / ".flake8").write_text("[flake8]\nselect = F401\n")
    code, after = run_json()
    codes = {f["code"] for f in after["findings"] if f["tool"] == "flake8"}
    assert codes == {"F401"} and {"E225", "E231"} & {f["code"] for f in before["findings"]}


def test_a_tool_version_change_reruns_that_tool(
    repo: Path, starts: Starts, monkeypatch: pytest.MonkeyPatch
) -> None:
    run_json()
    starts.calls.clear()
    real = keys.tool_version

    def upgraded(distribution: str, groups: tuple[str, ...]) -> list[list[str | None]]:
        versions = real(distribution, groups)
        return [[name, "99" if name == "pycodestyle" else version] for name, version in versions]

    monkeypatch.setattr(schedule, "tool_version", upgraded)
    run_json()
    assert starts.tools() == {"flake8"}  # built on pycodestyle; autoflake is not


def test_third_party_flake8_plugins_are_not_cached(
    repo: Path, starts: Starts, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(flake8_adapter, "plugins", lambda groups: {"flake8", "flake8-words"})
    run_json()
    starts.calls.clear()
    run_json()
    assert starts.tools() == {"flake8"}


def test_a_file_written_while_its_tools_ran_is_not_stored(
    repo: Path, starts: Starts, monkeypatch: pytest.MonkeyPatch
) -> None:
    original = (repo / "a.py").read_text()
    findings_of = support.Batch.findings

    def rewritten_meanwhile(self: support.Batch) -> Any:
        found = findings_of(self)
        (repo / "a.py").write_text(original + "\n")
        return found

    monkeypatch.setattr(support.Batch, "findings", rewritten_meanwhile)
    run_json()
    monkeypatch.setattr(support.Batch, "findings", findings_of)
    (repo / "a.py").write_text(original)
    starts.calls.clear()
    run_json()
    assert starts.tools() == set(TOOLS)


def test_a_cache_inside_the_checked_tree_is_refused_for_tools_too(
    repo: Path, starts: Starts, capsys: pytest.CaptureFixture[str]
) -> None:
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "base")
    (repo / "cache").mkdir()
    (repo / "cache" / "tracked").write_text("x")
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "a cache folder with a committed file")
    for _ in range(2):
        run_json("--cache-dir", "cache")
    assert "git tracks files in" in capsys.readouterr().err
    assert len(starts.calls) == 2 * len(TOOLS)


# --- each file with the configuration its tool finds for it ---------------------------------------


def test_black_and_autoflake_use_the_configuration_they_find_for_each_file(
    repo: Path, starts: Starts
) -> None:
    long_line = "value = [" + ", ".join(str(n) for n in range(40)) + "]\n"  # 88 < length < 200
    (repo / "a.py").write_text(long_line)
    (repo / "sub").mkdir()
    (repo / "sub" / "pyproject.toml").write_text("[tool.black]\nline-length = 200\n")
    (repo / "sub" / "s.py").write_text(long_line)
    (repo / "sub" / "setup.cfg").write_text("[autoflake]\nremove-all-unused-imports = true\n")
    (repo / "sub" / "t.py").write_text("import somewhere\n")  # not the standard library's
    (repo / "t.py").write_text("import somewhere\n")
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "base")
    code, report = run_json("--no-cache", "--jobs", "1")
    flagged = {(f["tool"], f["path"]) for f in report["findings"] if f["tool"] != "flake8"}
    assert ("black", "a.py") in flagged and ("black", "sub/s.py") not in flagged
    assert ("autoflake", "sub/t.py") in flagged and ("autoflake", "t.py") not in flagged
    assert len([tool for tool, _ in starts.calls if tool == "black"]) == 2
    for name in ("a.py", "t.py", "sub/s.py", "sub/t.py"):  # each on its own: the same findings
        alone = {(f.tool, f.path) for tool in (black, autoflake) for f in tool.run([name], ".")}
        assert alone == {(tool, path) for tool, path in flagged if path == name}


def test_black_configuration_search_stops_where_black_stops(tmp_path: Path) -> None:
    (tmp_path / "outer").mkdir()
    (tmp_path / "outer" / "pyproject.toml").write_text("[tool.black]\nline-length = 1\n")
    inner = tmp_path / "outer" / "inner"
    (inner / "deep").mkdir(parents=True)
    (inner / "pyproject.toml").write_text("[tool.other]\n")  # no [tool.black]: not a stop
    files = keys.ConfigFiles()
    deep = black.configuration(str(inner / "deep"), str(tmp_path), files)
    assert isinstance(deep, list) and deep[:2] == [str(tmp_path / "outer"), {"line-length": 1}]
    (inner / ".git").mkdir()
    stopped = black.configuration(str(inner / "deep"), str(tmp_path), keys.ConfigFiles())
    assert isinstance(stopped, list) and stopped[:2] == [str(inner), None]


def test_tool_versions_include_the_libraries_a_tool_is_built_on() -> None:
    names = {name for name, _ in keys.tool_version("autoflake", ())}
    assert {"autoflake", "pyflakes"} <= names
    flake8 = {name for name, _ in keys.tool_version("flake8", flake8_adapter.PLUGIN_GROUPS)}
    assert {"flake8", "pyflakes", "pycodestyle", "mccabe"} <= flake8


@pytest.mark.parametrize(
    "damage",
    [
        lambda entry: "not json",
        lambda entry: 42,
        lambda entry: entry.replace('"tool":"black"', '"tool":"mergegate"'),
        lambda entry: entry.replace('"line":', '"line":-'),
        lambda entry: entry.replace('"rule":"black:BLK100"', '"rule":"flake8:BLK100"'),
    ],
)
def test_a_malformed_tool_entry_is_checked_again(repo: Path, starts: Starts, damage: Any) -> None:
    cache = repo.parent / "cache"
    code, before = run_json("--cache-dir", str(cache))
    (document_path,) = cache.glob("*.json")
    document = json.loads(document_path.read_text())
    entries = document["tools"]["black"]
    entries["a.py"] = damage(entries["a.py"])
    document_path.write_text(json.dumps(document))
    starts.calls.clear()
    code, after = run_json("--cache-dir", str(cache))
    assert starts.calls == [("black", ["a.py"])]
    assert findings(after) == findings(before)


def test_autoflake_configuration_search_takes_the_first_table_or_section(tmp_path: Path) -> None:
    deep = tmp_path / "a" / "b"
    deep.mkdir(parents=True)
    (tmp_path / "setup.cfg").write_text("[autoflake]\nimports = requests\n")
    (tmp_path / "a" / "pyproject.toml").write_text("[tool.other]\n")  # no table: searched on
    found = autoflake.configuration(str(deep), str(tmp_path), keys.ConfigFiles())
    assert found == [str(tmp_path / "setup.cfg"), {"imports": "requests"}]
    (tmp_path / "a" / "pyproject.toml").write_text("[tool.autoflake]\nimports = 'six'\n")
    found = autoflake.configuration(str(deep), str(tmp_path), keys.ConfigFiles())
    assert found == [str(tmp_path / "a" / "pyproject.toml"), {"imports": "six"}]


def test_configuration_a_tool_would_reject_is_keyed_by_its_bytes(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text("[tool.black\n")
    (tmp_path / "setup.cfg").write_text("no section header\n")
    files = keys.ConfigFiles()
    broken = files.table(str(tmp_path / "pyproject.toml"), "tool", "black")
    assert isinstance(broken, str) and len(broken) == 64
    assert isinstance(files.section(str(tmp_path / "setup.cfg"), "autoflake"), str)
    assert files.table(str(tmp_path / "missing.toml"), "tool") is None
    (tmp_path / "folder.toml").mkdir()
    assert files.data(str(tmp_path / "folder.toml")) is None
