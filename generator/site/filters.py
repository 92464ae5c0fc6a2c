"""Jinja filters: formatting only (dates, numbers). Registered by the Pelican plugin."""

from __future__ import annotations

import datetime as dt

from markupsafe import Markup


def date_cn(value: dt.date | None, empty: str = "—") -> str:
    """2026-06-30 -> 2026年6月30日."""
    if value is None:
        return empty
    return f"{value.year}年{value.month}月{value.day}日"


def iso(value: dt.date | None) -> str:
    return value.isoformat() if value else ""


def time_tag(value: dt.date | None, empty: str = "—") -> Markup:
    """A date as ``<time datetime="2026-06-30">2026年6月30日</time>`` (digits only: safe)."""
    if value is None:
        return Markup(empty)
    return Markup(f'<time datetime="{value.isoformat()}">{value.year}年{value.month}月{value.day}日</time>')


def num(value: int | float | None, empty: str = "—") -> str:
    """Thousands separators, as Chinese government tables print them."""
    if value is None:
        return empty
    return f"{value:,}" if isinstance(value, int) else f"{value:,.1f}"


def pct(value: int | float | None, empty: str = "—") -> str:
    return empty if value is None else f"{value:g}%"


FILTERS = {"date_cn": date_cn, "iso": iso, "num": num, "pct": pct, "time_tag": time_tag}
