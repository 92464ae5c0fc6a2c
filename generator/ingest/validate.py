"""Stage 2: check every cell and every cross-list rule; produce typed tables.

Two steps. :func:`check_part` looks at one part (a file, sheet or YAML section) alone:
blank rows, required cells, types, enumerations, ids — each column once per distinct
value, so half a million ratings check in a fraction of a second, and the result can be
cached with the file. :func:`validate` then joins the parts of each list and checks what
spans rows and lists: duplicate ids, references, the rules between lists. Every problem
is collected, in the order checking each whole list at once gives; nothing stops at the
first one.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from generator.ingest import ledger
from generator.ingest.load import FROM_SHEET, RawPart, blank_cells
from generator.problems import Problem, Report
from generator.schema import (
    BOOL_FALSE,
    BOOL_TRUE,
    BOOLEAN,
    DATE,
    ENUM,
    INTEGER,
    LEVEL,
    LIST_SEPARATORS,
    NUMBER,
    RATING_SCALES,
    REF,
    REFS,
    SETTINGS,
    TABLES,
    Column,
    Setting,
    SiteSettings,
    Table,
    feedback_table,
    norm,
)
from generator.slug import slugify

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


DERIVED_MARK = "生成）"  # ends the header of an id column made from the row's content

# Problems found within one part carry a step (which check found them) so the parts of a
# list merge into exactly the order checking the whole list at once gives: blank rows, then
# column by column (missing values before type errors), then invalid ids.
_STEPS_PER_COLUMN = 8


@dataclass
class CheckedPart:
    """One part (file, sheet or YAML section) of a list after every check that looks at a
    row alone: typed values, the problems found, redaction. Depends only on the part's
    cells, so it can be kept between builds (see pipeline's cache).

    Columns are factorized: a column's cells are ``raw[c][codes[c]]`` as written and
    ``typed[c][codes[c]]`` as typed. Only kept (non-blank) rows; private columns are gone
    once :func:`privacy.redact_part` has run.
    """

    table: str
    file: str
    written: dict[str, str]  # column -> header as written
    rows_read: int
    problems: list[tuple[int, str, int, str, str, str]]  # step, code, row, column, value, detail
    blank_rows: list[int]
    rows: np.ndarray  # row numbers of the kept rows
    codes: dict[str, np.ndarray]
    raw: dict[str, np.ndarray]
    typed: dict[str, np.ndarray]
    slugs: np.ndarray | None = None  # slug of each typed key value
    masked: list[tuple[int, int, str, str, str]] = field(default_factory=list)  # step, position, column, kinds, text
    changes: dict[str, dict[int, str]] = field(default_factory=dict)  # column -> position -> masked text
    lazy: dict[str, np.ndarray] = field(default_factory=dict)  # load.lazy columns as read, until redaction
    skipped: list[tuple[int, str]] = field(default_factory=list)  # rows read that are not data, with the reason
    letters: dict[str, str] = field(default_factory=dict)  # column -> its letter in the spreadsheet

    def __len__(self) -> int:
        return len(self.rows)

    def __getstate__(self) -> dict:
        # Compact for the cache: codes in the narrowest integers, row numbers as a range.
        state = dict(self.__dict__)
        state["codes"] = {c: _narrow(k) for c, k in self.codes.items()}
        rows = self.rows
        if len(rows) > 1 and rows[-1] - rows[0] == len(rows) - 1 and (np.diff(rows) == 1).all():
            state["rows"] = ("range", int(rows[0]), len(rows))
        state["lazy"] = {}
        return state

    def __setstate__(self, state: dict) -> None:
        state["codes"] = {c: k.astype(np.int32) for c, k in state["codes"].items()}
        if isinstance(state["rows"], tuple):
            _, start, n = state["rows"]
            state["rows"] = np.arange(start, start + n, dtype=np.int64)
        self.__dict__.update(state)

    @staticmethod
    def concat(a: CheckedPart, b: CheckedPart) -> CheckedPart:
        """Part ``a`` followed by the rows of ``b`` (lines appended to the same file)."""
        n = len(a)
        offsets = {c: len(a.raw[c]) for c in a.codes}
        codes = {
            c: np.concatenate([a.codes[c].astype(np.int32), b.codes[c].astype(np.int32) + offsets[c]]) for c in a.codes
        }
        raw = {c: np.concatenate([a.raw[c], b.raw[c]]) for c in a.raw}
        typed = {c: np.concatenate([a.typed[c], b.typed[c]]) for c in a.typed}
        slugs = np.concatenate([a.slugs, b.slugs]) if a.slugs is not None else None
        problems = sorted(a.problems + b.problems, key=lambda p: p[0])  # stable: a's rows first
        masked = sorted(a.masked + [(s, p + n, c, k, t) for s, p, c, k, t in b.masked], key=lambda m: m[0])
        changes = {c: dict(v) for c, v in a.changes.items()}
        for c, v in b.changes.items():
            changes.setdefault(c, {}).update({p + n: t for p, t in v.items()})
        return CheckedPart(
            a.table, a.file, a.written, a.rows_read + b.rows_read, problems, a.blank_rows + b.blank_rows,
            np.concatenate([a.rows, b.rows]), codes, raw, typed, slugs, masked, changes,
            skipped=a.skipped + b.skipped, letters=a.letters,
        )  # fmt: skip


def _narrow(codes: np.ndarray) -> np.ndarray:
    top = int(codes.max()) if len(codes) else 0
    for dtype in (np.uint8, np.uint16, np.int32):
        if top <= np.iinfo(dtype).max:
            return codes.astype(dtype)
    return codes


def _each(uniques: np.ndarray, func) -> np.ndarray:
    out = np.empty(len(uniques), dtype=object)
    out[:] = [func(u) for u in uniques]
    return out


def _is_none(values: np.ndarray) -> np.ndarray:
    return np.fromiter((v is None for v in values), dtype=bool, count=len(values))


def check_part(table: Table, part: RawPart) -> CheckedPart:
    """Per-cell checks of one part; typed values per distinct cell (None where empty or invalid)."""
    problems: list[tuple[int, str, int, str, str, str]] = []
    nonempty = {c: col.uniques != "" for c, col in part.cols.items()}
    # Blank rows carry nothing to publish: reported and excluded, never an error.
    blank = np.ones(len(part.rows), dtype=bool)
    for c, cells in part.cols.items():
        blank &= ~nonempty[c][cells.codes]
    maybe = np.flatnonzero(blank)
    for values in part.lazy.values():
        blank[maybe] &= blank_cells(values[maybe])
    blank_rows = part.rows[blank].tolist()
    problems.extend((0, "blank-row", r, "", "", "") for r in blank_rows)
    keep = np.flatnonzero(~blank) if blank_rows else None
    rows = part.rows if keep is None else part.rows[keep]
    codes = {c: (col.codes if keep is None else col.codes[keep]) for c, col in part.cols.items()}
    raw = {c: col.uniques for c, col in part.cols.items()}
    typed: dict[str, np.ndarray] = {}
    private = {c: (v if keep is None else v[keep]) for c, v in part.lazy.items()}
    written = dict(part.written)
    _infer(table, written, codes, raw)
    nonempty.update({c: raw[c] != "" for c in raw})

    for i, col in enumerate(table.columns):
        if col.name in private:
            continue  # not required, plain text: no check can fail
        k, u, filled = codes[col.name], raw[col.name], nonempty[col.name]
        base = (i + 1) * _STEPS_PER_COLUMN

        emit = _emitter(problems, rows, k, u, col.name)
        if col.required and (col.name in written or col.name in part.letters):  # a missing column: once, by the loader
            emit(base, "missing-value", ~filled)
        typed[col.name] = _typed(col, u, filled, emit, base)

    slugs = None
    key = table.key
    if key is not None:
        ids = typed[key]
        bad = np.fromiter((bool(v) and bool(_BAD_ID.search(v)) for v in ids), dtype=bool, count=len(ids))
        emit = _emitter(problems, rows, codes[key], raw[key], key)
        emit((len(table.columns) + 1) * _STEPS_PER_COLUMN, "invalid-id", bad)
        slugs = _each(ids, slugify)
    return CheckedPart(table.name, part.file, written, len(part.rows), problems, blank_rows, rows, codes, raw,
                       typed, slugs, lazy=private, skipped=list(part.skipped), letters=dict(part.letters))  # fmt: skip


def _infer(table: Table, written: dict[str, str], codes: dict[str, np.ndarray], raw: dict[str, np.ndarray]) -> None:
    """Columns a ledger lacks, read from the words it has: a status from 进展情况 (and a
    deadline of 长期), signed off from a status of 已销号, an id from what identifies the
    row (Table.identity). ``written`` names where each came from, for messages. Each is
    worked out once per distinct cell (or pair of cells), as every other check is."""
    # The columns as written, before any column is inferred from them.
    first = {c: (codes[c], raw[c]) for c in codes}

    def put(name: str, k: np.ndarray, u: np.ndarray, source: str) -> None:
        codes[name], raw[name], written[name] = k.astype(np.int32), u, source

    def combined(names: tuple[str, ...]) -> tuple[np.ndarray, list[tuple[str, ...]]]:
        """Codes of each distinct combination of these columns, and the combinations."""
        if not names:
            return np.zeros(len(next(iter(codes.values()))), dtype=np.int64), [()]
        pairs = np.stack([first[c][0].astype(np.int64) for c in names], axis=1)
        seen, k = np.unique(pairs, axis=0, return_inverse=True)
        return k.reshape(-1), [tuple(first[c][1][j] for c, j in zip(names, row, strict=True)) for row in seen]

    inferred: set[str] = set()
    for col in table.columns:
        if col.inferred_from is None or col.name in written or col.name not in codes:
            continue
        inferred.add(col.name)
        source = table.column(col.inferred_from)
        label = written.get(source.name, source.label)
        if col.enum is not None:  # a status from the progress note, a deadline of 长期
            sources = tuple(c for c in (source.name, "deadline") if c in first)
            k, combos = combined(sources)
            keys = []
            for combo in combos:
                key = ledger.status_from_text(combo[0] if combo else "")
                if key != "completed" and len(combo) > 1 and ledger.is_ongoing(combo[1]):
                    key = "ongoing"
                keys.append(col.enum.label(key))
            put(col.name, k, np.asarray(keys, dtype=object), f"{col.label}（按“{label}”推断）")
        elif col.type == BOOLEAN:  # signed off: the status (or the note it came from) says 已销号
            said: str = source.name
            if source.name in inferred:  # the status was itself read from the note: the note says it
                said = str(table.column(source.name).inferred_from or source.name)
            if said in first:
                k, u = first[said]
                signed = np.asarray(["是" if ledger.signed_off_text(t) else "" for t in u], dtype=object)
                put(col.name, k, signed, f"{col.label}（按“{label}”推断）")
    id_column = table.key
    if id_column is not None and table.identity and id_column not in written and id_column in codes:
        k, combos = combined(tuple(c for c in table.identity if c in first))
        ids = [ledger.stable_id(table.id_prefix, *vals) if any(vals) else "" for vals in combos]
        names = "和".join(f"“{table.column(c).label}”" for c in table.identity)
        put(id_column, k, np.asarray(ids, dtype=object), f"{table.column(id_column).label}（按{names}{DERIVED_MARK}")


def _emitter(problems, rows, k, u, name):
    """Report a problem for every row whose distinct value is flagged, in row order."""

    def emit(step: int, code: str, flags: np.ndarray, detail_for=None) -> None:
        if not flags.any():
            return
        for pos in np.flatnonzero(flags[k]).tolist():
            value = u[k[pos]]
            detail = detail_for(value) if detail_for else ""
            problems.append((step, code, int(rows[pos]), name, str(value), detail))

    return emit


def _typed(col: Column, u: np.ndarray, filled: np.ndarray, emit, base: int) -> np.ndarray:
    """The typed value of each distinct cell; problems for the cells that are not valid."""
    if col.type == DATE:
        parsed = _each(u, parse_date)
        bad = filled & _is_none(parsed)
        if bad.any():
            # The year-less dates staff write (6月底) ask a question instead of failing.
            question = _each(u, lambda v: ledger.missing_year(v) if v else None)
            ambiguous = bad & ~_is_none(question)
            emit(base + 1, "ambiguous-date", ambiguous, ledger.missing_year)
            bad &= ~ambiguous
            if col.deadline:
                ends = _each(u, ledger.period_end)
                found = bad & ~_is_none(ends)
                parsed[found] = ends[found]
                ongoing = np.fromiter((ledger.is_ongoing(v) for v in u), dtype=bool, count=len(u))
                bad &= ~found & ~ongoing
        emit(base + 1, "invalid-date", bad)
        parsed[~filled] = None
        return parsed
    if col.type in (INTEGER, NUMBER):
        parsed = _each(u, parse_number)
        if col.percent:
            shares = [v if v is None else ledger.percent(v, w) for v, w in zip(parsed, u, strict=True)]
            parsed = np.array(shares, dtype=object)
        none = _is_none(parsed)
        values = np.array([np.nan if v is None else v for v in parsed], dtype=float)
        bad = filled & none
        emit(base + 1, "type-error", bad)
        ok = ~bad & filled
        if col.type == INTEGER:
            with np.errstate(invalid="ignore"):
                frac = ok & (np.floor(values) != values)
            emit(base + 2, "type-error", frac, lambda v: "应为整数")
        with np.errstate(invalid="ignore"):
            low = values < col.minimum if col.minimum is not None else np.zeros(len(values), bool)
            high = values > col.maximum if col.maximum is not None else np.zeros(len(values), bool)
        out_of = ok & (low | high)
        if out_of.any():
            lo = "" if col.minimum is None else f"{col.minimum:g}"
            hi = "" if col.maximum is None else f"{col.maximum:g}"
            emit(base + 3, "out-of-range", out_of, lambda v: f"应在 {lo}–{hi} 之间" if hi else f"不能小于 {lo}")
        parsed[~ok] = None
        return parsed
    if col.type == ENUM and col.enum is not None:
        lookup = col.enum.lookup()
        parsed = _each(u, lambda v: lookup.get(norm(v)))
        allowed = "、".join(col.enum.labels())
        emit(base + 1, "invalid-enum", filled & _is_none(parsed), lambda v: f"可选：{allowed}")
        parsed[~filled] = None
        return parsed
    if col.type == BOOLEAN:
        truth = {norm(v): True for v in BOOL_TRUE} | {norm(v): False for v in BOOL_FALSE}
        parsed = _each(u, lambda v: truth.get(norm(v)))
        emit(base + 1, "invalid-enum", filled & _is_none(parsed), lambda v: "可选：是、否")
        return np.fromiter((v is True for v in parsed), dtype=bool, count=len(parsed))
    if col.type == REFS:
        return _each(u, split_refs)
    return _each(u, lambda v: unicodedata.normalize("NFC", v)) if col.type != REF else u


# ---------------------------------------------------------------- settings


def check_settings(
    raw: dict[str, object] | None, file: str, lines: Mapping[str, Sequence[int]], report: Report
) -> SiteSettings:
    """Parse site.yaml once into :class:`SiteSettings`; every problem goes to ``report``.

    ``lines``: the line of each occurrence of each top-level key, as written (PyYAML keeps
    only the last value of a repeated key, so repeats are found from these). A setting may
    be named by its English name or its Chinese label. A setting that is missing, invalid,
    unknown or repeated is reported; the object then holds the default (None for a
    required date, "" for required text) so the rest of the data can still be checked.
    """
    if raw is None:
        report.add(Problem("missing-table", file, detail="没有找到站点设置文件 site.yaml"))
        raw = {}
    spelled = {norm(spelling): s for s in SETTINGS for spelling in s.spellings()}
    known = "、".join(f"{s.name}（{s.label}）" for s in SETTINGS)
    values: dict[str, object] = {}
    where: dict[str, list[tuple[int, str]]] = {}  # setting -> (line, key as written) of each occurrence
    for key, value in raw.items():
        setting = spelled.get(norm(str(key)))
        key_lines = list(lines.get(key, ()))
        if setting is None:
            line = key_lines[0] if key_lines else None
            report.add(
                Problem("invalid-settings", file, line, str(key), str(key), f"未知的设置项“{key}”；可用：{known}")
            )
            continue
        values[setting.name] = value
        where.setdefault(setting.name, []).extend((n, str(key)) for n in (key_lines or [0]))
    for name, seen in where.items():
        seen.sort()
        for line, key in seen[1:]:
            at = f"第 {seen[0][0]} 行和第 {line} 行" if seen[0][0] and line else "两处"
            detail = f"设置项“{name}”（{spelled[norm(name)].label}）写了两次（{at}）；每项只能写一次，请删去其中一行"
            report.add(Problem("invalid-settings", file, line or None, key, key, detail))
    parsed: dict[str, Any] = {}  # name -> value of the type its SiteSettings field declares
    for s in SETTINGS:
        line = (where[s.name][-1][0] or None) if s.name in where else None  # the value PyYAML kept
        value = values.get(s.name)
        text = "" if value is None else (value.isoformat() if isinstance(value, dt.date) else str(value).strip())
        parsed[s.name] = _setting_value(s, text, file, line, report)
    # The yellow band lies below the red one (10–30 points behind by default).
    yellow, red = parsed["light_yellow_points"], parsed["light_red_points"]
    if yellow >= red:
        written: list[tuple[int, str]] = where.get("light_yellow_points") or where.get("light_red_points") or []
        at_line, as_written = written[-1] if written else (0, "light_yellow_points")
        detail = f"黄灯落后百分点（{yellow}）应小于红灯落后百分点（{red}），否则不会亮黄灯"
        report.add(Problem("invalid-settings", file, at_line or None, as_written, str(yellow), detail))
    return SiteSettings(**parsed)


def _setting_value(s: Setting, text: str, file: str, line: int | None, report: Report) -> object:
    """The typed value of one setting, or its default after reporting why not."""
    fallback = s.default if s.default is not None or s.type == DATE else ""

    def bad(detail: str) -> object:
        report.add(Problem("invalid-settings", file, line, s.name, text, detail))
        return fallback

    if text == "":
        if s.required:
            return bad(f"缺少“{s.name}”（{s.label}）")
        return fallback
    if s.type == DATE:
        parsed = parse_date(text)
        return bad(f"{s.label}应为日期，如 2026-06-30") if parsed is None else parsed
    if s.type == INTEGER:
        number = parse_number(text)
        if number is None or number < 1 or not number.is_integer() or (s.maximum is not None and number > s.maximum):
            return bad(f"{s.label}应为{s.integer_range}")
        return int(number)
    if s.type == ENUM and s.enum is not None:
        key = s.enum.lookup().get(norm(text))
        if key is None:
            return bad("可选：" + "、".join(f"{c.key}（{c.label}）" for c in s.enum.choices))
        return key
    if s.name == "base_url" and not re.match(r"https?://[^\s/]", text, re.IGNORECASE):
        # Published as the portal's address (data package homepage, site identity):
        # never a javascript: or data: URL.
        return bad("网址应以 http:// 或 https:// 开头")
    return text


# ---------------------------------------------------------------- cross-list rules


class _Index:
    """Resolve references by id or, where unambiguous, by name."""

    def __init__(self, ids, names=None):
        self.ids = ids
        self.names = names
        self.exact = {i for i in ids if i}
        self._by_key: dict[str, str] | None = None
        self.ambiguous: set[str] = set()

    @property
    def by_key(self) -> dict[str, str]:
        # Built on the first reference that is not an exact id: most lists never need it.
        if self._by_key is None:
            by_key: dict[str, str] = {}
            if self.names is not None:
                seen: dict[str, str] = {}
                for i, n in zip(self.ids, self.names, strict=True):
                    if not i or not n:
                        continue
                    k = norm(n)
                    if k in seen and seen[k] != i:
                        self.ambiguous.add(k)
                    seen[k] = i
                by_key.update({k: v for k, v in seen.items() if k not in self.ambiguous})
            by_key.update({norm(i): i for i in self.ids if i})
            self._by_key = by_key
        return self._by_key

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


class TableData:
    """Every part of one list, one after the other (factorized columns, as in a part)."""

    def __init__(self, table: Table, parts: list[CheckedPart]):
        self.table = table
        self.parts = parts
        self.headers: dict[str, dict[str, str]] = {}
        self.letters: dict[str, dict[str, str]] = {}
        for p in parts:
            self.headers[p.file] = p.written  # the last part of a file wins, as it always has
            self.letters[p.file] = p.letters
        self.sizes = [len(p) for p in parts]
        self.ends = np.cumsum(self.sizes)
        self.rows = np.concatenate([p.rows for p in parts]).astype(np.int64, copy=False)
        self.codes: dict[str, np.ndarray] = {}
        self.raw: dict[str, np.ndarray] = {}
        self.typed: dict[str, np.ndarray] = {}
        for c in parts[0].codes:
            offsets = np.cumsum([0] + [len(p.raw[c]) for p in parts[:-1]])
            self.codes[c] = np.concatenate(
                [p.codes[c].astype(np.int64) + o for p, o in zip(parts, offsets, strict=True)]
            )
            self.raw[c] = np.concatenate([p.raw[c] for p in parts])
            self.typed[c] = np.concatenate([p.typed[c] for p in parts])
        self.slugs = np.concatenate([p.slugs for p in parts]) if table.key else None

    @classmethod
    def empty(cls, table: Table) -> TableData:
        empty = np.empty(0, dtype=object)
        codes = {c.name: np.empty(0, dtype=np.int32) for c in table.columns if c.published}
        typed = {
            c: (np.empty(0, dtype=bool) if table.column(c).type == BOOLEAN else empty) for c in codes
        }  # fmt: skip
        part = CheckedPart(table.name, "", {}, 0, [], [], np.empty(0, dtype=np.int64), codes,
                           dict.fromkeys(codes, empty), typed, empty if table.key else None)  # fmt: skip
        return cls(table, [part])

    def __len__(self) -> int:
        return len(self.rows)

    def file(self, pos: int) -> str:
        """The file (sheet, section) of the row at ``pos``."""
        return self.parts[int(np.searchsorted(self.ends, pos, side="right"))].file

    def header(self, file: str, column: str) -> str:
        return self.headers.get(file, {}).get(column) or self.table.column(column).label

    def letter(self, file: str, column: str) -> str:
        return self.letters.get(file, {}).get(column, "")

    def values(self, column: str) -> np.ndarray:
        """The typed cells of a column, row by row."""
        return self.typed[column][self.codes[column]]

    def rows_where(self, column: str, flags: np.ndarray) -> np.ndarray:
        """Positions of the rows whose typed value is flagged (one flag per distinct value)."""
        return np.flatnonzero(flags[self.codes[column]])

    def each(self, column: str, func) -> np.ndarray:
        """``func`` of each distinct typed value, as a flag per distinct value."""
        typed = self.typed[column]
        return np.fromiter((bool(func(v)) for v in typed), dtype=bool, count=len(typed))


class _Checker:
    def __init__(self, td: TableData, report: Report):
        self.td = td
        self.table = td.table
        self.report = report

    def problem(self, code: str, pos: int, column: str | None, value: str = "", detail: str = "") -> None:
        file = self.td.file(pos)
        header = self.td.header(file, column) if column else ""
        letter = self.td.letter(file, column) if column else ""
        self.report.add(Problem(code, file, int(self.td.rows[pos]), header, str(value), detail, letter))

    def bulk(self, code: str, positions: np.ndarray, column: str, detail_for=None) -> None:
        """Report ``code`` for the rows at ``positions``, with the cell as written."""
        td = self.td
        raw, codes = td.raw[column], td.codes[column]
        for pos in positions.tolist():
            value = raw[codes[pos]]
            file = td.file(pos)
            detail = detail_for(value) if detail_for else ""
            self.report.add(
                Problem(code, file, int(td.rows[pos]), td.header(file, column), str(value), detail,
                        td.letter(file, column))
            )  # fmt: skip


def _part_problems(td: TableData, report: Report) -> None:
    """The problems the parts found, in the order checking the whole list at once gives."""
    found = [(p.file, prob) for p in td.parts for prob in p.problems]
    found.sort(key=lambda fp: fp[1][0])  # stable: part order, then row order within a check
    for file, (_, code, row, column, value, detail) in found:
        header = td.header(file, column) if column else ""
        letter = td.letter(file, column) if column else ""
        report.add(Problem(code, file, row, header, value, detail, letter))


def _check_keys(ck: _Checker) -> None:
    td, key = ck.td, ck.table.key
    if key is None:
        return
    ids = td.values(key)
    raw = td.raw[key][td.codes[key]]
    # Distinct typed ids across the parts (a part's values are distinct only within it).
    codes = pd.factorize(ids, use_na_sentinel=False)[0]
    _, first = np.unique(codes, return_index=True)  # first row of each id
    present = ids != ""
    dup = present & (first[codes] != np.arange(len(codes)))
    for pos in np.flatnonzero(dup).tolist():
        other = int(td.rows[first[codes[pos]]])
        file = td.file(pos)
        if ck.table.identity and td.header(file, key).endswith(DERIVED_MARK):
            # Two rows naming the same item: the id made from them is the same too.
            same = "、".join(f"{ck.table.column(c).label}“{td.raw[c][td.codes[c][pos]]}”" for c in ck.table.identity)
            detail = f"与第 {other} 行的{same}相同，生成的编号相同；请合并这两行，或让名称有区别"
            ck.problem("duplicate-id", pos, key, raw[pos], detail)
        else:
            ck.problem("duplicate-id", pos, key, raw[pos], f"与第 {other} 行重复")
    kept = np.flatnonzero(present & ~dup)
    assert td.slugs is not None  # every list with a key has the slugs of its ids
    slugs = td.slugs[td.codes[key][kept]]
    scodes, suniques = pd.factorize(slugs, use_na_sentinel=False)
    clash = np.bincount(scodes, minlength=len(suniques))[scodes] > 1
    if clash.any():
        groups: dict[str, list[str]] = {}
        for pos, slug in zip(kept[clash].tolist(), slugs[clash].tolist(), strict=True):
            groups.setdefault(slug, []).append(ids[pos])
        for pos, slug in zip(kept[clash].tolist(), slugs[clash].tolist(), strict=True):
            others = [o for o in groups[slug] if o != ids[pos]]
            ck.problem("id-collision", pos, key, ids[pos], f"与“{'、'.join(others)}”只差大小写或写法")


class _Targets:
    """The rows references point to: per referenced table, an index of its keys (and of its
    names, where the table has a ``name`` column), and the ``level`` of each key. Built on
    first use, one per table, shared by every column that refers to it."""

    def __init__(self, schema: dict[str, Table], typed: dict[str, TableData]):
        self.schema = schema
        self.typed = typed
        self._indexes: dict[str, _Index] = {}
        self._levels: dict[str, dict] = {}

    def index(self, name: str) -> _Index:
        if name not in self._indexes:
            table, td = self.schema[name], self.typed[name]
            # Rows are named by their name, or a project by its title (a ledger without ids).
            named = next((n for n in ("name", "title") if any(c.name == n for c in table.columns)), None)
            names = td.values(named) if named else None
            self._indexes[name] = _Index(td.values(_key_of(table)), names)
        return self._indexes[name]

    def levels(self, name: str) -> dict:
        if name not in self._levels:
            td = self.typed[name]
            self._levels[name] = dict(zip(td.values(_key_of(self.schema[name])), td.values("level"), strict=True))
        return self._levels[name]


def _key_of(table: Table) -> str:
    if table.key is None:
        raise ValueError(f"table {table.name} has no key: nothing can refer to its rows")
    return table.key


def _ref_hint(target: Table, col: Column) -> str:
    """What a reference should name, e.g. 应为区域清单中的社区（村）."""
    where = target.label if target.label.endswith("清单") else f"{target.label}清单"
    if col.ref_level:
        choice = next((c for c in LEVEL.choices if c.key == col.ref_level), None)
        what = (
            col.ref_level if choice is None else choice.label + (f"（{choice.synonyms[0]}）" if choice.synonyms else "")
        )
    elif any(c.name == "name" for c in target.columns):
        what = "编号或名称"
    else:
        what = "编号"
    return f"应为{where}中的{what}"


def _resolve(
    ck: _Checker, col: Column, index: _Index, levels=None, tables_label: str = "", level: str | None = None
) -> None:
    """Replace references with canonical ids; report unknown ones. ``levels``: the level
    of each referenced id, when only ids of ``level`` may be named."""
    td = ck.td
    cache: dict[str, tuple[str | None, str | None]] = {}
    levels_ok = (level,)

    def one(v: str) -> tuple[str | None, str | None]:
        if v not in cache:
            rid, code = index.resolve(v)
            if rid is not None and levels is not None and levels.get(rid) not in levels_ok:
                rid, code = None, "unknown-reference"
            cache[v] = (rid, code)
        return cache[v]

    uniques = td.typed[col.name]
    codes = td.codes[col.name]
    # Most references are exact ids (of a community, where that is asked): no lookup needed.
    exact = index.exact if levels is None else {i for i in index.exact if levels.get(i) in levels_ok}
    if col.type == REF:
        answers = [(v, None) if v in exact else one(v) if v else ("", None) for v in uniques]
        bad = np.fromiter((code is not None for _, code in answers), dtype=bool, count=len(answers))
        if bad.any():
            for pos in np.flatnonzero(bad[codes]).tolist():
                v = uniques[codes[pos]]
                ck.problem(answers[codes[pos]][1], pos, col.name, v, tables_label)
        ids = np.empty(len(answers), dtype=object)
        ids[:] = [rid or "" for rid, _ in answers]
        td.typed[col.name] = ids
        return
    resolved = np.empty(len(uniques), dtype=object)
    found: list[list[tuple[str, str]]] = []
    for n, refs in enumerate(uniques):
        if refs and exact.issuperset(refs):
            resolved[n] = tuple(dict.fromkeys(refs))
            found.append([])
            continue
        rids: list[str | None] = []
        unresolved: list[tuple[str, str]] = []
        for v in refs or []:
            rid, code = one(v)
            if code:
                unresolved.append((code, v))
            elif rid not in rids:
                rids.append(rid)
        resolved[n] = tuple(rids)
        found.append(unresolved)
    bad = np.fromiter(map(bool, found), dtype=bool, count=len(found))
    if bad.any():
        for pos in np.flatnonzero(bad[codes]).tolist():
            for code, v in found[codes[pos]]:
                ck.problem(code, pos, col.name, v, tables_label)
    td.typed[col.name] = resolved


def validate(
    settings: SiteSettings,
    parts: dict[str, list[CheckedPart]],
    report: Report,
    tables: tuple[Table, ...] = TABLES,
    unloaded: Collection[str] = (),
) -> dict[str, TableData]:
    """Check everything across the lists (the parts are checked already); the report holds
    every problem, errors and warnings alike. Returns each list with references resolved.
    ``tables``: the schema (tests pass their own). ``unloaded``: lists a file was given
    for that could not be read (already reported): references to them are summed up in
    one problem per column, not reported row by row."""
    scale = settings.rating_scale if settings.rating_scale in RATING_SCALES else "three"
    schema: dict[str, Table] = {t.name: t for t in tables}
    if "feedback" in schema:
        schema["feedback"] = feedback_table(scale, schema["feedback"])

    typed: dict[str, TableData] = {}
    checkers: dict[str, _Checker] = {}
    bad_keys: set[str] = set()  # lists with an error in their id column: references into them are unsure
    for name, table in schema.items():
        if name not in parts:
            typed[name] = TableData.empty(table)
            continue
        td = TableData(table, parts[name])
        report.rows_read[name] += sum(p.rows_read + len(p.skipped) for p in td.parts)
        for p in td.parts:
            for row, why in p.skipped:
                report.exclude(name, p.file, row, why)
            for row in p.blank_rows:
                report.exclude(name, p.file, row, "空行")
        before = len(report.problems)
        _part_problems(td, report)
        ck = _Checker(td, report)
        _check_keys(ck)
        typed[name] = td
        checkers[name] = ck
        if table.key is not None:
            keyed = {(f, td.header(f, table.key)) for f in td.headers}
            if any(p.is_error and (p.file, p.column) in keyed for p in report.problems[before:]):
                bad_keys.add(name)

    as_of = settings.as_of
    targets = _Targets(schema, typed)
    if "areas" in checkers:
        _check_areas(checkers["areas"], targets.index("areas"), targets.levels("areas"))
    # Every reference the schema declares (Column.ref), in schema order. A reference to
    # its own table (an area's parent) follows the hierarchy rules of _check_areas instead.
    for table in schema.values():
        for col in table.columns:
            if col.type in (REF, REFS) and col.ref and col.ref != table.name and table.name in checkers:
                levels = targets.levels(col.ref) if col.ref_level else None
                target = schema[col.ref]
                unsure = col.ref in unloaded or col.ref not in checkers or col.ref in bad_keys
                unsure = unsure or _key_missing(typed[col.ref])
                td = checkers[table.name].td
                # A sheet's name read as a subdistrict is a guess: if it is none, say so once.
                guessed = col.from_sheet and any(td.header(f, col.name).endswith(FROM_SHEET) for f in td.headers)
                ck = _Checker(td, Report()) if unsure or guessed else checkers[table.name]
                _resolve(ck, col, targets.index(col.ref), levels, _ref_hint(target, col), col.ref_level)
                if ck.report is not report and ck.report.problems:
                    _summarise(ck.report.problems, target, col.ref in checkers, report, guessed and not unsure)

    _check_rules(checkers, typed, as_of)
    for name, td in typed.items():
        report.rows_published[name] = len(td)
    return typed


def _key_missing(td: TableData) -> bool:
    """A list whose id column is missing (reported once): nothing can be found in it."""
    key = td.table.key
    return key is not None and any(p.file and key not in p.written for p in td.parts)


def _summarise(found: list[Problem], target: Table, read: bool, report: Report, guessed: bool = False) -> None:
    """One problem for every reference into a list that could not be read, or whose ids
    are missing: each would only repeat that list's own problem. ``guessed``: the values
    came from sheet names, and the ones that name nothing are left empty."""
    first = found[0]
    if guessed:
        names = "、".join(dict.fromkeys(p.value for p in found))
        detail = f"工作表名（{names}）不是{target.label}中的名称，这些工作表的 {len(found)} 行没有填上所属街道"
        report.add(Problem("references-unchecked", first.file, None, first.column, first.value, detail))
        return
    if read:
        why = f"{target.label}的编号列有错误"
    else:
        why = f"{target.label}没有读入（见它自己的问题）" if target.required else f"没有{target.label}"
    detail = f"{why}，这一列有 {len(found)} 处引用无法核对（如“{first.value}”）"
    report.add(Problem("references-unchecked", first.file, None, first.column, "", detail, first.letter))


def _check_areas(ck: _Checker, index: _Index, level: dict) -> None:
    td = ck.td
    expected_parent = {"subdistrict": "district", "community": "subdistrict", "grid": "community"}
    levels = td.values("level")
    parents = td.values("parent")
    districts = np.flatnonzero(levels == "district")
    if len(districts) != 1:
        pos = districts[1] if len(districts) > 1 else 0 if len(td) else None
        if pos is not None:
            ck.problem(
                "invalid-parent",
                int(pos),
                "level",
                levels[pos] or "",
                f"区域清单中应有且只有一个“区”，现有 {len(districts)} 个",
            )
    raw_parents = td.raw["parent"][td.codes["parent"]]
    resolved = parents.copy()
    for pos, (lvl, parent) in enumerate(zip(levels.tolist(), parents.tolist(), strict=True)):
        if lvl is None or lvl == "district":
            if lvl == "district" and parent:
                ck.problem("invalid-parent", pos, "parent", parent, "区不应有上级")
            continue
        if not parent:
            ck.problem("missing-value", pos, "parent", "", "街道、社区、网格必须写明上级")
            continue
        pid, code = index.resolve(parent)
        if code:
            ck.problem(code, pos, "parent", parent, "应为区域清单中的编号或名称")
        elif level.get(pid) != expected_parent.get(lvl):
            ck.problem("invalid-parent", pos, "parent", parent)
        else:
            resolved[pos] = pid
    # One value per row from here on (the parents are resolved row by row).
    td.codes["parent"] = np.arange(len(td), dtype=np.int32)
    td.typed["parent"] = resolved
    td.raw["parent"] = raw_parents


def _known(dates) -> np.ndarray:
    """Which cells hold a date (not empty, not NaT)."""
    return np.fromiter((d is not None and d == d for d in dates), dtype=bool, count=len(dates))


def _earlier(dates, than) -> np.ndarray:
    """Which rows have both dates, the first before the second."""
    return np.fromiter(
        (a is not None and b is not None and a == a and b == b and a < b for a, b in zip(dates, than, strict=True)),
        dtype=bool,
        count=len(dates),
    )


def _check_rules(ck: dict[str, _Checker], t: dict[str, TableData], as_of) -> None:
    projects, demands, results = t["projects"], t["demands"], t["results"]
    status = dict(zip(projects.values("id"), projects.values("status"), strict=True))
    if "projects" in ck:
        c = ck["projects"]
        start, deadline = projects.values("start"), projects.values("deadline")
        before = [s is not None and d is not None and d < s for s, d in zip(start, deadline, strict=True)]
        c.bulk("deadline-before-start", np.flatnonzero(before), "deadline", lambda v: "")
        if "results" in ck:  # a portal started from its ledger alone has no result list yet
            with_result = set(results.values("project").tolist())
            done = projects.each("status", lambda v: v == "completed")[projects.codes["status"]]
            missing = done & np.fromiter((i not in with_result for i in projects.values("id")), dtype=bool)
            c.bulk("completed-without-result", np.flatnonzero(missing), "status")
    if "demands" in ck:
        c = ck["demands"]
        declined = demands.each("stage", lambda v: v == "declined")[demands.codes["stage"]]
        no_reason = declined & demands.each("decline_reason", lambda v: v == "")[demands.codes["decline_reason"]]
        c.bulk("declined-without-reason", np.flatnonzero(no_reason), "decline_reason")
        # The link may be written on either side; disagreements are worth a look.
        listed = {d: p for p, ds in zip(projects.values("id"), projects.values("demands"), strict=True) for d in ds}
        linked = demands.rows_where("project", demands.each("project", bool))
        ids, pids = demands.values("id"), demands.values("project")
        for pos in linked.tolist():
            pid = pids[pos]
            other = listed.get(ids[pos])
            if other and other != pid:
                c.problem("demand-project-mismatch", pos, "project", pid, f"整改清单中该需求属于 {other}")
    if "results" in ck:
        c = ck["results"]
        not_done = results.each("project", lambda p: bool(p) and status.get(p) not in (None, "completed"))
        c.bulk("result-not-completed", results.rows_where("project", not_done), "project")
        done, signed = results.values("completed"), results.values("signed_off")
        early = [a is not None and b is not None and b < a for a, b in zip(done, signed, strict=True)]
        c.bulk("signoff-before-completion", np.flatnonzero(early), "signed_off")
        # 限时整改 dates must follow each other; dates given without the reopening would be
        # ignored whenever the ratings do not cross the threshold, so say so.
        reopened, fix_by, fixed = results.values("reopened"), results.values("fix_deadline"), results.values("fixed")
        c.bulk("reopen-before-completion", np.flatnonzero(_earlier(reopened, done)), "reopened")
        c.bulk("fix-deadline-before-reopen", np.flatnonzero(_earlier(fix_by, reopened)), "fix_deadline")
        c.bulk("fixed-before-reopen", np.flatnonzero(_earlier(fixed, reopened)), "fixed")
        c.bulk("fixed-before-reopen", np.flatnonzero(_earlier(fixed, done) & ~_known(reopened)), "fixed")
        orphan = ~_known(reopened) & (_known(fix_by) | _known(fixed))
        c.bulk("followup-without-reopen", np.flatnonzero(orphan), "reopened")
    if "feedback" in ck:
        c = ck["feedback"]
        fb = t["feedback"]
        unfinished = fb.each("project", lambda p: bool(p) and status.get(p) not in (None, "completed", "ongoing"))
        c.bulk("feedback-unfinished-project", fb.rows_where("project", unfinished), "project")
    if as_of is None:
        return
    for name, col in (
        ("demands", "received"),
        ("progress", "date"),
        ("results", "completed"),
        ("feedback", "date"),
        ("projects", "start"),
        ("results", "reopened"),
        ("results", "fixed"),
    ):
        if name in ck:
            late = t[name].each(col, lambda d: d is not None and d == d and d > as_of)
            ck[name].bulk("date-after-as-of", t[name].rows_where(col, late), col, lambda v: f"晚于 {as_of.isoformat()}")
