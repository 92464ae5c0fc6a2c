"""The check report as one HTML file staff can open on a phone: ``gongshi check --html``.

Problems grouped by file and sheet (the groups with most errors first, errors before
warnings inside each), every problem with its row, column letter and header, the value
and how to fix it. Self-contained (inline CSS, no script, no external asset), so it can
be mailed or opened from a folder. Values pass through the privacy masking: a report that
is forwarded must not carry a resident's phone number or name.
"""

from __future__ import annotations

import html
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from generator.privacy.mask import mask_text
from generator.problems import CODES, Problem, Report
from generator.schema import PRIVATE, TABLES, norm

HIDDEN = "（个人信息，不显示）"
FILE_NAME = "check-report.html"  # in the reports folder, beside build-report.md


def _private_headings() -> frozenset[str]:
    """Every spelling of a column that holds residents' personal data."""
    return frozenset(norm(s) for t in TABLES for c in t.columns if c.privacy == PRIVATE for s in c.spellings())


def shown(text: str, column: str = "", private: frozenset[str] = frozenset()) -> str:
    """A value or detail as a report may show it: a private column's value hidden,
    personal data in any other text masked."""
    if not text:
        return ""
    if column and norm(column) in private:
        return HIDDEN
    return mask_text(text)[0]


@dataclass
class Group:
    file: str
    sheet: str
    problems: list[Problem]

    @property
    def errors(self) -> int:
        return sum(p.is_error for p in self.problems)

    @property
    def warnings(self) -> int:
        return len(self.problems) - self.errors


def groups(report: Report) -> list[Group]:
    """Problems by file and sheet: most errors first; inside, errors first, then by row."""
    found: dict[str, list[Problem]] = {}
    for p in report.sorted():
        found.setdefault(p.file or "（站点设置）", []).append(p)
    out = []
    for where, problems in found.items():
        file, _, sheet = where.partition("[")
        problems.sort(key=lambda p: (not p.is_error, p.row or 0, p.letter, p.code))
        out.append(Group(file, sheet.rstrip("]"), problems))
    out.sort(key=lambda g: (-g.errors, g.file, g.sheet))
    return out


_CSS = """
*{box-sizing:border-box}
body{margin:0;font:16px/1.6 -apple-system,"PingFang SC","Microsoft YaHei","Noto Sans CJK SC",sans-serif;
color:#1f2328;background:#f6f7f9}
main{max-width:60rem;margin:0 auto;padding:1rem}
h1{font-size:1.4rem;margin:.5rem 0}
h2{font-size:1.1rem;margin:0;overflow-wrap:anywhere}
.summary{background:#fff;border-radius:.5rem;padding:.75rem 1rem;margin:0 0 1rem}
.ok{color:#1a7f37}
section{background:#fff;border-radius:.5rem;margin:0 0 1rem;padding:.75rem 1rem}
.counts{margin:.25rem 0 .5rem;color:#57606a}
ol{list-style:none;margin:0;padding:0}
li{border-top:1px solid #d0d7de;padding:.6rem 0}
.level{display:inline-block;font-weight:bold;border-radius:.25rem;padding:0 .4rem;margin-right:.4rem}
.error .level{background:#cf222e;color:#fff}
.warning .level{background:#f0c000;color:#1f2328}
.where{font-weight:bold}
.value{background:#fff8c5;padding:0 .25rem;overflow-wrap:anywhere}
.fix{color:#57606a;margin:.2rem 0 0}
code{font-size:.85em;color:#57606a}
table{border-collapse:collapse;width:100%}
td,th{text-align:left;padding:.2rem .5rem;border-bottom:1px solid #d0d7de}
td:nth-child(2){text-align:right}
th{white-space:nowrap}
.note{background:#ddf4ff;border-radius:.5rem;padding:.5rem 1rem}
"""


def _where(p: Problem) -> str:
    parts = []
    if p.row is not None:
        parts.append(f"第 {p.row} 行")
    if p.letter:
        parts.append(f"{p.letter} 列" + (f"“{p.column}”" if p.column else ""))
    elif p.column:
        parts.append(f"“{p.column}”列")
    return "，".join(parts) or ("整个工作表" if p.file.endswith("]") else "整个文件")


def render(report: Report, title: str = "数据检查报告", note: str = "", hide_values: bool = False) -> str:
    """The report as a complete HTML document; ``note``: a line under the title;
    ``hide_values``: show no value or detail at all (see :func:`write`)."""
    esc = html.escape
    private = _private_headings()
    problems = report.problems
    errors = sum(p.is_error for p in problems)
    out = [
        "<!DOCTYPE html>",
        '<html lang="zh-CN"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{esc(title)}</title><style>{_CSS}</style></head><body><main>",
        f"<h1>{esc(title)}</h1>",
    ]
    if note:
        out.append(f'<p class="note">{esc(note)}</p>')
    if not problems:
        out.append('<p class="summary ok">没有发现问题，可以生成网站。</p>')
    else:
        verdict = "有错误，改正后才能生成网站" if errors else "只有警告，可以生成网站"
        out.append(f'<div class="summary"><p><strong>{errors} 个错误，{len(problems) - errors} 个警告</strong>'
                   f"（{verdict}）。按文件和工作表分组，错误多的在前。</p>")  # fmt: skip
        counts = Counter(p.code for p in problems)
        out.append("<table><thead><tr><th>问题</th><th>条数</th></tr></thead><tbody>")
        for name, n in counts.most_common():
            level = "错误" if CODES[name].severity == "error" else "警告"
            out.append(f"<tr><td>{esc(CODES[name].title)}（{level}）</td><td>{n}</td></tr>")
        out.append("</tbody></table></div>")
    for g in groups(report):
        heading = g.file + (f" · 工作表“{g.sheet}”" if g.sheet else "")
        out.append(f"<section><h2>{esc(heading)}</h2>")
        out.append(f'<p class="counts">{g.errors} 个错误，{g.warnings} 个警告</p><ol>')
        for p in g.problems:
            kind = "error" if p.is_error else "warning"
            code = CODES[p.code]
            value = shown(p.value, p.column, private) if not hide_values else (HIDDEN if p.value else "")
            detail = shown(p.detail, p.column, private) if p.detail and not hide_values else ""
            what = code.title + (f"：{detail}" if detail else "")
            out.append(f'<li class="{kind}"><span class="level">{"错误" if p.is_error else "警告"}</span>'
                       f'<span class="where">{esc(_where(p))}</span>')  # fmt: skip
            if value:
                out.append(f'<br>值 <span class="value">{esc(value)}</span>')
            out.append(f"<br>{esc(what)}")
            out.append(f'<p class="fix">怎么改：{esc(code.fix)}。 <code>{esc(p.code)}</code></p></li>')
        out.append("</ol></section>")
    out.append("</main></body></html>")
    return "\n".join(out) + "\n"


def write(report: Report, path: Path) -> Path:
    """Write the report; its bytes are scanned like a published page. Should the scan find
    what the masking missed, the report is written without any value or detail; should it
    still find something (a file name), nothing is written."""
    from generator.privacy.mask import scan_bytes

    data = render(report).encode("utf-8")
    if scan_bytes(data):
        data = render(report, hide_values=True).encode("utf-8")
    found = scan_bytes(data)
    if found:
        from generator.problems import PrivacyLeak

        raise PrivacyLeak([(str(path), kind, value) for kind, value in found])
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path
