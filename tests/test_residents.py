"""Residents (issue 15): find my place, speak up, short community pages.

Built sites are parsed (BeautifulSoup): the finder reaches every community within two
taps from home, every page links to the feedback page and shows a contact, officials'
office contacts are published as written while a resident's phone in free text is masked.
"""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import urljoin

import pytest
from bs4 import BeautifulSoup
from support import ROOT

from generator.cli import main
from generator.ingest.prepare import check, prepare
from generator.privacy.mask import allowed_in, contact_values, scan_bytes
from generator.schema import AREAS, CONTACT, SETTINGS, UNITS
from generator.site import finder

GRID_PHONE = "13987654321"  # the grid worker's public work phone (an official's contact)
RESIDENT_PHONE = "13612345678"  # a resident's, typed into a demand's free text


def build(data: Path, out: Path) -> None:
    assert main(["build", "--data", str(data), "--output", str(out)]) == 0


def soup(path: Path) -> BeautifulSoup:
    return BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")


def page_of(out: Path, url: str) -> Path:
    """The file a site-root-relative URL is served from."""
    url = url.split("#")[0]
    return out / url / "index.html" if url.endswith("/") or not url else out / url


def links(out: Path, url: str) -> set[str]:
    """Every internal link of the page at ``url``, as site-root-relative URLs."""
    base = "http://x/" + url
    found = set()
    for a in soup(page_of(out, url)).find_all("a", href=True):
        target = urljoin(base, a["href"])
        if target.startswith("http://x/") and not a["href"].startswith("tel:"):
            found.add(target.removeprefix("http://x/").split("#")[0])
    return found


@pytest.fixture(scope="module")
def demo_site(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("residents") / "site"
    build(ROOT / "data", out)
    return out


@pytest.fixture(scope="module")
def demo_prepared():
    return prepare(ROOT / "data")


# ---------------------------------------------------------------- find my place


def test_pinyin_initials():
    assert finder.initials("青禾社区") == "qhsq"
    assert finder.initials("东街道") == "djd"
    assert finder.initials("3号院社区") == "3hysq"


def test_pages_hold_whole_subdistricts():
    groups = [("S1", ["a"] * 5), ("S2", ["b"] * 4), ("S3", ["c"] * 12), ("S4", ["d"])]
    pages = finder.paginate(groups, per_page=8)
    assert pages == [[groups[0]], [groups[1]], [groups[2]], [groups[3]]]
    assert finder.paginate(groups, per_page=100) == [groups]
    assert finder.paginate([], per_page=8) == [[]]


def test_groups_are_in_pinyin_order_and_hold_every_community_once():
    names = {"S1": "西街道", "S2": "东街道", "C1": "柳岸社区", "C2": "桂香社区", "C3": "青石村", "C9": "无主社区"}
    parents = {"C1": "S1", "C2": "S1", "C3": "S2", "C9": "D1"}
    pages = finder.groups(names, parents, ["S1", "S2"], ["C1", "C2", "C3", "C9"])
    assert pages == [[("S2", ["C3"]), ("S1", ["C2", "C1"]), (None, ["C9"])]]


def two_tap_targets(out: Path) -> set[str]:
    """Everything reachable from the home page's finder in at most two taps: its links
    (opening a <details> is the first tap), and the links of the index pages it leads to."""
    home = soup(out / "index.html")
    section = home.find(id="finder")
    assert section is not None, "the home page has no finder"
    first = set()
    for a in section.find_all("a", href=True):
        first.add(urljoin("http://x/", a["href"]).removeprefix("http://x/").split("#")[0])
    reached = set(first)
    for url in first:
        if url.startswith("communities/") and (url == "communities/" or url.startswith("communities/page/")):
            reached |= links(out, url)
    return reached


def test_finder_reaches_every_community_within_two_taps(demo_site, demo_prepared):
    communities = {a.slug for a in demo_prepared.dataset.level("community")}
    reached = two_tap_targets(demo_site)
    missing = sorted(c for c in communities if f"communities/{c}/" not in reached)
    assert missing == []
    # With few communities the home page lists each one itself (open a subdistrict, tap).
    home = soup(demo_site / "index.html").find(id="finder")
    listed = {a["href"].removeprefix("./") for a in home.select("details.finder-group a")}
    assert {f"communities/{c}/" for c in communities} <= listed


def test_with_many_communities_the_home_page_links_index_pages(tmp_path, monkeypatch):
    """A city: the home page names each index page; each lists its communities directly."""
    monkeypatch.setattr(finder, "HOME_LIST_LIMIT", 10)
    monkeypatch.setattr("generator.site.pages.home.HOME_LIST_LIMIT", 10)
    monkeypatch.setattr(finder, "PAGE_COMMUNITIES", 8)
    monkeypatch.setattr(finder.paginate, "__defaults__", (8,))
    out = tmp_path / "site"
    build(ROOT / "data", out)
    home = soup(out / "index.html").find(id="finder")
    assert not home.select("details.finder-group"), "too many communities to list on the home page"
    assert len(home.select("a[href*='communities/page/']")) >= 3
    communities = {a.slug for a in prepare(ROOT / "data").dataset.level("community")}
    reached = two_tap_targets(out)
    assert sorted(c for c in communities if f"communities/{c}/" not in reached) == []


def test_communities_index_and_typeahead_data(demo_site, demo_prepared):
    ds = demo_prepared.dataset
    index = soup(demo_site / "communities" / "index.html")
    shown = [a["href"] for a in index.select(".community-list a.community-name")]
    assert len(shown) == len(ds.level("community")) == len(set(shown))
    assert index.select(".community-facts")[0].get_text().count("·") >= 3  # key figures beside each
    data = json.loads((demo_site / "communities" / "finder.json").read_text(encoding="utf-8"))
    subs = data["s"]
    rows = {r[2]: r for r in data["c"]}
    for a in ds.level("community"):
        name, initials, _slug, at = rows[a.slug]
        assert name == a.name and initials == finder.initials(a.name) and subs[at][0] == ds.areas[a.parent].name
    assert len(rows) == len(ds.level("community")) and len(subs) == len(ds.level("subdistrict"))
    assert {s[2] for s in subs} == {f"subdistricts/{a.slug}/" for a in ds.level("subdistrict")}
    # The home page carries no inline data: finder.js fetches the JSON on focus.
    home = (demo_site / "index.html").read_text(encoding="utf-8")
    assert 'data-src="./communities/finder.json"' in home and "qhsq" not in home
    assert "theme/js/finder.js" in home


def test_home_leads_with_the_finder_then_figures_then_a_few_red_lights(demo_site):
    main_el = soup(demo_site / "index.html").find("main")
    headings = [h.get_text(strip=True) for h in main_el.find_all("h2")]
    assert headings[0] == "找到我的社区", headings
    assert headings.index("实事项目") < headings.index("亮灯督办") < headings.index("街道（乡镇）"), headings
    cards = main_el.select("ul.cards > li")
    assert 0 < len(cards) <= 3
    # 查询我的诉求 is linked from the finder (and from the header's search box).
    assert main_el.select_one('section a[href="./lookup/"]') is not None


def test_the_finder_links_the_demand_lookup_once_it_is_a_page_kind(demo_prepared, monkeypatch):
    from generator.site.pages import BUILTIN, home
    from generator.site.views import ViewBuilder

    b = ViewBuilder(demo_prepared.dataset, demo_prepared.aggregates)
    assert home.build(b, ()).finder.lookup_url == "lookup/"
    monkeypatch.setattr("generator.site.pages.BUILTIN", tuple(k for k in BUILTIN if k != "lookup"))
    assert home.build(b, ()).finder.lookup_url is None


# ---------------------------------------------------------------- short community pages


def test_community_page_shows_projects_first_then_demands_folded_by_stage(demo_site, demo_prepared):
    ds, agg = demo_prepared.dataset, demo_prepared.aggregates
    community = max(agg.community_demands, key=lambda c: len(agg.community_demands[c]))
    page = soup(demo_site / "communities" / ds.areas[community].slug / "index.html")
    main_el = page.find("main")
    jump = [a["href"] for a in main_el.select("nav.jump a")]
    assert jump == ["#projects", "#demands", "#ratings", "#speak-up"]
    for target in jump:
        assert main_el.find(id=target[1:]) is not None
    order = [s.get("id") for s in main_el.find_all("section") if s.get("id")]
    assert order.index("projects") < order.index("demands")
    groups = main_el.select("#demands details.stage-group")
    assert groups and all(not g.has_attr("open") for g in groups), "demand groups start folded"
    rows = sum(len(g.select("tbody tr")) for g in groups)
    assert rows == len(agg.community_demands[community])
    stages = [g["id"].removeprefix("stage-") for g in groups]
    assert len(stages) == len(set(stages))
    # Projects under way are open, the completed ones folded.
    project_groups = {g["id"]: g.has_attr("open") for g in main_el.select("#projects details.stage-group")}
    assert project_groups.get("projects-active", True) and not project_groups.get("projects-completed", False)
    shown = sum(len(g.select("tbody tr")) for g in main_el.select("#projects details.stage-group"))
    assert shown == len(agg.community_projects[community])


# ---------------------------------------------------------------- speak up


def test_contact_settings_and_columns_are_declared():
    names = {s.name for s in SETTINGS}
    assert {"office", "hotline", "office_address", "office_hours", "public_hotline"} <= names
    assert next(s for s in SETTINGS if s.name == "public_hotline").default == "12345"
    assert {c.name for c in AREAS.columns if c.privacy == CONTACT} == {
        "office_phone",
        "office_address",
        "grid_worker",
        "grid_worker_phone",
    }
    assert [c.name for c in UNITS.columns if c.privacy == CONTACT] == ["hotline"]


def test_every_page_links_to_the_feedback_page_and_shows_a_contact(demo_site):
    pages = [p for p in demo_site.rglob("index.html") if "theme" not in p.parts]
    assert len(pages) > 100
    for path in pages:
        page = soup(path)
        footer = page.find("footer")
        hrefs = [a["href"] for a in page.find_all("a", href=True)]
        assert any(h.endswith("pages/feedback/") for h in hrefs), path
        assert "12345" in footer.get_text() and "0000-6123456" in footer.get_text(), path
    assert (demo_site / "pages" / "feedback" / "index.html").is_file()


def test_community_and_project_pages_say_whom_to_call(demo_site, demo_prepared):
    ds = demo_prepared.dataset
    a = next(a for a in ds.level("community") if a.office_phone and a.grid_worker_phone)
    block = soup(demo_site / "communities" / a.slug / "index.html").find(id="speak-up")
    text = block.get_text()
    assert a.office_phone in text and a.grid_worker in text and a.grid_worker_phone in text
    assert "区委办公室（督查室）" in text and "工作日" in text and "12345" in text
    assert block.find("a", href=f"tel:{a.grid_worker_phone}") is not None
    assert block.find("a", href=lambda h: h and h.endswith("pages/feedback/")) is not None
    p = next(iter(ds.projects.values()))
    unit = ds.units[p.lead_unit]
    block = soup(demo_site / "projects" / p.slug / "index.html").find(id="speak-up")
    assert unit.hotline and unit.hotline in block.get_text()
    first = ds.areas[p.communities[0]]
    if first.office_phone:
        assert first.office_phone in block.get_text()


def test_a_community_without_contacts_falls_back_on_the_hotlines(demo_site, demo_prepared):
    a = next(a for a in demo_prepared.dataset.level("community") if not a.office_phone)
    text = soup(demo_site / "communities" / a.slug / "index.html").find(id="speak-up").get_text()
    assert "就近反映" not in text and "0000-6123456" in text and "12345" in text


# ---------------------------------------------------------------- privacy of contacts


@pytest.fixture
def contacts_mini(mini: Path) -> Path:
    """The mini data with a community's office contacts and a resident's phone in a demand."""
    areas = mini / "areas.csv"
    lines = areas.read_text(encoding="utf-8").splitlines()
    lines[0] += ",社区办公电话,网格员,网格员电话"
    lines = [lines[0]] + [
        line + (f",0816-2345678,赵网格,{GRID_PHONE}" if line.startswith("C1,") else ",,,") for line in lines[1:]
    ]
    areas.write_text("\n".join(lines) + "\n", encoding="utf-8")
    demands = mini / "demands.csv"
    text = demands.read_text(encoding="utf-8")
    demands.write_text(text.replace("小区门口积水", f"小区门口积水，请回电{RESIDENT_PHONE}"), encoding="utf-8")
    return mini


def test_office_contacts_are_published_while_residents_phones_are_masked(contacts_mini, tmp_path):
    out = tmp_path / "site"
    build(contacts_mini, out)
    page = (out / "communities" / "c1" / "index.html").read_text(encoding="utf-8")
    assert GRID_PHONE in page and "0816-2345678" in page and "赵网格" in page
    assert RESIDENT_PHONE not in page and "136****5678" in page
    for path in out.rglob("*.html"):
        assert RESIDENT_PHONE not in path.read_text(encoding="utf-8"), path


def test_the_scan_allows_declared_contacts_only(contacts_mini):
    prepared = prepare(contacts_mini)
    ds = prepared.dataset
    assert ds.areas["C1"].grid_worker_phone == GRID_PHONE  # not masked: a declared contact column
    page = f"<p>网格员 {GRID_PHONE}</p><p>居民 {RESIDENT_PHONE}</p>".encode()
    found = {v for _, v in scan_bytes(page, allowed_in(ds.settings, contact_values(ds)))}
    assert found == {RESIDENT_PHONE}
    # Without the contact columns' values the scan would stop the build on the grid worker.
    assert GRID_PHONE in {v for _, v in scan_bytes(page, allowed_in(ds.settings))}


def test_a_phone_in_a_contact_setting_is_not_a_problem_but_elsewhere_it_is(mini):
    site = mini / "site.yaml"
    text = site.read_text(encoding="utf-8").replace("organizer: 测试区委办公室\n", "")
    site.write_text(text + f'hotline: "{GRID_PHONE}"\norganizer: "办公室 {RESIDENT_PHONE}"\n', encoding="utf-8")
    problems = [(p.code, p.column) for p in check(mini).problems if p.code == "pii-in-output"]
    assert problems == [("pii-in-output", "organizer")]


def test_check_does_not_report_declared_contact_columns(contacts_mini):
    """A grid worker's mobile in the areas list is published on purpose, not a leak."""
    assert [p for p in check(contacts_mini).problems if p.code == "pii-in-output"] == []


# ---------------------------------------------------------------- a new portal


def test_init_offers_the_speak_up_settings(tmp_path):
    from generator.init import init

    init(tmp_path / "portal", "测试区")
    text = (tmp_path / "portal" / "data" / "site.yaml").read_text(encoding="utf-8")
    for name in ("office", "hotline", "office_address", "office_hours"):
        assert f"\n{name}: " in text
    assert 'public_hotline: "12345"' in text and "# 政务服务热线" in text
    feedback = (tmp_path / "portal" / "content" / "pages" / "feedback.md").read_text(encoding="utf-8")
    assert "投诉" in feedback and "评价" in feedback


def test_demo_data_carries_contacts():
    text = (ROOT / "data" / "areas.yaml").read_text(encoding="utf-8")
    assert "grid_worker_phone:" in text and "office_phone:" in text


def test_plain_pelican_allows_the_office_contacts_too(contacts_mini, tmp_path):
    """`pelican -s pelicanconf.py` scans its whole output at the end (plugin.finalized):
    the grid worker's phone is allowed there as in a gongshi build."""
    import subprocess
    import sys

    conf = tmp_path / "pelicanconf.py"
    text = (ROOT / "pelicanconf.py").read_text(encoding="utf-8")
    conf.write_text(
        text.replace('PATH = "content"', f'PATH = "{ROOT / "content"}"')
        .replace('THEME = "theme"', f'THEME = "{ROOT / "theme"}"')
        .replace('GONGSHI_DATA = "data"', f'GONGSHI_DATA = "{contacts_mini}"'),
        encoding="utf-8",
    )
    out = tmp_path / "plain"
    proc = subprocess.run(
        [sys.executable, "-m", "pelican", "-s", str(conf), "-o", str(out), "-q"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert GRID_PHONE in (out / "communities" / "c1" / "index.html").read_text(encoding="utf-8")
