"""Keep what is written from the registry generated, so it cannot drift: the README's reference
sections and pre-commit snippets, and the pre-commit manifest `.pre-commit-hooks.yaml`.

`python -m mergegate.gates.readme README.md` rewrites every `<!-- NAME:start -->` ..
`<!-- NAME:end -->` block of the README and the manifest next to it; `--check` only reports
(exit 1) when one is out of date.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
from collections.abc import Sequence

from mergegate.gates.adapters import ADAPTERS, load
from mergegate.hooks.config import KEYS
from mergegate.gates.docs import rule_markdown
from mergegate.hooks.registry import HOOK_IDS, PARSE_ERROR, RULES


def hook_table() -> str:
    rows = ["| hook id | code | default tier | what it finds |", "| --- | --- | --- | --- |"]
    for rule_id in HOOK_IDS:
        rule = RULES[rule_id]
        for code in rule.codes:
            rows.append(
                f"| [`{rule.id}`](#{rule.id}) | {code.code} | {code.tier} | {code.summary} |"
            )
    parse_error = PARSE_ERROR
    rows.append(
        f"| `{parse_error.id}` (any hook) | {parse_error.code} | {parse_error.tier} "
        f"| {parse_error.codes[0].summary} |"
    )
    return "\n".join(rows)


def rules_section() -> str:
    return "\n\n".join(f"### {rule.id}\n\n{rule_markdown(rule)}" for rule in RULES.values())


def config_section() -> str:
    lines = ["| key | meaning |", "| --- | --- |"]
    lines += [f"| `{key}` | {help} |" for key, help in KEYS.items()]
    lines += ["", "Rule options (`[tool.mergegate.rules.<rule-id>]`):", ""]
    lines += ["| rule | option | type | default | meaning |", "| --- | --- | --- | --- | --- |"]
    for rule in RULES.values():
        for option in rule.options:
            lines.append(
                f"| `{rule.id}` | `{option.name}` | {option.kind} | `{option.default!r}` "
                f"| {option.help} |"
            )
    return "\n".join(lines)


REPOSITORY_URL = "https://github.com/mergegate/mergegate"
RELEASE = "v0.1.0"
"""The pre-commit `rev` the README shows: the latest release tag (CHANGELOG.md lists them)."""
GATE_HOOK_ID = "mergegate"
PYTHON_TYPES = "[python, pyi]"
"""What pre-commit passes to hooks that check Python files: `.py` files, scripts with a Python
shebang, and stubs, as `mergegate run` checks them."""


def manifest() -> str:
    """`.pre-commit-hooks.yaml`: the gate as one hook, then one hook per rule."""
    lines = [
        "# mergegate's hooks for pre-commit, generated from hooks/registry.py by",
        "# `python -m mergegate.gates.readme README.md`: edit the registry, not this file.",
        f"- id: {GATE_HOOK_ID}",
        "  name: mergegate",
        "  description: The whole gate on the files of the commit, as `mergegate run` judges them.",
        "  entry: mergegate hook",
        "  language: python",
        f"  types_or: {PYTHON_TYPES}",
        "  always_run: true",
        "  require_serial: true",
    ]
    for rule_id in HOOK_IDS:
        rule = RULES[rule_id]
        codes = ", ".join(code.code for code in rule.codes)
        lines += [
            f"- id: {rule.id}",
            f"  name: mergegate {rule.id}",
            f"  description: {json.dumps(rule.summary.rstrip('.') + f' ({codes}).')}",
            f"  entry: mergegate-{rule.id}",
            "  language: python",
        ]
        if rule.scope == "python":
            lines.append(f"  types_or: {PYTHON_TYPES}")
        else:
            lines += ["  pass_filenames: false", "  always_run: true"]
    return "\n".join(lines) + "\n"


def _snippet(hooks: list[str]) -> str:
    listed = "\n".join(f"      - id: {hook}" for hook in hooks)
    return (
        "```yaml\nrepos:\n"
        f"  - repo: {REPOSITORY_URL}\n    rev: {RELEASE}\n    hooks:\n{listed}\n```"
    )


def gate_hook_snippet() -> str:
    return _snippet([GATE_HOOK_ID])


def single_hooks_snippet() -> str:
    return _snippet(list(HOOK_IDS))


def adapters_section() -> str:
    lines = ["| tool | codes | default tier |", "| --- | --- | --- |"]
    for name in ADAPTERS:
        for codes, tier in load(name).TIER_TABLE:
            lines.append(f"| {name} | {codes} | {tier} |")
    return "\n".join(lines)


SECTIONS = {
    "gate-hook": gate_hook_snippet,
    "single-hooks": single_hooks_snippet,
    "hook-table": hook_table,
    "rules": rules_section,
    "config": config_section,
    "adapters": adapters_section,
}


def regenerate(text: str) -> str:
    for name, build in SECTIONS.items():
        pattern = re.compile(rf"(<!-- {name}:start -->\n).*?(<!-- {name}:end -->)", re.DOTALL)
        if not pattern.search(text):
            raise ValueError(f"README has no <!-- {name}:start --> ... <!-- {name}:end --> block")
        text = pattern.sub(lambda match: f"{match.group(1)}{build()}\n{match.group(2)}", text)
    return text


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("readme", nargs="?", default="README.md")
    parser.add_argument("--check", action="store_true", help="exit 1 if a file is stale")
    args = parser.parse_args(argv)
    with open(args.readme, encoding="utf-8") as handle:
        current = handle.read()
    targets = {
        args.readme: regenerate(current),
        os.path.join(os.path.dirname(args.readme) or ".", ".pre-commit-hooks.yaml"): manifest(),
    }
    stale = []
    for path, wanted in targets.items():
        try:
            with open(path, encoding="utf-8") as handle:
                up_to_date = handle.read() == wanted
        except FileNotFoundError:
            up_to_date = False
        if up_to_date:
            continue
        stale.append(path)
        if not args.check:
            with open(path, "w", encoding="utf-8") as handle:
                handle.write(wanted)
    if stale and args.check:
        sys.stderr.write(f"{', '.join(stale)} out of date: python -m mergegate.gates.readme\n")
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
