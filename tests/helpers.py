"""Helpers the tests share: run a Python check on text, read `# ok` / `# error` fixtures."""

from __future__ import annotations

import importlib
import json
import re
import warnings
from pathlib import Path
from types import ModuleType

from mergegate.gates.decide import blocks
from mergegate.gates.model import NEW, Item
from mergegate.hooks.finding import TOOL, Finding
from mergegate.hooks.registry import CODES, RULES
from mergegate.hooks.source import Source, parse, run_checks

FIXTURES = Path(__file__).parent / "fixtures"
ERROR_MARK = re.compile(r"#\s*error(?::\s*(?P<code>MG\d+))?(?:\s+x(?P<count>\d+))?\s*$")


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


def fixture_expectations(path: Path) -> tuple[dict[str, object], list[tuple[int, str]]]:
    """A fixture's options (first line `# options: {json}`) and expected (line, code) pairs.

    A line ending in `# error` expects one finding of the rule's main code there; `# error: CODE`
    names another code; `xN` expects N findings. Lines marked `# ok` (and all others) expect none.
    """
    text = path.read_text(encoding="utf-8")
    lines = text.splitlines()
    options: dict[str, object] = {}
    if lines and lines[0].startswith("# options:"):
        options = json.loads(lines[0].split(":", 1)[1])
    rule = RULES[path.stem.split("__")[0]]
    expected = []
    for number, line in enumerate(lines, start=1):
        match = ERROR_MARK.search(line)
        if match:
            code = match.group("code") or rule.code
            expected.extend([(number, code)] * int(match.group("count") or 1))
    return options, expected


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
