"""Monthly reports (月度晒进度): one page per month of the data, digested from their built
view-models (no ``reads``)."""

from __future__ import annotations

from generator.site.oversight import TEMPLATES, OversightViews

from . import PageKind
from .supervision import views

KIND = PageKind(
    name="month",
    url=lambda args: OversightViews.spec_url("month", args),
    template=TEMPLATES["month"],
    pages=lambda b: [a for m, a in views(b).specs() if m == "month"],
    build=lambda b, args: views(b).month(*args),
)
