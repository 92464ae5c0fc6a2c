"""The attack corpus: realistic but nasty inputs, each with its outcome declared in advance.

Each attack in tests/corpus/EXPECTED.yaml names a folder of files as they would sit in
data/ (plus symlinks, FIFOs or expanded markers the repository cannot hold). The test
copies the mini data set, drops the attack in (replacing the list of the same name), runs
``check`` and compares every new problem (file, row, column, code) with the declared set.
Attacks expected to publish are also built, and the site is checked: no script, event
handler or javascript: link from the data, no planted personal data in any file written,
no formula in a published CSV cell.
"""

from __future__ import annotations

import csv
import io
import os
import re
import shutil
from pathlib import Path

import pytest
import yaml
from bs4 import BeautifulSoup
from support import MINI

from generator import cli
from generator.ingest import prepare as pipeline
from generator.ingest.load import is_settings
from generator.problems import CODES
from generator.schema import table_for_name

CORPUS = Path(__file__).resolve().parent / "corpus"
SPEC = yaml.safe_load((CORPUS / "EXPECTED.yaml").read_text(encoding="utf-8"))
ATTACKS = SPEC["attacks"]
CJK = re.compile(r"[\u4e00-\u9fff]")
URL_ATTRS = ("href", "src", "action", "formaction", "data", "srcdoc", "xlink:href", "poster", "background")
BAD_SCHEMES = ("javascript:", "vbscript:", "data:text/html")


def list_key(name: str) -> str | None:
    """Which list a file or folder in data/ stands for ("site" for the settings)."""
    path = Path(name)
    if is_settings(path):
        return "site"
    table = table_for_name(path.stem if path.suffix else name)
    return table.name if table else None


def problem_set(report) -> set[tuple]:
    """(file relative to the data folder, row, column, code); "." is the folder itself."""
    return {(p.file.partition("/")[2] or ".", p.row, p.column, p.code) for p in report.problems}


BASELINE = problem_set(pipeline.check(MINI))


def install(attack: dict, data: Path) -> set[str]:
    """Drop the attack's files into data/, replacing the lists they stand for (returned)."""
    folder = CORPUS / attack["id"]
    entries = sorted(folder.iterdir()) if folder.is_dir() else []
    names = [e.name for e in entries] + list(attack.get("links", {})) + list(attack.get("fifos", []))
    replaced = {list_key(n) for n in names} - {None}
    for old in data.iterdir():
        if list_key(old.name) in replaced:
            old.unlink()
    for entry in entries:
        if entry.is_dir():
            shutil.copytree(entry, data / entry.name, symlinks=True)
        else:
            shutil.copy2(entry, data / entry.name)
    for item in attack.get("expand", []):
        path = data / item["file"]
        raw = path.read_bytes().replace(item["marker"].encode(), item["text"].encode() * item["times"])
        path.write_bytes(raw)
    for name, target in attack.get("links", {}).items():
        os.symlink(target.format(corpus=CORPUS, data=data), data / name)
    for name in attack.get("fifos", []):
        os.mkfifo(data / name)
    return replaced


def new_problems(report, replaced: set[str]) -> set[tuple]:
    """Problems the attack brought: all but the mini set's own, in the lists left alone."""
    kept = {b for b in BASELINE if list_key(b[0].split("/")[0].split("[")[0]) not in replaced}
    return problem_set(report) - kept


def expected_of(attack: dict) -> tuple[set[tuple], bool]:
    expect = attack["expect"]
    if expect == "ok":
        return set(), True
    problems = {(f, r, c, code) for f, r, c, code in expect.get("problems", [])}
    return problems, bool(expect.get("build"))


def output_files(*roots: Path):
    for root in roots:
        for path in sorted(root.rglob("*")):
            if path.is_file():
                yield path


CHART_ELEMENTS = {"title", "desc", "defs", "pattern", "rect", "path", "circle", "line", "text"}
THEME_FORMS = {
    "search-box": re.compile(r"^(\.|(\.\./)*\.\.)/search/$"),
    "search-page": re.compile(r"^(\.|(\.\./)*\.\.)/search/$"),
    "lookup-form": re.compile(r"^(\.|(\.\./)*\.\.)/demands/$"),
}


def assert_html_safe(out: Path) -> None:
    """Data never becomes markup: scripts only from the theme, no handlers, no script URLs."""
    pages = list(out.rglob("*.html"))
    assert pages
    for page in pages:
        raw = page.read_text(encoding="utf-8")
        assert "<script>alert" not in raw.lower(), page
        soup = BeautifulSoup(raw, "html.parser")
        for script in soup.find_all("script"):
            src = script.get("src") or ""
            assert "theme/" in src and not (script.string or "").strip(), (page, str(script)[:200])
        charts = [s for s in soup.find_all("svg") if s.get("class") == ["chart"] and s.get("role") == "img"]
        for chart in charts:  # the theme's build-time charts (generator/charts.py): drawing elements only
            for el in chart.find_all(True):
                drawn = el.name in CHART_ELEMENTS and not any(a.endswith("href") for a in el.attrs)
                assert drawn, (page, str(el)[:200])
        # The notice sheets' QR codes (print_community.py): paths only.
        codes = [s for s in soup.find_all("svg") if s.get("class") == ["qr"] and s.get("role") == "img"]
        for code in codes:
            for el in code.find_all(True):
                assert el.name == "path" and not any(a.endswith("href") for a in el.attrs), (page, str(el)[:200])
        # An embed page opens its links in a new tab: a <base> with a target and no address.
        bases = [b for b in soup.find_all("base") if b.attrs == {"target": "_blank"}]
        allowed = {id(el) for svg in (*charts, *codes) for el in (svg, *svg.find_all(True))}
        allowed |= {id(b) for b in bases}
        # The theme's own GET forms (search box, search page, lookup) to the site's own pages.
        forms = [f for f in soup.find_all("form") if f.get("class", [""])[0] in THEME_FORMS]
        for form in forms:
            assert form.get("method") == "get" and THEME_FORMS[form["class"][0]].search(form.get("action", "")), form
        allowed |= {id(f) for f in forms}
        for el in soup.find_all(True):
            if id(el) not in allowed:
                assert el.name not in ("iframe", "object", "embed", "svg", "img", "base", "form"), (page, str(el)[:200])
            for attr, value in el.attrs.items():
                assert not attr.lower().startswith("on"), (page, str(el)[:200])
                if attr.lower() in URL_ATTRS:
                    url = re.sub(r"[\x00-\x20]", "", str(value)).lower()
                    assert not url.startswith(BAD_SCHEMES), (page, str(el)[:200])


def assert_csv_formula_safe(out: Path) -> None:
    limit = csv.field_size_limit(1 << 30)  # the 10 MB cell is published too
    try:
        for path in out.rglob("*.csv"):
            for row in csv.reader(io.StringIO(path.read_text(encoding="utf-8-sig"), newline="")):
                for cell in row:
                    assert not cell.startswith(("=", "+", "-", "@", "＝", "＋", "－", "＠")), (path, cell[:80])
    finally:
        csv.field_size_limit(limit)


def _param(attack: dict):
    """An attack that shows a bug outside the loaders is a strict xfail until it is fixed."""
    bug = attack.get("known_bug")
    marks = [pytest.mark.xfail(strict=True, raises=AssertionError, reason=bug)] if bug else []
    return pytest.param(attack, id=attack["id"], marks=marks)


@pytest.mark.parametrize("attack", [_param(a) for a in ATTACKS])
def test_attack(attack, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # a YAML "touch PWNED" that ran would land here
    data = tmp_path / "data"
    shutil.copytree(MINI, data)
    replaced = install(attack, data)
    expected, build = expected_of(attack)

    report = pipeline.check(data)
    for p in report.problems:
        assert p.code in CODES and p.file and CJK.search(p.message()), p
    new = new_problems(report, replaced)
    assert new == expected, (
        f"\nunexpected: {sorted(new - expected, key=str)}\nmissing: {sorted(expected - new, key=str)}"
    )
    assert not (tmp_path / "PWNED").exists()

    if not build:
        assert report.errors, "an attack that must not publish has to be stopped by an error"
        return
    out = tmp_path / "out"
    assert cli.main(["build", "--data", str(data), "--output", str(out)]) == 0
    assert_html_safe(out)
    assert_csv_formula_safe(out)
    written = list(output_files(out, tmp_path / "reports"))
    for secret in attack.get("absent", []):
        hits = [str(p.relative_to(tmp_path)) for p in written if secret.encode() in p.read_bytes()]
        assert not hits, f"{secret!r} published in {hits}"
    if attack.get("published"):
        text = "\n".join(
            BeautifulSoup(p.read_text(encoding="utf-8"), "html.parser").get_text() for p in out.rglob("*.html")
        )
        for shown in attack["published"]:
            assert shown in text, f"{shown!r} is not shown as text on any page"


def test_corpus_covers_every_folder():
    """Every attack folder has a declared outcome, and every declared attack exists."""
    folders = {p.name for p in CORPUS.iterdir() if p.is_dir() and not p.name.startswith("_")}
    declared = {a["id"] for a in ATTACKS}
    assert folders <= declared
    for a in ATTACKS:
        assert (CORPUS / a["id"]).is_dir() or a.get("links") or a.get("fifos"), a["id"]
    assert len(ATTACKS) >= 15
