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

from generator.schema import DEMANDS, LIGHT, PROGRESS, PROJECTS, RATING_3, RESULTS, STATUS, UNITS

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
        # open data (downloads, the API page, head meta tags)
        "download_data": "下载数据",
        "download_lead": "{scope}的公开数据，数据截止",
        "downloads_all_lists": "全部清单",
        "download_list": "清单",
        "download_excel": "Excel 工作簿（每份清单一个工作表，另附说明）",
        "download_package": "数据包说明（Frictionless Data Package）",
        "download_api_hint": "字段含义、接口路径、许可与引用方式",
        "download_json_hint": (
            "JSON 只发布全区文件（见首页或数据接口说明），按编号可筛出本范围的行，方法见数据接口说明。"
        ),
        "download_unit_hint": (
            "文件含{scope}牵头和配合的全部项目；本页“牵头项目”的数字只计牵头的项目，按“牵头单位”列筛选即得。"
        ),
        "download_more": "本清单及其他清单的下载见第一页或",
        "api_title": "数据接口说明",
        "api_intro": "本平台的全部公开数据都是静态文件，可直接下载，也可在程序里按固定路径读取。",
        "api_paths": "接口路径",
        "api_path": "路径",
        "api_meaning": "内容",
        "api_formats": "格式",
        "api_fields": "字段",
        "api_field_key": "JSON 键名",
        "api_field_label": "CSV 列名",
        "api_field_type": "类型",
        "api_field_description": "说明",
        "api_examples": "示例",
        "api_license": "许可",
        "api_cite": "引用方式",
        "api_versions": "版本与旧地址",
        "column_type_data": "信息公开",
        "column_type_home": "首页",
        "column_type_api": "数据发布",
        "column_type_news": "工作动态",
        "column_keywords": "我为群众办实事,需求清单,整改清单,结果清单,满意度",
        "rating_count": "评价数",
        "share": "占比",
        # honest satisfaction and 限时整改
        "insufficient_sample": "样本不足",
        "insufficient_help": "有效评价少于 {n} 条，不计算满意率",
        "followup": "限时整改",
        "followup_reopened": "整改中",
        "followup_fixed": "已整改",
        "followup_failed": "复评未达标",
        "followup_reopened_on": "整改开始",
        "followup_fixed_on": "整改完成",
        "followup_progress": "整改进展",
        "followup_derived": "按评价自动判断：满意率跌破门槛之日起限时整改",
        "followup_stated": "按结果清单填报",
        "original_rating": "原评价",
        "rerating": "复评",
        "rerating_none": "尚无复评",
        "days_since_report": "距今 {days} 天",
        "never_reported": "尚无进度报送",
        "light_rules": "亮灯规则",
        "status_other": "暂停或终止",
        "status_breakdown": "项目状态",
        "chart_table": "图中数字",
        # oversight pages
        "supervision": "亮灯督办",
        "supervision_help": "红灯、黄灯项目，按街道（乡镇）和牵头单位列出；"
        "每组内红灯在前，按亮灯原因出现的日期从新到旧排列。",
        "by_subdistrict": "按街道（乡镇）",
        "by_unit": "按牵头单位",
        "since": "亮灯起始",
        "days_since_report_col": "距最近报送",
        "compare_title": "{kind}晒比",
        "compare_order": "默认排序：办结率从高到低；相同时依次按按时完成率（高到低）、项目数（多到少）、名称。",
        "caveat_small": "项目少于 {n} 个的（标有△）比率波动大，仅供参考，不宜据此排名论优劣。",
        "caveat_workload": "各方承担的项目数量、难度和类型不同：项目多、难度大的，"
        "超期和亮灯数自然更多，请结合项目清单看。",
        "caveat_areas": "一个项目涉及几个社区时，在每个社区（及其街道）都计一次，所以各行相加可能多于全区合计。",
        "caveat_units": "单位只按牵头项目计算；领办人按整改清单“领办人”一栏原样分组（同名不同职务视为不同的人）。",
        "on_time_formula": "按时完成率 = 在完成时限当日或之前完成的项目 ÷"
        "（已完成且有完成日期的项目 + 已过完成时限仍未完成的项目）",
        "days_formula": "平均办理天数 = 已完成项目从开始日期到完成日期的天数之和 ÷ 这些项目的个数",
        "reports_formula": "按期报送率 = 每 {days} 天内至少报送一次进度的项目 ÷ 已开始的项目（不含已终止）",
        "on_time": "按时完成率",
        "average_days": "平均办理天数",
        "reports_on_time": "按期报送率",
        "rank": "排名",
        "sort_hint": "点击带链接的表头，可按该列给全部{kind}重新排序（跨所有分页）。",
        "compare_sorted_note": "当前排序：{order}；相同时按默认排序。“排名”一列仍为默认排序的名次。",
        "sort_orders": "排序方式",
        "records_title": "发布记录",
        "release_title": "发布版本 {id}",
        "record_added": "新增",
        "record_changed": "变更",
        "record_withdrawn": "撤回",
        "records_help": "每次发布都会记下数据截止日期、各清单新增、变更和撤回的条目，"
        "以及所有文件的 SHA-256 哈希（发布链）。媒体和公众可用 gongshi verify 核对网站是否被改动过。",
        "records_first": "首次发布",
        "records_current": "本次发布",
        "records_published_at": "发布时间（UTC）",
        "records_more": "另有 {n} 条，见数据文件",
        "records_withdrawn_help": "撤回的条目已不在清单中，这里保留它最后一次公开时的名称。",
        "records_first_help": "首次发布：清单中的条目都记为新增，此处不逐条列出，见数据文件。",
        "records_data": "本次变更（JSON）",
        "project_history": "变更记录",
        "project_history_help": "本项目在各次发布中的新增和变更（旧值 → 新值）。",
        "older_release": "上一次发布",
        "newer_release": "下一次发布",
        "compare_sort_rank": "默认排名",
        "compare_sort_on_time": "按时完成率从高到低",
        "compare_sort_satisfaction": "满意率从高到低（样本不足的排在最后）",
        "compare_sort_overdue": "超期未完成从多到少",
        "compare_sort_red": "红灯从多到少",
        "compare_sort_projects": "项目数从多到少",
        "scroll_hint": "表格可左右滑动查看全部列 →",
        "few_projects": "项目少，仅供参考",
        "monthly": "月度晒进度",
        "monthly_title": "{month}晒进度",
        "month_demands": "收集需求",
        "month_opened": "新开项目",
        "month_completed": "完成项目",
        "month_change": "较上月",
        "month_figures": "本月数字",
        "month_completed_list": "本月完成的项目",
        "month_turned_red": "本月新亮红灯的项目",
        "month_trend": "每月收集需求与完成项目",
        "month_list_more": "共 {n} 个，这里列出前 {shown} 个：查看全部",
        "month_list_title": "{month} · {list}",
        "month_rated": "本月评价",
        "month_note": "亮灯和超期按月末（最后一个月按数据截止日期）的情况重新计算；暂停、终止的项目不亮灯。",
        "all_months": "各月报告",
        "lights_by": "各{kind}亮灯情况",
        "group_more": "另有 {n} 个亮灯项目，查看全部",
        "groups_left": "另有 {n} 个街道或单位有亮灯项目，请在各自页面或晒比页查看。",
        # media: embeds, share images, feeds, notice sheets
        "media": "分享、订阅与嵌入",
        "subscribe": "订阅",
        "subscribe_help": "用 RSS/Atom 阅读器订阅本页的新项目、进展、完成、销号和红灯",
        "site_feed": "订阅全区动态",
        "share_image": "分享图",
        "share_image_help": "可转发到微信群的图片（含二维码）",
        "print_sheet": "打印公示栏",
        "embed": "嵌入",
        "embed_help": "把下面的代码粘贴到网页中，即可嵌入本页的精简版（高度自动适应需要同时加载脚本）。",
        "embed_code": "嵌入代码",
        "embed_preview": "预览嵌入效果",
        "embed_no_url": "站点网址（site.yaml 的 base_url）未设置：代码中的地址是相对地址，请换成本站的完整网址。",
        "embed_full": "查看完整页面",
        "embed_rows": "前 {n} 项，共 {total} 项",
        "scan_to_view": "扫码查看详情",
        "no_qr": "设置网址后显示二维码",
        "board_title": "公示栏",
        "board_scan": "手机扫码查看最新情况和群众评价",
        "board_printed": "本页按数据截止日期的情况打印",
        "board_results": "已完成的项目",
        "board_open": "正在办理的项目",
        # residents: find my place, speak up (issue 15)
        "finder": "找到我的社区",
        "finder_help": "点开所在的街道（乡镇），再点社区（村）的名称。",
        "finder_pages_help": "社区（村）按所属街道（乡镇）的拼音顺序分页列出，点开一页即可看到其中每个社区。",
        "finder_label": "输入社区、街道名称或拼音首字母",
        "finder_none": "没有找到，请换个字，或在下面按街道查找。",
        "finder_count": "找到 {n} 个，点名称进入",
        "finder_more": "只列出前 {n} 个，请多输入几个字",
        "finder_page": "第 {page} 页：{first} 至 {last}",
        "finder_all": "全部社区（村）名录（{n} 个）",
        "communities_index": "社区（村）名录",
        "communities_count": "{n} 个社区（村）",
        "other_communities": "其他社区（村）",
        "on_this_page": "本页街道（乡镇）",
        "lookup": "查询我的诉求",
        "speak_up": "我要反映 / 评价",
        "speak_up_title": "对“{subject}”有意见、建议或投诉",
        "speak_up_local": "就近反映",
        "speak_up_office": "向区里反映",
        "speak_up_fallback": "以上电话打不通时，可拨打",
        "speak_up_call": "可拨打",
        "speak_up_how": "怎样反映、怎样评价、投诉后怎样处理",
        "jump": "本页目录",
        "demands_by_stage": "按办理阶段查看需求，点开一组查看明细。",
        "attention_more": "查看全部亮灯项目",
        "projects_active": "正在办理",
        "projects_by_status": "正在办理的项目在前；已完成和暂停、终止的项目点开查看。",
        # == search and 查询我的诉求 (issue 15) ==
        "search_title": "站内搜索",
        "search_label": "搜索项目、社区、单位、需求",
        "search_button": "搜索",
        "search_placeholder": "如：电梯、食堂、社区名称",
        "search_kind": "类型",
        "search_kind_project": "实事项目",
        "search_kind_demand": "群众需求",
        "search_status": "项目状态",
        "search_any": "全部",
        "search_filters": "筛选",
        "search_loading": "正在搜索……",
        "search_count": "找到 {n} 条结果",
        "search_none": "没有找到相关内容。可以换个词，或按社区、单位查找。",
        "search_more": "显示更多结果",
        "search_failed": "搜索暂时不可用，请按下面的方式查找。",
        "search_nojs": "搜索需要浏览器启用 JavaScript。没有 JavaScript 也可以这样查找：",
        "search_where_areas": "按街道、社区查找",
        "search_where_ranges": "按需求编号查找",
        "search_box_hint": "搜索需要 JavaScript；也可以按街道社区、需求编号或责任单位查找。",
        "lookup_title": "查询我的诉求",
        "lookup_intro": "输入回执单上的需求编号，查看办理到了哪一步、转成了哪个项目和办理结果。",
        "lookup_label": "需求编号",
        "lookup_hint": "编号见回执单，例如 {example}；空格、全角数字、大小写都可以。",
        "lookup_button": "查询",
        "lookup_nojs": "浏览器没有启用 JavaScript 时，点“查询”会打开按编号排列的需求目录，找到编号所在的区段即可。",
        "lookup_loading": "正在查询……",
        "lookup_empty": "请输入需求编号。",
        "lookup_not_found": (
            "没有找到编号为“{id}”的需求。请核对回执单上的编号；如果编号无误，可能尚未公开，"
            "请联系{contact}，或拨打 12345 政务服务便民热线。"
        ),
        "lookup_failed": "暂时无法查询（网络或文件问题）。请稍后重试，或在需求目录中按编号查找。",
        "lookup_result": "查询结果",
        "lookup_status": "项目状态",
        "lookup_result_label": "办理结果",
        "lookup_no_project": "尚未转为项目",
        "lookup_no_result": "尚未完成",
        "lookup_permalink": "本需求的固定链接（无需 JavaScript）",
        "lookup_contact_fallback": "社区或街道办事处",
        "ranges_title": "需求编号目录",
        "ranges_intro": "按需求编号排列，每页约一百条。找到编号所在的区段，点开即可看到每条需求的办理情况。",
        "range_title": "需求编号 {first}–{last}",
        "range_one": "需求编号 {id}",
        "ranges_other": "其他编号",
        "range_intro": "本页按编号列出每条需求的办理阶段和转化项目；群众姓名、电话等个人信息不公开。",
        "range_back": "回到需求编号目录",
        "ranges_count": "共 {n} 条需求",
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
