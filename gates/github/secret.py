"""The GitHub token: sent, never printed, and scrubbed from anything that could echo it.

Text from outside (GitHub's error messages, a proxy's answer, a library's exception) may quote the
token, whole or cut short, plainly or encoded. Every such text is scrubbed before it is cut to a
length or shown, so no cut of ours can leave a piece of the token behind, and what was cut before
it reached us is scrubbed too. Scrubbed, wherever they appear:

- the token, and every prefix of it of `PIECE` or more characters (what a cut leaves);
- the same of its URL-encoded form (a query string or a form body);
- the same of its Base64 forms, in each of the three alignments Base64 can put it in (an HTTP
  basic-auth header, `base64("x-access-token:" + token)`, carries one of them), standard and
  URL-safe alphabets.

A token shorter than `PIECE` is scrubbed only where it appears whole.
"""

from __future__ import annotations

import base64
from urllib.parse import quote

PIECE = 8
"""The shortest prefix of the token that is scrubbed: long enough that ordinary text never matches
by chance, short enough that no useful part of a token survives."""

MASK = "***"


class Token:
    """The token's value, and its scrubber. Its `repr` never shows the value."""

    def __init__(self, value: str) -> None:
        self.value = value
        self._forms = _forms(value) if len(value) >= PIECE else []
        self._heads = {form[:PIECE] for form in self._forms}

    def __bool__(self) -> bool:
        return bool(self.value)

    def __repr__(self) -> str:
        return f"Token({MASK})" if self.value else "Token('')"

    def scrub(self, text: str) -> str:
        """`text` with every form of the token (see the module docstring) replaced by `***`."""
        if not self._forms:
            return text.replace(self.value, MASK) if self.value else text
        kept: list[str] = []
        start = copied = 0
        while start <= len(text) - PIECE:
            if text[start : start + PIECE] not in self._heads:
                start += 1
                continue
            length = max(_common_prefix(text, start, form) for form in self._forms)
            kept += [text[copied:start], MASK]
            start = copied = start + length
        kept.append(text[copied:])
        return "".join(kept)


def _common_prefix(text: str, start: int, form: str) -> int:
    """How many characters of `text` from `start` begin `form`."""
    length = 0
    for char, expected in zip(text[start : start + len(form)], form):
        if char != expected:
            break
        length += 1
    return length


def _forms(value: str) -> list[str]:
    """The token as it may appear in text: itself, URL-encoded, and the parts of its Base64
    encodings that depend on nothing around it (one per alignment, both alphabets)."""
    forms = [value, quote(value, safe="")]
    raw = value.encode("utf-8")
    for offset in range(3):
        whole = raw[offset : offset + (len(raw) - offset) // 3 * 3]
        encoded = base64.b64encode(whole).decode("ascii")
        forms += [encoded, encoded.replace("+", "-").replace("/", "_")]
    return [form for form in dict.fromkeys(forms) if len(form) >= PIECE]
