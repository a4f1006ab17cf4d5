"""Progress for long runs: one line on stderr, rewritten in place, only at a terminal.

In a CI log or a pipe nothing is written (a log keeps every rewrite as a line of its own), and
stdout, where the reports go, is never touched.
"""

from __future__ import annotations

import sys
import time

TYPE_CHECKING = False
if TYPE_CHECKING:  # typing costs a hook's start-up time; mypy reads this block
    from typing import Optional, TextIO

MIN_FILES = 200
"""Fewer files take well under a second: no progress line for them."""
INTERVAL = 0.1
"""Seconds between rewrites of the line: often enough to look alive, too rarely to cost anything."""


class Progress:
    """`checked N/M files` on `stream` while files are checked, cleared at the end."""

    def __init__(self, total: int, stream: Optional[TextIO] = None) -> None:
        self.stream = stream or sys.stderr
        self.total = total
        self.done = 0
        self.enabled = total >= MIN_FILES and self.stream.isatty()
        self._shown_at = 0.0

    def advance(self, count: int = 1) -> None:
        self.done += count
        if not self.enabled:
            return
        now = time.monotonic()
        if now - self._shown_at >= INTERVAL or self.done >= self.total:
            self._shown_at = now
            self.stream.write(f"\rmergegate: checked {self.done}/{self.total} files")
            self.stream.flush()

    def finish(self) -> None:
        """Erase the line, so the reports and errors that follow start on a clean one."""
        if self.enabled and self._shown_at:
            self.stream.write("\r\033[K")
            self.stream.flush()
