"""The staff reports every build writes outside the published site.

``reports/build-report.md`` and ``.json``: per list, rows read = rows published + rows
excluded, each exclusion with its reason, and every problem; ``reports/redactions.csv``:
what was masked where (never the original values).
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

from generator.ingest.prepare import Prepared
from generator.problems import Problem, Report


def format_problem(p: Problem) -> str:
    level = "错误" if p.is_error else "警告"
    value = f"值“{p.value}”：" if p.value else ""
    return f"[{level}] {p.location()}：{value}{p.message()}  ({p.code})"


def reconciliation(report: Report) -> list[dict[str, object]]:
    """Rows read = rows published + rows excluded, per list."""
    excluded = Counter(t for t, *_ in report.excluded)
    return [
        {
            "list": name,
            "read": report.rows_read[name],
            "published": report.rows_published[name],
            "excluded": excluded[name],
        }
        for name in report.rows_read
    ]


def write_reports(prepared: Prepared, directory: Path) -> None:
    """The build report and redaction report: for staff, outside the published site."""
    directory.mkdir(parents=True, exist_ok=True)
    report = prepared.report
    rows = reconciliation(report)
    doc = {
        "rows": rows,
        "excluded": [{"list": t, "file": f, "row": r, "reason": why} for t, f, r, why in report.excluded],
        "problems": [p.as_dict() for p in report.sorted()],
    }
    (directory / "build-report.json").write_text(json.dumps(doc, ensure_ascii=False, indent=1), encoding="utf-8")
    lines = ["# 构建报告", "", "| 清单 | 读入行数 | 发布行数 | 排除行数 |", "|---|---:|---:|---:|"]
    lines += [f"| {r['list']} | {r['read']} | {r['published']} | {r['excluded']} |" for r in rows]
    from generator.output.check_report import FILE_NAME, write

    write(report, directory / FILE_NAME)
    lines += ["", f"问题按文件和工作表分组的检查报告（可在手机上打开）：[{FILE_NAME}]({FILE_NAME})"]
    if report.excluded:
        lines += ["", "## 排除的行", ""] + [f"- {f} 第 {r} 行：{why}" for _, f, r, why in report.excluded]
    if report.problems:
        lines += ["", "## 问题", ""] + [f"- {format_problem(p)}" for p in report.sorted()]
    (directory / "build-report.md").write_text("\n".join(lines) + "\n", encoding="utf-8")
    # The same formula-neutralising CSV writer as the published downloads: staff open it in Excel.
    from generator.exports.downloads import csv_bytes

    masked = [[str(x) for x in row] for row in prepared.redactions]
    (directory / "redactions.csv").write_bytes(csv_bytes(["文件", "行", "列", "遮盖类型", "遮盖后文字"], masked))
