"""Fixtures for the browser suite: one built demo site, one nginx, one chromium per session.

The suite drives Debian's chromium (never a Playwright-downloaded browser) through the
Playwright Python API against the committed demo data, built once into a temporary folder
and served by a real nginx on loopback with the same Content-Security-Policy header as the
meta tag in base.html.

Missing parts (chromium, nginx, java, node_modules, the playwright package) skip the tests
that need them with the reason, except under CI (CI=true), where they fail: CI must never
pass a browser suite that did not run.
"""

from __future__ import annotations

import contextlib
import html
import os
import re
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import support

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
# Flags for a quiet, deterministic headless chromium that never phones home.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
    "--disable-quic",
]
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
VNU = ROOT / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
MIME_TYPES = Path("/etc/nginx/mime.types")


def require(ok: bool, what: str) -> None:
    """Skip (locally) or fail (under CI=true) when a part the test needs is missing."""
    support.require(ok, f"{what} (run `bash scripts/test.sh` to install everything the browser suite needs)")


def nginx_path() -> str | None:
    return shutil.which("nginx") or next((p for p in ("/usr/sbin/nginx",) if Path(p).exists()), None)


# ---------------------------------------------------------------------------- the site


@dataclass
class Site:
    root: Path  # the built site
    pages: dict[str, str]  # page type -> path below the site root ("" is the home page)
    csp: str  # the policy of the meta tag, sent by nginx as a header too
    base_url: str = ""  # set once nginx serves it
    nginx_log: Path | None = None

    def url(self, kind_or_path: str) -> str:
        path = self.pages.get(kind_or_path, kind_or_path)
        return self.base_url + path

    def file(self, kind: str) -> Path:
        return self.root / self.pages[kind] / "index.html" if self.pages[kind] else self.root / "index.html"


def _first(paths: list[Path], *needles: str) -> Path:
    """The first page (sorted) whose HTML contains every needle: a page that shows the most."""
    for p in sorted(paths):
        text = p.read_text(encoding="utf-8")
        if all(n in text for n in needles):
            return p
    return sorted(paths)[0]


def discover_pages(out: Path) -> dict[str, str]:
    """One page of every page type the portal has, picked from the built site."""

    def rel(p: Path) -> str:
        return p.parent.relative_to(out).as_posix() + "/"

    def pick(folder: str, *needles: str) -> str:
        candidates = [p for p in (out / folder).glob("*/index.html") if p.parent.name != "page"]
        assert candidates, f"no page in {folder}/ of the built site"
        return rel(_first(candidates, *needles))

    pages = {
        "home": "",
        "subdistricts": "subdistricts/",
        "subdistrict": pick("subdistricts", 'class="cards"', 'class="data compare"'),
        "community": pick("communities", 'class="data stack projects"', 'class="data stack demands"'),
        "communities": "communities/",
        # A completed project (result, rating table, public comments) and an open one with a
        # red light to explain, its progress against the expected progress and a log.
        "project": pick("projects", 'class="data ratings"', 'class="comments"', 'class="timeline"'),
        "project-lit": pick("projects", "light-note-red", 'class="progress-compare"', 'class="timeline"'),
        "unit": pick("units", 'class="data stack projects"', 'class="link-list"'),
        "units": "units/",
        "list-demands": "lists/demands/",
        "list-projects": "lists/projects/",
        "list-results": "lists/results/",
        "list-page-2": "lists/projects/page/2/",
        "content-page": "pages/about/",
        "news": "news/",
        "news-article": pick("news"),
        "supervision": "supervision/",
        "compare-units": "compare/units/",
        "compare-leaders": "compare/leaders/",
        "compare-sorted": "compare/units/satisfaction/",
        "monthly": pick("monthly", "month-figures"),
        "api": "api/",
        "search": "search/",
        "lookup": "lookup/",
        "demand-ranges": "demands/",
        # A range with a declined demand and one that became a project with a light.
        "demand-range": pick("demands", "stage-declined", 'class="light light-'),
    }
    for kind, path in pages.items():
        assert (out / path / "index.html").is_file(), f"{kind}: {path}index.html was not built"
    return pages


def meta_csp(index_html: Path) -> str:
    m = re.search(r'<meta http-equiv="Content-Security-Policy" content="([^"]+)"', index_html.read_text("utf-8"))
    assert m, "base.html lost its Content-Security-Policy meta tag"
    return html.unescape(m.group(1))


@pytest.fixture(scope="session")
def built_site(tmp_path_factory: pytest.TempPathFactory) -> Site:
    """The committed demo data (data/) built once for the whole session."""
    from generator.cli import main

    out = tmp_path_factory.mktemp("browser") / "site"
    code = main(["build", "--data", str(ROOT / "data"), "--output", str(out)])
    assert code in (0, None), f"gongshi build exited {code}"
    return Site(root=out, pages=discover_pages(out), csp=meta_csp(out / "index.html"))


# ---------------------------------------------------------------------------- nginx


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def nginx_conf(prefix: Path, root: Path, port: int, csp: str) -> str:
    """A minimal, self-contained nginx.conf: everything nginx writes stays in prefix."""
    # As root, nginx would switch workers to "nobody", who cannot read pytest's 0700 tmp dirs.
    user = "user root root;\n" if os.geteuid() == 0 else ""
    temps = "\n".join(
        f"  {name}_temp_path {prefix / name};" for name in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    return f"""{user}daemon off;
worker_processes 1;
pid {prefix / "nginx.pid"};
error_log {prefix / "error.log"} warn;
events {{ worker_connections 256; }}
http {{
  include {MIME_TYPES};
  default_type application/octet-stream;
  charset utf-8;
  access_log off;
  sendfile on;
  gzip on;
  gzip_types text/css application/javascript;
{temps}
  server {{
    listen 127.0.0.1:{port};
    server_name localhost;
    root {root};
    index index.html;
    add_header Content-Security-Policy "{csp}" always;
    add_header X-Content-Type-Options nosniff always;
    location / {{ try_files $uri $uri/ =404; }}
  }}
}}
"""


def wait_for_port(port: int, proc: subprocess.Popen, log: Path, timeout: float = 15.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            detail = log.read_text("utf-8", "replace") if log.exists() else ""
            raise RuntimeError(f"nginx exited with {proc.returncode}:\n{detail}")
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=0.2):
            return
        time.sleep(0.05)
    raise RuntimeError(f"nginx did not listen on 127.0.0.1:{port} within {timeout} s")


@contextlib.contextmanager
def run_nginx(root: Path, prefix: Path, csp: str) -> Iterator[str]:
    """Serve root with nginx on a free loopback port; yields the base URL (ending in /)."""
    exe = nginx_path()
    assert exe, "nginx not found"
    prefix.mkdir(parents=True, exist_ok=True)
    port = free_port()
    conf = prefix / "nginx.conf"
    conf.write_text(nginx_conf(prefix, root, port, csp), encoding="utf-8")
    log = prefix / "error.log"
    cmd = [exe, "-e", str(log), "-c", str(conf), "-p", str(prefix)]
    proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
    try:
        wait_for_port(port, proc, log)
        yield f"http://127.0.0.1:{port}/"
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


@pytest.fixture(scope="session")
def site(built_site: Site, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    """The built site, served by nginx on 127.0.0.1 for the whole session."""
    require(nginx_path() is not None, "nginx is not installed")
    require(MIME_TYPES.exists(), f"{MIME_TYPES} is missing (Debian's nginx-common provides it)")
    prefix = tmp_path_factory.mktemp("nginx")
    with run_nginx(built_site.root, prefix, built_site.csp) as base:
        built_site.base_url = base
        built_site.nginx_log = prefix / "error.log"
        yield built_site


# ---------------------------------------------------------------------------- chromium


@pytest.fixture(scope="session")
def browser(request: pytest.FixtureRequest) -> Iterator[object]:
    """One headless Debian chromium for the whole session, driven by the session's one
    Playwright (tests/conftest.py: playwright_driver)."""
    require(CHROMIUM.exists(), f"{CHROMIUM} is missing (apt-get install chromium)")
    pw = request.getfixturevalue("playwright_driver")
    b = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
    try:
        yield b
    finally:
        b.close()


@pytest.fixture(scope="session")
def axe_source() -> Path:
    require(AXE.is_file(), f"{AXE.relative_to(ROOT)} is missing (npm ci)")
    return AXE


@pytest.fixture(scope="session")
def vnu_jar() -> Path:
    require(shutil.which("java") is not None, "java is not installed (apt-get install default-jre-headless)")
    require(VNU.is_file(), f"{VNU.relative_to(ROOT)} is missing (npm ci)")
    return VNU


@pytest.fixture(scope="session")
def serve(tmp_path_factory: pytest.TempPathFactory):
    """Serve another built folder with nginx: ``with serve(root) as base_url: ...``."""
    require(nginx_path() is not None, "nginx is not installed")

    def start(root: Path):
        return run_nginx(root, tmp_path_factory.mktemp("nginx-extra"), meta_csp(root / "index.html"))

    return start
