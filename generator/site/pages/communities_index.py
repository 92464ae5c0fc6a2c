"""Every community, grouped by its subdistrict (in pinyin order) with its key figures:
whole subdistricts per page, so the home page reaches each community in two taps."""

from __future__ import annotations

from dataclasses import dataclass

from generator.catalog import ZH
from generator.site.finder import Group
from generator.site.views import (
    COMMUNITIES_INDEX,
    FiguresView,
    Link,
    Page,
    Pagination,
    ViewBuilder,
    page_url,
    pagination,
)
from generator.slug import slugify

from . import PageKind, Read


@dataclass(frozen=True, slots=True)
class CommunityEntry:
    link: Link
    figures: FiguresView


@dataclass(frozen=True, slots=True)
class CommunityGroup:
    anchor: str  # the id of its heading: the home page links here
    subdistrict: Link | None  # None: communities of no published subdistrict
    communities: tuple[CommunityEntry, ...]


@dataclass(frozen=True)
class CommunitiesIndexPage(Page):
    groups: tuple[CommunityGroup, ...]
    total: int  # communities on every page
    pagination: Pagination | None = None


def anchor(sub: str | None) -> str:
    return f"s-{slugify(sub)}" if sub else "s-other"


def build(b: ViewBuilder, args: tuple) -> CommunitiesIndexPage:
    (number,) = args
    pages = b.finder_groups()
    title = ZH["communities_index"] if number == 1 else f"{ZH['communities_index']}（第 {number} 页）"
    return CommunitiesIndexPage(
        url=page_url(COMMUNITIES_INDEX, number),
        title=title,
        breadcrumbs=(b.home_crumb,),
        template="communities.html",
        groups=tuple(_group(b, g) for g in pages[number - 1]),
        total=sum(len(c) for page in pages for _, c in page),
        pagination=pagination(COMMUNITIES_INDEX, number, len(pages)) if len(pages) > 1 else None,
    )


def _group(b: ViewBuilder, g: Group) -> CommunityGroup:
    sub, communities = g
    return CommunityGroup(
        anchor(sub),
        b.area_link(sub) if sub else None,
        tuple(CommunityEntry(b.area_link(c), b.area_figures(c)) for c in communities),
    )


def reads(b: ViewBuilder, args: tuple) -> list[Read]:
    pages = b.finder_groups()
    shown = pages[args[0] - 1]
    communities = [c for _, cs in shown for c in cs]
    return [
        ("value", ((len(pages), sum(len(c) for page in pages for _, c in page)),)),  # pagination, total
        ("area", [s for s, _ in shown if s] + communities),
        ("area_figures", communities),
    ]


KIND = PageKind(
    name="communities_index",
    url=lambda args: page_url(COMMUNITIES_INDEX, args[0]),
    template="communities.html",
    pages=lambda b: [(n,) for n in range(1, len(b.finder_groups()) + 1)],
    build=build,
    reads=reads,
)
