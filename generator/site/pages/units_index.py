"""The units compared on their lists, page by page (a city has thousands)."""

from __future__ import annotations

from dataclasses import dataclass

from generator.catalog import ZH
from generator.site.views import UNITS_INDEX, FiguresView, Page, Pagination, UnitRow, ViewBuilder, page_url

from . import PageKind, Read


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
    (number,) = args
    ids, size = b.unit_ids(), b.page_size
    shown = ids[(number - 1) * size : number * size]
    return [
        ("value", ((len(ids), b.index_count(len(ids))),)),  # the pagination
        ("district", (None,)),
        ("unit", shown),
        ("unit_figures", shown),
    ]


KIND = PageKind(
    name="units_index",
    url=lambda args: page_url(UNITS_INDEX, args[0]),
    template="units.html",
    pages=lambda b: [(n,) for n in range(1, b.index_count(len(b.unit_ids())) + 1)],
    build=build,
    reads=reads,
)
