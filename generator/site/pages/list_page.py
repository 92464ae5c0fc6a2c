"""The three published lists (demands, projects, results), page by page, with downloads."""

from __future__ import annotations

from dataclasses import dataclass

from generator.catalog import ZH
from generator.site.downloads import DownloadBlock, download_block, download_read
from generator.site.views import LIST_ROUTES, Page, Pagination, ViewBuilder, page_url

from . import PageKind, Read

_NAMES = {"demands": "demand_list", "projects": "project_list", "results": "result_list"}


@dataclass(frozen=True)
class ListPage(Page):
    kind: str  # demands / projects / results
    rows: tuple  # DemandRow or ProjectRow
    pagination: Pagination
    total: int
    # The whole district's files, on the first page only: their sizes change with any
    # data, and a list has thousands of pages at city size.
    downloads: DownloadBlock | None = None


def build(b: ViewBuilder, args: tuple) -> ListPage:
    kind, number = args
    all_ids = b.list_ids(kind)
    name = ZH[_NAMES[kind]]
    ids, pages, url, title = b.paged(all_ids, LIST_ROUTES[kind], number, name)
    make = b.demand_row if kind == "demands" else b.project_row
    return ListPage(
        url=url,
        title=title,
        breadcrumbs=(b.home_crumb,),
        template=f"list_{kind}.html",
        kind=kind,
        rows=tuple(make(i) for i in ids),
        pagination=pages,
        total=len(all_ids),
        downloads=download_block(b, "all", "", b.site.district) if number == 1 else None,
    )


def reads(b: ViewBuilder, args: tuple) -> list[Read]:
    kind, number = args
    ids, size = b.list_ids(kind), b.page_size
    return [
        ("value", ((len(ids), b.index_count(len(ids))),)),  # the total and the pagination
        ("demand" if kind == "demands" else "project", ids[(number - 1) * size : number * size]),
        *([download_read(b, "all")] if number == 1 else []),
    ]


def pages(b: ViewBuilder) -> list[tuple]:
    return [(kind, n) for kind in LIST_ROUTES for n in range(1, b.index_count(len(b.list_ids(kind))) + 1)]


KIND = PageKind(
    name="list_page",
    url=lambda args: page_url(LIST_ROUTES[args[0]], args[1]),
    template=lambda args: f"list_{args[0]}.html",
    pages=pages,
    build=build,
    reads=reads,
)
