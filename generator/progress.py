"""Progress for long steps: a bar on a terminal, a few plain lines in CI logs."""

from __future__ import annotations

import sys
import time


class Progress:
    def __init__(self, label: str, total: int, stream=None):
        self.label = label
        self.total = max(total, 1)
        self.done = 0
        self.stream = stream or sys.stderr
        self.tty = self.stream.isatty()
        self.next_line = 0.25
        self.start = time.perf_counter()

    def __enter__(self) -> Progress:
        return self

    def advance(self, n: int) -> None:
        self.done += n
        share = self.done / self.total
        if self.tty:
            bar = "█" * int(share * 30)
            self.stream.write(f"\r{self.label} [{bar:<30}] {self.done}/{self.total}")
            self.stream.flush()
        elif share >= self.next_line and self.total >= 1000:
            self.stream.write(f"{self.label}：{self.done}/{self.total}（{share:.0%}）\n")
            self.next_line += 0.25

    def __exit__(self, *exc) -> None:
        if self.tty:
            self.stream.write(f"\r{self.label}：{self.done}/{self.total}，{time.perf_counter() - self.start:.1f} 秒\n")
