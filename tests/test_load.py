"""Every input format and encoding yields the same dataset as the plain CSV fixture."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import openpyxl
import pytest
import yaml
from support import MINI, read_rows, write_rows

from generator import pipeline


def snapshot(data: Path):
    ds = pipeline.prepare(data).dataset
    return (ds.areas, ds.units, ds.projects, [d for d in ds.demands], ds.progress, ds.results, ds.ratings, ds.comments)


BASELINE = None


def baseline():
    global BASELINE
    if BASELINE is None:
        BASELINE = snapshot(MINI)
    return BASELINE


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030", "utf-16"])
def test_csv_encodings(mini, encoding):
    for name in ("projects.csv", "demands.csv", "feedback.csv"):
        rows = read_rows(mini / name)
        write_rows(mini / name, rows, encoding=encoding)
    assert snapshot(mini) == baseline()


def test_excel_with_title_row_merged_cells_and_real_dates(mini):
    rows = read_rows(mini / "projects.csv")
    (mini / "projects.csv").unlink()
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Sheet1"
    ws.append(["测试区整改清单（2026年）"])
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(rows[0]))
    ws.append(rows[0])
    date_cols = {rows[0].index("开始日期"), rows[0].index("完成时限")}
    pct = rows[0].index("完成比例")
    for r in rows[1:]:
        values: list[object] = []
        for j, v in enumerate(r):
            if j in date_cols and v:
                values.append(dt.datetime.fromisoformat(v))
            elif j == pct:
                values.append(int(v) / 100)
            else:
                values.append(v)
        ws.append(values)
    for row in ws.iter_rows(min_row=3, min_col=pct + 1, max_col=pct + 1):
        row[0].number_format = "0%"
    wb.save(mini / "整改清单.xlsx")
    assert snapshot(mini)[2] == baseline()[2]


def test_excel_merged_cells_fill_down(mini):
    rows = read_rows(mini / "units.csv")
    (mini / "units.csv").unlink()
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(rows[0])
    for r in rows[1:]:
        ws.append(r)
    ws["C3"] = None  # U2's 单位类别 left empty, merged with U1's above
    ws.merge_cells("C2:C3")
    wb.save(mini / "units.xlsx")
    units = pipeline.prepare(mini).dataset.units
    assert units["U2"].kind == "政府部门"


def test_workbook_with_one_sheet_per_list(mini):
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for sheet, name in (("区域", "areas.csv"), ("责任单位", "units.csv")):
        ws = wb.create_sheet(sheet)
        for r in read_rows(mini / name):
            ws.append(r)
        (mini / name).unlink()
    wb.save(mini / "基础信息.xlsx")
    snap = snapshot(mini)
    assert snap[0] == baseline()[0] and snap[1] == baseline()[1]


def test_yaml_rows_are_located_by_line(mini):
    rows = read_rows(mini / "areas.csv")
    (mini / "areas.csv").unlink()
    records = [dict(zip(rows[0], r, strict=True)) for r in rows[1:]]
    (mini / "areas.yaml").write_text(yaml.safe_dump(records, allow_unicode=True, sort_keys=False), encoding="utf-8")
    assert snapshot(mini)[0] == baseline()[0]
    text = (mini / "areas.yaml").read_text(encoding="utf-8").replace("level: 村", "level: 小区")
    (mini / "areas.yaml").write_text(text, encoding="utf-8")
    report = pipeline.check(mini)
    bad = [p for p in report.problems if p.code == "invalid-enum"]
    line = next(i for i, ln in enumerate(text.splitlines(), 1) if ln.startswith("- ") and "C3" in ln)
    assert [(p.file, p.row, p.column) for p in bad] == [("data/areas.yaml", line, "level")]


def test_several_files_in_a_list_folder(mini):
    rows = read_rows(mini / "demands.csv")
    (mini / "demands.csv").unlink()
    (mini / "demands").mkdir()
    write_rows(mini / "demands" / "东街道.csv", [rows[0], *rows[1:4]])
    write_rows(mini / "demands" / "西镇.csv", [rows[0], *rows[4:]], encoding="gb18030")
    assert sorted(d.id for d in snapshot(mini)[3]) == sorted(d.id for d in baseline()[3])


def test_yaml_alias_bomb_is_refused(mini):
    bomb = "a: &a [x, x]\nb: &b [*a, *a]\nc: [*b, *b]\n"
    (mini / "units.yaml").write_text(bomb, encoding="utf-8")
    codes = {(p.file, p.code) for p in pipeline.check(mini).problems}
    assert ("data/units.yaml", "file-unreadable") in codes


def test_private_columns_never_reach_the_model(mini):
    ds = pipeline.prepare(mini).dataset
    d = ds.demands[0]
    assert not hasattr(d, "resident_phone")
    assert "张三丰" not in d.summary and "张**" in d.summary
    assert all("13811112222" not in c.text for cs in ds.comments.values() for c in cs)
