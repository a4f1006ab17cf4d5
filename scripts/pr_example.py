#!/usr/bin/env python3
"""docs/github.md's "What a pull request looks like", generated rather than written by hand.

`mergegate run --github` runs on a copy of examples/ made a git repository (fixed identity and
dates, so the commit id is stable), on a `pull_request` event, against the GitHub stand-in of the
tests; what the stand-in received (the check run's name, conclusion, title, summary and
annotations) and the step outputs are written between `<!-- pr-example:start -->` and
`<!-- pr-example:end -->`, as GitHub shows them.

    python scripts/pr_example.py           # rewrite the block in docs/github.md
    python scripts/pr_example.py --check   # exit 1 when the block is out of date

Needs the test extras (the stand-in validates requests with jsonschema); no network.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs" / "github.md"
BLOCK = re.compile(r"(<!-- pr-example:start -->\n).*?(<!-- pr-example:end -->)", re.DOTALL)
SERVER = "https://github.example"
REPOSITORY = "example/shop"
TOKEN = "ghs_docsExampleToken0123456789"
IDENTITY = {
    "GIT_AUTHOR_NAME": "mergegate docs",
    "GIT_AUTHOR_EMAIL": "docs@mergegate.invalid",
    "GIT_AUTHOR_DATE": "2024-05-04T12:00:00Z",
    "GIT_COMMITTER_NAME": "mergegate docs",
    "GIT_COMMITTER_EMAIL": "docs@mergegate.invalid",
    "GIT_COMMITTER_DATE": "2024-05-04T12:00:00Z",
}

sys.path.insert(0, str(ROOT / "tests"))
from github_standin import StandIn  # noqa: E402  (a test module: the stand-in for GitHub)

from mergegate.gates.escape import markdown_cell  # noqa: E402


def git(repository: Path, *args: str) -> str:
    clean = {name: value for name, value in os.environ.items() if not name.startswith("GIT_")}
    return subprocess.run(
        ["git", "-c", "commit.gpgsign=false", *args],
        cwd=repository,
        env={**clean, **IDENTITY},
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()


def gate_examples(work: Path) -> tuple[dict[str, Any], str]:
    """(the check run the stand-in received, the step outputs)."""
    repository = work / "shop"
    shutil.copytree(
        ROOT / "examples", repository, ignore=shutil.ignore_patterns("__pycache__", "*.pyc")
    )
    git(repository, "init", "-q", "-b", "main")
    git(repository, "add", "-A")
    git(repository, "commit", "-q", "-m", "shop")
    head = git(repository, "rev-parse", "HEAD")
    event = work / "event.json"
    event.write_text(json.dumps({"pull_request": {"number": 1, "head": {"sha": head}}}))
    environment = {
        name: value for name, value in os.environ.items() if not name.startswith("GITHUB_")
    }
    with StandIn(token=TOKEN) as standin:
        environment.update(
            GITHUB_API_URL=standin.url,
            GITHUB_SERVER_URL=SERVER,
            GITHUB_REPOSITORY=REPOSITORY,
            GITHUB_EVENT_NAME="pull_request",
            GITHUB_EVENT_PATH=str(event),
            GITHUB_WORKSPACE=str(repository),
            GITHUB_OUTPUT=str(work / "output"),
            GITHUB_TOKEN=TOKEN,
        )
        result = subprocess.run(
            [sys.executable, "-m", "mergegate.gates.cli", "run", "--github", "--no-cache", "."],
            cwd=repository,
            env=environment,
            capture_output=True,
            text=True,
            check=False,
        )
    if result.returncode != 1 or standin.violations or len(standin.check_runs) != 1:
        raise SystemExit(
            f"pr_example.py: expected a blocked run and one valid check run, got exit status"
            f" {result.returncode}, {standin.violations}:\n{result.stderr}"
        )
    (check_run,) = standin.check_runs.values()
    return check_run, (work / "output").read_text()


def block(check_run: dict[str, Any], outputs: str) -> str:
    output = check_run["output"]
    quoted_summary = "\n".join(f"> {line}".rstrip() for line in output["summary"].splitlines())
    rows = [
        "| file | line | level | title | message |",
        "| --- | ---: | --- | --- | --- |",
    ]
    for annotation in check_run["annotations"]:
        cells = [
            annotation["path"],
            str(annotation["start_line"]),
            annotation["annotation_level"],
            annotation["title"],
            annotation["message"],
        ]
        rows.append("| " + " | ".join(markdown_cell(cell) for cell in cells) + " |")
    return "\n".join(
        [
            f"The **check run** `{check_run['name']}` (conclusion `{check_run['conclusion']}`),"
            " in the pull request's checks, titled:",
            "",
            f"> **{markdown_cell(output['title'])}**",
            "",
            "and with this summary (the links go to each line at the pull request's head commit):",
            "",
            quoted_summary,
            "",
            f"Its {len(check_run['annotations'])} **annotations**, shown on the lines of the"
            " *Files changed* tab (P0 `failure`, P1 `warning`, P2 and P3 `notice`):",
            "",
            *rows,
            "",
            "The **step outputs**, for the steps after it (`steps.<id>.outputs.<name>`):",
            "",
            "```text",
            outputs.rstrip("\n"),
            "```",
            "",
        ]
    )


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="exit 1 if docs/github.md is stale")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as work:
        generated = block(*gate_examples(Path(work)))
    current = DOCS.read_text(encoding="utf-8")
    if not BLOCK.search(current):
        raise SystemExit("pr_example.py: docs/github.md has no pr-example block")
    wanted = BLOCK.sub(lambda match: f"{match[1]}{generated}{match[2]}", current)
    if wanted == current:
        return 0
    if args.check:
        print("docs/github.md is out of date: python scripts/pr_example.py", file=sys.stderr)
        return 1
    DOCS.write_text(wanted, encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
