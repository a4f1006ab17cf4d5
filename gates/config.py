"""A project's configuration, validated strictly: what one `[tool.mergegate]` table (with its
`extend` chain) says, resolved into the settings every stage of the pipeline reads.

Every key is known here; an unknown key, rule id, code or tier is an error that names it, because
a typo in a merge gate's configuration silently weakens it. Which table judges which file is
`gates/projects.py`'s business.
"""

from __future__ import annotations

import os

from mergegate.gates import adapters
from mergegate.hooks.config import ConfigError, check_keys, rule_options, string_list
from mergegate.hooks.noqa import Settings as NoqaSettings
from mergegate.hooks.noqa import settings as noqa_settings
from mergegate.hooks.registry import CODES, PARSE_ERROR, RULES, TIERS
from mergegate.hooks.selection import selected

TYPE_CHECKING = False
if TYPE_CHECKING:  # typing costs start-up time; mypy reads this block, the interpreter skips it
    from collections.abc import Iterable

FAIL_ON_CHOICES = (*TIERS, "never")
PARSE_ERROR_KEYS = frozenset({PARSE_ERROR.id, PARSE_ERROR.code})
"""Severity keys refused: a file that does not parse always blocks at P0 (nothing checked it)."""


class Config:
    """The resolved configuration of one project."""

    __slots__ = (
        "root",
        "path",
        "chain",
        "select",
        "ignore",
        "exclude",
        "tools",
        "baseline",
        "fail_on",
        "severity",
        "options",
        "noqa",
    )

    def __init__(self, root: str, path: str | None = None) -> None:
        self.root = root
        """The project root: `exclude`, `baseline` and the repository-wide rules start here."""
        self.path = path
        """The configuration file, or None for the defaults."""
        self.chain: list[str] = [path] if path else []
        """The file and those it extends, nearest first."""
        self.select: list[str] | None = None
        self.ignore: list[str] = []
        self.exclude: list[str] = []
        self.tools: list[str] = []
        self.baseline: str | None = None
        self.fail_on = "P0"
        self.severity: dict[str, str] = {}
        self.options: dict[str, dict[str, object]] = {
            rule.id: rule.default_options() for rule in RULES.values() if rule.module
        }
        self.noqa = NoqaSettings()
        """`noqa-peers`, `noqa-require-reason`, `noqa-report-unused` (hooks/noqa.py)."""

    def is_selected(self, rule: str, code: str) -> bool:
        """Whether a finding with this rule id and code is reported (flake8: most specific wins).
        A parse error always is: no check ran on its file."""
        if rule == PARSE_ERROR.id:
            return True
        known = RULES.get(rule)
        opt_in = known is not None and known.opt_in and rule not in self.noqa.opted_in()
        return selected(self.select, self.ignore, rule, code, opt_in)

    def runs_rule(self, rule_id: str) -> bool:
        """Whether any code of a mergegate rule is selected, so the rule needs to run."""
        return any(self.is_selected(rule_id, code.code) for code in RULES[rule_id].codes)

    def describe(self) -> str:
        """The configuration file, for messages (`defaults` when there is none)."""
        return self.path or "defaults"


def _is_tool_code(selector: str) -> bool:
    """What an adapter's code (or code prefix) looks like: F, E501, B602, BLK100."""
    letters = selector.rstrip("0123456789")
    return bool(letters) and letters.isascii() and letters.isalpha() and letters.isupper()


def validate_selector(selector: object, where: str, tools: Iterable[str]) -> str:
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
    if _is_tool_code(selector):
        for tool in tools:
            prefix = adapters.load(tool).CODE_PREFIX
            if selector.startswith(prefix) or prefix.startswith(selector):
                return selector
        tools = list(tools)
        enabled = f"tools: {', '.join(tools)}" if tools else "no adapter is enabled in `tools`"
        raise ConfigError(f"{where}: no rule or enabled tool has the code {selector!r} ({enabled})")
    raise ConfigError(f"{where}: unknown rule {selector!r} (rules: {', '.join(RULES)})")


def validate_selectors(selectors: list[str], where: str, tools: Iterable[str]) -> list[str]:
    """Every selector valid, and at least one: an empty selection would check nothing."""
    if not selectors:
        raise ConfigError(f"{where}: no rule or code given")
    return [validate_selector(selector, where, tools) for selector in selectors]


def validate_tier(tier: object, where: str) -> str:
    """A tier, in any case (`p1` is P1)."""
    if isinstance(tier, str) and tier.upper() in TIERS:
        return tier.upper()
    raise ConfigError(f"{where}: unknown tier {tier!r} (tiers: {', '.join(TIERS)})")


def validate_fail_on(value: object, where: str) -> str:
    """A tier or `never`, in any case."""
    if isinstance(value, str) and value.lower() == "never":
        return "never"
    if isinstance(value, str) and value.upper() in TIERS:
        return value.upper()
    choices = ", ".join(FAIL_ON_CHOICES)
    raise ConfigError(f"{where}: `fail-on` must be one of {choices}, not {value!r}")


def build(table: dict[str, object] | None, path: str | None, root: str) -> Config:
    """The Config a (resolved) table gives the project at `root`; ConfigError for anything
    unknown or malformed, naming the file."""
    config = Config(root, path)
    if table is None:
        return config
    where = f"{path}: [tool.mergegate]"
    check_keys(table, where)
    config.tools = string_list(table, "tools", where) or []
    for tool in config.tools:
        if tool not in adapters.ADAPTERS:
            known = ", ".join(adapters.ADAPTERS)
            raise ConfigError(f"{where}: unknown tool {tool!r} (tools: {known})")
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
        if not isinstance(baseline, str) or not baseline:
            raise ConfigError(f"{where}: `baseline` must be a file name")
        config.baseline = os.path.join(root, baseline)
    config.fail_on = validate_fail_on(table.get("fail-on", "P0"), f"{where} fail-on")
    severity = table.get("severity", {})
    if not isinstance(severity, dict):
        raise ConfigError(f"{where}: [tool.mergegate.severity] must be a table")
    for key, tier in severity.items():
        if key in PARSE_ERROR_KEYS:
            raise ConfigError(
                f"{where}.severity: {key!r} cannot be overridden: a file that does not parse"
                " was not checked at all, so it always blocks at P0"
            )
        validate_selector(key, f"{where}.severity", config.tools)
        config.severity[key] = validate_tier(tier, f"{where}.severity.{key}")
    config.options = {
        rule.id: rule_options(rule, table, str(path)) for rule in RULES.values() if rule.module
    }
    config.noqa = noqa_settings(table, where)
    return config
