"""The README and the docs: their generated blocks are current, each block lives in a document,
and the two commands CI and users run are where `.ci/run` reads them."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from mergegate.gates.readme import DOCUMENTS, SECTIONS, main, regenerate, unplaced

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"


@pytest.mark.parametrize("document", DOCUMENTS)
def test_generated_blocks_are_current(document: str) -> None:
    text = (ROOT / document).read_text(encoding="utf-8")
    assert regenerate(text, document) == text, "run: python -m mergegate.gates.readme README.md"


def test_every_generated_block_lives_in_a_document() -> None:
    texts = [(ROOT / document).read_text(encoding="utf-8") for document in DOCUMENTS]
    assert unplaced(texts) == []


def test_the_generator_checks_and_writes_each_block_where_it_lives(tmp_path: Path) -> None:
    for name in (*DOCUMENTS, ".pre-commit-hooks.yaml"):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(ROOT / name, tmp_path / name)
    readme = str(tmp_path / "README.md")
    assert main([readme, "--check"]) == 0
    rules = tmp_path / "docs" / "rules.md"
    current = rules.read_text(encoding="utf-8")
    rules.write_text(current.replace("### bare-except", "### stale"), encoding="utf-8")
    assert main([readme, "--check"]) == 1
    assert main([readme]) == 0
    assert rules.read_text(encoding="utf-8") == current


def test_a_block_no_document_holds_is_an_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "README.md").write_text("<!-- hook-table:start -->\n<!-- hook-table:end -->\n")
    assert main([str(tmp_path / "README.md"), "--check"]) == 2
    err = capsys.readouterr().err
    assert all(f"<!-- {name}:start -->" in err for name in SECTIONS if name != "hook-table")
    assert "<!-- hook-table:start -->" not in err


def test_readme_links_each_rule_into_the_rule_reference() -> None:
    text = README.read_text(encoding="utf-8")
    assert "[`bare-except`](docs/rules.md#bare-except)" in text
    rules = (ROOT / "docs" / "rules.md").read_text(encoding="utf-8")
    assert "[`bare-except`](#bare-except)" in rules


def test_readme_has_the_two_commands_ci_and_users_run() -> None:
    text = README.read_text(encoding="utf-8")
    for marker in ("demo-command", "test-command"):
        match = re.search(rf"<!-- {marker} -->\n```sh\n(.+)\n```", text)
        assert match, marker
    ci = (README.parent / ".ci" / "run").read_text(encoding="utf-8")
    assert "<!-- test-command -->" in ci


def test_the_quick_start_comes_first() -> None:
    text = README.read_text(encoding="utf-8")
    headings = re.findall(r"^## (.+)$", text, re.MULTILINE)
    assert headings[0] == "Quick start"
    assert text.index("<!-- demo-command -->") < text.index("<!-- test-command -->")
