"""Page digests from what each page shows, without building its view-model.

A rebuild after a small change must not build 50,000 view-models to find the 2,000 pages
that changed. Every entity gets a 64-bit content hash once per build (a project with its
supervision info, progress log, result, ratings and comments; a demand; an area; a unit;
the figures of an area or unit). A page's digest combines the hashes of exactly what its
:class:`~generator.views.ViewBuilder` method reads, plus its template and the site-wide
context; a page whose digest matches the previous build is neither built nor rendered.

Each ``_<method>`` below mirrors the ViewBuilder method of the same name (``_projects``
mirrors ``project`` for all project pages at once): when a view reads something new, its
digest here must read it too. ``test_incremental`` proves, for
many kinds of change, that an incremental build equals a full build byte for byte. The
home page has no mirror: it is digested from its built view-model instead.
"""

from __future__ import annotations

import hashlib
from dataclasses import fields
from functools import cached_property
from operator import attrgetter

import numpy as np
import pandas as pd
from pandas.api.types import infer_dtype

from .views import ViewBuilder

_K1 = 0x9E3779B97F4A7C15  # odd 64-bit constants (golden ratio, splitmix64)
_K2 = 0xBF58476D1CE4E5B9
_K3 = 0x94D049BB133111EB


def _values(cls) -> attrgetter:
    """All dataclass fields of ``cls`` as one tuple (C speed, unlike repr of a dataclass)."""
    return attrgetter(*(f.name for f in fields(cls)))


def view_model_digest(page) -> int:
    """A 64-bit digest of a built view-model (for the few pages without a mirror)."""
    return _int(repr(page))


def _int(text: str) -> int:
    return int.from_bytes(hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=8).digest(), "little")


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
    """A 64-bit hash of each value (of its repr). A list of nothing but strings is hashed
    as the strings themselves, at C speed: no other value is in it to be told apart."""
    values = values.tolist() if isinstance(values, np.ndarray) else values
    column = np.fromiter(values, dtype=object, count=len(values))
    if len(column) and infer_dtype(column, skipna=False) == "string":
        return pd.util.hash_array(column, categorize=True)
    column[:] = [repr(v) for v in values]
    return pd.util.hash_array(column, categorize=False)


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


def _u64(values) -> np.ndarray:
    return np.fromiter(values, dtype=np.uint64)


def _grouped(pairs: list[tuple[int, int]], count: int) -> np.ndarray:
    """:func:`group_hashes` of (group, hash) pairs listed in row order."""
    groups = np.fromiter((n for n, _ in pairs), dtype=np.int64, count=len(pairs))
    return group_hashes(groups, _u64(h for _, h in pairs), count)


# Constants that separate the sections of a page's parts, so that moving an entity from
# one section to the next changes the digest.
_PROJECTS, _DEMANDS, _UNITS, _COMMUNITIES, _ATTENTION = map(
    _int, ("projects", "demands", "units", "communities", "attention")
)


class PageDigests:
    """64-bit content hashes of every entity, and from them the digest of every data page.

    Entity hashes are Python ints. A page's mirror lists the hashes of what it shows, in
    order; :meth:`manifest` combines every page's list with numpy in one pass, so the cost
    per page is building that list, not hashing bytes.
    """

    def __init__(self, builder: ViewBuilder):
        self.b = builder
        ds, agg = builder.ds, builder.agg
        src = ds.sources
        none = self._none = int(value_hashes([None])[0])

        def by_key(items: dict, values) -> dict:
            return dict(zip(items, value_hashes([values(v) for v in items.values()]).tolist(), strict=True))

        any_area = next(iter(ds.areas.values()), None)
        any_unit = next(iter(ds.units.values()), None)
        self.area = by_key(ds.areas, _values(type(any_area))) if any_area else {}
        self.unit = by_key(ds.units, _values(type(any_unit))) if any_unit else {}
        self.area_figures = by_key({**agg.communities, **agg.subdistricts}, repr)
        self.unit_figures = by_key(agg.units, repr)
        self.district = int(value_hashes([repr(agg.district)])[0])

        # A project: its row, the demands it ended up with, its supervision info, and
        # every progress, result and feedback row naming it (feedback gives both the
        # rating counts and the public comments).
        pids = list(ds.projects)
        index = pd.Index(pids)
        info_values = _values(type(agg.info[pids[0]])) if pids else None
        at = index.get_indexer(src.keys["projects"])
        content = np.zeros(len(pids), dtype=np.uint64)
        content[at[at >= 0]] = src.hashes["projects"][at >= 0]
        content = mix(content, value_hashes([p.demands for p in ds.projects.values()]))
        content = mix(content, value_hashes([info_values(agg.info[p]) for p in pids]))
        for name in ("progress", "results", "feedback"):
            groups = index.get_indexer(src.keys[name])
            content = mix(content, group_hashes(groups, src.hashes[name], len(pids)))
        # A ProjectRow (lists, community and unit pages) also shows the names of its
        # communities and lead unit.
        area = self.area
        links = [(n, area.get(c, none)) for n, p in enumerate(ds.projects.values()) for c in p.communities]
        content = mix(content, _grouped(links, len(pids)))
        content = mix(content, _u64(self.unit.get(p.lead_unit, none) for p in ds.projects.values()))
        self.project_row = dict(zip(pids, content.tolist(), strict=True))

        # A demand row: the demand, the project it belongs to (given on either side), and
        # the names of its community and project.
        self.demand_row: list[int] = []
        if ds.demands:
            areas, projects = ds.areas, ds.projects
            final = [d.project for d in ds.demands]
            names = [(a.name if (a := areas.get(d.community)) else None) for d in ds.demands]
            titles = [(p.title if (p := projects.get(d.project)) else None) if d.project else None for d in ds.demands]
            h = mix(src.hashes["demands"], value_hashes(final))
            h = mix(mix(h, value_hashes(names)), value_hashes(titles))
            self.demand_row = h.tolist()

    # -- one mirror per ViewBuilder page method: the hashes of what the page shows
    def _community(self, area_id: str) -> list[int]:
        agg, a = self.b.agg, self.b.ds.areas[area_id]
        rows, demands, unit = self.project_row, self.demand_row, self.unit
        return [
            self.area[area_id],
            self.area[a.parent],
            self.area_figures.get(area_id, self._none),
            _PROJECTS,
            *[rows[p] for p in agg.community_projects.get(area_id, ())],
            _DEMANDS,
            *[demands[n] for n in agg.community_demands.get(area_id, ())],
            _UNITS,
            *[unit[u] for u in self.b._paired_units.get(area_id, ())],
        ]

    def _unit(self, uid: str) -> list[int]:
        agg, u = self.b.agg, self.b.ds.units[uid]
        rows, area, none = self.project_row, self.area, self._none
        return [
            self.unit[uid],
            self.unit_figures.get(uid, none),
            *[rows[p] for p in agg.unit_projects.get(uid, ())],
            _COMMUNITIES,
            *[area.get(c, none) for c in u.paired_communities],
        ]

    def _subdistrict(self, area_id: str) -> list[int]:
        ds, agg = self.b.ds, self.b.agg
        a = ds.areas[area_id]
        area, figures, none = self.area, self.area_figures, self._none
        children = sorted(c for c in a.children if ds.areas[c].level == "community")
        out = [area[area_id], figures.get(area_id, none)]
        for c in children:
            out += (area[c], figures.get(c, none))
        out.append(_ATTENTION)
        rows = self.project_row
        out += [rows[p] for p in self.b.attention_ids(agg.subdistrict_projects.get(area_id, []))]
        return out

    @staticmethod
    def _count(kind: str, total: int, pages: int) -> int:
        return _int(repr((kind, total, pages)))

    def _list_page(self, kind: str, number: int) -> list[int]:
        b = self.b
        ids, size = b._list_ids(kind), b.page_size
        rows = self.demand_row if kind == "demands" else self.project_row
        head = self._count(kind, len(ids), b.list_page_count(kind))
        return [head, *[rows[i] for i in ids[(number - 1) * size : number * size]]]

    def _index(self, kind: str, ids: list[str], names: dict[str, int], figures: dict[str, int], number: int):
        """A page of an index comparing entities on their figures, beside the district's."""
        size, none = self.b.page_size, self._none
        out = [self._count(kind, len(ids), self.b._index_count(len(ids))), self.district]
        for i in ids[(number - 1) * size : number * size]:
            out += (names[i], figures.get(i, none))
        return out

    def _units_index(self, number: int) -> list[int]:
        return self._index("units_index", self._unit_ids, self.unit, self.unit_figures, number)

    def _subdistricts_index(self, number: int) -> list[int]:
        return self._index("subdistricts_index", self._subdistrict_ids, self.area, self.area_figures, number)

    @cached_property
    def _unit_ids(self) -> list[str]:
        return sorted(self.b.ds.units)

    @cached_property
    def _subdistrict_ids(self) -> list[str]:
        return sorted(a.id for a in self.b.ds.level("subdistrict"))

    def _projects(self, pids: list[str]) -> np.ndarray:
        """Mirror of ``ViewBuilder.project`` for all project pages at once, as arrays (a
        city has 40,000): the row, the first community and its subdistrict (breadcrumbs),
        the partner units and the demand rows."""
        ds, index, unit, rows = self.b.ds, self.b._demand_index, self.unit, self.demand_row
        projects, areas, area = ds.projects, ds.areas, self.area
        chosen = [projects[p] for p in pids]
        first = [areas[p.communities[0]] for p in chosen]
        partners = [(n, unit[u]) for n, p in enumerate(chosen) for u in p.partner_units]
        demands = [(n, rows[index[d]]) for n, p in enumerate(chosen) for d in p.demands if d in index]
        h = _u64(self.project_row[p] for p in pids)
        h = mix(mix(h, _u64(area[a.parent] for a in first)), _u64(area[a.id] for a in first))
        return mix(mix(h, _grouped(partners, len(pids))), _grouped(demands, len(pids)))

    def manifest(self, specs: list[tuple[str, tuple]], bases: list[str]) -> list[str]:
        """The digest of each spec's page (``bases``: per spec, the digest of its
        template, what that includes, and the site-wide context)."""
        flat: list[int] = []
        sizes: list[int] = []
        mirrors = {m: getattr(self, "_" + m, None) for m in {m for m, _ in specs}}
        projects = [n for n, (method, _) in enumerate(specs) if method == "project"]
        for method, args in specs:
            if method == "project":  # below, all at once
                sizes.append(0)
                continue
            mirror = mirrors[method]
            parts = mirror(*args) if mirror is not None else [view_model_digest(self.b.page(method, args))]
            flat += parts
            sizes.append(len(parts))
        groups = np.repeat(np.arange(len(specs), dtype=np.int64), sizes)
        body = group_hashes(groups, np.array(flat, dtype=np.uint64), len(specs))
        if projects:
            body[projects] = self._projects([specs[n][1][0] for n in projects])
        heads = value_hashes([f"{base}\0{m}\0{a!r}" for base, (m, a) in zip(bases, specs, strict=True)])
        return [f"{x:016x}" for x in mix(heads, body).tolist()]


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
    common = repr((code, ds.settings, ds.satisfied_keys, ds.rating_enum))  # every setting field: a frozen dataclass
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
