"""The demo-data generator: deterministic, scalable, internally consistent."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from pathlib import Path

import pytest
import yaml
from openpyxl import load_workbook

from generator.schema import (
    DEMANDS,
    FEEDBACK,
    PROGRESS,
    PROJECTS,
    RESULTS,
    STAGE,
    STATUS,
    UNITS,
    Table,
    norm,
)
from generator.tools import demo

FILES = (
    "site.yaml", "areas.yaml", "units.xlsx", "demands.csv", "projects.csv", "progress.csv",
    "results.csv", "feedback.csv",
)
ENCODINGS = {"demands.csv": "utf-8-sig", "progress.csv": "gb18030"}
MOBILE = re.compile(r"(?<!\d)1[3-9]\d{9}(?!\d)")
LONG_DIGITS = re.compile(r"\d{7,}")
AS_OF = demo.AS_OF


@pytest.fixture(scope="module")
def small(tmp_path_factory) -> tuple[Path, dict[str, int]]:
    out = tmp_path_factory.mktemp("demo02")
    return out, demo.generate(out, 0.2, seed=7)


def read(out: Path, name: str, table: Table) -> list[dict[str, str]]:
    """Rows keyed by schema column name (headers are the Chinese labels)."""
    text = (out / name).read_text(encoding=ENCODINGS.get(name, "utf-8"))
    rows = list(csv.reader(io.StringIO(text)))
    lookup = table.header_lookup()
    keys = [lookup[norm(h)] for h in rows[0]]
    return [dict(zip(keys, r, strict=True)) for r in rows[1:]]


def day(text: str) -> dt.date:
    m = re.match(r"^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?$", text)
    assert m, text
    return dt.date(*map(int, m.groups()))


def test_every_file_written_with_counts(small):
    out, counts = small
    for name in FILES:
        assert (out / name).stat().st_size > 0, name
    assert counts["demands"] == round(1500 * 0.2)
    assert counts["projects"] == round(400 * 0.2)
    assert len(read(out, "demands.csv", DEMANDS)) == counts["demands"]
    assert len(read(out, "projects.csv", PROJECTS)) == counts["projects"]
    assert len(read(out, "progress.csv", PROGRESS)) == counts["progress"]
    assert len(read(out, "feedback.csv", FEEDBACK)) == counts["feedback"]
    site = yaml.safe_load((out / "site.yaml").read_text(encoding="utf-8"))
    assert site["as_of"] == AS_OF and site["district"] == demo.DISTRICT
    assert not re.search(r"\d{3,4}-\d{7,8}", site["contact"])


def test_same_seed_same_bytes(small, tmp_path):
    out, _ = small
    demo.generate(tmp_path, 0.2, seed=7)
    for name in FILES:
        assert (tmp_path / name).read_bytes() == (out / name).read_bytes(), name


def test_other_seed_differs(small, tmp_path):
    out, _ = small
    demo.generate(tmp_path, 0.2, seed=8)
    assert (tmp_path / "demands.csv").read_bytes() != (out / "demands.csv").read_bytes()


def test_counts_scale_with_factor(small, tmp_path):
    _, base = small
    bigger = demo.generate(tmp_path, 0.6, seed=7)
    for table in ("demands", "projects", "units", "results", "progress", "feedback"):
        assert 2.2 < bigger[table] / base[table] < 3.8, table
    assert bigger["demands"] == 900 and bigger["projects"] == 240


def test_ids_unique_and_references_consistent(small):
    out, _ = small
    areas = yaml.safe_load((out / "areas.yaml").read_text(encoding="utf-8"))
    area_ids = [a["id"] for a in areas]
    assert len(set(area_ids)) == len(area_ids)
    assert len({a["name"] for a in areas}) == len(areas)
    communities = {a["id"]: a["name"] for a in areas if a["level"] in ("社区", "村", "community")}
    names = {v: k for k, v in communities.items()}

    ws = load_workbook(out / "units.xlsx").active
    unit_rows = list(ws.iter_rows(min_row=3, values_only=True))
    unit_ids = [r[0] for r in unit_rows]
    assert len(set(unit_ids)) == len(unit_ids)
    assert len({r[1] for r in unit_rows}) == len(unit_rows)
    for r in unit_rows:
        assert all(c in communities for c in r[3].split("、"))

    demands = read(out, "demands.csv", DEMANDS)
    projects = read(out, "projects.csv", PROJECTS)
    assert len({d["id"] for d in demands}) == len(demands)
    assert len({p["id"] for p in projects}) == len(projects)
    by_id = {p["id"]: p for p in projects}
    stages = STAGE.lookup()
    for d in demands:
        assert d["community"] in communities or d["community"] in names
        stage = stages[norm(d["stage"])]
        if stage == "deliberated":
            assert d["id"] in by_id[d["project"]]["demands"].split("、")
        else:
            assert d["project"] == ""
        assert (stage == "declined") == bool(d["decline_reason"])
    listed = [i for p in projects for i in p["demands"].split("、") if i]
    assert len(listed) == len(set(listed))
    demand_project = {d["id"]: d["project"] for d in demands}
    for p in projects:
        assert all(demand_project[i] == p["id"] for i in p["demands"].split("、") if i)
        assert all(c in communities for c in p["communities"].split("、"))
        assert p["lead_unit"] in unit_ids
        assert all(u in unit_ids for u in p["partner_units"].split("、") if u)


def test_dates_and_results(small):
    out, _ = small
    projects = read(out, "projects.csv", PROJECTS)
    results = {r["project"]: r for r in read(out, "results.csv", RESULTS)}
    statuses = STATUS.lookup()
    done: dict[str, dt.date] = {}
    for p in projects:
        status = statuses[norm(p["status"])]
        start = day(p["start"])
        if p["deadline"]:
            assert day(p["deadline"]) > start
        else:
            assert status == "ongoing"
        if status == "completed":
            assert p["progress"] == "100"
            r = results[p["id"]]
            done[p["id"]] = day(r["completed"])
            assert start < done[p["id"]] < AS_OF
            if r["signed_off"]:
                assert done[p["id"]] <= day(r["signed_off"]) <= AS_OF
        else:
            assert p["id"] not in results
    assert set(results) == set(done)
    overdue = [p for p in projects if statuses[norm(p["status"])] == "in_progress"
               and day(p["deadline"]) < AS_OF]
    assert overdue, "the portal needs overdue projects to flag"

    by_id = {p["id"]: p for p in projects}
    last: dict[str, tuple[dt.date, int]] = {}
    for row in read(out, "progress.csv", PROGRESS):
        d = day(row["date"])
        if row["note"].startswith("整改："):  # 限时整改 after a poor rating: reported after completion
            assert done[row["project"]] < d <= AS_OF and row["progress"] == "100"
            continue
        assert day(by_id[row["project"]]["start"]) < d <= done.get(row["project"], AS_OF)
        value = int(row["progress"]) if row["progress"] else 0
        prev = last.get(row["project"])
        if prev:
            assert d >= prev[0] and value >= prev[1]
        last[row["project"]] = (d, value)
    for row in read(out, "feedback.csv", FEEDBACK):
        d = day(row["date"])
        assert d <= AS_OF
        if row["project"] in done:
            assert d > done[row["project"]]
        else:
            assert statuses[norm(by_id[row["project"]]["status"])] == "ongoing"


def test_progress_is_gb18030(small):
    out, _ = small
    raw = (out / "progress.csv").read_bytes()
    with pytest.raises(UnicodeDecodeError):
        raw.decode("utf-8")
    assert raw.decode("gb18030").startswith("项目编号,日期,进展情况,完成比例")
    assert (out / "demands.csv").read_bytes().startswith(b"\xef\xbb\xbf")


def test_units_workbook_has_title_row(small):
    out, _ = small
    ws = load_workbook(out / "units.xlsx").active
    assert "A1:E1" in {str(r) for r in ws.merged_cells.ranges}
    assert "责任单位名录" in ws["A1"].value
    header = [c.value for c in ws[2]]
    assert header == [UNITS.column(n).label for n in ("id", "name", "kind", "paired_communities", "hotline")]


def test_planted_pii_only_where_asked(small, tmp_path):
    out, _ = small

    def public_texts(folder: Path):
        for d in read(folder, "demands.csv", DEMANDS):
            yield "summary", d["summary"]
            yield "decline", d["decline_reason"]
        for p in read(folder, "projects.csv", PROJECTS):
            yield "title", p["title"]
            yield "measures", p["measures"]
            yield "leader", p["leader"]
        for r in read(folder, "progress.csv", PROGRESS):
            yield "note", r["note"]
        for r in read(folder, "results.csv", RESULTS):
            yield "outcome", r["outcome"]
            yield "evidence", r["evidence"]
        for f in read(folder, "feedback.csv", FEEDBACK):
            yield "comment", f["comment"]

    found = [(kind, t) for kind, t in public_texts(out) if LONG_DIGITS.search(t)]
    assert sorted(kind for kind, _ in found) == ["comment", "comment", "summary", "summary",
                                                 "summary"]
    assert all(MOBILE.search(t) for _, t in found)
    for f in read(out, "feedback.csv", FEEDBACK):
        if MOBILE.search(f["comment"]):
            assert f["comment_public"] == "是"

    demo.generate(tmp_path, 0.2, seed=7, plant_pii=False)
    assert not [t for _, t in public_texts(tmp_path) if LONG_DIGITS.search(t)]


def test_benchmark_runs_every_scenario(tmp_path):
    """`gongshi bench` as the README shows it, on a small preset: every scenario runs in
    its own process and the 1% rebuild renders only part of the site."""
    import json

    from generator.cli import main

    assert main(["bench", "--preset", "0.2", "--runs", "1", "--workdir", str(tmp_path)]) == 0
    result = json.loads((tmp_path / "0.2" / "results.json").read_text(encoding="utf-8"))
    full, unchanged, changed = (result["scenarios"][k] for k in ("full", "unchanged", "changed_1pct"))
    assert result["pages"] > 50 and full["wall_s"] > 0 and full["peak_rss_mb"] > 0
    assert full["counts"]["pages rendered"] == full["counts"]["pages"]
    assert unchanged["counts"] == {} and 0 < unchanged["share_of_full"] < 1
    assert 0 < changed["counts"]["pages rendered"] < changed["counts"]["pages"]
    assert 0 < changed["counts"]["MB written"] < full["counts"]["MB written"] <= result["output_mb"] * 1.05
