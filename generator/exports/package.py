"""The Frictionless Data Package (datapackage.json) of the whole district's downloads.

Generated from schema.py through the same columns the files are written with
(:func:`opendata.export_columns`), so the description cannot drift from the data.
It describes the CSV files: a field's ``name`` is the CSV header (the Chinese label),
enumerated values are their labels, yes/no is 是/否 and several codes in one cell are
joined by 、. ``jsonKey`` (a custom property, which the spec allows) gives the field's key
in the JSON files, where enumerated values are their keys (``jsonEnum``).
tests/test_opendata.py validates the package, schema and rows, with ``frictionless``.
"""

from __future__ import annotations

import json

from generator.exports.opendata import (
    ALL_LISTS,
    PACKAGE,
    column_description,
    export_columns,
    license_of,
    tables,
)
from generator.model.dataset import Dataset
from generator.schema import Column, Table

_TYPES = {
    "string": "string",
    "integer": "integer",
    "number": "number",
    "date": "date",
    "enum": "string",
    "boolean": "boolean",
    "ref": "string",
    "refs": "string",
}

# Which column refers to which list's key (a list's key is its primary key). A column of
# several codes (refs) cannot be a foreign key in Table Schema.
_FOREIGN = {"areas": "areas", "units": "units", "projects": "projects"}


def field(c: Column, enum_labels: bool = True) -> dict:
    f: dict[str, object] = {"name": c.label, "title": c.label, "type": _TYPES[c.type], "jsonKey": c.name}
    description = column_description(c)
    if description:
        f["description"] = description
    constraints: dict[str, object] = {}
    if c.enum is not None:
        constraints["enum"] = c.enum.labels()
        if not c.derived:
            f["jsonEnum"] = dict(zip(c.enum.labels(), c.enum.keys(), strict=True))
    if c.type == "boolean":
        f["trueValues"], f["falseValues"] = ["是"], ["否"]
    if c.type in ("integer", "number"):
        if c.minimum is not None:
            constraints["minimum"] = int(c.minimum) if c.type == "integer" else c.minimum
        if c.maximum is not None:
            constraints["maximum"] = int(c.maximum) if c.type == "integer" else c.maximum
    if c.type == "date":
        f["format"] = "default"  # YYYY-MM-DD
    if constraints:
        f["constraints"] = constraints
    return f


def schema(name: str, table: Table) -> dict:
    columns = export_columns(table)
    out: dict[str, object] = {"fields": [field(c) for c in columns], "missingValues": [""]}
    if table.key:
        out["primaryKey"] = [table.column(table.key).label]
    foreign = []
    for c in columns:
        if c.derived or c.type != "ref" or c.ref not in _FOREIGN or c.ref not in ALL_LISTS:
            continue
        target = tables_key_label(c.ref)
        foreign.append(
            {"fields": [c.label], "reference": {"resource": "" if c.ref == name else c.ref, "fields": [target]}}
        )
    if foreign:
        out["foreignKeys"] = foreign
    return out


def tables_key_label(name: str) -> str:
    from generator.schema import TABLES_BY_NAME

    t = TABLES_BY_NAME[name]
    assert t.key is not None
    return t.column(t.key).label


def package(ds: Dataset, base_url: str) -> dict:
    s = ds.settings
    lists = tables(ds)
    resources = []
    for name in ALL_LISTS:
        t = lists[name]
        resources.append(
            {
                "name": name,
                "title": t.label,
                "description": t.description,
                "path": f"{name}.csv",
                "format": "csv",
                "mediatype": "text/csv",
                "encoding": "utf-8-sig",
                "profile": "tabular-data-resource",
                "jsonPath": f"{name}.json",
                "schema": schema(name, t),
            }
        )
    doc: dict[str, object] = {
        "profile": "tabular-data-package",
        "name": "gongshi",
        "title": s.name,
        "description": f"{s.district}“我为群众办实事”需求清单、整改清单、进度纪实、结果清单与满意度汇总，"
        f"数据截止 {ds.as_of.isoformat()}。每份清单另有同名的 Excel 版（如 projects.xlsx）。",
        "version": ds.as_of.isoformat(),
        "created": f"{ds.as_of.isoformat()}T00:00:00Z",
        "keywords": ["我为群众办实事", s.district, "需求清单", "整改清单", "结果清单", "满意度"],
        "licenses": [license_of(ds)],
        "sources": [{"title": s.organizer or s.name, **({"path": f"{base_url}/"} if base_url else {})}],
        "as_of": ds.as_of.isoformat(),
        "satisfaction_formula": "（"
        + " + ".join(ds.rating_enum.label(k) for k in ds.satisfied_keys)
        + f"）÷ 有效评价（不含{ds.rating_enum.label('unknown')}）",
        "resources": resources,
    }
    if base_url:
        doc["homepage"] = f"{base_url}/"
    return doc


def package_bytes(ds: Dataset, base_url: str) -> bytes:
    return json.dumps(package(ds, base_url), ensure_ascii=False, indent=1).encode("utf-8")


__all__ = ["PACKAGE", "field", "package", "package_bytes", "schema"]
