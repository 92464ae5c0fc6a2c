"""Help to fix: the HTML check report and the annotated copies of the workbooks."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import openpyxl
import pytest
from support import set_cell

from generator import cli
from generator.exports.annotate import RESULTS_SHEET, AnnotateError, annotate
from generator.ingest import prepare as pipeline

STAFF = Path(__file__).resolve().parent / "fixtures" / "staff"


def _broken(tmp_path: Path) -> Path:
    data = tmp_path / "data"
    shutil.copytree(STAFF / "broken", data)
    return data


def test_the_html_report_groups_by_file_and_sheet_most_serious_first(tmp_path):
    data = _broken(tmp_path)
    page = tmp_path / "报告" / "检查报告.html"
    assert cli.main(["check", "--data", str(data), "--html", str(page)]) == 1
    text = page.read_text(encoding="utf-8")
    heads = re.findall(r"<h2>(.*?)</h2>", text)
    assert heads[:2] == ["data/整改清单.xlsx · 工作表“东街道”", "data/整改清单.xlsx · 工作表“西镇”"]
    assert "<strong>4 个错误，6 个警告</strong>" in text
    west = text[text.index(heads[1]) :]
    assert '<p class="counts">2 个错误，0 个警告</p>' in west
    first = west.index("第 4 行，C 列“项目名称”")
    assert first < west.index("第 4 行，F 列“完成时限”") < west.index("</section>")
    assert '值 <span class="value">6月底</span>' in west and "怎么改：请写明年份" in west
    # Self-contained and readable on a phone: no script, no external asset.
    assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in text
    assert "<script" not in text and not re.search(r"(src|href)=", text)


def test_the_html_report_masks_personal_data(mini, tmp_path):
    set_cell(mini / "projects.csv", 3, "完成时限", "王大妈 13812345678")
    page = tmp_path / "r.html"
    assert cli.main(["check", "--data", str(mini), "--html", str(page)]) == 1
    text = page.read_text(encoding="utf-8")
    assert "日期无法识别" in text
    assert "13812345678" not in text and "王大妈 138****5678" in text


def test_annotated_copies_comment_the_cells_excel_shows(tmp_path):
    data = _broken(tmp_path)
    book = data / "整改清单.xlsx"
    original = book.read_bytes()
    demands = "序号,社区,反映时间,反映渠道,诉求内容,办理状态\n1,桂香社区,6月5日,入户走访,修路,已受理\n"
    (data / "需求清单.csv").write_text(demands, encoding="gb18030")
    report = pipeline.check(data)
    out = tmp_path / "批注"
    written = annotate(data, report, out)
    assert sorted(p.name for p in written) == ["整改清单.xlsx", "需求清单.xlsx"]
    assert book.read_bytes() == original  # the original untouched
    wb = openpyxl.load_workbook(out / "整改清单.xlsx")
    assert wb.sheetnames[0] == RESULTS_SHEET
    commented = {
        (ws.title, c.coordinate): (c.fill.start_color.rgb[-6:], c.comment.text)
        for ws in wb.worksheets
        for row in ws.iter_rows()
        for c in row
        if c.comment
    }
    # Every error the check names has its cell, on its sheet, below the title rows.
    errors = [p for p in report.errors if p.file.startswith("data/整改清单.xlsx[")]
    assert len(errors) == 4
    for p in errors:
        sheet = p.file.rsplit("[", 1)[1].rstrip("]")
        fill, text = commented[(sheet, f"{p.letter or 'A'}{p.row}")]
        assert fill == "FFC7CE" and p.message() in text
    assert commented[("西镇", "F4")][1].startswith("[错误] 值“6月底”：日期不完整")
    assert wb["西镇"]["F4"].value == "6月底" and wb["西镇"]["A3"].value == "序号"
    results = list(wb[RESULTS_SHEET].iter_rows(values_only=True))
    assert len(results) == 1 + len([p for p in report.problems if p.file.startswith("data/整改清单.xlsx")])
    # The CSV file becomes a workbook with the same rows and letters.
    demands = openpyxl.load_workbook(out / "需求清单.xlsx")
    sheet = demands.worksheets[1]
    assert sheet["C2"].value == "6月5日" and "没有写年份" in sheet["C2"].comment.text


def test_annotated_copies_never_go_into_the_data_folder(tmp_path):
    data = _broken(tmp_path)
    with pytest.raises(AnnotateError):
        annotate(data, pipeline.check(data), data / "批注")
    assert cli.main(["check", "--data", str(data), "--annotate", str(data / "x")]) == 2


def test_the_build_report_carries_the_html_report(tmp_path, mini):
    reports = tmp_path / "reports"
    args = ["build", "--data", str(mini), "--output", str(tmp_path / "out"), "--reports", str(reports)]
    assert cli.main(args) == 0
    assert "(check-report.html)" in (reports / "build-report.md").read_text(encoding="utf-8")
    assert "<h1>数据检查报告</h1>" in (reports / "check-report.html").read_text(encoding="utf-8")
    set_cell(mini / "projects.csv", 3, "完成时限", "6月底")
    assert cli.main(args) == 1
    assert "6月底" in (reports / "check-report.html").read_text(encoding="utf-8")


def test_a_csv_cell_that_looks_like_a_formula_stays_text_in_the_copy(mini, tmp_path):
    set_cell(mini / "projects.csv", 3, "完成时限", '=HYPERLINK("http://x")')
    out = annotate(mini, pipeline.check(mini), tmp_path / "批注")
    (copy,) = [p for p in out if p.name == "projects.xlsx"]
    cell = openpyxl.load_workbook(copy)["projects"]["K3"]
    assert cell.value == '=HYPERLINK("http://x")' and cell.data_type == "s" and "日期无法识别" in cell.comment.text


def test_what_the_masking_missed_is_never_written(tmp_path, monkeypatch):
    from generator.output import check_report
    from generator.problems import Problem, Report

    report = Report([Problem("invalid-date", "data/projects.csv", 3, "完成时限", "13812345678", "13812345678")])
    monkeypatch.setattr(check_report, "mask_text", lambda text: (text, []))  # a masking that misses it
    text = check_report.write(report, tmp_path / "r.html").read_text(encoding="utf-8")
    assert "13812345678" not in text and check_report.HIDDEN in text and "第 3 行" in text
