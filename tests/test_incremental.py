"""An incremental build is byte-identical to a full build of the same data."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest
from support import ROOT, read_rows, site_files

from generator.cli import main
from generator.ingest import prepare as pipeline
from generator.tools.bench import change_one_percent


def files(root: Path) -> dict[str, bytes]:
    return site_files(root)


def build(data: Path, out: Path, *extra: str) -> None:
    assert main(["build", "--data", str(data), "--output", str(out), *extra]) == 0


@pytest.fixture(scope="module")
def demo(tmp_path_factory) -> Path:
    data = tmp_path_factory.mktemp("demo") / "data"
    shutil.copytree(ROOT / "data", data)
    return data


def test_same_inputs_give_identical_output(demo, tmp_path):
    build(demo, tmp_path / "a", "--full")
    build(demo, tmp_path / "b", "--full")
    a, b = files(tmp_path / "a"), files(tmp_path / "b")
    assert a.keys() == b.keys()
    assert [k for k in a if a[k] != b[k]] == []


def test_incremental_after_a_change_equals_full_build(demo, tmp_path):
    out = tmp_path / "incremental"
    build(demo, out)
    before = files(out)
    change_one_percent(demo, seed=7)
    build(demo, out)
    after = files(out)
    changed = [k for k in after if before.get(k) != after[k]]
    assert 0 < len(changed) < len(after) / 2  # only what the change touched
    build(demo, tmp_path / "full", "--full")
    full = files(tmp_path / "full")
    assert after.keys() == full.keys()
    assert [k for k in full if full[k] != after[k]] == []


def test_one_percent_change_touches_one_percent_of_projects(tmp_path):
    data = tmp_path / "data"
    shutil.copytree(ROOT / "data", data)
    before = pd.read_csv(data / "projects.csv", dtype=str, keep_default_na=False).set_index("编号")
    feedback = len(pd.read_csv(data / "feedback.csv", dtype=str))
    n = change_one_percent(data, seed=11, fraction=0.05)
    after = pd.read_csv(data / "projects.csv", dtype=str, keep_default_na=False).set_index("编号")
    edited = set(after.index[(after != before).any(axis=1)])
    rated = set(pd.read_csv(data / "feedback.csv", dtype=str)["项目编号"].iloc[feedback:])
    assert n == int(len(before) * 0.05)
    assert len(edited) + len(rated) == n and not edited & rated  # each project gets one kind of edit
    assert edited and rated
    assert set(after.loc[sorted(rated), "状态"]) <= {"已完成", "提前完成", "已销号"}


def test_incremental_removes_pages_that_no_longer_exist(demo, tmp_path):
    out = tmp_path / "out"
    build(demo, out)
    assert (out / "lists/demands/page/20/index.html").exists()
    site = demo / "site.yaml"
    site.write_text(site.read_text(encoding="utf-8").replace("page_size: 50", "page_size: 100"), encoding="utf-8")
    build(demo, out)
    assert not (out / "lists/demands/page/20").exists()
    build(demo, tmp_path / "full", "--full")
    assert files(out) == files(tmp_path / "full")


def test_unchanged_inputs_skip_the_build(demo, tmp_path, capsys):
    out = tmp_path / "out"
    build(demo, out)
    before = {p: p.stat().st_mtime_ns for p in out.rglob("*")}
    build(demo, out)
    assert "输入没有变化" in capsys.readouterr().out
    assert {p: p.stat().st_mtime_ns for p in out.rglob("*")} == before


def test_page_weight_budgets(demo, tmp_path):
    out = tmp_path / "out"
    build(demo, out)
    pages = {p: p.stat().st_size for p in out.rglob("*.html")}
    assert max(pages.values()) < 200 * 1024, max(pages, key=pages.get)
    assert (out / "index.html").stat().st_size < 60 * 1024
    # What one page loads: the portal's stylesheet, or an embed's or a notice sheet's own.
    css = {p.name: p.stat().st_size for p in (out / "theme").rglob("*.css")}
    assert css.pop("site.css") < 40 * 1024  # ~8 KB as sent (gzip)
    assert css.pop("embed.css") + css.pop("board.css") < 10 * 1024 and not css, css
    assert max(p.stat().st_size for p in (out / "theme").rglob("*.js")) < 30 * 1024  # each script


def test_demo_rows_reconcile(demo, tmp_path):
    import json

    out = tmp_path / "out"
    build(demo, out, "--reports", str(tmp_path / "reports"))
    report = json.loads((tmp_path / "reports" / "build-report.json").read_text(encoding="utf-8"))
    assert {r["list"] for r in report["rows"]} == {"areas", "units", "demands", "projects", "progress", "results",
                                                   "feedback"}
    for r in report["rows"]:
        assert r["read"] == r["published"] + r["excluded"] and r["read"] > 0, r


# ---------------------------------------------------------------- what a rebuild skips
# The renderer skips a page when the digests of what it shows did not change
# (generator/digests.py). Each edit below touches one kind of input; the incremental
# build must equal a full build of the edited data byte for byte.


def _edit_text(path: Path, old: str, new: str, encoding: str = "utf-8", count: int = 1) -> None:
    text = path.read_bytes().decode(encoding)
    assert old in text, (path.name, old)
    path.write_bytes(text.replace(old, new, count).encode(encoding))


def _csv_cell(path: Path, row: int, column: str, value: str, encoding: str = "utf-8-sig") -> None:
    """Set one cell (data row ``row``, 1-based) of a CSV file, keeping its encoding."""
    import csv
    import io

    text = path.read_bytes().decode(encoding)
    rows = list(csv.reader(io.StringIO(text, newline="")))
    rows[row][rows[0].index(column)] = value
    out = io.StringIO(newline="")
    csv.writer(out, lineterminator="\r\n" if "\r\n" in text[:2000] else "\n").writerows(rows)
    path.write_bytes(out.getvalue().encode(encoding))


def _unit_name(data: Path) -> None:
    from openpyxl import load_workbook

    wb = load_workbook(data / "units.xlsx")
    ws = wb.active
    for row in ws.iter_rows():
        for cell in row:
            if cell.value == "U045":
                ws.cell(cell.row, cell.column + 1).value = "区综合行政执法局（改名）"
                wb.save(data / "units.xlsx")
                return
    raise AssertionError("U045 not found")


def _add_project(data: Path) -> None:
    """A new project (its own page, in its community, unit and the lists)."""
    import csv
    import io

    path = data / "projects.csv"
    text = path.read_bytes().decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text, newline="")))
    new = dict(zip(rows[0], rows[1], strict=True))
    new.update({"编号": "P09999", "项目名称": "福岭社区新增便民服务点", "对应需求": ""})
    new.update({"状态": "正常推进", "完成比例": "30"})
    rows.append([new[h] for h in rows[0]])
    out = io.StringIO(newline="")
    csv.writer(out, lineterminator="\r\n" if "\r\n" in text[:2000] else "\n").writerows(rows)
    path.write_bytes(out.getvalue().encode("utf-8-sig"))


EDITS = {
    "community renamed": lambda d: [
        _edit_text(d / f, "桑盛社区", "桑盛新社区", count=-1) for f in ("areas.yaml", "demands.csv")
    ],
    "households": lambda d: _edit_text(d / "areas.yaml", "households: 5105\n", "households: 5120\n"),
    "subdistrict renamed": lambda d: _edit_text(d / "areas.yaml", "name: 和湖街道\n", "name: 和湖新街道\n"),
    "unit renamed": _unit_name,
    "project title": lambda d: _csv_cell(d / "projects.csv", 1, "项目名称", "福岭社区油烟整治（更名）"),
    "project lead unit": lambda d: _csv_cell(d / "projects.csv", 2, "牵头单位", "U045"),
    # Figures move between subdistricts while the district's totals stay the same.
    "project moves subdistrict": lambda d: _csv_cell(d / "projects.csv", 2, "社区", "C0007"),
    "project deadline": lambda d: _csv_cell(d / "projects.csv", 3, "完成时限", "2026-11-01"),
    # D000158 names no project; listed by P00001, it becomes that project's demand.
    "project lists a demand": lambda d: _csv_cell(
        d / "projects.csv", 1, "对应需求", "D000001、D000003、D000007、D000009、D000158"
    ),
    "demand names a project": lambda d: _csv_cell(d / "demands.csv", 158, "转化项目", "P00001"),
    "demand summary": lambda d: _csv_cell(d / "demands.csv", 5, "需求内容", "小区门口路灯不亮，晚上出行不便"),
    "progress note": lambda d: _csv_cell(d / "progress.csv", 2, "进展情况", "已完成管线铺设", encoding="gb18030"),
    "result outcome": lambda d: _csv_cell(d / "results.csv", 1, "办理成效", "油烟投诉清零。"),
    "public comment": lambda d: _edit_text(
        d / "feedback.csv", "P00001,2025-12-24,满意,希望多办这样的实事", "P00001,2025-12-24,不满意,希望尽快回访"
    ),
    "project added": _add_project,
    "as-of date": lambda d: _edit_text(d / "site.yaml", "as_of: 2026-11-15", "as_of: 2026-11-20"),
}


@pytest.fixture(scope="module")
def base_build(tmp_path_factory) -> tuple[Path, Path]:
    root = tmp_path_factory.mktemp("base")
    shutil.copytree(ROOT / "data", root / "data")
    build(root / "data", root / "output")
    return root / "data", root / "output"


@pytest.mark.parametrize("edit", list(EDITS))
def test_incremental_equals_full_after_each_kind_of_edit(edit, base_build, tmp_path):
    data, out = tmp_path / "data", tmp_path / "output"
    shutil.copytree(base_build[0], data)
    shutil.copytree(base_build[1], out)
    before = files(out)
    EDITS[edit](data)
    build(data, out)
    after = files(out)
    assert [k for k in after if before.get(k) != after[k]], "the edit changed no output file"
    build(data, tmp_path / "full", "--full")
    full = files(tmp_path / "full")
    assert sorted(after) == sorted(full)
    assert [k for k in full if full[k] != after[k]] == []


def test_spec_url_and_template_match_the_built_page():
    from generator.site.pages import PageKinds, default_kinds
    from generator.site.views import ViewBuilder
    prepared = pipeline.prepare(ROOT / "data")
    builder = ViewBuilder(prepared.dataset, prepared.aggregates)
    kinds = PageKinds(default_kinds())
    for spec in kinds.specs(builder):
        page = kinds.build(builder, spec)
        assert (kinds.url(spec), kinds.template(spec)) == (page.url, page.template)


def test_fingerprint_reads_the_folders_pelican_reads(tmp_path):
    from generator.build import pelican_settings, source_folders

    settings = pelican_settings(tmp_path, None)
    assert source_folders(None) == (Path(settings["PATH"]), Path(settings["THEME"]))


def test_an_interrupted_commit_makes_the_next_build_full(demo, tmp_path):
    from generator.output.folder import PENDING

    out = tmp_path / "out"
    build(demo, out)
    (out / "stale.html").write_text("left over", encoding="utf-8")
    (out / "projects/p00001/index.html").write_text("half-moved", encoding="utf-8")
    (out / PENDING).write_text("interrupted", encoding="utf-8")
    build(demo, out)  # inputs unchanged, but the marker forces a full build
    assert not (out / PENDING).exists() and not (out / "stale.html").exists()
    build(demo, tmp_path / "full", "--full")
    assert files(out) == files(tmp_path / "full")


def test_a_download_is_built_again_only_when_its_sources_change(base_build, tmp_path, monkeypatch):
    """Only the scopes (the whole district, subdistricts, communities, units) whose rows
    changed get their files built again."""
    from generator.exports import opendata
    from generator.site.views import url_for

    built: list[set[str]] = []
    real = opendata.iter_built

    parts: list[set[str]] = []

    def spy(ds, agg, url_for_, base_url, todo):
        built.append({s.folder for s in todo})
        parts.append({s.part for s in todo if s.kind == "all"})
        return real(ds, agg, url_for_, base_url, todo)

    monkeypatch.setattr(opendata, "iter_built", spy)
    data, out = tmp_path / "data", tmp_path / "output"
    shutil.copytree(base_build[0], data)
    shutil.copytree(base_build[1], out)

    def showing(match) -> set[str]:
        prepared = pipeline.prepare(data, use_cache=False)
        ds = prepared.dataset
        scopes = opendata.scopes(ds, prepared.aggregates, url_for)
        return {s.folder for s in scopes if match(ds, s)}

    EDITS["project deadline"](data)
    build(data, out, "--jobs", "1")  # in this process, so the spy sees the call
    pid = read_rows(data / "projects.csv")[3][0]
    expected = showing(
        lambda ds, s: s.kind == "all" or pid in s.projects or any(ds.demands[n].project == pid for n in s.demands)
    )
    assert {frozenset(b) for b in built[-2:]} == {frozenset(expected - {opendata.API}), frozenset({opendata.API})}
    assert 2 < len(expected) < 20
    # The whole district's lists that show projects; not its demands, areas or units.
    assert set().union(*parts[-2:]) == {"projects", "progress", "results", "ratings"}
    EDITS["demand summary"](data)
    build(data, out, "--jobs", "1")
    text = "小区门口路灯不亮，晚上出行不便"
    expected = showing(lambda ds, s: s.kind == "all" or any(ds.demands[n].summary == text for n in s.demands))
    assert {frozenset(b) for b in built[-2:]} == {frozenset(expected - {opendata.API}), frozenset({opendata.API})}
    assert 2 < len(expected) < 10
    assert set().union(*parts[-2:]) == {"demands"}


def test_a_removed_news_item_leaves_the_site(demo, tmp_path):
    """Pelican's own pages are listed once, by the privacy scan's walk of the new site;
    a news item deleted from content/ disappears from the next incremental build."""
    site = tmp_path / "site"
    site.mkdir()
    for name in ("content", "theme"):
        shutil.copytree(ROOT / name, site / name)
    shutil.copy(ROOT / "pelicanconf.py", site / "pelicanconf.py")
    out = tmp_path / "out"
    settings = ("--settings", str(site / "pelicanconf.py"))
    build(demo, out, *settings)
    assert (out / "news/november-ratings/index.html").exists()
    (site / "content/news/2026-11-ratings.md").unlink()
    build(demo, out, *settings)
    assert not (out / "news/november-ratings/index.html").exists()
    build(demo, tmp_path / "full", "--full", *settings)
    assert files(out) == files(tmp_path / "full")
