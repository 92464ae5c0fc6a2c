"""Comparison pages (晒清单比项目): units, subdistricts, communities and leaders, 100 rows a
page. A city has hundreds of them, so each declares what it reads: the comparison rows it
shows (figures computed once per build by ``ViewBuilder.comparisons``) and the units or
areas it links."""

from __future__ import annotations

from generator.site.oversight import COMPARE_PAGE, TEMPLATES, OversightViews
from generator.site.views import ViewBuilder

from . import PageKind, Read
from .supervision import views


def reads(b: ViewBuilder, args: tuple) -> list[Read]:
    kind, number = args
    ranked = b.comparisons()[kind]
    shown = ranked[(number - 1) * COMPARE_PAGE : number * COMPARE_PAGE]
    out: list[Read] = [("value", (kind, number, len(ranked), *shown))]  # rank, figures, pages
    if kind == "units":
        out.append(("unit", [c.key for c in shown]))
    elif kind != "leaders":
        out.append(("area", [c.key for c in shown]))
    return out


KIND = PageKind(
    name="compare",
    url=lambda args: OversightViews.spec_url("compare", args),
    template=TEMPLATES["compare"],
    pages=lambda b: [a for m, a in views(b).specs() if m == "compare"],
    build=lambda b, args: views(b).compare(*args),
    reads=reads,
)
