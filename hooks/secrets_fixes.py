"""The fixes of secrets-documented: an entry for each undocumented secret, in the document's own
style (the document written when there is none); a stale entry removed.

Imported only when a check has something to fix, like the document model it writes with.
"""

from __future__ import annotations

import os

from .edits import insert_lines, newline, remove_lines
from .finding import SAFE, UNSAFE, Edit, Fix
from .secrets_document import NEW_DOCUMENT, Document, Entry, code_span, new_table

TYPE_CHECKING = False
if TYPE_CHECKING:  # typing costs start-up time; mypy reads this block, the interpreter skips it
    from .textfile import TextFile

    Secrets = list[tuple[str, list[str]]]

PLACEHOLDER = "TODO: what it is for, who rotates it"
"""The description a new entry gets: the fix knows the name and its users, not its purpose."""


def add_entries(
    docs: str, file: TextFile | None, data: bytes, document: Document | None, secrets: Secrets
) -> Fix:
    """One fix naming every undocumented secret (name, the workflows that use it) in the
    document `docs`: its text and bytes, or None and b"" when it does not exist. Every MG601
    finding carries this same fix, so applying it once resolves them all."""
    described = [(name, _description(users)) for name, users in secrets]
    names = ", ".join(f"`{name}`" for name, _ in secrets)
    if document is None or file is None:
        text = "\n".join([*NEW_DOCUMENT, *new_table(described)]) + "\n"
        return Fix((Edit(1, 1, 1, 1, text),), SAFE, f"write {docs} naming {names}", path=docs)
    lines = file.lines
    after, new = document.new_entries(described)
    edit = insert_lines(lines, after, new, newline(data.decode("utf-8", "replace")))
    return Fix((edit,), SAFE, f"add {names} to {docs}", path=docs)


def remove_entry(document: Document, entry: Entry, lines: list[str]) -> Fix | None:
    """The fix removing a stale entry's block; None when the block names other secrets too.
    Unsafe: what the entry says goes with it."""
    span = document.removal(entry)
    if span is None:
        return None
    return Fix((remove_lines(lines, *span),), UNSAFE, f"remove the entry of `{entry.name}`")


def _description(users: list[str]) -> str:
    workflows = ", ".join(code_span(os.path.basename(path)) for path in users)
    return f"{PLACEHOLDER}; used by {workflows}"
