"""Embed pages and notice sheets (issue 17) in a real browser: clean loads, no sideways
scroll, axe, the Nu HTML Checker, keyboard focus, no JavaScript, the iframe resizing
script, and the print stylesheets.

These pages have no site chrome (no navigation, skip link or 关怀版 button), so the
chrome checks of test_pages.py do not apply; everything else is checked the same way."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import pytest
from test_pages import DESKTOP, PHONE, REFLOW_320, ZOOM_200, Watch, horizontal_overflow, run_axe


def _first(root: Path, folder: str) -> str:
    return sorted(p.parent.relative_to(root).as_posix() for p in (root / folder).glob("*/index.html"))[0] + "/"


@pytest.fixture(scope="module")
def media_pages(site: Any) -> dict[str, str]:
    root = site.root
    return {
        "embed-community": _first(root, "embed/communities"),
        "embed-unit": _first(root, "embed/units"),
        "embed-projects": "embed/lists/projects/",
        "embed-demands": "embed/lists/demands/",
        "print-community": _first(root, "print/communities"),
    }


KINDS = ["embed-community", "embed-unit", "embed-projects", "embed-demands", "print-community"]


def open_media(browser: Any, site: Any, path: str, **options: Any) -> tuple[Any, Watch]:
    page = browser.new_context(**options).new_page()
    watch = Watch(page)
    response = page.goto(site.base_url + path, wait_until="load")
    assert response is not None and response.status == 200, path
    return page, watch


@pytest.mark.parametrize("kind", KINDS)
def test_loads_cleanly_and_stays_small(browser: Any, site: Any, media_pages: dict, kind: str) -> None:
    page, watch = open_media(browser, site, media_pages[kind], **PHONE)
    try:
        assert watch.problems == [], "\n".join(watch.problems)
        assert page.locator("h1").count() == 1
        assert page.locator("html").get_attribute("lang") == "zh-CN"
        assert [u for u in watch.requests if not u.startswith(site.base_url)] == []
        assert page.evaluate("document.fonts.size") == 0
        assert page.locator("nav").count() == 0, "no site chrome"
        if kind.startswith("embed"):
            total = page.evaluate(
                "performance.getEntriesByType('resource').reduce((n, r) => n + r.decodedBodySize, 0)"
                " + performance.getEntriesByType('navigation')[0].decodedBodySize"
            )
            assert total < 30 * 1024, f"{kind}: {total} bytes"
    finally:
        page.context.close()


@pytest.mark.parametrize("mode", ["phone", "zoom", "reflow"])
@pytest.mark.parametrize("kind", KINDS)
def test_no_sideways_scroll(browser: Any, site: Any, media_pages: dict, kind: str, mode: str) -> None:
    options = {"phone": PHONE, "zoom": ZOOM_200, "reflow": REFLOW_320}[mode]
    page, _ = open_media(browser, site, media_pages[kind], **options)
    try:
        o = horizontal_overflow(page)
        assert o["scrollWidth"] <= o["clientWidth"] and o["culprits"] == [], f"{kind} ({mode}): {o}"
    finally:
        page.context.close()


@pytest.mark.parametrize("options", [PHONE, DESKTOP], ids=["phone", "desktop"])
@pytest.mark.parametrize("kind", KINDS)
def test_axe_finds_no_violations(browser: Any, site: Any, media_pages: dict, axe_source: Any, kind: str, options):
    page, _ = open_media(browser, site, media_pages[kind], bypass_csp=True, **options)
    try:
        found = run_axe(page, axe_source)
        assert found == [], json.dumps(found, ensure_ascii=False, indent=1)
    finally:
        page.context.close()


def test_nu_html_checker_reports_no_errors(site: Any, media_pages: dict, vnu_jar: Path) -> None:
    root = site.root
    files = [root / path / "index.html" for path in media_pages.values()]
    css = [root / "theme/css/embed.css", root / "theme/css/board.css"]
    cmd = ["java", "-jar", str(vnu_jar), "--errors-only", "--format", "json", "--also-check-css"]
    proc = subprocess.run([*cmd, *map(str, files + css)], capture_output=True, text=True, timeout=300)
    report = json.loads(proc.stderr or proc.stdout)
    errors = [f"{m.get('url')}:{m.get('lastLine')}: {m.get('message')}" for m in report.get("messages", [])
              if m.get("type") in ("error", "non-document-error")]  # fmt: skip
    assert errors == [], "\n".join(errors)


FOCUS = r"""() => {
  const el = document.activeElement;
  if (!el || el === document.body) return null;
  const s = getComputedStyle(el);
  return {tag: el.tagName.toLowerCase(), text: (el.textContent || '').trim().slice(0, 30),
          indicator: s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) > 0};
}"""


@pytest.mark.parametrize("kind", KINDS)
def test_keyboard_focus_is_always_visible(browser: Any, site: Any, media_pages: dict, kind: str) -> None:
    page, _ = open_media(browser, site, media_pages[kind], **DESKTOP)
    try:
        seen = []
        for _ in range(15):
            page.keyboard.press("Tab")
            state = page.evaluate(FOCUS)
            if state is None:
                break
            seen.append(state)
        assert seen, f"{kind}: nothing takes focus"
        assert [s for s in seen if not s["indicator"]] == [], seen
    finally:
        page.context.close()


@pytest.mark.parametrize("kind", KINDS)
def test_readable_without_javascript(browser: Any, site: Any, media_pages: dict, kind: str) -> None:
    page, _ = open_media(browser, site, media_pages[kind], java_script_enabled=False, **PHONE)
    try:
        assert page.locator("h1").is_visible()
        text = page.locator("main").inner_text()
        assert "数据截止" in text and len(text) > 200, text[:200]
        figures = page.locator("dl.figures, dl.board-figures")
        assert kind in ("embed-projects", "embed-demands") or figures.first.is_visible()
    finally:
        page.context.close()


def test_the_script_resizes_an_iframe_on_a_host_page(browser: Any, site: Any, media_pages: dict) -> None:
    """A host page as the embed box's snippet writes it; the iframe grows to its content."""
    host = site.root / "embed-host-test" / "index.html"
    host.parent.mkdir(exist_ok=True)
    src = "/" + media_pages["embed-community"]
    host.write_text(
        '<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8"><title>host</title></head><body>'
        f'<h1>文章</h1><iframe src="{src}" title="嵌入" width="100%" height="300"></iframe>'
        '<script src="/theme/js/embed-resize.js" async></script></body></html>',
        encoding="utf-8",
    )
    page, watch = open_media(browser, site, "embed-host-test/", viewport={"width": 400, "height": 800})
    try:
        page.wait_for_function("document.querySelector('iframe').getBoundingClientRect().height > 600", timeout=10000)
        frame = page.frames[1]
        inner = frame.evaluate("Math.ceil(document.documentElement.getBoundingClientRect().height)")
        outer = page.evaluate("document.querySelector('iframe').clientHeight")  # inside its border
        assert abs(inner - outer) <= 2, (inner, outer)
        assert watch.problems == [], watch.problems
    finally:
        page.context.close()
        host.unlink()
        host.parent.rmdir()


PRINTED = """() => {
  const css = (sel, p) => { const e = document.querySelector(sel); return e ? getComputedStyle(e)[p] : null; };
  return {body: parseFloat(css('body', 'fontSize')), nav: css('.site-nav', 'display'),
          box: css('.media-box', 'display'), bg: css('.topbar', 'backgroundColor'),
          td: parseFloat(css('.board-table td', 'fontSize'))};
}"""


def test_print_styles(browser: Any, site: Any, media_pages: dict) -> None:
    page, _ = open_media(browser, site, media_pages["print-community"], **DESKTOP)
    try:
        page.emulate_media(media="print")
        sheet = page.evaluate(PRINTED)
        assert sheet["body"] >= 18.6 and sheet["td"] >= 18.6, sheet  # 14 pt = 18.67 px
        page.goto(site.url("community"))
        page.emulate_media(media="print")
        printed = page.evaluate(PRINTED)
        assert printed["nav"] == "none" and printed["box"] == "none", printed
        assert printed["bg"] in ("rgba(0, 0, 0, 0)", "transparent"), printed
    finally:
        page.context.close()
