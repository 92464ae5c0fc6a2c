"""View-models of the oversight pages: supervision (督办), comparisons (晒清单比项目) and
monthly reports (月度晒进度).

Built from a :class:`~generator.site.views.ViewBuilder` (its rows, links and rates) and the
figures of generator.model.aggregate (``comparisons``, ``monthly``). Each page is a frozen
dataclass like those in views.py; :class:`OversightViews` lists the pages as specs
(method, args) with their URLs and templates, ready to be registered as page kinds.

They are registered as three page kinds (``site/pages/supervision.py``, ``compare.py``,
``month.py``). Comparisons and months declare what each page reads (the rows of figures it
shows and the entities it links), since a city has hundreds of comparison pages; the one
supervision page is digested from its view-model.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field

from markupsafe import Markup

from generator.catalog import ZH
from generator.model.aggregate import (
    COMPARE_KINDS,
    COMPARE_SORTS,
    GREEN,
    RED,
    YELLOW,
    Comparison,
    MonthFigures,
    leader_parts,
)
from generator.schema import LIGHT
from generator.site import charts
from generator.site.views import Link, Page, Pagination, ProjectRow, Rate, ViewBuilder, page_url, pagination

SUPERVISION = "supervision/"
COMPARE = "compare/{kind}/"
COMPARE_SORTED = "compare/{kind}/{sort}/"  # the other orders (aggregate.COMPARE_SORTS)
MONTHLY = "monthly/{key}/"
TEMPLATES = {
    "supervision": "supervision.html",
    "compare": "compare.html",
    "month": "monthly.html",
    "month_list": "monthly_list.html",
}
# Page weight: a city has thousands of units and leaders. The supervision page shows the
# first GROUP_ITEMS projects of each group (the group's own page lists them all) and the
# first GROUPS groups in full, the next MORE_GROUPS as links; comparisons go page by page.
GROUP_ITEMS = 10
GROUPS = 6
MORE_GROUPS = 100
COMPARE_PAGE = 100
# A month page lists the first MONTH_ITEMS projects that turned red and that were completed
# in the month; a longer list has pages of its own (a city completes thousands a month).
MONTH_ITEMS = 50
MONTH_LISTS = {"red": "month_turned_red", "completed": "month_completed_list"}  # list -> its title
MONTH_LIST = "monthly/{key}/{list}/"
KIND_TITLES = {"units": "单位", "subdistricts": "街道（乡镇）", "communities": "社区（村）", "leaders": "领办人"}


# ---------------------------------------------------------------- supervision (督办)


@dataclass(frozen=True, slots=True)
class SupervisionItem:
    row: ProjectRow  # title, link, status and light with its reason
    since: dt.date  # when the reason began (deadline passed, reopened, last report), for the order
    overdue_days: int
    last_report: dt.date | None
    days_since_report: int | None
    followup_deadline: dt.date | None


@dataclass(frozen=True, slots=True)
class SupervisionGroup:
    link: Link  # the subdistrict or unit
    red: int
    yellow: int
    items: tuple[SupervisionItem, ...]  # the first GROUP_ITEMS
    more: int  # flagged projects of the group not listed here


@dataclass(frozen=True)
class SupervisionPage(Page):
    rules: tuple[str, ...]
    red: int
    yellow: int
    by_subdistrict: tuple[SupervisionGroup, ...]
    by_unit: tuple[SupervisionGroup, ...]
    more_subdistricts: tuple[SupervisionGroup, ...]  # after the first GROUPS: counts and links only
    more_units: tuple[SupervisionGroup, ...]
    groups_left: int  # groups beyond those, not named on this page
    compare: tuple[Link, ...]
    latest_month: Link | None


# ---------------------------------------------------------------- comparison


@dataclass(frozen=True, slots=True)
class ComparisonRow:
    rank: int
    name: str
    title: str  # a leader's title (副局长), "" otherwise
    link: Link | None  # units and areas have pages; leaders do not
    projects: int
    completed: int
    completion: Rate
    on_time: Rate
    overdue: int
    average_days: float | None
    days_count: int
    satisfaction: Rate
    red: int
    yellow: int
    reports: Rate
    few: bool  # fewer projects than the minimum sample: read its rates with care


@dataclass(frozen=True)
class ComparisonPage(Page):
    kind: str
    kind_title: str
    rows: tuple[ComparisonRow, ...]
    order_note: str
    caveats: tuple[str, ...]
    formulas: tuple[str, ...]
    kinds: tuple[Link, ...]  # the four comparisons
    minimum: int
    total: int = 0
    pagination: Pagination | None = None
    sort: str = "rank"  # the order of this page (aggregate.COMPARE_SORTS)
    sorts: Mapping[str, Link] = field(default_factory=dict)  # each order's first page, by sort key

    def lights_chart(self, chart_id: str, title: str, limit: int = 15) -> Markup:
        """Lights per entry (the first ``limit`` in rank order) as stacked bars."""
        rows = self.rows[:limit]
        series = [
            charts.Series(k, LIGHT.label(k), tuple(getattr(r, k) for r in rows), charts.LIGHT_FILLS[k])
            for k in (RED, YELLOW)
        ]
        desc = "；".join(f"{r.name}：{LIGHT.label(RED)} {r.red}，{LIGHT.label(YELLOW)} {r.yellow}" for r in rows)
        return charts.stacked_bars(chart_id, title, desc + "。", [r.name for r in rows], series)


# ---------------------------------------------------------------- monthly


@dataclass(frozen=True, slots=True)
class MonthFigure:
    label: str
    value: int
    change: int | None  # from the previous month; None for the first


@dataclass(frozen=True, slots=True)
class MonthListLink:
    """A month's whole list, on pages of its own: how many, how many the month page shows."""

    count: int
    shown: int
    url: str


@dataclass(frozen=True)
class MonthListPage(Page):
    """One page of a month's projects that turned red, or that were completed."""

    month_link: Link
    list_title: str
    rows: tuple[ProjectRow, ...]
    results: bool  # completed projects: their result columns
    count: int
    pagination: Pagination | None


@dataclass(frozen=True)
class MonthPage(Page):
    month: dt.date
    end: dt.date
    figures: tuple[MonthFigure, ...]
    satisfaction: Rate
    previous_satisfaction: Rate | None
    completed: tuple[ProjectRow, ...]  # the first MONTH_ITEMS
    turned_red: tuple[ProjectRow, ...]  # the first MONTH_ITEMS
    completed_more: MonthListLink | None  # all of them, when there are more
    turned_red_more: MonthListLink | None
    months: tuple[Link, ...]  # every month, for navigation
    previous: Link | None
    next: Link | None
    history: tuple[tuple[str, int, int], ...]  # (month, demands, completed) of the last 12 months; latest page only

    def trend_chart(self, chart_id: str, title: str) -> Markup:
        """Demands received against projects completed, month by month, up to this month."""
        recent = self.history[-12:]
        series = [
            charts.Series("demands", ZH["month_demands"], tuple(h[1] for h in recent)),
            charts.Series(
                "completed", ZH["month_completed"], tuple(h[2] for h in recent), charts.STATUS_FILLS["completed"]
            ),
        ]
        desc = "；".join(f"{h[0]}：{ZH['month_demands']} {h[1]}，{ZH['month_completed']} {h[2]}" for h in recent)
        return charts.grouped_bars(chart_id, title, desc + "。", [h[0] for h in recent], series)


def compare_base(kind: str, sort: str = "rank") -> str:
    """The first page of one comparison in one order."""
    return COMPARE.format(kind=kind) if sort == "rank" else COMPARE_SORTED.format(kind=kind, sort=sort)


def month_key(d: dt.date) -> str:
    return f"{d.year:04d}-{d.month:02d}"


def month_label(d: dt.date) -> str:
    return f"{d.year}年{d.month}月"


# ---------------------------------------------------------------- builder


def month_list_ids(m: MonthFigures, which: str) -> tuple[str, ...]:
    return m.turned_red if which == "red" else m.completed_ids


def month_list_link(key: str, which: str, ids: tuple[str, ...]) -> MonthListLink | None:
    """Where a month's whole list is, when the month page shows only its start."""
    if len(ids) <= MONTH_ITEMS:
        return None
    return MonthListLink(len(ids), MONTH_ITEMS, MONTH_LIST.format(key=key, list=which))


class OversightViews:
    """The oversight pages of one build, from its :class:`ViewBuilder`."""

    def __init__(self, builder: ViewBuilder):
        self.b = builder

    @property
    def compared(self) -> dict[str, list[Comparison]]:
        return self.b.comparisons()

    @property
    def months(self) -> list[MonthFigures]:
        return self.b.months()

    # -- specs, URLs, templates (for the page-kind registry)
    def specs(self) -> list[tuple[str, tuple]]:
        out: list[tuple[str, tuple]] = [("supervision", ())]
        out += [
            ("compare", (k, n, sort))
            for k in COMPARE_KINDS
            for sort in COMPARE_SORTS
            for n in range(1, self._compare_pages(k) + 1)
        ]
        out += [("month", (month_key(m.month),)) for m in self.months]
        out += [
            ("month_list", (month_key(m.month), which, n))
            for m in self.months
            for which, ids in (("red", m.turned_red), ("completed", m.completed_ids))
            if len(ids) > MONTH_ITEMS
            for n in range(1, -(-len(ids) // COMPARE_PAGE) + 1)
        ]
        return out

    @staticmethod
    def spec_url(method: str, args: tuple) -> str:
        if method == "supervision":
            return SUPERVISION
        if method == "compare":
            return page_url(compare_base(*args[:1], *args[2:]), args[1] if len(args) > 1 else 1)
        if method == "month_list":
            key, which, number = args
            return page_url(MONTH_LIST.format(key=key, list=which), number)
        return MONTHLY.format(key=args[0])

    @staticmethod
    def spec_template(method: str, args: tuple) -> str:
        return TEMPLATES[method]

    def page(self, method: str, args: tuple) -> Page:
        return getattr(self, method)(*args)

    # -- supervision
    def _item(self, pid: str) -> SupervisionItem:
        info = self.b.agg.info[pid]
        p = self.b.ds.projects[pid]
        f = info.followup
        if info.overdue_days and p.deadline:
            since = p.deadline + dt.timedelta(days=1)
        elif f is not None:
            since = f.fixed or f.reopened
        else:
            since = info.last_report or p.start or self.b.ds.as_of
        return SupervisionItem(
            self.b.project_row(pid),
            since,
            info.overdue_days,
            info.last_report,
            info.days_since_report,
            f.deadline if f is not None and f.fixed is None else None,
        )

    def _groups(self, keyed: dict[str, list[str]], link) -> list[SupervisionGroup]:
        """Groups with most red first; in each, red before yellow, newest reason first."""
        rank = {RED: 0, YELLOW: 1}
        info = self.b.agg.info
        counted = []
        for key in sorted(keyed):
            reds = sum(info[p].light == RED for p in keyed[key])
            counted.append((-reds, -(len(keyed[key]) - reds), link(key).text, key))
        counted.sort()
        out = []
        for n, (_, _, _, key) in enumerate(counted):
            pids = keyed[key]
            reds = sum(info[p].light == RED for p in pids)
            items: list[SupervisionItem] = []
            if n < GROUPS:
                items = [self._item(pid) for pid in pids]
                items.sort(key=lambda i: (rank.get(i.row.status.light or "", 2), -i.since.toordinal(), i.row.id))
            shown = tuple(items[:GROUP_ITEMS])
            out.append(SupervisionGroup(link(key), reds, len(pids) - reds, shown, len(pids) - len(shown)))
        return out

    def supervision(self) -> SupervisionPage:
        ds, agg = self.b.ds, self.b.agg
        flagged = [pid for pid, i in agg.info.items() if i.light in (RED, YELLOW)]
        by_sub: dict[str, list[str]] = {}
        by_unit: dict[str, list[str]] = {}
        for pid in flagged:
            p = ds.projects[pid]
            for sid in sorted({ds.areas[c].parent for c in p.communities}):
                by_sub.setdefault(sid, []).append(pid)
            by_unit.setdefault(p.lead_unit, []).append(pid)
        area_links, unit_links = self.b._area_links, self.b._unit_links
        lights = [agg.info[p].light for p in flagged]
        latest = self.months[-1] if self.months else None
        subs = self._groups(by_sub, lambda s: area_links.get(s) or Link(ds.areas[s].name, ""))
        units = self._groups(by_unit, unit_links.__getitem__)
        left = max(0, len(subs) - GROUPS - MORE_GROUPS) + max(0, len(units) - GROUPS - MORE_GROUPS)
        return SupervisionPage(
            url=SUPERVISION,
            title=ZH["supervision"],
            breadcrumbs=(self.b.home_crumb,),
            template=TEMPLATES["supervision"],
            rules=self.b.site.rules,
            red=lights.count(RED),
            yellow=lights.count(YELLOW),
            by_subdistrict=tuple(subs[:GROUPS]),
            by_unit=tuple(units[:GROUPS]),
            more_subdistricts=tuple(subs[GROUPS : GROUPS + MORE_GROUPS]),
            more_units=tuple(units[GROUPS : GROUPS + MORE_GROUPS]),
            groups_left=left,
            compare=self._kind_links(),
            latest_month=Link(month_label(latest.month), MONTHLY.format(key=month_key(latest.month)))
            if latest
            else None,
        )

    # -- comparison
    def _kind_links(self) -> tuple[Link, ...]:
        title = ZH["compare_title"]
        return tuple(Link(title.format(kind=KIND_TITLES[k]), COMPARE.format(kind=k)) for k in COMPARE_KINDS)

    def _compare_pages(self, kind: str) -> int:
        return max(1, -(-len(self.compared[kind]) // COMPARE_PAGE))

    def compare_rows(self, kind: str, number: int, sort: str) -> list[tuple[int, Comparison]]:
        """Page ``number`` of a comparison in the order ``sort``: (default rank, figures)."""
        ordered = self.b.comparison_order(kind, sort)
        shown = ordered[(number - 1) * COMPARE_PAGE : number * COMPARE_PAGE]
        if sort == "rank":
            return list(enumerate(shown, (number - 1) * COMPARE_PAGE + 1))
        rank = self.ranks(kind)
        return [(rank[c.key][0], c) for c in shown]

    def ranks(self, kind: str) -> dict[str, tuple[int, str]]:
        """Per entry of a comparison: its default rank, and its rank and figures as text
        (what a page showing it is digested from: each entry is on a page of every order,
        so its text is made once)."""
        key = f"ranks {kind}"
        found = self.b.__dict__.get(key)
        if found is None:
            found = self.b.__dict__[key] = {
                c.key: (n, f"{n} {c!r}") for n, c in enumerate(self.compared[kind], 1)
            }
        return found

    def compare(self, kind: str, number: int = 1, sort: str = "rank") -> ComparisonPage:
        b = self.b
        minimum = b.rules.min_sample
        rows = []
        ranked = self.compared[kind]
        for n, c in self.compare_rows(kind, number, sort):
            if kind == "leaders":
                name, title = leader_parts(c.key)
                link = None
            else:
                name, title = c.name, ""
                link = b.unit_link(c.key) if kind == "units" else b.area_link(c.key)
            rows.append(
                ComparisonRow(
                    n,
                    name,
                    title,
                    link,
                    c.projects,
                    c.completed,
                    Rate(c.completed, c.completion_base, ZH["completion_formula"]),
                    Rate(c.on_time, c.on_time_base, ZH["on_time_formula"]),
                    c.overdue,
                    round(c.average_days, 1) if c.average_days is not None else None,
                    c.days_count,
                    b.sat_rate(c.satisfied, c.valid),
                    c.red,
                    c.yellow,
                    Rate(c.reported, c.report_base, ZH["reports_formula"].format(days=b.rules.cycle_days)),
                    c.projects < minimum,
                )
            )
        base = compare_base(kind, sort)
        count = self._compare_pages(kind)
        title = ZH["compare_title"].format(kind=KIND_TITLES[kind])
        if sort != "rank":
            title += f"（{ZH['compare_sort_' + sort]}）"
        return ComparisonPage(
            url=page_url(base, number),
            title=title if number == 1 else f"{title}（第 {number} 页）",
            breadcrumbs=(b.home_crumb, Link(ZH["supervision"], SUPERVISION)),
            template=TEMPLATES["compare"],
            kind=kind,
            kind_title=KIND_TITLES[kind],
            rows=tuple(rows),
            order_note=ZH["compare_order"]
            if sort == "rank"
            else ZH["compare_sorted_note"].format(order=ZH["compare_sort_" + sort]),
            caveats=(
                ZH["caveat_small"].format(n=minimum),
                ZH["caveat_workload"],
                ZH["caveat_areas"] if kind in ("subdistricts", "communities") else ZH["caveat_units"],
            ),
            formulas=(
                ZH["completion_formula"],
                ZH["on_time_formula"],
                ZH["days_formula"],
                b.sat_formula,
                ZH["reports_formula"].format(days=b.rules.cycle_days),
            ),
            kinds=self._kind_links(),
            minimum=minimum,
            total=len(ranked),
            pagination=pagination(base, number, count) if count > 1 else None,
            sort=sort,
            sorts={key: Link(ZH["compare_sort_" + key], compare_base(kind, key)) for key in COMPARE_SORTS},
        )

    # -- monthly
    def month(self, key: str) -> MonthPage:
        b = self.b
        months = self.months
        at = next(n for n, m in enumerate(months) if month_key(m.month) == key)
        m = months[at]
        prev = months[at - 1] if at else None

        def figure(label: str, attr: str) -> MonthFigure:
            value = getattr(m, attr)
            return MonthFigure(label, value, value - getattr(prev, attr) if prev else None)

        links = tuple(Link(month_label(x.month), MONTHLY.format(key=month_key(x.month))) for x in months)
        return MonthPage(
            url=MONTHLY.format(key=key),
            title=ZH["monthly_title"].format(month=month_label(m.month)),
            breadcrumbs=(b.home_crumb, Link(ZH["supervision"], SUPERVISION)),
            template=TEMPLATES["month"],
            month=m.month,
            end=m.end,
            figures=(
                figure(ZH["month_demands"], "demands"),
                figure(ZH["month_opened"], "opened"),
                figure(ZH["month_completed"], "completed"),
                figure(ZH["overdue"], "overdue"),
                figure(LIGHT.label(RED), "red"),
                figure(LIGHT.label(YELLOW), "yellow"),
                figure(LIGHT.label(GREEN), "green"),
            ),
            satisfaction=b.sat_rate(m.satisfied, m.valid),
            previous_satisfaction=b.sat_rate(prev.satisfied, prev.valid) if prev else None,
            completed=tuple(b.project_row(p) for p in m.completed_ids[:MONTH_ITEMS]),
            turned_red=tuple(b.project_row(p) for p in m.turned_red[:MONTH_ITEMS]),
            completed_more=month_list_link(key, "completed", m.completed_ids),
            turned_red_more=month_list_link(key, "red", m.turned_red),
            months=links,
            previous=links[at - 1] if at else None,
            next=links[at + 1] if at + 1 < len(links) else None,
            # The trend only on the latest month: on every page it would make a change to one
            # month's figures rebuild all the pages after it.
            history=tuple((f"{x.month.month}月", x.demands, x.completed) for x in months[-12:])
            if at + 1 == len(months)
            else (),
        )

    def month_list(self, key: str, which: str, number: int) -> MonthListPage:
        b = self.b
        m = next(x for x in self.months if month_key(x.month) == key)
        ids = month_list_ids(m, which)
        count = -(-len(ids) // COMPARE_PAGE)
        month_link = Link(ZH["monthly_title"].format(month=month_label(m.month)), MONTHLY.format(key=key))
        list_title = ZH[MONTH_LISTS[which]]
        base = MONTH_LIST.format(key=key, list=which)
        title = ZH["month_list_title"].format(month=month_link.text, list=list_title)
        if count > 1:
            title += "（" + ZH["page"].format(page=number, pages=count) + "）"
        return MonthListPage(
            url=page_url(base, number),
            title=title,
            breadcrumbs=(b.home_crumb, Link(ZH["supervision"], SUPERVISION), month_link),
            template=TEMPLATES["month_list"],
            month_link=month_link,
            list_title=list_title,
            rows=tuple(map(b.project_row, ids[(number - 1) * COMPARE_PAGE : number * COMPARE_PAGE])),
            results=which == "completed",
            count=len(ids),
            pagination=pagination(base, number, count) if count > 1 else None,
        )

