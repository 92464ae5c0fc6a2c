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
- :class:`SiteWriter` writes only bytes that differ from the live site, refuses paths
  outside the output folder and a page written twice, and replaces files atomically.

With the CLI, Pelican writes into a staging folder that receives only what changed; the
CLI then commits it to the live folder (``GONGSHI_LIVE_OUTPUT``). Run as a plain Pelican
plugin, the output folder is the live folder and is updated in place.
"""

from __future__ import annotations

import gc
import hashlib
import json
import multiprocessing
import os
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote, unquote

from jinja2 import meta
from pelican.generators import Generator

from . import fragments
from .catalog import ZH, T
from .codeversion import code_digest
from .digests import EntityHashes, download_digests
from .export import LISTS, downloads
from .pages import PageKinds, Spec, default_kinds
from .pipeline import prepared_for
from .privacy import KIND_LABELS, scan_bytes
from .problems import OutputError, PrivacyLeak
from .progress import Progress
from .timing import COUNTS, PHASES, phase
from .views import Link, ViewBuilder, url_for

MANIFEST = ".gongshi/manifest.json"
STAGED = ".gongshi/staged"
INLINE_BELOW = 400  # pages; forking costs more than it saves for small sites
CHUNK = 200
# Files below the output folder that the last data-page render wrote or vouched for: the
# privacy scan at the end of the build skips them (each was scanned when rendered).
SCANNED: set[str] = set()
# Every file the privacy scan found in the output folder it walked: {folder: paths}.
# The CLI's swap reads it instead of walking the whole new site a second time.
WALKED: dict[str, list[str]] = {}


def root_prefix(url: str) -> str:
    """Relative path from a page at ``url`` (``a/b/``) back to the site root."""
    depth = url.count("/")
    return "/".join([".."] * depth) if depth else "."


def file_for(url: str) -> str:
    return url + "index.html" if url == "" or url.endswith("/") else url


class SiteWriter:
    """Writes files below one folder; each path once, only when the bytes differ from
    the live site's (``live``, by default the same folder).

    When ``live`` is another folder (an incremental build staging what changed), files
    go flat into ``<output>/.gongshi/staged/``, each named by its quoted path: no folder
    is created per page, and the commit finds them with one directory listing.
    """

    def __init__(
        self, output: Path, taken: frozenset[str] = frozenset(), live: Path | None = None, fresh: bool = False
    ):
        self.output = Path(output).resolve()
        # A new folder nobody reads yet (the CLI's staging folder for a full build):
        # nothing to compare against and no reader to protect, so files are written
        # directly, without a temporary name and a rename per page.
        self.fresh = fresh
        self.live = Path(live).resolve() if live is not None else self.output
        self.written: set[Path] = set()
        self.taken = taken  # paths another writer (Pelican's) already wrote
        self.changed = 0
        self.changed_bytes = 0
        self.flat = self.live != self.output
        if self.flat:
            (self.output / STAGED).mkdir(parents=True, exist_ok=True)

    def path_for(self, url: str) -> Path:
        # Checked on the text, not with Path.resolve(): that costs a system call per
        # folder level, per page. URLs are relative and the folders are created by us.
        rel = file_for(url)
        parts = rel.split("/")
        if rel.startswith(("/", "\\")) or "\\" in rel or ".." in parts or "" in parts[:-1] or ":" in parts[0]:
            raise OutputError(f"拒绝写到输出目录以外：{url}")
        return Path(f"{self.output}/{rel}")

    def write(self, url: str, text: str) -> bool:
        """Write one page; True if the file on disk changed."""
        return self.write_bytes(url, text.encode("utf-8"))

    def write_bytes(self, url: str, data: bytes) -> bool:
        path = self.path_for(url)
        if path in self.written or str(path) in self.taken:
            raise OutputError(f"同一页面被写了两次：{url}")
        self.written.add(path)
        rel = file_for(url)
        if not self.fresh and self._same_as_live(rel, data):
            return False
        self.changed += 1
        self.changed_bytes += len(data)
        if self.fresh:
            try:
                f = open(path, "wb")
            except FileNotFoundError:
                path.parent.mkdir(parents=True, exist_ok=True)
                f = open(path, "wb")
            with f:
                f.write(data)
            return True
        if self.flat:  # a private folder, discarded if the build fails
            with open(f"{self.output}/{STAGED}/{staged_name(rel)}", "wb") as f:
                f.write(data)
            return True
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.tmp{os.getpid()}")
        tmp.write_bytes(data)
        os.replace(tmp, path)  # never truncate in place: a reader may be serving the file
        return True

    def _same_as_live(self, rel: str, data: bytes) -> bool:
        live = f"{self.live}/{rel}"
        try:
            if os.stat(live).st_size != len(data):
                return False
            with open(live, "rb") as f:
                return f.read() == data
        except FileNotFoundError:
            return False


def staged_name(rel: str) -> str:
    return quote(rel, safe="")


def staged_files(staging: Path) -> dict[str, str]:
    """What an incremental build staged: {path in the site: staged file}."""
    folder = f"{staging}/{STAGED}"
    try:
        names = os.listdir(folder)
    except FileNotFoundError:
        return {}
    return {unquote(n): f"{folder}/{n}" for n in names}


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


@dataclass
class RenderJob:
    """What every worker needs; set before forking so children inherit it for free."""

    builder: ViewBuilder
    env: object
    writer: SiteWriter
    kinds: PageKinds
    templates: dict[str, object] = field(default_factory=dict)

    def template(self, name: str):
        t = self.templates.get(name)
        if t is None:
            t = self.templates[name] = self.env.get_template(name)
        return t

    def run(self, specs: list[Spec]) -> list[tuple[str, bool, list[tuple[str, str, str]]]]:
        """Build, render, scan and write each page: [(url, bytes written (0 when the file
        did not change), privacy findings)]."""
        out = []
        site = self.builder.site
        for spec in specs:
            page = self.kinds.build(self.builder, spec)
            data = (
                self.template(page.template)
                .render(page=page, site=site, t=T, SITEURL=root_prefix(page.url))
                .encode("utf-8")
            )
            findings = [(file_for(page.url), KIND_LABELS[k], s) for k, s in scan_bytes(data)]
            changed = False if findings else self.writer.write_bytes(page.url, data)
            out.append((page.url, len(data) if changed else 0, findings))
        return out


_JOB: RenderJob | None = None


def _work(specs):
    assert _JOB is not None
    return _JOB.run(specs)


def read_manifest(output: Path, part: str = "pages") -> dict[str, str]:
    """The digests the last build in ``output`` recorded: of its data pages, or (part
    "files") of its downloads."""
    try:
        found = json.loads((output / MANIFEST).read_text(encoding="utf-8"))[part]
    except (FileNotFoundError, ValueError, KeyError):
        return {}
    return found if isinstance(found, dict) else {}


def render_all(job: RenderJob, specs: list, jobs: int, progress: Progress) -> list[tuple[str, bool, list]]:
    """Render every spec, in parallel where it pays."""
    global _JOB
    results: list[tuple[str, bool, list]] = []
    chunks = [specs[i : i + CHUNK] for i in range(0, len(specs), CHUNK)]
    if jobs <= 1 or len(specs) < INLINE_BELOW:
        for chunk in chunks:
            results += job.run(chunk)
            progress.advance(len(chunk))
    else:
        _JOB = job
        # Workers inherit the whole dataset. Frozen, the cycle collector never walks it
        # there, which saves time and keeps the shared memory pages shared.
        gc.freeze()
        try:
            with multiprocessing.get_context("fork").Pool(jobs) as pool:
                for part in pool.imap_unordered(_work, chunks):
                    results += part
                    progress.advance(len(part))
        finally:
            _JOB = None
    job.writer.changed = sum(1 for _, written, _ in results if written)
    job.writer.changed_bytes = sum(written for _, written, _ in results)
    return results


def export_downloads(
    builder: ViewBuilder, writer: SiteWriter, previous: dict[str, str], live: Path
) -> tuple[dict[str, str], int, list[tuple[str, str, str]]]:
    """Write the downloads that changed; scanned in memory like the pages. A list whose
    sources did not change since the build in ``live`` (``previous``: its downloads'
    digests) is not built again.

    Returns ({every download path: digest}, files changed, bytes written, privacy findings)."""
    with phase("export"):
        ds = builder.ds
        digests: dict[str, str] = {}
        kept = set()
        for name, digest in download_digests(ds, code_digest()).items():
            paths = [f"downloads/{name}.csv", f"downloads/{name}.json"]
            digests.update(dict.fromkeys(paths, digest))
            if all(previous.get(p) == digest and os.path.exists(f"{live}/{p}") for p in paths):
                kept.add(name)
        files = downloads(ds, builder.agg, url_for, builder.site.base_url, lists=set(LISTS) - kept)
        for path, data in files.items():
            digests.setdefault(path, hashlib.blake2b(data, digest_size=16).hexdigest())
        findings = [(path, KIND_LABELS[k], sample) for path, data in files.items() for k, sample in scan_bytes(data)]
        changed = 0
        if not findings:
            changed = sum(writer.write_bytes(path, data) for path, data in files.items())
    return dict(sorted(digests.items())), changed, writer.changed_bytes, findings


_BACKGROUND = None


def _background():
    func, args = _BACKGROUND
    PHASES.clear()
    return func(*args), dict(PHASES)


class Background:
    """Run ``func(*args)`` in a forked child while the caller goes on; inline if not parallel."""

    def __init__(self, func, *args, parallel: bool = True):
        global _BACKGROUND
        self.pool = None
        if not parallel:
            self.value = func(*args)
            return
        _BACKGROUND = (func, args)
        try:
            self.pool = multiprocessing.get_context("fork").Pool(1)
            self.pending = self.pool.apply_async(_background)
        finally:
            _BACKGROUND = None

    def result(self):
        if self.pool is None:
            return self.value
        try:
            value, phases = self.pending.get()
            for name, seconds in phases.items():  # shown as e.g. "export (parallel)"
                PHASES[f"{name} (parallel)"] = PHASES.get(f"{name} (parallel)", 0.0) + seconds
            return value
        finally:
            self.pool.close()
            self.pool.join()


def plan(builder: ViewBuilder, kinds: PageKinds, specs: list[Spec], bases: dict[str, str], previous: dict[str, str]):
    """Every page's digest (the new manifest) and the specs whose page must be rendered.

    ``previous`` is the manifest of the build in the live folder, which that build wrote
    last: the live folder holds exactly its pages (files removed from it by hand come
    back with ``--full``)."""
    urls = [kinds.url(spec) for spec in specs]
    digests = EntityHashes(builder).manifest(builder, kinds, specs, [bases[kinds.template(spec)] for spec in specs])
    manifest = dict(zip(urls, digests, strict=True))
    if len(manifest) < len(urls):
        seen: set[str] = set()
        twice = next(u for u in urls if u in seen or seen.add(u))
        raise OutputError(f"同一页面被写了两次：{twice}")
    todo = [spec for spec, url, digest in zip(specs, urls, digests, strict=True) if previous.get(url) != digest]
    return manifest, todo


class GongshiGenerator(Generator):
    """Pelican generator for every data page."""


    def generate_context(self) -> None:
        fragments.reset()
        prepared = prepared_for(Path(self.settings["GONGSHI_DATA"]))
        self.prepared = prepared
        self.builder = ViewBuilder(prepared.dataset, prepared.aggregates)
        # The page kinds are data given to the build: a site adds its own in its settings.
        self.kinds = PageKinds(self.settings.get("GONGSHI_PAGE_KINDS") or default_kinds())
        # Shared with Pelican's own templates (news, Markdown pages) through the context.
        self.context["site"] = self.builder.site
        self.context["t"] = T

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
                sorted((k, repr(v)) for k, v in ds.settings.items()),
                ds.rating_enum,
                ds.satisfied_keys,
            )
        )
        per_template = template_digests(self.env, names)
        return {
            n: hashlib.blake2b(f"{d}\0{context}".encode(), digest_size=16).hexdigest() for n, d in per_template.items()
        }

    def generate_output(self, writer) -> None:
        output = Path(self.output_path).resolve()
        live = Path(self.settings.get("GONGSHI_LIVE_OUTPUT") or output).resolve()
        fresh = live == output and bool(self.settings.get("GONGSHI_FRESH_OUTPUT"))
        articles = self.context.get("articles") or []
        self.builder.news = tuple(Link(a.title, a.url) for a in articles[:5])
        previous = read_manifest(live)
        taken = frozenset(str(Path(p).resolve()) for p in getattr(writer, "_written_files", ()))
        jobs = int(self.settings.get("GONGSHI_JOBS") or os.cpu_count() or 1)
        # The downloads need no page digests: a second core builds them meanwhile.
        export = Background(
            export_downloads,
            self.builder,
            SiteWriter(output, taken, live, fresh),
            read_manifest(live, "files"),
            live,
            parallel=jobs > 1,
        )
        with phase("digest"):
            specs = self.kinds.specs(self.builder)
            manifest, todo = plan(self.builder, self.kinds, specs, self._bases(specs), previous)
        pages_writer = SiteWriter(output, taken, live, fresh)
        for path in taken:  # a data page where Pelican already wrote a news item or page
            rel = Path(path).relative_to(output).as_posix() if Path(path).is_relative_to(output) else None
            url = rel[: -len("index.html")] if rel and rel.endswith("index.html") else rel
            if url in manifest:
                raise OutputError(f"同一页面被写了两次：{url}")
        job = RenderJob(builder=self.builder, env=self.env, writer=pages_writer, kinds=self.kinds)
        for name in {self.kinds.template(spec) for spec in todo}:
            job.template(name)  # compiled once here, inherited by every worker
        with Progress("生成页面", len(todo)) as progress, phase("render"):
            results = render_all(job, todo, jobs, progress)
        with phase("export (wait)"):
            files, exported, exported_bytes, export_findings = export.result()
        findings = [f for _, _, found in results for f in found] + export_findings
        if findings:
            raise PrivacyLeak(findings)
        for path in files:
            if path in manifest:
                raise OutputError(f"同一页面被写了两次：{path}")
        SCANNED.clear()
        SCANNED.update(file_for(url) for url in manifest)
        SCANNED.update(files)
        job.writer.changed += exported
        job.writer.changed_bytes += exported_bytes
        if live == output:
            # Run as a plain Pelican plugin: pages that no longer exist go away here.
            for url in set(previous) - set(manifest):
                remove_page(output, url)
        path = output / MANIFEST
        path.parent.mkdir(parents=True, exist_ok=True)
        doc = {"pages": dict(sorted(manifest.items())), "files": files}
        path.write_text(json.dumps(doc, separators=(",", ":")), encoding="utf-8")  # C encoder: no indent
        COUNTS["pages"] = len(manifest)
        COUNTS["pages rendered"] = len(todo)
        COUNTS["files changed"] = job.writer.changed
        COUNTS["MB written"] = round(job.writer.changed_bytes / 2**20, 1)  # MiB, like the output size


def remove_page(root: Path, url: str) -> None:
    """Delete one page's file and the folders it leaves empty."""
    path = root / file_for(url)
    path.unlink(missing_ok=True)
    for parent in path.parents:
        if parent == root or not parent.is_relative_to(root) or any(parent.iterdir()):
            break
        parent.rmdir()
