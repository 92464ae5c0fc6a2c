"""The downloads stay byte-identical to the reference taken before export.py was optimised.

Two references in tests/fixtures/export/:

* ``demo-sha256.json``: SHA-256 of every download built from the demo data (data/);
* ``edge/``: the full downloads of a tiny hand-made dataset with awkward values (formula
  starts, None, mixed types, negative integers, datetimes, empty tuples, quotes and line
  breaks), so the column-wise fast paths are checked against the per-cell rule they replace.

After an intended change to the published format, regenerate with:
GONGSHI_UPDATE_EXPORT=1 python -m pytest tests/test_export_speed.py
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import json
import os
from pathlib import Path
from types import SimpleNamespace

import pytest
from support import ROOT

from generator.exports.downloads import csv_bytes, encode_column, neutralise
from generator.exports.opendata import downloads
from generator.ingest import prepare as pipeline
from generator.model.aggregate import ProjectInfo
from generator.model.dataset import Area, Dataset, Demand, Project, Result, Unit
from generator.schema import RATING_3, SiteSettings
from generator.site.views import url_for

FIXTURES = Path(__file__).parent / "fixtures" / "export"
UPDATE = os.environ.get("GONGSHI_UPDATE_EXPORT") == "1"


def _project(pid: str, **kw) -> Project:
    base = dict(
        id=pid,
        title="标题",
        communities=("C1",),
        category="space",
        handling="open",
        lead_unit="U1",
        partner_units=(),
        leader="张三",
        measures="",
        start=dt.date(2024, 1, 1),
        deadline=dt.date(2024, 12, 31),
        status="in_progress",
        progress=50,
        demands=(),
        slug=pid.lower(),
    )
    base.update(kw)
    return Project(**base)


def _info(light, overdue) -> ProjectInfo:
    return ProjectInfo(light, "", overdue, None, None, 0)


def edge_dataset():
    demands = [
        Demand("D1", "C1", dt.date(2024, 3, 1), "visit", "space", "=1+1", "ordered", "", "P1"),
        Demand("D2", "C2", None, None, None, '含"引号",逗号\r\n换行', "declined", "-理由", ""),
        Demand("D3", "C1", dt.datetime(2024, 3, 2, 8, 30), "weird", "other", "＝SUM(A1)", "opened", "@x", "P2"),
        Demand("D4", "C2", dt.date(2024, 3, 1), "hotline", "safety", "\tTab", "accepted", " 空格", ""),
        Demand("D5", "C1", dt.date(2024, 3, 1), "visit", "space", "", "ordered", None, None),
        Demand("D6", "C1", dt.date(2024, 3, 1), "visit", "space", 7, "ordered", "+1", "|p"),
    ]
    projects = {
        "P2": _project("P2", partner_units=("U1", "U2"), demands=("D3",), progress=True, measures="－减"),
        "P1": _project("P1", communities=("C1", "C2"), demands=("D1",), progress=1, deadline=None),
        "P3": _project("P3", category=None, handling=None, start=None, progress=None, title="=HYPERLINK()"),
        "P4": _project("P4", progress=80.0, partner_units=(1, "U2"), status="completed"),
    }
    results = {
        "P1": Result("P1", dt.date(2024, 6, 1), '完成，"好"', None, "@证据"),
        "P4": Result("P4", dt.datetime(2024, 7, 1, 12), "", dt.date(2024, 7, 2), ""),
    }
    ds = Dataset(
        settings=SiteSettings(name="测试区", district="", as_of=dt.date(2024, 9, 1)),
        rating_enum=RATING_3,
        satisfied_keys=("satisfied", "basic"),
        areas={
            "C1": Area("C1", "一社区", "community", "S1", 120, None, "c1"),
            "C2": Area("C2", "=二社区", "community", "", None, -5, "c2"),
        },
        units={"U1": Unit("U1", "一单位", "", ("C1",), "u1"), "U2": Unit("U2", "二单位", "+类", (), "u2")},
        demands=demands,
        projects=projects,
        progress={},
        results=results,
        ratings={"P1": {"satisfied": 3, "basic": 1, "unknown": 2}, "P3": {"unsatisfied": 1}},
        comments={},
    )
    agg = SimpleNamespace(
        info={"P1": _info(None, 0), "P2": _info("red", -3), "P3": _info("yellow", 0), "P4": _info("green", 12)}
    )
    return ds, agg


def test_edge_downloads_unchanged():
    ds, agg = edge_dataset()
    files = downloads(ds, agg, url_for, "https://example.org/")
    ref = FIXTURES / "edge"
    if UPDATE:
        for name, data in files.items():
            (ref / name).parent.mkdir(parents=True, exist_ok=True)
            (ref / name).write_bytes(data)
    stored = sorted(str(p.relative_to(ref)) for p in ref.rglob("*") if p.is_file())
    assert stored == sorted(files)
    for name, data in files.items():
        assert data == (ref / name).read_bytes(), name


def test_demo_downloads_unchanged():
    prepared = pipeline.prepare(ROOT / "data")
    files = downloads(prepared.dataset, prepared.aggregates, url_for, "")
    digests = {name: hashlib.sha256(data).hexdigest() for name, data in sorted(files.items())}
    ref = FIXTURES / "demo-sha256.json"
    if UPDATE:
        ref.parent.mkdir(parents=True, exist_ok=True)
        ref.write_text(json.dumps(digests, indent=1) + "\n", encoding="utf-8")
    if not ref.exists():
        pytest.fail("no reference: run with GONGSHI_UPDATE_EXPORT=1")
    assert digests == json.loads(ref.read_text(encoding="utf-8"))


def _csv_line(cells: list[str]) -> str:
    """The reference: csv.writer's excel dialect, CRLF."""
    out = io.StringIO(newline="")
    csv.writer(out, lineterminator="\r\n").writerow(cells)
    return out.getvalue()


def _reference_text(value: object) -> str:
    """What a cell shows: dates in ISO form, yes/no as 是/否, several values joined by 、, nothing for None."""
    if value is None:
        return ""
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, (tuple, list)):
        return "、".join(_reference_text(v) for v in value)
    return str(value)


def test_csv_matches_csv_writer():
    """csv_bytes writes what csv.writer writes for neutralised cells: every BMP character, alone and in text."""
    texts = [chr(c) for c in range(0xD800)] + [chr(c) for c in range(0xE000, 0x10000)]
    texts += [f"a{t}b" for t in texts[:0x3100]] + ["", " ", "\x00=1", "x\x00", '"', '""', "=a,b", "-\r\n"]
    written = csv_bytes(["x", "y"], [["x", text] for text in texts]).decode("utf-8")
    expected = "\ufeff" + "".join(_csv_line([h, v]) for h, v in [("x", "y")] + [("x", neutralise(t)) for t in texts])
    assert written == expected


TRICKY = ["", "a", '"', "\\", "\\u0000", "\x00", "\x1f", "\u2028", "=1", "－1", "a,b", "行\r\n", "\t", "é", "😀"]


@pytest.mark.parametrize(
    "values",
    [
        TRICKY,
        TRICKY * 3,  # repeated: converted once per distinct value
        [tuple(TRICKY[i : i + 3]) for i in range(len(TRICKY))] * 3,
        [(), ("a",), ("a", "b")],
        [None, 1, True, 1.0, -0.0, 0.0, dt.date(2024, 1, 2), "1", (1,), (True,), ("1",)] * 2,
    ],
)
def test_column_shortcuts_match_per_cell_rule(values):
    fields, encoded = encode_column(values, None)
    # The field as csv.writer writes it in a row of two (a row of one empty field is special).
    assert fields == [_csv_line([neutralise(_reference_text(v)), "z"])[: -len(",z\r\n")] for v in values]
    assert encoded == [json.dumps(v, ensure_ascii=False, separators=(",", ":"), default=str) for v in values]
