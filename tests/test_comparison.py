"""The comparison figures (晒清单比项目), recomputed independently from the input CSVs
with pandas — not with the aggregate code — and compared entity by entity.

The recomputation follows the rules as the site states them (generator.model.aggregate.rules_text,
defaults of SiteSettings), written again here in table form.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
import pytest
import yaml
from support import MINI

from generator.ingest import prepare as pipeline
from generator.model.aggregate import comparisons, leader_parts

OVERSIGHT = Path(__file__).parent / "fixtures" / "oversight"
SATISFIED = {"满意", "基本满意"}  # three-level scale; 不了解 is not a valid answer
OPEN = {"未启动", "推进中", "滞后"}
DONE = {"已完成"}
# Defaults stated on the site (SiteSettings)
DUE, YELLOW_PTS, RED_PTS, GRACE, CYCLE, CYCLES, THRESHOLD, MIN_N = 15, 10, 30, 30, 31, 2, 80, 5


def read(folder: Path, name: str) -> pd.DataFrame:
    df = pd.read_csv(folder / f"{name}.csv", dtype=str, keep_default_na=False, encoding="utf-8-sig")
    return df.rename(
        columns={
            "编号": "id", "项目编号": "project", "项目名称": "title", "社区": "communities", "牵头单位": "unit",
            "领办人": "leader", "开始日期": "start", "完成时限": "deadline", "状态": "status", "完成比例": "progress",
            "日期": "date", "完成日期": "completed", "评价日期": "date", "评价": "rating",
            "整改开始日期": "reopened", "整改期限": "fix_deadline", "整改完成日期": "fixed",
        }
    )  # fmt: skip


def day(text: str):
    return pd.NaT if not text else pd.Timestamp(text)


def expected(folder: Path) -> dict[str, dict[str, tuple]]:
    as_of = pd.Timestamp(yaml.safe_load((folder / "site.yaml").read_text(encoding="utf-8"))["as_of"])
    areas = read(folder, "areas")
    units = read(folder, "units")
    projects = read(folder, "projects")
    progress = read(folder, "progress")
    results = read(folder, "results")
    feedback = read(folder, "feedback")
    for df, cols in ((projects, ("start", "deadline")), (progress, ("date",)), (results, ("completed",)),
                     (feedback, ("date",))):  # fmt: skip
        for c in cols:
            df[c] = df[c].map(day)
    for c in ("reopened", "fix_deadline", "fixed"):
        results[c] = results[c].map(day) if c in results else pd.NaT
    progress["value"] = pd.to_numeric(progress["progress"], errors="coerce")
    projects["value"] = pd.to_numeric(projects["progress"], errors="coerce")
    progress = progress[progress["date"] <= as_of].sort_values(["project", "date"], kind="stable")
    feedback = feedback.sort_values(["project", "date"], kind="stable")
    feedback["valid"] = feedback["rating"] != "不了解"
    feedback["sat"] = feedback["rating"].isin(SATISFIED)
    p = projects.merge(results[["project", "completed", "reopened", "fix_deadline", "fixed"]], how="left",
                       left_on="id", right_on="project")  # fmt: skip
    last = progress.groupby("project")["date"].max()
    latest_value = progress.dropna(subset=["value"]).groupby("project")["value"].last()
    p["last"] = p["id"].map(last)
    p["current"] = p["value"].fillna(p["id"].map(latest_value))
    p.loc[p["current"].isna() & (p["status"] == "未启动"), "current"] = 0
    p["open"] = p["status"].isin(OPEN)
    p["done"] = p["status"].isin(DONE)

    def light(r) -> str | None:
        if r.done:
            return follow_light(r)
        if not r.open:
            return None
        reds = yellows = 0
        overdue = pd.notna(r.deadline) and as_of > r.deadline
        reds += overdue
        if pd.notna(r.deadline) and pd.notna(r.start) and r.deadline > r.start and not overdue and pd.notna(r.current):
            line = min(100, max(0, round((as_of - r.start).days * 100 / (r.deadline - r.start).days)))
            behind = line - r.current
            reds += behind > RED_PTS
            yellows += YELLOW_PTS <= behind <= RED_PTS
        if pd.notna(r.deadline):
            yellows += 0 <= (r.deadline - as_of).days <= DUE
        since_start = (as_of - r.start).days if pd.notna(r.start) else None
        yellows += r.status == "未启动" and since_start is not None and since_start >= GRACE
        if since_start is None or since_start >= 0:
            if pd.notna(r["last"]):
                yellows += (as_of - r["last"]).days > CYCLES * CYCLE
            elif since_start is not None:
                yellows += since_start > CYCLES * CYCLE
        return "red" if reds else "yellow" if yellows else "green"

    def follow_light(r) -> str:
        if pd.isna(r.completed):
            return "green"
        mine = feedback[(feedback["project"] == r.id) & feedback["valid"]]
        running = mine.assign(n=range(1, len(mine) + 1), s=mine["sat"].cumsum())
        below = (running["n"] >= MIN_N) & (running["s"] * 100 < THRESHOLD * running["n"])
        fixed = r.fixed
        if pd.isna(fixed):
            first = r.reopened if pd.notna(r.reopened) else (running["date"][below].min() if below.any() else pd.NaT)
            if pd.notna(first):
                done = progress[(progress["project"] == r.id) & (progress["date"] > first) & (progress["value"] == 100)]
                fixed = done["date"].min() if len(done) else pd.NaT
        before = running if pd.isna(fixed) else running[running["date"] <= fixed]
        still_below = len(before) and bool(below[before.index].iloc[-1])
        if pd.isna(r.reopened) and not still_below:
            return "green"
        if pd.isna(fixed):
            return "red"
        after = mine[mine["date"] > fixed]
        n, s = len(after), int(after["sat"].sum())
        return "red" if n >= MIN_N and s * 100 < THRESHOLD * n else "green"

    p["light"] = p.apply(light, axis=1)
    p["on_time_base"] = p["deadline"].notna() & (
        (p["done"] & p["completed"].notna()) | (~p["done"] & p["open"] & (p["deadline"] < as_of))
    )
    p["on_time"] = p["done"] & (p["completed"] <= p["deadline"])
    p["overdue"] = p["open"] & (p["deadline"] < as_of)
    p["days"] = (p["completed"] - p["start"]).dt.days.where(p["done"])

    def every_cycle(r) -> bool | None:
        if r.status == "已终止" or pd.isna(r.start):
            return None
        end = r.completed if r.done and pd.notna(r.completed) else as_of
        if end < r.start:
            return None
        dates = progress[(progress["project"] == r.id) & (progress["date"] >= r.start) & (progress["date"] <= end)]
        marks = pd.Series([r.start, *dates["date"], end])
        return bool((marks.diff().dt.days.dropna() <= CYCLE).all())

    p["every"] = p.apply(every_cycle, axis=1)
    rated = feedback.groupby("project").agg(valid=("valid", "sum"), sat=("sat", "sum"))
    p["valid"] = p["id"].map(rated["valid"]).fillna(0).astype(int)
    p["sat"] = p["id"].map(rated["sat"]).fillna(0).astype(int)

    parent = dict(zip(areas["id"], areas["parent"], strict=True))
    p["community_list"] = p["communities"].str.split("、")
    by_community = p.explode("community_list").drop_duplicates(["id", "community_list"])
    by_sub = by_community.assign(sub=by_community["community_list"].map(parent)).drop_duplicates(["id", "sub"])
    groupings = {
        "units": (p, "unit"),
        "communities": (by_community, "community_list"),
        "subdistricts": (by_sub, "sub"),
        "leaders": (p, "leader"),
    }
    out: dict[str, dict[str, tuple]] = {}
    for kind, (df, key) in groupings.items():
        g = df.groupby(key)
        out[kind] = {
            k: (
                len(x),
                int(x["done"].sum()),
                int((~x["status"].isin({"常态化", "已终止"})).sum()),
                int((x["on_time"] & x["on_time_base"]).sum()),
                int(x["on_time_base"].sum()),
                int(x["overdue"].sum()),
                int(x["days"].sum()),
                int(x["days"].notna().sum()),
                int(x["sat"].sum()),
                int(x["valid"].sum()),
                int((x["light"] == "red").sum()),
                int((x["light"] == "yellow").sum()),
                int((x["every"] == True).sum()),  # noqa: E712 (None is not False here)
                int(x["every"].notna().sum()),
            )
            for k, x in g
        }
    assert set(units["id"]) >= set(out["units"])
    return out


FIELDS = ("projects", "completed", "completion_base", "on_time", "on_time_base", "overdue", "days_total",
          "days_count", "satisfied", "valid", "red", "yellow", "reported", "report_base")  # fmt: skip


@pytest.mark.parametrize("folder", [OVERSIGHT, MINI], ids=["oversight", "mini"])
def test_comparison_matches_an_independent_recomputation(folder):
    pr = pipeline.prepare(folder)
    got = comparisons(pr.dataset, pr.aggregates)
    want = expected(folder)
    for kind in want:
        mine = {c.key: tuple(getattr(c, f) for f in FIELDS) for c in got[kind]}
        assert mine == want[kind], kind


def test_oversight_fixture_exercises_every_figure():
    pr = pipeline.prepare(OVERSIGHT)
    got = {c.key: c for c in comparisons(pr.dataset, pr.aggregates)["units"]}
    assert sum(c.red for c in got.values()) >= 3 and sum(c.yellow for c in got.values()) >= 4
    assert any(c.overdue for c in got.values()) and any(c.on_time < c.on_time_base for c in got.values())
    assert any(c.reported < c.report_base for c in got.values())


def test_default_rank_and_leader_titles():
    pr = pipeline.prepare(OVERSIGHT)
    units = comparisons(pr.dataset, pr.aggregates)["units"]
    rates = [c.completion_rate for c in units]
    assert rates == sorted(rates, reverse=True)
    assert leader_parts("王建国（副局长）") == ("王建国", "副局长")
    assert leader_parts("Li (director)") == ("Li", "director")
    assert leader_parts("刘明") == ("刘明", "")
    _ = dt  # dates are parsed by pandas above
