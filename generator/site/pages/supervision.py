"""The supervision page (督办): every red and yellow project by subdistrict and by unit.
One page, digested from its built view-model (no ``reads``); built by
:class:`generator.site.oversight.OversightViews`, once per build and process."""

from __future__ import annotations

from generator.site.oversight import TEMPLATES, OversightViews
from generator.site.views import ViewBuilder

from . import PageKind


def views(b: ViewBuilder) -> OversightViews:
    """The build's OversightViews, kept on its builder (comparisons and months computed once)."""
    found = b.__dict__.get("_oversight_views")
    if found is None:
        found = b.__dict__["_oversight_views"] = OversightViews(b)
    return found


KIND = PageKind(
    name="supervision",
    url=lambda args: OversightViews.spec_url("supervision", args),
    template=TEMPLATES["supervision"],
    pages=lambda b: [()],
    build=lambda b, args: views(b).supervision(),
)
