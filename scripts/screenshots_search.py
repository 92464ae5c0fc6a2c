#!/usr/bin/env python3
"""Regenerate the README's screenshots of search and 查询我的诉求 from the demo data.

    python scripts/screenshots_search.py [--out docs]

Builds data/ into a temporary folder, serves it on loopback and photographs, on a 360 px
phone with Debian's chromium (through Playwright; no browser is downloaded), the search page
after a search for 电梯 and the lookup page after looking up D000101. Files:
docs/screenshot-search-mobile.png and docs/screenshot-lookup-mobile.png. Shares its
helpers with scripts/screenshots.py.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from screenshots import CHROMIUM, CHROMIUM_ARGS, ROOT, serve, shoot

PHONE = {"viewport": {"width": 360, "height": 740}, "device_scale_factor": 2, "is_mobile": True, "has_touch": True}
HEIGHT = 1400


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--out", default=str(ROOT / "docs"), help="folder for the PNG files (default docs/)")
    args = ap.parse_args(argv)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    if not Path(CHROMIUM).exists():
        print(f"screenshots_search.py: {CHROMIUM} is missing (apt-get install chromium)", file=sys.stderr)
        return 2

    from playwright.sync_api import sync_playwright

    from generator.cli import main as gongshi

    with tempfile.TemporaryDirectory(prefix="gongshi-shots-") as tmp:
        site = Path(tmp) / "site"
        code = gongshi(["build", "--data", str(ROOT / "data"), "--output", str(site)])
        if code:
            return code
        with serve(site) as base, sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            page = browser.new_context(**PHONE).new_page()
            page.goto(base + "search/?q=电梯")
            page.wait_for_selector(".search-result")
            height = min(HEIGHT, page.evaluate("document.documentElement.scrollHeight"))
            shoot(page, out / "screenshot-search-mobile.png", {"x": 0, "y": 0, "width": 360, "height": height})
            page.goto(base + "lookup/")
            page.fill("#lookup-id", "D000101")
            page.click(".lookup-form button")
            page.wait_for_selector(".lookup-result:not([hidden])")
            height = min(HEIGHT, page.evaluate("document.documentElement.scrollHeight"))
            shoot(page, out / "screenshot-lookup-mobile.png", {"x": 0, "y": 0, "width": 360, "height": height})
            browser.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
