"""Annotated copies of the data files: ``gongshi check --annotate DIR``.

Every workbook with problems is copied to DIR (a CSV file becomes a workbook of the same
name) with each cell a problem points at filled red (error) or yellow (warning) and the
message as the cell's comment, on the sheet, row and column Excel shows — the same place
the check names. A sheet 检查结果 lists every problem of the file, those without a cell
too (a missing column, a skipped sheet). The originals are never written: DIR must lie
outside the data folder (a copy inside it would be read as data).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from generator.ingest.load import decode
from generator.problems import GongshiError, Problem, Report

ERROR_FILL = "FFC7CE"  # Excel's own "bad" red
WARNING_FILL = "FFEB9C"  # Excel's own "neutral" yellow
RESULTS_SHEET = "检查结果"
MAX_COMMENT = 2000  # Excel shows long comments poorly; the sheet 检查结果 has everything


class AnnotateError(GongshiError):
    """The annotated copies cannot be written where asked."""


@dataclass(frozen=True)
class Spot:
    """Where a problem points inside its data file."""

    path: str  # relative to the data folder
    sheet: str | None  # None: a CSV file (one sheet)


def spot(problem: Problem) -> Spot | None:
    """The data file (and sheet) a problem's ``file`` names (data/整改清单.xlsx[东街道])."""
    if not problem.file:
        return None
    where, _, sheet = problem.file.partition("[")
    parts = Path(where).parts
    if len(parts) < 2:
        return None
    return Spot(str(Path(*parts[1:])), sheet[:-1] if sheet.endswith("]") else None)


def _text(p: Problem) -> str:
    level = "错误" if p.is_error else "警告"
    value = f"值“{p.value}”：" if p.value else ""
    return f"[{level}] {value}{p.message()}"


def annotate(data: Path, report: Report, out: Path) -> list[Path]:
    """Write the annotated copy of every data file with problems; return their paths."""
    data, out = Path(data), Path(out)
    try:
        out.resolve().relative_to(data.resolve())
    except ValueError:
        pass
    else:
        raise AnnotateError(f"批注副本不能写在数据目录 {data} 里（会被当作数据读取），请换一个目录，如 检查结果/")
    by_file: dict[str, list[tuple[str | None, Problem]]] = {}
    for p in report.sorted():
        where = spot(p)
        if where is None or not (data / where.path).is_file():
            continue
        if Path(where.path).suffix.lower() not in (".xlsx", ".xlsm", ".csv", ".txt", ".tsv"):
            continue
        by_file.setdefault(where.path, []).append((where.sheet, p))
    written = []
    for rel, found in by_file.items():
        source = data / rel
        target = out / Path(rel).with_suffix(".xlsx" if source.suffix.lower() != ".xlsm" else ".xlsm")
        wb = _workbook(source)
        if wb is None:
            continue
        _mark(wb, found, single=source.suffix.lower() not in (".xlsx", ".xlsm"))
        target.parent.mkdir(parents=True, exist_ok=True)
        wb.save(target)
        written.append(target)
    return written


def _workbook(source: Path):
    """The file as an openpyxl workbook: a workbook as it is (formulas kept), a CSV file's
    lines as the rows of one sheet, so rows and letters are those the check names."""
    import openpyxl

    if source.suffix.lower() in (".xlsx", ".xlsm"):
        try:
            return openpyxl.load_workbook(source, keep_vba=source.suffix.lower() == ".xlsm")
        except Exception:  # an unreadable workbook: its problem says so, nothing to mark
            return None
    import csv
    import io

    decoded = decode(source.read_bytes())
    if decoded is None:
        return None
    text = decoded[0]
    first = text.split("\n", 1)[0]
    delimiter = max((",", "\t", ";"), key=first.count) if first else ","
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = source.stem[:31] or "Sheet1"
    for row in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter):
        ws.append([_safe(v) for v in row])
    _as_text(ws)
    return wb


def _safe(value: str) -> str:
    # openpyxl refuses control characters.
    return "".join(ch for ch in value if ch >= " " or ch in "\t\n")


def _as_text(ws) -> None:
    """Cells written from text stay text: openpyxl would take "=..." for a formula."""
    for row in ws.iter_rows():
        for cell in row:
            if isinstance(cell.value, str) and cell.value.startswith("="):
                cell.data_type = "s"


def _mark(wb, found: list[tuple[str | None, Problem]], single: bool) -> None:
    """Fill and comment each cell named; ``single``: a CSV file's one sheet (its problems
    name no sheet). A workbook's problems without a sheet go to 检查结果 only."""
    from openpyxl.comments import Comment
    from openpyxl.styles import Font, PatternFill

    notes: dict[tuple[str, str], list[Problem]] = {}
    for sheet, p in found:
        ws = wb.worksheets[0] if single else (wb[sheet] if sheet in wb.sheetnames else None)
        if ws is None or p.row is None:
            continue
        # A problem about the whole row (a duplicate id) is put on the row's first cell.
        notes.setdefault((ws.title, f"{p.letter or 'A'}{p.row}"), []).append(p)
    for (title, ref), problems in notes.items():
        cell = wb[title][ref]
        colour = ERROR_FILL if any(p.is_error for p in problems) else WARNING_FILL
        cell.fill = PatternFill(fill_type="solid", start_color=colour, end_color=colour)
        text = "\n".join(_text(p) for p in problems)
        if len(text) > MAX_COMMENT:
            text = text[: MAX_COMMENT - 20] + f"……（见“{RESULTS_SHEET}”工作表）"
        comment = Comment(text, "gongshi check")
        comment.width, comment.height = 320, min(600, 60 + 18 * text.count("\n") + len(text) // 2)
        cell.comment = comment
    if RESULTS_SHEET in wb.sheetnames:
        del wb[RESULTS_SHEET]
    ws = wb.create_sheet(RESULTS_SHEET, 0)
    ws.append(["级别", "工作表", "行", "列", "列名", "值", "问题和改法", "代码"])
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for sheet, p in found:
        ws.append(["错误" if p.is_error else "警告", sheet or "", p.row, p.letter, _safe(p.column),
                   _safe(p.value), _safe(p.message()), p.code])  # fmt: skip
    _as_text(ws)
    for letter, width in zip("ABCDEFGH", (6, 12, 6, 5, 14, 18, 70, 22), strict=True):
        ws.column_dimensions[letter].width = width
    ws.freeze_panes = "A2"
    wb.active = 0
