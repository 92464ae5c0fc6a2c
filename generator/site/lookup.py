"""查询我的诉求: find a demand by the number on the resident's receipt (需求编号).

A resident types the number as they read it: with spaces, in full-width digits, in lower
case. :func:`lookup_key` folds all of that away, and :func:`range_key` says which range of
numbers the demand belongs to. The same range names two static outputs:

- ``lookup/d/<range>.json``: a small shard the lookup page fetches with JavaScript (about a
  hundred demands, a few KB, so a weak network fetches one number's record quickly);
- ``demands/<range>/``: a page per range listing its demands, each at an anchor, the stable
  URL without JavaScript (and the one printed on a receipt).

``theme/static/js/lookup.js`` computes the same two functions: change them together
(``tests/test_lookup.py`` checks both sides on the same ids).

A number ending in three or more digits belongs to the range of its last two digits
(``D000123`` → ``d0001``: ``D000100``–``D000199``), so numbers given out in order fill one
range after another, and a new demand changes one range only. Any other number lands in one
of :data:`BUCKETS` ranges by a hash of its key (``x`` + three hex digits).
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from generator.site.views import ViewBuilder

BUCKETS = 4096
_SPACE = re.compile(r"\s+")
_NUMBERED = re.compile(r"[a-z0-9-]*[0-9]{3}")
SHARDS = "lookup/d/"
RANGES = "demands/"


def lookup_key(text: str) -> str:
    """The form of a receipt number that lookups compare: NFKC (full-width digits and
    letters become ASCII), no white space, lower case."""
    return _SPACE.sub("", unicodedata.normalize("NFKC", text)).lower()


def fnv1a(text: str) -> int:
    """32-bit FNV-1a of the UTF-8 bytes: a hash JavaScript computes the same way."""
    h = 0x811C9DC5
    for byte in text.encode("utf-8"):
        h = ((h ^ byte) * 0x01000193) & 0xFFFFFFFF
    return h


def range_key(key: str) -> str:
    """The range a demand's :func:`lookup_key` belongs to: a URL path segment."""
    if _NUMBERED.fullmatch(key):
        return key[:-2]
    return f"x{fnv1a(key) % BUCKETS:03x}"


def demand_ranges(ids: Sequence[str]) -> dict[str, list[int]]:
    """Positions of the demands ``ids`` by range; ranges in key order, demands by key.
    Two demands whose numbers fold to the same key: the first one listed keeps it."""
    by_key: dict[str, int] = {}
    for n, ident in enumerate(ids):
        by_key.setdefault(lookup_key(ident), n)
    ranges: dict[str, list[tuple[str, int]]] = {}
    for key, n in by_key.items():
        ranges.setdefault(range_key(key), []).append((key, n))
    return {r: [n for _, n in sorted(items)] for r, items in sorted(ranges.items())}


def range_url(rkey: str) -> str:
    return f"{RANGES}{rkey}/"


def demand_anchor(ident: str) -> str:
    """The anchor of a demand on its range page (``#d-<key>``; an id attribute, so it is
    never empty and never starts with a digit)."""
    return "d-" + lookup_key(ident)


def receipt_url(ident: str) -> str:
    """Where a receipt's link or QR code points: the demand on its range page."""
    return f"{range_url(range_key(lookup_key(ident)))}#{demand_anchor(ident)}"


def _iso(value) -> str:
    return value.isoformat() if value else ""


def shard_files(b: ViewBuilder) -> dict[str, bytes]:
    """``lookup/d/<range>.json`` for every range: only published, masked fields.

    ``{"demands": {key: demand}, "projects": {project id: project}}`` where a demand is
    ``{"id", "received", "community", "stage", "decline", "project"}`` and a project
    ``{"title", "url", "status", "light_label", "deadline", "completed", "signed_off",
    "outcome"}`` (its URL relative to the site root). The demand's own page is
    :func:`receipt_url`, which lookup.js computes from the number."""
    files: dict[str, bytes] = {}
    for rkey, positions in b.demand_ranges().items():
        demands: dict[str, dict] = {}
        projects: dict[str, dict] = {}
        for n in positions:
            row = b.demand_row(n)
            pid = b.ds.demands[n].project if row.project else ""
            demands[lookup_key(row.id)] = {
                "id": row.id,
                "received": _iso(row.received),
                "community": row.community.text,
                "stage": row.stage,
                "decline": row.decline_reason,
                "project": pid,
            }
            if pid and pid not in projects:
                p = b.project_row(pid)
                projects[pid] = {
                    "title": p.title,
                    "url": p.url,
                    "status": p.status.label,
                    "light_label": p.status.light_label,
                    "deadline": _iso(p.deadline),
                    "completed": _iso(p.completed),
                    "signed_off": _iso(p.signed_off),
                    "outcome": p.outcome,
                }
        body = {"demands": demands, "projects": projects}
        files[f"{SHARDS}{rkey}.json"] = json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    return files
