"""Stage 6: the published lists as downloads (CSV for Excel, JSON) plus their description.

Columns come from schema.py (published columns only, in declared order, Chinese headers in
CSV, English names in JSON), so a private column can never be exported and the data
description always matches the files. Every CSV cell passes :func:`neutralise`: the one
export path, so no published spreadsheet can carry a formula.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json

from .aggregate import Aggregates
from .model import Dataset
from .schema import DEMANDS, ENUM, PROJECTS, RESULTS, Column, Table

# Cells a spreadsheet would evaluate (OWASP "CSV injection"): prefix with an apostrophe.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "|", "％", "＝", "＋", "－", "＠")


def neutralise(value: str) -> str:
    if value and value.startswith(FORMULA_START):
        return "'" + value
    return value


def csv_bytes(header: list[str], rows: list[list[str]]) -> bytes:
    """UTF-8 with BOM (Excel on Chinese Windows opens it correctly), CRLF, no formulas."""
    out = io.StringIO(newline="")
    w = csv.writer(out, lineterminator="\r\n")
    w.writerow([neutralise(h) for h in header])
    w.writerows([neutralise(c) for c in row] for row in rows)
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def _text(value: object, column: Column | None = None) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, (tuple, list)):
        return "、".join(_text(v) for v in value)
    if column is not None and column.type == ENUM and column.enum is not None:
        return column.enum.label(str(value))
    return str(value)


# Derived columns published with the rectification list, after the schema's own.
PROJECT_EXTRA = (
    ("status_light", "亮灯", "string"),
    ("overdue_days", "超期天数", "integer"),
    ("ratings", "有效评价数", "integer"),
    ("satisfied", "满意及基本满意数", "integer"),
    ("url", "网址", "string"),
)
RESULT_EXTRA = (("title", "项目名称", "string"), ("communities", "社区", "string"), ("lead_unit", "牵头单位", "string"))


def _published(table: Table) -> list[Column]:
    return [c for c in table.columns if c.published]


def export_tables(ds: Dataset, agg: Aggregates, url_for) -> dict[str, tuple[list[Column], list[tuple], list[list]]]:
    """For each list: (schema columns, extra columns, rows of raw values)."""
    demands = _published(DEMANDS)
    d_rows = [[getattr(d, c.name) for c in demands] for d in ds.demands]

    projects = _published(PROJECTS)
    p_rows = []
    for pid in sorted(ds.projects):
        p = ds.projects[pid]
        info = agg.info[pid]
        r = ds.ratings.get(pid, {})
        valid = sum(n for k, n in r.items() if k != "unknown")
        satisfied = sum(r.get(k, 0) for k in ds.satisfied_keys)
        light = {"red": "红灯", "yellow": "黄灯", "green": "绿灯"}.get(info.light or "", "")
        p_rows.append(
            [getattr(p, c.name) for c in projects]
            + [light, info.overdue_days, valid, satisfied, url_for("project", pid)]
        )

    results = _published(RESULTS)
    r_rows = []
    for pid in sorted(ds.results):
        res = ds.results[pid]
        p = ds.projects[pid]
        names = "、".join(ds.areas[c].name for c in p.communities)
        r_rows.append([getattr(res, c.name) for c in results] + [p.title, names, ds.units[p.lead_unit].name])
    return {
        "demands": (demands, (), d_rows),
        "projects": (projects, PROJECT_EXTRA, p_rows),
        "results": (results, RESULT_EXTRA, r_rows),
    }


def downloads(ds: Dataset, agg: Aggregates, url_for, base_url: str = "") -> dict[str, bytes]:
    """Every download file: relative path -> bytes."""
    files: dict[str, bytes] = {}
    resources = []
    for name, (columns, extra, rows) in export_tables(ds, agg, url_for).items():
        header = [c.label for c in columns] + [label for _, label, _ in extra]
        keys = [c.name for c in columns] + [key for key, _, _ in extra]
        text_rows = [[_text(v, columns[i] if i < len(columns) else None) for i, v in enumerate(row)] for row in rows]
        files[f"downloads/{name}.csv"] = csv_bytes(header, text_rows)
        records = [dict(zip(keys, (_json(v) for v in row), strict=True)) for row in rows]
        doc = {"as_of": ds.as_of.isoformat(), "list": name, "count": len(records), "rows": records}
        files[f"downloads/{name}.json"] = json.dumps(doc, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
        resources.append(_resource(name, columns, extra, len(rows)))
    package = {
        "name": "gongshi",
        "title": ds.settings["name"],
        "as_of": ds.as_of.isoformat(),
        "homepage": base_url,
        "satisfaction_formula": "（"
        + " + ".join(ds.rating_enum.label(k) for k in ds.satisfied_keys)
        + "）÷ 有效评价（不含不了解）",
        "resources": resources,
    }
    files["downloads/datapackage.json"] = json.dumps(package, ensure_ascii=False, indent=1).encode("utf-8")
    return files


def _json(value: object) -> object:
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, tuple):
        return list(value)
    return value


_TYPES = {
    "string": "string",
    "integer": "integer",
    "number": "number",
    "date": "date",
    "enum": "string",
    "boolean": "boolean",
    "ref": "string",
    "refs": "array",
}


def _resource(name: str, columns: list[Column], extra: tuple, count: int) -> dict:
    """A frictionless-style description of one download, from the schema."""
    fields = []
    for c in columns:
        f = {"name": c.name, "title": c.label, "type": _TYPES[c.type]}
        if c.enum is not None:
            f["constraints"] = {"enum": c.enum.keys()}
            f["labels"] = {ch.key: ch.label for ch in c.enum.choices}
        if c.description:
            f["description"] = c.description
        fields.append(f)
    fields += [{"name": key, "title": label, "type": t} for key, label, t in extra]
    return {
        "name": name,
        "paths": [f"{name}.csv", f"{name}.json"],
        "count": count,
        "csv": {"encoding": "utf-8-sig", "header": "title"},
        "json": {"rows": "rows", "keys": "name"},
        "schema": {"fields": fields},
    }
