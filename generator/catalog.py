"""Every UI string of the portal in one place (Chinese by default).

Templates read these as ``t.key``; labels of enumerated values come from schema.py.
"""

from __future__ import annotations

from types import MappingProxyType

ZH = MappingProxyType(
    {
        "lang": "zh-CN",
        "skip": "跳到正文",
        "home": "首页",
        "nav": "主导航",
        "breadcrumb": "当前位置",
        "as_of": "数据截止日期",
        "subdistricts": "街道（乡镇）",
        "subdistrict": "街道",
        "communities": "社区（村）",
        "community": "社区",
        "units": "责任单位",
        "unit": "单位",
        "unit_compare": "责任单位比较",
        "demand_list": "需求清单",
        "project_list": "整改清单",
        "result_list": "结果清单",
        "news": "工作动态",
        "about": "关于本平台",
        "demands": "收集需求",
        "demands_accepted": "已接单需求",
        "demands_converted": "转为项目",
        "demands_declined": "不予采纳",
        "projects": "实事项目",
        "completed": "已完成",
        "in_progress": "推进中",
        "ongoing": "常态化",
        "overdue": "超期未完成",
        "satisfaction": "满意率",
        "completion": "办结率",
        "ratings": "评价",
        "sample": "有效评价",
        "formula": "计算方法",
        "satisfaction_formula": "满意率 =（{satisfied}）÷ 有效评价（不含“不了解”）",
        "completion_formula": "办结率 = 已完成 ÷ 应完成项目（不含常态化和已终止）",
        "no_ratings": "暂无评价",
        "attention": "亮灯督办",
        "attention_help": "红灯：超期或进度落后序时 30 个百分点以上；黄灯：落后 10–30 个百分点或到期未启动。",
        "recent_completed": "最近完成",
        "recent_updates": "最近进展",
        "title": "项目名称",
        "status": "状态",
        "lead_unit": "牵头单位",
        "partner_units": "配合单位",
        "leader": "领办人",
        "deadline": "完成时限",
        "start": "开始日期",
        "progress": "完成比例",
        "expected_progress": "序时进度",
        "measures": "主要举措",
        "category": "类别",
        "handling": "办理方式",
        "received": "收集日期",
        "channel": "渠道",
        "summary": "需求内容",
        "stage": "办理阶段",
        "decline_reason": "未采纳原因",
        "project": "转化项目",
        "progress_log": "进度纪实",
        "result": "办理结果",
        "completed_on": "完成日期",
        "signed_off": "销号日期",
        "not_signed_off": "待销号",
        "outcome": "办理成效",
        "evidence": "佐证材料",
        "comments": "群众意见",
        "rating_distribution": "评价分布",
        "paired_units": "结对单位",
        "paired_communities": "结对社区",
        "households": "户数",
        "residents": "人口",
        "no_deadline": "常态化",
        "no_projects": "暂无项目",
        "no_demands": "暂无需求",
        "page": "第 {page} 页，共 {pages} 页",
        "prev": "上一页",
        "next": "下一页",
        "pagination": "分页",
        "days_overdue": "超期 {days} 天",
        "days_left": "剩余 {days} 天",
        "light_red": "红灯",
        "light_yellow": "黄灯",
        "light_green": "绿灯",
        "elder_mode": "关怀版",
        "standard_mode": "标准版",
        "contact": "联系方式",
        "icp": "ICP备案号",
        "police_filing": "公安备案号",
        "site_code": "网站标识码",
        "organizer": "主办单位",
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

