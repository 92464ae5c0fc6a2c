"""The units compared on their lists, page by page (a city has thousands)."""

from __future__ import annotations

from dataclasses import dataclass

from generator.catalog import ZH
from generator.site.views import UNITS_INDEX, FiguresView, Page, Pagination, UnitRow, ViewBuilder, page_url

from . import PageKind, Read, index_reads, page_numbers


@dataclass(frozen=True)
class UnitsIndexPage(Page):
    units: tuple[UnitRow, ...]  # this page's share, in id order
    figures: FiguresView
    pagination: Pagination | None = None


def build(b: ViewBuilder, args: tuple) -> UnitsIndexPage:
    (number,) = args
    ids, pages, url, title = b.paged(b.unit_ids(), UNITS_INDEX, number, ZH["unit_compare"])
    return UnitsIndexPage(
        url=url,
        title=title,
        breadcrumbs=(b.home_crumb,),
        template="units.html",
        units=tuple(UnitRow(b.unit_link(u), b.unit(u).kind or "", b.unit_figures(u)) for u in ids),
        figures=b.district_figures(),
        pagination=pages,
    )


def reads(b: ViewBuilder, args: tuple) -> list[Read]:
    return index_reads(b, b.unit_ids(), args[0], "unit")


KIND = PageKind(
    name="units_index",
    url=lambda args: page_url(UNITS_INDEX, args[0]),
    template="units.html",
    pages=lambda b: page_numbers(b, b.unit_ids()),
    build=build,
    reads=reads,
)
