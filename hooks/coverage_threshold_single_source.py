"""coverage-threshold-single-source: a coverage fail-under threshold written in one place only.

The one source of truth is the `fail_under` that coverage.py itself reads, found as coverage.py's
`config_files_to_try` and `from_file` find it: `.coveragerc` whenever it exists, else the first of
`.coveragerc.toml`, `setup.cfg`, `tox.ini`, `pyproject.toml` that sets an option coverage.py
knows; inside it the report section coverage.py resolves (`[coverage:report]` before `[report]`,
`[tool.coverage.report]` before `[report]`; `[DEFAULT]` fills every INI section). A file there
that does not parse stops coverage.py with an error, so then nothing wins. `COVERAGE_RCFILE`,
`--rcfile` and pytest-cov's `--cov-config` choose a file at run time: out of a static check's reach.

Every other place that writes a threshold is reported at its value: MG501 when it repeats the
winner (or is no literal number), MG502 when it disagrees. Without a winner, coverage.py checks
nothing (its default 0): a `fail_under` it does not read is reported as never applied, and the
other places only when there are several (MG502 if their values differ): one threshold in one
place, even a pytest `addopts`, is a single source.
"""

from __future__ import annotations

import _ast

from .cli import run_repo_hook
from .coverage_commands import PYTEST_COV, locate, thresholds
from .finding import Finding
from .registry import COVERAGE_THRESHOLD_SINGLE_SOURCE as RULE
from .registry import THRESHOLD_DISAGREES, THRESHOLD_REPEATED
from .source import Source, parse
from .syntax import walk
from .textfile import Repository, TextFile, ini_options, toml_leaves, toml_lookup, toml_pairs
from .textfile import toml_value, yaml_get, yaml_scalars

TYPE_CHECKING = False
if TYPE_CHECKING:  # typing costs start-up time; mypy reads this block, the interpreter skips it
    import configparser
    from collections.abc import Iterable, Iterator, Sequence

    from .textfile import TomlPath

REPEATED, DISAGREES = THRESHOLD_REPEATED.code, THRESHOLD_DISAGREES.code

COVERAGE_CONFIGS = (".coveragerc", ".coveragerc.toml", "setup.cfg", "tox.ini", "pyproject.toml")
"""coverage.py's configuration files, in the order it tries them (coverage/config.py)."""
OWN_CONFIGS = (".coveragerc", ".coveragerc.toml")
"""Files that are coverage.py's own: used whenever they exist, sections also without a prefix."""
COVERAGE_OPTIONS = {
    "run": frozenset(
        "branch command_line concurrency context core cover_pylib data_file debug debug_file"
        " disable_warnings dynamic_context parallel patch plugins relative_files include omit"
        " sigterm source source_pkgs source_dirs timid _crash".split()
    ),
    "report": frozenset(
        "exclude_lines exclude_also fail_under format ignore_errors include_namespace_packages"
        " partial_branches_always partial_branches partial_also precision contexts include omit"
        " show_missing skip_covered skip_empty sort".split()
    ),
    "html": frozenset("extra_css directory skip_covered skip_empty title show_contexts".split()),
    "xml": frozenset(("output", "package_depth")),
    "json": frozenset(("output", "pretty_print", "show_contexts")),
    "lcov": frozenset(("output", "line_checksums")),
}
"""The options coverage.py (7.13+, `CONFIG_FILE_OPTIONS`) reads. A shared file (setup.cfg, tox.ini,
pyproject.toml) is its configuration only when it sets one of them or has `[paths]` entries: a
section holding only unknown names gets a warning and does not stop the search."""

INI_COMMAND_FILES = ("setup.cfg", "tox.ini", "pytest.ini", ".pytest.ini")
TOML_COMMAND_FILES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("pyproject.toml", ("tool",)),  # [tool.*]: pytest, tox, hatch, pdm, poe...; not [project]
    ("tox.toml", ()),
    ("pytest.toml", ()),
    (".pytest.toml", ()),
)
MAKEFILES = ("GNUmakefile", "makefile", "Makefile")
NOXFILE = "noxfile.py"
WORKFLOWS = ".github/workflows"
CODECOV_FILES = tuple(
    folder + name
    for folder in ("", ".github/", "dev/")
    for name in ("codecov.yml", ".codecov.yml", "codecov.yaml", ".codecov.yaml")
)

COVERAGE_COMMAND = "coverage --fail-under"
CODECOV = "Codecov project target"
OVERRIDES = {
    PYTEST_COV: "pytest-cov's --cov-fail-under overrides it where this command runs",
    COVERAGE_COMMAND: "coverage's --fail-under overrides it where this command runs",
}
COMPUTED = "<computed>"
"""How a threshold computed by Python code (a variable, an f-string) is shown."""


class _Place:
    """One place where a threshold is written, at its value."""

    __slots__ = ("path", "line", "column", "text", "number", "what", "where")

    def __init__(self, source: TextFile, index: int, text: str, what: str, where: str = "") -> None:
        self.path = source.path
        self.line, self.column = source.position(index)
        self.text = text
        self.number = _number(text)
        self.what = what
        self.where = where  # the section of a `fail_under`; empty for commands and Codecov

    def describe(self) -> str:
        if self.where:
            return f"fail_under = {self.text} in {self.path} {self.where}"
        return f"coverage threshold {self.text} ({self.what}) in {self.path}"

    def finding(self, code: str, message: str) -> Finding:
        length = 0 if self.text == COMPUTED else len(self.text)
        return Finding(
            RULE.id,
            code,
            self.path,
            self.line,
            self.column,
            self.line,
            self.column + length,
            message,
        )


class _Truth:
    """What coverage.py uses: the file it reads (or stops at), its report section, the winner."""

    __slots__ = ("source", "section", "winner", "broken")

    def __init__(
        self,
        source: str | None = None,
        section: str | None = None,
        winner: _Place | None = None,
        broken: bool = False,
    ) -> None:
        self.source = source
        self.section = section
        self.winner = winner
        self.broken = broken

    def ignores(self, place: _Place) -> bool:
        """A `fail_under` that coverage.py, reading its configuration, never looks at."""
        return bool(place.where) and place is not self.winner and not self.broken

    def unread(self, place: _Place) -> str:
        """Why coverage.py does not read `place`."""
        if place.path == self.source:
            return f"it reads {self.section} of this file"
        return f"{self.source} comes first"

    def state(self) -> str:
        """What to do when coverage.py's configuration sets no `fail_under`."""
        if self.broken:
            return f"coverage.py cannot read {self.source}, which does not parse"
        if self.source:
            return f"{self.source}, which coverage.py reads, sets no fail_under: set it there, once"
        return (
            "no configuration file of coverage.py sets fail_under: set it once, for example in"
            " pyproject.toml [tool.coverage.report]"
        )


def _number(text: str) -> float | None:
    """A threshold as a number (`90`, `90.0` and `"90%"` are all 90), or None if not literal."""
    import math

    text = text.strip()
    if text.endswith("%"):
        text = text[:-1]
    try:
        number = float(text)
    except ValueError:
        return None
    return number if math.isfinite(number) else None


# --- Command text: pytest-cov's --cov-fail-under and coverage's --fail-under -----------------


def _what(option: str) -> str:
    return PYTEST_COV if option == PYTEST_COV else COVERAGE_COMMAND


def _text_places(source: TextFile, text: str) -> list[_Place]:
    """Thresholds in text whose indices are the file's own (comments already blanked)."""
    return [
        _Place(source, index, value, _what(option)) for option, value, index in thresholds(text)
    ]


def _parsed_places(source: TextFile, start: int, end: int, chunks: Iterator[str]) -> list[_Place]:
    """Thresholds in parsed strings whose raw text is source.text[start:end], in order."""
    places = []
    for chunk in chunks:
        for option, value, _ in thresholds(chunk):
            index = locate(source.text, start, end, option, value)
            places.append(_Place(source, index, value, _what(option)))
            start = index + len(value)
    return places


# --- coverage.py's configuration ---------------------------------------------------------------


def _ini_coverage(
    path: str, source: TextFile, parser: configparser.ConfigParser
) -> tuple[list[_Place], bool, str | None, _Place | None]:
    """The `fail_under` places of an INI file, whether coverage.py would use the file, the
    report section it resolves, and the `fail_under` it reads there."""
    own = path in OWN_CONFIGS
    prefixes = ("coverage:", "") if own else ("coverage:",)
    report_sections = [prefix + "report" for prefix in prefixes]
    places = {}
    for section, key, start, end in ini_options(source.text):
        if key == "fail_under" and section in report_sections + ["DEFAULT"]:
            text = source.text[start:end].strip()
            places[section] = _Place(source, start, text, "fail_under", f"[{section}]")
    resolved = next((section for section in report_sections if parser.has_section(section)), None)
    winner = None
    if resolved is not None and parser.has_option(resolved, "fail_under"):
        winner = places.get(resolved) or places.get("DEFAULT")  # [DEFAULT] fills every section
    used = own or any(
        _sets_options(name, parser.options(f"coverage:{name}"))
        for name in tuple(COVERAGE_OPTIONS) + ("paths",)
        if parser.has_section(f"coverage:{name}")
    )
    written = [place for section, place in places.items() if section != "DEFAULT"]
    if winner is not None and winner not in written:
        written.append(winner)
    return written, used, f"[{resolved}]" if resolved else None, winner


def _toml_coverage(
    path: str, source: TextFile, document: dict[str, object]
) -> tuple[list[_Place], bool, str | None, _Place | None]:
    """As `_ini_coverage`, for `[tool.coverage.*]` tables (and `[*]` in `.coveragerc.toml`)."""
    prefixes: tuple[tuple[str, ...], ...] = (("tool", "coverage"),)
    if path in OWN_CONFIGS:
        prefixes += ((),)
    targets: dict[TomlPath, tuple[str, ...]] = {
        prefix + ("report", "fail_under"): prefix for prefix in prefixes
    }
    places: dict[TomlPath, _Place] = {}
    for key_path, key_start, value_start, value_end in toml_pairs(source.text):
        if "fail_under" not in source.text[key_start:value_end]:
            continue
        value = toml_value(source, value_start, value_end)
        for leaf_path, leaf in toml_leaves(key_path, value):
            if leaf_path in targets:
                text = str(leaf)
                index = locate(source.text, key_start, value_end, "fail_under", text)
                where = "[" + ".".join(targets[leaf_path] + ("report",)) + "]"
                places[leaf_path] = _Place(source, index, text, "fail_under", where)
    resolved = None
    for prefix in prefixes:
        section = toml_lookup(document, prefix + ("report",))
        if section is not None:
            resolved = prefix + ("report",)
            break
    winner = places.get(resolved + ("fail_under",)) if resolved else None
    tables = toml_lookup(document, ("tool", "coverage"))
    used = path in OWN_CONFIGS or (
        isinstance(tables, dict)
        and any(
            _sets_options(name, table) for name, table in tables.items() if isinstance(table, dict)
        )
    )
    section_name = "[" + ".".join(resolved) + "]" if resolved else None
    return list(places.values()), used, section_name, winner


def _sets_options(section: str, names: Iterable[str]) -> bool:
    """Whether a coverage section sets something coverage.py reads (`[paths]`: any entry)."""
    if section == "paths":
        return any(True for _ in names)
    return not COVERAGE_OPTIONS.get(section, frozenset()).isdisjoint(names)


def _coverage_truth(repo: Repository, places: list[_Place]) -> _Truth:
    """Collect every `fail_under` into `places`; return what coverage.py really uses."""
    truth = None
    for path in COVERAGE_CONFIGS:
        if not (repo.holds(path, "fail_under") if truth else repo.exists(path)):
            continue
        if path.endswith(".toml"):
            toml = repo.read_toml(path)
            found = toml and _toml_coverage(path, *toml)
        else:
            ini = repo.read_ini(path)
            found = ini and _ini_coverage(path, *ini)
        if not found:  # coverage.py stops with an error at a file it cannot parse
            truth = truth or _Truth(path, broken=True)
            continue
        written, used, section, winner = found
        places.extend(written)
        if truth is None and used:
            truth = _Truth(path, section, winner)
    return truth or _Truth()


def _strings(value: object) -> Iterator[str]:
    """Command text in a parsed value: each string, a list of strings as one command line."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, list):
        if value and all(isinstance(item, str) for item in value):
            yield " ".join(value)
        else:
            for item in value:
                yield from _strings(item)
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)


# --- The places that run commands ---------------------------------------------------------------


def _ini_command_places(repo: Repository) -> list[_Place]:
    """pytest `addopts`, tox `commands`, `setenv` and the like in INI files."""
    places = []
    for path in INI_COMMAND_FILES:
        parsed = repo.holds(path, "fail-under") and repo.read_ini(path)
        if not parsed:
            continue
        source = parsed[0]
        lines = [
            " " * len(line) if line.strip()[:1] in ("#", ";") else line for line in source.lines
        ]
        places.extend(_text_places(source, "\n".join(lines)))
    return places


def _toml_command_places(repo: Repository) -> list[_Place]:
    """Strings and string lists in TOML: pytest `addopts`, tox `commands`, hatch scripts..."""
    places = []
    for path, scope in TOML_COMMAND_FILES:
        parsed = repo.holds(path, "fail-under") and repo.read_toml(path)
        if not parsed:
            continue
        source = parsed[0]
        for key_path, key_start, value_start, value_end in toml_pairs(source.text):
            if key_path[: len(scope)] != scope:
                continue
            if "fail-under" not in source.text[key_start:value_end]:
                continue
            value = toml_value(source, value_start, value_end)
            places.extend(_parsed_places(source, value_start, value_end, _strings(value)))
    return places


def _makefile_places(repo: Repository) -> list[_Place]:
    """Recipes and variables of the Makefiles at the root (`#` comments skipped)."""
    places = []
    for path in repo.files():
        if path in MAKEFILES or path.endswith(".mk"):
            source = repo.text(path)
            if source is not None:
                places.extend(_text_places(source, source.text))
    return places


def _python_text(node: _ast.AST) -> str:
    """A string argument's text; `\\x00` stands for what only running the code would tell."""
    if isinstance(node, _ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, _ast.JoinedStr):
        return "".join(_python_text(part) for part in node.values)
    return "\x00"


def _noxfile_places(repo: Repository) -> list[_Place]:
    """Strings among the arguments of calls (`session.run(...)`), the items of lists, tuples and
    sets, and the values of dicts; adjacent items are one command line."""
    if not repo.holds(NOXFILE, "fail-under"):
        return []
    parsed = parse(NOXFILE, repo.data(NOXFILE))  # decoded as Python does (BOM, PEP 263)
    if not isinstance(parsed, Source):
        repo.errors.append(parsed)
        return []
    from bisect import bisect_right

    source = TextFile(NOXFILE, parsed.text)
    places = []
    for node in walk(parsed.tree):
        if isinstance(node, _ast.Call):
            elements = node.args
        elif isinstance(node, (_ast.List, _ast.Tuple, _ast.Set)):
            elements = node.elts
        elif isinstance(node, _ast.Dict):  # env={"PYTEST_ADDOPTS": "--cov-fail-under=90"}
            elements = node.values
        else:
            continue
        texts = [_python_text(element) for element in elements]
        offsets = []
        offset = 0
        for text in texts:
            offsets.append(offset)
            offset += len(text) + 1
        for option, value, index in thresholds(" ".join(texts)):
            element = elements[bisect_right(offsets, index) - 1]
            start = source.offset(element.lineno, parsed.column(element.lineno, element.col_offset))
            end_line = element.end_lineno or element.lineno
            end = source.offset(end_line, parsed.column(end_line, element.end_col_offset or 0))
            shown = COMPUTED if "\x00" in value else value
            places.append(
                _Place(source, locate(source.text, start, end, option, value), shown, _what(option))
            )
    return places


def _workflow_places(repo: Repository) -> list[_Place]:
    """Strings of GitHub workflows: `run:` steps, `env:`, action inputs."""
    places = []
    for name in repo.files(WORKFLOWS):
        if not name.endswith((".yml", ".yaml")):
            continue
        path = f"{WORKFLOWS}/{name}"
        parsed = repo.holds(path, "fail-under") and repo.read_yaml(path)
        if not parsed:
            continue
        source, documents = parsed
        for document in documents:
            for scalar in yaml_scalars(document, keys=False):
                if "fail-under" in scalar.value:
                    start, end = scalar.start_mark.index, scalar.end_mark.index
                    places.extend(_parsed_places(source, start, end, iter([scalar.value])))
    return places


def _codecov_places(repo: Repository) -> list[_Place]:
    """`coverage.status.project.<name>.target` of Codecov's configuration (`auto` is no number)."""
    import yaml

    places = []
    for path in CODECOV_FILES:
        parsed = repo.holds(path, "target") and repo.read_yaml(path)
        if not parsed:
            continue
        source, documents = parsed
        for document in documents:
            project = yaml_get(yaml_get(yaml_get(document, "coverage"), "status"), "project")
            if not isinstance(project, yaml.MappingNode):
                continue
            for _, status in project.value:
                target = yaml_get(status, "target")
                if not isinstance(target, yaml.ScalarNode) or target.value.strip() == "auto":
                    continue
                index = target.start_mark.index + (1 if target.style in ("'", '"') else 0)
                places.append(_Place(source, index, target.value.strip(), CODECOV))
    return places


# --- Judging ------------------------------------------------------------------------------------


def _code(number: float | None, reference: float | None) -> str:
    if number is None or reference is None or number == reference:
        return REPEATED
    return DISAGREES


def _against(place: _Place, truth: _Truth, winner: _Place) -> Finding:
    """A place that is not the `fail_under` coverage.py reads, which exists."""
    code = _code(place.number, winner.number)
    reference = f"fail_under = {winner.text} in {winner.path}, which coverage.py uses"
    if code == DISAGREES:
        message = f"{place.describe()} disagrees with {reference}"
    elif place.number is None or winner.number is None:
        message = f"{place.describe()} is not a literal number to compare with {reference}"
    else:
        message = f"{place.describe()} repeats {reference}"
    if truth.ignores(place):
        message += f"; coverage.py never reads this one: {truth.unread(place)}"
    elif code == DISAGREES and place.what in OVERRIDES:
        message += f"; {OVERRIDES[place.what]}"
    return place.finding(code, message + "; write the threshold in one place")


def _never_applied(place: _Place, truth: _Truth) -> Finding:
    """A `fail_under` coverage.py does not read, when the one it reads sets none."""
    if place.path == truth.source:
        read = f"{truth.section} of this file"
    else:
        read = str(truth.source)
    message = (
        f"{place.describe()} is never applied: coverage.py reads {read}, which sets no"
        " fail_under (coverage.py's default 0: no check)"
    )
    return place.finding(_code(place.number, 0.0), message)


def _scattered(place: _Place, live: list[_Place], truth: _Truth) -> Finding:
    """One of several thresholds written outside coverage.py's configuration."""
    others = sorted(
        (other for other in live if other is not place), key=lambda other: (other.path, other.line)
    )
    listed = ", ".join(f"{other.text} in {other.path}:{other.line}" for other in others[:3])
    if len(others) > 3:
        listed += f" and {len(others) - 3} more"
    numbers = {other.number for other in live if other.number is not None}
    code = DISAGREES if len(numbers) > 1 else REPEATED
    message = f"{place.describe()} is also written as {listed}; {truth.state()}"
    return place.finding(code, message)


def _judge(places: list[_Place], truth: _Truth) -> list[Finding]:
    winner = truth.winner
    if winner is not None:
        return [_against(place, truth, winner) for place in places if place is not winner]
    findings = [_never_applied(place, truth) for place in places if truth.ignores(place)]
    live = [place for place in places if not truth.ignores(place)]
    if len(live) > 1:
        findings.extend(_scattered(place, live, truth) for place in live)
    return findings


def inputs(root: str, options: dict[str, object]) -> list[str]:
    """Every file whose presence or bytes can change what `check` reports, by the exact names
    `Repository` finds (the gate's cache keys the result on them)."""
    repo = Repository(root)
    named = {*COVERAGE_CONFIGS, *INI_COMMAND_FILES, *MAKEFILES, NOXFILE, *CODECOV_FILES}
    named.update(name for name, _ in TOML_COMMAND_FILES)
    found = [name for name in repo.files() if name in named or name.endswith(".mk")]
    found += [path for path in CODECOV_FILES if "/" in path and repo.exists(path)]
    workflows = repo.files(WORKFLOWS)
    return found + [f"{WORKFLOWS}/{name}" for name in workflows if name.endswith((".yml", ".yaml"))]


def check(root: str, options: dict[str, object]) -> list[Finding]:
    """Every coverage threshold written besides the `fail_under` coverage.py reads.

    A file is parsed only when coverage.py would read it or its text could hold a threshold
    (`Repository.holds`): a broken file that cannot matter here is left to the checks that need it.
    """
    repo = Repository(root)
    places: list[_Place] = []
    truth = _coverage_truth(repo, places)
    places.extend(_ini_command_places(repo))
    places.extend(_toml_command_places(repo))
    places.extend(_makefile_places(repo))
    places.extend(_noxfile_places(repo))
    places.extend(_workflow_places(repo))
    places.extend(_codecov_places(repo))
    return repo.errors + _judge(places, truth)


def main(argv: Sequence[str] | None = None) -> int:
    return run_repo_hook(RULE, check, argv)


if __name__ == "__main__":
    raise SystemExit(main())
