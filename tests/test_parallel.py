"""Parallel checking (gates/parallel.py): the same findings, errors and order as a serial run,
under fork and spawn; a pool only when it pays; a broken pool is an error, never a pass."""

from __future__ import annotations

import concurrent.futures
import multiprocessing
import os
from pathlib import Path

import pytest
from sample_repo import build, git, run_json

from mergegate.gates import collect as collect_module
from mergegate.gates import parallel
from mergegate.gates.cli import main
from mergegate.gates.collect import python_checks
from mergegate.gates.projects import load
from mergegate.gates.filecheck import FileResult
from mergegate.gates.parallel import ParallelError, Task, check_all
from mergegate.hooks.registry import RULES
from mergegate.hooks.source import Source


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = build(tmp_path / "repo", modules=70)
    monkeypatch.chdir(root)
    return root


class PoolSpy(concurrent.futures.ProcessPoolExecutor):
    """A ProcessPoolExecutor that counts how many were started."""

    started = 0

    def __init__(self, *args: object, **kwargs: object) -> None:
        PoolSpy.started += 1
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]


@pytest.fixture
def pools(monkeypatch: pytest.MonkeyPatch) -> type[PoolSpy]:
    PoolSpy.started = 0
    monkeypatch.setattr(concurrent.futures, "ProcessPoolExecutor", PoolSpy)
    return PoolSpy


def tasks_and_checks(root: Path) -> tuple[list[Task], list]:
    config = load(None, str(root))
    rules = [rule for rule in RULES.values() if rule.scope == "python"]
    files = sorted(str(path) for path in root.glob("src/**/*.py"))
    shown = [os.path.relpath(path, root) for path in files]
    tasks: list[Task] = [(path, name, name, None) for path, name in zip(files, shown)]
    return tasks, python_checks(config, rules)


def summary(results: list[FileResult]) -> list[tuple[object, ...]]:
    return [(result.items, result.error, result.digest, result.stat) for result in results]


def test_parallel_run_equals_serial_run(repo: Path, pools: type[PoolSpy]) -> None:
    serial = run_json("--no-cache", "--jobs", "1")
    assert pools.started == 0
    assert run_json("--no-cache", "--jobs", "2") == serial
    assert pools.started == 1
    assert run_json("--no-cache", "--jobs", "3") == serial


def test_errors_come_in_serial_order(repo: Path, pools: type[PoolSpy]) -> None:
    for name in ("a_gone.py", "m_gone.py", "z_gone.py"):
        (repo / "src" / name).symlink_to(repo / "missing-target.py")
    git(repo, "add", "-A")
    serial = run_json("--no-cache", "--jobs", "1")
    assert serial[0] == 2
    assert run_json("--no-cache", "--jobs", "2") == serial
    assert pools.started == 1


@pytest.mark.parametrize("method", ["fork", "spawn"])
def test_workers_under_each_start_method(repo: Path, method: str) -> None:
    if method not in multiprocessing.get_all_start_methods():
        pytest.skip(f"{method} is not available here")
    tasks, checks = tasks_and_checks(repo)
    assert len(tasks) >= parallel.POOL_MIN_FILES
    serial = check_all(tasks, checks, jobs=1, caching=True)
    context = multiprocessing.get_context(method)
    assert summary(check_all(tasks, checks, 2, True, context)) == summary(serial)
    assert any(result.items for result in serial)


def test_few_files_are_checked_without_a_pool(repo: Path, pools: type[PoolSpy]) -> None:
    tasks, checks = tasks_and_checks(repo)
    few = tasks[: parallel.POOL_MIN_FILES - 1]
    assert summary(check_all(few, checks, 4, False)) == summary(check_all(few, checks, 1, False))
    assert pools.started == 0


def _crash(source: Source, options: dict[str, object]) -> list:
    """A check that kills its process, as a segfault or the OOM killer would."""
    os._exit(3)


def test_a_dying_worker_is_an_error_not_a_pass(
    repo: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    tasks, _ = tasks_and_checks(repo)
    with pytest.raises(ParallelError, match="worker processes failed"):
        check_all(tasks, [(_crash, {}, None)], 2, False)
    monkeypatch.setattr(collect_module, "python_checks", lambda *args: [(_crash, {}, None)])
    assert main(["run", "--no-cache", "--jobs", "2"]) == 2
    assert "--jobs 1 checks them in this process" in capsys.readouterr().err


def test_jobs_must_be_a_positive_number(repo: Path) -> None:
    assert main(["run", "--jobs", "0"]) == 2
    assert main(["run", "--jobs", "many"]) == 2


def test_cache_and_parallel_together(repo: Path) -> None:
    serial = run_json("--no-cache", "--jobs", "1")
    assert run_json("--jobs", "2") == serial  # fills the cache in workers
    module = next(repo.glob("src/**/module_7.py"))
    module.write_text(module.read_text() + "\ntry:\n    pass\nexcept:\n    pass\n")
    changed = run_json("--no-cache", "--jobs", "1")
    assert changed != serial
    assert run_json("--jobs", "2") == changed
