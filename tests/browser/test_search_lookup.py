"""Search and 查询我的诉求 in a real browser at 360 px, with and without JavaScript."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
import test_pages
from test_pages import PHONE, horizontal_overflow, switch_elder_on

# test_pages' tab pool and page opener, shared without moving them into conftest.py (pytest
# finds fixtures among a module's attributes; bound here, they are not shadowed names).
globals().update(page_pool=test_pages.page_pool, open_page=test_pages.open_page)

# A word from inside a demo project's title ("和湖街道瑞滨、虹亭沟渠清淤治理").
WORD, TITLE = "清淤", "和湖街道瑞滨、虹亭沟渠清淤治理"
# Demo receipts as residents type them: (typed, stage, project title or None).
RECEIPTS = [
    (" d000101 ", "民主议单", "和湖街道瑞滨、虹亭沟渠清淤治理"),
    ("Ｄ０００００２", "不予采纳", None),
    ("D 000 001", "民主议单", None),  # its project: read from the range page below
]


def _assert_fits(page: Any) -> None:
    o = horizontal_overflow(page)
    assert o["scrollWidth"] <= o["clientWidth"] and o["culprits"] == [], o


def _results(page: Any) -> list[str]:
    page.wait_for_selector(".search-result", timeout=15000)
    return page.locator(".search-result a").all_inner_texts()


def test_a_word_inside_a_project_title_finds_it(open_page: Callable, site: Any) -> None:
    page, watch = open_page("home", **PHONE)
    page.fill("#site-search", WORD)
    with page.expect_navigation():
        page.click(".search-box button")
    assert page.url.startswith(site.url("search/"))
    titles = _results(page)
    assert TITLE in titles
    assert re.search(r"找到 \d+ 条结果", page.inner_text(".search-status"))
    with page.expect_navigation():
        page.locator(".search-result a", has_text=TITLE).first.click()
    assert page.locator("h1").inner_text() == TITLE
    assert watch.problems == [], "\n".join(watch.problems)


def test_search_filters_narrow_the_results(open_page: Callable) -> None:
    page, watch = open_page("search/?q=" + WORD, **PHONE)
    everything = len(_results(page))
    assert page.locator(".search-filters-box").is_visible()
    page.click(".search-filters-box summary")
    page.select_option("#filter-kind", "群众需求")
    page.wait_for_function("() => document.querySelector('.search-kind') && "
                           "[...document.querySelectorAll('.search-kind')].every(e => e.textContent === '群众需求')")
    assert 0 < page.locator(".search-result").count() <= everything
    assert "kind=" in page.url
    assert watch.problems == [], "\n".join(watch.problems)


def test_search_results_fit_a_phone_in_elder_mode(open_page: Callable) -> None:
    page, _ = open_page("search/?q=电梯", **PHONE)
    switch_elder_on(page)
    _results(page)
    if page.locator(".search-more").count():
        page.click(".search-more")
    _assert_fits(page)


def test_search_without_javascript_says_where_to_look(open_page: Callable, site: Any) -> None:
    page, _ = open_page("home", java_script_enabled=False, **PHONE)
    assert "JavaScript" in page.inner_text(".search-box")
    page.fill("#site-search", WORD)
    with page.expect_navigation():
        page.click(".search-box button")
    assert page.locator(".search-nojs").is_visible()
    links = page.locator(".search-elsewhere a")
    assert {"查询我的诉求", "责任单位比较"} <= set(links.all_inner_texts())


@pytest.mark.parametrize("typed,stage,project", RECEIPTS)
def test_lookup_with_javascript(open_page: Callable, typed: str, stage: str, project: str | None) -> None:
    page, watch = open_page("lookup", **PHONE)
    page.fill("#lookup-id", typed)
    page.click(".lookup-form button")
    page.wait_for_selector(".lookup-result:not([hidden])")
    result = page.inner_text(".lookup-result")
    assert stage in result
    if project:
        assert page.locator(".lookup-result [data-field=project] a").inner_text() == project
    # The permanent link leads to the same demand on its range page, without JavaScript.
    href = page.locator("[data-field=permalink]").get_attribute("href")
    assert re.search(r"demands/d000\d/#d-d0000\d\d$|demands/d0001/#d-d000101$", href or "")
    assert watch.problems == [], "\n".join(watch.problems)
    _assert_fits(page)


def test_lookup_says_when_a_number_is_not_found(open_page: Callable) -> None:
    page, _ = open_page("lookup", **PHONE)
    for typed in ("D999999", "不存在的编号"):
        page.fill("#lookup-id", typed)
        page.click(".lookup-form button")
        page.wait_for_function("() => document.querySelector('.lookup-status').textContent.includes('没有找到')")
        status = page.inner_text(".lookup-status")
        assert typed in status and "12345" in status
        assert page.locator(".lookup-result").is_hidden()


@pytest.mark.parametrize("typed,stage,project", RECEIPTS)
def test_lookup_without_javascript(open_page: Callable, site: Any, typed: str, stage: str, project: str | None) -> None:
    page, watch = open_page("lookup", java_script_enabled=False, **PHONE)
    assert page.locator(".lookup-nojs").is_visible()
    page.fill("#lookup-id", typed)
    with page.expect_navigation():
        page.click(".lookup-form button")
    assert page.locator("h1").inner_text() == "需求编号目录"
    number = re.sub(r"\D", "", typed.translate({c: c - 0xFEE0 for c in range(0xFF10, 0xFF1A)}))
    link = page.locator(".range-list a", has_text=f"D{number[:4]}")
    group = page.locator("details.range-group", has=link.first)
    if group.get_attribute("open") is None:
        group.locator("summary").click()
    with page.expect_navigation():
        link.first.click()
    entry = page.locator(f"#d-d{number}")
    assert entry.is_visible()
    text = entry.inner_text()
    assert stage in text
    if project:
        assert project in text
    if stage == "民主议单":
        assert entry.locator("a[href*='/projects/']").count() == 1
        assert entry.locator(".badge").count() == 1  # the project's status, in words
    assert watch.problems == [], "\n".join(watch.problems)


def test_a_receipt_link_opens_the_demand(open_page: Callable) -> None:
    page, _ = open_page("demands/d0001/#d-d000101", java_script_enabled=False, **PHONE)
    entry = page.locator("#d-d000101")
    assert entry.is_visible() and "民主议单" in entry.inner_text()
    assert page.evaluate("document.querySelector(':target').id") == "d-d000101"
