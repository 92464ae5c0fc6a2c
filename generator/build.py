"""A build, as one object: fingerprint → prepare → plan → render → scan → commit → report.

:class:`Build` is what ``gongshi build``, ``serve`` and the benchmark run; the Pelican
plugin (plugin.py) is a thin adapter that renders the data pages inside Pelican's run.
Everything one build needs is passed explicitly: the prepared data and the record of the
previous build travel to the page generator in a :class:`RenderContext` attached to the
Pelican object, and results come back in a :class:`BuildResult`. Nothing is kept in
module globals, so two builds in one process never see each other's state.
"""

from __future__ import annotations

import hashlib
import os
import runpy
from collections.abc import Callable
from dataclasses import dataclass, field
from importlib.metadata import version
from pathlib import Path
from typing import TYPE_CHECKING

from generator import timing
from generator.ingest import prepare as pipeline
from generator.output.folder import Manifest, Output, Step, changed_since, file_for, translated_os_errors

if TYPE_CHECKING:
    from generator.publish.record import Upcoming
    from generator.site.live import Renderer
    from generator.site.pages import PageKind

REPO = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class BuildOptions:
    data: Path
    output: Path
    config: Path | None = None  # the Pelican settings file (default ./pelicanconf.py, else the package's)
    reports: Path | None = None  # default: reports/ beside the output folder
    jobs: int | None = None  # render processes (default: all cores)
    full: bool = False  # ignore the previous output and the cache
    wait: float = 600.0  # seconds to wait for another build of the same output
    kinds: tuple[PageKind, ...] | None = None  # the data page kinds (default: pages.default_kinds())
    # A publish: the release about to be made (the live record, the new id); the pages then
    # show the public record (发布记录, each project's change history), this release included.
    upcoming: Upcoming | None = None
    # A quick rebuild for the live preview: pages only. The site-wide outputs that take the
    # longest and that no one checks a page by (search index, open data files, lookup
    # shards, feeds, share images) keep their live files, marked out of date so the next
    # build that is not a preview makes them again (see render.DEFERRED).
    preview: bool = False


@dataclass
class RenderContext:
    """What the data-page generator needs from the build, and what it reports back."""

    prepared: pipeline.Prepared
    data: Path | None  # the data folder (a privacy stop is traced back to its cells)
    live: Path  # the folder holding the previous build's pages (compared against)
    fresh: bool  # the output folder is new and empty: write without comparing
    jobs: int
    previous: Manifest  # the previous build's record, minus files that no longer match it
    cache: Path | None = None  # compiled templates are kept here between builds
    kinds: tuple[PageKind, ...] | None = None
    preview: bool = False  # BuildOptions.preview
    # Filled in by the generator:
    manifest: Manifest = field(default_factory=Manifest)
    scanned: set[str] = field(default_factory=set)  # files scanned for personal data while rendering
    renderer: Renderer | None = None  # what rendered the pages (the preview renders more with it)
    counts: dict[str, float] = field(default_factory=dict)


@dataclass
class BuildResult:
    output: Path
    prepared: pipeline.Prepared | None  # None: nothing changed, nothing was done
    timings: timing.Timings
    full: bool = False  # the whole site was rebuilt and swapped in
    renderer: Renderer | None = None  # the build's Jinja environment and page kinds (None: skipped)

    @property
    def skipped(self) -> bool:
        return self.prepared is None


def default_config() -> Path | None:
    """./pelicanconf.py when run from a project folder; else the package's own."""
    return Path("pelicanconf.py") if Path("pelicanconf.py").exists() else None


def pelican_settings(output: Path, config: Path | None, cache: Path | None = None) -> dict:
    """Pelican's settings for a build into ``output``; compiled templates kept in ``cache``."""
    from pelican.settings import read_settings

    conf = config if config is not None else default_config()
    base = conf.resolve().parent if conf else REPO
    settings = read_settings(str(conf) if conf else str(REPO / "pelicanconf.py"), override={"OUTPUT_PATH": str(output)})
    for key in ("PATH", "THEME"):
        if not Path(settings[key]).is_absolute():
            settings[key] = str((base / settings[key]).resolve())
    if cache is not None:
        from generator.site.templating import bytecode_cache, environment_options

        jinja = dict(settings.get("JINJA_ENVIRONMENT") or {})
        jinja["bytecode_cache"] = bytecode_cache(cache, environment_options(settings))
        settings["JINJA_ENVIRONMENT"] = jinja
    return settings


def source_folders(config: Path | None) -> tuple[Path, Path]:
    """The content and theme folders a build reads, without importing Pelican (which
    costs more than the whole check when nothing changed)."""
    conf = config if config is not None else REPO / "pelicanconf.py"
    base = conf.resolve().parent if config is not None else REPO
    values = runpy.run_path(str(conf))
    if not {"PATH", "THEME"} <= values.keys():
        settings = pelican_settings(Path("output"), config)
        return Path(settings["PATH"]), Path(settings["THEME"])
    return (base / values["PATH"]).resolve(), (base / values["THEME"]).resolve()


def input_fingerprint(data: Path, config: Path | None, seen: dict[str, tuple[int, str]] | None = None) -> str:
    """One digest of everything a build reads: data, content, theme, settings, code.

    ``seen`` receives each data file's size and SHA-256 (the key of its prepare cache
    entry), so the build does not read and hash every file a second time."""
    h = hashlib.blake2b(digest_size=20)
    h.update(f"pelican {version('pelican')}".encode())
    roots = [data, *source_folders(config), Path(__file__).parent]
    if config is not None:
        roots.append(config)
    for root in roots:
        files = [root] if root.is_file() else sorted(p for p in root.rglob("*") if p.is_file())
        for f in files:
            if "__pycache__" in f.parts:
                continue
            raw = f.read_bytes()
            h.update(str(f.relative_to(root.parent)).encode() + b"\0")
            if root is data and seen is not None:
                digest = hashlib.sha256(raw).hexdigest()
                seen[str(f)] = (len(raw), digest)
                h.update(digest.encode())
            else:
                h.update(hashlib.blake2b(raw, digest_size=20).digest())
    return h.hexdigest()


def with_record(prepared: pipeline.Prepared, upcoming: Upcoming) -> pipeline.Prepared:
    """``prepared`` with the public record its pages show: the live record and this
    release's changes, from this build's lists (the same bytes its downloads will hold)."""
    import dataclasses

    from generator.exports.opendata import list_json
    from generator.model.record import public_record
    from generator.publish.record import LISTS
    from generator.site.views import url_for

    ds = prepared.dataset
    files = list_json(ds, prepared.aggregates, url_for, ds.settings.base_url.rstrip("/"), LISTS)
    record = public_record(**upcoming.record(dict(files)))
    return dataclasses.replace(prepared, dataset=dataclasses.replace(ds, record=record))


class Build:
    """One build of the site into one output folder.

    ``step`` is called with the name of each commit step (tests kill the process or raise
    an OS error there); ``on_wait`` with a message when another build holds the output.
    """

    def __init__(
        self,
        options: BuildOptions,
        *,
        step: Step | None = None,
        on_wait: Callable[[str], None] | None = None,
    ):
        self.options = options
        self.output = Output(options.output, step or (lambda name: None))
        self.on_wait = on_wait

    def run(self) -> BuildResult:
        """Build. Raises ValidationFailed (data errors), PrivacyLeak, OutputBusy or
        OutputOSError; in every case the previous output is left as it was."""
        with timing.recording() as timings:
            with translated_os_errors("生成网站"):
                out = self.output
                out.root.parent.mkdir(parents=True, exist_ok=True)
                with out.lock(self.options.wait, self.on_wait):
                    prepared, full, renderer = self._run(out)
            if prepared is not None:
                with timing.phase("reports"), translated_os_errors("写构建报告"):
                    from generator.output.reports import write_reports

                    write_reports(prepared, self.options.reports or out.root.parent / "reports")
        return BuildResult(out.root, prepared, timings, full, renderer)

    def _run(self, out: Output) -> tuple[pipeline.Prepared | None, bool, Renderer | None]:
        opts = self.options
        config = opts.config if opts.config is not None else default_config()
        out.clean_leftovers()
        seen: dict[str, tuple[int, str]] = {}
        with timing.phase("fingerprint"):
            fingerprint = input_fingerprint(opts.data, config, seen)
            if opts.upcoming is not None:
                fingerprint += " " + opts.upcoming.fingerprint()
            if opts.preview:  # a build after a preview has the deferred outputs to make
                fingerprint += " preview"
        previous = out.manifest()
        usable = bool(previous.inputs and previous.state) and out.root.is_dir() and not out.interrupted
        damaged: set[str] = set()
        if usable and not opts.full:
            with timing.phase("verify"):
                damaged = changed_since(out.root, previous.state)
            if previous.inputs == fingerprint and not damaged:
                return None, False, None
        # Per-file results of the last build, in the user's cache folder (never beside the
        # site, see Output.cache). --full starts from an empty cache, so a full build reads
        # nothing from earlier builds.
        if opts.full and out.cache.exists():
            import shutil

            shutil.rmtree(out.cache)
        # The prepared data lives until the process ends: frozen, the cycle collector never
        # walks its millions of objects again while pages are digested.
        with timing.phase("prepare"):  # raises ValidationFailed before anything is written
            prepared = pipeline.prepare(opts.data, cache_dir=out.cache, known=seen, freeze=True)
        if opts.upcoming is not None:
            with timing.phase("record"):
                prepared = with_record(prepared, opts.upcoming)
        incremental = usable and not opts.full
        staging = out.new_staging()
        if incremental:
            trusted = Manifest(
                pages={u: d for u, d in previous.pages.items() if file_for(u) not in damaged},
                files={p: d for p, d in previous.files.items() if p not in damaged},
                inputs=previous.inputs,
                others=previous.others,
                state=previous.state,
            )
        else:
            trusted = Manifest()
        context = RenderContext(
            prepared=prepared,
            data=opts.data,
            live=out.root if incremental else staging,
            fresh=not incremental,  # the staging folder was just created
            jobs=opts.jobs or os.cpu_count() or 1,
            previous=trusted,
            cache=out.cache,
            kinds=opts.kinds,
            preview=opts.preview and incremental,  # a first or full build makes everything
        )
        try:
            self._render(staging, config, context)
            with timing.phase("privacy-scan"):
                files = self._scan(staging, context, config)
            manifest = context.manifest
            manifest.inputs = fingerprint
            pages = {file_for(u) for u in manifest.pages}
            pelican_files = [f for f in files if f not in pages and f not in manifest.files]
            manifest.others = sorted(set(pelican_files) | set(manifest.files))
            with timing.phase("commit"):
                if incremental:
                    out.commit(manifest, pelican_files, previous)
                else:
                    out.swap(manifest, files)
        except BaseException:
            out.discard_staging()
            raise
        for name, value in context.counts.items():
            timing.count(name, value)
        return prepared, not incremental, context.renderer

    def _render(self, staging: Path, config: Path | None, context: RenderContext) -> None:
        with timing.phase("pelican"):
            from pelican import Pelican
            from pelican.log import console

            site = Pelican(pelican_settings(staging, config, context.cache))
            site.gongshi = context  # read by plugin.get_generators
            # Pelican prints an English summary of articles and pages ("Done: Processed 3
            # articles ...") where staff expect ours (网站已生成 …, and the build report):
            # its console is quiet while it runs. Its warnings are logged, not printed.
            quiet, console.quiet = console.quiet, True
            try:
                with timing.phase("pelican run"):
                    site.run()
            finally:
                console.quiet = quiet

    @staticmethod
    def _scan(staging: Path, context: RenderContext, config: Path | None) -> list[str]:
        """Scan every file the renderer did not scan already; list every file."""
        from generator.privacy.mask import allowed_in, contact_values, leak, scan_output

        seen: list[str] = []
        ds = context.prepared.dataset
        allowed = allowed_in(ds.settings, contact_values(ds))  # office phones: footer, speak-up blocks
        findings = scan_output(staging, skip=context.scanned, seen=seen, allowed=allowed)
        if findings:
            raise leak(findings, context.data, context.cache, source_folders(config)[0])
        return seen
