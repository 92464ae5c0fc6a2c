"""A unit's page: its figures, the projects it leads or partners in, its paired communities."""

from __future__ import annotations

from dataclasses import dataclass

from generator.catalog import ZH
from generator.site.downloads import DownloadBlock, download_block, download_read
from generator.site.views import UNITS_INDEX, FiguresView, Link, Page, ProjectRow, ViewBuilder, url_for

from . import PageKind, Read


@dataclass(frozen=True)
class UnitPage(Page):
    kind: str
    figures: FiguresView
    lead_projects: tuple[ProjectRow, ...]
    partner_projects: tuple[ProjectRow, ...]
    paired_communities: tuple[Link, ...]
    downloads: DownloadBlock | None = None


def build(b: ViewBuilder, args: tuple) -> UnitPage:
    (uid,) = args
    u = b.unit(uid)
    ids = b.unit_projects(uid)
    return UnitPage(
        url=url_for("unit", uid),
        title=u.name,
        breadcrumbs=(b.home_crumb, Link(ZH["unit_compare"], UNITS_INDEX)),
        template="unit.html",
        kind=u.kind or "",
        figures=b.unit_figures(uid),
        lead_projects=tuple(b.project_row(p) for p in ids if b.project(p).lead_unit == uid),
        partner_projects=tuple(b.project_row(p) for p in ids if b.project(p).lead_unit != uid),
        paired_communities=tuple(b.area_link(c) for c in u.paired_communities if b.is_area(c)),
        downloads=download_block(b, "unit", uid, u.name),
    )


def reads(b: ViewBuilder, args: tuple) -> list[Read]:
    (uid,) = args
    # Which projects it leads is part of each project's content.
    return [
        download_read(b, "unit", uid),
        ("unit", args),
        ("unit_figures", args),
        ("project", b.unit_projects(uid)),
        ("area", b.unit(uid).paired_communities),
    ]


KIND = PageKind(
    name="unit",
    url=lambda args: url_for("unit", args[0]),
    template="unit.html",
    pages=lambda b: [(u,) for u in b.unit_ids()],
    build=build,
    reads=reads,
)
