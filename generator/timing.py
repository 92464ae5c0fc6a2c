"""Wall time per build phase, for `gongshi build --timings` and the benchmark."""

from __future__ import annotations

import time
from contextlib import contextmanager

PHASES: dict[str, float] = {}


@contextmanager
def phase(name: str):
    start = time.perf_counter()
    try:
        yield
    finally:
        PHASES[name] = PHASES.get(name, 0.0) + time.perf_counter() - start
