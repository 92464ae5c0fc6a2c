"""An XSS payload in every free-text column of the demo data shows as text and never runs.

Every published text cell of the demo lists (summaries, reasons, titles, leaders,
measures, progress notes, outcomes, evidence, public comments) gets a payload; the site
is built, served by nginx and opened in Debian's chromium. The payload must be readable
on the page, and nothing in it may execute: no dialog, no global set by a script or an
event handler, no request for the payload's image.
"""

from __future__ import annotations

import csv
import io
import shutil
from pathlib import Path

import pytest

from generator.cli import main
from generator.ingest.load import decode
from generator.privacy.mask import maskable_columns
from generator.schema import TABLES

ROOT = Path(__file__).resolve().parents[2]
PAYLOAD = (
    '<script>window.__xss="script"</script><img src="xss.png" onerror="window.__xss=\'img\'">'
    "\"'><svg onload=\"window.__xss='svg'\"></svg>javascript:alert(1)"
)


def poison(data: Path) -> None:
    for table in TABLES:
        path = data / f"{table.name}.csv"
        if not path.exists():
            continue
        text, encoding = decode(path.read_bytes())
        rows = list(csv.reader(io.StringIO(text, newline="")))
        header = rows[0]
        free = {table.column(name).label for name in maskable_columns(table)}
        cols = [j for j, h in enumerate(header) if h in free]
        public = header.index("意见公开") if "意见公开" in header else None
        for i, row in enumerate(rows[1:]):
            for j in cols:
                row[j] = f"{row[j]}{PAYLOAD}" if row[j] or header[j] != "未采纳原因" else row[j]
            if public is not None and i % 5 == 0:
                row[header.index("意见")] = PAYLOAD
                row[public] = "是"
        out = io.StringIO(newline="")
        csv.writer(out, lineterminator="\n").writerows(rows)
        path.write_text(out.getvalue(), encoding="utf-8" if encoding == "utf-8-sig" else encoding)


@pytest.fixture(scope="module")
def poisoned(tmp_path_factory) -> Path:
    data = tmp_path_factory.mktemp("xss") / "data"
    shutil.copytree(ROOT / "data", data)
    poison(data)
    out = data.parent / "output"
    assert main(["build", "--data", str(data), "--output", str(out)]) == 0
    return out


PAGES = [
    "",
    "lists/demands/",
    "lists/projects/",
    "lists/results/",
    "projects/p00001/",
    "communities/c0001/",
    "units/u001/",
]


def test_payload_is_text_and_never_runs(poisoned, serve, browser):
    with serve(poisoned) as base:
        context = browser.new_context(viewport={"width": 390, "height": 844})
        page = context.new_page()
        dialogs, requests = [], []
        page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
        page.on("request", lambda r: requests.append(r.url))
        try:
            for path in PAGES:
                page.goto(base + path, wait_until="load")
                page.wait_for_timeout(100)
                assert page.evaluate("window.__xss") is None, f"payload ran on /{path}"
                body = page.inner_text("main")
                assert "<script>" in body and "onerror=" in body, f"payload not shown as text on /{path}"
                # The theme's build-time charts are the only SVG, and hold nothing but drawing.
                assert page.locator("main script, main svg:not(.chart), main img[src='xss.png']").count() == 0
                assert page.locator("main svg.chart :is(script, foreignObject, image, a, use, iframe)").count() == 0
        finally:
            context.close()
    assert dialogs == []
    assert not [u for u in requests if u.endswith("xss.png")]
