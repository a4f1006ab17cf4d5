"""Every Python rule against its `# ok` / `# error` fixtures in tests/fixtures/python/.

A fixture is named after its rule id (`bare-except.py`, or `bare-except__strict.py` for a variant
whose first line sets options); each line ending in `# error` must get exactly the findings it
names, and every other line none.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers import FIXTURES, check_python, fixture_expectations

from mergegate.hooks.registry import RULES

PYTHON_FIXTURES = sorted((FIXTURES / "python").glob("*.py"))


@pytest.mark.parametrize("path", PYTHON_FIXTURES, ids=lambda path: path.name)
def test_fixture(path: Path) -> None:
    rule_id = path.stem.split("__")[0]
    options, expected = fixture_expectations(path)
    findings = check_python(rule_id, path.read_text(encoding="utf-8"), path=path.name, **options)
    actual = sorted((finding.line, finding.code) for finding in findings)
    assert actual == sorted(expected)


def test_every_python_rule_has_a_fixture() -> None:
    python_rules = {rule.id for rule in RULES.values() if rule.scope == "python"}
    covered = {path.stem.split("__")[0] for path in PYTHON_FIXTURES}
    assert python_rules <= covered
