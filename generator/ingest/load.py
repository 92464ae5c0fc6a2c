"""Stage 1: read each file in ``data/`` into parts: text columns with spreadsheet row numbers.

Nothing here interprets values; it only finds each file's list, its header row (staff put
title rows above it), maps Chinese headers onto schema column names, and keeps the row
number as the spreadsheet shows it so every later problem can point at a cell. A file is
read from its bytes alone (one read), so what is read can be cached by the bytes' hash;
a CSV file that only grew can be continued from where its last reading stopped.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

from generator.ingest.mapping import Mapping, data_stem, is_mapping
from generator.problems import Problem
from generator.schema import ENUM, PRIVATE, STRING, Column, Table, norm, table_for_name

SETTINGS_NAMES = ("site", "settings", "站点设置", "网站设置", "设置")
DATA_SUFFIXES = (".csv", ".txt", ".tsv", ".xlsx", ".xlsm", ".yaml", ".yml")
HEADER_SEARCH_ROWS = 10
MAX_YAML_DEPTH = 40
MAX_FILE_BYTES = 512 * 1024 * 1024
MAX_UNZIPPED_BYTES = 200 * 1024 * 1024  # a workbook's parts once decompressed (zip bombs)
MAX_SHEET_CELLS = 20_000_000  # last filled row × last filled column of one sheet
MAX_MERGED_CELLS = 2_000_000  # cells inside merged ranges, per sheet (openpyxl makes an object each)

ROW = "_row"
FILE = "_file"


class Col:
    """One column of a list, factorized: ``uniques[codes]`` are its cells.

    Columns repeat a lot (dates, communities, statuses), so every check and conversion runs
    once per distinct value and the result is taken back to the rows with ``codes``.
    """

    __slots__ = ("codes", "uniques")

    def __init__(self, codes: np.ndarray, uniques: np.ndarray):
        self.codes = codes
        self.uniques = uniques

    def take(self, positions: np.ndarray) -> Col:
        return Col(self.codes[positions], self.uniques)


@dataclass
class RawPart:
    """The rows of one list from one file (or one sheet or YAML section of it), as text.

    ``cols`` has every schema column (missing ones are empty) but the :func:`lazy` ones,
    which are in ``lazy`` as the cells were read; ``rows`` the row numbers as the
    spreadsheet shows them; ``written`` the headers as staff wrote them, so messages use
    their words.
    """

    table: Table
    file: str
    cols: dict[str, Col]
    rows: np.ndarray
    written: dict[str, str]
    lazy: dict[str, np.ndarray] = field(default_factory=dict)
    # Rows read but not data (a title, a 合计 row, a signature footer): row and reason.
    skipped: list[tuple[int, str]] = field(default_factory=list)
    # Column -> its letter as the spreadsheet shows it (none for YAML, or a sheet-name column).
    letters: dict[str, str] = field(default_factory=dict)


def lazy(column: Column) -> bool:
    """Residents' optional private text (phone, address, name): never published, never
    checked, so only read where needed — whether a row is blank, a name to mask in its own
    row's text. Half the cells of a ledger, each one distinct: not worth cleaning them all."""
    return column.privacy == PRIVATE and not column.required and column.type == STRING


def clean_cell(value: object) -> str:
    """A cell as the lists hold it: text, trimmed; a field a short CSV line lacks is empty."""
    if type(value) is str:
        return value.strip()
    if isinstance(value, float) and value != value:
        return ""
    return cell_text(value).strip()


def blank_cells(values: np.ndarray) -> np.ndarray:
    """Which of these lazily read cells are empty once cleaned."""
    return np.fromiter((not clean_cell(v) for v in values), dtype=bool, count=len(values))


@dataclass
class CsvState:
    """Where the parse of a CSV file stopped, to continue it when lines are appended.

    Only recorded when continuing gives exactly what reading the whole file gives: no quote
    anywhere (no cell spans lines), every line one row, the header and the delimiter sample
    inside the part read, the last row filled (no trailing empty rows were dropped).
    """

    size: int  # bytes read
    encoding: str
    delimiter: str
    width: int
    lines: int  # grid rows read (= lines)
    header: dict[str, int]  # schema column -> position


# ---------------------------------------------------------------- cells


def cell_text(value: object, number_format: str = "") -> str:
    """Turn a spreadsheet or YAML value into the text staff see in the cell."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, (int, float)):
        # A cell formatted as 80% stores 0.8 (or 1 for 100%): show what staff see.
        percent = "%" in number_format
        value = float(value) * 100 if percent else value
        if isinstance(value, float):
            value = round(value, 6)
            text = str(int(value)) if value.is_integer() else repr(value)
        else:
            text = str(value)
        return text + ("%" if percent else "")
    if isinstance(value, (list, tuple)):
        return "、".join(cell_text(v) for v in value)
    if isinstance(value, dict):
        return "；".join(f"{k}：{cell_text(v)}" for k, v in value.items() if k != "__line__")
    return str(value).strip()


def decode(raw: bytes) -> tuple[str, str] | None:
    """Decode text as Chinese Windows and Excel produce it; None if it is not text."""
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return raw.decode("utf-16"), "utf-16"
        except UnicodeDecodeError:
            return None
    # A UTF-8 BOM says what the file is: GB18030 lines pasted into it are an error, not a
    # reason to read the whole file (the UTF-8 lines too) as GB18030.
    encodings = ("utf-8-sig",) if raw.startswith(codecs.BOM_UTF8) else ("utf-8-sig", "gb18030")
    for encoding in encodings:
        try:
            text = raw.decode(encoding)
        except UnicodeDecodeError:
            continue
        if "\x00" in text:
            return None
        return text, encoding
    return None


def undecodable_line(raw: bytes) -> int | None:
    """The line where :func:`decode` gave up (None for the first line: then the file is not
    text at all): the first NUL, or the first byte the encoding that read furthest cannot
    decode (a GB18030 line in a UTF-8 file)."""
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        return None
    reach = []
    for encoding in ("utf-8",) if raw.startswith(codecs.BOM_UTF8) else ("utf-8", "gb18030"):
        try:
            raw.decode(encoding)
            reach.append(len(raw))
        except UnicodeDecodeError as exc:
            reach.append(exc.start)
    stop = max(reach)
    nul = raw.find(b"\x00")
    if nul >= 0:
        stop = min(stop, nul)
    line = raw.count(b"\n", 0, stop) + 1 if stop < len(raw) else None
    return line if line and line > 1 else None  # from its first line on: not text at all


def column_letter(position: int) -> str:
    """The letter Excel shows above the column at 0-based ``position`` (0 -> A, 27 -> AB)."""
    n, out = position + 1, ""
    while n:
        n, r = divmod(n - 1, 26)
        out = chr(65 + r) + out
    return out


# Rows that are part of the sheet's layout, not of the list: totals and the signature
# block staff put under a ledger, notes under it. Matched on a cell, spaces removed.
_TOTAL = re.compile(r"^(合计|小计|总计|共计)([:：].*)?$")  # not 合计3个小区改造: a title
_FOOTER = re.compile(
    r"^(填报人|填表人|制表人|审核人|审核|审批人|负责人|单位负责人|分管领导|主要领导|联系人|联系电话|电话|"
    r"填报日期|填表日期|制表日期|报送日期|日期|填报单位|报送单位|注|备注|说明)[:：]"
)
# A 合计 row or a footer starts in one of the first columns (合计 in A or B, 填报人 in A);
# only these are scanned for one, so half a million rows of free text are not.
MARKER_COLUMNS = 3
ROW_CELLS = 64  # cells of a candidate row looked at to confirm it


def row_marker(cells: list[str]) -> str | None:
    """Why a row of cells is not a data row, or None: 合计行 or 表尾签字行."""
    filled = ["".join(c.split()) for c in cells if c and c.strip()]
    if not filled:
        return None
    if any(_TOTAL.match(c) for c in filled):
        return "合计行"
    footer = [c for c in filled if _FOOTER.match(c)]
    # A footer cell among data would be a resident's words: all of the row must be footer,
    # or the footer cell stands nearly alone.
    if footer and (len(footer) == len(filled) or len(filled) <= 2):
        return "表尾（填报人、审核人、日期等）"
    return None


def above_header_reason(cells: list[str]) -> str:
    joined = "".join("".join(c.split()) for c in cells)
    if "填报单位" in joined or "报送单位" in joined:
        return "表头上方的填报单位行"
    return "表头上方的标题行"


# ---------------------------------------------------------------- header detection


def header_key(text: str) -> str:
    """A header for matching, white space removed: staff pad 编　号 to line up with 项目名称
    and wrap long headers inside the cell (完成\n时限)."""
    return "".join(norm(text).split())


def _header_lookup(table: Table) -> dict[str, str]:
    return {header_key(k): v for k, v in table.header_lookup().items()}


def find_header(rows: list[list[str]], table: Table) -> int | None:
    """Index of the header row among the first rows: the one naming most columns (or
    the row a mapping file names)."""
    fixed = getattr(table, "header_row", None)
    if fixed is not None:
        return fixed - 1 if fixed - 1 < len(rows) else None
    lookup = _header_lookup(table)
    best, best_hits = None, 0
    for i, row in enumerate(rows[:HEADER_SEARCH_ROWS]):
        hits = len({lookup[header_key(c)] for c in row if c and header_key(c) in lookup})
        if hits > best_hits:
            best, best_hits = i, hits
    needed = min(2, len(table.columns))
    return best if best_hits >= needed else None


def _search_rows(table: Table) -> int:
    """How many rows to look for the header in (a mapping may name a lower row)."""
    return max(HEADER_SEARCH_ROWS, getattr(table, "header_row", None) or 0)


def _grid_rows(grid: pd.DataFrame, n: int) -> list[list[str]]:
    # to_numpy, not itertuples: itertuples is quadratic in the width (a 100,000-column header hung).
    return [[cell_text(v) for v in row] for row in grid.iloc[:n].fillna("").to_numpy(dtype=object).tolist()]


def header_columns(
    grid: pd.DataFrame, row_numbers: np.ndarray, table: Table, file: str, problems: list[Problem]
) -> tuple[int, dict[str, int], dict[str, str]] | None:
    """Find the header row near the top of a grid and map its cells to schema columns:
    (header row index, column -> position, column -> header as written)."""
    h = find_header(_grid_rows(grid, _search_rows(table)), table)
    if h is None:
        fixed = getattr(table, "header_row", None)
        detail = f"应包含{table.label}的列名，如“{table.columns[0].label}”"
        if fixed is not None:
            detail = f"映射文件指定的表头行（第 {fixed} 行）超出了表格"
        problems.append(
            Problem("header-not-found", file, int(row_numbers[0]) if len(row_numbers) else 1, detail=detail)
        )
        return None
    header = _grid_rows(grid.iloc[h : h + 1], 1)[0]
    header_row = int(row_numbers[h])
    lookup = _header_lookup(table)
    positions: dict[str, int] = {}
    written: dict[str, str] = {}
    for j, name in enumerate(header):
        name = name.strip()
        if not name:
            continue
        col = lookup.get(header_key(name))
        if col is None:
            problems.append(Problem("unknown-column", file, header_row, name, name, letter=column_letter(j)))
            continue
        if col in positions:
            problems.append(
                Problem("duplicate-column", file, header_row, name, name, f"与“{written[col]}”是同一列",
                        letter=column_letter(j))
            )  # fmt: skip
            continue
        positions[col] = j
        written[col] = name
    for c in table.columns:
        if c.name in positions:
            continue
        if c.name == table.key and table.identity:
            names = "和".join(f"“{table.column(i).label}”" for i in table.identity)
            detail = f"没有“{c.label}”列，编号按{names}生成，行的顺序变了网址也不变；这些内容改了，编号也会变"
            problems.append(Problem("id-derived", file, header_row, c.label, detail=detail))
        elif c.required:
            problems.append(
                Problem("missing-column", file, header_row, c.label, detail=f"{table.label}必须有“{c.label}”列")
            )
        elif c.type == ENUM and c.inferred_from:
            source = table.column(c.inferred_from)
            if source.name in positions:
                detail = f"没有“{c.label}”列，按“{written[source.name]}”中的文字推断（如“已完成”“已销号”为已完成）"
                problems.append(Problem("status-inferred", file, header_row, c.label, detail=detail))
            else:
                detail = f"{table.label}必须有“{c.label}”列，或有“{source.label}”列用来推断{c.label}"
                problems.append(Problem("missing-column", file, header_row, c.label, detail=detail))
    return h, positions, written


def body_part(
    body: pd.DataFrame, numbers: np.ndarray, table: Table, positions: dict[str, int], file: str, written: dict[str, str]
) -> tuple[RawPart, int]:
    """The rows below the header as a part; also how many rows were not taken as data
    (trailing empty rows dropped, 合计 rows and footers skipped)."""
    marked = _marker_rows(body, positions)
    skipped: list[tuple[int, str]] = []
    if marked:
        skipped = [(int(numbers[i]), why) for i, why in sorted(marked.items())]
        keep = np.setdiff1d(np.arange(len(body)), np.fromiter(marked, dtype=np.int64))
        body, numbers = body.iloc[keep], np.asarray(numbers)[keep]
    n = len(body)
    cols: dict[str, Col] = {}
    lazy_cols: dict[str, np.ndarray] = {}
    filled = np.zeros(n, dtype=bool)
    for c in table.columns:
        j = positions.get(c.name)
        if j is None:
            if lazy(c):
                lazy_cols[c.name] = np.full(n, "", dtype=object)
            else:
                cols[c.name] = Col(np.zeros(n, dtype=np.int32), np.array([""], dtype=object))
            continue
        if lazy(c):
            lazy_cols[c.name] = body.iloc[:, j].to_numpy(dtype=object)
            continue
        # Once per distinct value: cheaper than .str on half a million cells.
        codes, uniques = pd.factorize(body.iloc[:, j].to_numpy(dtype=object))
        codes = codes.astype(np.int32, copy=False)
        clean = np.empty(len(uniques) + 1, dtype=object)
        clean[:-1] = [cell_text(u).strip() if type(u) is not str else u.strip() for u in uniques]
        clean[-1] = ""  # a field a short CSV line does not have (pandas' NaN)
        if (codes < 0).any():
            codes[codes < 0] = len(uniques)
        else:
            clean = clean[:-1]
        cols[c.name] = Col(codes, clean)
        nonempty = clean != ""
        if nonempty.any():
            filled |= nonempty[codes]
    unfilled = np.flatnonzero(~filled)
    for values in lazy_cols.values():
        filled[unfilled] |= ~blank_cells(values[unfilled])
    # Sheets often carry formatted but empty rows after the data: they are not rows.
    where = np.flatnonzero(filled)
    last = int(where[-1]) + 1 if len(where) else 0
    if last < n:
        keep = np.arange(last)
        cols = {k: c.take(keep) for k, c in cols.items()}
        lazy_cols = {k: v[:last] for k, v in lazy_cols.items()}
    rows = np.asarray(numbers[:last], dtype=np.int64)
    letters = {c: column_letter(j) for c, j in positions.items()}
    part = RawPart(table, file, cols, rows, written, lazy_cols, skipped, letters)
    return part, n - last + len(skipped)


def _marker_rows(body: pd.DataFrame, positions: dict[str, int]) -> dict[int, str]:
    """Positions of the 合计 and footer rows of a body, with the reason; looked for once
    per distinct value of each column, then row by row only where one was seen."""
    if not len(body):
        return {}
    width = body.shape[1]
    candidates: set[int] = set()
    for j in range(min(width, MARKER_COLUMNS)):
        codes, uniques = pd.factorize(body.iloc[:, j].to_numpy(dtype=object))
        flags = np.fromiter(
            (isinstance(u, str) and u.lstrip()[:1] in _MARK_FIRST and _could_mark("".join(u.split())) for u in uniques),
            dtype=bool,
            count=len(uniques),
        )
        if flags.any():
            hit = codes >= 0
            hit[hit] = flags[codes[hit]]
            candidates.update(np.flatnonzero(hit).tolist())
    marked: dict[int, str] = {}
    for i in sorted(candidates):
        cells = [clean_cell(v) for v in body.iloc[i, : max(ROW_CELLS, max(positions.values(), default=0) + 1)]]
        why = row_marker(cells)
        if why:
            marked[i] = why
    return marked


_MARK_FIRST = frozenset("合小总共填制审负单分主联电日报注备说")  # first characters _TOTAL and _FOOTER match


def _could_mark(cell: str) -> bool:
    return cell[:1] in _MARK_FIRST and bool(_TOTAL.match(cell) or _FOOTER.match(cell))


def to_frame(
    grid: pd.DataFrame,
    row_numbers: np.ndarray,
    table: Table,
    file: str,
    problems: list[Problem],
) -> tuple[RawPart, int, dict[str, int]] | None:
    """Map a grid of cells (header row somewhere near the top) to schema columns: the part,
    how many trailing empty rows were dropped, and each column's position."""
    found = header_columns(grid, row_numbers, table, file, problems)
    if found is None:
        return None
    h, positions, written = found
    part, dropped = body_part(grid.iloc[h + 1 :], row_numbers[h + 1 :], table, positions, file, written)
    above = [
        (int(row_numbers[i]), above_header_reason(cells))
        for i, cells in enumerate(_grid_rows(grid, h))
        if any(c.strip() for c in cells)
    ]
    part.skipped[:0] = above
    return part, dropped + len(above), positions


# ---------------------------------------------------------------- readers


def _rows_to_grid(rows: Sequence[Sequence[object]]) -> pd.DataFrame:
    if not rows:
        return pd.DataFrame(dtype=object)
    # Rows of a CSV or sheet differ in length; pandas will stop padding ragged rows itself.
    width = max(map(len, rows))
    rows = [r if len(r) == width else [*r, *[""] * (width - len(r))] for r in rows]
    return pd.DataFrame(rows, dtype=object).fillna("")


def _strip_trailing(text: str, delimiter: str) -> str:
    r"""Remove the delimiters that end each line (the same as the regex
    ``(?<!d)d+(?=[\r\n]|\Z)``, several times faster on a large file)."""
    if delimiter + "\n" not in text and delimiter + "\r" not in text and not text.endswith(delimiter):
        return text
    lines = text.split("\n")
    if "\r" in text:
        lines = ["\r".join(p.rstrip(delimiter) for p in line.split("\r")) for line in lines]
    else:
        lines = [line.rstrip(delimiter) for line in lines]
    return "\n".join(lines)


def _c_parse(text: str, delimiter: str, width: int) -> pd.DataFrame:
    """pandas' C parser: ~10x the csv module on half a million rows (fed UTF-8 bytes: twice
    as fast as text). Fields a short line lacks are NaN: callers read them as empty."""
    return pd.read_csv(
        io.BytesIO(text.encode("utf-8")), sep=delimiter, header=None, names=range(width),
        dtype=object, keep_default_na=False, na_filter=False, skip_blank_lines=False, engine="c",
        encoding="utf-8",
    )  # fmt: skip


def read_csv_grid(raw: bytes, file: str, problems: list[Problem]) -> tuple[pd.DataFrame | None, CsvState | None]:
    """The cells of a CSV file, and where its parse stopped if it can be continued."""
    decoded = decode(raw)
    if decoded is None:
        line = undecodable_line(raw)
        problems.append(Problem("file-unreadable", file, line, detail="不是 UTF-8 或 GB18030 编码的文本"))
        return None, None
    text, encoding = decoded
    if not text.strip():
        return _rows_to_grid([]), None
    first = text.split("\n", 1)[0]
    delimiter = max((",", "\t", ";", "，"), key=first.count) if first else ","
    quoted = '"' in text
    if not quoted:
        # Excel exports a sheet formatted out to column XFD with 16,383 empty fields per
        # row; a frame that wide takes seconds per thousand rows. Without quotes no cell
        # spans lines, so trailing empty fields can go: missing and empty read the same.
        text = _strip_trailing(text, delimiter)
    sample = text[:65536]
    try:
        head = list(csv.reader(io.StringIO(sample, newline=""), delimiter=delimiter))
    except csv.Error as exc:
        problems.append(Problem("file-unreadable", file, detail=f"CSV 格式错误（{exc}）"))
        return None, None
    width = max((len(r) for r in head), default=1)
    # If the sample cuts the first record, pandas would silently turn its extra fields into
    # an index (data lost, and quadratic on a 100,000-column header): use the csv module.
    whole_first = len(head) > 1 or len(sample) == len(text)
    if len(delimiter) == 1 and whole_first:
        try:
            grid = _c_parse(text, delimiter, width)
        except (pd.errors.ParserError, ValueError):
            pass  # a later row is wider than the first ones, or a quote is never closed
        else:
            state = None
            if (
                not quoted
                and encoding in ("utf-8-sig", "gb18030")
                and len(sample) < len(text)
                and len(head) > HEADER_SEARCH_ROWS
                and raw.endswith(b"\n")
                and len(grid) == text.count("\n")
            ):
                state = CsvState(len(raw), encoding, delimiter, width, len(grid), {})
            return grid, state
    rows: list[list[str]] = []
    try:
        for row in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True):
            rows.append(row)
        return _rows_to_grid(rows), None
    except csv.Error as exc:
        if "end of data" in str(exc):
            # Read leniently, the cell would swallow every later row (and publish them).
            problems.append(Problem("file-unreadable", file, len(rows) + 1, detail="这一行的引号没有结束"))
            return None, None
    try:
        return _rows_to_grid(list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))), None
    except csv.Error as exc:
        problems.append(Problem("file-unreadable", file, detail=f"CSV 格式错误（{exc}）"))
        return None, None


def continue_csv(added: bytes, state: CsvState, table: Table, file: str) -> tuple[RawPart, CsvState | None] | None:
    """The rows of lines appended to a CSV file read before (``state``): the same rows,
    numbers and cells reading the whole file would give, or None when that is not certain
    (then the whole file is read again)."""
    if not added.endswith(b"\n") or b"\x00" in added or b'"' in added:
        return None
    try:
        text = added.decode("utf-8" if state.encoding == "utf-8-sig" else state.encoding)
    except UnicodeDecodeError:
        return None  # the whole file would be read in another encoding
    if text.startswith("\ufeff"):
        return None  # pandas drops a byte-order mark that starts what it reads
    text = _strip_trailing(text, state.delimiter)
    try:
        grid = _c_parse(text, state.delimiter, state.width)
    except (pd.errors.ParserError, ValueError):
        return None
    # A first line wider than the header would become an index instead of an error.
    if len(grid) != text.count("\n") or not isinstance(grid.index, pd.RangeIndex) or grid.shape[1] != state.width:
        return None
    numbers = np.arange(state.lines + 1, state.lines + 1 + len(grid))
    part, dropped = body_part(grid, numbers, table, state.header, file, {})
    new_state = None
    if not dropped:
        new_state = CsvState(state.size + len(added), state.encoding, state.delimiter, state.width,
                             state.lines + len(grid), state.header)  # fmt: skip
    return part, new_state


_MERGE_REF = re.compile(rb"<(?:\w+:)?mergeCell\s+ref=\"\$?([A-Z]{1,3})\$?(\d{1,7})(?::\$?([A-Z]{1,3})\$?(\d{1,7}))?\"")


def _column_number(letters: bytes) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + ch - 64
    return n


def _zip_refusal(raw: bytes) -> str | None:
    """Why a workbook must not reach openpyxl, checked on the zip itself: its parts would
    decompress past the limit (zipfile enforces the declared sizes), or its merged ranges
    would make openpyxl create a cell object for each merged cell (A1:XFD1048576: 17
    billion)."""
    import zipfile

    try:
        with zipfile.ZipFile(io.BytesIO(raw)) as z:
            infos = z.infolist()
            if sum(i.file_size for i in infos) > MAX_UNZIPPED_BYTES:
                return f"工作簿解压后超过 {MAX_UNZIPPED_BYTES // (1024 * 1024)} MB"
            for info in infos:
                if not info.filename.startswith("xl/worksheets/") or not info.filename.endswith(".xml"):
                    continue
                merged, buf = 0, b""
                with z.open(info) as f:  # streamed: a sheet may be 200 MB
                    while True:
                        chunk = f.read(1 << 20)
                        buf += chunk
                        end = max(0, len(buf) - 200) if chunk else len(buf)  # keep a cut element
                        for m in _MERGE_REF.finditer(buf):
                            if m.start() >= end:
                                break
                            c1, r1 = _column_number(m[1]), int(m[2])
                            c2, r2 = (_column_number(m[3]), int(m[4])) if m[3] else (c1, r1)
                            merged += (abs(r2 - r1) + 1) * (abs(c2 - c1) + 1)
                        buf = buf[end:]
                        if not chunk:
                            break
                if merged > MAX_MERGED_CELLS:
                    return "合并单元格的范围过大，请取消整行、整列或整表的合并"
    except Exception:  # not a readable zip (zlib.error, BadZipFile, ...): openpyxl says so below
        return None
    return None


def _filled(value: object) -> bool:
    return value is not None and not (isinstance(value, str) and not value.strip())


def _sheet_rows(ws, big: bool) -> list[list[str]] | None:
    """Cell text up to the last filled row and column; None if that range is too large.

    Formatting alone does not count: one bordered cell on row 1,048,576 (or a declared
    dimension of A1:XFD1048576) would otherwise make billions of empty cells.
    """
    if big:
        ws.reset_dimensions()  # rows then hold only the cells the file has
        rows, budget = [], MAX_SHEET_CELLS
        for row in ws.iter_rows():
            budget -= len(row)
            if budget < 0:
                return None
            rows.append([cell_text(c.value, getattr(c, "number_format", "") or "") for c in row])
        last_row = max((i + 1 for i, r in enumerate(rows) if any(r)), default=0)
        last_col = max((j + 1 for r in rows for j, v in enumerate(r) if v), default=0)
        if last_row * last_col > MAX_SHEET_CELLS:
            return None
        return [r[:last_col] + [""] * (last_col - len(r)) for r in rows[:last_row]]
    spots = [key for key, cell in ws._cells.items() if _filled(cell.value)]
    last_row = max((r for r, _ in spots), default=0)
    last_col = max((c for _, c in spots), default=0)
    if last_row * last_col > MAX_SHEET_CELLS:
        return None
    # From the cells the sheet has: ws.iter_rows would create a Cell for every gap.
    rows = [[""] * last_col for _ in range(last_row)]
    for (r, c), cell in ws._cells.items():
        if r <= last_row and c <= last_col:
            rows[r - 1][c - 1] = cell_text(cell.value, cell.number_format or "")
    return rows


@dataclass
class Sheet:
    """One worksheet as read: cell text (merged ranges not filled: which columns take a
    merged value is the schema's to say), whether staff hid it, its merged ranges, and the
    formula cells saved without a value (1-based row, column)."""

    name: str
    rows: list[list[str]]
    hidden: bool = False
    merged: list[tuple[int, int, int, int]] = field(default_factory=list)  # min_row, min_col, max_row, max_col
    formulas: list[tuple[int, int, str]] = field(default_factory=list)  # row, column, formula


def _merged(ws, last_row: int, last_col: int) -> list[tuple[int, int, int, int]] | None:
    """The merged ranges inside the filled part of a sheet (None: too many cells)."""
    out, budget = [], MAX_SHEET_CELLS
    for rng in ws.merged_cells.ranges:
        if rng.min_row > last_row or rng.min_col > last_col:
            continue
        top, right = min(rng.max_row, last_row), min(rng.max_col, last_col)
        budget -= (top - rng.min_row + 1) * (right - rng.min_col + 1)
        if budget < 0:
            return None
        out.append((rng.min_row, rng.min_col, top, right))
    return out


def _has_formulas(raw: bytes) -> bool:
    """Whether any sheet of the workbook holds a formula (then it is read a second time,
    formulas kept, to find those saved without their value)."""
    import zipfile

    try:
        with zipfile.ZipFile(io.BytesIO(raw)) as z:
            for info in z.infolist():
                if info.filename.startswith("xl/worksheets/") and info.filename.endswith(".xml"):
                    with z.open(info) as f:
                        if re.search(rb"<(?:\w+:)?f[ >/]", f.read()):
                            return True
    except Exception:
        return False
    return False


def _unsaved_formulas(raw: bytes, sheets: list[Sheet]) -> None:
    """Mark the formula cells whose value was never saved (a workbook written by a
    program, not saved by Excel or WPS): read with data_only they are simply empty."""
    import openpyxl

    try:
        wb = openpyxl.load_workbook(io.BytesIO(raw), data_only=False)
    except Exception:
        return
    try:
        by_name = {s.name: s for s in sheets}
        for ws in wb.worksheets:
            sheet = by_name.get(ws.title)
            if sheet is None:
                continue
            for (r, c), cell in ws._cells.items():
                if cell.data_type != "f" or r > len(sheet.rows):
                    continue
                if c > len(sheet.rows[r - 1]) or not sheet.rows[r - 1][c - 1]:
                    sheet.formulas.append((r, c, str(cell.value)))
    finally:
        wb.close()


def read_workbook(raw: bytes, file: str, problems: list[Problem]) -> list[Sheet] | None:
    """Every sheet of a workbook as rows of cell text (see :class:`Sheet`)."""
    import openpyxl  # imported lazily: only workbooks need it
    from openpyxl.utils.exceptions import InvalidFileException

    refusal = _zip_refusal(raw)  # zip bombs, merge bombs
    if refusal:
        problems.append(Problem("file-unreadable", file, detail=refusal))
        return None
    big = len(raw) > 20 * 1024 * 1024
    try:
        wb = openpyxl.load_workbook(io.BytesIO(raw), read_only=big, data_only=True)
    except (InvalidFileException, OSError, KeyError, ValueError, TypeError, EOFError) as exc:
        problems.append(Problem("file-unreadable", file, detail=f"不是有效的 .xlsx 工作簿（{type(exc).__name__}）"))
        return None
    except Exception as exc:  # broken XML: any failure is the file's fault
        problems.append(Problem("file-unreadable", file, detail=f"工作簿已损坏（{type(exc).__name__}）"))
        return None
    sheets: list[Sheet] = []
    try:
        for ws in wb.worksheets:
            rows = _sheet_rows(ws, big)
            merged = [] if big or rows is None else _merged(ws, len(rows), max(map(len, rows), default=0))
            if rows is None or merged is None:
                problems.append(
                    Problem("file-unreadable", file, detail=f"工作表“{ws.title}”的填写范围过大，请删除表格以外的内容")
                )
                return None
            sheets.append(Sheet(ws.title, rows, getattr(ws, "sheet_state", "visible") != "visible", merged))
    except Exception as exc:
        problems.append(Problem("file-unreadable", file, detail=f"工作簿已损坏（{type(exc).__name__}）"))
        return None
    finally:
        wb.close()
    if not big and _has_formulas(raw):
        _unsaved_formulas(raw, sheets)
    return sheets


FROM_SHEET = "（取自工作表名）"  # ends the header of a column filled from the sheet's name
_SUBDISTRICT_ENDINGS = ("街道办事处", "街道办", "街道", "镇", "乡", "苏木")


def subdistrict_of_sheet(name: str) -> str | None:
    """The subdistrict a sheet is named after (东街道, 西镇), or None (Sheet1, 汇总)."""
    text = "".join(norm(name).split())
    if len(text) < 2 or table_for_name(text) is not None:
        return None
    return name.strip() if text.endswith(_SUBDISTRICT_ENDINGS) else None


def sheet_grid(sheet: Sheet, table: Table, file: str, problems: list[Problem]) -> tuple[pd.DataFrame, dict[str, str]]:
    """A sheet's cells ready for :func:`to_frame`: merged ranges filled down in the
    columns the schema allows (reported elsewhere), formulas without a value reported.
    Also the columns to fill from the sheet's name (column -> name)."""
    rows = sheet.rows
    h = find_header(rows[: _search_rows(table)], table)
    if h is None:
        return _rows_to_grid(rows), {}
    lookup = _header_lookup(table)
    by_position: dict[int, Column] = {}
    for j, text in enumerate(rows[h]):
        name = lookup.get(header_key(text)) if text.strip() else None
        if name is not None:
            by_position.setdefault(j, table.column(name))
    for min_row, min_col, max_row, max_col in sheet.merged:
        if max_row == min_row or min_row <= h + 1:
            continue  # a title or header merged across, or a header spanning rows
        top = rows[min_row - 1][min_col - 1] if min_col <= len(rows[min_row - 1]) else ""
        for c in range(min_col - 1, max_col):
            col = by_position.get(c)
            if col is None:
                continue
            if col.fill_down:
                for r in range(min_row - 1, max_row):
                    rows[r][c] = top
            elif c == min_col - 1:
                problems.append(
                    Problem("merged-not-filled", file, min_row, _written(rows[h], c), top,
                            f"合并了第 {min_row}–{max_row} 行，只有第 {min_row} 行有值", letter=column_letter(c))
                )  # fmt: skip
    for r, c, formula in sheet.formulas:
        if r > h + 1 and (c - 1) in by_position and not row_marker(rows[r - 1]):
            # The formula stands in the cell, so the one problem is this one (not an empty cell).
            rows[r - 1][c - 1] = formula
            problems.append(Problem("formula-without-value", file, r, _written(rows[h], c - 1), formula,
                                    letter=column_letter(c - 1)))  # fmt: skip
    fill: dict[str, str] = {}
    subdistrict = subdistrict_of_sheet(sheet.name)
    if subdistrict:
        mapped = {col.name for col in by_position.values()}
        fill = {c.name: subdistrict for c in table.columns if c.from_sheet and c.name not in mapped}
    return _rows_to_grid(rows), fill


def _written(header: list[str], position: int) -> str:
    return header[position].strip() if position < len(header) else ""


def fill_from_sheet(part: RawPart, fill: dict[str, str]) -> None:
    """Give every non-blank row of the part the value named by its sheet (see Column.from_sheet)."""
    filled = np.zeros(len(part.rows), dtype=bool)
    for col in part.cols.values():
        filled |= (col.uniques != "")[col.codes]
    for values in part.lazy.values():
        filled |= ~blank_cells(values)
    for name, value in fill.items():
        part.cols[name] = Col(filled.astype(np.int32), np.array(["", value], dtype=object))
        part.written[name] = part.table.column(name).label + FROM_SHEET


_SafeLoader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml: ~20x faster


class _LineLoader(_SafeLoader):  # type: ignore[valid-type,misc]  # libyaml's class or PyYAML's
    """Safe YAML loader that remembers the line of every mapping (its spreadsheet row)."""


def _construct_mapping(loader, node, deep=False):
    mapping = _SafeLoader.construct_mapping(loader, node, deep=True)
    mapping["__line__"] = node.start_mark.line + 1
    return mapping


_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def _lenient(construct):
    """A scalar YAML cannot convert (2026-02-30, a 5,000-digit number) stays text, so the
    validator reports it at its row instead of the whole file failing without a line."""

    def constructor(loader, node):
        try:
            return construct(loader, node)
        except (ValueError, IndexError, AttributeError):  # "!!float " with nothing: IndexError
            return loader.construct_scalar(node)

    return constructor


for _tag, _construct in (
    ("tag:yaml.org,2002:timestamp", _SafeLoader.construct_yaml_timestamp),
    ("tag:yaml.org,2002:int", _SafeLoader.construct_yaml_int),
    ("tag:yaml.org,2002:float", _SafeLoader.construct_yaml_float),
):
    _LineLoader.add_constructor(_tag, _lenient(_construct))


def read_yaml(raw: bytes, file: str, problems: list[Problem]) -> object:
    """Parse YAML safely: no aliases (alias bombs), bounded nesting, located errors."""
    decoded = decode(raw)
    if decoded is None:
        problems.append(Problem("file-unreadable", file, undecodable_line(raw), detail="不是 UTF-8 编码的文本"))
        return None
    text = decoded[0]
    try:
        depth = 0
        for event in yaml.parse(text, Loader=_SafeLoader):
            if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None):
                line = event.start_mark.line + 1 if event.start_mark is not None else None
                problems.append(Problem("file-unreadable", file, line, detail="不支持 YAML 锚点和别名（& 与 *）"))
                return None
            if isinstance(event, (yaml.MappingStartEvent, yaml.SequenceStartEvent)):
                depth += 1
                if depth > MAX_YAML_DEPTH:
                    line = event.start_mark.line + 1 if event.start_mark is not None else None
                    problems.append(Problem("file-unreadable", file, line, detail="嵌套层数过多"))
                    return None
            elif isinstance(event, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
                depth -= 1
        return yaml.load(text, Loader=_LineLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark else None
        problems.append(Problem("file-unreadable", file, line, detail=f"YAML 格式错误：{getattr(exc, 'problem', exc)}"))
        return None
    except Exception as exc:  # a constructor failing on odd input (TypeError, RecursionError, ...)
        problems.append(Problem("file-unreadable", file, detail=f"YAML 无法解析（{type(exc).__name__}）"))
        return None


def yaml_rows(
    records: object, table: Table, file: str, problems: list[Problem]
) -> tuple[list[list[str]], list[int]] | None:
    """A YAML list of mappings as header + rows, with line numbers as row numbers."""
    if not isinstance(records, list):
        problems.append(Problem("header-not-found", file, 1, detail=f"{table.label}应写成列表，每项一行"))
        return None
    keys: list[str] = []
    for rec in records:
        if isinstance(rec, dict):
            for k in rec:
                if k != "__line__" and str(k) not in keys:
                    keys.append(str(k))
    rows: list[list[str]] = [keys]
    # The header is the line above the first record; a document starting on line 1 has none.
    numbers: list[int] = [max(records[0]["__line__"] - 1, 1) if records and isinstance(records[0], dict) else 1]
    for i, rec in enumerate(records):
        if not isinstance(rec, dict):
            problems.append(Problem("file-unreadable", file, None, detail=f"第 {i + 1} 项不是“列名: 值”的形式"))
            continue
        rows.append([cell_text(rec.get(k)) for k in keys])
        numbers.append(int(rec["__line__"]))
    return rows, numbers


# ---------------------------------------------------------------- discovery


def _inside(path: Path, root: Path) -> bool:
    try:
        path.resolve().relative_to(root.resolve())
        return True
    except (ValueError, OSError, RuntimeError):  # RuntimeError: a symlink loop
        return False


def discover(data_dir: Path, problems: list[Problem]) -> list[tuple[Path, str, Table | None]]:
    """Data files in a stable order, each with the list its name stands for."""
    found = []
    for path in sorted(data_dir.rglob("*")):
        rel = path.relative_to(data_dir)
        if any(part.startswith((".", "~$", "_")) for part in rel.parts):
            continue
        file = str(Path(data_dir.name) / rel)
        # Before the folder test: a linked folder outside data/ is refused, not skipped unseen.
        if path.is_symlink() and not _inside(path, data_dir):
            problems.append(Problem("file-refused", file, detail="链接指向数据目录以外"))
            continue
        if path.is_dir():
            continue
        if is_mapping(path):  # read with its data file (prepare.py)
            stem = data_stem(path)
            if not any(path.with_name(stem + s).is_file() for s in DATA_SUFFIXES):
                detail = f"同一文件夹中没有名为“{stem}”的数据文件（如 {stem}.xlsx），这个映射文件没有用上"
                problems.append(Problem("mapping-unused", file, detail=detail))
            continue
        if path.suffix.lower() not in DATA_SUFFIXES:
            if path.suffix.lower() not in (".md", ".txt", ".json"):
                problems.append(Problem("unknown-file", file))
            continue
        try:
            regular, size = path.is_file(), path.stat().st_size
        except OSError:  # a link to nothing inside data/
            regular, size = False, 0
        if not regular:  # reading a FIFO or device would block forever
            problems.append(Problem("file-unreadable", file, detail="不是普通文件"))
            continue
        if size > MAX_FILE_BYTES:
            problems.append(Problem("file-unreadable", file, detail="文件超过 512 MB"))
            continue
        table = table_for_name(path.stem)
        if table is None and len(rel.parts) > 1:
            table = table_for_name(rel.parts[0])  # data/demands/街道一.xlsx
        found.append((path, file, table))
    return found


def is_settings(path: Path) -> bool:
    return path.suffix.lower() in (".yaml", ".yml") and norm(path.stem) in {norm(s) for s in SETTINGS_NAMES}


@dataclass
class FileRead:
    """What one data file holds: its parts (one per list it carries) and its problems."""

    problems: list[Problem]
    parts: list[RawPart]
    csv: CsvState | None = None  # set when appended lines can be read on their own


def read_file(path: Path, file: str, problems: list[Problem]) -> bytes | None:
    """A data file's bytes; every later step reads these, never the file again."""
    try:
        return path.read_bytes()
    except OSError as exc:  # permissions, a file removed meanwhile
        if path.suffix.lower() in (".xlsx", ".xlsm"):
            detail = f"不是有效的 .xlsx 工作簿（{type(exc).__name__}）"
        else:
            detail = f"无法打开（{type(exc).__name__}）"
        problems.append(Problem("file-unreadable", file, detail=detail))
        return None


def read_settings(
    raw: bytes, file: str, problems: list[Problem]
) -> tuple[dict[str, object], dict[str, list[int]] | None]:
    """The settings file: its values, and the lines of each key (None if it has no keys)."""
    doc = read_yaml(raw, file, problems)
    if doc is None:
        return {}, None
    if not isinstance(doc, dict):
        problems.append(Problem("invalid-settings", file, 1, detail="应为“名称: 值”的形式"))
        return {}, None
    return {str(k): v for k, v in doc.items() if k != "__line__"}, _key_lines(raw)


def read_data(raw: bytes, suffix: str, file: str, table: Table | None, mapping: Mapping | None = None) -> FileRead:
    """Read one data file (not the settings); problems are collected, never raised.
    ``mapping``: the mapping file beside it (mapping.py), already read."""
    if mapping is None:
        return _read_data(raw, suffix, file, table, None)
    base = mapping.table or table
    read = _read_data(raw, suffix, file, mapping.schema(base) if base is not None else None, mapping)
    seen: set[str] = set()
    for part in read.parts:
        seen.update(part.written.values())
        if base is not None and part.table.name == base.name:
            mapping.apply_values(part)
    if read.parts:
        read.problems.extend(mapping.unused_headings(seen, file))
    read.csv = None  # appended lines would be read without the mapping's words
    return read


def _read_data(raw: bytes, suffix: str, file: str, table: Table | None, mapping: Mapping | None) -> FileRead:
    problems: list[Problem] = []
    parts: list[RawPart] = []

    def add(table: Table, file: str, grid: pd.DataFrame, numbers=None) -> tuple[int, dict[str, int]] | None:
        if numbers is None:
            numbers = np.arange(1, len(grid) + 1)
        result = to_frame(grid, np.asarray(numbers), table, file, problems)
        if result is None:
            return None
        if suffix in (".yaml", ".yml"):
            result[0].letters = {}  # a YAML file has lines, not lettered columns
        parts.append(result[0])
        return result[1], result[2]

    if suffix in (".xlsx", ".xlsm"):
        sheets = read_workbook(raw, file, problems)
        if sheets is not None:
            read_sheets(sheets, file, table, parts, problems, mapping.skip_sheets if mapping else frozenset())
        return FileRead(problems, parts)
    if suffix in (".yaml", ".yml"):
        doc = read_yaml(raw, file, problems)
        if doc is None:
            return FileRead(problems, parts)
        if isinstance(doc, dict) and table is None:
            sections = [(table_for_name(str(k)), v) for k, v in doc.items() if k != "__line__"]
            if not any(t for t, _ in sections):
                problems.append(Problem("unknown-file", file))
            for t, records in sections:
                if t is not None:
                    got = yaml_rows(records, t, file, problems)
                    if got:
                        add(t, file, _rows_to_grid(got[0]), got[1])
            return FileRead(problems, parts)
        if table is None:
            problems.append(Problem("unknown-file", file))
            return FileRead(problems, parts)
        got = yaml_rows(doc, table, file, problems)
        if got:
            add(table, file, _rows_to_grid(got[0]), got[1])
        return FileRead(problems, parts)
    if table is None:
        problems.append(Problem("unknown-file", file))
        return FileRead(problems, parts)
    grid, state = read_csv_grid(raw, file, problems)
    if grid is None:
        return FileRead(problems, parts)
    if grid.empty:
        problems.append(Problem("header-not-found", file, 1, detail="文件是空的"))
        return FileRead(problems, parts)
    found = add(table, file, grid)
    if found is None or found[0] or state is None:
        return FileRead(problems, parts)
    state.header = found[1]
    return FileRead(problems, parts, state)


def read_sheets(
    sheets: list[Sheet],
    file: str,
    table: Table | None,
    parts: list[RawPart],
    problems: list[Problem],
    skip: frozenset[str] = frozenset(),
) -> None:
    """Every visible sheet of a workbook: a sheet named after a list is that list, any
    other the list the file is named after. A sheet without a header row is an error
    when no sheet of the workbook has one, otherwise a sheet of notes, skipped and said so."""
    named = {s.name: table_for_name(s.name) for s in sheets}
    if table is None and not any(named.values()):
        problems.append(Problem("unknown-file", file))
        return
    unread: list[tuple[Sheet, list[Problem]]] = []
    for sheet in sheets:
        where = f"{file}[{sheet.name}]"
        filled = sum(1 for r in sheet.rows if any(c.strip() for c in r))
        if sheet.name in skip or sheet.name.strip() in skip:
            if filled:
                problems.append(Problem("sheet-skipped", where, detail=f"映射文件要求跳过，其中 {filled} 行未读取"))
            continue
        if sheet.hidden:
            if filled:
                problems.append(Problem("sheet-skipped", where, detail=f"工作表已隐藏，其中 {filled} 行未读取"))
            continue
        t = named[sheet.name] or table
        if not filled:
            continue
        if t is None:
            detail = f"工作表名与文件名都不是清单名称，其中 {filled} 行未读取"
            problems.append(Problem("sheet-skipped", where, detail=detail))
            continue
        mine: list[Problem] = []
        grid, fill = sheet_grid(sheet, t, where, mine)
        result = to_frame(grid, np.arange(1, len(grid) + 1), t, where, mine)
        if result is None:
            unread.append((sheet, mine))
            continue
        if fill:
            fill_from_sheet(result[0], fill)
        problems.extend(mine)
        parts.append(result[0])
    _once(problems, ("id-derived", "status-inferred"))
    for sheet, mine in unread:
        if parts:
            filled = sum(1 for r in sheet.rows if any(c.strip() for c in r))
            detail = f"没有找到表头，当作说明页，其中 {filled} 行未读取"
            problems.append(Problem("sheet-skipped", f"{file}[{sheet.name}]", detail=detail))
        else:
            problems.extend(mine)


def _once(problems: list[Problem], codes: tuple[str, ...]) -> None:
    """Say what applies to every sheet of a workbook once, at its first sheet."""
    for code in codes:
        same = [p for p in problems if p.code == code]
        if len(same) > 1:
            others = "、".join(p.file.rsplit("[", 1)[-1].rstrip("]") for p in same[1:])
            keep = same[0]
            problems[problems.index(keep)] = Problem(
                code, keep.file, keep.row, keep.column, keep.value, f"{keep.detail}（工作表 {others} 同样如此）"
            )
            for p in same[1:]:
                problems.remove(p)


def _key_lines(raw: bytes) -> dict[str, list[int]]:
    """Line numbers of each top-level key of a YAML settings file (more than one when the
    key is repeated: the composed node tree keeps every occurrence, the loaded dict only the last)."""
    # libyaml (the pure-Python composer takes ~1 s per MB) on the text read_yaml decoded.
    decoded = decode(raw)
    try:
        node = yaml.compose(decoded[0], Loader=_SafeLoader) if decoded else None
    except yaml.YAMLError:
        return {}
    if not isinstance(node, yaml.MappingNode):
        return {}
    lines: dict[str, list[int]] = {}
    for k, _ in node.value:
        lines.setdefault(k.value, []).append(k.start_mark.line + 1)
    return lines
