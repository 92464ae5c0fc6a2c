"""A community's notice sheet (公示栏): one A4 page to print and post on the board, with
its lists, lights, satisfaction figures, the as-of date and a QR code to its online page.

HTML with print CSS (``print_community.html``), not a PDF: every browser prints it (and
saves it as PDF), while laying it out without a browser (WeasyPrint) took 0.35 s a sheet,
about 29 CPU-minutes for a city's 5,000 communities (README, "Notice sheets")."""

from __future__ import annotations

from dataclasses import dataclass

import segno
from markupsafe import Markup, escape

from generator.catalog import ZH
from generator.site import media
from generator.site.views import FiguresView, Link, Page, ProjectRow, ViewBuilder, url_for

from . import PageKind, Read


@dataclass(frozen=True)
class PrintPage(Page):
    full: Link
    subdistrict: str
    figures: FiguresView
    open_projects: tuple[ProjectRow, ...]  # not completed yet, most urgent first
    done_projects: tuple[ProjectRow, ...]  # in the result list
    page_abs: str  # the online page ("" without the site's address)
    qr: Markup  # inline SVG of page_abs ("" without the site's address)


def qr_svg(url: str, label: str) -> Markup:
    """A QR code of ``url`` as inline SVG (scalable: sharp at any print resolution)."""
    if not url:
        return Markup("")
    # A fixed mask: choosing the best of eight costs ~5 ms a sheet (17 s for a city), and
    # any mask scans fine (images.py does the same; tests decode its codes).
    svg = segno.make_qr(url, error="m", mask=0, boost_error=False).svg_inline(scale=4, svgclass="qr", omitsize=True)
    svg = svg.replace("<svg ", f'<svg role="img" aria-label="{escape(label)}" ', 1)
    # segno writes <path .../>; the publish check (like HTML parsers outside SVG) wants
    # every element closed explicitly.
    return Markup(svg.replace('"/>', '"></path>'))


def build(b: ViewBuilder, args: tuple) -> PrintPage:
    (area_id,) = args
    a = b.area(area_id)
    url = url_for("community", area_id)
    rows = [b.project_row(p) for p in b.community_projects(area_id)]
    page_abs = media.absolute(b.site.base_url, url)
    return PrintPage(
        url=media.PRINT + url,
        title=f"{a.name}{ZH['board_title']}",
        breadcrumbs=(),
        template="print_community.html",
        full=Link(a.name, url),
        subdistrict=b.area_link(a.parent).text,
        figures=b.area_figures(area_id),
        open_projects=tuple(r for r in rows if r.completed is None),
        done_projects=tuple(r for r in rows if r.completed is not None),
        page_abs=page_abs,
        qr=qr_svg(page_abs, f"{ZH['board_scan']}：{page_abs}"),
    )


def reads(b: ViewBuilder, args: tuple) -> list[Read]:
    (area_id,) = args
    return [
        ("area", (area_id, b.area(area_id).parent)),
        ("area_figures", args),
        ("project", b.community_projects(area_id)),
    ]


KIND = PageKind(
    name="print_community",
    url=lambda args: media.PRINT + url_for("community", args[0]),
    template="print_community.html",
    pages=lambda b: [(a,) for a in b.community_ids()],
    build=build,
    reads=reads,
)
