"""Stage 2: check every cell and every cross-list rule; produce typed tables.

Pure functions over the string tables from :mod:`load`. Checks are column-wise and work on
each column's distinct values, so half a million ratings validate in about a second.
Every problem found is collected; nothing stops at the first one.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from .load import FILE, ROW, Loaded, LoadedTable
from .problems import Problem, Report
from .schema import (
    BOOL_FALSE,
    BOOL_TRUE,
    BOOLEAN,
    DATE,
    ENUM,
    INTEGER,
    LIST_SEPARATORS,
    NUMBER,
    RATING_SCALES,
    REF,
    REFS,
    SETTINGS,
    TABLES,
    Column,
    Table,
    feedback_table,
    norm,
)
from .slug import slugify

_DATE = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?(?:[ T]\d{1,2}:\d{2}(?::\d{2})?)?$")
_DATE_COMPACT = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
_SPLIT = re.compile("[" + re.escape(LIST_SEPARATORS) + r"\s]+")
_BAD_ID = re.compile(r"[/\\\x00-\x1f\x7f]|\.\.")


def parse_date(text: str) -> dt.date | None:
    """ISO and the common Chinese forms: 2023-06-30, 2023/6/30, 2023.6.30, 2023年6月30日."""
    t = unicodedata.normalize("NFKC", text).strip()
    m = _DATE.match(t) or _DATE_COMPACT.match(t)
    if not m:
        return None
    try:
        return dt.date(int(m[1]), int(m[2]), int(m[3]))
    except ValueError:
        return None


def parse_number(text: str) -> float | None:
    t = unicodedata.normalize("NFKC", text).strip().rstrip("%").replace(",", "").strip()
    try:
        value = float(t)
    except ValueError:
        return None
    return value if value == value and abs(value) != float("inf") else None


def split_refs(text: str) -> list[str]:
    return [p for p in _SPLIT.split(unicodedata.normalize("NFKC", text).strip()) if p]


@dataclass
class Validated:
    """Typed tables (private columns still present: privacy.py removes them)."""

    settings: dict[str, object]
    tables: dict[str, pd.DataFrame]
    report: Report
    files: dict[str, list[str]] = field(default_factory=dict)


class _Checker:
    def __init__(self, lt: LoadedTable, report: Report):
        self.lt = lt
        self.table = lt.table
        self.frame = lt.frame
        self.report = report

    def problem(self, code: str, idx, column: str | None, value: str = "", detail: str = "") -> None:
        file = self.frame.at[idx, FILE]
        row = int(self.frame.at[idx, ROW])
        header = self.lt.header(file, column) if column else ""
        self.report.add(Problem(code, file, row, header, str(value), detail))

    def bulk(self, code: str, mask: pd.Series, column: str, detail_for=None) -> None:
        """Report ``code`` for every row where mask is true."""
        if not mask.any():
            return
        sub = self.frame.loc[mask]
        values = sub[column].tolist() if column in sub else [""] * len(sub)
        # Columns, not .at per row: a million bad cells take seconds, not minutes.
        for file, row, value in zip(sub[FILE].tolist(), sub[ROW].tolist(), values, strict=True):
            header = self.lt.header(file, column) if column else ""
            detail = detail_for(value) if detail_for else ""
            self.report.add(Problem(code, file, int(row), header, str(value), detail))


def _map_unique(series: pd.Series, func) -> pd.Series:
    """Apply a Python function once per distinct value (columns repeat a lot)."""
    codes, uniques = pd.factorize(series, use_na_sentinel=False)
    mapped = np.empty(len(uniques), dtype=object)
    mapped[:] = [func(u) for u in uniques]
    return pd.Series(mapped[codes], index=series.index, dtype=object)


def check_columns(lt: LoadedTable, report: Report) -> pd.DataFrame:
    """Per-cell checks; returns a frame of typed values (None where empty or invalid)."""
    ck = _Checker(lt, report)
    frame = lt.frame
    # Blank rows carry nothing to publish: reported and excluded, never an error.
    cols = [c.name for c in lt.table.columns]
    blank = (frame[cols] == "").all(axis=1)
    for file, row in zip(frame.loc[blank, FILE].tolist(), frame.loc[blank, ROW].tolist(), strict=True):
        report.add(Problem("blank-row", file, int(row)))
        report.exclude(lt.table.name, file, int(row), "空行")
    frame = frame.loc[~blank]
    ck.frame = frame
    out = pd.DataFrame({FILE: frame[FILE], ROW: frame[ROW]}, index=frame.index)
    for col in lt.table.columns:
        s = frame[col.name]
        empty = s == ""
        if col.required:
            ck.bulk("missing-value", empty, col.name)
        out[col.name] = _typed(ck, col, s, empty)
    return out


def _typed(ck: _Checker, col: Column, s: pd.Series, empty: pd.Series) -> pd.Series:
    if col.type == DATE:
        parsed = _map_unique(s, parse_date)
        ck.bulk("invalid-date", ~empty & parsed.isna(), col.name)
        return parsed.where(~empty, None)
    if col.type in (INTEGER, NUMBER):
        parsed = _map_unique(s, parse_number)
        values = pd.to_numeric(parsed, errors="coerce").to_numpy(dtype=float)
        bad = ~empty & parsed.isna()
        ck.bulk("type-error", bad, col.name)
        ok = (~bad & ~empty).to_numpy()
        if col.type == INTEGER:
            frac = ok & (np.floor(values) != values)
            ck.bulk("type-error", pd.Series(frac, index=s.index), col.name, lambda v: "应为整数")
        low = values < col.minimum if col.minimum is not None else np.zeros(len(values), bool)
        high = values > col.maximum if col.maximum is not None else np.zeros(len(values), bool)
        out_of = ok & (low | high)
        if out_of.any():
            lo = "" if col.minimum is None else f"{col.minimum:g}"
            hi = "" if col.maximum is None else f"{col.maximum:g}"
            ck.bulk(
                "out-of-range",
                pd.Series(out_of, index=s.index),
                col.name,
                lambda v: f"应在 {lo}–{hi} 之间" if hi else f"不能小于 {lo}",
            )
        return parsed.where(pd.Series(ok, index=s.index), None)
    if col.type == ENUM:
        lookup = col.enum.lookup()
        parsed = _map_unique(s, lambda v: lookup.get(norm(v)))
        allowed = "、".join(col.enum.labels())
        ck.bulk("invalid-enum", ~empty & parsed.isna(), col.name, lambda v: f"可选：{allowed}")
        return parsed.where(~empty, None)
    if col.type == BOOLEAN:
        truth = {norm(v): True for v in BOOL_TRUE} | {norm(v): False for v in BOOL_FALSE}
        parsed = _map_unique(s, lambda v: truth.get(norm(v)))
        ck.bulk("invalid-enum", ~empty & parsed.isna(), col.name, lambda v: "可选：是、否")
        return parsed.fillna(False).astype(bool)
    if col.type == REFS:
        return _map_unique(s, split_refs)
    return _map_unique(s, lambda v: unicodedata.normalize("NFC", v)) if col.type != REF else s


# ---------------------------------------------------------------- settings


def check_settings(loaded: Loaded, report: Report) -> dict[str, object]:
    raw = loaded.settings
    file = loaded.settings_file
    settings: dict[str, object] = {}
    if raw is None:
        report.add(Problem("missing-table", file, detail="没有找到站点设置文件 site.yaml"))
        raw = {}
    known = {s.name for s in SETTINGS}
    labels = {norm(s.label): s.name for s in SETTINGS}
    values = {}
    for key, value in raw.items():
        name = key if key in known else labels.get(norm(str(key)))
        if name is None:
            report.add(
                Problem(
                    "invalid-settings", file, loaded.settings_lines.get(key), str(key), str(key), f"未知的设置项“{key}”"
                )
            )
            continue
        values[name] = value
    for s in SETTINGS:
        line = loaded.settings_lines.get(s.name)
        value = values.get(s.name)
        text = "" if value is None else (value.isoformat() if isinstance(value, dt.date) else str(value).strip())
        if text == "":
            if s.required:
                report.add(Problem("invalid-settings", file, line, s.name, "", f"缺少“{s.name}”（{s.label}）"))
            settings[s.name] = s.default
            continue
        if s.type == DATE:
            parsed = parse_date(text)
            if parsed is None:
                report.add(Problem("invalid-settings", file, line, s.name, text, f"{s.label}应为日期，如 2026-06-30"))
            settings[s.name] = parsed
        elif s.type == INTEGER:
            number = parse_number(text)
            if number is None or number < 1 or not number.is_integer():
                report.add(Problem("invalid-settings", file, line, s.name, text, f"{s.label}应为正整数"))
                settings[s.name] = s.default
            else:
                settings[s.name] = int(number)
        elif s.type == ENUM:
            if text not in s.choices:
                report.add(Problem("invalid-settings", file, line, s.name, text, f"可选：{'、'.join(s.choices)}"))
                settings[s.name] = s.default
            else:
                settings[s.name] = text
        elif s.name == "base_url" and not re.match(r"https?://[^\s/]", text, re.IGNORECASE):
            # Published as the portal's address (data package homepage, site identity):
            # never a javascript: or data: URL.
            report.add(Problem("invalid-settings", file, line, s.name, text, "网址应以 http:// 或 https:// 开头"))
            settings[s.name] = s.default
        else:
            settings[s.name] = text
    return settings


# ---------------------------------------------------------------- cross-list rules


class _Index:
    """Resolve references by id or, where unambiguous, by name."""

    def __init__(self, ids: pd.Series, names: pd.Series | None = None):
        self.by_key: dict[str, str] = {}
        self.ambiguous: set[str] = set()
        if names is not None:
            seen: dict[str, str] = {}
            for i, n in zip(ids, names, strict=True):
                if not i or not n:
                    continue
                k = norm(n)
                if k in seen and seen[k] != i:
                    self.ambiguous.add(k)
                seen[k] = i
            self.by_key.update({k: v for k, v in seen.items() if k not in self.ambiguous})
        self.by_key.update({norm(i): i for i in ids if i})
        self.exact = {i for i in ids if i}

    def resolve(self, value: str) -> tuple[str | None, str | None]:
        """(id, problem code) for one reference."""
        if value in self.exact:  # "P1" is P1 even when a colliding "P１" exists too
            return value, None
        k = norm(value)
        if k in self.by_key:
            return self.by_key[k], None
        if k in self.ambiguous:
            return None, "ambiguous-reference"
        return None, "unknown-reference"


def _check_keys(ck: _Checker, typed: pd.DataFrame) -> None:
    key = ck.table.key
    if key is None:
        return
    ids = typed[key]
    present = ids != ""
    bad = present & ids.map(lambda v: bool(_BAD_ID.search(v)))
    ck.bulk("invalid-id", bad, key)
    dup = present & ids.duplicated(keep="first")
    if dup.any():
        first_row = {}
        for idx, v in ids[present].items():
            first_row.setdefault(v, int(typed.at[idx, ROW]))
        ck.bulk("duplicate-id", dup, key, lambda v: f"与第 {first_row[v]} 行重复")
    slugs = ids[present & ~dup].map(slugify)
    clash = slugs.duplicated(keep=False)
    if clash.any():
        groups = ids[present & ~dup][clash].groupby(slugs[clash]).agg(list)
        for idx in clash[clash].index:
            others = [o for o in groups[slugs[idx]] if o != ids[idx]]
            ck.problem("id-collision", idx, key, ids[idx], f"与“{'、'.join(others)}”只差大小写或写法")


def _resolve(ck: _Checker, typed: pd.DataFrame, col: Column, index: _Index, levels=None, tables_label="") -> None:
    """Replace references with canonical ids; report unknown ones."""
    s = typed[col.name]
    cache: dict[str, tuple[str | None, str | None]] = {}

    def one(v: str) -> tuple[str | None, str | None]:
        if v not in cache:
            rid, code = index.resolve(v)
            if rid is not None and levels is not None and levels.get(rid) not in levels_ok:
                rid, code = None, "unknown-reference"
            cache[v] = (rid, code)
        return cache[v]

    levels_ok = ("community",)
    if col.type == REF:
        codes, uniques = pd.factorize(s, use_na_sentinel=False)
        answers = [one(v) if v else ("", None) for v in uniques]
        bad = {k for k, (_, code) in enumerate(answers) if code}
        if bad:
            for idx, v, k in zip(s.index, s, codes, strict=True):
                if k in bad:
                    ck.problem(answers[k][1], idx, col.name, v, tables_label)
        ids = np.empty(len(answers), dtype=object)
        ids[:] = [rid or "" for rid, _ in answers]
        typed[col.name] = pd.Series(ids[codes], index=s.index, dtype=object)
    else:
        resolved = []
        for idx, refs in s.items():
            ids = []
            for v in refs or []:
                rid, code = one(v)
                if code:
                    ck.problem(code, idx, col.name, v, tables_label)
                elif rid not in ids:
                    ids.append(rid)
            resolved.append(tuple(ids))
        typed[col.name] = pd.Series(resolved, index=s.index, dtype=object)


def validate(loaded: Loaded) -> Validated:
    """Check everything; the report holds every problem, errors and warnings alike."""
    report = Report()
    report.extend(loaded.problems)
    settings = check_settings(loaded, report)
    scale = settings.get("rating_scale") or "three"
    if scale not in RATING_SCALES:
        scale = "three"
    schema: dict[str, Table] = {t.name: t for t in TABLES}
    schema["feedback"] = feedback_table(scale)

    typed: dict[str, pd.DataFrame] = {}
    checkers: dict[str, _Checker] = {}
    for name, table in schema.items():
        lt = loaded.tables.get(name)
        if lt is None:
            cols = {c.name: pd.Series([], dtype=object) for c in table.columns}
            typed[name] = pd.DataFrame({FILE: [], ROW: [], **cols})
            continue
        lt = LoadedTable(table, lt.frame, lt.headers, lt.files)
        report.rows_read[name] += len(lt.frame)
        t = check_columns(lt, report)
        ck = _Checker(lt, report)
        ck.frame = lt.frame.loc[t.index]
        _check_keys(ck, t)
        typed[name] = t
        checkers[name] = ck

    as_of = settings.get("as_of")
    areas = typed["areas"]
    level = dict(zip(areas["id"], areas["level"], strict=True))
    area_index = _Index(areas["id"], areas["name"])
    unit_index = _Index(typed["units"]["id"], typed["units"]["name"])
    project_index = _Index(typed["projects"]["id"])
    demand_index = _Index(typed["demands"]["id"])

    if "areas" in checkers:
        _check_areas(checkers["areas"], areas, area_index, level)
    refs = {
        ("units", "paired_communities"): (area_index, level, "应为社区（村）"),
        ("demands", "community"): (area_index, level, "应为区域清单中的社区（村）"),
        ("demands", "project"): (project_index, None, "应为整改清单中的项目编号"),
        ("projects", "communities"): (area_index, level, "应为区域清单中的社区（村）"),
        ("projects", "lead_unit"): (unit_index, None, "应为责任单位清单中的单位"),
        ("projects", "partner_units"): (unit_index, None, "应为责任单位清单中的单位"),
        ("projects", "demands"): (demand_index, None, "应为需求清单中的编号"),
        ("progress", "project"): (project_index, None, "应为整改清单中的项目编号"),
        ("results", "project"): (project_index, None, "应为整改清单中的项目编号"),
        ("feedback", "project"): (project_index, None, "应为整改清单中的项目编号"),
    }
    for (tname, cname), (index, levels, label) in refs.items():
        if tname in checkers:
            _resolve(checkers[tname], typed[tname], schema[tname].column(cname), index, levels, label)

    _check_rules(checkers, typed, as_of)
    for name, frame in typed.items():
        report.rows_published[name] = len(frame)
    files = {name: lt.files for name, lt in loaded.tables.items()}
    return Validated(settings, typed, report, files)


def _check_areas(ck: _Checker, areas: pd.DataFrame, index: _Index, level: dict) -> None:
    expected_parent = {"subdistrict": "district", "community": "subdistrict", "grid": "community"}
    districts = areas.index[areas["level"] == "district"]
    if len(districts) != 1:
        idx = districts[1] if len(districts) > 1 else areas.index[0] if len(areas) else None
        if idx is not None:
            ck.problem(
                "invalid-parent",
                idx,
                "level",
                areas.at[idx, "level"] or "",
                f"区域清单中应有且只有一个“区”，现有 {len(districts)} 个",
            )
    for idx, lvl, parent in zip(areas.index, areas["level"], areas["parent"], strict=True):
        if lvl is None or lvl == "district":
            if lvl == "district" and parent:
                ck.problem("invalid-parent", idx, "parent", parent, "区不应有上级")
            continue
        if not parent:
            ck.problem("missing-value", idx, "parent", "", "街道、社区、网格必须写明上级")
            continue
        pid, code = index.resolve(parent)
        if code:
            ck.problem(code, idx, "parent", parent, "应为区域清单中的编号或名称")
        elif level.get(pid) != expected_parent.get(lvl):
            ck.problem("invalid-parent", idx, "parent", parent)
        else:
            areas.at[idx, "parent"] = pid


def _check_rules(ck: dict[str, _Checker], t: dict[str, pd.DataFrame], as_of) -> None:
    projects, demands, results = t["projects"], t["demands"], t["results"]
    if "projects" in ck:
        c = ck["projects"]
        both = projects["start"].notna() & projects["deadline"].notna()
        before = both & (projects["deadline"].where(both) < projects["start"].where(both)).fillna(False).astype(bool)
        c.bulk("deadline-before-start", before, "deadline", lambda v: "")
        with_result = set(results["project"])
        missing = (projects["status"] == "completed") & ~projects["id"].isin(with_result)
        c.bulk("completed-without-result", missing, "status")
    if "demands" in ck:
        c = ck["demands"]
        no_reason = (demands["stage"] == "declined") & (demands["decline_reason"] == "")
        c.bulk("declined-without-reason", no_reason, "decline_reason")
        # The link may be written on either side; disagreements are worth a look.
        listed = {d: p for p, ds in zip(projects["id"], projects["demands"], strict=True) for d in ds}
        for idx, did, pid in zip(demands.index, demands["id"], demands["project"], strict=True):
            other = listed.get(did)
            if pid and other and other != pid:
                c.problem("demand-project-mismatch", idx, "project", pid, f"整改清单中该需求属于 {other}")
    if "results" in ck:
        c = ck["results"]
        status = dict(zip(projects["id"], projects["status"], strict=True))
        not_done = results["project"].map(lambda p: bool(p) and status.get(p) not in (None, "completed"))
        c.bulk("result-not-completed", not_done, "project")
        both = results["completed"].notna() & results["signed_off"].notna()
        early = both & (results["signed_off"].where(both) < results["completed"].where(both)).fillna(False).astype(bool)
        c.bulk("signoff-before-completion", early, "signed_off")
    if "feedback" in ck:
        c = ck["feedback"]
        status = dict(zip(projects["id"], projects["status"], strict=True))
        early = t["feedback"]["project"].map(lambda p: bool(p) and status.get(p) not in (None, "completed", "ongoing"))
        c.bulk("feedback-unfinished-project", early, "project")
    if as_of is None:
        return
    for name, col in (
        ("demands", "received"),
        ("progress", "date"),
        ("results", "completed"),
        ("feedback", "date"),
        ("projects", "start"),
    ):
        if name in ck:
            s = t[name][col]
            late = s.map(lambda d: d is not None and d == d and d > as_of)
            ck[name].bulk("date-after-as-of", late, col, lambda v: f"晚于 {as_of.isoformat()}")
