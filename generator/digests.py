"""Page digests from what each page shows, without building its view-model.

A rebuild after a small change must not build 50,000 view-models to find the 2,000 pages
that changed. Every entity gets a content digest once per build (a project with its
supervision info, progress log, result, ratings and comments; a demand; an area; a unit;
the figures of an area or unit). A page's digest combines the digests of exactly what its
:class:`~generator.views.ViewBuilder` method reads, plus its template and the site-wide
context; a page whose digest matches the previous build is neither built nor rendered.

Each ``_<method>`` below mirrors the ViewBuilder method of the same name: when a view
reads something new, its digest here must read it too. ``test_incremental`` proves, for
many kinds of change, that an incremental build equals a full build byte for byte. Pages
without a mirror here (home, the two indexes: a few hundred at most) are digested from
their built view-model instead.
"""

from __future__ import annotations

import hashlib
from dataclasses import fields
from operator import attrgetter

import numpy as np
import pandas as pd

from .views import ViewBuilder

_SIZE = 12
_K1 = 0x9E3779B97F4A7C15  # odd 64-bit constants (golden ratio, splitmix64)
_K2 = 0xBF58476D1CE4E5B9
_K3 = 0x94D049BB133111EB


def _d(text: str) -> bytes:
    return hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=_SIZE).digest()


def _values(cls) -> attrgetter:
    """All dataclass fields of ``cls`` as one tuple (C speed, unlike repr of a dataclass)."""
    return attrgetter(*(f.name for f in fields(cls)))


def view_model_digest(page) -> str:
    return hashlib.blake2b(repr(page).encode("utf-8", "surrogatepass"), digest_size=16).hexdigest()


# -- 64-bit hashes of table rows, computed column-wise with numpy
#
# The lists hold millions of cells; hashing each row's Python objects costs seconds at
# city size, hashing each column's distinct values and combining columns as arrays costs
# a tenth of that. A value is hashed by its repr, so 1, "1", None and "None" all differ.


def _avalanche(x: np.ndarray) -> np.ndarray:
    """splitmix64's finaliser: every input bit moves every output bit."""
    x = x ^ (x >> np.uint64(30))
    x = x * np.uint64(_K2)
    x = x ^ (x >> np.uint64(27))
    x = x * np.uint64(_K3)
    return x ^ (x >> np.uint64(31))


def value_hashes(values) -> np.ndarray:
    """A 64-bit hash of each value (of its repr)."""
    values = values.tolist() if isinstance(values, np.ndarray) else list(values)
    reprs = np.empty(len(values), dtype=object)
    reprs[:] = [repr(v) for v in values]
    return pd.util.hash_array(reprs, categorize=False)


def mix(h: np.ndarray, x: np.ndarray) -> np.ndarray:
    """Combine two hash arrays, order-sensitively."""
    return _avalanche(h * np.uint64(_K1) + x)


def row_hashes(
    typed: dict[str, np.ndarray], codes: dict[str, np.ndarray], patches: dict[str, dict[int, object]]
) -> np.ndarray:
    """A hash of each row of a factorized table: its cells are ``typed[c][codes[c]]``,
    except ``patches[c][position]`` (masked text)."""
    h = None
    for c in sorted(codes):
        column = value_hashes(typed[c])[codes[c]]
        patch = patches.get(c)
        if patch:
            column[np.fromiter(patch, dtype=np.int64, count=len(patch))] = value_hashes(list(patch.values()))
        h = column if h is None else mix(h, column)
    return h if h is not None else np.zeros(0, dtype=np.uint64)


def group_hashes(groups: np.ndarray, hashes: np.ndarray, count: int) -> np.ndarray:
    """For group ``g`` in ``range(count)``: a hash of the hashes of its rows, in row
    order (``groups``: each row's group, -1 for none). A group without rows hashes to 0."""
    keep = groups >= 0
    g, h = groups[keep], hashes[keep]
    order = np.argsort(g, kind="stable")
    g, h = g[order], h[order]
    position = (np.arange(len(g)) - np.searchsorted(g, g, side="left")).astype(np.uint64)
    out = np.zeros(count, dtype=np.uint64)
    np.add.at(out, g, mix(h, position))
    sizes = np.bincount(g, minlength=count).astype(np.uint64)
    return np.where(sizes > 0, mix(out, sizes), np.uint64(0))


def _as_bytes(hashes: np.ndarray) -> list[bytes]:
    raw = hashes.astype("<u8", copy=False).tobytes()
    return [raw[i : i + 8] for i in range(0, len(raw), 8)]


class PageDigests:
    """Content digests of every entity, and from them the digest of any data page."""

    def __init__(self, builder: ViewBuilder):
        self.b = builder
        ds, agg = builder.ds, builder.agg
        any_area = next(iter(ds.areas.values()), None)
        any_unit = next(iter(ds.units.values()), None)
        area_values = _values(type(any_area)) if any_area else None
        unit_values = _values(type(any_unit)) if any_unit else None
        self.area = {k: _d(repr(area_values(a))) for k, a in ds.areas.items()}
        self.unit = {k: _d(repr(unit_values(u))) for k, u in ds.units.items()}
        self.area_figures = {k: _d(repr(f)) for k, f in (*agg.communities.items(), *agg.subdistricts.items())}
        self.unit_figures = {k: _d(repr(f)) for k, f in agg.units.items()}
        none = _d("None")
        self._none = none

        # A project: its row, the demands it ended up with, its supervision info, and
        # every progress, result and feedback row naming it (feedback gives both the
        # rating counts and the public comments).
        src = ds.sources
        pids = list(ds.projects)
        index = pd.Index(pids)
        info_values = _values(type(agg.info[pids[0]])) if pids else None
        project = src.hashes["projects"]
        at = index.get_indexer(src.keys["projects"])
        own = np.zeros(len(pids), dtype=np.uint64)
        own[at[at >= 0]] = project[at >= 0]
        content = mix(own, value_hashes([p.demands for p in ds.projects.values()]))
        content = mix(content, value_hashes([info_values(agg.info[p]) for p in pids]))
        for name in ("progress", "results", "feedback"):
            groups = index.get_indexer(src.keys[name])
            content = mix(content, group_hashes(groups, src.hashes[name], len(pids)))
        self.project = dict(zip(pids, _as_bytes(content), strict=True))
        # A ProjectRow (lists, community and unit pages) also shows the names of its
        # communities and lead unit.
        self.project_row: dict[str, bytes] = {}
        for pid, p in ds.projects.items():
            links = [self.area.get(c, none) for c in p.communities]
            links.append(self.unit.get(p.lead_unit, none))
            self.project_row[pid] = _digest(self.project[pid], *links)

        # A demand row: the demand, the project it belongs to (given on either side), and
        # the names of its community and project.
        self.demand_row: list[bytes] = []
        if ds.demands:
            areas, projects = ds.areas, ds.projects
            final = [d.project for d in ds.demands]
            names = [(a.name if (a := areas.get(d.community)) else None) for d in ds.demands]
            titles = [(p.title if (p := projects.get(d.project)) else None) if d.project else None for d in ds.demands]
            h = mix(src.hashes["demands"], value_hashes(final))
            h = mix(mix(h, value_hashes(names)), value_hashes(titles))
            self.demand_row = _as_bytes(h)

    # -- one mirror per ViewBuilder page method
    def _project(self, pid: str) -> list[bytes]:
        ds, b = self.b.ds, self.b
        p = ds.projects[pid]
        first = ds.areas[p.communities[0]]
        index = b._demand_index
        return [
            self.project_row[pid],
            self.area[first.parent],
            self.area[first.id],
            *(self.unit[u] for u in p.partner_units),
            *(self.demand_row[index[d]] for d in p.demands if d in index),
        ]

    def _community(self, area_id: str) -> list[bytes]:
        agg, a = self.b.agg, self.b.ds.areas[area_id]
        return [
            self.area[area_id],
            self.area[a.parent],
            self.area_figures.get(area_id, self._none),
            b"projects",
            *(self.project_row[p] for p in agg.community_projects.get(area_id, ())),
            b"demands",
            *(self.demand_row[n] for n in agg.community_demands.get(area_id, ())),
            b"units",
            *(self.unit[u] for u in self.b._paired_units.get(area_id, ())),
        ]

    def _unit(self, uid: str) -> list[bytes]:
        agg, u = self.b.agg, self.b.ds.units[uid]
        return [
            self.unit[uid],
            self.unit_figures.get(uid, self._none),
            *(self.project_row[p] for p in agg.unit_projects.get(uid, ())),
            b"communities",
            *(self.area.get(c, self._none) for c in u.paired_communities),
        ]

    def _subdistrict(self, area_id: str) -> list[bytes]:
        ds, agg = self.b.ds, self.b.agg
        a = ds.areas[area_id]
        children = sorted(c for c in a.children if ds.areas[c].level == "community")
        return [
            self.area[area_id],
            self.area_figures.get(area_id, self._none),
            *(self.area[c] + self.area_figures.get(c, self._none) for c in children),
            b"attention",
            *(self.project_row[p] for p in self.b.attention_ids(agg.subdistrict_projects.get(area_id, []))),
        ]

    def _list_page(self, kind: str, number: int) -> list[bytes]:
        ids = self.b._list_ids(kind)
        size = self.b.page_size
        rows = self.demand_row if kind == "demands" else self.project_row
        return [
            repr((len(ids), self.b.list_page_count(kind))).encode(),
            *(rows[i] for i in ids[(number - 1) * size : number * size]),
        ]

    def digest(self, method: str, args: tuple, base: str) -> str | None:
        """The page's digest, or None when it must come from the built view-model.

        ``base`` is the digest of the template (with everything it includes) and the
        site-wide context.
        """
        mirror = getattr(self, "_" + method, None)
        if mirror is None:
            return None
        h = hashlib.blake2b(digest_size=16)
        h.update(f"{base}\0{method}\0{args!r}\0".encode())
        h.update(b"".join(mirror(*args)))
        return h.hexdigest()


# What each download (export.py) is made of: the rows of these lists. A demand and a
# project may name each other from either side, so each also shows the links as linked.
_DOWNLOAD_SOURCES = {
    "demands": ("demands",),
    "projects": ("projects", "progress", "results", "feedback"),
    "results": ("results", "projects", "areas", "units"),
}


def download_digests(ds, code: str) -> dict[str, str]:
    """A digest of what each published list's download is built from (``code``: the
    digest of the code that builds it)."""
    src = ds.sources
    common = repr((code, sorted((k, repr(v)) for k, v in ds.settings.items()), ds.satisfied_keys, ds.rating_enum))
    out = {}
    for name, lists in _DOWNLOAD_SOURCES.items():
        h = hashlib.blake2b(common.encode(), digest_size=16)
        for table in lists:
            h.update(src.hashes[table].tobytes())
        if name == "demands":
            h.update(value_hashes([d.project for d in ds.demands]).tobytes())
        elif name == "projects":
            h.update(value_hashes([p.demands for p in ds.projects.values()]).tobytes())
        out[name] = h.hexdigest()
    return out


def _digest(*parts: bytes) -> bytes:
    return hashlib.blake2b(b"".join(parts), digest_size=_SIZE).digest()

