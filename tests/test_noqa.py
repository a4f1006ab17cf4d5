"""`# noqa` (hooks/noqa.py): flake8's semantics, checked against the real flake8, plus rule ids;
peer codes, reasons, expiry dates and the settings. tests/test_noqa_peers.py compares the peer forms
with the real flake8 and ruff."""

from __future__ import annotations

import subprocess
import sys
from datetime import date

import pytest

from mergegate.gates.config import build
from mergegate.hooks.config import KEYS, ConfigError
from mergegate.hooks.finding import Finding
from mergegate.hooks.noqa import (
    BLANKET,
    Settings,
    Suppressor,
    Verdict,
    directive,
    inline,
    noted,
    settings,
    suppresses,
)
from mergegate.hooks.registry import CODES, PARSE_ERROR

# Comments on an `except:` line; flake8 (E722) decides which ones silence it.
FLAKE8_VARIANTS = [
    "# noqa",
    "# NOQA",
    "# NoQa",
    "# noqa123",
    "# noqa - E722",
    "#noqa",
    "#  noqa",
    "# noqa: E722",
    "# noqa:E722",
    "# NOQA:E722",
    "# noqa:\tE722",
    "# noqa:  E722",
    "# noqa : E722",
    "# noqa: e722",
    "#noqa:E722",
    "#noqa:F401,E722",
    "# noqa: E7",
    "# noqa: E",
    "# noqa: F401",
    "# noqa: F",
    "# noqa:F401,E722",
    "# noqa: F401, E722",
    "# noqa: F401 E722",
    "# noqa:F401,,E722",
    "# noqa:E722E501",
    "# noqa: ,E722",
    "# noqa: E722 because the caller logs",
    "# noqa:E722;F401",
    "# noqa:F401;E722",
    "# type: ignore  # noqa: E722",
    "# noqa: F401  # noqa: E722",
]


def bare_except_finding(line: int, code: str = "E722", rule: str = "bare-except") -> Finding:
    return Finding(rule, code, "example.py", line, 1, line, 7, "bare except")


def handler_line(index: int) -> int:
    return 3 + 4 * index


@pytest.fixture(scope="module")
def flake8_reported_lines(tmp_path_factory: pytest.TempPathFactory) -> set[int]:
    """The lines of the `except:` handlers flake8 still reports with each variant's comment."""
    path = tmp_path_factory.mktemp("noqa") / "variants.py"
    path.write_text(
        "".join(f"try:\n    pass\nexcept:  {comment}\n    pass\n" for comment in FLAKE8_VARIANTS),
        encoding="utf-8",
    )
    result = subprocess.run(
        [sys.executable, "-m", "flake8", "--isolated", "--select=E722", "--format=%(row)d", path],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode in (0, 1), result.stderr
    lines = {int(row) for row in result.stdout.split()}
    assert lines, "flake8 reported nothing: the comparison would prove nothing"
    return lines


@pytest.mark.parametrize("index", range(len(FLAKE8_VARIANTS)), ids=FLAKE8_VARIANTS)
def test_suppression_agrees_with_flake8(index: int, flake8_reported_lines: set[int]) -> None:
    line = handler_line(index)
    comment = FLAKE8_VARIANTS[index]
    ours_reported = not suppresses(directive(f"except:  {comment}"), bare_except_finding(line))
    assert ours_reported == (line in flake8_reported_lines)


def test_directive_values() -> None:
    assert directive("x = 1") is None
    assert directive("x = 'noqa'") is None
    assert directive("x = 1  # noqa") == BLANKET
    assert directive("x = 1  # noqa: MG101, MG201") == {"MG101", "MG201"}


def test_blanket_noqa_silences_every_rule() -> None:
    codes = directive("except:  # noqa")
    assert suppresses(codes, bare_except_finding(3, "MG101"))
    assert suppresses(codes, bare_except_finding(3, "MG201", "unused-global"))


def test_code_list_silences_only_the_listed_codes() -> None:
    codes = directive("except:  # noqa: MG101,MG301")
    assert suppresses(codes, bare_except_finding(3, "MG101"))
    assert not suppresses(codes, bare_except_finding(3, "MG201", "unused-global"))


def test_code_prefix() -> None:
    codes = directive("except:  # noqa: MG1")
    assert suppresses(codes, bare_except_finding(3, "MG101"))
    assert not suppresses(codes, bare_except_finding(3, "MG201", "unused-global"))


def test_rule_id_silences_that_rule_only() -> None:
    """Our addition: flake8 would read `# noqa: bare-except` as a blanket `# noqa`."""
    codes = directive("except:  # noqa: bare-except")
    assert suppresses(codes, bare_except_finding(3, "MG101"))
    assert not suppresses(codes, bare_except_finding(3, "MG201", "unused-global"))


def test_rule_ids_and_codes_mix() -> None:
    codes = directive("global x  # noqa: unused-global, MG1")
    assert suppresses(codes, bare_except_finding(3, "MG101"))
    assert suppresses(codes, bare_except_finding(3, "MG201", "unused-global"))
    assert not suppresses(codes, bare_except_finding(3, "MG301", "debug-print"))


def test_keyword_case_does_not_matter() -> None:
    for comment in ("# NOQA: MG101", "# NoQa:MG101", "# noqa:MG101"):
        assert suppresses(directive(f"except:  {comment}"), bare_except_finding(3, "MG101"))


# --- peer codes: a `# noqa` written for flake8 or ruff silences our equivalent code ---------------


def our_finding(code: str, line: int = 3) -> Finding:
    """A finding of ours (tool mergegate) with this code, its rule from the registry."""
    return Finding(CODES[code][0].id, code, "example.py", line, 1, line, 7, "a message")


@pytest.mark.parametrize("index", range(len(FLAKE8_VARIANTS)), ids=FLAKE8_VARIANTS)
def test_mg101_is_silenced_exactly_where_flake8_silences_e722(
    index: int, flake8_reported_lines: set[int]
) -> None:
    line = handler_line(index)
    codes = directive(f"except:  {FLAKE8_VARIANTS[index]}")
    assert (not suppresses(codes, our_finding("MG101", line))) == (line in flake8_reported_lines)


@pytest.mark.parametrize(
    ("comment", "silenced"),
    [
        ("# noqa: E722", {"MG101"}),
        ("# noqa: F824", {"MG201"}),
        ("# noqa: PLW0602", {"MG201"}),
        ("# noqa: T201", {"MG301"}),
        ("# noqa: T203", {"MG302"}),
        ("# noqa: T20", {"MG301", "MG302"}),  # flake8's prefix match, for peer codes too
        ("# noqa: PLW06", {"MG201"}),
        ("# noqa: E722, T201", {"MG101", "MG301"}),
        ("# noqa: F401", set()),
        ("# noqa: E501", set()),
        ("# noqa: W0602", set()),  # a suffix is not a prefix
    ],
)
def test_peer_codes_silence_their_code_only(comment: str, silenced: set[str]) -> None:
    codes = directive(f"x = 1  {comment}")
    ours = {"MG101", "MG201", "MG301", "MG302", "MG401", "MG601"}
    assert {code for code in ours if suppresses(codes, our_finding(code))} == silenced
    assert not any(suppresses(codes, our_finding(code), peers=False) for code in ours)


def test_peer_codes_do_not_apply_to_other_tools_findings() -> None:
    """flake8's own E722 finding is matched by its code; our peers table is not consulted for it."""
    adapter_finding = Finding("flake8:E722", "E722", "a.py", 3, 1, 3, 7, "bare except", "flake8")
    assert suppresses(directive("except:  # noqa: E722"), adapter_finding)
    assert not suppresses(directive("except:  # noqa: MG101"), adapter_finding)


# --- reasons and expiry dates -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("comment", "reason", "until", "problem"),
    [
        ("# noqa: MG101", "", "", ""),
        ("# noqa: MG101 -- legacy retry loop", "legacy retry loop", "", ""),
        ("# noqa -- vendored", "vendored", "", ""),
        ("# noqa: MG101 --", "", "", ""),
        ("# noqa: MG101 until=2027-03-01", "", "2027-03-01", ""),
        ("# noqa: MG101 until=2027-03-01 -- legacy", "legacy", "2027-03-01", ""),
        ("# noqa: MG101 -- wait until=someday", "wait until=someday", "", ""),
        ("# noqa: MG101 until it is fixed", "", "", ""),  # prose, not an expiry
        ("# noqa: MG101 UNTIL=2027-03-01", "", "2027-03-01", ""),
        ("# noqa: MG101 until = 2027-03-01", "", "2027-03-01", ""),
        ("# noqa: MG101 until=2027-02-30", "", "", "is not a real YYYY-MM-DD date"),
        ("# noqa: MG101 until=2027-3-1", "", "", "is not a real YYYY-MM-DD date"),
        ("# noqa: MG101 until=27-03-01", "", "", "is not a real YYYY-MM-DD date"),
        ("# noqa: MG101 until=20270301", "", "", "is not a real YYYY-MM-DD date"),
        ("# noqa: MG101 until=2027-03-01T00", "", "", "is not a real YYYY-MM-DD date"),
        ("# noqa: MG101 until=tomorrow", "", "", "is not a real YYYY-MM-DD date"),
        ("# noqa: MG101 until=", "", "", "is not a real YYYY-MM-DD date"),
        ("# noqa: MG101 until=\uff12\uff10\uff12\uff17-03-01", "", "", "not a real YYYY-MM-DD"),
        ("# noqa: MG101 until=2027-03-01 until=2028-01-01", "", "", "more than one `until=`"),
    ],
)
def test_reason_and_expiry_are_parsed_strictly(
    comment: str, reason: str, until: str, problem: str
) -> None:
    found = inline(f"except:  {comment}")
    assert found is not None
    assert (found.reason, found.until) == (reason, until)
    assert problem in found.problem and bool(found.problem) == bool(problem)


def decide(
    line: str, today: str = "2027-01-15", file_lines: list[str] | None = None, **chosen: bool
) -> Verdict | None:
    suppressor = Suppressor(Settings(**chosen), lambda _: file_lines, date.fromisoformat(today))
    return suppressor.verdict(our_finding("MG101"), line)


def test_an_expiry_holds_before_its_date_and_not_from_it_on() -> None:
    line = "except:  # noqa: MG101 until=2027-03-01 -- legacy retry loop"
    before = decide(line, today="2027-02-28")
    assert before is not None and before.silenced
    assert before.note == "# noqa: MG101 until=2027-03-01 -- legacy retry loop"
    for today in ("2027-03-01", "2031-01-01"):
        expired = decide(line, today=today)
        assert expired is not None and not expired.silenced
        assert expired.note == "suppression expired on 2027-03-01"


def test_today_is_the_utc_date_when_not_given() -> None:
    far = Suppressor(Settings(), lambda _: None)
    assert far.verdict(our_finding("MG101"), "except:  # noqa until=2999-12-31").silenced
    assert not far.verdict(our_finding("MG101"), "except:  # noqa until=2000-01-01").silenced


def test_a_malformed_expiry_never_silences_and_says_why() -> None:
    verdict = decide("except:  # noqa: MG101 until=2027-02-30")
    assert verdict is not None and not verdict.silenced
    assert verdict.note == (
        "suppression `# noqa: MG101` not applied: its expiry `until=2027-02-30` is not a real "
        "YYYY-MM-DD date"
    )


def test_a_required_reason() -> None:
    without = decide("except:  # noqa: MG101", require_reason=True)
    assert without is not None and not without.silenced
    assert "noqa-require-reason wants a reason, `# noqa: MG101 -- why`" in without.note
    with_reason = decide("except:  # noqa: MG101 -- legacy retry loop", require_reason=True)
    assert with_reason is not None and with_reason.silenced
    assert decide("except:  # noqa: MG101").silenced  # not required by default


def test_a_comment_that_covers_nothing_decides_nothing() -> None:
    assert decide("except:  # noqa: MG201 until=2020-01-01") is None
    assert decide("except:") is None


def test_the_first_suppression_that_holds_wins() -> None:
    """A file-level directive that holds silences even where the line's comment expired."""
    verdict = decide("except:  # noqa: MG101 until=2020-01-01", file_lines=["# ruff: noqa: E722"])
    assert verdict is not None and verdict.silenced and verdict.note == "# ruff: noqa: E722"
    expired = decide(
        "except:  # noqa: MG101", file_lines=["# ruff: noqa: E722 until=2020-01-01", "x = 1"]
    )
    assert expired is not None and expired.silenced and expired.note == "# noqa: MG101"


def test_hygiene_applies_to_file_level_directives_too() -> None:
    expired = decide("except:", file_lines=["# flake8: noqa until=2020-01-01"])
    assert expired is not None and not expired.silenced
    assert expired.note == "suppression expired on 2020-01-01"
    reasonless = decide("except:", file_lines=["# ruff: noqa"], require_reason=True)
    assert reasonless is not None and not reasonless.silenced
    reasoned = decide("except:", file_lines=["# ruff: noqa -- generated"], require_reason=True)
    assert reasoned is not None and reasoned.silenced


def test_a_parse_error_is_never_silenced() -> None:
    finding = Finding(PARSE_ERROR.id, PARSE_ERROR.code, "a.py", 1, 1, 1, 1, "syntax error")
    suppressor = Suppressor(Settings(), lambda _: ["# flake8: noqa"])
    assert suppressor.verdict(finding, "def f(:  # noqa") is None


def test_noted_keeps_the_finding_and_adds_the_note() -> None:
    finding = our_finding("MG101")
    changed = noted(finding, "suppression expired on 2027-03-01")
    assert changed.message == "a message (suppression expired on 2027-03-01)"
    assert changed.astuple()[:7] == finding.astuple()[:7] and changed.tool == finding.tool


# --- settings ----------------------------------------------------------------------------------


def test_settings_are_validated_strictly() -> None:
    chosen = settings({"noqa-peers": False, "noqa-require-reason": True}, "pyproject.toml")
    assert (chosen.peers, chosen.require_reason, chosen.report_unused) == (False, True, False)
    assert settings({}, "x").peers and settings({"noqa-report-unused": True}, "x").opted_in() == {
        "unused-noqa"
    }
    with pytest.raises(ConfigError, match="`noqa-peers` must be true or false, not 'no'"):
        settings({"noqa-peers": "no"}, "pyproject.toml: [tool.mergegate]")
    for key in KEYS:
        if key.startswith("noqa-"):
            with pytest.raises(ConfigError, match=key):
                settings({key: 1}, "here")


def test_opt_in_rules_are_selected_only_when_asked_for() -> None:
    def selects(rule: str, code: str, **table: object) -> bool:
        keys = {key.replace("_", "-"): value for key, value in table.items()}
        return build(keys, "pyproject.toml", ".").is_selected(rule, code)

    assert not selects("unused-noqa", "MG002")
    assert selects("unused-noqa", "MG002", noqa_report_unused=True)
    assert not selects("unused-noqa", "MG002", noqa_report_unused=True, ignore=["MG002"])
    assert selects("unused-noqa", "MG002", select=["unused-noqa"])
    assert selects("unused-noqa", "MG002", select=["MG0"])
    assert not selects("unused-noqa", "MG002", noqa_report_unused=True, select=["bare-except"])
    assert selects("bare-except", "MG101")  # the others stay selected by default
