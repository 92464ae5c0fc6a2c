"""Comparison pages (晒清单比项目): units, subdistricts, communities and leaders, 100 rows a
page. A handful of pages, digested from their built view-models (no ``reads``)."""

from __future__ import annotations

from generator.site.oversight import TEMPLATES, OversightViews

from . import PageKind
from .supervision import views

KIND = PageKind(
    name="compare",
    url=lambda args: OversightViews.spec_url("compare", args),
    template=TEMPLATES["compare"],
    pages=lambda b: [a for m, a in views(b).specs() if m == "compare"],
    build=lambda b, args: views(b).compare(*args),
)
