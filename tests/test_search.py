"""The search index: Pagefind fed with the build's records, on the incremental path."""

from __future__ import annotations

import gzip
import os
import shutil
from pathlib import Path

import pytest
from support import ROOT, read_rows, site_files, write_rows

from generator.cli import main
from generator.ingest import prepare as pipeline
from generator.site import search
from generator.site.views import ViewBuilder


def build(data: Path, out: Path, *extra: str) -> int:
    return main(["build", "--data", str(data), "--output", str(out), *extra])


@pytest.fixture(scope="module")
def builder() -> ViewBuilder:
    prepared = pipeline.prepare(ROOT / "data")
    return ViewBuilder(prepared.dataset, prepared.aggregates)


@pytest.fixture(scope="module")
def binary() -> str:
    found = search.find_binary()
    if found is None:
        if os.environ.get("CI") == "true":
            pytest.fail("pagefind is not installed: scripts/test.sh runs npm ci")
        pytest.skip("pagefind is not installed (npm ci)")
    return found


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> tuple[Path, Path]:
    root = tmp_path_factory.mktemp("search")
    shutil.copytree(ROOT / "data", root / "data")
    assert build(root / "data", root / "out") == 0
    return root / "data", root / "out"


def test_records_cover_every_kind_with_filters(builder):
    recs = search.records(builder)
    kinds = {r["filters"]["kind"][0] for r in recs}
    assert kinds == {"实事项目", "街道（乡镇）", "社区（村）", "单位", "群众需求"}
    project = next(r for r in recs if r["url"] == "projects/p00001/")
    assert set(project["filters"]) >= {"kind", "subdistrict", "community", "status", "category", "light"}
    assert builder.ds.projects["P00001"].title in project["content"]
    assert sum(r["filters"]["kind"] == ["群众需求"] for r in recs) == len(builder.demand_ranges())


def test_indexed_text_is_scanned_for_personal_data(builder):
    recs = search.records(builder)
    assert search.scan_records(recs, frozenset()) == []
    recs[0]["content"] += " 联系人电话 13912345678"
    found = search.scan_records(recs, frozenset())
    assert found and "13912345678" in found[0][2]


def test_pagefind_output_is_deterministic(builder, binary):
    recs = search.records(builder)[:60]
    a, b = search.run_pagefind(binary, recs), search.run_pagefind(binary, recs)
    assert a == b and "pagefind.js" in a and "pagefind-entry.json" in a
    assert not [p for p in a if "pagefind-ui" in p]  # the site has its own interface


def test_a_pagefind_config_in_the_working_folder_is_not_read(builder, binary, tmp_path, monkeypatch):
    """Pagefind reads pagefind.yml/.json/.toml from its working folder and stops at one it
    cannot use; a site folder may have one (a file named so, or an older setup)."""
    (tmp_path / "pagefind.json").write_text("[]", encoding="utf-8")
    (tmp_path / "pagefind.yml").write_text("site: 1\nglob: [\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    files = search.run_pagefind(binary, search.records(builder)[:20])
    assert "pagefind-entry.json" in files


def test_the_index_holds_no_personal_data(built):
    data, out = built
    rows = read_rows(data / "demands.csv")
    h = rows[0]
    phones = {r[h.index("联系电话")] for r in rows[1:] if r[h.index("联系电话")]}
    fragments = [*(out / "pagefind" / "fragment").iterdir(), *(out / "pagefind-demands" / "fragment").iterdir()]
    assert fragments
    text = b"".join(gzip.decompress(f.read_bytes()) for f in fragments).decode("utf-8").replace("\u200b", "")
    assert "加装电梯" in text and "D000101" in text  # a project's title, a demand's number
    assert not [p for p in phones if p in text]


def test_the_index_is_built_again_only_when_its_records_change(built, tmp_path, monkeypatch):
    runs: list[int] = []
    real = search.run_pagefind

    def spy(binary, recs):
        runs.append(len(recs))
        return real(binary, recs)

    monkeypatch.setattr(search, "run_pagefind", spy)
    data, out = tmp_path / "data", tmp_path / "out"
    shutil.copytree(built[0], data)
    shutil.copytree(built[1], out)
    areas = data / "areas.yaml"
    areas.write_text(areas.read_text("utf-8").replace("households: 5105\n", "households: 5120\n", 1), "utf-8")
    assert build(data, out, "--jobs", "1") == 0  # no record shows households
    assert runs == []
    projects = data / "projects.csv"
    text = projects.read_text("utf-8-sig")
    first = read_rows(projects)[1][read_rows(projects)[0].index("项目名称")]
    projects.write_text(text.replace(first, first + "（更名）", 1), "utf-8-sig")
    assert build(data, out, "--jobs", "1") == 0
    assert len(runs) == 1 and runs[0] > 400  # the main bundle only: 400 projects and more
    demands = data / "demands.csv"
    rows = read_rows(demands)
    rows[5][rows[0].index("需求内容")] = "小区门口路灯不亮，晚上出行不便"
    write_rows(demands, rows, encoding="utf-8-sig")
    assert build(data, out, "--jobs", "1") == 0
    ranges = [p for p in (out / "demands").iterdir() if p.is_dir()]
    assert runs[1:] == [len(ranges)]  # the demands' bundle only: one record per range of numbers
    assert build(data, tmp_path / "full", "--full") == 0
    assert site_files(out) == site_files(tmp_path / "full")


def test_a_missing_pagefind_says_how_to_install_it(built, tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(search, "find_binary", lambda root=search.REPO: None)
    assert build(built[0], tmp_path / "out", "--jobs", "1") == 2
    assert "npm ci" in capsys.readouterr().err
    assert not (tmp_path / "out" / "index.html").exists()


def test_a_bundle_file_deleted_by_hand_is_written_again(built, tmp_path):
    data, out = tmp_path / "data", tmp_path / "out"
    shutil.copytree(built[0], data)
    shutil.copytree(built[1], out)
    fragment = sorted((out / "pagefind" / "fragment").iterdir())[0]
    fragment.unlink()
    (out / "pagefind" / "pagefind-entry.json").write_text("{}", encoding="utf-8")
    assert build(data, out) == 0
    assert build(data, tmp_path / "full", "--full") == 0
    assert site_files(out) == site_files(tmp_path / "full")
