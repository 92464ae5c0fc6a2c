"""Staff ledgers as they are kept: their headings, their words, their workbooks."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

from support import MINI, read_rows, write_rows

from generator import cli
from generator.ingest import prepare as pipeline

STAFF = Path(__file__).resolve().parent / "fixtures" / "staff"


def _edit(path: Path, column: str, values: dict[int, str]) -> None:
    """Set cells of one column by row number as the spreadsheet shows it."""
    rows = read_rows(path)
    j = rows[0].index(column)
    for row, value in values.items():
        rows[row - 1][j] = value
    write_rows(path, rows)


def _rename(path: Path, old: str, new: str) -> None:
    rows = read_rows(path)
    rows[0][rows[0].index(old)] = new
    write_rows(path, rows)


def test_status_words_percent_forms_and_deadlines(mini):
    projects = mini / "projects.csv"
    _edit(projects, "状态", {3: "正在推进", 4: "长期坚持"})
    _edit(projects, "完成比例", {3: "0.4", 4: "60%"})
    _edit(projects, "完成时限", {3: "2026年12月底", 4: "长期"})
    ds = pipeline.prepare(mini).dataset
    p2, p3 = ds.projects["P2"], ds.projects["P3"]
    assert (p2.status, p2.progress, p2.deadline) == ("in_progress", 40, dt.date(2026, 12, 31))
    assert (p3.status, p3.progress, p3.deadline) == ("ongoing", 60, None)


def test_a_date_without_its_year_asks_which_year(mini):
    _edit(mini / "projects.csv", "完成时限", {3: "6月底"})
    found = [p for p in pipeline.check(mini).problems if p.code == "ambiguous-date"]
    assert [(p.file, p.row, p.letter, p.column, p.value) for p in found] == [
        ("data/projects.csv", 3, "K", "完成时限", "6月底")
    ]
    assert "哪一年" in found[0].detail and found[0].is_error


def test_staff_headings_are_recognised(mini):
    for old, new in (("收集日期", "反映时间"), ("收集渠道", "反映渠道"), ("需求内容", "诉求内容"),
                     ("办理阶段", "办理状态"), ("社区", "所属社区")):  # fmt: skip
        _rename(mini / "demands.csv", old, new)
    for old, new in (
        ("领办人", "责任领导"),
        ("主要举措", "整改措施"),
        ("完成时限", "计划完成时间"),
        ("社区", "所属社区"),
    ):
        _rename(mini / "projects.csv", old, new)
    before = pipeline.prepare(MINI).dataset
    report = pipeline.check(mini)
    assert not [p for p in report.problems if p.code in ("unknown-column", "missing-column")]
    after = pipeline.prepare(mini).dataset
    assert after.projects == before.projects and after.demands == before.demands


def test_status_is_inferred_from_the_progress_note_and_said_once(mini):
    projects = mini / "projects.csv"
    _rename(projects, "状态", "进展情况")
    _edit(
        projects,
        "进展情况",
        {2: "灯具全部更换，已销号", 3: "管网施工中，尚未完成", 4: "常态化开展", 5: "", 6: "尚未启动"},
    )
    prepared = pipeline.prepare(mini)
    ps = prepared.dataset.projects
    assert {k: p.status for k, p in ps.items()} == {
        "P1": "completed", "P2": "in_progress", "P3": "ongoing", "P4": "not_started", "P5": "not_started",
    }  # fmt: skip
    assert ps["P2"].progress_note == "管网施工中，尚未完成"
    assert [p.signed_off for p in ps.values()] == [True, False, False, False, False]
    said = [p for p in prepared.report.problems if p.code == "status-inferred"]
    assert [(p.file, p.row, p.column) for p in said] == [("data/projects.csv", 1, "状态")]


def test_no_status_and_no_progress_note_is_one_missing_column(mini):
    rows = read_rows(mini / "projects.csv")
    j = rows[0].index("状态")
    write_rows(mini / "projects.csv", [r[:j] + r[j + 1 :] for r in rows])
    found = [(p.code, p.row, p.column) for p in pipeline.check(mini).problems if p.file == "data/projects.csv"]
    assert ("missing-column", 1, "状态") in found
    assert not [f for f in found if f[0] == "missing-value"]


def test_signed_off_project_never_shows_pending_sign_off(mini, tmp_path):
    _edit(mini / "projects.csv", "状态", {2: "已销号"})
    _edit(mini / "results.csv", "销号日期", {2: ""})
    ds = pipeline.prepare(mini).dataset
    assert ds.projects["P1"].signed_off and ds.projects["P1"].status == "completed"
    out = tmp_path / "out"
    assert cli.main(["build", "--data", str(mini), "--output", str(out)]) == 0
    page = (out / "projects" / "p1" / "index.html").read_text(encoding="utf-8")
    assert "待销号" not in page and "已销号" in page


def test_progress_note_is_shown_and_masked(mini, tmp_path):
    rows = read_rows(mini / "projects.csv")
    rows[0].append("进展情况")
    for r in rows[1:]:
        r.append("")
    rows[2][-1] = "已完成设计，联系人张三丰13812345678"
    write_rows(mini / "projects.csv", rows)
    out = tmp_path / "out"
    assert cli.main(["build", "--data", str(mini), "--output", str(out)]) == 0
    page = (out / "projects" / "p2" / "index.html").read_text(encoding="utf-8")
    assert "已完成设计" in page and "13812345678" not in page
    assert not any(b"13812345678" in p.read_bytes() for p in out.rglob("*") if p.is_file())


def _copy(name: str, tmp_path: Path) -> Path:
    data = tmp_path / name
    shutil.copytree(STAFF / name, data)
    return data


def test_one_problem_per_cause(mini):
    """A missing column is one error; a list without its ids does not flood the lists that
    refer to it: one summary per referring column."""
    rows = read_rows(mini / "units.csv")
    write_rows(mini / "units.csv", [r[1:] for r in rows])  # 编号 column gone
    _edit(mini / "projects.csv", "项目名称", {3: ""})
    rows = read_rows(mini / "projects.csv")
    j = rows[0].index("领办人")
    write_rows(mini / "projects.csv", [r[:j] + r[j + 1 :] for r in rows])
    problems = pipeline.check(mini).problems
    found = sorted((p.file, p.row or 0, p.column, p.code) for p in problems if p.is_error or
                   p.code == "references-unchecked")  # fmt: skip
    assert found == [
        ("data/projects.csv", 0, "牵头单位", "references-unchecked"),
        ("data/projects.csv", 0, "配合单位", "references-unchecked"),
        ("data/projects.csv", 1, "领办人", "missing-column"),
        ("data/projects.csv", 3, "项目名称", "missing-value"),
        ("data/units.csv", 1, "编号", "missing-column"),
    ]


# ---------------------------------------------------------------- start small


def test_init_makes_an_empty_portal_that_builds_from_a_ledger_alone(tmp_path, monkeypatch, capsys, caplog):
    from generator.schema import SETTINGS

    portal = tmp_path / "portal"
    assert cli.main(["init", str(portal), "--district", "青禾区"]) == 0
    site = (portal / "data" / "site.yaml").read_text(encoding="utf-8")
    for s in SETTINGS:  # every setting is offered, explained in Chinese
        assert f"# {s.label}（" in site and f"\n{s.name}: " in site
    assert list((portal / "content" / "news").iterdir()) == []
    assert sorted(p.name for p in (portal / "content" / "pages").iterdir()) == ["about.md", "feedback.md"]
    shutil.copy(MINI / "projects.csv", portal / "data" / "projects.csv")
    monkeypatch.chdir(portal)
    capsys.readouterr()
    assert cli.main(["build"]) == 0
    said = capsys.readouterr()
    err = said.err
    assert "(areas-declared)" in err and "(units-declared)" in err and "未注明街道" in err
    # Nothing for staff to wonder about (Pelican logs it: an empty AUTHOR it cannot slugify).
    assert not [r for r in caplog.records if "Unable to generate" in r.getMessage()]
    assert "Processed" not in said.out + err  # Pelican's English summary: ours is enough
    out = portal / "output"
    assert (out / "projects" / "p1" / "index.html").exists()
    assert not [p for p in (out / "news").rglob("index.html") if p.parent != out / "news"]  # no demo articles


def test_init_never_overwrites(tmp_path):
    (tmp_path / "old").mkdir()
    (tmp_path / "old" / "site.yaml").write_text("name: x\n", encoding="utf-8")
    assert cli.main(["init", str(tmp_path / "old")]) == 2
    assert (tmp_path / "old" / "site.yaml").read_text(encoding="utf-8") == "name: x\n"


def test_areas_and_units_named_in_the_ledger_are_declared(mini):
    for name in ("areas.csv", "units.csv", "demands.csv"):
        (mini / name).unlink()
    rows = read_rows(mini / "projects.csv")
    rows[0].append("所属街道")
    for r, sub in zip(rows[1:], ("东街道", "东街道", "", "", ""), strict=True):
        r.append(sub)
    rows[0][rows[0].index("对应需求")] = "备注"
    write_rows(mini / "projects.csv", rows)
    prepared = pipeline.prepare(mini)
    ds = prepared.dataset
    assert {a.id: (a.level, a.parent) for a in ds.areas.values()} == {
        "测试区": ("district", ""),
        "东街道": ("subdistrict", "测试区"),
        "未注明街道": ("subdistrict", "测试区"),
        "C1": ("community", "东街道"),
        "C2": ("community", "东街道"),
        "C3": ("community", "未注明街道"),
    }
    assert sorted(ds.units) == ["U1", "U2", "U3"]
    assert ds.projects["P1"].subdistrict == "东街道"
    said = [p for p in prepared.report.problems if p.code in ("areas-declared", "units-declared")]
    assert [(p.file, p.code) for p in said] == [
        ("data/projects.csv", "areas-declared"),
        ("data/projects.csv", "units-declared"),
    ]
    assert "C3" in said[0].detail and "1 个社区没有写明所属街道" in said[0].detail


# ---------------------------------------------------------------- the fixtures: a ledger as kept


def _make_staff():
    import importlib.util

    spec = importlib.util.spec_from_file_location("make_staff", STAFF / "make_staff.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_ledger_as_kept_is_read_as_described(tmp_path):
    data = _copy("ledger", tmp_path)
    prepared = pipeline.prepare(data)
    ds, report = prepared.dataset, prepared.report
    ps = {p.title: p for p in ds.projects.values()}
    assert {t: (p.subdistrict, p.communities, p.status) for t, p in ps.items()} == {
        "楼道灯改造": ("东街道", ("桂香社区",), "completed"),
        "小区门口排水改造": ("东街道", ("桂香社区",), "in_progress"),
        "老年食堂": ("东街道", ("幸福社区",), "ongoing"),
        "农家书屋建设": ("西镇", ("柳湾村",), "in_progress"),
        "村口路灯安装": ("西镇", ("柳湾村",), "not_started"),
    }
    assert ps["楼道灯改造"].signed_off and ps["小区门口排水改造"].deadline == dt.date(2026, 12, 31)
    assert ps["老年食堂"].deadline is None and ps["农家书屋建设"].start is None
    assert ps["小区门口排水改造"].progress_note == "管网施工中，完成50%"
    assert {a.name: a.parent for a in ds.areas.values() if a.level == "community"} == {
        "桂香社区": "东街道", "幸福社区": "东街道", "柳湾村": "西镇",
    }  # fmt: skip
    # The GB18030 demands with staff headings.
    assert [(d.community, d.received, d.channel, d.stage) for d in ds.demands] == [
        ("桂香社区", dt.date(2026, 1, 5), "visit", "deliberated"),
        ("幸福社区", dt.date(2026, 2, 1), "hotline", "accepted"),
    ]
    # Nothing vanishes: every row of both sheets is published or excluded with its reason.
    reasons = {(f.rsplit("[", 1)[1], r, why) for t, f, r, why in report.excluded if t == "projects"}
    assert reasons == {
        (sheet, r, why)
        for sheet, last in (("东街道]", 6), ("西镇]", 5))
        for r, why in ((1, "表头上方的标题行"), (2, "表头上方的填报单位行"), (last + 1, "合计行"),
                       (last + 3, "表尾（填报人、审核人、日期等）"))
    }  # fmt: skip
    assert report.rows_read["projects"] == len(ds.projects) + len(reasons) == 13
    assert not report.errors
    assert sorted(p.file.rsplit("[", 1)[1] for p in report.problems if p.code == "sheet-skipped") == [
        "填写说明]",
        "旧表]",
    ]


def test_the_broken_ledger_points_at_each_cell_as_excel_shows_it(tmp_path):
    data = _copy("broken", tmp_path)
    errors = sorted(
        (p.file.rsplit("/", 1)[1], p.row, p.letter, p.code) for p in pipeline.check(data).problems if p.is_error
    )
    assert errors == [
        ("整改清单.xlsx[东街道]", 4, "C", "formula-without-value"),
        ("整改清单.xlsx[东街道]", 7, "", "duplicate-id"),
        ("整改清单.xlsx[西镇]", 4, "C", "formula-without-value"),
        ("整改清单.xlsx[西镇]", 4, "F", "ambiguous-date"),
    ]


def test_urls_stay_the_same_when_rows_are_reordered_or_inserted(tmp_path):
    from generator.site.views import url_for

    make = _make_staff()

    def urls(sheets) -> dict[str, str]:
        data = tmp_path / f"data{len(list(tmp_path.iterdir()))}"
        make.write(data, sheets, demands=False)
        return {p.title: url_for("project", p.id) for p in pipeline.prepare(data).dataset.projects.values()}

    before = urls({"东街道": make.EAST, "西镇": make.WEST})
    new = ("幸福社区", "加装电梯", "区住房和城乡建设局", "王建国", "2026年11月30日", "完成意见征集")
    after = urls({"西镇": list(reversed(make.WEST)), "东街道": [new, *reversed(make.EAST)]})
    assert len(after) == len(before) + 1
    assert {t: u for t, u in after.items() if t in before} == before


def test_check_groups_problems_by_file_and_sheet_most_serious_first(tmp_path, capsys):
    data = _copy("broken", tmp_path)
    (data / "notes.csv").write_text("x\n", encoding="utf-8")  # a file with a warning only
    assert cli.main(["check", "--data", str(data), "--limit", "0"]) == 1
    out = capsys.readouterr().out.splitlines()
    heads = [line for line in out if line.startswith("== ")]
    assert heads[:2] == [
        "== broken/整改清单.xlsx[东街道]：2 个错误，4 个警告 ==",
        "== broken/整改清单.xlsx[西镇]：2 个错误，0 个警告 ==",
    ]
    assert "== broken/notes.csv：0 个错误，1 个警告 ==" in heads
    first = out[out.index(heads[0]) + 1 : out.index(heads[1])]
    levels = [line.split("]")[0].strip() for line in first]
    assert levels == ["[错误"] * 2 + ["[警告"] * 4  # errors first inside a group
    assert first[0].startswith("  [错误] 第 4 行，C 列“项目名称”：")
    assert out[-1].startswith("共 4 个错误，")


def test_errors_in_a_key_column_do_not_flood_the_lists_that_refer_to_it(mini):
    _edit(mini / "projects.csv", "编号", {2: ""})  # P1 loses its id: 7 rows elsewhere name it
    problems = pipeline.check(mini).problems
    assert not [p for p in problems if p.code == "unknown-reference"]
    summaries = sorted((p.file, p.column) for p in problems if p.code == "references-unchecked")
    assert summaries == [
        ("data/demands.csv", "转化项目"),
        ("data/feedback.csv", "项目编号"),
        ("data/progress.csv", "项目编号"),
        ("data/results.csv", "项目编号"),
    ]
    assert [(p.row, p.column) for p in problems if p.code == "missing-value"] == [(2, "编号")]


def test_a_sheet_name_that_is_no_subdistrict_is_said_once(mini):
    import openpyxl

    rows = read_rows(mini / "projects.csv")
    (mini / "projects.csv").unlink()
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for name, part in (("东街道", rows[1:3]), ("城关镇", rows[3:])):
        ws = wb.create_sheet(name)
        for r in (rows[0], *part):
            ws.append(r)
    wb.save(mini / "整改清单.xlsx")
    prepared = pipeline.prepare(mini)  # no error: the guess is dropped, and said
    said = [p for p in prepared.report.problems if p.code == "references-unchecked"]
    assert [(p.file, p.value) for p in said] == [("data/整改清单.xlsx[城关镇]", "城关镇")]
    assert {p.id: p.subdistrict for p in prepared.dataset.projects.values()} == {
        "P1": "S1", "P2": "S1", "P3": "", "P4": "", "P5": "",
    }  # fmt: skip
