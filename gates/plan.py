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

from mergegate.gates.cli import build_parser, request_of
from mergegate.hooks.config import ConfigError
from mergegate.hooks.finding import InputError
from mergegate.hooks.paths import relative_to


def plan(argv: Sequence[str]) -> dict[str, str]:
    """The extras and the result cache's key of the command line `argv` (empty when the gate
    would refuse it). The key covers every project of the run: each keeps its own cache file."""
    from mergegate.gates import pipeline
    from mergegate.gates.cache import run_key
    from mergegate.gates.collect import cached_checks

    try:
        with contextlib.redirect_stderr(io.StringIO()):
            args = build_parser().parse_args(argv)
        request = request_of(args)
        planned = pipeline.plan(request) if args.command == "run" else None
        configs = planned.configs() if planned is not None else []
    except (SystemExit, ConfigError, InputError, OSError):
        return {"extras": "", "cache-key": ""}
    extras = ["github"] if getattr(args, "github", False) else []
    if any(config.tools for config in configs):
        extras.append("tools")
    top = planned.repository or request.cwd if planned is not None else ""
    checks = [[relative_to(config.root, top), cached_checks(config)] for config in configs]
    key = run_key(checks)[:32] if configs else ""
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
