"""The README's reference sections are generated from the code and must be current."""

from __future__ import annotations

import re
from pathlib import Path

from mergegate.gates.readme import regenerate

README = Path(__file__).resolve().parents[1] / "README.md"


def test_readme_reference_sections_are_current() -> None:
    text = README.read_text(encoding="utf-8")
    assert regenerate(text) == text, "run: python -m mergegate.gates.readme README.md"


def test_readme_has_the_two_commands_ci_and_users_run() -> None:
    text = README.read_text(encoding="utf-8")
    for marker in ("demo-command", "test-command"):
        match = re.search(rf"<!-- {marker} -->\n```sh\n(.+)\n```", text)
        assert match, marker
    ci = (README.parent / ".ci" / "run").read_text(encoding="utf-8")
    assert "<!-- test-command -->" in ci
