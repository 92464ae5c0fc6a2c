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

from .views import ViewBuilder

_SIZE = 12


def _d(text: str) -> bytes:
    return hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=_SIZE).digest()


def _values(cls) -> attrgetter:
    """All dataclass fields of ``cls`` as one tuple (C speed, unlike repr of a dataclass)."""
    return attrgetter(*(f.name for f in fields(cls)))


def view_model_digest(page) -> str:
    return hashlib.blake2b(repr(page).encode("utf-8", "surrogatepass"), digest_size=16).hexdigest()


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

        self.project: dict[str, bytes] = {}
        self.project_row: dict[str, bytes] = {}
        if ds.projects:
            p0 = next(iter(ds.projects.values()))
            pv, iv = _values(type(p0)), _values(type(agg.info[p0.id]))
            ev = cv = rv = None
            for entries in ds.progress.values():
                if entries:
                    ev = _values(type(entries[0]))
                    break
            for cs in ds.comments.values():
                if cs:
                    cv = _values(type(cs[0]))
                    break
            for r in ds.results.values():
                rv = _values(type(r))
                break
            for pid, p in ds.projects.items():
                res = ds.results.get(pid)
                content = (
                    pv(p),
                    iv(agg.info[pid]),
                    [ev(e) for e in ds.progress.get(pid, ())] if ev else (),
                    rv(res) if res is not None else None,
                    sorted(ds.ratings.get(pid, {}).items()),
                    [cv(c) for c in ds.comments.get(pid, ())] if cv else (),
                )
                digest = self.project[pid] = _d(repr(content))
                # A ProjectRow (lists, community and unit pages) also shows the names of
                # its communities and lead unit.
                links = [self.area.get(c, none) for c in p.communities]
                links.append(self.unit.get(p.lead_unit, none))
                self.project_row[pid] = _d(repr((digest, *links)))

        self.demand_row: list[bytes] = []
        if ds.demands:
            dv = _values(type(ds.demands[0]))
            areas, projects = ds.areas, ds.projects
            for d in ds.demands:
                area = areas.get(d.community)
                project = projects.get(d.project) if d.project else None
                self.demand_row.append(
                    _d(repr((dv(d), area.name if area else None, project.title if project else None)))
                )

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

