"""Wall time per build phase and a few counts, for `gongshi build --timings` and the benchmark.

A build records into its own :class:`Timings` (``with recording() as t:``); code anywhere
below it marks phases with ``with phase("name"):``. The record in force is held in a
context variable, so nothing is shared between builds and nothing needs resetting; outside
a recording, ``phase`` only runs its block.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field


@dataclass
class Timings:
    phases: dict[str, float] = field(default_factory=dict)  # seconds per phase, summed
    counts: dict[str, float] = field(default_factory=dict)  # e.g. pages rendered out of pages in the site

    def add(self, other: Timings, suffix: str = "") -> None:
        for name, seconds in other.phases.items():
            self.phases[name + suffix] = self.phases.get(name + suffix, 0.0) + seconds
        self.counts.update(other.counts)


_CURRENT: ContextVar[Timings | None] = ContextVar("gongshi_timings", default=None)


@contextmanager
def recording() -> Iterator[Timings]:
    timings = Timings()
    token = _CURRENT.set(timings)
    try:
        yield timings
    finally:
        _CURRENT.reset(token)


def current() -> Timings | None:
    return _CURRENT.get()


@contextmanager
def phase(name: str) -> Iterator[None]:
    timings = _CURRENT.get()
    if timings is None:
        yield
        return
    start = time.perf_counter()
    try:
        yield
    finally:
        timings.phases[name] = timings.phases.get(name, 0.0) + time.perf_counter() - start


def count(name: str, value: float) -> None:
    timings = _CURRENT.get()
    if timings is not None:
        timings.counts[name] = value
