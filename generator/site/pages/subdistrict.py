"""A subdistrict's page: its figures, its communities' figures and its red-light projects."""

from __future__ import annotations

from dataclasses import dataclass

from generator.site.downloads import DownloadBlock, download_block, download_read
from generator.site.views import AreaRow, FiguresView, Page, ProjectRow, ViewBuilder, url_for

from . import PageKind, Read


@dataclass(frozen=True)
class SubdistrictPage(Page):
    figures: FiguresView
    communities: tuple[AreaRow, ...]
    attention: tuple[ProjectRow, ...]
    households: int | None
    residents: int | None
    downloads: DownloadBlock | None = None


def build(b: ViewBuilder, args: tuple) -> SubdistrictPage:
    (area_id,) = args
    a = b.area(area_id)
    return SubdistrictPage(
        url=url_for("subdistrict", area_id),
        title=a.name,
        breadcrumbs=(b.home_crumb,),
        template="subdistrict.html",
        figures=b.area_figures(area_id),
        communities=tuple(b.area_row(c) for c in b.children(area_id)),
        attention=b.attention(b.subdistrict_projects(area_id)),
        households=a.households,
        residents=a.residents,
        downloads=download_block(b, "subdistrict", area_id, a.name),
    )


def reads(b: ViewBuilder, args: tuple) -> list[Read]:
    (area_id,) = args
    children = b.children(area_id)
    return [
        download_read(b, "subdistrict", area_id),
        ("area", (area_id, *children)),
        ("area_figures", (area_id, *children)),
        ("project", b.attention_ids(b.subdistrict_projects(area_id))),
    ]


KIND = PageKind(
    name="subdistrict",
    url=lambda args: url_for("subdistrict", args[0]),
    template="subdistrict.html",
    pages=lambda b: [(a,) for a in b.subdistrict_ids()],
    build=build,
    reads=reads,
)
