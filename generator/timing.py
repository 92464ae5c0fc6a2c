"""Wall time per build phase and a few counts, for `gongshi build --timings` and the benchmark."""

from __future__ import annotations

import time
from contextlib import contextmanager

PHASES: dict[str, float] = {}
COUNTS: dict[str, int] = {}  # e.g. pages rendered out of pages in the site


@contextmanager
def phase(name: str):
    start = time.perf_counter()
    try:
        yield
    finally:
        PHASES[name] = PHASES.get(name, 0.0) + time.perf_counter() - start
