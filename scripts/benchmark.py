#!/usr/bin/env python3
"""mergegate's speed, measured as users meet it: a plain (non-editable) install in a fresh venv.

    python scripts/benchmark.py                  # every section
    python scripts/benchmark.py --only startup   # some sections (comma-separated)
    python scripts/benchmark.py --venv DIR       # build the venv in DIR, keep it, reuse it

Sections (see SECTIONS at the bottom; each prints its figures and says whether its targets hold):

- startup: one hook process on one small file against the same venv's `python -c pass` (the
  interpreter itself, never a pyenv shim), median wall time of alternating runs, in a folder
  without configuration and in a project with a `[tool.mergegate]` table, for each Python hook
  and for the `mergegate` hook (`mergegate hook`); target at most 1.5x in both. Then what each
  hook imports beyond the bare interpreter (`python -X importtime`).
- stdlib: the running Python's standard library (copied, site-packages left out), side by side:
  mergegate with the Python-source hooks cold (--no-cache) against `ruff check --no-cache` and
  `flake8` with the matching codes; warm (the cache filled, nothing changed); one file changed;
  peak memory of each (the whole process tree's proportional set size). Targets, as ratios of
  wall-time medians to ruff's (timed in the same alternating rounds): cold at most 8x, warm at
  most 1x, one file changed at most 1.5x; a cold run's peak at most 300 MB. Beside the cold
  runs, the floors: CPython alone on all cores, with no check, running `symtable`, `compile()`
  to bytecode (the compiler's whole verdict), `ast.parse` (the trees), and both (`FLOORS`). Then
  where a cold run's time goes, phase by phase and check by check, in one process. ruff and
  flake8 are taken from the environment running this script (the `test` extra); flake8 runs
  once (it takes about a minute here) and only gives scale.
- adapters: the four tools through the gate on the standard library made a git repository, and a
  pull request changing 10 of its files (`--new-from-rev`): cold, with the base commit's cache,
  warm; see scripts/benchmark_adapters.py.
- hooks: each Python hook on every standard-library file in one process (as pre-commit runs it)
  against `mergegate run --select` that hook with `--jobs 1 --no-cache`; target at most 1.1x,
  and peak memory that does not grow with the number of files.
- ci: `.ci/run` on a fresh clone of HEAD (the whole test suite; minutes); target at most half of
  the 7 to 13 minutes it took when issue 13 was filed.

The venv is made with `python -m venv --upgrade-deps` from the interpreter running this script,
so pip is current (as in the environments pre-commit builds); installing needs PyPI.
Exit status: 0 when every target holds, 1 when one does not.
"""

from __future__ import annotations

import argparse
import collections
import functools
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import sysconfig
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent

STARTUP_TARGET = 1.5
"""A hook's start-up costs at most 1.5x the bare interpreter's: pre-commit starts one process per
hook per commit, so start-up is most of what a commit waits for."""
COLD_TARGET, WARM_TARGET, CHANGED_TARGET = 8.0, 1.0, 1.5
"""mergegate over the standard library, as a multiple of ruff's cold run (the fastest peer, so the
ratio says what users give up): without the cache, with the cache filled and nothing changed,
and with one file changed."""
MEMORY_TARGET_MB = 300
"""The peak memory of a cold run over the standard library, in MB, so that a large repository
still fits a small CI runner."""
HOOK_TARGET = 1.1
"""A single hook over many files costs at most this multiple of `mergegate run --select` it."""
MEMORY_GROWTH = 1.5
"""A hook's peak memory on all the files, at most this multiple of its peak on the largest tenth
of them: flat in N, since no file's tree outlives its checks."""
CI_FILED_SECONDS = (7 * 60, 13 * 60)
"""`.ci/run` on a fresh clone when issue 13 was filed: 7 to 13 minutes on this 2-core machine;
the target is at most half."""
RUFF_SELECT = "E722,PLW0602,T201,T203"
FLAKE8_SELECT = "E722,F824"
"""The reference tools' codes for bare-except, unused-global and debug-print: the same work."""
FLOOR = """\
import _ast, gc, os, sys, symtable, warnings
from concurrent.futures import ProcessPoolExecutor

def work(names):
    gc.disable()
    warnings.simplefilter("ignore")
    for name in names:
        with open(name, "rb") as handle:
            data = handle.read()
        try:
            if sys.argv[1] == "symtable":
                symtable.symtable(data.decode("utf-8", "replace"), name, "exec")
            elif sys.argv[1] == "compile":
                compile(data, name, "exec", dont_inherit=True)
            else:
                tree = compile(data, name, "exec", _ast.PyCF_ONLY_AST, dont_inherit=True)
                if sys.argv[1] == "ast+compile":
                    compile(tree, name, "exec", dont_inherit=True)
        except (SyntaxError, ValueError, RecursionError, MemoryError):
            pass

jobs = len(os.sched_getaffinity(0))
chunks = [sys.argv[2 + start :: jobs * 8] for start in range(jobs * 8)]
with ProcessPoolExecutor(jobs) as pool:
    list(pool.map(work, chunks))
"""
"""The floors under a cold run: CPython alone reading every file on all cores (the collector off,
as mergegate runs it), with no check at all, in one of four ways (its argument)."""
FLOORS = {
    "floor: symtable (not exact)": "symtable",
    "floor: compile() (exact verdict)": "compile",
    "floor: ast.parse (trees)": "ast",
    "floor: ast.parse + compile(tree)": "ast+compile",
}
"""What each floor row runs: `symtable` misses the errors of code generation (`return` outside a
function...), `compile` to bytecode gives the compiler's whole verdict, `ast` builds the trees the
checks need, `ast+compile` both, as a file a check needs gets them."""
PROFILE = """\
import gc, sys, time
from mergegate.gates.collect import python_checks
from mergegate.gates.projects import load
from mergegate.gates.filecheck import needed
from mergegate.hooks.finding import Finding
from mergegate.hooks.registry import RULES
from mergegate.hooks.source import decode_source, parse_text, syntax_error

checks = python_checks(load(None, "."), [r for r in RULES.values() if r.scope == "python"])
phases = {"decode": 0.0, "pre-checks": 0.0, "compile() only (no tree)": 0.0}
phases.update({"parse + compile(tree)": 0.0, "freeing trees": 0.0})
phases.update({RULES[check.rule_id].module: 0.0 for check, _, _ in checks})
clock, trees, skipped = time.process_time, 0, 0
gc.disable()
for name in sys.argv[1:]:
    with open(name, "rb") as handle:
        data = handle.read()
    start = clock()
    text = decode_source(name, data)
    phases["decode"] += clock() - start
    if isinstance(text, Finding):
        continue
    start = clock()
    selected = needed(checks, text)
    phases["pre-checks"] += clock() - start
    start = clock()
    if not selected:
        syntax_error(name, text)
        phases["compile() only (no tree)"] += clock() - start
        skipped += 1
        continue
    parsed = parse_text(name, text)
    phases["parse + compile(tree)"] += clock() - start
    if isinstance(parsed, Finding):
        continue
    trees += 1
    for check, options in selected:
        start = clock()
        check(parsed, options)
        phases[RULES[check.rule_id].module] += clock() - start
    start = clock()
    del parsed
    phases["freeing trees"] += clock() - start
total = sum(phases.values())
print(f"{trees} trees, {skipped} files with the compiler's verdict only, {total:.2f} s of CPU")
for phase, seconds in phases.items():
    print(f"  {phase:<34} {seconds:>6.2f} s {100 * seconds / total:>5.1f}%")
"""
"""Where a cold run's time goes: the gate's per-file work over the corpus in one process (the
collector off, as mergegate runs it), CPU seconds by phase and by check."""
CHANGED_FILE = "json/encoder.py"
"""The standard library module the one-file-changed runs edit: a typical module."""

CONFIGURED = (
    '[project]\nname = "small"\n\n[tool.mergegate]\nfail-on = "P1"\n'
    "[tool.mergegate.rules.bare-except]\nallow-reraise = false\n"
)
"""The start-up run's second case: a project with a `[tool.mergegate]` table to read."""
SMALL_FILE = '''\
"""A small module with nothing to report: what a hook sees on a typical commit."""

import logging

log = logging.getLogger(__name__)
_retries = 0


class Gateway:
    def __init__(self, url):
        self.url = url

    def charge(self, order):
        global _retries
        try:
            return self._post(order)
        except ConnectionError:
            _retries += 1
            log.warning("retrying %s", order)
            return self._post(order)

    def _post(self, order):
        return {"url": self.url, "order": order}
'''


class Bench:
    """What every section shares: the checkout, one venv with mergegate installed, the run count."""

    def __init__(self, runs: int, venv: Path | None, scratch: Path, corpus_runs: int = 5) -> None:
        self.runs = runs
        self.corpus_runs = corpus_runs
        self.scratch = scratch
        self._venv = venv or scratch / "venv"

    @functools.cached_property
    def venv(self) -> Path:
        """The venv, built and installed on first use (or reused when --venv names a built one)."""
        python = self._venv / "bin" / "python"
        if not python.exists():
            say(f"building {self._venv} (python -m venv --upgrade-deps; pip install .)")
            run([sys.executable, "-m", "venv", "--upgrade-deps", str(self._venv)])
            run([str(python), "-m", "pip", "install", "--quiet", str(REPO_ROOT)])
        else:  # what is measured is this checkout, never an earlier install
            say(f"reinstalling this checkout in {self._venv}")
            install = ["install", "--quiet", "--no-deps", "--force-reinstall", str(REPO_ROOT)]
            run([str(python), "-m", "pip", *install])
        return self._venv

    def bin(self, name: str) -> str:
        return str(self.venv / "bin" / name)

    @functools.cached_property
    def python_hooks(self) -> list[str]:
        """The Python hooks' ids, from the registry of the installed package being measured."""
        listing = "from mergegate.hooks.registry import RULES\n" + (
            "print(*(r.id for r in RULES.values() if r.scope == 'python'))"
        )
        return run([self.bin("python"), "-c", listing], env=self.env).stdout.split()

    @functools.cached_property
    def env(self) -> dict[str, str]:
        """The environment less PYTHON* variables, which would change what the interpreter does."""
        return {key: value for key, value in os.environ.items() if not key.startswith("PYTHON")}


def say(text: str = "") -> None:
    """The report goes to stdout (a CLI's output, not a debug print)."""
    sys.stdout.write(text + "\n")
    sys.stdout.flush()


def run(
    command: list[str], cwd: Path | None = None, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(command, capture_output=True, text=True, check=False, cwd=cwd, env=env)
    if result.returncode != 0:
        sys.exit(f"benchmark: {' '.join(command)} failed ({result.returncode}):\n{result.stderr}")
    return result


class Timings:
    """Wall and CPU (user + system) seconds of one command's runs."""

    __slots__ = ("wall", "cpu")

    def __init__(self) -> None:
        self.wall: list[float] = []
        self.cpu: list[float] = []


def timed_runs(
    bench: Bench,
    commands: dict[str, list[str]],
    cwd: Path,
    rounds: int | None = None,
    warmup: int = 3,
    accept: tuple[int, ...] = (0,),
    prepare: dict[str, Callable[[], None]] | None = None,
) -> dict[str, Timings]:
    """Each command's times over `rounds` rounds (default `bench.runs`), the commands alternating.

    Alternating spreads drift (other load, CPU frequency) evenly over all commands; CPU time, read
    from the children's resource usage, is what load on a shared machine disturbs least. `warmup`
    rounds first warm the caches and check each command succeeds (exits with a status in
    `accept`: checkers exit 1 when they find something); they are not counted. `prepare[label]`
    runs, untimed, before each run of that command.
    """
    timings = {label: Timings() for label in commands}
    for round_number in range((rounds or bench.runs) + warmup):
        for label, command in commands.items():
            if prepare and label in prepare:
                prepare[label]()
            cpu_before = children_cpu()
            start = time.perf_counter()
            result = subprocess.run(command, cwd=cwd, env=bench.env, capture_output=True)
            wall = time.perf_counter() - start
            if result.returncode not in accept:
                sys.exit(f"benchmark: {label} exited {result.returncode}: {result.stderr!r}")
            if round_number >= warmup:
                timings[label].wall.append(wall)
                timings[label].cpu.append(children_cpu() - cpu_before)
    return timings


def children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def import_times(
    bench: Bench, commands: dict[str, list[str]], cwd: Path, runs: int = 9
) -> dict[str, dict[str, int]]:
    """Per command, module -> least self microseconds under `python -X importtime`, import order.

    Rounds alternate between the commands as in `timed_runs`; the least of the runs, since load
    from elsewhere can only add to a module's time.
    """
    samples: dict[str, dict[str, list[int]]] = {label: {} for label in commands}
    for _ in range(runs):
        for label, command in commands.items():
            python = [bench.bin("python"), "-X", "importtime"]
            result = run(python + command, cwd=cwd, env=bench.env)
            for line in result.stderr.splitlines():
                if line.startswith("import time:") and "[us]" not in line:
                    self_us, _, name = line[len("import time:") :].split("|")
                    samples[label].setdefault(name.strip(), []).append(int(self_us))
    return {
        label: {name: min(values) for name, values in modules.items()}
        for label, modules in samples.items()
    }


def startup(bench: Bench) -> bool:
    """One hook on one small file against the bare interpreter, per Python hook."""
    work = bench.scratch / "startup"
    work.mkdir(exist_ok=True)
    (work / "small.py").write_text(SMALL_FILE, encoding="utf-8")
    configured = work / "configured"  # a project whose pyproject.toml has a [tool.mergegate]
    configured.mkdir(exist_ok=True)
    (configured / "small.py").write_text(SMALL_FILE, encoding="utf-8")
    (configured / "pyproject.toml").write_text(CONFIGURED, encoding="utf-8")
    hooks = bench.python_hooks
    baseline = "python -c pass"
    commands = {baseline: [bench.bin("python"), "-c", "pass"]}
    commands.update({hook: [bench.bin(f"mergegate-{hook}"), "small.py"] for hook in hooks})
    commands.update(
        {
            f"{hook}, configured": [bench.bin(f"mergegate-{hook}"), "configured/small.py"]
            for hook in hooks
        }
    )
    gate_hook = [bench.bin("mergegate"), "hook"]  # the `mergegate` hook: the gate's whole CLI
    commands["mergegate hook"] = [*gate_hook, "small.py"]
    commands["mergegate hook, configured"] = [*gate_hook, "configured/small.py"]
    pip = run([bench.bin("python"), "-m", "pip", "--version"]).stdout.split()[1]
    say(
        f"\n== startup: {bench.runs} alternating runs, Python {sys.version.split()[0]}, "
        f"pip {pip}, {os.cpu_count()} CPUs, load {os.getloadavg()[0]:.1f}, venv {bench.venv}"
    )
    timings = timed_runs(bench, commands, work)
    base_wall = statistics.median(timings[baseline].wall)
    base_cpu = statistics.median(timings[baseline].cpu)
    met = True
    header = ("command", "wall median", "wall min", "ratio", "cpu median", "ratio")
    say("{:<42} {:>11} {:>9} {:>6} {:>11} {:>6}".format(*header))
    for label, timing in timings.items():
        wall, cpu = statistics.median(timing.wall), statistics.median(timing.cpu)
        met = met and (label == baseline or wall / base_wall <= STARTUP_TARGET)
        say(
            f"{label:<42} {wall * 1000:>9.1f}ms {min(timing.wall) * 1000:>7.1f}ms"
            f" {wall / base_wall:>5.2f}x {cpu * 1000:>9.1f}ms {cpu / base_cpu:>5.2f}x"
        )
    say(
        f"target: every hook's wall median <= {STARTUP_TARGET}x {baseline}'s: "
        + ("met" if met else "NOT MET")
    )

    scripts = {baseline: ["-c", "pass"]}  # the same runs, as arguments to `python -X importtime`
    scripts.update({hook: [bench.bin(f"mergegate-{hook}"), "small.py"] for hook in hooks})
    scripts["mergegate hook"] = [*gate_hook, "small.py"]
    imports = import_times(bench, scripts, work)
    say(f"\nimports beyond {baseline} (python -X importtime, least self us of 9 runs):")
    for hook in [*hooks, "mergegate hook"]:
        extra = {
            name: self_us
            for name, self_us in imports[hook].items()
            if name not in imports[baseline]
        }
        listed = ", ".join(f"{name} {self_us}" for name, self_us in extra.items())
        say(f"{hook}: {len(extra)} modules, {sum(extra.values()) / 1000:.1f} ms: {listed}")
    return met


def reference_tool(name: str) -> str:
    """A reference tool from the environment running this script (else from PATH)."""
    candidate = Path(sys.executable).with_name(name)
    found = str(candidate) if candidate.exists() else shutil.which(name)
    if found is None:
        sys.exit(f"benchmark: {name} not found (pip install -e '.[test]')")
    return found


def stdlib_corpus(bench: Bench) -> tuple[Path, list[str]]:
    """A copy of the running Python's standard library (its .py files, site-packages left out),
    with a pyproject.toml selecting the Python-source hooks, and its files in order: the runs
    write their cache there and one of them edits a file."""
    source = Path(sysconfig.get_paths()["stdlib"])
    corpus = bench.scratch / "stdlib"
    files = []
    for path in sorted(source.rglob("*.py")):
        relative = path.relative_to(source)
        if "site-packages" in relative.parts or "dist-packages" in relative.parts:
            continue
        (corpus / relative).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, corpus / relative)
        files.append(relative.as_posix())
    hooks = ", ".join(f'"{hook}"' for hook in bench.python_hooks)
    (corpus / "pyproject.toml").write_text(f"[tool.mergegate]\nselect = [{hooks}]\n")
    return corpus, files


def tree_memory_kb(pid: int) -> int:
    """The proportional set size (kB) of a process and its descendants: pages shared between
    them (forked workers) are split between them, not counted once per process."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", encoding="utf-8") as handle:
                parent = int(handle.read().rsplit(")", 1)[1].split()[1])
        except (OSError, ValueError, IndexError):
            continue  # ended meanwhile
        children.setdefault(parent, []).append(int(entry))
    total, pending = 0, [pid]
    while pending:
        current = pending.pop()
        pending.extend(children.get(current, ()))
        for name, field in (("smaps_rollup", "Pss:"), ("status", "VmRSS:")):
            try:
                with open(f"/proc/{current}/{name}", encoding="utf-8") as handle:
                    lines = [line for line in handle if line.startswith(field)]
            except OSError:
                continue
            total += int(lines[0].split()[1]) if lines else 0
            break
    return total


def sampled_run(
    bench: Bench, label: str, command: list[str], cwd: Path
) -> tuple[float, float, float | None]:
    """One run's wall and CPU seconds and its peak memory in MB, sampled every 20 ms (None
    without /proc); sampling costs CPU, so these runs are not among the timed ones."""
    with tempfile.TemporaryFile() as errors:
        cpu_before = children_cpu()
        start = time.perf_counter()
        process = subprocess.Popen(
            command, cwd=cwd, env=bench.env, stdout=subprocess.DEVNULL, stderr=errors
        )
        peak = 0
        while process.poll() is None:
            if os.path.isdir("/proc"):
                peak = max(peak, tree_memory_kb(process.pid))
            time.sleep(0.02)
        wall = time.perf_counter() - start
        if process.returncode not in (0, 1):
            errors.seek(0)
            sys.exit(f"benchmark: {label} exited {process.returncode}: {errors.read()!r}")
    return wall, children_cpu() - cpu_before, peak / 1024 if peak else None


def stdlib(bench: Bench) -> bool:
    """Cold, warm and one-file-changed runs over the standard library against ruff and flake8."""
    ruff, flake8 = reference_tool("ruff"), reference_tool("flake8")
    corpus, files = stdlib_corpus(bench)
    megabytes = sum((corpus / name).stat().st_size for name in files) / 1e6
    say(
        f"\n== stdlib: {len(files)} files, {megabytes:.1f} MB of Python {sys.version.split()[0]},"
        f" {bench.corpus_runs} alternating runs, {os.cpu_count()} CPUs,"
        f" load {os.getloadavg()[0]:.1f}; mergegate hooks: {', '.join(bench.python_hooks)}"
    )
    mergegate = [bench.bin("mergegate"), "run", "--color", "never"]
    cold, warm = [*mergegate, "--no-cache", *files], [*mergegate, *files]
    reference = [ruff, "check", "--no-cache", "--isolated", "--select", RUFF_SELECT, *files]
    edits = iter(range(1, 1_000_000))

    def edit() -> None:
        with open(corpus / CHANGED_FILE, "a", encoding="utf-8") as handle:
            handle.write(f"# edit {next(edits)}\n")

    labels = ("mergegate cold (--no-cache)", "mergegate warm", "mergegate, one file changed")
    ratios: dict[str, float] = {}
    rows: list[tuple[str, Timings, float]] = []
    floors = {
        label: [bench.bin("python"), "-c", FLOOR, mode, *files] for label, mode in FLOORS.items()
    }
    for label, command in zip(labels, (cold, warm, warm)):
        commands = {label: command, "ruff": reference}
        if label == labels[0]:
            commands.update(floors)
        timings = timed_runs(
            bench,
            commands,
            corpus,
            rounds=bench.corpus_runs,
            warmup=1,  # for the warm runs, the first fills the cache
            accept=(0, 1),
            prepare={label: edit} if "changed" in label else None,
        )
        ruff_wall = statistics.median(timings["ruff"].wall)
        ratios[label] = statistics.median(timings[label].wall) / ruff_wall
        rows += [
            (label, timings[label], ruff_wall),
            ("  ruff, same rounds", timings["ruff"], ruff_wall),
        ]
        rows += [(f"  {floor}", timings[floor], ruff_wall) for floor in floors if floor in timings]

    memory: dict[str, float | None] = {}
    flake8_label = f"flake8 --select {FLAKE8_SELECT} (1 run)"
    flake8_timing = Timings()
    wall, cpu, memory[flake8_label] = sampled_run(
        bench, flake8_label, [flake8, "--isolated", "--select", FLAKE8_SELECT, *files], corpus
    )
    flake8_timing.wall.append(wall)
    flake8_timing.cpu.append(cpu)
    rows.append((flake8_label, flake8_timing, rows[1][2]))
    for label, command in zip((*labels, "  ruff, same rounds"), (cold, warm, warm, reference)):
        if "changed" in label:
            edit()
        memory[label] = sampled_run(bench, label, command, corpus)[2]

    header = ("command", "wall median", "wall min", "x ruff", "cpu median", "peak MB")
    say("{:<40} {:>11} {:>9} {:>7} {:>10} {:>8}".format(*header))
    for label, timing, ruff_wall in rows:
        wall = statistics.median(timing.wall)
        peak = memory.get(label)
        say(
            f"{label:<40} {wall:>10.2f}s {min(timing.wall):>8.2f}s {wall / ruff_wall:>6.2f}x"
            f" {statistics.median(timing.cpu):>9.2f}s {'n/a' if peak is None else f'{peak:.0f}':>8}"
        )
    cold_peak = memory[labels[0]]
    agree = same_reports(bench, corpus, {"cold": cold, "warm": warm})
    say("\nwhere a cold run's time goes (one process, the gate's work per file):")
    say(run([bench.bin("python"), "-c", PROFILE, *files], cwd=corpus, env=bench.env).stdout)
    checks = [
        (f"cold <= {COLD_TARGET:g}x ruff", ratios[labels[0]], ratios[labels[0]] <= COLD_TARGET),
        (f"warm <= {WARM_TARGET:g}x ruff", ratios[labels[1]], ratios[labels[1]] <= WARM_TARGET),
        (
            f"one file changed <= {CHANGED_TARGET:g}x ruff",
            ratios[labels[2]],
            ratios[labels[2]] <= CHANGED_TARGET,
        ),
    ]
    for name, ratio, held in checks:
        say(f"target: {name}: {ratio:.2f}x " + ("met" if held else "NOT MET"))
    memory_met = cold_peak is not None and cold_peak <= MEMORY_TARGET_MB
    shown = "n/a" if cold_peak is None else f"{cold_peak:.0f} MB"
    say(
        f"target: cold peak <= {MEMORY_TARGET_MB} MB: {shown} "
        + ("met" if memory_met else "NOT MET")
    )
    return all(held for _, _, held in checks) and memory_met and agree


def same_reports(bench: Bench, corpus: Path, commands: dict[str, list[str]]) -> bool:
    """Whether mergegate's JSON reports agree between the commands (a fast wrong answer is no
    answer); says what they found."""
    documents = {}
    for name, command in commands.items():
        report = bench.scratch / f"{name}.json"
        with_report = [*command[:2], "--format", f"json:{report}", *command[2:]]
        result = subprocess.run(with_report, cwd=corpus, env=bench.env, capture_output=True)
        if result.returncode not in (0, 1):
            sys.exit(f"benchmark: mergegate {name} exited {result.returncode}: {result.stderr!r}")
        documents[name] = json.loads(report.read_text(encoding="utf-8"))
    first = next(iter(documents.values()))
    codes = collections.Counter(finding["code"] for finding in first["findings"])
    agree = all(document == first for document in documents.values())
    say(
        f"mergegate found {dict(sorted(codes.items()))} in {first['files_checked']} files;"
        f" {' and '.join(documents)} reports identical: {'yes' if agree else 'NO'}"
    )
    return agree


def adapters(bench: Bench) -> bool:
    """The adapters section, kept in scripts/benchmark_adapters.py (which uses this module's
    helpers: imported when the section runs)."""
    import benchmark_adapters

    return benchmark_adapters.adapters(bench)


def hooks(bench: Bench) -> bool:
    """Each Python hook on the standard library, as pre-commit runs it on every file (one
    process, no cache), against `mergegate run --select` that hook in one process: the same
    pipeline, so the same time but for the gate's own start; and the hook's peak memory on the
    largest tenth of the files and on all of them (no tree is kept: memory does not grow with
    N)."""
    corpus, files = stdlib_corpus(bench)
    say(
        f"\n== hooks: {len(files)} files, {bench.corpus_runs} alternating runs,"
        f" {os.cpu_count()} CPUs, load {os.getloadavg()[0]:.1f}"
    )
    header = ("hook", "hook wall", "gate wall", "ratio", "hook MB", "gate MB", "MB, N/10")
    say("{:<32} {:>10} {:>10} {:>6} {:>8} {:>8} {:>10}".format(*header))
    met = True
    # The largest tenth of the files: a peak set by the largest trees is the same on them and on
    # all N files, so only memory kept from file to file can make the two differ.
    by_size = sorted(files, key=lambda name: (corpus / name).stat().st_size, reverse=True)
    tenth = sorted(by_size[: len(files) // 10])
    for hook in bench.python_hooks:
        hook_command = [bench.bin(f"mergegate-{hook}"), *files]
        gate_command = [
            *(bench.bin("mergegate"), "run", "--no-cache", "--jobs", "1", "--select", hook),
            *files,
        ]
        timings = timed_runs(
            bench,
            {"hook": hook_command, "gate": gate_command},
            corpus,
            rounds=bench.corpus_runs,
            warmup=1,
            accept=(0, 1),
        )
        hook_wall = statistics.median(timings["hook"].wall)
        gate_wall = statistics.median(timings["gate"].wall)
        hook_peak = sampled_run(bench, hook, hook_command, corpus)[2]
        gate_peak = sampled_run(bench, f"{hook} gate", gate_command, corpus)[2]
        small_peak = sampled_run(bench, f"{hook} N/10", [hook_command[0], *tenth], corpus)[2]
        ratio = hook_wall / gate_wall
        flat = hook_peak is None or small_peak is None or hook_peak <= small_peak * MEMORY_GROWTH
        met = met and ratio <= HOOK_TARGET and flat

        def megabytes(value: float | None) -> str:
            return "n/a" if value is None else f"{value:.0f}"

        say(
            f"{hook:<32} {hook_wall:>9.2f}s {gate_wall:>9.2f}s {ratio:>5.2f}x"
            f" {megabytes(hook_peak):>8} {megabytes(gate_peak):>8} {megabytes(small_peak):>10}"
        )
    say(
        f"target: every hook <= {HOOK_TARGET:g}x the gate's single-process time, and its peak"
        f" memory on all files <= {MEMORY_GROWTH:g}x that on the largest tenth: "
        + ("met" if met else "NOT MET")
    )
    return met


def ci(bench: Bench) -> bool:
    """`.ci/run` on a fresh clone of this checkout's HEAD: the README's test command, a new venv
    and the test extras from PyPI included, as CI runs it."""
    clone = bench.scratch / "ci-clone"
    run(["git", "clone", "--quiet", str(REPO_ROOT), str(clone)])
    head = run(["git", "rev-parse", "--short", "HEAD"], cwd=clone).stdout.strip()
    say(
        f"\n== ci: .ci/run on a fresh clone of {head}, {os.cpu_count()} CPUs,"
        f" load {os.getloadavg()[0]:.1f}"
    )
    environment = {key: value for key, value in os.environ.items() if key != "VIRTUAL_ENV"}
    started = time.perf_counter()
    result = subprocess.run(
        [str(clone / ".ci" / "run")], cwd=clone, env=environment, capture_output=True, text=True
    )
    wall = time.perf_counter() - started
    summary = (result.stdout.strip().splitlines() or ["(no output)"])[-1]
    least, most = CI_FILED_SECONDS
    say(f".ci/run: {wall:.0f} s, exit {result.returncode}: {summary}")
    held = result.returncode == 0 and wall <= least / 2
    say(
        f"target: at most half of the {least // 60} to {most // 60} minutes measured when the"
        f" issue was filed ({least / 2:.0f} to {most / 2:.0f} s): {wall / least:.2f} of the"
        f" least, {wall / most:.2f} of the most; " + ("met" if held else "NOT MET")
    )
    return held


SECTIONS: dict[str, Callable[[Bench], bool]] = {
    "startup": startup,
    "stdlib": stdlib,
    "adapters": adapters,
    "hooks": hooks,
    "ci": ci,
}
"""Section name -> function printing its figures and returning whether its targets hold."""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--only",
        type=lambda value: value.split(","),
        default=list(SECTIONS),
        help=f"comma-separated sections to run (default: all of {', '.join(SECTIONS)})",
    )
    parser.add_argument("--runs", type=int, default=30, help="timed rounds per section")
    parser.add_argument(
        "--corpus-runs", type=int, default=5, help="timed rounds of the stdlib section's runs"
    )
    parser.add_argument("--venv", type=Path, help="build (or reuse) the venv here and keep it")
    args = parser.parse_args(argv)
    unknown = [name for name in args.only if name not in SECTIONS]
    if unknown:
        parser.error(f"unknown section(s): {', '.join(unknown)}")
    with tempfile.TemporaryDirectory(prefix="mergegate-bench-") as scratch:
        bench = Bench(args.runs, args.venv, Path(scratch), args.corpus_runs)
        results = [SECTIONS[name](bench) for name in args.only]
    return 0 if all(results) else 1


if __name__ == "__main__":
    raise SystemExit(main())
