"""Live preview: ``gongshi serve`` builds, serves, watches and rebuilds in one warm process.

The HTTP server runs in a thread; the main thread waits for changes in data/, content/,
theme/ and the settings (watchfiles). The first build makes the whole site. After a data
file is saved, the data is prepared again and the data pages are made when the browser
asks for them (site/live.py): the time from saving to the page is the time to read the
data, not to rebuild a city. After a change of template, content or settings the same
incremental :class:`Build` runs again, pages only (``BuildOptions.preview``), so Ctrl+C
interrupts a build the way it interrupts ``gongshi build`` (nothing half-written).
Pages are served with a small script that listens for the end of a build (Server-Sent
Events) and reloads — added while serving only, never written into the output. While the
data has errors, every page is the check report (masked, located, in Chinese) with the
same script: fixing the file brings the site back by itself.
"""

from __future__ import annotations

import dataclasses
import functools
import gc
import html
import http.server
import os
import signal
import stat
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from generator import timing
from generator.build import Build, BuildOptions, default_config, source_folders
from generator.problems import GongshiError, PrivacyLeak, ValidationFailed
from generator.site.live import LivePages, Renderer, page_url

EVENTS = "/__gongshi/events"
QUICK_NOTE = (
    "预览中保存数据后，页面在打开时按新数据生成（output/ 文件夹不随之更新）；站内搜索、下载文件、"
    "订阅和分享图仍是上次完整生成的。运行 gongshi build 或 gongshi publish 时全部更新。"
)
PING_SECONDS = 15.0

# Added before </body> of every served HTML page: reload when the build number changes.
RELOAD_SCRIPT = (
    "<script>(function(){var v=%d;if(!window.EventSource)return;"
    'var s=new EventSource("' + EVENTS + '?v="+v);'
    "s.onmessage=function(e){if(+e.data!==v){s.close();location.reload();}};})();</script>"
)


@dataclass
class Outcome:
    """The last build: its number (the page script compares it) and, if it failed, the page
    to show instead of the site."""

    version: int = 0
    error_page: str | None = None
    seconds: float = 0.0


class Preview:
    """One preview: the build options, the last outcome, and the threads' shared state."""

    def __init__(self, options: BuildOptions, say: Callable[[str], None] = print, timings: bool = False):
        self.options = options
        self.say = say
        self.timings = timings  # say each build's time per phase
        self.outcome = Outcome()
        self.renderer: Renderer | None = None  # the last build's Jinja environment and page kinds
        self.live: LivePages | None = None  # data pages of the current data, made on request
        self.changed = threading.Condition()
        self.stopping = threading.Event()

    # ------------------------------------------------------------ building

    def build(self) -> Outcome:
        """Build once more in this process (the first time, or after a change of template,
        content or settings); publish the outcome to the waiting pages."""
        return self._attempt(self._build)

    def refresh(self) -> Outcome:
        """After a data file changed: prepare the data again and make pages on request
        (:class:`~generator.site.live.LivePages`); a build if there is nothing to render
        them with yet."""
        if self.renderer is None:
            return self.build()
        return self._attempt(self._refresh)

    def _build(self) -> str:
        result = Build(self.options).run()
        if result.renderer is not None:
            self.renderer = result.renderer
        if result.prepared is not None and self.renderer is not None:
            self.live = LivePages.of(result.prepared, self.renderer, result.output, self.options.data)
        if not self.options.preview:
            # The first build makes everything; builds after a change of template or
            # content make the pages only (BuildOptions.preview), and a data change no
            # build at all. --full, too, is for the first build only.
            self.options = dataclasses.replace(self.options, full=False, preview=True)
        if self.timings:
            self.say("  " + "  ".join(f"{k} {v:.2f}s" for k, v in result.timings.phases.items()))
        return "没有变化" if result.skipped else "已更新"

    def _refresh(self) -> str:
        from generator.ingest import prepare as pipeline
        from generator.output.folder import Output

        assert self.renderer is not None
        output = Output(self.options.output)
        with timing.recording() as timings:
            with timing.phase("prepare"):
                prepared = pipeline.prepare(self.options.data, cache_dir=output.cache, freeze=True)
            self.live = LivePages.of(prepared, self.renderer, output.root, self.options.data)
        if self.timings:
            self.say("  " + "  ".join(f"{k} {v:.2f}s" for k, v in timings.phases.items()))
        return "已更新（页面在打开时生成）"

    def _attempt(self, work: Callable[[], str]) -> Outcome:
        # The last build froze its data out of the collector's sight (prepare freeze=True):
        # let it be collected now that a new build replaces it, or every rebuild would keep
        # the previous one's cycles for the life of the process.
        gc.unfreeze()
        start = time.perf_counter()
        error: str | None = None
        try:
            state = work()
        except ValidationFailed as exc:
            from generator.output.check_report import render

            error = render(
                exc.report, "数据有错误，网站未更新", "这是本机预览：改正下面的问题并保存文件，本页会自动刷新。"
            )
            self.say(f"数据有 {len(exc.report.errors)} 个错误，预览页面显示问题清单；改正并保存后自动刷新。")
        except PrivacyLeak as exc:
            error = _message_page("发布内容中含个人信息，网站未更新", str(exc))
            self.say("发布内容中含个人信息，预览页面显示位置。")
        except GongshiError as exc:
            error = _message_page("生成失败，网站未更新", str(exc))
            self.say(f"错误：{exc}")
        except OSError as exc:  # anything the build did not translate
            from generator.output.folder import os_failure

            message = str(os_failure(exc))
            error = _message_page("生成失败，网站未更新", message)
            self.say(f"错误：{message}")
        except Exception as exc:  # a bug: keep previewing (the next save may not hit it), say what
            import traceback

            detail = "".join(traceback.format_exception(exc))
            error = _message_page("生成失败（程序错误），网站未更新", detail)
            self.say(f"程序错误，请报告：\n{detail}")
        else:
            self.say(f"网站{state}（{time.perf_counter() - start:.1f} 秒）")
        with self.changed:
            self.outcome = Outcome(self.outcome.version + 1, error, time.perf_counter() - start)
            self.changed.notify_all()
        return self.outcome

    def watched(self) -> list[Path]:
        """What a build reads and staff edit: data, content, theme, the settings file."""
        config = self.options.config if self.options.config is not None else default_config()
        content, theme = source_folders(config)
        paths = [self.options.data, content, theme]
        if config is not None:
            paths.append(config)
        return [p for p in paths if p.exists()]

    def sources(self) -> dict[Path, tuple[int, int]]:
        """Every watched file a build reads, with its size and modification time: taken
        before the first build, compared once the watcher runs, so a file saved while the
        first build ran (minutes at city size) is not missed."""
        keep = _SourceFilter()
        state: dict[Path, tuple[int, int]] = {}
        for root in self.watched():
            for path in [root] if root.is_file() else root.rglob("*"):
                seen = stamp(path)
                if seen is not None and keep(None, str(path)):
                    state[path] = seen
        return state

    def watch(self, ready: Callable[[], None] | None = None, since: dict[Path, tuple[int, int]] | None = None) -> None:
        """Rebuild after every change until :attr:`stopping` is set (or Ctrl+C). ``ready``
        is called once the watcher is watching (a change made before then would be missed:
        the address is announced only then); ``since`` (:meth:`sources`) catches the files
        changed before it."""
        import watchfiles

        # A short debounce (watchfiles waits 1.6 s by default): Excel and WPS save through a
        # temporary file and a rename within a few milliseconds, one batch all the same.
        # Its first answer (a change, or a timeout's empty batch) means it is watching.
        for changes in watchfiles.watch(*self.watched(), watch_filter=_SourceFilter(), stop_event=self.stopping,
                                        debounce=60, step=20, rust_timeout=100, yield_on_timeout=True):  # fmt: skip
            paths = {Path(path) for _, path in changes}
            if ready is not None:
                ready()
                ready = None
                if since is not None:
                    now = self.sources()
                    paths |= {p for p in since.keys() | now.keys() if since.get(p) != now.get(p)}
            if paths:
                self.changed_files(sorted(paths))

    def changed_files(self, paths: list[Path]) -> None:
        """Bring the preview up to date after ``paths`` changed."""
        settle(paths)
        data = Path(self.options.data).resolve()
        if all(p.resolve().is_relative_to(data) for p in paths):
            self.refresh()  # the lists or site.yaml: the data again, pages on request
        else:
            self.build()  # a template, the content or pelicanconf: pages built again

    # ------------------------------------------------------------ serving

    def server(self, bind: str, port: int) -> http.server.ThreadingHTTPServer:
        preview = self

        class Handler(_Handler):
            def __init__(self, *args, **kwargs):
                super().__init__(*args, preview=preview, **kwargs)

        httpd = http.server.ThreadingHTTPServer((bind, port), Handler)
        httpd.daemon_threads = True  # a page still listening for events never holds up the exit
        return httpd

    def ended(self, version: int) -> bool:
        """Whether a build newer than ``version`` has ended (or the preview is stopping)."""
        return self.outcome.version != version or self.stopping.is_set()

    def stop(self) -> None:
        self.stopping.set()
        with self.changed:
            self.changed.notify_all()


def lan_address() -> str | None:
    """This machine's address in its local network (the route to a private address is
    looked up; nothing is sent), or None."""
    import socket

    try:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
            probe.connect(("10.255.255.255", 1))
            address = str(probe.getsockname()[0])
    except OSError:
        return None
    return None if address.startswith(("0.", "127.")) else address


def stamp(path: Path) -> tuple[int, int] | None:
    """A regular file's size and modification time (what tells a save); None otherwise."""
    try:
        st = path.stat()
    except OSError:
        return None
    return (st.st_size, st.st_mtime_ns) if stat.S_ISREG(st.st_mode) else None


def settle(paths: list[Path], quiet: float = 0.05, limit: float = 3.0) -> None:
    """Wait until the changed files stop changing (size and time unchanged for ``quiet``
    seconds, at most ``limit``): a program that writes a large file in place is seen
    writing it, and a build must not read it half-written."""

    def state() -> list[tuple[int, int] | None]:
        return [stamp(path) for path in paths]

    deadline = time.monotonic() + limit
    before = state()
    while time.monotonic() < deadline:
        time.sleep(quiet)
        now = state()
        if now == before:
            return
        before = now


def _message_page(title: str, message: str) -> str:
    esc = html.escape
    return (
        '<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{esc(title)}</title></head><body><main><h1>{esc(title)}</h1>"
        f'<pre style="white-space:pre-wrap">{esc(message)}</pre></main></body></html>'
    )


def with_reload(page: bytes, version: int) -> bytes:
    """A served HTML page with the reload script before its end."""
    script = (RELOAD_SCRIPT % version).encode()
    at = page.rfind(b"</body>")
    return page + script if at < 0 else page[:at] + script + page[at:]


class _SourceFilter:
    """Changes that can change the site: not Excel's and WPS's lock and temporary files."""

    def __init__(self) -> None:
        import watchfiles

        self.default = watchfiles.DefaultFilter()

    def __call__(self, change, path: str) -> bool:
        name = Path(path).name
        if name.startswith(("~$", ".~lock", ".#", ".~")) or name.endswith((".tmp", "~")):
            return False
        return self.default(change, path)


class _Handler(http.server.SimpleHTTPRequestHandler):
    def __init__(self, *args, preview: Preview, **kwargs):
        self.preview = preview
        super().__init__(*args, directory=str(Path(preview.options.output).resolve()), **kwargs)

    def log_message(self, format: str, *args) -> None:
        pass  # one line per request would bury the build messages

    def do_GET(self) -> None:
        url = urlsplit(self.path)
        if url.path == EVENTS:
            self._events(parse_qs(url.query).get("v", ["0"])[0])
            return
        outcome = self.preview.outcome
        target = Path(self.translate_path(url.path))
        if target.is_dir():
            target = target / "index.html"
        is_page = target.suffix in (".html", ".htm") or url.path.endswith("/")
        if outcome.error_page is not None and (is_page or not target.exists()):
            self._send(with_reload(outcome.error_page.encode("utf-8"), outcome.version), 200)
            return
        live = self.preview.live
        if live is not None and (is_page or url.path.endswith(".json")):
            try:
                made = live.page(page_url(url.path))
            except PrivacyLeak as exc:
                stop = _message_page("此页含个人信息，未显示", str(exc)).encode("utf-8")
                self._send(with_reload(stop, outcome.version), 500)
                return
            if made is not None:
                if url.path.endswith(".json"):
                    self._send(made, 200, "application/json")
                else:
                    self._send(with_reload(made, outcome.version), 200)
                return
        if is_page and target.is_file():
            try:
                body = target.read_bytes()
            except OSError:  # replaced by a build meanwhile: the reload brings the new one
                self.send_error(503)
                return
            self._send(with_reload(body, outcome.version), 200)
            return
        super().do_GET()

    def _send(self, body: bytes, status: int, kind: str = "text/html") -> None:
        self.send_response(status)
        self.send_header("Content-Type", f"{kind}; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        self.wfile.write(body)

    def _events(self, seen_text: str) -> None:
        """Server-Sent Events: the build number, each time a build ends."""
        try:
            seen = int(seen_text)
        except ValueError:
            seen = -1
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        preview = self.preview
        try:
            while not preview.stopping.is_set():
                with preview.changed:
                    preview.changed.wait_for(functools.partial(preview.ended, seen), timeout=PING_SECONDS)
                    version = preview.outcome.version
                if version != seen:
                    self.wfile.write(f"data: {version}\n\n".encode())
                    seen = version
                else:
                    self.wfile.write(b": \n\n")  # a comment: finds a closed page, keeps proxies open
                self.wfile.flush()
        except OSError:  # the page went away
            return


def stop_on_signals() -> None:
    """Ctrl+C and a plain `kill` stop the preview cleanly (KeyboardInterrupt), even when it
    was started where SIGINT is ignored (a shell's background job, nohup, some runners),
    which Python would otherwise keep: the preview could then only be killed."""
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, signal.default_int_handler)
    # ...but not in the build's forked workers: a pool ends its workers with SIGTERM, and
    # one turned into KeyboardInterrupt midway through its exit can stop holding a lock
    # the pool waits on (the preview then hangs in its build), or prints a traceback.
    os.register_at_fork(after_in_child=functools.partial(signal.signal, signal.SIGTERM, signal.SIG_DFL))


def serve(
    options: BuildOptions, bind: str, port: int, say: Callable[[str], None] = print, timings: bool = False
) -> None:
    """Build, serve and rebuild on every change until Ctrl+C (KeyboardInterrupt returns)."""
    stop_on_signals()
    preview = Preview(options, say, timings)
    before = preview.sources()
    preview.build()
    httpd = preview.server(bind, port)
    thread = threading.Thread(target=httpd.serve_forever, name="gongshi-serve", daemon=True)
    thread.start()
    host, actual = str(httpd.server_address[0]), httpd.server_address[1]

    def ready() -> None:
        say(f"预览地址：http://{host}:{actual}/ （保存数据、页面或主题后自动重新生成并刷新；按 Ctrl+C 停止）")
        if host in ("0.0.0.0", "::"):
            lan = lan_address()
            where = f"http://{lan}:{actual}/" if lan else "本机在局域网中的地址"
            say(f"同一网络的手机可打开 {where}（同一网络的其他人也能打开，预览的是尚未发布的数据）")
        say(QUICK_NOTE)

    try:
        preview.watch(ready, since=before)
    except KeyboardInterrupt:
        pass
    finally:
        preview.stop()
        httpd.shutdown()
        httpd.server_close()
    say("预览已停止。")
