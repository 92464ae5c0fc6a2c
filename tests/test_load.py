"""Every input format and encoding yields the same dataset as the plain CSV fixture."""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path

import openpyxl
import pytest
import yaml
from support import MINI, read_rows, write_rows

from generator.ingest import prepare as pipeline


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


# ---------------------------------------------------------------- workbooks as staff keep them


def _sheet(wb, title: str, rows: list[list[object]]):
    ws = wb.create_sheet(title)
    for r in rows:
        ws.append(r)
    return ws


def test_every_visible_sheet_is_read_with_its_name_in_locations(mini):
    rows = read_rows(mini / "projects.csv")
    (mini / "projects.csv").unlink()
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    _sheet(wb, "东街道", [rows[0], *rows[1:3]])
    _sheet(wb, "西镇", [rows[0], *rows[3:]])
    hidden = _sheet(wb, "旧表", [rows[0], rows[1]])
    hidden.sheet_state = "hidden"
    _sheet(wb, "填写说明", [["本表由街道填报"], ["每月5日前报送"]])
    wb.save(mini / "整改清单.xlsx")
    prepared = pipeline.prepare(mini)
    projects = prepared.dataset.projects
    # Each sheet is named after a subdistrict: its projects belong there.
    assert {p.id: p.subdistrict for p in projects.values()} == {
        "P1": "S1",
        "P2": "S1",
        "P3": "S2",
        "P4": "S2",
        "P5": "S2",
    }
    assert {k: dataclasses.replace(p, subdistrict="") for k, p in projects.items()} == baseline()[2]
    skipped = {(p.file, p.code) for p in prepared.report.problems if p.code == "sheet-skipped"}
    assert skipped == {("data/整改清单.xlsx[旧表]", "sheet-skipped"), ("data/整改清单.xlsx[填写说明]", "sheet-skipped")}
    # A problem in the second sheet names that sheet, its row and the column letter.
    ws = openpyxl.load_workbook(mini / "整改清单.xlsx")
    ws["西镇"]["L2"] = "差不多了"
    ws.save(mini / "整改清单.xlsx")
    bad = [p for p in pipeline.check(mini).problems if p.code == "invalid-enum"]
    assert [(p.file, p.row, p.letter, p.column) for p in bad] == [("data/整改清单.xlsx[西镇]", 2, "L", "状态")]
    assert bad[0].location() == "data/整改清单.xlsx[西镇]，第 2 行，L 列“状态”"


def test_title_rows_totals_and_footer_are_skipped_and_counted(mini):
    rows = read_rows(mini / "projects.csv")
    (mini / "projects.csv").unlink()
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "整改清单"
    ws.append(["测试区整改清单"])
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(rows[0]))
    ws.append(["填报单位：测试区委办", "", "", "", "", "", "", "", "", "填报日期：2026年6月30日"])
    for r in rows:
        ws.append(r)
    ws.append(["合计", "", "", "", "", "", "", "", "", "", "", "", "60"])
    ws.append([])
    ws.append(["填报人：李丽", "", "", "审核人：王强", "", "", "联系电话：0871-1234567"])
    ws.append(["注：完成比例按月更新"])
    wb.save(mini / "整改清单.xlsx")
    prepared = pipeline.prepare(mini)
    assert prepared.dataset.projects == baseline()[2]
    report = prepared.report
    excluded = [(f, r, why) for t, f, r, why in report.excluded if t == "projects"]
    f = "data/整改清单.xlsx[整改清单]"
    assert excluded == [
        (f, 1, "表头上方的标题行"),
        (f, 2, "表头上方的填报单位行"),
        (f, 9, "合计行"),
        (f, 11, "表尾（填报人、审核人、日期等）"),
        (f, 12, "表尾（填报人、审核人、日期等）"),
    ]  # the empty row 10 is not content: not counted, as trailing empty rows never are
    assert report.rows_read["projects"] == report.rows_published["projects"] + len(excluded) == 10


def test_merged_cells_fill_down_only_where_the_schema_allows(mini):
    rows = read_rows(mini / "projects.csv")
    (mini / "projects.csv").unlink()
    wb = openpyxl.Workbook()
    ws = wb.active
    for r in rows:
        ws.append(r)
    community, leader = rows[0].index("社区") + 1, rows[0].index("领办人") + 1
    ws.cell(5, community).value = None  # P4 (row 5) under a 社区 cell merged with P3's
    ws.merge_cells(start_row=4, start_column=community, end_row=5, end_column=community)
    ws.cell(3, leader).value = None  # 领办人 merged: not filled down, reported
    ws.merge_cells(start_row=2, start_column=leader, end_row=3, end_column=leader)
    wb.save(mini / "整改清单.xlsx")
    report = pipeline.check(mini)
    found = {(p.file, p.row, p.letter, p.code) for p in report.problems}
    assert ("data/整改清单.xlsx[Sheet]", 2, "H", "merged-not-filled") in found
    assert ("data/整改清单.xlsx[Sheet]", 3, "H", "missing-value") in found
    assert not any(p.code in ("missing-value", "unknown-reference") and p.row == 5 for p in report.problems)


def test_merged_community_cells_are_filled(mini):
    rows = read_rows(mini / "projects.csv")
    (mini / "projects.csv").unlink()
    wb = openpyxl.Workbook()
    ws = wb.active
    for r in rows:
        ws.append(r)
    community = rows[0].index("社区") + 1
    ws.cell(5, community).value = None
    ws.merge_cells(start_row=4, start_column=community, end_row=5, end_column=community)
    wb.save(mini / "整改清单.xlsx")
    projects = pipeline.prepare(mini).dataset.projects
    assert projects["P4"].communities == projects["P3"].communities == ("C3",)


def test_formula_without_saved_value_is_an_error_at_its_cell(mini):
    rows = read_rows(mini / "projects.csv")
    (mini / "projects.csv").unlink()
    wb = openpyxl.Workbook()
    ws = wb.active
    for r in rows:
        ws.append(r)
    ws["B3"] = '=CONCATENATE("小区门口","排水改造")'  # written by a program: no value saved
    wb.save(mini / "整改清单.xlsx")
    found = [(p.file, p.row, p.letter, p.column) for p in pipeline.check(mini).problems
             if p.code == "formula-without-value"]  # fmt: skip
    assert found == [("data/整改清单.xlsx[Sheet]", 3, "B", "项目名称")]


def test_area_sheets_named_after_subdistricts_give_the_parent(mini):
    rows = read_rows(mini / "areas.csv")
    (mini / "areas.csv").unlink()
    header = ["id", "name", "level", "households", "residents"]
    keep = [0, 1, 2, 4, 5]
    by_parent: dict[str, list[list[str]]] = {}
    for r in rows[1:]:
        by_parent.setdefault(r[3], []).append([r[j] for j in keep])
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    ws = _sheet(wb, "区", [[*header, "parent"]])
    for r in rows[1:]:
        if r[3] in ("", "D1"):
            ws.append([*[r[j] for j in keep], r[3]])
    _sheet(wb, "东街道", [header, *by_parent["S1"]])
    _sheet(wb, "西镇", [header, *by_parent["S2"]])
    wb.save(mini / "区域.xlsx")
    assert snapshot(mini)[0] == baseline()[0]


@pytest.mark.parametrize(
    ("cells", "reason"),
    [
        (["合计", "共 3 项", "", "60"], "合计行"),
        (["合 计：", "5"], "合计行"),
        (["", "小计"], "合计行"),
        (["填报人：李丽", "", "审核人：张伟", "联系电话：0871-6312345"], "表尾（填报人、审核人、日期等）"),
        (["注：完成比例按月更新"], "表尾（填报人、审核人、日期等）"),
        (["3", "合计3个小区改造", "C1", "U1"], None),  # a title that starts with 合计
        (["4", "C1", "说明：居民反映楼道灯坏了", "U1", "王建国"], None),  # data that starts like a note
    ],
)
def test_totals_and_footers_are_told_from_data(cells, reason):
    from generator.ingest.load import row_marker

    assert row_marker(cells) == reason


def test_a_short_csv_footer_line_is_still_a_footer(mini):
    rows = read_rows(mini / "projects.csv")
    text = (mini / "projects.csv").read_text(encoding="utf-8") + "填报人：李丽,审核人：张伟\n"
    (mini / "projects.csv").write_text(text, encoding="utf-8")  # a line shorter than the header
    report = pipeline.prepare(mini).report
    assert [(r, why) for t, f, r, why in report.excluded if t == "projects"] == [
        (len(rows) + 1, "表尾（填报人、审核人、日期等）")
    ]
