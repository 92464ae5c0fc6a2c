"""Seeded generator of a fictional district's lists (demo data and load tests).

``generate(out_dir, factor, seed)`` writes every input file the portal reads: site
settings, areas, units (an Excel workbook with a merged title row), demands, projects,
progress, results and feedback, in the shapes staff really produce (Chinese headers,
mixed date formats, synonyms for enumerations, a GB18030 progress log). Factor 1 is a
district the size of the seed reports; ``city`` (x100) and ``province`` (x1000) are for
load testing. Rows are written while they are generated, one subdistrict at a time, so
memory stays flat at any factor.

Everything is invented: names, places, numbers. Residents' names, phone numbers and
addresses only appear in the private columns, except that ``plant_pii`` places three
mobile numbers in demand summaries and two in feedback comments so that the masking
feature has something to mask.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import io
import itertools
import json
import random
import re
import sys
import time
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from generator.model.aggregate import Rules, crossing_date
from generator.schema import DEMANDS, FEEDBACK, PROGRESS, PROJECTS, RESULTS, UNITS, Table

PRESETS: dict[str, float] = {"demo": 1, "city": 100, "province": 1000}

DISTRICT = "青禾区"
DISTRICT_ID = "QH"
AS_OF = dt.date(2026, 11, 15)
_AS_OF = AS_OF.toordinal()
_FIRST_START = dt.date(2025, 9, 1).toordinal()
_LAST_START = dt.date(2026, 10, 31).toordinal()
_FIRST_DEMAND = dt.date(2025, 6, 1).toordinal()

# Sizes at factor 1 (see DOMAIN.md: 6 subdistricts, 35 communities, ~50 units ...).
BASE = {"subdistricts": 6, "communities": 35, "units": 50, "demands": 1500, "projects": 400}

# ---------------------------------------------------------------- vocabulary

# Stems for area names. Real place names from the seed reports are excluded below.
_STEM_FIRST = (
    "桂柳青松枫荷梅兰竹杏桃槐榕樟柏杉棠芙蓉翠碧银玉锦瑞祥和安康泰宁福乐欣盛兴华永长"
    "东西南北丰禾稻麦菱莲菊桑梓清澄明朗晴雁鹤鹭燕凤麟龙云霞虹月星江河湖溪泉石"
)
_STEM_SECOND = (
    "香岸园苑湾湖溪塘坪林山坡岭桥亭庄里巷门台堤滨洲源泉峰田畈坝冲埠湾渡浦港岗屯"
    "城阳华荫影韵晖苗丰盛安宁"
)
_STEM_THIRD = "苑园里湾庭府坊居阁轩境郡汀畔岛邸第巷院堂"
_BLACKLIST = {
    "丹桂", "金鱼", "南关", "洋溪", "新街", "王家坪", "易市", "张皋", "安阳山", "板仓", "桥沟",
    "南市", "南岸", "柳嘉", "新龙", "洁美", "宝塔", "黄埔", "惠山", "叙州", "青禾", "自贡",
    "广州", "延安", "宜宾", "无锡", "长沙", "浏阳", "南京", "东湖", "西湖", "北湖", "长安",
    # well-known cities and districts that the syllables happen to spell
    "西安", "泰安", "安康", "安阳", "长宁", "南宁", "西宁", "兴宁", "永安", "福安", "宁安", "华阳",
    "东阳", "南阳", "凤阳", "江阳", "乐山", "东山", "龙泉", "桂林", "石林", "东城", "西城", "南城",
    "北城", "龙岗", "龙华", "青山", "青阳", "松阳", "兴城", "龙城", "凤城", "桃源", "松山", "丰台",
    "龙亭", "江岸", "江城", "石门", "龙门", "鹤山", "鹤峰", "鹤城", "云城", "江华", "清城", "华城",
    "东港", "龙港", "兰山", "和平", "星城", "永城", "长城", "华山", "泰山", "月湖", "安庄", "江门",
    "东坡", "盛华", "明城", "西华", "东华", "南华", "北华", "清华", "云岭", "东源", "河源",
}
_ROAD_SUFFIX = ("路", "路", "路", "街", "大道", "巷")

# (full name, short name used in leaders' titles, kind, categories it leads on)
DEPARTMENTS: tuple[tuple[str, str, str, str], ...] = (
    ("区住房和城乡建设局", "区住建局", "区级部门", "facilities space governance safety"),
    ("区民政局", "区民政局", "区级部门", "service charity governance"),
    ("区卫生健康局", "区卫健局", "区级部门", "service"),
    ("区城市管理局", "区城管局", "区级部门", "environment space facilities"),
    ("区交通运输局", "区交通局", "区级部门", "facilities safety"),
    ("区教育局", "区教育局", "区级部门", "service culture"),
    ("区市场监督管理局", "区市场监管局", "区级部门", "safety service"),
    ("区文化广电旅游局", "区文广旅局", "区级部门", "culture space"),
    ("区应急管理局", "区应急局", "区级部门", "safety"),
    ("区水务局", "区水务局", "区级部门", "facilities environment"),
    ("区自然资源局", "区自然资源局", "区级部门", "space governance"),
    ("区人力资源和社会保障局", "区人社局", "区级部门", "service"),
    ("区医疗保障局", "区医保局", "区级部门", "service"),
    ("区退役军人事务局", "区退役军人局", "区级部门", "service charity"),
    ("区司法局", "区司法局", "区级部门", "governance"),
    ("区农业农村局", "区农业农村局", "区级部门", "environment facilities governance"),
    ("区生态环境分局", "区生态环境分局", "垂直管理部门", "environment"),
    ("区供电公司", "区供电公司", "国有企业", "facilities safety"),
    ("区自来水公司", "区自来水公司", "国有企业", "facilities"),
    ("区公安分局", "区公安分局", "垂直管理部门", "safety governance"),
    ("区发展和改革局", "区发改局", "区级部门", "governance facilities"),
    ("区商务局", "区商务局", "区级部门", "service"),
    ("区消防救援大队", "区消防救援大队", "垂直管理部门", "safety"),
    ("区燃气公司", "区燃气公司", "国有企业", "safety facilities"),
    ("区城市建设投资集团", "区城投集团", "国有企业", "facilities space"),
    ("区人民医院", "区人民医院", "事业单位", "service"),
    ("区中医医院", "区中医医院", "事业单位", "service"),
    ("区疾病预防控制中心", "区疾控中心", "事业单位", "service environment"),
    ("区图书馆", "区图书馆", "事业单位", "culture"),
    ("区文化馆", "区文化馆", "事业单位", "culture"),
    ("区体育中心", "区体育中心", "事业单位", "culture space"),
    ("区总工会", "区总工会", "群团组织", "charity service"),
    ("共青团青禾区委员会", "团区委", "群团组织", "charity culture"),
    ("区妇女联合会", "区妇联", "群团组织", "charity service"),
    ("区残疾人联合会", "区残联", "群团组织", "charity service facilities"),
    ("区红十字会", "区红十字会", "群团组织", "charity"),
    ("区科学技术协会", "区科协", "群团组织", "culture"),
    ("区委组织部", "区委组织部", "党委部门", "governance"),
    ("区委宣传部", "区委宣传部", "党委部门", "culture"),
    ("区委政法委员会", "区委政法委", "党委部门", "governance safety"),
    ("区委社会工作部", "区委社会工作部", "党委部门", "governance charity"),
    ("区信访局", "区信访局", "区级部门", "governance"),
    ("区行政审批局", "区行政审批局", "区级部门", "service"),
    ("区邮政分公司", "区邮政分公司", "国有企业", "service"),
)


def _titles(short: str) -> tuple[str, ...]:
    """Plausible posts of a unit's cadres, from the unit's name."""
    if short.endswith("公司") or short.endswith("集团"):
        return ("总经理", "副总经理", "副总经理", "党委委员")
    if short.endswith("医院"):
        return ("院长", "副院长", "副院长")
    if short.endswith("中心"):
        return ("主任", "副主任", "副主任")
    if short.endswith("馆"):
        return ("馆长", "副馆长")
    if short.endswith("大队"):
        return ("大队长", "教导员", "副大队长")
    if short.endswith("部"):
        return ("常务副部长", "副部长", "副部长")
    if short.endswith("委"):
        return ("副书记", "副书记", "专职委员")
    if short in ("区总工会", "区妇联", "区残联"):
        return ("常务副主席", "副主席", "副主席")
    if short.endswith("会") or short.endswith("科协"):
        return ("常务副会长", "副会长", "党组成员")
    return ("局长", "副局长", "副局长", "党组成员", "二级调研员")


TOWN_POSTS: tuple[str, ...] = ("党委书记", "镇长", "党委副书记", "副镇长", "副镇长")
SUBDISTRICT_POSTS: tuple[str, ...] = ("党工委书记", "办事处主任", "党工委副书记", "办事处副主任", "办事处副主任")

SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余"
    "杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史"
    "陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
)
GIVEN = (
    "建国军华平明伟强磊洋勇杰涛斌超鹏辉刚健峰志国海红梅英兰芳秀娟霞静丽敏燕玲萍桂琴"
    "淑珍凤云春晓雪文武德福贵成林立新学俊宇浩博晨欣怡佳慧雅婷琳子涵睿嘉瑞安宁秋冬松柏"
)
MOBILE_PREFIXES = tuple(
    [f"13{i}" for i in range(10)]
    + ["150", "151", "152", "153", "155", "156", "157", "158", "159"]
    + [f"18{i}" for i in range(10)]
    + ["166", "173", "177", "191", "198", "199"]
)

CHANNELS = (
    ("入户走访", 24), ("走访", 8), ("上门走访", 4), ("热线电话", 8), ("12345", 6),
    ("意见箱", 5), ("座谈会", 6), ("坝坝会", 4), ("院坝会", 3), ("网上留言", 7),
    ("微信", 5), ("小程序", 3), ("网格员上报", 12), ("网格员", 3), ("其他", 2),
)
CATEGORY_LABELS = {
    "space": "微空间", "service": "微服务", "environment": "微环境", "safety": "微安全",
    "facilities": "微设施", "culture": "微文化", "charity": "微公益", "governance": "微治理",
}
HANDLING_LABELS = ("立即办", "主动办", "上门办", "跟踪办", "公开办", "积极办")
HANDLING_WEIGHTS = (20, 22, 14, 22, 12, 10)

DECLINE_REASONS = (
    "属于物业合同约定范围，已转交物业服务企业处理",
    "涉及私人产权，需相关业主自行协商解决，社区已做好解释",
    "已纳入全区道路改造计划，将统一实施",
    "不符合现行政策规定，已向群众当面解释",
    "与同类需求重复，已合并办理",
    "诉求已通过其他渠道解决",
    "涉及规划调整，暂不具备实施条件，已列入下一年度计划研究",
    "经居民议事会讨论，多数居民不同意实施",
)
WISHES = (
    "希望尽快解决", "希望尽快处理", "请社区帮忙协调", "希望有关部门管一管", "盼早日解决",
    "希望能有个说法", "请尽快安排", "",
)
GENERIC_MEASURES = (
    "施工期间设置安全围挡，提前张贴告知。",
    "实施过程在社区公示栏全程公开，接受居民监督。",
    "邀请居民代表全程参与监督和验收。",
    "建立问题台账，办结一件销号一件。",
)
EVIDENCE = (
    "现场照片{k}张、验收单", "施工前后对比照片、验收记录", "居民代表签字确认单",
    "验收单、现场照片{k}张", "会议纪要、现场照片", "服务台账、活动照片{k}张", "",
)

# Progress notes by band (below 20, 20-50, 50-80, 80-99, done).
NOTES = (
    (
        "完成现场踏勘，摸清问题底数", "召开居民议事会，征求意见建议", "制定实施方案并在社区公示",
        "牵头单位与社区对接，明确责任分工",
    ),
    (
        "完成施工单位比选，签订实施协议", "材料进场，启动实施", "协调物业和产权单位，解决施工障碍",
        "完成前期准备，进入实施阶段",
    ),
    ("完成主体施工", "完成约一半工作量", "按计划推进，已完成主要工序", "组织党员志愿者参与实施"),
    ("进入收尾阶段，组织居民代表现场查看", "完成扫尾整改", "根据居民意见完善细节"),
    ("组织验收，居民代表签字确认", "完成整改，结果在社区公示栏公示", "通过验收，办结销号"),
)
ONGOING_NOTES = (
    "开展常态化服务，本月服务居民{n}人次", "召开月度碰头会，梳理新发现的问题",
    "志愿者队伍定期开展巡查", "根据居民反馈调整服务时间", "本月新增服务对象{k}人",
)
SUSPEND_NOTES = (
    "因雨季影响暂停施工，待条件具备后恢复", "涉及产权争议，暂停实施，正在协调相关方",
    "施工方案需重新论证，暂缓实施", "部分居民对方案有不同意见，暂停并重新征求意见",
)
FIX_NOTES = (
    "针对群众反映的问题重新返工，已逐项整改到位",
    "约谈施工单位，更换不合格材料",
    "召开居民议事会听取意见，按意见完成整改",
)
CANCEL_NOTES = (
    "经居民议事会表决，改由物业自行实施，项目终止", "上级统筹实施同类项目，本项目终止",
    "实施条件发生变化，经研究终止", "与区级重点工程重叠，纳入统一实施，本项目终止",
)
COMMENTS = {
    "satisfied": (
        "办得好，感谢社区和相关部门", "效率很高，点赞", "晚上出门放心多了", "希望多办这样的实事",
        "干部很负责，多次上门沟通", "问题解决了，很满意", "环境好多了",
    ),
    "basic": (
        "整体不错，个别地方还需完善", "施工时间有点长", "希望后续维护能跟上",
        "基本解决了，还有小问题",
    ),
    "unsatisfied": (
        "施工后建筑垃圾没清理干净", "问题没有彻底解决，下雨还是积水", "没有提前告知施工时间",
        "用了不到一个月又坏了", "只做了一半，希望尽快完善", "和当初说的方案不一样",
    ),
    "unknown": ("不太清楚这个项目", "没注意到有变化"),
}
RATING_LABELS = {
    "satisfied": "满意", "basic": "基本满意", "unsatisfied": "不满意", "unknown": "不了解",
}
RATING_KEYS = ("satisfied", "basic", "unsatisfied", "unknown")
RATING_GOOD = tuple(itertools.accumulate((85, 10, 3, 2)))  # cumulative weights
RATING_POOR = tuple(itertools.accumulate((42, 22, 31, 5)))

# Stages of demands that did not become projects (cumulative weights).
OPEN_STAGES = ("declined", "ordered", "opened", "accepted")
OPEN_STAGE_WEIGHTS = tuple(itertools.accumulate((26, 16, 22, 36)))

STATUS_KEYS = ("completed", "in_progress", "not_started", "ongoing", "suspended", "cancelled")
# Services are more often continuing work (常态化) than building works are; over the whole
# theme list this gives about 45% completed, 30% in progress, 12% ongoing.
STATUS_WEIGHTS_WORKS = (50, 32, 4, 6, 4, 4)
STATUS_WEIGHTS_SERVICES = (42, 26, 4, 20, 4, 4)
SERVICE_CATEGORIES = ("service", "culture", "charity", "governance")


@dataclass(frozen=True)
class Theme:
    category: str
    place: str  # unit / yard / street / public / none
    problems: tuple[str, ...]
    impacts: tuple[str, ...]
    title: str
    measures: tuple[str, ...]
    outcomes: tuple[str, ...]


def _t(category, place, problems, impacts, title, measures, outcomes) -> Theme:
    def split(s):
        return tuple(s.split("|"))

    return Theme(category, place, split(problems), split(impacts), title, split(measures),
                 split(outcomes))


THEMES: tuple[Theme, ...] = (
    _t("facilities", "unit", "楼道灯损坏|楼道声控灯不亮|楼道灯时亮时不亮",
       "夜间上下楼看不清|老人晚上出门容易摔倒", "楼道照明修复",
       "组织物业和电工逐栋排查楼道照明，更换损坏灯具并改用声光控节能灯。"
       "|建立楼道照明巡查台账，发现损坏及时修复。",
       "更换楼道灯具{j}盏，{m}户居民夜间出行更安全。|修复楼道照明{k}栋，建立巡查台账。"),
    _t("facilities", "street", "路灯不亮|路灯损坏多日未修|路灯照明不足",
       "晚上行人车辆通行不安全|夜里散步很不方便", "路灯修复和补装",
       "协调供电部门排查线路故障，修复损坏路灯，对照明盲区补装路灯。",
       "修复路灯{j}盏、新装{k}盏，照明盲区全部消除。"),
    _t("facilities", "street", "路面坑洼积水|路面破损坑洼|雨后路面积水严重",
       "下雨天出行鞋子都会湿|电动车经过容易摔倒|老人走路容易绊倒", "路面修补和排水改造",
       "对破损路面进行铣刨重铺，同步疏通雨水口、增设排水沟。",
       "修补路面{n}平方米，新增雨水口{k}处，雨后不再积水。"),
    _t("facilities", "yard", "健身器材损坏|健身器材老化松动", "老人孩子使用有安全隐患",
       "健身器材更新", "拆除老化器材，按居民意见选型更换，并落实日常维护责任。",
       "更换健身器材{k}件，建立维护责任清单。"),
    _t("facilities", "unit", "下水道堵塞|下水道反味|化粪池满溢",
       "污水倒灌进一楼住户|气味很大，影响生活", "排水管网疏通改造",
       "组织专业队伍疏通管道，对老化破损管段进行更换。",
       "疏通改造管道{n}米，{m}户居民排水恢复正常。"),
    _t("facilities", "public", "没有无障碍坡道|无障碍坡道太陡|台阶没有扶手",
       "坐轮椅的居民进出困难|老人上下台阶很吃力", "无障碍设施改造",
       "对出入口台阶进行无障碍改造，加装扶手和防滑条。",
       "新建改造无障碍坡道{k}处，加装扶手{j}米。"),
    _t("facilities", "yard", "快递柜不够用|没有快递柜|快递堆放在门口",
       "快递经常丢失|老人取件要走很远", "智能快递柜增设",
       "协调快递企业增设智能快递柜，规范快递投放点。",
       "新增智能快递柜{k}组，快递丢失投诉明显减少。"),
    _t("facilities", "unit", "自来水水压低|自来水管老化漏水|经常停水",
       "高层住户用水困难|影响正常生活", "供水管网改造",
       "协调自来水公司更换老化供水管，加装二次加压设备。",
       "更换供水管{n}米，{m}户居民用水恢复正常。"),
    _t("environment", "yard", "垃圾分类点异味大|垃圾桶满溢没人清|垃圾清运不及时",
       "夏天苍蝇蚊子多|路过都要捂鼻子", "垃圾分类投放点提升",
       "对分类投放点进行升级改造，增加清运频次并每日冲洗消杀。",
       "改造分类投放点{k}处，清运频次由每日一次增加到两次。"),
    _t("environment", "yard", "绿化带杂草丛生|绿化带被毁种菜|树木遮挡采光",
       "影响小区环境|低楼层住户家里很暗", "绿化整治和补植",
       "清除杂草和私种菜地，修剪遮挡采光的树木，补植绿化苗木并落实养护责任。",
       "整治绿化{n}平方米，补植苗木{m}株。"),
    _t("environment", "street", "夜间烧烤油烟扰民|餐馆油烟扰民",
       "窗户都不敢开|晚上休息受影响", "餐饮油烟整治",
       "联合执法检查，督促商户安装油烟净化设备并定期清洗。",
       "督促{k}家商户安装油烟净化设备，油烟投诉明显减少。"),
    _t("environment", "unit", "楼道乱堆乱放|杂物堆积|楼顶私搭乱建",
       "存在火灾隐患|影响通行", "环境卫生集中整治",
       "开展集中清理行动，发动党员志愿者参与，建立长效保洁机制。",
       "清理杂物{j}车，{k}个楼栋环境明显改善。"),
    _t("environment", "street", "排水沟淤积发臭|河沟水体发黑发臭",
       "夏天气味很重|蚊虫很多", "沟渠清淤治理",
       "清除沟渠淤泥，封堵沿线排污口，开展水质监测。",
       "清淤沟渠{n}米，水体黑臭现象消除。"),
    _t("environment", "street", "施工噪音扰民|夜间施工噪音大",
       "晚上睡不好觉|孩子没法安心学习", "施工噪音管控",
       "约谈施工单位，规范夜间施工审批，设立投诉公示牌。",
       "夜间违规施工得到制止，噪音投诉明显下降。"),
    _t("safety", "yard", "电动自行车充电桩不足|电动车在楼道充电|飞线充电",
       "存在火灾隐患|大家都很担心", "电动自行车集中充电点建设",
       "选址建设集中充电车棚，配备消防器材，引导居民入棚充电。",
       "建成充电车棚{k}处、充电端口{j}个。"),
    _t("safety", "yard", "消防通道被占用|消防栓没水|楼道堵塞消防通道",
       "万一发生火灾消防车进不来|存在安全隐患", "消防通道和设施整治",
       "清理占用消防通道的车辆杂物，施划禁停标线，检修消防栓。",
       "清理消防通道{k}处，检修更换消防设施{j}件。"),
    _t("safety", "street", "路口缺少减速带|学校门口车速快|路口没有斑马线",
       "孩子上下学很危险|过马路不安全", "路口交通安全设施完善",
       "增设减速带和警示标志，上下学时段安排人员护学。",
       "增设减速带{k}条、警示牌{k}块。"),
    _t("safety", "street", "井盖松动|井盖缺失|井盖破损",
       "行人容易踩空|车辆经过响声很大", "井盖隐患排查整治",
       "排查辖区井盖，更换破损井盖并加装防坠网。",
       "更换井盖{k}个，加装防坠网{j}个。"),
    _t("safety", "yard", "监控探头太少|小区门禁损坏|外来人员随意进出",
       "电动车被盗过几次|居民没有安全感", "小区安防提升",
       "增设高清监控探头，修复门禁系统，接入社区安防平台。",
       "新增监控探头{k}个，修复门禁{k}处。"),
    _t("safety", "unit", "燃气管道老化|燃气表附近有异味",
       "担心漏气|存在安全隐患", "燃气管道安全改造",
       "协调燃气公司入户检测，更换老化燃气管道和阀门。",
       "入户检测{m}户，更换老化管道{n}米。"),
    _t("safety", "unit", "外墙瓷砖脱落|高空抛物隐患",
       "楼下行人很危险|砸坏过车辆", "高空坠物隐患治理",
       "对外墙空鼓部位进行加固，安装高空抛物监控。",
       "加固外墙{n}平方米，安装高空抛物监控{k}个。"),
    _t("service", "none", "独居老人助浴服务需求|独居老人需要助浴",
       "家里老人行动不便，洗澡很困难|子女不在身边", "独居老人上门助浴服务",
       "引入专业养老服务机构，为高龄独居老人提供上门助浴。",
       "为{k}名独居老人提供上门助浴{n}人次。"),
    _t("service", "none", "社区食堂价格偏高|社区食堂菜品少",
       "老人吃不起|天天吃都一样", "社区食堂提质降价",
       "调整菜品结构，对高龄老人实行用餐补贴。",
       "日均就餐{n}人次，老年人餐价格下降。"),
    _t("service", "none", "放学后孩子没人照看|暑期儿童托管需求",
       "双职工家庭接送困难|孩子放假在家没人管", "四点半课堂儿童托管",
       "依托社区活动室开设四点半课堂，招募志愿者辅导作业。",
       "开设托管班{k}个，服务儿童{n}人次。"),
    _t("service", "none", "老年人用餐难|希望设置老年助餐点",
       "老人做饭不方便|子女上班顾不上", "老年助餐点建设",
       "依托社区食堂设立助餐点，为行动不便老人提供送餐上门。",
       "建成助餐点{k}个，日均服务老人{n}人次。"),
    _t("service", "none", "看病要跑很远|希望家门口能看病",
       "老人行动不便|慢性病拿药麻烦", "家庭医生签约和健康服务",
       "组织家庭医生团队定期坐诊，为慢病老人提供上门随访。",
       "开展义诊{k}场，签约家庭医生{m}户。"),
    _t("service", "none", "老人不会在网上办社保医保|老人不会用智能手机",
       "办事要跑好几趟|子女不在身边没人教", "便民服务代办帮办",
       "在党群服务中心设置代办窗口，开设智能手机使用课堂。",
       "帮办代办业务{n}件，开设手机课堂{k}期。"),
    _t("space", "yard", "停车位紧张|车辆乱停乱放",
       "下班回来找不到车位|堵住了消防通道", "停车位挖潜和停车秩序整治",
       "利用边角空地新增停车位，施划停车标线，实行错时共享停车。",
       "新增停车位{j}个，乱停乱放现象明显减少。"),
    _t("space", "yard", "缺少休闲座椅|散步没地方歇脚",
       "老人走累了没地方坐", "休闲座椅增设",
       "按居民意见选点增设休闲座椅和遮阳设施。",
       "增设休闲座椅{k}组、遮阳亭{k}座。"),
    _t("space", "yard", "闲置空地杂草丛生|闲置空地被乱占",
       "浪费了空间|成了卫生死角", "闲置空地改造口袋公园",
       "清理闲置地块，按居民议定方案建设口袋公园。",
       "建成口袋公园{k}处，面积{n}平方米。"),
    _t("space", "yard", "没有地方晾晒被子|晾晒空间不足",
       "只能挂在树上|影响小区美观", "公共晾晒区建设",
       "在日照充足的位置设置公共晾晒架，由楼栋长负责日常管理。",
       "建成公共晾晒架{j}组。"),
    _t("space", "yard", "儿童游乐设施少|孩子没地方玩",
       "孩子只能在路边玩|不安全", "儿童游乐空间改造",
       "改造闲置场地，铺设软质地面，增设儿童游乐设施。",
       "新建儿童游乐区{n}平方米。"),
    _t("culture", "none", "缺少活动室|活动室太小不够用",
       "文艺队排练没地方|冬天没地方活动", "居民活动室改造",
       "整合闲置用房改造为居民活动室，由居民自治组织管理。",
       "改造活动室{n}平方米，每周开放{k}天。"),
    _t("culture", "none", "社区书屋开放时间短|书屋图书陈旧",
       "下班后去已经关门|没有新书", "社区书屋提升",
       "延长开放时间，联合区图书馆定期更新图书。",
       "更新图书{n}册，开放时间延长至晚上。"),
    _t("culture", "yard", "广场舞场地不够|广场舞音响扰民",
       "跳舞的和休息的居民有矛盾|晚上吵得睡不着", "文体活动场地协调",
       "划定活动区域和时段，引导文体队伍使用便携低音设备。",
       "协调活动场地{k}处，噪音投诉明显减少。"),
    _t("culture", "none", "希望多组织文艺活动|老年人文化生活单调",
       "邻里之间交流少|平时没什么活动", "邻里文化节",
       "联合辖区单位举办邻里文化节，组建居民文艺队伍。",
       "举办文艺活动{k}场，参与居民{n}人次。"),
    _t("charity", "none", "困难家庭孩子学习需要帮助|困难家庭需要帮扶",
       "家里经济困难|孩子功课跟不上", "困难家庭结对帮扶",
       "组织党员干部与困难家庭结对，开展学业辅导和生活帮扶。",
       "结对帮扶困难家庭{k}户。"),
    _t("charity", "none", "希望有义剪义诊活动|老人理发不方便",
       "行动不便出门难", "爱心义剪志愿服务",
       "招募志愿者定期开展义剪义诊，为行动不便老人上门服务。",
       "开展义剪活动{k}次，服务老人{n}人次。"),
    _t("charity", "none", "残疾人出行不便需要帮助|残疾人就业需要帮扶",
       "家里照顾不过来", "助残志愿服务",
       "建立助残志愿服务队，提供上门照料和就业指导。",
       "为{k}名残疾人提供上门服务。"),
    _t("governance", "none", "物业管理不到位|物业服务质量差",
       "小区卫生没人管|报修很久没人来", "物业服务质量提升",
       "召开业主、物业、社区三方协调会，明确整改事项和时限。",
       "督促物业整改问题{k}项，居民评价明显好转。"),
    _t("governance", "none", "小区没有业委会|业委会换届困难",
       "小区大事没人牵头", "业委会组建指导",
       "指导成立业主大会筹备组，依法组织选举。",
       "指导成立业主委员会，完成选举。"),
    _t("governance", "none", "停车收费不透明|小区公共收益去向不清",
       "居民意见很大", "小区公共收益公开",
       "督促物业公开公共收益收支，纳入社区公示栏定期公示。",
       "公共收益按季度在公示栏公开。"),
    _t("governance", "unit", "群租房人员混杂|群租房噪音扰民",
       "邻居很有意见|存在安全隐患", "群租房规范管理",
       "联合开展群租房排查，督促房东落实安全管理责任。",
       "排查整治群租房{k}处。"),
    _t("governance", "unit", "老旧小区加装电梯意愿征集|希望加装电梯",
       "高层老人上下楼困难|腿脚不好下不了楼", "老旧小区加装电梯",
       "逐户征求意见，组织业主协商出资方案，协助办理报建手续。",
       "完成{k}个单元加装电梯意愿征集，{k}部电梯开工建设。"),
)


# Themes that only make sense in an urban residential compound, never in a village.
URBAN_ONLY = {
    "老旧小区加装电梯", "物业服务质量提升", "业委会组建指导", "小区公共收益公开", "群租房规范管理",
    "高空坠物隐患治理", "小区安防提升", "楼道照明修复", "智能快递柜增设", "公共晾晒区建设",
}
RURAL_THEMES = tuple(t for t in THEMES if t.title not in URBAN_ONLY)

# Which departments usually lead a theme's projects (by DEPARTMENTS name); others of the
# theme's category, or the subdistrict office, lead the rest.
THEME_LEADS: dict[str, tuple[str, ...]] = {
    "楼道照明修复": ("区住房和城乡建设局", "区供电公司"),
    "路灯修复和补装": ("区城市管理局", "区供电公司"),
    "路面修补和排水改造": ("区交通运输局", "区住房和城乡建设局", "区水务局"),
    "健身器材更新": ("区体育中心", "区文化广电旅游局"),
    "排水管网疏通改造": ("区水务局", "区住房和城乡建设局"),
    "无障碍设施改造": ("区残疾人联合会", "区住房和城乡建设局"),
    "智能快递柜增设": ("区邮政分公司", "区商务局"),
    "供水管网改造": ("区自来水公司", "区水务局"),
    "垃圾分类投放点提升": ("区城市管理局",),
    "绿化整治和补植": ("区城市管理局", "区自然资源局"),
    "餐饮油烟整治": ("区生态环境分局", "区城市管理局", "区市场监督管理局"),
    "环境卫生集中整治": ("区城市管理局", "区卫生健康局"),
    "沟渠清淤治理": ("区水务局", "区生态环境分局", "区农业农村局"),
    "施工噪音管控": ("区生态环境分局", "区住房和城乡建设局"),
    "电动自行车集中充电点建设": ("区消防救援大队", "区应急管理局", "区供电公司"),
    "消防通道和设施整治": ("区消防救援大队", "区应急管理局"),
    "路口交通安全设施完善": ("区公安分局", "区交通运输局", "区教育局"),
    "井盖隐患排查整治": ("区城市管理局", "区水务局"),
    "小区安防提升": ("区公安分局", "区委政法委员会"),
    "燃气管道安全改造": ("区燃气公司", "区住房和城乡建设局"),
    "高空坠物隐患治理": ("区住房和城乡建设局", "区公安分局"),
    "独居老人上门助浴服务": ("区民政局",),
    "社区食堂提质降价": ("区民政局", "区商务局"),
    "四点半课堂儿童托管": ("区教育局", "共青团青禾区委员会", "区妇女联合会"),
    "老年助餐点建设": ("区民政局",),
    "家庭医生签约和健康服务": ("区卫生健康局", "区人民医院", "区中医医院"),
    "便民服务代办帮办": ("区行政审批局", "区人力资源和社会保障局", "区医疗保障局"),
    "停车位挖潜和停车秩序整治": ("区公安分局", "区城市管理局", "区自然资源局"),
    "休闲座椅增设": ("区城市管理局",),
    "闲置空地改造口袋公园": ("区城市管理局", "区自然资源局", "区城市建设投资集团"),
    "公共晾晒区建设": ("区住房和城乡建设局",),
    "儿童游乐空间改造": ("区妇女联合会", "区住房和城乡建设局"),
    "居民活动室改造": ("区文化广电旅游局", "区文化馆"),
    "社区书屋提升": ("区图书馆", "区委宣传部"),
    "文体活动场地协调": ("区文化广电旅游局", "区体育中心"),
    "邻里文化节": ("区委宣传部", "区文化馆"),
    "困难家庭结对帮扶": ("区民政局", "区总工会", "区妇女联合会"),
    "爱心义剪志愿服务": ("共青团青禾区委员会", "区红十字会"),
    "助残志愿服务": ("区残疾人联合会",),
    "物业服务质量提升": ("区住房和城乡建设局", "区委社会工作部"),
    "业委会组建指导": ("区住房和城乡建设局", "区委社会工作部"),
    "小区公共收益公开": ("区住房和城乡建设局", "区市场监督管理局"),
    "群租房规范管理": ("区公安分局", "区住房和城乡建设局"),
    "老旧小区加装电梯": ("区住房和城乡建设局", "区市场监督管理局"),
}


# ---------------------------------------------------------------- helpers


def chinese_number(n: int) -> str:
    """1..9999 in Chinese numerals (十一, 二十, 一百零五 ...)."""
    digits = "零一二三四五六七八九"
    if n < 10:
        return digits[n]
    if n < 20:
        return "十" + (digits[n - 10] if n > 10 else "")
    out = ""
    zero = False
    for value, unit in ((1000, "千"), (100, "百"), (10, "十"), (1, "")):
        d = n // value % 10
        if d:
            if zero:
                out += "零"
            out += digits[d] + unit
            zero = False
        elif out:
            zero = True
    return out


def allocate(total: int, weights: list[float]) -> list[int]:
    """Split ``total`` into integers proportional to ``weights`` (largest remainder)."""
    s = sum(weights) or 1.0
    raw = [total * w / s for w in weights]
    base = [int(r) for r in raw]
    rest = total - sum(base)
    order = sorted(range(len(raw)), key=lambda i: (base[i] - raw[i], i))
    for i in order[:rest]:
        base[i] += 1
    return base


def _scaled(name: str, factor: float) -> int:
    return max(1, round(BASE[name] * factor))


def _width(count: int, minimum: int) -> int:
    return max(minimum, len(str(count)))


class _Dates:
    """Cached formatting of date ordinals."""

    def __init__(self) -> None:
        self._iso: dict[int, str] = {}
        self._cn: dict[int, str] = {}
        self._dot: dict[int, str] = {}
        self._slash: dict[int, str] = {}

    def iso(self, o: int) -> str:
        s = self._iso.get(o)
        if s is None:
            s = self._iso[o] = dt.date.fromordinal(o).isoformat()
        return s

    def cn(self, o: int) -> str:
        s = self._cn.get(o)
        if s is None:
            d = dt.date.fromordinal(o)
            s = self._cn[o] = f"{d.year}年{d.month}月{d.day}日"
        return s

    def dot(self, o: int) -> str:
        s = self._dot.get(o)
        if s is None:
            d = dt.date.fromordinal(o)
            s = self._dot[o] = f"{d.year}.{d.month}.{d.day}"
        return s

    def slash(self, o: int) -> str:
        s = self._slash.get(o)
        if s is None:
            d = dt.date.fromordinal(o)
            s = self._slash[o] = f"{d.year}/{d.month}/{d.day}"
        return s


# Reporting days: the 25th of every month (one seed district reports monthly on the 25th).
_REPORT_DAYS = [
    dt.date(y, m, 25).toordinal() for y in (2025, 2026) for m in range(1, 13)
    if dt.date(2025, 9, 1) <= dt.date(y, m, 25) <= AS_OF
]


def _join(name: str, text: str) -> str:
    """桂香社区 + 社区广场 -> 桂香社区广场 (no doubled level word)."""
    for level in ("社区", "村"):
        if name.endswith(level) and text.startswith(level):
            return name + text[len(level):]
    return name + text


def _headers(table: Table, names: tuple[str, ...]) -> list[str]:
    return [table.column(n).label for n in names]


# ---------------------------------------------------------------- model


@dataclass
class Area:
    id: str
    name: str
    level: str  # label written to areas.yaml
    parent: str
    households: int = 0
    residents: int = 0
    village: bool = False
    roads: tuple[str, ...] = ()
    children: list[Area] = field(default_factory=list)


@dataclass
class Unit:
    id: str
    name: str
    short: str
    kind: str
    categories: tuple[str, ...]
    leaders: tuple[str, ...]
    paired: list[str] = field(default_factory=list)
    base: str = ""  # the department's name without the 片区 suffix; "" for offices


@dataclass
class Project:
    seq: int
    theme: Theme
    communities: list[Area]
    status: str
    start: int
    deadline: int | None
    completed: int | None
    progress: int | None
    k: int  # how many demands to link
    place: str
    id: str = ""
    demands: list[str] = field(default_factory=list)


class _Gen:
    def __init__(self, factor: float, seed: int, plant_pii: bool) -> None:
        self.r = random.Random(seed)
        self.follow = random.Random(seed + 16)  # the follow-up (限时整改) and small samples
        # Office contacts (community phones, grid workers, unit hotlines) come from a
        # generator of their own, so the rest of the demo stays as it was.
        self.contacts = random.Random(seed + 32)
        self.factor = factor
        self.plant_pii = plant_pii
        self.dates = _Dates()
        self.offices: dict[str, Unit] = {}  # subdistrict id -> its office
        self.by_category: dict[str, list[Unit]] = {}
        self.by_theme: dict[str, list[Unit]] = {}
        self.all_units: list[Unit] = []

    # -------------------------------------------------------- names

    def stems(self, count: int) -> list[str]:
        """``count`` unique invented place-name stems (two characters first, then three)."""
        r = self.r
        two = [a + b for a in _STEM_FIRST for b in _STEM_SECOND if a != b]
        two = [s for s in dict.fromkeys(two) if s not in _BLACKLIST]
        r.shuffle(two)
        if count <= len(two):
            return two[:count]
        three = [s + c for s in two for c in _STEM_THIRD if s[-1] != c]
        r.shuffle(three)
        out = two + three
        n = 2
        while len(out) < count:  # never reached below factor ~6000
            out += [s + chinese_number(n) for s in two]
            n += 1
        return out[:count]

    # person() and mobile() run for most rows; random() indexing is much cheaper than choice().

    def person(self, rng: random.Random | None = None) -> str:
        x = (rng or self.r).random
        given = GIVEN[int(x() * len(GIVEN))]
        if x() < 0.7:
            given += GIVEN[int(x() * len(GIVEN))]
        return SURNAMES[int(x() * len(SURNAMES))] + given

    def mobile(self, rng: random.Random | None = None) -> str:
        x = (rng or self.r).random
        return MOBILE_PREFIXES[int(x() * len(MOBILE_PREFIXES))] + f"{int(x() * 1e8):08d}"

    def road(self) -> str:
        r = self.r
        return r.choice(_STEM_FIRST) + r.choice(_STEM_SECOND) + r.choice(_ROAD_SUFFIX)

    # -------------------------------------------------------- areas

    def areas(self) -> tuple[Area, list[Area], list[Area], list[Area]]:
        r = self.r
        n_sd = _scaled("subdistricts", self.factor)
        n_c = max(n_sd, _scaled("communities", self.factor))
        avg = n_c / n_sd
        lo, hi = (5, 8) if 5 <= avg <= 8 else (max(1, int(avg * 0.8)), int(avg * 1.25) + 1)
        counts = [min(lo, n_c // n_sd)] * n_sd
        left = n_c - sum(counts)
        while left:
            i = r.randrange(n_sd)
            if counts[i] < hi or all(c >= hi for c in counts):
                counts[i] += 1
                left -= 1
        stems = self.stems(n_sd + n_c)
        district = Area(DISTRICT_ID, DISTRICT, "区", "")
        sw, cw = _width(n_sd, 2), _width(n_c, 4)
        subdistricts: list[Area] = []
        communities: list[Area] = []
        grids: list[Area] = []
        ci = 0
        for si in range(n_sd):
            town = si % 6 == 5
            sd = Area(
                f"S{si + 1:0{sw}d}",
                stems[si] + ("镇" if town else "街道"),
                ("镇" if town else "街道") if si % 4 else ("乡镇" if town else "subdistrict"),
                district.id,
            )
            subdistricts.append(sd)
            district.children.append(sd)
            for _ in range(counts[si]):
                ci += 1
                village = r.random() < (0.8 if town else 0.08)
                stem = stems[n_sd + ci - 1]
                if village:
                    households = r.randint(380, 1500)
                else:
                    households = r.randint(3000, 7600)
                c = Area(
                    f"C{ci:0{cw}d}",
                    stem + ("村" if village else "社区"),
                    "村" if village else ("community" if ci % 9 == 4 else "社区"),
                    sd.id,
                    households,
                    int(households * r.uniform(2.45, 2.95)),
                    village,
                    tuple(self.road() for _ in range(r.randint(2, 4))),
                )
                sd.children.append(c)
                communities.append(c)
            sd.households = sum(c.households for c in sd.children)
            sd.residents = sum(c.residents for c in sd.children)
        district.households = sum(s.households for s in subdistricts)
        district.residents = sum(s.residents for s in subdistricts)
        # A few grids: every twelfth community is split into 3-5 published grids.
        gw = _width(len(communities) // 3 + 1, 4)
        for c in communities[::12]:
            n = r.randint(3, 5)
            for gi, share in enumerate(allocate(c.households, [1 + r.random() for _ in range(n)])):
                grids.append(
                    Area(
                        f"G{len(grids) + 1:0{gw}d}",
                        f"{c.name}第{chinese_number(gi + 1)}网格",
                        "网格",
                        c.id,
                        share,
                        int(share * r.uniform(2.45, 2.95)),
                    )
                )
        return district, subdistricts, communities, grids

    # -------------------------------------------------------- units

    def units(self, subdistricts: list[Area], communities: list[Area]) -> list[Unit]:
        r = self.r
        n_u = _scaled("units", self.factor)
        n_off = min(len(subdistricts), n_u // 2)
        n_dep = n_u - n_off
        width = _width(n_u, 3)
        specs: list[tuple[str, str, str, tuple[str, ...], Area | None, str]] = []
        dep = len(DEPARTMENTS)
        for i in range(min(n_dep, dep)):
            name, short, kind, cats = DEPARTMENTS[i]
            specs.append((name, short, kind, tuple(cats.split()), None, name))
        for sd in subdistricts[:n_off]:
            town = sd.name.endswith("镇")
            name = sd.name + ("人民政府" if town else "办事处")
            specs.append((name, sd.name, "乡镇（街道）", tuple(CATEGORY_LABELS), sd, ""))
        for i in range(dep, n_dep):
            name, short, kind, cats = DEPARTMENTS[i % dep]
            area = f"第{chinese_number(i // dep + 1)}片区"
            specs.append((f"{name}（{area}）", short + area, kind, tuple(cats.split()), None, name))
        units: list[Unit] = []
        for i, (name, short, kind, unit_cats, home, base) in enumerate(specs):
            if home is not None:
                town = home.name.endswith("镇")
                posts = TOWN_POSTS if town else SUBDISTRICT_POSTS
                pool = home.children
            else:
                posts = _titles(short)
                pool = communities
            picked = r.sample(range(len(posts)), min(len(posts), r.randint(2, 4)))
            leaders = tuple(f"{self.person()}（{short}{posts[i]}）" for i in sorted(picked))
            paired = r.sample(pool, min(len(pool), r.randint(1, 4)))
            units.append(
                Unit(f"U{i + 1:0{width}d}", name, short, kind, unit_cats, leaders,
                     [c.id for c in sorted(paired, key=lambda a: a.id)], base)
            )
        return units

    # -------------------------------------------------------- places and texts

    def place(self, kind: str, c: Area) -> str:
        r = self.r
        if kind == "unit":
            if c.village:
                return f"{chinese_number(r.randint(1, 12))}组"
            return f"{r.randint(1, 28)}栋" + (f"{r.randint(1, 4)}单元" if r.random() < 0.6 else "")
        if kind == "yard":
            if c.village:
                return r.choice(("村口", "村委会旁", "文化广场", "村小学旁", "晒坝",
                                 f"{chinese_number(r.randint(1, 12))}组院坝"))
            return r.choice(("小区东门", "小区北门", "小区西侧空地", "中心花园", "小区主干道",
                             f"{r.randint(1, 28)}栋旁", "小区后门", "小区篮球场边"))
        if kind == "street":
            if c.village:
                return r.choice(("村道", "通组路", "村口公路", "集镇街口"))
            roads = c.roads
            pick = r.random()
            if pick < 0.35:
                return r.choice(roads)
            if pick < 0.5 and len(roads) > 1:
                a, b = r.sample(roads, 2)
                return f"{a}与{b}交叉口"
            return r.choice(("小区门口", "农贸市场旁", "幼儿园门口", "公交站附近", "背街小巷",
                             f"{r.choice(roads)}人行道"))
        if kind == "public":
            if c.village:
                return r.choice(("村党群服务中心", "村文化广场", "村卫生室"))
            return r.choice(("社区广场", "党群服务中心", "社区活动室", "老年活动中心",
                             "社区卫生服务站"))
        return ""

    def summary(self, theme: Theme, place: str) -> str:
        r = self.r
        text = place + r.choice(theme.problems)
        if r.random() < 0.85:
            text += "，" + r.choice(theme.impacts)
        wish = r.choice(WISHES)
        return text + ("，" + wish if wish else "")

    def fill(self, template: str) -> str:
        r = self.r
        return template.format(
            n=r.randint(20, 800), m=r.randint(30, 1500), k=r.randint(2, 12), j=r.randint(5, 60)
        )

    def address(self, c: Area) -> str:
        r = self.r
        if c.village:
            return f"{c.name}{chinese_number(r.randint(1, 12))}组{r.randint(1, 80)}号"
        return (
            f"{r.choice(c.roads)}{r.randint(1, 300)}号{r.randint(1, 28)}栋{r.randint(1, 4)}单元"
            f"{r.randint(1, 18)}{r.randint(1, 4):02d}室"
        )

    def planted_summary(self, text: str) -> str:
        r = self.r
        phone = self.mobile()
        return text + r.choice(("，请回电", "，联系人手机", "，有事可打")) + phone

    # -------------------------------------------------------- projects

    def project(self, seq: int, home: Area, sd: Area) -> Project:
        r = self.r
        theme = r.choice(RURAL_THEMES if home.village else THEMES)
        weights = (STATUS_WEIGHTS_SERVICES if theme.category in SERVICE_CATEGORIES
                   else STATUS_WEIGHTS_WORKS)
        status = r.choices(STATUS_KEYS, weights)[0]
        comms = [home]
        others = [c for c in sd.children if c is not home]
        if others and r.random() < 0.1:
            comms += r.sample(others, min(len(others), r.randint(1, 2)))
            comms.sort(key=lambda a: a.id)
        place = ""
        if len(comms) == 1 and theme.place != "none" and r.random() < 0.5:
            place = self.place(theme.place, home)
        deadline: int | None
        completed: int | None = None
        progress: int | None
        if status == "completed":
            start = r.randint(_FIRST_START, _AS_OF - 25)
            dur = r.randint(20, 200)
            deadline = start + dur
            if r.random() < 0.87:
                done = start + r.randint(max(10, dur // 2), dur)
            else:
                done = deadline + r.randint(1, 40)
            if done > _AS_OF - 1:
                done = r.randint(start + 10, _AS_OF - 1)
            completed, progress = done, 100
        elif status == "in_progress":
            if r.random() < 0.2:  # overdue
                start = r.randint(dt.date(2025, 10, 1).toordinal(), _AS_OF - 60)
                deadline = r.randint(start + 30, _AS_OF - 1)
                progress = r.randint(35, 90)
            else:
                start = r.randint(dt.date(2025, 11, 1).toordinal(), _LAST_START)
                deadline = max(start + 30, _AS_OF + r.randint(3, 220))
                expected = 100 * (_AS_OF - start) / (deadline - start)
                if r.random() < 0.22:  # lagging
                    progress = max(5, min(90, round(expected * r.uniform(0.3, 0.6))))
                else:
                    progress = max(5, min(95, round(expected * r.uniform(0.85, 1.15))))
        elif status == "not_started":
            start = r.randint(_LAST_START - 25, _LAST_START)
            deadline = start + r.randint(60, 300)
            progress = 0
        elif status == "ongoing":
            start = r.randint(_FIRST_START, dt.date(2026, 8, 31).toordinal())
            deadline, progress = None, None
        else:  # suspended / cancelled
            start = r.randint(dt.date(2025, 10, 1).toordinal(), dt.date(2026, 8, 31).toordinal())
            deadline = start + r.randint(60, 240)
            progress = r.randint(10, 60) if status == "suspended" else r.randint(10, 30)
        k = r.choices((0, 1, 2, 3, 4), (8, 35, 30, 17, 10))[0]
        return Project(seq, theme, comms, status, start, deadline, completed, progress, k, place)

    def status_word(self, p: Project, signed_off: bool) -> str:
        r = self.r
        s = p.status
        if s == "completed":
            if signed_off and r.random() < 0.45:
                return "已销号"
            assert p.completed is not None and p.deadline is not None
            if p.completed <= p.deadline - 15 and r.random() < 0.35:
                return "提前完成"
            return "已完成"
        if s == "in_progress":
            assert p.deadline is not None and p.progress is not None
            if p.deadline < _AS_OF:
                return r.choices(("滞后", "推进缓慢", "按序时推进"), (55, 25, 20))[0]
            expected = 100 * (_AS_OF - p.start) / (p.deadline - p.start)
            if p.progress < expected * 0.7:
                return r.choice(("推进缓慢", "滞后"))
            return r.choices(("按序时推进", "正常推进", "推进中"), (45, 40, 15))[0]
        return {
            "not_started": "未启动",
            "ongoing": r.choice(("常态化", "长期坚持")),
            "suspended": "暂停",
            "cancelled": "已终止",
        }[s]

    def title(self, p: Project, sd: Area) -> str:
        if len(p.communities) > 1:
            names = "、".join(c.name.removesuffix("社区").removesuffix("村") for c in p.communities)
            return f"{sd.name}{names}{p.theme.title}"
        return _join(p.communities[0].name, p.place + p.theme.title)

    def measures(self, p: Project) -> str:
        r = self.r
        text = r.choice(p.theme.measures)
        if r.random() < 0.5:
            text += r.choice(GENERIC_MEASURES)
        return text

    def lead(self, p: Project, sd: Area) -> tuple[Unit, list[Unit]]:
        """The lead unit (a fitting department or the subdistrict office) and 0-2 partners."""
        r = self.r
        office = self.offices.get(sd.id)
        pool = self.by_category.get(p.theme.category) or self.all_units
        fitting = self.by_theme.get(p.theme.title) or pool
        pick = r.random()
        if office is not None and pick < 0.3:
            lead = office
        elif pick < 0.85:
            lead = r.choice(fitting)
        else:
            lead = r.choice(pool)
        n = r.choices((0, 1, 2), (45, 35, 20))[0]
        partners: list[Unit] = []
        for _ in range(n * 3):
            if len(partners) >= n:
                break
            x = r.random()
            if office is not None and x < 0.25:
                u = office
            elif x < 0.6:
                u = r.choice(fitting)
            elif x < 0.9:
                u = r.choice(pool)
            else:
                u = r.choice(self.all_units)
            if u is not lead and u not in partners:
                partners.append(u)
        return lead, partners

    def feedback_row(self, r: random.Random, pid: str, day: int, rating: str, plant: bool) -> tuple:
        """One rating with its optional comment and the rater's (private) name and phone."""
        comment = ""
        public = ""
        if plant:
            comment = (r.choice(COMMENTS[rating]) + "，" + r.choice(("电话", "有问题请联系我", "我的手机"))
                       + self.mobile(r))  # fmt: skip
            public = "是"
        elif r.random() < (0.12 if rating == "satisfied" else 0.5):
            comment = r.choice(COMMENTS[rating])
            public = "是" if r.random() < 0.7 else "否"
        return (
            pid,
            self.dates.iso(day),
            RATING_LABELS[rating],
            comment,
            public,
            self.person(r) if r.random() < 0.8 else "",
            self.mobile(r) if r.random() < 0.6 else "",
        )

    def progress_rows(self, p: Project) -> list[tuple[int, str, str]]:
        """(date, note, progress) entries between start and completion / as-of."""
        r = self.r
        if p.status == "not_started":
            return []
        end = p.completed if p.completed is not None else _AS_OF
        span = end - p.start
        if span < 2:
            return []
        k = min(r.randint(2, 8), span)
        days = [d for d in _REPORT_DAYS if p.start < d <= end]
        if len(days) >= k and r.random() < 0.5:
            picked = sorted(r.sample(days, k))
            if p.completed is not None:
                picked[-1] = p.completed
        else:
            picked = sorted(r.sample(range(p.start + 1, end + 1), k))
            if p.completed is not None:
                picked[-1] = p.completed
        if p.status == "ongoing":
            return [(d, self.fill(r.choice(ONGOING_NOTES)), "") for d in picked]
        final = p.progress or 0
        if final > k:
            values = [*sorted(r.sample(range(1, final), k - 1)), final]
        else:
            values = [max(0, final - (k - 1 - i)) for i in range(k)]
        rows = []
        for i, (d, v) in enumerate(zip(picked, values, strict=True)):
            band = 4 if v >= 100 else (0 if v < 20 else 1 if v < 50 else 2 if v < 80 else 3)
            note = r.choice(NOTES[band])
            if i == k - 1 and p.status == "suspended":
                note = r.choice(SUSPEND_NOTES)
            elif i == k - 1 and p.status == "cancelled":
                note = r.choice(CANCEL_NOTES)
            rows.append((d, note, str(v)))
        return rows

    # -------------------------------------------------------- the whole district

    def run(self, out: Path) -> dict[str, int]:
        r = self.r
        fr = self.follow
        dates = self.dates
        out.mkdir(parents=True, exist_ok=True)
        counts: dict[str, int] = {}

        district, subdistricts, communities, grids = self.areas()
        units = self.units(subdistricts, communities)
        self.write_site(out)
        counts["areas"] = self.write_areas(out, district, subdistricts, communities, grids)
        counts["units"] = self.write_units(out, units)

        # Who can lead what: subdistrict offices their own communities' projects, departments
        # their categories' and especially their themes' (THEME_LEADS).
        sd_by_name = {sd.name: sd.id for sd in subdistricts}
        by_base: dict[str, list[Unit]] = {}
        for u in units:
            if u.kind == "乡镇（街道）":
                self.offices[sd_by_name[u.short]] = u
            else:
                by_base.setdefault(u.base, []).append(u)
                for cat in u.categories:
                    self.by_category.setdefault(cat, []).append(u)
        for title, bases in THEME_LEADS.items():
            self.by_theme[title] = [u for b in bases for u in by_base.get(b, ())]
        self.all_units = units

        n_d = _scaled("demands", self.factor)
        n_p = _scaled("projects", self.factor)
        weights = [r.uniform(0.6, 1.4) * (0.7 if c.village else 1.0) for c in communities]
        dem_per = dict(zip((c.id for c in communities), allocate(n_d, weights), strict=True))
        proj_per = dict(zip((c.id for c in communities), allocate(n_p, weights), strict=True))
        dw = _width(n_d, 6)
        pw = _width(n_p, 5)

        # PII planted in public text: demand summaries early in the first subdistricts,
        # feedback comments on early rated projects.
        pii_demands = 3 if self.plant_pii else 0
        pii_feedback = 2 if self.plant_pii else 0

        n_dem = n_proj = n_prog = n_res = n_fb = 0
        files = {
            "demands": (out / "demands.csv").open("w", encoding="utf-8-sig", newline=""),
            "projects": (out / "projects.csv").open("w", encoding="utf-8", newline=""),
            "progress": (out / "progress.csv").open("w", encoding="gb18030", newline=""),
            "results": (out / "results.csv").open("w", encoding="utf-8", newline=""),
            "feedback": (out / "feedback.csv").open("w", encoding="utf-8", newline=""),
        }
        try:
            w_dem = csv.writer(files["demands"], lineterminator="\n")
            w_proj = csv.writer(files["projects"], lineterminator="\n")
            w_prog = csv.writer(files["progress"], lineterminator="\r\n")
            w_res = csv.writer(files["results"], lineterminator="\n")
            w_fb = csv.writer(files["feedback"], lineterminator="\n")
            w_dem.writerow(_headers(DEMANDS, (
                "id", "community", "received", "channel", "category", "summary", "stage",
                "decline_reason", "project", "resident_name", "resident_phone", "resident_address",
            )))
            w_proj.writerow(_headers(PROJECTS, (
                "id", "title", "communities", "category", "handling", "lead_unit", "partner_units",
                "leader", "measures", "start", "deadline", "status", "progress", "demands",
            )))
            w_prog.writerow(_headers(PROGRESS, ("project", "date", "note", "progress")))
            w_res.writerow(_headers(RESULTS, (
                "project", "completed", "outcome", "signed_off", "evidence",
                "reopened", "fix_deadline", "fixed", "fix_note",
            )))
            w_fb.writerow(_headers(FEEDBACK, (
                "project", "date", "rating", "comment", "comment_public", "resident_name",
                "resident_phone",
            )))
            channels = [c for c, _ in CHANNELS]
            channel_w = list(itertools.accumulate(w for _, w in CHANNELS))
            seq = 0
            for sd in subdistricts:
                # Projects of this subdistrict, numbered by start date.
                projects: list[Project] = []
                for c in sd.children:
                    for _ in range(proj_per[c.id]):
                        seq += 1
                        projects.append(self.project(seq, c, sd))
                projects.sort(key=lambda p: (p.start, p.seq))
                for p in projects:
                    n_proj += 1
                    p.id = f"P{n_proj:0{pw}d}"
                # Demands: the linked ones precede their project; the rest are in the pipeline.
                demand_rows: list[tuple[int, int, Area, str, Theme, str, Project | None]] = []
                dseq = 0
                for c in sd.children:
                    mine = [p for p in projects if p.communities[0] is c]
                    budget = int(dem_per[c.id] * 0.7)
                    while sum(p.k for p in mine) > budget:
                        p = r.choice([p for p in mine if p.k])
                        p.k -= 1
                    linked = 0
                    for p in mine:
                        for _ in range(p.k):
                            received = p.start - r.randint(7, 75)
                            dseq += 1
                            where = p.place if p.place and r.random() < 0.6 else self.place(
                                p.theme.place, c)
                            demand_rows.append((received, dseq, c, "deliberated", p.theme,
                                                self.summary(p.theme, where), p))
                            linked += 1
                    for _ in range(dem_per[c.id] - linked):
                        stage = r.choices(OPEN_STAGES, cum_weights=OPEN_STAGE_WEIGHTS)[0]
                        if stage == "ordered":
                            received = _AS_OF - r.randint(0, 45)
                        elif stage == "opened":
                            received = _AS_OF - r.randint(5, 90)
                        elif stage == "accepted":
                            received = _AS_OF - r.randint(10, 160)
                        else:
                            received = r.randint(_FIRST_DEMAND, _AS_OF - 5)
                        theme = r.choice(RURAL_THEMES if c.village else THEMES)
                        dseq += 1
                        demand_rows.append((received, dseq, c, stage, theme,
                                            self.summary(theme, self.place(theme.place, c)), None))
                demand_rows.sort(key=lambda d: (d[0], d[1]))
                plant_at = set()
                if pii_demands and demand_rows:
                    plant_at = set(r.sample(range(len(demand_rows)),
                                            min(pii_demands, len(demand_rows))))
                    pii_demands -= len(plant_at)
                for i, (received, _, c, stage, theme, text, owner) in enumerate(demand_rows):
                    n_dem += 1
                    did = f"D{n_dem:0{dw}d}"
                    fmt = r.random()
                    received_text = (dates.iso(received) if fmt < 0.8
                           else dates.cn(received) if fmt < 0.92 else dates.dot(received))
                    if owner is not None:
                        owner.demands.append(did)
                    if i in plant_at:
                        text = self.planted_summary(text)
                    w_dem.writerow((
                        did,
                        c.name if r.random() < 0.1 else c.id,
                        received_text,
                        r.choices(channels, cum_weights=channel_w)[0] if r.random() < 0.95 else "",
                        CATEGORY_LABELS[theme.category] if r.random() < 0.97 else "",
                        text,
                        {"deliberated": "民主议单", "declined": "不予采纳", "ordered": "群众点单",
                         "opened": "社区开单", "accepted": "共同接单"}[stage],
                        r.choice(DECLINE_REASONS) if stage == "declined" else "",
                        owner.id if owner is not None else "",
                        self.person() if r.random() < 0.92 else "",
                        self.mobile() if r.random() < 0.85 else "",
                        self.address(c) if r.random() < 0.75 else "",
                    ))
                # Projects and everything that hangs off them.
                for p in projects:
                    lead, partners = self.lead(p, sd)
                    signed: int | None = None
                    if p.completed is not None:
                        so = p.completed + r.randint(3, 30)
                        if so <= _AS_OF and r.random() < 0.9:
                            signed = so
                    w_proj.writerow((
                        p.id,
                        self.title(p, sd),
                        "、".join(c.id for c in p.communities),
                        CATEGORY_LABELS[p.theme.category],
                        r.choices(HANDLING_LABELS, HANDLING_WEIGHTS)[0],
                        lead.id,
                        "、".join(u.id for u in partners),
                        r.choice(lead.leaders),
                        self.measures(p),
                        dates.iso(p.start),
                        dates.iso(p.deadline) if p.deadline is not None else "",
                        self.status_word(p, signed is not None),
                        "" if p.progress is None else p.progress,
                        "、".join(p.demands),
                    ))
                    for d, note, v in self.progress_rows(p):
                        w_prog.writerow((p.id, dates.slash(d), note, v))
                        n_prog += 1
                    # The result row's texts are drawn here, as before the follow-up columns
                    # existed; the row is written once the ratings say whether work reopened.
                    result = None
                    if p.completed is not None:
                        result = [
                            p.id,
                            dates.iso(p.completed),
                            self.fill(r.choice(p.theme.outcomes)),
                            dates.iso(signed) if signed is not None else "",
                            self.fill(r.choice(EVIDENCE)),
                            "", "", "", "",
                        ]  # fmt: skip
                    # Feedback: every completed project, and some ongoing ones. The new
                    # decisions (a sample below the minimum; a reopened project fixed and
                    # re-rated) come from a second generator, so the rest of the demo stays
                    # as it was.
                    if p.completed is not None and p.completed < _AS_OF:
                        first = p.completed + 1
                    elif p.status == "ongoing" and r.random() < 0.6:
                        first = p.start + 20
                    else:
                        first = None
                    rows: list[tuple] = []
                    rated: list[tuple[int, str]] = []
                    if first is not None:
                        last = min(_AS_OF, first + 90)
                        dist = RATING_POOR if r.random() < 0.06 else RATING_GOOD
                        n = r.randint(8, 40)
                        plant_row = -1
                        if pii_feedback and r.random() < 0.3:
                            plant_row = r.randrange(n)
                            pii_feedback -= 1
                        days = sorted(r.randint(first, last) for _ in range(n))
                        for i, day in enumerate(days):
                            rating = r.choices(RATING_KEYS, cum_weights=dist)[0]
                            rows.append(self.feedback_row(r, p.id, day, rating, i == plant_row))
                            rated.append((day, rating))
                        if plant_row < 0 and fr.random() < 0.05:  # 样本不足: only the first few answers
                            keep = fr.randint(2, 4)
                            rows, rated = rows[:keep], rated[:keep]
                    dated = [(dt.date.fromordinal(d), k) for d, k in rated]
                    crossed = crossing_date(dated, ("satisfied", "basic"), Rules())
                    if result is not None and crossed is not None and fr.random() < 0.6:
                        fixed_on = rated[-1][0] + fr.randint(3, 12)
                        if fixed_on < _AS_OF - 12:
                            note = fr.choice(FIX_NOTES)
                            if fr.random() < 0.4:  # stated in the result list; else derived by the portal
                                reopened = crossed.toordinal()
                                result[5:] = [dates.iso(reopened), dates.iso(reopened + 15), dates.iso(fixed_on), note]
                            w_prog.writerow((p.id, dates.slash(fixed_on), "整改：" + note, "100"))
                            n_prog += 1
                            until = min(_AS_OF, fixed_on + 40)
                            again = sorted(fr.randint(fixed_on + 1, until) for _ in range(fr.randint(5, 15)))
                            for day in again:
                                rating = fr.choices(RATING_KEYS, cum_weights=RATING_GOOD)[0]
                                rows.append(self.feedback_row(fr, p.id, day, rating, False))
                    if result is not None:
                        w_res.writerow(result)
                        n_res += 1
                    w_fb.writerows(rows)
                    n_fb += len(rows)
        finally:
            for f in files.values():
                f.close()
        counts.update(demands=n_dem, projects=n_proj, progress=n_prog, results=n_res,
                      feedback=n_fb)
        return counts

    # -------------------------------------------------------- small files

    def write_site(self, out: Path) -> None:
        site = {
            "name": f"{DISTRICT}“我为群众办实事”公示平台",
            "district": DISTRICT,
            "as_of": AS_OF,
            "base_url": "",
            "contact": "区委办公室（工作日 9:00–17:00）",
            # Invented numbers: the 0000 area code belongs to no city.
            "office": "区委办公室（督查室）",
            "hotline": "0000-6123456",
            "office_address": f"{DISTRICT}人民路1号区委大院2号楼",
            "office_hours": "工作日 9:00–12:00、14:00–17:30",
            "public_hotline": "12345",
            "icp": "示例ICP备2026000001号",
            "police_filing": "示例公网安备 51030202000001号",
            "site_code": "5103000001",
            "organizer": f"中共{DISTRICT}委办公室",
            "rating_scale": "three",
            "page_size": 50,
        }
        with (out / "site.yaml").open("w", encoding="utf-8", newline="\n") as f:
            f.write("# 演示数据：虚构的青禾区，所有名称、人物和数字均为虚构。\n")
            yaml.safe_dump(site, f, allow_unicode=True, sort_keys=False)

    def write_areas(self, out: Path, district: Area, subdistricts: list[Area],
                    communities: list[Area], grids: list[Area]) -> int:
        """A YAML list of mappings, written line by line (PyYAML's dumper is slow and
        memory-hungry at province scale); every value is a plain scalar or quoted."""
        by_parent: dict[str, list[Area]] = {}
        for g in grids:
            by_parent.setdefault(g.parent, []).append(g)
        contacts = self.community_contacts(communities)
        count = 0
        with (out / "areas.yaml").open("w", encoding="utf-8", newline="\n") as f:
            f.write("# 区域：区、街道（乡镇）、社区（村）、网格。演示数据，均为虚构。\n")

            def rec(a: Area) -> None:
                nonlocal count
                count += 1
                lines = [f"- id: {_yaml_str(a.id)}", f"  name: {_yaml_str(a.name)}",
                         f"  level: {_yaml_str(a.level)}"]
                if a.parent:
                    lines.append(f"  parent: {_yaml_str(a.parent)}")
                if a.households:
                    lines.append(f"  households: {a.households}")
                    lines.append(f"  residents: {a.residents}")
                if a.id in contacts:
                    lines += [f"  {k}: {_yaml_str(v)}" for k, v in contacts[a.id].items()]
                f.write("\n".join(lines) + "\n")

            rec(district)
            for sd in subdistricts:
                rec(sd)
                for c in sd.children:
                    rec(c)
                    for g in by_parent.get(c.id, ()):
                        rec(g)
        return count

    def community_contacts(self, communities: list[Area]) -> dict[str, dict[str, str]]:
        """Office phone, address and grid worker of most communities (some give none, so
        their pages fall back on the district's hotline). Invented: area code 0000."""
        r, out = self.contacts, {}
        for c in communities:
            if r.random() < 0.1:
                continue
            road = c.roads[0] if c.roads else c.name
            out[c.id] = {
                "office_phone": f"0000-{r.randint(2000000, 8999999)}",
                "office_address": f"{road}{r.randint(1, 200)}号{c.name}党群服务中心",
                "grid_worker": self.person(r),
                "grid_worker_phone": self.mobile(r),
            }
        return out

    def write_units(self, out: Path, units: list[Unit]) -> int:
        from openpyxl import Workbook
        from openpyxl.cell import WriteOnlyCell
        from openpyxl.styles import Alignment, Font
        from openpyxl.worksheet.cell_range import CellRange

        wb = Workbook(write_only=True)  # streams rows: flat memory at province scale
        ws = wb.create_sheet(UNITS.label)
        header = _headers(UNITS, ("id", "name", "kind", "paired_communities", "hotline"))
        hotlines = [f"0000-{self.contacts.randint(3000000, 7999999)}" for _ in units]
        for col, width in zip("ABCDE", (10, 34, 14, 40, 16), strict=True):
            ws.column_dimensions[col].width = width
        title = WriteOnlyCell(ws, value=f"{DISTRICT}责任单位名录（2026年）")
        title.font = Font(bold=True, size=14)
        title.alignment = Alignment(horizontal="center")
        ws.append([title])
        ws.merged_cells.add(CellRange(min_col=1, min_row=1, max_col=len(header), max_row=1))
        ws.append(header)
        for u, hotline in zip(units, hotlines, strict=True):
            ws.append([u.id, u.name, u.kind, "、".join(u.paired), hotline])
        wb.properties.creator = "Gongshi demo"
        wb.properties.created = dt.datetime(2026, 11, 15)
        buf = io.BytesIO()
        wb.save(buf)
        _deterministic_zip(buf.getvalue(), out / "units.xlsx")
        return len(units)


_YAML_PLAIN = re.compile(r"[A-Za-z0-9\u3400-\u9fff（）]+")
_YAML_RESERVED = {"y", "n", "yes", "no", "on", "off", "true", "false", "null"}


def _yaml_str(value: str) -> str:
    """A YAML scalar that reads back as this string."""
    if (_YAML_PLAIN.fullmatch(value) and not value[0].isdigit()
            and value.lower() not in _YAML_RESERVED):
        return value
    return json.dumps(value, ensure_ascii=False)


def _deterministic_zip(data: bytes, path: Path) -> None:
    """Rewrite a saved workbook with fixed timestamps, so equal input gives equal bytes."""
    stamp = (2026, 11, 15, 0, 0, 0)
    with zipfile.ZipFile(io.BytesIO(data)) as zin, zipfile.ZipFile(path, "w") as zout:
        for info in zin.infolist():
            body = zin.read(info.filename)
            if info.filename == "docProps/core.xml":
                body = re.sub(
                    rb"(<dcterms:(?:created|modified)[^>]*>)[^<]*(</dcterms:)",
                    rb"\g<1>2026-11-15T00:00:00Z\g<2>",
                    body,
                )
            zi = zipfile.ZipInfo(info.filename, date_time=stamp)
            zi.compress_type = zipfile.ZIP_DEFLATED
            zi.external_attr = info.external_attr
            zout.writestr(zi, body)


def generate(out_dir: Path, factor: float = 1, seed: int = 2026,
             plant_pii: bool = True) -> dict[str, int]:
    """Write data files into out_dir; return row counts per table.

    With ``plant_pii`` exactly three demand summaries and two public feedback comments
    carry an invented mobile number (given at least three demands and a few rated
    projects), whatever the factor; the command line turns it on for the demo preset only.
    """
    if factor <= 0:
        raise ValueError("factor must be positive")
    return _Gen(factor, seed, plant_pii).run(Path(out_dir))


def _parse_size(text: str) -> float:
    if text in PRESETS:
        return PRESETS[text]
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"规模应为 {'/'.join(PRESETS)} 或正数，收到 {text!r}"
        ) from None
    if value <= 0:
        raise argparse.ArgumentTypeError("规模必须大于 0")
    return value


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m generator.tools.demo", description="生成虚构的演示数据（青禾区）。"
    )
    parser.add_argument("--size", default="demo",
                        help="demo（约 400 个项目）、city（×100）、province（×1000）或倍数")
    parser.add_argument("--out", type=Path, default=Path("data"), help="输出目录")
    parser.add_argument("--seed", type=int, default=2026, help="随机种子")
    parser.add_argument("--plant-pii", action=argparse.BooleanOptionalAction, default=None,
                        help="在公开文本中放入少量手机号以演示遮蔽（默认仅 demo 规模）")
    args = parser.parse_args(argv)
    try:
        factor = _parse_size(args.size)
    except argparse.ArgumentTypeError as exc:
        parser.error(str(exc))
    plant = args.plant_pii if args.plant_pii is not None else args.size == "demo"
    t0 = time.perf_counter()
    counts = generate(args.out, factor, args.seed, plant_pii=plant)
    elapsed = time.perf_counter() - t0
    for name, n in counts.items():
        print(f"{name:10s}{n:>12,d}")
    print(f"写入 {args.out}，用时 {elapsed:.1f} 秒", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
