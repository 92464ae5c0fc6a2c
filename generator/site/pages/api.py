"""The data page (api/): how to download and read the open data, generated from the schema.

Every list's fields come from the same columns the files are written with
(exports/opendata.py) and the data package describes (tests/test_opendata.py compares
this page with datapackage.json). One page: digested from its built view-model.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from generator.catalog import ZH
from generator.exports.opendata import (
    ALL_LISTS,
    API,
    LEGACY,
    PACKAGE,
    SCOPE_LISTS,
    TYPE_WORDS,
    WORKBOOK,
    citation,
    column_description,
    export_columns,
    json_head,
    license_of,
    scope_folder,
    scopes_all,
    tables,
)
from generator.site.downloads import API_PAGE, LIST_TITLES, DownloadBlock, download_block
from generator.site.views import Page, ViewBuilder, url_for

from . import PageKind


@dataclass(frozen=True, slots=True)
class ApiField:
    key: str  # the JSON key
    label: str  # the CSV header and Excel column
    type: str
    description: str


@dataclass(frozen=True, slots=True)
class ApiList:
    name: str
    title: str
    description: str
    scopes: str  # where it is published
    fields: tuple[ApiField, ...]


@dataclass(frozen=True, slots=True)
class ApiPath:
    path: str
    meaning: str
    formats: str


@dataclass(frozen=True)
class ApiPage(Page):
    paths: tuple[ApiPath, ...]
    lists: tuple[ApiList, ...]
    examples: tuple[tuple[str, str], ...]  # (what, URL: absolute when the site URL is set)
    json_shape: str
    license_name: str
    license_title: str
    license_url: str
    citation: str
    downloads: DownloadBlock | None = None


def build(b: ViewBuilder, args: tuple) -> ApiPage:
    ds = b.ds
    base = b.site.base_url
    lists = tables(ds)
    every = "、".join(LIST_TITLES[n] for n in SCOPE_LISTS)
    paths = (
        ApiPath(f"{API}{PACKAGE}", ZH["download_package"], "JSON"),
        ApiPath(f"{API}<清单>.csv · .json · .xlsx", f"全区的每份清单：{'、'.join(ALL_LISTS)}", "CSV · JSON · Excel"),
        ApiPath(f"{API}subdistricts/<编号>/", f"一个街道的{every}（CSV），以及 {WORKBOOK}", "CSV · Excel"),
        ApiPath(f"{API}communities/<编号>/", f"一个社区的{every}（CSV），以及 {WORKBOOK}", "CSV · Excel"),
        ApiPath(
            f"{API}units/<编号>/", f"一个责任单位牵头或配合的项目及其{every}（CSV），以及 {WORKBOOK}", "CSV · Excel"
        ),
        ApiPath(f"{LEGACY}<文件>", f"旧地址：与 {API} 下的全区文件完全相同，继续有效", "CSV · JSON · Excel"),
    )
    out = []
    for name in ALL_LISTS:
        t = lists[name]
        fields = tuple(ApiField(c.name, c.label, TYPE_WORDS[c.type], column_description(c)) for c in export_columns(t))
        where = "全区" if name not in SCOPE_LISTS else "全区、每个街道、社区和责任单位"
        out.append(ApiList(name, LIST_TITLES[name], t.description, where, fields))
    communities = b.community_ids()
    site = f"{base}/" if base else ""
    examples = [
        ("全区整改清单（JSON）", f"{site}{API}projects.json"),
        ("全区整改清单（Excel）", f"{site}{API}projects.xlsx"),
        ("数据包说明", f"{site}{API}{PACKAGE}"),
    ]
    if communities:
        first = scope_folder("community", communities[0], url_for)
        examples.append(("一个社区的需求清单（CSV）", f"{site}{first}demands.csv"))
        examples.append(("同一社区的全部清单（Excel）", f"{site}{first}{WORKBOOK}"))
    # The head of the whole district's projects.json as published (JSON exists for the
    # whole district only), with the rows elided.
    head = json_head(ds, scopes_all(ds)[0], "projects", len(ds.projects))
    shape = json.dumps(head, ensure_ascii=False)[:-1] + ', "rows": [{"id": "…", "title": "…", …}, …]}'
    lic = license_of(ds)
    return ApiPage(
        url=API_PAGE,
        title=ZH["api_title"],
        breadcrumbs=(b.home_crumb,),
        template="api.html",
        paths=paths,
        lists=tuple(out),
        examples=tuple(examples),
        json_shape=shape,
        license_name=lic["name"],
        license_title=lic["title"],
        license_url=lic.get("path", ""),
        citation=citation(ds, ds.settings.district),
        downloads=download_block(b, "all", "", ds.settings.district),
    )


KIND = PageKind(
    name="api",
    url=lambda args: API_PAGE,
    template="api.html",
    pages=lambda b: [()],
    build=build,
)
