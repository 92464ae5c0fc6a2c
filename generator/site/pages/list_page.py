"""The three published lists (demands, projects, results), page by page, with downloads."""

from __future__ import annotations

from dataclasses import dataclass

from generator.catalog import ZH
from generator.site.views import LIST_ROUTES, Link, Page, Pagination, ViewBuilder, page_url

from . import PageKind, Read

_NAMES = {"demands": "demand_list", "projects": "project_list", "results": "result_list"}


@dataclass(frozen=True)
class ListPage(Page):
    kind: str  # demands / projects / results
    rows: tuple  # DemandRow or ProjectRow
    pagination: Pagination
    total: int
    downloads: tuple[Link, ...] = ()  # the whole list as CSV and JSON


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
        downloads=(
            Link(f"{name}（CSV，可用 Excel 打开）", f"downloads/{kind}.csv"),
            Link(f"{name}（JSON）", f"downloads/{kind}.json"),
            Link("数据说明（JSON）", "downloads/datapackage.json"),
        ),
    )


def reads(b: ViewBuilder, args: tuple) -> list[Read]:
    kind, number = args
    ids, size = b.list_ids(kind), b.page_size
    return [
        ("value", ((len(ids), b.index_count(len(ids))),)),  # the total and the pagination
        ("demand" if kind == "demands" else "project", ids[(number - 1) * size : number * size]),
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
