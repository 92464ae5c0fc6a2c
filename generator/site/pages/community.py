"""A community's page: its figures, projects, demands and paired units."""

from __future__ import annotations

from dataclasses import dataclass

from generator.site.downloads import DownloadBlock, download_block, download_read
from generator.site.views import DemandRow, FiguresView, Link, Page, ProjectRow, ViewBuilder, url_for

from . import PageKind, Read


@dataclass(frozen=True)
class CommunityPage(Page):
    subdistrict: Link
    figures: FiguresView
    projects: tuple[ProjectRow, ...]
    demands: tuple[DemandRow, ...]
    paired_units: tuple[Link, ...]
    households: int | None
    residents: int | None
    downloads: DownloadBlock | None = None


def build(b: ViewBuilder, args: tuple) -> CommunityPage:
    (area_id,) = args
    a = b.area(area_id)
    sub = b.area_link(a.parent)
    return CommunityPage(
        url=url_for("community", area_id),
        title=a.name,
        breadcrumbs=(b.home_crumb, sub),
        template="community.html",
        subdistrict=sub,
        figures=b.area_figures(area_id),
        projects=tuple(b.project_row(p) for p in b.community_projects(area_id)),
        demands=tuple(b.demand_row(n) for n in b.community_demands(area_id)),
        paired_units=tuple(b.unit_link(u) for u in b.paired_units(area_id)),
        households=a.households,
        residents=a.residents,
        downloads=download_block(b, "community", area_id, a.name),
    )


def reads(b: ViewBuilder, args: tuple) -> list[Read]:
    (area_id,) = args
    return [
        download_read(b, "community", area_id),
        ("area", (area_id, b.area(area_id).parent)),
        ("area_figures", args),
        ("project", b.community_projects(area_id)),
        ("demand", b.community_demands(area_id)),
        ("unit", b.paired_units(area_id)),
    ]


KIND = PageKind(
    name="community",
    url=lambda args: url_for("community", args[0]),
    template="community.html",
    pages=lambda b: [(a,) for a in b.community_ids()],
    build=build,
    reads=reads,
)
