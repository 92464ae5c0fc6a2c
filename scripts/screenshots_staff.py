#!/usr/bin/env python3
"""Regenerate the screenshots of the README's "For staff" section.

    PYTHONPATH=. python3 scripts/screenshots_staff.py [--out docs]

From the broken staff ledger (tests/fixtures/staff/broken: a year-less deadline, a formula
without its value, a project entered twice): docs/staff-check-report-mobile.png, the page
``gongshi check --html`` writes, and docs/staff-preview-error-mobile.png, what the browser
shows under ``gongshi serve`` while the data has errors. Phone width (390 CSS pixels),
Debian's chromium through Playwright (nothing downloaded), a CJK font needed.
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run"]
PHONE = {"viewport": {"width": 390, "height": 844}, "device_scale_factor": 2, "is_mobile": True, "has_touch": True}
HEIGHT = 1400  # CSS pixels of the top of each page: the summary and the first problems


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--out", default=str(ROOT / "docs"))
    args = ap.parse_args(argv)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    if not Path(CHROMIUM).exists():
        print(f"{CHROMIUM} is missing (apt-get install chromium)", file=sys.stderr)
        return 2
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory(prefix="gongshi-staff-shots-") as tmp:
        work = Path(tmp)
        shutil.copytree(ROOT / "tests" / "fixtures" / "staff" / "broken", work / "data")
        env = {**os.environ, "PYTHONPATH": str(ROOT), "PYTHONUNBUFFERED": "1"}
        gongshi = [sys.executable, "-m", "generator.cli"]
        subprocess.run([*gongshi, "check", "--html", "检查报告.html"], cwd=work, env=env, capture_output=True)
        serve = subprocess.Popen([*gongshi, "serve", "--port", "0"], cwd=work, env=env, stdout=subprocess.PIPE,
                                 stderr=subprocess.DEVNULL, text=True)  # fmt: skip
        try:
            assert serve.stdout is not None
            base = next(line for line in serve.stdout if line.startswith("预览地址：")).split("：", 1)[1].split()[0]
            with sync_playwright() as pw:
                browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
                page = browser.new_context(**PHONE).new_page()
                for name, url in (
                    ("staff-check-report-mobile.png", (work / "检查报告.html").as_uri()),
                    ("staff-preview-error-mobile.png", base),
                ):
                    page.goto(url, wait_until="load")
                    height = min(page.evaluate("document.documentElement.scrollHeight"), HEIGHT)
                    clip = {"x": 0, "y": 0, "width": 390, "height": height}
                    data = page.screenshot(scale="css", full_page=True, clip=clip, animations="disabled")
                    (out / name).write_bytes(data)
                    print(f"{out / name}  {len(data) // 1024} KB")
                browser.close()
        finally:
            serve.send_signal(signal.SIGINT)
            serve.wait(timeout=60)
    return 0


if __name__ == "__main__":
    sys.exit(main())
