"""Comparison pages (晒清单比项目): units, subdistricts, communities and leaders, 100 rows a
page, in the default rank order and in each other order (``aggregate.COMPARE_SORTS``) as
pages of their own, so a sort runs across the whole list with or without JavaScript. A
city has hundreds of them, so each declares what it reads: the comparison rows it
shows (figures computed once per build by ``ViewBuilder.comparisons``) and the units or
areas it links."""

from __future__ import annotations

from generator.site.oversight import TEMPLATES, OversightViews
from generator.site.views import ViewBuilder

from . import PageKind, Read
from .supervision import views


def reads(b: ViewBuilder, args: tuple) -> list[Read]:
    kind, number, sort = args
    v = views(b)
    ranks = v.ranks(kind)
    keys = [c.key for _, c in v.compare_rows(kind, number, sort)]
    total = len(b.comparisons()[kind])
    out: list[Read] = [("value", (kind, number, sort, total, *(ranks[k][1] for k in keys)))]  # ranks, figures
    if kind == "units":
        out.append(("unit", keys))
    elif kind != "leaders":
        out.append(("area", keys))
    return out


KIND = PageKind(
    name="compare",
    url=lambda args: OversightViews.spec_url("compare", args),
    template=TEMPLATES["compare"],
    pages=lambda b: [a for m, a in views(b).specs() if m == "compare"],
    build=lambda b, args: views(b).compare(*args),
    reads=reads,
)
