"""`# noqa` comments, with flake8's semantics.

`# noqa` alone suppresses every finding on its line; `# noqa: CODE[,CODE ...]` suppresses the
findings whose code starts with one of the listed codes (flake8's prefix match), and our rule ids
are accepted as well (`# noqa: bare-except`). Exactly as flake8 7: the comment is looked for in
the finding's first line; `# noqa` is written with one space after `#` (any case), codes are
compared case-sensitively, and a malformed code list counts as a blanket `# noqa`.
"""

from __future__ import annotations

from .finding import Finding

TYPE_CHECKING = False
if TYPE_CHECKING:  # typing costs start-up time; mypy reads this block, the interpreter skips it
    import re

_CODE = r"(?:[A-Z]+[0-9]+|[a-z][a-z0-9]*(?:-[a-z0-9]+)+)"
_pattern: re.Pattern[str] | None = None

BLANKET: frozenset[str] = frozenset()
"""What `directives` returns for a bare `# noqa`: every code is suppressed."""


def directive(line: str) -> frozenset[str] | None:
    """The codes a line's `# noqa` names, BLANKET for all, None without one."""
    if "noqa" not in line.lower():  # the common case, without loading `re`
        return None
    global _pattern
    if _pattern is None:
        import re

        _pattern = re.compile(
            rf"# noqa(?::[\s]?(?P<codes>(?:{_CODE}(?:[,\s]+)?)+))?", re.IGNORECASE
        )
    match = _pattern.search(line)
    if match is None:
        return None
    codes = match.group("codes")
    if not codes:
        return BLANKET
    return frozenset(codes.replace(",", " ").split())


def suppresses(codes: frozenset[str] | None, finding: Finding) -> bool:
    """Whether a line's `# noqa` codes (from `directive`) cover `finding`."""
    if codes is None:
        return False
    if not codes:
        return True
    return finding.rule in codes or finding.code.startswith(tuple(codes))
