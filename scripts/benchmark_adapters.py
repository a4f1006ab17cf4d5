"""The benchmark's adapters section (`python scripts/benchmark.py --only adapters`).

The standard library of the running Python becomes a git repository of one commit with flake8,
bandit, black and autoflake enabled. The gate runs over the whole library cold, then warm, beside
the four tools themselves run on it one after another; then a pull request appends a few lines
to 10 of its files, and the gate runs with `--new-from-rev HEAD` (the tools check only those
files) with an empty cache, with the cache the base commit's run left (as CI restores it) and
warm, beside the four tools on those 10 files one after another. Targets: the pull request's run
at most 10 s cold (or from the base commit's cache) and 1 s warm, and the same reports cold and
warm.
"""

from __future__ import annotations

import json
import os
import shutil
import statistics
from collections.abc import Callable
from pathlib import Path

from benchmark import (
    REPO_ROOT,
    Bench,
    run,
    sampled_run,
    same_reports,
    say,
    stdlib_corpus,
    timed_runs,
)

TOOLS = ("flake8", "bandit", "black", "autoflake")
"""The adapters the adapters section enables: every one mergegate has."""
PR_TARGET_COLD, PR_TARGET_WARM = 10.0, 1.0
"""Issue 13: seconds for a pull request touching 10 files of the standard library with the four
tools and `--new-from-rev`, cold and warm."""
PR_FILES = 10
PR_EDIT = """

def _pull_request_{number}(value, items=[]):
    import json
    import subprocess
    unused = 1
    items.append(value)
    return subprocess.call(value, shell=True) if value==None else items
"""
"""What the pull request appends to each file it touches: something for every tool (pyflakes,
pycodestyle, bandit, black, autoflake), at the end, where it cannot break the syntax."""


def adapters_repository(bench: Bench) -> tuple[Path, list[str], list[str]]:
    """The standard library as a git repository with the four tools enabled, one commit, and the
    PR_FILES files a pull request changes (spread over the library, each one Python compiles)."""
    corpus, files = stdlib_corpus(bench)
    repository = bench.scratch / "adapters-stdlib"
    if repository.exists():
        shutil.rmtree(repository)
    shutil.copytree(corpus, repository)
    tools = ", ".join(f'"{tool}"' for tool in TOOLS)
    (repository / "pyproject.toml").write_text(f"[tool.mergegate]\ntools = [{tools}]\n")
    identity = ["-c", "user.name=benchmark", "-c", "user.email=benchmark@invalid"]
    run(["git", "init", "--quiet"], cwd=repository)
    run(["git", "add", "--all"], cwd=repository)
    run(["git", *identity, "commit", "--quiet", "-m", "base"], cwd=repository)
    changed: list[str] = []
    for name in files[:: len(files) // PR_FILES]:
        try:
            compile((repository / name).read_bytes(), name, "exec")
        except (SyntaxError, ValueError):
            continue
        changed.append(name)
    return repository, files, changed[:PR_FILES]


def adapters(bench: Bench) -> bool:
    """The gate with flake8, bandit, black and autoflake over the standard library: the whole
    library cold then warm; a pull request's run (`--new-from-rev`) with an empty cache, with the
    cache the base commit's run left (as CI restores it), and warm; beside the pull request's
    runs, the four tools themselves on its files, one after another."""
    run([bench.bin("python"), "-m", "pip", "install", "--quiet", f"{REPO_ROOT}[tools]"])
    repository, files, changed = adapters_repository(bench)
    listed = run([bench.bin("python"), "-m", "pip", "list", "--format", "json"], env=bench.env)
    installed = {entry["name"].lower(): entry["version"] for entry in json.loads(listed.stdout)}
    say(
        f"\n== adapters: {len(files)} files, {PR_FILES} changed by the pull request,"
        f" {bench.corpus_runs} alternating runs, {os.cpu_count()} CPUs,"
        f" load {os.getloadavg()[0]:.1f}; "
        + ", ".join(f"{tool} {installed.get(tool, '?')}" for tool in TOOLS)
    )
    black_cache = bench.scratch / "black-cache"
    bench.env["BLACK_CACHE_DIR"] = str(black_cache)  # black's own cache: cold unless it is said
    caches = {
        name: bench.scratch / f"adapters-cache-{name}"
        for name in ("base", "cold", "restored", "warm", "check")
    }

    def gate(cache: str, *arguments: str) -> list[str]:
        folder = str(caches[cache])
        return [
            bench.bin("mergegate"),
            "run",
            "--color",
            "never",
            "--cache-dir",
            folder,
            *arguments,
        ]

    def fresh(*names: str) -> Callable[[], None]:
        """Empty these caches and black's."""

        def empty() -> None:
            for folder in [*(caches[name] for name in names), black_cache]:
                shutil.rmtree(folder, ignore_errors=True)
                folder.mkdir()

        return empty

    def restore() -> None:
        fresh("restored")()
        shutil.rmtree(caches["restored"])
        shutil.copytree(caches["base"], caches["restored"])

    # The whole library on the base commit: its cache is what CI restores for the pull request.
    fresh("base")()
    whole = {
        "whole library, cold (1 run)": sampled_run(bench, "cold", gate("base"), repository),
        "whole library, warm (1 run)": sampled_run(bench, "warm", gate("base"), repository),
    }
    fresh()()
    whole["  the four tools on the whole library, in turn"] = sampled_run(
        bench, "the four tools", ["sh", "-c", in_turn(bench, ".")], repository
    )
    for number, name in enumerate(changed):
        with open(repository / name, "a", encoding="utf-8") as handle:
            handle.write(PR_EDIT.format(number=number))
    peer = in_turn(bench, " ".join(changed))
    pull_request = ("--new-from-rev", "HEAD")
    labels = {
        "cold": "pull request, cold (empty cache)",
        "restored": "pull request, the base commit's cache",
        "warm": "pull request, warm (nothing changed)",
        "peer": "  the four tools on its 10 files, in turn",
    }
    commands = {
        labels["cold"]: gate("cold", *pull_request),
        labels["restored"]: gate("restored", *pull_request),
        labels["warm"]: gate("warm", *pull_request),
        labels["peer"]: ["sh", "-c", peer],
    }
    prepare = {
        labels["cold"]: fresh("cold"),
        labels["restored"]: restore,
        labels["peer"]: fresh(),
    }
    timings = timed_runs(
        bench,
        commands,
        repository,
        rounds=bench.corpus_runs,
        warmup=1,  # fills the warm cache
        accept=(0, 1),
        prepare=prepare,
    )
    memory: dict[str, float | None] = {}
    for label, command in commands.items():
        if label in prepare:
            prepare[label]()
        memory[label] = sampled_run(bench, label, command, repository)[2]

    header = ("command", "wall median", "wall min", "cpu median", "peak MB")
    say("{:<46} {:>11} {:>9} {:>10} {:>8}".format(*header))
    rows = [
        (label, statistics.median(t.wall), min(t.wall), statistics.median(t.cpu), memory[label])
        for label, t in timings.items()
    ]
    rows += [(label, wall, wall, cpu, peak) for label, (wall, cpu, peak) in whole.items()]
    for label, wall, least, cpu, peak in rows:
        say(
            f"{label:<46} {wall:>10.2f}s {least:>8.2f}s {cpu:>9.2f}s"
            f" {'n/a' if peak is None else f'{peak:.0f}':>8}"
        )
    fresh("check")()
    met = same_reports(
        bench,
        repository,
        {"cold": gate("check", *pull_request), "warm": gate("warm", *pull_request)},
    )
    met = checked_only_changed(bench.scratch / "cold.json", changed) and met
    for name, target in (
        ("cold", PR_TARGET_COLD),
        ("restored", PR_TARGET_COLD),
        ("warm", PR_TARGET_WARM),
    ):
        wall = statistics.median(timings[labels[name]].wall)
        held = wall <= target
        met = met and held
        say(f"target: {labels[name]} <= {target:g}s: {wall:.2f}s " + ("met" if held else "NOT MET"))
    return met


def in_turn(bench: Bench, files: str) -> str:
    """A shell command running the four tools on `files` (shell words) one after another, as a
    project without the gate would in CI."""
    return "; ".join(
        [
            f"{bench.bin('flake8')} {files}",
            f"{bench.bin('bandit')} --quiet --recursive {files}",
            f"{bench.bin('black')} --check --quiet {files}",
            f"{bench.bin('autoflake')} --check --quiet --recursive {files}",
            "true",
        ]
    )


def checked_only_changed(report: Path, changed: list[str]) -> bool:
    """Whether the pull request's report (as same_reports wrote it) has each tool's findings on
    exactly the changed files: PR_EDIT gives every tool something to say on each of them, and a
    tool that checked another file could report there too. Says how many files each covered."""
    findings = json.loads(report.read_text(encoding="utf-8"))["findings"]
    agree = True
    counts = []
    for tool in TOOLS:
        paths = {finding["path"] for finding in findings if finding["tool"] == tool}
        agree = agree and paths == set(changed)
        counts.append(f"{tool} {len(paths)}")
    say(
        "files with findings of each tool in the pull request's run: "
        + ", ".join(counts)
        + f" (the {len(changed)} changed files, and only those: {'yes' if agree else 'NO'})"
    )
    return agree
