"""Excel templates come from the schema, and a filled-in template loads."""

from __future__ import annotations

import shutil

import openpyxl
from support import read_rows

from generator.cli import main
from generator.ingest import prepare as pipeline
from generator.schema import TABLES


def test_templates_have_schema_headers_and_dropdowns(tmp_path):
    assert main(["template", "--out", str(tmp_path)]) == 0
    for t in TABLES:
        wb = openpyxl.load_workbook(tmp_path / f"{t.label}.xlsx")
        ws = wb.worksheets[0]
        assert [c.value for c in ws[1]] == [c.label for c in t.columns]
        enums = [c for c in t.columns if c.enum is not None]
        assert len(ws.data_validations.dataValidation) >= len(enums)
        assert wb["填写说明"].max_row == len(t.columns) + 1


def test_filled_template_loads(tmp_path, mini):
    main(["template", "--out", str(tmp_path / "tpl")])
    wb = openpyxl.load_workbook(tmp_path / "tpl" / "责任单位.xlsx")
    ws = wb.worksheets[0]
    for row in read_rows(mini / "units.csv")[1:]:
        ws.append(row)
    (mini / "units.csv").unlink()
    wb.save(mini / "责任单位.xlsx")
    assert pipeline.check(mini).errors == []
    shutil.rmtree(tmp_path / "tpl")
