"""An incremental build is byte-identical to a full build of the same data."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from support import ROOT

from generator import pipeline
from generator.bench import change_one_percent
from generator.cli import main


def files(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def build(data: Path, out: Path, *extra: str) -> None:
    pipeline.forget()
    assert main(["build", "--data", str(data), "--output", str(out), *extra]) == 0


@pytest.fixture(scope="module")
def demo(tmp_path_factory) -> Path:
    data = tmp_path_factory.mktemp("demo") / "data"
    shutil.copytree(ROOT / "data", data)
    return data


def test_same_inputs_give_identical_output(demo, tmp_path):
    build(demo, tmp_path / "a", "--full")
    build(demo, tmp_path / "b", "--full")
    a, b = files(tmp_path / "a"), files(tmp_path / "b")
    assert a.keys() == b.keys()
    assert [k for k in a if a[k] != b[k]] == []


def test_incremental_after_a_change_equals_full_build(demo, tmp_path):
    out = tmp_path / "incremental"
    build(demo, out)
    before = files(out)
    change_one_percent(demo, seed=7)
    build(demo, out)
    after = files(out)
    changed = [k for k in after if before.get(k) != after[k]]
    assert 0 < len(changed) < len(after) / 2  # only what the change touched
    build(demo, tmp_path / "full", "--full")
    full = files(tmp_path / "full")
    assert after.keys() == full.keys()
    assert [k for k in full if full[k] != after[k]] == []


def test_incremental_removes_pages_that_no_longer_exist(demo, tmp_path):
    out = tmp_path / "out"
    build(demo, out)
    assert (out / "lists/demands/page/20/index.html").exists()
    site = demo / "site.yaml"
    site.write_text(site.read_text(encoding="utf-8").replace("page_size: 50", "page_size: 100"), encoding="utf-8")
    build(demo, out)
    assert not (out / "lists/demands/page/20").exists()
    build(demo, tmp_path / "full", "--full")
    assert files(out) == files(tmp_path / "full")


def test_unchanged_inputs_skip_the_build(demo, tmp_path, capsys):
    out = tmp_path / "out"
    build(demo, out)
    before = {p: p.stat().st_mtime_ns for p in out.rglob("*")}
    build(demo, out)
    assert "输入没有变化" in capsys.readouterr().out
    assert {p: p.stat().st_mtime_ns for p in out.rglob("*")} == before


def test_page_weight_budgets(demo, tmp_path):
    out = tmp_path / "out"
    build(demo, out)
    pages = {p: p.stat().st_size for p in out.rglob("*.html")}
    assert max(pages.values()) < 200 * 1024, max(pages, key=pages.get)
    assert (out / "index.html").stat().st_size < 60 * 1024
    assert sum(p.stat().st_size for p in (out / "theme").rglob("*.css")) < 30 * 1024
    assert sum(p.stat().st_size for p in (out / "theme").rglob("*.js")) < 30 * 1024


def test_demo_rows_reconcile(demo, tmp_path):
    import json

    out = tmp_path / "out"
    build(demo, out, "--reports", str(tmp_path / "reports"))
    report = json.loads((tmp_path / "reports" / "build-report.json").read_text(encoding="utf-8"))
    assert {r["list"] for r in report["rows"]} == {"areas", "units", "demands", "projects", "progress", "results",
                                                   "feedback"}
    for r in report["rows"]:
        assert r["read"] == r["published"] + r["excluded"] and r["read"] > 0, r
