"""Reading `[tool.mergegate]` from pyproject.toml, shared by the hooks and the gate."""

from __future__ import annotations

import os
import sys

from .registry import PARSE_ERROR, RULES, Rule


class ConfigError(Exception):
    """A configuration file that cannot be read, or says something we do not understand."""


KEYS = {
    "select": "Rule ids or code prefixes to run (default: all); adapter codes (`F`, `E501`) too.",
    "ignore": "Rule ids or code prefixes not to report; the most specific of select/ignore wins.",
    "exclude": "Glob patterns of files (relative to the project root) that are never checked.",
    "tools": "Adapters to run besides the hooks: any of flake8, bandit, black, autoflake.",
    "baseline": "A baseline file (from `mergegate baseline`); its findings never block.",
    "fail-on": "The lowest tier that blocks: P0 (default), P1, P2, P3 or never.",
    "severity": "A table of rule id, code or code prefix to tier, overriding the defaults.",
    "rules": "Per-rule options: `[tool.mergegate.rules.<rule-id>]`.",
    "noqa-peers": "Honour flake8's and ruff's codes for our rules in `# noqa` (E722, F824, "
    "PLW0602, T201, T203) and their file-level `# flake8: noqa` and `# ruff: noqa[: CODES]` "
    "(default true).",
    "noqa-require-reason": "A suppression silences only with a reason after it: `# noqa: MG101 "
    "-- why` (default false).",
    "noqa-report-unused": "Run the opt-in `unused-noqa` rule (MG002): report a `# noqa` that "
    "silences nothing (default false).",
}
"""Every key of `[tool.mergegate]`, with the one-line help the README reference is built from.
Here, not in the gate, because a hook run alone reads the same table and refuses what it does
not know just as the gate does."""


def check_keys(table: dict[str, object], where: str) -> None:
    """An unknown key, or options for an unknown rule, is a ConfigError naming it."""
    unknown = sorted(set(table) - set(KEYS))
    if unknown:
        raise ConfigError(f"{where}: unknown key {unknown[0]!r} (known: {', '.join(KEYS)})")
    rules = table.get("rules", {})
    if not isinstance(rules, dict):
        raise ConfigError(f"{where}: [tool.mergegate.rules] must be a table")
    for rule_id in rules:
        if rule_id not in RULES or not RULES[rule_id].module:
            raise ConfigError(f"{where}.rules: unknown rule {rule_id!r}")


def string_list(table: dict[str, object], key: str, where: str) -> list[str] | None:
    """A key whose value must be a list of strings (`select`, `ignore`, `exclude`, `tools`), or
    None when it is absent; the gate checks each item further."""
    if key not in table:
        return None
    value = table[key]
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise ConfigError(f"{where}: `{key}` must be a list of strings")
    return list(value)


def selected(
    select: list[str] | None,
    ignore: list[str],
    rule: str,
    code: str,
    opted_in: frozenset[str] = frozenset(),
) -> bool:
    """Whether `select`/`ignore` report a finding of this rule id and code: the most specific
    matching selector wins (an exact code, then a rule id, then the longest code prefix), a tie
    goes to ignore, as in flake8. A parse-error is always reported: no check ran on its file.
    Without `select`, every rule is selected but the opt-in ones not in `opted_in`."""
    if rule == PARSE_ERROR.id:
        return True
    if select is None:
        chosen = 0 if rule in RULES and RULES[rule].opt_in and rule not in opted_in else 1
    else:
        chosen = _specificity(select, rule, code)
    return bool(chosen) and chosen > _specificity(ignore, rule, code)


def _specificity(selectors: list[str], rule: str, code: str) -> int:
    best = 0
    for selector in selectors:
        if selector == code:
            best = max(best, 1000)
        elif selector.lower() == rule.lower():
            best = max(best, 500)
        elif code.startswith(selector):
            best = max(best, 1 + len(selector))
    return best


def load_toml(path: str) -> dict[str, object]:
    """Parse a TOML file; any failure is a ConfigError naming the file."""
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover - exercised on Python < 3.11 only
        import tomli as tomllib
    try:
        with open(path, "rb") as handle:
            return tomllib.load(handle)
    except OSError as error:
        raise ConfigError(f"{path}: cannot read: {error.strerror or error}") from None
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"{path}: invalid TOML: {error}") from None
    except UnicodeDecodeError as error:
        raise ConfigError(f"{path}: invalid TOML: not UTF-8 ({error.reason})") from None


def mergegate_table(path: str) -> dict[str, object] | None:
    """The `[tool.mergegate]` table of a pyproject.toml, or None when it has none."""
    document = load_toml(path)
    tool = document.get("tool", {})
    if not isinstance(tool, dict):
        raise ConfigError(f"{path}: [tool] must be a table")
    table = tool.get("mergegate")
    if table is None:
        return None
    if not isinstance(table, dict):
        raise ConfigError(f"{path}: [tool.mergegate] must be a table")
    return table


def mentions_mergegate(path: str) -> bool:
    """A cheap test before parsing: does this file exist and mention `mergegate` at all? (The
    table can be spelt `[tool.mergegate]`, `[ tool . "mergegate" ]` or `[tool]` `mergegate = {}`.)
    """
    try:
        with open(path, "rb") as handle:
            return b"mergegate" in handle.read()
    except OSError:
        return False


def rule_options(rule: Rule, table: dict[str, object] | None, where: str) -> dict[str, object]:
    """A rule's options: its defaults, overridden by `[tool.mergegate.rules.<rule-id>]`."""
    options = rule.default_options()
    rules = (table or {}).get("rules", {})
    if not isinstance(rules, dict):
        raise ConfigError(f"{where}: [tool.mergegate.rules] must be a table")
    given = rules.get(rule.id, {})
    if not isinstance(given, dict):
        raise ConfigError(f"{where}: [tool.mergegate.rules.{rule.id}] must be a table")
    for name, value in given.items():
        try:
            option = rule.option(name)
        except KeyError:
            known = ", ".join(option.name for option in rule.options) or "none"
            raise ConfigError(
                f"{where}: unknown option {name!r} in [tool.mergegate.rules.{rule.id}]"
                f" (options of {rule.id}: {known})"
            ) from None
        try:
            options[name] = option.validate(value)
        except ValueError as error:
            raise ConfigError(f"{where}: [tool.mergegate.rules.{rule.id}]: {error}") from None
    return options


def find_pyproject(start: str) -> tuple[str, dict[str, object]] | None:
    """The closest pyproject.toml at or above `start` that has a `[tool.mergegate]` table, and
    the table; a broken file on the way is a ConfigError, never passed over."""
    directory = os.path.abspath(start)
    while True:
        candidate = os.path.join(directory, "pyproject.toml")
        if mentions_mergegate(candidate):
            table = mergegate_table(candidate)
            if table is not None:
                return candidate, table
        parent = os.path.dirname(directory)
        if parent == directory:
            return None
        directory = parent
