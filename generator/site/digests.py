"""Page digests from what each page shows, without building its view-model.

A rebuild after a small change must not build 50,000 view-models to find the 2,000 pages
that changed. Every entity gets a 64-bit content hash once per build (a project with its
supervision info, progress log, result, ratings and comments; a demand; an area; a unit;
the figures of an area or unit): :class:`EntityHashes`. A page's digest combines the
hashes of the entities its page kind declares it reads (:mod:`generator.site.pages`), plus its
template and the site-wide context; a page whose digest matches the previous build is
neither built nor rendered. ``generator.site.pages.verify`` checks each declaration against
the reads recorded while the view is built; ``test_incremental`` proves, for many kinds
of change, that an incremental build equals a full build byte for byte.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import fields
from operator import attrgetter
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
from pandas.api.types import infer_dtype

if TYPE_CHECKING:
    from generator.site.pages import PageKinds
    from generator.site.views import ViewBuilder

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


def mix(h: np.ndarray, x: np.ndarray | np.uint64) -> np.ndarray:
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


class EntityHashes:
    """A 64-bit content hash of every entity a page can read, one table per entity kind
    (the kinds of :attr:`ViewBuilder.ENTITY_READS`), and from them page digests.

    - ``area``, ``unit``: every field of the area or unit;
    - ``area_figures``, ``unit_figures``, ``district``: the figures of an area, a unit, the
      district (key None);
    - ``project``: what a project page or row shows of the project: its row, the demands it
      ended up with, its supervision info, every progress, result and feedback row naming
      it, and the names of its communities and lead unit;
    - ``demand`` (key: position in the demand list): the demand, the project it belongs to
      (given on either side), and the names of its community and project.

    A page's digest combines, in order, the hash of each group's kind and the hashes of
    the keys it reads (a key an entity table lacks hashes as None); :meth:`manifest`
    combines every page's list with numpy in one pass, so the cost per page is building
    that list, not hashing bytes.
    """

    def __init__(self, builder: ViewBuilder):
        ds, agg = builder.ds, builder.agg
        src = ds.sources
        if src is None:  # only a dataset made by pipeline.prepare has the row hashes
            raise ValueError("page digests need a prepared dataset (its rows' hashes)")
        none = self.none = int(value_hashes([None])[0])

        def by_key(items: dict, values) -> dict:
            return dict(zip(items, value_hashes([values(v) for v in items.values()]).tolist(), strict=True))

        any_area = next(iter(ds.areas.values()), None)
        any_unit = next(iter(ds.units.values()), None)
        area = by_key(ds.areas, _values(type(any_area))) if any_area else {}
        unit = by_key(ds.units, _values(type(any_unit))) if any_unit else {}

        # A project: its row, the demands it ended up with, its supervision info, and
        # every progress, result and feedback row naming it (feedback gives both the
        # rating counts and the public comments).
        pids = list(ds.projects)
        index = pd.Index(pids)
        info_values = _values(type(agg.info[pids[0]])) if pids else repr
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
        links = [(n, area.get(c, none)) for n, p in enumerate(ds.projects.values()) for c in p.communities]
        content = mix(content, _grouped(links, len(pids)))
        content = mix(content, _u64(unit.get(p.lead_unit, none) for p in ds.projects.values()))
        if ds.record is not None:  # a publish: the project page lists its change history
            content = mix(content, value_hashes([ds.record.project_history(p) for p in pids]))

        # A demand row: the demand, the project it belongs to (given on either side), and
        # the names of its community and project.
        demand: dict[int, int] = {}
        if ds.demands:
            areas, projects = ds.areas, ds.projects
            final = [d.project for d in ds.demands]
            names = [(a.name if (a := areas.get(d.community)) else None) for d in ds.demands]
            titles = [(p.title if (p := projects.get(d.project)) else None) if d.project else None for d in ds.demands]
            h = mix(src.hashes["demands"], value_hashes(final))
            h = mix(mix(h, value_hashes(names)), value_hashes(titles))
            demand = dict(enumerate(h.tolist()))

        self.tables: dict[str, dict] = {
            "area": area,
            "unit": unit,
            "area_figures": by_key({**agg.communities, **agg.subdistricts}, repr),
            "unit_figures": by_key(agg.units, repr),
            "district": {None: int(value_hashes([repr(agg.district)])[0])},
            "project": dict(zip(pids, content.tolist(), strict=True)),
            "demand": demand,
        }
        self._kinds = {kind: _int(kind) for kind in (*self.tables, "value", "view model")}

    def kind_hash(self, kind: str) -> int:
        return self._kinds[kind]

    def hashes(self, kind: str, keys: Sequence) -> list[int]:
        """The hashes of one group of reads."""
        if kind == "value":
            return [_int(repr(k)) for k in keys]
        table = self.tables[kind]
        try:  # at C speed; a key the table lacks is rare
            return list(map(table.__getitem__, keys))
        except KeyError:
            none = self.none
            return [table.get(k, none) for k in keys]

    # A page's digest is two-level: each group of reads is digested with its kind (so
    # moving an entity from one group to the next changes the page), then the page from
    # its groups in order. A kind digesting many pages as arrays uses the same steps:
    # :meth:`fixed_group` and :meth:`grouped` per group, :meth:`pages` to finish.

    def fixed_group(self, kind: str, *columns: np.ndarray) -> np.ndarray:
        """Per page, the digest of a group of ``len(columns)`` reads (column ``i``: each
        page's ``i``-th hash)."""
        return mix(np.full(len(columns[0]), self._kinds[kind], dtype=np.uint64), _rows(columns))

    def grouped(self, kind: str, pages: np.ndarray, hashes: np.ndarray, count: int) -> np.ndarray:
        """Per page, the digest of a group of any number of reads, given as (page, hash)
        pairs in each page's order."""
        return mix(np.full(count, self._kinds[kind], dtype=np.uint64), group_hashes(pages, hashes, count))

    @staticmethod
    def pages(groups: Sequence[np.ndarray]) -> np.ndarray:
        """Page digests from the digests of each page's groups, in order (every page
        with the same number of groups)."""
        return _rows(groups)

    def digest_pages(self, pages: Iterable[Iterable[tuple[str, Sequence]]]) -> np.ndarray:
        """The digest of each page from its reads."""
        flat: list[int] = []
        sizes: list[int] = []  # per group: its reads
        kinds: list[int] = []  # per group: its kind
        counts: list[int] = []  # per page: its groups
        hashes, kind_hash = self.hashes, self._kinds
        for reads in pages:
            n = 0
            for kind, keys in reads:
                h = hashes(kind, keys)
                flat += h
                sizes.append(len(h))
                kinds.append(kind_hash[kind])
                n += 1
            counts.append(n)
        return _two_level(flat, sizes, kinds, counts)

    def manifest(self, builder: ViewBuilder, kinds: PageKinds, specs: list, bases: list[str]) -> list[str]:
        """The digest of each spec's page (``bases``: per spec, the digest of its
        template, what that includes, and the site-wide context)."""
        flat: list[int] = []
        sizes: list[int] = []
        group_kinds: list[int] = []
        counts: list[int] = []
        bulk: dict[str, list[int]] = {}  # kind -> positions of its specs, digested at once
        tables, kind_hash, model, hashes = self.tables, self._kinds, self._kinds["view model"], self.hashes
        for n, (name, args) in enumerate(specs):
            kind = kinds[name]
            if kind.bulk_reads is not None:
                bulk.setdefault(name, []).append(n)
                counts.append(0)
                continue
            if kind.reads is None:
                flat.append(view_model_digest(kind.build(builder, args)))
                sizes.append(1)
                group_kinds.append(model)
                counts.append(1)
                continue
            groups = 0
            for group, keys in kind.reads(builder, args):
                before = len(flat)
                try:  # the common case inline, at C speed: a page per city block
                    flat += map(tables[group].__getitem__, keys)
                except KeyError:  # a key the table lacks, or a "value" group
                    del flat[before:]
                    flat += hashes(group, keys)
                sizes.append(len(flat) - before)
                group_kinds.append(kind_hash[group])
                groups += 1
            counts.append(groups)
        body = _two_level(flat, sizes, group_kinds, counts)
        for name, positions in bulk.items():
            make = kinds[name].bulk_reads
            assert make is not None
            body[positions] = make(self, builder, [specs[n][1] for n in positions])
        heads = value_hashes([f"{base}\0{m}\0{a!r}" for base, (m, a) in zip(bases, specs, strict=True)])
        return [f"{x:016x}" for x in mix(heads, body).tolist()]


def _rows(columns: Sequence[np.ndarray]) -> np.ndarray:
    """:func:`group_hashes` of rows that all have ``len(columns)`` hashes (at least one),
    row ``r`` being ``column[r]`` of each column in order: the same digest, as arrays."""
    total = np.zeros(len(columns[0]), dtype=np.uint64)
    for i, column in enumerate(columns):
        total += mix(column, np.uint64(i))
    return mix(total, np.uint64(len(columns)))


def _two_level(flat: list[int], sizes: list[int], kinds: list[int], counts: list[int]) -> np.ndarray:
    """Page digests: each group's hashes digested and marked with its kind, then each
    page's groups digested in order."""
    groups = len(sizes)
    body = group_hashes(np.repeat(np.arange(groups, dtype=np.int64), sizes), np.array(flat, dtype=np.uint64), groups)
    body = mix(np.array(kinds, dtype=np.uint64), body)
    pages = len(counts)
    return group_hashes(np.repeat(np.arange(pages, dtype=np.int64), counts), body, pages)
