"""Monthly reports (月度晒进度): one page per month of the data. Each declares what it
reads: its month's figures and the previous month's (for the changes), the list of months
(navigation), the trend on the latest page, and the projects it lists (the first
``MONTH_ITEMS`` of each list; month_list.py has the rest)."""

from __future__ import annotations

from generator.site.oversight import MONTH_ITEMS, TEMPLATES, OversightViews, month_key
from generator.site.views import ViewBuilder

from . import PageKind, Read
from .supervision import views


def reads(b: ViewBuilder, args: tuple) -> list[Read]:
    (key,) = args
    months = b.months()
    keys = [month_key(m.month) for m in months]
    at = keys.index(key)
    m = months[at]
    prev = months[at - 1] if at else None
    latest = at + 1 == len(months)
    # The trend (last 12 months' demands and completions) is on the latest page only.
    trend = [(x.month, x.demands, x.completed) for x in months[-12:]] if latest else []
    return [
        ("value", (key, tuple(keys), m, prev, tuple(trend))),
        ("project", (*m.completed_ids[:MONTH_ITEMS], *m.turned_red[:MONTH_ITEMS])),
    ]


KIND = PageKind(
    name="month",
    url=lambda args: OversightViews.spec_url("month", args),
    template=TEMPLATES["month"],
    pages=lambda b: [a for m, a in views(b).specs() if m == "month"],
    build=lambda b, args: views(b).month(*args),
    reads=reads,
)
