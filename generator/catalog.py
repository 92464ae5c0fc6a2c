"""Every UI string of the portal in one place (Chinese by default).

Templates read these as ``t.key``. Labels of columns (derived ones included), of
enumerated values and of site settings are not here: they come from schema.py, read by
templates as ``labels.<table>.<column>``, ``labels.values.<enumeration>.<key>`` and
``labels.settings.<name>`` (schema.LABELS), so a page, a download and the data-format
reference can never name the same thing differently. A key here that names a column or a
setting fails tests/test_schema_labels.py.
"""

from __future__ import annotations

from types import MappingProxyType

from .schema import DEMANDS, LIGHT, PROGRESS, PROJECTS, RATING_3, RESULTS, STATUS, UNITS

_status = STATUS.label

ZH = MappingProxyType(
    {
        "lang": "zh-CN",
        "skip": "跳到正文",
        "home": "首页",
        "nav": "主导航",
        "breadcrumb": "当前位置",
        "subdistricts": "街道（乡镇）",
        "communities_title": "社区（村）",
        "units": UNITS.label,
        "unit": "单位",
        "unit_compare": "责任单位比较",
        "demand_list": DEMANDS.label,
        "project_list": PROJECTS.label,
        "result_list": RESULTS.label,
        "news": "工作动态",
        "about": "关于本平台",
        "demands_collected": "收集需求",
        "demands_accepted": "已接单需求",
        "demands_converted": "转为项目",
        "projects": "实事项目",
        "overdue": "超期未完成",
        "satisfaction": "满意率",
        "completion": "办结率",
        "sample": "有效评价",
        "formula": "计算方法",
        "satisfaction_formula": "满意率 =（{satisfied}）÷ 有效评价（不含“" + RATING_3.label("unknown") + "”）",
        "completion_formula": f"办结率 = {_status('completed')} ÷ 应完成项目"
        f"（不含{_status('ongoing')}和{_status('cancelled')}）",
        "no_ratings": "暂无评价",
        "attention": "亮灯督办",
        "attention_help": "；".join(f"{c.label}：{c.description}" for c in LIGHT.choices if c.key != "green") + "。",
        "recent_completed": "最近完成",
        "recent_updates": "最近进展",
        "expected_progress": "序时进度",
        "progress_log": PROGRESS.label,
        "result": "办理结果",
        "not_signed_off": "待销号",
        "signed_off_no_date": "已销号（未填销号日期）",
        "comments": "群众意见",
        "rating_distribution": "评价分布",
        "paired_units": "结对单位",
        "no_projects": "暂无项目",
        "no_demands": "暂无需求",
        "page": "第 {page} 页，共 {pages} 页",
        "prev": "上一页",
        "next": "下一页",
        "pagination": "分页",
        "days_overdue": "超期 {days} 天",
        "days_left": "剩余 {days} 天",
        "elder_mode": "关怀版",
        "standard_mode": "标准版",
        "all_projects": "全部项目",
        "lead_projects": "牵头项目",
        "partner_projects": "配合项目",
        "more": "查看全部",
        "demands_of_project": "对应群众需求",
        "none": "无",
        "lead_count": "牵头项目数",
        "news_more": "更多动态",
        "downloads": "下载全部数据",
        "rating_count": "评价数",
        "share": "占比",
    }
)


class Catalog:
    """The catalog as the templates' ``t``: ``t.key`` is a plain attribute.

    Jinja looks ``t.key`` up as an attribute first and only then as an item; on a
    mapping that first try fails with an exception, and the tables repeat their column
    labels on every row (about a quarter of a list page's render time at city size).
    """

    __slots__ = ("__dict__",)

    def __init__(self, strings) -> None:
        self.__dict__.update(strings)

    def get(self, key: str, default: str | None = None) -> str | None:
        return self.__dict__.get(key, default)

    def __getitem__(self, key: str) -> str:
        return self.__dict__[key]

    def __repr__(self) -> str:
        return f"Catalog({len(self.__dict__)} strings)"


T = Catalog(ZH)
assert not set(ZH) & set(dir(Catalog)), "a catalog key would hide a Catalog method"

