"""The home page: the district's figures, its subdistricts, what needs attention and
what happened lately. One page: digested from its built view-model (no ``reads``)."""

from __future__ import annotations

import heapq
from dataclasses import dataclass

from generator.catalog import ZH
from generator.site.downloads import DownloadBlock, download_block
from generator.site.finder import HOME_LIST_LIMIT
from generator.site.views import (
    COMMUNITIES_INDEX,
    FINDER_DATA,
    AreaRow,
    FiguresView,
    Link,
    Page,
    ProgressRow,
    ProjectRow,
    ViewBuilder,
    page_url,
)

from . import PageKind
from .communities_index import anchor

HOME_AREA_LIMIT = 30  # more subdistricts than this: the home page links to the index
# The home page leads with finding one's place and the figures; what needs attention
# follows, shortened to a few cards and a link to the supervision page.
HOME_ATTENTION = 3
# The demand lookup (查询我的诉求) is a page kind of its own, built by another part of the
# portal; the finder links to it once it is a built-in kind, never to a missing page.
LOOKUP_KIND, LOOKUP_URL = "lookup", "lookup/"


def lookup_url() -> str | None:
    from . import BUILTIN

    return LOOKUP_URL if LOOKUP_KIND in BUILTIN else None


@dataclass(frozen=True, slots=True)
class FinderGroup:
    """One subdistrict and its communities, as plain links (a <details> on the page)."""

    subdistrict: Link | None
    index_url: str  # its group on the communities index
    communities: tuple[Link, ...]


@dataclass(frozen=True)
class Finder:
    total: int  # communities
    groups: tuple[FinderGroup, ...]  # every community, when there are few enough
    pages: tuple[Link, ...]  # else: each page of the communities index, named by its range
    index_url: str = COMMUNITIES_INDEX
    data_url: str = FINDER_DATA
    lookup_url: str | None = None  # 查询我的诉求, when the portal has that page


@dataclass(frozen=True)
class HomePage(Page):
    figures: FiguresView
    subdistricts: tuple[AreaRow, ...]  # the first HOME_AREA_LIMIT
    subdistricts_total: int
    attention: tuple[ProjectRow, ...]
    recent_completed: tuple[ProjectRow, ...]
    recent_updates: tuple[tuple[ProjectRow, ProgressRow], ...]
    news: tuple[Link, ...] = ()
    downloads: DownloadBlock | None = None
    finder: Finder | None = None


def build(b: ViewBuilder, args: tuple) -> HomePage:
    ds = b.ds
    subs = b.subdistrict_ids()
    completed = sorted(ds.results.values(), key=lambda r: (r.completed, r.project), reverse=True)
    latest = heapq.nlargest(
        8,
        ((entries[-1], pid) for pid, entries in ds.progress.items() if entries and pid in ds.projects),
        key=lambda e: (e[0].date, e[1]),
    )
    return HomePage(
        url="",
        title=ds.settings.name,
        breadcrumbs=(),
        template="home.html",
        figures=b.district_figures(),
        subdistricts=tuple(b.area_row(a) for a in subs[:HOME_AREA_LIMIT]),
        subdistricts_total=len(subs),
        attention=b.attention(b.list_ids("projects"), HOME_ATTENTION),
        recent_completed=tuple(b.project_row(r.project) for r in completed[:8]),
        recent_updates=tuple((b.project_row(pid), ProgressRow(e.date, e.note, e.progress)) for e, pid in latest),
        news=b.news,
        downloads=download_block(b, "all", "", ds.settings.district),
        finder=finder(b),
    )


def finder(b: ViewBuilder) -> Finder:
    pages = b.finder_groups()
    total = sum(len(cs) for page in pages for _, cs in page)
    if total <= HOME_LIST_LIMIT:
        groups = tuple(
            FinderGroup(
                b.area_link(sub) if sub else None,
                page_url(COMMUNITIES_INDEX, n) + "#" + anchor(sub),
                tuple(b.area_link(c) for c in cs),
            )
            for n, page in enumerate(pages, 1)
            for sub, cs in page
        )
        return Finder(total, groups, (), lookup_url=lookup_url())
    links = []
    for n, page in enumerate(pages, 1):
        names = [b.area_link(sub).text if sub else ZH["other_communities"] for sub, _ in page]
        text = ZH["finder_page"].format(page=n, first=names[0], last=names[-1])
        links.append(Link(text, page_url(COMMUNITIES_INDEX, n)))
    return Finder(total, (), tuple(links), lookup_url=lookup_url())


KIND = PageKind(
    name="home",
    url=lambda args: "",
    template="home.html",
    pages=lambda b: [()],
    build=build,
)
