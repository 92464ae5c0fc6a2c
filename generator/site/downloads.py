"""The download block a page shows: its scope's files (exports/opendata.py) with format and size.

The sizes come from the build's export, which runs before the pages are planned
(render.py sets ``ViewBuilder.download_sizes``); a page kind that shows a block adds
:func:`download_read` to its reads, so a page is rebuilt when one of its files changes size.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from generator.catalog import ZH
from generator.exports.opendata import (
    ALL_LISTS,
    API,
    LEGACY,
    LIST_LABELS,
    PACKAGE,
    SCOPE_LISTS,
    WORKBOOK,
    formats_of,
    scope_folder,
)
from generator.site.views import Link, ViewBuilder, url_for

API_PAGE = "api/"
LIST_TITLES = LIST_LABELS


def sizes_on_disk(paths: Iterable[str], root: Path) -> dict[str, int]:
    """The size of each download among ``paths`` as it is in ``root`` (the live site's), for
    pages made without an export of their own (a preview)."""
    sizes = {}
    for path in paths:
        if path.startswith((API, LEGACY)):
            try:
                sizes[path] = os.path.getsize(f"{root}/{path}")
            except OSError:
                pass  # removed by hand: the page shows no size until the next build
    return sizes


@dataclass(frozen=True, slots=True)
class DownloadFile:
    url: str  # relative to the site root
    format: str  # CSV / JSON / Excel
    size: str  # "12.3 KB", "" when unknown
    filename: str  # suggested to the browser (download attribute)


@dataclass(frozen=True, slots=True)
class DownloadRow:
    title: str
    files: tuple[DownloadFile, ...]


@dataclass(frozen=True, slots=True)
class DownloadBlock:
    scope: str  # 永庄社区 / 青禾区
    workbook: DownloadFile | None  # a scope's one workbook; the whole district has one per list
    rows: tuple[DownloadRow, ...]
    package: DownloadFile | None  # the whole district's only
    api: Link
    formats: tuple[str, ...] = ("CSV", "JSON")  # the table's columns
    kind: str = "all"  # all / subdistrict / community / unit


def shows_sizes(spec: tuple[str, tuple]) -> bool:
    """Whether a page prints download sizes (a scope's page; home, the data page and the
    first page of each list for the whole district): the renderer plans it once the files
    are written."""
    kind, args = spec
    return kind in ("home", "api", "community", "subdistrict", "unit") or (kind == "list_page" and args[1:] == (1,))


def human_size(n: int | None) -> str:
    if n is None:
        return ""
    if n < 1024:
        return f"{n} 字节"
    if n < 1024 * 1024:
        return f"{n / 1024:.1f} KB"
    return f"{n / 1024 / 1024:.1f} MB"


def _folder(kind: str, ident: str) -> str:
    return scope_folder(kind, ident, url_for)


def _lists(kind: str) -> tuple[str, ...]:
    return ALL_LISTS if kind == "all" else SCOPE_LISTS


def download_paths(kind: str, ident: str = "") -> list[str]:
    """The files a scope's block links, in the order it shows them."""
    folder = _folder(kind, ident)
    if kind == "all":
        paths = [f"{folder}{n}.{f}" for n in _lists(kind) for f in (*formats_of(kind), "xlsx")]
        return [*paths, f"{API}{PACKAGE}"]
    return [f"{folder}{WORKBOOK}"] + [f"{folder}{n}.{f}" for n in _lists(kind) for f in formats_of(kind)]


def download_read(b: ViewBuilder, kind: str, ident: str = "") -> tuple[str, tuple]:
    """The read a page showing this block declares: the sizes it prints."""
    sizes = b.download_sizes
    return ("value", (tuple(sizes.get(p) for p in download_paths(kind, ident)),))


def download_block(b: ViewBuilder, kind: str, ident: str, scope_name: str) -> DownloadBlock:
    sizes = b.download_sizes
    folder = _folder(kind, ident)
    stamp = b.site.as_of.isoformat()

    def file(name: str, ext: str, fmt: str, title: str) -> DownloadFile:
        path = f"{folder}{name}.{ext}"
        return DownloadFile(path, fmt, human_size(sizes.get(path)), f"{scope_name}-{title}-{stamp}.{ext}")

    workbook = None
    extensions = formats_of(kind)
    package = None
    if kind == "all":
        extensions = (*extensions, "xlsx")
        path = f"{API}{PACKAGE}"
        package = DownloadFile(path, "JSON", human_size(sizes.get(path)), PACKAGE)
    else:
        workbook = file(WORKBOOK.rsplit(".", 1)[0], "xlsx", "Excel", ZH["downloads_all_lists"])
    label = {"csv": "CSV", "json": "JSON", "xlsx": "Excel"}
    rows = tuple(
        DownloadRow(LIST_TITLES[n], tuple(file(n, e, label[e], LIST_TITLES[n]) for e in extensions))
        for n in _lists(kind)
    )
    formats = tuple(label[e] for e in extensions)
    return DownloadBlock(scope_name, workbook, rows, package, Link(ZH["api_title"], API_PAGE), formats, kind)
