"""Monthly figures (月度晒进度) on the oversight fixture, checked by hand against its CSVs."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from generator.ingest import prepare as pipeline
from generator.model.aggregate import month_ends, monthly

OVERSIGHT = Path(__file__).parent / "fixtures" / "oversight"


@pytest.fixture(scope="module")
def months():
    pr = pipeline.prepare(OVERSIGHT)
    return {m.month: m for m in monthly(pr.dataset, pr.aggregates)}, pr


def test_month_ends_cover_to_the_as_of_date():
    ends = month_ends(dt.date(2025, 12, 20), dt.date(2026, 2, 10))
    assert ends == [
        (dt.date(2025, 12, 1), dt.date(2025, 12, 31)),
        (dt.date(2026, 1, 1), dt.date(2026, 1, 31)),
        (dt.date(2026, 2, 1), dt.date(2026, 2, 10)),
    ]


def test_counts_per_month(months):
    by, _ = months
    assert min(by) == dt.date(2025, 9, 1) and max(by) == dt.date(2026, 6, 1)  # first demand to as-of
    jan, jun = by[dt.date(2026, 1, 1)], by[dt.date(2026, 6, 1)]
    assert (jan.demands, jan.opened, jan.completed, jan.overdue) == (4, 5, 0, 1)  # P01 due 1月15日
    assert jun.completed_ids == ("P10",) and jun.demands == 2
    # ratings given in June: P09's six re-ratings and P10's five (2 satisfied)
    assert (jun.satisfied, jun.valid) == (8, 11)


def test_last_month_is_today_and_turned_red_is_new_red(months):
    by, pr = months
    jun, may = by[dt.date(2026, 6, 1)], by[dt.date(2026, 5, 1)]
    lights = [i.light for i in pr.aggregates.info.values()]
    assert (jun.red, jun.yellow) == (lights.count("red"), lights.count("yellow"))
    assert "P10" in jun.turned_red  # reopened in June (限时整改)
    assert "P09" in may.turned_red and "P09" not in jun.turned_red  # fixed on 6月5日
    assert "P01" in by[dt.date(2025, 11, 1)].turned_red
    assert all("P01" not in m.turned_red for m in list(by.values())[3:])
