"""Built pages show what oversight needs (parsed HTML): the light's reason, the formula
and n beside rates, 样本不足 below the minimum sample, the last-report date, the follow-up
deadline and re-rating; and the new page kinds (督办, 晒比, 月度) render from their
view-models with the theme."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from jinja2 import Environment, FileSystemLoader

from generator.catalog import T
from generator.cli import main
from generator.ingest import prepare as pipeline
from generator.schema import LABELS
from generator.site.filters import FILTERS
from generator.site.fragments import fragment, macros
from generator.site.media import gongshi_media
from generator.site.oversight import OversightViews
from generator.site.render import root_prefix
from generator.site.views import ViewBuilder

ROOT = Path(__file__).resolve().parent.parent
OVERSIGHT = Path(__file__).parent / "fixtures" / "oversight"


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("oversight") / "output"
    assert main(["build", "--data", str(OVERSIGHT), "--output", str(out)]) == 0
    return out


def soup(path: Path) -> BeautifulSoup:
    return BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")


def text(el) -> str:
    return re.sub(r"\s+", " ", el.get_text(" ", strip=True))


def test_overdue_stale_project_shows_reason_and_last_report(built):
    page = soup(built / "projects/p01/index.html")
    assert "已超过完成时限 166 天" in text(page.select_one(".light-note .light-reason"))
    last = page.select_one(".last-report")
    assert last.time["datetime"] == "2026-01-20" and "距今 161 天" in text(last)


def test_stale_reason_names_the_last_report(built):
    page = soup(built / "projects/p06/index.html")
    assert "已 90 天未报送进度（最近一次 2026年4月1日）" in text(page.select_one(".light-reason"))


def test_reopened_project_shows_deadline_original_and_formula(built):
    page = soup(built / "projects/p10/index.html")
    note = page.select_one(".followup-note")
    assert "整改中" in text(note) and note.select_one(".followup-deadline time")["datetime"] == "2026-07-05"
    assert "满意率 40.0%（2/5）低于 80%" in text(page.select_one(".light-reason"))
    rate = page.select_one(".big-rate")
    assert "40.0%" in text(rate) and "n=5" in text(rate) and "rate-bad" in rate.select_one(".fig-v")["class"]
    assert "2 ÷ 5 = 40.0%" in text(page.select_one(".formula-line"))
    assert "整改：更换洁具" in text(page.select_one("section.followup"))  # follow-up progress


def test_fixed_project_keeps_the_original_ratings_beside_the_rerating(built):
    page = soup(built / "projects/p09/index.html")
    section = page.select_one("section.followup")
    assert "已整改" in text(section) and "2026年6月5日" in text(section)
    rates = [text(r) for r in page.select(".big-rate")]
    assert any("69.7%" in r and "n=33" in r for r in rates)  # original: 23 of 33, not green
    assert any("100.0%" in r and "n=6" in r for r in rates)  # 复评
    original = page.select(".big-rate .fig-v")[0]
    assert "rate-bad" in original["class"]
    svg = page.select_one("svg.chart")
    assert svg["role"] == "img" and svg.title and svg.desc


def test_below_sample_reads_insufficient_never_good(built):
    page = soup(built / "projects/p11/index.html")
    v = page.select_one(".big-rate .fig-v")
    assert text(v) == "样本不足" and "rate-good" not in v["class"]
    assert "有效评价少于 5 条" in text(page.select_one(".formula-line"))


def test_scope_pages_have_distribution_chart_and_table(built):
    for path in ("communities/c3/index.html", "units/u2/index.html", "subdistricts/s1/index.html"):
        page = soup(built / path)
        assert page.select_one("svg.chart[role=img]"), path
        assert page.select_one("table.ratings"), path
    home = soup(built / "index.html")
    assert home.select_one("#chart-status desc") and "红灯：超过完成时限" in text(home.select_one(".rules"))


# -- the new page kinds, rendered with the theme (they are registered as page kinds later)


@pytest.fixture(scope="module")
def pages():
    pr = pipeline.prepare(OVERSIGHT)
    views = OversightViews(ViewBuilder(pr.dataset, pr.aggregates))
    env = Environment(loader=FileSystemLoader(str(ROOT / "theme" / "templates")), autoescape=True)
    env.filters.update(FILTERS)
    env.globals.update(gongshi_fragment=fragment, gongshi_macros=macros, gongshi_media=gongshi_media, labels=LABELS)

    def render(method: str, args: tuple = ()) -> BeautifulSoup:
        page = views.page(method, args)
        assert page.url == views.spec_url(method, args) and page.template == views.spec_template(method, args)
        html = env.get_template(page.template).render(page=page, site=views.b.site, t=T, SITEURL=root_prefix(page.url))
        return BeautifulSoup(html, "html.parser")

    return views, render


def test_supervision_page(pages):
    _, render = pages
    page = render("supervision")
    rows = page.select("table.supervision tbody tr")
    titles = [text(r.th) for r in rows]
    assert "老旧小区屋面防水" in titles and "村道路灯维护" in titles and "楼道灯改造" not in titles
    p01 = next(r for r in rows if "老旧小区屋面防水" in text(r.th))
    assert text(p01.select_one("td.num")) == "166" and "2026年1月20日" in text(p01)
    p10 = next(r for r in rows if "村口公厕改造" in text(r.th))
    assert "2026年7月5日" in text(p10)
    # within a group: red first, newest reason first
    first_group = page.select("table.supervision")[0]
    lights = [r.select_one(".light")["class"][1] for r in first_group.select("tbody tr")]
    assert lights == sorted(lights, key=["light-red", "light-yellow"].index)


def test_comparison_pages_plain_table_sortable_and_caveats(pages):
    _, render = pages
    page = render("compare", ("leaders", 1, "rank"))
    table = page.select_one("table.comparison")
    heads = [text(th) for th in table.thead.select("th")]
    expected = {"按时完成率", "平均办理天数", "满意率", "按期报送率", "红灯", "黄灯", "超期未完成"}
    assert expected <= {h.rstrip(" ▲▼") for h in heads}
    names = [text(r.th) for r in table.tbody.select("tr")]
    assert any(n.replace(" ", "").startswith("王建国（副局长）") for n in names)
    # Sorting is by links to whole-list orders: no script needed, the current order marked.
    assert not page.select("script[src$=\"sort.js\"]")
    assert table.select_one('th[aria-sort="ascending"]') and text(table.select_one("th[aria-sort]")).startswith("排名")
    links = {a["href"].split("/compare/", 1)[1] for a in table.thead.select("a")}
    assert links == {f"leaders/{s}/" for s in ("on_time", "satisfaction", "overdue", "red", "projects")}
    assert "默认排序" in text(page.select_one(".order-note")) and page.select(".caveat li")
    units = render("compare", ("units", 1, "rank"))
    assert units.select_one("#chart-lights title") and units.select_one("td[data-label]")
    red = render("compare", ("units", 1, "red"))
    assert red.select_one('th[aria-sort="descending"]') and "红灯从多到少" in text(red.select_one(".order-note"))


def test_a_sort_runs_across_every_page(monkeypatch):
    """Each order is a list of pages of its own: page 2 continues page 1 in that order, and
    the 排名 column keeps each entry's default rank."""
    from generator.model.aggregate import sort_comparisons
    from generator.site import oversight

    monkeypatch.setattr(oversight, "COMPARE_PAGE", 1)
    pr = pipeline.prepare(OVERSIGHT)
    b = ViewBuilder(pr.dataset, pr.aggregates)
    views = OversightViews(b)
    ranked = b.comparisons()["units"]
    assert len(ranked) >= 3
    for sort in ("red", "satisfaction", "overdue", "on_time", "projects"):
        pages = [views.compare("units", n, sort) for n in range(1, len(ranked) + 1)]
        shown = [r for p in pages for r in p.rows]
        expected = sort_comparisons(ranked, sort, b.rules.min_sample)
        assert [r.name for r in shown] == [c.name for c in expected], sort
        assert [r.rank for r in shown] == [ranked.index(c) + 1 for c in expected]
        assert pages[1].url == f"compare/units/{sort}/page/2/"
    reds = [r.red for r in (views.compare("units", n, "red").rows[0] for n in range(1, len(ranked) + 1))]
    assert reds == sorted(reds, reverse=True)
    # Satisfaction below the minimum sample reads 样本不足 and goes last.
    sat = [views.compare("units", n, "satisfaction").rows[0].satisfaction for n in range(1, len(ranked) + 1)]
    few = [r.insufficient or not r.denominator for r in sat]
    assert few == sorted(few)


def test_monthly_page(pages):
    views, render = pages
    page = render("month", ("2026-06",))
    rows = {text(r.th): r for r in page.select("table.month-figures tbody tr")}
    assert "1" in text(rows["完成项目"]) and "红灯" in rows
    assert "村口公厕改造" in text(page.select("section.block")[2])  # turned red this month
    assert page.select_one("#chart-trend desc") and page.select_one('a[rel="prev"]')
    assert render("month", ("2026-05",)).select_one("#chart-trend") is None  # the trend: latest month only
    assert next(s for s in views.specs() if s[0] == "month") == ("month", ("2025-09",))


def test_a_long_month_list_shows_its_start_and_has_pages_of_its_own(monkeypatch):
    """A city completes thousands of projects a month: the month page shows the first
    MONTH_ITEMS of each list and links to the whole list, paginated; every page of it is
    a page kind that declares what it reads."""
    from generator.site import oversight
    from generator.site.pages import PageKinds, default_kinds
    from generator.site.pages.verify import undeclared_reads

    monkeypatch.setattr(oversight, "MONTH_ITEMS", 0)
    monkeypatch.setattr(oversight, "COMPARE_PAGE", 1)
    import generator.site.pages.month as month_kind
    import generator.site.pages.month_list as list_kind

    monkeypatch.setattr(month_kind, "MONTH_ITEMS", 0)
    monkeypatch.setattr(list_kind, "COMPARE_PAGE", 1)
    pr = pipeline.prepare(OVERSIGHT)
    b = ViewBuilder(pr.dataset, pr.aggregates)
    views = OversightViews(b)
    june = next(m for m in b.months() if oversight.month_key(m.month) == "2026-06")
    assert june.turned_red and june.completed_ids
    page = views.month("2026-06")
    assert page.turned_red == () and page.turned_red_more.url == "monthly/2026-06/red/"
    assert page.turned_red_more.count == len(june.turned_red)
    specs = [a for k, a in views.specs() if k == "month_list" and a[:2] == ("2026-06", "completed")]
    assert [a[2] for a in specs] == list(range(1, len(june.completed_ids) + 1))
    shown = [r.url for a in specs for r in views.month_list(*a).rows]
    assert shown == [b.project_row(p).url for p in june.completed_ids]
    last = views.month_list(*specs[-1])
    assert last.url == oversight.page_url("monthly/2026-06/completed/", len(specs)) and last.results
    kinds = PageKinds(k for k in default_kinds() if k.name == "month_list")
    assert undeclared_reads(kinds, pr.dataset, pr.aggregates) == []


def test_month_list_page_renders(pages, monkeypatch):
    from generator.site import oversight

    monkeypatch.setattr(oversight, "MONTH_ITEMS", 0)
    _, render = pages
    month = render("month", ("2026-06",))
    more = month.select("p.more a")
    assert more and more[0]["href"].endswith("monthly/2026-06/red/") and "查看全部" in text(more[0])
    page = render("month_list", ("2026-06", "red", 1))
    assert "村口公厕改造" in text(page.select_one("table")) and "本月新亮红灯的项目" in text(page.h1)
    assert page.select_one('nav.crumbs a[href$="monthly/2026-06/"]')
    assert page.select_one('p.lead a[href$="monthly/2026-06/"]')


def test_projects_download_carries_reason_and_last_report(built):
    import csv
    import io

    rows = list(csv.DictReader(io.StringIO((built / "downloads/projects.csv").read_text(encoding="utf-8-sig"))))
    p01 = next(r for r in rows if r["编号"] == "P01")
    assert (p01["亮灯"], p01["亮灯原因"], p01["最近进度报送"]) == ("红灯", "已超过完成时限 166 天", "2026-01-20")
    p10 = next(r for r in rows if r["编号"] == "P10")
    assert p10["亮灯原因"].startswith("满意率 40.0%（2/5）低于 80%")


def test_page_weight_caps_supervision_groups_and_compare_pages(monkeypatch):
    from generator.site import oversight

    monkeypatch.setattr(oversight, "GROUP_ITEMS", 1)
    monkeypatch.setattr(oversight, "GROUPS", 1)
    monkeypatch.setattr(oversight, "MORE_GROUPS", 1)
    monkeypatch.setattr(oversight, "COMPARE_PAGE", 2)
    pr = pipeline.prepare(OVERSIGHT)
    views = OversightViews(ViewBuilder(pr.dataset, pr.aggregates))
    page = views.supervision()
    assert len(page.by_unit) == 1 and len(page.by_unit[0].items) == 1
    assert page.by_unit[0].more == page.by_unit[0].red + page.by_unit[0].yellow - 1
    assert len(page.more_units) == 1 and page.more_units[0].items == () and page.groups_left == 1  # 3 units
    specs = [s for s in views.specs() if s[0] == "compare" and s[1][0] == "units" and s[1][2] == "rank"]
    assert specs == [("compare", ("units", 1, "rank")), ("compare", ("units", 2, "rank"))]
    second = views.compare("units", 2)
    assert second.url == "compare/units/page/2/" and [r.rank for r in second.rows] == [3]
    assert second.pagination is not None and second.total == 3


def test_fix_after_the_follow_up_deadline_says_so(built):
    section = soup(built / "projects/p09/index.html").select_one("section.followup")
    # reopened on the 29th rating (5月19日), deadline 6月3日, fixed 6月5日: two days late
    assert "2026年6月3日" in text(section) and "超期 2 天" in text(section)


def test_oversight_pages_are_built_and_linked(built):
    for path in ("supervision/", "compare/units/", "compare/subdistricts/", "compare/communities/",
                 "compare/leaders/", "monthly/2025-09/", "monthly/2026-06/"):  # fmt: skip
        assert (built / path / "index.html").is_file(), path
    assert soup(built / "index.html").select_one('a[href$="supervision/"]')
    assert soup(built / "units/index.html").select_one('a[href$="compare/units/"]')
    page = soup(built / "supervision/index.html")
    assert "老旧小区屋面防水" in text(page) and page.select_one('a[href$="monthly/2026-06/"]')
