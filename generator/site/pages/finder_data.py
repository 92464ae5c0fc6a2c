"""The type-ahead's data: every subdistrict and community with its pinyin initials, as a
small JSON file fetched only when a resident focuses the finder (so the home page stays
light at city size). Compact, for a weak network: ``s`` lists the subdistricts as [name,
initials, url]; ``c`` the communities as [name, initials, slug, index into s or -1], their
url being ``communities/<slug>/``."""

from __future__ import annotations

import json
from dataclasses import dataclass

from markupsafe import Markup

from generator.site.finder import initials
from generator.site.views import FINDER_DATA, ROUTES, Page, ViewBuilder

from . import PageKind, Read

COMMUNITY_PREFIX = ROUTES["community"].split("{")[0]  # communities/


@dataclass(frozen=True)
class FinderDataPage(Page):
    json: Markup  # already JSON: the template prints it as is


def build(b: ViewBuilder, args: tuple) -> FinderDataPage:
    subs: list[list[str]] = []
    communities: list[list[str | int]] = []
    for sub, ids in (g for page in b.finder_groups() for g in page):
        at = -1
        if sub:
            link = b.area_link(sub)
            at = len(subs)
            subs.append([link.text, initials(link.text), link.url])
        for c in ids:
            link = b.area_link(c)
            slug = link.url.removeprefix(COMMUNITY_PREFIX).rstrip("/")
            communities.append([link.text, initials(link.text), slug, at])
    text = json.dumps({"v": 1, "s": subs, "c": communities}, ensure_ascii=False, separators=(",", ":"))
    return FinderDataPage(url=FINDER_DATA, title="", breadcrumbs=(), template="finder.json", json=Markup(text))


def reads(b: ViewBuilder, args: tuple) -> list[Read]:
    ids = [a for page in b.finder_groups() for sub, cs in page for a in ([sub] if sub else []) + cs]
    return [("area", ids)]


KIND = PageKind(
    name="finder_data",
    url=lambda args: FINDER_DATA,
    template="finder.json",
    pages=lambda b: [()],
    build=build,
    reads=reads,
)
