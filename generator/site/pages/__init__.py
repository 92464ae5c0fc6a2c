"""Page kinds: every kind of data page is one declaration.

A :class:`PageKind` says where its pages live (``url``), which template renders them,
which pages exist (``pages``), how to build one page's view-model (``build``) and what
that page reads (``reads``). The build is given the kinds as a plain tuple, so a site adds
its own kind without touching this package::

    kinds = (*default_kinds(), PageKind(name="board", ...))

The built-in kinds are declared exactly that way, one module each; :func:`default_kinds`
collects them in the order their pages are listed (the way Datasette's ``DEFAULT_PLUGINS``
registers its own hooks like a third party's, and MkDocs keeps its plugins in a collection
built per configuration, not in a global registry).

Incremental builds: a page's digest is made of the hashes of the entities its ``reads``
declares (:class:`~generator.site.digests.EntityHashes`), its template and the site context; a
page whose digest did not change is neither built nor rendered. The declaration is checked,
not trusted: :func:`generator.site.pages.verify.undeclared_reads` builds every page with its
entity reads recorded and reports each read the kind did not declare.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import numpy as np

    from generator.site.digests import EntityHashes
    from generator.site.views import Page, ViewBuilder

# One group of reads: an entity kind (see ViewBuilder.ENTITY_READS and EntityHashes) and
# the keys read, in the order the page shows them. The kind "value" hashes its keys
# themselves: figures the page shows that are no entity's, e.g. a list's length.
Read = tuple[str, Sequence]
Args = tuple


@dataclass(frozen=True)
class PageKind:
    """One kind of data page.

    ``reads`` returns the entities a page shows, grouped by kind, in display order; it
    must be cheap (no view-model): it is called for every page on every build. Without
    ``reads`` a page is digested from its built view-model, which is always right and
    costs a build of every page of the kind on every build: fine for a handful of pages.
    ``bulk_reads`` optionally digests many pages at once (e.g. as numpy arrays) and must
    equal the digests ``reads`` gives (``tests/test_page_kinds.py`` checks it).
    """

    name: str
    url: Callable[[Args], str]
    template: str | Callable[[Args], str]
    pages: Callable[[ViewBuilder], Iterable[Args]]
    build: Callable[[ViewBuilder, Args], Page]
    reads: Callable[[ViewBuilder, Args], Iterable[Read]] | None = None
    bulk_reads: Callable[[EntityHashes, ViewBuilder, list[Args]], np.ndarray] | None = None

    def template_for(self, args: Args) -> str:
        return self.template if isinstance(self.template, str) else self.template(args)


# (kind name, arguments): cheap to list and to send to a worker process; the view-model
# is built where the page is rendered.
Spec = tuple[str, Args]


class PageKinds:
    """The page kinds of one build, by name."""

    def __init__(self, kinds: Iterable[PageKind]):
        self.kinds: dict[str, PageKind] = {}
        for kind in kinds:
            if kind.name in self.kinds or kind.name == "value":
                raise ValueError(f"page kind {kind.name!r} declared twice (or a reserved name)")
            self.kinds[kind.name] = kind

    def __iter__(self):
        return iter(self.kinds.values())

    def __getitem__(self, name: str) -> PageKind:
        return self.kinds[name]

    def specs(self, builder: ViewBuilder) -> list[Spec]:
        """Every data page."""
        return [(kind.name, tuple(args)) for kind in self.kinds.values() for args in kind.pages(builder)]

    def url(self, spec: Spec) -> str:
        return self.kinds[spec[0]].url(spec[1])

    def template(self, spec: Spec) -> str:
        return self.kinds[spec[0]].template_for(spec[1])

    def build(self, builder: ViewBuilder, spec: Spec) -> Page:
        return self.kinds[spec[0]].build(builder, spec[1])


# The built-in kinds, in the order their pages are listed.
def index_reads(b: ViewBuilder, ids: Sequence, number: int, entity: str) -> list[Read]:
    """What page ``number`` of an index of ``ids`` shows: the pagination, the district's
    figures beside each entity's (``entity`` and ``entity + "_figures"``) on that page."""
    size = b.page_size
    shown = ids[(number - 1) * size : number * size]
    return [
        ("value", ((len(ids), b.index_count(len(ids))),)),  # the pagination
        ("district", (None,)),
        (entity, shown),
        (f"{entity}_figures", shown),
    ]


def page_numbers(b: ViewBuilder, ids: Sequence) -> list[Args]:
    """The arguments of every page of an index of ``ids``."""
    return [(n,) for n in range(1, b.index_count(len(ids)) + 1)]


BUILTIN = (
    "home",
    "units_index",
    "subdistricts_index",
    "communities_index",
    "finder_data",
    "subdistrict",
    "community",
    "unit",
    "project",
    "list_page",
    "supervision",
    "compare",
    "month",
    "month_list",
    "records_index",
    "records",
    "api",
    "embed_community",
    "embed_subdistrict",
    "embed_unit",
    "embed_list",
    "print_community",
    "lookup",
    "demand_ranges_index",
    "demand_range",
    "search",
)


def default_kinds() -> tuple[PageKind, ...]:
    return tuple(importlib.import_module(f"{__name__}.{name}").KIND for name in BUILTIN)
