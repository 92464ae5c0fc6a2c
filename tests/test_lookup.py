"""查询我的诉求: receipt numbers, the JSON shards and the pages per range of numbers."""

from __future__ import annotations

import json
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import pytest
from support import ROOT, read_rows, site_files, write_rows

from generator.cli import main
from generator.ingest import prepare as pipeline
from generator.site.lookup import BUCKETS, demand_ranges, lookup_key, range_key, receipt_url, shard_files
from generator.site.views import ViewBuilder

LOOKUP_JS = ROOT / "theme" / "static" / "js" / "lookup.js"
TYPED = [
    *("D000123", " d 000 123 ", "Ｄ０００１２３", "d000123\u3000"),  # one number, typed four ways
    *("2025-东街-07", "A-17", "x", "东街道第123号", "12"),
]


def build(data: Path, out: Path, *extra: str) -> None:
    assert main(["build", "--data", str(data), "--output", str(out), *extra]) == 0


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> tuple[Path, Path]:
    root = tmp_path_factory.mktemp("lookup")
    shutil.copytree(ROOT / "data", root / "data")
    build(root / "data", root / "out")
    return root / "data", root / "out"


@pytest.fixture(scope="module")
def builder() -> ViewBuilder:
    prepared = pipeline.prepare(ROOT / "data")
    return ViewBuilder(prepared.dataset, prepared.aggregates)


def test_typed_numbers_fold_to_one_key():
    assert {lookup_key(t) for t in TYPED[:4]} == {"d000123"}
    assert range_key("d000123") == "d0001"
    assert range_key("d000199") == "d0001" and range_key("d000200") == "d0002"
    # Numbers without three trailing ASCII digits fall into hashed ranges.
    for key in map(lookup_key, TYPED[4:]):
        r = range_key(key)
        assert r.startswith("x") and len(r) == 4 and int(r[1:], 16) < BUCKETS
    assert receipt_url("D000123") == "demands/d0001/#d-d000123"


def test_lookup_js_computes_the_same_keys():
    node = shutil.which("node")
    if node is None:
        pytest.skip("node is not installed")
    script = (
        "globalThis.window = {}; globalThis.document = {addEventListener() {}};"
        f"require({json.dumps(str(LOOKUP_JS))});"
        "const L = window.gongshiLookup, ids = JSON.parse(process.argv[1]);"
        f"console.log(JSON.stringify(ids.map(t => [L.lookupKey(t), L.rangeKey(L.lookupKey(t), {BUCKETS})])));"
    )
    done = subprocess.run([node, "-e", script, json.dumps(TYPED)], capture_output=True, text=True, check=True)
    assert json.loads(done.stdout) == [[lookup_key(t), range_key(lookup_key(t))] for t in TYPED]


def test_ranges_hold_about_a_hundred_demands_in_number_order():
    ids = [f"D{n:06d}" for n in range(1, 351)] + ["东街-甲"]
    ranges = demand_ranges(ids)
    assert list(ranges)[:4] == ["d0000", "d0001", "d0002", "d0003"]
    assert [len(ranges[r]) for r in ("d0000", "d0001", "d0002", "d0003")] == [99, 100, 100, 51]
    assert [ids[n] for n in ranges["d0001"]] == [f"D{n:06d}" for n in range(100, 200)]
    assert sum(map(len, ranges.values())) == len(ids)


def test_every_demo_demand_is_found_in_its_shard(builder):
    files = shard_files(builder)
    for d in builder.ds.demands:
        key = lookup_key(d.id)
        shard = json.loads(files[f"lookup/d/{range_key(key)}.json"])
        entry = shard["demands"][key]
        assert entry["id"] == d.id and entry["stage"]
        if d.project in builder.ds.projects:
            assert shard["projects"][entry["project"]]["title"] == builder.ds.projects[d.project].title
    sizes = [len(b) for b in files.values()]
    assert max(sizes) < 40_000  # about a hundred demands: a few KB over gzip


def test_shards_and_range_pages_publish_no_personal_data(built):
    data, out = built
    rows = read_rows(data / "demands.csv")
    header = rows[0]
    private = {
        r[header.index(c)] for r in rows[1:] for c in ("群众姓名", "联系电话", "详细地址") if r[header.index(c)]
    }
    assert private
    site = site_files(out)
    published = [p for p in site if p.startswith(("lookup/", "demands/"))]
    assert any(p.endswith(".json") for p in published) and any(p.endswith(".html") for p in published)
    for path in published:
        text = site[path].decode("utf-8")
        assert not [v for v in private if v in text], path
    allowed = {"id", "received", "community", "stage", "decline", "project"}
    for path in (p for p in published if p.endswith(".json")):
        shard = json.loads(site[path])
        assert all(set(d) == allowed for d in shard["demands"].values())


class _Entries(HTMLParser):
    """The anchors (id="d-…") of a range page and the links inside each."""

    def __init__(self) -> None:
        super().__init__()
        self.anchors: list[str] = []
        self.links: dict[str, list[str]] = {}

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "li" and (a.get("id") or "").startswith("d-"):
            self.anchors.append(a["id"])
            self.links[a["id"]] = []
        elif tag == "a" and self.anchors:
            self.links[self.anchors[-1]].append(a.get("href") or "")


def test_range_pages_show_every_demand_at_its_anchor(built, builder):
    _, out = built
    ranges = builder.demand_ranges()
    assert sorted(p.name for p in (out / "demands").iterdir() if p.is_dir()) == sorted(ranges)
    index = (out / "demands" / "index.html").read_text("utf-8")
    for rkey, positions in ranges.items():
        parser = _Entries()
        parser.feed((out / "demands" / rkey / "index.html").read_text("utf-8"))
        ids = [builder.ds.demands[n].id for n in positions]
        assert parser.anchors == ["d-" + lookup_key(i) for i in ids]
        assert len(ids) <= 100
        assert f'href="../demands/{rkey}/"' in index
        for n in positions:
            d = builder.ds.demands[n]
            if d.project in builder.ds.projects:
                assert f"../../projects/{d.project.lower()}/" in parser.links["d-" + lookup_key(d.id)]


def test_one_changed_demand_rebuilds_one_range_page(built, tmp_path):
    data, out = tmp_path / "data", tmp_path / "out"
    shutil.copytree(built[0], data)
    shutil.copytree(built[1], out)
    before = site_files(out)
    rows = read_rows(data / "demands.csv")
    j = rows[0].index("需求内容")
    rows[150][j] = "小区门口路灯不亮，晚上出行不便"  # D000150
    write_rows(data / "demands.csv", rows, encoding="utf-8-sig")
    build(data, out)
    after = site_files(out)
    changed = {p for p in after if before.get(p) != after[p]}
    assert {p for p in changed if p.startswith("demands/")} == {"demands/d0001/index.html"}
    build(data, tmp_path / "full", "--full")
    assert after == site_files(tmp_path / "full")
