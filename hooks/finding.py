"""The one finding record every check, adapter and report shares.

A plain slotted class rather than a dataclass: `dataclasses` pulls in `inspect`, which alone costs
more than a hook's whole start-up budget.
"""

from __future__ import annotations

TOOL = "mergegate"


class InputError(Exception):
    """An input that cannot be read at all (missing, unreadable, a folder): exit 2."""


class Finding:
    """One problem at one place. Lines and columns are 1-based; columns count characters.

    The tier is not part of the record: the gate assigns it from the rule registry and the
    configuration, so the same finding can weigh differently in different repositories.
    """

    __slots__ = (
        "rule",
        "code",
        "path",
        "line",
        "column",
        "end_line",
        "end_column",
        "message",
        "tool",
    )

    def __init__(
        self,
        rule: str,
        code: str,
        path: str,
        line: int,
        column: int,
        end_line: int,
        end_column: int,
        message: str,
        tool: str = TOOL,
    ) -> None:
        self.rule = rule
        self.code = code
        self.path = path
        self.line = line
        self.column = column
        self.end_line = end_line
        self.end_column = end_column
        self.message = message
        self.tool = tool

    def astuple(self) -> tuple[str, str, str, int, int, int, int, str, str]:
        return (
            self.rule,
            self.code,
            self.path,
            self.line,
            self.column,
            self.end_line,
            self.end_column,
            self.message,
            self.tool,
        )

    def sort_key(self) -> tuple[str, int, int, str, str]:
        return (self.path, self.line, self.column, self.code, self.message)

    def with_path(self, path: str) -> Finding:
        """The same finding reported under another spelling of its path."""
        fields = list(self.astuple())
        fields[2] = path
        return Finding(*fields)  # type: ignore[arg-type]

    def as_dict(self) -> dict[str, object]:
        return {
            "rule": self.rule,
            "code": self.code,
            "path": self.path,
            "line": self.line,
            "column": self.column,
            "end_line": self.end_line,
            "end_column": self.end_column,
            "message": self.message,
            "tool": self.tool,
        }

    @classmethod
    def from_dict(cls, data: dict[str, object]) -> Finding:
        return cls(
            str(data["rule"]),
            str(data["code"]),
            str(data["path"]),
            int(data["line"]),  # type: ignore[call-overload]
            int(data["column"]),  # type: ignore[call-overload]
            int(data["end_line"]),  # type: ignore[call-overload]
            int(data["end_column"]),  # type: ignore[call-overload]
            str(data["message"]),
            str(data.get("tool", TOOL)),
        )

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Finding):
            return NotImplemented
        return self.astuple() == other.astuple()

    def __hash__(self) -> int:
        return hash(self.astuple())

    def __repr__(self) -> str:
        return (
            f"Finding({self.code} {self.rule} at {self.path}:{self.line}:{self.column}"
            f"-{self.end_line}:{self.end_column}: {self.message!r}, tool={self.tool!r})"
        )

    def format(self) -> str:
        """The `path:line:col: CODE message` line of pre-commit hooks and flake8, escaped for a
        terminal or CI log (a file name is untrusted text)."""
        from .terminal import terminal_line, terminal_text

        return (
            f"{terminal_line(self.path)}:{self.line}:{self.column}: "
            f"{terminal_text(self.code)} {terminal_text(self.message)}"
        )
