"""The gate's configuration: `[tool.mergegate]` in pyproject.toml, validated strictly.

Every key is known here; an unknown key, rule id, code or tier is an error that names it, because
a typo in a merge gate's configuration silently weakens it.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from typing import Optional

from mergegate.gates import adapters
from mergegate.gates.adapters import ADAPTERS
from mergegate.hooks.config import (
    ConfigError,
    check_keys,
    find_pyproject,
    mergegate_table,
    rule_options,
    selected,
    string_list,
)
from mergegate.hooks.noqa import Settings as NoqaSettings
from mergegate.hooks.noqa import settings as noqa_settings
from mergegate.hooks.registry import CODES, RULES, TIERS

TOOL_CODE = re.compile(r"[A-Z]+[0-9]*")
"""What an adapter's code (or code prefix) looks like: F, E501, B602, BLK100."""


@dataclass
class Config:
    """The resolved configuration of one run."""

    root: str
    """The project root: the configuration file's folder, else the git top level, else here."""
    path: Optional[str] = None
    select: Optional[list[str]] = None
    ignore: list[str] = field(default_factory=list)
    exclude: list[str] = field(default_factory=list)
    tools: list[str] = field(default_factory=list)
    baseline: Optional[str] = None
    fail_on: str = "P0"
    severity: dict[str, str] = field(default_factory=dict)
    options: dict[str, dict[str, object]] = field(default_factory=dict)
    noqa: NoqaSettings = field(default_factory=NoqaSettings)

    def is_selected(self, rule: str, code: str) -> bool:
        """Whether a finding with this rule id and code is reported (flake8: most specific wins)."""
        return selected(self.select, self.ignore, rule, code, self.noqa.opted_in())

    def runs_rule(self, rule_id: str) -> bool:
        """Whether any code of a mergegate rule is selected, so the rule needs to run."""
        return any(self.is_selected(rule_id, code.code) for code in RULES[rule_id].codes)


def validate_selector(selector: object, where: str, tools: list[str]) -> str:
    """A rule id, a prefix of one of our codes, or a code (prefix) of an enabled adapter; anything
    else is an error: a selector that matches nothing would silently switch checks off."""
    if not isinstance(selector, str):
        raise ConfigError(f"{where}: expected a rule id or code, not {selector!r}")
    if selector in RULES:
        return selector
    if selector.startswith("MG"):
        if any(code.startswith(selector) for code in CODES):
            return selector
        raise ConfigError(f"{where}: unknown code {selector!r} (known: {', '.join(CODES)})")
    if TOOL_CODE.fullmatch(selector):
        for tool in tools:
            prefix = adapters.load(tool).CODE_PREFIX
            if selector.startswith(prefix) or prefix.startswith(selector):
                return selector
        enabled = f"tools: {', '.join(tools)}" if tools else "no adapter is enabled in `tools`"
        raise ConfigError(f"{where}: no rule or enabled tool has the code {selector!r} ({enabled})")
    raise ConfigError(f"{where}: unknown rule {selector!r} (rules: {', '.join(RULES)})")


def validate_selectors(selectors: list[str], where: str, tools: list[str]) -> list[str]:
    """Every selector valid, and at least one: an empty selection would check nothing."""
    if not selectors:
        raise ConfigError(f"{where}: no rule or code given")
    return [validate_selector(selector, where, tools) for selector in selectors]


def validate_tier(tier: object, where: str) -> str:
    if tier not in TIERS:
        raise ConfigError(f"{where}: unknown tier {tier!r} (tiers: {', '.join(TIERS)})")
    return str(tier)


def project_root(start: str) -> str:
    """The git top level containing `start`, else `start` itself."""
    from mergegate.gates.discover import git_toplevel

    directory = start if os.path.isdir(start) else os.path.dirname(os.path.abspath(start))
    return git_toplevel(directory) or os.path.abspath(directory)


def load(config_file: Optional[str], start: str) -> Config:
    """Read the configuration: `config_file`, else the closest pyproject.toml above `start`."""
    path: Optional[str]
    if config_file:
        if not os.path.isfile(config_file):
            raise ConfigError(f"{config_file}: no such configuration file")
        path, table = config_file, mergegate_table(config_file)
    else:
        path, table = find_pyproject(start) or (None, None)
    root = os.path.dirname(os.path.abspath(path)) if path and table is not None else None
    config = Config(root=root or project_root(start), path=path if table is not None else None)
    if table is None:
        config.options = {rule.id: rule.default_options() for rule in RULES.values() if rule.module}
        return config
    where = f"{path}: [tool.mergegate]"
    check_keys(table, where)
    config.tools = string_list(table, "tools", where) or []
    for tool in config.tools:
        if tool not in ADAPTERS:
            raise ConfigError(f"{where}: unknown tool {tool!r} (tools: {', '.join(ADAPTERS)})")
    select = string_list(table, "select", where)
    if select is not None:
        config.select = validate_selectors(select, f"{where} select", config.tools)
    config.ignore = [
        validate_selector(item, f"{where} ignore", config.tools)
        for item in string_list(table, "ignore", where) or []
    ]
    config.exclude = string_list(table, "exclude", where) or []
    baseline = table.get("baseline")
    if baseline is not None:
        if not isinstance(baseline, str):
            raise ConfigError(f"{where}: `baseline` must be a file name")
        config.baseline = os.path.join(config.root, baseline)
    fail_on = table.get("fail-on", "P0")
    if fail_on != "never":
        validate_tier(fail_on, f"{where} fail-on")
    config.fail_on = str(fail_on)
    severity = table.get("severity", {})
    if not isinstance(severity, dict):
        raise ConfigError(f"{where}: [tool.mergegate.severity] must be a table")
    for key, tier in severity.items():
        validate_selector(key, f"{where}.severity", config.tools)
        config.severity[key] = validate_tier(tier, f"{where}.severity.{key}")
    config.options = {
        rule.id: rule_options(rule, table, str(path)) for rule in RULES.values() if rule.module
    }
    config.noqa = noqa_settings(table, where)
    return config
