"""A month's whole list of projects that turned red, or that were completed, on pages of
their own (``monthly/<month>/red/``, ``monthly/<month>/completed/page/2/``) when it is
longer than the month page shows: a city completes thousands of projects a month, and
the month page stays light on a phone. Each page reads the month's list (its length, for
the pagination) and the projects it shows."""

from __future__ import annotations

from generator.site.oversight import COMPARE_PAGE, TEMPLATES, OversightViews, month_key, month_list_ids
from generator.site.views import ViewBuilder

from . import PageKind, Read
from .supervision import views


def reads(b: ViewBuilder, args: tuple) -> list[Read]:
    key, which, number = args
    m = next(x for x in b.months() if month_key(x.month) == key)
    ids = month_list_ids(m, which)
    return [
        ("value", (key, which, number, len(ids), m.month)),
        ("project", ids[(number - 1) * COMPARE_PAGE : number * COMPARE_PAGE]),
    ]


KIND = PageKind(
    name="month_list",
    url=lambda args: OversightViews.spec_url("month_list", args),
    template=TEMPLATES["month_list"],
    pages=lambda b: [a for m, a in views(b).specs() if m == "month_list"],
    build=lambda b, args: views(b).month_list(*args),
    reads=reads,
)
