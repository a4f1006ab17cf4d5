"""What a `mergegate` command line needs before it runs, for the GitHub Action to prepare it.

`python -m mergegate.gates.plan FILE` reads the command line's words from FILE (each ended by a
NUL byte) and prints `extras=...` (the package extras it needs: `github` for `--github`, `tools`
when the configuration enables adapters) and `cache-key=...` (the key the result cache files its
results under: mergegate's code, the Python version, the selected rules and their options), one
`name=value` line each, for `$GITHUB_OUTPUT`. A command line or configuration the gate would
refuse plans nothing (empty values): the gate itself then says what is wrong, once.
"""

from __future__ import annotations

import contextlib
import io
import sys
from collections.abc import Sequence
from typing import Optional

from mergegate.gates.cache import run_key
from mergegate.gates.cli import build_parser, load_config
from mergegate.gates.collect import cached_checks
from mergegate.hooks.config import ConfigError


def plan(argv: Sequence[str]) -> dict[str, str]:
    """The extras and the result cache's key of the command line `argv` (empty when the gate
    would refuse it)."""
    try:
        with contextlib.redirect_stderr(io.StringIO()):
            args = build_parser().parse_args(argv)
        config = load_config(args) if args.command == "run" else None
    except (SystemExit, ConfigError, OSError):
        return {"extras": "", "cache-key": ""}
    extras = ["github"] if getattr(args, "github", False) else []
    if config is not None and config.tools:
        extras.append("tools")
    key = run_key(cached_checks(config))[:32] if config is not None else ""
    return {"extras": ",".join(extras), "cache-key": key}


def main(argv: Optional[Sequence[str]] = None) -> int:
    (path,) = sys.argv[1:] if argv is None else argv
    with open(path, "rb") as handle:
        words = handle.read().split(b"\0")[:-1]
    for name, value in plan([word.decode("utf-8", "surrogateescape") for word in words]).items():
        sys.stdout.write(f"{name}={value}\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
