"""Every Python rule against its `# ok` / `# error` fixtures in tests/fixtures/python/.

A fixture is named after its rule id (`bare-except.py`, or `bare-except__strict.py` for a variant
whose first line sets options); each line ending in `# error` must get exactly the findings it
names, and every other line none. A marker may also pin a finding's range and message
(`# error: MG101 [1-7] "message"`, see helpers.parse_error_mark).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers import Expected, FIXTURES, check_python, fixture_expectations, parse_error_mark, unmet

from mergegate.hooks.finding import Finding
from mergegate.hooks.registry import RULES

PYTHON_FIXTURES = sorted((FIXTURES / "python").glob("*.py"))


@pytest.mark.parametrize("path", PYTHON_FIXTURES, ids=lambda path: path.name)
def test_fixture(path: Path) -> None:
    rule_id = path.stem.split("__")[0]
    options, expected = fixture_expectations(path)
    findings = check_python(rule_id, path.read_text(encoding="utf-8"), path=path.name, **options)
    actual = sorted((finding.line, finding.code) for finding in findings)
    assert actual == sorted((expectation.line, expectation.code) for expectation in expected)
    assert unmet(expected, findings) == []


def test_every_python_rule_has_a_fixture() -> None:
    python_rules = {rule.id for rule in RULES.values() if rule.scope == "python"}
    covered = {path.stem.split("__")[0] for path in PYTHON_FIXTURES}
    assert python_rules <= covered


def test_pinned_ranges_and_messages_are_used_where_fixtures_have_findings() -> None:
    """Each fixture with findings pins the range and message of some of them (the
    global-singleton-without-lock fixtures pin theirs in their own test module)."""
    for path in PYTHON_FIXTURES:
        _, expected = fixture_expectations(path)
        if expected and not path.name.startswith("global-singleton-without-lock"):
            assert any(e.span and e.message for e in expected), path.name


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("except:  # error", [Expected(9, "MG101")]),
        ("pp({})  # error: MG302 x2", [Expected(9, "MG302")] * 2),
        ("except:  # error [1-7]", [Expected(9, "MG101", (9, 1, 9, 7))]),
        ("x  # error: MG201 [9:5-10:3]", [Expected(9, "MG201", (9, 5, 10, 3))]),
        (
            'except:  # error: MG101 [1-7] "say \\"which\\": `x`"',
            [Expected(9, "MG101", (9, 1, 9, 7), 'say "which": `x`')],
        ),
        ('print(print())  # error "m" x2', [Expected(9, "MG101", None, "m")] * 2),
        ("except Exception:  # ok", []),
    ],
)
def test_error_markers_are_read(line: str, expected: list[Expected]) -> None:
    assert parse_error_mark(line, 9, "MG101") == expected


def test_a_malformed_range_is_an_error() -> None:
    with pytest.raises(ValueError, match="a range is"):
        parse_error_mark("x  # error [1:7]", 9, "MG101")


def test_a_pinned_range_or_message_that_differs_is_unmet() -> None:
    finding = Finding("bare-except", "MG101", "a.py", 9, 1, 9, 7, "the message")
    assert unmet([Expected(9, "MG101", (9, 1, 9, 7), "the message")], [finding]) == []
    wrong_range = Expected(9, "MG101", (9, 1, 9, 8))
    wrong_message = Expected(9, "MG101", message="another message")
    assert unmet([wrong_range], [finding]) == [wrong_range]
    assert unmet([wrong_message], [finding]) == [wrong_message]
    assert unmet([Expected(9, "MG101")] * 2, [finding]) == [Expected(9, "MG101")]
