#!/usr/bin/env python3
"""Regenerate the screenshots in docs/ from the committed demo data.

    python scripts/screenshots.py [--out docs]

Builds data/ into a temporary folder, serves it on loopback and photographs the home page,
a community page and a project page with Debian's chromium (through Playwright; no browser
is downloaded): on a phone (390 x 844) and a desktop (1280 x 900), each in the normal look and
in 关怀版 (elder mode). Files: docs/screenshot-<page>-<mobile|desktop>[-elder].png; the README
shows docs/screenshot-home-mobile.png.

Phone shots show the top of the page, up to MOBILE_HEIGHT CSS pixels of it; desktop shots
show the first screen. Shots are saved at CSS-pixel scale (390 or 1280 px wide), which keeps
each file under LIMIT bytes. Chinese text needs a CJK system font (Debian: fonts-noto-cjk),
as on a resident's phone.
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import http.server
import shutil
import subprocess
import sys
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
    "--disable-quic",
]
MOBILE = {"viewport": {"width": 390, "height": 844}, "device_scale_factor": 2, "is_mobile": True, "has_touch": True}
DESKTOP = {"viewport": {"width": 1280, "height": 900}, "device_scale_factor": 2}
MOBILE_HEIGHT = 2000
LIMIT = 300_000


def pick(site: Path, folder: str, *needles: str) -> str:
    """The first page of a folder (sorted) that shows every needle: a page with a full story."""
    pages = sorted(p for p in (site / folder).glob("*/index.html"))
    for p in pages:
        text = p.read_text(encoding="utf-8")
        if all(n in text for n in needles):
            return p.parent.relative_to(site).as_posix() + "/"
    return pages[0].parent.relative_to(site).as_posix() + "/"


@contextlib.contextmanager
def serve(directory: Path) -> Iterator[str]:
    handler = functools.partial(QuietHandler, directory=str(directory))
    with http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler) as httpd:
        thread = threading.Thread(target=httpd.serve_forever, daemon=True)
        thread.start()
        try:
            yield f"http://127.0.0.1:{httpd.server_address[1]}/"
        finally:
            httpd.shutdown()


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


def shoot(page, path: Path, clip: dict | None) -> int:
    """One PNG at CSS-pixel scale (1x): the pages render at the phone's 2x density, so text
    is drawn as on the phone, but the file stays small and every shot has the same scale."""
    options = {"full_page": clip is not None, "clip": clip, "animations": "disabled", "caret": "hide"}
    data = page.screenshot(scale="css", **options)
    if len(data) > LIMIT:
        print(f"screenshots.py: {path.name} is {len(data) // 1024} KB, over {LIMIT // 1000} KB", file=sys.stderr)
    path.write_bytes(data)
    return len(data)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--out", default=str(ROOT / "docs"), help="folder for the PNG files (default docs/)")
    args = ap.parse_args(argv)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)

    if not Path(CHROMIUM).exists():
        print(f"screenshots.py: {CHROMIUM} is missing (apt-get install chromium)", file=sys.stderr)
        return 2
    if shutil.which("fc-list"):
        fonts = subprocess.run(["fc-list", ":lang=zh", "family"], capture_output=True, text=True).stdout
        if not fonts.strip():
            print(
                "screenshots.py: no CJK font installed; Chinese would show as boxes (fonts-noto-cjk)", file=sys.stderr
            )
            return 2

    from playwright.sync_api import sync_playwright

    from generator.cli import main as gongshi

    with tempfile.TemporaryDirectory(prefix="gongshi-shots-") as tmp:
        site = Path(tmp) / "site"
        code = gongshi(["build", "--data", str(ROOT / "data"), "--output", str(site)])
        if code:
            return code
        pages = {
            "home": "",
            "community": pick(site, "communities", 'class="data stack projects"', 'class="data stack demands"'),
            "project": pick(site, "projects", 'class="data ratings"', 'class="comments"', 'class="timeline"'),
        }
        with serve(site) as base, sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            try:
                for device, options in (("mobile", MOBILE), ("desktop", DESKTOP)):
                    for elder in (False, True):
                        # A fresh context per look: 关怀版 is remembered in localStorage.
                        context = browser.new_context(**options)
                        page = context.new_page()
                        for name, path in pages.items():
                            page.goto(base + path, wait_until="load")
                            if elder and not page.evaluate("document.documentElement.classList.contains('elder')"):
                                page.click(".elder-toggle")
                                page.wait_for_function("document.documentElement.classList.contains('elder')")
                            page.evaluate("document.activeElement && document.activeElement.blur()")
                            clip = None
                            if device == "mobile":
                                height = min(page.evaluate("document.documentElement.scrollHeight"), MOBILE_HEIGHT)
                                clip = {"x": 0, "y": 0, "width": options["viewport"]["width"], "height": height}
                            target = out / f"screenshot-{name}-{device}{'-elder' if elder else ''}.png"
                            size = shoot(page, target, clip)
                            shown = target.relative_to(ROOT) if target.is_relative_to(ROOT) else target
                            print(f"{shown}  {size // 1024} KB  (/{path})")
                        context.close()
            finally:
                browser.close()
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    sys.exit(main())
