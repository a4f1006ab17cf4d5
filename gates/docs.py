"""A rule's documentation from the registry, as Markdown (docs/rules.md, SARIF help) and plain text
(`mergegate rules RULE`, SARIF help text): one list of sections, two renderings, so they agree."""

from __future__ import annotations

import json

from mergegate.hooks.registry import Rule


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
        f"- `{code.code}` (default tier {code.tier}): {code.summary}" for code in rule.codes
    )
    sections.append(("Codes", codes, False))
    if rule.differences:
        sections.append(("Compared with other linters", rule.differences, False))
    return sections


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
