"""The supervision lights and 限时整改 at every boundary, on hand-made projects."""

from __future__ import annotations

import datetime as dt

import pytest

from generator.model.aggregate import (
    FAILED,
    FIXED,
    GREEN,
    RED,
    REOPENED,
    YELLOW,
    Rules,
    crossing_date,
    followup,
    project_info,
    reported_every_cycle,
)
from generator.model.dataset import ProgressEntry, Project, Result

D = dt.date
START, DEADLINE = D(2026, 1, 1), D(2026, 11, 28)  # 331 days: 1 point is 3.31 days
RULES = Rules()
SAT = ("satisfied", "basic")


def project(status="in_progress", progress=None, start=START, deadline=DEADLINE) -> Project:
    return Project("P", "t", ("C",), None, None, "U", (), "王建国（副局长）", "", start, deadline, status, progress,
                   (), "p")  # fmt: skip


def report(date: dt.date, progress: int | None = None) -> ProgressEntry:
    return ProgressEntry("P", date, "", progress)


def on(as_of: dt.date, p: Project, reports=(), **kw):
    return project_info(p, as_of, None, RULES, list(reports) or [report(as_of)], **kw)


def day_at(points: int) -> dt.date:
    """The first day on which the straight-line schedule stands at ``points`` percent."""
    span = (DEADLINE - START).days
    return next(START + dt.timedelta(days=d) for d in range(span + 1) if round(d * 100 / span) == points)


# -- behind the straight-line schedule: 9 green, 10 and 30 yellow, 31 red
@pytest.mark.parametrize(("behind", "light"), [(9, GREEN), (10, YELLOW), (30, YELLOW), (31, RED)])
def test_behind_schedule_boundaries(behind, light):
    as_of = day_at(50)
    i = on(as_of, project(progress=50 - behind))
    assert i.expected_progress == 50
    assert i.light == light
    if light != GREEN:
        assert f"进度落后序时 {behind} 个百分点" in i.light_reason
    else:
        assert i.light_reason == "按序时推进"


# -- past the deadline: the deadline day itself is not overdue, the day after is red
def test_deadline_day_and_day_after():
    p = project(progress=100 - 5)
    on_day = on(DEADLINE, p)
    after = on(DEADLINE + dt.timedelta(days=1), p)
    assert on_day.overdue_days == 0 and on_day.light == YELLOW and "距完成时限仅剩 0 天" in on_day.light_reason
    assert after.light == RED and after.overdue_days == 1 and "已超过完成时限 1 天" in after.light_reason


# -- due within 15 days: 16 days left green, 15 yellow
@pytest.mark.parametrize(("left", "light"), [(16, GREEN), (15, YELLOW), (1, YELLOW)])
def test_due_soon_boundary(left, light):
    as_of = DEADLINE - dt.timedelta(days=left)
    i = on(as_of, project(progress=100))
    assert i.light == light and i.due_in_days == left
    assert ("距完成时限仅剩" in i.light_reason) == (light == YELLOW)


# -- not started: 29 days after the planned start fine, 30 days yellow
@pytest.mark.parametrize(("days", "light"), [(29, GREEN), (30, YELLOW)])
def test_not_started_grace(days, light):
    p = project("not_started", None, deadline=D(2027, 12, 31))  # a long project: 30 days is < 10 points
    as_of = START + dt.timedelta(days=days)
    i = on(as_of, p)
    assert i.light == light
    assert ("仍未启动" in i.light_reason) == (light == YELLOW)


def test_not_started_before_start_is_green():
    i = on(START - dt.timedelta(days=1), project("not_started", None))
    assert i.light == GREEN and i.light_reason == "尚未到开始时间"


# -- stale: 62 days (two monthly cycles) since the last report fine, 63 yellow, with the date
@pytest.mark.parametrize(("days", "stale"), [(62, False), (63, True)])
def test_stale_boundary(days, stale):
    last = D(2026, 5, 1)
    p = project(progress=None, deadline=D(2027, 12, 31))
    i = project_info(p, last + dt.timedelta(days=days), None, RULES, [report(D(2026, 2, 1), 10), report(last, 30)])
    assert i.stale is stale and i.last_report == last and i.days_since_report == days
    assert (f"已 {days} 天未报送进度（最近一次 2026年5月1日）" in i.light_reason) == stale


def test_never_reported_is_stale_after_two_cycles():
    p = project(progress=None, deadline=D(2027, 12, 31))
    assert not project_info(p, START + dt.timedelta(days=62), None, RULES, []).stale
    i = project_info(p, START + dt.timedelta(days=63), None, RULES, [])
    assert i.stale and i.light == YELLOW and "仍无进度报送" in i.light_reason and i.last_report is None


def test_red_reasons_win_and_all_are_listed():
    as_of = DEADLINE + dt.timedelta(days=166)
    i = project_info(project(progress=40), as_of, None, RULES, [report(D(2026, 6, 1), 40)])
    assert i.light == RED
    assert i.light_reason == "已超过完成时限 166 天"  # yellow reasons (stale) are not mixed into a red light
    assert i.stale and i.days_since_report == (as_of - D(2026, 6, 1)).days


def test_thresholds_come_from_rules():
    as_of = day_at(50)
    strict = Rules(yellow_points=5, red_points=8)
    assert project_info(project(progress=44), as_of, None, strict, [report(as_of)]).light == YELLOW
    assert project_info(project(progress=41), as_of, None, strict, [report(as_of)]).light == RED


def test_other_statuses_have_no_light():
    for status in ("ongoing", "suspended", "cancelled"):
        assert on(D(2027, 1, 1), project(status)).light is None


# -- completed projects and 限时整改


def ratings(*pairs: tuple[str, int], first: dt.date = D(2026, 4, 1)) -> list[tuple[dt.date, str]]:  # noqa: B008
    """Ratings one a day from ``first``: ("satisfied", 3), ("unsatisfied", 2) ..."""
    keys = [k for k, n in pairs for _ in range(n)]
    return [(first + dt.timedelta(days=n), k) for n, k in enumerate(keys)]


def result(**kw) -> Result:
    return Result("P", D(2026, 3, 25), "done", None, "", **kw)


def test_rate_threshold_exact_and_minimum_sample():
    # 4 of 5 = 80%: not below; 3 of 4 is below but on fewer than five ratings
    assert crossing_date(ratings(("satisfied", 4), ("unsatisfied", 1)), SAT, RULES) is None
    assert crossing_date(ratings(("satisfied", 3), ("unsatisfied", 1)), SAT, RULES) is None
    log = ratings(("satisfied", 3), ("unsatisfied", 2))  # 60% on the fifth rating
    assert crossing_date(log, SAT, RULES) == log[-1][0]


def test_unknown_is_not_in_the_sample():
    log = ratings(("satisfied", 3), ("unsatisfied", 1), ("unknown", 3))
    assert crossing_date(log, SAT, RULES) is None


def test_crossing_is_the_rating_after_which_it_stayed_below():
    log = ratings(("satisfied", 4), ("unsatisfied", 2), ("satisfied", 6), ("unsatisfied", 5))
    # 4/6 below at the 6th; back to 10/12 = 83%; below again at 10/13 = 76.9% (the 13th) and after
    assert crossing_date(log, SAT, RULES) == log[12][0]


def test_reopened_derived_with_deadline_and_red():
    log = ratings(("satisfied", 21), ("unsatisfied", 10), ("unknown", 2))
    f = followup(result(), log, [], SAT, RULES, D(2026, 6, 30))
    assert f is not None and f.state == REOPENED and not f.explicit
    assert f.deadline == f.reopened + dt.timedelta(days=15)
    i = project_info(project("completed", 100), D(2026, 6, 30), D(2026, 3, 25), RULES, [], f)
    assert i.light == RED
    assert "满意率 67.7%（21/31）低于 80%" in i.light_reason and "限时整改至" in i.light_reason
    assert f"已超过整改期限 {(D(2026, 6, 30) - f.deadline).days} 天" in i.light_reason


def test_follow_up_deadline_day_is_not_late():
    log = ratings(("satisfied", 3), ("unsatisfied", 2))
    f = followup(result(), log, [], SAT, RULES, log[-1][0] + dt.timedelta(days=15))
    assert f.overdue_days == 0
    f = followup(result(), log, [], SAT, RULES, log[-1][0] + dt.timedelta(days=16))
    assert f.overdue_days == 1


def test_fixed_by_a_report_at_100_then_rerated():
    log = ratings(("satisfied", 3), ("unsatisfied", 2))  # reopened on 4月5日
    fix = report(D(2026, 4, 20), 100)
    again = log + ratings(("satisfied", 5), first=D(2026, 4, 21))
    f = followup(result(), again, [report(D(2026, 4, 10), 60), fix], SAT, RULES, D(2026, 6, 30))
    assert f.state == FIXED and f.fixed == D(2026, 4, 20)
    assert (f.satisfied, f.valid, f.rerated_satisfied, f.rerated_valid) == (3, 5, 5, 5)
    i = project_info(project("completed", 100), D(2026, 6, 30), D(2026, 3, 25), RULES, [], f)
    assert i.light == GREEN and "整改完成" in i.light_reason


def test_rerating_still_below_stays_red():
    later = ratings(("satisfied", 2), ("unsatisfied", 3), first=D(2026, 5, 1))
    log = ratings(("satisfied", 3), ("unsatisfied", 2)) + later
    f = followup(result(fixed=D(2026, 4, 30)), log, [], SAT, RULES, D(2026, 6, 30))
    assert f.state == FAILED and f.explicit and (f.rerated_satisfied, f.rerated_valid) == (2, 5)
    i = project_info(project("completed", 100), D(2026, 6, 30), D(2026, 3, 25), RULES, [], f)
    assert i.light == RED and "复评满意率 40.0%（2/5）仍低于 80%" in i.light_reason


def test_explicit_reopening_from_the_result_list():
    r = result(reopened=D(2026, 5, 1), fix_deadline=D(2026, 5, 10), fix_note="更换灯具")
    f = followup(r, ratings(("satisfied", 5)), [], SAT, RULES, D(2026, 5, 10))
    assert f.state == REOPENED and f.explicit and f.deadline == D(2026, 5, 10) and f.note == "更换灯具"


def test_good_rate_no_followup_and_green():
    assert followup(result(), ratings(("satisfied", 9), ("unsatisfied", 1)), [], SAT, RULES, D(2026, 6, 30)) is None
    i = project_info(project("completed", 100), D(2026, 6, 30), D(2026, 3, 25), RULES, [])
    assert i.light == GREEN and i.light_reason == "已完成" and i.on_time and i.days_to_complete == 83


def test_on_time_and_reports_every_cycle():
    p = project("completed", 100)
    assert project_info(p, D(2027, 1, 1), DEADLINE + dt.timedelta(days=1), RULES, []).on_time is False
    assert project_info(p, D(2027, 1, 1), DEADLINE, RULES, []).on_time is True
    assert project_info(project(), DEADLINE, None, RULES, []).on_time is None
    assert project_info(project(), DEADLINE + dt.timedelta(days=1), None, RULES, []).on_time is False
    reports = [report(START + dt.timedelta(days=31)), report(START + dt.timedelta(days=62))]
    assert reported_every_cycle(project(), reports, START + dt.timedelta(days=93), 31) is True
    assert reported_every_cycle(project(), reports, START + dt.timedelta(days=94), 31) is False
    assert reported_every_cycle(project(), [], START - dt.timedelta(days=1), 31) is None


def test_first_fall_below_even_if_it_recovered():
    log = ratings(("satisfied", 4), ("unsatisfied", 2), ("satisfied", 10))
    assert crossing_date(log, SAT, RULES) is None
    assert crossing_date(log, SAT, RULES, first=True) == log[5][0]
