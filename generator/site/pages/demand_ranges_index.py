"""Every range of demand numbers, grouped by their leading characters (a city has about
1,500 ranges: a group of a hundred ranges per fold). Where the lookup form leads without
JavaScript: the resident picks the range that holds their number."""

from __future__ import annotations

from dataclasses import dataclass

from generator.catalog import ZH
from generator.site.lookup import RANGES, range_url
from generator.site.views import Link, Page, ViewBuilder

from . import PageKind, Read
from .demand_range import range_title


@dataclass(frozen=True)
class RangeGroup:
    title: str
    ranges: tuple[Link, ...]


@dataclass(frozen=True)
class DemandRangesPage(Page):
    groups: tuple[RangeGroup, ...]
    total: int  # demands


def _bounds(b: ViewBuilder) -> list[tuple[str, str, str]]:
    """(range key, first number, last number) of every range."""
    out = []
    for r, ns in b.demand_ranges().items():
        first, last = b.demand_ids((ns[0], ns[-1]))
        out.append((r, first, last))
    return out


def build(b: ViewBuilder, args: tuple) -> DemandRangesPage:
    groups: dict[str, list[tuple[str, str, str]]] = {}
    for rkey, first, last in _bounds(b):
        # A hundred ranges per group: the range key without its last two characters;
        # hashed ranges (x…) form one group of their own.
        groups.setdefault("x" if rkey.startswith("x") else rkey[:-2], []).append((rkey, first, last))
    out = []
    for key, items in groups.items():
        title = ZH["ranges_other"] if key == "x" else range_title(items[0][1], items[-1][2])
        out.append(RangeGroup(title, tuple(Link(range_title(f, la), range_url(r)) for r, f, la in items)))
    return DemandRangesPage(
        url=RANGES,
        title=ZH["ranges_title"],
        breadcrumbs=(b.home_crumb, Link(ZH["lookup_title"], "lookup/")),
        template="demand_ranges.html",
        groups=tuple(out),
        total=sum(len(ns) for ns in b.demand_ranges().values()),
    )


def reads(b: ViewBuilder, args: tuple) -> list[Read]:
    # The first and last number of each range are all the page shows of the demands.
    return [("value", tuple(_bounds(b)))]


KIND = PageKind(
    name="demand_ranges_index",
    url=lambda args: RANGES,
    template="demand_ranges.html",
    pages=lambda b: [()],
    build=build,
    reads=reads,
)
