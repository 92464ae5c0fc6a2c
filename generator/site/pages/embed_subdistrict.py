"""A subdistrict's embed: its figures and its first projects (see embed_community.py)."""

from __future__ import annotations

from generator.catalog import ZH
from generator.site import media
from generator.site.views import Link, ViewBuilder, url_for

from . import PageKind, Read
from .embed_community import EmbedPage, label, shown


def build(b: ViewBuilder, args: tuple) -> EmbedPage:
    (area_id,) = args
    a = b.area(area_id)
    url = url_for("subdistrict", area_id)
    ids = b.subdistrict_projects(area_id)
    rows = tuple(b.project_row(p) for p in shown(b, ids))
    return EmbedPage(
        url=media.EMBED + url,
        title=a.name,
        breadcrumbs=(),
        template="embed_page.html",
        full=Link(a.name, url),
        level=ZH["subdistricts"],
        figures=b.area_figures(area_id),
        demand_figures=True,
        projects=rows,
        demands=(),
        total=len(ids),
        shown_label=label(len(rows), len(ids)),
    )


def reads(b: ViewBuilder, args: tuple) -> list[Read]:
    (area_id,) = args
    ids = b.subdistrict_projects(area_id)
    return [("area", args), ("area_figures", args), ("project", shown(b, ids)), ("value", (len(ids),))]


KIND = PageKind(
    name="embed_subdistrict",
    url=lambda args: media.EMBED + url_for("subdistrict", args[0]),
    template="embed_page.html",
    pages=lambda b: [(a,) for a in b.subdistrict_ids()],
    build=build,
    reads=reads,
)
