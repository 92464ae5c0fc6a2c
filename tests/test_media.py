"""Media outputs (issue 17): embeds, share images, Atom feeds and notice sheets exist for
every community, subdistrict, unit and list of the demo data and carry the same figures
as the pages they belong to."""

from __future__ import annotations

import csv
import dataclasses
import functools
import http.server
import io
import re
import shutil
import threading
import xml.etree.ElementTree as ET
from pathlib import Path
from urllib.parse import urljoin

import feedparser
import pytest
import zxingcpp
from bs4 import BeautifulSoup
from PIL import Image, ImageDraw
from support import ROOT, read_rows, require, site_files, write_rows

from generator.cli import main
from generator.exports import feeds, images
from generator.ingest import prepare as pipeline
from generator.site import media
from generator.site.pages.embed_community import EMBED_ROWS
from generator.site.pages.print_community import qr_svg
from generator.site.views import ViewBuilder, url_for

BASE = "https://bssh.example.gov.cn/zl"
ATOM = "{http://www.w3.org/2005/Atom}"


def build(data: Path, out: Path, *extra: str) -> None:
    assert main(["build", "--data", str(data), "--output", str(out), *extra]) == 0


@pytest.fixture(scope="module")
def demo(tmp_path_factory) -> tuple[Path, Path]:
    """The demo data with the site's address set, built once."""
    root = tmp_path_factory.mktemp("media")
    shutil.copytree(ROOT / "data", root / "data")
    site = root / "data" / "site.yaml"
    text = site.read_text(encoding="utf-8").replace("base_url: ''", f"base_url: '{BASE}'")
    site.write_text(text + "share_images: red\n", encoding="utf-8")  # cards for red-light projects too
    build(root / "data", root / "out")
    return root / "data", root / "out"


@pytest.fixture(scope="module")
def prepared(demo):
    return pipeline.prepare(demo[0])


def soup(path: Path) -> BeautifulSoup:
    return BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")


def page(out: Path, url: str) -> BeautifulSoup:
    return soup(out / url / "index.html")


def figures(doc: BeautifulSoup, selector: str = "dl.figures") -> dict[str, str]:
    dl = doc.select_one(selector)
    assert dl is not None, selector
    return {d.dt.get_text(" ", strip=True): d.dd.get_text(" ", strip=True) for d in dl.find_all("div")}


def scopes(prepared) -> list[str]:
    b = ViewBuilder(prepared.dataset, prepared.aggregates)
    return (
        [url_for("community", a) for a in b.community_ids()]
        + [url_for("subdistrict", a) for a in b.subdistrict_ids()]
        + [url_for("unit", u) for u in b.unit_ids()]
    )


# ---------------------------------------------------------------- embeds


def test_every_embed_carries_its_pages_figures_and_first_rows(demo, prepared):
    out = demo[1]
    urls = scopes(prepared)
    assert len(urls) > 90
    for url in urls:
        full, embed = page(out, url), page(out, "embed/" + url)
        assert figures(embed) == figures(full), url
        titles = [a.get_text(strip=True) for a in full.select("table.projects tbody th a")]
        shown = [a.get_text(strip=True) for a in embed.select(".card-title a")]
        if url.startswith("communities/"):  # the page's own list, most urgent first
            assert shown == titles[:EMBED_ROWS], url
        elif url.startswith("units/"):  # the projects it leads, then those it partners in
            assert set(shown) <= set(titles) and len(shown) == min(len(titles), EMBED_ROWS), url
        else:  # a subdistrict's page lists its communities; its projects are theirs
            b = ViewBuilder(prepared.dataset, prepared.aggregates)
            sid = next(a for a in b.subdistrict_ids() if url_for("subdistrict", a) == url)
            first = b.subdistrict_projects(sid)[:EMBED_ROWS]
            assert shown == [prepared.dataset.projects[p].title for p in first], url
        back = embed.select_one(".embed-more a")["href"]
        assert urljoin(f"{BASE}/embed/{url}", back) == f"{BASE}/{url}"
        assert embed.select_one(".as-of time")["datetime"] == "2026-11-15"
        assert embed.select_one("nav") is None and embed.select_one(".site-footer") is None


def test_every_list_has_an_embed_of_its_first_rows(demo):
    out = demo[1]
    for kind, cell in (("projects", "table.projects tbody th a"), ("results", "table.projects tbody th a"),
                       ("demands", "table tbody th")):  # fmt: skip
        full, embed = page(out, f"lists/{kind}"), page(out, f"embed/lists/{kind}")
        first = [c.get_text(" ", strip=True) for c in full.select(cell)][:EMBED_ROWS]
        shown = [c.get_text(" ", strip=True) for c in embed.select(".card-title")]
        assert len(shown) == EMBED_ROWS
        # a demand row's header also shows its id
        assert all(f.startswith(s) for f, s in zip(first, shown, strict=True)), kind


def test_embed_pages_stay_under_30_kb_with_what_they_load(demo):
    out = demo[1]
    extra = sum((out / "theme" / p).stat().st_size for p in ("css/embed.css", "js/embed-resize.js"))
    sizes = {p: p.stat().st_size + extra for p in (out / "embed").rglob("index.html")}
    assert len(sizes) > 90
    assert max(sizes.values()) < 30 * 1024, max(sizes, key=sizes.get)
    doc = page(out, "embed/communities/c0001")
    assert [s["src"] for s in doc.find_all("script")] == ["../../../theme/js/embed-resize.js"]
    assert [s["href"] for s in doc.select("link[rel=stylesheet]")] == ["../../../theme/css/embed.css"]


def test_the_embed_box_gives_an_absolute_iframe_snippet(demo):
    out = demo[1]
    box = page(out, "communities/c0001").select_one(".embed-box")
    snippet = BeautifulSoup(box.select_one("textarea").get_text(), "html.parser")
    assert snippet.iframe["src"] == f"{BASE}/embed/communities/c0001/"
    assert snippet.iframe["title"].startswith("桑盛社区")
    assert snippet.script["src"] == f"{BASE}/theme/js/embed-resize.js"
    links = {a.get_text(strip=True): a["href"] for a in page(out, "communities/c0001").select(".media-links a")}
    assert links == {
        "订阅（Atom）": "../../feeds/communities/c0001.xml",
        "分享图": "../../share/communities/c0001.png",
        "打印公示栏": "../../print/communities/c0001/",
    }


def test_a_title_cannot_break_out_of_the_snippet():
    links = media.media_links("communities/x/", BASE)
    assert links is not None
    snippet = BeautifulSoup(links.snippet('"><script>alert(1)</script>'), "html.parser")
    assert snippet.iframe["title"] == '"><script>alert(1)</script>'
    assert [s["src"] for s in snippet.find_all("script")] == [f"{BASE}/theme/js/embed-resize.js"]


def test_without_the_sites_address_the_snippet_says_to_replace_it(tmp_path):
    build(ROOT / "data", tmp_path / "out")
    box = page(tmp_path / "out", "communities/c0001").select_one(".embed-box")
    assert 'src="/embed/communities/c0001/"' in box.select_one("textarea").get_text()
    assert "base_url" in box.get_text()


CHROMIUM = Path("/usr/bin/chromium")


@pytest.fixture
def chromium(request):
    """Debian's chromium through the session's one Playwright (never a downloaded browser);
    skipped when missing, except under CI=true, where a missing browser fails (like
    tests/browser)."""
    require(CHROMIUM.exists(), f"{CHROMIUM} is missing")
    driver = request.getfixturevalue("playwright_driver")
    browser = driver.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox", "--disable-gpu"])
    yield browser
    browser.close()


@pytest.fixture
def serve():
    """serve(folder) -> "http://127.0.0.1:<port>": a static server on loopback (each call
    a new port, so a second folder is a second origin, like a news site's)."""
    servers = []

    def start(folder: Path) -> str:
        handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(folder))
        handler.log_message = lambda *args: None  # type: ignore[method-assign]
        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        return f"http://127.0.0.1:{server.server_address[1]}"

    yield start
    for server in servers:
        server.shutdown()
        server.server_close()


def test_the_host_script_resizes_a_frame_that_loaded_before_it(demo, chromium, serve, tmp_path):
    """A news site whose page loads the script late (slow network, a CMS that defers
    scripts): the embed posted its height before anyone listened, so the script asks it
    again. Without that the frame kept height=640 and scrolled inside itself."""
    portal = serve(demo[1])
    (tmp_path / "index.html").write_text(
        f'<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8"><title>host</title></head><body>'
        f'<iframe src="{portal}/embed/communities/c0001/" title="embed" width="100%" height="640" '
        'style="border:0"></iframe></body></html>',
        encoding="utf-8",
    )
    host = serve(tmp_path)
    page = chromium.new_page(viewport={"width": 360, "height": 740})
    page.goto(f"{host}/")
    frame = page.frames[1]
    frame.wait_for_load_state("load")
    frame.wait_for_timeout(300)  # the embed has posted its height: nobody was listening
    height = frame.evaluate("Math.ceil(document.documentElement.getBoundingClientRect().height)")
    assert height > 700
    page.add_script_tag(url=f"{portal}/theme/js/embed-resize.js")
    page.wait_for_function(
        f"document.querySelector('iframe').getBoundingClientRect().height >= {height}", timeout=10_000
    )
    assert frame.evaluate("document.documentElement.scrollHeight <= document.documentElement.clientHeight + 1")


@pytest.mark.parametrize("url", ["embed/communities/c0001/", "embed/units/u001/", "embed/lists/projects/"])
def test_an_embed_never_scrolls_sideways_in_large_text(demo, chromium, serve, url):
    """A frame in an article on a 360 px phone is ~336 px wide; with large text (an elderly
    reader's font size) the cards' rows and bars wrap instead of overflowing it."""
    portal = serve(demo[1])
    for scale in (150, 200):
        page = chromium.new_page(viewport={"width": 336, "height": 740}, bypass_csp=True)
        page.goto(f"{portal}/{url}")
        page.add_style_tag(content=f"html {{ font-size: {scale}% }}")
        widths = page.evaluate("[document.documentElement.scrollWidth, document.documentElement.clientWidth]")
        assert widths[0] <= widths[1], (url, scale, widths)
        page.close()


# ---------------------------------------------------------------- notice sheets


def test_every_notice_sheet_carries_its_pages_figures_lists_and_qr_code(demo, prepared):
    out = demo[1]
    b = ViewBuilder(prepared.dataset, prepared.aggregates)
    for cid in b.community_ids():
        url = url_for("community", cid)
        full, sheet = page(out, url), page(out, "print/" + url)
        mine, theirs = figures(sheet, "dl.board-figures"), figures(full)
        for label in ("实事项目", "已完成", "超期未完成", "办结率"):
            assert mine[label] == theirs[label].split(" ")[0], (cid, label)
        assert mine["■ 红灯"] == theirs["■ 红灯"] and mine["▲ 黄灯"] == theirs["▲ 黄灯"]
        assert mine["满意率"].split()[0] == theirs["满意率"].split()[0]
        assert mine["满意率"].replace("（", " ").replace("）", "").split()[1:] == theirs["满意率"].split()[1:]
        titles = {a.get_text(strip=True) for a in full.select("table.projects tbody th a")}
        listed = {th.contents[0].strip() for th in sheet.select(".board-table tbody th")}
        assert listed == titles, cid
        expected = f"{BASE}/{url}"
        assert sheet.select_one(".board-url").get_text(strip=True) == expected
        # the QR code is the re-encoding of the page's address (segno is deterministic)
        assert str(sheet.select_one("svg.qr")) == str(BeautifulSoup(qr_svg(expected, sheet.select_one("svg.qr")[
            "aria-label"]), "html.parser").svg)  # fmt: skip


def test_the_built_site_passes_the_publish_check(demo):
    """The pre-publish check (links resolve, HTML well formed, as-of date shown) accepts
    every embed, notice sheet and media link."""
    from generator.privacy.mask import allowed_in, contact_values
    from generator.publish.site import check_site

    out = demo[1]
    files = [p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file() and ".gongshi" not in p.parts]
    from generator.ingest import prepare as pipeline

    ds = pipeline.prepare(demo[0]).dataset
    allowed = allowed_in(ds.settings, contact_values(ds))  # the offices' phones, as publish allows them
    check_site(out, files, "2026-11-15", allowed=allowed)  # raises SiteRejected with every problem


def test_the_notice_sheet_prints_large_on_a4():
    css = (ROOT / "theme/static/css/board.css").read_text(encoding="utf-8")
    assert re.search(r"@page \{\s*size: A4;", css)
    printed = css[css.index("@media print") :]
    assert "body.board { max-width: none; padding: 0; font-size: 14pt; }" in printed


def test_every_printed_page_of_a_long_sheet_names_its_community_and_number(demo, chromium):
    """A sheet of many pages is posted page by page: each page says whose sheet it is,
    which list continues on it, the as-of date and "k / n"; no date breaks inside itself."""
    import unicodedata

    from pypdf import PdfReader

    out = demo[1]
    longest = max(out.glob("print/communities/*/index.html"), key=lambda f: f.read_text(encoding="utf-8").count("<tr"))
    name = page(out, "print/" + longest.parent.relative_to(out / "print").as_posix() + "/").h1.contents[0].strip()
    tab = chromium.new_page()
    tab.goto(longest.as_uri())
    pdf = tab.pdf(format="A4")
    texts = [unicodedata.normalize("NFKC", p.extract_text()) for p in PdfReader(io.BytesIO(pdf)).pages]
    assert len(texts) >= 2, "the longest demo sheet should take more than one A4 page"
    for k, text in enumerate(texts, start=1):
        assert f"{k} / {len(texts)}" in text, k
        assert f"{name}公示栏" in text and "2026年11月15日" in text, (k, text[:200])
    # a date is never split across lines ("2026年12月9" / "日")
    assert not re.search(r"\d{4}年\d{1,2}月\d{0,2}\n", "\n".join(texts))


def test_pages_print_without_the_search_box_and_with_their_bars_filled():
    """Printed, a page keeps its content, not the header's search form; a progress bar's
    fill is a background, which browsers drop from print unless told to keep it."""
    css = (ROOT / "theme/static/css/site.css").read_text(encoding="utf-8")
    printed = "".join(re.findall(r"@media print \{(.*?)\n\}", css, re.S))
    hidden = "".join(re.findall(r"([^{}]*)\{ display: none !important; \}", printed))
    assert ".search-box" in hidden and ".site-nav" in hidden and ".media-box" in hidden
    assert re.search(r"progress[^{}]*\{[^}]*print-color-adjust: exact", printed)


# ---------------------------------------------------------------- share images


def decode(png: bytes) -> str:
    found = zxingcpp.read_barcodes(Image.open(io.BytesIO(png)))
    assert len(found) == 1
    return found[0].text


def test_every_community_and_red_project_has_a_share_image_with_its_qr_code(demo, prepared):
    out = demo[1]
    ds, agg = prepared.dataset, prepared.aggregates
    paths = {c.path: c for c in images.cards(ds, agg)}
    communities = [url_for("community", a.id) for a in ds.level("community")]
    red = [url_for("project", p) for p in ds.projects if agg.info[p].light == "red"]
    assert len(communities) == 35 and len(red) > 10
    for url in [*communities, *red, ""]:
        path = media.image_path(url)
        assert path in paths
        png = (out / path).read_bytes()
        with Image.open(io.BytesIO(png)) as im:
            assert im.size == (images.WIDTH, images.HEIGHT) and im.format == "PNG"
        assert decode(png) == f"{BASE}/{url}", url


def test_a_share_image_shows_its_pages_figures(demo, prepared):
    """The figures a card draws are the page's; the PNG is that card drawn."""
    out = demo[1]
    ds, agg = prepared.dataset, prepared.aggregates
    painter = images.Painter()
    for card in images.cards(ds, agg):
        if not card.path.startswith("share/communities/"):
            continue
        url = card.path[len("share/") : -len(".png")] + "/"
        shown = figures(page(out, url))
        drawn = {f.label: f.value for f in card.figures}
        assert drawn["实事项目"] == shown["实事项目"] and drawn["已完成"] == shown["已完成"]
        assert drawn["红灯"] == shown["■ 红灯"]
        assert drawn["满意率"] == shown["满意率"].split(" ")[0]
        assert card.title == page(out, url).h1.get_text(strip=True)
        assert painter.png(card) == (out / card.path).read_bytes()


def test_every_page_names_an_existing_share_image_and_feed(demo):
    out = demo[1]
    checked = 0
    for html in out.rglob("index.html"):
        doc = soup(html)
        image = doc.select_one('meta[property="og:image"]')
        if image is None:  # embeds and notice sheets have no link previews
            continue
        assert image["content"].startswith(BASE + "/")
        assert (out / image["content"][len(BASE) + 1 :]).is_file(), html
        for link in doc.select('link[rel=alternate][type="application/atom+xml"]'):
            assert (html.parent / link["href"]).resolve().is_file(), html
        checked += 1
    assert checked > 500


def test_a_project_without_its_own_image_shows_its_communitys(demo, prepared):
    ds, agg = prepared.dataset, prepared.aggregates
    green = next(p for p in sorted(ds.projects) if agg.info[p].light == "green")
    doc = page(demo[1], url_for("project", green))
    community = url_for("community", ds.projects[green].communities[0])
    assert doc.select_one('meta[property="og:image"]')["content"] == f"{BASE}/share/{community[:-1]}.png"


def test_the_share_images_setting_chooses_which_projects_get_a_card(prepared):
    ds, agg = prepared.dataset, prepared.aggregates
    communities = len(ds.level("community"))
    red = sum(agg.info[p].light == "red" for p in ds.projects)

    def count(scope: str) -> int:
        chosen = dataclasses.replace(ds, settings=dataclasses.replace(ds.settings, share_images=scope))
        return len(images.cards(chosen, agg))

    assert (count("communities"), count("red"), count("all"), count("auto")) == (
        1 + communities,
        1 + communities + red,
        1 + communities + len(ds.projects),
        1 + communities + len(ds.projects),  # a district's 400 projects: each its own card
    )
    assert media.share_scope("auto", media.AUTO_ALL_PROJECTS + 1) == "communities"  # a city's 40,000


def test_by_default_a_district_draws_a_card_per_project_and_a_city_per_community(tmp_path, monkeypatch):
    """share_images: auto (the default): each project has a card of its own while the
    portal has at most AUTO_ALL_PROJECTS projects, else it shares its community's. A new
    project that crosses the line changes every project page's og:image and removes the
    projects' cards, on an incremental build exactly as on a full one."""
    data, out = tmp_path / "data", tmp_path / "out"
    shutil.copytree(ROOT / "data", data)
    rows = read_rows(data / "projects.csv")
    projects = len(rows) - 1
    monkeypatch.setattr(media, "AUTO_ALL_PROJECTS", projects)  # the demo is exactly at the line
    build(data, out)
    assert len(list((out / "share/projects").glob("*.png"))) == projects == 400
    shown = page(out, "projects/p00001").select_one(".media-links a[type='image/png']")["href"]
    assert shown == "../../share/projects/p00001.png"
    new = dict(zip(rows[0], rows[1], strict=True))
    new |= {"编号": "P09999", "项目名称": "新增便民服务点", "对应需求": "", "状态": "正常推进", "完成比例": "30"}
    write_rows(data / "projects.csv", [*rows, [new[h] for h in rows[0]]])
    build(data, out)
    assert not (out / "share/projects").exists() and len(list((out / "share/communities").glob("*.png"))) == 35
    shown = page(out, "projects/p00001").select_one(".media-links a[type='image/png']")["href"]
    assert shown.startswith("../../share/communities/")
    build(data, tmp_path / "full", "--full")
    after, full = site_files(out), site_files(tmp_path / "full")
    assert sorted(after) == sorted(full) and [k for k in full if full[k] != after[k]] == []


def drawn_texts(monkeypatch, card: images.Card) -> list[str]:
    """The strings a card's PNG draws (its own, not the shared template's)."""
    painter = images.Painter()
    painter.template(card, all(images._short(f.value) for f in card.figures))  # drawn once, not recorded
    texts: list[str] = []
    real = ImageDraw.ImageDraw.text

    def spy(self, xy, text, *args, **kwargs):
        texts.append(text)
        return real(self, xy, text, *args, **kwargs)

    monkeypatch.setattr(ImageDraw.ImageDraw, "text", spy)
    painter.png(card)
    return texts


def test_a_wide_figure_is_drawn_smaller_never_cut(prepared, monkeypatch):
    """A 100.0% satisfaction rate (桂浦社区 in the demo), a small sample or a five-digit
    count is wider than its column at the figures' size: it was drawn as "100.…"."""
    card = next(c for c in images.cards(prepared.dataset, prepared.aggregates) if c.path.startswith("share/comm"))
    values = ("100.0%", "样本不足", "12,345", "0")
    wide = dataclasses.replace(
        card, figures=tuple(images.Figure(f.label, v) for f, v in zip(card.figures, values, strict=True))
    )
    texts = drawn_texts(monkeypatch, wide)
    assert all(v in texts for v in values), texts
    assert not any(t.endswith("…") for t in texts), texts


def test_a_community_without_projects_still_gets_the_card_its_page_names(prepared):
    """A new community with nothing on its lists yet has a page, whose og:image and media
    box name share/communities/<id>.png: the card must exist (it was never drawn)."""
    ds, agg = prepared.dataset, prepared.aggregates
    first = min(a.id for a in ds.level("community"))
    empty = dataclasses.replace(agg, communities={k: v for k, v in agg.communities.items() if k != first})
    card = {c.path: c for c in images.cards(ds, empty)}[media.image_path(url_for("community", first))]
    assert {f.label: f.value for f in card.figures} == {"实事项目": "0", "已完成": "0", "满意率": "—", "红灯": "0"}
    assert decode(images.Painter().png(card)) == f"{BASE}/{url_for('community', first)}"


def test_a_project_cards_lines_above_the_qr_code_use_the_whole_width(prepared, monkeypatch):
    """A leader's title is long; the line is cut only where the QR code is beside it."""
    ds, agg = prepared.dataset, prepared.aggregates
    chosen = dataclasses.replace(ds, settings=dataclasses.replace(ds.settings, share_images="all"))
    card = next(c for c in images.cards(chosen, agg) if c.path.startswith("share/projects/"))
    leader = "邓瑞英（区市场监督管理局局长）"
    long = dataclasses.replace(card, figures=(card.figures[0], images.Figure("领办人", leader), *card.figures[2:]))
    assert leader in drawn_texts(monkeypatch, long)


def test_share_images_are_byte_reproducible(prepared):
    card = images.cards(prepared.dataset, prepared.aggregates)[1]
    assert images.Painter().png(card) == images.Painter().png(card)


def test_personal_data_never_reaches_an_image(prepared, tmp_path):
    from generator.output.folder import SiteWriter
    from generator.site.render import export_media

    ds = prepared.dataset
    card = images.cards(ds, prepared.aggregates)[1]
    leaking = dataclasses.replace(card, title=card.title + " 联系人 13812345678")
    assert images.scan_cards([card], frozenset()) == []
    assert [(p, v) for p, _, v in images.scan_cards([leaking], frozenset())] == [(card.path, "13812345678")]
    # through the build's export: a project title that escaped masking stops every image
    pid = next(p for p in sorted(ds.projects) if prepared.aggregates.info[p].light == "red")
    project = ds.projects[pid]
    title = project.title
    try:
        project.title = title + "（王先生 13812345678）"
        builder = ViewBuilder(ds, prepared.aggregates)
        _, changed, _, findings = export_media(builder, SiteWriter(tmp_path), {}, tmp_path)
    finally:
        project.title = title
    image = media.image_path(url_for("project", pid))
    assert (image, "13812345678") in {(p, v) for p, _, v in findings}
    assert changed == 0 and not (tmp_path / "share").exists()


# ---------------------------------------------------------------- feeds


def test_every_feed_is_valid_atom_with_absolute_links(demo, prepared):
    out = demo[1]
    urls = ["", *scopes(prepared)]
    for url in urls:
        path = media.feed_path(url)
        assert path is not None
        data = (out / path).read_bytes()
        parsed = feedparser.parse(data)
        assert not parsed.bozo, (path, parsed.get("bozo_exception"))
        assert parsed.version == "atom10"
        root = ET.fromstring(data)
        for tag in ("id", "title", "updated", "author"):
            assert root.find(ATOM + tag) is not None, (path, tag)
        assert root.find(ATOM + "link[@rel='self']").get("href") == f"{BASE}/{path}"
        for entry in root.findall(ATOM + "entry"):
            for tag in ("id", "title", "updated", "link"):
                assert entry.find(ATOM + tag) is not None, (path, tag)
            assert entry.find(ATOM + "id").text.startswith("tag:bssh.example.gov.cn,2021:project/")
            assert entry.find(ATOM + "link").get("href").startswith(f"{BASE}/projects/")
        page_doc = page(out, url) if url else soup(out / "index.html")
        hrefs = [a["href"] for a in page_doc.select('link[rel=alternate][type="application/atom+xml"]')]
        assert any(h.endswith(path) for h in hrefs), url


def test_feed_entries_are_dated_by_the_lists_and_keep_their_ids(prepared):
    ds, agg = prepared.dataset, prepared.aggregates
    evs = feeds.events(ds, agg)
    kinds = {e.kind for e in evs}
    assert kinds == {"new_project", "progress", "completed", "signed_off", "turned_red"}
    ids = [feeds.entry_id("x.example", e) for e in evs]
    assert len(ids) == len(set(ids))
    for e in evs:
        p, res = ds.projects[e.project], ds.results.get(e.project)
        dates = {
            "new_project": {p.start},
            "progress": {x.date for x in ds.progress.get(e.project, ())},
            "completed": {res.completed if res else None},
            "signed_off": {res.signed_off if res else None},
        }.get(e.kind)
        if dates is not None:
            assert e.date in dates, e
        else:  # turned red: the end of a month, or the as-of date
            assert e.date == ds.as_of or (e.date + __import__("datetime").timedelta(days=1)).day == 1, e
        assert e.date <= ds.as_of
    # the same data gives the same bytes: nothing comes from the clock
    assert feeds.feed_files(ds, agg) == feeds.feed_files(ds, agg)


def test_a_community_feed_follows_only_its_projects(demo, prepared):
    ds = prepared.dataset
    cid = sorted(a.id for a in ds.level("community"))[0]
    root = ET.fromstring((demo[1] / media.feed_path(url_for("community", cid))).read_bytes())
    slugs = {url_for("project", p): p for p in ds.projects}
    entries = root.findall(ATOM + "entry")
    assert entries
    for entry in entries:
        pid = slugs[entry.find(ATOM + "link").get("href")[len(BASE) + 1 :]]
        assert cid in ds.projects[pid].communities


# ---------------------------------------------------------------- incremental


def test_one_projects_change_redraws_only_its_images(demo, tmp_path, monkeypatch):
    """Only the cards whose text changed are drawn again; the rest are kept as they are."""
    from support import set_cell

    data, out = tmp_path / "data", tmp_path / "out"
    shutil.copytree(demo[0], data)
    shutil.copytree(demo[1], out)
    drawn: list[str] = []
    real = images.draw

    def spy(chosen):
        chosen = list(chosen)
        drawn.extend(c.path for c in chosen)
        return real(chosen)

    monkeypatch.setattr(images, "draw", spy)
    prepared = pipeline.prepare(data)
    pid = next(p for p in sorted(prepared.dataset.projects) if prepared.aggregates.info[p].light == "red")
    rows = (data / "projects.csv").read_text(encoding="utf-8-sig").splitlines()
    row = next(n for n, line in enumerate(rows, 1) if line.startswith(pid + ","))
    set_cell(data / "projects.csv", row, "项目名称", "新的项目名称")
    build(data, out, "--jobs", "1")  # in this process, so the spy sees the call
    assert media.image_path(url_for("project", pid)) in drawn
    assert 0 < len(drawn) <= 3, drawn  # the project's card, and its communities' if shown there
    build(data, tmp_path / "full", "--full", "--jobs", "1")
    for path in ("share/site.png", media.image_path(url_for("project", pid)), "feeds/all.xml"):
        assert (out / path).read_bytes() == (tmp_path / "full" / path).read_bytes()


def test_feeds_are_built_again_only_when_their_sources_change(demo, tmp_path, monkeypatch):
    from support import read_rows, write_rows

    data, out = tmp_path / "data", tmp_path / "out"
    shutil.copytree(demo[0], data)
    shutil.copytree(demo[1], out)
    calls: list[int] = []
    real = feeds.feed_files

    def spy(*args):
        calls.append(1)
        return real(*args)

    monkeypatch.setattr(feeds, "feed_files", spy)
    rows = read_rows(data / "demands.csv")  # demands are in no feed
    rows[1][rows[0].index("需求内容")] += "（补充）"
    write_rows(data / "demands.csv", rows)
    build(data, out, "--jobs", "1")
    assert calls == []
    progress = data / "progress.csv"  # kept as staff export it, in GB18030
    rows = list(csv.reader(io.StringIO(progress.read_bytes().decode("gb18030"), newline="")))
    rows[1][rows[0].index("进展情况")] += "（补充）"
    write_rows(progress, rows, encoding="gb18030")
    build(data, out, "--jobs", "1")
    assert calls == [1]
    build(data, tmp_path / "full", "--full", "--jobs", "1")
    for path in ("feeds/all.xml", *(p.relative_to(out).as_posix() for p in (out / "feeds/communities").glob("*"))):
        assert (out / path).read_bytes() == (tmp_path / "full" / path).read_bytes(), path
