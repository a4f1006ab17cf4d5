"""The one finding record every check, adapter and report shares.

A plain slotted class rather than a dataclass: `dataclasses` pulls in `inspect`, which alone costs
more than a hook's whole start-up budget.
"""

from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:  # typing costs start-up time; mypy reads this block, the interpreter skips it
    from collections.abc import Callable

TOOL = "mergegate"

SAFE, UNSAFE = "safe", "unsafe"
"""A fix's safety, as ruff classes them: a safe fix keeps what the code does and `--fix` applies
it; an unsafe one may change behaviour (or drop a side effect) and needs `--unsafe-fixes`."""
SAFETIES = (SAFE, UNSAFE)


class InputError(Exception):
    """An input that cannot be read at all (missing, unreadable, a folder): exit 2."""


class Edit:
    """Replace the text from (line, column) up to, not including, (end line, end column) with
    `content`; positions as a Finding's (1-based, columns in characters). An insertion starts and
    ends at one place; a deletion has no content. A line break is part of the line it ends, so
    removing whole lines ends at column 1 of the line after them."""

    __slots__ = ("line", "column", "end_line", "end_column", "content")

    def __init__(
        self, line: int, column: int, end_line: int, end_column: int, content: str
    ) -> None:
        self.line = line
        self.column = column
        self.end_line = end_line
        self.end_column = end_column
        self.content = content

    def astuple(self) -> tuple[int, int, int, int, str]:
        return (self.line, self.column, self.end_line, self.end_column, self.content)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Edit):
            return NotImplemented
        return self.astuple() == other.astuple()

    def __hash__(self) -> int:
        return hash(self.astuple())

    def __repr__(self) -> str:
        return (
            f"Edit({self.line}:{self.column}-{self.end_line}:{self.end_column} -> {self.content!r})"
        )

    def as_dict(self) -> dict[str, object]:
        return {
            "line": self.line,
            "column": self.column,
            "end_line": self.end_line,
            "end_column": self.end_column,
            "content": self.content,
        }

    @classmethod
    def from_dict(cls, data: object) -> Edit:
        """ValueError unless `data` is what `as_dict` writes, positions in order."""
        if not isinstance(data, dict) or set(data) != set(cls.__slots__):
            raise ValueError("an edit needs line, column, end_line, end_column and content")
        line, column, end_line, end_column, content = (data[name] for name in cls.__slots__)
        positions = (line, column, end_line, end_column)
        if not all(type(value) is int and value >= 1 for value in positions):
            raise ValueError("an edit's positions are integers from 1")
        if (end_line, end_column) < (line, column):
            raise ValueError("an edit ends before it starts")
        if type(content) is not str:
            raise ValueError("an edit's content is a string")
        return cls(line, column, end_line, end_column, content)


class Fix:
    """What resolves a finding: edits of one file, applied together or not at all.

    `path` is None for the finding's own file, else another file, spelled as the finding's path is
    (relative to the same place). `title` says what the fix does, for reports and review
    comments. Two fixes with the same `isolation` key are never applied in one pass: removing two
    statements of one block could leave it empty, so each statement removal is keyed by its
    block, and the second is made (or made differently) in the next pass.
    """

    __slots__ = ("edits", "safety", "title", "path", "isolation")

    def __init__(
        self,
        edits: tuple[Edit, ...],
        safety: str,
        title: str,
        path: str | None = None,
        isolation: str | None = None,
    ) -> None:
        if safety not in SAFETIES:
            raise ValueError(f"a fix is safe or unsafe, not {safety!r}")
        self.edits = tuple(sorted(edits, key=Edit.astuple))
        self.safety = safety
        self.title = title
        self.path = path
        self.isolation = isolation

    def astuple(self) -> tuple[object, ...]:
        return (self.edits, self.safety, self.title, self.path, self.isolation)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Fix):
            return NotImplemented
        return self.astuple() == other.astuple()

    def __hash__(self) -> int:
        return hash(self.astuple())

    def __repr__(self) -> str:
        where = "" if self.path is None else f" in {self.path!r}"
        return f"Fix({self.safety}{where}: {self.title!r}, {list(self.edits)!r})"

    def relocated(self, convert: Callable[[str], str]) -> Fix:
        """The same fix with its other file's path spelled by `convert`."""
        if self.path is None:
            return self
        return Fix(self.edits, self.safety, self.title, convert(self.path), self.isolation)

    def as_dict(self, own_path: str) -> dict[str, object]:
        """The fix as JSON: `path` always written (the finding's own, `own_path`, when None)."""
        data: dict[str, object] = {
            "safety": self.safety,
            "title": self.title,
            "path": own_path if self.path is None else self.path,
            "edits": [edit.as_dict() for edit in self.edits],
        }
        if self.isolation is not None:
            data["isolation"] = self.isolation
        return data

    @classmethod
    def from_dict(cls, data: object, own_path: str) -> Fix:
        """ValueError unless `data` is what `as_dict` writes (a stored record can be anything)."""
        if not isinstance(data, dict) or not {"safety", "title", "path", "edits"} <= set(data):
            raise ValueError("a fix needs safety, title, path and edits")
        if not set(data) <= {"safety", "title", "path", "edits", "isolation"}:
            raise ValueError("a fix has only safety, title, path, edits and isolation")
        edits, path, isolation = data["edits"], data["path"], data.get("isolation")
        if not isinstance(edits, list) or not edits:
            raise ValueError("a fix's edits are a non-empty list")
        if (
            type(data["title"]) is not str
            or type(path) is not str
            or data["safety"] not in SAFETIES
        ):
            raise ValueError("a fix's title and path are strings, its safety safe or unsafe")
        if isolation is not None and type(isolation) is not str:
            raise ValueError("a fix's isolation is a string")
        return cls(
            tuple(Edit.from_dict(edit) for edit in edits),
            str(data["safety"]),
            data["title"],
            None if path == own_path else path,
            isolation,
        )


class Finding:
    """One problem at one place. Lines and columns are 1-based; columns count characters.

    The tier is not part of the record: the gate assigns it from the rule registry and the
    configuration, so the same finding can weigh differently in different repositories. A finding
    may carry a `fix`; it is not part of the finding's identity (`astuple`, the hash), which stays
    where it is and what it says.
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
        "fix",
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
        *,
        fix: Fix | None = None,
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
        self.fix = fix

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
        """The same finding reported under another spelling of its path (a fix in its own file
        follows it; one in another file keeps its path: see `relocated`)."""
        fields = list(self.astuple())
        fields[2] = path
        return Finding(*fields, fix=self.fix)  # type: ignore[arg-type]

    def relocated(self, convert: Callable[[str], str]) -> Finding:
        """The same finding with every path it holds (its own, its fix's other file) spelled by
        `convert`: paths relative to one place made relative to another."""
        moved = self.with_path(convert(self.path))
        if self.fix is not None:
            moved.fix = self.fix.relocated(convert)
        return moved

    def with_fix(self, fix: Fix | None) -> Finding:
        """The same finding carrying `fix`."""
        return Finding(*self.astuple(), fix=fix)

    def as_dict(self) -> dict[str, object]:
        """The finding as JSON; `fix` is None or the fix's `as_dict`."""
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
            "fix": None if self.fix is None else self.fix.as_dict(self.path),
        }

    @classmethod
    def from_dict(cls, data: dict[str, object]) -> Finding:
        """The finding `as_dict` wrote; a record without `fix` has none. ValueError for a
        malformed fix."""
        path = str(data["path"])
        fix = data.get("fix")
        return cls(
            str(data["rule"]),
            str(data["code"]),
            path,
            int(data["line"]),  # type: ignore[call-overload]
            int(data["column"]),  # type: ignore[call-overload]
            int(data["end_line"]),  # type: ignore[call-overload]
            int(data["end_column"]),  # type: ignore[call-overload]
            str(data["message"]),
            str(data.get("tool", TOOL)),
            fix=None if fix is None else Fix.from_dict(fix, path),
        )

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Finding):
            return NotImplemented
        return self.astuple() == other.astuple() and self.fix == other.fix

    def __hash__(self) -> int:
        return hash(self.astuple())

    def __repr__(self) -> str:
        return (
            f"Finding({self.code} {self.rule} at {self.path}:{self.line}:{self.column}"
            f"-{self.end_line}:{self.end_column}: {self.message!r}, tool={self.tool!r}"
            + ("" if self.fix is None else f", fix={self.fix!r}")
            + ")"
        )

    def format(self) -> str:
        """The `path:line:col: CODE message` line of pre-commit hooks and flake8, escaped for a
        terminal or CI log (a file name is untrusted text)."""
        from .terminal import terminal_line, terminal_text

        return (
            f"{terminal_line(self.path)}:{self.line}:{self.column}: "
            f"{terminal_text(self.code)} {terminal_text(self.message)}"
        )
