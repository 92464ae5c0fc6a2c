"""Residents on a phone (issue 15), in a real browser: the finder's type-ahead, 关怀版
without JavaScript, every table either fitting a 360 px screen or scrolling with a visible
cue (normal and 关怀版), and a community with hundreds of demands kept short."""

from __future__ import annotations

import csv
import io
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import test_pages
from conftest import ROOT
from test_pages import KINDS, PHONE, STYLE, switch_elder_on

# The page pool of the page-type suite, shared (one warm tab per set of context options).
page_pool = test_pages.page_pool
open_page = test_pages.open_page

# Every <table> of main: whether it fits the box it is in, and if not, whether it sits in
# a scrolling, named, focusable region with a visible cue in words before it.
TABLES = """() => Array.from(document.querySelectorAll('main table')).map(t => {
  const wrap = t.closest('.table-wrap');
  const box = (wrap || t.parentElement).getBoundingClientRect();
  const fits = t.getBoundingClientRect().width <= (wrap ? wrap.clientWidth : box.width) + 1;
  let cue = wrap && wrap.previousElementSibling;
  const cueShown = !!cue && cue.classList.contains('scroll-cue') && cue.getClientRects().length > 0
    && getComputedStyle(cue).visibility !== 'hidden';
  return {table: (t.caption ? t.caption.textContent.trim() : t.className).slice(0, 40), fits,
          scrolls: !!wrap && getComputedStyle(wrap).overflowX === 'auto' && wrap.tabIndex === 0
                   && wrap.getAttribute('role') === 'region' && !!wrap.getAttribute('aria-label'),
          cue: cueShown};
})"""


@pytest.mark.parametrize("kind", KINDS)
def test_every_table_fits_or_scrolls_with_a_cue(open_page: Callable, kind: str) -> None:
    page, _ = open_page(kind, **PHONE)
    bad = {}
    for look in ("normal", "elder"):
        if look == "elder":
            switch_elder_on(page)
        hidden = [t for t in page.evaluate(TABLES) if not t["fits"] and not (t["scrolls"] and t["cue"])]
        if hidden:
            bad[look] = hidden
    assert bad == {}, f"{kind}: tables that hide columns without a cue: {bad}"


@pytest.mark.parametrize("kind", ["home", "community", "project", "communities"])
def test_elder_mode_without_javascript(open_page: Callable, kind: str) -> None:
    page, watch = open_page(kind, java_script_enabled=False, **PHONE)
    normal = page.evaluate(STYLE)
    assert not page.locator(".elder-exit").is_visible()
    page.locator(".elder-toggle").click()
    page.wait_for_function("() => location.hash === '#elder'")
    elder = page.evaluate(STYLE)
    assert elder["body"] >= 18 and elder["h1"] > normal["h1"], (normal, elder)
    assert elder["color"] == "rgb(0, 0, 0)"
    exit_link = page.locator(".elder-exit")
    assert exit_link.is_visible()
    # White on the red top bar, as the toggle's other states (not 关怀版's dark link blue).
    assert exit_link.evaluate("e => getComputedStyle(e).color") == "rgb(255, 255, 255)"
    exit_link.click()
    page.wait_for_function("() => location.hash === '#main'")
    assert page.evaluate(STYLE)["body"] == normal["body"]
    assert watch.problems == []


def test_the_no_js_elder_link_is_remembered_once_javascript_runs(open_page: Callable, site: Any) -> None:
    page, watch = open_page("home", **PHONE)
    page.goto(site.url("community") + "#elder")  # arriving by a link to the page in 关怀版
    page.wait_for_function("() => document.documentElement.classList.contains('elder')")
    assert page.locator(".elder-toggle").get_attribute("aria-pressed") == "true"
    assert page.locator(".elder-toggle").get_attribute("role") == "button"
    assert not page.locator(".elder-exit").is_visible(), "with JavaScript the toggle alone switches"
    page.goto(site.url("home"))
    assert page.evaluate("document.documentElement.classList.contains('elder')")
    page.locator(".elder-toggle").click()  # off, while the page is still the #elder target
    page.goto(site.url("community"))
    assert not page.evaluate("document.documentElement.classList.contains('elder')")
    assert watch.problems == []


def test_typeahead_finds_communities_by_name_and_pinyin_initials(open_page: Callable, site: Any) -> None:
    from generator.ingest.prepare import prepare
    from generator.site.finder import initials

    ds = prepare(ROOT / "data").dataset
    target = sorted(ds.level("community"), key=lambda a: a.id)[3]
    page, watch = open_page("home", **PHONE)
    box = page.locator("#finder-q")
    assert box.is_visible(), "finder.js shows the type-ahead"
    requests_before = [u for u in watch.requests if u.endswith("finder.json")]
    assert requests_before == [], "the finder's data is loaded on focus, not with the page"
    box.fill(initials(target.name))
    link = page.locator("#finder-results a", has_text=target.name)
    link.first.wait_for()
    assert any(u.endswith("communities/finder.json") for u in watch.requests)
    box.fill(target.name[:2])
    page.locator("#finder-results a", has_text=target.name).first.wait_for()
    assert page.locator("#finder-status").inner_text()
    with page.expect_navigation():
        page.locator("#finder-results a", has_text=target.name).first.click()
    assert page.url.endswith(f"communities/{target.slug}/")
    box = None
    page.goto(site.url("home"))
    page.locator("#finder-q").fill("不存在的地方")
    page.wait_for_function("() => document.querySelector('#finder-status').textContent.length > 0")
    assert page.locator("#finder-results li").count() == 0
    assert watch.problems == []


def test_without_javascript_the_finder_is_plain_links(open_page: Callable) -> None:
    page, _ = open_page("home", java_script_enabled=False, **PHONE)
    assert not page.locator("#finder-q").is_visible()
    group = page.locator("details.finder-group").first
    group.locator("summary").click()
    link = group.locator(".finder-links a").first
    assert link.is_visible()
    with page.expect_navigation():
        link.click()
    assert "/communities/" in page.url or "/subdistricts/" in page.url


# ---------------------------------------------------------------- a city-like community


@pytest.fixture(scope="module")
def crowded(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """The demo with 700 more demands in one community (a city-size community's share)."""
    from generator.cli import main

    data = tmp_path_factory.mktemp("crowded") / "data"
    shutil.copytree(ROOT / "data", data)
    path = data / "demands.csv"
    text = path.read_bytes().decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    header, body = rows[0], rows[1:]
    community = body[0][header.index("社区")] if "社区" in header else body[0][1]
    col = header.index("社区") if "社区" in header else 1
    id_col = 0
    extra = []
    for n in range(700):
        r = list(body[n % len(body)])
        r[id_col] = f"X{n:05d}"
        r[col] = community
        for name in ("转化项目", "对应项目"):
            if name in header:
                r[header.index(name)] = ""
        for name in ("办理阶段",):
            if name in header:
                r[header.index(name)] = ("群众点单", "社区开单", "共同接单", "不予采纳")[n % 4]
        for name in ("未采纳原因",):
            if name in header:
                r[header.index(name)] = "不属于本次办理范围" if n % 4 == 3 else ""
        extra.append(r)
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows([header, *body, *extra])
    path.write_bytes(out.getvalue().encode("utf-8-sig"))
    site = tmp_path_factory.mktemp("crowded-site") / "site"
    assert main(["build", "--data", str(data), "--output", str(site)]) == 0
    from generator.ingest.prepare import prepare

    ds = prepare(data).dataset
    slug = next(a.slug for a in ds.level("community") if a.id == community or a.name == community)
    return site, slug


def test_a_crowded_community_page_stays_short_on_a_phone(crowded, serve: Callable, browser: Any) -> None:
    site, slug = crowded
    with serve(site) as base:
        ctx = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
        try:
            page = ctx.new_page()
            page.goto(f"{base}communities/{slug}/")
            rows = page.locator("#demands tbody tr").count()
            assert rows >= 700, rows
            height = page.evaluate("document.documentElement.scrollHeight")
            assert height <= 8000, f"the community page is {height} px tall at 390 px"
            # The first screen says what the page is about: its heading is above the fold.
            h1 = page.evaluate("document.querySelector('h1').getBoundingClientRect().bottom")
            assert h1 < 844 * 0.6, h1
            # Jump links lead to the parts; a stage group opens without JavaScript too.
            page.locator("nav.jump a[href='#demands']").click()
            page.wait_for_function("() => location.hash === '#demands'")
            group = page.locator("#demands details.stage-group").first
            group.locator("summary").click()
            assert group.locator("tbody tr").first.is_visible()
        finally:
            ctx.close()


@pytest.mark.parametrize("kind", KINDS)
def test_a_phone_screen_shows_what_the_page_is_about(open_page: Callable, kind: str) -> None:
    """The heading is on the first screen, below the header, without scrolling."""
    page, _ = open_page(kind, **PHONE)
    h1 = page.evaluate("(() => { const r = document.querySelector('h1').getBoundingClientRect(); return r.bottom; })()")
    assert h1 <= PHONE["viewport"]["height"] * 0.75, f"{kind}: the h1 ends at {h1} px"
