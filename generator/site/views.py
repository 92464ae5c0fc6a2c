"""View-models: the small, documented objects each template receives.

Every page template gets ``page`` (a :class:`Page`; each page kind in
:mod:`generator.site.pages` declares its own subclass), ``site``
(:class:`SiteInfo`), ``t`` (the UI strings) and ``SITEURL`` (the relative path to the site
root, e.g. ``..`` or ``.``). URLs in view-models are relative to the site root and end
with ``/``; templates write ``{{ SITEURL }}/{{ link.url }}``. All URLs come from
:func:`url_for`, which derives them from ids through the one slug function.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from itertools import islice
from types import MappingProxyType
from typing import ClassVar

import numpy as np
from markupsafe import Markup

from generator.catalog import ZH
from generator.model.aggregate import (
    Aggregates,
    Comparison,
    Figures,
    MonthFigures,
    ProjectInfo,
    Rules,
    comparisons,
    monthly,
    project_order,
    rules_text,
    sort_comparisons,
)
from generator.model.dataset import Area, Comment, Dataset, ProgressEntry, Project, Result, Unit
from generator.model.record import FieldChange
from generator.schema import CATEGORY, CHANNEL, LIGHT, STAGE, STATUS
from generator.site import charts, finder
from generator.slug import slugify

ROUTES = {
    "subdistrict": "subdistricts/{slug}/",
    "community": "communities/{slug}/",
    "project": "projects/{slug}/",
    "unit": "units/{slug}/",
}
LIST_ROUTES = {
    "demands": "lists/demands/",
    "projects": "lists/projects/",
    "results": "lists/results/",
}
UNITS_INDEX = "units/"
SUBDISTRICTS_INDEX = "subdistricts/"
COMMUNITIES_INDEX = "communities/"
FINDER_DATA = "communities/finder.json"
FEEDBACK_PAGE = "pages/feedback/"


def url_for(kind: str, ident: str) -> str:
    return ROUTES[kind].format(slug=slugify(ident))


def page_url(base: str, number: int) -> str:
    return base if number == 1 else f"{base}page/{number}/"


# ---------------------------------------------------------------- small parts


@dataclass(frozen=True, slots=True)
class Link:
    text: str
    url: str  # relative to the site root, "" for the home page


@dataclass(frozen=True, slots=True)
class Rate:
    """A rate with its parts: templates print percent, and numerator/denominator as n."""

    numerator: int
    denominator: int
    formula: str
    minimum: int = 0  # fewer valid answers than this: 样本不足, no percentage
    threshold: int | None = None  # percent; a rate below it is bad, at or above it good

    @property
    def insufficient(self) -> bool:
        return 0 < self.denominator < self.minimum

    @property
    def value(self) -> float | None:
        return self.numerator / self.denominator if self.denominator and not self.insufficient else None

    @property
    def percent(self) -> str:
        if self.insufficient:
            return ZH["insufficient_sample"]
        v = self.value
        return "—" if v is None else f"{v * 100:.1f}%"

    @property
    def tone(self) -> str:
        """good / bad against the threshold; "" without one, without ratings or below the sample."""
        if self.threshold is None or self.value is None:
            return ""
        return "bad" if self.numerator * 100 < self.threshold * self.denominator else "good"


@dataclass(frozen=True, slots=True)
class RatingBar:
    key: str
    label: str
    count: int
    percent: float  # share of all ratings, 0-100, for the bar width


@dataclass(frozen=True, slots=True)
class FiguresView:
    demands: int
    demands_accepted: int
    demands_converted: int
    demands_declined: int
    projects: int
    completed: int
    in_progress: int
    ongoing: int
    overdue: int
    red: int
    yellow: int
    satisfaction: Rate
    completion: Rate
    ratings: tuple[RatingBar, ...] = ()  # the distribution behind the satisfaction rate

    def status_items(self) -> list[tuple[str, str, int]]:
        """(key, label, count) of the status breakdown; the rest (suspended, cancelled) as one."""
        rest = self.projects - self.completed - self.in_progress - self.ongoing
        return [
            ("completed", STATUS.label("completed"), self.completed),
            ("in_progress", STATUS.label("in_progress"), self.in_progress),
            ("ongoing", STATUS.label("ongoing"), self.ongoing),
            ("other", ZH["status_other"], rest),
        ]

    def status_chart(self, chart_id: str, title: str) -> Markup:
        items = [(label, n) for _, label, n in self.status_items()]
        fills = [charts.STATUS_FILLS[k] for k, _, _ in self.status_items()]
        return charts.bar_chart(chart_id, title, charts.describe(items), items, fills)

    def rating_chart(self, chart_id: str, title: str) -> Markup:
        return rating_chart(self.ratings, chart_id, title)


def rating_chart(bars: tuple[RatingBar, ...], chart_id: str, title: str) -> Markup:
    """A rating distribution as a bar chart (its table is printed beside it)."""
    items = [(b.label, b.count) for b in bars]
    return charts.bar_chart(chart_id, title, charts.describe(items), items, [charts.RATING_FILLS[b.key] for b in bars])


@dataclass(frozen=True, slots=True)
class StatusView:
    key: str  # schema STATUS key, used as a CSS class
    label: str
    light: str | None  # green / yellow / red
    light_label: str
    light_reason: str
    overdue_days: int
    due_in_days: int | None
    last_report: dt.date | None = None
    stale: bool = False


@dataclass(frozen=True, slots=True)
class FollowupView:
    """限时整改 beside the original result: reopened, deadline, fix, re-rating."""

    state: str  # reopened / fixed / failed
    state_label: str
    reopened: dt.date
    deadline: dt.date
    overdue_days: int
    explicit: bool
    original: Rate  # the ratings up to the fix
    fixed: dt.date | None
    note: str
    rerating: Rate
    progress: tuple[ProgressRow, ...]  # reports after the reopening
    fixed_late_days: int = 0  # fixed after the follow-up deadline by this many days


@dataclass(frozen=True, slots=True)
class ProjectRow:
    id: str
    title: str
    url: str
    status: StatusView
    communities: tuple[Link, ...]
    lead_unit: Link
    leader: str
    category: str
    start: dt.date | None
    deadline: dt.date | None
    progress: int | None
    satisfaction: Rate
    completed: dt.date | None
    signed_off: dt.date | None
    outcome: str


@dataclass(frozen=True, slots=True)
class DemandRow:
    id: str
    received: dt.date | None
    community: Link
    channel: str
    category: str
    summary: str
    stage_key: str
    stage: str
    decline_reason: str
    project: Link | None


@dataclass(frozen=True, slots=True)
class AreaRow:
    link: Link
    figures: FiguresView
    households: int | None = None
    residents: int | None = None


@dataclass(frozen=True, slots=True)
class UnitRow:
    link: Link
    kind: str
    figures: FiguresView


@dataclass(frozen=True, slots=True)
class ProgressRow:
    date: dt.date
    note: str
    progress: int | None


@dataclass(frozen=True, slots=True)
class CommentView:
    date: dt.date
    rating: str
    text: str


@dataclass(frozen=True, slots=True)
class ResultView:
    completed: dt.date
    signed_off: dt.date | None
    outcome: str
    evidence: str
    late_days: int
    signed: bool = False  # signed off (已销号) whether or not its date is known


@dataclass(frozen=True, slots=True)
class PageLink:
    text: str  # the page number
    url: str
    current: bool


@dataclass(frozen=True, slots=True)
class Pagination:
    """Previous/next plus a window of page links: first, last, and two either side of the
    current page; ``None`` in ``items`` stands for a gap (…)."""

    page: int
    pages: int
    previous: str | None  # url
    next: str | None
    items: tuple[PageLink | None, ...]


def pagination(base: str, number: int, count: int) -> Pagination:
    lo, hi = max(number - 2, 1), min(number + 2, count)
    shown = sorted({1, count, *range(lo, hi + 1)})
    items: list[PageLink | None] = []
    for n in shown:
        if items and items[-1] is not None and int(items[-1].text) < n - 1:
            items.append(None)
        items.append(PageLink(str(n), page_url(base, n), n == number))
    return Pagination(
        number,
        count,
        page_url(base, number - 1) if number > 1 else None,
        page_url(base, number + 1) if number < count else None,
        tuple(items),
    )


# ---------------------------------------------------------------- pages


@dataclass(frozen=True)
class SiteInfo:
    name: str
    district: str
    as_of: dt.date
    base_url: str
    contact: str
    icp: str
    police_filing: str
    site_code: str
    organizer: str
    nav: tuple[Link, ...]
    rules: tuple[str, ...] = ()  # the light and follow-up rules with this site's thresholds
    record_url: str = ""  # the 发布记录 page, when a publish builds the site
    # Speak up (我要反映): the feedback page and who takes complaints (site settings).
    feedback_url: str = FEEDBACK_PAGE
    office: str = ""
    hotline: str = ""
    office_address: str = ""
    office_hours: str = ""
    public_hotline: str = ""


@dataclass(frozen=True, slots=True)
class HistoryView:
    """One release's change to a project, as its page lists it."""

    release: Link
    as_of: str
    change: str  # 新增 / 变更 / 撤回
    fields: tuple[FieldChange, ...]


RECORDS = "records/"


def release_url(release_id: str) -> str:
    return f"records/{release_id}/"


@dataclass(frozen=True)
class Page:
    url: str
    title: str
    breadcrumbs: tuple[Link, ...]
    template: str



# ---------------------------------------------------------------- builders


class ViewBuilder:
    """What every page kind's view reads, and the parts several pages share (a project
    row is built once however many pages show it).

    A view reads the content of entities only through the accessors named in
    :attr:`ENTITY_READS`: each call is one read of one entity, of a kind that
    :class:`~generator.site.digests.EntityHashes` hashes. The index helpers named in
    :attr:`INDEXES` say which entities a page shows, in which order; a page kind declares
    the entities it gets from them, so their own reads are not content. The accessors'
    and helpers' own reads of the dataset are theirs; a view that reads the dataset
    directly, or an entity its kind does not declare, fails ``tests/test_page_kinds.py``
    (see :mod:`generator.site.pages.verify`).
    """

    # accessor -> the kind of entity it reads
    ENTITY_READS: ClassVar[Mapping[str, str]] = MappingProxyType({
        "area": "area",
        "area_link": "area",
        "unit": "unit",
        "unit_link": "unit",
        "project": "project",
        "project_info": "project",
        "project_row": "project",
        "ratings": "project",
        "result": "project",
        "progress_log": "project",
        "comments": "project",
        "rating_log": "project",
        "project_history": "project",
        "demand_row": "demand",
        "area_figures": "area_figures",
        "unit_figures": "unit_figures",
        "district_figures": "district",
    })
    INDEXES: ClassVar[tuple[str, ...]] = (
        "subdistrict_ids",
        "community_ids",
        "unit_ids",
        "project_ids",
        "children",
        "community_projects",
        "community_demands",
        "unit_projects",
        "subdistrict_projects",
        "paired_units",
        "is_area",
        "demand_positions",
        "demand_ranges",
        "demand_ids",
        "demand_projects",
        "attention_ids",
        "list_ids",
        "index_count",
        "comparisons",
        "comparison_order",
        "months",
        "finder_groups",
    )

    def __init__(self, ds: Dataset, agg: Aggregates):
        self.ds = ds
        self.agg = agg
        scale_labels = [ds.rating_enum.label(k) for k in ds.satisfied_keys]
        self.sat_formula = ZH["satisfaction_formula"].format(satisfied=" + ".join(scale_labels))
        self.rules = Rules.of(ds.settings)
        self._rows: dict[str, ProjectRow] = {}
        self._oversight: dict[str, object] = {}  # comparisons and months, once per build
        self._area_links = {
            a.id: Link(a.name, url_for(a.level, a.id))
            for a in ds.areas.values()
            if a.level in ("subdistrict", "community")
        }
        self._unit_links = {u.id: Link(u.name, url_for("unit", u.id)) for u in ds.units.values()}
        self._project_links = {p.id: Link(p.title, url_for("project", p.id)) for p in ds.projects.values()}
        self._paired_units: dict[str, list[str]] = {}  # community -> units paired with it, in id order
        for uid in sorted(ds.units):
            for c in ds.units[uid].paired_communities:
                self._paired_units.setdefault(c, []).append(uid)
        self._area_figures = {**agg.communities, **agg.subdistricts}
        self.site = SiteInfo(
            name=ds.settings.name,
            district=ds.settings.district,
            as_of=ds.as_of,
            base_url=ds.settings.base_url.rstrip("/"),
            contact=ds.settings.contact,
            icp=ds.settings.icp,
            police_filing=ds.settings.police_filing,
            site_code=ds.settings.site_code,
            organizer=ds.settings.organizer,
            nav=(
                Link(ZH["home"], ""),
                Link(ZH["project_list"], LIST_ROUTES["projects"]),
                Link(ZH["demand_list"], LIST_ROUTES["demands"]),
                Link(ZH["result_list"], LIST_ROUTES["results"]),
                Link(ZH["unit_compare"], UNITS_INDEX),
                Link(ZH["news"], "news/"),
                Link(ZH["about"], "pages/about/"),
            ),
            rules=rules_text(Rules.of(ds.settings)),
            record_url=RECORDS if ds.record is not None else "",
            office=ds.settings.office,
            hotline=ds.settings.hotline,
            office_address=ds.settings.office_address,
            office_hours=ds.settings.office_hours,
            public_hotline=ds.settings.public_hotline,
        )
        self.home_crumb = Link(ZH["home"], "")
        self._demand_index = {d.id: n for n, d in enumerate(ds.demands)}
        self._lists: dict[str, list] = {}
        self.news: tuple[Link, ...] = ()  # set by the renderer from Pelican's articles
        self.download_sizes: dict[str, int] = {}  # set by the renderer from the export (site/downloads.py)

    # -- parts
    def sat_rate(self, satisfied: int, valid: int) -> Rate:
        return Rate(satisfied, valid, self.sat_formula, self.rules.min_sample, self.rules.threshold)

    def rating_bars(self, counts: dict[str, int]) -> tuple[RatingBar, ...]:
        """Every level of the scale (zeros included), as count and share of all answers."""
        total = sum(counts.values())
        if not total:
            return ()
        return tuple(
            RatingBar(c.key, c.label, counts.get(c.key, 0), counts.get(c.key, 0) * 100 / total)
            for c in self.ds.rating_enum.choices
        )

    # -- formatting (of what an accessor read)

    def followup(self, pid: str) -> FollowupView:
        f = self.project_info(pid).followup
        assert f is not None
        return FollowupView(
            f.state,
            ZH["followup_" + f.state],
            f.reopened,
            f.deadline,
            f.overdue_days,
            f.explicit,
            self.sat_rate(f.satisfied, f.valid),
            f.fixed,
            f.note,
            self.sat_rate(f.rerated_satisfied, f.rerated_valid),
            tuple(ProgressRow(e.date, e.note, e.progress) for e in self.progress_log(pid) if e.date > f.reopened),
            (f.fixed - f.deadline).days if f.fixed and f.fixed > f.deadline else 0,
        )
    def figures(self, f: Figures | None) -> FiguresView:
        f = f or Figures(satisfied_keys=self.ds.satisfied_keys)
        return FiguresView(
            f.demands,
            f.demands_accepted,
            f.demands_converted,
            f.demands_declined,
            f.projects,
            f.completed,
            f.in_progress,
            f.ongoing,
            f.overdue,
            f.lights["red"],
            f.lights["yellow"],
            self.sat_rate(f.satisfied, f.valid_ratings),
            Rate(f.completed, f.completion_base, ZH["completion_formula"]),
            self.rating_bars(f.ratings),
        )

    def status(self, p: Project, i: ProjectInfo) -> StatusView:
        light_label = LIGHT.label(i.light) if i.light else ""
        return StatusView(
            p.status, STATUS.label(p.status), i.light, light_label, i.light_reason, i.overdue_days, i.due_in_days,
            i.last_report, i.stale,
        )  # fmt: skip

    # -- entity accessors (ENTITY_READS)
    def area(self, area_id: str) -> Area:
        return self.ds.areas[area_id]

    def area_link(self, area_id: str) -> Link:
        return self._area_links[area_id]

    def unit(self, uid: str) -> Unit:
        return self.ds.units[uid]

    def unit_link(self, uid: str) -> Link:
        return self._unit_links[uid]

    def project(self, pid: str) -> Project:
        return self.ds.projects[pid]

    def project_info(self, pid: str) -> ProjectInfo:
        return self.agg.info[pid]

    def ratings(self, pid: str) -> dict[str, int]:
        return self.ds.ratings.get(pid, {})

    def result(self, pid: str) -> Result | None:
        return self.ds.results.get(pid)

    def progress_log(self, pid: str) -> Sequence[ProgressEntry]:
        return self.ds.progress.get(pid, ())

    def rating_log(self, pid: str) -> Sequence[tuple[dt.date, str]]:
        """(date, rating key) of the project's ratings, by date (from its feedback rows)."""
        return self.ds.rating_log.get(pid, ())

    def project_history(self, pid: str) -> tuple[HistoryView, ...]:
        """The project's changes, release by release (empty without a public record)."""
        record = self.ds.record
        if record is None:
            return ()
        return tuple(
            HistoryView(
                Link(e.release, release_url(e.release)),
                e.as_of or "",
                ZH["record_" + e.change],
                e.fields,
            )
            for e in record.project_history(pid)
        )

    def comments(self, pid: str) -> Sequence[Comment]:
        return self.ds.comments.get(pid, ())

    def area_figures(self, area_id: str) -> FiguresView:
        return self.figures(self._area_figures.get(area_id))

    def unit_figures(self, uid: str) -> FiguresView:
        return self.figures(self.agg.units.get(uid))

    def district_figures(self) -> FiguresView:
        return self.figures(self.agg.district)

    def project_row(self, pid: str) -> ProjectRow:
        row = self._rows.get(pid)
        if row is None:
            ds = self.ds
            p = ds.projects[pid]
            r = ds.ratings.get(pid, {})
            valid = sum(n for k, n in r.items() if k != "unknown")
            res = ds.results.get(pid)
            row = ProjectRow(
                p.id,
                p.title,
                url_for("project", p.id),
                self.status(p, self.agg.info[pid]),
                tuple(self._area_links[c] for c in p.communities),
                self._unit_links[p.lead_unit],
                p.leader,
                CATEGORY.label(p.category) if p.category else "",
                p.start,
                p.deadline,
                p.progress,
                self.sat_rate(sum(r.get(k, 0) for k in ds.satisfied_keys), valid),
                res.completed if res else None,
                res.signed_off if res else None,
                res.outcome if res else "",
            )
            self._rows[pid] = row
        return row

    def demand_row(self, n: int) -> DemandRow:
        d = self.ds.demands[n]
        return DemandRow(
            d.id,
            d.received,
            self._area_links[d.community],
            CHANNEL.label(d.channel) if d.channel else "",
            CATEGORY.label(d.category) if d.category else "",
            d.summary,
            d.stage,
            STAGE.label(d.stage),
            d.decline_reason,
            self._project_links.get(d.project) if d.project else None,
        )

    # -- shared parts made of accessor reads
    def area_row(self, area_id: str) -> AreaRow:
        a = self.area(area_id)
        return AreaRow(self.area_link(area_id), self.area_figures(area_id), a.households, a.residents)

    def attention(self, ids: list[str], limit: int = 10) -> tuple[ProjectRow, ...]:
        return tuple(self.project_row(p) for p in self.attention_ids(ids, limit))

    def paged(self, ids: list, base: str, number: int, title: str) -> tuple[list, Pagination, str, str]:
        """One page of a paginated list: (its ids, pagination, url, title)."""
        size = self.page_size
        count = self.index_count(len(ids))
        shown = title if number == 1 else f"{title}（第 {number} 页）"
        return ids[(number - 1) * size : number * size], pagination(base, number, count), page_url(base, number), shown

    # -- index helpers (INDEXES): which entities, in which order
    def subdistrict_ids(self) -> list[str]:
        return self._ids("subdistrict", lambda: sorted(a.id for a in self.ds.level("subdistrict")))

    def community_ids(self) -> list[str]:
        return self._ids("community", lambda: sorted(a.id for a in self.ds.level("community")))

    def unit_ids(self) -> list[str]:
        return self._ids("units", lambda: sorted(self.ds.units))

    def project_ids(self) -> list[str]:
        return self._ids("project ids", lambda: sorted(self.ds.projects))

    def children(self, area_id: str) -> list[str]:
        """The communities of a subdistrict, in id order."""
        areas = self.ds.areas
        return sorted(c for c in areas[area_id].children if areas[c].level == "community")

    def community_projects(self, area_id: str) -> list[str]:
        return self.agg.community_projects.get(area_id, [])

    def community_demands(self, area_id: str) -> list[int]:
        return self.agg.community_demands.get(area_id, [])

    def unit_projects(self, uid: str) -> list[str]:
        return self.agg.unit_projects.get(uid, [])

    def subdistrict_projects(self, area_id: str) -> list[str]:
        return self.agg.subdistrict_projects.get(area_id, [])

    def paired_units(self, area_id: str) -> list[str]:
        """The units paired with a community, in id order, each once."""
        return list(dict.fromkeys(self._paired_units.get(area_id, ())))

    def is_area(self, area_id: str) -> bool:
        """Whether a subdistrict or community of this id is published."""
        return area_id in self._area_links

    def demand_positions(self, demand_ids: Iterable[str]) -> list[int]:
        """Where each known demand is in the demand list (the key of its row)."""
        index = self._demand_index
        return [index[d] for d in demand_ids if d in index]

    def demand_ranges(self) -> dict[str, list[int]]:
        """The demands by range of receipt numbers (:func:`generator.site.lookup.range_key`),
        ranges in key order, each range's demands in number order (positions in the list)."""

        def make() -> dict[str, list[int]]:
            from generator.site.lookup import demand_ranges

            return demand_ranges([d.id for d in self.ds.demands])

        cached = self._lists.get("demand ranges")
        if cached is None:
            cached = self._lists["demand ranges"] = make()  # type: ignore[assignment]
        return cached  # type: ignore[return-value]

    def demand_ids(self, positions: Iterable[int]) -> list[str]:
        """The numbers of the demands at ``positions``."""
        demands = self.ds.demands
        return [demands[n].id for n in positions]

    def demand_projects(self, positions: Iterable[int]) -> list[str]:
        """The published projects the demands at ``positions`` became, each once, in order."""
        demands, projects = self.ds.demands, self.ds.projects
        return list(dict.fromkeys(demands[n].project for n in positions if demands[n].project in projects))

    def attention_ids(self, ids: list[str], limit: int = 10) -> list[str]:
        """The first ``limit`` red-light projects of ``ids`` (already in display order)."""
        info = self.agg.info
        return list(islice((p for p in ids if info[p].light == "red"), limit))

    def comparisons(self) -> dict[str, list[Comparison]]:
        """Units, subdistricts, communities and leaders compared, each in rank order:
        computed once per build from the whole dataset; a comparison page declares the
        rows it shows (``site/pages/compare.py``)."""
        found = self._oversight.get("comparisons")
        if found is None:
            found = self._oversight["comparisons"] = comparisons(self.ds, self.agg)
        return found  # type: ignore[return-value]

    def comparison_order(self, kind: str, sort: str) -> list[Comparison]:
        """One kind's comparison in the order ``sort`` names (``aggregate.COMPARE_SORTS``)."""
        name = f"comparison {kind} {sort}"
        found = self._oversight.get(name)
        if found is None:
            found = self._oversight[name] = sort_comparisons(self.comparisons()[kind], sort, self.rules.min_sample)
        return found  # type: ignore[return-value]

    def months(self) -> list[MonthFigures]:
        """The figures of every month of the data, oldest first (``site/pages/month.py``)."""
        found = self._oversight.get("months")
        if found is None:
            found = self._oversight["months"] = monthly(self.ds, self.agg)
        return found  # type: ignore[return-value]
    def finder_groups(self) -> list[list[finder.Group]]:
        """The pages of the communities index: (subdistrict, its communities) by pinyin."""

        def make() -> list:
            areas = self.ds.areas
            names = {a.id: a.name for a in areas.values()}
            parents = {a.id: a.parent for a in areas.values()}
            return finder.groups(names, parents, self.subdistrict_ids(), self.community_ids())

        return self._ids("finder", make)

    def index_count(self, n: int) -> int:
        """Pages needed for ``n`` rows."""
        return max(1, -(-n // self.page_size))

    def list_ids(self, kind: str) -> list:
        """Row keys of one published list (demands, projects, results), in display order."""
        return self._ids(f"list {kind}", lambda: self._list_order(kind))

    def _ids(self, name: str, make: Callable[[], list]) -> list:
        ids = self._lists.get(name)
        if ids is None:
            ids = self._lists[name] = make()
        return ids

    def _list_order(self, kind: str) -> list:
        ds = self.ds
        if kind == "demands":
            # Newest first, then by id (ids are unique, so the order is total): sorted
            # as arrays, a tenth of a second at city size instead of a second.
            oldest = dt.date.min.toordinal()
            received = np.fromiter(
                (d.received.toordinal() if d.received else oldest for d in ds.demands),
                dtype=np.int64,
                count=len(ds.demands),
            )
            ids = np.array([d.id for d in ds.demands], dtype=str)
            return np.lexsort((ids, received))[::-1].tolist()
        if kind == "projects":
            return sorted(ds.projects, key=project_order(ds, self.agg.info))
        done = sorted(ds.results.values(), key=lambda r: (r.completed, r.project), reverse=True)
        return [r.project for r in done if r.project in ds.projects]

    @property
    def page_size(self) -> int:
        return self.ds.settings.page_size
