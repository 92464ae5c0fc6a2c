"""Open data: the files equal the pages, the data package validates, search engines find
every page, and every page carries its canonical URL and the government-site meta tags.

Built from the mini fixture, whose site URL has a sub-path (https://example.gov.cn/zl/bssh),
and from the demo data (no site URL: relative links).
"""

from __future__ import annotations

import csv
import datetime as dt
import html
import io
import json
import re
import shutil
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path

import openpyxl
import pytest
import yaml
from support import MINI, ROOT

from generator.cli import main
from generator.exports import opendata, package, sitemap, xlsx
from generator.ingest import prepare as pipeline
from generator.privacy.mask import scan_bytes
from generator.site.views import url_for

BASE = "https://example.gov.cn/zl/bssh"
API = "api/v1"
GOV_META = (
    "SiteName",
    "SiteDomain",
    "SiteIDCode",
    "ColumnName",
    "ColumnDescription",
    "ColumnKeywords",
    "ColumnType",
    "ArticleTitle",
    "PubDate",
    "ContentSource",
    "Keywords",
    "Author",
    "Description",
    "Image",
    "Url",
)


@pytest.fixture(scope="module")
def mini_site(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("opendata") / "output"
    assert main(["build", "--data", str(MINI), "--output", str(out)]) == 0
    return out


@pytest.fixture(scope="module")
def demo_site(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("opendata-demo") / "output"
    assert main(["build", "--data", str(ROOT / "data"), "--output", str(out)]) == 0
    return out


@pytest.fixture(scope="module")
def mini_prepared():
    return pipeline.prepare(MINI, use_cache=False)


def _csv(path: Path) -> list[dict[str, str]]:
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf"), "CSV without BOM: Excel on Chinese Windows misreads it"
    return list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"), newline="")))


def _sheet(path: Path, title: str) -> list[dict[str, object]]:
    wb = openpyxl.load_workbook(path)
    ws = wb[title]
    rows = list(ws.iter_rows(values_only=True))
    header = rows[0]
    return [dict(zip(header, r, strict=True)) for r in rows[1:]]


def _figures(page: str) -> dict[str, str]:
    """The figures block of a page: label -> shown value (tags stripped)."""
    block = page.split('<dl class="figures">', 1)[1].split("</dl>", 1)[0]
    out = {}
    for dt_, dd in re.findall(r"<dt>(.*?)</dt> <dd>(.*?)</dd>", block, re.S):
        label = re.sub(r"<[^>]+>", "", re.sub(r'<span class="ico"[^>]*>.*?</span>', "", dt_)).strip()
        out[label] = html.unescape(re.sub(r"<[^>]+>", " ", dd)).split()[0].replace(",", "")
    return out


def _percent(satisfied: int, valid: int, minimum: int) -> str:
    if not valid:
        return "—"
    if valid < minimum:
        return "样本不足"
    return f"{satisfied / valid * 100:.1f}%"


def _page(site: Path, url: str) -> str:
    return (site / url / "index.html").read_text(encoding="utf-8")


def _project_links(page: str, section: str) -> list[str]:
    """Project slugs linked from the project table of a page section (by its heading)."""
    part = page.split(f"<h2>{section}</h2>", 1)[1].split("</section>", 1)[0]
    return re.findall(r'href="(?:\.\./)+projects/([^/"]+)/"', part)


# ---------------------------------------------------------------- files equal pages


@pytest.mark.parametrize(("kind", "folder"), [("community", "communities"), ("subdistrict", "subdistricts")])
def test_area_files_carry_the_page_figures(mini_site, mini_prepared, kind, folder):
    ds = mini_prepared.dataset
    for area in ds.level(kind):
        url = url_for(kind, area.id)
        figures = _figures(_page(mini_site, url))
        files = mini_site / API / url
        projects = _csv(files / "projects.csv")
        book = files / "data.xlsx"
        sheet = _sheet(book, "整改清单")
        assert [r["编号"] for r in projects] == [r["编号"] for r in sheet]
        for rows in (projects, sheet):
            assert len(rows) == int(figures["实事项目"])
            assert sum(r["状态"] == "已完成" for r in rows) == int(figures["已完成"])
            assert sum(r["亮灯"] == "红灯" for r in rows) == int(figures["红灯"])
            assert sum(r["亮灯"] == "黄灯" for r in rows) == int(figures["黄灯"])
        demands = _csv(files / "demands.csv")
        assert len(demands) == len(_sheet(book, "需求清单")) == int(figures["收集需求"])
        assert {r["社区名称"] for r in demands} <= {a.name for a in ds.areas.values()}
        ratings = _csv(files / "ratings.csv")
        valid = sum(int(r["有效评价数"]) for r in ratings)
        satisfied = sum(int(r["满意及基本满意数"]) for r in ratings)
        assert _percent(satisfied, valid, ds.settings.min_sample) == figures["满意率"]
        # JSON: the whole district's rows, selected by the scope's code.
        doc = json.loads((mini_site / API / "projects.json").read_text(encoding="utf-8"))
        where = (lambda r: (r["subdistrict"],)) if kind == "subdistrict" else (lambda r: r["communities"])
        mine = [r for r in doc["rows"] if area.id in where(r)]
        if kind == "community":
            assert {r["id"] for r in mine} == {r["编号"] for r in projects}
        assert not (files / "projects.json").exists()


def test_community_files_list_the_page_projects_in_its_order(mini_site, mini_prepared):
    for area in mini_prepared.dataset.level("community"):
        url = url_for("community", area.id)
        shown = _project_links(_page(mini_site, url), "整改清单")
        rows = _csv(mini_site / API / url / "projects.csv")
        # Absolute URLs: the site URL is set, with its sub-path.
        assert [r["网址"] for r in rows] == [f"{BASE}/projects/{slug}/" for slug in shown]


def test_unit_files_carry_the_unit_page(mini_site, mini_prepared):
    ds = mini_prepared.dataset
    for uid, unit in ds.units.items():
        url = url_for("unit", uid)
        page = _page(mini_site, url)
        figures = _figures(page)
        rows = _csv(mini_site / API / url / "projects.csv")
        led = [r for r in rows if r["牵头单位"] == uid]
        assert all(r["牵头单位名称"] == unit.name for r in led)
        assert len(led) == int(figures["实事项目"])
        assert sum(r["状态"] == "已完成" for r in led) == int(figures["已完成"])
        shown = set(re.findall(r'href="(?:\.\./)+projects/([^/"]+)/"', page.split("<main", 1)[1]))
        assert {r["网址"].rsplit("/", 2)[1] for r in rows} == shown


def test_a_unit_block_says_its_files_hold_partner_projects_too(mini_site, mini_prepared):
    """A unit's files hold the projects it leads and those it partners in, its page's figures
    the led ones only: the block says so, and how to get the page's figures from the file."""
    partnered = 0
    for uid in mini_prepared.dataset.units:
        url = url_for("unit", uid)
        rows = _csv(mini_site / API / url / "projects.csv")
        block = _page(mini_site, url).split('<section class="block downloads"', 1)[1].split("</section>", 1)[0]
        assert "牵头和配合" in block and "牵头单位" in block
        partnered += any(r["牵头单位"] != uid for r in rows)
    assert partnered  # the fixture has a unit whose files are more than its page's figures
    for url in ("", url_for("community", "C1")):
        assert "牵头和配合" not in _page(mini_site, url)


def test_overall_files_equal_the_home_figures(mini_site, mini_prepared):
    ds = mini_prepared.dataset
    figures = _figures(_page(mini_site, ""))
    for root in (mini_site / API, mini_site / "downloads"):  # the old paths keep working
        projects = _csv(root / "projects.csv")
        assert len(projects) == int(figures["实事项目"]) == len(ds.projects)
        assert sum(r["状态"] == "已完成" for r in projects) == int(figures["已完成"])
        assert len(_csv(root / "demands.csv")) == int(figures["收集需求"])
    assert (mini_site / API / "projects.csv").read_bytes() == (mini_site / "downloads" / "projects.csv").read_bytes()
    for name, title in (("demands", "需求清单"), ("projects", "整改清单"), ("areas", "区域"), ("units", "责任单位")):
        assert openpyxl.load_workbook(mini_site / API / f"{name}.xlsx").sheetnames == [title, "说明"]
    scope = url_for("community", ds.level("community")[0].id)
    book = openpyxl.load_workbook(mini_site / API / scope / "data.xlsx")
    assert book.sheetnames == ["需求清单", "整改清单", "进度纪实", "结果清单", "满意度汇总", "说明"]
    areas = _csv(mini_site / API / "areas.csv")
    units = _csv(mini_site / API / "units.csv")
    assert {r["编号"]: r["名称"] for r in areas} == {a.id: a.name for a in ds.areas.values()}
    assert {r["编号"]: r["单位名称"] for r in units} == {u.id: u.name for u in ds.units.values()}


def test_ratings_are_counts_per_project_never_raters(mini_site, mini_prepared):
    ds = mini_prepared.dataset
    rows = _csv(mini_site / API / "ratings.csv")
    assert rows
    for r in rows:
        counts = ds.ratings[r["项目编号"]]
        for choice in ds.rating_enum.choices:
            assert int(r[f"{choice.label}数"]) == counts.get(choice.key, 0)
        valid = sum(n for k, n in counts.items() if k != "unknown")
        assert int(r["有效评价数"]) == valid
    header = set(rows[0])
    assert not header & {"评价人", "联系电话", "意见", "评价日期"}


def test_project_page_rate_equals_its_ratings_row(mini_site, mini_prepared):
    ds = mini_prepared.dataset
    rows = {r["项目编号"]: r for r in _csv(mini_site / API / "ratings.csv")}
    assert rows
    for pid, r in rows.items():
        expected = _percent(int(r["满意及基本满意数"]), int(r["有效评价数"]), ds.settings.min_sample)
        shown = f"{float(r['满意率（%）']):.1f}%" if r["满意率（%）"] else "样本不足"
        assert shown == expected or (expected == "—" and shown == "样本不足")
        assert f">{expected}</span>" in _page(mini_site, url_for("project", pid)), (pid, expected)


def test_a_rerated_projects_row_gives_both_figures_its_page_shows(demo_site):
    """限时整改: the project page shows the original ratings (up to the fix) and the
    re-rating (复评) apart; the ratings row gives the re-rating, and all ratings minus it
    the original, each as the page prints it."""
    from bs4 import BeautifulSoup

    rows = [r for r in _csv(demo_site / API / "ratings.csv") if r["整改完成日期"]]
    assert len(rows) >= 3
    minimum = pipeline.prepare(ROOT / "data").dataset.settings.min_sample
    for r in rows:
        doc = BeautifulSoup(_page(demo_site, url_for("project", r["项目编号"])), "html.parser")
        original, again = doc.select("p.big-rate")  # 满意率（原评价）, then 复评 in the follow-up
        assert again.find_parent("section")["class"] == ["block", "followup"]
        n, sat = int(r["复评有效评价数"]), int(r["复评满意数"])
        shown = f"{float(r['复评满意率（%）']):.1f}%" if r["复评满意率（%）"] else _percent(sat, n, minimum)
        assert again.select_one(".fig-v").text == shown == _percent(sat, n, minimum), r["项目编号"]
        assert again.select_one(".fig-n").text == f"有效评价 n={n}"
        before_n, before_sat = int(r["有效评价数"]) - n, int(r["满意及基本满意数"]) - sat
        assert original.select_one(".fig-v").text == _percent(before_sat, before_n, minimum), r["项目编号"]
        assert original.select_one(".fig-n").text == f"有效评价 n={before_n}"
        fixed = doc.select_one("section.followup dt:-soup-contains('整改完成') + dd time")["datetime"]
        assert r["整改完成日期"] == fixed


def test_names_stand_beside_codes_in_every_format(mini_site):
    header = next(csv.reader(io.StringIO((mini_site / API / "projects.csv").read_text(encoding="utf-8-sig"))))
    assert header[header.index("社区") + 1] == "社区名称"
    assert header[header.index("牵头单位") + 1] == "牵头单位名称"
    wb = openpyxl.load_workbook(mini_site / API / "projects.xlsx")
    xheader = [c.value for c in next(wb["整改清单"].iter_rows(max_row=1))]
    assert xheader == header
    row = json.loads((mini_site / API / "projects.json").read_text(encoding="utf-8"))["rows"][0]
    assert list(row)[list(row).index("lead_unit") + 1] == "lead_unit_name"


def test_workbook_has_header_widths_frozen_pane_and_notes(mini_site, mini_prepared):
    ds = mini_prepared.dataset
    path = mini_site / API / url_for("community", ds.level("community")[0].id) / "data.xlsx"
    wb = openpyxl.load_workbook(path)
    ws = wb["整改清单"]
    assert ws.freeze_panes == "A2"
    assert ws["A1"].font.b
    assert ws.column_dimensions["B"].width >= 20  # 项目名称
    notes = {r[0]: r[1] for r in wb["说明"].iter_rows(values_only=True) if r and r[0]}
    assert notes["数据截止日期"] == "2026-06-30"
    assert "CC-BY-4.0" in notes["许可协议"]
    assert ds.settings.name in notes["数据来源"]
    described = {(r[0], r[1]) for r in wb["说明"].iter_rows(values_only=True) if r and len(r) > 2 and r[2]}
    assert ("整改清单", "牵头单位名称") in described
    assert wb.properties.created == wb.properties.modified == dt.datetime(2026, 6, 30)
    with zipfile.ZipFile(path) as z:
        assert {i.date_time for i in z.infolist()} == {(1980, 1, 1, 0, 0, 0)}


def test_workbooks_are_byte_reproducible(mini_prepared, tmp_path):
    ds, agg = mini_prepared.dataset, mini_prepared.aggregates
    first = opendata.build_files(ds, agg, url_for, BASE, opendata.scopes(ds, agg, url_for)).files
    second = opendata.build_files(ds, agg, url_for, BASE, opendata.scopes(ds, agg, url_for)[::-1]).files
    assert first == second


def test_relative_urls_without_a_site_url(demo_site):
    rows = _csv(demo_site / API / "projects.csv")
    assert rows[0]["网址"].startswith("projects/")


def test_a_cell_that_would_be_a_formula_is_neutralised_in_csv_only(mini_prepared):
    ds, agg = mini_prepared.dataset, mini_prepared.aggregates
    demand = ds.demands[0]
    original = demand.summary
    demand.summary = "=HYPERLINK(1)"
    try:
        built = opendata.build_files(ds, agg, url_for, "", opendata.scopes_all(ds))
    finally:
        demand.summary = original
    assert b"'=HYPERLINK(1)" in built.files[f"{API}/demands.csv"]
    wb = openpyxl.load_workbook(io.BytesIO(built.files[f"{API}/demands.xlsx"]))
    cells = [c.value for row in wb["需求清单"].iter_rows() for c in row]
    assert "=HYPERLINK(1)" in cells  # an inline string: Excel never evaluates it
    assert all(c.data_type != "f" for row in wb["需求清单"].iter_rows() for c in row)


# ---------------------------------------------------------------- privacy


def test_the_workbook_texts_are_scanned(mini_prepared):
    """A phone that escaped masking would be found in every new file, the workbook too."""
    ds, agg = mini_prepared.dataset, mini_prepared.aggregates
    demand = ds.demands[0]
    original = demand.summary
    demand.summary = "请回电 13957246813"
    try:
        scope = next(s for s in opendata.scopes(ds, agg, url_for) if s.kind == "community" and 0 in s.demands)
        built = opendata.build_files(ds, agg, url_for, "", [scope])
    finally:
        demand.summary = original
    for path, data in built.scanned.items():
        if path.endswith(("demands.csv", "demands.json", ".xlsx")):
            assert "13957246813" in {value for _, value in scan_bytes(data)}, path
    # and the workbook really holds the text only zipped (a scan of its bytes would miss it)
    book = next(p for p in built.files if p.endswith(".xlsx"))
    assert b"13957246813" not in built.files[book]


def test_a_row_shown_by_several_scopes_is_scanned_once_and_always_caught(mini_prepared):
    """A row is the same string in its community's, subdistrict's and units' files: the
    scan reads it once, with the first file that has it, and still finds it."""
    ds, agg = mini_prepared.dataset, mini_prepared.aggregates
    project = ds.projects[sorted(ds.projects)[0]]
    original = project.title
    project.title = "联系 13957246813"
    try:
        todo = [s for s in opendata.scopes(ds, agg, url_for) if s.kind != "all" and project.id in s.projects]
        assert {s.kind for s in todo} == {"subdistrict", "community", "unit"}
        built = list(opendata.iter_built(ds, agg, url_for, "", todo))
    finally:
        project.title = original
    found = [
        path for b in built for path, data in b.scanned.items() if "13957246813" in {v for _, v in scan_bytes(data)}
    ]
    first = todo[0].folder  # the title shows in its projects, demands, results ... and workbook
    assert {f"{first}projects.csv", f"{first}data.xlsx"} <= set(found) and all(p.startswith(first) for p in found)
    # every file still carries the row itself
    assert all(b"13957246813" in b.files[f"{s.folder}projects.csv"] for b, s in zip(built, todo, strict=True))
    # and what is not scanned again is exactly what an earlier file of the run had
    assert all(
        b"13957246813" not in data for b in built[1:] for data in b.scanned.values()
    )


def test_a_masked_phone_never_reaches_the_new_files(mini, tmp_path):
    path = mini / "demands.csv"
    text = path.read_text(encoding="utf-8-sig")
    lines = text.splitlines()
    header = next(csv.reader([lines[0]]))
    first = next(csv.reader([lines[1]]))
    first[header.index("需求内容")] = "路灯坏了，联系13957246813"
    out_line = io.StringIO()
    csv.writer(out_line, lineterminator="").writerow(first)
    lines[1] = out_line.getvalue()
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    out = tmp_path / "out"
    assert main(["build", "--data", str(mini), "--output", str(out)]) == 0
    found_mask = False
    for f in (out / "api").rglob("*"):
        if not f.is_file():
            continue
        if f.suffix == ".xlsx":
            with zipfile.ZipFile(f) as z:
                data = b"".join(z.read(n) for n in z.namelist())
        else:
            data = f.read_bytes()
        assert b"13957246813" not in data, f
        assert b"5724" not in data.replace(b"139****6813", b""), f
        found_mask = found_mask or b"139****6813" in data
    assert found_mask


# ---------------------------------------------------------------- the data package


def test_data_package_is_valid_with_the_demo_data(demo_site):
    frictionless = pytest.importorskip("frictionless")
    report = frictionless.Package(str(demo_site / API / "datapackage.json")).validate()
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])[:10]
    doc = json.loads((demo_site / API / "datapackage.json").read_text(encoding="utf-8"))
    assert {r["name"] for r in doc["resources"]} == set(opendata.ALL_LISTS)
    assert doc["licenses"][0]["name"] == "CC-BY-4.0"
    assert doc["created"].startswith("2026-11-15")
    projects = next(r for r in doc["resources"] if r["name"] == "projects")
    assert projects["schema"]["primaryKey"] == ["编号"]
    assert {"fields": ["牵头单位"], "reference": {"resource": "units", "fields": ["编号"]}} in projects["schema"][
        "foreignKeys"
    ]


def test_every_file_the_package_names_is_beside_it(demo_site):
    """The package's description and paths name only files published next to it (there is
    no district-wide data.xlsx: each list has a workbook of its own)."""
    folder = demo_site / API
    doc = json.loads((folder / "datapackage.json").read_text(encoding="utf-8"))
    named = re.findall(r"[A-Za-z0-9_-]+\.(?:xlsx|csv|json)", doc["description"])
    named += [r[key] for r in doc["resources"] for key in ("path", "jsonPath")]
    assert named and [n for n in named if not (folder / n).is_file()] == []


def test_data_package_validation_catches_a_broken_reference(demo_site, tmp_path):
    frictionless = pytest.importorskip("frictionless")
    copy = tmp_path / "v1"
    shutil.copytree(demo_site / API, copy, ignore=shutil.ignore_patterns("communities", "units", "subdistricts"))
    text = (copy / "progress.csv").read_text(encoding="utf-8-sig").splitlines()
    cells = next(csv.reader([text[1]]))
    cells[0] = "P-NOT-THERE"
    out = io.StringIO()
    csv.writer(out, lineterminator="").writerow(cells)
    text[1] = out.getvalue()
    (copy / "progress.csv").write_text("\ufeff" + "\r\n".join(text) + "\r\n", encoding="utf-8")
    report = frictionless.Package(str(copy / "datapackage.json")).validate()
    assert not report.valid
    assert "foreign-key" in {e["type"] for e in report.flatten(["type"]) for e in [{"type": e[0]}]}


def test_api_page_documents_every_field_of_the_package(mini_site):
    doc = json.loads((mini_site / API / "datapackage.json").read_text(encoding="utf-8"))
    page = _page(mini_site, "api")
    for resource in doc["resources"]:
        table = page.split(f'data-list="{resource["name"]}"', 1)[1].split("</table>", 1)[0]
        rows = re.findall(r"<tr><td><code>(.*?)</code></td><td>(.*?)</td><td>(.*?)</td><td>(.*?)</td></tr>", table)
        assert [(k, label) for k, label, _, _ in rows] == [
            (f["jsonKey"], f["name"]) for f in resource["schema"]["fields"]
        ]
    assert "CC-BY-4.0" in page and "2026-06-30" in page
    assert f"{BASE}/api/v1/projects.json" in page  # examples are absolute with the site URL


def test_api_page_says_truly_how_to_select_rows_in_the_json(mini_site):
    """The data page's note on the JSON promises only what the rows hold: a project without
    所属街道 has no subdistrict code, progress/results/ratings rows only their project's,
    and an enumerated column without jsonEnum keeps the CSV's Chinese values."""
    page = _page(mini_site, "api")
    note = page.split('<p class="note">', 1)[1].split("</p>", 1)[0]
    rows = {
        n: json.loads((mini_site / API / f"{n}.json").read_text(encoding="utf-8"))["rows"] for n in opendata.ALL_LISTS
    }
    assert any(not r["subdistrict"] for r in rows["projects"])  # the fixture has such projects
    assert "每行都有" not in note
    keys = set(re.findall(r"<code>([a-z_]+)</code>", note))
    assert keys and keys <= {k for n in rows for r in rows[n][:1] for k in r}
    for name in ("progress", "results", "ratings"):
        assert all(r["project"] for r in rows[name]) and "<code>project</code>" in note
    doc = json.loads((mini_site / API / "datapackage.json").read_text(encoding="utf-8"))
    for resource in doc["resources"]:
        for f in resource["schema"]["fields"]:
            if "enum" in f.get("constraints", {}) and "jsonEnum" not in f:
                values = {r[f["jsonKey"]] for r in rows[resource["name"]]} - {"", None}
                assert values <= set(f["constraints"]["enum"])  # the labels, as in the CSV
                assert f"<code>{f['jsonKey']}</code>" in note


def test_package_fields_come_from_the_schema(mini_prepared):
    doc = package.package(mini_prepared.dataset, BASE)
    for resource in doc["resources"]:
        table = opendata.tables(mini_prepared.dataset)[resource["name"]]
        assert [f["jsonKey"] for f in resource["schema"]["fields"]] == [c.name for c in opendata.export_columns(table)]


# ---------------------------------------------------------------- search engines


def _pages(site: Path) -> list[str]:
    return sorted(
        p.parent.relative_to(site).as_posix() + "/" if p.parent != site else "" for p in site.rglob("index.html")
    )


def test_sitemap_lists_every_page_with_data_dates(mini_site):
    tree = ET.parse(mini_site / "sitemap.xml")
    ns = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}
    locs = {u.findtext("s:loc", namespaces=ns): u.findtext("s:lastmod", namespaces=ns) for u in tree.getroot()}
    expected = {f"{BASE}/{p}" for p in _pages(mini_site)}
    assert set(locs) == expected
    as_of = dt.date(2026, 6, 30)
    # News items are dated by their own date; data pages by the data's.
    dates = {dt.date.fromisoformat(d) for loc, d in locs.items() if d and "/news/" not in loc}
    assert dates and max(dates) <= as_of  # from the data, never the build's day
    assert len(dates) > 1  # pages differ: each dated by what it shows
    robots = (mini_site / "robots.txt").read_text(encoding="utf-8")
    assert f"Sitemap: {BASE}/sitemap.xml" in robots


def test_a_large_site_gets_a_sitemap_index():
    entries = [(f"projects/p{n}/", dt.date(2026, 1, 1 + n % 28)) for n in range(25)]
    files = sitemap.sitemap_files(entries, BASE, limit=10)
    assert sorted(files) == ["sitemap-1.xml", "sitemap-2.xml", "sitemap-3.xml", "sitemap.xml"]
    index = ET.fromstring(files["sitemap.xml"])
    assert index.tag.endswith("sitemapindex") and len(index) == 3
    assert sum(len(ET.fromstring(files[f"sitemap-{n}.xml"])) for n in (1, 2, 3)) == 25
    assert sitemap.robots("") == b"User-agent: *\nAllow: /\n"


def test_every_page_has_canonical_and_government_meta_under_a_sub_path(mini_site):
    pages = _pages(mini_site)
    kinds = {p.split("/", 1)[0] for p in pages}
    assert {"", "communities", "subdistricts", "units", "projects", "lists", "api", "news", "pages"} <= kinds
    for rel in pages:
        text = (mini_site / rel / "index.html").read_text(encoding="utf-8")
        head = text.split("</head>", 1)[0]
        canonical = re.findall(r'<link rel="canonical" href="([^"]+)">', head)
        if rel.startswith(("embed/", "print/")):
            # A frame or a notice sheet of a page (noindex): canonical is the page itself.
            full = rel.split("/", 1)[1]
            assert canonical == [f"{BASE}/{full}"] and 'content="noindex"' in head, rel
            continue
        assert canonical == [f"{BASE}/{rel}"], rel
        meta = dict(re.findall(r'<meta name="([A-Za-z]+)" content="([^"]*)">', head))
        for name in GOV_META:
            assert meta.get(name), (rel, name)
        assert meta["Url"] == f"{BASE}/{rel}"
        assert meta["SiteDomain"] == "example.gov.cn"
        assert meta["Image"].startswith(f"{BASE}/")
        assert re.fullmatch(r"\d{4}-\d\d-\d\d( \d\d:\d\d)?", meta["PubDate"])
    home = (mini_site / "index.html").read_text(encoding="utf-8")
    assert '<meta name="ColumnType" content="首页">' in home
    api = (mini_site / "api" / "index.html").read_text(encoding="utf-8")
    assert '<meta name="ColumnType" content="数据发布">' in api


def test_canonical_is_relative_without_a_site_url(demo_site):
    text = (demo_site / "communities" / "c0003" / "index.html").read_text(encoding="utf-8")
    assert '<link rel="canonical" href="../../communities/c0003/">' in text
    assert "Sitemap:" not in (demo_site / "robots.txt").read_text(encoding="utf-8")


# ---------------------------------------------------------------- download blocks


def test_each_scope_page_links_its_files_with_format_and_size(mini_site, mini_prepared):
    ds = mini_prepared.dataset
    pages = [("", "")] + [
        (url_for(a.level, a.id), a.id) for a in ds.areas.values() if a.level in ("subdistrict", "community")
    ]
    pages += [(url_for("unit", u), u) for u in ds.units] + [("lists/projects/", ""), ("api/", "")]
    for url, _ in pages:
        text = _page(mini_site, url)
        block = text.split('<section class="block downloads"', 1)[1].split("</section>", 1)[0]
        links = re.findall(
            r'href="((?:\.\.?/)*)(api/v1/[^"]+)"[^>]*>([^<]+)</a>(?: <span class="size">([^<]+)</span>)?', block
        )
        assert len(links) >= 6, url
        if url in ("", "api/", "lists/projects/"):
            assert any(path.endswith("/projects.xlsx") for _, path, _, _ in links)
        for _, path, _, size in links:
            target = mini_site / path
            assert target.is_file(), (url, path)
            n = target.stat().st_size
            assert size == (f"{n} 字节" if n < 1024 else f"{n / 1024:.1f} KB"), (url, path)


def test_later_list_pages_have_no_block(mini_site):
    assert 'class="block downloads"' not in _page(mini_site, "lists/demands/page/2")


def test_xlsx_cells_escape_markup():
    assert xlsx.text_cells(["a<b&c", "", " x"]) == [
        '<c t="inlineStr"><is><t>a&lt;b&amp;c</t></is></c>',
        "<c/>",
        '<c t="inlineStr"><is><t xml:space="preserve"> x</t></is></c>',
    ]


def test_licence_setting_reaches_package_and_notes(mini, tmp_path):
    settings = yaml.safe_load((mini / "site.yaml").read_text(encoding="utf-8"))
    settings["data_license"] = "CC0-1.0"
    (mini / "site.yaml").write_text(yaml.safe_dump(settings, allow_unicode=True), encoding="utf-8")
    out = tmp_path / "out"
    assert main(["build", "--data", str(mini), "--output", str(out)]) == 0
    doc = json.loads((out / API / "datapackage.json").read_text(encoding="utf-8"))
    assert doc["licenses"][0]["name"] == "CC0-1.0"
    wb = openpyxl.load_workbook(out / API / "projects.xlsx")
    notes = {r[0]: r[1] for r in wb["说明"].iter_rows(values_only=True) if r and r[0]}
    assert "CC0-1.0" in notes["许可协议"]


def test_list_json_is_the_published_bytes(mini_site, mini_prepared):
    """The public record compares the lists through opendata.list_json: it must give the
    bytes of the published api/v1/<list>.json."""
    from generator.exports.opendata import list_json

    ds = mini_prepared.dataset
    found = list_json(ds, mini_prepared.aggregates, url_for, ds.settings.base_url.rstrip("/"), ["demands", "projects"])
    for name, data in found.items():
        assert data == (mini_site / API / f"{name}.json").read_bytes(), name
