"""The committed demo district (data/, from generator/demo.py) shows every kind of
oversight the portal has: each light rule, reopened work, a re-rating, 样本不足, stale
projects and leaders with several projects."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from generator.ingest import prepare as pipeline
from generator.model.aggregate import FIXED, REOPENED, Rules

DATA = Path(__file__).resolve().parent.parent / "data"


@pytest.fixture(scope="module")
def demo():
    return pipeline.prepare(DATA)


def test_every_light_and_reason(demo):
    info = demo.aggregates.info.values()
    reasons = [r for i in info for r in i.light_reason.split("；")]
    assert {i.light for i in info} >= {"red", "yellow", "green"}
    for start in ("已超过完成时限", "进度落后序时", "距完成时限仅剩", "计划开始", "满意率", "已于"):
        assert any(r.startswith(start) for r in reasons), start
    assert any(i.stale and i.last_report for i in info)


def test_reopened_fixed_rerated_and_below_sample(demo):
    follow = [i.followup for i in demo.aggregates.info.values() if i.followup]
    states = Counter(f.state for f in follow)
    assert states[REOPENED] and states[FIXED]
    assert any(f.state == FIXED and f.rerated_valid >= Rules().min_sample for f in follow)
    assert any(f.explicit for f in follow) and any(not f.explicit for f in follow)
    few = [c for c in demo.dataset.ratings.values() if 0 < sum(n for k, n in c.items() if k != "unknown") < 5]
    assert few


def test_leaders_across_several_projects(demo):
    counts = Counter(p.leader for p in demo.dataset.projects.values())
    assert max(counts.values()) >= 3 and all("（" in leader for leader in counts)
