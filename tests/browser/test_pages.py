"""Every page type of the portal in a real browser: clean loads, reflow, axe, keyboard,
no-JavaScript use and 关怀版 (elder mode).

Residents read the portal on phones, many of them elderly, often inside WeChat; these tests
hold the theme to that: one page of every page type is loaded from nginx into Debian's
chromium and checked as a phone, as a zoomed desktop and as a keyboard user sees it.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import Any

import pytest

KINDS = [
    "home",
    "subdistricts",
    "subdistrict",
    "community",
    "communities",
    "project",
    "project-lit",
    "unit",
    "units",
    "list-demands",
    "list-projects",
    "list-results",
    "list-page-2",
    "content-page",
    "news",
    "news-article",
    "supervision",
    "compare-units",
    "compare-leaders",
    "compare-sorted",
    "monthly",
    "api",
    "search",
    "lookup",
    "demand-ranges",
    "demand-range",
]

PHONE = {"viewport": {"width": 360, "height": 740}, "device_scale_factor": 2, "is_mobile": True, "has_touch": True}
DESKTOP = {"viewport": {"width": 1280, "height": 900}}
# 200% browser zoom of a 1280 x 900 desktop window. Browser zoom (Ctrl +) scales the CSS
# pixel: the page is laid out in a 640 x 450 CSS-pixel viewport, media queries see 640 px and
# window.devicePixelRatio becomes 2. A 640 x 450 viewport at deviceScaleFactor 2 reproduces
# exactly that. CSS `zoom` on <html> would not: media queries and viewport units would still
# see 1280 px, so it would test a layout no zoomed browser ever shows.
ZOOM_200 = {"viewport": {"width": 640, "height": 450}, "device_scale_factor": 2}
# 400% zoom of a 1280 px window (WCAG 2.1 success criterion 1.4.10 Reflow): 320 CSS px.
REFLOW_320 = {"viewport": {"width": 320, "height": 256}, "device_scale_factor": 4}

AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
NAV_LINKS = "nav.site-nav a"
KEEP_TABBING = 25


# ---------------------------------------------------------------------------- helpers


class Watch:
    """Everything that went wrong while a page loaded: console errors (CSP violations show
    up there), uncaught exceptions, failed requests and HTTP errors; and every request."""

    EVENTS = ("console", "pageerror", "requestfailed", "response", "request")

    def __init__(self, page: Any) -> None:
        self.page = page
        self.problems: list[str] = []
        self.requests: list[str] = []
        for event in self.EVENTS:
            page.on(event, getattr(self, "_" + event))

    def detach(self) -> None:
        for event in self.EVENTS:
            self.page.remove_listener(event, getattr(self, "_" + event))

    def _console(self, msg: Any) -> None:
        if msg.type == "error":
            self.problems.append(f"console error: {msg.text} at {msg.location.get('url', '')}")

    def _pageerror(self, exc: Any) -> None:
        self.problems.append(f"uncaught exception: {exc}")

    def _requestfailed(self, r: Any) -> None:
        # ERR_ABORTED: the browser cancelled the request because the tab navigated on (the
        # icon is fetched after "load" and may still be in flight). A missing file shows as
        # HTTP 404 and a refused or blocked request with an error of its own.
        if "ERR_ABORTED" not in (r.failure or ""):
            self.problems.append(f"request failed: {r.url} ({r.failure})")

    def _response(self, r: Any) -> None:
        if r.status >= 400:
            self.problems.append(f"HTTP {r.status}: {r.url}")

    def _request(self, r: Any) -> None:
        self.requests.append(r.url)


@pytest.fixture(scope="session")
def page_pool(browser: Any) -> Iterator[dict[str, Any]]:
    """One browser context and tab per set of context options, reused by every test.

    A new context costs a renderer process (0.2-1 s on a small CI machine); a navigation in a
    warm tab costs a tenth of that. Tests start with page.goto and the pool clears the
    origin's storage first, so no state (such as 关怀版 in localStorage) leaks between tests.
    """
    pool: dict[str, Any] = {}
    yield pool
    for page in pool.values():
        page.context.close()


@pytest.fixture
def open_page(page_pool: dict[str, Any], browser: Any, site: Any) -> Iterator[Callable[..., tuple[Any, Watch]]]:
    """open_page(kind_or_path, **context options) -> (page, watch), freshly loaded."""
    watches: list[Watch] = []

    def _open(target: str, **options: Any) -> tuple[Any, Watch]:
        key = json.dumps(options, sort_keys=True)
        page = page_pool.get(key)
        if page is None:
            page = page_pool[key] = browser.new_context(**options).new_page()
        elif options.get("java_script_enabled", True) and page.url.startswith(site.base_url):
            page.evaluate("() => { localStorage.clear(); sessionStorage.clear(); }")
        watch = Watch(page)
        watches.append(watch)
        response = page.goto(site.url(target), wait_until="load")
        assert response is not None and response.status == 200, f"{target}: HTTP {response and response.status}"
        return page, watch

    yield _open
    for watch in watches:
        watch.detach()


def switch_elder_on(page: Any) -> None:
    toggle = page.locator(".elder-toggle")
    assert toggle.is_visible(), "the 关怀版 button is not visible with JavaScript on"
    toggle.click()
    page.wait_for_function("document.documentElement.classList.contains('elder')")


def horizontal_overflow(page: Any) -> dict[str, Any]:
    return page.evaluate(
        """() => {
          const d = document.documentElement, cs = (e) => getComputedStyle(e);
          // Who sticks out of the viewport without a scrolling box of its own around it.
          const w = d.clientWidth, culprits = [];
          for (const el of document.body.querySelectorAll('*')) {
            const r = el.getBoundingClientRect();
            if (r.width === 0 || r.right <= w + 0.5) continue;
            let boxed = false;
            for (let p = el.parentElement; p && p !== document.body; p = p.parentElement) {
              const o = cs(p).overflowX;
              if (o === 'auto' || o === 'scroll' || o === 'hidden' || o === 'clip') { boxed = true; break; }
            }
            if (!boxed && culprits.length < 5) {
              const cls = el.className ? '.' + String(el.className).split(' ').join('.') : '';
              culprits.push(el.tagName.toLowerCase() + cls + ' right=' + Math.round(r.right));
            }
          }
          return {scrollWidth: d.scrollWidth, clientWidth: d.clientWidth,
                  htmlOverflow: cs(d).overflowX, bodyOverflow: cs(document.body).overflowX, culprits};
        }"""
    )


def run_axe(page: Any, axe_path: Any) -> list[dict[str, Any]]:
    if not page.evaluate("typeof axe !== 'undefined'"):
        page.add_script_tag(path=str(axe_path))
    result = page.evaluate(
        """async (tags) => {
          const r = await axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']});
          return r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
            nodes: v.nodes.slice(0, 5).map(n => n.target.join(' ') + ' :: ' + (n.failureSummary || '')
              .replace(/\\s+/g, ' ').slice(0, 240))}));
        }""",
        AXE_TAGS,
    )
    return result


FOCUS_STATE = r"""() => {
  const el = document.activeElement;
  if (!el || el === document.body) return null;
  const s = getComputedStyle(el), r = el.getBoundingClientRect();
  const transparent = (c) => c === 'transparent' || /rgba\(.*,\s*0\)$/.test(c);
  const outline = s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) > 0 && !transparent(s.outlineColor);
  const shadow = s.boxShadow && s.boxShadow !== 'none';
  return {tag: el.tagName.toLowerCase(), cls: el.className || '', id: el.id || '',
          href: el.getAttribute('href'), text: (el.textContent || '').trim().slice(0, 30),
          inNav: !!el.closest('nav.site-nav'), inHeader: !!el.closest('header'),
          // in main, or after it: where focus should go once the skip link was used
          pastSkip: (() => { const m = document.getElementById('main');
            return m.contains(el) || !!(m.compareDocumentPosition(el) & Node.DOCUMENT_POSITION_FOLLOWING); })(),
          indicator: outline || shadow, outline: s.outlineStyle + ' ' + s.outlineWidth + ' ' + s.outlineColor,
          visible: r.width > 0 && r.height > 0 && r.bottom > 0 && r.right > 0
                   && r.top < innerHeight && r.left < innerWidth && s.visibility !== 'hidden'};
}"""


# ---------------------------------------------------------------------------- loads


@pytest.mark.parametrize("kind", KINDS)
def test_loads_without_errors(open_page: Callable, site: Any, kind: str) -> None:
    page, watch = open_page(kind, **PHONE)
    assert watch.problems == [], f"{kind}: " + "\n".join(watch.problems)
    assert page.locator("h1").count() == 1, f"{kind}: a page has exactly one h1"
    assert page.locator("html").get_attribute("lang") == "zh-CN"
    # Everything is self-hosted: no request leaves the portal's own origin.
    foreign = [u for u in watch.requests if not u.startswith(site.base_url) and not u.startswith("data:")]
    assert foreign == [], f"{kind}: requests to other origins: {foreign}"
    # No web fonts: text uses the system CJK fonts.
    assert page.evaluate("document.fonts.size") == 0, f"{kind}: the page loads web fonts"
    # The icon is declared, so browsers do not ask for a /favicon.ico that is not there.
    icon = page.evaluate("document.querySelector('link[rel=icon]') && document.querySelector('link[rel=icon]').href")
    assert icon and icon.startswith(site.base_url), f"{kind}: no self-hosted icon: {icon}"
    assert page.request.get(icon).status == 200, icon


def test_every_page_type_is_covered(built_site: Any) -> None:
    assert set(KINDS) == set(built_site.pages), "KINDS and conftest.discover_pages() list the same page types"


def test_server_sends_the_same_policy_as_the_meta_tag(site: Any, browser: Any) -> None:
    ctx = browser.new_context()
    try:
        response = ctx.new_page().goto(site.url("home"))
        assert response is not None
        assert response.headers.get("content-security-policy") == site.csp
        assert "script-src 'self'" in site.csp and "style-src 'self'" in site.csp
    finally:
        ctx.close()


# ---------------------------------------------------------------------------- reflow


# Each viewport is checked in the normal look and then, on the same page, in 关怀版 (one
# load for both keeps the suite fast). 320 px is checked in the normal look only.
MODES = {"phone-360": (PHONE, True), "zoom-200": (ZOOM_200, True), "reflow-320": (REFLOW_320, False)}


@pytest.mark.parametrize("mode", list(MODES))
@pytest.mark.parametrize("kind", KINDS)
def test_no_horizontal_page_scroll(open_page: Callable, kind: str, mode: str) -> None:
    options, and_elder = MODES[mode]
    page, watch = open_page(kind, **options)
    for look in ("normal", "elder") if and_elder else ("normal",):
        if look == "elder":
            switch_elder_on(page)
        o = horizontal_overflow(page)
        # Hiding the overflow would hide content: the page itself must not clip sideways.
        assert o["htmlOverflow"] == "visible" and o["bodyOverflow"] == "visible", o
        assert o["scrollWidth"] <= o["clientWidth"], f"{kind} ({mode}, {look}) scrolls sideways: {o}"
        assert o["culprits"] == [], f"{kind} ({mode}, {look}): elements wider than the screen: {o['culprits']}"
    assert watch.problems == []


# ---------------------------------------------------------------------------- axe


AXE_MODES = {"phone": (PHONE, True), "desktop": (DESKTOP, False)}


@pytest.mark.parametrize("mode", list(AXE_MODES))
@pytest.mark.parametrize("kind", KINDS)
def test_axe_finds_no_wcag21_aa_violations(open_page: Callable, axe_source: Any, kind: str, mode: str) -> None:
    options, and_elder = AXE_MODES[mode]
    # axe is injected as an inline <script>, which the page's own CSP (rightly) refuses;
    # bypass_csp lets this one context run it. CSP itself is tested in the other contexts.
    page, _ = open_page(kind, bypass_csp=True, **options)
    found = {"normal": run_axe(page, axe_source)}
    if and_elder:  # the same page in 关怀版: bigger text, black text, thicker borders
        switch_elder_on(page)
        found["elder"] = run_axe(page, axe_source)
    found = {look: v for look, v in found.items() if v}
    assert found == {}, f"{kind} ({mode}):\n" + json.dumps(found, ensure_ascii=False, indent=1)


# ---------------------------------------------------------------------------- keyboard


@pytest.mark.parametrize("kind", KINDS)
def test_keyboard_only(open_page: Callable, kind: str) -> None:
    page, _ = open_page(kind, **DESKTOP)
    keyboard = page.keyboard

    # 1. The first Tab lands on the skip link, which then shows itself.
    keyboard.press("Tab")
    skip = page.evaluate(FOCUS_STATE)
    assert skip and "skip" in skip["cls"], f"{kind}: first Tab focused {skip}, not the skip link"
    assert skip["visible"], f"{kind}: the skip link stays hidden when focused: {skip}"
    assert skip["indicator"], f"{kind}: the focused skip link has no focus indicator: {skip}"

    # 2. Enter moves focus to <main>; the next Tab continues from there (in main, or in the
    #    footer when main has no links), never back in the header.
    keyboard.press("Enter")
    page.wait_for_function("location.hash === '#main'")
    assert page.evaluate("document.activeElement && document.activeElement.id") == "main"
    keyboard.press("Tab")
    after = page.evaluate(FOCUS_STATE)
    assert after and after["pastSkip"] and not after["inHeader"], f"{kind}: Tab after the skip link went to {after}"
    # The content's controls (links, scrolling table regions, 计算方法 details, pager) show
    # where focus is too: the next KEEP_TABBING stops, or until focus leaves the page.
    unmarked = []
    for _ in range(KEEP_TABBING):
        if after is None:
            break
        if not after["indicator"]:
            unmarked.append(after)
        keyboard.press("Tab")
        after = page.evaluate(FOCUS_STATE)
    assert unmarked == [], f"{kind}: focused without a focus indicator: {unmarked}"

    # 3. From the top, Tab walks the header in DOM order and reaches every nav link.
    page.goto(page.url.split("#")[0])
    expected = page.eval_on_selector_all(NAV_LINKS, "as => as.map(a => a.getAttribute('href'))")
    assert len(expected) >= 5, f"{kind}: navigation has {len(expected)} links"
    seen: list[dict[str, Any]] = []
    for _ in range(len(expected) + 6):
        keyboard.press("Tab")
        state = page.evaluate(FOCUS_STATE)
        assert state, f"{kind}: Tab left the page after {seen}"
        seen.append(state)
        if state["inNav"] and state["href"] == expected[-1]:
            break
    assert "skip" in seen[0]["cls"]
    nav_order = [s["href"] for s in seen if s["inNav"]]
    assert nav_order == expected, f"{kind}: nav links reached by Tab {nav_order}, in the page {expected}"
    missing = [s for s in seen if not s["indicator"] or not s["visible"]]
    assert missing == [], f"{kind}: focused without a visible focus indicator: {missing}"


# ---------------------------------------------------------------------------- no JavaScript


@pytest.mark.parametrize("kind", KINDS)
def test_works_without_javascript(open_page: Callable, site: Any, kind: str) -> None:
    page, watch = open_page(kind, java_script_enabled=False, **PHONE)
    assert page.locator("h1").first.is_visible(), f"{kind}: no visible h1 without JavaScript"
    assert page.locator("main").inner_text().strip(), f"{kind}: main is empty without JavaScript"
    links = page.locator(NAV_LINKS)
    assert links.count() >= 5
    for i in range(links.count()):
        assert links.nth(i).is_visible(), f"{kind}: nav link {i} hidden without JavaScript"
    # 关怀版 is a plain link without JavaScript (tests/browser/test_residents.py uses it).
    assert page.locator(".elder-toggle").is_visible()
    assert page.locator(".elder-toggle").get_attribute("href") == "#elder"
    # Follow a nav link that leads elsewhere, as a resident would.
    target = page.locator(f"{NAV_LINKS}:not([aria-current='page'])").nth(1)
    before = page.url
    with page.expect_navigation():
        target.click()
    assert page.url != before
    assert page.locator("h1").count() == 1 and page.locator(NAV_LINKS).count() >= 5
    assert watch.problems == [], "\n".join(watch.problems)


# ---------------------------------------------------------------------------- elder mode


STYLE = """() => {
  const px = (el, p) => el ? parseFloat(getComputedStyle(el)[p]) : null;
  const h1 = document.querySelector('h1');
  return {body: px(document.body, 'fontSize'), h1: px(h1, 'fontSize'), color: getComputedStyle(document.body).color,
          pressed: document.querySelector('.elder-toggle').getAttribute('aria-pressed'),
          elder: document.documentElement.classList.contains('elder')};
}"""

TAP_TARGETS = """(sel) => Array.from(document.querySelectorAll(sel))
  .filter(e => e.getClientRects().length)
  .map(e => ({text: e.textContent.trim().slice(0, 20), h: e.getBoundingClientRect().height}))"""


@pytest.mark.parametrize("kind", KINDS)
def test_elder_mode(open_page: Callable, kind: str) -> None:
    page, watch = open_page(kind, **PHONE)
    normal = page.evaluate(STYLE)
    assert normal["elder"] is False and normal["pressed"] == "false"
    switch_elder_on(page)
    elder = page.evaluate(STYLE)
    assert elder["pressed"] == "true", "the button does not say it is pressed"
    assert elder["body"] >= 18, f"{kind}: elder body text is {elder['body']} px"
    assert elder["h1"] > normal["h1"], f"{kind}: headings do not grow ({normal['h1']} -> {elder['h1']})"
    assert elder["h1"] > elder["body"]
    assert elder["color"] == "rgb(0, 0, 0)", f"{kind}: elder text is {elder['color']}, not black"
    small = [
        t
        for sel in (NAV_LINKS, ".elder-toggle", ".crumbs a", ".pager a", ".more a", ".link-list a")
        for t in page.evaluate(TAP_TARGETS, sel)
        if t["h"] < 44
    ]
    assert small == [], f"{kind}: tap targets under 44 px in 关怀版: {small}"

    # The choice is remembered on the next page...
    with page.expect_navigation():
        page.locator(f"{NAV_LINKS}:not([aria-current='page'])").first.click()
    nxt = page.evaluate(STYLE)
    assert nxt["elder"] and nxt["pressed"] == "true", f"{kind}: 关怀版 was forgotten on {page.url}"
    # ...and switching it off is remembered too.
    page.locator(".elder-toggle").click()
    page.reload()
    assert page.evaluate(STYLE)["elder"] is False
    assert watch.problems == [], "\n".join(watch.problems)


# ---------------------------------------------------------------------------- theme rules


@pytest.mark.parametrize("kind", KINDS)
def test_tables_are_labelled_and_numbers_right_aligned(open_page: Callable, kind: str) -> None:
    page, _ = open_page(kind, **DESKTOP)
    tables = page.evaluate(
        """() => Array.from(document.querySelectorAll('main table')).map(t => ({
          cls: t.className, caption: t.caption ? t.caption.textContent.trim() : '',
          unscoped: Array.from(t.querySelectorAll('th')).filter(th => !['col', 'row'].includes(th.scope)).length,
          numAlign: Array.from(t.querySelectorAll('.num')).map(c => getComputedStyle(c).textAlign),
          inWrap: !!t.closest('.table-wrap, .prose-html')}))"""
    )
    for t in tables:
        if not t["cls"]:  # Markdown tables in news or pages are the authors' own
            continue
        assert t["caption"], f"{kind}: table.{t['cls']} has no caption"
        assert t["unscoped"] == 0, f"{kind}: table.{t['cls']} has {t['unscoped']} th without scope"
        assert set(t["numAlign"]) <= {"right"}, f"{kind}: numbers not right-aligned in table.{t['cls']}"
        assert t["inWrap"], f"{kind}: table.{t['cls']} is not inside a scrolling .table-wrap"


@pytest.mark.parametrize("kind", ["home", "subdistricts", "subdistrict", "units"])
def test_wide_tables_scroll_inside_themselves(open_page: Callable, kind: str) -> None:
    page, _ = open_page(kind, **PHONE)
    wraps = page.evaluate(
        """() => Array.from(document.querySelectorAll('.table-wrap')).filter(w => w.querySelector('table.compare'))
          .map(w => ({sw: w.scrollWidth, cw: w.clientWidth, ox: getComputedStyle(w).overflowX,
                      tab: w.tabIndex, role: w.getAttribute('role'), label: w.getAttribute('aria-label')}))"""
    )
    assert wraps, f"{kind}: no comparison table"
    for w in wraps:
        assert w["sw"] > w["cw"], f"{kind}: expected the comparison table to be wider than a phone: {w}"
        assert w["ox"] == "auto", w
        # A scrolling region must be reachable and named for keyboard and screen-reader users.
        assert w["tab"] == 0 and w["role"] == "region" and w["label"], w
    o = horizontal_overflow(page)
    assert o["scrollWidth"] <= o["clientWidth"]


@pytest.mark.parametrize("kind", ["home", "community", "project", "project-lit", "unit", "list-projects"])
def test_status_and_lights_never_by_colour_alone(open_page: Callable, kind: str) -> None:
    page, _ = open_page(kind, **PHONE)
    marks = page.evaluate(
        """() => Array.from(document.querySelectorAll('.badge, .light')).map(b => {
          const ico = b.querySelector('.ico');
          return {html: b.outerHTML.slice(0, 120), shape: ico ? ico.textContent.trim() : '',
                  word: b.textContent.replace(ico ? ico.textContent : '', '').trim()};
        })"""
    )
    assert marks, f"{kind}: no status badges on the page"
    bare = [m["html"] for m in marks if not m["shape"] or not m["word"]]
    assert bare == [], f"{kind}: status or light without both a shape and a word: {bare}"


def test_system_cjk_font_stack(open_page: Callable, site: Any) -> None:
    page, _ = open_page("home", **PHONE)
    family = page.evaluate("getComputedStyle(document.body).fontFamily")
    for name in ("PingFang SC", "Microsoft YaHei", "Noto Sans CJK SC"):
        assert name in family, family
    assert family.rstrip().endswith("sans-serif"), family
    css = (site.root / "theme" / "css" / "site.css").read_text("utf-8")
    assert "@font-face" not in css and "@import" not in css and "url(http" not in css
