"""Peer-tool suppressions (hooks/noqa.py) against the real flake8 and ruff, on the same files.

Each form is written into a file with one finding of every rule that has peer codes: a bare
`except:` (MG101; E722 for pycodestyle and ruff), an unused `global` (MG201; F824 for pyflakes,
PLW0602 for ruff), `print` (MG301; T201) and `pprint.pprint` (MG302; T203). flake8 and ruff check
the files with `# noqa` honoured; a finding of ours must be silenced exactly when flake8 or ruff
silences its peer (flake8 has no print plugin here, but its file-level directive skips the whole
file, which E722 and F824 show).
"""

from __future__ import annotations

import json
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

from mergegate.hooks.noqa import Settings, Suppressor
from mergegate.hooks.registry import RULES
from mergegate.hooks.source import Source, parse, run_checks
from helpers import hook_module

BODY = (
    "import pprint\n"
    "\n"
    "counter = 0\n"
    "\n"
    "\n"
    "def show():\n"
    "    global counter  {comment}\n"
    "    return counter\n"
    "\n"
    "\n"
    "try:\n"
    "    pass\n"
    "except:  {comment}\n"
    "    pass\n"
    "print(1)  {comment}\n"
    "pprint.pprint(2)  {comment}\n"
)
"""A module with one finding of each peer-coded rule; `{comment}` is a line-level comment."""

PEERS = {"MG101": ("E722", "E722"), "MG201": ("F824", "PLW0602"), "MG301": ("", "T201")}
PEERS["MG302"] = ("", "T203")
"""Our code: (flake8's peer, ruff's peer); flake8 knows no print codes without a plugin."""

# File-level forms: each is (where, text): `top` puts the text on the first line, `bottom` after
# the last, `indented` as the first line of the function body, `after-code` at the end of the
# first line, `string` as a line inside a triple-quoted string.
FILE_FORMS = [
    ("top", "# flake8: noqa"),
    ("top", "# flake8: noqa: E722"),
    ("top", "# flake8: noqa: F401"),
    ("top", "# flake8:noqa"),
    ("top", "# flake8=noqa"),
    ("top", "# FLAKE8: NOQA"),
    ("top", "#flake8: noqa"),
    ("top", "#flake8:noqa:E722"),
    ("top", "# flake8 : noqa"),
    ("top", "# flake8: noqa because vendored"),
    ("top", "# flake8: noqa-ish"),
    ("bottom", "# flake8: noqa"),
    ("indented", "# flake8: noqa"),
    ("after-code", "# flake8: noqa"),
    ("string", "# flake8: noqa"),
    ("top", "# ruff: noqa"),
    ("top", "# ruff: noqa: E722"),
    ("top", "# ruff: noqa:E722,T201"),
    ("top", "# ruff: noqa: E722 T203"),
    ("top", "# ruff: noqa: PLW0602"),
    ("top", "# ruff: noqa: F824"),
    ("top", "# ruff: noqa: T201 -- debugging script"),
    ("top", "# ruff: noqa: T201 until=2999-01-01"),
    ("top", "# ruff: noqa: F401"),
    ("top", "# ruff: noqa: E7"),
    ("top", "# ruff: noqa: T20"),
    ("top", "# ruff: noqa:"),
    ("top", "# ruff: noqa: bare-except"),
    ("top", "# ruff: noqa: E722;T201"),
    ("top", "# ruff: noqa: E722T201"),
    ("top", "# ruff: noqa: E722abc"),
    ("top", "# ruff: noqa: E722Tx"),
    ("top", "# ruff: noqa-ish"),
    ("top", "# ruff: noqa because"),
    ("top", "# ruff: noqa # and a comment"),
    ("top", "#ruff:noqa"),
    ("top", "# ruff : noqa"),
    ("top", "# ruff: NOQA"),
    ("top", "# Ruff: noqa"),
    ("top", "# RUFF: noqa"),
    ("top", "# ruff=noqa"),
    ("top", "# note # ruff: noqa: T201"),
    ("bottom", "# ruff: noqa: T203"),
    ("indented", "# ruff: noqa: E722"),
    ("after-code", "# ruff: noqa"),
    ("string", "# ruff: noqa"),
]

# Line-level comments with peer codes, on every finding's line. We read a comment as flake8 does
# (with every peer code of a finding), so where ruff reads one otherwise we differ from ruff:
# RUFF_DIFFERS lists those comments and the codes they decide otherwise.
LINE_FORMS = [
    "# noqa: E722",
    "# noqa:E722",
    "# noqa: F824",
    "# noqa: PLW0602",
    "# noqa: T201",
    "# noqa: T203",
    "# noqa: T201, T203",
    "# noqa: T201 T203",
    "# noqa: E722,F824,T201",
    "# noqa: T201 -- debugging script",
    "# noqa: T201 until=2999-01-01",
    "# NOQA: T201",
    "# noqa: t201",
    "# noqa: F401",
    "# noqa: PLW06",
    "# noqa: T20",
    "# noqa: T2",
    "# noqa: E7",
    "# noqa : T201",
    "# noqa: T201;E722",
    "#noqa: T201",
    "#  noqa: T201",
    "# noqa:E722T201",
]
RUFF_DIFFERS = {
    # flake8 matches code prefixes; ruff whole codes only
    "# noqa: PLW06": {"MG201"},
    "# noqa: T20": {"MG301", "MG302"},
    "# noqa: T2": {"MG301", "MG302"},
    # flake8 reads `# noqa` followed by anything but `:` as a blanket `# noqa`
    "# noqa : T201": {"MG302"},
    # flake8 keeps the codes before `;`; ruff refuses the whole comment
    "# noqa: T201;E722": {"MG301"},
    # flake8 wants exactly `# noqa`; ruff allows any whitespace after `#`
    "#noqa: T201": {"MG301"},
    "#  noqa: T201": {"MG301"},
    # ruff splits joined codes; flake8 reads one unknown code
    "# noqa:E722T201": {"MG101", "MG301"},
}
FILE_DIFFERS = {
    # a peer code counts in a ruff directive even where ruff does not know it (F824 is pyflakes')
    "# ruff: noqa: F824": {"MG201"},
}


def tool(name: str) -> str:
    """The reference tool next to the running interpreter (installed by the test extras)."""
    candidate = Path(sys.executable).with_name(name)
    return str(candidate) if candidate.exists() else name


def with_file_directive(where: str, text: str) -> str:
    lines = BODY.format(comment="").replace("  \n", "\n").splitlines()
    if where == "top":
        lines.insert(0, text)
    elif where == "bottom":
        lines.append(text)
    elif where == "indented":
        lines.insert(lines.index("def show():") + 1, f"    {text}")
    elif where == "after-code":
        lines[0] = f"{lines[0]}  {text}"
    else:
        lines[0:0] = ['NOTE = """', text, '"""']
    return "\n".join(lines) + "\n"


def flake8_reports(paths: list[str], noqa: bool = True) -> set[tuple[str, int, str]]:
    """(path, line, code) of what flake8 reports, `# noqa` honoured unless `noqa` is false."""
    result = subprocess.run(
        [tool("flake8"), "--isolated", "--select=E722,F824", "-j", "2"]
        + ["--format=%(path)s\t%(row)d\t%(code)s", *([] if noqa else ["--disable-noqa"]), *paths],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode in (0, 1), result.stderr
    rows = (line.split("\t") for line in result.stdout.splitlines())
    return {(path, int(row), code) for path, row, code in rows}


def ruff_reports(paths: list[str], noqa: bool = True) -> set[tuple[str, int, str]]:
    """(path, line, code) of what ruff reports, `# noqa` honoured unless `noqa` is false."""
    result = subprocess.run(
        [tool("ruff"), "check", "--isolated", "--no-cache", "--output-format=json"]
        + ["--select=E722,PLW0602,T201,T203", *([] if noqa else ["--ignore-noqa"]), *paths],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode in (0, 1), result.stderr
    return {
        (item["filename"], item["location"]["row"], item["code"])
        for item in json.loads(result.stdout)
    }


def by_name(reports: set[tuple[str, int, str]]) -> set[tuple[str, str]]:
    return {(Path(path).name, code) for path, _, code in reports}


def our_findings(path: Path, settings: Settings) -> dict[str, bool]:
    """Our code -> whether it is silenced, for the file's findings of the peer-coded rules."""
    parsed = parse(path.name, path.read_bytes())
    assert isinstance(parsed, Source)
    checks = [
        (hook_module(rule_id).check, {**RULES[rule_id].default_options(), "exclude": []})
        for rule_id in ("bare-except", "unused-global", "debug-print")
    ]
    suppressor = Suppressor(settings, lambda _: parsed.lines)
    silenced: dict[str, bool] = {}
    for finding in run_checks(parsed, checks):
        verdict = suppressor.verdict(finding, parsed.line(finding.line))
        silenced[finding.code] = verdict is not None and verdict.silenced
    return silenced


def peers_silenced(
    name: str, flake8: set[tuple[str, str]], ruff: set[tuple[str, str]], whole_file: bool = False
) -> dict[str, tuple[bool, bool]]:
    """Our code -> (flake8 silences its peer, ruff silences its peer). For a code flake8 does not
    know, a file-level directive silences it when flake8 reports nothing in the file (it skipped
    the file); a line-level comment never does."""
    skipped = whole_file and not any(file == name for file, _ in flake8)
    return {
        ours: (
            (name, flake8_code) not in flake8 if flake8_code else skipped,
            (name, ruff_code) not in ruff,
        )
        for ours, (flake8_code, ruff_code) in PEERS.items()
    }


@pytest.fixture(scope="module")
def file_level(
    tmp_path_factory: pytest.TempPathFactory,
) -> tuple[Path, set[tuple[str, str]], set[tuple[str, str]]]:
    folder = tmp_path_factory.mktemp("file_level")
    (folder / "plain.py").write_text(with_file_directive("top", "# nothing"), encoding="utf-8")
    for index, (where, text) in enumerate(FILE_FORMS):
        (folder / f"form_{index}.py").write_text(with_file_directive(where, text), encoding="utf-8")
    paths = [str(folder)]
    return folder, by_name(flake8_reports(paths)), by_name(ruff_reports(paths))


def test_without_a_directive_everyone_reports_everything(
    file_level: tuple[Path, set[tuple[str, str]], set[tuple[str, str]]],
) -> None:
    folder, flake8, ruff = file_level
    assert peers_silenced("plain.py", flake8, ruff, whole_file=True) == dict.fromkeys(
        PEERS, (False, False)
    )
    assert our_findings(folder / "plain.py", Settings()) == dict.fromkeys(PEERS, False)


@pytest.mark.parametrize("index", range(len(FILE_FORMS)), ids=[f"{w}:{t}" for w, t in FILE_FORMS])
def test_file_directive_silences_what_flake8_or_ruff_silence(
    index: int, file_level: tuple[Path, set[tuple[str, str]], set[tuple[str, str]]]
) -> None:
    folder, flake8, ruff = file_level
    name, text = f"form_{index}.py", FILE_FORMS[index][1]
    ours = our_findings(folder / name, Settings())
    for code, tools in peers_silenced(name, flake8, ruff, whole_file=True).items():
        assert (ours[code] != any(tools)) == (code in FILE_DIFFERS.get(text, set())), code


def test_the_file_forms_exercise_both_tools_both_ways(
    file_level: tuple[Path, set[tuple[str, str]], set[tuple[str, str]]],
) -> None:
    """Every tool silences some forms and not others, so the comparison can fail either way."""
    folder, flake8, ruff = file_level
    outcomes = [
        peers_silenced(f"form_{index}.py", flake8, ruff, whole_file=True)
        for index in range(len(FILE_FORMS))
    ]
    for position in (0, 1):
        seen = {tools[position] for outcome in outcomes for tools in outcome.values()}
        assert seen == {True, False}
    partial = [
        outcome for outcome in outcomes if len({tools[1] for tools in outcome.values()}) == 2
    ]
    assert partial, "no form silences some codes only: code matching would go untested"


def test_without_peers_no_file_directive_is_honoured(
    file_level: tuple[Path, set[tuple[str, str]], set[tuple[str, str]]],
) -> None:
    folder, _, _ = file_level
    for index in range(len(FILE_FORMS)):
        assert not any(our_findings(folder / f"form_{index}.py", Settings(peers=False)).values())


@pytest.fixture(scope="module")
def line_level(
    tmp_path_factory: pytest.TempPathFactory,
) -> tuple[Path, set[tuple[str, str]], set[tuple[str, str]]]:
    folder = tmp_path_factory.mktemp("line_level")
    for index, comment in enumerate(LINE_FORMS):
        (folder / f"line_{index}.py").write_text(BODY.format(comment=comment), encoding="utf-8")
    paths = [str(folder)]
    return folder, by_name(flake8_reports(paths)), by_name(ruff_reports(paths))


@pytest.mark.parametrize("index", range(len(LINE_FORMS)), ids=LINE_FORMS)
def test_peer_codes_on_the_line_agree_with_flake8_and_ruff(
    index: int, line_level: tuple[Path, set[tuple[str, str]], set[tuple[str, str]]]
) -> None:
    """Silenced when flake8 or ruff silences the peer, but for the documented comments that ruff
    reads otherwise than flake8."""
    folder, flake8, ruff = line_level
    name, comment = f"line_{index}.py", LINE_FORMS[index]
    ours = our_findings(folder / name, Settings())
    for code, tools in peers_silenced(name, flake8, ruff).items():
        assert (ours[code] != any(tools)) == (code in RUFF_DIFFERS.get(comment, set())), code


def test_without_peers_peer_codes_silence_nothing(
    line_level: tuple[Path, set[tuple[str, str]], set[tuple[str, str]]],
) -> None:
    folder, _, _ = line_level
    exact = [
        i
        for i, comment in enumerate(LINE_FORMS)
        if comment in ("# noqa: E722", "# noqa: T201, T203")
    ]
    for index in exact:
        assert our_findings(folder / f"line_{index}.py", Settings()) != dict.fromkeys(PEERS, False)
        assert our_findings(folder / f"line_{index}.py", Settings(peers=False)) == dict.fromkeys(
            PEERS, False
        )


# --- real code: third-party packages installed next to the tests ---------------------------------


def installed_files_mentioning_noqa() -> list[str]:
    """Every parsable .py file of the test environment's installed packages that mentions noqa:
    real suppressions written by other projects for flake8 and ruff."""
    root = Path(sysconfig.get_paths()["purelib"])
    chosen = []
    for path in sorted(root.rglob("*.py")):
        data = path.read_bytes()
        if b"noqa" in data.lower() and isinstance(parse(str(path), data), Source):
            chosen.append(str(path))
    return chosen


def test_real_suppressions_silence_what_flake8_or_ruff_silence() -> None:
    """On other projects' code, each of our findings that flake8 or ruff also reports (its peer
    at the same line) is silenced exactly when one of them silences the peer."""
    checks = [
        (hook_module(rule_id).check, {**RULES[rule_id].default_options(), "exclude": []})
        for rule_id in ("bare-except", "unused-global", "debug-print")
    ]
    ours: dict[tuple[str, int, str], bool] = {}  # (path, line, our code) -> silenced
    for path in installed_files_mentioning_noqa():
        parsed = parse(path, Path(path).read_bytes())
        assert isinstance(parsed, Source)
        suppressor = Suppressor(Settings(), lambda _: parsed.lines)
        for finding in run_checks(parsed, checks):
            verdict = suppressor.verdict(finding, parsed.line(finding.line))
            ours[path, finding.line, finding.code] = verdict is not None and verdict.silenced
    # flake8 takes seconds a file: only where its peers (E722, F824) can be
    with_flake8_peers = sorted({path for path, _, code in ours if PEERS[code][0]})
    with_peers = sorted({path for path, _, _ in ours})
    flake8_all = flake8_reports(with_flake8_peers, noqa=False)
    flake8_kept = flake8_reports(with_flake8_peers)
    ruff_all, ruff_kept = ruff_reports(with_peers, noqa=False), ruff_reports(with_peers)
    compared, compared_silenced, disagreements = 0, 0, []
    for (path, line, code), silenced in ours.items():
        flake8_code, ruff_code = PEERS[code]
        peers = [
            (place, kept)
            for place, every, kept in (
                ((path, line, flake8_code), flake8_all, flake8_kept),
                ((path, line, ruff_code), ruff_all, ruff_kept),
            )
            if place in every
        ]
        if peers:
            compared += 1
            compared_silenced += silenced
            if silenced != any(place not in kept for place, kept in peers):
                disagreements.append((path, line, code, silenced))
    assert compared_silenced < compared, (compared_silenced, compared)
    assert compared_silenced, "no suppression compared: the test would prove nothing"
    assert disagreements == []
