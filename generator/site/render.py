"""Stage 5: render view-models through the theme's templates into the output folder.

Runs inside Pelican as a generator (see plugin.py), with Pelican's Jinja environment so
theme, filters and globals are shared with Pelican's own pages.

Fast path, measured with ``gongshi bench`` (see README):
- pages are listed as cheap specs; each spec's digest comes from the content of what the
  page shows (digests.py), its template with everything that template extends, includes
  or imports, the site-wide context and the rendering code. A page whose digest matches
  the previous build's manifest is not built, rendered or written;
- the other pages are rendered by forked workers, one per core, which also scan each
  page for personal data before writing it (so the scan costs no extra read);
- :class:`~generator.output.folder.SiteWriter` writes only bytes that differ from the live site,
  refuses paths outside the output folder and a page written twice.

Run by :class:`generator.build.Build`, Pelican writes into a staging folder that receives
only what changed, and the build commits it (output.py). Run as a plain Pelican plugin,
the output folder is the live folder and is updated in place.
"""

from __future__ import annotations

import gc
import hashlib
import multiprocessing
import os
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from jinja2 import Environment, Template, meta
from pelican.generators import Generator

from generator import timing
from generator.catalog import ZH, T
from generator.codeversion import code_digest
from generator.exports import opendata, sitemap
from generator.ingest.prepare import prepare
from generator.output.folder import Manifest, SiteWriter, file_for, remove_file, remove_page
from generator.privacy.mask import KIND_LABELS, allowed_in, contact_values, leak, scan_bytes
from generator.problems import OutputError
from generator.progress import Progress
from generator.site import fragments, media
from generator.site.digests import EntityHashes
from generator.site.downloads import shows_sizes, sizes_on_disk
from generator.site.lookup import shard_files
from generator.site.pages import PageKinds, Spec, default_kinds
from generator.site.search import index_files
from generator.site.templating import environment_options
from generator.site.views import Link, ViewBuilder, url_for
from generator.timing import phase

if TYPE_CHECKING:
    from generator.build import RenderContext

INLINE_BELOW = 400  # pages; forking costs more than it saves for small sites
CHUNK = 200


def root_prefix(url: str) -> str:
    """Relative path from a page at ``url`` (``a/b/``) back to the site root."""
    depth = url.count("/")
    return "/".join([".."] * depth) if depth else "."


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


def render_page(template: Template, page, site) -> bytes:
    """One data page's bytes (a build's workers and the preview's pages on request)."""
    return template.render(page=page, site=site, t=T, SITEURL=root_prefix(page.url)).encode("utf-8")


def page_findings(url: str, data: bytes, allowed) -> list[tuple[str, str, str]]:
    """Personal data in a rendered page: (its file, kind, value)."""
    return [(file_for(url), KIND_LABELS[k], s) for k, s in scan_bytes(data, allowed)]


@dataclass
class RenderJob:
    """What every worker needs; set before forking so children inherit it for free."""

    builder: ViewBuilder
    env: Environment
    writer: SiteWriter
    kinds: PageKinds
    templates: dict[str, Template] = field(default_factory=dict)

    def template(self, name: str) -> Template:
        t = self.templates.get(name)
        if t is None:
            t = self.templates[name] = self.env.get_template(name)
        return t

    def run(self, specs: list[Spec]) -> list[tuple[str, int, list[tuple[str, str, str]]]]:
        """Build, render, scan and write each page: [(url, bytes written (0 when the file
        did not change), privacy findings)]."""
        out = []
        site = self.builder.site
        ds = self.builder.ds
        allowed = allowed_in(ds.settings, contact_values(ds))  # office phones: footer, speak-up blocks
        for spec in specs:
            page = self.kinds.build(self.builder, spec)
            data = render_page(self.template(page.template), page, site)
            findings = page_findings(page.url, data, allowed)
            changed = False if findings else self.writer.write_bytes(page.url, data)
            out.append((page.url, len(data) if changed else 0, findings))
        return out


# Set only inside forked worker processes (by the pool's initializer), never in the parent:
# a worker inherits the job's whole dataset through fork instead of receiving it pickled.
_WORKER: dict[str, object] = {}


def _init_worker(job: object) -> None:
    _WORKER["job"] = job


def _work(specs):
    job = _WORKER["job"]
    assert isinstance(job, RenderJob)
    return job.run(specs)


def render_all(job: RenderJob, specs: list, jobs: int, progress: Progress) -> list[tuple[str, int, list]]:
    """Render every spec, in parallel where it pays."""
    results: list[tuple[str, int, list]] = []
    chunks = [specs[i : i + CHUNK] for i in range(0, len(specs), CHUNK)]
    if jobs <= 1 or len(specs) < INLINE_BELOW:
        for chunk in chunks:
            results += job.run(chunk)
            progress.advance(len(chunk))
    else:
        # Workers inherit the whole dataset. Frozen, the cycle collector never walks it
        # there, which saves time and keeps the shared memory pages shared.
        gc.freeze()
        with multiprocessing.get_context("fork").Pool(jobs, initializer=_init_worker, initargs=(job,)) as pool:
            for part in pool.imap_unordered(_work, chunks):
                results += part
                progress.advance(len(part))
    job.writer.changed = sum(1 for _, written, _ in results if written)
    job.writer.changed_bytes = sum(written for _, written, _ in results)
    return results


def export_downloads(
    builder: ViewBuilder,
    writer: SiteWriter,
    previous: dict[str, str],
    live: Path,
    scopes: list,
    digests: dict[str, str],
) -> tuple[dict[str, str], int, int, list[tuple[str, str, str]], dict[str, int]]:
    """Write the open-data files of ``scopes`` (opendata.py) whose sources changed, each
    scope's scanned in memory like the pages before it is written. A scope whose digest
    (``digests``, by folder) matches the one recorded for its files by the build in
    ``live`` (``previous``) is not built again.

    Returns ({every file: digest}, files changed, bytes written, privacy findings,
    {every file: size in bytes}): the sizes are printed beside the download links."""
    # Runs in a forked child: the dataset it inherits is never garbage, so the collector
    # need not walk it while millions of row strings are made.
    gc.freeze()
    with phase("export"):
        ds = builder.ds
        recorded: dict[str, str] = {}
        sizes: dict[str, int] = {}
        todo = []
        for scope in scopes:
            digest = digests[scope.key]
            paths = scope.paths()
            recorded.update(dict.fromkeys(paths, digest))
            try:
                if any(previous.get(p) != digest for p in paths):
                    raise FileNotFoundError
                sizes.update({p: os.path.getsize(f"{live}/{p}") for p in paths})
            except OSError:  # changed, or a file is missing: built again
                todo.append(scope)
        allowed = allowed_in(ds.settings, contact_values(ds))
        findings: list[tuple[str, str, str]] = []
        changed = 0
        for built in opendata.iter_built(ds, builder.agg, url_for, builder.site.base_url, todo):
            found = [
                (path, KIND_LABELS[k], value)
                for path, data in built.scanned.items()
                for k, value in scan_bytes(data, allowed)
            ]
            findings += found
            sizes.update({path: len(data) for path, data in built.files.items()})
            if not findings:  # nothing is written once anything leaked: the build fails
                changed += sum(writer.write_bytes(path, data) for path, data in built.files.items())
        if any(s.kind == "all" for s in scopes):
            # 查询我的诉求: every shard is made again (in this child, with the whole
            # district's files) and written only when its bytes changed.
            shards = shard_files(builder)
            findings += [
                (path, KIND_LABELS[k], value) for path, data in shards.items() for k, value in scan_bytes(data, allowed)
            ]
            recorded.update({path: hashlib.blake2b(data, digest_size=16).hexdigest() for path, data in shards.items()})
            if not findings:
                changed += sum(writer.write_bytes(path, data) for path, data in shards.items())
    return dict(sorted(recorded.items())), changed, writer.changed_bytes, findings, sizes


def export_media(
    builder: ViewBuilder, writer: SiteWriter, previous: dict[str, str], live: Path
) -> tuple[dict[str, str], int, int, list[tuple[str, str, str]]]:
    """Write the Atom feeds and the share images that changed (feeds.py, images.py).

    A share image is drawn only when its card (the text it shows) differs from the one
    the build in ``live`` drew (``previous``: its files' digests). Everything an image
    shows is scanned as text before it is drawn; the feeds are scanned as bytes.
    Returns ({path: digest}, files changed, bytes written, privacy findings)."""
    from generator.exports import feeds, images
    from generator.site import media

    ds, agg = builder.ds, builder.agg
    allowed = allowed_in(ds.settings, contact_values(ds))
    digests: dict[str, str] = {}
    files: dict[str, bytes] = {}
    findings: list[tuple[str, str, str]] = []
    with phase("feeds"):
        # Every feed shares one digest of what the feeds are made of: when it did not
        # change, the live feeds are kept as they are (an edit of a template, a news item
        # or the demand list leaves them alone).
        digest = feeds.feeds_digest(ds, code_digest())
        kept = {p: d for p, d in previous.items() if p.startswith(media.FEEDS)}
        if (
            digest is not None
            and kept
            and set(kept.values()) == {digest}
            and all(os.path.exists(f"{live}/{p}") for p in kept)
        ):
            digests.update(kept)
        else:
            for path, data in feeds.feed_files(ds, agg).items():
                files[path] = data
                digests[path] = digest or hashlib.blake2b(data, digest_size=16).hexdigest()
                findings += [(path, KIND_LABELS[k], value) for k, value in scan_bytes(data, allowed)]
    with phase("share images"):
        identity, code = images.Painter.identity(), code_digest()
        todo = []
        every = images.cards(ds, agg)
        findings += images.scan_cards(every, allowed)
        for card in every:
            digest = digests[card.path] = images.card_digest(card, identity, code)
            if not (previous.get(card.path) == digest and os.path.exists(f"{live}/{card.path}")):
                todo.append(card)
        if not findings:
            files.update(images.draw(todo))
    changed = 0
    if not findings:
        changed = sum(writer.write_bytes(path, data) for path, data in files.items())
    return dict(sorted(digests.items())), changed, writer.changed_bytes, findings


def _background(task: tuple) -> tuple[object, timing.Timings]:
    func, args = task
    with timing.recording() as timings:  # the child's own phases, reported back
        value = func(*args)
    return value, timings


class Background:
    """Run ``func(*args)`` in a forked child while the caller goes on; inline if not parallel."""

    def __init__(self, func, *args, parallel: bool = True):
        self.pool = None
        if not parallel:
            self.value = func(*args)
            return
        # The pool's initializer runs in the forked child, where the task arrives through
        # fork rather than pickled (the builder holds the whole dataset).
        self.pool = multiprocessing.get_context("fork").Pool(1, initializer=_init_worker, initargs=((func, args),))
        self.pending = self.pool.apply_async(_run_background)

    def result(self):
        if self.pool is None:
            return self.value
        try:
            value, timings = self.pending.get()
            recorded = timing.current()
            if recorded is not None:
                recorded.add(timings, " (parallel)")  # shown as e.g. "export (parallel)"
            return value
        finally:
            self.pool.close()
            self.pool.join()


class Done:
    """A result there was nothing to compute for (the same ``result()`` as Background)."""

    def __init__(self, value):
        self.value = value

    def result(self):
        return self.value


# A preview marks the files of the outputs it does not make with this before their digest:
# they stay live as the last full build left them, and the next build that is not a preview
# finds no digest equal to its own and makes each of them again.
DEFERRED = "deferred:"
# What a preview makes itself (every other recorded file is an output it defers).
_NOT_DEFERRED = (sitemap.ROBOTS, "sitemap")


def deferred_files(files: dict[str, str], live: Path) -> tuple[dict[str, str], dict[str, int]]:
    """For a preview: the live build's search index, open data, lookup shards, feeds and
    share images kept as they are, marked out of date ({path: digest}); and the sizes of
    the downloads on disk, which the pages print ({path: bytes})."""
    kept = {
        p: d if d.startswith(DEFERRED) else DEFERRED + d for p, d in files.items() if not p.startswith(_NOT_DEFERRED)
    }
    sizes = sizes_on_disk(kept, live)
    return kept, sizes


def _run_background():
    task = _WORKER["job"]
    assert isinstance(task, tuple)
    return _background(task)


def plan(
    builder: ViewBuilder,
    kinds: PageKinds,
    specs: list[Spec],
    bases: dict[str, str],
    previous: dict[str, str],
    hashes: EntityHashes | None = None,
):
    """Every page's digest (the new manifest) and the specs whose page must be rendered.

    ``previous`` is the manifest of the build in the live folder, which that build wrote
    last: the live folder holds exactly its pages (files removed from it by hand come
    back with ``--full``)."""
    urls = [kinds.url(spec) for spec in specs]
    hashes = hashes if hashes is not None else EntityHashes(builder)
    digests = hashes.manifest(builder, kinds, specs, [bases[kinds.template(spec)] for spec in specs])
    manifest = dict(zip(urls, digests, strict=True))
    if len(manifest) < len(urls):
        twice = next(u for u, n in Counter(urls).items() if n > 1)
        raise OutputError(f"同一页面被写了两次：{twice}")
    todo = [spec for spec, url, digest in zip(specs, urls, digests, strict=True) if previous.get(url) != digest]
    return manifest, todo


class GongshiGenerator(Generator):
    """Pelican generator for every data page.

    Run by :class:`generator.build.Build`, it receives a
    :class:`~generator.build.RenderContext` (``render_context``: the prepared data, the
    previous build's record, where to write) and reports back into it. Run by plain
    Pelican (``pelican -s pelicanconf.py``), it prepares the data itself and updates the
    output folder in place.
    """

    render_context: RenderContext | None = None

    def generate_context(self) -> None:
        context = self.render_context
        if context is None:
            from generator.build import RenderContext

            output = Path(self.output_path).resolve()
            data = Path(self.settings["GONGSHI_DATA"])
            context = self.render_context = RenderContext(
                prepared=prepare(data),
                data=data,
                live=output,
                fresh=False,
                jobs=os.cpu_count() or 1,
                previous=Manifest.read(output),
            )
        prepared = context.prepared
        self.prepared = prepared
        self.builder = ViewBuilder(prepared.dataset, prepared.aggregates)
        # The page kinds are data given to the build: a site adds its own in its settings.
        # The page kinds are data given to the build (BuildOptions.kinds), or, run by plain
        # Pelican, in its settings (GONGSHI_PAGE_KINDS): a site adds its own kinds there.
        self.kinds = PageKinds(context.kinds or self.settings.get("GONGSHI_PAGE_KINDS") or default_kinds())
        # Shared with Pelican's own templates (news, Markdown pages) through the context.
        self.context["site"] = self.builder.site
        self.context["t"] = T
        # Run by plain Pelican, plugin.finalized scans the whole output: it allows the
        # lists' office contacts too (Pelican hands every generator the same settings).
        self.settings["GONGSHI_ALLOWED_CONTACTS"] = tuple(contact_values(prepared.dataset))

    def _bases(self, specs: list[Spec]) -> dict[str, str]:
        """Per data-page template: digest of it, what it includes, and the site context."""
        b = self.builder
        names = {self.kinds.template(spec) for spec in specs}
        shared = [self.env.loader.get_source(self.env, n)[0] for n in fragments.TEMPLATES]
        ds = b.ds
        context = repr(
            (
                b.site,
                sorted(ZH.items()),
                code_digest(),
                shared,
                ds.settings,  # SiteSettings: its repr shows every field
                # Which projects have a share card ("auto" counts the projects).
                media.dataset_share_scope(ds),
                environment_options(self.settings),  # how Pelican's Jinja renders
                ds.rating_enum,
                ds.satisfied_keys,
            )
        )
        per_template = template_digests(self.env, names)
        return {
            n: hashlib.blake2b(f"{d}\0{context}".encode(), digest_size=16).hexdigest() for n, d in per_template.items()
        }

    def _pelican_dates(self) -> dict:
        """Pelican's pages in the sitemap: news items dated by their date, pages undated."""
        out: dict = {}
        for article in self.context.get("articles") or []:
            date = getattr(article, "date", None)
            out[article.url] = date.date() if date is not None else None
        for page in self.context.get("pages") or []:
            out[page.url] = None
        if self.context.get("articles"):
            out[self.settings.get("INDEX_URL") or "news/"] = None
        return out

    def generate_output(self, writer) -> None:
        context = self.render_context
        assert context is not None
        output = Path(self.output_path).resolve()
        live = context.live.resolve()
        in_place = live == output
        fresh = in_place and context.fresh
        articles = self.context.get("articles") or []
        self.builder.news = tuple(Link(a.title, a.url) for a in articles[:5])
        previous = context.previous
        taken = frozenset(str(Path(p).resolve()) for p in getattr(writer, "_written_files", ()))
        preview = context.preview
        if preview:
            # A preview rebuild: the site-wide outputs are not made (BuildOptions.preview).
            kept, kept_sizes = deferred_files(previous.files, live)
            media: Background | Done = Done(({}, 0, 0, []))
            search: Background | Done = Done((kept, 0, 0, []))
            exports: list[Background | Done] = [Done(({}, 0, 0, [], kept_sizes))]
        else:
            # Feeds and share images need no page digests: a child draws them meanwhile.
            media = Background(
                export_media,
                self.builder,
                SiteWriter(output, taken, live, fresh),
                previous.files,
                live,
                parallel=context.jobs > 1,
            )
            # The search index is built from records, not pages: a third process builds it
            # meanwhile (only when its records changed).
            search = Background(
                index_files,
                self.builder,
                [(Link(a.title, a.url), a.content) for a in articles],
                SiteWriter(output, taken, live, fresh),
                previous.files,
                live,
                parallel=context.jobs > 1,
            )
        with phase("digest"):
            hashes = EntityHashes(self.builder)
        if not preview:
            with phase("digest"):
                scopes = opendata.scopes(self.builder.ds, self.builder.agg, url_for)
                scope_digests = opendata.scope_digests(self.builder.ds, scopes, hashes, code_digest())
            # The open data (every scope's files) is written by two children meanwhile: the
            # whole district's (every row of every list) and every other scope's. The pages
            # that print their sizes (a scope's page, and home, the data page and the first
            # page of each list for the whole district's) are planned once they are written.
            overall = [s for s in scopes if s.kind == "all"]
            exports = [
                Background(
                    export_downloads,
                    self.builder,
                    SiteWriter(output, taken, live, fresh),
                    previous.files,
                    live,
                    part,
                    scope_digests,
                    parallel=context.jobs > 1,
                )
                for part in (overall, [s for s in scopes if s.kind != "all"])
            ]
        parts: list[tuple] = []
        specs = self.kinds.specs(self.builder)
        later = [spec for spec in specs if shows_sizes(spec)]
        first = [spec for spec in specs if not shows_sizes(spec)]
        bases = self._bases(specs)
        pages_writer = SiteWriter(output, taken, live, fresh)
        job = RenderJob(builder=self.builder, env=self.env, writer=pages_writer, kinds=self.kinds)
        from generator.site.live import Renderer  # (imports this module)

        context.renderer = Renderer(self.env, self.kinds, self.builder.news)
        manifest: dict[str, str] = {}
        todo: list[Spec] = []
        results: list[tuple[str, int, list]] = []
        for batch in (first, later):
            if batch is later:
                with phase("export (wait)"):
                    parts += [e.result() for e in exports]
                self.builder.download_sizes = {path: n for part in parts for path, n in part[4].items()}
            with phase("digest"):
                pages, pending = plan(self.builder, self.kinds, batch, bases, previous.pages, hashes)
            if set(pages) & set(manifest):
                raise OutputError(f"同一页面被写了两次：{next(iter(set(pages) & set(manifest)))}")
            manifest.update(pages)
            todo += pending
            for path in taken:  # a data page where Pelican already wrote a news item or page
                rel = Path(path).relative_to(output).as_posix() if Path(path).is_relative_to(output) else None
                url = rel[: -len("index.html")] if rel and rel.endswith("index.html") else rel
                if url in pages:
                    raise OutputError(f"同一页面被写了两次：{url}")
            for name in {self.kinds.template(spec) for spec in pending}:
                job.template(name)  # compiled once here, inherited by every worker
            changed, changed_bytes = pages_writer.changed, pages_writer.changed_bytes
            with Progress("生成页面", len(pending)) as progress, phase("render"):
                results += render_all(job, pending, context.jobs, progress)
            pages_writer.changed += changed
            pages_writer.changed_bytes += changed_bytes
        files: dict[str, str] = {}
        exported = exported_bytes = 0
        export_findings: list[tuple[str, str, str]] = []
        for digests_, changed_, bytes_, findings_, _sizes in parts:
            files.update(digests_)
            exported += changed_
            exported_bytes += bytes_
            export_findings += findings_
        with phase("media (wait)"):
            media_files, media_changed, media_bytes, media_findings = media.result()
        files.update(media_files)
        exported += media_changed
        exported_bytes += media_bytes
        export_findings += media_findings
        with phase("search index (wait)"):
            index, indexed, indexed_bytes, index_findings = search.result()
        export_findings += index_findings
        findings = [f for _, _, found in results for f in found] + export_findings
        if findings:
            # Traced to the cells and lines they came from.
            raise leak(findings, context.data, context.cache, Path(self.settings["PATH"]))
        with phase("sitemap"):
            urls = [self.kinds.url(spec) for spec in specs]
            dates = sitemap.page_dates(self.builder, specs, urls)
            dates.update(self._pelican_dates())
            # Pages only: a kind may write a data file (communities/finder.json).
            pages = [(url, d) for url, d in dates.items() if url == "" or url.endswith("/")]
            found = sitemap.sitemap_files(pages, self.builder.site.base_url)
            found[sitemap.ROBOTS] = sitemap.robots(self.builder.site.base_url)
            map_writer = SiteWriter(output, taken, live, fresh)
            for path, data in found.items():
                exported += map_writer.write_bytes(path, data)
                files[path] = hashlib.blake2b(data, digest_size=16).hexdigest()
            exported_bytes += map_writer.changed_bytes
        for path in files:
            if path in manifest:
                raise OutputError(f"同一页面被写了两次：{path}")
        for path in index:
            if path in manifest or path in files:
                raise OutputError(f"同一页面被写了两次：{path}")
        # sitemap.xml and robots.txt are scanned with Pelican's files after the build; the
        # index's records were scanned before Pagefind saw them (its files are compressed).
        context.scanned = {file_for(url) for url in manifest} | (set(files) - set(found)) | set(index)
        files = dict(sorted({**files, **index}.items()))
        job.writer.changed += exported + indexed
        job.writer.changed_bytes += exported_bytes + indexed_bytes
        context.manifest = Manifest(pages=manifest, files=files)
        if in_place and not context.fresh:
            # Run as a plain Pelican plugin: pages that no longer exist go away here, and
            # the record is kept in the output folder itself.
            for url in set(previous.pages) - set(manifest):
                remove_page(output, url)
            for path in set(previous.files) - set(context.manifest.files):
                remove_file(output, path)  # e.g. search index files Pagefind renamed
            context.manifest.write(output)
        context.counts.update(
            {
                "pages": len(manifest),
                "pages rendered": len(todo),
                "files changed": job.writer.changed,
                "MB written": round(job.writer.changed_bytes / 2**20, 1),  # MiB, like the output size
            }
        )
