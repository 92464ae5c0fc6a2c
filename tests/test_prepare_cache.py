"""The per-file prepare cache: a build with it gives exactly what a build without it gives.

Same dataset, aggregates, report (every problem, in order, and the row reconciliation) and
redaction log, whether the cache is cold, warm, partly stale, corrupt or from other code,
and whether a file changed in place, only grew, or broke validation.
"""

from __future__ import annotations

import dataclasses
import math
import random
import shutil
from pathlib import Path

import openpyxl
import pytest
from support import MINI, ROOT, read_rows, set_cell, write_rows

from generator.ingest import prepare as pipeline
from generator.problems import ValidationFailed

DEMO = ROOT / "data"


def canonical(obj):
    """An order- and type-sensitive picture of a value (== on dicts and Counters ignores
    order; pages and reports do not)."""
    kind = type(obj).__name__
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        return kind, tuple((f.name, canonical(getattr(obj, f.name))) for f in dataclasses.fields(obj))
    if isinstance(obj, dict):
        return kind, tuple((canonical(k), canonical(v)) for k, v in obj.items())
    if isinstance(obj, (list, tuple)):
        return kind, tuple(canonical(v) for v in obj)
    if isinstance(obj, float) and math.isnan(obj):
        return kind, "nan"
    return kind, repr(obj)


def outcome(data: Path, **cache):
    """What prepare gives (or the report it fails with), and the cache statistics."""
    try:
        p = pipeline.prepare(data, **cache)
    except ValidationFailed as exc:
        return canonical(("failed", exc.report)), exc.cache
    return canonical(("ok", p.dataset, p.aggregates, p.report, p.redactions)), p.cache


def same_with_and_without(data: Path, cache: Path):
    plain, none = outcome(data)
    cached, stats = outcome(data, cache_dir=cache)
    assert none is None
    assert cached == plain
    return stats


def files_in(data: Path) -> int:
    return sum(1 for p in data.iterdir() if p.stem != "site")


@pytest.fixture
def demo(tmp_path: Path) -> Path:
    dest = tmp_path / "data"
    shutil.copytree(DEMO, dest)
    return dest


def test_cold_and_warm_cache_give_the_uncached_result(demo, tmp_path):
    cache = tmp_path / "cache"
    cold = same_with_and_without(demo, cache)
    assert (cold.hits, cold.misses, cold.written) == (0, files_in(demo), files_in(demo))
    warm = same_with_and_without(demo, cache)
    assert (warm.hits, warm.misses, warm.appended, warm.written) == (files_in(demo), 0, 0, 0)
    assert not list((cache / pipeline.CACHE_FOLDER).glob(".tmp-*"))  # writes are renamed into place



def test_files_the_fingerprint_hashed_are_not_read_again(demo, tmp_path, monkeypatch):
    """The build's fingerprint hands prepare each data file's SHA-256: a file with a cache
    entry is then taken from the cache unread; one whose entry is missing (here: an
    edited file, whose digest the caller got wrong on purpose) is read and hashed as usual."""
    from generator.build import input_fingerprint

    cache = tmp_path / "cache"
    plain, _ = outcome(demo)
    outcome(demo, cache_dir=cache)
    seen: dict[str, tuple[int, str]] = {}
    input_fingerprint(demo, None, seen)
    assert sorted(Path(p).name for p in seen) == sorted(p.name for p in demo.iterdir())
    stale = str(demo / "projects.csv")
    seen[stale] = (seen[stale][0], "0" * 64)
    read = []
    real = pipeline.read_file
    monkeypatch.setattr(pipeline, "read_file", lambda path, *a: read.append(path.name) or real(path, *a))
    cached, stats = outcome(demo, cache_dir=cache, known=seen)
    assert cached == plain
    assert sorted(read) == ["projects.csv", "site.yaml"]  # the settings are read before any list
    assert (stats.hits, stats.misses) == (files_in(demo), 0)

def test_use_cache_false_neither_reads_nor_writes(demo, tmp_path):
    cache = tmp_path / "cache"
    plain, _ = outcome(demo)
    off, stats = outcome(demo, cache_dir=cache, use_cache=False)
    assert off == plain and stats is None and not cache.exists()


def append_ratings(path: Path, rows: list[list[str]]) -> None:
    text = path.read_text(encoding="utf-8")
    write_rows(path.with_suffix(".new"), rows)
    path.write_text(text + path.with_suffix(".new").read_text(encoding="utf-8"), encoding="utf-8")
    path.with_suffix(".new").unlink()


def rename_unit(workbook: Path, row: int, name: str) -> None:
    wb = openpyxl.load_workbook(workbook)
    ws = wb.worksheets[0]
    header = [c.value for c in ws[2]]  # under a title row
    ws.cell(row=row, column=header.index("单位名称") + 1, value=name)
    wb.save(workbook)


def test_edits_between_builds(demo, tmp_path):
    cache = tmp_path / "cache"
    same_with_and_without(demo, cache)

    # ~1% of projects edited in place, ratings appended, a unit renamed.
    projects = read_rows(demo / "projects.csv")
    header = projects[0]
    moving = {"按序时推进": "正常推进", "正常推进": "推进缓慢", "推进缓慢": "按序时推进", "滞后": "正常推进"}
    edited = [r for r in projects[1:] if r[header.index("状态")] in moving][:5]
    for r in edited:
        r[header.index("状态")] = moving[r[header.index("状态")]]
        r[header.index("完成比例")] = "55"
    write_rows(demo / "projects.csv", projects)
    feedback = read_rows(demo / "feedback.csv")
    append_ratings(
        demo / "feedback.csv", [[*r[:3], "新增的意见，电话13912345678", "是", "", ""] for r in feedback[1:9]]
    )
    rename_unit(demo / "units.xlsx", 3, "区新改名的单位")
    stats = same_with_and_without(demo, cache)
    assert (stats.hits, stats.appended, stats.misses) == (files_in(demo) - 3, 1, 2)

    # An error in one file is reported exactly as without the cache, on a warm cache too.
    set_cell(demo / "demands.csv", 4, "收集日期", "2025-02-30")
    set_cell(demo / "demands.csv", 5, "办理阶段", "半途而废")
    for _ in range(2):
        plain, _ = outcome(demo)
        cached, stats = outcome(demo, cache_dir=cache)
        assert cached == plain and plain[1][0] == ("str", "'failed'")
    assert stats.hits == files_in(demo)

    # A cross-list error: the cached files are unchanged, the check still runs.
    rows = read_rows(demo / "results.csv")
    (demo / "results.csv").write_text("", encoding="utf-8")
    write_rows(demo / "results.csv", rows[:1] + rows[2:])
    same_with_and_without(demo, cache)

    # Undoing every change finds the entries of the first build again.
    shutil.rmtree(demo)
    shutil.copytree(DEMO, demo)
    stats = same_with_and_without(demo, cache)
    assert stats.misses == 0


def test_rating_scale_is_part_of_the_key(demo, tmp_path):
    cache = tmp_path / "cache"
    same_with_and_without(demo, cache)
    site = demo / "site.yaml"
    site.write_text(site.read_text(encoding="utf-8").replace("rating_scale: three", "rating_scale: five"), "utf-8")
    assert "five" in site.read_text(encoding="utf-8")
    assert same_with_and_without(demo, cache).hits < files_in(demo)


def corrupt(entries: list[Path], how: str) -> None:
    before = {p: p.read_bytes() for p in entries}
    for path in entries:
        data = before[path]
        if how == "truncated":
            path.write_bytes(data[: len(data) // 2])
        elif how == "empty":
            path.write_bytes(b"")
        elif how == "flipped":
            i = len(data) - 10
            path.write_bytes(data[:i] + bytes([data[i] ^ 0xFF]) + data[i + 1 :])
        elif how == "garbage":
            path.write_bytes(b"\x80\x05not a pickle at all" * 100)
        elif how == "swapped":  # a sound entry, but another file's
            kind = [p for p in entries if p.suffix == path.suffix]
            path.write_bytes(before[kind[kind.index(path) - 1]])
        elif how == "directory":
            path.unlink()
            path.mkdir()


@pytest.mark.parametrize("how", ["truncated", "empty", "flipped", "garbage", "swapped", "directory"])
def test_corrupt_entries_are_ignored(demo, tmp_path, how):
    cache = tmp_path / "cache"
    same_with_and_without(demo, cache)
    corrupt(sorted((cache / pipeline.CACHE_FOLDER).iterdir()), how)
    stats = same_with_and_without(demo, cache)
    assert stats.hits == 0 and stats.misses == files_in(demo)
    if how != "directory":
        assert stats.ignored > 0
        assert same_with_and_without(demo, cache).hits == files_in(demo)  # rewritten


def test_another_code_version_is_not_used(demo, tmp_path, monkeypatch):
    cache = tmp_path / "cache"
    same_with_and_without(demo, cache)
    monkeypatch.setattr(pipeline, "CODE_VERSION", "another version of the code")
    stats = same_with_and_without(demo, cache)
    assert (stats.hits, stats.appended, stats.misses) == (0, 0, files_in(demo))
    assert same_with_and_without(demo, cache).hits == files_in(demo)


def test_code_version_covers_the_code_that_fills_the_cache():
    import importlib

    from generator import codeversion

    assert pipeline.CODE_VERSION == pipeline._code_version()
    # Every module that reads, checks or masks a file is inside the package the version digests.
    for name in ("ingest.load", "ingest.validate", "ingest.prepare", "privacy.mask", "privacy.detect", "schema",
                 "problems"):  # fmt: skip
        module = importlib.import_module(f"generator.{name}")
        assert Path(str(module.__file__)).is_relative_to(codeversion.PACKAGE), name


def test_stale_entries_are_pruned(demo, tmp_path):
    cache = tmp_path / "cache"
    folder = cache / pipeline.CACHE_FOLDER
    same_with_and_without(demo, cache)
    for i in range(6):  # every build a new version of the biggest file
        set_cell(demo / "demands.csv", 2, "需求内容", f"第 {i} 次修改")
        same_with_and_without(demo, cache)
    used = sum(p.stat().st_size for p in folder.iterdir())
    assert used < 3 * sum(p.stat().st_size for p in demo.iterdir())


# ---------------------------------------------------------------- a CSV file that only grew

LINES = [
    "P1,2026-05-03,满意,还不错,是,吴九,",
    "P3,2026-05-04,基本满意,,否,,",
    "P1,2026-05-05,满意,电话13912345678找我,是,郑十,13912345678",
    "P1,2026-05-06,满意,,,",  # short: missing fields are empty
    "P1,2026-05-06,满意,,,,,,,,",  # trailing delimiters
    "P1,2026-05-07,满意,,否,,,,,,,,,,,多出来的一格",  # wider than the header
    "",  # a blank line
    ",,,,,,",  # only delimiters
    "   ",
    'P1,2026-05-08,满意,"带引号的意见",是,,',
    "P1,2026-05-09,很棒,,是,,",  # not a rating: an error
    "P9,2026-05-10,满意,,是,,",  # no such project
    "P1,2026-13-01,满意,,是,,",
    "P1,2026-05-11,满意,意见\u3000,是,,",
    "P1,2026-05-12,满意,ｆｕｌｌ　ｗｉｄｔｈ１３９１２３４５６７８,是,,",
]


def big_feedback(data: Path, rows: int = 3000) -> None:
    """The mini fixture with a feedback file large enough to be continued (over 64 KB)."""
    rng = random.Random(1)
    header = read_rows(data / "feedback.csv")[0]
    body = [
        [rng.choice(["P1", "P3"]), f"2026-05-{rng.randint(1, 28):02d}", rng.choice(["满意", "基本满意", "不满意"]),
         rng.choice(["", "", "很好", "希望继续保持下去"]), rng.choice(["是", "否", ""]), rng.choice(["", "钱一"]), ""]
        for _ in range(rows)
    ]  # fmt: skip
    write_rows(data / "feedback.csv", [header, *body])


def append_bytes(path: Path, chunk: bytes) -> None:
    with path.open("ab") as f:
        f.write(chunk)


@pytest.fixture(scope="module")
def grown_base(tmp_path_factory):
    """A data folder with a big feedback file, and a cache built from it."""
    base = tmp_path_factory.mktemp("grown")
    shutil.copytree(MINI, base / "data")
    big_feedback(base / "data")
    same_with_and_without(base / "data", base / "cache")
    return base


@pytest.fixture
def grown(grown_base, tmp_path):
    shutil.copytree(grown_base / "data", tmp_path / "data")
    shutil.copytree(grown_base / "cache", tmp_path / "cache")
    return tmp_path / "data", tmp_path / "cache"


def test_appended_lines_continue_the_cached_parse(grown):
    data, cache = grown
    append_bytes(data / "feedback.csv", ("\n".join(LINES[:3]) + "\n").encode())
    stats = same_with_and_without(data, cache)
    assert stats.appended == 1
    # and again from the continued entry
    append_bytes(data / "feedback.csv", ("\n".join(LINES[:2]) + "\n").encode())
    assert same_with_and_without(data, cache).appended == 1


@pytest.mark.parametrize(
    "chunk",
    [
        pytest.param(("\n".join(LINES) + "\n").encode(), id="every-kind-of-line"),
        pytest.param(("\r\n".join(LINES[:3]) + "\r\n").encode(), id="crlf"),
        pytest.param(b"P1,2026-05-03,\xc2\xfa\xd2\xe2,,,,\n", id="gb18030-line-in-utf8-file"),
        pytest.param("P1,2026-05-03,满意,,是,,".encode(), id="no-final-newline"),
        pytest.param(b"P1,2026-05-03,\xe6\xbb,,,,\n", id="broken-utf8"),
        pytest.param(b"P1,2026-05-03,\x00,,,,\n", id="nul"),
        pytest.param(b"\n\n\n", id="trailing-blank-lines"),
        pytest.param("P1,2026-05-03,满意,,是,,,x,y,z,w\n".encode(), id="first-line-wider"),
        pytest.param("P1,2026-05-03,满意,,是,,\r".encode(), id="lone-cr"),
        pytest.param('P1,2026-05-03,满意,"意见\n跨两行",是,,\n'.encode(), id="quoted-newline"),
        pytest.param("\ufeffP1,2026-05-03,满意,,是,,\n".encode(), id="bom-inside"),
    ],
)
def test_appended_lines_of_every_kind(grown, chunk):
    data, cache = grown
    append_bytes(data / "feedback.csv", chunk)
    same_with_and_without(data, cache)
    append_bytes(data / "feedback.csv", (LINES[0] + "\n").encode())
    same_with_and_without(data, cache)


def test_random_appends(grown):
    data, cache = grown
    rng = random.Random(2026)
    for _ in range(12):
        lines = [rng.choice(LINES) for _ in range(rng.randint(1, 6))]
        end = rng.choice(["\n", "\n", "\r\n"])
        append_bytes(data / "feedback.csv", (end.join(lines) + end).encode())
        same_with_and_without(data, cache)


def test_rewritten_prefix_is_read_in_full(grown):
    data, cache = grown
    text = (data / "feedback.csv").read_text(encoding="utf-8")
    (data / "feedback.csv").write_text(text.replace("P3,", "P1,", 1) + LINES[0] + "\n", encoding="utf-8")
    stats = same_with_and_without(data, cache)
    assert stats.appended == 0 and stats.misses == 1
    (data / "feedback.csv").write_text(text[: len(text) // 2].rsplit("\n", 1)[0] + "\n", encoding="utf-8")
    assert same_with_and_without(data, cache).misses == 1
