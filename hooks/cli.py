"""The command line every single-purpose hook shares, as pre-commit runs it.

`mergegate-<hook-id> [options] FILE ...` runs the gate's own pipeline restricted to its rule: the
project's whole configuration (select, ignore, severity, fail-on, baseline, noqa, each file's own
project) decides, exactly as `mergegate run --select <hook-id>` would. It prints `path:line:col:
CODE message` per new finding (marked when it does not block) and exits as the gate does: 0
(nothing blocks), 1 (a finding blocks), 2 (a file could not be read, bad options or
configuration, or a bug). Options given here win for this hook only; they belong in
`pyproject.toml`, where hook and gate read the same ones. `--fix` (and `--unsafe-fixes`) fix
what the rule finds, as `mergegate run --fix` does, and exit 1 when a file changed: pre-commit
then shows the change and the commit is tried again.

A name that exists as a file is a file, never an option: pre-commit appends the names of the files
it checks after the hook's arguments, and a file named `--exclude=*.py` must not switch a check
off. Plain invocations are parsed without `argparse`, whose import alone would double a hook's
start-up time; `--help` and malformed command lines are handed to argparse for its messages.
"""

from __future__ import annotations

import os
import sys

from .rule import Rule

TYPE_CHECKING = False
if TYPE_CHECKING:  # typing costs start-up time; mypy reads this block, the interpreter skips it
    import argparse
    from collections.abc import Callable, Sequence
    from typing import NoReturn

    from mergegate.gates.model import Outcome

    from .finding import Finding
    from .source import PythonCheck

    RepoCheck = Callable[[str, dict[str, object]], list[Finding]]

EXIT_CLEAN, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2
FIX_FLAGS = ("fix", "unsafe-fixes")
"""Flags every hook takes besides its rule's options."""


class _NeedsArgparse(Exception):
    """The command line is for --help or is malformed: let argparse explain."""


class Invocation:
    """What a hook's command line asked for."""

    __slots__ = ("overrides", "config", "positionals", "fix", "unsafe_fixes")

    def __init__(self) -> None:
        self.overrides: dict[str, object] = {}
        self.config: str | None = None
        self.positionals: list[str] = []
        self.fix = False
        """`--fix`: fix what the rule finds (exit 1 when a file changed)."""
        self.unsafe_fixes = False


def parse_argv(rule: Rule, argv: Sequence[str]) -> Invocation:
    """Parse `--option`, `--no-option`, `--option VALUE`, `--option=VALUE`, `--config`, files.

    An argument naming an existing file (or link) is a file, whatever it looks like."""
    invocation = Invocation()
    args = list(argv)
    index = 0
    while index < len(args):
        arg = args[index]
        index += 1
        if arg == "--" and not os.path.lexists(arg):
            invocation.positionals.extend(args[index:])
            break
        if not arg.startswith("-") or arg == "-" or os.path.lexists(arg):
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
        if name in FIX_FLAGS and not has_value:
            setattr(invocation, name.replace("-", "_"), True)
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


def closest(message: str, options: Sequence[str]) -> str:
    """` (did you mean 'X'?)` for argparse's error `message` about a mistyped subcommand or
    choice (its choices are in the message) or an unrecognized option (one of `options`); or ""."""
    import difflib
    import re

    choice = re.search(r"invalid choice: '([^']*)' \(choose from (.*)\)", message)
    if choice:  # the choices are quoted up to Python 3.12.7, bare after
        word = choice.group(1)
        candidates = [name.strip().strip("'") for name in choice.group(2).split(",")]
    elif message.startswith("unrecognized arguments: "):
        typed = [w for w in message.split(": ", 1)[1].split() if w.startswith("-")]
        word, candidates = (typed[0].partition("=")[0] if typed else ""), list(options)
    else:
        return ""
    close = difflib.get_close_matches(word, candidates, n=1, cutoff=0.6)
    return f" (did you mean {close[0]!r}?)" if word and close else ""


def suggesting_parser() -> type[argparse.ArgumentParser]:
    """argparse's parser, with `closest` added to its errors (argparse is imported only when a
    command line needs it)."""
    import argparse

    class SuggestingParser(argparse.ArgumentParser):
        def error(self, message: str) -> NoReturn:
            options = [name for action in self._actions for name in action.option_strings]
            super().error(message + closest(message, options))

    return SuggestingParser


def build_parser(rule: Rule, positional: str) -> argparse.ArgumentParser:
    """The argparse equivalent of `parse_argv`, for --help and for error messages."""
    import argparse

    parser = suggesting_parser()(
        prog=f"mergegate-{rule.id}",
        description=f"{rule.summary}\n\n{rule.what}\n\nWhy: {rule.why}",
        epilog=(
            "Exit status: 0 nothing blocks, 1 a finding blocks (or --fix changed a file), 2 error."
            " The project's "
            "[tool.mergegate] decides as it does for `mergegate run` (select, ignore, severity, "
            f"fail-on, baseline); options belong under [tool.mergegate.rules.{rule.id}], where "
            "the hook and the gate read the same ones."
        ),
        formatter_class=argparse.RawDescriptionHelpFormatter,
        allow_abbrev=False,  # `parse_argv` takes whole option names only
    )
    if positional == "filenames":
        parser.add_argument("filenames", nargs="*", help="Python files to check")
    else:
        parser.add_argument("root", nargs="?", default=".", help="repository root (default: .)")
    parser.add_argument("--config", metavar="FILE", help="configuration file to read")
    parser.add_argument(
        "--fix",
        action="store_true",
        help="fix the new findings that have a safe fix; exit 1 when a file changed",
    )
    parser.add_argument(
        "--unsafe-fixes", action="store_true", help="with --fix, make unsafe fixes too"
    )
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


def fail(prog: str, message: str) -> None:
    """An error on stderr, escaped: it can quote file names and configuration values."""
    from .terminal import terminal_lines

    write_safely(sys.stderr, terminal_lines(f"{prog}: error: ", message))


def write_safely(stream: object, text: str) -> None:
    """Write `text`, replacing what the stream's encoding cannot carry (a Windows pipe in cp1252
    with a non-ASCII file name) instead of raising."""
    encoding = getattr(stream, "encoding", None) or "utf-8"
    try:
        text.encode(encoding)
    except (UnicodeEncodeError, LookupError):
        text = text.encode(encoding, "backslashreplace").decode(encoding, "replace")
    stream.write(text)  # type: ignore[attr-defined]


def _run(rule: Rule, check: object, invocation: Invocation, paths: list[str]) -> int:
    """Run the gate's pipeline for this rule alone over `paths`; print and return its verdict."""
    from mergegate.gates.pipeline import Request, run

    from .config import ConfigError
    from .finding import InputError

    prog = f"mergegate-{rule.id}"
    request = Request(paths)
    request.config_file = invocation.config
    request.only_rule = rule.id
    request.rule_options = invocation.overrides
    request.check = check
    changed = False
    try:
        if invocation.fix:
            from mergegate.gates.fixes import fix

            outcome, fixed = fix(request, invocation.unsafe_fixes, write=True)
            changed = bool(fixed.changed)
        else:
            outcome = run(request)
    except (ConfigError, InputError) as problem:
        fail(prog, str(problem))
        return EXIT_ERROR
    write_safely(sys.stdout, hook_report(outcome, prog))
    for error in outcome.errors:
        fail(prog, error.removeprefix(f"{rule.id}: "))
    if changed and outcome.exit_code != EXIT_ERROR:
        return EXIT_FINDINGS  # pre-commit's convention: a hook that changed files fails
    return outcome.exit_code


def hook_report(outcome: Outcome, prog: str) -> str:
    """A single-purpose hook's output: `path:line:col: CODE message` per new finding (the line
    pre-commit-hooks and flake8 print), ` [P2, not blocking]` after one that does not block, and
    one line for what is held back; the same decisions as the gate's."""
    from mergegate.gates.model import BASELINED, EXISTING

    from .terminal import terminal_text

    lines = []
    for item in sorted(outcome.new, key=lambda item: item.finding.sort_key()):
        line = item.finding.format()
        if not item.blocking:
            line += f" [{item.severity}, not blocking at fail-on {item.fail_on}]"
        lines.append(line)
    counts = outcome.counts()
    held = [f"{counts[state]} {state}" for state in (EXISTING, BASELINED) if counts[state]]
    if held:  # `# noqa` is silent, as in every linter
        lines.append(f"{prog}: held back, not listed: {', '.join(held)}")
    lines.extend(f"{prog}: note: {terminal_text(note)}" for note in outcome.notes)
    return "".join(line + "\n" for line in lines)


def run_python_hook(rule: Rule, check: PythonCheck | None, argv: Sequence[str] | None) -> int:
    """`main()` of a hook that checks Python files one at a time."""
    invocation = _invocation(rule, argv, "filenames")
    if isinstance(invocation, int):
        return invocation
    return guarded(
        f"mergegate-{rule.id}", lambda: _run(rule, check, invocation, invocation.positionals)
    )


def run_repo_hook(rule: Rule, check: RepoCheck | None, argv: Sequence[str] | None) -> int:
    """`main()` of a repository-wide hook: checks the repository at ROOT (default: here)."""
    invocation = _invocation(rule, argv, "root")
    if isinstance(invocation, int):
        return invocation
    prog = f"mergegate-{rule.id}"
    if len(invocation.positionals) > 1:
        fail(prog, "takes one repository root, not files (pre-commit: pass_filenames: false)")
        return EXIT_ERROR
    root = invocation.positionals[0] if invocation.positionals else os.curdir
    if not os.path.isdir(root):
        fail(prog, f"{root}: not a directory")
        return EXIT_ERROR
    return guarded(prog, lambda: _run(rule, check, invocation, [root]))


def guarded(prog: str, work: Callable[[], int]) -> int:
    """Run `work`; a closed output pipe ends quietly, any other exception is reported in one
    line (never a traceback, never a pass; MERGEGATE_DEBUG=1 shows it)."""
    try:
        return work()
    except BrokenPipeError:
        _silence_stdout()
        return EXIT_ERROR
    except KeyboardInterrupt:
        return 130
    except Exception as error:
        if os.environ.get("MERGEGATE_DEBUG"):
            raise
        fail(prog, f"internal error: {type(error).__name__}: {error}")
        return EXIT_ERROR


def _silence_stdout() -> None:
    """After a reader closed the pipe (`| head -1`), point stdout at /dev/null so the flush at
    exit cannot raise again (the Python docs' recipe for SIGPIPE)."""
    try:
        null = os.open(os.devnull, os.O_WRONLY)
        os.dup2(null, sys.stdout.fileno())
    except (OSError, ValueError, AttributeError):
        pass
