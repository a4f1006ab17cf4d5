"""Untrusted text (file names, messages, tools' output) for terminals and CI logs.

In the hooks, not the gate, because the hooks print findings too. A line in a GitHub Actions log
is read by the runner: one that starts with `::` (after blanks) is a workflow command, and `##[`
anywhere is the older command form and the log viewer's markup. Here such text stays inert data.
"""

from __future__ import annotations

_TERMINAL = {code: f"\\x{code:02x}" for code in (*range(0x20), *range(0x7F, 0xA0))}
_TERMINAL.update({ord("\\"): "\\\\", ord("\t"): "\\t", ord("\n"): "\\n", ord("\r"): "\\r"})


def _surrogate(code: int) -> str | None:
    """Lone surrogates (undecodable bytes of a file name) as `\\udcff`; other characters kept.
    A callable table entry for `str.translate`, so that no table of 2,048 entries is built when a
    hook starts."""
    return f"\\u{code:04x}" if 0xD800 <= code < 0xE000 else None


class _Table(dict):  # type: ignore[type-arg]
    """`_TERMINAL`, with surrogates escaped on lookup."""

    def __missing__(self, code: int) -> str | None:
        value = _surrogate(code)
        if value is None:
            raise LookupError(code)
        return value


_TABLE = _Table(_TERMINAL)


def terminal_text(text: str) -> str:
    """`text` for a terminal or log line: control characters (escape sequences, line breaks) and
    undecodable bytes written as Python-style escapes, so a file name cannot move the cursor, paint
    the screen or start a new line that looks like another finding; `##[` written `#\\x23[`."""
    return text.translate(_TABLE).replace("##[", "#\\x23[")


def terminal_line(text: str) -> str:
    """`text` escaped as `terminal_text`, for the start of a line: a leading `::` (after blanks)
    is written `\\x3a:`, so no file name can start a workflow command."""
    escaped = terminal_text(text)
    stripped = escaped.lstrip()
    if stripped.startswith("::"):
        start = len(escaped) - len(stripped)
        escaped = f"{escaped[:start]}\\x3a{escaped[start + 1:]}"
    return escaped


def terminal_lines(prefix: str, text: str) -> str:
    """`prefix` and a message that may span lines (a tool's error output), each line escaped and
    ending in a line break; later lines are indented under the first."""
    first, *rest = text.splitlines() or [""]
    lines = [prefix + terminal_text(first)] + ["    " + terminal_line(line) for line in rest]
    return "".join(line + "\n" for line in lines)
