"""Keep what is written from the registry generated, so it cannot drift: the documentation's
reference sections and pre-commit snippets, and the pre-commit manifest `.pre-commit-hooks.yaml`.

`python -m mergegate.gates.readme README.md` rewrites every `<!-- NAME:start -->` ..
`<!-- NAME:end -->` block of the README and of the other DOCUMENTS next to it (a block lives in
whichever of them holds it, each block in at least one), and the manifest; `--check` only reports
(exit 1) when one is out of date. A block that no document holds is an error (exit 2).
"""

from __future__ import annotations

import argparse
import json
import os
import posixpath
import re
import sys
from collections.abc import Callable, Sequence

from mergegate.gates.adapters import ADAPTERS, load
from mergegate.hooks.config import KEYS
from mergegate.gates.docs import rule_markdown
from mergegate.hooks.registry import HOOK_IDS, PARSE_ERROR, RULES

README = "README.md"
RULES_DOCUMENT = "docs/rules.md"
DOCUMENTS = (README, RULES_DOCUMENT, "docs/gate.md")
"""The Markdown files that hold generated blocks, relative to the repository root (the README's
folder), `/`-separated."""


def rule_link(rule_id: str, document: str) -> str:
    """A link from `document` to the rule's section of the rule reference."""
    if document == RULES_DOCUMENT:
        return f"#{rule_id}"
    folder = posixpath.dirname(document) or "."
    return f"{posixpath.relpath(RULES_DOCUMENT, folder)}#{rule_id}"


def hook_table(document: str) -> str:
    rows = ["| hook id | code | default tier | what it finds |", "| --- | --- | --- | --- |"]
    for rule_id in HOOK_IDS:
        rule = RULES[rule_id]
        link = rule_link(rule.id, document)
        for code in rule.codes:
            rows.append(f"| [`{rule.id}`]({link}) | {code.code} | {code.tier} | {code.summary} |")
    parse_error = PARSE_ERROR
    rows.append(
        f"| [`{parse_error.id}`]({rule_link(parse_error.id, document)}) (any hook) "
        f"| {parse_error.code} | {parse_error.tier} | {parse_error.codes[0].summary} |"
    )
    return "\n".join(rows)


def rules_section(document: str) -> str:
    return "\n\n".join(f"### {rule.id}\n\n{rule_markdown(rule)}" for rule in RULES.values())


def config_section(document: str) -> str:
    lines = ["| key | meaning |", "| --- | --- |"]
    lines += [f"| `{key}` | {help} |" for key, help in KEYS.items()]
    return "\n".join(lines)


def rule_options_section(document: str) -> str:
    lines = ["| rule | option | type | default | meaning |", "| --- | --- | --- | --- | --- |"]
    for rule in RULES.values():
        for option in rule.options:
            lines.append(
                f"| [`{rule.id}`]({rule_link(rule.id, document)}) | `{option.name}` "
                f"| {option.kind} | `{option.default!r}` "
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


def gate_hook_snippet(document: str) -> str:
    return _snippet([GATE_HOOK_ID])


def single_hooks_snippet(document: str) -> str:
    return _snippet(list(HOOK_IDS))


def adapters_section(document: str) -> str:
    lines = ["| tool | codes | default tier |", "| --- | --- | --- |"]
    for name in ADAPTERS:
        for codes, tier in load(name).TIER_TABLE:
            lines.append(f"| {name} | {codes} | {tier} |")
    return "\n".join(lines)


SECTIONS: dict[str, Callable[[str], str]] = {
    "gate-hook": gate_hook_snippet,
    "single-hooks": single_hooks_snippet,
    "hook-table": hook_table,
    "rules": rules_section,
    "config": config_section,
    "rule-options": rule_options_section,
    "adapters": adapters_section,
}
"""Each block's builder, given the path of the document it is written into (for links)."""


def _block(name: str) -> re.Pattern[str]:
    return re.compile(rf"(<!-- {name}:start -->\n).*?(<!-- {name}:end -->)", re.DOTALL)


def blocks_in(text: str) -> list[str]:
    """The names of the generated blocks `text` holds."""
    return [name for name in SECTIONS if _block(name).search(text)]


def regenerate(text: str, document: str = README) -> str:
    """`text` (the document at `document`) with every generated block it holds rebuilt."""
    for name in blocks_in(text):
        built = SECTIONS[name](document)
        text = _block(name).sub(lambda match: f"{match.group(1)}{built}\n{match.group(2)}", text)
    return text


def unplaced(texts: Sequence[str]) -> list[str]:
    """The blocks that none of the documents' `texts` holds."""
    held = {name for text in texts for name in blocks_in(text)}
    return [name for name in SECTIONS if name not in held]


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("readme", nargs="?", default=README)
    parser.add_argument("--check", action="store_true", help="exit 1 if a file is stale")
    args = parser.parse_args(argv)
    root = os.path.dirname(args.readme) or "."
    targets: dict[str, str] = {}
    current: dict[str, str] = {}
    for document in DOCUMENTS:
        path = args.readme if document == README else os.path.join(root, *document.split("/"))
        try:
            with open(path, encoding="utf-8") as handle:
                current[path] = handle.read()
        except FileNotFoundError:
            continue
        targets[path] = regenerate(current[path], document)
    missing = unplaced(list(current.values()))
    if missing:
        names = ", ".join(f"<!-- {name}:start --> ... <!-- {name}:end -->" for name in missing)
        sys.stderr.write(f"no document ({', '.join(DOCUMENTS)}) holds the block {names}\n")
        return 2
    manifest_path = os.path.join(root, ".pre-commit-hooks.yaml")
    try:
        with open(manifest_path, encoding="utf-8") as handle:
            current[manifest_path] = handle.read()
    except FileNotFoundError:
        pass
    targets[manifest_path] = manifest()
    stale = [path for path, wanted in targets.items() if current.get(path) != wanted]
    if stale and args.check:
        sys.stderr.write(f"{', '.join(stale)} out of date: python -m mergegate.gates.readme\n")
        return 1
    for path in stale:
        with open(path, "w", encoding="utf-8") as handle:
            handle.write(targets[path])
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
