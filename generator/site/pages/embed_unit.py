"""A unit's embed: its figures and the first projects it leads or partners in (see
embed_community.py)."""

from __future__ import annotations

from generator.catalog import ZH
from generator.site import media
from generator.site.views import Link, ViewBuilder, url_for

from . import PageKind, Read
from .embed_community import EmbedPage, label, shown


def build(b: ViewBuilder, args: tuple) -> EmbedPage:
    (uid,) = args
    u = b.unit(uid)
    url = url_for("unit", uid)
    ids = b.unit_projects(uid)
    rows = tuple(b.project_row(p) for p in shown(b, ids))
    return EmbedPage(
        url=media.EMBED + url,
        title=u.name,
        breadcrumbs=(),
        template="embed_page.html",
        full=Link(u.name, url),
        level=u.kind or ZH["unit"],
        figures=b.unit_figures(uid),
        demand_figures=False,
        projects=rows,
        demands=(),
        total=len(ids),
        shown_label=label(len(rows), len(ids)),
    )


def reads(b: ViewBuilder, args: tuple) -> list[Read]:
    (uid,) = args
    ids = b.unit_projects(uid)
    return [("unit", args), ("unit_figures", args), ("project", shown(b, ids)), ("value", (len(ids),))]


KIND = PageKind(
    name="embed_unit",
    url=lambda args: media.EMBED + url_for("unit", args[0]),
    template="embed_page.html",
    pages=lambda b: [(u,) for u in b.unit_ids()],
    build=build,
    reads=reads,
)
