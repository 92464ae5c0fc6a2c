"""A project's page: its row, measures, demands, progress log, result, ratings and comments.

A city has tens of thousands of these, so besides ``reads`` the kind digests the same
reads for all its pages at once, as arrays (``bulk_reads``)."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass

import numpy as np
from markupsafe import Markup

from generator.schema import HANDLING
from generator.site import media
from generator.site.digests import EntityHashes
from generator.site.speakup import SpeakUp, speak_up
from generator.site.views import (
    CommentView,
    DemandRow,
    FollowupView,
    HistoryView,
    Link,
    Page,
    ProgressRow,
    ProjectRow,
    RatingBar,
    ResultView,
    ViewBuilder,
    rating_chart,
    url_for,
)

from . import PageKind, Read


@dataclass(frozen=True)
class ProjectPage(Page):
    row: ProjectRow
    communities: tuple[Link, ...]
    partner_units: tuple[Link, ...]
    handling: str
    measures: str
    expected_progress: int | None
    demands: tuple[DemandRow, ...]
    progress_log: tuple[ProgressRow, ...]
    result: ResultView | None
    ratings: tuple[RatingBar, ...]
    comments: tuple[CommentView, ...]
    progress_note: str = ""  # the ledger's latest progress (进展情况)
    signed_off: bool = False
    last_report: dt.date | None = None
    days_since_report: int | None = None
    followup: FollowupView | None = None  # 限时整改 beside the original result and ratings
    history: tuple[HistoryView, ...] = ()  # 变更记录: this project in each release (a published site)
    share_image: str = ""  # its og:image (media.project_image)
    speak_up: SpeakUp | None = None  # its first community's and lead unit's contacts

    def rating_chart(self, chart_id: str, title: str) -> Markup:
        return rating_chart(self.ratings, chart_id, title)


def build(b: ViewBuilder, args: tuple) -> ProjectPage:
    (pid,) = args
    rating_enum = b.ds.rating_enum
    p = b.project(pid)
    row = b.project_row(pid)
    info = b.project_info(pid)
    first = b.area(p.communities[0])
    crumbs = (b.home_crumb, b.area_link(first.parent), b.area_link(first.id))
    f = info.followup
    if f is not None and f.fixed is not None:  # the original ratings stay; the re-rating beside them
        fixed = f.fixed
        bars = b.rating_bars(dict(Counter(k for d, k in b.rating_log(pid) if d <= fixed)))
    else:
        bars = b.rating_bars(b.ratings(pid))
    res = b.result(pid)
    return ProjectPage(
        url=row.url,
        title=p.title,
        breadcrumbs=crumbs,
        template="project.html",
        row=row,
        communities=row.communities,
        partner_units=tuple(b.unit_link(u) for u in p.partner_units),
        handling=HANDLING.label(p.handling) if p.handling else "",
        measures=p.measures,
        expected_progress=info.expected_progress,
        demands=tuple(b.demand_row(n) for n in b.demand_positions(p.demands)),
        progress_log=tuple(ProgressRow(e.date, e.note, e.progress) for e in b.progress_log(pid)),
        result=ResultView(
            res.completed,
            res.signed_off,
            res.outcome,
            res.evidence,
            info.completed_late_days,
            p.signed_off or res.signed_off is not None,
        )
        if res
        else None,
        ratings=bars,
        comments=tuple(CommentView(c.date, rating_enum.label(c.rating), c.text) for c in b.comments(pid)),
        progress_note=p.progress_note,
        signed_off=p.signed_off,
        last_report=info.last_report,
        days_since_report=info.days_since_report,
        followup=b.followup(pid) if f else None,
        history=b.project_history(pid),
        share_image=media.project_image(
            media.dataset_share_scope(b.ds),
            row.url,
            info.light,
            url_for("community", first.id),
        ),
        speak_up=speak_up(b.ds.settings, p.title, first, b.unit(p.lead_unit)),
    )


def reads(b: ViewBuilder, args: tuple) -> list[Read]:
    (pid,) = args
    p = b.project(pid)
    first = b.area(p.communities[0])
    return [
        ("project", args),
        ("area", (first.parent, first.id)),  # the breadcrumbs
        ("unit", (p.lead_unit, *p.partner_units)),  # the lead unit's hotline (speak up), the partners
        ("demand", b.demand_positions(p.demands)),
    ]


def bulk_reads(h: EntityHashes, b: ViewBuilder, pages: list[tuple]) -> np.ndarray:
    """:func:`reads` of every page in ``pages``, digested together as arrays."""
    area, unit, demand, none = h.tables["area"], h.tables["unit"], h.tables["demand"], h.none
    rows = h.tables["project"]
    projects, areas = b.ds.projects, b.ds.areas
    chosen = [projects[pid] for (pid,) in pages]
    first = [areas[p.communities[0]] for p in chosen]
    count = len(pages)
    partners = [(n, unit.get(u, none)) for n, p in enumerate(chosen) for u in (p.lead_unit, *p.partner_units)]
    demands = [(n, demand.get(i, none)) for n, p in enumerate(chosen) for i in b.demand_positions(p.demands)]
    return h.pages(
        [
            h.fixed_group("project", _u64((rows.get(pid, none) for (pid,) in pages), count)),
            h.fixed_group(
                "area",
                _u64((area.get(a.parent, none) for a in first), count),
                _u64((area.get(a.id, none) for a in first), count),
            ),
            h.grouped("unit", *_pairs(partners), count),
            h.grouped("demand", *_pairs(demands), count),
        ]
    )


def _u64(values, count: int) -> np.ndarray:
    return np.fromiter(values, dtype=np.uint64, count=count)


def _pairs(pairs: list[tuple[int, int]]) -> tuple[np.ndarray, np.ndarray]:
    return _u64((n for n, _ in pairs), len(pairs)).astype(np.int64), _u64((x for _, x in pairs), len(pairs))


KIND = PageKind(
    name="project",
    url=lambda args: url_for("project", args[0]),
    template="project.html",
    pages=lambda b: [(p,) for p in b.project_ids()],
    build=build,
    reads=reads,
    bulk_reads=bulk_reads,
)
