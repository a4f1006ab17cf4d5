"""`mergegate`: run the gate (whole or as shards), join shards, record baselines, explain rules.

Exit status: 0 passed, 1 blocked (a new finding at or above --fail-on), 2 error (usage,
configuration, an unreadable file, a crashed check or adapter). Never a traceback: an unexpected
exception is reported in one line (set MERGEGATE_DEBUG=1 for the traceback).
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from typing import Optional

from mergegate.gates import baseline as baseline_file
from mergegate.gates import config as gate_config
from mergegate.gates import shards
from mergegate.gates.discover import git_toplevel
from mergegate.gates.model import FAIL_ON_CHOICES, Outcome
from mergegate.gates.parallel import default_jobs
from mergegate.gates.output import write_atomically
from mergegate.gates.pipeline import Request, run
from mergegate.gates.reports import FORMATS, ReportContext, render
from mergegate.hooks.config import ConfigError
from mergegate.hooks.registry import RULES
from mergegate.hooks.terminal import terminal_lines

EXIT_PASSED, EXIT_BLOCKED, EXIT_ERROR = 0, 1, 2


def say(text: str) -> None:
    """A line for the user on stdout (the CLI's output, not debugging)."""
    sys.stdout.write(text + "\n")


def complain(text: str) -> None:
    """An error on stderr, escaped: it can quote file names, configuration values and tools'
    output (hooks/terminal.py)."""
    sys.stderr.write(terminal_lines("mergegate: error: ", text))


class UsageError(Exception):
    """A command line that cannot be carried out."""


def parse_format(value: str) -> tuple[str, Optional[str]]:
    """`FORMAT` (to stdout) or `FORMAT:FILE`."""
    name, _, path = value.partition(":")
    if name not in FORMATS:
        raise argparse.ArgumentTypeError(f"unknown format {name!r} (formats: {', '.join(FORMATS)})")
    return name, path or None


def _positive(value: str) -> int:
    if not value.isdigit() or int(value) < 1:
        raise argparse.ArgumentTypeError(f"expected a positive number, not {value!r}")
    return int(value)


def _selectors(value: str) -> list[str]:
    return [part.strip() for part in value.split(",") if part.strip()]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="mergegate",
        description="A merge gate for Python repositories: exact checks, severity tiers P0..P3.",
        epilog="Exit status: 0 passed, 1 blocked, 2 error.",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def common(sub: argparse.ArgumentParser) -> None:
        sub.add_argument(
            "paths",
            nargs="*",
            default=["."],
            metavar="PATH",
            help="files or folders to check (default: .)",
        )
        sub.add_argument(
            "--config",
            metavar="FILE",
            help="pyproject.toml to use (default: the closest one with [tool.mergegate])",
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
            choices=FAIL_ON_CHOICES,
            help=f"lowest tier that blocks (default: {default_fail_on})",
        )
        sub.add_argument(
            "--color",
            choices=("auto", "always", "never"),
            default="auto",
            help="colour in the text report (default: auto, on a terminal)",
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

    run_parser = commands.add_parser("run", help="check files and decide the verdict")
    common(run_parser)
    reporting(run_parser, "P0, or `fail-on` in the config")
    run_parser.add_argument("--baseline", metavar="FILE", help="findings recorded here never block")
    run_parser.add_argument(
        "--new-from-rev",
        metavar="REV",
        help="only findings on lines changed since the git revision REV block",
    )
    run_parser.add_argument(
        "--shard",
        type=shards.parse_shard,
        metavar="I/N",
        help="check only shard I of N of the files (join the JSON reports with `merge`)",
    )

    merge_parser = commands.add_parser(
        "merge", help="join the JSON reports of `run --shard` into one verdict and report"
    )
    merge_parser.add_argument(
        "reports", nargs="+", metavar="FILE", help="the shards' JSON reports, one per shard"
    )
    merge_parser.add_argument(
        "--config",
        metavar="FILE",
        help="pyproject.toml for `fail-on` (default: the closest one with [tool.mergegate])",
    )
    reporting(merge_parser, "P0, or `fail-on` in the config")

    baseline_parser = commands.add_parser(
        "baseline", help="record today's findings in a baseline file"
    )
    common(baseline_parser)
    baseline_parser.add_argument(
        "--output", "-o", required=True, metavar="FILE", help="the baseline file to write"
    )
    baseline_parser.add_argument(
        "--prune",
        action="store_true",
        help="only drop the entries of FILE that no longer match; add nothing",
    )

    rules_parser = commands.add_parser("rules", help="list the rules, or explain one")
    rules_parser.add_argument("rule", nargs="?", metavar="RULE", help="a rule id or code")
    return parser


def load_config(args: argparse.Namespace) -> gate_config.Config:
    start = args.paths[0] if args.paths else os.curdir
    if args.paths and not os.path.exists(start):
        raise ConfigError(f"{start}: no such file or directory")
    config = gate_config.load(args.config, start)
    if args.select is not None:
        config.select = gate_config.validate_selectors(args.select, "--select", config.tools)
    if args.ignore:
        config.ignore += gate_config.validate_selectors(args.ignore, "--ignore", config.tools)
    return config


def write_reports(
    outcome: Outcome, formats: list[tuple[str, Optional[str]]], color: str, root: str
) -> None:
    for name, path in formats:
        terminal = path is None and sys.stdout.isatty()
        context = ReportContext(
            color=color == "always" or (color == "auto" and terminal), root=root
        )
        text = render(name, outcome, context)
        if path is None:
            sys.stdout.write(text)
        else:
            write_atomically(path, text)


def command_run(args: argparse.Namespace) -> int:
    config = load_config(args)
    if args.fail_on:
        config.fail_on = args.fail_on
    request = Request(
        paths=args.paths,
        baseline=args.baseline,
        new_from_rev=args.new_from_rev,
        jobs=args.jobs,
        cache=not args.no_cache,
        cache_dir=args.cache_dir,
        shard=args.shard,
    )
    return deliver(run(config, request), args, config.root)


def command_merge(args: argparse.Namespace) -> int:
    config = gate_config.load(args.config, os.curdir)
    outcome = shards.merge(args.reports, args.fail_on or config.fail_on)
    return deliver(outcome, args, config.root)


def deliver(outcome: Outcome, args: argparse.Namespace, root: str) -> int:
    """The reports, and with --github the check run: what `run` and `merge` both end with."""
    repository = git_toplevel(root) or root  # SARIF paths are repository paths
    if args.github:  # the reports, then GitHub: mergegate.gates.github
        from mergegate.gates.github import publish

        return publish(outcome, args, repository)
    write_reports(outcome, args.formats or [("text", None)], args.color, repository)
    for error in outcome.errors:
        complain(str(error))
    return outcome.exit_code


def command_baseline(args: argparse.Namespace) -> int:
    """Record (or prune) the baseline; a run with errors writes nothing: it did not see
    everything, so it could record too little or prune what is still there."""
    config = load_config(args)
    config.baseline = None  # recording starts afresh; pruning reads the file it rewrites
    request = Request(
        paths=args.paths, jobs=args.jobs, cache=not args.no_cache, cache_dir=args.cache_dir
    )
    entries = baseline_file.read(args.output) if args.prune else []
    request.baseline = args.output if args.prune else None
    outcome = run(config, request)
    for error in outcome.errors:
        complain(str(error))
    if outcome.errors:
        complain(f"{args.output} left as it was")
        return EXIT_ERROR
    if args.prune:
        kept = baseline_file.prune(entries, outcome.fixed)
        baseline_file.write(args.output, kept)
        say(
            f"mergegate: pruned {len(entries) - len(kept)} fixed entries;"
            f" {len(kept)} remain in {args.output}"
        )
    else:
        entries = baseline_file.entries_of(outcome.reported, config.root, request.cwd)
        baseline_file.write(args.output, entries)
        recorded = sum(entry["count"] for entry in entries)
        say(f"mergegate: recorded {recorded} findings in {args.output}")
    return EXIT_PASSED


def command_rules(args: argparse.Namespace) -> int:
    from mergegate.gates.docs import rule_text

    if args.rule is None:
        for rule in RULES.values():
            for code in rule.codes:
                say(f"{code.code}  {code.tier}  {rule.id:34} {code.summary}")
        return EXIT_PASSED
    for rule in RULES.values():
        if args.rule == rule.id or args.rule in {code.code for code in rule.codes}:
            say(rule_text(rule))
            return EXIT_PASSED
    raise UsageError(f"unknown rule {args.rule!r} (see `mergegate rules`)")


COMMANDS = {
    "run": command_run,
    "merge": command_merge,
    "baseline": command_baseline,
    "rules": command_rules,
}


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exit:
        return int(exit.code or 0)
    if getattr(args, "shard", None) and args.github:
        complain(
            "--shard with --github would post one check run per shard: write each shard's report"
            " with --format json:FILE and post once with `mergegate merge FILE... --github`"
        )
        return EXIT_ERROR
    to_stdout = [name for name, path in getattr(args, "formats", None) or () if path is None]
    if len(to_stdout) > 1:
        complain(f"only one format can go to stdout, not {', '.join(to_stdout)}: add :FILE")
        return EXIT_ERROR
    try:
        return COMMANDS[args.command](args)
    except (ConfigError, UsageError) as error:
        complain(str(error))
        return EXIT_ERROR
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
