"""The command line every hook shares, as pre-commit runs it.

`mergegate-<hook-id> [options] FILE ...` prints `path:line:col: CODE message` per finding and exits
0 (clean), 1 (findings) or 2 (a file could not be read, bad options or configuration, or a bug).
Plain invocations are parsed here without `argparse`, whose import alone would double a hook's
start-up time; `--help` and malformed command lines are handed to argparse for its messages.
"""

from __future__ import annotations

import os
import sys

from . import paths
from .config import (
    ConfigError,
    check_keys,
    find_pyproject,
    mergegate_table,
    rule_options,
    selected,
    string_list,
)
from .finding import Finding, InputError
from .noqa import Suppressor, noted
from .noqa import settings as noqa_settings
from .registry import Rule

TYPE_CHECKING = False
if TYPE_CHECKING:  # typing costs start-up time; mypy reads this block, the interpreter skips it
    import argparse
    from collections.abc import Callable, Sequence

    from .noqa import LinesOf
    from .source import PythonCheck

    RepoCheck = Callable[[str, dict[str, object]], list[Finding]]

EXIT_CLEAN, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2


class _NeedsArgparse(Exception):
    """The command line is for --help or is malformed: let argparse explain."""


class Invocation:
    """What a hook's command line asked for."""

    __slots__ = ("overrides", "config", "positionals")

    def __init__(self) -> None:
        self.overrides: dict[str, object] = {}
        self.config: str | None = None
        self.positionals: list[str] = []


def parse_argv(rule: Rule, argv: Sequence[str]) -> Invocation:
    """Parse `--option`, `--no-option`, `--option VALUE`, `--option=VALUE`, `--config`, files."""
    invocation = Invocation()
    args = list(argv)
    index = 0
    while index < len(args):
        arg = args[index]
        index += 1
        if arg == "--":
            invocation.positionals.extend(args[index:])
            break
        if not arg.startswith("-") or arg == "-":
            invocation.positionals.append(arg)
            continue
        name, has_value, value = arg[2:].partition("=")
        if not arg.startswith("--") or name in ("help",):
            raise _NeedsArgparse
        if name == "config" or _takes_value(rule, name):
            if not has_value:
                if index >= len(args):
                    raise _NeedsArgparse
                value = args[index]
                index += 1
            if name == "config":
                invocation.config = value
            elif rule.option(name).kind == "list":
                previous = invocation.overrides.get(name)
                invocation.overrides[name] = (previous if isinstance(previous, list) else []) + [
                    value
                ]
            else:
                invocation.overrides[name] = value
            continue
        flag = name[3:] if name.startswith("no-") else name
        if has_value or not _is_flag(rule, flag):
            raise _NeedsArgparse
        invocation.overrides[flag] = not name.startswith("no-")
    return invocation


def _takes_value(rule: Rule, name: str) -> bool:
    return any(option.name == name and option.kind != "bool" for option in rule.options)


def _is_flag(rule: Rule, name: str) -> bool:
    return any(option.name == name and option.kind == "bool" for option in rule.options)


def build_parser(rule: Rule, positional: str) -> argparse.ArgumentParser:
    """The argparse equivalent of `parse_argv`, for --help and for error messages."""
    import argparse

    parser = argparse.ArgumentParser(
        prog=f"mergegate-{rule.id}",
        description=f"{rule.summary}\n\n{rule.what}\n\nWhy: {rule.why}",
        epilog=(
            "Exit status: 0 no findings, 1 findings, 2 error. Options can also be set in "
            f"pyproject.toml under [tool.mergegate.rules.{rule.id}]."
        ),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    if positional == "filenames":
        parser.add_argument("filenames", nargs="*", help="Python files to check")
    else:
        parser.add_argument("root", nargs="?", default=".", help="repository root (default: .)")
    parser.add_argument("--config", metavar="FILE", help="pyproject.toml to read options from")
    for option in rule.options:
        if option.kind == "bool":
            parser.add_argument(
                f"--{option.name}",
                action=argparse.BooleanOptionalAction,
                default=option.default,
                help=option.help,
            )
        else:
            parser.add_argument(
                f"--{option.name}",
                action="append" if option.kind == "list" else "store",
                metavar="VALUE",
                help=f"{option.help} (default: {option.default!r})",
            )
    return parser


def _invocation(rule: Rule, argv: Sequence[str] | None, positional: str) -> Invocation | int:
    """Parse the command line, or the exit status argparse chose (help shown, or an error)."""
    args = sys.argv[1:] if argv is None else list(argv)
    try:
        return parse_argv(rule, args)
    except _NeedsArgparse:
        parser = build_parser(rule, positional)
        try:
            parser.parse_args(args)
        except SystemExit as exit:
            return int(exit.code or 0)
        parser.error("cannot parse the command line")  # argparse accepted what we did not


class Settings:
    """What the project's `[tool.mergegate]` and the command line say to one hook."""

    __slots__ = ("options", "select", "ignore", "noqa")

    def __init__(self, rule: Rule, invocation: Invocation) -> None:
        """Options: defaults, then `[tool.mergegate.rules.<id>]`, then the command line; and the
        table's `select`/`ignore`, which a hook honours as the gate does. Every key is checked."""
        config, table = invocation.config, None
        if config:
            table = mergegate_table(config)
        else:
            config, table = find_pyproject(os.curdir) or (None, None)
        where = f"{config}: [tool.mergegate]"
        check_keys(table or {}, where)
        self.options = rule_options(rule, table, config or "pyproject.toml")
        self.options.update(invocation.overrides)
        self.select = string_list(table or {}, "select", where)
        self.ignore = string_list(table or {}, "ignore", where) or []
        self.noqa = noqa_settings(table or {}, where)

    def reports(self, finding: Finding) -> bool:
        return selected(self.select, self.ignore, finding.rule, finding.code)


def _report(findings: list[Finding], lines_of: LinesOf, settings: Settings) -> int:
    """Print findings not silenced by `# noqa`, sorted; 1 when any remain."""
    suppressor = Suppressor(settings.noqa, lines_of)
    shown = []
    for finding in findings:
        lines = lines_of(finding.path) or ()
        line = lines[finding.line - 1] if 0 < finding.line <= len(lines) else ""
        verdict = suppressor.verdict(finding, line)
        if verdict is None:
            shown.append(finding)
        elif not verdict.silenced:
            shown.append(noted(finding, verdict.note))
    shown.sort(key=Finding.sort_key)
    write = sys.stdout.write
    for finding in shown:
        write(finding.format() + "\n")
    return EXIT_FINDINGS if shown else EXIT_CLEAN


def _fail(rule: Rule, message: str) -> None:
    from .terminal import terminal_lines

    sys.stderr.write(terminal_lines(f"mergegate-{rule.id}: error: ", message))


def read_file(path: str, shown_as: str | None = None) -> bytes:
    """A file's bytes; a missing, unreadable or non-regular path is an InputError naming it."""
    name = shown_as or path
    try:
        with open(path, "rb") as handle:
            return handle.read()
    except IsADirectoryError:
        raise InputError(
            f"{name}: is a directory (hooks take files; `mergegate run` takes folders)"
        ) from None
    except FileNotFoundError:
        raise InputError(f"{name}: no such file") from None
    except OSError as error:
        raise InputError(f"{name}: cannot read: {error.strerror or error}") from None


def run_python_hook(rule: Rule, check: PythonCheck, argv: Sequence[str] | None) -> int:
    """`main()` of a hook that checks Python files one at a time."""
    from .source import Source, parse, run_checks

    invocation = _invocation(rule, argv, "filenames")
    if isinstance(invocation, int):
        return invocation
    try:
        settings = Settings(rule, invocation)
    except ConfigError as error:
        _fail(rule, str(error))
        return EXIT_ERROR
    findings: list[Finding] = []
    sources: dict[str, Source] = {}
    failed = False
    for filename in invocation.positionals:
        path = paths.display(filename)
        try:
            parsed = parse(path, read_file(filename))
        except InputError as error:
            _fail(rule, str(error))
            failed = True
            continue
        if isinstance(parsed, Finding):
            findings.append(parsed)
            continue
        sources[path] = parsed
        try:
            findings.extend(run_checks(parsed, [(check, settings.options)]))
        except Exception as error:  # a bug in the check: say so, never pass silently
            _fail(rule, f"internal error while checking {path}: {type(error).__name__}: {error}")
            failed = True
    shown = [finding for finding in findings if settings.reports(finding)]
    status = _report(shown, lambda path: sources[path].lines if path in sources else None, settings)
    return EXIT_ERROR if failed else status


def run_repo_hook(rule: Rule, check: RepoCheck, argv: Sequence[str] | None) -> int:
    """`main()` of a repository-wide hook: checks the repository at ROOT (default: here)."""
    invocation = _invocation(rule, argv, "root")
    if isinstance(invocation, int):
        return invocation
    if len(invocation.positionals) > 1:
        _fail(rule, "takes one repository root, not files (pre-commit: pass_filenames: false)")
        return EXIT_ERROR
    root = invocation.positionals[0] if invocation.positionals else os.curdir
    if not os.path.isdir(root):
        _fail(rule, f"{root}: not a directory")
        return EXIT_ERROR
    try:
        settings = Settings(rule, invocation)
        findings = check(root, settings.options)
    except (ConfigError, InputError) as error:
        _fail(rule, str(error))
        return EXIT_ERROR
    except Exception as error:  # a bug in the check: say so, never pass silently
        _fail(rule, f"internal error: {type(error).__name__}: {error}")
        return EXIT_ERROR
    shown = [
        finding.with_path(paths.display(os.path.join(root, finding.path)))
        for finding in findings
        if settings.reports(finding)
    ]
    return _report(shown, text_lines_reader(), settings)


def text_lines_reader() -> Callable[[str], list[str]]:
    """Read a text file's lines for `# noqa`, each file once; unreadable files have no lines."""
    from .source import split_lines

    cache: dict[str, list[str]] = {}

    def read_lines(path: str) -> list[str]:
        if path not in cache:
            try:
                with open(path, "rb") as handle:
                    cache[path] = split_lines(handle.read().decode("utf-8", "replace"))
            except OSError:
                cache[path] = []
        return cache[path]

    return read_lines


def text_line_reader() -> Callable[[str, int], str]:
    """Read line N of a text file (see `text_lines_reader`)."""
    read_lines = text_lines_reader()

    def read_line(path: str, line: int) -> str:
        lines = read_lines(path)
        return lines[line - 1] if 0 < line <= len(lines) else ""

    return read_line
