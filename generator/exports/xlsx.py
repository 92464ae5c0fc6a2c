"""A small, byte-reproducible Excel (.xlsx) writer for the downloads.

openpyxl takes about 25 ms to save even a tiny workbook; a city publishes a workbook for
each of ~1,800 scopes, so the downloads write the SpreadsheetML themselves: each list's
rows are encoded once (:func:`cells`, ``<row>`` elements without cell references, which
the format allows) and a scope's sheet is the join of its rows. Nothing in the file
depends on the clock: the zip entries carry a fixed date and the document properties the
data's as-of date, so a rebuild from the same data gives the same bytes (incremental ==
full). tests/test_opendata.py reads the files back with openpyxl.
"""

from __future__ import annotations

import datetime as dt
import struct
import zlib
from collections.abc import Sequence
from dataclasses import dataclass

_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_HEAD = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
_EPOCH = dt.date(1899, 12, 30)  # Excel's day 0 (with its 1900 leap-year bug folded in)
# XML 1.0 cannot carry most control characters, even escaped: dropped, and the markup
# characters escaped, in one pass.
_CONTROL: dict[int, str | None] = dict.fromkeys([*range(0, 9), 11, 12, *range(14, 32)])
_ESCAPE = str.maketrans({**_CONTROL, ord("&"): "&amp;", ord("<"): "&lt;", ord(">"): "&gt;"})
_KEEP_NUL = {k: v for k, v in _ESCAPE.items() if k != 0}
_ESCAPE_ATTR = str.maketrans({**_CONTROL, ord("&"): "&amp;", ord("<"): "&lt;", ord(">"): "&gt;", ord('"'): "&quot;"})

# Cell styles (styles.xml cellXfs): 0 plain, 1 bold header, 2 date, 3 wrapped text.
HEADER, DATE, WRAP = 1, 2, 3


def text_cell(text: str, style: int = 0) -> str:
    s = f' s="{style}"' if style else ""
    if not text:
        return f"<c{s}/>"
    text = text.translate(_ESCAPE)
    return f'<c{s} t="inlineStr"><is><t{_space(text)}>{text}</t></is></c>'


def cell(value: object, text: str) -> str:
    """One cell: numbers and dates as such (Excel sorts and sums them), the rest as
    ``text`` (what the CSV shows, before formula neutralising: inline strings are never
    evaluated)."""
    if isinstance(value, bool) or value is None:
        return text_cell(text)
    if isinstance(value, (int, float)):
        return f"<c><v>{value!r}</v></c>"
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return f'<c s="{DATE}"><v>{(value - _EPOCH).days}</v></c>'
    return text_cell(text)


_INLINE = '<c t="inlineStr"><is><t>'
_INLINE_PRESERVE = '<c t="inlineStr"><is><t xml:space="preserve">'
_INLINE_END = "</t></is></c>"


def _space(text: str) -> str:
    """Excel trims a cell's outer spaces and line breaks unless told to keep them."""
    return ' xml:space="preserve"' if text != text.strip() else ""


def text_cells(texts: list[str]) -> list[str]:
    """:func:`text_cell` of every text of a column, escaped in one pass over the column."""
    joined = "\x00".join(texts)
    if not texts or joined.count("\x00") != len(texts) - 1:  # none, or a NUL inside a cell
        return list(map(text_cell, texts))
    escaped = joined.translate(_KEEP_NUL).split("\x00")
    return [(_INLINE_PRESERVE if t != t.strip() else _INLINE) + t + _INLINE_END if t else "<c/>" for t in escaped]


def row(cells: Sequence[str]) -> str:
    return "<row>" + "".join(cells) + "</row>"


def display_width(text: str) -> int:
    """Columns a text takes in a spreadsheet, about: a CJK character (three bytes in
    UTF-8) counts two, ASCII one; at C speed, since it is asked of every distinct cell."""
    return (len(text.encode("utf-8")) + len(text)) // 2


@dataclass(frozen=True)
class Sheet:
    name: str  # at most 31 characters
    header: Sequence[str]
    widths: Sequence[float]
    rows: Sequence[str]  # <row> elements (row())
    freeze: bool = True


def sheet_xml(sheet: Sheet) -> bytes:
    cols = "".join(
        f'<col min="{i}" max="{i}" width="{w:g}" customWidth="1"/>' for i, w in enumerate(sheet.widths, start=1)
    )
    pane = '<pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/>' if sheet.freeze else ""
    head = '<row r="1">' + "".join(text_cell(h, HEADER) for h in sheet.header) + "</row>"
    return (
        f'{_HEAD}<worksheet xmlns="{_NS}" xmlns:r="{_REL}"><sheetViews><sheetView workbookViewId="0">{pane}'
        f'</sheetView></sheetViews><sheetFormatPr defaultRowHeight="15"/><cols>{cols}</cols><sheetData>{head}'
        + "".join(sheet.rows)
        + "</sheetData></worksheet>"
    ).encode("utf-8")


_STYLES = (
    f'{_HEAD}<styleSheet xmlns="{_NS}">'
    '<numFmts count="1"><numFmt numFmtId="164" formatCode="yyyy-mm-dd"/></numFmts>'
    '<fonts count="2"><font><sz val="11"/><name val="等线"/><family val="2"/></font>'
    '<font><b/><sz val="11"/><name val="等线"/><family val="2"/></font></fonts>'
    '<fills count="2"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill>'
    "</fills>"
    '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
    '<cellXfs count="4"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
    '<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/>'
    '<xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
    '<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0" applyAlignment="1">'
    '<alignment wrapText="1" vertical="top"/></xf></cellXfs>'
    '<cellStyles count="1"><cellStyle name="常规" xfId="0" builtinId="0"/></cellStyles>'
    "</styleSheet>"
)


def _attr(text: str) -> str:
    return text.translate(_ESCAPE_ATTR)


def parts(sheets: Sequence[Sheet], title: str, creator: str, as_of: dt.date) -> dict[str, bytes]:
    """Every part of the workbook, uncompressed (what the privacy scan reads)."""
    n = len(sheets)
    stamp = f"{as_of.isoformat()}T00:00:00Z"
    types = "".join(
        f'<Override PartName="/xl/worksheets/sheet{i}.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
        for i in range(1, n + 1)
    )
    out = {
        "[Content_Types].xml": (
            f'{_HEAD}<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/xl/workbook.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
            '<Override PartName="/xl/styles.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
            f"{types}"
            '<Override PartName="/docProps/core.xml" '
            'ContentType="application/vnd.openxmlformats-package.core-properties+xml"/>'
            '<Override PartName="/docProps/app.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.extended-properties+xml"/>'
            "</Types>"
        ),
        "_rels/.rels": (
            f'{_HEAD}<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            f'<Relationship Id="rId1" Type="{_REL}/officeDocument" Target="xl/workbook.xml"/>'
            '<Relationship Id="rId2" '
            'Type="http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties" '
            'Target="docProps/core.xml"/>'
            f'<Relationship Id="rId3" Type="{_REL}/extended-properties" Target="docProps/app.xml"/>'
            "</Relationships>"
        ),
        "docProps/core.xml": (
            f"{_HEAD}<cp:coreProperties "
            'xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" '
            'xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" '
            'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
            f"<dc:title>{_attr(title)}</dc:title><dc:creator>{_attr(creator)}</dc:creator>"
            f'<dcterms:created xsi:type="dcterms:W3CDTF">{stamp}</dcterms:created>'
            f'<dcterms:modified xsi:type="dcterms:W3CDTF">{stamp}</dcterms:modified>'
            "</cp:coreProperties>"
        ),
        "docProps/app.xml": (
            f'{_HEAD}<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties">'
            "<Application>Gongshi</Application></Properties>"
        ),
        "xl/workbook.xml": (
            f'{_HEAD}<workbook xmlns="{_NS}" xmlns:r="{_REL}"><bookViews><workbookView/></bookViews><sheets>'
            + "".join(
                f'<sheet name="{_attr(s.name)}" sheetId="{i}" r:id="rId{i}"/>' for i, s in enumerate(sheets, start=1)
            )
            + "</sheets></workbook>"
        ),
        "xl/_rels/workbook.xml.rels": (
            f'{_HEAD}<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            + "".join(
                f'<Relationship Id="rId{i}" Type="{_REL}/worksheet" Target="worksheets/sheet{i}.xml"/>'
                for i in range(1, n + 1)
            )
            + f'<Relationship Id="rId{n + 1}" Type="{_REL}/styles" Target="styles.xml"/></Relationships>'
        ),
        "xl/styles.xml": _STYLES,
    }
    parts_ = {name: text.encode("utf-8") for name, text in out.items()}
    for i, s in enumerate(sheets, start=1):
        parts_[f"xl/worksheets/sheet{i}.xml"] = sheet_xml(s)
    return parts_


def pack(parts_: dict[str, bytes], level: int = 1, cache: dict[bytes, tuple[int, bytes]] | None = None) -> bytes:
    """The zip of the parts: the same bytes for the same parts (fixed dates and
    attributes, written here rather than by zipfile, which stamps no clock but costs more).
    ``cache``: compressed parts by content, for the parts every workbook shares."""
    out: list[bytes] = []
    central: list[bytes] = []
    offset = 0
    for name, data in parts_.items():
        packed = cache.get(data) if cache is not None else None
        if packed is None:
            c = zlib.compressobj(level, zlib.DEFLATED, -15)
            packed = (zlib.crc32(data), c.compress(data) + c.flush())
            if cache is not None and len(data) < 4096:
                cache[data] = packed
        crc, body = packed
        raw = name.encode("ascii")
        common = struct.pack("<HHHHHIIIH", 20, 0, 8, 0, _DOS_DATE, crc, len(body), len(data), len(raw))
        out += [b"PK\x03\x04" + common + b"\x00\x00" + raw, body]
        central.append(
            b"PK\x01\x02"
            + struct.pack("<H", 0x0314)
            + common
            + struct.pack("<HHHHII", 0, 0, 0, 0, 0o644 << 16, offset)
            + raw
        )
        offset += 30 + len(raw) + len(body)
    directory = b"".join(central)
    end = b"PK\x05\x06" + struct.pack("<HHHHIIH", 0, 0, len(central), len(central), len(directory), offset, 0)
    return b"".join(out) + directory + end


_DOS_DATE = (0 << 9) | (1 << 5) | 1  # 1980-01-01, the zip format's first day
