"""Collect: run the hooks (one read and one parse per Python file) and the enabled adapters.

Problems that make the run untrustworthy (an unreadable file, a crashed check or adapter) are
returned as errors, never swallowed: the gate then exits 2.
"""

from __future__ import annotations

import importlib
import os
from dataclasses import dataclass, field
from typing import Callable

from mergegate.gates import adapters
from mergegate.gates.config import Config
from mergegate.gates.model import Item
from mergegate.hooks.cli import read_file, text_line_reader
from mergegate.hooks.finding import Finding, InputError
from mergegate.hooks.paths import display
from mergegate.hooks.registry import PARSE_ERROR, RULES
from mergegate.hooks.source import Source, parse, run_checks

PythonChecks = list[tuple[Callable[[Source, dict[str, object]], list[Finding]], dict[str, object]]]


@dataclass
class Collected:
    items: list[Item] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


def python_checks(config: Config) -> PythonChecks:
    """The selected Python checks with their options, in registry order."""
    checks: PythonChecks = []
    for rule in RULES.values():
        if rule.scope == "python" and config.runs_rule(rule.id):
            module = importlib.import_module(f"mergegate.hooks.{rule.module}")
            checks.append((module.check, config.options[rule.id]))
    return checks


def check_file(path: str, shown_as: str, checks: PythonChecks) -> list[Item]:
    """Read and parse one file once, run every Python check on it; InputError if unreadable."""
    parsed = parse(shown_as, read_file(path, shown_as))
    if isinstance(parsed, Finding):
        return [Item(parsed)]
    return [Item(finding, parsed.line(finding.line)) for finding in run_checks(parsed, checks)]


def collect(config: Config, files: list[str], cwd: str) -> Collected:
    """Every finding of the selected hooks and enabled adapters, with the line it starts on."""
    result = Collected()
    checks = python_checks(config)
    shown = {path: display(path, cwd) for path in files}
    if checks:
        for path in files:
            try:
                result.items.extend(check_file(path, shown[path], checks))
            except InputError as error:
                result.errors.append(str(error))
            except Exception as error:  # a bug in a check must not pass as a clean file
                result.errors.append(
                    f"{shown[path]}: internal error in a check: {type(error).__name__}: {error}"
                )
    read_line = text_line_reader()
    unparsable: set[str] = set()
    for rule in RULES.values():
        if rule.scope != "repo" or not config.runs_rule(rule.id):
            continue
        module = importlib.import_module(f"mergegate.hooks.{rule.module}")
        try:
            findings = module.check(config.root, config.options[rule.id])
        except InputError as error:
            result.errors.append(f"{rule.id}: {error}")
            continue
        except Exception as error:
            result.errors.append(f"{rule.id}: internal error: {type(error).__name__}: {error}")
            continue
        for finding in findings:
            absolute = os.path.join(config.root, finding.path)
            relocated = finding.with_path(display(absolute, cwd))
            if finding.rule == PARSE_ERROR.id:
                if relocated.path in unparsable:
                    continue  # one file two hooks could not read is one finding
                unparsable.add(relocated.path)
            result.items.append(Item(relocated, read_line(absolute, finding.line)))
    for tool in config.tools:
        try:
            findings = adapters.load(tool).run(files, config.root)
        except adapters.AdapterError as error:
            result.errors.append(f"{tool}: {error}")
            continue
        except Exception as error:
            result.errors.append(f"{tool}: adapter crashed: {type(error).__name__}: {error}")
            continue
        for finding in findings:  # paths as given: absolute
            relocated = finding.with_path(display(finding.path, cwd))
            result.items.append(Item(relocated, read_line(finding.path, finding.line)))
    result.items = [
        item for item in result.items if config.is_selected(item.finding.rule, item.finding.code)
    ]
    return result
