"""All cores: Python files checked in worker processes, results in the order of a serial run.

Workers run `filecheck.check_path`, the very function the serial loop runs, on chunks of files;
the chunks come back in order. A pool costs a process start per worker (a fork on Linux; an
interpreter start and the imports under spawn or forkserver), so it is used only for enough files.
The checks travel to each worker once, as module-level functions (pickled by name), so workers
work under every start method.
"""

from __future__ import annotations

import os

from mergegate.gates.filecheck import FileResult, check_path

TYPE_CHECKING = False
if TYPE_CHECKING:  # typing costs a hook's start-up time; mypy reads this block
    from typing import Callable, Optional

    from mergegate.gates.filecheck import PythonCheck

POOL_MIN_FILES = 32
"""Fewer files are checked in this process: on a typical file a check takes milliseconds, about
what starting a worker costs."""
MAX_CHUNK = 64
CHUNKS_PER_WORKER = 8
"""Chunks small enough that a worker finishing early takes more (sizes vary), large enough that
sending them costs nothing: at most MAX_CHUNK files, at least CHUNKS_PER_WORKER per worker."""

Task = tuple[str, str, str, "str | None"]
"""A file to check: its path, the path shown for it, its path from its project's root, the
digest the cache holds results for."""


class ParallelError(Exception):
    """The worker pool failed (a worker killed, no way to start processes): nothing is trusted."""


_worker: dict[str, object] = {}
"""In a worker process: the checks and whether the cache wants digests, set once at its start."""


def _start_worker(checks: list[PythonCheck], caching: bool) -> None:
    _worker["checks"] = checks
    _worker["caching"] = caching


def _check_tasks(
    tasks: list[Task],
    checks: list[PythonCheck],
    caching: bool,
    progress: Optional[Callable[[int], None]] = None,
) -> list[FileResult]:
    results = []
    for path, shown, relative, known in tasks:
        results.append(check_path(path, shown, relative, checks, caching, known))
        if progress:
            progress(1)
    return results


def _check_chunk(chunk: list[Task]) -> list[FileResult]:
    """In a worker: check a chunk with the checks it was started with."""
    checks: list[PythonCheck] = _worker["checks"]  # type: ignore[assignment]
    return _check_tasks(chunk, checks, bool(_worker["caching"]))


def default_jobs() -> int:
    """The cores this process may run on (its CPU affinity where the system has one)."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0)) or 1
    return os.cpu_count() or 1


def check_all(
    tasks: list[Task],
    checks: list[PythonCheck],
    jobs: int,
    caching: bool,
    context: Optional[object] = None,
    progress: Optional[Callable[[int], None]] = None,
) -> list[FileResult]:
    """Each task's result, in task order; `context` is a multiprocessing context (the default
    start method when None); `progress` is told how many files each step finished. Raises
    ParallelError when the pool fails."""
    if jobs <= 1 or len(tasks) < POOL_MIN_FILES:
        return _check_tasks(tasks, checks, caching, progress)
    import functools
    from concurrent.futures import ProcessPoolExecutor
    from concurrent.futures.process import BrokenProcessPool

    size = max(1, min(MAX_CHUNK, len(tasks) // (jobs * CHUNKS_PER_WORKER)))
    chunks = [tasks[start : start + size] for start in range(0, len(tasks), size)]
    results: list[FileResult] = []
    try:
        with ProcessPoolExecutor(
            max_workers=min(jobs, len(chunks)),
            mp_context=context,  # type: ignore[arg-type]
            initializer=functools.partial(_start_worker, checks, caching),
        ) as pool:
            for chunk_results in pool.map(_check_chunk, chunks):
                results.extend(chunk_results)
                if progress:
                    progress(len(chunk_results))
    except (BrokenProcessPool, OSError, ImportError) as error:
        detail = str(error) or type(error).__name__
        raise ParallelError(
            f"checking files in {jobs} worker processes failed: {detail}"
            " (--jobs 1 checks them in this process)"
        ) from None
    return results
