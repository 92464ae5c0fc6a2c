"""An embed of each published list (projects, results, demands): its newest or most
urgent rows, in the list's own order, and a link to the whole list (see
embed_community.py)."""

from __future__ import annotations

from generator.catalog import ZH
from generator.site import media
from generator.site.views import LIST_ROUTES, Link, ViewBuilder

from . import PageKind, Read
from .embed_community import EmbedPage, label, shown

_NAMES = {"demands": "demand_list", "projects": "project_list", "results": "result_list"}


def build(b: ViewBuilder, args: tuple) -> EmbedPage:
    (kind,) = args
    ids = b.list_ids(kind)
    first = shown(b, ids)
    name = ZH[_NAMES[kind]]
    url = LIST_ROUTES[kind]
    return EmbedPage(
        url=media.EMBED + url,
        title=name,
        breadcrumbs=(),
        template="embed_page.html",
        full=Link(name, url),
        level=b.site.district or b.site.name,
        figures=None,
        demand_figures=False,
        projects=tuple(b.project_row(p) for p in first) if kind != "demands" else (),
        demands=tuple(b.demand_row(n) for n in first) if kind == "demands" else (),
        total=len(ids),
        shown_label=label(len(first), len(ids)),
    )


def reads(b: ViewBuilder, args: tuple) -> list[Read]:
    (kind,) = args
    ids = b.list_ids(kind)
    return [("value", (len(ids),)), ("demand" if kind == "demands" else "project", shown(b, ids))]


KIND = PageKind(
    name="embed_list",
    url=lambda args: media.EMBED + LIST_ROUTES[args[0]],
    template="embed_page.html",
    pages=lambda b: [(kind,) for kind in LIST_ROUTES],
    build=build,
    reads=reads,
)
