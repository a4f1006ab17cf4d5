"""Coverage thresholds in command text: pytest-cov's `--cov-fail-under` and coverage's
`--fail-under`, as a shell, tox, nox or a Makefile runs them, and where their values are written.
"""

from __future__ import annotations

PYTEST_COV = "--cov-fail-under"
COVERAGE_OPTION = "--fail-under"

_OPTION = (
    r"(?<![\w-])(--cov-fail-under|--fail-under)(?:=|(?:[ \t]|\\\n)+)[\"']?"
    r"(\$\{\{[^}]*\}\}|\$\([^)]*\)|\$\{[^}]*\}|\{[^}]*\}|[^\s\"';&|,)\]}]+)"
)
"""A threshold option and its value: a word, or a `${{ }}`, `$( )`, `${ }` or `{ }` reference."""
_COVERAGE_WORD = r"(?<![\w.-])coverage3?(?:\.exe)?(?![\w./-])"
"""The coverage command (`coverage`, `python -m coverage`, `.venv/bin/coverage`), not a file."""
_SEPARATORS = "= \t\n\"',\\"
"""What may stand between an option and its value in raw text (quotes and commas of lists)."""


def _without_comments(text: str) -> str:
    """`#` comments (a `#` that starts a word, to the end of the line) blanked, indices kept."""
    if "#" not in text:
        return text
    import re

    return re.sub(r"(?:^|(?<=\s))#[^\n]*", lambda match: " " * len(match.group()), text, flags=re.M)


def _command_start(text: str, index: int) -> int:
    """Where the shell command holding `index` starts: after `;`, `&`, `|` or a line end."""
    start = max(text.rfind(separator, 0, index) + 1 for separator in ";&|")
    newline = text.rfind("\n", 0, index)
    while newline > 0 and text[newline - 1] == "\\":  # a continued line is the same command
        newline = text.rfind("\n", 0, newline - 1)
    return max(start, newline + 1)


def thresholds(text: str) -> list[tuple[str, str, int]]:
    """(option, value as written, index of the value) of each threshold option in command text.

    `--fail-under` counts only in a coverage command (`coverage report`, `python -m coverage
    xml`, ...): other tools, such as diff-cover, have an option of the same name.
    """
    if "fail-under" not in text:
        return []
    import re

    text = _without_comments(text)
    found = []
    for match in re.finditer(_OPTION, text):
        option = match.group(1)
        if option == COVERAGE_OPTION:
            command = text[_command_start(text, match.start()) : match.start()]
            if not re.search(_COVERAGE_WORD, command):
                continue
        found.append((option, match.group(2), match.start(2)))
    return found


def locate(text: str, start: int, end: int, option: str, value: str) -> int:
    """Where `value`, parsed from text[start:end], is written: after `option`, else anywhere."""
    first = -1
    found = text.find(option, start, end)
    while found >= 0:
        after = found + len(option)
        while after < end and text[after] in _SEPARATORS:
            after += 1
        if text.startswith(value, after):
            return after
        if first < 0:
            first = after
        found = text.find(option, found + 1, end)
    if first >= 0:
        return first
    direct = text.find(value, start, end)
    return direct if direct >= 0 else start
