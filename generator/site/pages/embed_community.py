"""A community's embed: its figures and its first projects, without the site's chrome, for
an ``<iframe>`` in a news article or another site (see ``embed_base.html``).

The other embeds (subdistrict, unit, the published lists) share :class:`EmbedPage` and
the template; each is a page kind of its own so it has its own URL and reads."""

from __future__ import annotations

from dataclasses import dataclass

from generator.catalog import ZH
from generator.site import media
from generator.site.views import DemandRow, FiguresView, Link, Page, ProjectRow, ViewBuilder, url_for

from . import PageKind, Read
from .community import in_page_order

# Rows an embed shows: enough to be useful in an article, few enough to stay under 30 KB.
EMBED_ROWS = 5


@dataclass(frozen=True)
class EmbedPage(Page):
    full: Link  # the page this embed summarises
    level: str  # what the embedded thing is (社区, 街道, 单位, a list's name)
    figures: FiguresView | None
    demand_figures: bool  # whether the figures include the demand counts
    projects: tuple[ProjectRow, ...]
    demands: tuple[DemandRow, ...]
    total: int  # rows of the full list the shown rows are the first of
    shown_label: str = ""  # "前 5 项，共 40 项"


def shown(b: ViewBuilder, ids: list) -> list:
    return ids[:EMBED_ROWS]


def label(n: int, total: int) -> str:
    return ZH["embed_rows"].format(n=n, total=f"{total:,}") if total > n else ""


def grouped(b: ViewBuilder, ids: list) -> list:
    """The community's projects in the order its page shows them."""
    return in_page_order(ids, lambda p: b.project(p).status)


def build(b: ViewBuilder, args: tuple) -> EmbedPage:
    (area_id,) = args
    a = b.area(area_id)
    url = url_for("community", area_id)
    ids = grouped(b, b.community_projects(area_id))
    rows = tuple(b.project_row(p) for p in shown(b, ids))
    parent = b.area_link(a.parent)
    return EmbedPage(
        url=media.EMBED + url,
        title=a.name,
        breadcrumbs=(),
        template="embed_page.html",
        full=Link(a.name, url),
        level=parent.text,
        figures=b.area_figures(area_id),
        demand_figures=True,
        projects=rows,
        demands=(),
        total=len(ids),
        shown_label=label(len(rows), len(ids)),
    )


def reads(b: ViewBuilder, args: tuple) -> list[Read]:
    (area_id,) = args
    ids = b.community_projects(area_id)
    return [
        ("area", (area_id, b.area(area_id).parent)),
        ("area_figures", args),
        ("project", ids),  # which are shown first depends on every project's status
        ("value", (len(ids),)),
    ]


KIND = PageKind(
    name="embed_community",
    url=lambda args: media.EMBED + url_for("community", args[0]),
    template="embed_page.html",
    pages=lambda b: [(a,) for a in b.community_ids()],
    build=build,
    reads=reads,
)
