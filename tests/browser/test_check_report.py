"""The staff's HTML check report (``gongshi check --html``, the preview's error page) in a
real browser: no sideways scroll on a 360 px phone, no axe WCAG 2.1 AA violation, valid
HTML (Nu checker)."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from test_pages import run_axe

from generator.cli import main

STAFF = Path(__file__).resolve().parents[1] / "fixtures" / "staff"


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> Path:
    data = tmp_path_factory.mktemp("check-report") / "data"
    shutil.copytree(STAFF / "broken", data)
    page = data.parent / "检查报告.html"
    assert main(["check", "--data", str(data), "--html", str(page)]) == 1
    return page


def test_the_report_reads_on_a_phone_and_passes_axe(browser: Any, axe_source: Path, report: Path) -> None:
    context = browser.new_context(viewport={"width": 360, "height": 740}, is_mobile=True)
    try:
        page = context.new_page()
        page.goto(report.as_uri(), wait_until="load")
        width = page.evaluate("[document.documentElement.scrollWidth, document.documentElement.clientWidth]")
        assert width[0] <= width[1], width
        assert run_axe(page, axe_source) == []
    finally:
        context.close()


def test_the_report_is_valid_html(vnu_jar: Path, report: Path) -> None:
    cmd = ["java", "-jar", str(vnu_jar), "--errors-only", "--format", "json", "--also-check-css", str(report)]
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
    messages = json.loads(done.stderr or "{}").get("messages", []) if done.stderr.strip() else []
    assert [m for m in messages if m.get("type") == "error"] == []
