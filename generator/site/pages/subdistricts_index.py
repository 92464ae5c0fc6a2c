"""The subdistricts compared on their figures, page by page."""

from __future__ import annotations

from dataclasses import dataclass

from generator.catalog import ZH
from generator.site.views import SUBDISTRICTS_INDEX, AreaRow, FiguresView, Page, Pagination, ViewBuilder, page_url

from . import PageKind, Read, index_reads, page_numbers


@dataclass(frozen=True)
class SubdistrictsIndexPage(Page):
    subdistricts: tuple[AreaRow, ...]  # this page's share, in id order
    figures: FiguresView
    pagination: Pagination | None = None


def build(b: ViewBuilder, args: tuple) -> SubdistrictsIndexPage:
    (number,) = args
    ids, pages, url, title = b.paged(b.subdistrict_ids(), SUBDISTRICTS_INDEX, number, ZH["subdistricts"])
    return SubdistrictsIndexPage(
        url=url,
        title=title,
        breadcrumbs=(b.home_crumb,),
        template="subdistricts.html",
        subdistricts=tuple(b.area_row(a) for a in ids),
        figures=b.district_figures(),
        pagination=pages,
    )


def reads(b: ViewBuilder, args: tuple) -> list[Read]:
    return index_reads(b, b.subdistrict_ids(), args[0], "area")


KIND = PageKind(
    name="subdistricts_index",
    url=lambda args: page_url(SUBDISTRICTS_INDEX, args[0]),
    template="subdistricts.html",
    pages=lambda b: page_numbers(b, b.subdistrict_ids()),
    build=build,
    reads=reads,
)
