"""A mapping file beside a workbook: headings and words the built-in ones do not cover."""

from __future__ import annotations

import shutil
from pathlib import Path

from generator.build import input_fingerprint
from generator.ingest import prepare as pipeline

STAFF = Path(__file__).resolve().parent / "fixtures" / "staff"
MAPPING = "整改台账.mapping.yaml"


def _mapped(tmp_path: Path) -> Path:
    data = tmp_path / "data"
    shutil.copytree(STAFF / "mapped", data)
    return data


def _lines(text: str, old: str, new: str) -> str:
    assert old in text
    return text.replace(old, new)


def test_the_mapping_names_the_list_its_columns_and_its_words(tmp_path):
    data = _mapped(tmp_path)
    prepared = pipeline.prepare(data)
    ps = {p.title: p for p in prepared.dataset.projects.values()}
    assert {t: (p.communities, p.leader, p.status) for t, p in ps.items()} == {
        "楼道灯改造": (("桂香社区",), "王建国", "completed"),
        "小区门口排水改造": (("桂香社区",), "刘明", "in_progress"),
        "老年食堂": (("幸福社区",), "陈静", "not_started"),
    }
    units = prepared.dataset.units
    assert {units[p.lead_unit].name for p in ps.values()} == {"区城市管理局", "区民政局", "区住房和城乡建设局"}
    assert ps["小区门口排水改造"].progress_note == "管网施工中"
    report = prepared.report
    assert not report.errors
    assert not [p for p in report.problems if p.code in ("unknown-column", "unknown-file", "mapping-unused")]
    # The summary sheet is skipped as the mapping says, and said so: nothing vanishes.
    skipped = [(p.file, p.detail) for p in report.problems if p.code == "sheet-skipped"]
    assert skipped == [("data/整改台账.xlsx[汇总]", "映射文件要求跳过，其中 2 行未读取")]
    rows = {(r, why) for t, f, r, why in report.excluded if t == "projects"}
    assert rows == {(1, "表头上方的标题行"), (2, "表头上方的标题行"), (3, "表头上方的标题行")}


def test_without_its_mapping_the_workbook_is_not_read(tmp_path):
    data = _mapped(tmp_path)
    (data / MAPPING).unlink()
    codes = {p.code for p in pipeline.check(data).problems}
    assert {"unknown-file", "missing-table"} <= codes


def test_mistakes_in_the_mapping_point_at_its_lines(tmp_path):
    data = _mapped(tmp_path)
    path = data / MAPPING
    text = path.read_text(encoding="utf-8")
    text = _lines(text, "  事项: 项目名称", "  事项: 项目标题")  # no such column
    text = _lines(text, "    绿灯办结: 已完成", "    绿灯办结: 办完了")  # no such status
    text = _lines(text, "表头行: 4", "表头行: 4\n排序: 社区")  # no such setting
    path.write_text(text, encoding="utf-8")
    found = [p for p in pipeline.check(data).problems if p.code in ("mapping-invalid", "mapping-unused")]
    lines = text.splitlines()
    located = sorted((p.file, p.row, p.is_error) for p in found)
    assert located == sorted([
        ("data/整改台账.mapping.yaml", lines.index("排序: 社区") + 1, True),
        ("data/整改台账.mapping.yaml", lines.index("  事项: 项目标题") + 1, True),
        ("data/整改台账.mapping.yaml", lines.index("    绿灯办结: 办完了") + 1, True),
    ])  # fmt: skip
    details = " ".join(p.detail for p in found)
    assert "“项目标题”不是整改清单的列" in details and "“办完了”不是“状态”的取值" in details
    assert "不认识的设置“排序”" in details
    assert all("映射文件" in p.message() for p in found)


def test_a_mapped_heading_the_workbook_lacks_is_a_warning(tmp_path):
    data = _mapped(tmp_path)
    path = data / MAPPING
    text = _lines(path.read_text(encoding="utf-8"), "  村社: 社区", "  村社: 社区\n  督办科室: 配合单位")
    path.write_text(text, encoding="utf-8")
    unused = [p for p in pipeline.check(data).problems if p.code == "mapping-unused"]
    assert [(p.file, p.row, p.column) for p in unused] == [
        ("data/整改台账.mapping.yaml", text.splitlines().index("  督办科室: 配合单位") + 1, "督办科室")
    ]
    (data / "整改台账.xlsx").rename(data / "旧台账.xlsx")
    orphan = [p for p in pipeline.check(data).problems if p.code == "mapping-unused" and p.row is None]
    assert [p.file for p in orphan] == ["data/整改台账.mapping.yaml"]


def test_a_changed_mapping_reads_the_workbook_again(tmp_path):
    data = _mapped(tmp_path)
    cache = tmp_path / "cache"
    first = pipeline.prepare(data, cache_dir=cache)
    again = pipeline.prepare(data, cache_dir=cache)
    assert again.cache is not None and again.cache.hits == 1 and again.cache.misses == 0
    before = input_fingerprint(data, None)
    path = data / MAPPING
    path.write_text(_lines(path.read_text(encoding="utf-8"), "    绿灯办结: 已完成", "    绿灯办结: 推进中"),
                    encoding="utf-8")  # fmt: skip
    assert input_fingerprint(data, None) != before
    changed = pipeline.prepare(data, cache_dir=cache)
    assert changed.cache is not None and changed.cache.misses == 1
    status = {p.title: p.status for p in changed.dataset.projects.values()}
    assert status["楼道灯改造"] == "in_progress"
    assert {p.title: p.status for p in first.dataset.projects.values()}["楼道灯改造"] == "completed"


def test_a_mapping_can_name_headings_the_builtin_words_read_otherwise(tmp_path):
    """The mapping wins: 编号 used for the running number is not taken as the id."""
    import openpyxl

    data = _mapped(tmp_path)
    book = data / "整改台账.xlsx"
    wb = openpyxl.load_workbook(book)
    wb["台账"]["A4"] = "编号"
    wb.save(book)
    ids = {p.id for p in pipeline.prepare(data).dataset.projects.values()}
    assert ids == {"1", "2", "3"}  # read as the id without a word in the mapping
    path = data / MAPPING
    path.write_text(_lines(path.read_text(encoding="utf-8"), "  村社: 社区", "  村社: 社区\n  编号: 备注"),
                    encoding="utf-8")  # fmt: skip
    prepared = pipeline.prepare(data)
    assert (
        {p.id for p in prepared.dataset.projects.values()}
        == {p.id for p in pipeline.prepare(STAFF / "mapped").dataset.projects.values()}
        != ids
    )
    assert not prepared.report.errors
