"""The words staff write in their own ledgers, read without configuration.

Headings and status synonyms are declared in schema.py (aliases, Choice synonyms); this
module holds what needs more than a lookup: a status read from the progress text when a
ledger has no status column, the deadlines staff write (2026年12月底, 长期), percentages
written as fractions, and the stable id of a row when a ledger numbers its rows (序号)
instead of naming them.
"""

from __future__ import annotations

import calendar
import datetime as dt
import hashlib
import re
import unicodedata

# Deadlines that mean "no end": the project is ongoing.
ONGOING_WORDS = ("长期坚持", "长期", "常态化推进", "常态化", "持续推进", "持续整改", "长期推进")

_YEAR_MONTH_END = re.compile(r"^(\d{4})\s*[年./-]\s*(\d{1,2})\s*月?\s*(底|末|末前|底前|前)?$")
_YEAR_END = re.compile(r"^(\d{4})\s*年?\s*(底|末|年底|年末)(前)?$")
_NO_YEAR = re.compile(r"^(\d{1,2})\s*月\s*(?:(\d{1,2})\s*日|底|末|中旬|上旬|下旬|份)?\s*前?$")


def _plain(text: str) -> str:
    return "".join(unicodedata.normalize("NFKC", text).split())


def is_ongoing(text: str) -> bool:
    """长期 / 常态化 / 长期坚持 written where a date is expected."""
    return _plain(text) in ONGOING_WORDS


def period_end(text: str) -> dt.date | None:
    """The last day of the period a deadline names: 2026年12月底, 2026年6月, 2026年底."""
    t = _plain(text)
    m = _YEAR_MONTH_END.match(t)
    if m:
        year, month = int(m[1]), int(m[2])
        if 1 <= month <= 12 and (m[3] or "月" in t):
            return dt.date(year, month, calendar.monthrange(year, month)[1])
        return None
    m = _YEAR_END.match(t)
    if m:
        return dt.date(int(m[1]), 12, 31)
    return None


def missing_year(text: str) -> str | None:
    """The question to answer when a date has no year (6月底, 6月30日), or None."""
    t = _plain(text)
    if not _NO_YEAR.match(t):
        return None
    return f"“{text.strip()}”没有写年份：是哪一年？请写成“2026年{t}”或 2026-06-30 这样的完整日期"


def percent(value: float, written: str) -> float:
    """0.5 and 50% both mean 50: a fraction written without % is a share of 1."""
    if "%" not in unicodedata.normalize("NFKC", written) and 0 < value < 1:
        return round(value * 100, 6)
    return value


# Status from the progress text (进展情况 / 完成情况) when a ledger has no status column.
# Order matters: 未完成 must not read as 完成.
_NOT = re.compile(r"(未|尚未|没有|待|暂未|正在|即将|计划)(完成|办结|销号|整改到位|落实)")
_SIGNED_OFF = re.compile(r"已销号|已完成销号|完成销号|已办结销号|^销号$")
_DONE = re.compile(r"已完成|已办结|已整改|整改完成|已落实|全部完成|已建成|已投入使用|已交付|^完成$|^办结$")
_ONGOING = re.compile(r"长期坚持|常态化|长期|持续推进")
_NOT_STARTED = re.compile(r"未启动|尚未启动|未开始|尚未开始|待启动")


def status_from_text(text: str) -> str:
    """The status a progress note says (a key of schema.STATUS); in progress when it says
    nothing decisive, not started when it is empty."""
    t = _plain(text)
    if not t:
        return "not_started"
    cleaned = _NOT.sub("", t)
    if _SIGNED_OFF.search(cleaned) or _DONE.search(cleaned):
        return "completed"
    if _ONGOING.search(t):
        return "ongoing"
    if _NOT_STARTED.search(t):
        return "not_started"
    return "in_progress"


def signed_off_text(text: str) -> bool:
    """Whether a status or progress text says the project is signed off (已销号)."""
    return bool(_SIGNED_OFF.search(_NOT.sub("", _plain(text))))


def _key_text(text: str) -> str:
    """A name as it identifies an item: width, case, spaces and punctuation ignored, so
    re-typing 小区门口 排水改造 or changing a full stop keeps the same id."""
    t = unicodedata.normalize("NFKC", text).casefold()
    return "".join(ch for ch in t if ch.isalnum())


def stable_id(prefix: str, *parts: str) -> str:
    """A short id derived from what identifies an item (community + title): the same item
    keeps its id, and so its page's address, wherever its row moves."""
    key = "\x1f".join(_key_text(p) for p in parts)
    return f"{prefix}-{hashlib.sha256(key.encode('utf-8')).hexdigest()[:8]}"
