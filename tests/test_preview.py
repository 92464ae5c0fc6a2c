"""Live preview: ``gongshi serve`` rebuilds on save, shows errors on the page, reloads.

Not timing-based: every wait is for something to happen, with a generous limit only so
a broken preview fails instead of hanging (scripts/bench_preview.py measures the speed).
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

import pytest
from support import ROOT, read_rows, write_rows

from generator.site.views import url_for
from generator.tools.demo import generate

LIMIT = 120.0  # seconds; a rebuild of the demo takes well under one


def _get(url: str) -> str:
    with urllib.request.urlopen(url, timeout=30) as response:
        return response.read().decode("utf-8")


def _until(url: str, wanted, what: str) -> str:
    deadline = time.monotonic() + LIMIT
    page = ""
    while time.monotonic() < deadline:
        try:
            page = _get(url)
        except OSError:
            page = ""
        if wanted(page):
            return page
        time.sleep(0.1)
    raise AssertionError(f"the served page never {what}:\n{page[:2000]}")


def _edit(path: Path, ident: str, column: str, value: str) -> None:
    rows = read_rows(path)
    j = rows[0].index(column)
    for row in rows:
        if row[0] == ident:
            row[j] = value
    write_rows(path, rows)


@pytest.fixture
def served(tmp_path):
    data = tmp_path / "data"
    generate(data, factor=1, seed=2026, plant_pii=False)
    env = {**os.environ, "PYTHONPATH": str(ROOT), "PYTHONUNBUFFERED": "1"}
    args = [sys.executable, "-m", "generator.cli", "serve", "--data", "data", "--output", "out", "--port", "0"]
    proc = subprocess.Popen(args, cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    lines = []
    try:
        assert proc.stdout is not None
        for line in proc.stdout:
            lines.append(line)
            if line.startswith("预览地址："):
                break
        else:
            raise AssertionError("serve never said where: " + "".join(lines) + proc.stderr.read())  # type: ignore[union-attr]
        url = line.split("：", 1)[1].split()[0]
        yield proc, url.rstrip("/"), data, tmp_path / "out"
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.wait()


def test_serve_rebuilds_shows_errors_on_the_page_and_comes_back(served):
    proc, base, data, out = served
    projects = data / "projects.csv"
    first = read_rows(projects)[1]
    ident, title = first[0], first[1]
    page_url = f"{base}/{url_for('project', ident).lstrip('/')}"
    page = _get(page_url)
    assert title in page and "/__gongshi/events" in page  # served with the reload script
    # The script is added while serving, never written into the site.
    assert not any(b"__gongshi" in p.read_bytes() for p in out.rglob("*.html"))

    _edit(projects, ident, "项目名称", title + "（已改名）")
    _until(page_url, lambda p: title + "（已改名）" in p, "showed the new title")

    row = next(i for i, r in enumerate(read_rows(projects), 1) if r[0] == ident)
    _edit(projects, ident, "完成时限", "6月底")
    page = _until(page_url, lambda p: "数据有错误" in p, "showed the data error")
    assert f"第 {row} 行，K 列“完成时限”" in page and "6月底" in page and "没有写年份" in page
    assert "/__gongshi/events" in page  # the error page reloads itself once fixed
    assert "数据有错误" in _get(base + "/")

    _edit(projects, ident, "完成时限", first[10])
    page = _until(page_url, lambda p: "数据有错误" not in p and "（已改名）" in p, "came back")

    proc.send_signal(signal.SIGINT)
    stdout, stderr = proc.communicate(timeout=LIMIT)
    assert proc.returncode == 0, stderr
    assert "Traceback" not in stderr and "预览已停止" in stdout


@pytest.mark.parametrize("stop", [signal.SIGINT, signal.SIGTERM])
def test_serve_stops_cleanly_even_when_started_with_sigint_ignored(tmp_path, stop):
    """A shell's background job (and nohup) starts a program with SIGINT ignored, which
    Python keeps: the preview still stops on Ctrl+C, and on a plain kill (SIGTERM)."""
    data = tmp_path / "data"
    generate(data, factor=0.2, seed=2026, plant_pii=False)
    env = {**os.environ, "PYTHONPATH": str(ROOT), "PYTHONUNBUFFERED": "1"}
    args = [sys.executable, "-m", "generator.cli", "serve", "--data", "data", "--output", "out", "--port", "0"]
    proc = subprocess.Popen(
        args, cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_IGN),
    )  # fmt: skip
    try:
        assert proc.stdout is not None
        assert any(line.startswith("预览地址：") for line in proc.stdout)
        proc.send_signal(stop)
        stdout, stderr = proc.communicate(timeout=LIMIT)
        assert proc.returncode == 0, stderr
        assert "Traceback" not in stderr and "预览已停止" in stdout
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def test_serving_to_the_network_says_the_address_a_phone_opens(tmp_path):
    """``--bind 0.0.0.0`` (to look at the preview on a phone): 0.0.0.0 is no address to
    type into a phone, so the machine's address in its network is said too."""
    from generator.preview import lan_address

    data = tmp_path / "data"
    generate(data, factor=0.2, seed=2026, plant_pii=False)
    env = {**os.environ, "PYTHONPATH": str(ROOT), "PYTHONUNBUFFERED": "1"}
    args = [sys.executable, "-m", "generator.cli", "serve", "--data", "data", "--output", "out", "--port", "0",
            "--bind", "0.0.0.0"]  # fmt: skip
    proc = subprocess.Popen(args, cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert proc.stdout is not None
        lines = []
        for line in proc.stdout:
            lines.append(line)
            if line.startswith("预览中"):
                break
        port = next(line for line in lines if line.startswith("预览地址")).split(":")[2].split("/")[0]
        phone = next(line for line in lines if line.startswith("同一网络的手机可打开"))
        lan = lan_address()
        if lan is not None:
            assert f"http://{lan}:{port}/" in phone
            page = urllib.request.urlopen(f"http://{lan}:{port}/", timeout=30).read().decode()
            assert "<html" in page
        assert "尚未发布" in phone  # says who else can see it
    finally:
        proc.send_signal(signal.SIGINT)
        proc.communicate(timeout=LIMIT)


def test_the_builds_workers_end_on_sigterm_as_pools_expect():
    """serve turns SIGTERM into KeyboardInterrupt, but its build's forked pool workers keep
    the default: a pool ends them with SIGTERM, and one interrupted midway through its exit
    printed a traceback or left the pool waiting for it forever (the preview hung)."""
    script = (
        "import multiprocessing, signal\n"
        "from generator.preview import stop_on_signals\n"
        "stop_on_signals()\n"
        "with multiprocessing.get_context('fork').Pool(1) as pool:\n"
        "    child = pool.apply(signal.getsignal, (signal.SIGTERM,))\n"
        "print(signal.getsignal(signal.SIGTERM) is signal.default_int_handler, child == signal.SIG_DFL)\n"
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=LIMIT)
    assert done.stdout.split() == ["True", "True"], done.stderr
    assert "Traceback" not in done.stderr


def test_build_end_is_announced_to_listening_pages(served):
    _, base, data, _ = served
    with urllib.request.urlopen(base + "/__gongshi/events?v=0", timeout=30) as events:
        first = events.readline().decode()
        assert first.startswith("data: ")
        version = int(first.split()[1])
        events.readline()
        (data / "site.yaml").write_text((data / "site.yaml").read_text(encoding="utf-8") + "\n", encoding="utf-8")
        # The server pings every 15 s while nothing happens: give up after LIMIT instead.
        deadline = time.monotonic() + LIMIT
        line = events.readline().decode()
        while not line.startswith("data: "):
            assert time.monotonic() < deadline, "the saved site.yaml was not noticed"
            line = events.readline().decode()
        assert int(line.split()[1]) == version + 1


def test_a_file_saved_while_the_first_build_ran_is_not_missed(tmp_path):
    """The watcher starts after the first build (minutes at city size): what was saved
    meanwhile is compared with the state before it and treated as a change."""
    from generator.build import BuildOptions
    from generator.preview import Preview

    data = tmp_path / "data"
    generate(data, factor=0.2, seed=2026, plant_pii=False)
    preview = Preview(BuildOptions(data=data, output=tmp_path / "out"), say=lambda message: None)
    before = preview.sources()
    assert data / "projects.csv" in before and len(before) > 5  # the data and the repository's theme
    settings = data / "site.yaml"
    settings.write_text(settings.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    seen: list[Path] = []
    ready: list[bool] = []

    def changed(paths: list[Path]) -> None:
        seen.extend(paths)
        preview.stop()

    preview.changed_files = changed  # type: ignore[method-assign]
    watcher = threading.Thread(target=preview.watch, args=(lambda: ready.append(True), before))
    watcher.start()
    watcher.join(timeout=LIMIT)
    preview.stop()
    assert not watcher.is_alive() and ready == [True]
    assert [p.name for p in seen] == ["site.yaml"]


def test_rebuilds_in_one_warm_process_equal_a_fresh_build(tmp_path):
    """What the preview keeps between builds (the frozen data of the last one, caches,
    Pelican's plugin state) never shows in the output: after edits, the warm process's
    pages are byte for byte the pages a fresh full build makes; the outputs a preview
    defers (search index, open data, feeds, share images) are kept, recorded as out of
    date, and the next plain build makes the whole site equal to the fresh one."""
    from support import site_files

    from generator.build import Build, BuildOptions
    from generator.output.folder import Manifest
    from generator.preview import Preview
    from generator.site.render import DEFERRED

    data = tmp_path / "data"
    generate(data, factor=1, seed=2026, plant_pii=False)
    preview = Preview(BuildOptions(data=data, output=tmp_path / "out"), say=lambda message: None)
    assert preview.build().error_page is None
    projects = data / "projects.csv"
    first = read_rows(projects)[1]
    _edit(projects, first[0], "项目名称", first[1] + "（改）")
    assert preview.build().error_page is None
    _edit(projects, first[0], "完成时限", "6月底")
    failed = preview.build()
    assert failed.error_page is not None and "6月底" in failed.error_page and failed.version == 3
    _edit(projects, first[0], "完成时限", first[10])
    assert preview.build().error_page is None
    Build(BuildOptions(data=data, output=tmp_path / "fresh", full=True)).run()
    previewed, fresh = site_files(tmp_path / "out"), site_files(tmp_path / "fresh")
    pages = {p for p in fresh if p.endswith(".html")}
    # A download's size is printed as that of the file there (the last full build's).
    sizes = re.compile(rb"[0-9.]+ (KB|MB|\xe5\xad\x97\xe8\x8a\x82)")  # 字节

    def unsized(files: dict[str, bytes]) -> dict[str, bytes]:
        return {p: sizes.sub(b"", files.get(p, b"")) for p in pages}

    assert unsized(previewed) == unsized(fresh)
    files = Manifest.read(tmp_path / "out").files
    deferred = {p for p, d in files.items() if d.startswith(DEFERRED)}
    assert {"api/v1/projects.csv", "feeds/all.xml"} <= deferred
    assert any(p.startswith("pagefind/") for p in deferred) and any(p.startswith("share/") for p in deferred)
    assert previewed["api/v1/projects.csv"] != fresh["api/v1/projects.csv"]  # the title before the edit
    result = Build(BuildOptions(data=data, output=tmp_path / "out")).run()
    assert not result.skipped and not result.full
    assert site_files(tmp_path / "out") == site_files(tmp_path / "fresh")
    assert not any(d.startswith(DEFERRED) for d in Manifest.read(tmp_path / "out").files.values())


def test_pages_made_on_request_after_a_data_change_equal_a_fresh_build(tmp_path):
    """After a data file is saved the preview prepares the data again and makes each data
    page when it is asked for: every page of the demo is byte for byte what a fresh full
    build of the same data writes (a download's size aside: the files on disk are the
    last build's), and output/ is not touched."""
    from support import site_files

    from generator.build import Build, BuildOptions
    from generator.output.folder import Manifest, file_for
    from generator.preview import Preview

    data = tmp_path / "data"
    generate(data, factor=1, seed=2026, plant_pii=False)
    said: list[str] = []
    preview = Preview(BuildOptions(data=data, output=tmp_path / "out"), say=said.append)
    assert preview.build().error_page is None and preview.live is not None
    before = site_files(tmp_path / "out")
    projects = data / "projects.csv"
    rows = read_rows(projects)
    _edit(projects, rows[1][0], "项目名称", rows[1][1] + "（改）")
    _edit(projects, rows[2][0], "完成时限", "2026年12月底")
    failed = preview.refresh()
    assert failed.error_page is None and "页面在打开时生成" in said[-1]
    _edit(projects, rows[3][0], "完成时限", "6月底")  # ambiguous: an error, shown on every page
    failed = preview.refresh()
    assert failed.error_page is not None and "6月底" in failed.error_page
    _edit(projects, rows[3][0], "完成时限", rows[3][10])
    assert preview.refresh().error_page is None
    assert site_files(tmp_path / "out") == before
    Build(BuildOptions(data=data, output=tmp_path / "fresh", full=True)).run()
    fresh = site_files(tmp_path / "fresh")
    sizes = re.compile(rb"[0-9.]+ (KB|MB|\xe5\xad\x97\xe8\x8a\x82)")  # 字节
    live = preview.live
    assert live is not None
    urls = sorted(Manifest.read(tmp_path / "fresh").pages)
    assert len(urls) > 500
    for url in urls:
        made = live.page(url)
        assert made is not None, url
        assert sizes.sub(b"", made) == sizes.sub(b"", fresh[file_for(url)]), url
    assert "（改）".encode() in (live.page(url_for("project", rows[1][0]).lstrip("/")) or b"")
    assert live.page("theme/css/site.css") is None and live.page("no/such/page/") is None


def test_served_pages_follow_a_saved_ledger_at_once(tmp_path):
    """Through the server: after a save the page shows the new title, made on request,
    while output/ keeps the last build's page."""
    import threading

    from generator.build import BuildOptions
    from generator.preview import Preview

    data = tmp_path / "data"
    generate(data, factor=1, seed=2026, plant_pii=False)
    preview = Preview(BuildOptions(data=data, output=tmp_path / "out"), say=lambda message: None)
    preview.build()
    httpd = preview.server("127.0.0.1", 0)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    try:
        base = f"http://127.0.0.1:{httpd.server_address[1]}/"
        rows = read_rows(data / "projects.csv")
        page = url_for("project", rows[1][0]).lstrip("/")
        _edit(data / "projects.csv", rows[1][0], "项目名称", "新的项目名称")
        preview.refresh()
        with urllib.request.urlopen(base + page, timeout=30) as response:
            body = response.read().decode("utf-8")
        assert "新的项目名称" in body and "EventSource" in body
        assert "新的项目名称" not in (tmp_path / "out" / page / "index.html").read_text(encoding="utf-8")
        with urllib.request.urlopen(base + "communities/finder.json", timeout=30) as response:
            assert response.headers["Content-Type"].startswith("application/json")
        with urllib.request.urlopen(base + "theme/css/site.css", timeout=30) as response:
            assert response.status == 200  # from output/
    finally:
        preview.stop()
        httpd.shutdown()
        httpd.server_close()


def test_a_failing_build_keeps_the_preview_running(tmp_path, monkeypatch):
    from generator import preview as module
    from generator.build import BuildOptions

    said: list[str] = []
    preview = module.Preview(BuildOptions(data=tmp_path / "data", output=tmp_path / "out"), say=said.append)

    def broken(self):
        raise RuntimeError("出错了")

    monkeypatch.setattr(module.Build, "run", broken)
    outcome = preview.build()
    assert outcome.version == 1 and outcome.error_page is not None and "出错了" in outcome.error_page
    assert "程序错误" in said[-1]
    served = module.with_reload(outcome.error_page.encode(), outcome.version).decode()
    assert served.index("EventSource") < served.index("</body>")


def test_a_file_still_being_written_is_waited_for(tmp_path):
    import threading

    from generator.preview import settle

    path = tmp_path / "projects.csv"
    path.write_text("编号\n", encoding="utf-8")
    done = threading.Event()

    def writer() -> None:
        with path.open("a", encoding="utf-8") as f:
            for i in range(20):  # written in pieces, the way a large file is
                f.write(f"P{i}\n")
                f.flush()
                time.sleep(0.02)
        done.set()

    thread = threading.Thread(target=writer)
    thread.start()
    time.sleep(0.03)
    settle([path], quiet=0.1)
    assert done.is_set() and path.read_text(encoding="utf-8").count("\n") == 21
    thread.join()
