"""Stage 6: how a published value is written in the downloads (CSV for Excel, JSON).

opendata.py writes the files with these encoders; columns come from schema.py (published
columns only), so a private column can never be exported. Every CSV cell passes
:func:`neutralise`: the one export path, so no published spreadsheet can carry a formula.

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
from collections.abc import Callable
from itertools import chain, compress, count, repeat
from json.encoder import encode_basestring
from operator import attrgetter
from typing import Any

from generator.schema import ENUM, Column, Table

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


def _json(value: object) -> object:
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, tuple):
        return list(value)
    return value
