"""The fixes of secrets-documented through `mergegate run --fix`: an entry for each undocumented
secret in the document's own style (table row, list item, heading, line), the document written
when there is none, a stale entry removed (unsafe, and only when every use can be checked)."""

from __future__ import annotations

import subprocess
import textwrap
from pathlib import Path

import pytest

from mergegate.gates.cli import main
from mergegate.hooks.secrets_document import read_document

DOCS = ".github/SECRETS.md"
WORKFLOW = """\
    on: push
    jobs:
      release:
        runs-on: ubuntu-latest
        steps:
          - run: publish --token "${{ secrets.PYPI_TOKEN }}"
          - run: notify "${{ secrets.SLACK_HOOK }}" "${{ secrets.PYPI_TOKEN }}"
    """


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = tmp_path / "repo"
    (root / ".github" / "workflows").mkdir(parents=True)
    subprocess.run(["git", "init", "-q", "-b", "main"], cwd=root, check=True)
    (root / "pyproject.toml").write_text('[tool.mergegate]\nfail-on = "never"\n')
    (root / ".github" / "workflows" / "release.yml").write_text(textwrap.dedent(WORKFLOW))
    monkeypatch.chdir(root)
    return root


def fix(repo: Path, document: str | None, *options: str) -> str:
    """The secrets document after `mergegate run --fix OPTIONS`; the fixed tree has no MG601."""
    if document is not None:
        (repo / DOCS).write_text(textwrap.dedent(document))
    main(["run", "--fix", "--no-cache", "--select", "secrets-documented", *options])
    assert main(["run", "--diff", "--no-cache", "--select", "MG601"]) == 0  # settled
    return (repo / DOCS).read_text()


def test_a_missing_document_is_written_as_a_table(repo: Path) -> None:
    text = fix(repo, None)
    assert text == (
        "# Secrets\n\nThe secrets the workflows read, one entry each.\n\n"
        "| Secret | What it is for |\n| --- | --- |\n"
        "| `PYPI_TOKEN` | TODO: what it is for, who rotates it; used by `release.yml` |\n"
        "| `SLACK_HOOK` | TODO: what it is for, who rotates it; used by `release.yml` |\n"
    )
    assert [entry.name for entry in read_document(text).entries] == ["PYPI_TOKEN", "SLACK_HOOK"]


def test_a_table_gets_a_row_with_its_columns(repo: Path) -> None:
    document = """\
        # Secrets

        | Use | Name | Rotation |
        |-----|------|----------|
        | uploads | `PYPI_TOKEN` | yearly |

        Ask the release team.
        """
    assert fix(repo, document) == textwrap.dedent("""\
        # Secrets

        | Use | Name | Rotation |
        |-----|------|----------|
        | uploads | `PYPI_TOKEN` | yearly |
        | TODO: what it is for, who rotates it; used by `release.yml` | `SLACK_HOOK` |  |

        Ask the release team.
        """)


def test_a_list_gets_an_item_with_its_marker(repo: Path) -> None:
    document = """\
        Secrets:

        * `PYPI_TOKEN`: uploads
          to PyPI
        """
    assert fix(repo, document) == textwrap.dedent("""\
        Secrets:

        * `PYPI_TOKEN`: uploads
          to PyPI
        * `SLACK_HOOK`: TODO: what it is for, who rotates it; used by `release.yml`
        """)


def test_headings_get_a_section_at_their_level(repo: Path) -> None:
    document = """\
        # Secrets

        ### PYPI_TOKEN

        Uploads.
        """
    assert fix(repo, document).endswith(
        "Uploads.\n\n### `SLACK_HOOK`\n\nTODO: what it is for, who rotates it; used by"
        " `release.yml`\n"
    )


def test_a_document_without_entries_gets_a_table_after_its_text(repo: Path) -> None:
    text = fix(repo, "# Secrets\n\nNone yet.\n\n\n")
    assert text.startswith("# Secrets\n\nNone yet.\n\n| Secret | What it is for |\n")
    assert text.endswith("`release.yml` |\n\n\n")


def test_line_breaks_and_workflow_names_stay_what_they_are(repo: Path) -> None:
    (repo / ".github" / "workflows" / "a`b|c.yml").write_text(
        "on: push\njobs:\n  j:\n    steps:\n      - run: x ${{ secrets.ODD_ONE }}\n"
    )
    (repo / DOCS).write_bytes(b"- PYPI_TOKEN\r\n- SLACK_HOOK\r\n")
    main(["run", "--fix", "--no-cache"])
    assert (repo / DOCS).read_bytes() == (
        b"- PYPI_TOKEN\r\n- SLACK_HOOK\r\n"
        b"- `ODD_ONE`: TODO: what it is for, who rotates it; used by ``a`b|c.yml``\r\n"
    )


def test_a_document_folder_is_created_inside_the_repository(repo: Path) -> None:
    with (repo / "pyproject.toml").open("a") as config:
        config.write('[tool.mergegate.rules.secrets-documented]\ndocs = "docs/ops/SECRETS.md"\n')
    main(["run", "--fix", "--no-cache"])
    assert "`SLACK_HOOK`" in (repo / "docs" / "ops" / "SECRETS.md").read_text()


def test_a_stale_entry_is_removed_only_with_unsafe_fixes(repo: Path) -> None:
    document = """\
        # Secrets

        ## PYPI_TOKEN

        Uploads.

        ## OLD_TOKEN

        Gone since 2023.

        ## SLACK_HOOK

        Alerts.
        """
    assert fix(repo, document) == textwrap.dedent(document)
    assert fix(repo, document, "--unsafe-fixes") == textwrap.dedent("""\
        # Secrets

        ## PYPI_TOKEN

        Uploads.

        ## SLACK_HOOK

        Alerts.
        """)


def test_a_stale_entry_sharing_its_line_or_uncheckable_uses_keep_it(repo: Path) -> None:
    shared = "- PYPI_TOKEN, OLD_TOKEN: both\n- SLACK_HOOK\n"
    assert fix(repo, shared, "--unsafe-fixes") == shared
    (repo / ".github" / "workflows" / "all.yml").write_text(
        "on: push\njobs:\n  j:\n    steps:\n      - run: echo '${{ toJSON(secrets) }}'\n"
    )
    alone = "- PYPI_TOKEN\n- OLD_TOKEN\n- SLACK_HOOK\n"
    assert fix(repo, alone, "--unsafe-fixes") == alone


def test_the_fix_is_reported_in_the_json_report_of_each_finding(repo: Path) -> None:
    import json

    main(["run", "--no-cache", "--format", "json:out.json"])
    findings = json.loads(Path("out.json").read_text())["findings"]
    fixes = [f["fix"] for f in findings if f["code"] == "MG601"]
    assert len(fixes) == 3 and fixes[0] == fixes[1] == fixes[2]
    assert fixes[0]["path"] == DOCS and fixes[0]["safety"] == "safe"
    assert fixes[0]["edits"][0]["line"] == 1 and fixes[0]["edits"][0]["column"] == 1
