"""The home page: the district's figures, its subdistricts, what needs attention and
what happened lately. One page: digested from its built view-model (no ``reads``)."""

from __future__ import annotations

import heapq
from dataclasses import dataclass

from generator.site.downloads import DownloadBlock, download_block
from generator.site.views import AreaRow, FiguresView, Link, Page, ProgressRow, ProjectRow, ViewBuilder

from . import PageKind

HOME_AREA_LIMIT = 30  # more subdistricts than this: the home page links to the index


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
        attention=b.attention(b.list_ids("projects")),
        recent_completed=tuple(b.project_row(r.project) for r in completed[:8]),
        recent_updates=tuple((b.project_row(pid), ProgressRow(e.date, e.note, e.progress)) for e, pid in latest),
        news=b.news,
        downloads=download_block(b, "all", "", ds.settings.district),
    )


KIND = PageKind(
    name="home",
    url=lambda args: "",
    template="home.html",
    pages=lambda b: [()],
    build=build,
)
