"""Stage 5: render view-models through the theme's templates into the output folder.

Runs inside Pelican as a generator (see plugin.py), using Pelican's Jinja environment so
theme, filters and globals are shared with Pelican's own pages. Pages are written by
:class:`SiteWriter`, which refuses paths outside the output folder and pages written
twice, and only touches a file when its bytes change.
"""

from __future__ import annotations

import os
from pathlib import Path

from pelican.generators import Generator

from .catalog import ZH
from .pipeline import prepared_for
from .problems import OutputError
from .views import Link, Page, ViewBuilder


def root_prefix(url: str) -> str:
    """Relative path from a page at ``url`` (``a/b/``) back to the site root."""
    depth = url.count("/")
    return "/".join([".."] * depth) if depth else "."


class SiteWriter:
    """Writes pages below one folder; each path once, only when the bytes differ."""

    def __init__(self, output: Path):
        self.output = Path(output).resolve()
        self.written: set[Path] = set()
        self.changed = 0

    def path_for(self, url: str) -> Path:
        rel = url + "index.html" if url == "" or url.endswith("/") else url
        path = (self.output / rel).resolve()
        if self.output not in path.parents:
            raise OutputError(f"拒绝写到输出目录以外：{url}")
        return path

    def write(self, url: str, text: str) -> Path:
        path = self.path_for(url)
        if path in self.written:
            raise OutputError(f"同一页面被写了两次：{url}")
        self.written.add(path)
        data = text.encode("utf-8")
        try:
            if path.stat().st_size == len(data) and path.read_bytes() == data:
                return path
        except FileNotFoundError:
            pass
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.tmp{os.getpid()}")
        tmp.write_bytes(data)
        os.replace(tmp, path)  # readers never see half a page
        self.changed += 1
        return path


def all_pages(builder: ViewBuilder, news: tuple[Link, ...] = ()) -> list[Page]:
    ds = builder.ds
    pages: list[Page] = [builder.home(news), builder.units_index()]
    pages += [builder.subdistrict(a.id) for a in sorted(ds.level("subdistrict"), key=lambda a: a.id)]
    pages += [builder.community(a.id) for a in sorted(ds.level("community"), key=lambda a: a.id)]
    pages += [builder.unit(uid) for uid in sorted(ds.units)]
    pages += [builder.project(pid) for pid in sorted(ds.projects)]
    pages += builder.lists()
    return pages


class GongshiGenerator(Generator):
    """Pelican generator for every data page."""

    def generate_context(self) -> None:
        prepared = prepared_for(Path(self.settings["GONGSHI_DATA"]))
        self.prepared = prepared
        self.builder = ViewBuilder(prepared.dataset, prepared.aggregates)
        # Shared with Pelican's own templates (news, Markdown pages) through the context.
        self.context["site"] = self.builder.site
        self.context["t"] = ZH

    def generate_output(self, writer) -> None:
        articles = self.context.get("articles") or []
        news = tuple(Link(a.title, a.url) for a in articles[:5])
        out = SiteWriter(Path(self.output_path))
        site = self.builder.site
        cache: dict[str, object] = {}
        for page in all_pages(self.builder, news):
            template = cache.get(page.template)
            if template is None:
                template = cache[page.template] = self.get_template(page.template.removesuffix(".html"))
            html = template.render(page=page, site=site, t=ZH, SITEURL=root_prefix(page.url))
            out.write(page.url, html)
        self.pages_written = len(out.written)
