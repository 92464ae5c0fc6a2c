"""A community's page: its figures, projects, demands and paired units."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from generator.catalog import ZH
from generator.schema import STAGE, STATUS
from generator.site.downloads import DownloadBlock, download_block, download_read
from generator.site.speakup import SpeakUp, speak_up
from generator.site.views import DemandRow, FiguresView, Link, Page, ProjectRow, ViewBuilder, url_for

from . import PageKind, Read


@dataclass(frozen=True, slots=True)
class DemandGroup:
    """The demands at one stage: folded in a <details> (it opens without JavaScript), so a
    community with hundreds of demands stays a few phone screens long."""

    key: str  # STAGE key, the anchor of the group
    label: str
    rows: tuple[DemandRow, ...]


@dataclass(frozen=True, slots=True)
class ProjectGroup:
    """Projects under way (shown open), completed, and suspended or cancelled (folded)."""

    key: str
    label: str
    rows: tuple[ProjectRow, ...]
    open: bool


PROJECT_GROUPS = (
    ("active", ("not_started", "in_progress", "ongoing"), True),
    ("completed", ("completed",), False),
    ("other", ("suspended", "cancelled"), False),
)


def in_page_order(ids: Iterable[str], status_of: Callable[[str], str]) -> list[str]:
    """Project ids in the order a community page shows them: the groups of
    PROJECT_GROUPS in turn (under way, completed, stopped), each in list order. Its embed
    and its download files list them the same way."""
    rank = {s: n for n, (_, statuses, _) in enumerate(PROJECT_GROUPS) for s in statuses}
    return sorted(ids, key=lambda p: rank.get(status_of(p), len(PROJECT_GROUPS)))


def project_groups(rows: tuple[ProjectRow, ...]) -> tuple[ProjectGroup, ...]:
    labels = {"active": ZH["projects_active"], "completed": STATUS.label("completed"), "other": ZH["status_other"]}
    out = []
    for key, statuses, is_open in PROJECT_GROUPS:
        shown = tuple(r for r in rows if r.status.key in statuses)
        if shown:
            out.append(ProjectGroup(key, labels[key], shown, is_open))
    return tuple(out)


@dataclass(frozen=True)
class CommunityPage(Page):
    subdistrict: Link
    figures: FiguresView
    projects: tuple[ProjectRow, ...]
    demands: tuple[DemandRow, ...]
    paired_units: tuple[Link, ...]
    households: int | None
    residents: int | None
    downloads: DownloadBlock | None = None
    demand_groups: tuple[DemandGroup, ...] = ()  # the demands by stage, in STAGE order
    project_groups: tuple[ProjectGroup, ...] = ()
    speak_up: SpeakUp | None = None


def build(b: ViewBuilder, args: tuple) -> CommunityPage:
    (area_id,) = args
    a = b.area(area_id)
    sub = b.area_link(a.parent)
    projects = tuple(b.project_row(p) for p in b.community_projects(area_id))
    demands = tuple(b.demand_row(n) for n in b.community_demands(area_id))
    by_stage: dict[str, list[DemandRow]] = {}
    for d in demands:
        by_stage.setdefault(d.stage_key, []).append(d)
    order = [c.key for c in STAGE.choices] + sorted(set(by_stage) - {c.key for c in STAGE.choices})
    return CommunityPage(
        url=url_for("community", area_id),
        title=a.name,
        breadcrumbs=(b.home_crumb, sub),
        template="community.html",
        subdistrict=sub,
        figures=b.area_figures(area_id),
        projects=projects,
        project_groups=project_groups(projects),
        demands=demands,
        paired_units=tuple(b.unit_link(u) for u in b.paired_units(area_id)),
        households=a.households,
        residents=a.residents,
        downloads=download_block(b, "community", area_id, a.name),
        demand_groups=tuple(
            DemandGroup(k, STAGE.label(k), tuple(by_stage[k])) for k in order if k in by_stage
        ),
        speak_up=speak_up(b.ds.settings, a.name, a),
    )


def reads(b: ViewBuilder, args: tuple) -> list[Read]:
    (area_id,) = args
    return [
        download_read(b, "community", area_id),
        ("area", (area_id, b.area(area_id).parent)),
        ("area_figures", args),
        ("project", b.community_projects(area_id)),
        ("demand", b.community_demands(area_id)),
        ("unit", b.paired_units(area_id)),
    ]


KIND = PageKind(
    name="community",
    url=lambda args: url_for("community", args[0]),
    template="community.html",
    pages=lambda b: [(a,) for a in b.community_ids()],
    build=build,
    reads=reads,
)
