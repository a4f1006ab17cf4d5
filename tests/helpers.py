"""Helpers the tests share: run a Python check on text, read `# ok` / `# error` fixtures."""

from __future__ import annotations

import importlib
import json
import re
from pathlib import Path
from types import ModuleType

from mergegate.hooks.finding import Finding
from mergegate.hooks.registry import RULES
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
