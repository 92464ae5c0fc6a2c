"""One broken input per problem code, each asserting (file, row, column, code)."""

from __future__ import annotations

import dataclasses
import os
from pathlib import Path

import pytest
from support import read_rows, set_cell, write_rows

from generator.ingest import prepare as pipeline
from generator.ingest.load import discover, is_settings, read_data, read_settings
from generator.ingest.validate import check_part, check_settings, parse_date, validate
from generator.problems import CODES, Report
from generator.schema import PROJECTS, REF, REFS, TABLES, Column, Table


def problems(data: Path) -> set[tuple[str, int | None, str, str]]:
    report = pipeline.check(data)
    return {(Path(p.file).name, p.row, p.column, p.code) for p in report.problems}


def test_clean_fixture_has_no_errors(mini):
    report = pipeline.check(mini)
    assert report.errors == []


def _cell(file, row, column, value):
    return lambda d: set_cell(d / file, row, column, value)


def _followup(**cells: str):
    """Add the 限时整改 columns to the result list, P1's row filled with ``cells``."""

    def mutate(d):
        rows = read_rows(d / "results.csv")
        names = ["整改开始日期", "整改期限", "整改完成日期"]
        rows[0] += names
        for row in rows[1:]:
            row += [""] * len(names)
        for label, value in cells.items():
            rows[1][rows[0].index(label)] = value
        write_rows(d / "results.csv", rows)

    return mutate


def _blank_row(d):
    rows = read_rows(d / "projects.csv")
    rows.insert(2, [""] * len(rows[0]))
    write_rows(d / "projects.csv", rows)


def _drop_column(d):
    rows = read_rows(d / "projects.csv")
    j = rows[0].index("牵头单位")
    write_rows(d / "projects.csv", [r[:j] + r[j + 1 :] for r in rows])


def _add_column(name, value=""):
    def go(d):
        rows = read_rows(d / "projects.csv")
        write_rows(d / "projects.csv", [rows[0] + [name]] + [[*r, value] for r in rows[1:]])

    return go


def _ambiguous(d):
    set_cell(d / "areas.csv", 6, "name", "桂香社区")


def _symlink(d):
    os.symlink("/etc/hostname", d / "demands-extra.csv")


def _workbook(d, edit):
    """projects.csv as the one sheet of 整改清单.xlsx, then ``edit(sheet)``."""
    import openpyxl

    rows = read_rows(d / "projects.csv")
    (d / "projects.csv").unlink()
    wb = openpyxl.Workbook()
    for r in rows:
        wb.active.append(r)
    edit(wb)
    wb.save(d / "整改清单.xlsx")


def _hidden_sheet(wb):
    ws = wb.create_sheet("旧表")
    ws.append(["编号", "项目名称"])
    ws.sheet_state = "hidden"


def _merged_leader(wb):
    wb.active["H3"] = None
    wb.active.merge_cells("H2:H3")


def _formula(wb):
    wb.active["B3"] = '="小区"&"排水"'


def _rename(file, old, new):
    def go(d):
        rows = read_rows(d / file)
        rows[0][rows[0].index(old)] = new
        write_rows(d / file, rows)

    return go


CASES = [
    ("missing-value", _cell("projects.csv", 2, "项目名称", ""), ("projects.csv", 2, "项目名称")),
    ("type-error", _cell("projects.csv", 3, "完成比例", "四十"), ("projects.csv", 3, "完成比例")),
    ("type-error", _cell("progress.csv", 2, "完成比例", "40.5"), ("progress.csv", 2, "完成比例")),
    ("invalid-date", _cell("demands.csv", 2, "收集日期", "2026年13月1日"), ("demands.csv", 2, "收集日期")),
    ("invalid-date", _cell("projects.csv", 2, "完成时限", "2026-02-30"), ("projects.csv", 2, "完成时限")),
    ("invalid-enum", _cell("projects.csv", 2, "状态", "差不多了"), ("projects.csv", 2, "状态")),
    ("invalid-enum", _cell("feedback.csv", 3, "评价", "还行吧"), ("feedback.csv", 3, "评价")),
    ("out-of-range", _cell("progress.csv", 2, "完成比例", "150"), ("progress.csv", 2, "完成比例")),
    ("out-of-range", _cell("projects.csv", 3, "完成比例", "-5"), ("projects.csv", 3, "完成比例")),
    ("duplicate-id", _cell("projects.csv", 3, "编号", "P1"), ("projects.csv", 3, "编号")),
    ("id-collision", _cell("projects.csv", 3, "编号", "p1"), ("projects.csv", 3, "编号")),
    ("invalid-id", _cell("projects.csv", 3, "编号", "../x"), ("projects.csv", 3, "编号")),
    ("unknown-reference", _cell("projects.csv", 2, "牵头单位", "U9"), ("projects.csv", 2, "牵头单位")),
    ("unknown-reference", _cell("projects.csv", 3, "社区", "C1、C9"), ("projects.csv", 3, "社区")),
    ("unknown-reference", _cell("demands.csv", 3, "社区", "S1"), ("demands.csv", 3, "社区")),
    ("unknown-reference", _cell("projects.csv", 2, "对应需求", "D999"), ("projects.csv", 2, "对应需求")),
    ("unknown-reference", _cell("results.csv", 2, "项目编号", "P9"), ("results.csv", 2, "项目编号")),
    ("unknown-reference", _cell("feedback.csv", 2, "项目编号", "P9"), ("feedback.csv", 2, "项目编号")),
    ("unknown-reference", _cell("progress.csv", 2, "项目编号", "P9"), ("progress.csv", 2, "项目编号")),
    ("ambiguous-reference", _ambiguous, ("demands.csv", 3, "社区")),
    ("invalid-parent", _cell("areas.csv", 5, "parent", "C2"), ("areas.csv", 5, "parent")),
    ("deadline-before-start", _cell("projects.csv", 2, "完成时限", "2025-12-01"), ("projects.csv", 2, "完成时限")),
    ("completed-without-result", _cell("projects.csv", 5, "状态", "已完成"), ("projects.csv", 5, "状态")),
    ("declined-without-reason", _cell("demands.csv", 5, "未采纳原因", ""), ("demands.csv", 5, "未采纳原因")),
    ("signoff-before-completion", _cell("results.csv", 2, "销号日期", "2026-03-01"), ("results.csv", 2, "销号日期")),
    ("reopen-before-completion", _followup(整改开始日期="2026-03-01"), ("results.csv", 2, "整改开始日期")),
    (
        "fix-deadline-before-reopen",
        _followup(整改开始日期="2026-05-01", 整改期限="2026-04-20"),
        ("results.csv", 2, "整改期限"),
    ),
    (
        "fixed-before-reopen",
        _followup(整改开始日期="2026-05-01", 整改完成日期="2026-04-28"),
        ("results.csv", 2, "整改完成日期"),
    ),
    ("fixed-before-reopen", _followup(整改完成日期="2026-03-20"), ("results.csv", 2, "整改完成日期")),
    ("followup-without-reopen", _followup(整改期限="2026-05-20"), ("results.csv", 2, "整改开始日期")),
    (
        "date-after-as-of",
        _followup(整改开始日期="2026-04-01", 整改完成日期="2026-07-05"),
        ("results.csv", 2, "整改完成日期"),
    ),
    ("result-not-completed", _cell("projects.csv", 2, "状态", "推进中"), ("results.csv", 2, "项目编号")),
    ("date-after-as-of", _cell("demands.csv", 2, "收集日期", "2026-07-05"), ("demands.csv", 2, "收集日期")),
    ("demand-project-mismatch", _cell("demands.csv", 2, "转化项目", "P2"), ("demands.csv", 2, "转化项目")),
    ("feedback-unfinished-project", _cell("feedback.csv", 2, "项目编号", "P2"), ("feedback.csv", 2, "项目编号")),
    ("blank-row", _blank_row, ("projects.csv", 3, "")),
    ("missing-column", _drop_column, ("projects.csv", 1, "牵头单位")),
    ("duplicate-column", _add_column("名称"), ("projects.csv", 1, "名称")),
    ("unknown-column", _add_column("联系人备忘"), ("projects.csv", 1, "联系人备忘")),
    ("header-not-found", lambda d: (d / "units.csv").write_text("a,b\n1,2\n", encoding="utf-8"), ("units.csv", 1, "")),
    ("missing-table", lambda d: (d / "projects.csv").unlink(), ("data", None, "")),
    ("file-unreadable", lambda d: (d / "units.csv").write_bytes(b"\x00\x01\x02id,name"), ("units.csv", None, "")),
    ("file-refused", _symlink, ("demands-extra.csv", None, "")),
    ("unknown-file", lambda d: (d / "notes.csv").write_text("x\n", encoding="utf-8"), ("notes.csv", None, "")),
    (
        "invalid-settings",
        lambda d: (d / "site.yaml").write_text(
            (d / "site.yaml").read_text(encoding="utf-8").replace("as_of: 2026-06-30", "as_of: 昨天"), encoding="utf-8"
        ),
        ("site.yaml", 3, "as_of"),
    ),
    ("pii-masked", lambda d: None, ("feedback.csv", 5, "意见")),
    ("pii-in-output", _cell("areas.csv", 5, "residents", "13957246813"), ("areas.csv", 5, "residents")),
    ("ambiguous-date", _cell("projects.csv", 2, "完成时限", "6月底"), ("projects.csv", 2, "完成时限")),
    ("status-inferred", _rename("projects.csv", "状态", "进展情况"), ("projects.csv", 1, "状态")),
    ("id-derived", _rename("projects.csv", "编号", "序号"), ("projects.csv", 1, "编号")),
    (
        "references-unchecked",
        lambda d: (d / "demands.csv").write_bytes(b"\x00\x01"),
        ("projects.csv", None, "对应需求"),
    ),
    ("areas-declared", lambda d: (d / "areas.csv").unlink(), ("projects.csv", None, "")),
    ("units-declared", lambda d: (d / "units.csv").unlink(), ("projects.csv", None, "")),
    ("sheet-skipped", lambda d: _workbook(d, _hidden_sheet), ("整改清单.xlsx[旧表]", None, "")),
    ("merged-not-filled", lambda d: _workbook(d, _merged_leader), ("整改清单.xlsx[Sheet]", 2, "领办人")),
    ("formula-without-value", lambda d: _workbook(d, _formula), ("整改清单.xlsx[Sheet]", 3, "项目名称")),
    (
        "mapping-invalid",
        lambda d: (d / "projects.mapping.yaml").write_text("列:\n  负责人: 负责领导\n", encoding="utf-8"),
        ("projects.mapping.yaml", 2, "负责人"),
    ),
    (
        "mapping-unused",
        lambda d: (d / "projects.mapping.yaml").write_text("列:\n  负责人: 领办人\n", encoding="utf-8"),
        ("projects.mapping.yaml", 2, "负责人"),
    ),
]


@pytest.mark.parametrize(("code", "mutate", "where"), CASES, ids=[f"{c[0]}-{i}" for i, c in enumerate(CASES)])
def test_each_problem_is_located(mini, code, mutate, where):
    mutate(mini)
    found = problems(mini)
    assert (*where, code) in found, sorted(found)


def test_every_code_has_a_broken_fixture():
    assert {c[0] for c in CASES} == set(CODES)


def test_problems_are_all_collected(mini):
    set_cell(mini / "projects.csv", 2, "状态", "差不多了")
    set_cell(mini / "projects.csv", 3, "完成比例", "四十")
    set_cell(mini / "demands.csv", 2, "收集日期", "昨天")
    report = pipeline.check(mini)
    assert len(report.errors) >= 3


def test_messages_say_value_and_fix_in_chinese(mini):
    set_cell(mini / "demands.csv", 2, "收集日期", "2026年13月1日")
    p = next(p for p in pipeline.check(mini).problems if p.code == "invalid-date")
    assert p.value == "2026年13月1日"
    assert "2026年6月30日" in p.message()  # says how to write it
    assert p.location() == "data/demands.csv，第 2 行，C 列“收集日期”"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2023-06-30", "2023-06-30"),
        ("2023年6月30日", "2023-06-30"),
        ("2023.6.30", "2023-06-30"),
        ("2023/6/30", "2023-06-30"),
        ("２０２３年６月３０日", "2023-06-30"),
        ("20230630", "2023-06-30"),
        ("2023-06-30 00:00:00", "2023-06-30"),
        ("2023-02-30", None),
        ("六月", None),
        ("", None),
    ],
)
def test_dates(text, expected):
    d = parse_date(text)
    assert (d.isoformat() if d else None) == expected


def test_synonyms_map_to_keys(mini):
    ds = pipeline.prepare(mini).dataset
    assert ds.projects["P2"].status == "in_progress"  # 滞后
    assert ds.projects["P3"].status == "ongoing"  # 常态化
    assert ds.areas["S2"].level == "subdistrict"  # 镇
    assert ds.demands[1].community == "C1"  # referenced by name


def _validate_with(data: Path, tables: tuple[Table, ...]):
    """Load, check and validate ``data`` against the schema ``tables`` (not the package's)."""
    by_name = {t.name: t for t in tables}
    problems: list = []
    report = Report()
    settings = None
    parts: dict[str, list] = {}
    for path, file, table in discover(data, problems):
        raw = path.read_bytes()
        if is_settings(path):
            values, lines = read_settings(raw, file, problems)
            settings = check_settings(values, file, lines or {}, report)
            continue
        assert table is not None
        for part in read_data(raw, path.suffix.lower(), file, by_name[table.name]).parts:
            parts.setdefault(part.table.name, []).append(check_part(part.table, part))
    assert settings is not None and problems == []
    typed = validate(settings, parts, report, tables)
    return typed, {(Path(p.file).name, p.row, p.column, p.code) for p in report.problems}


def test_a_new_reference_column_is_checked_from_the_schema(mini):
    """Declaring Column.ref (and ref_level) is all it takes: validate.py has no list of references."""
    added = (
        Column("reviewer", "审核单位", REF, ref="units"),
        Column("site", "实施社区", REF, ref="areas", ref_level="community"),
    )
    projects = dataclasses.replace(PROJECTS, columns=(*PROJECTS.columns, *added))
    tables = tuple(projects if t.name == "projects" else t for t in TABLES)
    rows = read_rows(mini / "projects.csv")
    cells = {2: ["区民政局", "C1"], 3: ["U9", "S1"], 4: ["U1", "柳岸社区"]}  # by name; unknown; by id
    write_rows(
        mini / "projects.csv",
        [rows[0] + ["审核单位", "实施社区"]] + [r + cells.get(n, ["", ""]) for n, r in enumerate(rows[1:], start=2)],
    )
    typed, found = _validate_with(mini, tables)
    assert ("projects.csv", 3, "审核单位", "unknown-reference") in found
    assert ("projects.csv", 3, "实施社区", "unknown-reference") in found  # a subdistrict, not a community
    assert not {f for f in found if f[1] in (2, 4) and f[2] in ("审核单位", "实施社区")}
    projects_td = typed["projects"]
    ids = list(projects_td.values("id"))
    assert projects_td.values("reviewer")[ids.index("P1")] == "U2"  # resolved from the unit's name
    assert projects_td.values("site")[ids.index("P3")] == "C2"


def test_reference_hints_come_from_the_schema(mini):
    set_cell(mini / "projects.csv", 2, "牵头单位", "U9")
    set_cell(mini / "demands.csv", 3, "社区", "S1")
    report = pipeline.check(mini)
    details = {(Path(p.file).name, p.column): p.detail for p in report.problems if p.code == "unknown-reference"}
    assert details[("projects.csv", "牵头单位")] == "应为责任单位清单中的编号或名称"
    assert details[("demands.csv", "社区")] == "应为区域清单中的社区（村）"


def test_every_declared_reference_can_be_checked():
    """What validate derives its reference checks from: each REF/REFS column names a table
    with a key, and a level restriction only where that table has levels."""
    by_name = {t.name: t for t in TABLES}
    refs = [(t, c) for t in TABLES for c in t.columns if c.type in (REF, REFS)]
    assert len(refs) == 12
    for table, col in refs:
        assert col.ref in by_name and by_name[col.ref].key, (table.name, col.name)
        if col.ref_level:
            target = by_name[col.ref]
            assert target.column("level").enum is not None
            assert col.ref_level in target.column("level").enum.keys(), (table.name, col.name)
    assert {(t.name, c.name) for t, c in refs if c.ref_level} == {
        ("units", "paired_communities"),
        ("demands", "community"),
        ("projects", "communities"),
        ("projects", "subdistrict"),
    }
