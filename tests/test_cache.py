"""The cache (gates/cache.py): the same findings with and without it, never trusted when it is
corrupt, foreign or committed, never fatal, and never corrupted by concurrent runs."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Callable

import pytest
from sample_repo import build, git, run_json

from mergegate.gates import cache as cache_module
from mergegate.gates import filecheck
from mergegate.gates.cache import FOLDER, Cache
from mergegate.gates.filecheck import FileResult
from mergegate.gates.model import Item
from mergegate.gates.output import TEMPORARY_PREFIX
from mergegate.hooks.finding import Finding
from mergegate.hooks.registry import RULES


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.delenv("XDG_CACHE_HOME", raising=False)
    root = build(tmp_path / "repo", modules=12)
    monkeypatch.chdir(root)
    return root


def cache_files(root: Path) -> list[Path]:
    return sorted((root / FOLDER).glob("*.json"))


def test_cached_runs_give_the_uncached_findings(repo: Path) -> None:
    reference = run_json("--no-cache")
    assert run_json() == reference  # fills the cache
    assert run_json() == reference  # reads it
    assert (repo / FOLDER / ".gitignore").read_text().splitlines()[-1] == "*"
    assert git(repo, "status", "--porcelain", "--", FOLDER) == ""  # nothing to commit there


def test_second_run_checks_nothing_and_agrees(repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    reference = run_json("--no-cache")
    assert run_json() == reference  # fills the cache
    checked: list[str] = []
    original = filecheck.check_data

    def spy(shown_as: str, data: bytes, checks: list) -> list[Item]:
        checked.append(shown_as)
        return original(shown_as, data, checks)

    monkeypatch.setattr(filecheck, "check_data", spy)
    assert run_json() == reference
    assert checked == []
    monkeypatch.setattr(cache_module, "STAT_MARGIN_NS", 0)  # trust the stats of files just written
    assert run_json() == reference  # stores the stats
    assert run_json() == reference  # uses them
    assert checked == []


def test_a_changed_file_is_checked_again_even_with_its_old_size_and_time(
    repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The stat key holds the ctime, which no tool can set back: restoring the size and the
    mtime after an edit does not make the file look unchanged."""
    monkeypatch.setattr(cache_module, "STAT_MARGIN_NS", 0)  # store stats of files just written
    target = next(repo.glob("src/**/module_0.py"))
    run_json()
    run_json()  # now with the stats stored
    before = os.stat(target)
    time.sleep(0.05)  # past the file system's timestamp tick
    text = target.read_text()
    edited = text.replace("except:\n    pass\n", "except E:\n  pass\n", 1)  # same size
    assert edited != text and len(edited) == len(text)
    target.write_text(edited)
    os.utime(target, ns=(before.st_atime_ns, before.st_mtime_ns))
    code, report = run_json()
    assert (code, report) == run_json("--no-cache")
    places = {(f["path"], f["line"]) for f in json.loads(report)["findings"]}
    assert (target.relative_to(repo).as_posix(), 5) not in places  # that bare except is gone


def test_recently_changed_files_store_no_stat(repo: Path) -> None:
    """A write in the same timestamp tick as the read must not look unchanged next time."""
    run_json()
    document = json.loads(cache_files(repo)[0].read_text())
    assert document["files"]  # files were stored...
    assert all(entry[0] is None for entry in document["files"].values())  # ...without stats


def test_deleted_files_are_forgotten(repo: Path) -> None:
    run_json()
    gone = next(repo.glob("src/**/module_3.py"))
    gone.unlink()
    (repo / "src" / "new.py").write_text("x = 1\n")  # something to store, so the cache is written
    assert run_json() == run_json("--no-cache")
    stored = json.loads(cache_files(repo)[0].read_text())["files"]
    assert "src/new.py" in stored and gone.relative_to(repo).as_posix() not in stored
    assert len(stored) == len(list(repo.glob("src/**/*.py")))


def test_new_options_are_a_new_key(repo: Path) -> None:
    (repo / "src" / "reraise.py").write_text("try:\n    x()\nexcept:\n    raise\n")
    git(repo, "add", "-A")
    run_json()
    pyproject = repo / "pyproject.toml"
    pyproject.write_text(
        pyproject.read_text() + "\n[tool.mergegate.rules.bare-except]\nallow-reraise = false\n"
    )
    assert run_json() == run_json("--no-cache")
    assert len(cache_files(repo)) == 2
    assert '"path": "src/reraise.py"' in run_json()[1]


@pytest.mark.parametrize(
    "content",
    [
        b"",
        b"\x00\xff garbage",
        b'{"format": "mergegate-cache", "version": 1, "key": "',  # truncated
        b"[1, 2, 3]",
        b'{"format": "something-else", "version": 1}',
    ],
    ids=["empty", "binary", "truncated", "list", "foreign"],
)
def test_a_corrupt_cache_file_is_ignored_and_rebuilt(repo: Path, content: bytes) -> None:
    reference = run_json("--no-cache")
    run_json()
    [path] = cache_files(repo)
    path.write_bytes(content)
    assert run_json() == reference
    assert json.loads(path.read_text())["format"] == "mergegate-cache"  # rebuilt
    assert run_json() == reference


@pytest.mark.parametrize(
    "damage",
    [
        lambda entry: entry.__setitem__(2, [["bare-except", "MG101", "5", 1, 5, 7, "m", "t"]]),
        lambda entry: entry.__setitem__(2, [["bare-except", "MG999", 5, 1, 5, 7, "m", "t"]]),
        lambda entry: entry.__setitem__(2, [["bare-except", "MG101", 5, 1, 5, 7, "m"]]),
        lambda entry: entry.__setitem__(2, "none"),
        lambda entry: entry.__setitem__(1, 42),
        lambda entry: entry.pop(),
    ],
    ids=["string-number", "unknown-code", "short-row", "not-a-list", "digest", "short-entry"],
)
def test_malformed_entries_are_checked_again(repo: Path, damage: object) -> None:
    reference = run_json("--no-cache")
    run_json()
    [path] = cache_files(repo)
    document = json.loads(path.read_text())
    for entry in document["files"].values():
        damage(entry)  # type: ignore[operator]
    path.write_text(json.dumps(document))
    assert run_json() == reference


def test_a_committed_cache_is_never_trusted(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A pull request that commits a cache saying "no findings" for its files gains nothing."""
    reference = run_json("--no-cache")
    run_json()
    [path] = cache_files(repo)
    document = json.loads(path.read_text())
    for entry in document["files"].values():
        entry[2] = []  # forged: every file clean
    path.write_text(json.dumps(document))
    git(repo, "add", "-f", str(path))
    capsys.readouterr()
    assert run_json() == reference
    assert "git tracks files in" in capsys.readouterr().err


def test_a_symlinked_cache_folder_is_not_used(
    repo: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (repo / FOLDER).symlink_to(elsewhere)
    assert run_json() == run_json("--no-cache")
    assert list(elsewhere.iterdir()) == []
    assert "symbolic link" in capsys.readouterr().err


def test_an_unwritable_cache_is_a_warning_not_an_error(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (repo / FOLDER).write_text("a file where the folder should be")
    reference = run_json("--no-cache")
    assert run_json() == reference
    captured = capsys.readouterr()
    assert "mergegate: warning: cache: cannot write" in captured.err
    assert "error" not in captured.err


def test_no_cache_writes_nothing(repo: Path) -> None:
    run_json("--no-cache")
    assert not (repo / FOLDER).exists()


def test_xdg_cache_home_holds_the_cache_when_set(
    repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    xdg = tmp_path / "xdg"
    monkeypatch.setenv("XDG_CACHE_HOME", str(xdg))
    reference = run_json("--no-cache")
    assert run_json() == reference
    assert run_json() == reference
    assert not (repo / FOLDER).exists()
    [folder] = (xdg / "mergegate").iterdir()
    assert (folder / ".gitignore").exists() and list(folder.glob("*.json"))
    monkeypatch.setenv("XDG_CACHE_HOME", "relative/path")  # invalid per the XDG spec: ignored
    assert run_json() == reference
    assert (repo / FOLDER).is_dir()


def test_repository_hooks_are_cached_on_their_inputs(
    repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from mergegate.hooks import coverage_threshold_single_source as coverage
    from mergegate.hooks import secrets_documented as secrets

    workflow = ".github/workflows/ci.yml"
    assert coverage.inputs(str(repo), {}) == ["pyproject.toml", "setup.cfg", workflow]
    docs = str(RULES["secrets-documented"].option("docs").default)
    assert secrets.inputs(str(repo), {"docs": docs}) == [workflow]
    reference = run_json("--no-cache")
    assert run_json() == reference
    calls: list[str] = []
    for module in (coverage, secrets):
        monkeypatch.setattr(module, "check", spy(module.check, calls))
    assert run_json() == reference
    assert calls == []  # inputs unchanged: both from the cache

    setup = repo / "setup.cfg"
    setup.write_text(setup.read_text().replace("80", "90"))
    code, text = run_json()
    assert calls == ["coverage_threshold_single_source"]
    assert (code, text) == run_json("--no-cache")
    assert text != reference[1]  # MG502 (disagrees) became MG501 (repeats)

    calls.clear()
    (repo / docs).write_text("# Secrets\n\n- `DEPLOY_TOKEN`: deploys.\n")
    code, text = run_json()
    assert calls == ["secrets_documented"]  # a new input: the document now exists
    assert (code, text) == run_json("--no-cache")
    assert '"MG601"' not in text


def spy(check: Callable[..., list[Finding]], calls: list[str]) -> Callable[..., list[Finding]]:
    def spying(root: str, options: dict[str, object]) -> list[Finding]:
        calls.append(check.__module__.rsplit(".", 1)[1])
        return check(root, options)

    return spying


def test_concurrent_runs_never_corrupt_the_cache(repo: Path) -> None:
    """Two processes write the cache over and over while a third reads it: every read is a
    complete document, and a run afterwards agrees with an uncached one."""
    writer = (
        "import sys\n"
        "from mergegate.gates.cache import Cache\n"
        "from mergegate.gates.filecheck import FileResult\n"
        "cache = Cache.open('.', [['bare-except', {}]])\n"
        "for round in range(60):\n"
        "    cache = Cache.open('.', [['bare-except', {}]])\n"
        "    for number in range(40):\n"
        "        shown = f'{sys.argv[1]}/{round}/{number}.py'\n"
        "        cache.record(shown, FileResult([], digest='d' * 32), [])\n"
        "    cache.save()\n"
    )
    reader = (
        "import glob, json, time\n"
        "deadline, reads = time.time() + 60, 0\n"
        "while time.time() < deadline and reads < 400:\n"
        "    for path in glob.glob('.mergegate_cache/*.json'):\n"
        "        try:\n"
        "            text = open(path).read()\n"
        "        except FileNotFoundError:\n"
        "            continue\n"
        "        json.loads(text)\n"
        "        reads += 1\n"
        "print(reads)\n"
    )
    env = {key: value for key, value in os.environ.items() if key != "XDG_CACHE_HOME"}
    processes = [
        subprocess.Popen([sys.executable, "-c", writer, name], env=env) for name in ("a", "b")
    ]
    reading = subprocess.run(
        [sys.executable, "-c", reader], env=env, capture_output=True, text=True, check=False
    )
    assert [process.wait(timeout=300) for process in processes] == [0, 0]
    assert reading.returncode == 0, reading.stderr
    assert int(reading.stdout) > 0
    [path] = cache_files(repo)
    files = json.loads(path.read_text())["files"]
    assert any(name.startswith(("a/59/", "b/59/")) for name in files)  # the last save's entries
    assert not list((repo / FOLDER).glob(TEMPORARY_PREFIX + "*"))

    reference = run_json("--no-cache")
    runs = [
        subprocess.Popen(
            [sys.executable, "-m", "mergegate.gates.cli", "run", "--format", f"json:out-{n}.json"],
            env=env,
        )
        for n in range(2)
    ]
    assert [run.wait(timeout=300) for run in runs] == [reference[0]] * 2
    assert all(Path(f"out-{n}.json").read_text() == reference[1] for n in range(2))
    assert run_json() == reference


def test_cache_api_records_and_finds_by_shown_path(repo: Path) -> None:
    """The key is the path the checks see: debug-print's exclusions depend on it."""
    rule = RULES["debug-print"]
    cache = Cache.open(str(repo), [[rule.id, rule.default_options()]])
    assert cache is not None
    finding = Finding(rule.id, "MG301", "src/a.py", 2, 5, 2, 10, "message")
    source = repo / "src" / "a.py"
    source.write_text("x = 1\nprint(x)\n")
    result = FileResult([Item(finding, "print(x)")], digest="0" * 32)
    cache.record("src/a.py", result, result.items or [])
    cache.save()
    again = Cache.open(str(repo), [[rule.id, rule.default_options()]])
    assert again is not None
    stored = again.lookup(str(source), "src/a.py")
    assert stored is not None and stored.digest == "0" * 32 and not stored.fresh
    assert stored.items == [Item(finding, "print(x)")]
    assert again.lookup(str(source), "./src/a.py") is None
