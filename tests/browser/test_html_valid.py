"""The Nu HTML Checker (vnu.jar, from npm's vnu-jar) finds no errors on one page of every
page type, nor in the theme's stylesheet. One Java run over all the files, for speed."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any


def test_nu_html_checker_reports_no_errors(built_site: Any, vnu_jar: Path) -> None:
    files = [built_site.file(kind) for kind in built_site.pages]
    files += sorted((built_site.root / "pages").glob("*/index.html"))  # every Markdown page
    files = list(dict.fromkeys(files))
    css = built_site.root / "theme" / "css" / "site.css"
    cmd = ["java", "-jar", str(vnu_jar), "--errors-only", "--format", "json", "--also-check-css"]
    proc = subprocess.run([*cmd, *map(str, files), str(css)], capture_output=True, text=True, timeout=300)
    # vnu writes its JSON report to stderr and exits 1 when it found errors.
    report = json.loads(proc.stderr or proc.stdout)
    root = f"file:{built_site.root}/"
    errors = [
        f"{m.get('url', '?').removeprefix(root)}:{m.get('lastLine', '?')}: {m.get('message')}"
        f" [{m.get('extract', '').strip()[:80]}]"
        for m in report.get("messages", [])
        if m.get("type") in ("error", "non-document-error")
    ]
    assert errors == [], "\n".join(errors)
    assert proc.returncode == 0, proc.stderr[-2000:]
