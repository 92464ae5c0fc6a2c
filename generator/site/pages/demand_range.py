"""A range of demand numbers (about a hundred demands): every demand at its own anchor,
with its stage and the project it became. The stable address of a demand without
JavaScript, where a receipt's link and the lookup form lead (see generator/site/lookup.py)."""

from __future__ import annotations

from dataclasses import dataclass

from generator.catalog import ZH
from generator.site.lookup import RANGES, demand_anchor, range_url
from generator.site.views import DemandRow, Link, Page, ProjectRow, ViewBuilder

from . import PageKind, Read


@dataclass(frozen=True)
class DemandEntry:
    anchor: str
    demand: DemandRow
    project: ProjectRow | None


@dataclass(frozen=True)
class DemandRangePage(Page):
    first: str  # the first and last demand number on the page
    last: str
    entries: tuple[DemandEntry, ...]


def range_title(first: str, last: str) -> str:
    return ZH["range_title"].format(first=first, last=last) if first != last else ZH["range_one"].format(id=first)


def build(b: ViewBuilder, args: tuple) -> DemandRangePage:
    (rkey,) = args
    positions = b.demand_ranges()[rkey]
    rows = [b.demand_row(n) for n in positions]
    by_url = {p.url: p for p in map(b.project_row, b.demand_projects(positions))}
    entries = tuple(
        DemandEntry(demand_anchor(d.id), d, by_url.get(d.project.url) if d.project else None) for d in rows
    )
    first, last = rows[0].id, rows[-1].id
    return DemandRangePage(
        url=range_url(rkey),
        title=range_title(first, last),
        breadcrumbs=(b.home_crumb, Link(ZH["lookup_title"], "lookup/"), Link(ZH["ranges_title"], RANGES)),
        template="demand_range.html",
        first=first,
        last=last,
        entries=entries,
    )


def reads(b: ViewBuilder, args: tuple) -> list[Read]:
    positions = b.demand_ranges()[args[0]]
    return [("demand", positions), ("project", b.demand_projects(positions))]


KIND = PageKind(
    name="demand_range",
    url=lambda args: range_url(args[0]),
    template="demand_range.html",
    pages=lambda b: [(r,) for r in b.demand_ranges()],
    build=build,
    reads=reads,
)
