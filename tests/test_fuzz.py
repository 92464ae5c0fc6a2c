"""Property-based and fuzz tests of every loader: whatever lands in data/, ``check`` answers.

Arbitrary bytes as CSV, Excel and YAML, structurally valid but hostile workbooks and YAML,
and random text in every column of every list must each either load or produce located
problems (a known code, a file, a Chinese message) - never an exception, never a hang,
never unbounded memory. In-process examples run under an address-space limit and a timer;
the pathological inputs (alias bombs, 10,000-deep nesting, zip and merge bombs, 100,000
columns, 10 MB cells) run in a child process limited to 2 GB and 20 s per case.

Deterministic by default (derandomized, modest example counts). For a longer, random fuzz
run: ``GONGSHI_FUZZ_EXAMPLES=2000 python -m pytest tests/test_fuzz.py``.
"""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import io
import json
import os
import re
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

import openpyxl
import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl.utils.exceptions import IllegalCharacterError
from support import MINI, read_rows, write_rows

from generator.ingest import prepare as pipeline
from generator.output.reports import format_problem
from generator.problems import CODES, Report
from generator.schema import TABLES

# openpyxl warns about the odd date cells the fuzzer writes; that is the point of them.
pytestmark = pytest.mark.filterwarnings("ignore::UserWarning:openpyxl")

TESTS = Path(__file__).resolve().parent
ROOT = TESTS.parent
CJK = re.compile(r"[\u4e00-\u9fff]")
EXAMPLE_SECONDS = 20  # one check() of a small data folder takes ~0.1 s
_LONG = int(os.environ.get("GONGSHI_FUZZ_EXAMPLES", "0"))


def fuzz(n: int):
    """Hypothesis settings: n examples, derandomized unless a long fuzz run was asked for."""
    return settings(
        max_examples=_LONG or n,
        deadline=None,
        derandomize=not _LONG,
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.large_base_example],
    )


# ---------------------------------------------------------------- harness


@pytest.fixture(scope="module", autouse=True)
def bounded_memory():
    """Cap this process's address space while the fuzz tests run (restored afterwards)."""
    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    vm = 0
    with contextlib.suppress(OSError, ValueError):
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmSize:"):
                vm = int(line.split()[1]) * 1024
    limit = vm + 3 * 1024**3 if vm else 8 * 1024**3
    if hard != resource.RLIM_INFINITY:
        limit = min(limit, hard)
    resource.setrlimit(resource.RLIMIT_AS, (limit, hard))
    yield
    resource.setrlimit(resource.RLIMIT_AS, (soft, hard))


@pytest.fixture(scope="module")
def work(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("fuzz")


@contextlib.contextmanager
def fresh(work: Path, drop: tuple[str, ...] = ()):
    """A new copy of the mini data set for one example, removed afterwards."""
    base = Path(tempfile.mkdtemp(dir=work))
    data = base / "data"
    shutil.copytree(MINI, data)
    for name in drop:
        (data / name).unlink()
    try:
        yield data
    finally:
        shutil.rmtree(base, ignore_errors=True)


@contextlib.contextmanager
def time_limit(seconds: int = EXAMPLE_SECONDS):
    def expired(signum, frame):
        raise TimeoutError(f"check() took more than {seconds} s")

    old = signal.signal(signal.SIGALRM, expired)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)


def assert_sound(report: Report) -> None:
    """Every problem is known, located in a file, and explained in Chinese."""
    assert isinstance(report, Report)
    for p in report.problems:
        assert p.code in CODES, p
        assert p.file, p
        assert p.row is None or (type(p.row) is int and p.row >= 1), p
        assert isinstance(p.column, str) and isinstance(p.value, str) and isinstance(p.detail, str), p
        assert CJK.search(p.message()), p
        assert CJK.search(format_problem(p)), p
        json.dumps(p.as_dict(), ensure_ascii=False)
    report.sorted()


def check(data: Path) -> Report:
    with time_limit():
        report = pipeline.check(data)
    assert_sound(report)
    return report


def codes_for(report: Report, name: str) -> set[str]:
    return {p.code for p in report.problems if Path(p.file).name.split("[")[0] == name}


# ---------------------------------------------------------------- strategies

LISTS = [t.name for t in TABLES]
CSV_FILES = sorted(p.name for p in MINI.glob("*.csv"))
HEADERS = {t.name: [s for c in t.columns for s in c.spellings()] for t in TABLES}

# fmt: off
TOKEN_LIST = [
    "", " ", "　", "P1", "p1", "P１", "Р1", "C1", "C1、C9", "桂香社区", "U1", "D001", "../x", "..", "a/b", "C:\\x",
    "已完成", "滞后", "满意", "是", "否", "区", "社区", "2026-06-30", "2026年6月30日", "2026.6.30",
    "2026/06/30 12:00:00", "20260630", "2026-02-30", "0000-01-01", "9999-12-31", "46022", "80%", "８０", "８０％",
    "0.8", "1e400", "-1e400", "nan", "inf", "-0", "1_000", "99999999999999999999999", "=1+1",
    '=HYPERLINK("http://x","y")', "+cmd|' /C calc'!A0", "@SUM(A1)", "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>', "javascript:alert(1)", "13812345678", "+8613812345678",
    "１３８１２３４５６７８", "11010519491231002X", "a@b.cn", "\ufeff", "\u202e", "\x00", "\r\n", '"', "'",
    ",", "\t", "、", "；", "\\", "%s%n", "{{ 7*7 }}", "{% raw %}", "$(id)", "`id`", "\u0301", "\U0001f600",
]
# fmt: on
TOKENS = st.sampled_from(TOKEN_LIST)
CHARS = st.characters(codec="utf-8", exclude_categories=("Cs",))
NASTY_CHARS = st.one_of(
    st.sampled_from(list(",，;；\t\n\r\"'=+-@|、/\\ 　.%％０１２３ＰＸ年月日号:#&*!?[]{}<>")), CHARS
)
CELL = st.one_of(TOKENS, st.text(NASTY_CHARS, max_size=30), st.builds(lambda a, b: a + b, TOKENS, TOKENS))
HEADER_CELL = st.one_of(
    st.sampled_from(sorted({s for v in HEADERS.values() for s in v})),
    st.sampled_from(["编　号", "项目 名称", "完成\n时限", " 状态 ", "ＩＤ", "备注", "序号", "", "编号"]),
    st.text(CHARS, max_size=8),
)


def _encode(text: str, encoding: str) -> bytes:
    return text.encode(encoding, errors="replace" if encoding != "utf-16" else "surrogatepass")


# ---------------------------------------------------------------- CSV


@st.composite
def csv_files(draw):
    """A list as staff save it (title rows, a header of real and odd names, any cells, any
    delimiter and encoding), or any bytes at all under a list's name."""
    table = draw(st.sampled_from(TABLES))
    name = draw(st.sampled_from([f"{table.name}.csv", f"{table.name}.csv", f"{table.name}.txt", f"{table.label}.tsv"]))
    if draw(st.integers(0, 3)) == 0:
        return table.name, name, draw(st.binary(max_size=3000))
    header = draw(st.lists(st.one_of(st.sampled_from(HEADERS[table.name]), HEADER_CELL), min_size=1, max_size=12))
    width = len(header)
    rows = [[draw(CELL) for _ in range(draw(st.integers(0, width + 2)))] for _ in range(draw(st.integers(0, 6)))]
    titles = [[draw(CELL)] for _ in range(draw(st.integers(0, 3)))]
    delimiter = draw(st.sampled_from([",", "\t", ";", "，"]))
    buf = io.StringIO(newline="")
    csv.writer(buf, delimiter=delimiter, lineterminator=draw(st.sampled_from(["\n", "\r\n", "\r"]))).writerows(
        [*titles, header, *rows]
    )
    encoding = draw(st.sampled_from(["utf-8", "utf-8-sig", "gb18030", "utf-16"]))
    return table.name, name, _encode(buf.getvalue(), encoding)


@fuzz(35)
@given(case=csv_files())
def test_csv_loader(work, case):
    table, name, raw = case
    with fresh(work, drop=(f"{table}.csv",)) as data:
        (data / name).write_bytes(raw)
        report = check(data)
    if not raw.strip():
        assert codes_for(report, name) == {"header-not-found"}


@st.composite
def cell_edits(draw):
    """Random text in random cells of the mini lists, addressed by header and row."""
    edits = []
    for _ in range(draw(st.integers(1, 6))):
        name = draw(st.sampled_from(CSV_FILES))
        rows = read_rows(MINI / name)
        column = draw(st.sampled_from(rows[0]))
        row = draw(st.integers(2, len(rows)))
        edits.append((name, row, column, draw(CELL)))
    return edits


@fuzz(35)
@given(edits=cell_edits())
def test_random_cells_in_every_column(work, edits):
    with fresh(work) as data:
        for name, row, column, value in edits:
            rows = read_rows(data / name)
            rows[row - 1][rows[0].index(column)] = value
            write_rows(data / name, rows)
        check(data)


def test_every_column_takes_every_token(work):
    """A deterministic sweep: each token lands in every column of every list."""
    tokens = [t for t in TOKEN_LIST if t != "\x00"]  # NUL makes the whole file unreadable

    def swept(name):
        header, *body = read_rows(MINI / name)
        extra = [[tokens[(i + j) % len(tokens)] for j in range(len(header))] for i in range(len(tokens))]
        return [header, *body, *extra]

    with fresh(work) as data:
        for name in CSV_FILES:  # one list at a time, the others intact
            write_rows(data / name, swept(name))
            check(data)
            shutil.copy(MINI / name, data / name)
        for name in CSV_FILES:  # all at once
            write_rows(data / name, swept(name))
        check(data)


# ---------------------------------------------------------------- Excel


def _workbook_bytes(fill) -> bytes:
    wb = openpyxl.Workbook()
    fill(wb)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _units_sheet(wb):
    ws = wb.active
    for row in read_rows(MINI / "units.csv"):
        ws.append(row)


VALID_XLSX = _workbook_bytes(_units_sheet)


@st.composite
def mutated_xlsx(draw):
    raw = bytearray(VALID_XLSX)
    for _ in range(draw(st.integers(1, 8))):
        raw[draw(st.integers(0, len(raw) - 1))] = draw(st.integers(0, 255))
    return bytes(raw[: draw(st.integers(0, len(raw)))]) if draw(st.booleans()) else bytes(raw)


SHEET_NAMES = ["Sheet1", "整改清单", "projects", "需求清单", "评价", "区域", "units", "说明", "Sheet 2", "2026年"]
NUMBER_FORMATS = ["General", "0%", "0.00%", "yyyy-mm-dd", 'yyyy"年"m"月"d"日"', "@", "0.00E+00", "#,##0", "h:mm"]
VALUES = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(2**70), 2**70),
    st.floats(allow_nan=False, allow_infinity=False),
    st.decimals(allow_nan=False, allow_infinity=False, places=4, min_value=-(10**12), max_value=10**12),
    st.datetimes(min_value=dt.datetime(1900, 3, 1), max_value=dt.datetime(9999, 12, 31)),
    st.dates(min_value=dt.date(1900, 3, 1)),
    st.times(),
    st.timedeltas(min_value=dt.timedelta(0), max_value=dt.timedelta(days=3000)),
    TOKENS.filter(lambda t: t != "\x00"),
    st.sampled_from(["=1+1", "=A1", '=HYPERLINK("javascript:alert(1)","x")', "=1/0", "=SUM(A1:XFD1048576)"]),
    st.text(CHARS.filter(lambda c: c.isprintable()), max_size=40),
    st.just("长" * 40000),
)


@st.composite
def workbooks(draw):
    """A structurally valid workbook: several sheets, a real header, any values, formats, merges."""
    wb = openpyxl.Workbook()
    titles = draw(st.lists(st.sampled_from(SHEET_NAMES), min_size=1, max_size=3, unique=True))
    for k, title in enumerate(titles):
        ws = wb.active if k == 0 else wb.create_sheet()
        ws.title = title
        table = draw(st.sampled_from(TABLES))
        header = draw(st.lists(st.sampled_from(HEADERS[table.name]), min_size=1, max_size=10))
        top = draw(st.integers(1, 4))
        for j, name in enumerate(header, start=1):
            ws.cell(row=top, column=j, value=name)
        for r in range(top + 1, top + 1 + draw(st.integers(0, 6))):
            for j in range(1, len(header) + 2):
                cell = ws.cell(row=r, column=j)
                with contextlib.suppress(ValueError, TypeError, IllegalCharacterError):  # openpyxl refuses some
                    cell.value = draw(VALUES)
                cell.number_format = draw(st.sampled_from(NUMBER_FORMATS))
        for _ in range(draw(st.integers(0, 3))):
            r1, c1 = draw(st.integers(1, top + 6)), draw(st.integers(1, len(header) + 1))
            r2, c2 = r1 + draw(st.integers(0, 5)), c1 + draw(st.integers(0, 3))
            with contextlib.suppress(ValueError):
                ws.merge_cells(start_row=r1, start_column=c1, end_row=r2, end_column=c2)
        if draw(st.booleans()):  # formatting far below and to the right of the data
            ws.cell(row=draw(st.integers(100, 1048576)), column=draw(st.integers(1, 16384))).number_format = "0%"
    buf = io.BytesIO()
    wb.save(buf)
    return draw(st.sampled_from(["units.xlsx", "整改清单.xlsx", "feedback.xlsm", "杂项.xlsx"])), buf.getvalue()


ANY_XLSX = st.one_of(
    workbooks(),
    st.tuples(st.just("units.xlsx"), st.binary(max_size=3000)),
    st.tuples(st.just("units.xlsx"), st.binary(max_size=3000).map(lambda b: b"PK\x03\x04" + b)),
    st.tuples(st.just("units.xlsx"), mutated_xlsx()),
)


@fuzz(35)
@given(case=ANY_XLSX)
def test_xlsx_loader(work, case):
    name, raw = case
    with fresh(work, drop=("units.csv",) if name == "units.xlsx" else ()) as data:
        (data / name).write_bytes(raw)
        report = check(data)
    if b"PK\x05\x06" not in raw:  # no zip directory at all
        assert "file-unreadable" in codes_for(report, name)


# ---------------------------------------------------------------- YAML

# fmt: off
YAML_TOKENS = st.sampled_from([
    "- ", ": ", "\n", "  ", "    ", "---\n", "...\n", "? ", "[", "]", "{", "}", ", ", "&a ", "*a", "<<: *a",
    "!!python/object:os.system ", "!!python/object/apply:os.system [id]", "!!python/name:os.system",
    "!!binary aGk=", "!!timestamp ", "!!set ", "!!omap ", "!!float ", "!!int ", "!!str ", "!custom ", "%YAML 1.1\n",
    "%TAG ! tag:x,2000:\n", "|\n", ">-\n", "'", '"', "#", "\t", "编号", "单位名称", "name", "as_of", "district",
    "U1", "2026-06-30", "2026-02-30", "9" * 5000, "1e400", ".nan", "~", "null", "yes", "no", "on", "0x1F", "0o17",
    "1_000", "-.inf", "\\u0000", "\ufeff", "项目编号", "完成比例", "2026-13-01 25:61:61",
])
# fmt: on
YAML_TEXT = st.one_of(
    st.text(CHARS, max_size=300),
    st.lists(st.one_of(YAML_TOKENS, st.text(CHARS, max_size=5)), max_size=60).map("".join),
)
YAML_TARGETS = ["site.yaml", "units.yaml", "projects.yml", "整改清单.yaml", "lists.yaml"]


def _yaml_drop(target: str) -> tuple[str, ...]:
    return {"site.yaml": (), "units.yaml": ("units.csv",), "projects.yml": ("projects.csv",)}.get(target, ())


YAML_SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(),
    st.text(CHARS, max_size=20),
    st.dates(),
    st.datetimes(),
    TOKENS,
)
YAML_VALUES = st.recursive(
    YAML_SCALARS,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4), st.dictionaries(st.one_of(st.text(max_size=5), st.integers()), inner, max_size=4)
    ),
    max_leaves=20,
)


@st.composite
def yaml_documents(draw):
    target = draw(st.sampled_from(YAML_TARGETS))
    if target == "site.yaml":
        keys = st.one_of(st.sampled_from(["name", "district", "as_of", "base_url", "page_size", "名称", "x"]), TOKENS)
        doc = draw(st.one_of(st.dictionaries(keys, YAML_VALUES, max_size=8), YAML_VALUES))
    elif target == "lists.yaml":
        doc = draw(st.dictionaries(st.sampled_from([*LISTS, "整改清单", "x"]), YAML_VALUES, max_size=3))
    else:
        table = {"units.yaml": "units"}.get(target, "projects")
        record = st.dictionaries(st.sampled_from(HEADERS[table] + ["备注"]), YAML_VALUES, max_size=8)
        doc = draw(st.one_of(st.lists(st.one_of(record, YAML_VALUES), max_size=6), YAML_VALUES))
    return target, yaml.safe_dump(doc, allow_unicode=True, default_flow_style=draw(st.sampled_from([None, True])))


ANY_YAML = st.one_of(
    yaml_documents(),
    st.tuples(st.sampled_from(YAML_TARGETS), YAML_TEXT.map(lambda t: t.encode("utf-8"))),
    st.tuples(st.sampled_from(YAML_TARGETS), st.binary(max_size=2000)),
)


@fuzz(35)
@given(case=ANY_YAML)
def test_yaml_loader(work, case):
    target, content = case
    with fresh(work, drop=_yaml_drop(target)) as data:
        (data / target).write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
        check(data)


# ---------------------------------------------------------------- pathological inputs, in a child process

CHILD_SECONDS = 20
CHILD_BYTES = 2 * 1024**3


def _sheet_patch(raw: bytes, patch, compression=zipfile.ZIP_DEFLATED) -> bytes:
    """Rewrite the first worksheet's XML of a workbook (patch may return a writer)."""
    src = zipfile.ZipFile(io.BytesIO(raw))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        for name in src.namelist():
            data = src.read(name)
            info = zipfile.ZipInfo(name, date_time=(2026, 1, 1, 0, 0, 0))
            info.compress_type = compression if name == "xl/worksheets/sheet1.xml" else zipfile.ZIP_DEFLATED
            with z.open(info, "w") as f:
                if name == "xl/worksheets/sheet1.xml":
                    patch(data, f)
                else:
                    f.write(data)
    return out.getvalue()


def _progress_book(fill=None) -> bytes:
    def make(wb):
        ws = wb.active
        for row in read_rows(MINI / "progress.csv"):
            ws.append(row)
        if fill:
            fill(ws)

    return _workbook_bytes(make)


def _replace(old: bytes, new: bytes):
    def patch(data, f):
        f.write(data.replace(old, new, 1))

    return patch


def _row_bomb(data, f):
    """~210 MB of rows (which openpyxl would turn into millions of cells) in a ~200 KB zip."""
    head, tail = data.split(b"</sheetData>", 1)
    f.write(head)
    chunk = b'<row><c t="n"><v>1</v></c></row>' * 65536
    for _ in range(100):
        f.write(chunk)
    f.write(b"</sheetData>" + tail)


def _entity_bomb(data, f):
    entities = b"".join(b'<!ENTITY e%d "%s">' % (i, (b"&e%d;" % (i - 1)) * 10 if i else b"lol") for i in range(10))
    body = data.split(b"?>", 1)[1] if data.startswith(b"<?xml") else data
    cell = b'<row r="20"><c r="A20" t="inlineStr"><is><t>&e9;</t></is></c></row></sheetData>'
    f.write(b'<?xml version="1.0"?><!DOCTYPE d [' + entities + b"]>" + body.replace(b"</sheetData>", cell, 1))


def _far(attr, value):
    return lambda ws: setattr(ws.cell(row=1048576, column=16384), attr, value)


_BIG_PAD = b"<sheetData>" + b" " * 21_000_000  # past 20 MB on disk: openpyxl's read-only mode
_MERGES = b"</sheetData><mergeCells>%s</mergeCells>"


def _alias_bomb() -> bytes:
    lines = ['a0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    lines += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 9)}]" for i in range(1, 10)]
    return "\n".join(lines).encode()


# name -> (file written into data/, lists it replaces, how to make it, codes expected for that file)
PATHOLOGICAL = {
    "yaml": {
        "alias-bomb": ("units.yaml", ("units.csv",), _alias_bomb, {"file-unreadable"}),
        "merge-key-alias": ("units.yaml", ("units.csv",), lambda: b"- &r {a: 1}\n- <<: *r\n", {"file-unreadable"}),
        "deep-flow-10000": ("units.yaml", ("units.csv",), lambda: b"[" * 10000 + b"]" * 10000, {"file-unreadable"}),
        "deep-flow-unclosed": (
            "site.yaml",
            ("site.yaml",),
            lambda: b"[" * 10000,
            {"file-unreadable", "invalid-settings"},
        ),
        "deep-map-10000": (
            "units.yaml",
            ("units.csv",),
            lambda: b"{a: " * 10000 + b"1" + b"}" * 10000,
            {"file-unreadable"},
        ),
        "deep-block-10000": ("units.yaml", ("units.csv",), lambda: b"- " * 10000 + b"x\n", {"file-unreadable"}),
        "huge-scalar-10mb": (
            "units.yaml",
            ("units.csv",),
            lambda: (
                "- {编号: U1, 单位名称: ".encode()
                + b"x" * 10_000_000
                + "}\n- {编号: U2, 单位名称: 乙}\n- {编号: U3, 单位名称: 丙}\n".encode()
            ),
            set(),
        ),
        "huge-settings-scalar-10mb": (
            "site.yaml",
            (),
            lambda: (MINI / "site.yaml").read_bytes() + b'footer: "' + b"y" * 10_000_000 + b'"\n',
            {"invalid-settings"},
        ),
        "python-object-apply": (
            "site.yaml",
            ("site.yaml",),
            lambda: b'name: !!python/object/apply:os.system ["touch PWNED"]\n',
            {"file-unreadable", "invalid-settings"},
        ),
        "python-object-table": (
            "units.yaml",
            ("units.csv",),
            lambda: b"- !!python/object:subprocess.Popen {args: [touch, PWNED]}\n",
            {"file-unreadable"},
        ),
        "python-name": ("units.yaml", ("units.csv",), lambda: b"- x: !!python/name:os.system\n", {"file-unreadable"}),
        "1000-documents": ("units.yaml", ("units.csv",), lambda: b"--- 1\n" * 1000, {"file-unreadable"}),
        "scalar-document": ("units.yaml", ("units.csv",), lambda: b"just a line of text\n", {"header-not-found"}),
        "50000-scalars": (
            "units.yaml",
            ("units.csv",),
            lambda: b"[" + b"1," * 50000 + b"1]",
            {"file-unreadable", "header-not-found"},
        ),
        "5000-digit-int": (
            "site.yaml",
            (),
            lambda: (MINI / "site.yaml").read_bytes().replace(b"page_size: 3", b"page_size: " + b"9" * 5000),
            {"invalid-settings"},
        ),
    },
    "sheets": {
        "csv-100000-named-columns": (
            "units.csv",
            ("units.csv",),
            lambda: ("编号,单位名称," + ",".join(f"c{i}" for i in range(100000)) + "\nU1,甲\nU2,乙\nU3,丙\n").encode(),
            {"unknown-column"},
        ),
        "csv-200000-blank-rows": (
            "progress.csv",
            ("progress.csv",),
            lambda: "项目编号,日期,进展情况\n".encode() + b",,\n" * 200000 + "P1,2026-01-01,勘察\n".encode(),
            {"blank-row"},
        ),
        "csv-excel-export-to-column-xfd": (  # 16,383 empty fields on each of 2,000 rows
            "progress.csv",
            ("progress.csv",),
            lambda: "".join(
                line + "," * 16380 + "\n"
                for line in ["项目编号,日期,进展情况,完成比例"] + [f"P1,2026-02-01,第{i}次,30" for i in range(2000)]
            ).encode(),
            set(),
        ),
        "csv-10mb-cell": (
            "progress.csv",
            ("progress.csv",),
            lambda: "项目编号,日期,进展情况\nP1,2026-01-01,".encode() + b"z" * 10_000_000 + b"\n",
            set(),
        ),
        "csv-unclosed-quote-big": (
            "progress.csv",
            ("progress.csv",),
            lambda: '项目编号,日期,进展情况\nP1,2026-01-01,"勘察\n'.encode() + b"P1,2026-01-02,x\n" * 100000,
            {"file-unreadable"},
        ),
        "xlsx-zip-bomb": (
            "progress.xlsx",
            ("progress.csv",),
            lambda: _sheet_patch(_progress_book(), _row_bomb),
            {"file-unreadable"},
        ),
        "xlsx-bzip2-bomb": (
            "progress.xlsx",
            ("progress.csv",),
            lambda: _sheet_patch(
                _progress_book(), _replace(b"<sheetData>", b"<sheetData>" + b" " * 201 * 1024 * 1024), zipfile.ZIP_BZIP2
            ),
            {"file-unreadable"},
        ),
        "xlsx-xml-entity-bomb": (
            "progress.xlsx",
            ("progress.csv",),
            lambda: _sheet_patch(_progress_book(), _entity_bomb),
            {"file-unreadable"},
        ),
        "xlsx-format-at-xfd1048576": (
            "progress.xlsx",
            ("progress.csv",),
            lambda: _progress_book(_far("number_format", "0%")),
            set(),
        ),
        "xlsx-value-at-xfd1048576": (
            "progress.xlsx",
            ("progress.csv",),
            lambda: _progress_book(_far("value", "x")),
            {"file-unreadable"},
        ),
        "xlsx-merge-whole-sheet": (
            "progress.xlsx",
            ("progress.csv",),
            lambda: _sheet_patch(
                _progress_book(), _replace(b"</sheetData>", _MERGES % b'<mergeCell ref="A7:XFD1048576"/>')
            ),
            {"file-unreadable"},
        ),
        "xlsx-20000-row-merges": (
            "progress.xlsx",
            ("progress.csv",),
            lambda: _sheet_patch(
                _progress_book(),
                _replace(
                    b"</sheetData>",
                    _MERGES % b"".join(b'<mergeCell ref="A%d:XFD%d"/>' % (r, r) for r in range(7, 20007)),
                ),
            ),
            {"file-unreadable"},
        ),
        "xlsx-big-read-only-declared-xfd1048576": (
            "progress.xlsx",
            ("progress.csv",),
            lambda: _sheet_patch(
                _progress_book(_far("number_format", "0%")),
                lambda data, f: f.write(
                    re.sub(rb'<dimension ref="[^"]*"', b'<dimension ref="A1:XFD1048576"', data).replace(
                        b"<sheetData>", _BIG_PAD
                    )
                ),
                zipfile.ZIP_STORED,
            ),
            set(),
        ),
        "xlsx-big-read-only-value-at-xfd1048576": (
            "progress.xlsx",
            ("progress.csv",),
            lambda: _sheet_patch(
                _progress_book(_far("value", "x")), _replace(b"<sheetData>", _BIG_PAD), zipfile.ZIP_STORED
            ),
            {"file-unreadable"},
        ),
    },
}


def run_pathological(group: str) -> None:
    """In the child: one JSON line per case (time limit re-armed per case)."""
    import faulthandler
    import time

    for name, (target, drop, make, _) in PATHOLOGICAL[group].items():
        base = Path(tempfile.mkdtemp())
        data = base / "data"
        shutil.copytree(MINI, data)
        for old in drop:
            (data / old).unlink()
        (data / target).write_bytes(make())
        os.chdir(base)  # a successful "touch PWNED" would land here
        faulthandler.dump_traceback_later(CHILD_SECONDS, exit=True)
        start = time.perf_counter()
        report = pipeline.check(data)
        seconds = time.perf_counter() - start
        faulthandler.cancel_dump_traceback_later()
        assert_sound(report)
        mine = sorted({p.code for p in report.problems if Path(p.file).name == target})
        others = sorted({p.code for p in report.problems if Path(p.file).name != target and p.is_error})
        line = {"case": name, "codes": mine, "other_errors": others, "seconds": round(seconds, 2)}
        line["pwned"] = (base / "PWNED").exists()
        print(json.dumps(line, ensure_ascii=False), flush=True)
        print(name, line["seconds"], file=sys.stderr, flush=True)
        shutil.rmtree(base, ignore_errors=True)


CHILD = f"""
import resource, sys
resource.setrlimit(resource.RLIMIT_AS, ({CHILD_BYTES}, resource.getrlimit(resource.RLIMIT_AS)[1]))
sys.path[:0] = [{str(TESTS)!r}, {str(ROOT)!r}]
import test_fuzz
test_fuzz.run_pathological(sys.argv[1])
"""


@pytest.fixture(scope="module", autouse=True)
def children(request, tmp_path_factory):
    """Start the children the session will ask for when the module starts, so they run
    beside the hypothesis examples (two cores) rather than after them."""
    wanted = [
        item.callspec.params["group"]
        for item in request.session.items
        if getattr(item, "originalname", "") == "test_pathological_inputs_bounded"
    ]
    out = tmp_path_factory.mktemp("children")
    procs = {}
    for group in wanted:
        stdout, stderr = (out / f"{group}.out").open("w+"), (out / f"{group}.err").open("w+")
        proc = subprocess.Popen(
            [sys.executable, "-c", CHILD, group],
            stdout=stdout,
            stderr=stderr,
            text=True,
            cwd=ROOT,
            env={**os.environ, "PYTHONHASHSEED": "0", "PYTHONWARNINGS": "ignore"},
        )
        procs[group] = (proc, stdout, stderr)
    yield procs
    for proc, stdout, stderr in procs.values():
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        stdout.close()
        stderr.close()


@pytest.mark.parametrize("group", list(PATHOLOGICAL))
def test_pathological_inputs_bounded(children, group):
    cases = PATHOLOGICAL[group]
    proc, stdout, stderr = children[group]
    try:
        proc.wait(timeout=CHILD_SECONDS * len(cases) + 60)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
    stdout.seek(0)
    stderr.seek(0)
    done = {d["case"]: d for d in map(json.loads, stdout.read().splitlines())}
    assert proc.returncode == 0, f"child failed after {list(done)}:\n{stderr.read()[-4000:]}"
    assert list(done) == list(cases)
    for name, (target, _, _, expected) in cases.items():
        got = done[name]
        assert set(got["codes"]) == expected, (name, got)
        assert not got["pwned"], name
        assert got["seconds"] < CHILD_SECONDS, (name, got)
        if target == "progress.xlsx" or name.startswith("csv-"):
            assert got["other_errors"] == [], (name, got)  # progress is optional: nothing else breaks
