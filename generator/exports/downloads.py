"""Stage 6: the published lists as downloads (CSV for Excel, JSON) plus their description.

Columns come from schema.py (published columns only, in declared order, Chinese headers in
CSV, English names in JSON), so a private column can never be exported and the data
description always matches the files. Every CSV cell passes :func:`neutralise`: the one
export path, so no published spreadsheet can carry a formula.

A city has about two million cells, so the lists are converted a column at a time rather
than a cell at a time: each CSV cell is ``_field(neutralise(_text(value, column)))`` and
each JSON value ``_dumps(_json(value))`` (:func:`_cell_rule`), computed once per distinct
value of a column where equal values always convert alike, and with shortcuts of the same
result for plain text and tuples of text. The bytes are those :mod:`csv` and
:func:`json.dumps` would write for the same rows (tests/test_export_speed.py).
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Callable, Sequence
from itertools import chain, compress, count, repeat
from json.encoder import encode_basestring
from operator import attrgetter
from typing import Any

from generator.model.aggregate import Aggregates
from generator.model.dataset import Dataset
from generator.schema import DEMANDS, ENUM, LIGHT, PROJECTS, RESULTS, Column, Table

# Cells a spreadsheet would evaluate (OWASP "CSV injection"): prefix with an apostrophe.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "|", "％", "＝", "＋", "－", "＠")


def neutralise(value: str) -> str:
    if value and value.startswith(FORMULA_START):
        return "'" + value
    return value


# What makes csv.writer (excel dialect, QUOTE_MINIMAL, CRLF) quote a field.
_QUOTE_IF = re.compile('[,"\r\n]')
# A cell starting with a formula character, in a column joined by NULs (led by one).
_FORMULA_IN_JOINED = re.compile("\x00[" + re.escape("".join(FORMULA_START)) + "]")
assert all(len(start) == 1 for start in FORMULA_START)


def _field(text: str) -> str:
    """A CSV field exactly as csv.writer writes it."""
    if _QUOTE_IF.search(text):
        return '"' + text.replace('"', '""') + '"'
    return text


def _fix(texts: list[str], flags, fix: Callable[[str], str]) -> list[str]:
    """``[fix(t) if flag else t for t, flag in zip(texts, flags)]``, cheap when few are flagged."""
    out = list(texts)
    for i in compress(count(), flags):
        out[i] = fix(texts[i])
    return out


def _fields(texts: list[str]) -> list[str]:
    """``_field(neutralise(t))`` for every text of a column.

    Most columns have no cell to change, which one scan of the joined column shows; a
    NUL inside a cell can only make that scan say "maybe", never miss a cell.
    """
    joined = "\x00".join(["", *texts])
    if _FORMULA_IN_JOINED.search(joined):
        texts = _fix(texts, map(str.startswith, texts, repeat(FORMULA_START)), neutralise)
    if any(c in joined for c in ',"\r\n'):  # _QUOTE_IF, but faster on long text
        texts = _fix(texts, map(_QUOTE_IF.search, texts), _field)
    return texts


def csv_bytes(header: list[str], rows: list[list[str]]) -> bytes:
    """UTF-8 with BOM (Excel on Chinese Windows opens it correctly), CRLF, no formulas."""
    return _csv_bytes([_field(neutralise(h)) for h in header], [[_field(neutralise(c)) for c in r] for r in rows])


def _csv_bytes(header: list[str], rows) -> bytes:
    """:func:`csv_bytes` for fields already neutralised and quoted (a list has several columns,
    so csv.writer's one special case, a row of one empty field, never arises)."""
    assert len(header) > 1
    lines = map(",".join, chain([["\ufeff" + header[0], *header[1:]]], rows))
    return "\r\n".join(chain(lines, [""])).encode("utf-8")


def _text(value: object, column: Column | None = None) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, bool):  # a yes/no column (是否销号) reads as staff write it
        return "是" if value else "否"
    if isinstance(value, (tuple, list)):
        return "、".join(_text(v) for v in value)
    if column is not None and column.type == ENUM and column.enum is not None:
        return column.enum.label(str(value))
    return str(value)


def _published(table: Table) -> list[Column]:
    return [c for c in table.columns if c.published]


def _attributes(objects: list, columns: list[Column]) -> list[list]:
    return [list(map(attrgetter(c.name), objects)) for c in columns]


# The published lists, in the order of the data description. Their derived columns
# (Table.derived) are computed by _derived_values.
LISTS: dict[str, Table] = {"demands": DEMANDS, "projects": PROJECTS, "results": RESULTS}


def _derived_values(name: str, ds: Dataset, agg: Aggregates, url_for, keys: list[str]) -> dict[str, list]:
    """The values of a list's derived columns, one per row (``keys``: the rows' project ids)."""
    if name == "projects":
        infos = list(map(agg.info.__getitem__, keys))
        ratings = [ds.ratings.get(pid, {}) for pid in keys]
        no_counts = [0] * len(ds.satisfied_keys)
        return {
            "status_light": [LIGHT.label(i.light) if i.light else "" for i in infos],
            "light_reason": [i.light_reason for i in infos],
            "last_report": [i.last_report for i in infos],
            "overdue_days": [i.overdue_days for i in infos],
            "ratings": [sum(r.values()) - r.get("unknown", 0) for r in ratings],  # "unknown" is not a valid rating
            "satisfied": [sum(map(r.get, ds.satisfied_keys, no_counts)) for r in ratings],
            "url": [url_for("project", pid) for pid in keys],
        }
    if name == "results":
        done = list(map(ds.projects.__getitem__, keys))
        return {
            "title": [p.title for p in done],
            "communities": ["、".join(ds.areas[c].name for c in p.communities) for p in done],
            "lead_unit": [ds.units[p.lead_unit].name for p in done],
        }
    return {}


def export_tables(
    ds: Dataset, agg: Aggregates, url_for, lists: set[str] | None = None
) -> dict[str, tuple[list[Column], tuple[Column, ...], list[list]]]:
    """For each list (of ``lists``, default all): (schema columns, derived columns, one list
    of raw values per column, the derived ones last)."""
    want = set(LISTS) if lists is None else lists
    out = {}
    for name, table in LISTS.items():
        if name not in want:
            continue
        columns = _published(table)
        if name == "demands":
            keys: list[str] = []
            rows: list = ds.demands
        elif name == "projects":
            keys = sorted(ds.projects)
            rows = list(map(ds.projects.__getitem__, keys))
        else:
            keys = sorted(ds.results)
            rows = list(map(ds.results.__getitem__, keys))
        derived = _derived_values(name, ds, agg, url_for, keys)
        if set(derived) != {c.name for c in table.derived}:
            raise ValueError(
                f"{name}: derived columns declared {[c.name for c in table.derived]}, computed {list(derived)}"
            )
        values = [*_attributes(rows, columns), *(derived[c.name] for c in table.derived)]
        out[name] = (columns, table.derived, values)
    return out


_JSON: dict[str, Any] = {"ensure_ascii": False, "separators": (",", ":")}


def _dumps(value: object) -> str:
    return json.dumps(value, **_JSON)


def _cell_rule(column: Column | None) -> tuple[Callable[[object], str], Callable[[object], str]]:
    """The CSV field and the JSON text of one value of ``column``: the definition."""
    return (lambda v: _field(neutralise(_text(v, column))), lambda v: _dumps(_json(v)))


# Types whose equal values always convert alike (unlike 1 == True == 1.0 or 0.0 == -0.0).
_MEMO_SAFE = {str, int, dt.date, type(None)}


def encode_column(values: list, column: Column | None) -> tuple[list[str], list[str]]:
    """One column's CSV fields and JSON texts, as :func:`_cell_rule` defines them."""
    kinds = set(map(type, values))
    if kinds == {str} and (column is None or column.type != ENUM):  # _text of a str is itself
        return _fields(values), list(map(encode_basestring, values))
    if kinds == {tuple} and set(map(type, chain.from_iterable(values))) == {str}:  # ids, names
        return _fields(list(map("、".join, values))), ["[" + ",".join(map(encode_basestring, v)) + "]" for v in values]
    rules = _cell_rule(column)
    if tuple in kinds:  # look inside: ("1",) and (1,) differ, (1,) and (True,) do not
        kinds = (kinds - {tuple}) | {type(e) for v in values if type(v) is tuple for e in v}
    if kinds <= _MEMO_SAFE:  # each distinct value once
        distinct = set(values)
        csv_of, json_of = ({v: rule(v) for v in distinct}.__getitem__ for rule in rules)
        return list(map(csv_of, values)), list(map(json_of, values))
    return list(map(rules[0], values)), list(map(rules[1], values))


def _json_bytes(head: dict, keys: list[str], encoded: Sequence[list[str]]) -> bytes:
    """``json.dumps({**head, "rows": [{key: value, ...}, ...]})`` from the columns' JSON texts."""
    starts = ["{" + _dumps(keys[0]) + ":"] + ["," + _dumps(k) + ":" for k in keys[1:]]
    pieces = chain.from_iterable(zip(map(repeat, starts), encoded, strict=True))
    rows = ",".join(map("".join, zip(*pieces, repeat("}"))))
    return "".join((_dumps(head)[:-1], ',"rows":[', rows, "]}")).encode("utf-8")


def downloads(
    ds: Dataset, agg: Aggregates, url_for, base_url: str = "", lists: set[str] | None = None
) -> dict[str, bytes]:
    """Every download file: relative path -> bytes. ``lists``: build only the CSV and JSON
    of these lists (the data description always describes all of them)."""
    files: dict[str, bytes] = {}
    tables = export_tables(ds, agg, url_for, lists)
    counts = {"demands": len(ds.demands), "projects": len(ds.projects), "results": len(ds.results)}
    resources = [_resource(name, _published(table), table.derived, counts[name]) for name, table in LISTS.items()]
    for name, (columns, extra, values) in tables.items():
        header = [c.label for c in (*columns, *extra)]
        keys = [c.name for c in (*columns, *extra)]
        schema: list[Column | None] = [*columns, *[None] * len(extra)]  # derived values are written as computed
        fields, encoded = zip(*map(encode_column, values, schema), strict=True)
        files[f"downloads/{name}.csv"] = _csv_bytes(_fields(header), zip(*fields, strict=True))
        head = {"as_of": ds.as_of.isoformat(), "list": name, "count": counts[name]}
        files[f"downloads/{name}.json"] = _json_bytes(head, keys, encoded)
    package = {
        "name": "gongshi",
        "title": ds.settings.name,
        "as_of": ds.as_of.isoformat(),
        "homepage": base_url,
        "satisfaction_formula": "（"
        + " + ".join(ds.rating_enum.label(k) for k in ds.satisfied_keys)
        + f"）÷ 有效评价（不含{ds.rating_enum.label('unknown')}）",
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


def _resource(name: str, columns: list[Column], extra: tuple[Column, ...], count: int) -> dict:
    """A frictionless-style description of one download, from the schema."""
    fields = []
    for c in columns:
        f: dict[str, object] = {"name": c.name, "title": c.label, "type": _TYPES[c.type]}
        if c.enum is not None:
            f["constraints"] = {"enum": c.enum.keys()}
            f["labels"] = {ch.key: ch.label for ch in c.enum.choices}
        if c.description:
            f["description"] = c.description
        fields.append(f)
    fields += [{"name": c.name, "title": c.label, "type": _TYPES[c.type]} for c in extra]
    return {
        "name": name,
        "paths": [f"{name}.csv", f"{name}.json"],
        "count": count,
        "csv": {"encoding": "utf-8-sig", "header": "title"},
        "json": {"rows": "rows", "keys": "name"},
        "schema": {"fields": fields},
    }
