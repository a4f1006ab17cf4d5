"""Keep the README's reference sections generated from the code, so they cannot drift.

`python -m mergegate.gates.readme README.md` rewrites every `<!-- NAME:start -->` ..
`<!-- NAME:end -->` block; `--check` only reports (exit 1) when a block is out of date.
"""

from __future__ import annotations

import argparse
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


def adapters_section() -> str:
    lines = ["| tool | codes | default tier |", "| --- | --- | --- |"]
    for name in ADAPTERS:
        for codes, tier in load(name).TIER_TABLE:
            lines.append(f"| {name} | {codes} | {tier} |")
    return "\n".join(lines)


SECTIONS = {
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
    parser.add_argument("--check", action="store_true", help="exit 1 if the README is stale")
    args = parser.parse_args(argv)
    with open(args.readme, encoding="utf-8") as handle:
        current = handle.read()
    wanted = regenerate(current)
    if wanted == current:
        return 0
    if args.check:
        sys.stderr.write(f"{args.readme} is out of date: python -m mergegate.gates.readme\n")
        return 1
    with open(args.readme, "w", encoding="utf-8") as handle:
        handle.write(wanted)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
