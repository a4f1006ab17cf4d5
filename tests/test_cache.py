"""The cache (gates/cache.py): the same findings with and without it; kept outside the checked
tree and never trusted when its provenance cannot be established; records checked by name, type
and position; never fatal; never corrupted by concurrent runs."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
import time
from pathlib import Path
from typing import Callable

import pytest
from sample_repo import build, git, run_json

import mergegate.hooks
from mergegate.gates import cache as cache_module
from mergegate.gates import filecheck
from mergegate.gates.cache import ENVIRONMENT, Cache, location
from mergegate.gates.cli import main
from mergegate.gates.filecheck import FileResult
from mergegate.gates.model import Item
from mergegate.gates.output import TEMPORARY_PREFIX
from mergegate.hooks.finding import Finding
from mergegate.hooks.registry import RULES

IN_TREE = ".mergegate_cache"
"""A cache folder inside the checked tree (where mergegate kept its cache by default once)."""


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    root = build(tmp_path / "repo", modules=12)
    monkeypatch.chdir(root)
    return root


def folder_of(root: Path) -> Path:
    where = location(str(root))
    assert where is not None
    return Path(where.folder)


def cache_files(folder: Path) -> list[Path]:
    return sorted(folder.glob("*.json"))


def only_cache_file(root: Path) -> Path:
    [path] = cache_files(folder_of(root))
    return path


def edit_entries(path: Path, damage: Callable[[dict], object]) -> None:
    """Apply `damage` to every file entry of the cache file at `path`."""
    document = json.loads(path.read_text())
    for entry in document["files"].values():
        damage(entry)
    path.write_text(json.dumps(document))


def test_cached_runs_give_the_uncached_findings_and_leave_the_tree_alone(
    repo: Path, tmp_path: Path
) -> None:
    reference = run_json("--no-cache")
    assert run_json() == reference  # fills the cache
    assert run_json() == reference  # reads it
    folder = folder_of(repo)
    assert folder.parent == tmp_path / "xdg" / "mergegate"  # outside the checked tree
    assert (folder / ".gitignore").read_text().splitlines()[-1] == "*"
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    assert not (repo / IN_TREE).exists()
    assert git(repo, "status", "--porcelain", "--ignored") == ""  # nothing new in the tree


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


def test_the_reports_say_how_many_files_the_cache_served(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # and the files the repository-wide rules read: pyproject.toml, setup.cfg, the workflow
    files = len(list(repo.glob("src/**/*.py"))) + 3

    def markdown(*args: str) -> str:
        capsys.readouterr()
        main(["run", *args, "--format", "markdown"])
        return capsys.readouterr().out

    assert "served from the cache" not in markdown("--no-cache")
    assert "None served from the cache (there was none yet, or every file changed)." in markdown()
    assert f"{files} of {files} files served from the cache." in markdown()
    (repo / "src" / "new.py").write_text("x = 1\n")
    assert f"{files} of {files + 1} files served from the cache." in markdown()


def test_the_reports_say_whether_the_ci_system_restored_a_cache(
    repo: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """`$MERGEGATE_CACHE_RESTORED`, as the action sets it: the key restored, "" for none."""

    def summary(*args: str) -> str:
        capsys.readouterr()
        main(["run", *args, "--format", "markdown"])
        return capsys.readouterr().out

    monkeypatch.setenv("MERGEGATE_CACHE_RESTORED", "")
    assert "The results cache is off." in summary("--no-cache")
    assert "No results cache was restored (none saved yet for this configuration)." in summary()
    monkeypatch.setenv("MERGEGATE_CACHE_RESTORED", "mergegate-results-Linux-<b>*k*</b>")
    restored = summary()
    assert "Results cache restored from mergegate\\-results\\-Linux\\-" in restored
    assert "<b>" not in restored and "served from the cache." in restored


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
    document = json.loads(only_cache_file(repo).read_text())
    assert document["files"]  # files were stored...
    assert all(entry["stat"] is None for entry in document["files"].values())  # ...without stats


def test_records_are_stored_by_name(repo: Path) -> None:
    """A finding's fields are named in the file, never implied by their order."""
    run_json()
    document = json.loads(only_cache_file(repo).read_text())
    assert document["version"] == cache_module.VERSION == 2
    finding_names = set(Finding("r", "c", "p", 1, 1, 1, 1, "m").as_dict())
    items = [item for entry in document["files"].values() for item in entry["items"]]
    assert items and all(set(item) == finding_names - {"path"} | {"line_text"} for item in items)
    repo_entries = document["repo"].values()
    findings = [finding for entry in repo_entries for finding in entry["findings"]]
    assert findings and all(set(finding) == finding_names for finding in findings)


def test_deleted_files_are_forgotten(repo: Path) -> None:
    run_json()
    gone = next(repo.glob("src/**/module_3.py"))
    gone.unlink()
    (repo / "src" / "new.py").write_text("x = 1\n")  # something to store, so the cache is written
    assert run_json() == run_json("--no-cache")
    stored = json.loads(only_cache_file(repo).read_text())["files"]
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
    assert len(cache_files(folder_of(repo))) == 2
    assert '"path": "src/reraise.py"' in run_json()[1]


@pytest.mark.parametrize(
    "content",
    [
        b"",
        b"\x00\xff garbage",
        b'{"format": "mergegate-cache", "version": 2, "key": "',  # truncated
        b"[1, 2, 3]",
        b'{"format": "something-else", "version": 2}',
        b"[" * 100_000,  # json.loads: RecursionError
        b'{"a": ' * 100_000,
    ],
    ids=["empty", "binary", "truncated", "list", "foreign", "nested-lists", "nested-objects"],
)
def test_a_corrupt_cache_file_is_ignored_and_rebuilt(
    repo: Path, content: bytes, capsys: pytest.CaptureFixture[str]
) -> None:
    reference = run_json("--no-cache")
    run_json()
    path = only_cache_file(repo)
    path.write_bytes(content)
    capsys.readouterr()
    assert run_json() == reference
    assert capsys.readouterr().err == ""
    assert json.loads(path.read_text())["format"] == "mergegate-cache"  # rebuilt
    assert run_json() == reference


def each_item(change: Callable[[dict], object]) -> Callable[[dict], None]:
    def damage(entry: dict) -> None:
        for item in entry["items"]:
            change(item)

    return damage


@pytest.mark.parametrize(
    "damage",
    [
        each_item(lambda item: item.__setitem__("line", str(item["line"]))),
        each_item(lambda item: item.__setitem__("line", True)),
        each_item(lambda item: item.__setitem__("code", "MG999")),
        each_item(lambda item: item.__setitem__("tool", "flake8")),
        each_item(lambda item: item.pop("message")),
        each_item(lambda item: item.pop("line_text")),
        each_item(lambda item: item.__setitem__("severity", "P3")),
        each_item(lambda item: item.__setitem__("path", "elsewhere.py")),
        lambda entry: entry.__setitem__("items", [["bare-except", "MG101", 5, 1, 5, 7, "m", "t"]]),
        lambda entry: entry.__setitem__("items", "none"),
        lambda entry: entry.__setitem__("digest", 42),
        lambda entry: entry.pop("stat"),
    ],
    ids=[
        "string-number",
        "boolean-number",
        "unknown-code",
        "other-tool",
        "missing-field",
        "missing-line-text",
        "extra-field",
        "path-in-item",
        "positional-row",
        "not-a-list",
        "digest",
        "short-entry",
    ],
)
def test_malformed_entries_are_checked_again(repo: Path, damage: Callable[[dict], None]) -> None:
    reference = run_json("--no-cache")
    run_json()
    edit_entries(only_cache_file(repo), damage)
    assert run_json() == reference


@pytest.mark.parametrize(
    "position",
    [
        {"line": 10**30},
        {"end_line": 10**30},
        {"column": 2**31},
        {"line": 0},
        {"column": -1},
        {"end_column": 0},
        {"end_line": 0},
        {"end_column": -5},  # on the start line: ends before it starts
    ],
    ids=lambda position: "-".join(f"{name}={value}" for name, value in position.items()),
)
def test_impossible_positions_are_rejected_not_reported(
    repo: Path, position: dict[str, int]
) -> None:
    """A stored finding at a place no file has is never reported: its file is checked again."""
    reference = run_json("--no-cache")
    run_json()
    edit_entries(
        only_cache_file(repo),
        each_item(lambda item: item.update({"end_line": item["line"]} | position)),
    )
    assert run_json() == reference
    stored = json.loads(only_cache_file(repo).read_text())["files"]
    assert all(
        cache_module.plausible(*(item[name] for name in cache_module.POSITIONS))
        for entry in stored.values()
        for item in entry["items"]
    )  # rewritten from the files


def forge(path: Path) -> None:
    """Rewrite a cache file to claim that every file is clean."""
    edit_entries(path, lambda entry: entry.__setitem__("items", []))


GIT_REFUSING = """#!/bin/sh
echo "fatal: detected dubious ownership in repository at '$PWD'" >&2
exit 128
"""


GIT_STATES = ["git-works", "git-missing", "git-refuses"]


def answer_as(state: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """From now on git answers as usual, not at all (not installed), or refusing the repository
    (owned by another user)."""
    fake = tmp_path / "fake-bin"
    fake.mkdir()
    if state == "git-refuses":
        (fake / "git").write_text(GIT_REFUSING)
        (fake / "git").chmod(0o755)
    if state != "git-works":
        monkeypatch.setenv("PATH", str(fake))


def commit_forged_cache(repo: Path, folder: str) -> None:
    """A cache in the tree, made by a real run, then forged to hide every finding and committed."""
    assert main(["run", "--cache-dir", folder, "--format", "json:report.json"]) != 0
    Path("report.json").unlink()
    [path] = cache_files(repo / folder)
    forge(path)
    git(repo, "add", "-f", str(path))
    git(repo, "commit", "-q", "-m", "a forged cache")


@pytest.mark.parametrize("state", GIT_STATES)
def test_a_cache_committed_to_the_tree_is_never_read_by_default(
    repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, state: str
) -> None:
    """Whatever git says (or cannot say), the default cache is not in the tree."""
    commit_forged_cache(repo, IN_TREE)
    answer_as(state, tmp_path, monkeypatch)
    reference = run_json("--no-cache")
    assert json.loads(reference[1])["findings"], state
    assert run_json() == reference
    assert run_json() == reference


@pytest.mark.parametrize("state", GIT_STATES)
def test_a_named_cache_in_the_tree_is_refused_when_git_cannot_vouch_for_it(
    repo: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    state: str,
) -> None:
    (repo / IN_TREE).mkdir()  # untracked: fine when git can say so
    answer_as(state, tmp_path, monkeypatch)
    reference = run_json("--no-cache")
    capsys.readouterr()
    assert run_json("--cache-dir", IN_TREE) == reference
    assert run_json("--cache-dir", IN_TREE) == reference
    err = capsys.readouterr().err
    if state == "git-works":
        assert err == "" and len(cache_files(repo / IN_TREE)) == 1
    else:
        assert err.count("git cannot confirm that no file in it is committed there") == 2
        assert cache_files(repo / IN_TREE) == []


@pytest.mark.parametrize("how", ["option", "environment"])
def test_a_committed_cache_folder_is_never_trusted(
    repo: Path, how: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """A pull request that commits a cache saying "no findings" for its files gains nothing."""
    commit_forged_cache(repo, IN_TREE)
    reference = run_json("--no-cache")
    capsys.readouterr()
    if how == "option":
        assert run_json("--cache-dir", IN_TREE) == reference
    else:
        monkeypatch.setenv(ENVIRONMENT, IN_TREE)
        assert run_json() == reference
    assert f"git tracks files in {repo / IN_TREE}" in capsys.readouterr().err


@pytest.mark.parametrize("kind", ["symbolic-link", "writable-by-all", "foreign-owner"])
def test_an_untrustworthy_cache_folder_is_not_used(
    repo: Path, tmp_path: Path, kind: str, capsys: pytest.CaptureFixture[str]
) -> None:
    reference = run_json("--no-cache")
    run_json()
    folder = folder_of(repo)
    forge(only_cache_file(repo))
    if kind == "symbolic-link":
        elsewhere = tmp_path / "elsewhere"
        folder.rename(elsewhere)
        folder.symlink_to(elsewhere)
        expected = "is a symbolic link"
    elif kind == "writable-by-all":
        folder.chmod(0o777)
        expected = "is writable by every user"
    else:
        if os.getuid() != 0:
            pytest.skip("giving a folder to another user needs root")
        os.chown(folder, 4242, 4242)
        expected = "belongs to another user (uid 4242)"
    capsys.readouterr()
    assert run_json() == reference
    assert f"mergegate: warning: cache: off: {folder} {expected}" in capsys.readouterr().err


def test_an_unwritable_named_cache_is_a_warning_not_an_error(
    repo: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "not-a-folder").write_text("a file where the folder should be")
    reference = run_json("--no-cache")
    assert run_json("--cache-dir", str(tmp_path / "not-a-folder")) == reference
    captured = capsys.readouterr()
    assert "mergegate: warning: cache: cannot write" in captured.err
    assert "error" not in captured.err


def test_no_usable_default_folder_means_no_cache_silently(
    repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """As in a container whose user has no home: nobody asked for a cache, nobody is warned."""
    (tmp_path / "file").write_text("")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "file" / "cache"))
    reference = run_json("--no-cache")
    capsys.readouterr()
    assert run_json() == reference
    assert capsys.readouterr().err == ""
    assert main(["run", "--format", "markdown"]) == reference[0]
    assert "served from the cache" not in capsys.readouterr().out


def test_no_cache_writes_nothing(repo: Path, tmp_path: Path) -> None:
    run_json("--no-cache")
    assert not (tmp_path / "xdg").exists() and not (repo / IN_TREE).exists()


def test_where_the_cache_lives(repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = str(repo)
    home = tmp_path / "home"
    monkeypatch.setenv("HOME", str(home))
    default = location(root)
    assert default is not None and not default.named
    assert Path(default.folder).parent == tmp_path / "xdg" / "mergegate"
    monkeypatch.setenv("XDG_CACHE_HOME", "relative/path")  # invalid per the XDG spec: ignored
    default = location(root)
    assert default is not None and Path(default.folder).parent == home / ".cache" / "mergegate"
    other = location(str(tmp_path))
    assert other is not None and other.folder != default.folder  # one folder per project
    monkeypatch.setenv(ENVIRONMENT, "from-environment")
    assert location(root) == (str(repo / "from-environment"), True)  # relative to here
    assert location(root, str(tmp_path / "named")) == (str(tmp_path / "named"), True)


def test_the_environment_names_the_folder_itself(
    repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(ENVIRONMENT, str(tmp_path / "ci-cache"))
    reference = run_json("--no-cache")
    assert run_json() == reference
    assert run_json() == reference
    assert len(cache_files(tmp_path / "ci-cache")) == 1
    assert not (tmp_path / "xdg").exists()


def test_the_code_fingerprint_covers_subpackages(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A rule kept in a package of its own (hooks/<rule>/) changes the key when it changes."""
    package = tmp_path / "hooks"
    (package / "rule" / "deeper").mkdir(parents=True)
    (package / "__init__.py").write_text("")
    (package / "rule" / "__init__.py").write_text("")
    nested = package / "rule" / "deeper" / "flow.py"
    nested.write_text("STEPS = 1\n")
    (package / "rule" / "__pycache__").mkdir()
    (package / "rule" / "__pycache__" / "stale.py").write_text("")
    assert [name for name, _ in cache_module.modules(str(package))] == [
        "__init__.py",
        "rule/__init__.py",
        "rule/deeper/flow.py",
    ]
    monkeypatch.setattr(mergegate.hooks, "__path__", [str(package)])
    try:
        cache_module.code_fingerprint.cache_clear()
        before = cache_module.code_fingerprint()
        nested.write_text("STEPS = 2\n")
        cache_module.code_fingerprint.cache_clear()
        assert cache_module.code_fingerprint() != before
    finally:
        cache_module.code_fingerprint.cache_clear()


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


def test_forged_repository_findings_are_checked_again(
    repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    reference = run_json("--no-cache")
    run_json()
    path = only_cache_file(repo)
    document = json.loads(path.read_text())
    for entry in document["repo"].values():
        for finding in entry["findings"]:
            finding["line"] = -1
    path.write_text(json.dumps(document))
    assert run_json() == reference


def spy(check: Callable[..., list[Finding]], calls: list[str]) -> Callable[..., list[Finding]]:
    def spying(root: str, options: dict[str, object]) -> list[Finding]:
        calls.append(check.__module__.rsplit(".", 1)[1])
        return check(root, options)

    return spying


def test_concurrent_runs_never_corrupt_the_cache(repo: Path, tmp_path: Path) -> None:
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
        "import glob, json, os, time\n"
        "deadline, reads = time.time() + 60, 0\n"
        "while time.time() < deadline and reads < 400:\n"
        "    for path in glob.glob(os.environ['MERGEGATE_CACHE_DIR'] + '/*.json'):\n"
        "        try:\n"
        "            text = open(path).read()\n"
        "        except FileNotFoundError:\n"
        "            continue\n"
        "        json.loads(text)\n"
        "        reads += 1\n"
        "print(reads)\n"
    )
    folder = tmp_path / "shared-cache"
    env = {**os.environ, ENVIRONMENT: str(folder)}
    processes = [
        subprocess.Popen([sys.executable, "-c", writer, name], env=env) for name in ("a", "b")
    ]
    reading = subprocess.run(
        [sys.executable, "-c", reader], env=env, capture_output=True, text=True, check=False
    )
    assert [process.wait(timeout=300) for process in processes] == [0, 0]
    assert reading.returncode == 0, reading.stderr
    assert int(reading.stdout) > 0
    [path] = cache_files(folder)
    files = json.loads(path.read_text())["files"]
    assert any(name.startswith(("a/59/", "b/59/")) for name in files)  # the last save's entries
    assert not list(folder.glob(TEMPORARY_PREFIX + "*"))

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
    assert run_json("--cache-dir", str(folder)) == reference


def test_cache_api_records_and_finds_by_shown_path(repo: Path, tmp_path: Path) -> None:
    """The key is the path the checks see: debug-print's exclusions depend on it."""
    rule = RULES["debug-print"]
    folder = str(tmp_path / "api-cache")
    cache = Cache.open(str(repo), [[rule.id, rule.default_options()]], folder=folder)
    assert cache is not None
    finding = Finding(rule.id, "MG301", "src/a.py", 2, 5, 2, 10, "message")
    source = repo / "src" / "a.py"
    source.write_text("x = 1\nprint(x)\n")
    result = FileResult([Item(finding, "print(x)")], digest="0" * 32)
    cache.record("src/a.py", result, result.items or [])
    cache.save()
    again = Cache.open(str(repo), [[rule.id, rule.default_options()]], folder=folder)
    assert again is not None
    stored = again.lookup(str(source), "src/a.py")
    assert stored is not None and stored.digest == "0" * 32 and not stored.fresh
    assert stored.items == [Item(finding, "print(x)")]
    assert again.lookup(str(source), "./src/a.py") is None


def test_an_upgraded_parsing_library_changes_the_repository_hooks_key(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The libraries are told apart by their top module's content (its version is written
    there), found without importing them; one that is missing has a key too."""
    library = tmp_path / "fakeparser"
    library.mkdir()
    (library / "__init__.py").write_text('__version__ = "1.0"\n')
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setattr(cache_module, "LIBRARIES", ("fakeparser", "not_installed_parser"))
    before = cache_module._libraries()
    (library / "__init__.py").write_text('__version__ = "1.1"\n')
    after = cache_module._libraries()
    assert before[0] != after[0] and before[0][0] == "fakeparser"  # type: ignore[index]
    assert before[1] == after[1] == ["not_installed_parser", None]
    assert "fakeparser" not in sys.modules
