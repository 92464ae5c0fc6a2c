"""Five-level ratings (非常满意 … 非常不满意) roll up like three-level ones: the top three
count as satisfied, 不了解 is outside the sample, every level shows in the distribution,
and the follow-up rule reads the same keys."""

from __future__ import annotations

import shutil
from pathlib import Path

from support import read_rows, write_rows

from generator.ingest import prepare as pipeline
from generator.model.aggregate import Rules, crossing_date
from generator.site.views import ViewBuilder

OVERSIGHT = Path(__file__).parent / "fixtures" / "oversight"
FIVE = {"满意": "非常满意", "基本满意": "基本满意", "不满意": "非常不满意"}


def test_five_level_roll_up(tmp_path):
    data = tmp_path / "data"
    shutil.copytree(OVERSIGHT, data)
    site = (data / "site.yaml").read_text(encoding="utf-8").replace("rating_scale: three", "rating_scale: five")
    (data / "site.yaml").write_text(site, encoding="utf-8")
    rows = read_rows(data / "feedback.csv")
    rows = [rows[0], *([r[0], r[1], FIVE.get(r[2], r[2])] for r in rows[1:])]
    rows += [["P12", "2026-06-20", "满意"], ["P12", "2026-06-21", "不满意"], ["P12", "2026-06-22", "不了解"]]
    write_rows(data / "feedback.csv", rows)
    pr = pipeline.prepare(data)
    ds, agg = pr.dataset, pr.aggregates
    assert ds.satisfied_keys == ("very_satisfied", "satisfied", "basic")
    # P12 (C1 and C2): 非常满意 4, 基本满意 1, 非常不满意 1, then 满意 1, 不满意 1, 不了解 1
    assert ds.ratings["P12"] == {"very_satisfied": 4, "basic": 1, "very_unsatisfied": 1, "satisfied": 1,
                                 "unsatisfied": 1, "unknown": 1}  # fmt: skip
    district = agg.district
    counts = {k: sum(r.get(k, 0) for r in ds.ratings.values()) for k in ("very_satisfied", "satisfied", "basic")}
    assert district.satisfied == sum(counts.values())
    assert district.valid_ratings == sum(n for r in ds.ratings.values() for k, n in r.items() if k != "unknown")
    b = ViewBuilder(ds, agg)
    bars = b.figures(agg.communities["C1"]).ratings
    levels = ["very_satisfied", "satisfied", "basic", "unsatisfied", "very_unsatisfied", "unknown"]
    assert [x.key for x in bars] == levels
    assert sum(x.count for x in bars) == sum(agg.communities["C1"].ratings.values())
    # the follow-up rule on five levels: P09 and P10 reopen as on three levels
    assert {p for p, i in agg.info.items() if i.followup} == {"P09", "P10"}
    assert crossing_date([(ds.as_of, "satisfied")] * 5, ds.satisfied_keys, Rules()) is None
