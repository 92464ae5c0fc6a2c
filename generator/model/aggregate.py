"""Stage 4: figures, supervision lights and satisfaction — computed once, in Python.

Templates only format what is computed here. Every rate carries its numerator and
denominator so the page can print the formula and the sample size next to it.
"""

from __future__ import annotations

import datetime as dt
from bisect import bisect_left, bisect_right
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from itertools import compress, pairwise

from generator.model.dataset import Dataset, ProgressEntry, Project, Result
from generator.schema import SiteSettings

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
class Rules:
    """The thresholds of the lights and of 限时整改 (site settings; defaults as on the site)."""

    due_days: int = 15
    yellow_points: int = 10
    red_points: int = 30
    start_grace_days: int = 30
    cycle_days: int = 31
    stale_cycles: int = 2
    threshold: int = 80  # percent
    min_sample: int = 5
    fix_days: int = 15

    @classmethod
    def of(cls, s: SiteSettings) -> Rules:
        return cls(
            s.light_due_days,
            s.light_yellow_points,
            s.light_red_points,
            s.start_grace_days,
            s.report_cycle_days,
            s.stale_cycles,
            s.satisfaction_threshold,
            s.min_sample,
            s.fix_days,
        )

    def below(self, satisfied: int, valid: int) -> bool:
        """A rate below the threshold, on at least the minimum sample (exact, in integers)."""
        return valid >= self.min_sample and satisfied * 100 < self.threshold * valid


def rules_text(r: Rules) -> tuple[str, ...]:
    """The light and follow-up rules in words, with the configured numbers (printed on the site)."""
    cycles = r.stale_cycles * r.cycle_days
    return (
        f"红灯：超过完成时限仍未完成；完成比例落后序时进度超过 {r.red_points} 个百分点；"
        f"或已完成但满意率低于 {r.threshold}% 且尚未整改。",
        f"黄灯：距完成时限不超过 {r.due_days} 天；落后序时进度 {r.yellow_points}–{r.red_points} 个百分点；"
        f"计划开始 {r.start_grace_days} 天后仍未启动；或超过 {cycles} 天（{r.stale_cycles} 个报送周期）没有进度报送。",
        "绿灯：按序时推进，或已完成且评价达标。",
        "序时进度：从开始日期（0%）到完成时限（100%）按天均匀推进。",
        f"满意率有效评价少于 {r.min_sample} 条时显示“样本不足”，不计算百分比。",
        f"限时整改：已完成项目满意率跌破 {r.threshold}% 之日起 {r.fix_days} 天内整改；"
        "整改后的评价为复评，原评价保留公开。",
    )


def cn_date(d: dt.date) -> str:
    return f"{d.year}年{d.month}月{d.day}日"


def percent(numerator: int, denominator: int) -> str:
    return f"{numerator * 100 / denominator:.1f}%" if denominator else "—"


REOPENED, FIXED, FAILED = "reopened", "fixed", "failed"


@dataclass(frozen=True)
class Followup:
    """限时整改 of one completed project: why it was reopened, by when it must be fixed,
    when it was, and what the re-rating (复评, ratings after the fix) says."""

    reopened: dt.date  # the rating that took the rate below the threshold, or the date the data gives
    deadline: dt.date
    satisfied: int  # the original ratings (up to the fix): satisfied and valid
    valid: int
    fixed: dt.date | None
    note: str
    explicit: bool  # stated in the result list rather than derived from the ratings
    rerated_satisfied: int
    rerated_valid: int
    state: str  # reopened (整改中) / fixed (已整改) / failed (复评仍低于门槛)
    overdue_days: int  # past the follow-up deadline and not fixed


def crossing_date(
    log: list[tuple[dt.date, str]], satisfied_keys: tuple[str, ...], rules: Rules, first: bool = False
) -> dt.date | None:
    """The date of the rating after which the running rate stayed below the threshold to the
    end of ``log``, or None when the rate (on the minimum sample) is not below it at the end.
    ``first``: the date it first fell below, whatever came after."""
    sat = valid = 0
    crossed: dt.date | None = None
    for date, key in log:
        if key == "unknown":
            continue
        valid += 1
        sat += key in satisfied_keys
        if rules.below(sat, valid):
            if first:
                return date
            crossed = crossed or date
        else:
            crossed = None
    return crossed


def followup(
    result: Result | None,
    log: list[tuple[dt.date, str]],
    reports: list[ProgressEntry],
    satisfied_keys: tuple[str, ...],
    rules: Rules,
    as_of: dt.date,
) -> Followup | None:
    """限时整改 of a completed project, as the result list states it or derived: reopened
    when its rate falls below the threshold; fixed on the result list's 整改完成日期, or
    else on the first progress report at 100% after reopening; re-rated by the ratings
    after the fix."""
    if result is None:
        return None
    fixed = result.fixed
    if fixed is None:
        # The fix is known only once the reopening is: the first time the rate fell below,
        # then the first report at 100% after it; the ratings after that are the re-rating.
        first = result.reopened or crossing_date(log, satisfied_keys, rules, first=True)
        if first is not None:
            fixed = next((e.date for e in reports if e.date > first and e.progress == 100), None)
    original = [r for r in log if fixed is None or r[0] <= fixed]
    reopened = result.reopened or crossing_date(original, satisfied_keys, rules)
    if reopened is None:
        return None
    deadline = result.fix_deadline or reopened + dt.timedelta(days=rules.fix_days)
    valid = [k for _, k in original if k != "unknown"]
    after = [k for d, k in log if fixed is not None and d > fixed and k != "unknown"]
    sat_after = sum(k in satisfied_keys for k in after)
    if fixed is None:
        state = REOPENED
    elif rules.below(sat_after, len(after)):
        state = FAILED
    else:
        state = FIXED
    late = (as_of - deadline).days if fixed is None and as_of > deadline else 0
    return Followup(
        reopened,
        deadline,
        sum(k in satisfied_keys for k in valid),
        len(valid),
        fixed,
        result.fix_note,
        bool(result.reopened or result.fixed or result.fix_deadline),
        sat_after,
        len(after),
        state,
        late,
    )


@dataclass(frozen=True)
class ProjectInfo:
    """What the as-of date says about one project."""

    light: str | None  # green / yellow / red for open and completed projects, None otherwise
    light_reason: str  # every reason of that colour, joined by "；"
    overdue_days: int  # days past the deadline while still open; 0 otherwise
    due_in_days: int | None  # days left for open projects with a deadline
    expected_progress: int | None
    completed_late_days: int  # completed after the deadline by this many days
    last_report: dt.date | None = None
    days_since_report: int | None = None
    stale: bool = False  # open, and no progress report within the stated number of cycles
    followup: Followup | None = None
    on_time: bool | None = None  # completed by its deadline; None when it cannot be judged yet
    days_to_complete: int | None = None  # start to completion
    reported_every_cycle: bool | None = None  # no gap between reports longer than one cycle


def months_between(a: dt.date, b: dt.date) -> int:
    return (b.year - a.year) * 12 + (b.month - a.month)


def expected_progress(p: Project, as_of: dt.date) -> int | None:
    """Where a straight line from start (0%) to deadline (100%) stands on ``as_of``."""
    if not (p.start and p.deadline and p.deadline > p.start):
        return None
    span = (p.deadline - p.start).days
    return max(0, min(100, round((as_of - p.start).days * 100 / span)))


def reported_every_cycle(p: Project, reports: list[ProgressEntry], end: dt.date, cycle: int) -> bool | None:
    """Whether no stretch from the start to ``end`` went longer than one cycle without a
    report (None when the project had not started)."""
    if p.start is None or end < p.start:
        return None
    marks = [p.start, *(e.date for e in reports if p.start <= e.date <= end), end]
    return all((b - a).days <= cycle for a, b in pairwise(marks))


def project_info(
    p: Project,
    as_of: dt.date,
    completed: dt.date | None = None,
    rules: Rules = Rules(),
    reports: list[ProgressEntry] | tuple = (),
    follow: Followup | None = None,
) -> ProjectInfo:
    """The supervision light of one project with every reason of its colour.

    Open projects: red when past the deadline or more than ``red_points`` behind the
    straight line from start to deadline; yellow when ``yellow_points`` to ``red_points``
    behind, due within ``due_days``, not started ``start_grace_days`` after the planned
    start, or without a progress report for more than ``stale_cycles`` cycles; else green.
    Completed projects: red while their follow-up (限时整改) is open or the re-rating is
    still below the threshold; green otherwise."""
    reports = [e for e in reports if e.date <= as_of]
    last = reports[-1].date if reports else None
    since = (as_of - last).days if last else None
    late_done = (completed - p.deadline).days if completed and p.deadline and completed > p.deadline else 0
    on_time = None
    if p.deadline and p.status not in ("cancelled", "ongoing", "suspended"):
        if p.status == "completed" and completed:
            on_time = completed <= p.deadline
        elif p.status != "completed" and as_of > p.deadline:
            on_time = False
    took = (completed - p.start).days if p.status == "completed" and completed and p.start else None
    end = completed if p.status == "completed" and completed else as_of
    every = reported_every_cycle(p, reports, end, rules.cycle_days) if p.status != "cancelled" else None

    def make(
        light: str | None, reason: str, overdue: int = 0, due: int | None = None, expected: int | None = None,
        follow: Followup | None = None, stale: bool = False,
    ) -> ProjectInfo:  # fmt: skip
        done_late = 0 if p.status in OPEN_STATUSES else late_done
        return ProjectInfo(
            light, reason, overdue, due, expected, done_late, last, since, stale, follow, on_time, took, every
        )

    if p.status == "completed":
        if follow is None:
            return make(GREEN, "已完成")
        rate = percent(follow.satisfied, follow.valid)
        crossed = f"满意率 {rate}（{follow.satisfied}/{follow.valid}）低于 {rules.threshold}%"
        if follow.state == REOPENED:
            reason = f"{crossed}，限时整改至 {cn_date(follow.deadline)}"
            if follow.overdue_days:
                reason += f"，已超过整改期限 {follow.overdue_days} 天"
            return make(RED, reason, follow=follow)
        fixed = cn_date(follow.fixed) if follow.fixed else ""
        again = percent(follow.rerated_satisfied, follow.rerated_valid)
        if follow.state == FAILED:
            counts = f"{follow.rerated_satisfied}/{follow.rerated_valid}"
            reason = f"{fixed}整改后复评满意率 {again}（{counts}）仍低于 {rules.threshold}%"
            return make(RED, reason, follow=follow)
        return make(GREEN, f"已于 {fixed} 整改完成", follow=follow)
    if p.status not in OPEN_STATUSES:
        return make(None, "")

    reds: list[str] = []
    yellows: list[str] = []
    due = (p.deadline - as_of).days if p.deadline else None
    overdue = (as_of - p.deadline).days if p.deadline and as_of > p.deadline else 0
    if overdue:
        reds.append(f"已超过完成时限 {overdue} 天")
    expected = expected_progress(p, as_of)
    current = p.progress
    if current is None:
        current = next((e.progress for e in reversed(reports) if e.progress is not None), None)
    if current is None and p.status == "not_started":
        current = 0
    if expected is not None and current is not None and not overdue:
        behind = expected - current
        if behind > rules.red_points:
            reds.append(f"进度落后序时 {behind} 个百分点")
        elif behind >= rules.yellow_points:
            yellows.append(f"进度落后序时 {behind} 个百分点")
    if due is not None and 0 <= due <= rules.due_days:
        yellows.append(f"距完成时限仅剩 {due} 天")
    started_days = (as_of - p.start).days if p.start else None
    if p.status == "not_started" and started_days is not None and started_days >= rules.start_grace_days:
        yellows.append(f"计划开始 {started_days} 天后仍未启动")
    stale = False
    if started_days is None or started_days >= 0:
        limit = rules.stale_cycles * rules.cycle_days
        if last is not None and since is not None and since > limit:
            stale = True
            yellows.append(f"已 {since} 天未报送进度（最近一次 {cn_date(last)}）")
        elif last is None and started_days is not None and started_days > limit:
            stale = True
            yellows.append(f"开始 {started_days} 天仍无进度报送")
    if reds:
        light, reasons = RED, reds
    elif yellows:
        light, reasons = YELLOW, yellows
    else:
        started = started_days is None or started_days >= 0
        light, reasons = GREEN, ["按序时推进" if started else "尚未到开始时间"]
    return make(light, "；".join(reasons), overdue, due, 100 if overdue else expected, stale=stale)


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
        r = 3 if i.light == GREEN and p.status not in OPEN_STATUSES else rank[i.light]  # done and fine: with the rest
        return (r, -(i.overdue_days or 0), p.deadline or dt.date.max, p.id)

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

    rules = Rules.of(ds.settings)
    info: dict[str, ProjectInfo] = {}
    for pid, p in ds.projects.items():
        res = ds.results.get(pid)
        reports = ds.progress.get(pid, [])
        follow = None
        if p.status == "completed":
            follow = followup(res, ds.rating_log.get(pid, []), reports, keys, rules, as_of)
        info[pid] = project_info(p, as_of, res.completed if res else None, rules, reports, follow)
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


# ---------------------------------------------------------------- comparison (晒清单比项目)

COMPARE_KINDS = ("units", "subdistricts", "communities", "leaders")


@dataclass(frozen=True)
class Comparison:
    """One unit, subdistrict, community or leader compared on its projects. Every rate is
    kept as its two counts so the page prints the formula and n beside it."""

    key: str  # unit or area id, or the leader cell as written (name and title)
    name: str
    projects: int
    completed: int
    completion_base: int  # all but ongoing and cancelled projects
    on_time: int  # completed by the deadline
    on_time_base: int  # completed with a known date, or past the deadline and still open
    overdue: int  # open and past the deadline
    days_total: int  # start to completion, summed over the completed projects with both dates
    days_count: int
    satisfied: int
    valid: int
    red: int
    yellow: int
    reported: int  # projects that reported progress every cycle
    report_base: int  # projects that had to report (started, not cancelled)

    @property
    def average_days(self) -> float | None:
        return self.days_total / self.days_count if self.days_count else None

    @property
    def completion_rate(self) -> float | None:
        return self.completed / self.completion_base if self.completion_base else None

    @property
    def on_time_rate(self) -> float | None:
        return self.on_time / self.on_time_base if self.on_time_base else None


def leader_parts(cell: str) -> tuple[str, str]:
    """“王建国（副局长）” -> ("王建国", "副局长"); a cell without a title keeps it empty."""
    text = cell.strip()
    for open_, close in (("（", "）"), ("(", ")")):
        if text.endswith(close) and open_ in text:
            at = text.rindex(open_)
            return text[:at].strip(), text[at + 1 : -1].strip()
    return text, ""


def _rank_key(c: Comparison):
    """The stated default order: completion rate, then on-time rate, high to low (none
    last), then more projects first, then by name."""
    rate = c.completion_rate
    on_time = c.on_time_rate
    return (rate is None, -(rate or 0), on_time is None, -(on_time or 0), -c.projects, c.name, c.key)


# The orders a comparison can be read in, besides the default rank (the first). Each is a
# whole-list order, so its pages continue each other; ties keep the default rank order.
COMPARE_SORTS = ("rank", "on_time", "satisfaction", "overdue", "red", "projects")


def sort_comparisons(rows: list[Comparison], sort: str, min_sample: int) -> list[Comparison]:
    """``rows`` (in the default rank order) in the order ``sort`` names: rates from high
    to low with the rates that cannot be computed (and satisfaction below the minimum
    sample) last; counts of overdue projects, lights and projects from most to fewest."""
    if sort == "rank":
        return rows
    keys: dict[str, Callable[[Comparison], tuple]] = {
        "on_time": lambda c: (c.on_time_rate is None, -(c.on_time_rate or 0)),
        "satisfaction": lambda c: (c.valid < max(1, min_sample), -(c.satisfied / c.valid if c.valid else 0)),
        "overdue": lambda c: (-c.overdue,),
        "red": lambda c: (-c.red, -c.yellow),
        "projects": lambda c: (-c.projects,),
    }
    return sorted(rows, key=keys[sort])  # stable: ties stay in rank order


def comparisons(ds: Dataset, agg: Aggregates) -> dict[str, list[Comparison]]:
    """Each kind's entries in the default rank order. Units are compared on the projects
    they lead; an area on the projects in it (a project in two communities counts in both)."""
    groups: dict[str, dict[str, list[str]]] = {k: defaultdict(list) for k in COMPARE_KINDS}
    areas = ds.areas
    for pid, p in ds.projects.items():
        groups["units"][p.lead_unit].append(pid)
        for sid in sorted({areas[c].parent for c in p.communities}):
            groups["subdistricts"][sid].append(pid)
        for cid in dict.fromkeys(p.communities):
            groups["communities"][cid].append(pid)
        groups["leaders"][p.leader.strip()].append(pid)
    info, keys = agg.info, ds.satisfied_keys
    names = {
        "units": {u: ds.units[u].name for u in groups["units"]},
        "subdistricts": {a: areas[a].name for a in groups["subdistricts"]},
        "communities": {a: areas[a].name for a in groups["communities"]},
        "leaders": {k: k for k in groups["leaders"]},
    }
    out: dict[str, list[Comparison]] = {}
    for kind, by in groups.items():
        rows = []
        for key, pids in by.items():
            ps = [ds.projects[p] for p in pids]
            infos = [info[p] for p in pids]
            ratings = [ds.ratings.get(p, {}) for p in pids]
            days = [i.days_to_complete for i in infos if i.days_to_complete is not None]
            rows.append(
                Comparison(
                    key,
                    names[kind][key],
                    len(pids),
                    sum(p.status == "completed" for p in ps),
                    sum(p.status not in ("ongoing", "cancelled") for p in ps),
                    sum(i.on_time is True for i in infos),
                    sum(i.on_time is not None for i in infos),
                    sum(i.overdue_days > 0 for i in infos),
                    sum(days),
                    len(days),
                    sum(r.get(k, 0) for r in ratings for k in keys),
                    sum(n for r in ratings for k, n in r.items() if k != "unknown"),
                    sum(i.light == RED for i in infos),
                    sum(i.light == YELLOW for i in infos),
                    sum(i.reported_every_cycle is True for i in infos),
                    sum(i.reported_every_cycle is not None for i in infos),
                )
            )
        out[kind] = sorted(rows, key=_rank_key)
    return out


# ---------------------------------------------------------------- monthly figures (月度晒进度)


@dataclass(frozen=True)
class MonthFigures:
    """One calendar month of the data, as things stood at its end (the as-of date for the
    last month). Lights of earlier months are recomputed from the progress reports, results
    and ratings dated up to that month's end; suspended and cancelled projects have none
    (the lists do not say since when)."""

    month: dt.date  # the first day
    end: dt.date  # the last day, or the as-of date
    demands: int  # received in the month
    opened: int  # projects starting in the month
    completed: int  # projects completed in the month (result list)
    overdue: int  # at the month's end: past the deadline, not completed
    red: int
    yellow: int
    green: int
    satisfied: int  # ratings given in the month
    valid: int
    completed_ids: tuple[str, ...]
    turned_red: tuple[str, ...]  # red at the end of this month, not at the end of the one before


def month_ends(first: dt.date, as_of: dt.date) -> list[tuple[dt.date, dt.date]]:
    """(first day, last day or as-of) of every month from ``first``'s to ``as_of``'s."""
    out = []
    m = first.replace(day=1)
    while m <= as_of:
        nxt = (m.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
        out.append((m, min(nxt - dt.timedelta(days=1), as_of)))
        m = nxt
    return out


def _state_at(ds: Dataset, pid: str, end: dt.date, rules: Rules) -> ProjectInfo | None:
    """A project's light as it stood on ``end`` (None: not started yet or without light)."""
    p = ds.projects[pid]
    if p.status in ("cancelled", "suspended", "ongoing") or (p.start and p.start > end):
        return None
    res = ds.results.get(pid)
    reports = [e for e in ds.progress.get(pid, ()) if e.date <= end]
    if res is not None and res.completed <= end:
        log = [r for r in ds.rating_log.get(pid, ()) if r[0] <= end]
        fixed = res.fixed if res.fixed and res.fixed <= end else None
        reopened = res.reopened if res.reopened and res.reopened <= end else None
        res_then = replace(res, reopened=reopened, fix_deadline=res.fix_deadline if reopened else None, fixed=fixed)
        then = replace(p, status="completed")
        follow = followup(res_then, log, reports, ds.satisfied_keys, rules, end)
        return project_info(then, end, res.completed, rules, reports, follow)
    value = next((e.progress for e in reversed(reports) if e.progress is not None), None)
    status = "not_started" if p.status == "not_started" or not reports else "in_progress"
    then = replace(p, status=status, progress=value)
    return project_info(then, end, None, rules, reports)


def monthly(ds: Dataset, agg: Aggregates) -> list[MonthFigures]:
    """Every month from the first dated demand or project start to the as-of month.

    Counts are grouped once by month; a project's light is recomputed only for the month
    ends while it could differ from green (a completed project whose rate never fell below
    the threshold is green from its completion on)."""
    as_of, rules = ds.as_of, Rules.of(ds.settings)
    dates = [d.received for d in ds.demands if d.received] + [p.start for p in ds.projects.values() if p.start]
    if not dates:
        return []
    keys = ds.satisfied_keys
    periods = month_ends(min(dates), as_of)
    ends = [end for _, end in periods]
    index = {(m.year, m.month): n for n, (m, _) in enumerate(periods)}
    count = len(periods)

    def at(day: dt.date) -> int | None:
        return index.get((day.year, day.month)) if day <= as_of else None

    demands, opened = [0] * count, [0] * count
    for demand in ds.demands:
        if demand.received and (n := at(demand.received)) is not None:
            demands[n] += 1
    for p in ds.projects.values():
        if p.start and (n := at(p.start)) is not None:
            opened[n] += 1
    done: list[list[tuple[dt.date, str]]] = [[] for _ in range(count)]
    for r in ds.results.values():
        if r.project in ds.projects and (n := at(r.completed)) is not None:
            done[n].append((r.completed, r.project))
    satisfied, valid = [0] * count, [0] * count
    for log in ds.rating_log.values():
        for day, k in log:
            if k != "unknown" and (n := at(day)) is not None:
                valid[n] += 1
                satisfied[n] += k in keys
    # Overdue at a month's end: the months after the deadline and before the completion.
    overdue = [0] * (count + 1)
    for p in ds.projects.values():
        if p.deadline is None or p.status in ("cancelled", "suspended", "ongoing"):
            continue
        res = ds.results.get(p.id)
        lo = bisect_right(ends, p.deadline)  # first month whose end is after the deadline
        hi = bisect_left(ends, res.completed) if res is not None else count  # ends before completion
        if lo < hi:
            overdue[lo] += 1
            overdue[hi] -= 1
    lights: list[dict[str, str]] = [{} for _ in range(count)]
    for pid, p in ds.projects.items():
        if p.status in ("cancelled", "suspended", "ongoing"):
            continue
        res = ds.results.get(pid)
        settled = (
            res is not None
            and res.reopened is None
            and crossing_date(ds.rating_log.get(pid, []), keys, rules, first=True) is None
        )
        for n, end in enumerate(ends[:-1]):
            if p.start and p.start > end:
                continue
            if settled and res is not None and res.completed <= end:
                lights[n][pid] = GREEN
                continue
            i = _state_at(ds, pid, end, rules)
            if i is not None and i.light:
                lights[n][pid] = i.light
    lights[-1] = {pid: i.light for pid, i in agg.info.items() if i.light}

    out: list[MonthFigures] = []
    red_before: set[str] = set()
    running = 0
    for n, (first, end) in enumerate(periods):
        running += overdue[n]
        red_now = {pid for pid, light in lights[n].items() if light == RED}
        counts = Counter(lights[n].values())
        out.append(
            MonthFigures(
                first,
                end,
                demands[n],
                opened[n],
                len(done[n]),
                running,
                counts[RED],
                counts[YELLOW],
                counts[GREEN],
                satisfied[n],
                valid[n],
                tuple(pid for _, pid in sorted(done[n])),
                tuple(sorted(red_now - red_before)),
            )
        )
        red_before = red_now
    return out
