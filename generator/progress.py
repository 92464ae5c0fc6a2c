"""Progress for long steps: a bar on a terminal, a few plain lines in CI logs.

Quick steps stay silent: nothing is shown before a step has run for ``delay`` seconds, so
a small build or a test prints nothing. On a terminal the bar is redrawn at most ten times
a second (advancing it per page must not cost more than the pages); elsewhere (a CI log,
output piped to a file) a plain line every quarter of the way and one at the end. Always
on standard error: standard output stays for results (``--format json``).
"""

from __future__ import annotations

import sys
import time

REDRAW_SECONDS = 0.1


class Progress:
    def __init__(self, label: str, total: int, stream=None, delay: float = 1.0, enabled: bool = True, unit: str = ""):
        """``unit``: "MB" when ``total`` counts bytes (shown in megabytes)."""
        self.label = label
        self.unit = unit
        self.total = max(total, 1)
        self.done = 0
        self.stream = stream or sys.stderr
        self.enabled = enabled
        try:
            self.tty = self.stream.isatty()
        except (AttributeError, ValueError):  # a closed or fake stream
            self.tty = False
        self.delay = delay
        self.start = time.perf_counter()
        self.next_share = 0.25
        self.drawn_at = 0.0
        self.shown = False

    def __enter__(self) -> Progress:
        return self

    def advance(self, n: int) -> None:
        self.done += n
        if not self.enabled:
            return
        now = time.perf_counter()
        if now - self.start < self.delay:
            return
        share = min(self.done / self.total, 1.0)
        if self.tty:
            if now - self.drawn_at >= REDRAW_SECONDS or self.done >= self.total:
                bar = "█" * int(share * 30)
                self.stream.write(f"\r{self.label} [{bar:<30}] {share:4.0%} {self._count()}")
                self.stream.flush()
                self.drawn_at, self.shown = now, True
        elif share >= self.next_share:
            self.stream.write(f"{self.label}：{self._count()}（{share:.0%}）\n")
            self.stream.flush()
            self.shown = True
            while self.next_share <= share:
                self.next_share += 0.25

    def __exit__(self, *exc) -> None:
        self.finish()

    def finish(self) -> None:
        """End the bar (or say the time taken); once."""
        if not self.enabled or not self.shown:
            return
        self.shown = False
        seconds = time.perf_counter() - self.start
        if self.tty:
            self.stream.write(f"\r{self.label}：{self._count()}，{seconds:.1f} 秒\033[K\n")
        elif self.done < self.total or self.next_share <= 1.0:
            self.stream.write(f"{self.label}：{self._count()}，{seconds:.1f} 秒\n")
        self.stream.flush()

    def _count(self) -> str:
        if self.unit == "MB":
            return f"{self.done / 1048576:.1f}/{self.total / 1048576:.1f} MB"
        return f"{self.done}/{self.total}"
