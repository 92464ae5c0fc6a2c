"""查询我的诉求: the page where a resident types the number on their receipt.

With JavaScript, lookup.js fetches the small shard of that number's range
(``lookup/d/<range>.json``) and shows the demand's stage and project; without it the form
leads to the index of ranges, each a page listing its demands (demand_range.py)."""

from __future__ import annotations

from dataclasses import dataclass

from generator.catalog import ZH
from generator.site.lookup import BUCKETS, RANGES, SHARDS
from generator.site.views import Page, ViewBuilder

from . import PageKind, Read

URL = "lookup/"


@dataclass(frozen=True)
class LookupPage(Page):
    shards: str  # folder of the JSON shards, relative to the site root
    ranges: str  # the index of ranges (the no-JavaScript way)
    buckets: int  # how many hashed ranges numbers without trailing digits fall into
    contact: str  # whom to ask when a number is not found
    example: str  # a published number, shown as an example of the format


def build(b: ViewBuilder, args: tuple) -> LookupPage:
    ranges = b.demand_ranges()
    first = next(iter(ranges.values()), [])
    return LookupPage(
        url=URL,
        title=ZH["lookup_title"],
        breadcrumbs=(b.home_crumb,),
        template="lookup.html",
        shards=SHARDS,
        ranges=RANGES,
        buckets=BUCKETS,
        contact=b.site.contact,
        example=b.demand_ids(first[:1])[0] if first else "",
    )


def reads(b: ViewBuilder, args: tuple) -> list[Read]:
    first = next(iter(b.demand_ranges().values()), [])
    return [("value", tuple(b.demand_ids(first[:1])))]


KIND = PageKind(
    name="lookup",
    url=lambda args: URL,
    template="lookup.html",
    pages=lambda b: [()],
    build=build,
    reads=reads,
)
