"""The type-ahead's data: every subdistrict and community with its pinyin initials, as a
small JSON file fetched only when a resident focuses the finder (so the home page stays
light at city size). Rows: [name, initials, url, subdistrict name]."""

from __future__ import annotations

import json
from dataclasses import dataclass

from markupsafe import Markup

from generator.site.finder import initials
from generator.site.views import FINDER_DATA, Page, ViewBuilder

from . import PageKind, Read


@dataclass(frozen=True)
class FinderDataPage(Page):
    json: Markup  # already JSON: the template prints it as is


def build(b: ViewBuilder, args: tuple) -> FinderDataPage:
    rows: list[list[str]] = []
    for sub, communities in (g for page in b.finder_groups() for g in page):
        sub_name = ""
        if sub:
            link = b.area_link(sub)
            sub_name = link.text
            rows.append([link.text, initials(link.text), link.url, ""])
        for c in communities:
            link = b.area_link(c)
            rows.append([link.text, initials(link.text), link.url, sub_name])
    text = json.dumps({"v": 1, "rows": rows}, ensure_ascii=False, separators=(",", ":"))
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
