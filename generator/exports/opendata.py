"""Stage 6: the open data — every published list, overall and per scope, as CSV, JSON and Excel.

Scopes: the whole district, each subdistrict, community and unit. A scope's files live in
its folder of the static API (``api/v1/``, ``api/v1/communities/<slug>/`` ...): one CSV
and one JSON per list, and one workbook with a sheet per list and a notes sheet (说明).
The whole district's files are also written to ``downloads/``, where earlier versions
published them, so links to them keep working.

The lists are encoded once (column-wise, :func:`downloads.encode_column`): each row's CSV
line, JSON object and Excel ``<row>`` is a string, and a scope's file is the join of its
rows. Columns come from schema.py: the published columns in declared order, each derived
name column (社区名称 ...) right after the codes it names, then the other derived ones.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from itertools import chain
from operator import attrgetter

import numpy as np

from generator.exports import xlsx
from generator.exports.downloads import _dumps, _fields, _text, encode_column
from generator.model.aggregate import Aggregates
from generator.model.dataset import Dataset
from generator.schema import (
    AREAS,
    DEMANDS,
    LIGHT,
    PROGRESS,
    PROJECTS,
    RESULTS,
    TEXT,
    UNITS,
    Column,
    Table,
    ratings_table,
)

API = "api/v1/"
LEGACY = "downloads/"
# Every scope publishes these; the whole district also its areas and units.
SCOPE_LISTS = ("demands", "projects", "progress", "results", "ratings")
ALL_LISTS = (*SCOPE_LISTS, "areas", "units")
FORMATS = ("csv", "json")
# What a subdistrict, community or unit publishes besides its workbook: CSV only. Their JSON
# would be the largest part of the downloads (about 420 MB and 45,000 files at city size)
# for rows the whole district's JSON already has, each with its community, subdistrict and
# units' codes to select them by (README, "For media").
SCOPE_FORMATS = ("csv",)


def formats_of(kind: str) -> tuple[str, ...]:
    return FORMATS if kind == "all" else SCOPE_FORMATS


WORKBOOK = "data.xlsx"  # a subdistrict's, community's or unit's: a sheet per list
LIST_LABELS = {
    "demands": DEMANDS.label,
    "projects": PROJECTS.label,
    "progress": PROGRESS.label,
    "results": RESULTS.label,
    "ratings": "满意度汇总",
    "areas": AREAS.label,
    "units": UNITS.label,
}
PACKAGE = "datapackage.json"
NOTES = "说明"
SCOPE_KINDS = {"all": "全区", "subdistrict": "街道", "community": "社区", "unit": "责任单位"}
LICENSES = {
    "CC-BY-4.0": ("知识共享署名 4.0 国际", "https://creativecommons.org/licenses/by/4.0/"),
    "CC0-1.0": ("CC0 1.0 公共领域贡献", "https://creativecommons.org/publicdomain/zero/1.0/"),
    "ODC-BY-1.0": ("开放数据共享署名许可 1.0", "https://opendatacommons.org/licenses/by/1-0/"),
    "PDDL-1.0": ("开放数据共享公共领域贡献许可 1.0", "https://opendatacommons.org/licenses/pddl/1-0/"),
}


def tables(ds: Dataset) -> dict[str, Table]:
    """The published lists and their schema tables, in publishing order."""
    return {
        "demands": DEMANDS,
        "projects": PROJECTS,
        "progress": PROGRESS,
        "results": RESULTS,
        "ratings": ratings_table(ds.rating_enum),
        "areas": AREAS,
        "units": UNITS,
    }


def export_columns(table: Table) -> list[Column]:
    """Published columns in declared order, a derived name column right after the codes it
    names, then the other derived columns."""
    beside: dict[str, list[Column]] = {}
    rest: list[Column] = []
    for c in table.derived:
        (beside.setdefault(c.names, []) if c.names else rest).append(c)
    out: list[Column] = []
    for c in table.columns:
        if c.published:
            out += [c, *beside.pop(c.name, [])]
    for leftover in beside.values():  # names a column the table does not publish
        out += leftover
    return out + rest


# ---------------------------------------------------------------- scopes


@dataclass(frozen=True)
class Scope:
    kind: str  # all / subdistrict / community / unit
    id: str  # "" for the whole district
    name: str
    folder: str  # api/v1/... ending with /
    page: str  # the scope's page, relative to the site root
    projects: tuple[str, ...]  # in the order the scope's page shows them
    demands: tuple[int, ...]  # positions in Dataset.demands
    # The whole district is published list by list (each list's CSV, JSON and workbook is
    # built again only when that list changes): the list, or "package" for datapackage.json.
    part: str = ""

    @property
    def key(self) -> str:
        """What the scope's digest is recorded under."""
        return self.folder + self.part

    def lists(self) -> tuple[str, ...]:
        if self.kind != "all":
            return SCOPE_LISTS
        return (self.part,) if self.part in ALL_LISTS else ()

    def formats(self) -> tuple[str, ...]:
        return formats_of(self.kind)

    def workbook(self) -> str | None:
        if self.kind != "all":
            return f"{self.folder}{WORKBOOK}"
        return f"{self.folder}{self.part}.xlsx" if self.part in ALL_LISTS else None

    def paths(self) -> list[str]:
        """Every file of the scope (the whole district's aliases in downloads/ too)."""
        paths = [f"{self.folder}{n}.{f}" for n in self.lists() for f in self.formats()]
        workbook = self.workbook()
        paths += [workbook] if workbook else []
        if self.kind == "all":
            paths += [f"{API}{PACKAGE}"] if self.part == "package" else []
            return paths + [LEGACY + p[len(API) :] for p in paths]
        return paths


def scope_folder(kind: str, ident: str, url_for: Callable[[str, str], str]) -> str:
    return API if kind == "all" else f"{API}{url_for(kind, ident)}"


def scopes(ds: Dataset, agg: Aggregates, url_for: Callable[[str, str], str]) -> list[Scope]:
    """The whole district, then every subdistrict, community and unit (id order)."""
    by_community = agg.community_demands
    out = scopes_all(ds)
    for a in sorted(ds.level("subdistrict"), key=attrgetter("id")):
        children = sorted(c for c in a.children if ds.areas[c].level == "community")
        demands = tuple(sorted(chain.from_iterable(by_community.get(c, ()) for c in children)))
        projects = tuple(agg.subdistrict_projects.get(a.id, ()))
        out.append(Scope("subdistrict", a.id, a.name, scope_folder("subdistrict", a.id, url_for),
                         url_for("subdistrict", a.id), projects, demands))  # fmt: skip
    from generator.site.pages.community import in_page_order  # the community page's order

    for a in sorted(ds.level("community"), key=attrgetter("id")):
        projects = tuple(in_page_order(agg.community_projects.get(a.id, ()), lambda p: ds.projects[p].status))
        demands = tuple(by_community.get(a.id, ()))
        out.append(Scope("community", a.id, a.name, scope_folder("community", a.id, url_for),
                         url_for("community", a.id), projects, demands))  # fmt: skip
    converted: dict[str, list[int]] = {}
    for n, d in enumerate(ds.demands):
        if d.project:
            converted.setdefault(d.project, []).append(n)
    for uid in sorted(ds.units):
        projects = tuple(agg.unit_projects.get(uid, ()))
        demands = tuple(sorted(chain.from_iterable(converted.get(p, ()) for p in projects)))
        out.append(Scope("unit", uid, ds.units[uid].name, scope_folder("unit", uid, url_for),
                         url_for("unit", uid), projects, demands))  # fmt: skip
    return out


# What each whole-district list shows, by entity kind (EntityHashes): a list is built again
# when one of these changes. A project's hash covers its progress, result and feedback rows.
_PART_SOURCES = {
    "demands": ("demand",),
    "projects": ("project", "area", "unit"),
    "progress": ("project",),
    "results": ("project", "area", "unit"),
    "ratings": ("project",),
    "areas": ("area",),
    "units": ("unit", "area"),
    "package": (),
}


def _table_bytes(table: dict) -> bytes:
    return "\0".join(map(str, table)).encode() + np.fromiter(table.values(), dtype=np.uint64).tobytes()


def scope_digests(ds: Dataset, all_scopes: Sequence[Scope], hashes, code: str) -> dict[str, str]:
    """Per scope (:attr:`Scope.key`), a digest of everything its files show: the code, the
    settings, its own area or unit, its projects (each project's hash covers its row,
    supervision, progress, result and feedback rows), its demands, and the areas and units
    whose names its rows print; for a whole-district list, every entity of the kinds it
    shows. ``hashes``: the build's :class:`~generator.site.digests.EntityHashes`."""
    common = repr((code, ds.settings, ds.satisfied_keys, ds.rating_enum)).encode()
    tables = {kind: _table_bytes(hashes.tables[kind]) for kind in ("area", "unit", "project", "demand")}
    out = {}
    for s in all_scopes:
        h = hashlib.blake2b(common, digest_size=16)
        h.update(f"\0{s.kind}\0{s.id}\0{s.name}\0{s.folder}\0{s.part}\0".encode())
        if s.kind == "all":
            for kind in _PART_SOURCES[s.part]:
                h.update(kind.encode() + tables[kind])
        else:
            projects = [ds.projects[p] for p in s.projects]
            areas = {a for p in projects for a in (*p.communities, p.subdistrict) if a}
            # A project without 所属街道 is named by its communities' subdistricts.
            areas |= {ds.areas[c].parent for c in list(areas) if c in ds.areas and ds.areas[c].parent}
            areas |= {ds.demands[n].community for n in s.demands}
            units = {u for p in projects for u in (p.lead_unit, *p.partner_units)}
            if s.kind == "unit":
                units.add(s.id)
            else:
                areas.add(s.id)
            titled = {ds.demands[n].project for n in s.demands if ds.demands[n].project}
            for kind, keys in (
                ("project", list(s.projects)),
                ("demand", list(s.demands)),
                ("area", sorted(areas)),
                ("unit", sorted(units)),
                ("project", sorted(titled)),
            ):
                h.update(kind.encode() + "\0".join(map(str, keys)).encode() + b"\1")
                h.update(np.array(hashes.hashes(kind, keys), dtype=np.uint64).tobytes())
        out[s.key] = h.hexdigest()
    return out


# ---------------------------------------------------------------- the lists, encoded once


@dataclass
class Encoded:
    """One list with every row encoded: CSV line, JSON object, Excel row; ``owner``: the
    key a scope selects rows by (a project id, or a demand's position)."""

    name: str
    table: Table
    columns: list[Column]
    csv: list[str]
    json: list[str]
    xlsx: list[str]
    owner: list
    widths: list[float]
    header_csv: list[str] = field(default_factory=list)
    rows_of: dict = field(default_factory=dict)  # owner -> row positions

    def select(self, owners: Iterable) -> list[int]:
        rows_of = self.rows_of
        return list(chain.from_iterable(rows_of.get(o, ()) for o in owners))


def _url(base_url: str, rel: str) -> str:
    return f"{base_url.rstrip('/')}/{rel}" if base_url else rel


def _names(lookup: dict, ids: Iterable[str]) -> str:
    return "、".join(lookup[i].name for i in ids if i in lookup)


def _subdistrict_name(areas: dict, p) -> str:
    """The subdistrict's name: as the list gives it, else of the communities' subdistricts."""
    if p.subdistrict:
        return areas[p.subdistrict].name if p.subdistrict in areas else ""
    parents = dict.fromkeys(areas[c].parent for c in p.communities if c in areas)
    return _names(areas, [a for a in parents if a])


def _rate(satisfied: int, valid: int, minimum: int) -> float | None:
    """The satisfaction rate as the pages print it (Rate.percent), as a number."""
    if not valid or valid < minimum:
        return None
    return float(f"{satisfied / valid * 100:.1f}")


def list_values(name: str, ds: Dataset, agg: Aggregates, url_for, base_url: str) -> tuple[list, dict[str, list]]:
    """(each row's owner, the values of every published and derived column by name)."""
    areas, units, projects = ds.areas, ds.units, ds.projects
    table = tables(ds)[name]

    def own(rows: list) -> dict[str, list]:
        return {c.name: list(map(attrgetter(c.name), rows)) for c in table.columns if c.published}

    if name == "demands":
        rows: list = ds.demands
        values = own(rows)
        values["community_name"] = [areas[d.community].name if d.community in areas else "" for d in rows]
        values["project_title"] = [projects[d.project].title if d.project in projects else "" for d in rows]
        return list(range(len(rows))), values
    if name == "projects":
        keys = sorted(projects)
        rows = list(map(projects.__getitem__, keys))
        infos = list(map(agg.info.__getitem__, keys))
        ratings = [ds.ratings.get(pid, {}) for pid in keys]
        no_counts = [0] * len(ds.satisfied_keys)
        values = own(rows)
        values.update(
            status_light=[LIGHT.label(i.light) if i.light else "" for i in infos],
            light_reason=[i.light_reason for i in infos],
            last_report=[i.last_report for i in infos],
            overdue_days=[i.overdue_days for i in infos],
            ratings=[sum(r.values()) - r.get("unknown", 0) for r in ratings],  # "unknown" is not a valid rating
            satisfied=[sum(map(r.get, ds.satisfied_keys, no_counts)) for r in ratings],
            url=[_url(base_url, url_for("project", pid)) for pid in keys],
            subdistrict_name=[_subdistrict_name(areas, p) for p in rows],
            community_names=[_names(areas, p.communities) for p in rows],
            lead_unit_name=[units[p.lead_unit].name if p.lead_unit in units else "" for p in rows],
            partner_unit_names=[_names(units, p.partner_units) for p in rows],
        )
        return keys, values
    if name == "progress":
        rows = [e for pid in sorted(ds.progress) if pid in projects for e in ds.progress[pid]]
        values = own(rows)
        values["title"] = [projects[e.project].title for e in rows]
        return [e.project for e in rows], values
    if name == "results":
        keys = [pid for pid in sorted(ds.results) if pid in projects]
        rows = list(map(ds.results.__getitem__, keys))
        done = list(map(projects.__getitem__, keys))
        values = own(rows)
        values.update(
            title=[p.title for p in done],
            community_names=[_names(areas, p.communities) for p in done],
            lead_unit_name=[units[p.lead_unit].name if p.lead_unit in units else "" for p in done],
        )
        return keys, values
    if name == "ratings":
        keys = [pid for pid in sorted(ds.ratings) if pid in projects and ds.ratings[pid]]
        counts = [ds.ratings[pid] for pid in keys]
        valid = [sum(n for k, n in r.items() if k != "unknown") for r in counts]
        satisfied = [sum(r.get(k, 0) for k in ds.satisfied_keys) for r in counts]
        values = {"project": keys, "title": [projects[p].title for p in keys]}
        for c in ds.rating_enum.choices:
            values[f"count_{c.key}"] = [r.get(c.key, 0) for r in counts]
        minimum = ds.settings.min_sample
        # 复评: the ratings after a 限时整改's fix, as the project page shows them apart.
        fixes = [f if (f := agg.info[p].followup) and f.fixed else None for p in keys]
        values.update(
            ratings=valid,
            satisfied=satisfied,
            rate=[_rate(s, v, minimum) for s, v in zip(satisfied, valid, strict=True)],
            fixed=[f.fixed if f else None for f in fixes],
            rerated_ratings=[f.rerated_valid if f else 0 for f in fixes],
            rerated_satisfied=[f.rerated_satisfied if f else 0 for f in fixes],
            rerated_rate=[_rate(f.rerated_satisfied, f.rerated_valid, minimum) if f else None for f in fixes],
        )
        return keys, values
    if name == "areas":
        rows = [areas[a] for a in sorted(areas)]
        values = own(rows)
        values["parent_name"] = [areas[a.parent].name if a.parent in areas else "" for a in rows]
        values["url"] = [
            _url(base_url, url_for(a.level, a.id)) if a.level in ("subdistrict", "community") else "" for a in rows
        ]
        return [a.id for a in rows], values
    if name == "units":
        rows = [units[u] for u in sorted(units)]
        values = own(rows)
        values["paired_community_names"] = [_names(areas, u.paired_communities) for u in rows]
        values["url"] = [_url(base_url, url_for("unit", u.id)) for u in rows]
        return [u.id for u in rows], values
    raise KeyError(name)


def _xlsx_column(values: list, column: Column | None) -> list[str]:
    """Each value's Excel cell, once per distinct value where equal values convert alike."""
    kinds = set(map(type, values))
    if kinds == {str} and (column is None or column.enum is None):
        return xlsx.text_cells(values)
    if kinds == {tuple} and set(map(type, chain.from_iterable(values))) <= {str}:
        return xlsx.text_cells(list(map("、".join, values)))

    def rule(v: object) -> str:
        return xlsx.cell(v, _text(v, column))

    if {type(v) for v in values} <= {str, int, dt.date, type(None), float}:
        memo = {(type(v), v): rule(v) for v in set(values)}
        return [memo[(type(v), v)] for v in values]
    return list(map(rule, values))


def column_width(c: Column) -> float:
    """A column's width in the workbook, from its kind (stable, whichever rows a scope has)."""
    if c.type == "date":
        base = 12
    elif c.type in ("integer", "number", "boolean", "enum"):
        base = 10
    elif c.type in ("ref", "refs"):
        base = 12 if c.type == "ref" else 16
    elif c.privacy == TEXT:
        base = 50
    elif c.name == "url":
        base = 36
    elif c.name in ("name", "title", "leader") or c.name.endswith(("_name", "_names")) or c.names:
        base = 24
    else:
        base = 16
    return float(max(base, xlsx.display_width(c.label) + 2))


def encode(
    name: str,
    ds: Dataset,
    agg: Aggregates,
    url_for,
    base_url: str,
    keep: set | None = None,
    json: bool = True,
    only_json: bool = False,
) -> Encoded:
    """The list's rows encoded (``keep``: only the rows of these owners; ``json``: their
    JSON too; ``only_json``: their JSON alone, no CSV line or Excel row)."""
    table = tables(ds)[name]
    owner, values = list_values(name, ds, agg, url_for, base_url)
    columns = export_columns(table)
    if set(values) != {c.name for c in columns}:
        raise ValueError(f"{name}: columns declared {[c.name for c in columns]}, computed {list(values)}")
    if keep is not None:
        chosen = [n for n, o in enumerate(owner) if o in keep]
        owner = [owner[n] for n in chosen]
        values = {k: [v[n] for n in chosen] for k, v in values.items()}
    # Values written as the schema types them; derived ones as computed (labels already).
    schema_of = [None if c.derived else c for c in columns]
    fields, texts = zip(
        *(encode_column(values[c.name], sc) for c, sc in zip(columns, schema_of, strict=True)), strict=True
    )
    cells = [] if only_json else [_xlsx_column(values[c.name], sc) for c, sc in zip(columns, schema_of, strict=True)]
    starts = ["{" + _dumps(columns[0].name) + ":"] + ["," + _dumps(c.name) + ":" for c in columns[1:]]
    csv_lines = list(map(",".join, zip(*fields, strict=True))) if owner and not only_json else []
    json_rows = (
        ["".join(chain.from_iterable(zip(starts, r, strict=True))) + "}" for r in zip(*texts, strict=True)]
        if json
        else []
    )
    xlsx_rows = ["<row>" + "".join(r) + "</row>" for r in zip(*cells, strict=True)] if cells else []
    enc = Encoded(name, table, columns, csv_lines, json_rows, xlsx_rows, owner, [column_width(c) for c in columns])
    enc.header_csv = _fields([c.label for c in columns])
    rows_of: dict = {}
    for n, o in enumerate(owner):
        rows_of.setdefault(o, []).append(n)
    enc.rows_of = rows_of
    return enc


# ---------------------------------------------------------------- files of a scope


@dataclass(frozen=True)
class Built:
    """A scope's files and what the privacy scan reads of them: each file's own parts (its
    header, notes, the workbook's other parts unzipped) and, of its rows, only those no
    file written before it in the same run had (see :attr:`Writer.seen`)."""

    files: dict[str, bytes]
    scanned: dict[str, bytes]


def json_head(ds: Dataset, scope: Scope, name: str, count: int) -> dict:
    return {
        "as_of": ds.as_of.isoformat(),
        "list": name,
        "scope": {"kind": scope.kind, "id": scope.id, "name": scope.name},
        "count": count,
    }


def _csv_file(header: list[str], lines: list[str]) -> bytes:
    """UTF-8 with BOM (Excel on Chinese Windows), CRLF; fields already neutralised and quoted."""
    return "\r\n".join(["\ufeff" + ",".join(header), *lines, ""]).encode("utf-8")


def _json_bytes(head: dict, rows: list[str]) -> bytes:
    return "".join((_dumps(head)[:-1], ',"rows":[', ",".join(rows), "]}")).encode("utf-8")


def license_of(ds: Dataset) -> dict[str, str]:
    name = ds.settings.data_license
    title, path = LICENSES.get(name, (name, ""))
    out = {"name": name, "title": title}
    if path:
        out["path"] = path
    return out


def notes_sheet(ds: Dataset, scope: Scope, columns_rows: list[str], base_url: str) -> xlsx.Sheet:
    """说明: source, scope, as-of date, licence, then every column of every sheet
    (``columns_rows``: :func:`column_rows`, the same for every scope of a kind)."""
    lic = license_of(ds)
    s = ds.settings
    facts = [
        ("数据来源", f"{s.name}（{s.organizer}）" if s.organizer else s.name),
        ("范围", f"{SCOPE_KINDS[scope.kind]}：{scope.name}"),
        ("数据截止日期", ds.as_of.isoformat()),
        ("许可协议", f"{lic['name']}（{lic['title']}）" + (f" {lic['path']}" if "path" in lic else "")),
        ("网页", _url(base_url, scope.page) or "./"),
        ("引用方式", citation(ds, scope.name)),
    ]
    rows = [xlsx.row([xlsx.text_cell(k, xlsx.HEADER), xlsx.text_cell(v, xlsx.WRAP)]) for k, v in facts]
    return xlsx.Sheet(NOTES, ("项目", "内容"), (16, 24, 22, 10, 60), [*rows, *columns_rows], freeze=False)


def column_rows(encoded: Sequence[Encoded]) -> list[str]:
    rows = [
        xlsx.row([]),
        xlsx.row([xlsx.text_cell(h, xlsx.HEADER) for h in ("工作表", "列", "英文列名", "类型", "说明")]),
    ]
    for enc in encoded:
        for c in enc.columns:
            cells = (enc.table.label, c.label, c.name, TYPE_WORDS[c.type], column_description(c))
            rows.append(xlsx.row([xlsx.text_cell(x, xlsx.WRAP) for x in cells]))
    return rows


TYPE_WORDS = {
    "string": "文字",
    "integer": "整数",
    "number": "数字",
    "date": "日期",
    "enum": "选项",
    "boolean": "是/否",
    "ref": "编号",
    "refs": "编号（多个用顿号分隔）",
}


def column_description(c: Column) -> str:
    """What a column holds, in one sentence: its description, its choices, what it refers to."""
    parts = [c.description] if c.description else []
    if c.enum is not None:
        parts.append("取值：" + "、".join(c.enum.labels()))
    if c.ref:
        parts.append(f"对应{REF_WORDS.get(c.ref, c.ref)}的编号")
    return "；".join(parts)


REF_WORDS = {"areas": "区域", "units": "责任单位", "projects": "整改清单", "demands": "需求清单"}


def citation(ds: Dataset, scope_name: str) -> str:
    s = ds.settings
    return f"{s.organizer or s.name}：《{s.name}》{scope_name}公开数据，数据截止 {ds.as_of.isoformat()}。"


@dataclass
class Writer:
    """What every scope's files share: the encoded lists, the notes' column rows per kind
    of scope, the compressed parts every workbook has."""

    ds: Dataset
    encoded: dict[str, Encoded]
    base_url: str
    notes: dict[tuple[str, ...], list[str]] = field(default_factory=dict)
    zipped: dict[bytes, tuple[int, bytes]] = field(default_factory=dict)
    # Per list, the rows some scope's files already carried to the privacy scan. A row is
    # the same string in every scope that shows it (a community's, its subdistrict's, its
    # units'), so it is scanned once, with the first file that has it: at city size that
    # is a third of the bytes the scopes write instead of all of them.
    seen: dict[str, set[int]] = field(default_factory=dict)

    def unseen(self, name: str, rows: list[int]) -> list[int]:
        seen = self.seen.setdefault(name, set())
        new = [i for i in rows if i not in seen]
        seen.update(new)
        return new

    def rows(self, scope: Scope, name: str) -> list[int]:
        enc = self.encoded[name]
        if scope.kind == "all":
            return list(range(len(enc.owner)))
        return enc.select(scope.demands if name == "demands" else scope.projects)

    def scope(self, scope: Scope) -> Built:
        ds = self.ds
        files: dict[str, bytes] = {}
        scanned: dict[str, bytes] = {}
        sheets, unseen_sheets = [], []
        lists = scope.lists()
        for name in lists:
            enc = self.encoded[name]
            rows = self.rows(scope, name)
            new = self.unseen(name, rows)
            csv_path = f"{scope.folder}{name}.csv"
            files[csv_path] = _csv_file(enc.header_csv, [enc.csv[i] for i in rows])
            scanned[csv_path] = _csv_file(enc.header_csv, [enc.csv[i] for i in new])
            if "json" in scope.formats():
                head = json_head(ds, scope, name, len(rows))
                json_path = f"{scope.folder}{name}.json"
                files[json_path] = _json_bytes(head, [enc.json[i] for i in rows])
                scanned[json_path] = _json_bytes(head, [enc.json[i] for i in new])
            header = [c.label for c in enc.columns]
            sheets.append(xlsx.Sheet(enc.table.label, header, enc.widths, [enc.xlsx[i] for i in rows]))
            unseen_sheets.append(xlsx.Sheet(enc.table.label, header, enc.widths, [enc.xlsx[i] for i in new]))
        columns = self.notes.get(lists)
        if columns is None:
            columns = self.notes[lists] = column_rows([self.encoded[n] for n in lists])
        notes = notes_sheet(ds, scope, columns, self.base_url)
        creator = ds.settings.organizer or ds.settings.name
        title = f"{ds.settings.name} · {scope.name}" + (f" · {LIST_LABELS[scope.part]}" if scope.part else "")
        parts = xlsx.parts([*sheets, notes], title, creator, ds.as_of)
        workbook = scope.workbook()
        assert workbook is not None
        files[workbook] = xlsx.pack(parts, cache=self.zipped)
        scanned[workbook] = b"\n".join(xlsx.parts([*unseen_sheets, notes], title, creator, ds.as_of).values())
        return Built(files, scanned)


def iter_built(ds: Dataset, agg: Aggregates, url_for, base_url: str, todo: Sequence[Scope]) -> Iterator[Built]:
    """The files of each of the ``todo`` scopes in turn (the whole district's with the data
    package and their aliases in downloads/), so a city's ~9,000 scopes are never all in
    memory at once. Only the rows these scopes show are encoded."""
    from generator.exports.package import package_bytes

    if not todo:
        return
    everything = any(s.kind == "all" for s in todo)
    projects = None if everything else {p for s in todo for p in s.projects}
    demands = None if everything else {n for s in todo for n in s.demands}
    wanted = set(chain.from_iterable(s.lists() for s in todo))
    with_json = any("json" in s.formats() for s in todo)
    encoded = {
        name: encode(name, ds, agg, url_for, base_url, demands if name == "demands" else projects, with_json)
        for name in ALL_LISTS
        if name in wanted
    }
    writer = Writer(ds, encoded, base_url)
    for s in todo:
        if s.part == "package":
            data = package_bytes(ds, base_url)
            built = Built({f"{API}{PACKAGE}": data}, {f"{API}{PACKAGE}": data})
        else:
            built = writer.scope(s)
        if s.kind == "all":
            for path in list(built.files):
                built.files[LEGACY + path[len(API) :]] = built.files[path]  # the same bytes: scanned once
        yield built


def build_files(ds: Dataset, agg: Aggregates, url_for, base_url: str, todo: Sequence[Scope]) -> Built:
    """:func:`iter_built`, all at once."""
    files: dict[str, bytes] = {}
    scanned: dict[str, bytes] = {}
    for built in iter_built(ds, agg, url_for, base_url, todo):
        files.update(built.files)
        scanned.update(built.scanned)
    return Built(files, scanned)


def downloads(ds: Dataset, agg: Aggregates, url_for, base_url: str = "") -> dict[str, bytes]:
    """The whole district's files (api/v1/ and their downloads/ aliases)."""
    return build_files(ds, agg, url_for, base_url, scopes_all(ds)).files


def list_json(ds: Dataset, agg: Aggregates, url_for, base_url: str, names: Iterable[str]) -> dict[str, bytes]:
    """The whole district's JSON of each list in ``names``: the bytes of its
    ``api/v1/<list>.json`` (and ``downloads/`` alias), without the other files (the
    public record compares them; see build.with_record)."""
    everything = scopes_all(ds)[0]  # the scope of the whole district (one per list: same head)
    out = {}
    for name in names:
        enc = encode(name, ds, agg, url_for, base_url, only_json=True)
        out[name] = _json_bytes(json_head(ds, everything, name, len(enc.owner)), enc.json)
        del enc  # a city's list encoded is hundreds of MB: one at a time
    return out


def scopes_all(ds: Dataset) -> list[Scope]:
    """The whole district: one scope per list, and the data package."""
    projects, demands = tuple(sorted(ds.projects)), tuple(range(len(ds.demands)))
    return [
        Scope("all", "", ds.settings.district, API, "", projects, demands, part) for part in (*ALL_LISTS, "package")
    ]
