"""The documentation names the version being released (RELEASING.md, step 3): every install line,
pre-commit `rev:`, action `uses:` and image tag in README.md and docs/ is pyproject's version."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VERSION = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["version"]
PINS = re.compile(
    r"mergegate(?:\[\w+\])? @ git\+https://github\.com/mergegate/mergegate@v(?P<install>[\w.]+)"
    r"|rev: v(?P<rev>[\w.]+)"
    r"|uses: mergegate/mergegate@v(?P<action>[\w.]+)"
    r"|mergegate:(?P<image>\d[\w.]*)"
)


def test_every_documented_pin_is_this_version() -> None:
    found = []
    for path in [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]:
        for match in PINS.finditer(path.read_text()):
            kind = match.lastgroup
            found.append((path.name, kind, match[kind]))
    assert {kind for _, kind, _ in found} == {"install", "rev", "action", "image"}
    assert [pin for pin in found if pin[2] != VERSION] == []


def test_the_checklist_covers_every_step() -> None:
    text = (ROOT / "RELEASING.md").read_text()
    for step in ("pyproject.toml", "CHANGELOG.md", "git tag -a vX.Y.Z", "rev: vX.Y.Z", "v0"):
        assert step in text, step
