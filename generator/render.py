"""Stage 5: render view-models through the theme's templates into the output folder.

Runs inside Pelican as a generator (see plugin.py), with Pelican's Jinja environment so
theme, filters and globals are shared with Pelican's own pages.

Fast path, measured in benchmarks/ (see README):
- pages are listed as cheap specs and rendered by forked workers, one per core;
- each page's digest covers its view-model, its template and everything that template
  extends, includes or imports, the site-wide context and the rendering code; a page
  whose digest matches the previous build's manifest is not rendered at all;
- :class:`SiteWriter` writes only bytes that changed, refuses paths outside the output
  folder and a page written twice, and replaces files atomically.
"""

from __future__ import annotations

import hashlib
import json
import multiprocessing
import os
from dataclasses import dataclass, field
from pathlib import Path

from jinja2 import meta
from pelican.generators import Generator

from . import __version__, fragments, templating
from .catalog import ZH
from .export import downloads
from .pipeline import prepared_for
from .problems import OutputError
from .progress import Progress
from .timing import phase
from .views import Link, ViewBuilder, url_for

MANIFEST = ".gongshi/manifest.json"
INLINE_BELOW = 400  # pages; forking costs more than it saves for small sites
CHUNK = 250
_CODE = ("views.py", "filters.py", "catalog.py", "render.py", "fragments.py", "templating.py")


def root_prefix(url: str) -> str:
    """Relative path from a page at ``url`` (``a/b/``) back to the site root."""
    depth = url.count("/")
    return "/".join([".."] * depth) if depth else "."


def file_for(url: str) -> str:
    return url + "index.html" if url == "" or url.endswith("/") else url


class SiteWriter:
    """Writes pages below one folder; each path once, only when the bytes differ."""

    def __init__(self, output: Path, taken: frozenset[str] = frozenset()):
        self.output = Path(output).resolve()
        self.written: set[Path] = set()
        self.taken = taken  # paths another writer (Pelican's) already wrote
        self.changed = 0

    def path_for(self, url: str) -> Path:
        path = (self.output / file_for(url)).resolve()
        if self.output not in path.parents:
            raise OutputError(f"拒绝写到输出目录以外：{url}")
        return path

    def write(self, url: str, text: str) -> bool:
        """Write one page; True if the file on disk changed."""
        return self.write_bytes(url, text.encode("utf-8"))

    def write_bytes(self, url: str, data: bytes) -> bool:
        path = self.path_for(url)
        if path in self.written or str(path) in self.taken:
            raise OutputError(f"同一页面被写了两次：{url}")
        self.written.add(path)
        try:
            if path.stat().st_size == len(data) and path.read_bytes() == data:
                return False
        except FileNotFoundError:
            pass
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.tmp{os.getpid()}")
        tmp.write_bytes(data)
        os.replace(tmp, path)  # never truncate in place: the file may be hard-linked to the live site
        self.changed += 1
        return True


def template_digests(env, names: set[str]) -> dict[str, str]:
    """Digest of each template together with everything it extends, includes or imports."""
    sources: dict[str, str] = {}
    deps: dict[str, set[str]] = {}

    def visit(name: str) -> None:
        if name in sources:
            return
        source, _, _ = env.loader.get_source(env, name)
        sources[name] = source
        deps[name] = {d for d in meta.find_referenced_templates(env.parse(source)) if d}
        for d in deps[name]:
            visit(d)

    for n in names:
        visit(n)
    out = {}
    for n in names:
        seen, stack = set(), [n]
        while stack:
            cur = stack.pop()
            if cur not in seen:
                seen.add(cur)
                stack.extend(deps[cur])
        h = hashlib.blake2b(digest_size=16)
        for dep in sorted(seen):
            h.update(dep.encode() + b"\0" + sources[dep].encode() + b"\0")
        out[n] = h.hexdigest()
    return out


def code_digest() -> str:
    here = Path(__file__).parent
    h = hashlib.blake2b(__version__.encode(), digest_size=16)
    for name in _CODE:
        h.update((here / name).read_bytes())
    return h.hexdigest()


@dataclass
class RenderJob:
    """What every worker needs; set before forking so children inherit it for free."""

    builder: ViewBuilder
    env: object
    writer: SiteWriter
    previous: dict[str, str]
    template_digest: dict[str, str]
    context_digest: str
    templates: dict[str, object] = field(default_factory=dict)

    def template(self, name: str):
        t = self.templates.get(name)
        if t is None:
            t = self.templates[name] = self.env.get_template(name)
        return t

    def run(self, specs: list[tuple[str, tuple]]) -> list[tuple[str, str, bool]]:
        out = []
        site = self.builder.site
        for method, args in specs:
            page = self.builder.page(method, args)
            h = hashlib.blake2b(repr(page).encode(), digest_size=16)
            h.update(self.template_digest[page.template].encode())
            h.update(self.context_digest.encode())
            digest = h.hexdigest()
            path = self.writer.path_for(page.url)
            if self.previous.get(page.url) == digest and path.exists():
                self.writer.written.add(path)
                out.append((page.url, digest, False))
                continue
            html = self.template(page.template).render(page=page, site=site, t=ZH, SITEURL=root_prefix(page.url))
            out.append((page.url, digest, self.writer.write(page.url, html)))
        return out


_JOB: RenderJob | None = None


def _work(specs):
    assert _JOB is not None
    return _JOB.run(specs)


def read_manifest(output: Path) -> dict[str, str]:
    try:
        return json.loads((output / MANIFEST).read_text(encoding="utf-8"))["pages"]
    except (FileNotFoundError, ValueError, KeyError):
        return {}


def render_all(job: RenderJob, specs: list, jobs: int, progress: Progress) -> dict[str, str]:
    """Render every spec, in parallel where it pays; returns the new manifest."""
    global _JOB
    results: list[tuple[str, str, bool]] = []
    chunks = [specs[i : i + CHUNK] for i in range(0, len(specs), CHUNK)]
    if jobs <= 1 or len(specs) < INLINE_BELOW:
        for chunk in chunks:
            results += job.run(chunk)
            progress.advance(len(chunk))
    else:
        _JOB = job
        try:
            with multiprocessing.get_context("fork").Pool(jobs) as pool:
                for part in pool.imap_unordered(_work, chunks):
                    results += part
                    progress.advance(len(part))
        finally:
            _JOB = None
    manifest: dict[str, str] = {}
    for url, digest, _ in results:
        if url in manifest:
            raise OutputError(f"同一页面被写了两次：{url}")
        manifest[url] = digest
    job.writer.changed = sum(1 for *_, changed in results if changed)
    return manifest


class GongshiGenerator(Generator):
    """Pelican generator for every data page."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        templating.install(self.env)

    def generate_context(self) -> None:
        fragments.reset()
        prepared = prepared_for(Path(self.settings["GONGSHI_DATA"]))
        self.prepared = prepared
        self.builder = ViewBuilder(prepared.dataset, prepared.aggregates)
        # Shared with Pelican's own templates (news, Markdown pages) through the context.
        self.context["site"] = self.builder.site
        self.context["t"] = ZH

    def generate_output(self, writer) -> None:
        output = Path(self.output_path)
        articles = self.context.get("articles") or []
        self.builder.news = tuple(Link(a.title, a.url) for a in articles[:5])
        specs = self.builder.specs()
        names = {f"list_{k}.html" for k in ("demands", "projects", "results")}
        names |= {"home.html", "units.html", "subdistricts.html", "subdistrict.html", "community.html", "unit.html"}
        names |= {"project.html"}
        chrome = [self.env.loader.get_source(self.env, n)[0] for n in fragments.TEMPLATES]
        context = repr((self.builder.site, sorted(ZH.items()), code_digest(), chrome))
        taken = frozenset(str(Path(p).resolve()) for p in getattr(writer, "_written_files", ()))
        job = RenderJob(
            builder=self.builder,
            env=self.env,
            writer=SiteWriter(output, taken),
            previous=read_manifest(output),
            template_digest=template_digests(self.env, names),
            context_digest=hashlib.blake2b(context.encode(), digest_size=16).hexdigest(),
        )
        jobs = int(self.settings.get("GONGSHI_JOBS") or os.cpu_count() or 1)
        with Progress("生成页面", len(specs)) as progress, phase("render"):
            manifest = render_all(job, specs, jobs, progress)
        with phase("export"):
            for path, data in downloads(self.builder.ds, self.builder.agg, url_for, self.builder.site.base_url).items():
                job.writer.write_bytes(path, data)
        # Pages that no longer exist (a project removed, a list now shorter) go away.
        for url in set(job.previous) - set(manifest):
            path = job.writer.path_for(url)
            path.unlink(missing_ok=True)
            for parent in path.parents:
                if parent == job.writer.output or any(parent.iterdir()):
                    break
                parent.rmdir()
        path = output / MANIFEST
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps({"pages": dict(sorted(manifest.items()))}, indent=0), encoding="utf-8")
