"""The search page: Pagefind's index of projects, communities, units, demands and news
(generator/site/search.py builds it), queried in the browser by search.js. Without
JavaScript the page says where to look instead."""

from __future__ import annotations

from dataclasses import dataclass

from generator.catalog import ZH
from generator.site.lookup import RANGES
from generator.site.search import BUNDLE, DEMANDS_BUNDLE, FILTERS
from generator.site.views import LIST_ROUTES, SUBDISTRICTS_INDEX, UNITS_INDEX, Link, Page, ViewBuilder

from . import PageKind, Read

URL = "search/"


@dataclass(frozen=True)
class SearchPage(Page):
    bundle: str  # the main Pagefind bundle's folder, relative to the site root
    merged: tuple[str, ...]  # bundles the search merges into it (the demands')
    filters: tuple[tuple[str, str], ...]  # (filter key in the index, its label), in display order
    elsewhere: tuple[Link, ...]  # where to look without JavaScript


def build(b: ViewBuilder, args: tuple) -> SearchPage:
    return SearchPage(
        url=URL,
        title=ZH["search_title"],
        breadcrumbs=(b.home_crumb,),
        template="search.html",
        bundle=BUNDLE,
        merged=(DEMANDS_BUNDLE,),
        filters=FILTERS,
        elsewhere=(
            Link(ZH["search_where_areas"], SUBDISTRICTS_INDEX),
            Link(ZH["lookup_title"], "lookup/"),
            Link(ZH["search_where_ranges"], RANGES),
            Link(ZH["unit_compare"], UNITS_INDEX),
            Link(ZH["project_list"], LIST_ROUTES["projects"]),
        ),
    )


def reads(b: ViewBuilder, args: tuple) -> list[Read]:
    return [("value", ())]


KIND = PageKind(
    name="search",
    url=lambda args: URL,
    template="search.html",
    pages=lambda b: [()],
    build=build,
    reads=reads,
)
