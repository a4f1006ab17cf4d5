"""`mergegate`: run the gate (whole, as a pre-commit hook, or as shards), join shards, record
baselines, explain rules.

Exit status: 0 passed, 1 blocked (a new finding at or above the project's fail-on), 2 error
(usage, configuration, an unreadable file, a crashed check or adapter). Never a traceback: an
unexpected exception is reported in one line (set MERGEGATE_DEBUG=1 for the traceback).
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from typing import Any, Optional

from mergegate.gates import baseline as baseline_file
from mergegate.gates import shards
from mergegate.gates.config import validate_fail_on
from mergegate.gates.discover import git_toplevel
from mergegate.gates.model import FAIL_ON_CHOICES, BaselineEntry, Item, Outcome
from mergegate.gates.parallel import default_jobs
from mergegate.gates.pipeline import CACHE_RESTORED_ENVIRONMENT, Plan, Request, run, run_planned
from mergegate.gates.reports import FORMATS
from mergegate.gates.reports.text import SHOW_HELD_BACK
from mergegate.gates.reports.writing import write_reports
from mergegate.hooks.cli import suggesting_parser, write_safely
from mergegate.hooks.config import ConfigError
from mergegate.hooks.finding import InputError
from mergegate.hooks.registry import CODES, PARSE_ERROR, RULES
from mergegate.hooks.terminal import terminal_lines

EXIT_PASSED, EXIT_BLOCKED, EXIT_ERROR = 0, 1, 2
REVIEW_CHOICES = ("off", "suggestions", "summary", "both")
"""`--review`: what goes on the pull request besides the check run. Off unless asked for: a
comment is seen by everyone on the pull request, and needs `pull-requests: write`."""


def say(text: str) -> None:
    """A line for the user on stdout (the CLI's output, not debugging)."""
    write_safely(sys.stdout, text + "\n")


def complain(text: str, level: str = "error") -> None:
    """A message on stderr, escaped: it can quote file names, configuration values and tools'
    output (hooks/terminal.py)."""
    write_safely(sys.stderr, terminal_lines(f"mergegate: {level}: ", text))


class UsageError(Exception):
    """A command line that cannot be carried out."""


class Parser(suggesting_parser()):  # type: ignore[misc]
    """argparse with a "did you mean" for a mistyped option or subcommand; an unrecognized
    option is reported by its subcommand's parser (`main`), with that command's usage."""

    def __init__(self, **keywords: Any) -> None:
        super().__init__(**keywords)
        self.subcommands: dict[str, argparse.ArgumentParser] = {}


def parse_format(value: str) -> tuple[str, Optional[str]]:
    """`FORMAT` (to stdout) or `FORMAT:FILE`."""
    name, _, path = value.partition(":")
    if name not in FORMATS:
        raise argparse.ArgumentTypeError(f"unknown format {name!r} (formats: {', '.join(FORMATS)})")
    return name, path or None


def _fail_on(value: str) -> str:
    try:
        return validate_fail_on(value, "--fail-on")
    except ConfigError:
        choices = ", ".join(FAIL_ON_CHOICES)
        raise argparse.ArgumentTypeError(f"expected one of {choices}, not {value!r}") from None


def _positive(value: str) -> int:
    if not value.isdigit() or int(value) < 1:
        raise argparse.ArgumentTypeError(f"expected a positive number, not {value!r}")
    return int(value)


def _selectors(value: str) -> list[str]:
    return [part.strip() for part in value.split(",") if part.strip()]


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return f"mergegate {version('mergegate')}"
    except PackageNotFoundError:  # pragma: no cover - always installed
        return "mergegate (version unknown)"


class _VersionAction(argparse.Action):
    """`--version`, the version read only when asked for: reading it imports
    `importlib.metadata`, about 30 ms that every other command would pay."""

    def __init__(self, option_strings: list[str], dest: str, **keywords: Any) -> None:
        super().__init__(option_strings, dest, nargs=0, help="show the version and exit")

    def __call__(self, parser: argparse.ArgumentParser, *_: object) -> None:
        say(_version())
        parser.exit()


def build_parser() -> Parser:
    parser = Parser(
        prog="mergegate",
        description="A merge gate for Python repositories: exact checks, severity tiers P0..P3.",
        epilog="Exit status: 0 passed, 1 blocked, 2 error.",
    )
    parser.add_argument("--version", action=_VersionAction)
    commands = parser.add_subparsers(
        dest="command", required=True, metavar="COMMAND", parser_class=Parser
    )
    parser.subcommands = commands.choices

    def common(sub: argparse.ArgumentParser, default_paths: list[str]) -> None:
        sub.add_argument(
            "paths",
            nargs="*",
            default=default_paths,
            metavar="PATH",
            help="files or folders to check" + (" (default: .)" if default_paths else ""),
        )
        sub.add_argument(
            "--config",
            metavar="FILE",
            help="configuration for every file (default: each file's closest pyproject.toml"
            " with [tool.mergegate])",
        )
        sub.add_argument(
            "--select",
            type=_selectors,
            metavar="RULES",
            help="comma-separated rule ids or code prefixes to run (replaces `select`)",
        )
        sub.add_argument(
            "--ignore",
            type=_selectors,
            metavar="RULES",
            help="comma-separated rule ids or code prefixes to leave out (adds to `ignore`)",
        )
        sub.add_argument(
            "--jobs",
            "-j",
            type=_positive,
            default=default_jobs(),
            metavar="N",
            help="processes checking Python files (default: the cores available, %(default)s)",
        )
        sub.add_argument(
            "--no-cache",
            action="store_true",
            help="neither read nor write the cache",
        )
        sub.add_argument(
            "--trusted-config-from",
            metavar="REV",
            help="read the configuration and baselines from git revision REV (a pull request's"
            " base), not from the tree being checked",
        )
        sub.add_argument(
            "--cache-dir",
            metavar="DIR",
            help="the cache's folder, outside the checked tree (default: $MERGEGATE_CACHE_DIR,"
            " else one per project in the user's cache directory)",
        )

    def reporting(sub: argparse.ArgumentParser, default_fail_on: str) -> None:
        sub.add_argument(
            "--format",
            dest="formats",
            action="append",
            type=parse_format,
            metavar="FORMAT[:FILE]",
            help=f"report format, repeatable, to FILE instead of stdout ({', '.join(FORMATS)})",
        )
        sub.add_argument(
            "--fail-on",
            type=_fail_on,
            metavar="|".join(FAIL_ON_CHOICES),
            help=f"lowest tier that blocks, any case (default: {default_fail_on})",
        )
        sub.add_argument(
            "--color",
            choices=("auto", "always", "never"),
            default="auto",
            help="colour in the text report (default: auto: at a terminal, unless NO_COLOR is"
            " set; FORCE_COLOR forces it)",
        )
        sub.add_argument(
            SHOW_HELD_BACK,
            action="store_true",
            help="list held-back findings (baselined, existing, suppressed) in the text report,"
            " not only their counts",
        )
        sub.add_argument(
            "--github",
            action="store_true",
            help="in GitHub Actions: post a check run, write the job summary and step outputs",
        )
        sub.add_argument(
            "--github-token",
            metavar="TOKEN",
            help="token for the check run (default: $GITHUB_TOKEN)",
        )
        sub.add_argument(
            "--check-name", metavar="NAME", help="name of the check run (default: mergegate)"
        )
        sub.add_argument(
            "--review",
            choices=REVIEW_CHOICES,
            default="off",
            help="with --github on a pull request: `suggestions` posts a review suggesting the"
            " fixes of new findings on changed lines, `summary` keeps one summary comment up to"
            " date, `both` does both (default: off)",
        )

    def gating(sub: argparse.ArgumentParser) -> None:
        common(sub, ["."] if sub.prog.endswith(" run") else [])
        reporting(sub, "each file's project's `fail-on`, else P0")
        sub.add_argument("--baseline", metavar="FILE", help="findings recorded here never block")
        sub.add_argument(
            "--new-from-rev",
            metavar="REV",
            help="only findings on lines changed since the git revision REV block",
        )
        sub.add_argument(
            "--fix",
            action="store_true",
            help="fix the new findings that have a safe fix, then report what remains"
            + (
                " (exit 1 when a file changed, as pre-commit expects)" if "hook" in sub.prog else ""
            ),
        )
        sub.add_argument(
            "--unsafe-fixes",
            action="store_true",
            help="with --fix or --diff, make unsafe fixes too (they may change what the code"
            " does); in the text report, count them as fixable",
        )
        sub.add_argument(
            "--diff",
            action="store_true",
            help="print the fixes --fix would make as a unified diff, change nothing; exit 1 when"
            " there is one",
        )

    run_parser = commands.add_parser("run", help="check files and decide the verdict")
    gating(run_parser)
    run_parser.add_argument(
        "--shard",
        type=shards.parse_shard,
        metavar="I/N",
        help="check only shard I of N of the files (join the JSON reports with `merge`)",
    )
    hook_parser = commands.add_parser(
        "hook",
        help="`run` as the `mergegate` pre-commit hook runs it: exactly the FILES given (names"
        " that exist are files, never options), and the repository-wide rules",
    )
    gating(hook_parser)

    merge_parser = commands.add_parser(
        "merge", help="join the JSON reports of `run --shard` into one verdict and report"
    )
    merge_parser.add_argument(
        "reports", nargs="+", metavar="FILE", help="the shards' JSON reports, one per shard"
    )
    merge_parser.add_argument(
        "--config", metavar="FILE", help="unused, accepted for symmetry with `run`"
    )
    reporting(merge_parser, "each finding's project's `fail-on`")

    baseline_parser = commands.add_parser(
        "baseline", help="record today's findings in a baseline file"
    )
    common(baseline_parser, ["."])
    baseline_parser.add_argument(
        "--output",
        "-o",
        metavar="FILE",
        help="the baseline file to write (default: each project's configured `baseline`)",
    )
    baseline_parser.add_argument(
        "--prune",
        action="store_true",
        help="only drop the entries that no longer match; add nothing",
    )

    rules_parser = commands.add_parser("rules", help="list the rules, or explain one")
    rules_parser.add_argument("rule", nargs="?", metavar="RULE", help="a rule id or code")
    return parser


def request_of(args: argparse.Namespace) -> Request:
    """The pipeline request the command line makes."""
    request = Request(list(args.paths))
    request.every_project = args.command == "hook"
    request.config_file = args.config
    request.select = args.select
    request.ignore = args.ignore or []
    request.fail_on = getattr(args, "fail_on", None)
    request.baseline = getattr(args, "baseline", None)
    request.new_from_rev = getattr(args, "new_from_rev", None)
    request.jobs = args.jobs
    request.cache = not args.no_cache
    request.keep_parsed = not args.no_cache
    request.cache_dir = args.cache_dir
    request.cache_restored = os.environ.get(CACHE_RESTORED_ENVIRONMENT)
    request.shard = getattr(args, "shard", None)
    if args.trusted_config_from is not None:
        from mergegate.gates.revision import RevisionReader

        toplevel = git_toplevel(request.cwd)
        if toplevel is None:
            raise ConfigError("--trusted-config-from needs a git repository, and this is not one")
        request.reader = RevisionReader(args.trusted_config_from, toplevel)
    return request


def command_run(args: argparse.Namespace) -> int:
    request = request_of(args)
    if args.diff:
        return _show_diff(request, args.unsafe_fixes)
    if not args.fix:
        return deliver(run(request), args)
    from mergegate.gates.fixes import fix

    outcome, fixed = fix(request, args.unsafe_fixes, write=True)
    status = deliver(outcome, args)
    if args.command == "hook" and fixed.changed and status != EXIT_ERROR:
        return EXIT_BLOCKED  # pre-commit's convention: a hook that changed files fails
    return status


def _show_diff(request: Request, unsafe: bool) -> int:
    """`--diff`: the fixes as a unified diff on stdout, nothing changed; notes on stderr. Exit 1
    when there is a diff, 2 when the run had errors (the diff may then be incomplete)."""
    from mergegate.gates.fixes import fix
    from mergegate.gates.reports.writing import workflow_commands_stopped

    outcome, fixed = fix(request, unsafe, write=False)
    diff = fixed.diff()
    with workflow_commands_stopped(os.environ.get("GITHUB_ACTIONS") == "true" and bool(diff)):
        write_safely(sys.stdout, diff)
    for note in outcome.notes:
        complain(note, level="note")
    for error in outcome.errors:
        complain(str(error))
    if outcome.errors:
        return EXIT_ERROR
    return EXIT_BLOCKED if diff else EXIT_PASSED


def command_merge(args: argparse.Namespace) -> int:
    return deliver(shards.merge(args.reports, args.fail_on), args)


def deliver(outcome: Outcome, args: argparse.Namespace) -> int:
    """The reports, and with --github the check run: what `run` and `merge` both end with."""
    root = os.path.realpath(os.curdir)
    repository = git_toplevel(root) or root  # SARIF paths are repository paths
    formats = args.formats or [("text", None)]
    write_reports(
        outcome,
        formats,
        args.color,
        repository,
        for_actions_runner=args.github,
        show_held_back=args.show_held_back,
        unsafe_fixes=getattr(args, "unsafe_fixes", False),
    )
    if args.github:
        from mergegate.gates.github import GitHubRequest, publish

        request = GitHubRequest(
            root=repository,
            check_name=args.check_name,
            token=args.github_token,
            reports=formats,
            review=args.review,
        )
        return publish(outcome, request)
    for error in outcome.errors:
        complain(str(error))
    return outcome.exit_code


def command_baseline(args: argparse.Namespace) -> int:
    """Record (or prune) baselines: the file --output names (paths from the run's root), else
    each project's configured `baseline` (paths from its root). A run with errors writes nothing:
    it did not see everything, so it could record too little or prune what is still there."""
    request = request_of(args)
    if args.output:
        request.baseline = args.output if args.prune else None
    request.apply_baselines = args.prune
    planned, outcome = run_planned(request)
    for error in outcome.errors:
        complain(str(error))
    if outcome.errors:
        complain(f"{args.output or 'the baselines'} left as it was")
        return EXIT_ERROR
    if args.prune:
        return _prune(outcome, planned, args.output)
    targets: dict[str, tuple[str, list[Item]]] = {}
    if args.output:
        targets[os.path.abspath(args.output)] = (planned.run_root, outcome.reported)
    else:
        for config in planned.configs():
            if config.baseline:
                targets.setdefault(config.baseline, (config.root, []))
        for item in outcome.reported:
            path = os.path.join(request.cwd, item.finding.path)
            config = planned.projects.for_path(path)
            if config.baseline:
                targets[config.baseline][1].append(item)
    if not targets:
        raise UsageError(
            "no baseline file: give --output FILE, or set `baseline` in [tool.mergegate]"
        )
    for target, (root, items) in targets.items():
        entries = baseline_file.entries_of(items, root, request.cwd)
        baseline_file.write(target, entries)
        recorded = sum(entry["count"] for entry in entries)
        say(f"mergegate: recorded {recorded} findings in {os.path.relpath(target)}")
    unparsable = [item for item in outcome.reported if item.finding.rule == PARSE_ERROR.id]
    if unparsable:
        complain(
            f"{len(unparsable)} files could not be recorded: they do not parse, so nothing"
            " checked them, and they block until they do; `exclude` in [tool.mergegate] leaves"
            " out files that are not meant to parse",
            level="warning",
        )
    return EXIT_PASSED


def _prune(outcome: Outcome, planned: Plan, output: Optional[str]) -> int:
    """Drop from each baseline the entries the run found fixed."""
    by_file: dict[str, list[BaselineEntry]] = {}
    for entry in outcome.fixed:
        by_file.setdefault(os.path.abspath(entry.get("baseline", "")), []).append(entry)
    targets = (
        [os.path.abspath(output)]
        if output
        else [config.baseline for config in planned.configs() if config.baseline]
    )
    if not targets:
        raise UsageError(
            "no baseline file: give --output FILE, or set `baseline` in [tool.mergegate]"
        )
    for target in targets:
        entries = baseline_file.read(target)
        kept = baseline_file.prune(entries, by_file.get(os.path.abspath(target), []))
        baseline_file.write(target, kept)
        say(
            f"mergegate: pruned {len(entries) - len(kept)} fixed entries;"
            f" {len(kept)} remain in {os.path.relpath(target)}"
        )
    return EXIT_PASSED


def command_rules(args: argparse.Namespace) -> int:
    from mergegate.gates.docs import rule_text

    if args.rule is None:
        for rule in RULES.values():
            for code in rule.codes:
                say(f"{code.code}  {code.tier}  {rule.id:34} {code.summary}")
        return EXIT_PASSED
    wanted = args.rule.strip()
    found = RULES.get(wanted.lower()) or (
        CODES[wanted.upper()][0] if wanted.upper() in CODES else None
    )
    if found is None:
        import difflib

        close = difflib.get_close_matches(wanted, [*RULES, *CODES], n=1)
        hint = f"; did you mean {close[0]!r}?" if close else ""
        raise UsageError(f"unknown rule {args.rule!r} (see `mergegate rules`{hint})")
    say(rule_text(found))
    return EXIT_PASSED


COMMANDS = {
    "run": command_run,
    "hook": command_run,
    "merge": command_merge,
    "baseline": command_baseline,
    "rules": command_rules,
}


def files_first(argv: list[str]) -> list[str]:
    """`mergegate hook`'s arguments with every name of an existing file moved after `--`:
    pre-commit appends file names after the hook's own arguments, and a file named like an
    option (`--exclude=*.py`, `-rf.py`, even `--`) is still a file."""
    command, rest = argv[:1], argv[1:]
    if "--" in rest and not os.path.lexists("--"):
        cut = rest.index("--")
        rest, tail = rest[:cut], rest[cut + 1 :]
    else:
        tail = []
    options = [arg for arg in rest if not (arg.startswith("-") and os.path.lexists(arg))]
    files = [arg for arg in rest if arg.startswith("-") and os.path.lexists(arg)]
    return command + options + ["--"] + files + tail


def main(argv: Sequence[str] | None = None) -> int:
    args_list = list(sys.argv[1:] if argv is None else argv)
    if args_list[:1] == ["hook"]:
        args_list = files_first(args_list)
    parser = build_parser()
    try:
        try:
            args, unknown = parser.parse_known_args(args_list)
            if unknown:
                command = parser.subcommands.get(args.command, parser)
                command.error(f"unrecognized arguments: {' '.join(unknown)}")
        except SystemExit as exit:
            return int(exit.code or 0)
        return _dispatch(args)
    except BrokenPipeError:
        from mergegate.hooks.cli import _silence_stdout

        _silence_stdout()
        return EXIT_ERROR
    except KeyboardInterrupt:
        return 130


def _dispatch(args: argparse.Namespace) -> int:
    if getattr(args, "shard", None) and args.github:
        complain(
            "--shard with --github would post one check run per shard: write each shard's report"
            " with --format json:FILE and post once with `mergegate merge FILE... --github`"
        )
        return EXIT_ERROR
    if getattr(args, "diff", False) and (args.github or args.formats):
        complain("--diff prints only the diff: leave out --github and --format")
        return EXIT_ERROR
    if getattr(args, "review", "off") != "off" and not args.github:
        complain("--review posts to a pull request: it needs --github")
        return EXIT_ERROR
    to_stdout = [name for name, path in getattr(args, "formats", None) or () if path is None]
    if len(to_stdout) > 1:
        complain(f"only one format can go to stdout, not {', '.join(to_stdout)}: add :FILE")
        return EXIT_ERROR
    try:
        return COMMANDS[args.command](args)
    except (ConfigError, UsageError, InputError) as error:
        complain(str(error))
        return EXIT_ERROR
    except BrokenPipeError:
        raise
    except OSError as error:
        complain(str(error))
        return EXIT_ERROR
    except Exception as error:  # never a traceback to the user, never a pass
        if os.environ.get("MERGEGATE_DEBUG"):
            raise
        complain(f"internal error: {type(error).__name__}: {error}")
        return EXIT_ERROR


if __name__ == "__main__":
    raise SystemExit(main())
