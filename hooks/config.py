"""Reading mergegate's configuration tables: `[tool.mergegate]` of a pyproject.toml, or a
standalone TOML file, with `extend` chains. The gate's `gates/config.py` validates what is read
here; the hooks run the gate's pipeline, so both read every table the same way.

Files are read through a `Reader`, so that a trusted run can read them from a git revision
instead of the working tree (`gates/revision.py`).
"""

from __future__ import annotations

import os
import sys

from .registry import RULES, Rule


class ConfigError(Exception):
    """A configuration file that cannot be read, or says something we do not understand."""


KEYS = {
    "extend": "Another configuration file whose settings this one inherits, overriding them "
    "(relative to this file).",
    "select": "Rule ids or code prefixes to run (default: all); adapter codes (`F`, `E501`) too.",
    "ignore": "Rule ids or code prefixes not to report; the most specific of select/ignore wins.",
    "exclude": "Glob patterns of files (relative to the project root) that are never checked.",
    "tools": "Adapters (third-party tools) to run besides the hooks, by name; the adapters "
    "section lists them.",
    "baseline": "A baseline file (from `mergegate baseline`), relative to the project root; its "
    "findings never block.",
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
"""Every key of a configuration table, with the one-line help the configuration reference
(docs/gate.md) is built from."""

PYPROJECT = "pyproject.toml"
MAX_EXTEND_DEPTH = 32
"""Longer `extend` chains are refused: no real configuration nests that deep."""


class Reader:
    """Reads configuration files from the working tree; `keep_parsed` lets parsed documents be
    kept in the user's cache directory (`ParsedCache`), which `--no-cache` turns off."""

    def __init__(self, keep_parsed: bool = True) -> None:
        self.keep_parsed = keep_parsed

    def read(self, path: str) -> bytes | None:
        """A file's bytes, or None when there is no such file; ConfigError when it cannot be
        read (a folder, a special file, permissions)."""
        import stat

        try:
            status = os.stat(path)
        except FileNotFoundError:
            return None
        except OSError as error:
            raise ConfigError(f"{path}: cannot read: {error.strerror or error}") from None
        if not stat.S_ISREG(status.st_mode):
            raise ConfigError(f"{path}: not a regular file")
        try:
            with open(path, "rb") as handle:
                return handle.read()
        except OSError as error:
            raise ConfigError(f"{path}: cannot read: {error.strerror or error}") from None

    def describe(self, path: str) -> str:
        """How to name `path` in messages."""
        return path


def parse_toml(path: str, data: bytes, keep: bool = True) -> dict[str, object]:
    """A TOML document; any failure is a ConfigError naming the file. Parsed documents are kept
    (`ParsedCache`, unless not `keep`), so that a hook starting in a project does not pay for
    importing `tomllib`."""
    cache = ParsedCache(ParsedCache.folder() if keep else None)
    known = cache.get(path, data)
    if known is not None:
        return known
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover - exercised on Python < 3.11 only
        import tomli as tomllib
    try:
        document = tomllib.loads(data.decode("utf-8"))
    except UnicodeDecodeError as error:
        raise ConfigError(f"{path}: invalid TOML: not UTF-8 ({error.reason})") from None
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"{path}: invalid TOML: {error}") from None
    except RecursionError:
        raise ConfigError(f"{path}: invalid TOML: nested too deeply") from None
    cache.put(path, data, document)
    return document


class ParsedCache:
    """Parsed configuration files, in the user's cache directory (never in a checked tree), kept
    with the exact bytes they were parsed from: a file whose bytes differ in any way is parsed
    again, so nothing but the bytes themselves decides. `marshal` reads them back in
    microseconds; documents it cannot hold (TOML dates) are simply not kept. Any problem with
    the cache file means parsing as usual, never an error."""

    NAME = "parsed-config.marshal"
    KEPT = 32
    """Files kept; the least recently stored go first."""

    def __init__(self, folder: str | None) -> None:
        self.path = os.path.join(folder, self.NAME) if folder else None
        self.entries: dict[str, tuple[bytes, dict[str, object]]] | None = None

    @staticmethod
    def folder() -> str | None:
        """Where the results cache lives when its folder is named (`$MERGEGATE_CACHE_DIR`, as CI
        systems restore it), else `mergegate/` in the user's cache directory."""
        from .files import user_cache_home

        named = os.environ.get("MERGEGATE_CACHE_DIR")
        if named and os.path.isabs(named):
            return named
        home = user_cache_home()
        return os.path.join(home, "mergegate") if home else None

    def _load(self) -> dict[str, tuple[bytes, dict[str, object]]]:
        if self.entries is None:
            self.entries = {}
            if self.path is not None:
                import marshal

                try:
                    with open(self.path, "rb") as handle:
                        loaded = marshal.loads(handle.read())
                    if isinstance(loaded, dict):
                        self.entries = loaded
                except (OSError, EOFError, ValueError, TypeError):
                    pass
        return self.entries

    def get(self, path: str, data: bytes) -> dict[str, object] | None:
        if self.path is None:
            return None
        entry = self._load().get(os.path.abspath(path))
        if isinstance(entry, tuple) and len(entry) == 2 and entry[0] == data:
            document = entry[1]
            return document if isinstance(document, dict) else None
        return None

    def put(self, path: str, data: bytes, document: dict[str, object]) -> None:
        if self.path is None:
            return
        import marshal

        entries = self._load()
        entries.pop(os.path.abspath(path), None)
        entries[os.path.abspath(path)] = (data, document)
        while len(entries) > self.KEPT:
            entries.pop(next(iter(entries)))
        try:
            text = marshal.dumps(entries)
        except ValueError:  # a value marshal cannot hold (a TOML date): not kept
            entries.pop(os.path.abspath(path))
            return
        temporary = f"{self.path}.{os.getpid()}.tmp"
        try:
            os.makedirs(os.path.dirname(self.path), mode=0o700, exist_ok=True)
            with open(temporary, "wb") as handle:
                handle.write(text)
            os.replace(temporary, self.path)
        except OSError:
            try:
                os.unlink(temporary)
            except OSError:
                pass


def table_of(path: str, document: dict[str, object], standalone: bool) -> dict[str, object] | None:
    """The configuration table of a parsed file: `[tool.mergegate]`, or for a `standalone` file
    without one (a `mergegate.toml` given to --config or `extend`) the whole document."""
    tool = document.get("tool", {})
    if not isinstance(tool, dict):
        raise ConfigError(f"{path}: [tool] must be a table")
    table = tool.get("mergegate")
    if table is None:
        return document if standalone and "tool" not in document else None
    if not isinstance(table, dict):
        raise ConfigError(f"{path}: [tool.mergegate] must be a table")
    return table


def read_table(path: str, reader: Reader, standalone: bool = False) -> dict[str, object] | None:
    """The configuration table of the file at `path`, or None when it has none (or, unless
    `standalone`, does not exist). A standalone file must exist."""
    data = reader.read(path)
    if data is None:
        if standalone:
            raise ConfigError(f"{reader.describe(path)}: no such configuration file")
        return None
    if not standalone and b"mergegate" not in data and b"\\u" not in data.lower():
        return None  # the cheap test most pyprojects fail (a key may spell the name in escapes)
    is_pyproject = os.path.basename(path) == PYPROJECT
    document = parse_toml(path, data, reader.keep_parsed)
    return table_of(reader.describe(path), document, standalone and not is_pyproject)


def resolve(
    path: str, table: dict[str, object], reader: Reader
) -> tuple[dict[str, object], list[str]]:
    """The table with its `extend` chain applied (the extending file's settings win; the tables
    `severity` and `rules` merge key by key), and the chain's files, nearest first.

    `extend` is relative to the file that names it; a cycle, a missing file or an overlong
    chain is a ConfigError naming the files."""
    chain = [os.path.abspath(path)]
    tables = [table]
    current, current_table = path, table
    while "extend" in current_table:
        target = current_table["extend"]
        where = f"{reader.describe(current)}: [tool.mergegate] extend"
        if not isinstance(target, str) or not target:
            raise ConfigError(f"{where}: expected a file name, not {target!r}")
        following = os.path.abspath(os.path.join(os.path.dirname(current), target))
        if following in chain:
            cycle = " -> ".join(reader.describe(name) for name in chain + [following])
            raise ConfigError(f"{where}: `extend` makes a cycle: {cycle}")
        if len(chain) >= MAX_EXTEND_DEPTH:
            raise ConfigError(f"{where}: more than {MAX_EXTEND_DEPTH} files extend each other")
        extended = read_table(following, reader, standalone=True)
        if extended is None:
            raise ConfigError(f"{where}: {reader.describe(following)} has no [tool.mergegate]")
        check_keys(extended, f"{reader.describe(following)}: [tool.mergegate]")
        chain.append(following)
        tables.append(extended)
        current, current_table = following, extended
    merged: dict[str, object] = {}
    for layer in reversed(tables):
        merged = _merge(merged, layer)
    merged.pop("extend", None)
    return merged, chain


def _merge(base: dict[str, object], over: dict[str, object]) -> dict[str, object]:
    """`over` on top of `base`: nested tables merge key by key, any other value replaces."""
    merged = dict(base)
    for key, value in over.items():
        below = merged.get(key)
        if isinstance(value, dict) and isinstance(below, dict):
            merged[key] = _merge(below, value)
        else:
            merged[key] = value
    return merged


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
        options[name] = option_value(rule, name, value, where, f"[tool.mergegate.rules.{rule.id}]")
    return options


def option_value(rule: Rule, name: str, value: object, where: str, section: str) -> object:
    """`value` for the option `name` of `rule`, validated; ConfigError naming `where` (a file)
    and `section` (its table, or the command line)."""
    try:
        option = rule.option(name)
    except KeyError:
        known = ", ".join(option.name for option in rule.options) or "none"
        raise ConfigError(
            f"{where}: unknown option {name!r} in {section} (options of {rule.id}: {known})"
        ) from None
    try:
        return option.validate(value)
    except ValueError as error:
        raise ConfigError(f"{where}: {section}: {error}") from None
