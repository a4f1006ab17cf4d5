"""A rule's documentation from the registry, as Markdown (docs/rules.md, SARIF help) and plain text
(`mergegate rules RULE`, SARIF help text): one list of sections, two renderings, so they agree."""

from __future__ import annotations

import json

from mergegate.hooks.registry import CODES, Code, Rule

REPOSITORY_URL = "https://github.com/mergegate/mergegate"
RULES_DOCUMENT = "docs/rules.md"
"""Where the rule reference lives in the repository (generated from the registry)."""


def rule_url(rule: Rule) -> str:
    """The rule's section of the rule reference, for SARIF's `helpUri` and annotations."""
    return f"{REPOSITORY_URL}/blob/main/{RULES_DOCUMENT}#{rule.id}"


def hint(code: str) -> str | None:
    """Where to read how to fix a finding of one of our codes (None for an adapter's code): the
    command and the rule's page."""
    if code not in CODES:
        return None
    rule = CODES[code][0]
    return f"How to fix it: `mergegate rules {code}`, or {rule_url(rule)}"


def _sections(rule: Rule) -> list[tuple[str, str, bool]]:
    """(title, body, body is code) in reading order; sections with nothing to say left out."""
    sections = [
        ("What it does", rule.what, False),
        ("Why is this bad?", rule.why, False),
        ("Example", rule.example, True),
        ("Use instead", rule.use_instead, True),
    ]
    if rule.options:
        options = "\n".join(
            f"- `{option.name}` ({option.kind}, default `{json.dumps(option.default)}`): "
            f"{option.help}"
            for option in rule.options
        )
        where = f"Configured in `[tool.mergegate.rules.{rule.id}]`."
        sections.append(("Options", f"{options}\n\n{where}", False))
    codes = "\n".join(
        f"- `{code.code}` ({_code_notes(rule, code)}): {code.summary}" for code in rule.codes
    )
    sections.append(("Codes", codes, False))
    if rule.differences:
        sections.append(("Compared with other linters", rule.differences, False))
    return sections


def _code_notes(rule: Rule, code: Code) -> str:
    """A code's default tier, whether it is opt-in, and the peer codes whose `# noqa` silences it."""
    notes = [f"default tier {code.tier}"]
    if rule.opt_in:
        notes.append("opt-in")
    if code.peers:
        peers = " or ".join(f"`# noqa: {peer}`" for peer in code.peers)
        notes.append(f"{peers} silences it too")
    return "; ".join(notes)


def _fence(code: str) -> str:
    """A backtick fence longer than any backtick run in `code`, so the block cannot end early."""
    longest = run = 0
    for char in code:
        run = run + 1 if char == "`" else 0
        longest = max(longest, run)
    return "`" * max(3, longest + 1)


def rule_markdown(rule: Rule) -> str:
    """The rule's documentation as Markdown, headed by its summary; sections are `####` headings
    so it nests under docs/rules.md's `### rule-id` and renders the same in a SARIF help pane."""
    language = "" if rule.scope == "repo" else "python"  # repo rules' examples are config files
    parts = [rule.summary]
    for title, body, is_code in _sections(rule):
        if is_code:
            fence = _fence(body)
            body = f"{fence}{language}\n{body}\n{fence}"
        parts.append(f"#### {title}\n\n{body}")
    return "\n\n".join(parts) + "\n"


def rule_text(rule: Rule) -> str:
    """The rule's documentation as plain text for a terminal: code indented, no markup added."""
    codes = ", ".join(f"{code.code} {code.tier}" for code in rule.codes)
    parts = [f"{rule.id} ({codes}): {rule.summary}"]
    for title, body, is_code in _sections(rule):
        if is_code:
            body = "\n".join(f"    {line}" for line in body.splitlines())
        parts.append(f"{title}\n{body}")
    return "\n\n".join(parts) + "\n"
