"""Report paths: regular files (and new paths) are replaced in one step; devices, pipes and
stdout are written through, never replaced; a symbolic link is followed to its target, unless it
lies inside the repository, which a pull request can fill with links."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from mergegate.gates.cli import main
from mergegate.gates.output import UnsafePath, write_report

SOURCE = "try:\n    x()\nexcept:\n    pass\n"


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A project with one blocking finding, the current directory; `outside` is a sibling."""
    project = tmp_path / "repo"
    project.mkdir()
    (project / "pyproject.toml").write_text("[tool.mergegate]\n")
    (project / "m.py").write_text(SOURCE)
    (tmp_path / "outside").mkdir()
    monkeypatch.chdir(project)
    return project


def test_a_regular_file_is_replaced_keeping_its_mode(repo: Path) -> None:
    report = repo / "r.json"
    report.write_text("old, and longer than the new text")
    report.chmod(0o640)
    inode = report.stat().st_ino
    write_report("r.json", "new\n", str(repo))
    assert report.read_text() == "new\n"
    assert stat.S_IMODE(report.stat().st_mode) == 0o640
    assert report.stat().st_ino != inode  # replaced, not rewritten in place
    assert sorted(path.name for path in repo.iterdir()) == ["m.py", "pyproject.toml", "r.json"]


def test_a_new_path_is_created(repo: Path) -> None:
    write_report("new.json", "x\n", str(repo))
    assert (repo / "new.json").read_text() == "x\n"


def test_a_link_outside_the_repository_is_followed_to_its_target(repo: Path) -> None:
    target = repo.parent / "outside" / "real.sarif"
    target.write_text("old")
    link = repo.parent / "outside" / "link.sarif"
    link.symlink_to(target)
    write_report(str(link), "new\n", str(repo))
    assert link.is_symlink() and os.readlink(link) == str(target)
    assert target.read_text() == "new\n"


def test_a_dangling_link_outside_the_repository_creates_its_target(repo: Path) -> None:
    target = repo.parent / "outside" / "later.xml"
    link = repo.parent / "outside" / "link.xml"
    link.symlink_to(target)
    write_report(str(link), "<x/>\n", str(repo))
    assert link.is_symlink() and target.read_text() == "<x/>\n"


@pytest.mark.parametrize(
    ("make", "path"),
    [
        (lambda repo, aim: (repo / "r.sarif").symlink_to(aim), "r.sarif"),
        (lambda repo, aim: (repo / "r.sarif").symlink_to(repo.parent / "nowhere"), "r.sarif"),
        (lambda repo, aim: (repo / "out").symlink_to(aim.parent), "out/victim"),
        (lambda repo, aim: (repo / "out").symlink_to(aim.parent / "x"), "out/../victim"),
    ],
    ids=["to-a-file", "dangling", "a-folder-on-the-way", "dot-dot-after-a-link"],
)
def test_a_link_inside_the_repository_is_refused(repo: Path, make, path: str) -> None:
    victim = repo.parent / "outside" / "victim"
    victim.write_text("a startup file")
    (repo.parent / "outside" / "x").mkdir()
    make(repo, victim)
    with pytest.raises(UnsafePath, match="is a symbolic link inside the repository"):
        write_report(path, "[]\n", str(repo))
    assert victim.read_text() == "a startup file"
    assert not (repo.parent / "nowhere").exists()


def test_the_cli_refuses_a_link_inside_the_repository(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    victim = repo.parent / "outside" / "victim"
    victim.write_text("kept")
    (repo / "gl.json").symlink_to(victim)
    assert main(["run", "--no-cache", "--format", "gitlab:gl.json"]) == 2
    assert "gl.json is a symbolic link inside the repository" in capsys.readouterr().err
    assert victim.read_text() == "kept"


def test_a_named_pipe_is_written_through(repo: Path) -> None:
    fifo = repo.parent / "outside" / "pipe"
    os.mkfifo(fifo)
    received: list[str] = []
    reader = threading.Thread(target=lambda: received.append(fifo.read_text()), daemon=True)
    reader.start()
    write_report(str(fifo), "through the pipe\n", str(repo))
    reader.join(timeout=10)
    assert received == ["through the pipe\n"]
    assert stat.S_ISFIFO(fifo.lstat().st_mode)


@pytest.mark.skipif(os.geteuid() != 0, reason="making a device node needs root")
def test_a_device_is_written_through_as_root_never_replaced(repo: Path) -> None:
    null = repo.parent / "outside" / "null"
    try:
        os.mknod(null, stat.S_IFCHR | 0o666, os.makedev(1, 3))  # what /dev/null is
    except PermissionError:
        pytest.skip("no CAP_MKNOD here")
    assert main(["run", "--no-cache", "--format", f"json:{null}"]) == 1
    assert stat.S_ISCHR(null.lstat().st_mode)
    assert null.read_text() == ""  # still the null device


def cli(*args: str, stdout: object = subprocess.PIPE) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "mergegate.gates.cli", "run", "--no-cache", *args],
        stdout=stdout,  # type: ignore[arg-type]
        stderr=subprocess.PIPE,
        text=True,
        check=False,
    )


@pytest.fixture
def dev_stdout(repo: Path) -> str:
    """A link made as `/dev/stdout` is (to `/proc/self/fd/1`), outside the repository. The real
    one is not used: as root, a regression would replace the machine's `/dev/stdout`."""
    if os.readlink("/dev/stdout") != "/proc/self/fd/1":
        pytest.skip("/dev/stdout is not a link to /proc/self/fd/1 here")
    link = repo.parent / "outside" / "stdout"
    link.symlink_to("/proc/self/fd/1")
    return str(link)


def test_dev_stdout_writes_to_a_pipe_through_the_link(dev_stdout: str) -> None:
    result = cli("--format", f"sarif:{dev_stdout}")
    assert result.returncode == 1, result.stderr
    assert json.loads(result.stdout)["version"] == "2.1.0"
    assert os.readlink(dev_stdout) == "/proc/self/fd/1"


def test_dev_stdout_redirected_to_a_file_gets_both_reports_in_order(
    repo: Path, dev_stdout: str
) -> None:
    log = repo.parent / "outside" / "log.txt"
    with open(log, "w", encoding="utf-8") as stream:
        inode = os.fstat(stream.fileno()).st_ino
        result = cli("--format", "text", "--format", f"json:{dev_stdout}", stdout=stream)
    assert result.returncode == 1, result.stderr
    text = log.read_text(encoding="utf-8")
    verdict = "mergegate: blocked: "
    assert text.index("m.py:3:1: MG101") < text.index(verdict) < text.index('"verdict"')
    assert json.loads(text[text.index("{") :])["verdict"] == "blocked"
    assert log.stat().st_ino == inode  # the file stdout goes to was written, not replaced
    assert os.readlink(dev_stdout) == "/proc/self/fd/1"


def test_a_folder_or_a_missing_folder_is_a_clear_error(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (repo / "reports").mkdir()
    with pytest.raises(IsADirectoryError, match="is a folder"):
        write_report("reports", "x", str(repo))
    with pytest.raises(FileNotFoundError, match="no such folder: .*missing"):
        write_report("missing/r.json", "x", str(repo))
    assert main(["run", "--no-cache", "--format", "json:missing/r.json"]) == 2
    assert "no such folder" in capsys.readouterr().err
    assert sorted(path.name for path in repo.iterdir()) == ["m.py", "pyproject.toml", "reports"]
