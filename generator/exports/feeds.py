"""Atom feeds (RFC 4287) of what happened to the projects: the portal's, and one per
subdistrict, community and unit.

What a feed says is taken from the published lists and dated by them, never by the build:
a new project by its start date, a progress report (the ledger's status as it moved) by
its report date, a completion by the result list's completion date, a sign-off (a new
result) by its sign-off date, and a light turning red by the end of the month it turned
red in (or the as-of date for the current month; see ``aggregate.monthly``). So the same
data always gives the same bytes, and a feed changes only when its entries do.

:func:`events` returns a plain list of :class:`FeedEvent`; more kinds of event (e.g. a
withdrawn item from the publish record) are more rows in that list. Entry ids are ``tag:``
URIs (RFC 4151) from the site's domain, the project id, the kind of event and its date, so
they never change between builds.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from generator.model.aggregate import Aggregates, monthly
from generator.model.dataset import Dataset
from generator.site import media
from generator.site.views import url_for
from generator.slug import slugify

# Entries kept in a feed: readers poll for what is new; the lists themselves are complete.
SITE_ENTRIES = 50
SCOPE_ENTRIES = 20
# The date in every tag: URI. It must never change (entry ids must not), so it is a fixed
# date on which the practice existed, not the build's or the data's.
TAG_DATE = "2021"
# China Standard Time: a data date is a day in the district's own calendar.
TZ = "+08:00"

KIND_LABELS = {
    "new_project": "新项目",
    "progress": "进展",
    "completed": "已完成",
    "signed_off": "已销号",
    "turned_red": "亮红灯",
    # From the public record (a published site): what a release changed or withdrew.
    "changed": "内容变更",
    "withdrawn": "撤回",
    "result_changed": "结果变更",
    "result_withdrawn": "结果撤回",
    "demand_changed": "需求变更",
    "demand_withdrawn": "需求撤回",
}


@dataclass(frozen=True, slots=True)
class FeedEvent:
    """One thing that happened to one project, on a date the lists give."""

    kind: str  # a key of KIND_LABELS
    project: str  # project id
    date: dt.date
    title: str
    summary: str
    key: str = ""  # what tells two events of one kind and project apart (e.g. the month)
    page: str = ""  # the page it links to, when not the project's (a withdrawn project's release)


def events(ds: Dataset, agg: Aggregates) -> list[FeedEvent]:
    """Every event of every project up to the as-of date, newest first."""
    as_of = ds.as_of
    out: list[FeedEvent] = []
    for pid, p in ds.projects.items():
        lead = ds.units[p.lead_unit].name if p.lead_unit in ds.units else ""
        where = "、".join(ds.areas[c].name for c in p.communities if c in ds.areas)
        if p.start and p.start <= as_of:
            deadline = f"；完成时限：{_date_cn(p.deadline)}" if p.deadline else ""
            summary = f"{where}；牵头单位：{lead}{deadline}"
            out.append(FeedEvent("new_project", pid, p.start, p.title, summary, p.start.isoformat()))
        for e in ds.progress.get(pid, ()):
            if e.date <= as_of:
                share = f"（完成比例 {e.progress}%）" if e.progress is not None else ""
                out.append(FeedEvent("progress", pid, e.date, p.title, f"{e.note}{share}", e.date.isoformat()))
        res = ds.results.get(pid)
        if res is not None:
            if res.completed <= as_of:
                out.append(FeedEvent("completed", pid, res.completed, p.title, res.outcome, res.completed.isoformat()))
            if res.signed_off is not None and res.signed_off <= as_of:
                out.append(
                    FeedEvent("signed_off", pid, res.signed_off, p.title, res.outcome, res.signed_off.isoformat())
                )
    for month in monthly(ds, agg):
        for pid in month.turned_red:
            p = ds.projects[pid]
            info = agg.info[pid]
            reason = info.light_reason if month.end == as_of else f"{month.month.year}年{month.month.month}月末为红灯"
            out.append(FeedEvent("turned_red", pid, month.end, p.title, reason, month.month.strftime("%Y-%m")))
    out += record_events(ds)
    out.sort(key=_order, reverse=True)
    return out


def record_events(ds: Dataset) -> list[FeedEvent]:
    """Projects and results a release changed or withdrew (the public record, when a
    publish builds the site), dated by that release's as-of date. A first release adds
    everything: the lists' own events say that."""
    record = ds.record
    if record is None:
        return []
    from generator.site.views import release_url

    out = []
    for release in record.releases:
        if release.first:
            continue
        date = dt.date.fromisoformat(release.as_of) if release.as_of else ds.as_of
        for c in record.changes.get(release.id, ()):
            if c.change == "added":
                continue
            kind = {"projects": c.change, "results": f"result_{c.change}", "demands": f"demand_{c.change}"}[c.list]
            if c.list == "demands":  # a demand has no page of its own: the release lists it
                summary = "；".join(f"{f.label}：{f.old or '（空）'} → {f.new or '（空）'}" for f in c.fields)
                summary = summary or f"发布版本 {release.id} 撤回了这一条需求"
                out.append(FeedEvent(kind, c.id, date, c.title or c.id, summary, release.id, release_url(release.id)))
                continue
            if c.change == "changed":
                summary = "；".join(f"{f.label}：{f.old or '（空）'} → {f.new or '（空）'}" for f in c.fields)
                page = "" if c.id in ds.projects else release_url(release.id)
            else:
                summary = f"发布版本 {release.id} 撤回了这一条，它最后公开时的内容见发布记录"
                page = release_url(release.id) if c.list == "projects" or c.id not in ds.projects else ""
            title = c.title or (ds.projects[c.id].title if c.id in ds.projects else c.id)
            out.append(FeedEvent(kind, c.id, date, title, summary, release.id, page))
    return out


def _order(e: FeedEvent) -> tuple:
    """Newest first (reversed); ties in a fixed order so the bytes never vary."""
    return (e.date, e.project, e.kind, e.key)


_TEXT = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;"})
_ATTR = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;"})


def escape(text: str) -> str:
    """XML character data (what xml.sax.saxutils.escape does, in one C pass)."""
    return text.translate(_TEXT)


def quoteattr(text: str) -> str:
    """A double-quoted XML attribute value."""
    return '"' + text.translate(_ATTR) + '"'


def _date_cn(d: dt.date | None) -> str:
    return f"{d.year}年{d.month}月{d.day}日" if d else ""


def _stamp(d: dt.date) -> str:
    return f"{d.isoformat()}T00:00:00{TZ}"


def domain(base_url: str) -> str:
    """The host of the site's address (the tag: URI's authority)."""
    host = base_url.split("//", 1)[-1].split("/", 1)[0].split(":", 1)[0]
    # Without an address the ids still need an authority: a reserved name that can
    # never belong to anyone else (RFC 2606). Setting base_url later gives new ids.
    return host.lower() or "gongshi.invalid"


def entry_id(authority: str, e: FeedEvent) -> str:
    noun = "demand" if e.kind.startswith("demand_") else "project"  # what ``e.project`` names
    return f"tag:{authority},{TAG_DATE}:{noun}/{slugify(e.project)}/{e.kind}/{e.key}"


@dataclass(frozen=True)
class Feed:
    path: str  # relative to the site root
    title: str
    page: str  # the page it follows (relative URL)
    entries: Sequence[FeedEvent]


def _href(base_url: str, feed_path: str, target: str) -> str:
    """A link from the feed at ``feed_path`` to ``target`` (both relative to the root):
    absolute with the site's address, else relative to the feed file."""
    if base_url:
        return media.absolute(base_url, target)
    depth = feed_path.count("/")
    return "../" * depth + target if depth else (target or "./")


def atom(feed: Feed, ds: Dataset, as_of: dt.date) -> bytes:
    """One feed as Atom XML (UTF-8)."""
    settings = ds.settings
    base = settings.base_url.rstrip("/")
    authority = domain(base)
    updated = max((e.date for e in feed.entries), default=as_of)
    author = settings.organizer or settings.name
    lines = [
        '<?xml version="1.0" encoding="utf-8"?>',
        '<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="zh-CN">',
        f"<id>{escape(f'tag:{authority},{TAG_DATE}:{feed.path}')}</id>",
        f"<title>{escape(feed.title)}</title>",
        f"<subtitle>{escape(f'{settings.name}：新项目、进展、完成、销号、红灯，以及发布记录中的变更和撤回（按清单中的日期）')}</subtitle>",
        f"<updated>{_stamp(updated)}</updated>",
        f"<author><name>{escape(author)}</name></author>",
        f'<link rel="self" type="application/atom+xml" href={quoteattr(_href(base, feed.path, feed.path))}/>',
        f'<link rel="alternate" type="text/html" href={quoteattr(_href(base, feed.path, feed.page))}/>',
    ]
    for e in feed.entries:
        label = KIND_LABELS[e.kind]
        link = _href(base, feed.path, e.page or url_for("project", e.project))
        lines += [
            "<entry>",
            f"<id>{escape(entry_id(authority, e))}</id>",
            f"<title>{escape(f'【{label}】{e.title}')}</title>",
            f"<updated>{_stamp(e.date)}</updated>",
            f"<published>{_stamp(e.date)}</published>",
            f'<link rel="alternate" type="text/html" href={quoteattr(link)}/>',
            f'<category term="{e.kind}" label={quoteattr(label)}/>',
            f"<summary>{escape(e.summary or label)}</summary>",
            "</entry>",
        ]
    lines.append("</feed>")
    return ("\n".join(lines) + "\n").encode("utf-8")


def _first(items: Iterable[FeedEvent], n: int) -> tuple[FeedEvent, ...]:
    out = []
    for e in items:
        out.append(e)
        if len(out) == n:
            break
    return tuple(out)


def feeds(ds: Dataset, agg: Aggregates) -> list[Feed]:
    """The portal's feed and one per subdistrict, community and unit (every one, even
    when empty: a reader subscribed before the first project keeps a valid feed)."""
    all_events = events(ds, agg)
    by_project: dict[str, list[FeedEvent]] = {}
    for e in all_events:
        by_project.setdefault(e.project, []).append(e)
    # Each scope's projects, then each scope's newest events (a scope has a few dozen
    # projects: sorting their events beats one dict update per event and scope).
    area_projects: dict[str, list[str]] = {}
    unit_projects: dict[str, list[str]] = {}
    for pid, p in ds.projects.items():
        if pid not in by_project:
            continue
        for area_id in dict.fromkeys([*p.communities, *(ds.areas[c].parent for c in p.communities if c in ds.areas)]):
            area_projects.setdefault(area_id, []).append(pid)
        for u in dict.fromkeys([p.lead_unit, *p.partner_units]):
            unit_projects.setdefault(u, []).append(pid)

    def newest(pids: list[str]) -> list[FeedEvent]:
        chosen = [e for pid in pids for e in by_project[pid][:SCOPE_ENTRIES]]
        chosen.sort(key=_order, reverse=True)
        return chosen[:SCOPE_ENTRIES]

    by_area = {a: newest(pids) for a, pids in area_projects.items()}
    by_unit = {u: newest(pids) for u, pids in unit_projects.items()}
    name = ds.settings.name
    out = [Feed(media.SITE_FEED, f"{name}：最新动态", "", _first(all_events, SITE_ENTRIES))]
    for a in sorted(ds.areas.values(), key=lambda a: a.id):
        if a.level not in ("subdistrict", "community"):
            continue
        url = url_for(a.level, a.id)
        path = media.feed_path(url)
        assert path is not None
        out.append(Feed(path, f"{a.name}：最新动态 - {name}", url, _first(by_area.get(a.id, ()), SCOPE_ENTRIES)))
    for uid in sorted(ds.units):
        url = url_for("unit", uid)
        path = media.feed_path(url)
        assert path is not None
        title = f"{ds.units[uid].name}：最新动态 - {name}"
        out.append(Feed(path, title, url, _first(by_unit.get(uid, ()), SCOPE_ENTRIES)))
    return out


def feeds_digest(ds: Dataset, code: str) -> str | None:
    """A digest of everything the feeds are made of: the rows of the project, progress,
    result and feedback lists (feedback moves lights), the names of areas and units, the
    settings (as-of date, address, light rules) and ``code``. None without the rows'
    hashes (a dataset not made by ``prepare``): then the feeds are always built."""
    src = ds.sources
    if src is None:
        return None
    h = hashlib.blake2b(repr((code, ds.settings, ds.satisfied_keys)).encode(), digest_size=16)
    for table in ("projects", "progress", "results", "feedback"):
        h.update(src.hashes[table].tobytes())  # each row's cells, its project's id among them
    h.update(repr(sorted((a.id, a.name, a.level, a.parent) for a in ds.areas.values())).encode())
    h.update(repr(sorted((u.id, u.name) for u in ds.units.values())).encode())
    h.update(repr(record_events(ds)).encode())
    return h.hexdigest()


def feed_files(ds: Dataset, agg: Aggregates) -> dict[str, bytes]:
    """Every feed's path and bytes."""
    return {f.path: atom(f, ds, ds.as_of) for f in feeds(ds, agg)}

