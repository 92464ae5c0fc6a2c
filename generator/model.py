"""Stage 3: the validated, redacted lists as plain objects.

No private column survives to this point (privacy.redact drops them), so nothing built
from a :class:`Dataset` can leak one.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

import pandas as pd

from .schema import RATING_SCALES, Enumeration
from .slug import slugify


@dataclass(slots=True)
class Area:
    id: str
    name: str
    level: str
    parent: str
    households: int | None
    residents: int | None
    slug: str
    children: list[str] = field(default_factory=list)


@dataclass(slots=True)
class Unit:
    id: str
    name: str
    kind: str
    paired_communities: tuple[str, ...]
    slug: str


@dataclass(slots=True)
class Demand:
    id: str
    community: str
    received: dt.date | None
    channel: str | None
    category: str | None
    summary: str
    stage: str
    decline_reason: str
    project: str


@dataclass(slots=True)
class ProgressEntry:
    project: str
    date: dt.date
    note: str
    progress: int | None


@dataclass(slots=True)
class Result:
    project: str
    completed: dt.date
    outcome: str
    signed_off: dt.date | None
    evidence: str


@dataclass(slots=True)
class Comment:
    date: dt.date
    rating: str
    text: str


@dataclass(slots=True)
class Project:
    id: str
    title: str
    communities: tuple[str, ...]
    category: str | None
    handling: str | None
    lead_unit: str
    partner_units: tuple[str, ...]
    leader: str
    measures: str
    start: dt.date | None
    deadline: dt.date | None
    status: str
    progress: int | None
    demands: tuple[str, ...]
    slug: str


@dataclass
class Dataset:
    settings: dict[str, object]
    rating_enum: Enumeration
    satisfied_keys: tuple[str, ...]
    areas: dict[str, Area]
    units: dict[str, Unit]
    demands: list[Demand]
    projects: dict[str, Project]
    progress: dict[str, list[ProgressEntry]]
    results: dict[str, Result]
    ratings: dict[str, dict[str, int]]  # project -> rating key -> count
    comments: dict[str, list[Comment]]  # public comments only

    @property
    def as_of(self) -> dt.date:
        return self.settings["as_of"]

    def level(self, level: str) -> list[Area]:
        return [a for a in self.areas.values() if a.level == level]


def _int(v) -> int | None:
    return None if v is None or v != v else round(float(v))


def _date(v) -> dt.date | None:
    return None if v is None or v != v else v


def build(settings: dict[str, object], tables: dict[str, pd.DataFrame]) -> Dataset:
    """Turn redacted typed tables into the dataset every later stage reads."""
    scale = settings.get("rating_scale") or "three"
    enum, satisfied = RATING_SCALES[scale]

    areas: dict[str, Area] = {}
    for r in tables["areas"].itertuples(index=False):
        areas[r.id] = Area(r.id, r.name, r.level, r.parent or "", _int(r.households), _int(r.residents), slugify(r.id))
    for a in areas.values():
        if a.parent in areas:
            areas[a.parent].children.append(a.id)

    units = {
        r.id: Unit(r.id, r.name, r.kind, tuple(r.paired_communities or ()), slugify(r.id))
        for r in tables["units"].itertuples(index=False)
    }

    projects: dict[str, Project] = {}
    pf = tables["projects"]
    for r in pf.itertuples(index=False):
        projects[r.id] = Project(
            r.id,
            r.title,
            tuple(r.communities or ()),
            r.category,
            r.handling,
            r.lead_unit,
            tuple(r.partner_units or ()),
            r.leader,
            r.measures,
            _date(r.start),
            _date(r.deadline),
            r.status,
            _int(r.progress),
            tuple(r.demands or ()),
            slugify(r.id),
        )

    demands = [
        Demand(
            r.id, r.community, _date(r.received), r.channel, r.category, r.summary, r.stage, r.decline_reason, r.project
        )
        for r in tables["demands"].itertuples(index=False)
    ]
    # A demand may name its project, or the project may list the demand: either counts.
    for d in demands:
        if d.project and d.project in projects and d.id not in projects[d.project].demands:
            projects[d.project].demands += (d.id,)
    owner = {did: p.id for p in projects.values() for did in p.demands}
    for d in demands:
        if not d.project and d.id in owner:
            d.project = owner[d.id]

    progress: dict[str, list[ProgressEntry]] = defaultdict(list)
    for r in tables["progress"].itertuples(index=False):
        progress[r.project].append(ProgressEntry(r.project, r.date, r.note, _int(r.progress)))
    for entries in progress.values():
        entries.sort(key=lambda e: e.date)

    results = {
        r.project: Result(r.project, r.completed, r.outcome, _date(r.signed_off), r.evidence)
        for r in tables["results"].itertuples(index=False)
    }

    fb = tables["feedback"]
    ratings: dict[str, dict[str, int]] = {}
    if len(fb):
        counts = fb.groupby(["project", "rating"], sort=True).size()
        for (pid, key), n in counts.items():
            ratings.setdefault(pid, {})[key] = int(n)
    comments: dict[str, list[Comment]] = defaultdict(list)
    public = fb[(fb["comment"] != "") & fb["comment_public"].astype(bool)] if len(fb) else fb
    for r in public.itertuples(index=False):
        comments[r.project].append(Comment(r.date, r.rating, r.comment))
    for cs in comments.values():
        cs.sort(key=lambda c: (c.date, c.text), reverse=True)

    return Dataset(
        settings, enum, satisfied, areas, units, demands, projects, dict(progress), results, ratings, dict(comments)
    )
