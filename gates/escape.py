"""Untrusted text (file names, messages, codes) made safe for where reports show it.

One place for it, so the reporters and the GitHub integration escape the same way: a file name or
a message is data, and nothing it says may become Markdown, HTML, a workflow command, an Azure
Pipelines logging command or invalid XML; and cut the same way to the limits of where it goes
(`clip`). Text for terminals and logs is escaped by
hooks/terminal.py, which the hooks share.
"""

from __future__ import annotations

import re
from urllib.parse import quote

ASCII_PUNCTUATION = "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~"

ZERO_WIDTH_SPACE = "&#8203;"
"""Put after `@`: GitHub turns `@name` into a mention (a notification) after Markdown rendering,
so a backslash escape alone cannot stop it; a zero-width space between the two can."""


def _control_picture(code: int) -> str:
    """The visible Unicode symbol for a C0 control character or DEL (LF shows as `␊`)."""
    return chr(0x2421) if code == 0x7F else chr(0x2400 + code)


_MARKDOWN = {ord(char): "\\" + char for char in ASCII_PUNCTUATION}
_MARKDOWN[ord("@")] = "\\@" + ZERO_WIDTH_SPACE
_MARKDOWN.update({code: _control_picture(code) for code in (*range(0x20), 0x7F)})
_UNENCODABLE = {code: "\ufffd" for code in range(0xD800, 0xE000)}
"""Lone surrogates (undecodable bytes of a file name) as U+FFFD: they cannot be encoded as UTF-8,
for GitHub's API or a log."""
_MARKDOWN.update(_UNENCODABLE)
"""Every ASCII punctuation character backslash-escaped (CommonMark: such an escape always stands
for the literal character, so no emphasis, link, code span, HTML, entity, table pipe or heading
can start); line breaks and other control characters shown as symbols, so untrusted text never
leaves the line it was put on; lone surrogates (undecodable bytes in a file name) replaced, since
they cannot be encoded for GitHub's API."""


def markdown_text(text: str) -> str:
    """`text` as literal Markdown (GitHub Flavored) that renders exactly as written, on one line.

    Leading spaces become `&#32;`, so text put at a line start or after a list marker cannot open an
    indented code block. GitHub's autolinks of references (`#123`, commit hashes) and `:emoji:`
    shortcodes are not Markdown and still render; they cannot inject markup or notify anyone.
    """
    escaped = text.translate(_MARKDOWN)
    stripped = escaped.lstrip(" ")
    return "&#32;" * (len(escaped) - len(stripped)) + stripped


def markdown_cell(text: str) -> str:
    """`text` for a cell of a GitHub Flavored Markdown table.

    The same as `markdown_text`, which already escapes the two things a table adds: the cell
    separator `|` and line breaks. A name of its own so table code says what it relies on.
    """
    return markdown_text(text)


def markdown_url(url: str) -> str:
    """A URL for a Markdown link destination, `[text](URL)`: everything but printable ASCII that
    URLs use is percent-encoded, `(`, `)`, `<`, `>`, `\\` and spaces too, so a file name in the
    URL cannot close the link or start markup."""
    return quote(url, safe="%;/?:@&=+$,-_.!~*'#[]")


def workflow_data(text: str) -> str:
    """The message of a workflow command (`::error ...::MESSAGE`), escaped as the runner requires.

    The runner decodes `%25`, `%0D` and `%0A`, so a line break in the text stays inside this one
    command and can never start a line of its own (such as `::add-mask::`). `##[`, the runner's
    legacy command prefix and the log viewer's markup, is recognised anywhere in a line, so it is
    written `#%23[`: the runner leaves `%23` as it is, and the reader sees the escape. Undecodable
    bytes of a file name become U+FFFD.
    """
    escaped = text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    return escaped.replace("##[", "#%23[").translate(_UNENCODABLE)


def workflow_property(text: str) -> str:
    """A property value of a workflow command (`file=VALUE,title=VALUE`): the message escaping,
    plus `:` and `,`, which would end the value or the property list."""
    return workflow_data(text).replace(":", "%3A").replace(",", "%2C")


def encodable(text: str) -> str:
    """`text` with lone surrogates (undecodable bytes of a file name) as U+FFFD, so that it can be
    written as UTF-8 where the bytes cannot be kept (a GitLab report, a log)."""
    return text.translate(_UNENCODABLE)


_AZURE = (("%", "%AZP25"), (";", "%3B"), ("\r", "%0D"), ("\n", "%0A"), ("]", "%5D"))
"""The Azure Pipelines agent's escapes for logging commands, in the order they are applied
(azure-pipelines-agent, `CommandStringConvertor`): the agent splits a `##vso[...]` line at `;`
and the first `]`, then decodes these in reverse, `%AZP25` last (with `DECODE_PERCENTS`, on by
default), so every value decodes to exactly the text escaped."""

_AZURE_PREFIX = re.compile(r"##(?=(?:vso)?\[)", re.IGNORECASE)


def azure_value(text: str) -> str:
    """A property value or the message of an Azure Pipelines logging command
    (`##vso[task.logissue type=error;sourcepath=VALUE]MESSAGE`); the agent decodes both alike.

    `;`, `]`, CR and LF are escaped, so no value can end a property or the property list, and no
    text can start a line of its own. `##vso[` (a command) and `##[` (the log's markup) are broken
    up as `#%23vso[` and `#%23[` wherever they occur: the agent leaves `%23` as it is, and the
    reader sees the escape. Undecodable bytes of a file name become U+FFFD.
    """
    for char, escape in _AZURE:
        text = text.replace(char, escape)
    return _AZURE_PREFIX.sub("#%AZP2523", text).translate(_UNENCODABLE)


_XML_INVALID = {code: f"\\x{code:02x}" for code in range(0x20) if chr(code) not in "\t\n\r"}
_XML_INVALID.update({code: f"\\u{code:04x}" for code in (*range(0xD800, 0xE000), 0xFFFE, 0xFFFF)})


def xml_text(text: str) -> str:
    """`text` as XML 1.0 can carry it, in element text or an attribute value: the characters XML
    forbids (C0 controls other than tab, LF and CR; lone surrogates from undecodable file names;
    U+FFFE and U+FFFF) written as Python-style escapes (`\\x1b`, `\\udcff`). The serializer still
    escapes `&`, `<`, `>` and quotes."""
    return text.translate(_XML_INVALID)


def clip(text: str, limit: int) -> str:
    """`text` in at most `limit` UTF-8 bytes, cut on a character boundary and marked with `…`;
    lone surrogates (undecodable file names) replaced, as JSON for GitHub cannot carry them."""
    encoded = text.encode("utf-8", "replace")
    if len(encoded) <= limit:
        return encoded.decode("utf-8")
    return encoded[: limit - len("…".encode())].decode("utf-8", "ignore") + "…"
