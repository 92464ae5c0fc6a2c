"""View-models: the small, documented objects each template receives.

Every page template gets ``page`` (one of the ``*Page`` classes below), ``site``
(:class:`SiteInfo`), ``t`` (the UI strings) and ``SITEURL`` (the relative path to the site
root, e.g. ``..`` or ``.``). URLs in view-models are relative to the site root and end
with ``/``; templates write ``{{ SITEURL }}/{{ link.url }}``. All URLs come from
:func:`url_for`, which derives them from ids through the one slug function.
"""

from __future__ import annotations

import datetime as dt
import heapq
from dataclasses import dataclass
from itertools import islice

import numpy as np

from .aggregate import Aggregates, Figures, ProjectInfo, project_order
from .catalog import ZH
from .model import Dataset, Project
from .schema import CATEGORY, CHANNEL, HANDLING, LIGHT, STAGE, STATUS
from .slug import slugify

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
# The template of each page kind (list pages: list_<kind>.html).
TEMPLATES = {
    "home": "home.html",
    "subdistricts_index": "subdistricts.html",
    "subdistrict": "subdistrict.html",
    "community": "community.html",
    "project": "project.html",
    "unit": "unit.html",
    "units_index": "units.html",
}
UNITS_INDEX = "units/"
SUBDISTRICTS_INDEX = "subdistricts/"
HOME_AREA_LIMIT = 30  # more subdistricts than this: the home page links to the index


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

    @property
    def value(self) -> float | None:
        return self.numerator / self.denominator if self.denominator else None

    @property
    def percent(self) -> str:
        v = self.value
        return "—" if v is None else f"{v * 100:.1f}%"


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


@dataclass(frozen=True, slots=True)
class StatusView:
    key: str  # schema STATUS key, used as a CSS class
    label: str
    light: str | None  # green / yellow / red
    light_label: str
    light_reason: str
    overdue_days: int
    due_in_days: int | None


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
class RatingBar:
    key: str
    label: str
    count: int
    percent: float  # share of all ratings, 0-100, for the bar width


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


@dataclass(frozen=True)
class Page:
    url: str
    title: str
    breadcrumbs: tuple[Link, ...]
    template: str


@dataclass(frozen=True)
class HomePage(Page):
    figures: FiguresView
    subdistricts: tuple[AreaRow, ...]  # the first HOME_AREA_LIMIT
    subdistricts_total: int
    attention: tuple[ProjectRow, ...]
    recent_completed: tuple[ProjectRow, ...]
    recent_updates: tuple[tuple[ProjectRow, ProgressRow], ...]
    news: tuple[Link, ...] = ()


@dataclass(frozen=True)
class SubdistrictPage(Page):
    figures: FiguresView
    communities: tuple[AreaRow, ...]
    attention: tuple[ProjectRow, ...]
    households: int | None
    residents: int | None


@dataclass(frozen=True)
class CommunityPage(Page):
    subdistrict: Link
    figures: FiguresView
    projects: tuple[ProjectRow, ...]
    demands: tuple[DemandRow, ...]
    paired_units: tuple[Link, ...]
    households: int | None
    residents: int | None


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


@dataclass(frozen=True)
class UnitPage(Page):
    kind: str
    figures: FiguresView
    lead_projects: tuple[ProjectRow, ...]
    partner_projects: tuple[ProjectRow, ...]
    paired_communities: tuple[Link, ...]


@dataclass(frozen=True)
class UnitsIndexPage(Page):
    units: tuple[UnitRow, ...]  # this page's share, in id order
    figures: FiguresView
    pagination: Pagination | None = None


@dataclass(frozen=True)
class SubdistrictsIndexPage(Page):
    subdistricts: tuple[AreaRow, ...]  # this page's share, in id order
    figures: FiguresView
    pagination: Pagination | None = None


@dataclass(frozen=True)
class ListPage(Page):
    kind: str  # demands / projects / results
    rows: tuple  # DemandRow or ProjectRow
    pagination: Pagination
    total: int
    downloads: tuple[Link, ...] = ()  # the whole list as CSV and JSON


# ---------------------------------------------------------------- builders


class ViewBuilder:
    """Builds every page's view-model; rows shared by several pages are built once."""

    def __init__(self, ds: Dataset, agg: Aggregates):
        self.ds = ds
        self.agg = agg
        scale_labels = [ds.rating_enum.label(k) for k in ds.satisfied_keys]
        self.sat_formula = ZH["satisfaction_formula"].format(satisfied=" + ".join(scale_labels))
        self._rows: dict[str, ProjectRow] = {}
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
        )
        self.home_crumb = Link(ZH["home"], "")
        self._demand_index = {d.id: n for n, d in enumerate(ds.demands)}
        self.news: tuple[Link, ...] = ()  # set by the renderer from Pelican's articles

    # -- parts
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
            Rate(f.satisfied, f.valid_ratings, self.sat_formula),
            Rate(f.completed, f.completion_base, ZH["completion_formula"]),
        )

    def status(self, p: Project, i: ProjectInfo) -> StatusView:
        light_label = LIGHT.label(i.light) if i.light else ""
        return StatusView(
            p.status, STATUS.label(p.status), i.light, light_label, i.light_reason, i.overdue_days, i.due_in_days
        )

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
                Rate(sum(r.get(k, 0) for k in ds.satisfied_keys), valid, self.sat_formula),
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

    def area_row(self, area_id: str, figures: dict[str, Figures]) -> AreaRow:
        a = self.ds.areas[area_id]
        return AreaRow(self._area_links[area_id], self.figures(figures.get(area_id)), a.households, a.residents)

    def attention_ids(self, ids: list[str], limit: int = 10) -> list[str]:
        """The first ``limit`` red-light projects of ``ids`` (already in display order)."""
        info = self.agg.info
        return list(islice((p for p in ids if info[p].light == "red"), limit))

    def attention(self, ids: list[str], limit: int = 10) -> tuple[ProjectRow, ...]:
        return tuple(self.project_row(p) for p in self.attention_ids(ids, limit))

    # -- pages
    def home(self) -> HomePage:
        ds, agg = self.ds, self.agg
        subs = sorted((a for a in ds.level("subdistrict")), key=lambda a: a.id)
        completed = sorted(ds.results.values(), key=lambda r: (r.completed, r.project), reverse=True)
        latest = heapq.nlargest(
            8,
            ((entries[-1], pid) for pid, entries in ds.progress.items() if entries and pid in ds.projects),
            key=lambda e: (e[0].date, e[1]),
        )
        order = self._list_ids("projects")
        return HomePage(
            url="",
            title=ds.settings.name,
            breadcrumbs=(),
            template=TEMPLATES["home"],
            figures=self.figures(agg.district),
            subdistricts=tuple(self.area_row(a.id, agg.subdistricts) for a in subs[:HOME_AREA_LIMIT]),
            subdistricts_total=len(subs),
            attention=self.attention(order),
            recent_completed=tuple(self.project_row(r.project) for r in completed[:8]),
            recent_updates=tuple((self.project_row(pid), ProgressRow(e.date, e.note, e.progress)) for e, pid in latest),
            news=self.news,
        )

    def subdistrict(self, area_id: str) -> SubdistrictPage:
        ds, agg = self.ds, self.agg
        a = ds.areas[area_id]
        children = sorted(c for c in a.children if ds.areas[c].level == "community")
        return SubdistrictPage(
            url=url_for("subdistrict", a.id),
            title=a.name,
            breadcrumbs=(self.home_crumb,),
            template=TEMPLATES["subdistrict"],
            figures=self.figures(agg.subdistricts.get(a.id)),
            communities=tuple(self.area_row(c, agg.communities) for c in children),
            attention=self.attention(agg.subdistrict_projects.get(a.id, [])),
            households=a.households,
            residents=a.residents,
        )

    def community(self, area_id: str) -> CommunityPage:
        ds, agg = self.ds, self.agg
        a = ds.areas[area_id]
        sub = self._area_links[a.parent]
        return CommunityPage(
            url=url_for("community", a.id),
            title=a.name,
            breadcrumbs=(self.home_crumb, sub),
            template=TEMPLATES["community"],
            subdistrict=sub,
            figures=self.figures(agg.communities.get(a.id)),
            projects=tuple(self.project_row(p) for p in agg.community_projects.get(a.id, [])),
            demands=tuple(self.demand_row(n) for n in agg.community_demands.get(a.id, [])),
            paired_units=tuple(self._unit_links[u] for u in dict.fromkeys(self._paired_units.get(a.id, ()))),
            households=a.households,
            residents=a.residents,
        )

    def project(self, pid: str) -> ProjectPage:
        ds = self.ds
        p = ds.projects[pid]
        row = self.project_row(pid)
        first = ds.areas[p.communities[0]]
        crumbs = (self.home_crumb, self._area_links[first.parent], self._area_links[first.id])
        demand_index = self._demand_index
        r = ds.ratings.get(pid, {})
        total = sum(r.values())
        bars = tuple(
            RatingBar(c.key, c.label, r.get(c.key, 0), (r.get(c.key, 0) * 100 / total) if total else 0.0)
            for c in ds.rating_enum.choices
        )
        res = ds.results.get(pid)
        return ProjectPage(
            url=row.url,
            title=p.title,
            breadcrumbs=crumbs,
            template=TEMPLATES["project"],
            row=row,
            communities=row.communities,
            partner_units=tuple(self._unit_links[u] for u in p.partner_units),
            handling=HANDLING.label(p.handling) if p.handling else "",
            measures=p.measures,
            expected_progress=self.agg.info[pid].expected_progress,
            demands=tuple(self.demand_row(demand_index[d]) for d in p.demands if d in demand_index),
            progress_log=tuple(ProgressRow(e.date, e.note, e.progress) for e in ds.progress.get(pid, ())),
            result=ResultView(
                res.completed,
                res.signed_off,
                res.outcome,
                res.evidence,
                self.agg.info[pid].completed_late_days,
                p.signed_off or res.signed_off is not None,
            )
            if res
            else None,
            ratings=bars if total else (),
            comments=tuple(
                CommentView(c.date, ds.rating_enum.label(c.rating), c.text) for c in ds.comments.get(pid, ())
            ),
            progress_note=p.progress_note,
            signed_off=p.signed_off,
        )

    def unit(self, uid: str) -> UnitPage:
        ds, agg = self.ds, self.agg
        u = ds.units[uid]
        ids = agg.unit_projects.get(uid, [])
        return UnitPage(
            url=url_for("unit", uid),
            title=u.name,
            breadcrumbs=(self.home_crumb, Link(ZH["unit_compare"], UNITS_INDEX)),
            template=TEMPLATES["unit"],
            kind=u.kind or "",
            figures=self.figures(agg.units.get(uid)),
            lead_projects=tuple(self.project_row(p) for p in ids if ds.projects[p].lead_unit == uid),
            partner_projects=tuple(self.project_row(p) for p in ids if ds.projects[p].lead_unit != uid),
            paired_communities=tuple(self._area_links[c] for c in u.paired_communities if c in self._area_links),
        )

    def _paged(self, ids: list, base: str, number: int, title: str) -> tuple[list, Pagination, str, str]:
        """One page of a paginated list: (its ids, pagination, url, title)."""
        size = self.page_size
        count = self._index_count(len(ids))
        shown = title if number == 1 else f"{title}（第 {number} 页）"
        return ids[(number - 1) * size : number * size], pagination(base, number, count), page_url(base, number), shown

    def units_index(self, number: int = 1) -> UnitsIndexPage:
        """Every unit compared on its lists, page by page (a city has thousands)."""
        ds, agg = self.ds, self.agg
        ids, pages, url, title = self._paged(sorted(ds.units), UNITS_INDEX, number, ZH["unit_compare"])
        return UnitsIndexPage(
            url=url,
            title=title,
            breadcrumbs=(self.home_crumb,),
            template=TEMPLATES["units_index"],
            units=tuple(
                UnitRow(self._unit_links[u], ds.units[u].kind or "", self.figures(agg.units.get(u))) for u in ids
            ),
            figures=self.figures(agg.district),
            pagination=pages,
        )

    def subdistricts_index(self, number: int = 1) -> SubdistrictsIndexPage:
        ds, agg = self.ds, self.agg
        all_ids = sorted(a.id for a in ds.level("subdistrict"))
        ids, pages, url, title = self._paged(all_ids, SUBDISTRICTS_INDEX, number, ZH["subdistricts"])
        return SubdistrictsIndexPage(
            url=url,
            title=title,
            breadcrumbs=(self.home_crumb,),
            template=TEMPLATES["subdistricts_index"],
            subdistricts=tuple(self.area_row(a, agg.subdistricts) for a in ids),
            figures=self.figures(agg.district),
            pagination=pages,
        )

    def _index_count(self, n: int) -> int:
        return max(1, -(-n // self.page_size))

    def _list_ids(self, kind: str) -> list:
        """Row keys of one published list, in display order (computed once)."""
        cache = self.__dict__.setdefault("_list_cache", {})
        if kind not in cache:
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
                cache[kind] = np.lexsort((ids, received))[::-1].tolist()
            elif kind == "projects":
                cache[kind] = sorted(ds.projects, key=project_order(ds, self.agg.info))
            else:
                done = sorted(ds.results.values(), key=lambda r: (r.completed, r.project), reverse=True)
                cache[kind] = [r.project for r in done if r.project in ds.projects]
        return cache[kind]

    @property
    def page_size(self) -> int:
        return self.ds.settings.page_size

    def list_page_count(self, kind: str) -> int:
        return self._index_count(len(self._list_ids(kind)))

    def list_page(self, kind: str, number: int) -> ListPage:
        """Page ``number`` (1-based) of one of the three published lists."""
        all_ids = self._list_ids(kind)
        name = ZH[{"demands": "demand_list", "projects": "project_list", "results": "result_list"}[kind]]
        ids, pages, url, title = self._paged(all_ids, LIST_ROUTES[kind], number, name)
        make = self.demand_row if kind == "demands" else self.project_row
        return ListPage(
            url=url,
            title=title,
            breadcrumbs=(self.home_crumb,),
            template=f"list_{kind}.html",
            kind=kind,
            rows=tuple(make(i) for i in ids),
            pagination=pages,
            total=len(all_ids),
            downloads=(
                Link(f"{name}（CSV，可用 Excel 打开）", f"downloads/{kind}.csv"),
                Link(f"{name}（JSON）", f"downloads/{kind}.json"),
                Link("数据说明（JSON）", "downloads/datapackage.json"),
            ),
        )

    def specs(self) -> list[tuple[str, tuple]]:
        """Every data page as (builder method, arguments): cheap to list and to share
        across worker processes; the view-model is built where the page is rendered."""
        ds = self.ds
        out: list[tuple[str, tuple]] = [("home", ())]
        out += [("units_index", (n,)) for n in range(1, self._index_count(len(ds.units)) + 1)]
        out += [("subdistricts_index", (n,)) for n in range(1, self._index_count(len(ds.level("subdistrict"))) + 1)]
        out += [("subdistrict", (a.id,)) for a in sorted(ds.level("subdistrict"), key=lambda a: a.id)]
        out += [("community", (a.id,)) for a in sorted(ds.level("community"), key=lambda a: a.id)]
        out += [("unit", (uid,)) for uid in sorted(ds.units)]
        out += [("project", (pid,)) for pid in sorted(ds.projects)]
        for kind in LIST_ROUTES:
            out += [("list_page", (kind, n)) for n in range(1, self.list_page_count(kind) + 1)]
        return out

    def spec_template(self, method: str, args: tuple) -> str:
        """The template of the page a spec builds, without building it."""
        return f"list_{args[0]}.html" if method == "list_page" else TEMPLATES[method]

    def spec_url(self, method: str, args: tuple) -> str:
        """The URL of the page a spec builds, without building it."""
        if method in ROUTES:
            return url_for(method, args[0])
        if method == "list_page":
            return page_url(LIST_ROUTES[args[0]], args[1])
        if method == "units_index":
            return page_url(UNITS_INDEX, args[0])
        if method == "subdistricts_index":
            return page_url(SUBDISTRICTS_INDEX, args[0])
        if method == "home":
            return ""
        return self.page(method, args).url

    def page(self, method: str, args: tuple) -> Page:
        return getattr(self, method)(*args)
