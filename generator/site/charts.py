"""Charts drawn at build time as inline SVG: no JavaScript, no style attributes (the
portal's Content-Security-Policy allows no inline styles), nothing fetched.

Every chart carries its text alternative (``<title>`` and ``<desc>``, referenced by
``aria-labelledby``), writes each value as text next to its mark, starts its value axis
at zero and fills each series with a pattern as well as a colour, so it reads in
greyscale and to a screen reader. Pages print the table of the same numbers beside it.
The functions are pure: same input, same bytes.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape

# Fills per series: a colour and a pattern that tells the series apart without colour.
# Colours are the portal's (light red/yellow/green and its blue/grey), each with a dark
# outline so a light fill stays visible on white.
PALETTE: tuple[tuple[str, str], ...] = (
    ("#0b4ea2", "solid"),
    ("#16723a", "hatch"),
    ("#8a6d00", "dots"),
    ("#b3141c", "cross"),
    ("#4d4d4d", "vertical"),
    ("#6b3fa0", "hatch-back"),
)
LIGHT_FILLS = {"red": ("#b3141c", "cross"), "yellow": ("#f2c94c", "dots"), "green": ("#16723a", "solid")}
# Rating levels: satisfied ones green and blue, the middle ochre, unsatisfied red, unknown grey.
RATING_FILLS = {
    "very_satisfied": ("#0b4ea2", "solid"),
    "satisfied": ("#16723a", "solid"),
    "basic": ("#8a6d00", "dots"),
    "unsatisfied": ("#b3141c", "cross"),
    "very_unsatisfied": ("#6b1016", "hatch"),
    "unknown": ("#4d4d4d", "vertical"),
}
STATUS_FILLS = {
    "completed": ("#16723a", "solid"),
    "in_progress": ("#0b4ea2", "hatch"),
    "ongoing": ("#6b3fa0", "vertical"),
    "other": ("#4d4d4d", "dots"),
}
TEXT = "#1a1a1a"
FONT = 16  # user units; the charts are drawn 360 wide, the width of a phone: 16 px text there


@dataclass(frozen=True)
class Series:
    key: str  # stable id for the pattern (e.g. "red", "completed")
    label: str
    values: tuple[int, ...]
    fill: tuple[str, str] | None = None  # colour and pattern; by position in PALETTE when None


def _num(v: float) -> str:
    return f"{v:,}" if isinstance(v, int) else f"{v:,.1f}"


def _fmt(x: float) -> str:
    """A coordinate: at most one decimal, no trailing zeros (stable bytes)."""
    return f"{x:.1f}".rstrip("0").rstrip(".")


def _pattern(pid: str, colour: str, kind: str) -> str:
    """One <pattern>: the colour as background, marks in white on top (or none for solid)."""
    marks = {
        "solid": "",
        "hatch": '<path d="M0 8L8 0" stroke="#fff" stroke-width="2"/>',
        "hatch-back": '<path d="M0 0L8 8" stroke="#fff" stroke-width="2"/>',
        "dots": '<circle cx="4" cy="4" r="1.6" fill="#1a1a1a"/>',
        "cross": '<path d="M0 8L8 0M0 0L8 8" stroke="#fff" stroke-width="1.5"/>',
        "vertical": '<path d="M4 0V8" stroke="#fff" stroke-width="2"/>',
    }[kind]
    return (
        f'<pattern id="{pid}" width="8" height="8" patternUnits="userSpaceOnUse">'
        f'<rect width="8" height="8" fill="{colour}"/>{marks}</pattern>'
    )


# Every drawing element with an end tag, not self-closed: inline in HTML both parse, but the
# site check before publishing (and some validators) accept only HTML's own void elements.
_SELF_CLOSED = re.compile(r"<(rect|path|circle|line)((?:\s[^<>]*?)?)/>")


def _frame(chart_id: str, title: str, desc: str, width: int, height: int, defs: list[str], body: list[str]) -> Markup:
    cid = escape(chart_id)
    defs = [_SELF_CLOSED.sub(r"<\1\2></\1>", d) for d in defs]
    body = [_SELF_CLOSED.sub(r"<\1\2></\1>", b) for b in body]
    return Markup(
        f'<svg class="chart" id="{cid}" role="img" aria-labelledby="{cid}-t {cid}-d" '
        f'viewBox="0 0 {width} {height}" width="100%" preserveAspectRatio="xMinYMin meet" '
        f'font-family="sans-serif" font-size="{FONT}" xmlns="http://www.w3.org/2000/svg">'
        f'<title id="{cid}-t">{escape(title)}</title><desc id="{cid}-d">{escape(desc)}</desc>'
        f"<defs>{''.join(defs)}</defs>{''.join(body)}</svg>"
    )


def _fills(chart_id: str, series: Sequence[Series]) -> tuple[list[str], list[str]]:
    """Pattern definitions and the fill reference of each series."""
    defs, refs = [], []
    for n, s in enumerate(series):
        colour, kind = s.fill or PALETTE[n % len(PALETTE)]
        pid = f"{chart_id}-p{n}"
        defs.append(_pattern(pid, colour, kind))
        refs.append(f"url(#{pid})")
    return defs, refs


def _legend(series: Sequence[Series], refs: list[str], y: float, width: int) -> tuple[list[str], float]:
    """Swatches with their labels, wrapped to the width; returns the marks and the next y."""
    out, x = [], 0.0
    for s, ref in zip(series, refs, strict=True):
        w = 22 + FONT * len(s.label) + 12
        if x and x + w > width:
            x, y = 0.0, y + FONT + 8
        out.append(
            f'<rect x="{_fmt(x)}" y="{_fmt(y)}" width="16" height="{FONT}" fill="{ref}" stroke="{TEXT}"/>'
            f'<text x="{_fmt(x + 22)}" y="{_fmt(y + FONT - 2)}" fill="{TEXT}">{escape(s.label)}</text>'
        )
        x += w
    return out, y + FONT + 12


def bar_chart(chart_id: str, title: str, desc: str, items: Sequence[tuple[str, int]], fills=None) -> Markup:
    """Horizontal bars, one per (label, value), from a zero baseline, each value written
    at the end of its bar. ``fills``: per item (colour, pattern), else the palette."""
    width, label_w, row = 360, 100, FONT + 14
    top = max((v for _, v in items), default=0)
    plot = width - label_w - 56
    series = [Series(f"b{n}", label, (v,), (fills[n] if fills else None)) for n, (label, v) in enumerate(items)]
    defs, refs = _fills(chart_id, series)
    body = [f'<line x1="{label_w}" y1="0" x2="{label_w}" y2="{len(items) * row}" stroke="{TEXT}"/>']
    for n, ((label, v), ref) in enumerate(zip(items, refs, strict=True)):
        y = n * row
        w = plot * v / top if top else 0
        body.append(
            f'<text x="{label_w - 6}" y="{_fmt(y + row / 2 + FONT / 2 - 2)}" text-anchor="end" fill="{TEXT}">'
            f"{escape(label)}</text>"
            f'<rect x="{label_w}" y="{_fmt(y + 4)}" width="{_fmt(w)}" height="{row - 8}" fill="{ref}" stroke="{TEXT}" '
            f'stroke-width="{1 if v else 0}"/>'
            f'<text x="{_fmt(label_w + w + 6)}" y="{_fmt(y + row / 2 + FONT / 2 - 2)}" fill="{TEXT}">{_num(v)}</text>'
        )
    return _frame(chart_id, title, desc, width, max(len(items), 1) * row + 4, defs, body)


def grouped_bars(chart_id: str, title: str, desc: str, categories: Sequence[str], series: Sequence[Series]) -> Markup:
    """Vertical bars grouped by category (e.g. months), one bar per series, from a zero
    baseline with the scale's top written on the axis; values above each bar."""
    width, left, plot_h, legend_y = 360, 34, 150, 0.0
    defs, refs = _fills(chart_id, series)
    legend, top_y = _legend(series, refs, legend_y, width)
    base = top_y + FONT + 6 + plot_h  # the zero line
    top = max((v for s in series for v in s.values), default=0)
    group = (width - left) / max(len(categories), 1)
    bar = max(2.0, (group - 6) / max(len(series), 1))
    small = FONT - 4 if bar < FONT * 1.4 else FONT - 2
    body = [
        *legend,
        f'<text x="{left - 4}" y="{_fmt(base - plot_h + 4)}" text-anchor="end" fill="{TEXT}" font-size="{FONT - 2}">'
        f"{_num(top)}</text>",
        f'<text x="{left - 4}" y="{_fmt(base + 4)}" text-anchor="end" fill="{TEXT}" font-size="{FONT - 2}">0</text>',
        f'<line x1="{left}" y1="{_fmt(base - plot_h)}" x2="{width}" y2="{_fmt(base - plot_h)}" stroke="#999" '
        'stroke-dasharray="3 3"/>',
    ]
    for c, label in enumerate(categories):
        x0 = left + c * group + 3
        for n, (s, ref) in enumerate(zip(series, refs, strict=True)):
            v = s.values[c]
            h = plot_h * v / top if top else 0
            x = x0 + n * bar
            body.append(
                f'<rect x="{_fmt(x)}" y="{_fmt(base - h)}" width="{_fmt(bar - 1)}" height="{_fmt(h)}" fill="{ref}" '
                f'stroke="{TEXT}" stroke-width="{1 if v else 0}"/>'
                f'<text x="{_fmt(x + bar / 2)}" y="{_fmt(base - h - 3)}" text-anchor="middle" fill="{TEXT}" '
                f'font-size="{small}">{_num(v)}</text>'
            )
        body.append(
            f'<text x="{_fmt(x0 + group / 2 - 3)}" y="{_fmt(base + FONT + 4)}" text-anchor="middle" fill="{TEXT}" '
            f'font-size="{small}">{escape(label)}</text>'
        )
    body.append(f'<line x1="{left}" y1="{_fmt(base)}" x2="{width}" y2="{_fmt(base)}" stroke="{TEXT}"/>')
    return _frame(chart_id, title, desc, width, int(base + FONT + 10), defs, body)


def stacked_bars(chart_id: str, title: str, desc: str, rows: Sequence[str], series: Sequence[Series]) -> Markup:
    """One horizontal bar per row (e.g. a unit), its segments the series (e.g. red, yellow,
    green lights), each segment's count written inside it or, when too narrow, after the bar."""
    width, label_w, row = 360, 120, FONT + 16
    defs, refs = _fills(chart_id, series)
    legend, y0 = _legend(series, refs, 0.0, width)
    totals = [sum(s.values[r] for s in series) for r in range(len(rows))]
    top = max(totals, default=0)
    plot = width - label_w - 40
    axis = f'<line x1="{label_w}" y1="{_fmt(y0)}" x2="{label_w}" y2="{_fmt(y0 + len(rows) * row)}" stroke="{TEXT}"/>'
    body = [*legend, axis]
    for r, label in enumerate(rows):
        y = y0 + r * row
        name = label if len(label) <= 8 else label[:7] + "…"
        body.append(
            f'<text x="{label_w - 6}" y="{_fmt(y + row / 2 + FONT / 2 - 2)}" text-anchor="end" fill="{TEXT}">'
            f"<title>{escape(label)}</title>{escape(name)}</text>"
        )
        x = float(label_w)
        parts = []
        for s, ref in zip(series, refs, strict=True):
            v = s.values[r]
            w = plot * v / top if top else 0
            if v:
                body.append(
                    f'<rect x="{_fmt(x)}" y="{_fmt(y + 4)}" width="{_fmt(w)}" height="{row - 8}" fill="{ref}" '
                    f'stroke="{TEXT}"/>'
                )
                parts.append(_num(v))
            x += w
        body.append(
            f'<text x="{_fmt(x + 6)}" y="{_fmt(y + row / 2 + FONT / 2 - 2)}" fill="{TEXT}" font-size="{FONT - 2}">'
            f"{'+'.join(parts) or '0'}</text>"
        )
    return _frame(chart_id, title, desc, width, int(y0 + max(len(rows), 1) * row + 4), defs, body)


def describe(items: Sequence[tuple[str, int]], unit: str = "") -> str:
    """A sentence listing the values, for ``<desc>``: 满意 25，基本满意 5，不满意 3。"""
    return "，".join(f"{label} {_num(v)}{unit}" for label, v in items) + "。"
