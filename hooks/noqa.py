"""Suppression comments: which findings a `# noqa` silences, decided alike by every hook and the gate.

Line level, exactly as flake8 7: `# noqa` alone silences every finding on its line; `# noqa:
CODE[,CODE ...]` silences the findings whose code starts with a listed code (flake8's prefix match),
and our rule ids are accepted as well (`# noqa: bare-except`). The comment is looked for in the
finding's first line; `# noqa` is written with one space after `#` (any case), codes compare
case-sensitively, and a malformed code list counts as a blanket `# noqa`.

Peer tools (setting `noqa-peers`, on by default), so that suppressions a team already wrote keep
working: a code's peer codes (the registry's `Code.peers`: E722, F824, PLW0602, T201, T203) silence
it like its own code, by prefix as above (`# noqa: T20` silences MG301 and MG302, as flake8 with
flake8-print does; ruff matches whole codes only). File-level directives are honoured as the tool
that reads them honours them, anywhere in the file:
- `# flake8: noqa`, as flake8 7: a line that starts, after whitespace, with `# flake8:` or
  `# flake8=` then `noqa` (any case), even inside a string; codes after it do not narrow it (flake8
  skips the whole file). On a line after code it does nothing (flake8 warns).
- `# ruff: noqa` and `# ruff: noqa: CODES` (also `# flake8: noqa: CODES`), as ruff: a comment on a
  line of its own, `#`, optional whitespace, `ruff` or `flake8` (that case), optional whitespace,
  `:`, optional whitespace, `noqa` (any case); then nothing, another `#` or whitespace without a
  `:` make it blanket, and a `:` starts codes (uppercase letters then digits, separated by commas
  or whitespace, up to the first word that is not one) that match whole codes, ours or peers. A
  malformed one (`# ruff: noqa:`, `# ruff: noqa-ish`, `# ruff: noqa: E722;F401`) does nothing.
A finding is silenced when either tool would silence its peer; beyond ruff, a ruff directive's
codes also match our own codes and peers ruff does not know (F824). Line comments are read as flake8
reads them, also where ruff reads them otherwise (`#noqa`, `# noqa: T20`, `# noqa: E722;T201`).
A `parse-error` is never silenced.

Hygiene, on every directive: `-- REASON` after it is its reason (required when the setting
`noqa-require-reason` is on), and `until=YYYY-MM-DD` its expiry: from that date (UTC) on the
finding counts again and says the suppression expired. A malformed expiry never silences.
"""

from __future__ import annotations

from .finding import TOOL, Finding
from .registry import CODES, PARSE_ERROR, RULES, UNUSED_NOQA

TYPE_CHECKING = False
if TYPE_CHECKING:  # typing costs start-up time; mypy reads this block, the interpreter skips it
    import re
    from collections.abc import Callable, Sequence
    from datetime import date

    LinesOf = Callable[[str], "Sequence[str] | None"]

_CODE = r"(?:[A-Z]+[0-9]+|[a-z][a-z0-9]*(?:-[a-z0-9]+)+)"
_patterns: dict[str, re.Pattern[str]] = {}

BLANKET: frozenset[str] = frozenset()
"""What `directive` returns for a bare `# noqa`: every code is suppressed."""

PYTHON_SUFFIXES = (".py", ".pyi")
REASON_MARK = "--"
"""What introduces a suppression's reason: `# noqa: MG101 -- legacy retry loop`."""


def _pattern(name: str) -> re.Pattern[str]:
    """A compiled pattern, compiled on first use: `re` is not loaded on a hook's start-up path."""
    if not _patterns:
        import re

        _patterns["inline"] = re.compile(
            rf"# noqa(?::[\s]?(?P<codes>(?:{_CODE}(?:[,\s]+)?)+))?", re.IGNORECASE
        )
        _patterns["flake8-file"] = re.compile(r"\s*# flake8[:=]\s*noqa", re.IGNORECASE)
        _patterns["until"] = re.compile(r"\buntil\s*[=:]\s*(?P<value>\S*)", re.IGNORECASE)
    return _patterns[name]


class Directive:
    """One suppression comment: what it names, how it matches, and its reason and expiry."""

    __slots__ = ("text", "codes", "exact", "reason", "until", "problem", "start", "end")

    def __init__(self, text: str, codes: frozenset[str], exact: bool, tail: str) -> None:
        self.text = text  # how reports name it: `# noqa: MG101`, `# ruff: noqa`
        self.codes = codes  # BLANKET: every code
        self.exact = exact  # whole codes only (ruff), else prefixes and rule ids (flake8)
        self.start = self.end = 0  # the 0-based columns of a line directive's match
        self.reason, self.until, self.problem = _hygiene(tail)

    def names(self, finding: Finding, peers: bool) -> bool:
        """Whether this directive's codes cover `finding` (its own code, or a peer's)."""
        if not self.codes:
            return True
        codes = [finding.code]
        if peers and finding.tool == TOOL and finding.code in CODES:
            codes.extend(CODES[finding.code][1].peers)
        if self.exact:
            return any(code in self.codes for code in codes)
        prefixes = tuple(self.codes)
        return finding.rule in self.codes or any(code.startswith(prefixes) for code in codes)

    def described(self) -> str:
        """The directive as a report shows it, with its expiry and reason."""
        until = f" until={self.until}" if self.until else ""
        reason = f" {REASON_MARK} {self.reason}" if self.reason else ""
        return f"{self.text}{until}{reason}"


def _hygiene(tail: str) -> tuple[str, str, str]:
    """(reason, expiry date, problem) from the text after a directive's `noqa`."""
    head, _, reason = tail.partition(REASON_MARK)
    if "until" not in head.lower():
        return reason.strip(), "", ""
    found = list(_pattern("until").finditer(head))
    if not found:  # "until" in prose, not an expiry
        return reason.strip(), "", ""
    if len(found) > 1:
        return reason.strip(), "", "it has more than one `until=`"
    if not _is_date(found[0].group("value")):
        return reason.strip(), "", f"its expiry `{found[0].group(0)}` is not a real YYYY-MM-DD date"
    return reason.strip(), found[0].group("value"), ""


def _is_date(text: str) -> bool:
    """`YYYY-MM-DD` in ASCII digits, and a real calendar date."""
    if len(text) != 10 or text[4] != "-" or text[7] != "-":
        return False
    parts = (text[:4], text[5:7], text[8:])
    if not all(part.isascii() and part.isdigit() for part in parts):
        return False
    import datetime

    try:
        datetime.date(int(parts[0]), int(parts[1]), int(parts[2]))
    except ValueError:
        return False
    return True


def inline(line: str) -> Directive | None:
    """A line's `# noqa` (flake8's reading), or None without one."""
    if "noqa" not in line.lower():  # the common case, without loading `re`
        return None
    match = _pattern("inline").search(line)
    if match is None:
        return None
    codes = match.group("codes")
    names = BLANKET if not codes else frozenset(codes.replace(",", " ").split())
    text = "# noqa" + (f": {','.join(sorted(names))}" if names else "")
    found = Directive(text, names, False, line[match.start() + len("# noqa") :])
    found.start, found.end = match.start(), match.end()
    return found


def directive(line: str) -> frozenset[str] | None:
    """The codes a line's `# noqa` names, BLANKET for all, None without one."""
    found = inline(line)
    return None if found is None else found.codes


def suppresses(codes: frozenset[str] | None, finding: Finding, peers: bool = True) -> bool:
    """Whether a line's `# noqa` codes (from `directive`) cover `finding`."""
    if codes is None:
        return False
    return Directive("", codes, False, "").names(finding, peers)


def file_directives(lines: Sequence[str]) -> list[Directive]:
    """The file-level directives of a Python file (flake8's and ruff's readings), in file order."""
    lowered = "\n".join(lines).lower()
    candidates: list[int] = []  # indexes of the lines that mention noqa and flake8 or ruff
    index = position = 0
    at = lowered.find("noqa")
    while at != -1:
        index += lowered.count("\n", position, at)
        position = at
        if (not candidates or candidates[-1] != index) and (
            "flake8" in lines[index].lower() or "ruff" in lines[index]
        ):
            candidates.append(index)
        at = lowered.find("noqa", at + 4)
    if not candidates:
        return []
    needs_comments = any("ruff" in lines[i] or "flake8" in lines[i] for i in candidates)
    comments = comment_columns(lines, candidates[-1] + 1) if needs_comments else {}
    found: list[Directive] = []
    for index in candidates:
        line = lines[index]
        if index == 0 and line.startswith("\ufeff"):
            line = line[1:]  # flake8 strips a byte-order mark
        match = _pattern("flake8-file").match(line)
        if match is not None:  # flake8 skips the whole file, whatever codes follow
            found.append(Directive("# flake8: noqa", BLANKET, False, line[match.end() :]))
        column = comments.get(index + 1)
        if column is not None and not lines[index][:column].strip(" \t\f"):  # on its own line
            lexed = _ruff_file_directive(lines[index][column:])
            if lexed is not None:
                found.append(lexed)
    return found


def comment_columns(lines: Sequence[str], last: int | None = None) -> dict[int, int]:
    """The 0-based column of the comment on each line that has one, by line number, as Python's
    tokenizer finds them (a `#` in a string is not a comment), up to line `last`; none if the
    text does not tokenize."""
    import io
    import tokenize

    columns: dict[int, int] = {}
    try:
        for token in tokenize.generate_tokens(io.StringIO("\n".join(lines)).readline):
            if last is not None and token.start[0] > last:
                break
            if token.type == tokenize.COMMENT:
                columns[token.start[0]] = token.start[1]
    except (SyntaxError, ValueError, tokenize.TokenError):
        return {}
    return columns


def _space(char: str) -> bool:
    """Unicode White_Space, as ruff's lexer tests it (Python's isspace also counts \\x1c-\\x1f)."""
    return char.isspace() and char not in "\x1c\x1d\x1e\x1f"


def _skip_space(text: str, index: int) -> int:
    while index < len(text) and _space(text[index]):
        index += 1
    return index


def _ruff_file_directive(comment: str) -> Directive | None:
    """ruff's reading of a comment as a file-level directive, or None (also when malformed)."""
    index = comment.find("#")
    while index != -1:
        after = _skip_space(comment, index + 1)
        keyword = next((k for k in ("ruff", "flake8") if comment.startswith(k, after)), None)
        if keyword is not None:
            colon = _skip_space(comment, after + len(keyword))
            if comment.startswith(":", colon):
                word = _skip_space(comment, colon + 1)
                if (
                    comment[word : word + 4].isascii()
                    and comment[word : word + 4].lower() == "noqa"
                ):
                    return _ruff_codes(comment, word + 4, keyword)
        index = comment.find("#", index + 1)
    return None


def _ruff_codes(comment: str, index: int, keyword: str) -> Directive | None:
    """What follows `noqa` in a ruff file-level directive: blanket, codes, or malformed."""
    text, tail = f"# {keyword}: noqa", comment[index:]
    if index < len(comment) and _space(comment[index]):
        index = _skip_space(comment, index)
        if not comment.startswith(":", index):
            return Directive(text, BLANKET, True, tail)
    elif index == len(comment) or comment[index] == "#":
        return Directive(text, BLANKET, True, tail)
    elif comment[index] != ":":
        return None  # `# ruff: noqa-ish`: ruff warns and ignores it
    codes = _uppercase_codes(comment, index + 1)
    if not codes:
        return None  # no code where codes must be: ignored, as ruff does
    return Directive(f"{text}: {','.join(sorted(set(codes)))}", frozenset(codes), True, tail)


def _uppercase_codes(text: str, index: int) -> list[str]:
    """Codes (`[A-Z]+[0-9]+`, by commas or whitespace) up to the first word that is not one;
    empty when a code runs into something else (`E722;F401`, `E722abc`), which ruff refuses."""
    codes: list[str] = []
    joined = False  # the previous code ran straight into this one (`E722F401`, ruff accepts)
    while index < len(text):
        index = _skip_space(text, index)
        if index == len(text):
            break
        if text[index] == ",":
            index += 1
            continue
        start = index
        while index < len(text) and "A" <= text[index] <= "Z":
            index += 1
        letters = index > start
        digits_start = index
        while index < len(text) and "0" <= text[index] <= "9":
            index += 1
        if not letters or index == digits_start:
            if joined:
                return []
            break  # a word that is not a code: the rest is a comment
        codes.append(text[start:index])
        joined = False
        if index == len(text) or text[index] in ",#" or _space(text[index]):
            continue
        if "A" <= text[index] <= "Z":
            joined = True
            continue
        return []
    return codes


class Settings:
    """The suppression settings of `[tool.mergegate]`: `noqa-peers`, `noqa-require-reason`,
    `noqa-report-unused`."""

    __slots__ = ("peers", "require_reason", "report_unused")

    KEYS = {
        "noqa-peers": "peers",
        "noqa-require-reason": "require_reason",
        "noqa-report-unused": "report_unused",
    }

    def __init__(
        self, peers: bool = True, require_reason: bool = False, report_unused: bool = False
    ) -> None:
        self.peers = peers
        self.require_reason = require_reason
        self.report_unused = report_unused

    def as_dict(self) -> dict[str, bool]:
        """The settings by their configuration keys."""
        return {key: getattr(self, attribute) for key, attribute in self.KEYS.items()}

    def opted_in(self) -> frozenset[str]:
        """The opt-in rules these settings add to the default selection."""
        return frozenset(["unused-noqa"]) if self.report_unused else frozenset()


def settings(table: dict[str, object], where: str) -> Settings:
    """The suppression settings of a `[tool.mergegate]` table; a value that is not true or false
    is a ConfigError naming the key."""
    from .config import ConfigError

    chosen = Settings()
    for key, attribute in Settings.KEYS.items():
        if key in table:
            value = table[key]
            if not isinstance(value, bool):
                raise ConfigError(f"{where}: `{key}` must be true or false, not {value!r}")
            setattr(chosen, attribute, value)
    return chosen


class Verdict:
    """What the suppressions covering a finding decide: silenced or not, and the note that says
    why (the directive, or why it no longer silences)."""

    __slots__ = ("silenced", "note")

    def __init__(self, silenced: bool, note: str) -> None:
        self.silenced = silenced
        self.note = note


class Suppressor:
    """Decides `# noqa` for findings, reading each file's file-level directives once.

    `lines_of(path)` gives a finding's file as lines (None when it cannot be read: no file-level
    directive then, so nothing is silenced by one); `today` is injectable for tests (default:
    the UTC date, read when an expiry is first compared).
    """

    def __init__(self, chosen: Settings, lines_of: LinesOf, today: date | None = None) -> None:
        self.settings = chosen
        self.lines_of = lines_of
        self.today = today
        self._files: dict[str, list[Directive]] = {}

    def file_level(self, finding: Finding) -> list[Directive]:
        """The file-level directives that apply to a finding's file (none without peers, and
        none in a file that is not Python: a repository-wide check's YAML, TOML or INI)."""
        if not self.settings.peers:
            return []
        rule = RULES.get(finding.rule)
        if rule is not None and rule.scope == "repo" and not finding.path.endswith(PYTHON_SUFFIXES):
            return []
        if finding.path not in self._files:
            lines = self.lines_of(finding.path)
            self._files[finding.path] = file_directives(lines) if lines else []
        return self._files[finding.path]

    def verdict(self, finding: Finding, line: str) -> Verdict | None:
        """None when no suppression covers `finding` (whose first line is `line`); else the first
        covering one that silences it, or, if none does, why the first one does not."""
        if finding.rule == PARSE_ERROR.id:
            return None  # nothing was checked in that file: there is nothing to vouch for
        refused: Verdict | None = None
        # an unused-noqa finding is about its line's `# noqa`, which cannot vouch for itself
        on_line = inline(line) if finding.rule != UNUSED_NOQA.id else None
        covering = [*self.file_level(finding), *([on_line] if on_line is not None else [])]
        for found in covering:
            if not found.names(finding, self.settings.peers):
                continue
            problem = self.problem(found)
            if not problem:
                return Verdict(True, found.described())
            refused = refused or Verdict(False, problem)
        return refused

    def problem(self, found: Directive) -> str:
        """Why a covering directive does not silence: malformed, expired or without a reason."""
        if found.problem:
            return f"suppression `{found.text}` not applied: {found.problem}"
        if found.until:
            self.today = self.today or _utc_today()
            if self.today.isoformat() >= found.until:
                return f"suppression expired on {found.until}"
        if self.settings.require_reason and not found.reason:
            return (
                f"suppression `{found.text}` not applied: noqa-require-reason wants a reason, "
                f"`{found.text} {REASON_MARK} why`"
            )
        return ""


def _utc_today() -> date:
    import datetime

    return datetime.datetime.now(datetime.timezone.utc).date()


def noted(finding: Finding, note: str) -> Finding:
    """The finding with `(note)` after its message: every report then says why it still counts."""
    fields = list(finding.astuple())
    fields[7] = f"{finding.message} ({note})"
    return Finding(*fields, fix=finding.fix)  # type: ignore[arg-type]
