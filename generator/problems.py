"""Validation problems as data, and the catalog of problem codes.

A :class:`Problem` names where (file, row as the spreadsheet shows it, column), what (the
offending value) and how to fix it, in Chinese. The library only collects and raises; the
CLI decides how to print and which exit code to use.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

ERROR = "error"
WARNING = "warning"


@dataclass(frozen=True)
class Code:
    code: str
    severity: str
    title: str  # Chinese, short
    fix: str  # Chinese, what staff should do
    title_en: str = ""


_CODES = (
    Code(
        "file-unreadable",
        ERROR,
        "文件无法读取",
        "请另存为 UTF-8 或 GB18030 编码的 CSV，或 .xlsx 工作簿后重试",
        "file cannot be read",
    ),
    Code(
        "file-refused",
        ERROR,
        "文件不在数据目录内",
        "数据目录中的链接指向了目录以外，请把文件本身复制进 data/",
        "file outside the data folder",
    ),
    Code(
        "unknown-file",
        WARNING,
        "无法识别的文件",
        "文件名应为清单名称（如 projects.csv 或 整改清单.xlsx），否则不会读取",
        "file name matches no list",
    ),
    Code("header-not-found", ERROR, "找不到表头", "请确保前 10 行内有一行列名（如“编号”“社区”）", "no header row"),
    Code("missing-column", ERROR, "缺少必填列", "请按数据格式说明补上这一列", "required column missing"),
    Code("duplicate-column", ERROR, "列名重复", "同一列只能出现一次，请删除或改名其中一列", "column appears twice"),
    Code(
        "unknown-column",
        WARNING,
        "无法识别的列",
        "这一列不会发布；如需发布请改用数据格式说明中的列名",
        "column not in schema",
    ),
    Code("missing-table", ERROR, "缺少清单", "请在 data/ 中提供这份清单", "required list missing"),
    Code("missing-value", ERROR, "必填项为空", "请填写这一格", "required value empty"),
    Code("type-error", ERROR, "格式不正确", "请填写数字，例如 80 或 80%", "not a number"),
    Code("invalid-date", ERROR, "日期无法识别", "请写成 2026-06-30、2026年6月30日 或 2026.6.30", "date not recognised"),
    Code("invalid-enum", ERROR, "取值不在允许范围内", "请从允许的取值中选择一个", "value not allowed"),
    Code("out-of-range", ERROR, "数值超出范围", "请填写允许范围内的数值", "number out of range"),
    Code("duplicate-id", ERROR, "编号重复", "每个编号只能出现一次，请改正重复的编号或删除重复行", "id used twice"),
    Code(
        "id-collision",
        ERROR,
        "编号仅大小写或写法不同",
        "网址由编号生成，请让这些编号有实质区别",
        "ids differ only in case or form",
    ),
    Code(
        "invalid-id",
        ERROR,
        "编号含有不允许的字符",
        "编号只能使用字母、数字、汉字、短横线和下划线",
        "id has forbidden characters",
    ),
    Code(
        "unknown-reference",
        ERROR,
        "引用的对象不存在",
        "请检查编号或名称是否写错，或先在对应清单中添加它",
        "reference to unknown row",
    ),
    Code(
        "areas-declared",
        WARNING,
        "区域按清单中的名称建立",
        "请核对这些名称；写法不同的同一社区会成为两个社区，可提供区域清单（gongshi template 生成模板）",
        "areas taken from the names the lists use",
    ),
    Code(
        "units-declared",
        WARNING,
        "责任单位按清单中的名称建立",
        "请核对这些名称；写法不同的同一单位会成为两个单位，可提供责任单位清单",
        "units taken from the names the projects use",
    ),
    Code(
        "references-unchecked",
        WARNING,
        "引用无法核对",
        "改正或提供被引用的清单后，这些引用会再检查一次",
        "references into a list that could not be read",
    ),
    Code("ambiguous-reference", ERROR, "名称对应多个对象", "有多个同名对象，请改用编号", "name matches several rows"),
    Code(
        "invalid-parent",
        ERROR,
        "上级区域不正确",
        "街道的上级应为区，社区的上级应为街道，网格的上级应为社区",
        "wrong parent level",
    ),
    Code("deadline-before-start", ERROR, "完成时限早于开始日期", "请检查两个日期是否填反", "deadline before start"),
    Code(
        "completed-without-result",
        ERROR,
        "已完成项目缺少结果",
        "请在结果清单中为该项目补一行，或改正项目状态",
        "completed project has no result",
    ),
    Code(
        "declined-without-reason",
        ERROR,
        "未采纳的需求缺少原因",
        "不予采纳须向群众说明原因，请填写“未采纳原因”",
        "declined demand without reason",
    ),
    Code("signoff-before-completion", ERROR, "销号日期早于完成日期", "请检查两个日期", "sign-off before completion"),
    Code(
        "reopen-before-completion",
        ERROR,
        "整改开始日期早于完成日期",
        "限时整改在项目完成、群众评价之后才开始，请检查两个日期",
        "follow-up started before completion",
    ),
    Code(
        "fix-deadline-before-reopen",
        ERROR,
        "整改期限早于整改开始日期",
        "请检查两个日期是否填反；整改期限留空则为开始日期加整改时限天数",
        "follow-up deadline before it started",
    ),
    Code(
        "fixed-before-reopen",
        ERROR,
        "整改完成日期早于整改开始（或项目完成）日期",
        "请检查日期：整改完成应在整改开始之后",
        "follow-up fixed before it started",
    ),
    Code(
        "followup-without-reopen",
        WARNING,
        "填了整改期限或整改完成日期，却没有整改开始日期",
        "请补填“整改开始日期”；留空时按评价自动判断，评价未跌破满意率门槛则这些日期不会显示",
        "follow-up dates without the reopening date",
    ),
    Code(
        "result-not-completed",
        WARNING,
        "项目未完成却有结果",
        "请把项目状态改为已完成，或删去这条结果",
        "result for an unfinished project",
    ),
    Code(
        "date-after-as-of",
        WARNING,
        "日期晚于数据截止日期",
        "请检查日期，或更新站点设置中的数据截止日期",
        "date after the as-of date",
    ),
    Code(
        "demand-project-mismatch",
        WARNING,
        "需求与项目互相对应不一致",
        "请在需求清单的“转化项目”和项目清单的“对应需求”中保持一致",
        "demand and project disagree",
    ),
    Code(
        "feedback-unfinished-project",
        WARNING,
        "对未完成项目的评价",
        "评价会发布，但通常应在项目完成后收集",
        "feedback before completion",
    ),
    Code(
        "ambiguous-date",
        ERROR,
        "日期不完整",
        "请写明年份，如 2026年6月30日 或 2026年6月底",
        "date without a year",
    ),
    Code(
        "status-inferred",
        WARNING,
        "状态由进展情况推断",
        "请核对推断出的状态；如需准确，请加一列“状态”",
        "status inferred from the progress note",
    ),
    Code(
        "id-derived",
        WARNING,
        "编号由内容生成",
        "如需固定编号，请加一列“编号”",
        "ids derived from the content",
    ),
    Code("blank-row", WARNING, "空行已跳过", "可删除空行", "blank row skipped"),
    Code(
        "sheet-skipped",
        WARNING,
        "工作表未读取",
        "如其中有要发布的数据，请取消隐藏，或在前 10 行写上列名",
        "sheet not read",
    ),
    Code(
        "merged-not-filled",
        WARNING,
        "合并单元格只在第一行有值",
        "这一列不按合并单元格向下填充，请取消合并并在每一行填写",
        "merged cell not filled down",
    ),
    Code(
        "formula-without-value",
        ERROR,
        "公式没有保存计算结果",
        "请用 Excel 或 WPS 打开工作簿并保存一次，或把公式复制后“选择性粘贴为数值”",
        "formula saved without its value",
    ),
    Code(
        "mapping-invalid",
        ERROR,
        "映射文件有误",
        "请按 README“For staff”中映射文件的说明改正这一行",
        "mapping file invalid",
    ),
    Code(
        "mapping-unused",
        WARNING,
        "映射没有用上",
        "请检查映射文件中的列名是否与工作簿表头一致，或删去这一行",
        "mapping entry unused",
    ),
    Code("invalid-settings", ERROR, "站点设置有误", "请按说明修改 site.yaml", "site settings invalid"),
    Code(
        "pii-masked",
        WARNING,
        "公开文字中含个人信息，已遮盖",
        "请从公开栏目中删除个人信息；发布时已自动遮盖",
        "personal data masked in public text",
    ),
    Code(
        "pii-in-output",
        ERROR,
        "发布内容中含个人信息",
        "这一处不会自动遮盖，请删除或改写其中的个人信息后重新生成",
        "personal data would be published",
    ),
)

CODES: dict[str, Code] = {c.code: c for c in _CODES}


@dataclass(frozen=True)
class Problem:
    code: str
    file: str = ""
    row: int | None = None  # 1-based, as the spreadsheet shows it (YAML: line number)
    column: str = ""  # the header as written in the file, or the schema label
    value: str = ""
    detail: str = ""  # Chinese, specific to this occurrence (e.g. the allowed values)
    letter: str = ""  # the column's letter as a spreadsheet shows it (CSV and workbooks)

    @property
    def severity(self) -> str:
        return CODES[self.code].severity

    @property
    def is_error(self) -> bool:
        return self.severity == ERROR

    def message(self) -> str:
        """The full Chinese message: what is wrong, then how to fix it."""
        c = CODES[self.code]
        what = c.title + (f"：{self.detail}" if self.detail else "")
        return f"{what}。{c.fix}。"

    def location(self) -> str:
        parts = [self.file or "（设置）"]
        if self.row is not None:
            parts.append(f"第 {self.row} 行")
        if self.letter and self.column:
            parts.append(f"{self.letter} 列“{self.column}”")
        elif self.letter:
            parts.append(f"{self.letter} 列")
        elif self.column:
            parts.append(f"“{self.column}”列")
        return "，".join(parts)

    def as_dict(self) -> dict[str, object]:
        return {
            "code": self.code,
            "severity": self.severity,
            "file": self.file,
            "row": self.row,
            "column": self.column,
            "letter": self.letter,
            "value": self.value,
            "message": self.message(),
        }

    def sort_key(self) -> tuple:
        return (self.file, self.row or 0, self.column, self.code)


@dataclass
class Report:
    """Everything validation found, plus the row reconciliation per list."""

    problems: list[Problem] = field(default_factory=list)
    rows_read: Counter = field(default_factory=Counter)
    rows_published: Counter = field(default_factory=Counter)
    excluded: list[tuple[str, str, int | None, str]] = field(default_factory=list)

    def add(self, problem: Problem) -> None:
        self.problems.append(problem)

    def extend(self, problems) -> None:
        self.problems.extend(problems)

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.is_error]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if not p.is_error]

    def exclude(self, table: str, file: str, row: int | None, reason: str) -> None:
        self.excluded.append((table, file, row, reason))

    def sorted(self) -> list[Problem]:
        return sorted(self.problems, key=Problem.sort_key)


class GongshiError(Exception):
    """Base of every domain error the library raises."""


class ValidationFailed(GongshiError):
    """The data has errors; nothing was written. ``report`` holds every problem."""

    def __init__(self, report: Report, cache: object = None):
        self.report = report
        self.cache = cache  # the prepare cache's statistics, if one was used
        super().__init__(f"{len(report.errors)} 个错误")


class PrivacyLeak(GongshiError):
    """The output scanner found personal data in a file about to be published.

    ``findings``: (output path, kind, normalised value) as the scan reports them — never
    printed as they are; ``problems``: each traced to the input cell, setting or content
    line it came from (``pii-in-output``), the value masked."""

    def __init__(self, findings: list[tuple[str, str, str]], problems: list[Problem] | None = None):
        self.findings = findings
        self.problems = list(problems or [])
        if self.problems:
            shown = [f"  {p.location()}：{p.detail}" for p in self.problems[:20]]
            count = len(self.problems)
        else:
            shown = [f"  {path}：{kind}（{value[:3]}…）" for path, kind, value in findings[:20]]
            count = len(findings)
        more = f"\n  ……共 {count} 处" if count > 20 else ""
        fix = CODES["pii-in-output"].fix
        super().__init__(
            "输出文件中发现个人信息，已停止发布，原有网站保持不变：\n" + "\n".join(shown) + more + f"\n{fix}。"
        )


class OutputError(GongshiError):
    """A page would be written outside the output folder, or twice."""
