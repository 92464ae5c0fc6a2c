"""The one declaration of every published list.

Each table's columns (type, Chinese aliases, enumerations with synonyms, privacy class)
are declared here once. Validation, the data-format reference in README/docs, Excel
templates and the published data descriptions are all derived from these objects, so a
column added here is checked, documented and exported without further edits.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from collections.abc import Mapping
from dataclasses import MISSING, dataclass, field, fields
from typing import Any

# Privacy classes. "private" columns are dropped right after loading and never reach a
# view-model; "text" columns are public free text that is scanned and masked first.
PUBLIC = "public"
PRIVATE = "private"
TEXT = "text"
# An official's office contact (a community office phone, a grid worker, a unit hotline):
# published as written on purpose, so the masker leaves it alone and the output scan
# allows its values (privacy/mask.py allowed_in). A resident's phone never goes here.
CONTACT = "contact"

# Column types understood by validate.py.
STRING = "string"
INTEGER = "integer"
NUMBER = "number"
DATE = "date"
ENUM = "enum"
BOOLEAN = "boolean"
REF = "ref"  # an id (or unique name) of a row in another table
REFS = "refs"  # one or more such ids, separated by 、 , ; or spaces

# Separators staff use between several values in one cell.
LIST_SEPARATORS = "、,，;；/|\n"


def norm(text: str) -> str:
    """Normalise a cell for matching: full-width to half-width, trimmed, case-folded."""
    return unicodedata.normalize("NFKC", text).strip().casefold()


@dataclass(frozen=True)
class Choice:
    """One allowed value: its key in data/code, its Chinese label, accepted synonyms."""

    key: str
    label: str
    synonyms: tuple[str, ...] = ()
    description: str = ""


@dataclass(frozen=True)
class Enumeration:
    name: str
    choices: tuple[Choice, ...]

    def lookup(self) -> dict[str, str]:
        """Map every accepted spelling (normalised) to its key."""
        table: dict[str, str] = {}
        for c in self.choices:
            for spelling in (c.key, c.label, *c.synonyms):
                table[norm(spelling)] = c.key
        return table

    def label(self, key: str) -> str:
        for c in self.choices:
            if c.key == key:
                return c.label
        return key

    def keys(self) -> list[str]:
        return [c.key for c in self.choices]

    def labels(self) -> list[str]:
        return [c.label for c in self.choices]


@dataclass(frozen=True)
class Column:
    name: str
    label: str  # the Chinese header printed in templates and docs
    type: str
    required: bool = False
    aliases: tuple[str, ...] = ()
    enum: Enumeration | None = None
    ref: str | None = None  # table name for REF/REFS
    # REF/REFS only: the referenced row must have this ``level`` (e.g. "community").
    ref_level: str | None = None
    privacy: str = PUBLIC
    minimum: float | None = None
    maximum: float | None = None
    description: str = ""
    # Computed when the lists are published (a project's light, its rating counts ...),
    # never read from data: declared here so pages and downloads share one label.
    derived: bool = False
    # Staff merge a cell down over the rows it applies to (one community, one lead unit for
    # several rows): only these columns take the merged value on every row; elsewhere a
    # merge spanning data rows is reported, since its meaning is not certain.
    fill_down: bool = False
    # INTEGER percentages: 0.5 written without % means 50 (ledger.percent).
    percent: bool = False
    # DATE deadlines: 2026年12月底 is the month's last day, 长期 / 常态化 no deadline at all.
    deadline: bool = False
    # Read from another column's words when the list lacks this one (a status from 进展情况).
    inferred_from: str | None = None
    # Workbooks kept one sheet per subdistrict often lack the column: its value is then
    # the sheet's name, when that name is a subdistrict's (东街道, 西镇).
    from_sheet: bool = False
    # Derived name columns of the downloads: the column whose codes this column names
    # (社区名称 beside 社区); downloads place it right after that column.
    names: str | None = None

    @property
    def published(self) -> bool:
        return self.privacy != PRIVATE

    def spellings(self) -> tuple[str, ...]:
        return (self.name, self.label, *self.aliases)


@dataclass(frozen=True)
class Table:
    name: str
    label: str
    columns: tuple[Column, ...]
    key: str | None = None  # primary-key column
    required: bool = True  # must the table be present in data/
    aliases: tuple[str, ...] = ()  # file-name / sheet-name spellings
    description: str = ""
    derived: tuple[Column, ...] = ()  # published after the table's own columns (Column.derived)
    # What identifies a row when the list has no id column (ledger.stable_id), and the
    # prefix of such ids: staff number rows (序号), and row numbers change.
    identity: tuple[str, ...] = ()
    id_prefix: str = ""

    def column(self, name: str) -> Column:
        for c in (*self.columns, *self.derived):
            if c.name == name:
                return c
        raise KeyError(name)

    @property
    def published_columns(self) -> tuple[Column, ...]:
        """What the published list carries: public columns in declared order, then the derived ones."""
        return (*(c for c in self.columns if c.published), *self.derived)

    def header_lookup(self) -> dict[str, str]:
        table: dict[str, str] = {}
        for c in self.columns:
            for spelling in c.spellings():
                table[norm(spelling)] = c.name
        return table

    def spellings(self) -> tuple[str, ...]:
        return (self.name, self.label, *self.aliases)

    @property
    def private_columns(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns if c.privacy == PRIVATE)

    @property
    def text_columns(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns if c.privacy == TEXT)


# ---------------------------------------------------------------- enumerations

LEVEL = Enumeration(
    "level",
    (
        Choice("district", "区", ("区县", "县", "高新区", "开发区", "市辖区")),
        Choice("subdistrict", "街道", ("乡镇", "镇", "乡", "街道办事处")),
        Choice("community", "社区", ("村", "社区/村", "村/社区", "居委会", "村委会")),
        Choice("grid", "网格", ()),
    ),
)

CHANNEL = Enumeration(
    "channel",
    (
        Choice("visit", "入户走访", ("走访", "上门走访", "下基层", "入户")),
        Choice("hotline", "热线电话", ("热线", "12345", "电话")),
        Choice("mailbox", "意见箱", ("意见建议箱", "信箱")),
        Choice("meeting", "座谈会", ("议事会", "坝坝会", "院坝会", "恳谈会", "会议")),
        Choice("online", "网上留言", ("网络", "线上", "微信", "小程序", "网上")),
        Choice("grid", "网格员上报", ("网格", "网格员")),
        Choice("other", "其他", ("其它",)),
    ),
)

CATEGORY = Enumeration(
    "category",
    (
        Choice("space", "微空间", ("空间",)),
        Choice("service", "微服务", ("服务",)),
        Choice("environment", "微环境", ("环境",)),
        Choice("safety", "微安全", ("安全",)),
        Choice("facilities", "微设施", ("设施",)),
        Choice("culture", "微文化", ("文化",)),
        Choice("charity", "微公益", ("公益",)),
        Choice("governance", "微治理", ("治理",)),
        Choice("other", "其他", ("其它",)),
    ),
)

STAGE = Enumeration(
    "stage",
    (
        Choice("ordered", "群众点单", ("点单", "已登记", "已收集"), "居民提出需求，已登记"),
        Choice("opened", "社区开单", ("开单", "已开单"), "社区梳理后形成清单"),
        Choice("accepted", "共同接单", ("接单", "已接单", "已受理", "受理"), "责任单位认领"),
        Choice("deliberated", "民主议单", ("议单", "已议单", "已立项", "立项"), "经民主议事转为项目"),
        Choice("declined", "不予采纳", ("未采纳", "不采纳", "暂缓", "退回"), "须写明原因"),
    ),
)

HANDLING = Enumeration(
    "handling",
    (
        Choice("immediate", "立即办"),
        Choice("proactive", "主动办"),
        Choice("onsite", "上门办"),
        Choice("tracked", "跟踪办"),
        Choice("open", "公开办"),
        Choice("coordinated", "积极办", ("协调办",)),
    ),
)

STATUS = Enumeration(
    "status",
    (
        Choice("not_started", "未启动", ("未开始", "待启动", "尚未启动", "尚未开始", "待实施")),
        Choice(
            "in_progress",
            "推进中",
            (
                "按序时推进",
                "正常推进",
                "推进缓慢",
                "滞后",
                "进行中",
                "在建",
                "实施中",
                "办理中",
                "正在推进",
                "正在实施",
                "正在办理",
                "序时推进",
                "按计划推进",
                "有序推进",
                "已启动",
                "基本完成",
                "整改中",
            ),
        ),
        Choice(
            "completed",
            "已完成",
            ("提前完成", "已销号", "已办结", "完成", "办结", "销号", "已完成销号", "已整改", "整改完成", "已落实"),
        ),
        Choice("ongoing", "常态化", ("长期坚持", "持续整改", "常态化推进", "持续推进", "长期")),
        Choice("suspended", "暂停", ("已暂停", "缓办")),
        Choice("cancelled", "已终止", ("终止", "取消", "已取消", "撤销")),
    ),
)

RATING_3 = Enumeration(
    "rating",
    (
        Choice("satisfied", "满意", ("好", "很好")),
        Choice("basic", "基本满意", ("较满意", "一般", "比较满意")),
        Choice("unsatisfied", "不满意", ("差", "不太满意")),
        Choice("unknown", "不了解", ("不清楚", "不知道"), "不计入满意率的分母"),
    ),
)

RATING_5 = Enumeration(
    "rating",
    (
        Choice("very_satisfied", "非常满意", ("很满意",)),
        Choice("satisfied", "满意", ()),
        Choice("basic", "基本满意", ("一般", "较满意")),
        Choice("unsatisfied", "不满意", ("不太满意",)),
        Choice("very_unsatisfied", "非常不满意", ("很不满意",)),
        Choice("unknown", "不了解", ("不清楚", "不知道"), "不计入满意率的分母"),
    ),
)

# Which rating keys count as satisfied for each scale; "unknown" is never in the denominator.
RATING_SCALES: dict[str, tuple[Enumeration, tuple[str, ...]]] = {
    "three": (RATING_3, ("satisfied", "basic")),
    "five": (RATING_5, ("very_satisfied", "satisfied", "basic")),
}

# The supervision light of a project (aggregate.project_info decides it), published with
# the rectification list as the derived column ``status_light``.
LIGHT = Enumeration(
    "light",
    (
        Choice("red", "红灯", (), "超期；落后序时进度超过红灯落后百分点；或已完成但满意率低于门槛尚未整改"),
        Choice("yellow", "黄灯", (), "临期；落后黄灯至红灯落后百分点；到期未启动；或超过报送周期未报送进度"),
        Choice("green", "绿灯", (), "按序时推进，或已完成且评价达标（阈值见站点设置）"),
    ),
)

BOOL_TRUE = ("是", "公开", "y", "yes", "true", "1", "√", "✓")
BOOL_FALSE = ("否", "不公开", "n", "no", "false", "0", "×", "")

# ---------------------------------------------------------------- tables

AREAS = Table(
    "areas",
    "区域",
    (
        Column("id", "编号", STRING, True, ("代码", "区划代码", "ID"), description="区域的唯一编号"),
        Column("name", "名称", STRING, True, ("区域名称", "街道/社区", "名字")),
        Column("level", "层级", ENUM, True, ("级别", "类型"), enum=LEVEL),
        Column(
            "parent",
            "上级",
            REF,
            False,
            ("上级编号", "所属街道", "所属区域"),
            ref="areas",
            description="区以外必填；按街道分工作表时可不填，取工作表名",
            fill_down=True,
            from_sheet=True,
        ),
        Column("households", "户数", INTEGER, False, ("总户数",), minimum=0),
        Column("residents", "人口", INTEGER, False, ("常住人口", "居民数", "人数"), minimum=0),
        # Where a resident of the community speaks up (shown on its page and its projects').
        Column("office_phone", "社区办公电话", STRING, False, ("社区电话", "办公电话", "值班电话"), privacy=CONTACT,
               description="社区（村）的公开办公电话"),
        Column("office_address", "社区办公地址", STRING, False, ("办公地址", "社区地址", "党群服务中心地址"),
               privacy=CONTACT, description="社区党群服务中心等办公地点"),
        Column("grid_worker", "网格员", STRING, False, ("网格员姓名", "专职网格员"), privacy=CONTACT,
               description="公开的网格员姓名（工作身份，不是居民个人信息）"),
        Column("grid_worker_phone", "网格员电话", STRING, False, ("网格员联系电话", "网格员手机"), privacy=CONTACT,
               description="网格员的公开工作电话"),
    ),
    key="id",
    derived=(
        Column("parent_name", "上级名称", STRING, derived=True, names="parent", description="上级区域的名称"),
        Column("url", "网址", STRING, derived=True, description="街道或社区页面的地址；其他层级为空"),
    ),
    required=False,  # without it, the areas the lists name are taken as declared (declared.py)
    aliases=("区划", "社区名录", "area"),
    description="区、街道（乡镇）、社区（村）与网格，一行一个。",
)

UNITS = Table(
    "units",
    "责任单位",
    (
        Column("id", "编号", STRING, True, ("单位编号", "代码", "ID")),
        Column("name", "单位名称", STRING, True, ("名称", "部门", "部门名称", "单位")),
        Column("kind", "单位类别", STRING, False, ("类别", "性质"), fill_down=True),
        Column(
            "paired_communities",
            "结对社区",
            REFS,
            False,
            ("联系社区", "包联社区", "结对村（社区）", "结对村"),
            ref="areas",
            ref_level="community",
            description="党支部结对的社区，多个用顿号分隔",
        ),
        Column("hotline", "服务电话", STRING, False, ("热线", "咨询电话", "投诉电话", "单位电话"), privacy=CONTACT,
               description="单位公开的咨询、投诉电话"),
    ),
    key="id",
    derived=(
        Column(
            "paired_community_names",
            "结对社区名称",
            STRING,
            derived=True,
            names="paired_communities",
            description="结对社区的名称，用顿号分隔",
        ),
        Column("url", "网址", STRING, derived=True, description="单位页面的地址"),
    ),
    required=False,  # without it, the units the projects name are taken as declared
    aliases=("部门", "单位", "部门名录", "unit"),
    description="牵头或参与办理的部门、单位。",
)

DEMANDS = Table(
    "demands",
    "需求清单",
    (
        Column("id", "编号", STRING, True, ("需求编号", "ID")),
        Column(
            "seq",
            "序号",
            STRING,
            False,
            ("排序",),
            privacy=PRIVATE,
            description="不发布；没有编号列时，编号按社区、收集日期和需求内容生成",
        ),
        Column(
            "community",
            "社区",
            REF,
            True,
            ("社区/村", "所属社区", "村（社区）"),
            ref="areas",
            ref_level="community",
            fill_down=True,
        ),
        Column("received", "收集日期", DATE, True, ("日期", "登记日期", "收集时间", "反映时间", "反映日期")),
        Column("channel", "收集渠道", ENUM, False, ("渠道", "来源", "反映渠道", "反映方式"), enum=CHANNEL),
        Column("category", "类别", ENUM, False, ("领域", "分类", "八微类别"), enum=CATEGORY),
        Column(
            "summary",
            "需求内容",
            STRING,
            True,
            ("内容", "诉求", "需求摘要", "问题", "诉求内容", "反映内容", "群众诉求"),
            privacy=TEXT,
        ),
        Column("stage", "办理阶段", ENUM, True, ("阶段", "状态", "四单环节", "办理状态"), enum=STAGE),
        Column(
            "decline_reason",
            "未采纳原因",
            STRING,
            False,
            ("原因", "说明"),
            privacy=TEXT,
            description="办理阶段为不予采纳时必填",
        ),
        Column("project", "转化项目", REF, False, ("项目编号", "对应项目"), ref="projects"),
        Column("resident_name", "群众姓名", STRING, False, ("姓名", "反映人", "联系人"), privacy=PRIVATE),
        Column("resident_phone", "联系电话", STRING, False, ("电话", "手机", "手机号"), privacy=PRIVATE),
        Column(
            "resident_address",
            "详细地址",
            STRING,
            False,
            ("地址", "住址", "家庭住址"),
            privacy=PRIVATE,
        ),
        Column("resident_id_number", "身份证号", STRING, False, ("身份证", "证件号码"), privacy=PRIVATE),
        Column("remarks", "备注", STRING, False, ("备注说明",), privacy=PRIVATE, description="内部备注，不发布"),
    ),
    key="id",
    identity=("community", "received", "summary"),
    id_prefix="D",
    derived=(
        Column("community_name", "社区名称", STRING, derived=True, names="community", description="社区的名称"),
        Column("project_title", "转化项目名称", STRING, derived=True, names="project", description="转化项目的名称"),
    ),
    required=False,
    aliases=("需求", "民意民盼台账", "群众需求", "demand"),
    description="居民提出的需求，一行一条。居民个人信息列只用于内部核对，永不发布。",
)

PROJECTS = Table(
    "projects",
    "整改清单",
    (
        Column("id", "编号", STRING, True, ("项目编号", "ID")),
        Column(
            "seq",
            "序号",
            STRING,
            False,
            ("排序",),
            privacy=PRIVATE,
            description="不发布；没有编号列时，编号按社区和项目名称生成",
        ),
        Column(
            "title",
            "项目名称",
            STRING,
            True,
            ("名称", "实事名称", "事项名称", "整改事项", "实事项目", "问题名称"),
            privacy=TEXT,
        ),
        Column(
            "subdistrict",
            "所属街道",
            REF,
            False,
            ("街道", "乡镇", "街道（乡镇）", "所属乡镇", "所属街道（乡镇）"),
            ref="areas",
            ref_level="subdistrict",
            description="可不填；按街道分工作表时取工作表名",
            fill_down=True,
            from_sheet=True,
        ),
        Column(
            "communities",
            "社区",
            REFS,
            True,
            ("社区/村", "所在社区", "涉及社区", "村（社区）", "所属社区", "社区（村）"),
            ref="areas",
            ref_level="community",
            description="一个或多个社区，用顿号分隔",
            fill_down=True,
        ),
        Column("category", "类别", ENUM, False, ("领域", "分类", "八微类别"), enum=CATEGORY),
        Column("handling", "办理方式", ENUM, False, ("六办", "工作法"), enum=HANDLING),
        Column("lead_unit", "牵头单位", REF, True, ("责任单位", "主责单位", "牵头部门"), ref="units", fill_down=True),
        Column("partner_units", "配合单位", REFS, False, ("协办单位", "参与单位"), ref="units"),
        Column(
            "leader",
            "领办人",
            STRING,
            True,
            ("责任领导", "责任人", "领办领导"),
            description="领办干部姓名（公职人员，按规定公开）",
        ),
        Column(
            "measures",
            "主要举措",
            STRING,
            False,
            ("举措", "主要内容", "整改措施", "工作措施", "具体措施", "整改内容"),
            privacy=TEXT,
        ),
        Column("start", "开始日期", DATE, False, ("启动时间", "开始时间", "启动日期"), description="不知道可空"),
        Column(
            "deadline",
            "完成时限",
            DATE,
            False,
            ("时限", "截止日期", "计划完成时间", "完成时间", "计划完成时限", "整改时限"),
            description="可写 2026年12月底；常态化项目可空或写“长期”",
            deadline=True,
        ),
        Column(
            "status",
            "状态",
            ENUM,
            False,
            ("进展状态", "推进状态", "项目状态", "完成状态"),
            enum=STATUS,
            description="没有这一列时按“进展情况”推断",
            inferred_from="progress_note",
        ),
        Column(
            "signed_off",
            "是否销号",
            BOOLEAN,
            False,
            ("销号",),
            description="状态写“已销号”时可不填",
            inferred_from="status",
        ),
        Column(
            "progress",
            "完成比例",
            INTEGER,
            False,
            ("进度", "完成进度", "进度（%）", "完成率"),
            minimum=0,
            maximum=100,
            description="0–100，可写 80、80% 或 0.8",
            percent=True,
        ),
        Column(
            "progress_note",
            "进展情况",
            STRING,
            False,
            ("完成情况", "最新进展", "推进情况", "工作进展", "进展"),
            privacy=TEXT,
            description="项目最新进展，显示在项目页面",
        ),
        Column(
            "demands",
            "对应需求",
            REFS,
            False,
            ("需求编号", "来源需求"),
            ref="demands",
        ),
        Column("remarks", "备注", STRING, False, ("备注说明",), privacy=PRIVATE, description="内部备注，不发布"),
    ),
    key="id",
    identity=("communities", "title"),
    id_prefix="P",
    aliases=("项目", "项目清单", "民生实事台账", "project"),
    description="由需求转化的实事项目，一行一个。",
    derived=(
        Column(
            "status_light", "亮灯", STRING, enum=LIGHT, derived=True, description="、".join(LIGHT.labels()) + "或空"
        ),
        Column("light_reason", "亮灯原因", STRING, derived=True, description="亮灯的全部原因，用“；”分隔"),
        Column("last_report", "最近进度报送", DATE, derived=True, description="进度纪实中最近一次报送的日期"),
        Column("overdue_days", "超期天数", INTEGER, derived=True, description="数据截止日期时超过完成时限的天数"),
        Column("ratings", "有效评价数", INTEGER, derived=True, description="不含“不了解”"),
        Column("satisfied", "满意及基本满意数", INTEGER, derived=True, description="计入满意率分子的评价数"),
        Column("url", "网址", STRING, derived=True, description="项目页面的地址"),
        Column(
            "subdistrict_name",
            "所属街道名称",
            STRING,
            derived=True,
            names="subdistrict",
            description="街道的名称；未填所属街道时按社区所属街道",
        ),
        Column(
            "community_names",
            "社区名称",
            STRING,
            derived=True,
            names="communities",
            description="社区的名称，用顿号分隔",
        ),
        Column("lead_unit_name", "牵头单位名称", STRING, derived=True, names="lead_unit", description="牵头单位的名称"),
        Column(
            "partner_unit_names",
            "配合单位名称",
            STRING,
            derived=True,
            names="partner_units",
            description="配合单位的名称，用顿号分隔",
        ),
    ),
)

PROGRESS = Table(
    "progress",
    "进度纪实",
    (
        Column("project", "项目编号", REF, True, ("项目", "编号"), ref="projects"),
        Column("date", "日期", DATE, True, ("报送日期", "时间")),
        Column("note", "进展情况", STRING, True, ("进展", "情况", "内容"), privacy=TEXT),
        Column("progress", "完成比例", INTEGER, False, ("进度",), minimum=0, maximum=100),
    ),
    aliases=("进度", "进度纪实台账", "进展"),
    required=False,
    description="按月或按周报送的项目进展。",
    derived=(
        Column(
            "title", PROJECTS.column("title").label, STRING, derived=True, names="project", description="所属项目的名称"
        ),
    ),
)

RESULTS = Table(
    "results",
    "结果清单",
    (
        Column("project", "项目编号", REF, True, ("项目", "编号"), ref="projects"),
        Column("completed", "完成日期", DATE, True, ("办结日期", "完成时间")),
        Column("outcome", "办理成效", STRING, True, ("成效", "完成情况", "办理结果"), privacy=TEXT),
        Column("signed_off", "销号日期", DATE, False, ("销号时间",)),
        Column("evidence", "佐证材料", STRING, False, ("佐证", "附件"), privacy=TEXT),
        # 限时整改: optional; without them the portal derives the follow-up from the ratings.
        Column(
            "reopened",
            "整改开始日期",
            DATE,
            False,
            ("重新整改日期",),
            description="满意率未达标、重新整改的日期；空则按评价自动判断",
        ),
        Column("fix_deadline", "整改期限", DATE, False, ("整改时限",), description="空则为整改开始日期加整改时限天数"),
        Column("fixed", "整改完成日期", DATE, False, ("整改完成时间",), description="此日期之后的评价为复评"),
        Column("fix_note", "整改情况", STRING, False, ("整改说明",), privacy=TEXT),
    ),
    key="project",
    aliases=("结果", "成果清单", "result"),
    required=False,
    description="已完成项目的结果与销号，一个项目一行。",
    # The project's own columns, repeated so the downloaded list reads on its own.
    derived=(
        Column("title", PROJECTS.column("title").label, STRING, derived=True, description="所属项目的名称"),
        # Names, keyed and labelled as the projects list's name columns (its 社区 and 牵头单位
        # hold codes): a results row joins to its project by 项目编号.
        *(
            Column(c.name, c.label, STRING, derived=True, description=c.description)
            for c in map(PROJECTS.column, ("community_names", "lead_unit_name"))
        ),
    ),
)

FEEDBACK = Table(
    "feedback",
    "满意度评价",
    (
        Column("project", "项目编号", REF, True, ("项目", "编号"), ref="projects"),
        Column("date", "评价日期", DATE, True, ("日期",)),
        Column("rating", "评价", ENUM, True, ("满意度", "评价结果"), enum=RATING_3, description="按站点设置的评价等级"),
        Column("comment", "意见", STRING, False, ("留言", "评价意见", "意见建议"), privacy=TEXT),
        Column("comment_public", "意见公开", BOOLEAN, False, ("是否公开", "公开")),
        Column("resident_name", "评价人", STRING, False, ("姓名",), privacy=PRIVATE),
        Column("resident_phone", "联系电话", STRING, False, ("电话", "手机"), privacy=PRIVATE),
    ),
    aliases=("满意度", "评价", "群众评价", "rating", "ratings"),
    required=False,
    description="居民对项目结果的评价，一行一条。",
)

TABLES: tuple[Table, ...] = (AREAS, UNITS, DEMANDS, PROJECTS, PROGRESS, RESULTS, FEEDBACK)
TABLES_BY_NAME: dict[str, Table] = {t.name: t for t in TABLES}


def table_for_name(stem: str) -> Table | None:
    """Which table a file or sheet name stands for (``projects``, ``整改清单`` ...)."""
    key = norm(stem)
    for t in TABLES:
        if any(key == norm(s) for s in t.spellings()):
            return t
    # "projects-2026", "需求清单（第三季度）": a known name followed by anything else.
    for t in TABLES:
        for s in sorted(t.spellings(), key=len, reverse=True):
            if key.startswith(norm(s)) and len(norm(s)) >= 2:
                return t
    return None


def ratings_table(enum: Enumeration) -> Table:
    """满意度汇总, the published form of the ratings: per project, the count of each level
    of the configured scale, never a rater's row."""
    counts = tuple(
        Column(f"count_{c.key}", f"{c.label}数", INTEGER, derived=True, description=f"评价为“{c.label}”的条数")
        for c in enum.choices
    )
    return Table(
        "ratings",
        "满意度汇总",
        (Column("project", "项目编号", REF, True, ref="projects"),),
        key="project",
        required=False,
        description="每个项目的评价按等级计数与满意率；不公开单条评价。",
        derived=(
            Column(
                "title", PROJECTS.column("title").label, STRING, derived=True, names="project", description="项目名称"
            ),
            *counts,
            PROJECTS.column("ratings"),
            PROJECTS.column("satisfied"),
            Column(
                "rate",
                "满意率（%）",
                NUMBER,
                derived=True,
                description="满意及基本满意数 ÷ 有效评价数，保留一位小数；有效评价少于最少评价数时为空（样本不足）",
            ),
            # A project reopened for 限时整改 shows its original ratings and its re-rating
            # (复评) apart: these make both of the project page's figures from the file.
            Column(
                "fixed",
                RESULTS.column("fixed").label,
                DATE,
                derived=True,
                description="限时整改完成的日期，此后的评价为复评；未整改过为空",
            ),
            Column(
                "rerated_ratings",
                "复评有效评价数",
                INTEGER,
                derived=True,
                description="整改完成后的有效评价数（已计入有效评价数）；原评价 = 有效评价数 − 复评有效评价数",
            ),
            Column(
                "rerated_satisfied",
                "复评满意数",
                INTEGER,
                derived=True,
                description="整改完成后的满意及基本满意数（已计入满意及基本满意数）",
            ),
            Column(
                "rerated_rate",
                "复评满意率（%）",
                NUMBER,
                derived=True,
                description="复评满意数 ÷ 复评有效评价数，保留一位小数；未整改或复评少于最少评价数时为空",
            ),
        ),
    )


def feedback_table(scale: str, base: Table | None = None) -> Table:
    """The feedback table (``base``, by default FEEDBACK) with the rating enumeration of
    the configured scale."""
    base = FEEDBACK if base is None else base
    enum = RATING_SCALES[scale][0]
    cols = tuple(Column(**{**c.__dict__, "enum": enum}) if c.name == "rating" else c for c in base.columns)
    return Table(**{**base.__dict__, "columns": cols})


# ---------------------------------------------------------------- site settings

RATING_SCALE = Enumeration(
    "rating_scale",
    (
        Choice("three", "三级", ("3", "三"), "满意、基本满意、不满意（另可选不了解）"),
        Choice("five", "五级", ("5", "五"), "非常满意、满意、基本满意、不满意、非常不满意（另可选不了解）"),
    ),
)


# Which projects get a share image of their own (exports/images.py); the rest share their
# community's. A card costs ~3 ms: "all" suits a district, not a city (README, For media),
# so "auto" (site/media.py share_scope) is "all" up to AUTO_ALL_PROJECTS projects.
AUTO_ALL_PROJECTS = 2000
SHARE_IMAGES = Enumeration(
    "share_images",
    (
        Choice(
            "auto",
            "自动",
            ("自动",),
            f"项目不超过 {AUTO_ALL_PROJECTS} 个时每个社区和项目各一张分享图，更多时仅社区（构建不致过慢）",
        ),
        Choice("communities", "仅社区", ("社区",), "每个社区一张分享图，项目页面使用所在社区的分享图"),
        Choice("red", "社区和红灯项目", ("红灯",), "另为每个红灯项目生成分享图"),
        Choice("all", "社区和全部项目", ("全部",), "另为每个项目生成分享图（项目多时构建变慢）"),
    ),
)


@dataclass(frozen=True)
class Setting:
    """One entry of site.yaml, as declared on a :class:`SiteSettings` field."""

    name: str
    label: str
    type: str
    required: bool = False
    default: object = None
    description: str = ""
    enum: Enumeration | None = None
    maximum: int | None = None  # integers: the largest value allowed (all are at least 1)
    aliases: tuple[str, ...] = ()  # other names accepted (e.g. a setting's former name)

    def spellings(self) -> tuple[str, ...]:
        return (self.name, self.label, *self.aliases)

    @property
    def integer_range(self) -> str:
        """The allowed integers, as the docs, init's comments and problems state them."""
        return "正整数" if self.maximum is None else f"1 到 {self.maximum} 的整数"


def _setting(
    label: str,
    type: str,
    default: Any = MISSING,
    description: str = "",
    enum: Enumeration | None = None,
    *,
    maximum: int | None = None,
    aliases: tuple[str, ...] = (),
) -> Any:
    """A :class:`SiteSettings` field: no default means the setting is required."""
    return field(
        default=default, metadata={"setting": (label, type, description, enum), "limits": (maximum, aliases)}
    )


@dataclass(frozen=True, slots=True)
class SiteSettings:
    """The site settings (site.yaml), declared once: each field is a setting with its type,
    Chinese label, default and description. :func:`validate.check_settings` parses the file
    into this object once; every stage reads its attributes, ``gongshi docs`` documents it,
    and digests hash all of its fields (a new setting is covered without further edits).

    ``as_of`` is None only when site.yaml lacks a valid one, which is an error: no build
    gets past validation without it.
    """

    name: str = _setting("门户名称", STRING, description="显示在每页顶部")
    district: str = _setting("区名称", STRING)
    as_of: dt.date | None = _setting("数据截止日期", DATE, description="页面上所有数字成立的日期")  # noqa: RUF009 (a field())
    base_url: str = _setting("网址", STRING, "", "完整网址，可带子路径，如 https://www.example.gov.cn/zl/bssh")
    contact: str = _setting("联系方式", STRING, "", "公开的办公电话或地址")
    icp: str = _setting("ICP备案号", STRING, "")
    police_filing: str = _setting("公安备案号", STRING, "")
    site_code: str = _setting("网站标识码", STRING, "")
    organizer: str = _setting("主办单位", STRING, "")
    rating_scale: str = _setting("评价等级", ENUM, "three", "居民评价的等级", RATING_SCALE)
    page_size: int = _setting("每页条数", INTEGER, 50, "清单分页时每页的行数", maximum=500)
    # Supervision lights and follow-up (aggregate.py): the rules the site states next to them.
    # 临期天数 (warning_days) was a separate setting that nothing used: the yellow light's
    # due window is the one place "due soon" is shown, so the old names still set it.
    light_due_days: int = _setting(
        "黄灯临期天数",
        INTEGER,
        15,
        "未完成项目距完成时限不超过这些天时亮黄灯",
        maximum=365,
        aliases=("warning_days", "临期天数"),
    )
    light_yellow_points: int = _setting(
        "黄灯落后百分点", INTEGER, 10, "完成比例落后序时进度达到这些百分点时亮黄灯；须小于红灯落后百分点", maximum=99
    )
    light_red_points: int = _setting(
        "红灯落后百分点", INTEGER, 30, "完成比例落后序时进度超过这些百分点时亮红灯", maximum=100
    )
    start_grace_days: int = _setting("未启动宽限天数", INTEGER, 30, "计划开始这些天后仍未启动时亮黄灯", maximum=365)
    report_cycle_days: int = _setting("报送周期天数", INTEGER, 31, "进度报送周期，按月报送为 31 天", maximum=366)
    stale_cycles: int = _setting("未报送周期数", INTEGER, 2, "超过这些个报送周期没有进度报送时亮黄灯", maximum=12)
    satisfaction_threshold: int = _setting(
        "满意率门槛", INTEGER, 80, "已完成项目满意率（%）低于此值时亮红灯并限时整改", maximum=100
    )
    min_sample: int = _setting("最少评价数", INTEGER, 5, "有效评价少于此数时满意率显示为样本不足")
    fix_days: int = _setting("整改时限天数", INTEGER, 15, "满意率跌破门槛后限时整改的天数", maximum=365)
    data_license: str = _setting(
        "数据许可",
        STRING,
        "CC-BY-4.0",
        "下载数据的许可协议（SPDX 标识，如 CC-BY-4.0、CC0-1.0），写入数据包和数据接口说明",
    )
    share_images: str = _setting("分享图范围", ENUM, "auto", "为哪些页面生成微信分享图", SHARE_IMAGES)
    # Speak up (我要反映): who takes residents' complaints and comments, printed on every
    # project and community page; published on purpose (privacy/mask.py allowed_in).
    office: str = _setting("受理部门", STRING, "", "受理居民意见和投诉的部门，如 区委办公室（督查室）")
    hotline: str = _setting("监督电话", STRING, "", "受理意见和投诉的公开电话")
    office_address: str = _setting("受理地址", STRING, "", "可当面反映的办公地址")
    office_hours: str = _setting("受理时间", STRING, "", "如 工作日 9:00–12:00、14:00–17:30")
    public_hotline: str = _setting("政务服务热线", STRING, "12345", "兜底的政务服务便民热线")
    publish_target: str = _setting(
        "发布目标", STRING, "", "gongshi publish 的默认目标：本机目录、用户@主机:/目录 或 s3://桶/前缀"
    )


def _declared_settings() -> tuple[Setting, ...]:
    out = []
    for f in fields(SiteSettings):
        label, type_, description, enum = f.metadata["setting"]
        maximum, aliases = f.metadata["limits"]
        required = f.default is MISSING
        default = None if required else f.default
        out.append(Setting(f.name, label, type_, required, default, description, enum, maximum, aliases))
    return tuple(out)


SETTINGS: tuple[Setting, ...] = _declared_settings()
# Settings published on purpose as contacts: their phone numbers and addresses are allowed
# in the output and not reported as personal data (privacy/mask.py).
CONTACT_SETTINGS: tuple[str, ...] = ("contact", "hotline", "office_address", "public_hotline")


# ---------------------------------------------------------------- labels for templates


class Labels:
    """Labels as plain attributes: ``labels.projects.deadline`` (a column, derived ones
    included), ``labels.values.status.completed`` (an enumerated value),
    ``labels.settings.as_of`` (a site setting).

    Templates read these on every row of a list; Jinja tries an attribute before an item,
    so a mapping would cost a failed attribute lookup each time (see catalog.Catalog).
    """

    __slots__ = ("__dict__",)

    def __init__(self, entries: Mapping[str, object]) -> None:
        self.__dict__.update(entries)

    def __repr__(self) -> str:
        return f"Labels({', '.join(self.__dict__)})"


# Every enumeration whose value labels templates may print. The rating labels are the
# five-level scale's, which include every three-level key with the same label.
ENUMERATIONS: tuple[Enumeration, ...] = (
    LEVEL,
    CHANNEL,
    CATEGORY,
    STAGE,
    HANDLING,
    STATUS,
    RATING_5,
    LIGHT,
    RATING_SCALE,
)


def _labels() -> Labels:
    entries: dict[str, object] = {t.name: Labels({c.name: c.label for c in (*t.columns, *t.derived)}) for t in TABLES}
    if {"values", "settings"} & set(entries):
        raise ValueError("a table named values or settings would hide a namespace of labels")
    entries["values"] = Labels({e.name: Labels({c.key: c.label for c in e.choices}) for e in ENUMERATIONS})
    entries["settings"] = Labels({s.name: s.label for s in SETTINGS})
    return Labels(entries)


LABELS = _labels()
