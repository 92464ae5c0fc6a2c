"""The public record (发布记录): a page listing every release, newest first, with its
as-of date and how many items each list gained, changed and lost; and a page per release
with those items — added, the fields changed (old → new), and withdrawn (撤回) items with
their last published title. Only when a publish builds the site (``Dataset.record``).

A handful of pages: digested from their built view-models (no ``reads``). A release's
page lists at most ITEMS items of each list and kind; the rest are in its
``changes/<id>.json`` (linked).
"""

from __future__ import annotations

from dataclasses import dataclass

from generator.catalog import ZH
from generator.model.record import CHANGES, ItemChange, Release
from generator.site.views import RECORDS, Link, Page, ViewBuilder, release_url, url_for

from . import PageKind

ITEMS = 200
LIST_TITLES = {"demands": "demand_list", "projects": "project_list", "results": "result_list"}


@dataclass(frozen=True, slots=True)
class ReleaseRow:
    link: Link
    published_at: str
    as_of: str
    first: bool
    counts: tuple[tuple[str, int, int, int], ...]  # (list title, added, changed, withdrawn)
    current: bool  # the release this build is for


@dataclass(frozen=True, slots=True)
class ChangeGroup:
    title: str  # e.g. 项目清单：变更
    change: str  # added, changed, withdrawn
    items: tuple[tuple[ItemChange, Link | None], ...]  # with a link to the item's page while it exists
    more: int


@dataclass(frozen=True)
class RecordsPage(Page):
    releases: tuple[ReleaseRow, ...]


@dataclass(frozen=True)
class ReleasePage(Page):
    release: ReleaseRow
    groups: tuple[ChangeGroup, ...]
    changes_file: str  # changes/<id>.json: every item, as data
    previous: Link | None
    next: Link | None


def _row(r: Release, current: bool) -> ReleaseRow:
    counts = tuple(
        (ZH[LIST_TITLES[name]], *(r.summary.get(name, {}).get(k, 0) for k in CHANGES))
        for name in LIST_TITLES
    )
    return ReleaseRow(Link(r.id, release_url(r.id)), r.published_at, r.as_of or "", r.first, counts, current)  # type: ignore[arg-type]


def _crumbs(b: ViewBuilder) -> tuple[Link, ...]:
    return (b.home_crumb,)


def build_records(b: ViewBuilder, args: tuple) -> RecordsPage:
    record = b.ds.record
    assert record is not None
    return RecordsPage(
        url=RECORDS,
        title=ZH["records_title"],
        breadcrumbs=_crumbs(b),
        template="records.html",
        releases=tuple(_row(r, n == 0) for n, r in enumerate(record.releases)),
    )


def _link(b: ViewBuilder, item: ItemChange) -> Link | None:
    """The item's page, while the item is published (projects and results: the project)."""
    if item.change == "withdrawn" or item.list == "demands":
        return None
    if item.id in b.ds.projects:
        return Link(item.title or item.id, url_for("project", item.id))
    return None


def build_release(b: ViewBuilder, args: tuple) -> ReleasePage:
    (rid,) = args
    record = b.ds.record
    assert record is not None
    ids = [r.id for r in record.releases]
    at = ids.index(rid)
    release = record.releases[at]
    changes = record.changes.get(rid, ())
    groups = []
    for name in LIST_TITLES:
        for change in CHANGES:
            items = [c for c in changes if c.list == name and c.change == change]
            if not items:
                continue
            shown = items if not release.first else []  # a first release adds everything
            groups.append(
                ChangeGroup(
                    f"{ZH[LIST_TITLES[name]]}：{ZH['record_' + change]}",
                    change,
                    tuple((c, _link(b, c)) for c in shown[:ITEMS]),
                    len(items) - len(shown[:ITEMS]),
                )
            )
    newer = record.releases[at - 1] if at else None
    older = record.releases[at + 1] if at + 1 < len(ids) else None
    return ReleasePage(
        url=release_url(rid),
        title=ZH["release_title"].format(id=rid),
        breadcrumbs=(*_crumbs(b), Link(ZH["records_title"], RECORDS)),
        template="release.html",
        release=_row(release, at == 0),
        groups=tuple(groups),
        changes_file=f"changes/{rid}.json",
        previous=Link(older.id, release_url(older.id)) if older else None,
        next=Link(newer.id, release_url(newer.id)) if newer else None,
    )


def _releases(b: ViewBuilder) -> list[tuple]:
    record = b.ds.record
    return [] if record is None else [(r.id,) for r in record.releases]


RECORDS_KIND = PageKind(
    name="records",
    url=lambda args: RECORDS,
    template="records.html",
    pages=lambda b: [()] if b.ds.record is not None else [],
    build=build_records,
)

KIND = PageKind(
    name="release",
    url=lambda args: release_url(args[0]),
    template="release.html",
    pages=_releases,
    build=build_release,
)
