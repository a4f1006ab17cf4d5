"""Helpers the tests share: run a Python check on text, read `# ok` / `# error` fixtures, run
git, fake the GitHub client's clock, decode workflow commands."""

from __future__ import annotations

import importlib
import json
import os
import re
import shutil
import subprocess
from dataclasses import dataclass, field
import warnings
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from mergegate.gates.decide import blocks
from mergegate.gates.model import NEW, Item
from mergegate.hooks.finding import TOOL, Finding
from mergegate.hooks.registry import CODES, RULES
from mergegate.hooks.source import Source, parse, run_checks

FIXTURES = Path(__file__).parent / "fixtures"
ERROR_MARK = re.compile(
    r"#\s*error(?::\s*(?P<code>MG\d+))?"
    r"(?:\s+\[(?P<span>[^\]]*)\])?"
    r'(?:\s+(?P<message>"(?:[^"\\]|\\.)*"))?'
    r"(?:\s+x(?P<count>\d+))?\s*$"
)
SPAN = re.compile(r"(?:(?P<line>\d+):)?(?P<column>\d+)-(?:(?P<end_line>\d+):)?(?P<end_column>\d+)")


def hook_module(rule_id: str) -> ModuleType:
    return importlib.import_module(f"mergegate.hooks.{RULES[rule_id].module}")


def check_python(
    rule_id: str, text: str, path: str = "example.py", **options: object
) -> list[Finding]:
    """Findings of one Python rule on source text, options by their config names (dashes or _)."""
    rule = RULES[rule_id]
    merged = rule.default_options()
    merged.update({name.replace("_", "-"): value for name, value in options.items()})
    parsed = parse(path, text.encode("utf-8"))
    if not isinstance(parsed, Source):
        return [parsed]
    return sorted(run_checks(parsed, [(hook_module(rule_id).check, merged)]), key=Finding.sort_key)


def lines_of(findings: list[Finding]) -> list[int]:
    return sorted(finding.line for finding in findings)


@dataclass(frozen=True)
class Expected:
    """A finding a fixture's `# error` marker expects; `span` (line, column, end line, end
    column) and `message` are pinned only when the marker gives them."""

    line: int
    code: str
    span: tuple[int, int, int, int] | None = None
    message: str | None = None

    def matches(self, finding: Finding) -> bool:
        position = (finding.line, finding.column, finding.end_line, finding.end_column)
        return (
            (finding.line, finding.code) == (self.line, self.code)
            and self.span in (None, position)
            and self.message in (None, finding.message)
        )


def parse_error_mark(line: str, number: int, default_code: str) -> list[Expected]:
    """The findings a fixture line's marker expects (none without a marker):

    `# error` one of the rule's main code; `# error: CODE` another code; then optionally
    `[COLUMN-END_COLUMN]` (on this line) or `[LINE:COLUMN-END_LINE:END_COLUMN]`, the finding's
    range (1-based columns, the end exclusive); then `"message"` (a JSON string), its exact
    message; then `xN` for N such findings."""
    match = ERROR_MARK.search(line)
    if not match:
        return []
    span = None
    if match.group("span") is not None:
        parts = SPAN.fullmatch(match.group("span").strip())
        if parts is None:
            raise ValueError(f"line {number}: a range is [COL-END_COL] or [L:COL-END_L:END_COL]")
        start = int(parts.group("line") or number)
        span = (
            start,
            int(parts.group("column")),
            int(parts.group("end_line") or start),
            int(parts.group("end_column")),
        )
    message = json.loads(match.group("message")) if match.group("message") else None
    expected = Expected(number, match.group("code") or default_code, span, message)
    return [expected] * int(match.group("count") or 1)


def fixture_expectations(path: Path) -> tuple[dict[str, object], list[Expected]]:
    """A fixture's options (first line `# options: {json}`) and the findings its lines expect
    (`parse_error_mark`). Lines marked `# ok` (and all others) expect none."""
    text = path.read_text(encoding="utf-8")
    lines = text.splitlines()
    options: dict[str, object] = {}
    if lines and lines[0].startswith("# options:"):
        options = json.loads(lines[0].split(":", 1)[1])
    rule = RULES[path.stem.split("__")[0]]
    expected = []
    for number, line in enumerate(lines, start=1):
        expected.extend(parse_error_mark(line, number, rule.code))
    return options, expected


def unmet(expected: list[Expected], findings: list[Finding]) -> list[Expected]:
    """The expectations no finding meets, each finding meeting at most one."""
    left = list(findings)
    missing = []
    pinned_first = sorted(expected, key=lambda e: (e.span is None) + (e.message is None))
    for expectation in pinned_first:
        found = next((finding for finding in left if expectation.matches(finding)), None)
        if found is None:
            missing.append(expectation)
        else:
            left.remove(found)
    return missing


def item(
    code: str = "MG101",
    path: str = "a.py",
    line: int = 1,
    *,
    message: str = "a message",
    line_text: str = "",
    severity: str = "P0",
    state: str = NEW,
    tool: str = TOOL,
    column: int = 1,
    end_line: int | None = None,
    end_column: int | None = None,
    reason: str = "",
    fail_on: str = "P0",
) -> Item:
    """A decided pipeline item for reporter tests: rule from the registry (or `tool:code` for an
    adapter), blocking as the decide stage would set it for `fail_on`."""
    rule = CODES[code][0].id if tool == TOOL else f"{tool}:{code}"
    end = column + 1 if end_column is None else end_column
    finding = Finding(rule, code, path, line, column, end_line or line, end, message, tool)
    built = Item(finding, line_text, state, reason, severity)
    built.blocking = blocks(built, fail_on)
    return built


# How the Actions runner reads a workflow command (actions/runner, ActionCommand.cs): a line that
# starts, after leading whitespace, with `::`; the property list ends at the next `::`; values are
# decoded %0D -> CR, %0A -> LF, (properties: %3A -> ":", %2C -> ",") and %25 -> % last.
WORKFLOW_DATA_DECODING = (("%0D", "\r"), ("%0A", "\n"), ("%25", "%"))
WORKFLOW_PROPERTY_DECODING = (
    ("%0D", "\r"),
    ("%0A", "\n"),
    ("%3A", ":"),
    ("%2C", ","),
    ("%25", "%"),
)


def _runner_decode(text: str, table: tuple[tuple[str, str], ...]) -> str:
    for escaped, char in table:
        text = text.replace(escaped, char)
    return text


def parse_workflow_command(line: str) -> tuple[str, dict[str, str], str]:
    """(command, properties, message) of one `::command k=v,k=v::message` line, as the runner
    decodes it; fails if the line is not a command."""
    assert line.lstrip().startswith("::"), line
    head, message = line.lstrip()[2:].split("::", 1)
    command, _, listed = head.partition(" ")
    properties = {}
    for pair in filter(None, listed.split(",")):
        key, _, value = pair.partition("=")
        properties[key] = _runner_decode(value, WORKFLOW_PROPERTY_DECODING)
    return command, properties, _runner_decode(message, WORKFLOW_DATA_DECODING)


GIT_IDENTITY = {
    "GIT_AUTHOR_NAME": "mergegate tests",
    "GIT_AUTHOR_EMAIL": "tests@mergegate.invalid",
    "GIT_COMMITTER_NAME": "mergegate tests",
    "GIT_COMMITTER_EMAIL": "tests@mergegate.invalid",
}
"""A commit identity: a fresh CI machine has none."""


def git_environment() -> dict[str, str]:
    """The environment less GIT_* variables (set when the tests run inside a git hook, they would
    point git at another repository), plus a commit identity."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("GIT_")}
    env.update(GIT_IDENTITY)
    return env


def git(cwd: Path, *args: str) -> str:
    """git's standard output for `args` run in `cwd`; the test fails with git's message when git
    does. Signing is off and a new repository's branch is `main`, whatever the machine's git
    configuration says."""
    git_path = shutil.which("git")
    if git_path is None:
        pytest.fail("git is required by this test and was not found on PATH")
    result = subprocess.run(
        [git_path, "-c", "commit.gpgsign=false", "-c", "init.defaultBranch=main", *args],
        cwd=cwd,
        env=git_environment(),
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, f"git {' '.join(args)}: {result.stderr}"
    return result.stdout


def git_repository(root: Path, pyproject: str | None = "[tool.mergegate]\n") -> Path:
    """A new git repository at `root` (created), with `pyproject` as its pyproject.toml (none
    when None)."""
    root.mkdir(parents=True, exist_ok=True)
    git(root, "init", "-q", "-b", "main")
    if pyproject is not None:
        (root / "pyproject.toml").write_text(pyproject)
    return root


@dataclass
class FakeTime:
    """The GitHub client policy's clock and sleep: retries wait in fake seconds, recorded."""

    now: float = 1000.0
    sleeps: list[float] = field(default_factory=list)

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


def compiler_verdict(data: bytes) -> tuple[bool, int | None]:
    """Whether the interpreter compiles a file's bytes (as `import` and `py_compile` do), and the
    line it names. A declared encoding it cannot decode names no line worth comparing (0 or 1, the
    start of the decoding): mergegate names the line of the first undecodable byte there, as
    `python file.py` does."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            compile(data, "example.py", "exec", dont_inherit=True)
        except SyntaxError as error:
            whole_file = "codec can't decode" in error.msg and "(unicode error)" not in error.msg
            return False, None if whole_file else error.lineno or None
        except (ValueError, MemoryError, RecursionError):  # NUL bytes, nesting, undecodable
            return False, None
    return True, None


def generated_programs(max_examples: int, *also: object) -> Any:
    """Hypothesis settings for tests over hypothesmith's generated programs: `max_examples`, no
    deadline, and the health checks its nature trips (`also`: more to suppress)."""
    from hypothesis import HealthCheck, Phase, settings

    return settings(
        max_examples=max_examples,
        deadline=None,
        # hypothesmith calls target() to grow programs; hill-climbing on it took 90% of the time.
        phases=[phase for phase in Phase if phase is not Phase.target],
        # Generation is slow and from_node() discards many of its own trees: hypothesmith's nature.
        suppress_health_check=[
            HealthCheck.too_slow,
            HealthCheck.data_too_large,
            HealthCheck.filter_too_much,
            *also,
        ],
    )


def run_json(*args: str, out: Path = Path("out.json")) -> tuple[int, dict[str, Any]]:
    """`mergegate run ARGS` with a JSON report written to `out` (relative to the current
    directory, then removed): its exit status and the report ({} when none was written)."""
    from mergegate.gates.cli import main

    code = main(["run", *args, "--format", f"json:{out}"])
    document = json.loads(out.read_text()) if out.exists() else {}
    out.unlink(missing_ok=True)
    return code, document
