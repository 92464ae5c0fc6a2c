"""Stage 4: figures, supervision lights and satisfaction — computed once, in Python.

Templates only format what is computed here. Every rate carries its numerator and
denominator so the page can print the formula and the sample size next to it.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from itertools import compress

from .model import Dataset, Project

OPEN_STATUSES = ("not_started", "in_progress")
GREEN, YELLOW, RED = "green", "yellow", "red"


@dataclass
class Figures:
    """Counts for one scope (district, subdistrict, community or unit)."""

    demands: int = 0
    demands_accepted: int = 0  # reached 共同接单 or 民主议单
    demands_converted: int = 0  # became a project (民主议单)
    demands_declined: int = 0
    projects: int = 0
    status: Counter = field(default_factory=Counter)
    overdue: int = 0
    lights: Counter = field(default_factory=Counter)
    ratings: Counter = field(default_factory=Counter)
    satisfied_keys: tuple[str, ...] = ()

    @property
    def completed(self) -> int:
        return self.status["completed"]

    @property
    def ongoing(self) -> int:
        return self.status["ongoing"]

    @property
    def in_progress(self) -> int:
        return self.status["in_progress"] + self.status["not_started"]

    @property
    def satisfied(self) -> int:
        return sum(self.ratings[k] for k in self.satisfied_keys)

    @property
    def valid_ratings(self) -> int:
        return sum(n for k, n in self.ratings.items() if k != "unknown")

    @property
    def satisfaction_rate(self) -> float | None:
        n = self.valid_ratings
        return self.satisfied / n if n else None

    @property
    def completion_base(self) -> int:
        """Projects that are meant to finish: all but cancelled and ongoing ones."""
        return self.projects - self.status["cancelled"] - self.status["ongoing"]

    @property
    def completion_rate(self) -> float | None:
        n = self.completion_base
        return self.completed / n if n else None

    def add_project(self, project: Project, info: ProjectInfo, ratings: dict[str, int]) -> None:
        self.projects += 1
        self.status[project.status] += 1
        if info.overdue_days:
            self.overdue += 1
        if info.light:
            self.lights[info.light] += 1
        self.ratings.update(ratings)


@dataclass(frozen=True)
class ProjectInfo:
    """What the as-of date says about one project."""

    light: str | None  # green / yellow / red for open projects, None otherwise
    light_reason: str
    overdue_days: int  # days past the deadline while still open; 0 otherwise
    due_in_days: int | None  # days left for open projects with a deadline
    expected_progress: int | None
    completed_late_days: int  # completed after the deadline by this many days


def months_between(a: dt.date, b: dt.date) -> int:
    return (b.year - a.year) * 12 + (b.month - a.month)


def project_info(p: Project, as_of: dt.date, completed: dt.date | None = None) -> ProjectInfo:
    """Supervision light by the common rule: behind schedule by 10-30 points is yellow,
    more than 30 or past the deadline is red; not started in its month is yellow, three
    months later red."""
    late_done = 0
    if completed and p.deadline and completed > p.deadline:
        late_done = (completed - p.deadline).days
    if p.status not in OPEN_STATUSES:
        return ProjectInfo(None, "", 0, None, None, late_done)
    due = (p.deadline - as_of).days if p.deadline else None
    if p.deadline and as_of > p.deadline:
        days = (as_of - p.deadline).days
        return ProjectInfo(RED, f"已超过完成时限 {days} 天", days, due, 100, 0)
    expected = None
    if p.start and p.deadline and p.deadline > p.start:
        span = (p.deadline - p.start).days
        expected = max(0, min(100, round((as_of - p.start).days * 100 / span)))
    if p.status == "not_started" or not p.progress:
        if p.start and as_of >= p.start:
            months = months_between(p.start, as_of)
            if months >= 3:
                return ProjectInfo(RED, f"计划开始后 {months} 个月仍未启动", 0, due, expected, 0)
            return ProjectInfo(YELLOW, "已到计划开始时间，尚未启动", 0, due, expected, 0)
        return ProjectInfo(GREEN, "尚未到开始时间", 0, due, expected, 0)
    if expected is not None:
        behind = expected - (p.progress or 0)
        if behind > 30:
            return ProjectInfo(RED, f"进度落后序时 {behind} 个百分点", 0, due, expected, 0)
        if behind >= 10:
            return ProjectInfo(YELLOW, f"进度落后序时 {behind} 个百分点", 0, due, expected, 0)
    return ProjectInfo(GREEN, "按序时推进", 0, due, expected, 0)


@dataclass
class Aggregates:
    info: dict[str, ProjectInfo]
    district: Figures
    subdistricts: dict[str, Figures]
    communities: dict[str, Figures]
    units: dict[str, Figures]
    # project ids per scope, in display order (open and late first, then the rest)
    community_projects: dict[str, list[str]]
    unit_projects: dict[str, list[str]]  # lead and partner
    subdistrict_projects: dict[str, list[str]]
    community_demands: dict[str, list[int]]  # indexes into Dataset.demands


def project_order(ds: Dataset, info: dict[str, ProjectInfo]):
    rank = {"red": 0, "yellow": 1, "green": 2, None: 3}

    def key(pid: str):
        p = ds.projects[pid]
        i = info[pid]
        return (rank[i.light], -(i.overdue_days or 0), p.deadline or dt.date.max, p.id)

    return key


class _Scopes:
    """Per project, what :meth:`Figures.add_project` reads, by position in ``ds.projects``."""

    def __init__(self, ds: Dataset, info: dict[str, ProjectInfo]):
        self.keys = ds.satisfied_keys
        self.status = [p.status for p in ds.projects.values()]
        infos = [info[pid] for pid in ds.projects]
        self.overdue = [1 if i.overdue_days else 0 for i in infos]
        self.light = [i.light for i in infos]
        self.ratings = [ds.ratings.get(pid) for pid in ds.projects]

    def figures(self, positions: list[int]) -> Figures:
        """What adding the projects at ``positions`` one by one gives (counters keep the
        order their keys first appear in)."""
        ratings: dict[str, int] = {}
        for r in filter(None, map(self.ratings.__getitem__, positions)):
            for k, n in r.items():
                ratings[k] = ratings.get(k, 0) + n
        return Figures(
            projects=len(positions),
            status=Counter(map(self.status.__getitem__, positions)),
            overdue=sum(map(self.overdue.__getitem__, positions)),
            lights=Counter(filter(None, map(self.light.__getitem__, positions))),
            ratings=Counter(ratings),
            satisfied_keys=self.keys,
        )


def aggregate(ds: Dataset) -> Aggregates:
    as_of = ds.as_of
    keys = ds.satisfied_keys
    areas = ds.areas

    info = {
        pid: project_info(p, as_of, ds.results[pid].completed if pid in ds.results else None)
        for pid, p in ds.projects.items()
    }
    # Which projects each scope has, in project order (dicts in the order scopes first appear),
    # as ids and as positions in ds.projects.
    comm_projects: dict[str, list[str]] = defaultdict(list)
    sub_projects: dict[str, list[str]] = defaultdict(list)
    unit_projects: dict[str, list[str]] = defaultdict(list)
    in_comm: dict[str, list[int]] = defaultdict(list)
    in_sub: dict[str, list[int]] = defaultdict(list)
    led: dict[str, list[int]] = defaultdict(list)
    for n, (pid, p) in enumerate(ds.projects.items()):
        for sid in sorted({areas[c].parent for c in p.communities}):  # not set order: it varies by process
            sub_projects[sid].append(pid)
            in_sub[sid].append(n)
        for cid in p.communities:
            comm_projects[cid].append(pid)
            in_comm[cid].append(n)
        led[p.lead_unit].append(n)
        unit_projects[p.lead_unit].append(pid)
        for uid in p.partner_units:
            if uid != p.lead_unit:
                unit_projects[uid].append(pid)
    scopes = _Scopes(ds, info)
    district = scopes.figures(list(range(len(ds.projects))))
    subs = {sid: scopes.figures(positions) for sid, positions in in_sub.items()}
    comms = {cid: scopes.figures(positions) for cid, positions in in_comm.items()}
    units = {uid: scopes.figures(positions) for uid, positions in led.items()}

    comm_demands: dict[str, list[int]] = defaultdict(list)
    where = [d.community for d in ds.demands]
    for n, cid in enumerate(where):
        comm_demands[cid].append(n)
    stages = [d.stage for d in ds.demands]
    accepted_in = Counter(compress(where, [s == "accepted" or s == "deliberated" for s in stages]))
    converted_in = Counter(
        compress(where, [s == "deliberated" or bool(d.project) for s, d in zip(stages, ds.demands, strict=True)])
    )
    declined_in = Counter(compress(where, [s == "declined" for s in stages]))
    counts = {
        cid: (n, accepted_in[cid], converted_in[cid], declined_in[cid]) for cid, n in Counter(where).items()
    }  # community -> demands, accepted, converted, declined; in the order communities first appear
    for cid, (total, accepted, converted, declined) in counts.items():
        sid = areas[cid].parent
        if sid not in subs:
            subs[sid] = Figures(satisfied_keys=keys)
        if cid not in comms:
            comms[cid] = Figures(satisfied_keys=keys)
        for f in (district, subs[sid], comms[cid]):
            f.demands += total
            f.demands_accepted += accepted
            f.demands_converted += converted
            f.demands_declined += declined

    order = project_order(ds, info)
    key = {pid: order(pid) for pid in ds.projects}
    for lists in (comm_projects, sub_projects, unit_projects):
        for ids in lists.values():
            ids.sort(key=key.__getitem__)
    demand_key = [(d.received or dt.date.min, d.id) for d in ds.demands]
    for positions in comm_demands.values():
        positions.sort(key=demand_key.__getitem__, reverse=True)
    return Aggregates(
        info,
        district,
        subs,
        comms,
        units,
        dict(comm_projects),
        dict(unit_projects),
        dict(sub_projects),
        dict(comm_demands),
    )
