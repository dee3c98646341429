"""A progress line for long scans on a terminal: ``guardrails: 412/1800 files``.

Drawn on standard error only when it is a terminal and the scan has run for ``DELAY``
seconds (a pre-commit run on two files stays silent), redrawn at most every ``INTERVAL``,
and erased when the scan ends, so nothing of it stays on the screen or reaches a pipe, a
report or a CI log. Workers report through the process that dispatched them; ``advance``
may be called from the pool's threads, hence the lock.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from typing import TextIO

DELAY = 1.0
INTERVAL = 0.1


def wanted(stream: TextIO, quiet: bool) -> bool:
    """A progress line on ``stream``: a terminal, outside CI, unless ``--quiet``."""
    if quiet or os.environ.get("CI", "").lower() in ("1", "true", "yes"):
        return False
    return bool(getattr(stream, "isatty", lambda: False)())


class Progress:
    def __init__(self, stream: TextIO, clock: Callable[[], float] = time.monotonic) -> None:
        self.stream = stream
        self.clock = clock
        self.started = clock()
        self.total = 0
        self.done = 0
        self._drawn_at: float | None = None
        import threading  # only a scan on a terminal draws a line

        self._lock = threading.Lock()

    def add_total(self, count: int) -> None:
        """More files to check (each configuration's scan adds its own)."""
        with self._lock:
            self.total += count

    def advance(self, count: int = 1) -> None:
        with self._lock:
            self.done += count
            now = self.clock()
            if now - self.started < DELAY or (self._drawn_at is not None and now - self._drawn_at < INTERVAL):
                return
            self._drawn_at = now
            self.stream.write(f"\rguardrails: {min(self.done, self.total)}/{self.total} files")
            self.stream.flush()

    def finish(self) -> None:
        """Erase the line, if one was drawn."""
        with self._lock:
            if self._drawn_at is not None:
                self.stream.write("\r\033[K")
                self.stream.flush()
                self._drawn_at = None
