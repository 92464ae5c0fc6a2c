"""Excel templates for staff, generated from schema.py: headers, dropdowns, instructions."""

from __future__ import annotations

from pathlib import Path

from generator.exports.docs import PRIVACY_LABELS, TYPE_LABELS, _allowed
from generator.schema import DATE, ENUM, INTEGER, TABLES, Table


def write_template(table: Table, path: Path) -> None:
    import openpyxl
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = table.label
    ws.append([c.label for c in table.columns])
    ws.freeze_panes = "A2"
    for j, c in enumerate(table.columns, start=1):
        cell = ws.cell(row=1, column=j)
        cell.font = Font(bold=True, color="FFFFFF" if c.required else "000000")
        cell.fill = PatternFill("solid", fgColor="A61B1B" if c.required else "F2D7D5")
        letter = get_column_letter(j)
        ws.column_dimensions[letter].width = max(10, min(40, len(c.label) * 3 + 4))
        area = f"{letter}2:{letter}5000"
        if c.type == ENUM and c.enum is not None:
            dv = DataValidation(type="list", formula1='"' + ",".join(c.enum.labels()) + '"', allow_blank=not c.required)
            dv.error, dv.errorTitle = f"请从下拉列表中选择：{'、'.join(c.enum.labels())}", "取值不在允许范围内"
            ws.add_data_validation(dv)
            dv.add(area)
        elif c.type == DATE:
            for row in range(2, 202):
                ws.cell(row=row, column=j).number_format = "yyyy-mm-dd"
        elif c.type == INTEGER and c.minimum is not None:
            dv = DataValidation(
                type="whole",
                operator="between",
                formula1=str(int(c.minimum)),
                formula2=str(int(c.maximum if c.maximum is not None else 10**9)),
                allow_blank=True,
            )
            ws.add_data_validation(dv)
            dv.add(area)
    info = wb.create_sheet("填写说明")
    info.append(["列名", "英文列名", "其他写法", "类型", "必填", "允许的取值 / 说明", "是否发布"])
    for c in table.columns:
        info.append(
            [
                c.label,
                c.name,
                "、".join(c.aliases),
                TYPE_LABELS[c.type],
                "是" if c.required else "",
                _allowed(c),
                PRIVACY_LABELS[c.privacy].replace("**", ""),
            ]
        )
    for col in "ABCDEFG":
        info.column_dimensions[col].width = 24 if col != "F" else 60
    for row in info.iter_rows(min_row=2):
        row[5].alignment = Alignment(wrap_text=True, vertical="top")
    wb.save(path)


def write_templates(directory: Path) -> list[Path]:
    directory.mkdir(parents=True, exist_ok=True)
    paths = []
    for t in TABLES:
        path = directory / f"{t.label}.xlsx"
        write_template(t, path)
        paths.append(path)
    return paths
