"""Stage 3: the validated, redacted lists as plain objects.

No private column survives to this point (privacy.redact drops them), so nothing built
from a :class:`Dataset` can leak one.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from operator import attrgetter

import numpy as np
import pandas as pd

from generator.model.record import PublicRecord
from generator.schema import RATING_SCALES, Enumeration, SiteSettings
from generator.slug import slugify


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
    # Officials' office contacts (schema privacy CONTACT), "" when the list gives none.
    office_phone: str = ""
    office_address: str = ""
    grid_worker: str = ""
    grid_worker_phone: str = ""


@dataclass(slots=True)
class Unit:
    id: str
    name: str
    kind: str
    paired_communities: tuple[str, ...]
    slug: str
    hotline: str = ""  # schema privacy CONTACT


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
    # 限时整改 as the result list states it (all optional; aggregate derives what is missing)
    reopened: dt.date | None = None
    fix_deadline: dt.date | None = None
    fixed: dt.date | None = None
    fix_note: str = ""


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
    subdistrict: str = ""
    # 已销号 in the ledger: signed off even when no sign-off date is known.
    signed_off: bool = False
    progress_note: str = ""  # the latest progress as the ledger says it (进展情况)


@dataclass
class Sources:
    """Per list, a 64-bit hash of each published row (in file order) and the key each row
    belongs to: its own id for projects, the project it names for progress, results and
    feedback. Page digests are computed from these (digests.py), not from the objects."""

    hashes: dict[str, np.ndarray]
    keys: dict[str, np.ndarray]


@dataclass
class Dataset:
    settings: SiteSettings
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
    sources: Sources | None = field(default=None, repr=False, compare=False)
    # project -> (date, rating key) of every rating, by date: when a rate crossed the
    # threshold and which ratings are a re-rating (复评) depends on the dates.
    rating_log: dict[str, list[tuple[dt.date, str]]] = field(default_factory=dict, repr=False, compare=False)
    # The public record (发布记录) when a publish builds the site; None for a plain build.
    record: PublicRecord | None = field(default=None, repr=False, compare=False)

    @property
    def as_of(self) -> dt.date:
        if self.settings.as_of is None:  # reported by check_settings; no build gets this far
            raise ValueError("site settings without as_of")
        return self.settings.as_of

    def level(self, level: str) -> list[Area]:
        return [a for a in self.areas.values() if a.level == level]


def _int(v) -> int | None:
    return None if v is None or v != v else round(float(v))


def _date(v) -> dt.date | None:
    return None if v is None or v != v else v


def _columns(table, *names: str) -> list[list]:
    return [table[n].tolist() for n in names]


def _texts(table, names: tuple[str, ...]) -> list[list[str]]:
    """Optional text columns ("" where empty, or for every row when the list lacks one)."""
    rows = len(table["id"])
    return [[v if isinstance(v, str) else "" for v in table[n].tolist()] if n in table else [""] * rows for n in names]


def _dates(values: np.ndarray) -> list[dt.date | None]:
    """:func:`_date` of each value."""
    values = np.array(values, dtype=object)
    values[pd.isna(values)] = None
    return values.tolist()


def _ints(values: np.ndarray) -> list[int | None]:
    """:func:`_int` of each value, computed once per distinct value."""
    codes, uniques = pd.factorize(np.asarray(values, dtype=object))
    mapped = np.empty(len(uniques) + 1, dtype=object)
    mapped[:-1] = [_int(v) for v in uniques]
    mapped[-1] = None  # None and NaN
    return mapped[codes].tolist()


def build(settings: SiteSettings, tables: dict[str, dict[str, np.ndarray]]) -> Dataset:
    """Turn redacted typed tables (column name -> values, row by row) into the dataset every
    later stage reads. A table may carry ``_slug``, the slug of each row's id."""
    enum, satisfied = RATING_SCALES[settings.rating_scale]

    def slugs(table) -> list[str]:
        return table["_slug"].tolist() if "_slug" in table else [slugify(i) for i in table["id"].tolist()]

    t = tables["areas"]
    areas: dict[str, Area] = {}
    contacts = ("office_phone", "office_address", "grid_worker", "grid_worker_phone")
    for aid, name, level, parent, households, residents, slug, *contact in zip(
        *_columns(t, "id", "name", "level", "parent", "households", "residents"), slugs(t), *_texts(t, contacts),
        strict=True,
    ):
        areas[aid] = Area(aid, name, level, parent or "", _int(households), _int(residents), slug, [], *contact)
    for a in areas.values():
        if a.parent in areas:
            areas[a.parent].children.append(a.id)

    t = tables["units"]
    units = {
        uid: Unit(uid, name, kind, tuple(paired or ()), slug, hotline)
        for uid, name, kind, paired, slug, hotline in zip(
            *_columns(t, "id", "name", "kind", "paired_communities"), slugs(t), *_texts(t, ("hotline",)), strict=True
        )
    }

    t = tables["projects"]
    names: tuple[str, ...] = ("id", "title", "communities", "category", "handling", "lead_unit", "partner_units",
                              "leader", "measures", "start", "deadline", "status")  # fmt: skip
    extra = _columns(t, "subdistrict", "signed_off", "progress_note")
    rows = zip(*_columns(t, *names), _ints(t["progress"]), t["demands"].tolist(), slugs(t), *extra, strict=True)
    projects: dict[str, Project] = {}
    for r in rows:
        projects[r[0]] = Project(
            r[0], r[1], tuple(r[2] or ()), r[3], r[4], r[5], tuple(r[6] or ()), r[7], r[8],
            _date(r[9]), _date(r[10]), r[11], r[12], tuple(r[13] or ()), r[14], r[15] or "", bool(r[16]), r[17] or "",
        )  # fmt: skip

    t = tables["demands"]
    names = ("channel", "category", "summary", "stage", "decline_reason", "project")
    demands = list(map(Demand, t["id"].tolist(), t["community"].tolist(), _dates(t["received"]), *_columns(t, *names)))
    # A demand may name its project, or the project may list the demand: either counts.
    for d in demands:
        if d.project and d.project in projects and d.id not in projects[d.project].demands:
            projects[d.project].demands += (d.id,)
    owner = {did: p.id for p in projects.values() for did in p.demands}
    for d in demands:
        if not d.project and d.id in owner:
            d.project = owner[d.id]

    progress: dict[str, list[ProgressEntry]] = defaultdict(list)
    t = tables["progress"]
    for pid, date, note, value in zip(*_columns(t, "project", "date", "note"), _ints(t["progress"]), strict=True):
        progress[pid].append(ProgressEntry(pid, date, note, value))
    by_date = attrgetter("date")
    for entries in progress.values():
        entries.sort(key=by_date)

    t = tables["results"]
    names = ("project", "completed", "outcome", "signed_off", "evidence")
    follow = [t[c].tolist() if c in t else [None] * len(t["project"]) for c in ("reopened", "fix_deadline", "fixed")]
    notes = t["fix_note"].tolist() if "fix_note" in t else [""] * len(t["project"])
    results = {
        pid: Result(pid, completed, outcome, _date(signed_off), evidence, _date(a), _date(b), _date(c), note or "")
        for pid, completed, outcome, signed_off, evidence, a, b, c, note in zip(
            *_columns(t, *names), *follow, notes, strict=True
        )
    }

    fb = tables["feedback"]
    # Ratings per project and key, sorted by both (rows missing either are not counted).
    pcodes, pids = pd.factorize(np.asarray(fb["project"], dtype=object))
    kcodes, keys = pd.factorize(np.asarray(fb["rating"], dtype=object))
    counted = (pcodes >= 0) & (kcodes >= 0)
    width = max(len(keys), 1)
    pairs = np.bincount(pcodes[counted] * width + kcodes[counted], minlength=len(pids) * width)
    found = np.flatnonzero(pairs)
    ratings: dict[str, dict[str, int]] = {}
    for pid, key, n in sorted(
        zip(pids[found // width].tolist(), keys[found % width].tolist(), pairs[found].tolist(), strict=True)
    ):
        ratings.setdefault(pid, {})[key] = n
    log: dict[str, list[tuple[dt.date, str]]] = defaultdict(list)
    for pid, date, key in zip(*(fb[c].tolist() for c in ("project", "date", "rating")), strict=True):
        if pid is not None and key is not None and date is not None and date == date:
            log[pid].append((date, key))
    for dated in log.values():
        dated.sort()
    comments: dict[str, list[Comment]] = defaultdict(list)
    public = np.flatnonzero((fb["comment"] != "") & np.asarray(fb["comment_public"], dtype=bool))
    columns = (fb[c][public].tolist() for c in ("project", "date", "rating", "comment"))
    for pid, date, key, text in zip(*columns, strict=True):
        comments[pid].append(Comment(date, key, text))
    for cs in comments.values():
        cs.sort(key=lambda c: (c.date, c.text), reverse=True)

    return Dataset(
        settings, enum, satisfied, areas, units, demands, projects, dict(progress), results, ratings, dict(comments),
        rating_log=dict(log),
    )  # fmt: skip
