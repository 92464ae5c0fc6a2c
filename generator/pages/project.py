"""A project's page: its row, measures, demands, progress log, result, ratings and comments.

A city has tens of thousands of these, so besides ``reads`` the kind declares the same
reads for all its pages at once, as arrays (``bulk_reads``)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..digests import EntityHashes
from ..schema import HANDLING
from ..views import (
    CommentView,
    DemandRow,
    Link,
    Page,
    ProgressRow,
    ProjectRow,
    RatingBar,
    ResultView,
    ViewBuilder,
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


def build(b: ViewBuilder, args: tuple) -> ProjectPage:
    (pid,) = args
    rating_enum = b.ds.rating_enum
    p = b.project(pid)
    row = b.project_row(pid)
    info = b.project_info(pid)
    first = b.area(p.communities[0])
    crumbs = (b.home_crumb, b.area_link(first.parent), b.area_link(first.id))
    r = b.ratings(pid)
    total = sum(r.values())
    bars = tuple(
        RatingBar(c.key, c.label, r.get(c.key, 0), (r.get(c.key, 0) * 100 / total) if total else 0.0)
        for c in rating_enum.choices
    )
    res = b.result(pid)
    positions = (b.demand_position(d) for d in p.demands)
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
        demands=tuple(b.demand_row(n) for n in positions if n is not None),
        progress_log=tuple(ProgressRow(e.date, e.note, e.progress) for e in b.progress_log(pid)),
        result=ResultView(res.completed, res.signed_off, res.outcome, res.evidence, info.completed_late_days)
        if res
        else None,
        ratings=bars if total else (),
        comments=tuple(CommentView(c.date, rating_enum.label(c.rating), c.text) for c in b.comments(pid)),
    )


def _demands(b: ViewBuilder, demands: tuple[str, ...]) -> list[int]:
    positions = (b.demand_position(d) for d in demands)
    return [n for n in positions if n is not None]


def reads(b: ViewBuilder, args: tuple) -> list[Read]:
    (pid,) = args
    p = b.project(pid)
    first = b.area(p.communities[0])
    return [
        ("project", args),
        ("area", (first.parent, first.id)),  # the breadcrumbs
        ("unit", p.partner_units),
        ("demand", _demands(b, p.demands)),
    ]


def bulk_reads(h: EntityHashes, b: ViewBuilder, pages: list[tuple]) -> np.ndarray:
    """:func:`reads` of every page in ``pages``, digested together: the same sequence
    of hashes per page as :meth:`EntityHashes.page_hashes` makes, built as arrays."""
    area, unit, demand, none = h.tables["area"], h.tables["unit"], h.tables["demand"], h.none
    rows = h.tables["project"]
    projects, areas = b.ds.projects, b.ds.areas
    chosen = [projects[pid] for (pid,) in pages]
    first = [areas[p.communities[0]] for p in chosen]
    count = len(pages)
    fixed = np.stack(
        [
            np.full(count, h.kind_hash("project"), dtype=np.uint64),
            np.fromiter((rows.get(pid, none) for (pid,) in pages), dtype=np.uint64, count=count),
            np.full(count, h.kind_hash("area"), dtype=np.uint64),
            np.fromiter((area.get(a.parent, none) for a in first), dtype=np.uint64, count=count),
            np.fromiter((area.get(a.id, none) for a in first), dtype=np.uint64, count=count),
            np.full(count, h.kind_hash("unit"), dtype=np.uint64),
        ],
        axis=1,
    )
    # Each page's variable part: its partner units, the demand marker, its demands.
    page_of: list[int] = []
    values: list[int] = []
    demand_marker = h.kind_hash("demand")
    for n, p in enumerate(chosen):
        ids = _demands(b, p.demands)
        page_of += [n] * (len(p.partner_units) + 1 + len(ids))
        values += [unit.get(u, none) for u in p.partner_units]
        values.append(demand_marker)
        values += [demand.get(i, none) for i in ids]
    pages_of_fixed = np.repeat(np.arange(count, dtype=np.int64), fixed.shape[1])
    groups = np.concatenate([pages_of_fixed, np.array(page_of, dtype=np.int64)])
    hashes = np.concatenate([fixed.reshape(-1), np.array(values, dtype=np.uint64)])
    # group_hashes keeps the order of rows within a page: the fixed part comes first.
    return h.combine(groups, hashes, count)


KIND = PageKind(
    name="project",
    url=lambda args: url_for("project", args[0]),
    template="project.html",
    pages=lambda b: [(p,) for p in b.project_ids()],
    build=build,
    reads=reads,
    bulk_reads=bulk_reads,
)
