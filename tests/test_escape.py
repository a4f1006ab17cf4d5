"""Escaping untrusted text: Markdown that renders literally (checked with a CommonMark + GFM tables
parser), and workflow commands that the runner parses back into exactly the data we meant."""

from __future__ import annotations

import pytest
from markdown_it import MarkdownIt

from helpers import parse_workflow_command

from mergegate.gates.escape import (
    markdown_cell,
    markdown_text,
    markdown_url,
    workflow_data,
    workflow_property,
)

HOSTILE = [
    "a,b:c%25\n::add-mask::x.py",
    "*bold* _em_ **strong** __strong__ ~~gone~~",
    "`code` ``more``",
    "<script>alert(1)</script> <b>x</b> <!-- c -->",
    "[link](https://evil.example) ![img](x.png) <https://auto.example>",
    "&amp; &lt;b&gt; &#64;",
    "pipe | in | cell",
    "line\nbreak\r\nand\rcarriage",
    "# heading\n> quote\n- item\n1. item\n---\n===",
    "    indented code",
    "cc @octocat and @org/team",
    "$x^2$ math and \\ backslash \\* escaped",
    "trailing backslash \\",
    "\x00\x07\x1b[31m\x7f controls",
    "é ü 日本 😀 non-ASCII",
    "##[group]x\n::stop-commands::tok",
]

PARSER = MarkdownIt("commonmark").enable(["table", "strikethrough"])
MARKUP_TOKENS = {
    "link_open",
    "image",
    "em_open",
    "strong_open",
    "s_open",
    "code_inline",
    "html_inline",
    "html_block",
    "softbreak",
    "hardbreak",
}


def rendered_text(text: str) -> str:
    """What a reader sees for `text`: the escaping's visible stand-ins for controls and `@`."""
    shown = "".join(chr(0x2400 + ord(c)) if ord(c) < 0x20 else c for c in text)
    return shown.replace("\x7f", "\u2421").replace("@", "@\u200b")


def inline_tokens(markdown: str) -> list:
    return [
        child
        for token in PARSER.parse(markdown)
        if token.type == "inline"
        for child in token.children or []
    ]


@pytest.mark.parametrize("text", HOSTILE)
def test_markdown_text_renders_literally_in_a_paragraph(text: str) -> None:
    block_types = [token.type for token in PARSER.parse("x " + markdown_text(text))]
    assert block_types == ["paragraph_open", "inline", "paragraph_close"]
    children = inline_tokens("x " + markdown_text(text))
    assert [child.type for child in children] == ["text"]
    assert children[0].content == ("x " + rendered_text(text)).strip()


@pytest.mark.parametrize("text", HOSTILE)
def test_markdown_text_is_safe_at_a_line_start_and_in_a_list_item(text: str) -> None:
    for markdown in (markdown_text(text), "- " + markdown_text(text)):
        tokens = PARSER.parse(markdown)
        assert not any(token.type in MARKUP_TOKENS for token in inline_tokens(markdown))
        structure = [token.type for token in tokens if token.type != "inline"]
        assert structure in (
            ["paragraph_open", "paragraph_close"],
            ["bullet_list_open", "list_item_open", "paragraph_open", "paragraph_close"]
            + ["list_item_close", "bullet_list_close"],
        )
        assert (structure[0] == "bullet_list_open") == markdown.startswith("- ")


def test_leading_spaces_cannot_open_an_indented_code_block() -> None:
    assert markdown_text("    x") == "&#32;&#32;&#32;&#32;x"
    assert [token.type for token in PARSER.parse(markdown_text("    x"))][0] == "paragraph_open"
    assert inline_tokens(markdown_text("    x"))[0].content == "    x"


@pytest.mark.parametrize("text", HOSTILE)
def test_markdown_cell_keeps_a_table_row_to_its_cells(text: str) -> None:
    table = f"| a | b | c |\n| --- | --- | --- |\n| one | {markdown_cell(text)} | three |\n"
    tokens = PARSER.parse(table)
    cells = [tokens[i + 1] for i, token in enumerate(tokens) if token.type == "td_open"]
    assert [cell.content for cell in cells][0::2] == ["one", "three"]
    assert len(cells) == 3
    middle = cells[1].children
    assert [child.type for child in middle] == ["text"]
    assert middle[0].content == rendered_text(text)


def test_markdown_escapes_every_ascii_punctuation_character() -> None:
    punctuation = "!\"#$%&'()*+,-./:;<=>?[\\]^_`{|}~"
    assert markdown_text(punctuation) == "".join("\\" + char for char in punctuation)
    assert markdown_text("@x") == "\\@&#8203;x"
    assert markdown_text("plain words 123") == "plain words 123"


def test_markdown_replaces_lone_surrogates_from_undecodable_file_names() -> None:
    name = b"caf\xe9.py".decode("utf-8", "surrogateescape")
    assert markdown_text(name) == "caf\ufffd\\.py"
    markdown_text(name).encode("utf-8")  # encodable for GitHub's API


def test_markdown_url_cannot_close_the_link_or_add_markup() -> None:
    url = "https://github.com/o/r/blob/abc/a (1)/<b> \\ `x`\n.py#L3"
    escaped = markdown_url(url)
    assert escaped == (
        "https://github.com/o/r/blob/abc/a%20%281%29/%3Cb%3E%20%5C%20%60x%60%0A.py#L3"
    )
    children = inline_tokens(f"[text]({escaped})")
    assert [child.type for child in children] == ["link_open", "text", "link_close"]
    assert children[0].attrs["href"] == escaped
    assert markdown_url("https://h/a%20b?q=1&r=2#L1") == "https://h/a%20b?q=1&r=2#L1"
    assert markdown_url("https://h/é") == "https://h/%C3%A9"


def neutralized(text: str) -> str:
    """What a reader gets back: the text, with `##[` shown as `#%23[`."""
    return text.replace("##[", "#%23[")


@pytest.mark.parametrize("text", HOSTILE)
def test_a_workflow_command_stays_one_command_and_decodes_to_the_data(text: str) -> None:
    line = (
        f"::error file={workflow_property(text)},line=3,title={workflow_property(text)}"
        f"::{workflow_data(text)}"
    )
    assert "\n" not in line and "\r" not in line
    assert "##[" not in line
    command, properties, message = parse_workflow_command(line)
    assert command == "error"
    assert properties == {"file": neutralized(text), "line": "3", "title": neutralized(text)}
    assert message == neutralized(text)
    assert "##[" not in message and "##[" not in properties["file"]


def test_workflow_escaping_of_the_hostile_file_name() -> None:
    name = "a,b:c%25\n::add-mask::x.py"
    assert workflow_property(name) == "a%2Cb%3Ac%2525%0A%3A%3Aadd-mask%3A%3Ax.py"
    assert workflow_data(name) == "a,b:c%2525%0A::add-mask::x.py"
    assert workflow_data("x\r\n::add-mask::secret") == "x%0D%0A::add-mask::secret"


def test_legacy_command_prefix_is_broken_up_everywhere() -> None:
    assert workflow_data("##[group]x") == "#%23[group]x"
    assert workflow_data("a ###[b") == "a ##%23[b"
    assert "##[" not in workflow_property("x\n##[add-mask]y,##[z")
    assert workflow_data("# #[ and ## [") == "# #[ and ## ["


def test_terminal_text_keeps_a_hostile_file_name_on_one_inert_line() -> None:
    from mergegate.hooks.terminal import terminal_text

    hostile = "a\x1b[2J\nb.py:1:1: MG101 fake\r\t\\\x9b\udcff"
    shown = terminal_text(hostile)
    assert shown == "a\\x1b[2J\\nb.py:1:1: MG101 fake\\r\\t\\\\\\x9b\\udcff"
    assert all(char.isprintable() for char in shown)
    assert terminal_text("plain/path é.py") == "plain/path é.py"


def test_terminal_lines_keep_every_line_inert() -> None:
    from mergegate.hooks.terminal import terminal_line, terminal_lines

    assert terminal_line("::error::x") == "\\x3a:error::x"
    assert terminal_line("\u3000::x") == "\u3000\\x3a:x"
    assert terminal_line("a::b ##[c") == "a::b #\\x23[c"
    shown = terminal_lines("tool: ", "failed:\n::add-mask::s\n  ##[group]\r\n\x1b[2J")
    assert shown == "tool: failed:\n    \\x3a:add-mask::s\n      #\\x23[group]\n    \\x1b[2J\n"
    assert terminal_lines("tool: ", "") == "tool: \n"
