"""Reading `[tool.mergegate]` from pyproject.toml, shared by the hooks and the gate."""

from __future__ import annotations

import os
import sys

from .registry import Rule


class ConfigError(Exception):
    """A configuration file that cannot be read, or says something we do not understand."""


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
