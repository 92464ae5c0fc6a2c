"""Small edits to a copy of a Gongshi project, for the property test of incremental builds.

A :class:`Project` is a folder holding ``data/``, ``content/``, ``theme/`` and a
``pelicanconf.py`` whose PATH and THEME point at those copies. Each edit in :data:`OPS` is
a function ``op(project, choice) -> str``: ``choice`` (any non-negative int, drawn by
Hypothesis) picks the target and the new value deterministically, so a failing sequence
shrinks to small choices; the returned text says what was done, in words a failure
message can show. Every edit leaves the data valid (a build must succeed), the way a
staff member would make it: a completed project gets its result row, a deleted project
takes its progress, result and feedback rows and the demands' links with it, a renamed
community or unit is renamed everywhere it is named.

Files keep their encoding (UTF-8, UTF-8 with BOM, GB18030) and line endings; Excel
files are edited with openpyxl.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import re
import shutil
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
SOURCES = ("data", "content", "theme", "pelicanconf.py")

# Status words as staff write them, synonyms included (schema.STATUS accepts them all).
STATUS_WORDS = (
    "未启动",
    "待启动",
    "正常推进",
    "滞后",
    "推进缓慢",
    "已完成",
    "提前完成",
    "已销号",
    "办结",
    "常态化",
    "持续推进",
    "暂停",
    "缓办",
    "已终止",
    "撤销",
)
COMPLETED_WORDS = frozenset({"已完成", "提前完成", "已销号", "办结"})
RATINGS = ("满意", "基本满意", "不满意")
STAGES = ("群众点单", "社区开单", "共同接单", "已受理", "民主议单", "不予采纳")
COMMUNITY_LEVELS = frozenset({"社区", "村", "community", "社区/村", "村/社区", "居委会", "村委会"})
SUBDISTRICT_LEVELS = frozenset({"街道", "乡镇", "镇", "乡", "街道办事处", "subdistrict"})
AS_OF_DATES = ("2026-06-30", "2026-07-31", "2026-11-15", "2026-11-20", "2026-12-31")


# ---------------------------------------------------------------- the project folder


@dataclass
class Project:
    """A writable copy of everything a build reads, and the states it went through."""

    root: Path
    history: list[dict[str, bytes]] = field(default_factory=list)  # the state before each edit
    steps: list[str] = field(default_factory=list)  # what each edit did
    counter: int = 0

    @classmethod
    def create(cls, data: Path, root: Path) -> Project:
        """``root`` gets a copy of ``data`` and of the repository's content, theme and
        Pelican settings (PATH and THEME are relative, so they point at the copies)."""
        root.mkdir(parents=True, exist_ok=True)
        shutil.copytree(data, root / "data")
        shutil.copytree(ROOT / "content", root / "content")
        shutil.copytree(ROOT / "theme", root / "theme")
        shutil.copy(ROOT / "pelicanconf.py", root / "pelicanconf.py")
        return cls(root)

    @property
    def data(self) -> Path:
        return self.root / "data"

    @property
    def settings(self) -> Path:
        return self.root / "pelicanconf.py"

    def log(self) -> str:
        return "\n".join(f"  {n}. {step}" for n, step in enumerate(self.steps, 1)) or "  (no edit yet)"

    def fresh(self) -> int:
        """A number not used before in this project: new ids, names and words."""
        self.counter += 1
        return self.counter

    def snapshot(self) -> dict[str, bytes]:
        out: dict[str, bytes] = {}
        for name in SOURCES:
            top = self.root / name
            for p in [top] if top.is_file() else sorted(top.rglob("*")):
                if p.is_file():
                    out[p.relative_to(self.root).as_posix()] = p.read_bytes()
        return out

    def restore(self, state: dict[str, bytes]) -> None:
        """Put every source file back as it was in ``state``; files added since go away."""
        for rel in set(self.snapshot()) - set(state):
            (self.root / rel).unlink()
        for rel, raw in state.items():
            path = self.root / rel
            if not path.exists() or path.read_bytes() != raw:
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_bytes(raw)

    # -- the lists
    def table(self, name: str) -> Table:
        return Table.read(self.data / f"{name}.csv")

    def areas(self, levels: frozenset[str] = COMMUNITY_LEVELS) -> list[tuple[str, str]]:
        """(id, name) of every area of these levels (by default communities and
        villages), in file order."""
        if (self.data / "areas.yaml").exists():
            rows = yaml.safe_load((self.data / "areas.yaml").read_text(encoding="utf-8"))
            return [(str(r["id"]), str(r["name"])) for r in rows if str(r.get("level")) in levels]
        t = self.table("areas")
        return [(r[t.col("id")], r[t.col("name")]) for r in t.rows if r[t.col("level")] in levels]

    def communities(self) -> list[tuple[str, str]]:
        return self.areas(COMMUNITY_LEVELS)

    def set_households(self, area: str, value: int) -> bool:
        path = self.data / "areas.yaml"
        if path.exists():  # edited as text: the file's comments stay
            text = path.read_text(encoding="utf-8")
            block = re.compile(rf"^- id: {re.escape(area)}\n(?:  .*\n)*?  households: \d+$", re.M)
            found = block.search(text)
            if found is None:
                return False
            head = found.group(0).rsplit(" ", 1)[0]
            path.write_text(text[: found.start()] + f"{head} {value}" + text[found.end() :], encoding="utf-8")
            return True
        t = self.table("areas")
        t.set(t.column("id").index(area), "households", str(value))
        t.save()
        return True

    def units(self) -> list[tuple[str, str]]:
        """(id, name) of every unit, from units.csv or units.xlsx."""
        if (self.data / "units.csv").exists():
            t = self.table("units")
            return [(r[t.col("编号")], r[t.col("单位名称")]) for r in t.rows]
        from openpyxl import load_workbook

        ws = load_workbook(self.data / "units.xlsx").active
        rows = [r for r in ws.iter_rows(values_only=True)]
        head = next(n for n, r in enumerate(rows) if "编号" in r)
        i, j = rows[head].index("编号"), rows[head].index("单位名称")
        return [(str(r[i]), str(r[j])) for r in rows[head + 1 :] if r[i]]

    def set_parent(self, area: str, parent: str) -> None:
        path = self.data / "areas.yaml"
        if path.exists():
            text = path.read_text(encoding="utf-8")
            block = re.compile(rf"^- id: {re.escape(area)}\n(?:  .*\n)*?  parent: \S+$", re.M)
            found = block.search(text)
            assert found is not None, area
            head = found.group(0).rsplit(" ", 1)[0]
            path.write_text(text[: found.start()] + f"{head} {parent}" + text[found.end() :], encoding="utf-8")
            return
        t = self.table("areas")
        t.set(t.column("id").index(area), "parent", parent)
        t.save()

    def set_unit(self, uid: str, column: str, value: str) -> None:
        """Set one cell of a unit's row, in units.csv or units.xlsx."""
        if (self.data / "units.csv").exists():
            t = self.table("units")
            t.set(t.column("编号").index(uid), column, value)
            t.save()
            return
        from openpyxl import load_workbook

        wb = load_workbook(self.data / "units.xlsx")
        ws = wb.active
        rows = list(ws.iter_rows())
        head = next(r for r in rows if any(c.value == "编号" for c in r))
        i = next(c.column for c in head if c.value == "编号")
        j = next(c.column for c in head if c.value == column)
        row = next(r for r in rows if ws.cell(r[0].row, i).value == uid)
        ws.cell(row[0].row, j).value = value or None
        wb.save(self.data / "units.xlsx")

    def replace_everywhere(self, old: str, new: str) -> None:
        """Replace a name in every data file, in CSV, YAML and Excel alike."""
        for path in sorted(self.data.iterdir()):
            if path.suffix == ".xlsx":
                from openpyxl import load_workbook

                wb = load_workbook(path)
                changed = False
                for ws in wb.worksheets:
                    for row in ws.iter_rows():
                        for cell in row:
                            if isinstance(cell.value, str) and old in cell.value:
                                cell.value = cell.value.replace(old, new)
                                changed = True
                if changed:
                    wb.save(path)
            elif path.is_file():
                raw = path.read_bytes()
                encoding = detect_encoding(raw)
                text = raw.decode(encoding)
                if old in text:
                    path.write_bytes(text.replace(old, new).encode(encoding))

    def data_text(self) -> str:
        """All data as text (Excel cells included), to check a new name is unused."""
        parts = []
        for path in sorted(self.data.iterdir()):
            if path.suffix == ".xlsx":
                from openpyxl import load_workbook

                wb = load_workbook(path, read_only=True)
                parts += [str(v) for ws in wb.worksheets for r in ws.iter_rows(values_only=True) for v in r if v]
                wb.close()
            elif path.is_file():
                raw = path.read_bytes()
                parts.append(raw.decode(detect_encoding(raw)))
        return "\n".join(parts)

    def site_setting(self, key: str, value: str) -> str:
        """Set one top-level key of site.yaml, keeping its comments; returns the old value."""
        path = self.data / "site.yaml"
        text = path.read_text(encoding="utf-8")
        pattern = re.compile(rf"^{key}:[ \t]*(.*)$", re.M)
        found = pattern.search(text)
        if found is None:
            text = text.rstrip("\n") + f"\n{key}: {value}\n"
            old = ""
        else:
            old = found.group(1)
            text = text[: found.start()] + f"{key}: {value}" + text[found.end() :]
        path.write_text(text, encoding="utf-8")
        return old


def detect_encoding(raw: bytes) -> str:
    if raw.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError:
        return "gb18030"
    return "utf-8"


@dataclass
class Table:
    """One CSV list, read and written back in its own encoding and line endings."""

    path: Path
    header: list[str]
    rows: list[list[str]]
    encoding: str
    newline: str

    @classmethod
    def read(cls, path: Path) -> Table:
        raw = path.read_bytes()
        encoding = detect_encoding(raw)
        text = raw.decode(encoding)
        rows = list(csv.reader(io.StringIO(text, newline="")))
        return cls(path, rows[0], rows[1:], encoding, "\r\n" if "\r\n" in text[:4000] else "\n")

    def col(self, name: str) -> int:
        return self.header.index(name)

    def get(self, n: int, column: str) -> str:
        return self.rows[n][self.col(column)]

    def set(self, n: int, column: str, value: str) -> None:
        self.rows[n][self.col(column)] = value

    def column(self, name: str) -> list[str]:
        j = self.col(name)
        return [r[j] for r in self.rows]

    def find(self, column: str, value: str) -> int | None:
        values = self.column(column)
        return values.index(value) if value in values else None

    def append(self, values: dict[str, str]) -> None:
        unknown = set(values) - set(self.header)
        assert not unknown, (self.path.name, unknown)
        self.rows.append([values.get(h, "") for h in self.header])

    def save(self) -> None:
        out = io.StringIO(newline="")
        csv.writer(out, lineterminator=self.newline).writerows([self.header, *self.rows])
        self.path.write_bytes(out.getvalue().encode(self.encoding))


def parse_date(text: str) -> dt.date | None:
    m = re.fullmatch(r"\s*(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?\s*", text)
    if not m:
        return None
    try:
        return dt.date(*map(int, m.groups()))
    except ValueError:
        return None


def pick(items: list, choice: int):
    return items[choice % len(items)]


# ---------------------------------------------------------------- edits of the lists


def _project(p: Project, choice: int) -> tuple[Table, int, str]:
    t = p.table("projects")
    n = choice % len(t.rows)
    return t, n, t.get(n, "编号")


def _ensure_result(p: Project, pid: str, start: str) -> bool:
    """A completed project needs its result row (validate: completed-without-result)."""
    results = p.table("results")
    if results.find("项目编号", pid) is not None:
        return False
    results.append({"项目编号": pid, "完成日期": start, "办理成效": "按期完成，群众反映良好。", "销号日期": ""})
    results.save()
    return True


def project_status(p: Project, choice: int) -> str:
    t, n, pid = _project(p, choice)
    word = STATUS_WORDS[(choice // 7) % len(STATUS_WORDS)]
    old = t.get(n, "状态")
    t.set(n, "状态", word)
    t.save()
    added = word in COMPLETED_WORDS and _ensure_result(p, pid, t.get(n, "开始日期"))
    return f"{pid} 状态 {old} → {word}" + ("（补结果清单一行）" if added else "")


def project_percentage(p: Project, choice: int) -> str:
    t, n, pid = _project(p, choice)
    value = "" if choice % 11 == 10 else str((choice // 3) % 101)
    t.set(n, "完成比例", value)
    t.save()
    return f"{pid} 完成比例 → {value!r}"


def project_deadline(p: Project, choice: int) -> str:
    t, n, pid = _project(p, choice)
    start = parse_date(t.get(n, "开始日期")) or dt.date(2026, 1, 1)
    value = "" if choice % 9 == 8 else (start + dt.timedelta(days=(choice // 3) % 500)).isoformat()
    t.set(n, "完成时限", value)
    t.save()
    return f"{pid} 完成时限 → {value!r}"


def progress_entry(p: Project, choice: int) -> str:
    """A new row in the progress log (GB18030 in the demo data)."""
    t, n, pid = _project(p, choice)
    k = p.fresh()
    log = p.table("progress")
    percent = str((choice // 5) % 101)
    log.append(
        {"项目编号": pid, "日期": t.get(n, "开始日期"), "进展情况": f"第{k}次报送：完成阶段性工作", "完成比例": percent}
    )
    log.save()
    return f"进度纪实新增 {pid} {percent}%（{log.encoding}）"


def project_moves(p: Project, choice: int) -> str:
    t, n, pid = _project(p, choice)
    ids = [c for c, _ in p.communities()]
    first = pick(ids, choice // 3)
    value = first if choice % 4 else "、".join(dict.fromkeys([first, pick(ids, choice // 5 + 1)]))
    old = t.get(n, "社区")
    t.set(n, "社区", value)
    t.save()
    return f"{pid} 社区 {old} → {value}"


def project_added(p: Project, choice: int) -> str:
    t = p.table("projects")
    k = p.fresh()
    pid = f"P9{k:04d}"
    community = pick([c for c, _ in p.communities()], choice)
    unit = pick([u for u, _ in p.units()], choice // 3)
    t.append(
        {
            "编号": pid,
            "项目名称": f"新增便民服务点{k}",
            "社区": community,
            "类别": "微服务",
            "办理方式": "主动办",
            "牵头单位": unit,
            "领办人": "李明（副主任）",
            "主要举措": "设置便民服务点，每周两次上门服务。",
            "开始日期": "2026-03-01",
            "完成时限": "2026-12-31",
            "状态": "正常推进",
            "完成比例": str(choice % 101),
        }
    )
    t.save()
    return f"新增项目 {pid}（{community}，{unit}）"


def project_renumbered(p: Project, choice: int) -> str:
    """A project gets a new id, in every list that names it (its page moves)."""
    t, n, pid = _project(p, choice)
    new = f"{pid}R{p.fresh()}"
    t.set(n, "编号", new)
    t.save()
    for name, column in (
        ("progress", "项目编号"),
        ("results", "项目编号"),
        ("feedback", "项目编号"),
        ("demands", "转化项目"),
    ):
        other = p.table(name)
        j = other.col(column)
        hits = [r for r in other.rows if r[j] == pid]
        for r in hits:
            r[j] = new
        if hits:
            other.save()
    return f"项目编号 {pid} → {new}（所有清单）"


def project_deleted(p: Project, choice: int) -> str:
    """A project leaves with its progress, result and feedback rows and its demands' links."""
    t, n, pid = _project(p, choice)
    if len(t.rows) < 2:
        return "跳过：只剩一个项目"
    del t.rows[n]
    t.save()
    gone = []
    for name in ("progress", "results", "feedback"):
        other = p.table(name)
        before = len(other.rows)
        other.rows = [r for r in other.rows if r[other.col("项目编号")] != pid]
        if len(other.rows) != before:
            other.save()
            gone.append(f"{name} {before - len(other.rows)} 行")
    demands = p.table("demands")
    links = [r for r in demands.rows if r[demands.col("转化项目")] == pid]
    for r in links:
        r[demands.col("转化项目")] = ""
    if links:
        demands.save()
        gone.append(f"需求链接 {len(links)} 个")
    return f"删除项目 {pid}（连同 {'、'.join(gone) or '无其他行'}）"


def rating_added(p: Project, choice: int) -> str:
    t, n, pid = _project(p, choice)
    feedback = p.table("feedback")
    rating = RATINGS[(choice // 3) % len(RATINGS)]
    public = (choice // 9) % 3
    k = p.fresh()
    row = {"项目编号": pid, "评价日期": t.get(n, "开始日期"), "评价": rating}
    if public:
        row.update({"意见": f"第{k}条意见：办得不错", "意见公开": "是" if public == 1 else "否"})
    feedback.append(row)
    feedback.save()
    return f"新增评价 {pid} {rating}" + (f"，意见{'公开' if public == 1 else '不公开'}" if public else "")


def public_comment(p: Project, choice: int) -> str:
    feedback = p.table("feedback")
    if not feedback.rows:
        return rating_added(p, choice)
    n = choice % len(feedback.rows)
    k = p.fresh()
    if choice % 5 == 4:  # a published comment withdrawn
        feedback.set(n, "意见公开", "否")
        feedback.save()
        return f"评价第 {n + 2} 行意见改为不公开"
    feedback.set(n, "意见", f"希望尽快回访（{k}）")
    feedback.set(n, "意见公开", "是")
    feedback.save()
    return f"评价第 {n + 2} 行意见改写并公开"


def demand_stage(p: Project, choice: int) -> str:
    demands = p.table("demands")
    n = choice % len(demands.rows)
    stage = STAGES[(choice // 3) % len(STAGES)]
    old = demands.get(n, "办理阶段")
    demands.set(n, "办理阶段", stage)
    if stage == "不予采纳" and not demands.get(n, "未采纳原因"):
        demands.set(n, "未采纳原因", "不属于本级职责，已转交主管部门")
    demands.save()
    return f"需求 {demands.get(n, '编号')} 办理阶段 {old} → {stage}"


def demand_summary(p: Project, choice: int) -> str:
    demands = p.table("demands")
    n = choice % len(demands.rows)
    k = p.fresh()
    demands.set(n, "需求内容", f"希望在小区增设休闲座椅（第{k}次修改）")
    demands.save()
    return f"需求 {demands.get(n, '编号')} 需求内容改写"


def community_renamed(p: Project, choice: int) -> str:
    cid, name = pick(p.communities(), choice)
    k = p.fresh()
    suffix = next((s for s in ("社区", "村") if name.endswith(s)), "")
    new = f"{name[: len(name) - len(suffix)]}新{k}{suffix}"
    if new in p.data_text():
        return f"跳过：{new} 已存在"
    p.replace_everywhere(name, new)
    return f"社区 {cid} {name} → {new}（所有清单）"


def subdistrict_renamed(p: Project, choice: int) -> str:
    aid, name = pick(p.areas(SUBDISTRICT_LEVELS), choice)
    k = p.fresh()
    suffix = next((s for s in ("街道", "镇", "乡") if name.endswith(s)), "")
    new = f"{name[: len(name) - len(suffix)]}新{k}{suffix}"
    if new in p.data_text():
        return f"跳过：{new} 已存在"
    p.replace_everywhere(name, new)
    return f"街道 {aid} {name} → {new}（所有清单）"


def community_reparented(p: Project, choice: int) -> str:
    """A community moves to another subdistrict (its grids go with it)."""
    cid, _ = pick(p.communities(), choice)
    subdistricts = [a for a, _ in p.areas(SUBDISTRICT_LEVELS)]
    parent = pick(subdistricts, choice // 3)
    p.set_parent(cid, parent)
    return f"社区 {cid} 上级 → {parent}"


def households(p: Project, choice: int) -> str:
    areas = p.areas(COMMUNITY_LEVELS | SUBDISTRICT_LEVELS)
    aid, _ = pick(areas, choice)
    value = 300 + (choice // 3) % 9000
    if not p.set_households(aid, value):
        return f"跳过：{aid} 没有户数"
    return f"{aid} 户数 → {value}"


def unit_pairing(p: Project, choice: int) -> str:
    uid, _ = pick(p.units(), choice)
    ids = [c for c, _ in p.communities()]
    shape = choice % 3
    value = "" if shape == 0 else "、".join(dict.fromkeys([pick(ids, choice // 3), pick(ids, choice // 7)][:shape]))
    p.set_unit(uid, "结对社区", value)
    return f"单位 {uid} 结对社区 → {value!r}"


def demand_link(p: Project, choice: int) -> str:
    """A demand names a project (or none); one time in three the project lists it too."""
    demands = p.table("demands")
    n = choice % len(demands.rows)
    did = demands.get(n, "编号")
    projects = p.table("projects")
    m = (choice // 3) % (len(projects.rows) + 1)
    pid = projects.get(m - 1, "编号") if m else ""
    demands.set(n, "转化项目", pid)
    demands.save()
    if pid and choice % 3 == 0:
        listed = [d for d in projects.get(m - 1, "对应需求").split("、") if d]
        if did not in listed:
            projects.set(m - 1, "对应需求", "、".join([*listed, did]))
            projects.save()
            return f"需求 {did} 转化项目 → {pid}，{pid} 对应需求加上 {did}"
    return f"需求 {did} 转化项目 → {pid!r}"


def result_edit(p: Project, choice: int) -> str:
    results = p.table("results")
    if not results.rows:
        return "跳过：结果清单为空"
    n = choice % len(results.rows)
    pid = results.get(n, "项目编号")
    if choice % 2:
        results.set(n, "销号日期", "" if choice % 4 == 1 else results.get(n, "完成日期"))
        what = f"销号日期 → {results.get(n, '销号日期')!r}"
    else:
        results.set(n, "办理成效", f"办理成效第{p.fresh()}次更新：群众反映良好。")
        what = "办理成效改写"
    results.save()
    return f"结果 {pid} {what}"


def rows_reordered(p: Project, choice: int) -> str:
    """The same rows in another order (staff sort their spreadsheets)."""
    name = pick(["projects", "demands", "feedback", "progress"], choice)
    t = p.table(name)
    if choice % 3 == 2:
        t.rows.reverse()
        how = "倒序"
    else:
        shift = 1 + (choice // 4) % max(1, len(t.rows) - 1)
        t.rows = t.rows[shift:] + t.rows[:shift]
        how = f"轮换 {shift} 行"
    t.save()
    return f"{name}.csv 行顺序{how}"


def list_reencoded(p: Project, choice: int) -> str:
    """The same list saved in another encoding or with other line endings (Excel's
    "save as" does both): the site must not change, however the inputs' bytes did."""
    name = pick(["projects", "demands", "feedback", "progress", "results"], choice)
    t = p.table(name)
    old = (t.encoding, t.newline)
    t.encoding = pick([e for e in ("utf-8", "utf-8-sig", "gb18030") if e != t.encoding], choice // 5)
    if choice % 2:
        t.newline = "\n" if t.newline == "\r\n" else "\r\n"
    t.save()
    return f"{name}.csv {old} → {(t.encoding, t.newline)}"


def list_emptied(p: Project, choice: int) -> str:
    """An optional list keeps its header and loses every row."""
    name = pick(["feedback", "progress"], choice)
    t = p.table(name)
    gone = len(t.rows)
    t.rows = []
    t.save()
    return f"{name}.csv 清空（{gone} 行）"


def unit_renamed(p: Project, choice: int) -> str:
    uid, name = pick(p.units(), choice)
    k = p.fresh()
    new = f"{name}（更名{k}）"
    if new in p.data_text():
        return f"跳过：{new} 已存在"
    p.replace_everywhere(name, new)
    return f"单位 {uid} {name} → {new}"


# ---------------------------------------------------------------- site settings


def as_of_date(p: Project, choice: int) -> str:
    value = pick(list(AS_OF_DATES), choice)
    old = p.site_setting("as_of", value)
    return f"site.yaml as_of {old} → {value}"


def page_size(p: Project, choice: int) -> str:
    small = len(p.table("projects").rows) < 50
    value = pick([2, 3, 5, 50] if small else [20, 50, 100], choice)
    old = p.site_setting("page_size", str(value))
    return f"site.yaml page_size {old} → {value}"


def site_text(p: Project, choice: int) -> str:
    """Other site.yaml settings: the rating scale, the yellow light's due window, the portal's name, contact."""
    key = pick(["rating_scale", "light_due_days", "name", "contact"], choice)
    if key == "rating_scale":
        value = pick(["three", "five"], choice // 4)
    elif key == "light_due_days":
        value = str(pick([7, 30, 90], choice // 4))
    else:
        value = f"区委办公室（第{p.fresh()}版）" if key == "contact" else f"办实事公示平台（第{p.fresh()}版）"
    old = p.site_setting(key, value)
    return f"site.yaml {key} {old} → {value}"


def pelican_setting(p: Project, choice: int) -> str:
    """Pelican's own settings: news pagination, the site name, where news articles live."""
    text = p.settings.read_text(encoding="utf-8")
    kind = choice % 3
    if kind == 1:
        value = pick([1, 2, 10], choice // 3)
        text = re.sub(r"^DEFAULT_PAGINATION = .*$", f"DEFAULT_PAGINATION = {value}", text, flags=re.M)
        what = f"DEFAULT_PAGINATION = {value}"
    elif kind == 2:
        folder = pick(["news", "articles", "xinwen"], choice // 3)
        text = re.sub(r'^ARTICLE_URL = "\w+/', f'ARTICLE_URL = "{folder}/', text, flags=re.M)
        text = re.sub(r'^ARTICLE_SAVE_AS = "\w+/', f'ARTICLE_SAVE_AS = "{folder}/', text, flags=re.M)
        what = f"ARTICLE_URL = {folder}/{{slug}}/"
    else:
        k = p.fresh()
        text = re.sub(r'^SITENAME = "(.*)"$', rf'SITENAME = "\g<1>{k}"', text, flags=re.M)
        what = f"SITENAME 加上 {k}"
    p.settings.write_text(text, encoding="utf-8")
    return f"pelicanconf.py {what}"


# ---------------------------------------------------------------- theme and content

_BLOCK = "{% block content %}{% autoescape true %}"
# (template, text after which the edit goes)
_TEMPLATE_SPOTS = (
    ("project.html", _BLOCK),
    ("_macros.html", '<nav class="crumbs" aria-label="{{ t.breadcrumb }}">'),
    ("community.html", _BLOCK),
    ("list_projects.html", _BLOCK),
    ("unit.html", _BLOCK),
    ("home.html", _BLOCK),
    ("base.html", "{% block content %}{% endblock %}"),
    ("_chrome_footer.html", ""),
    ("article.html", _BLOCK),
    ("page.html", _BLOCK),
)


def jinja_option(p: Project, choice: int) -> str:
    """An option of Pelican's Jinja environment (pelicanconf.py), which every template is
    compiled with (it once reached neither page digests nor the bytecode cache)."""
    option = pick(["lstrip_blocks", "trim_blocks"], choice)
    text = p.settings.read_text(encoding="utf-8")
    old = f'"{option}": True'
    if old in text:
        p.settings.write_text(text.replace(old, f'"{option}": False'), encoding="utf-8")
        return f"pelicanconf.py JINJA_ENVIRONMENT {option} → False"
    p.settings.write_text(text.replace(f'"{option}": False', old), encoding="utf-8")
    return f"pelicanconf.py JINJA_ENVIRONMENT {option} → True"


def template_edit(p: Project, choice: int) -> str:
    """A word added to a template (or, one time in four, a Jinja comment: no page changes)."""
    name, after = pick(list(_TEMPLATE_SPOTS), choice)
    k = p.fresh()
    insert = f"{{# 修订{k} #}}" if choice % 4 == 3 else f"<span hidden>修订{k}</span>"
    path = p.root / "theme" / "templates" / name
    text = path.read_text(encoding="utf-8")
    if after:
        assert after in text, (name, after)
        text = text.replace(after, after + insert, 1)
    else:
        text = text + insert + "\n"
    path.write_text(text, encoding="utf-8")
    return f"模板 {name} 加入 {insert}"


def stylesheet_edit(p: Project, choice: int) -> str:
    path = p.root / "theme" / "static" / "css" / "site.css"
    k = p.fresh()
    path.write_text(path.read_text(encoding="utf-8") + f"\n.edit-{k} {{ color: #{choice % 0xFFFFFF:06x}; }}\n", "utf-8")
    return "site.css 加一条规则"


def markdown_edit(p: Project, choice: int) -> str:
    files = sorted((p.root / "content").rglob("*.md"))
    path = pick(files, choice)
    k = p.fresh()
    text = path.read_text(encoding="utf-8")
    if choice % 3 == 2:
        text = re.sub(r"^Title: (.*)$", rf"Title: \g<1>（修订{k}）", text, count=1, flags=re.M)
        what = "标题"
    else:
        text = text.rstrip("\n") + f"\n\n第{k}次修订补充的说明。\n"
        what = "正文"
    path.write_text(text, encoding="utf-8")
    return f"{path.relative_to(p.root).as_posix()} 改{what}"


def news_added(p: Project, choice: int) -> str:
    k = p.fresh()
    day = dt.date(2026, 11, 1) + dt.timedelta(days=choice % 60)
    path = p.root / "content" / "news" / f"{day.isoformat()}-added-{k}.md"
    path.write_text(
        f"Title: 新闻{k}：办实事工作推进会召开\nDate: {day.isoformat()}\nSlug: added-{k}\n"
        f"Summary: 第{k}条新增新闻。\n\n推进会通报了各街道的办理情况。\n",
        encoding="utf-8",
    )
    return f"新增新闻 {path.name}"


def news_removed(p: Project, choice: int) -> str:
    files = sorted((p.root / "content" / "news").glob("*.md"))
    if not files:
        return "跳过：没有新闻可删"
    path = pick(files, choice)
    path.unlink()
    return f"删除新闻 {path.name}"


def revert(p: Project, choice: int) -> str:
    """Back to the state before an earlier edit (the history excludes this edit)."""
    earlier = p.history[:-1]
    if not earlier:
        return "跳过：没有更早的编辑"
    n = choice % len(earlier)
    p.restore(earlier[n])
    return f"撤回到第 {n + 1} 步编辑之前的状态"


Op = Callable[[Project, int], str]
OPS: tuple[Op, ...] = (
    jinja_option,
    project_status,
    project_percentage,
    project_deadline,
    progress_entry,
    project_moves,
    project_added,
    project_deleted,
    project_renumbered,
    rating_added,
    public_comment,
    demand_stage,
    demand_summary,
    community_renamed,
    subdistrict_renamed,
    community_reparented,
    households,
    unit_renamed,
    unit_pairing,
    demand_link,
    result_edit,
    rows_reordered,
    list_reencoded,
    list_emptied,
    as_of_date,
    page_size,
    site_text,
    pelican_setting,
    template_edit,
    stylesheet_edit,
    markdown_edit,
    news_added,
    news_removed,
    revert,
)
