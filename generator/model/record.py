"""The public record as the pages show it (发布记录): releases, what changed in each, and
each project's own change history.

The record itself (hash chain, manifests, ``changes/<id>.json``) is made and checked by
:mod:`generator.publish.record`. A publish builds the site knowing the release it is
about to make: the live release's record plus this release's changes (this build's lists
against the live release's), so the pages of a release already list that release. A plain
``gongshi build`` has no record, and no record pages.

Pure functions over plain data: JSON documents in, frozen dataclasses out.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from generator.schema import TABLES_BY_NAME

# The lists whose items the record follows, and the field naming an item (as in
# publish.record.LISTS) and the one titling it on the pages.
TITLES = {"demands": "summary", "projects": "title", "results": "title"}
CHANGES = ("added", "changed", "withdrawn")


@dataclass(frozen=True, slots=True)
class FieldChange:
    label: str  # the column's Chinese label
    old: str
    new: str


@dataclass(frozen=True, slots=True)
class ItemChange:
    list: str  # demands, projects, results
    id: str
    change: str  # added, changed, withdrawn
    title: str
    fields: tuple[FieldChange, ...] = ()


@dataclass(frozen=True, slots=True)
class Release:
    id: str
    published_at: str  # UTC, as the manifest states it
    as_of: str | None  # the data's as-of date
    previous: str | None
    summary: Mapping[str, Mapping[str, int]]  # list -> added/changed/withdrawn -> count
    first: bool = False  # the first release: every item is "added"


@dataclass(frozen=True, slots=True)
class HistoryEvent:
    release: str
    as_of: str | None
    change: str
    fields: tuple[FieldChange, ...] = ()


@dataclass(frozen=True)
class PublicRecord:
    """The releases, newest first (the first is the one being published), the changes of
    each, and per project its events, oldest first."""

    releases: tuple[Release, ...]
    changes: Mapping[str, tuple[ItemChange, ...]] = field(default_factory=dict)
    projects: Mapping[str, tuple[HistoryEvent, ...]] = field(default_factory=dict)

    def project_history(self, pid: str) -> tuple[HistoryEvent, ...]:
        return self.projects.get(pid, ())


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        return "、".join(map(_text, value))
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _label(list_name: str, name: str) -> str:
    table = TABLES_BY_NAME[list_name]
    for column in (*table.columns, *table.derived):
        if column.name == name:
            return column.label
    return name


def _fields(list_name: str, fields: Mapping[str, list]) -> tuple[FieldChange, ...]:
    return tuple(FieldChange(_label(list_name, f), _text(old), _text(new)) for f, (old, new) in fields.items())


def item_changes(doc: Mapping[str, Any]) -> tuple[ItemChange, ...]:
    """The changes of one release (a ``changes/<id>.json`` document), list by list."""
    out: list[ItemChange] = []
    for name, lists in (doc.get("lists") or {}).items():
        if name not in TITLES:
            continue
        for change in CHANGES:
            for entry in lists.get(change, []):
                item = entry.get("item") or {}
                title = _text(item.get(TITLES[name]))
                if change == "changed" and not title:
                    title = _text(entry["fields"].get(TITLES[name], [None, None])[1])
                fields = _fields(name, entry.get("fields", {})) if change == "changed" else ()
                out.append(ItemChange(name, str(entry["id"]), change, title, fields))
    return tuple(out)


def _release(entry: Mapping[str, Any]) -> Release:
    return Release(
        str(entry["id"]),
        str(entry.get("published_at") or ""),
        entry.get("as_of"),
        entry.get("previous"),
        {k: dict(v) for k, v in (entry.get("changes") or {}).items()},
        first=entry.get("previous") is None,
    )


def public_record(
    releases: list[Mapping[str, Any]],
    changes: Mapping[str, Mapping[str, Any]],
    history: Mapping[str, Any],
) -> PublicRecord:
    """The record of the pages from the record's JSON: ``releases`` (releases.json, newest
    first), ``changes`` (release id -> changes/<id>.json) and ``history`` (history.json)."""
    projects: dict[str, tuple[HistoryEvent, ...]] = {}
    for pid, events in (history.get("projects") or {}).items():
        projects[str(pid)] = tuple(
            HistoryEvent(
                str(e["release"]),
                e.get("as_of"),
                str(e["change"]),
                _fields("projects", e.get("fields", {})) if e.get("change") == "changed" else (),
            )
            for e in events
        )
    return PublicRecord(
        tuple(_release(e) for e in releases),
        {rid: item_changes(doc) for rid, doc in changes.items()},
        projects,
    )


def loads(data: bytes | None, default: Any) -> Any:
    """A record document, or ``default`` when it is missing or not JSON."""
    if data is None:
        return default
    try:
        return json.loads(data)
    except ValueError:
        return default


def published_at(now: dt.datetime) -> str:
    return now.strftime("%Y-%m-%dT%H:%M:%SZ")
