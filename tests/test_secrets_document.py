"""hooks/secrets_document.py: which secrets a Markdown document names, in every style people write
(code spans and bare names in headings, list items, lines and tables), the prose that names
nothing, and each entry's style and block."""

from __future__ import annotations

import textwrap

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mergegate.hooks.secrets_document import HEADING, LINE, LIST, TABLE, read_document


def names(text: str, known: tuple[str, ...] = ()) -> list[str]:
    return [entry.name for entry in read_document(textwrap.dedent(text), known).entries]


def entries(text: str, known: tuple[str, ...] = ()) -> list[tuple[str, int, int, int, str]]:
    """(name, line, column, end column, style) of each entry."""
    document = read_document(textwrap.dedent(text), known)
    return [(e.name, e.line, e.column, e.end_column, e.style) for e in document.entries]


# Code spans ------------------------------------------------------------------------------------


def test_document_entry_forms() -> None:
    text = """\
        # `HEADING_NAME`
        ## Release
        - `LIST_DASH`: what
        * **`LIST_STAR`** what
        + `LIST_PLUS`
        1. `LIST_NUMBER`
        2) `A_PAIR`, `B_PAIR`
        - [x] `TASK_BOX`
        `LINE_COLON`: what
        `LINE_DASH` - what
        `LINE_ALONE`
        `prose_name` is not an entry
        Prose mentions `IN_PROSE` and PLAIN_PROSE.
        - PLAIN_LIST_ITEM
        - `has space`
        - `has-dash`
    """
    assert names(text) == [
        "HEADING_NAME",
        "LIST_DASH",
        "LIST_STAR",
        "LIST_PLUS",
        "LIST_NUMBER",
        "A_PAIR",
        "B_PAIR",
        "TASK_BOX",
        "LINE_COLON",
        "LINE_DASH",
        "LINE_ALONE",
        "PLAIN_LIST_ITEM",  # a bare name starting a list item is an entry
    ]


def test_document_tables() -> None:
    text = """\
        | Secret | Purpose |
        | --- | :-: |
        | `TABLE_CODE` | a |
        | TABLE_BARE | b |
        | **TABLE_BOLD** | c |
        | `T_ONE`, `T_TWO` | d |
        | Not a name | e |
        | release | f `NOT_FIRST_CELL` |

        Name | Purpose
        --- | ---
        PIPELESS | g
    """
    assert names(text) == [
        "TABLE_CODE",
        "TABLE_BARE",
        "TABLE_BOLD",
        "T_ONE",
        "T_TWO",
        "release",
        "PIPELESS",
    ]


def test_code_blocks_and_html_comments_name_nothing() -> None:
    text = """\
        ```yaml
        - `IN_FENCE`
        ```
        ~~~~
        - `IN_TILDE_FENCE`
        ```
        - `STILL_IN_TILDE_FENCE`
        ~~~~
        <!-- - `COMMENTED_OUT` -->
        <!--
        - `IN_MULTILINE_COMMENT`
        -->
        - `AFTER` <!-- note -->
    """
    assert names(text) == ["AFTER"]
    assert entries(text)[0][1:4] == (13, 4, 9)


# Bare names: each style a reader sees as an entry ---------------------------------------------

BARE_STYLES = {
    "atx-heading": ("# Secrets\n\n## NPM_TOKEN\n\nPublishes to npm.\n", (3, 4, HEADING)),
    "atx-heading-qualified": ("### NPM_TOKEN (required)\n", (1, 5, HEADING)),
    "atx-heading-closed": ("## NPM_TOKEN ##\n", (1, 4, HEADING)),
    "setext-heading-equals": ("NPM_TOKEN\n=========\n\nPublishes.\n", (1, 1, HEADING)),
    "setext-heading-dashes": ("Intro.\n\nNPM_TOKEN (required)\n---\n", (3, 1, HEADING)),
    "list-item-colon": ("- NPM_TOKEN: publishes to npm\n", (1, 3, LIST)),
    "list-item-bold": ("- **NPM_TOKEN**: publishes to npm\n", (1, 5, LIST)),
    "list-item-underscores": ("* __NPM_TOKEN__ publishes to npm\n", (1, 5, LIST)),
    "list-item-numbered": ("1. NPM_TOKEN (required)\n", (1, 4, LIST)),
    "list-item-first-word": ("- NPM_TOKEN publishes to npm\n", (1, 3, LIST)),
    "alone-on-a-line": ("Secrets:\n\nNPM_TOKEN\n", (3, 1, LINE)),
    "line-colon": ("NPM_TOKEN: publishes to npm\n", (1, 1, LINE)),
    "line-dash": ("NPM_TOKEN - publishes to npm\n", (1, 1, LINE)),
    "line-em-dash": ("NPM_TOKEN \u2014 publishes to npm\n", (1, 1, LINE)),
    "line-bold-colon": ("**NPM_TOKEN**: publishes to npm\n", (1, 3, LINE)),
    "table-first-column": ("| Secret | Use |\n|---|---|\n| NPM_TOKEN | npm |\n", (3, 3, TABLE)),
    "table-name-column": (
        "| Service | Secret name | Rotation |\n| --- | --- | --- |\n| npm | NPM_TOKEN | yearly |\n",
        (3, 9, TABLE),
    ),
    "table-name-column-qualified": (
        "| Use | **Secret** |\n| --- | --- |\n| npm | NPM_TOKEN (required) |\n",
        (3, 9, TABLE),
    ),
    "escaped-underscore": ("- NPM\\_TOKEN: publishes to npm\n", (1, 3, LIST)),
}


@pytest.mark.parametrize("text, where", BARE_STYLES.values(), ids=BARE_STYLES.keys())
def test_bare_name_in_each_entry_style(text: str, where: tuple[int, int, str]) -> None:
    line, column, style = where
    written = "NPM\\_TOKEN" if "\\_" in text else "NPM_TOKEN"
    assert entries(text) == [("NPM_TOKEN", line, column, column + len(written), style)]


# Prose and words that name nothing -------------------------------------------------------------

NOT_ENTRIES = {
    "prose-without-a-name": "Rotate the token every month.\n",
    "prose-naming-a-secret": "Set NPM_TOKEN before you publish.\n",
    "first-word-then-prose": "NPM_TOKEN is needed to publish.\n",
    "list-item-prose": "- Set NPM_TOKEN before you publish\n",
    "heading-prose": "## Rotating NPM_TOKEN\n",
    "later-in-a-line": "The NPM_TOKEN: publishes\n",
    "capitals-note": "NOTE: rotate every secret yearly.\n",
    "capitals-heading": "## FAQ\n",
    "capitals-list-item": "- TODO: document the deploy key\n",
    "capitals-dash": "WARNING - never print a secret\n",
    "capitalised-heading": "## Release\n",
    "lower-case-list-item": "- npm_token: publishes\n",
    "glued-dash": "- NPM_TOKEN-2: old\n",
    "assignment": "NPM_TOKEN=abc\n",
    "path": "- NPM_TOKEN/old: moved\n",
    "attribute": "- NPM_TOKEN.value: x\n",
    "possessive": "- NPM_TOKEN's scope is publish\n",
    "indented-code": "Example:\n\n    NPM_TOKEN\n",
    "setext-inside-a-paragraph": "Some text\nNPM_TOKEN (required)\n---\n",
    "table-other-column": "| Secret | Use |\n|---|---|\n| the npm token | NPM_TOKEN |\n",
    "table-header": "| NPM_TOKEN | Use |\n|---|---|\n",
    "fenced": "```\nNPM_TOKEN: x\n```\n",
    "commented": "<!-- NPM_TOKEN: x -->\n",
}


@pytest.mark.parametrize("text", NOT_ENTRIES.values(), ids=NOT_ENTRIES.keys())
def test_prose_and_plain_words_are_not_entries(text: str) -> None:
    assert names(text) == []


def test_capitals_without_underscore_are_names_that_a_workflow_uses() -> None:
    text = """\
        ## CODECOV
        - SENTRY: error reports
        NOTE: unrelated
        ## Codecov
    """
    assert names(text) == []
    assert names(text, known=("CODECOV", "SENTRY")) == ["CODECOV", "SENTRY"]


def test_bare_names_join_as_code_spans_do() -> None:
    text = """\
        - NPM_TOKEN, PYPI_TOKEN: publishing
        - `A_KEY` and B_KEY
        C_KEY / D_KEY: both
        E_KEY, then prose: not F_KEY
    """
    assert names(text) == ["NPM_TOKEN", "PYPI_TOKEN", "A_KEY", "B_KEY", "C_KEY", "D_KEY"]


# Styles and blocks -----------------------------------------------------------------------------

MIXED = """\
    # Secrets

    ## NPM_TOKEN

    Publishes to npm.

    - rotated yearly

    ### Notes on NPM_TOKEN

    More.

    ## PYPI_TOKEN
    Uploads.

    ## Other secrets

    - DEPLOY_KEY: SSH key
      of the deploy host
    continued lazily

    - SLACK_HOOK: alerts

      ```
      a fenced block in the item
      ```
    - LAST_ITEM

    | Name | Use |
    | --- | --- |
    | `ROW_ONE` | a |
    | ROW_TWO | b |

    LINE_NAME: text
    that goes on

    ALONE
    =====

    After.
"""


def test_each_entry_has_its_style_and_block() -> None:
    document = read_document(textwrap.dedent(MIXED), known=("ALONE",))
    blocks = {entry.name: (entry.style, document.block(entry)) for entry in document.entries}
    assert blocks == {
        "NPM_TOKEN": (HEADING, (3, 11)),  # through its ### subsection, before the next ##
        "PYPI_TOKEN": (HEADING, (13, 14)),
        "DEPLOY_KEY": (LIST, (18, 20)),  # an indented line and a lazy continuation
        "SLACK_HOOK": (LIST, (22, 26)),  # a blank line, then content indented to the item's
        "LAST_ITEM": (LIST, (27, 27)),
        "ROW_ONE": (TABLE, (31, 31)),
        "ROW_TWO": (TABLE, (32, 32)),
        "LINE_NAME": (LINE, (34, 35)),
        "ALONE": (HEADING, (37, 40)),  # a setext heading: its underline, then its section
    }


def test_document_style_is_the_style_most_entries_use() -> None:
    assert read_document("# Secrets\n\nRotate them.\n").style is None
    mixed = read_document(textwrap.dedent(MIXED), known=("ALONE",))
    assert mixed.style == HEADING  # three headings, three list items: the first entry's
    assert read_document(textwrap.dedent(MIXED)).style == LIST  # `ALONE` is no name here
    assert read_document("## A_KEY\n\n- B_KEY\n").style == HEADING  # equals: the first entry's
    assert read_document("- A_KEY\n\n## B_KEY\n\n## C_KEY\n").style == HEADING
    table = "| Secret | Use |\n|---|---|\n| A_KEY | a |\n| B_KEY | b |\n\n## C_KEY\n"
    assert read_document(table).style == TABLE


def test_a_line_entry_block_ends_at_the_next_entry() -> None:
    document = read_document("A_KEY: one\nB_KEY: two\nmore about B\n\nC_KEY\n")
    assert [document.block(entry) for entry in document.entries] == [(1, 1), (2, 3), (5, 5)]


MARKDOWNISH = st.lists(
    st.sampled_from(
        list(" \t\n\r#-*+=|:`_\\<>!~.1)[]x\u2014")
        + ["A_KEY", "B", "```", "---", "<!--", "-->", "| --- |", "    ", "\n\n"]
    ),
    max_size=40,
).map("".join)


@settings(max_examples=500, deadline=None)
@given(text=MARKDOWNISH)
def test_any_text_gives_entries_with_their_blocks(text: str) -> None:
    document = read_document(text, known=("B",))
    line_count = len(text.replace("\r\n", "\n").replace("\r", "\n").split("\n"))
    for entry in document.entries:
        assert entry.style in (TABLE, LIST, HEADING, LINE)
        assert 1 <= entry.column < entry.end_column
        first, last = document.block(entry)
        assert first == entry.line and entry.line <= last <= line_count
    assert (document.style is None) == (not document.entries)
