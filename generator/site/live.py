"""Data pages made on request, for the live preview (``gongshi serve``).

After a data file is saved, the preview prepares the data again (per-file cache: a few
seconds at city size) and then makes each data page only when the browser asks for it,
with the same page kinds, view-models and compiled templates a build uses, so a page is
byte for byte the page a build would write (``tests/test_preview.py`` compares every page
of the demo). What a build does for the whole site before its first page — listing and
digesting every page, the search index, the downloads, the feeds — is not done while
previewing: saving a ledger and seeing the page again takes the time to read the data,
not the time to rebuild a city.

The rendering parts (Jinja environment with Pelican's filters and globals, the page kinds,
the news links) come from the last build in the same process (:class:`Renderer`, handed
back in :attr:`generator.build.BuildResult.renderer`); a change of template, content or
settings goes through a build again, which hands back new ones.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from generator.output.folder import Manifest
from generator.privacy.mask import allowed_in, contact_values, leak
from generator.site.downloads import sizes_on_disk
from generator.site.render import page_findings, render_page

if TYPE_CHECKING:
    from jinja2 import Environment, Template

    from generator.ingest.prepare import Prepared
    from generator.site.pages import PageKinds, Spec
    from generator.site.views import Link, ViewBuilder


@dataclass(frozen=True)
class Renderer:
    """What rendering a data page needs besides the data: the build's Jinja environment,
    its page kinds, and the news items the pages link to."""

    env: Environment
    kinds: PageKinds
    news: tuple[Link, ...]


def page_url(path: str) -> str:
    """The data-page URL a request path stands for: ``/a/b/`` and ``/a/b/index.html`` are
    ``a/b/``, ``/`` is the home page's ``""``."""
    url = path.lstrip("/")
    return url[: -len("index.html")] if url == "index.html" or url.endswith("/index.html") else url


def download_sizes(output: Path) -> dict[str, int]:
    """The size of every download the last build left in ``output`` (the pages print them)."""
    return sizes_on_disk(Manifest.read(output).files, output)


@dataclass
class LivePages:
    """The data pages of one version of the data, made on request.

    Page addresses are found kind by kind, in the order the kinds are declared, and each
    kind's pages are listed only when a request gets that far: a project page lists the
    few kinds before it, not the monthly reports (whose figures take seconds at city
    size). Threads of the preview's server share one instance; a lock keeps the view
    builder's caches and the listing consistent."""

    builder: ViewBuilder
    renderer: Renderer
    data: Path | None = None  # a privacy stop is traced to these cells
    index: dict[str, Spec] = field(default_factory=dict)
    listed: set[str] = field(default_factory=set)
    templates: dict[str, Template] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)
    allowed: frozenset[str] | None = None  # the office contacts the pages publish on purpose

    @classmethod
    def of(cls, prepared: Prepared, renderer: Renderer, output: Path, data: Path | None = None) -> LivePages:
        from generator.site.views import ViewBuilder

        builder = ViewBuilder(prepared.dataset, prepared.aggregates)
        builder.news = renderer.news
        builder.download_sizes = download_sizes(output)
        return cls(builder, renderer, data)

    def spec(self, url: str) -> Spec | None:
        """The page at ``url``, or None when no data page lives there."""
        found = self.index.get(url)
        if found is not None:
            return found
        for kind in self.renderer.kinds:
            if kind.name in self.listed:
                continue
            for args in kind.pages(self.builder):
                self.index.setdefault(kind.url(tuple(args)), (kind.name, tuple(args)))
            self.listed.add(kind.name)
            if url in self.index:
                return self.index[url]
        return None

    def page(self, url: str) -> bytes | None:
        """The bytes of the data page at ``url`` (None: not a data page). Raises
        :class:`~generator.problems.PrivacyLeak` when the page would carry personal data."""
        with self.lock:
            spec = self.spec(url)
            if spec is None:
                return None
            kinds, b = self.renderer.kinds, self.builder
            page = kinds.build(b, spec)
            template = self.templates.get(page.template)
            if template is None:
                template = self.templates[page.template] = self.renderer.env.get_template(page.template)
            data = render_page(template, page, b.site)
            if self.allowed is None:
                self.allowed = allowed_in(b.ds.settings, contact_values(b.ds))
            findings = page_findings(page.url, data, self.allowed)
        if findings:
            raise leak(findings, self.data)
        return data
