"""secrets-documented on sample repositories built in tmp_path: each use form, the document's
entry forms, stale entries, forms that cannot be checked, reusable workflows, bad input, and the
hook's command line."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mergegate.hooks import secrets_documented
from mergegate.hooks.finding import Finding, InputError
from mergegate.hooks.registry import SECRETS_DOCUMENTED
from mergegate.hooks.secrets_document import read_document
from mergegate.hooks.secrets_documented import check, main, references
from mergegate.hooks.textfile import MAX_DEPTH

WORKFLOW = ".github/workflows/ci.yml"
DOCS = ".github/SECRETS.md"


def make_repo(root: Path, files: dict[str, str | bytes]) -> Path:
    for path, content in files.items():
        target = root / path
        target.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, str):
            target.write_bytes(textwrap.dedent(content).encode("utf-8"))
        else:
            target.write_bytes(content)
    return root


def run(root: Path, files: dict[str, str | bytes], **options: object) -> list[Finding]:
    make_repo(root, files)
    merged = SECRETS_DOCUMENTED.default_options()
    merged.update(options)
    return check(str(root), merged)


def summary(findings: list[Finding]) -> list[tuple[str, str, int, int]]:
    """(code, path, line, column) of each finding, in report order."""
    return [(f.code, f.path, f.line, f.column) for f in sorted(findings, key=Finding.sort_key)]


def undocumented(findings: list[Finding]) -> list[str]:
    """The secret names of the MG601 findings, from their messages, in report order."""
    return [f.message.split("`")[1] for f in findings if f.code == "MG601"]


def column_of(text: str, line: int, snippet: str) -> int:
    return textwrap.dedent(text).splitlines()[line - 1].index(snippet) + 1


# Use forms -----------------------------------------------------------------------------------


USES = """\
    on: push
    env:
      SPACED: ${{ secrets.SPACED }}
      TIGHT: ${{secrets.TIGHT}}
      EITHER: ${{ secrets.FIRST || secrets.SECOND }}
      QUOTED: "${{ secrets['QUOTED'] }}"
      DOUBLE: ${{ secrets["DOUBLE"] }}
    jobs:
      build:
        runs-on: ubuntu-latest
        if: ${{ secrets.JOB_IF != '' }}
        steps:
          - if: secrets.BARE_IF != ''
            run: echo hi
          - uses: actions/setup@v1
            with:
              token: ${{ secrets.WITH }}
              label: 'literal ${{ secrets.SINGLE_QUOTED }} text'
"""


def test_each_use_form_is_found_at_its_text(tmp_path: Path) -> None:
    findings = run(tmp_path, {WORKFLOW: USES, DOCS: "# Secrets\n"})
    assert undocumented(findings) == [
        "SPACED",
        "TIGHT",
        "FIRST",
        "SECOND",
        "QUOTED",
        "DOUBLE",
        "JOB_IF",
        "BARE_IF",
        "WITH",
        "SINGLE_QUOTED",
    ]
    positions = {f.message.split("`")[1]: (f.line, f.column, f.end_column) for f in findings}
    assert positions["SPACED"] == (3, column_of(USES, 3, "secrets."), column_of(USES, 3, " }}"))
    assert positions["TIGHT"][:2] == (4, column_of(USES, 4, "secrets."))
    assert positions["SECOND"][:2] == (5, column_of(USES, 5, "secrets.SECOND"))
    assert positions["QUOTED"] == (6, column_of(USES, 6, "secrets["), column_of(USES, 6, " }}"))
    assert positions["BARE_IF"][:2] == (13, column_of(USES, 13, "secrets."))
    assert positions["SINGLE_QUOTED"][:2] == (18, column_of(USES, 18, "secrets."))
    assert all(f.end_line == f.line for f in findings)


def test_documented_uses_pass_and_names_ignore_case(tmp_path: Path) -> None:
    docs = """\
        # Secrets
        - `spaced`, `TIGHT` and `First`: a few
        - `SECOND` / `quoted` & `Double` or `JOB_IF`
        - `bare_if`
        - `WITH`
        - `SINGLE_QUOTED`
    """
    assert run(tmp_path, {WORKFLOW: USES, DOCS: docs}) == []


def test_a_use_may_spell_the_context_and_the_name_in_any_case(tmp_path: Path) -> None:
    workflow = "on: push\nenv:\n  A: ${{ SECRETS.Deploy_Key }}\n  B: ${{ Secrets . deploy_key }}\n"
    findings = run(tmp_path, {WORKFLOW: workflow, DOCS: "- `DEPLOY_KEY`\n"})
    assert findings == []
    findings = run(tmp_path, {WORKFLOW: workflow, DOCS: "- `OTHER`\n"})
    assert summary(findings) == [
        ("MG602", DOCS, 1, 4),
        ("MG601", WORKFLOW, 3, 10),
        ("MG601", WORKFLOW, 4, 10),
    ]


def test_github_token_is_implicit(tmp_path: Path) -> None:
    workflow = """\
        on: push
        env:
          A: ${{ secrets.GITHUB_TOKEN }}
          B: ${{ secrets.github_token }}
          C: ${{ secrets['GitHub_Token'] }}
    """
    assert run(tmp_path, {WORKFLOW: workflow, DOCS: "# Secrets\n"}) == []
    assert run(tmp_path, {WORKFLOW: workflow, DOCS: "- `GITHUB_TOKEN`: implicit\n"}) == []
    assert run(tmp_path, {WORKFLOW: "on: push\n", DOCS: "- `github_token`\n"}) == []


def test_yaml_comments_are_not_uses_but_shell_comments_in_run_blocks_are(tmp_path: Path) -> None:
    workflow = """\
        # ${{ secrets.FILE_COMMENT }}
        on: push  # ${{ secrets.TRAILING_COMMENT }}
        jobs:
          build:
            runs-on: ubuntu-latest
            steps:
              - run: |  # ${{ secrets.HEADER_COMMENT }}
                  echo build
                  # echo ${{ secrets.SHELL_COMMENT }}
              # ${{ secrets.BETWEEN_STEPS }}
              - run: "echo '#' ${{ secrets.AFTER_HASH }}"  # ${{ secrets.AFTER_STRING }}
              - run: echo a#${{ secrets.GLUED_HASH }}
    """
    findings = run(tmp_path, {WORKFLOW: workflow, DOCS: "# Secrets\n"})
    assert undocumented(findings) == ["SHELL_COMMENT", "AFTER_HASH", "GLUED_HASH"]
    assert summary(findings)[0] == ("MG601", WORKFLOW, 9, column_of(workflow, 9, "secrets."))


def test_text_that_is_not_an_expression_is_not_a_use(tmp_path: Path) -> None:
    workflow = """\
        on: push
        jobs:
          build:
            runs-on: ubuntu-latest
            steps:
              - run: echo secrets.PLAIN_TEXT $secrets
                env:
                  LITERAL: ${{ 'secrets.IN_A_STRING' }}
                  PROPERTY: ${{ inputs.secrets }} ${{ github.event.secrets.NESTED }}
                  NAMES: ${{ my-secrets.X }} ${{ secrets_x.Y }} ${{ 0x1f }}
                  BRACES: ${{ format('}}', github.ref) }} secrets.AFTER_EXPRESSION
                with:
                  if: secrets.INPUT_NAMED_IF
    """
    assert run(tmp_path, {WORKFLOW: workflow, DOCS: "# Secrets\n"}) == []


def test_quoted_conditions_are_placed_inside_their_quotes(tmp_path: Path) -> None:
    workflow = """\
        on: push
        jobs:
          a:
            if: 'secrets.SINGLE != '''''
            runs-on: x
            steps:
              - if: "secrets.DOUBLE != ''"
                run: echo
    """
    findings = run(tmp_path, {WORKFLOW: workflow, DOCS: "# S\n"})
    assert summary(findings) == [
        ("MG601", WORKFLOW, 4, column_of(workflow, 4, "secrets.")),
        ("MG601", WORKFLOW, 7, column_of(workflow, 7, "secrets.")),
    ]


def test_impossible_names_say_so(tmp_path: Path) -> None:
    workflow = "on: push\nenv:\n  A: ${{ secrets.MY-KEY }} ${{ secrets['my key'] }}\n"
    findings = run(tmp_path, {WORKFLOW: workflow, DOCS: "- `MY_KEY`\n- `my key`\n"})
    assert [(f.code, f.message.split(" cannot")[0]) for f in findings] == [
        ("MG602", "`MY_KEY` is documented but no workflow uses it; remove the entry"),
        ("MG601", "`MY-KEY`"),
        ("MG601", "`my key`"),
    ]
    assert findings[1].message.endswith("this reads an empty value")


def test_escaped_value_is_reported_at_its_scalar(tmp_path: Path) -> None:
    workflow = 'on: push\nenv:\n  A: "\\x24{{ secrets.ESCAPED }}"\n'
    findings = run(tmp_path, {WORKFLOW: workflow, DOCS: "# Secrets\n"})
    assert summary(findings) == [("MG601", WORKFLOW, 3, 6)]
    assert undocumented(findings) == ["ESCAPED"]


def test_multi_line_plain_scalar_places_each_use(tmp_path: Path) -> None:
    workflow = "on: push\nenv:\n  A: ${{ secrets.ONE ||\n    secrets.TWO }}\n"
    findings = run(tmp_path, {WORKFLOW: workflow, DOCS: "# Secrets\n"})
    assert summary(findings) == [("MG601", WORKFLOW, 3, 10), ("MG601", WORKFLOW, 4, 5)]


def test_references_of_an_expression_text() -> None:
    assert references("${{ secrets.A || secrets.B }}", False) == [
        ("named", "A", 4, 13),
        ("named", "B", 17, 26),
    ]
    assert references("${{ secrets['it''s'] }}", False) == [("named", "it's", 4, 20)]
    assert references("secrets.A", False) == []
    assert references("secrets.A", True) == [("named", "A", 0, 9)]
    assert references("${{ secrets.X-Y }}", False) == [("named", "X-Y", 4, 15)]
    assert [kind for kind, *_ in references("${{ toJSON(secrets) }}", False)] == ["context"]
    assert [kind for kind, *_ in references("${{ secrets.* }}", False)] == ["context"]
    assert [kind for kind, *_ in references("${{ secrets[inputs.name] }}", False)] == ["index"]
    assert references("${{ 'a }} b' }} ${{ secrets.C", False) == [("named", "C", 20, 29)]
    assert references("${{ format('it''s }}', secrets.D) }}", False) == [("named", "D", 23, 32)]


# Findings MG602 and MG603 ---------------------------------------------------------------------


def test_stale_entries_are_reported_at_their_line(tmp_path: Path) -> None:
    docs = """\
        # Secrets

        - `PYPI_TOKEN`: uploads
        - `OLD_DEPLOY_KEY`: the old host
    """
    workflow = "on: push\nenv:\n  T: ${{ secrets.PYPI_TOKEN }}\n"
    findings = run(tmp_path, {WORKFLOW: workflow, DOCS: docs})
    assert summary(findings) == [("MG602", DOCS, 4, 4)]
    assert findings[0].end_column == 4 + len("OLD_DEPLOY_KEY")
    assert "OLD_DEPLOY_KEY" in findings[0].message and "unless" not in findings[0].message


def test_unchecked_forms_are_reported_and_qualify_stale_entries(tmp_path: Path) -> None:
    workflow = """\
        on: push
        env:
          ALL: ${{ toJSON(secrets) }}
          SOME: ${{ secrets[matrix.name] }}
        jobs:
          call:
            uses: octo/shared/.github/workflows/deploy.yml@v1
            secrets: inherit
    """
    findings = run(tmp_path, {WORKFLOW: workflow, DOCS: "- `MAYBE_USED`\n"})
    assert summary(findings) == [
        ("MG602", DOCS, 1, 4),
        ("MG603", WORKFLOW, 3, column_of(workflow, 3, "secrets")),
        ("MG603", WORKFLOW, 4, column_of(workflow, 4, "secrets")),
        ("MG603", WORKFLOW, 8, column_of(workflow, 8, "inherit")),
    ]
    stale = findings[0]
    assert stale.message.endswith(f"(unless it is read where uses cannot be checked: {WORKFLOW}:3)")
    assert "toJSON(secrets)" in findings[1].message
    assert "computed name" in findings[2].message
    assert "octo/shared/.github/workflows/deploy.yml@v1" in findings[3].message


def test_unchecked_forms_are_reported_without_a_document(tmp_path: Path) -> None:
    workflow = "on: push\nenv:\n  ALL: ${{ toJSON(secrets) }}\n"
    assert [f.code for f in run(tmp_path, {WORKFLOW: workflow})] == ["MG603"]


# Reusable workflows -------------------------------------------------------------------------


CALLEE = """\
    on:
      workflow_call:
        secrets:
          DEPLOY_KEY:
            required: true
    jobs:
      deploy:
        runs-on: ubuntu-latest
        steps:
          - run: deploy
            env:
              KEY: ${{ secrets.DEPLOY_KEY }}
              EXTRA: ${{ secrets.UNDECLARED }}
"""


def test_declared_inputs_of_a_reusable_workflow_are_not_repository_secrets(tmp_path: Path) -> None:
    caller = """\
        on: push
        jobs:
          call:
            uses: ./.github/workflows/deploy.yml
            secrets:
              DEPLOY_KEY: ${{ secrets.PROD_DEPLOY_KEY }}
    """
    files = {WORKFLOW: caller, ".github/workflows/deploy.yml": CALLEE, DOCS: "# Secrets\n"}
    findings = run(tmp_path, files)
    assert undocumented(findings) == ["PROD_DEPLOY_KEY", "UNDECLARED"]
    findings = run(tmp_path, {**files, DOCS: "- `DEPLOY_KEY`: input of deploy.yml\n"})
    assert undocumented(findings) == ["PROD_DEPLOY_KEY", "UNDECLARED"]  # the entry is not stale


def test_declared_inputs_read_repository_secrets_under_other_triggers(tmp_path: Path) -> None:
    callee = CALLEE.replace("    workflow_call:", "    workflow_dispatch:\n      workflow_call:")
    findings = run(tmp_path, {".github/workflows/deploy.yml": callee, DOCS: "# Secrets\n"})
    assert undocumented(findings) == ["DEPLOY_KEY", "UNDECLARED"]


def test_local_inherit_makes_declared_inputs_repository_secrets(tmp_path: Path) -> None:
    caller = """\
        on: push
        jobs:
          call:
            uses: ./.github/workflows/deploy.yml
            secrets: inherit
    """
    files = {WORKFLOW: caller, ".github/workflows/deploy.yml": CALLEE, DOCS: "- `STALE`\n"}
    findings = run(tmp_path, files)
    assert summary(findings) == [
        ("MG602", DOCS, 1, 4),
        ("MG603", WORKFLOW, 5, column_of(caller, 5, "inherit")),
        ("MG601", ".github/workflows/deploy.yml", 12, column_of(CALLEE, 12, "secrets.")),
        ("MG601", ".github/workflows/deploy.yml", 13, column_of(CALLEE, 13, "secrets.")),
    ]
    assert "unless" not in findings[0].message  # the callee is checked, so nothing is unknown
    assert "./.github/workflows/deploy.yml" in findings[1].message


# The document -------------------------------------------------------------------------------


def test_document_entry_positions_with_crlf(tmp_path: Path) -> None:
    docs = b"# Secrets\r\n\r\n| Name | Use |\r\n|---|---|\r\n| `OLD` | x |\r\n"
    findings = run(tmp_path, {WORKFLOW: "on: push\n", DOCS: docs})
    assert summary(findings) == [("MG602", DOCS, 5, 4)]


BARE_DOCS = """\
    # Secrets

    ## NPM_TOKEN

    Publishes to npm; rotate the token every month.

    ### PYPI_TOKEN (required)

    - **DEPLOY_KEY**: SSH key of the deploy host
    - OLD_DEPLOY_KEY: the host we left

    SENTRY
    ------

    NOTE: set NPM_TOKEN before you publish.
"""


def test_bare_names_document_uses_and_stale_ones_are_reported(tmp_path: Path) -> None:
    workflow = """\
        on: push
        env:
          A: ${{ secrets.NPM_TOKEN }}
          B: ${{ secrets.pypi_token }}
          C: ${{ secrets.DEPLOY_KEY }}
          D: ${{ secrets.Sentry }}
    """
    findings = run(tmp_path, {WORKFLOW: workflow, DOCS: BARE_DOCS})
    assert summary(findings) == [("MG602", DOCS, 10, 3)]  # NOTE is a word, not an entry
    assert findings[0].end_column == 3 + len("OLD_DEPLOY_KEY")
    assert "`OLD_DEPLOY_KEY` is documented but no workflow uses it" in findings[0].message


def test_bare_capitals_without_underscore_document_only_a_used_name(tmp_path: Path) -> None:
    workflow = "on: push\nenv:\n  A: ${{ secrets.SENTRY }}\n"
    assert run(tmp_path, {WORKFLOW: workflow, DOCS: "- SENTRY: errors\n- CODECOV: old\n"}) == []


def test_prose_mention_is_named_in_the_message(tmp_path: Path) -> None:
    docs = "# Secrets\n\nThe release job needs PYPI_TOKEN.\n"
    workflow = "on: push\nenv:\n  T: ${{ secrets.pypi_token }}\n"
    findings = run(tmp_path, {WORKFLOW: workflow, DOCS: docs})
    assert [f.code for f in findings] == ["MG601"]
    assert "mentioned on line 3 of .github/SECRETS.md but not as an entry" in findings[0].message


def test_missing_document_makes_every_use_a_finding(tmp_path: Path) -> None:
    workflow = "on: push\nenv:\n  A: ${{ secrets.A }}\n  B: ${{ secrets.B }}\n"
    findings = run(tmp_path, {WORKFLOW: workflow})
    assert summary(findings) == [("MG601", WORKFLOW, 3, 10), ("MG601", WORKFLOW, 4, 10)]
    assert all(
        "the secrets document .github/SECRETS.md does not exist" in f.message for f in findings
    )


def test_missing_document_without_uses_is_fine(tmp_path: Path) -> None:
    workflow = "on: push\nenv:\n  A: ${{ secrets.GITHUB_TOKEN }}\n"
    assert run(tmp_path, {WORKFLOW: workflow}) == []


def test_no_workflows_no_findings(tmp_path: Path) -> None:
    assert run(tmp_path, {DOCS: "- `UNUSED`\n"}) == []
    assert run(tmp_path, {".github/workflows/README.md": "${{ secrets.X }}", DOCS: "x"}) == []


def test_only_yml_and_yaml_files_directly_in_the_folder_are_workflows(tmp_path: Path) -> None:
    use = "on: push\nenv:\n  A: ${{ secrets.A }}\n"
    findings = run(
        tmp_path,
        {
            ".github/workflows/a.yml": use,
            ".github/workflows/b.yaml": use,
            ".github/workflows/c.json": use,
            ".github/workflows/nested/d.yml": use,
            ".github/workflows/folder.yml/e.yml": use,
            DOCS: "# Secrets\n",
        },
    )
    assert [f.path for f in findings] == [".github/workflows/a.yml", ".github/workflows/b.yaml"]


def test_custom_docs_option(tmp_path: Path) -> None:
    workflow = "on: push\nenv:\n  A: ${{ secrets.A }}\n"
    files = {WORKFLOW: workflow, "docs/secrets.md": "- `A`\n- `GONE`\n"}
    findings = run(tmp_path, files, docs="docs/secrets.md")
    assert summary(findings) == [("MG602", "docs/secrets.md", 2, 4)]


# Bad input ----------------------------------------------------------------------------------


def test_broken_yaml_is_a_parse_error_and_other_files_are_still_checked(tmp_path: Path) -> None:
    broken = "on: push\njobs:\n  build:\n    steps: [a, b\n    env: ${{ secrets.X }}\n"
    other = "on: push\nenv:\n  A: ${{ secrets.A }}\n"
    files = {".github/workflows/a.yml": broken, ".github/workflows/b.yml": other}
    findings = run(tmp_path, {**files, DOCS: "- `STALE`\n"})
    assert [(f.rule, f.path, f.line) for f in findings] == [
        ("secrets-documented", DOCS, 1),
        ("parse-error", ".github/workflows/a.yml", 5),
        ("secrets-documented", ".github/workflows/b.yml", 3),
    ]
    assert findings[1].code == "MG001" and findings[1].message.startswith("invalid YAML: ")
    assert findings[0].message.endswith("cannot be checked: .github/workflows/a.yml:5)")


def test_broken_yaml_lines_are_right_with_crlf(tmp_path: Path) -> None:
    broken = b"on: push\r\nenv:\r\n  A: ok\r\n  B: [\r\n"
    findings = run(tmp_path, {WORKFLOW: broken})
    assert [(f.rule, f.line) for f in findings] == [("parse-error", 5)]
    mapping_error = b"on: push\r\nenv:\r\n  A: b: c\r\n"
    findings = run(tmp_path, {WORKFLOW: mapping_error})
    assert [(f.rule, f.line, f.column) for f in findings] == [("parse-error", 3, 7)]


def test_crlf_and_bom_give_right_positions(tmp_path: Path) -> None:
    workflow = b"\xef\xbb\xbfon: push\r\nenv:\r\n  A: |\r\n    x\r\n    ${{ secrets.A }}\r\n"
    findings = run(tmp_path, {WORKFLOW: workflow, DOCS: "# S\n"})
    assert summary(findings) == [("MG601", WORKFLOW, 5, 9)]
    lone_cr = b"on: push\renv:\r  A: ${{ secrets.A }}\r"
    assert summary(run(tmp_path, {WORKFLOW: lone_cr})) == [("MG601", WORKFLOW, 3, 10)]


def test_non_ascii_text_counts_columns_in_characters(tmp_path: Path) -> None:
    workflow = 'on: push\nenv:\n  A: "é😀 ${{ secrets.A }}"\n'
    findings = run(tmp_path, {WORKFLOW: workflow, DOCS: "# S\n"})
    assert summary(findings) == [("MG601", WORKFLOW, 3, 14)]
    assert workflow.splitlines()[2].index("secrets") + 1 == 14


def test_undecodable_and_forbidden_characters_are_parse_errors(tmp_path: Path) -> None:
    files = {
        ".github/workflows/a.yml": b"on: push\nname: caf\xe9\n",
        ".github/workflows/b.yml": b"on: push\nname: \x07\n",
    }
    findings = run(tmp_path, files)
    assert [(f.rule, f.path, f.line) for f in findings] == [
        ("parse-error", ".github/workflows/a.yml", 2),
        ("parse-error", ".github/workflows/b.yml", 2),
    ]
    assert "UTF-8" in findings[0].message


def test_undecodable_document_is_a_parse_error(tmp_path: Path) -> None:
    workflow = "on: push\nenv:\n  A: ${{ secrets.A }}\n"
    findings = run(tmp_path, {WORKFLOW: workflow, DOCS: b"- `A`\n- caf\xe9\n"})
    assert [(f.rule, f.path, f.line) for f in findings] == [("parse-error", DOCS, 2)]


def test_yaml_aliases_and_recursion_are_handled(tmp_path: Path) -> None:
    workflow = """\
        on: push
        env: &shared
          A: ${{ secrets.A }}
          self: *shared
        jobs:
          build:
            env: *shared
    """
    findings = run(tmp_path, {WORKFLOW: workflow, DOCS: "# S\n"})
    assert summary(findings) == [("MG601", WORKFLOW, 3, 10)]  # once, though reached three ways
    undefined = "on: push\nenv:\n  A: *nowhere\n"
    findings = run(tmp_path, {WORKFLOW: undefined})
    assert [(f.rule, f.line, f.column) for f in findings] == [("parse-error", 3, 6)]
    assert "undefined alias" in findings[0].message
    across_documents = "on: push\nenv: &shared\n  A: x\n---\nenv: *shared\n"
    findings = run(tmp_path, {WORKFLOW: across_documents})
    assert [(f.rule, f.line) for f in findings] == [("parse-error", 5)]


def test_deep_nesting_neither_crashes_nor_hides_uses(tmp_path: Path) -> None:
    """Uses nested as deep as the YAML limit are found; deeper nesting is a parse-error (which
    blocks), never a crash (PyYAML's C composer before 6.0.4 killed the interpreter from about
    40,000 levels) and never a pass."""
    inner = MAX_DEPTH - 1  # under the top-level mapping
    block = "on: push\nenv:\n  " + "- " * inner + "'${{ secrets.DEEP_BLOCK }}'\n"
    flow = "on: push\nenv: " + "[{a: " * (inner // 2) + "'${{ secrets.DEEP_FLOW }}'"
    flow += "}]" * (inner // 2)
    files = {".github/workflows/block.yml": block, ".github/workflows/flow.yml": flow}
    assert undocumented(run(tmp_path, files)) == ["DEEP_BLOCK", "DEEP_FLOW"]
    deeper = "on: push\nenv:\n  " + "- " * 60_000 + "'${{ secrets.DEEPER }}'\n"
    findings = run(tmp_path, {".github/workflows/deeper.yml": deeper})
    assert [(f.rule, f.path, f.message) for f in findings if f.rule == "parse-error"] == [
        (
            "parse-error",
            ".github/workflows/deeper.yml",
            "cannot parse the file: nesting too deep for the YAML parser",
        )
    ]


def test_unreadable_inputs_are_input_errors(tmp_path: Path) -> None:
    make_repo(tmp_path, {WORKFLOW: "on: push\n"})
    (tmp_path / "folder.md").mkdir()
    with pytest.raises(InputError, match="is a directory"):
        check(str(tmp_path), {"docs": "folder.md"})
    if hasattr(os, "geteuid") and os.geteuid() != 0:
        (tmp_path / WORKFLOW).chmod(0)
        try:
            with pytest.raises(InputError, match="cannot read"):
                check(str(tmp_path), {"docs": DOCS})
        finally:
            (tmp_path / WORKFLOW).chmod(0o644)


# The command line ---------------------------------------------------------------------------


DIRTY = {
    WORKFLOW: "on: push\nenv:\n  A: ${{ secrets.A }}\n  B: ${{ secrets.B }}\n",
    DOCS: "- `A`\n- `OLD`\n",
}


BLOCK_ON_P3 = "[tool.mergegate]\nfail-on = 'P3'\n"
"""A project that blocks on every tier: the hook exits 1 on any finding, as the gate would."""


def test_main_prints_findings_and_exits_1(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    make_repo(tmp_path, {**DIRTY, "pyproject.toml": BLOCK_ON_P3})
    monkeypatch.chdir(tmp_path)
    assert main([]) == 1
    out = capsys.readouterr().out.splitlines()
    assert out == [
        ".github/SECRETS.md:2:4: MG602 `OLD` is documented but no workflow uses it; "
        "remove the entry",
        ".github/workflows/ci.yml:4:10: MG601 secret `B` is not named in .github/SECRETS.md; "
        f"add an entry: {secrets_documented.ENTRY_HINT}",
    ]


def test_main_root_argument_and_clean_exit(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    make_repo(tmp_path / "repo", {**DIRTY, DOCS: "- `A`\n- `B`\n"})
    monkeypatch.chdir(tmp_path)
    assert main(["repo"]) == 0
    assert capsys.readouterr().out == ""


def test_main_docs_option_on_the_command_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    make_repo(
        tmp_path,
        {
            **DIRTY,
            "SECRETS.md": "| Name | Use |\n|-|-|\n| A | a |\n| B | b |\n",
            "pyproject.toml": BLOCK_ON_P3,
        },
    )
    monkeypatch.chdir(tmp_path)
    assert main(["--docs", "SECRETS.md"]) == 0
    assert main(["--docs=.github/SECRETS.md"]) == 1
    assert "MG601" in capsys.readouterr().out


def test_main_docs_option_from_pyproject(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    pyproject = (
        BLOCK_ON_P3 + '[tool.mergegate.rules.secrets-documented]\ndocs = "docs/SECRETS.md"\n'
    )
    make_repo(tmp_path, {**DIRTY, "pyproject.toml": pyproject, "docs/SECRETS.md": "- `B`\n"})
    monkeypatch.chdir(tmp_path)
    assert main([]) == 1
    assert capsys.readouterr().out.splitlines() == [
        ".github/workflows/ci.yml:3:10: MG601 secret `A` is not named in docs/SECRETS.md; "
        f"add an entry: {secrets_documented.ENTRY_HINT}"
    ]
    assert main(["--docs", ".github/SECRETS.md"]) == 1  # the command line wins
    assert "docs/SECRETS.md" not in capsys.readouterr().out


def test_main_errors_exit_2(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    make_repo(
        tmp_path,
        {**DIRTY, "pyproject.toml": "[tool.mergegate.rules.secrets-documented]\n" "doc = 'x'\n"},
    )
    monkeypatch.chdir(tmp_path)
    assert main([]) == 2
    assert "unknown option 'doc'" in capsys.readouterr().err
    (tmp_path / "pyproject.toml").unlink()
    assert main(["--docs", ".github"]) == 2
    assert "is a directory" in capsys.readouterr().err
    assert main(["no-such-root"]) == 2
    assert "not a directory" in capsys.readouterr().err


def test_main_reports_parse_errors_and_noqa_in_workflows(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    make_repo(
        tmp_path,
        {
            ".github/workflows/a.yml": "on: [\n",
            ".github/workflows/b.yml": "env:\n  A: ${{ secrets.A }}  # noqa: MG601\n",
            DOCS: "# none\n",
        },
    )
    monkeypatch.chdir(tmp_path)
    assert main([]) == 1
    out = capsys.readouterr().out.splitlines()
    assert len(out) == 1 and out[0].startswith(".github/workflows/a.yml:2:1: MG001 invalid YAML")


def test_hook_start_loads_nothing_beyond_the_shared_modules() -> None:
    """Not yaml, re, bisect, typing: only the hook module itself is new."""
    code = (
        "import sys; import mergegate.hooks.cli, mergegate.hooks.source, mergegate.hooks.files,"
        " mergegate.hooks.paths;"
        " before = set(sys.modules)"
        "; import mergegate.hooks.secrets_documented; print(sorted(set(sys.modules) - before))"
        "; print('yaml' in sys.modules)"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.stdout.split() == ["['mergegate.hooks.secrets_documented']", "False"], result


def test_pure_python_yaml_gives_the_same_answers(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """PyYAML without libyaml: its marks count a BOM, libyaml's do not; positions must agree."""
    import yaml

    cases = {
        ".github/workflows/a.yml": b'\xef\xbb\xbfname: "\\x24{{ secrets.E }}"\r\non: push\r\n',
        ".github/workflows/b.yml": b"\xef\xbb\xbfon: push\r\nenv:\r\n  A: ${{ secrets.A }}\r\n",
        ".github/workflows/c.yml": b"on: push\r\nenv:\r\n  A: b: c\r\n",
        DOCS: b"- `STALE`\n",
    }
    with_libyaml = run(tmp_path, cases)
    monkeypatch.delattr(yaml, "CSafeLoader", raising=False)
    without = run(tmp_path, cases)
    assert [f.astuple()[:7] for f in without] == [f.astuple()[:7] for f in with_libyaml]
    assert summary(without) == [
        ("MG602", DOCS, 1, 4),
        ("MG601", ".github/workflows/a.yml", 1, 7),
        ("MG601", ".github/workflows/b.yml", 3, 10),
        ("MG001", ".github/workflows/c.yml", 3, 7),
    ]


YAMLISH = st.lists(
    st.sampled_from(
        list(" \t\n\r:-?,[]{}#&*!|>'\"%@`$\\.é\ufeff")
        + ["secrets", "${{", "}}", "if", "on", "jobs", "steps", "inherit", "workflow_call", "X"]
    ),
    max_size=40,
).map("".join)


@settings(max_examples=300, deadline=None)
@given(workflow=YAMLISH, document=YAMLISH, whole=st.booleans())
def test_no_input_raises(workflow: str, document: str, whole: bool) -> None:
    """Whatever the text, the pure parts answer with data: uses, entries or a parse-error."""
    result = secrets_documented.read_workflow(WORKFLOW, workflow.encode("utf-8"))
    assert isinstance(result, (secrets_documented.Workflow, Finding))
    for _, _, (line, column, end_line, end_column) in getattr(result, "uses", []):
        assert 1 <= line <= end_line and column >= 1 and end_column >= 1
    assert all(entry.line >= 1 for entry in read_document(document).entries)
    assert all(0 <= start < end <= len(workflow) for *_, start, end in references(workflow, whole))
