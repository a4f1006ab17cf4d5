"""Which selector speaks for a finding: one rule of specificity for select/ignore, severity
overrides and the adapters' tier tables, as flake8's decision engine has one.

A selector matches a finding by its exact code (most specific), by the rule id (any case), or as a
prefix of the code, a longer prefix being more specific than a shorter one.
"""

from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:  # typing costs start-up time; mypy reads this block, the interpreter skips it
    from collections.abc import Iterable

EXACT_CODE = 10_000
RULE_ID = 5_000
"""Specificities of an exact code and of a rule id; a prefix scores 1 + its length, always less."""


def specificity(selector: str, rule: str, code: str) -> int:
    """How specifically `selector` names a finding of `rule` with `code`; 0 when it does not."""
    if selector == code:
        return EXACT_CODE
    if selector.lower() == rule.lower():
        return RULE_ID
    if code.startswith(selector):
        return 1 + len(selector)
    return 0


def best(selectors: Iterable[str], rule: str, code: str) -> tuple[int, str | None]:
    """The most specific of `selectors` for the finding (the first of equals), and its score."""
    winner: str | None = None
    top = 0
    for selector in selectors:
        score = specificity(selector, rule, code)
        if score > top:
            winner, top = selector, score
    return top, winner


def most_specific(selectors: Iterable[str], rule: str, code: str) -> str | None:
    """The selector that speaks for the finding (as `best`), or None when none matches."""
    return best(selectors, rule, code)[1]


def selected(
    select: list[str] | None,
    ignore: list[str],
    rule: str,
    code: str,
    opt_in: bool = False,
) -> bool:
    """Whether `select`/`ignore` report a finding: the more specific of the two lists wins, a tie
    goes to ignore, as in flake8; no `select` selects everything, least specifically, but an
    `opt_in` rule (one that runs only when asked for)."""
    if select is None:
        chosen = 0 if opt_in else 1
    else:
        chosen = best(select, rule, code)[0]
    return chosen > 0 and chosen > best(ignore, rule, code)[0]
