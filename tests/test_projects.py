"""Configuration anywhere, shared and nested: `--config` outside the tree, `extend` chains, each
file judged by its own project's table, and a configuration the pull request cannot loosen."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from mergegate.gates.cli import main
from mergegate.hooks import bare_except, debug_print

BARE = "try:\n    work()\nexcept:\n    pass\n"
PRINT = "print('debug')\n"


def git(repo: Path, *args: str) -> str:
    result = subprocess.run(["git", *args], cwd=repo, capture_output=True, text=True, check=True)
    return result.stdout


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = tmp_path / "repo"
    root.mkdir()
    git(root, "init", "-q", "-b", "main")
    monkeypatch.chdir(root)
    return root


def write(root: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)


def findings(*args: str) -> tuple[int, list[tuple[str, str, str, bool]]]:
    """Exit status and (path, code, tier, blocking) of every reported finding."""
    out = Path("report.json").absolute()
    code = main(["run", "--no-cache", *args, "--format", f"json:{out}"])
    document = json.loads(out.read_text()) if out.exists() else {"findings": []}
    out.unlink(missing_ok=True)
    return code, [
        (entry["path"], entry["code"], entry["severity"], entry["blocking"])
        for entry in document["findings"]
    ]


# --- --config anywhere --------------------------------------------------------------------------


def test_config_outside_the_repository_is_accepted_and_roots_at_the_repository(
    repo: Path, tmp_path: Path
) -> None:
    org = tmp_path / "org"
    org.mkdir()
    (org / "mergegate.toml").write_text('fail-on = "P2"\nexclude = ["gen/**"]\n')
    write(repo, {"app.py": PRINT, "gen/out.py": PRINT})
    code, found = findings("--config", str(org / "mergegate.toml"), ".")
    assert code == 1 and found == [("app.py", "MG301", "P2", True)]  # gen/ from the repo root


def test_config_as_a_pyproject_table_or_a_standalone_file(repo: Path, tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text('[tool.mergegate]\nfail-on = "P2"\n')
    (tmp_path / "plain.toml").write_text('fail-on = "P2"\n')
    (tmp_path / "empty.toml").write_text("")
    write(repo, {"app.py": PRINT})
    assert findings("--config", str(tmp_path / "pyproject.toml"))[0] == 1
    assert findings("--config", str(tmp_path / "plain.toml"))[0] == 1
    assert findings("--config", str(tmp_path / "empty.toml"))[0] == 0  # no keys: the defaults


# --- extend -------------------------------------------------------------------------------------


def test_extend_chains_with_the_extending_file_winning(repo: Path, tmp_path: Path) -> None:
    shared = tmp_path / "shared"
    shared.mkdir()
    (shared / "base.toml").write_text(
        'fail-on = "P2"\n[severity]\nMG301 = "P3"\nMG101 = "P1"\n'
        "[rules.bare-except]\nallow-reraise = false\n"
    )
    (shared / "team.toml").write_text('extend = "base.toml"\n[severity]\nMG301 = "P2"\n')
    write(
        repo,
        {
            "pyproject.toml": f'[tool.mergegate]\nextend = "{shared / "team.toml"}"\n',
            "app.py": PRINT + BARE,
        },
    )
    code, found = findings()
    # MG301 from team.toml (P2, blocks at base's fail-on P2); MG101 from base.toml (P1)
    assert code == 1 and sorted(found) == [
        ("app.py", "MG101", "P1", True),
        ("app.py", "MG301", "P2", True),
    ]


@pytest.mark.parametrize(
    "files, message",
    [
        (
            {"a.toml": 'extend = "b.toml"\n', "b.toml": 'extend = "a.toml"\n'},
            "`extend` makes a cycle: ",
        ),
        ({"a.toml": 'extend = "missing.toml"\n'}, "missing.toml: no such configuration file"),
        ({"a.toml": 'extend = "b.toml"\n', "b.toml": "colour = 1\n"}, "unknown key 'colour'"),
        ({"a.toml": "extend = 3\n"}, "expected a file name"),
    ],
)
def test_extend_errors_name_the_files(
    files: dict[str, str], message: str, repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write(repo, {"pyproject.toml": '[tool.mergegate]\nextend = "conf/a.toml"\n'})
    write(repo / "conf", files)
    (repo / "app.py").write_text(BARE)
    assert main(["run", "--no-cache"]) == 2
    err = capsys.readouterr().err
    assert message in err
    if "cycle" in message:
        assert "a.toml -> " in err and "b.toml -> " in err
    assert bare_except.main(["app.py"]) == 2  # the hooks read the same chain


# --- monorepos: each file judged by its own project ---------------------------------------------


MONOREPO = {
    "pyproject.toml": '[tool.mergegate]\nexclude = ["svc_b/legacy/**"]\n',
    "svc_a/pyproject.toml": '[tool.mergegate]\nfail-on = "P2"\n',
    "svc_a/app.py": PRINT,
    "svc_b/pyproject.toml": "[tool.mergegate]\n[tool.mergegate.severity]\nMG101 = 'P3'\n",
    "svc_b/app.py": BARE + PRINT,
    "svc_b/legacy/old.py": BARE,
    "lib/util.py": BARE,
}


def test_each_file_is_judged_by_its_closest_project(repo: Path) -> None:
    write(repo, MONOREPO)
    code, found = findings()
    assert code == 1 and sorted(found) == [
        ("lib/util.py", "MG101", "P0", True),  # the root project: defaults
        ("svc_a/app.py", "MG301", "P2", True),  # svc_a blocks at P2
        ("svc_b/app.py", "MG101", "P3", False),  # svc_b demotes bare-except
        ("svc_b/app.py", "MG301", "P2", False),
    ]  # svc_b/legacy/old.py: the root project, around svc_b, excludes it


def test_one_run_over_several_projects_and_the_hooks_agree(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write(repo, MONOREPO)
    code, found = findings("svc_a", "svc_b")
    assert code == 1 and {path.split("/")[0] for path, *_ in found} == {"svc_a", "svc_b"}
    assert debug_print.main(["svc_a/app.py", "svc_b/app.py"]) == 1
    out = capsys.readouterr().out
    assert "svc_a/app.py:1:1: MG301 " in out and "[P2, not blocking at fail-on P0]" in out
    assert bare_except.main(["svc_b/app.py"]) == 0


def test_from_inside_a_project_its_exclude_is_relative_to_its_root(
    repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write(
        repo,
        {
            "pyproject.toml": '[tool.mergegate]\nexclude = ["pkg/gen/**"]\nfail-on = "P2"\n',
            "pkg/gen/out.py": PRINT,
            "pkg/app.py": PRINT,
        },
    )
    from_root = findings()[1]
    monkeypatch.chdir(repo / "pkg")
    from_pkg = findings(".")[1]
    assert [path for path, *_ in from_root] == ["pkg/app.py"]
    assert [path for path, *_ in from_pkg] == ["app.py"]


def test_repository_rules_run_once_per_project_root(repo: Path) -> None:
    workflow = "on: push\njobs:\n  a:\n    steps:\n      - run: echo ${{ secrets.TOKEN }}\n"
    write(
        repo,
        {
            "pyproject.toml": "[tool.mergegate]\n",
            "svc/pyproject.toml": "[tool.mergegate]\n",
            "svc/.github/workflows/ci.yml": workflow,
            ".github/workflows/ci.yml": workflow,
            "svc/app.py": "x = 1\n",
        },
    )
    found = findings()[1]
    assert sorted(path for path, code, *_ in found if code == "MG601") == [
        ".github/workflows/ci.yml",
        "svc/.github/workflows/ci.yml",
    ]


# --- a gate the pull request cannot loosen ------------------------------------------------------


def test_the_configuration_and_baseline_come_from_the_trusted_revision(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write(repo, {"pyproject.toml": '[tool.mergegate]\nbaseline = "b.json"\n', "old.py": BARE})
    assert main(["baseline", "--no-cache"]) == 0
    git(repo, "add", "-A")
    git(repo, "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-q", "-m", "base")
    base = git(repo, "rev-parse", "HEAD").strip()
    # The pull request: a new bare except, hidden three ways.
    (repo / "new.py").write_text(BARE)
    (repo / "pyproject.toml").write_text(
        '[tool.mergegate]\nbaseline = "b.json"\nfail-on = "never"\n'
    )
    assert main(["baseline", "--no-cache"]) == 0  # the new finding recorded too
    capsys.readouterr()
    assert findings()[0] == 0  # judged by its own tree, it passes
    code, found = findings("--trusted-config-from", base)
    assert code == 1
    assert ("new.py", "MG101", "P0", True) in found
    changed = sorted((path, code) for path, code, _, _ in found if code == "MG003")
    assert changed == [("b.json", "MG003"), ("pyproject.toml", "MG003")]
    assert main(["run", "--no-cache", "--trusted-config-from", base, "--color", "never"]) == 1
    assert "takes effect after merge" in capsys.readouterr().out


def test_a_new_nested_project_in_the_pull_request_is_not_trusted(repo: Path) -> None:
    write(repo, {"pyproject.toml": "[tool.mergegate]\n", "svc/app.py": "x = 1\n"})
    git(repo, "add", "-A")
    git(repo, "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-q", "-m", "base")
    write(repo, {"svc/pyproject.toml": '[tool.mergegate]\nfail-on = "never"\n', "svc/app.py": BARE})
    code, found = findings("--trusted-config-from", "HEAD")
    assert code == 1 and ("svc/app.py", "MG101", "P0", True) in found
    assert ("svc/pyproject.toml", "MG003", "P1", False) in found


def test_an_unknown_trusted_revision_is_an_error(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (repo / "a.py").write_text("x = 1\n")
    assert main(["run", "--no-cache", "--trusted-config-from", "nope"]) == 2
    assert "git does not know the revision 'nope'" in capsys.readouterr().err


def test_a_folder_the_outer_project_excludes_is_left_out_even_with_its_own_project(
    repo: Path,
) -> None:
    write(
        repo,
        {
            "pyproject.toml": '[tool.mergegate]\nexclude = ["examples/**"]\n',
            "examples/pyproject.toml": "[tool.mergegate]\n",
            "examples/app.py": BARE,
            "examples/.github/workflows/ci.yml": "on: push\njobs:\n  a:\n    steps:\n"
            "      - run: echo ${{ secrets.TOKEN }}\n",
            "lib.py": "x = 1\n",
        },
    )
    assert findings() == (0, [])  # neither its files nor its repository-wide rules
    code, found = findings("examples")  # asked for by name, it is checked as its own project
    assert code == 1 and {path for path, *_ in found} == {
        "examples/app.py",
        "examples/.github/workflows/ci.yml",
    }
